//! sigstore/policy-controller: `pkg/apis/glob/glob_test.go` (TestGlobMatch) as a function table,
//! and the webhook's evaluation tests (`pkg/webhook/validator_test.go`: TestValidatePolicy,
//! TestValidatePodSpec, TestPolicyControllerConfigNoMatchPolicy, TestCheckOptsFromAuthority),
//! their mocked verifications replaced by real signatures on the loopback registry.

use sigscope::policy::authority::{Environment, NoMatchPolicy};
use sigscope::policy::evaluate::{Decision, decide};
use sigscope::policy::glob::ImageGlob;
use sigscope::policy::read_policies;
use sigscope::verify::policy::SystemClock;

use super::bed::{SIGNED, SIGNED_BY_SOMEONE_ELSE, UNSIGNED};
use super::policy_controller_validation::{cip, indent};
use super::{Bed, Controller, Expect, Got, Image, Table, Where};

const PC: Controller = Controller::Sigstore;
const GLOB: &str = "glob.Match is a function of the reference string (Docker Hub names and hosts no loopback registry serves)";

pub fn rows(t: &mut Table) {
    glob_rows(t);
    evaluation_rows(t);
    no_match_rows(t);
}

/// TestGlobMatch: (image, glob, match, error).
fn glob_rows(t: &mut Table) {
    let rows: &[(&str, &str, bool, bool)] = &[
        ("foo", "index.docker.io/library/foo:latest", true, false),
        ("foo", "index.docker.io/library/foo:*", true, false),
        ("foo", "index.docker.io/library/*", true, false),
        ("foo", "index.docker.io/library/*:latest", true, false),
        ("foo", "index.docker.io/*/*", true, false),
        ("foo", "index.docker.io/**", true, false),
        ("foo", "index.docker.**", true, false),
        ("foo", "inde**", true, false),
        ("foo", "**", true, false),
        ("foo", "foo", true, false),
        ("foo", "foo*", true, false),
        ("foo", "foo**", true, false),
        (
            "myuser/myapp",
            "index.docker.io/myuser/myapp:latest",
            true,
            false,
        ),
        (
            "myuser/myapp",
            "index.docker.io/myuser/myapp:*",
            true,
            false,
        ),
        ("myuser/myapp", "index.docker.io/myuser/*", true, false),
        (
            "myuser/myapp",
            "index.docker.io/myuser/*:latest",
            true,
            false,
        ),
        ("myuser/myapp", "index.docker.io/*/*", true, false),
        ("myuser/myapp", "index.docker.io/**", true, false),
        ("myuser/myapp", "index.docker.**", true, false),
        ("myuser/myapp", "inde**", true, false),
        ("myuser/myapp", "**", true, false),
        ("myuser/myapp", "myuser/myapp", true, false),
        ("myuser/myapp", "myuser/myapp*", true, false),
        ("myuser/myapp", "myuser/myapp**", true, false),
        ("ghcr.io/foo/bar", "ghcr.io/*/*", true, false),
        ("ghcr.io/foo/bar", "ghcr.io/**", true, false),
        ("ghcr.io/foo", "ghcr.io/*/*", false, false),
        ("ghcr.io/foo", "ghcr.io/**", true, false),
        ("ghcr.io/foo", "ghc**", true, false),
        ("ghcr.io/foo", "**", true, false),
        ("ghcr.io/foo", "*/**", true, false),
        ("ghcr.io/foo", "ghcr.io/foo*", true, false),
        ("ghcr.io/foo", "ghcr.io/foo**", true, false),
        ("prefix-ghcr.io/foo", "ghcr.io/foo", false, false),
        ("ghcr.io/foo-suffix", "ghcr.io/foo", false, false),
        ("ghcrxio/foo", "ghcr.io/**", false, false),
        ("invalid&name", "**", false, true),
        ("invalid-glob", ".+", false, true),
        ("invalid-glob", "[a-z]*", false, true),
        ("foo", "*", true, false),
        ("myuser/myapp", "*/*", true, false),
        (
            "ghcr.io/foo@sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350",
            "ghcr.io/foo@sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350",
            true,
            false,
        ),
    ];
    for (image, glob, matched, error) in rows {
        let id = format!("policy-controller glob_test TestGlobMatch {image}|{glob}");
        let got = ImageGlob::compile(glob)
            .and_then(|g| g.matches_reference(image))
            .map_err(|e| e.to_string());
        if *error {
            t.refusal(PC, &id, got, GLOB);
        } else {
            t.function(PC, &id, *matched, got, GLOB);
        }
    }
}

fn evaluation_rows(t: &mut Table) {
    let bed = Bed::get();
    let repo = &bed.repository;
    let scenario = &bed.scenario.repository;
    let key = |pem: &str| format!("    key:\n      data: |\n{}\n", indent(pem, 8));
    let key_a = key(&bed.key_a);
    let ci = format!(
        "    keyless:\n      identities:\n      - issuer: {}\n        subjectRegExp: '{}'\n",
        sigscope_core::fixture::GITHUB_ISSUER,
        crate::support::scenario::CI_IDENTITY_REGEXP
    );
    let on = |glob: &str, authorities: &str| {
        cip(
            "v1beta1",
            &format!("  images:\n  - glob: '{glob}'\n  authorities:\n{authorities}"),
        )
    };
    let peers = format!("{repo}@*");
    let scen = format!("{scenario}@*");
    let mut row = |name: &str, policy: String, image: &Image, expect: Expect| {
        t.policy(
            PC,
            &format!("policy-controller {name}"),
            &policy,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Admit, Deny};
    row(
        "validator_test TestValidatePolicy: simple, public key, works",
        on(&peers, &format!("  - name: a\n{key_a}")),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "validator_test TestValidatePolicy: simple, public key, no matches",
        on(&peers, &format!("  - name: a\n{key_a}")),
        bed.peer(SIGNED_BY_SOMEONE_ELSE),
        Deny,
    );
    row(
        "validator_test TestValidatePolicy: public key, unsigned image",
        on(&peers, &format!("  - name: a\n{key_a}")),
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "validator_test TestValidatePolicy: public key and keyless, one works, one doesn't",
        on(&peers, &format!("  - name: a\n{key_a}  - name: b\n{ci}")),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "validator_test TestValidatePolicy: simple, static set to pass",
        on(&peers, "  - static: {action: pass}\n"),
        bed.peer(UNSIGNED),
        Admit,
    );
    row(
        "validator_test TestValidatePolicy: simple, static set to fail",
        on(&peers, "  - static: {action: fail}\n"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "validator_test TestValidatePolicy: static set to fail with custom message",
        on(
            &peers,
            "  - static: {action: fail, message: test custom message here}\n",
        ),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "validator_test TestValidatePolicy: key attestation works",
        on(
            &scen,
            &format!(
                "  - name: a\n{}    attestations:\n    - name: slsa\n      predicateType: slsaprovenance1\n",
                key(&bed.key_a)
            ),
        ),
        bed.scenario("v1.5.0"),
        Admit,
    );
    row(
        "validator_test TestValidatePolicy: wrong predicate attestation, error",
        on(
            &scen,
            &format!(
                "  - name: a\n{}    attestations:\n    - name: wrong\n      predicateType: https://example.com/wrong/v1\n",
                key(&bed.key_a)
            ),
        ),
        bed.scenario("v1.5.0"),
        Deny,
    );
    row(
        "validator_test TestValidatePodSpec: authority keyless, good fulcio",
        on(&scen, &format!("  - name: ci\n{ci}")),
        bed.scenario("v1.0.0"),
        Admit,
    );
    row(
        "validator_test TestValidatePodSpec: authority keyless, bad fulcio",
        on(&scen, &format!("  - name: ci\n{ci}")),
        bed.scenario("v1.7.0"),
        Deny,
    );
    row(
        "validator_test TestValidatePodSpec: authority keyless, good fulcio, bad rekor (payload not the logged one)",
        on(&scen, &format!("  - name: ci\n{ci}")),
        bed.scenario("v2.3.0-tampered"),
        Deny,
    );
    row(
        "validator_test TestValidatePodSpec: keyless identity mismatch",
        on(&scen, &format!("  - name: ci\n{ci}")),
        bed.scenario("v1.6.0"),
        Deny,
    );
    // rekorClientAndKeysFromAuthority: a key authority without ctlog skips the log; naming a
    // log makes an entry necessary (the bed's key signatures have none).
    row(
        "validator.go rekorClientAndKeysFromAuthority: key, no ctlog, no log entry",
        on(&peers, &format!("  - name: a\n{key_a}")),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "validator.go rekorClientAndKeysFromAuthority: key, ctlog url, no log entry",
        on(
            &peers,
            &format!("  - name: a\n{key_a}    ctlog: {{url: 'https://rekor.sigstore.dev'}}\n"),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "validator.go rekorClientAndKeysFromAuthority: key, empty ctlog",
        on(&peers, &format!("  - name: a\n{key_a}    ctlog: {{}}\n")),
        bed.peer(SIGNED),
        Admit,
    );
    // Globs match the resolved repo@digest (validator.go resolvePodSpec + GetMatchingPolicies).
    let digest = &bed.peer(SIGNED).report.digest;
    row(
        "glob_test image with digest: glob naming the digest",
        on(&format!("{repo}@{digest}"), "  - static: {action: pass}\n"),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "glob_test image with digest: another image (no policy matches, deny)",
        on(&format!("{repo}@{digest}"), "  - static: {action: pass}\n"),
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "validator.go resolvePodSpec: a glob naming the tag misses the resolved digest (no policy matches, deny)",
        on(&format!("{repo}:{SIGNED}"), "  - static: {action: pass}\n"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "validator_test mode warn: a failing policy only warns",
        cip(
            "v1beta1",
            &format!(
                "  images:\n  - glob: '{peers}'\n  mode: warn\n  authorities:\n  - static: {{action: fail}}\n"
            ),
        ),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "validator_test TestCheckOptsFromAuthority: bundle format, unsupported non-keyless",
        on(
            &scen,
            &format!(
                "  - name: a\n{}    signatureFormat: bundle\n",
                key(&bed.key_a)
            ),
        ),
        bed.scenario("v3.0.0"),
        Deny,
    );
    row(
        "validator_test two policies: both must pass",
        format!(
            "{}---\n{}",
            on(&peers, &format!("  - name: a\n{key_a}")),
            on(&peers, "  - static: {action: fail}\n").replace("name: peer", "name: other")
        ),
        bed.peer(SIGNED),
        Deny,
    );
    // Not expressible: CUE is not executed; another hash algorithm is not verified.
    t.policy(
        PC,
        "policy-controller validator_test TestValidatePodSpec: keyless checks out, bad cip policy (CUE)",
        &cip(
            "v1beta1",
            &format!("  images:\n  - glob: '{scen}'\n  authorities:\n  - name: ci\n{ci}  policy:\n    type: cue\n    data: 'predicateType: \"x\"'\n"),
        ),
        bed.scenario("v1.0.0"),
        Deny,
        Where::NotExpressible("CUE and Rego policies are not executed by sigscope"),
    );
    t.policy(
        PC,
        "policy-controller valid-policy-hash-algo-sha512: key with sha512 on a SHA-256 signature",
        &on(
            &peers,
            &format!("  - name: a\n{key_a}      hashAlgorithm: sha512\n"),
        ),
        bed.peer(SIGNED),
        Deny,
        Where::NotExpressible(
            "signatures hashed with another algorithm than SHA-256 are not verified by sigscope",
        ),
    );
}

/// TestPolicyControllerConfigNoMatchPolicy: an image no policy matches.
fn no_match_rows(t: &mut Table) {
    let bed = Bed::get();
    let policy = cip(
        "v1beta1",
        "  images:\n  - glob: 'registry.example/never/**'\n  authorities:\n  - static: {action: pass}\n",
    );
    for (name, no_match, expect) in [
        (
            "empty value, implicit deny",
            NoMatchPolicy::Deny,
            Expect::Deny,
        ),
        ("explicit deny", NoMatchPolicy::Deny, Expect::Deny),
        ("warn", NoMatchPolicy::Warn, Expect::Admit),
        ("allow", NoMatchPolicy::Allow, Expect::Admit),
    ] {
        let image = bed.peer(SIGNED);
        let set = read_policies(&policy).unwrap();
        let env = Environment {
            no_match,
            clock: &SystemClock,
            ..bed.environment()
        };
        let got = match decide(&env, &set, &image.name, &image.tag, &image.report).decision {
            Decision::Admitted => Got::Admitted,
            Decision::Denied => Got::Denied,
            Decision::CouldNotCheck => Got::CouldNotCheck,
        };
        t.push(
            PC,
            &format!(
                "policy-controller validator_test TestPolicyControllerConfigNoMatchPolicy {name}"
            ),
            expect,
            got,
            Where::Registry,
        );
    }
}
