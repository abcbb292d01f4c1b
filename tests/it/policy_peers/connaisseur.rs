//! sse-secure-systems/connaisseur: `internal/policy/match_test.go` (TestCompare),
//! `internal/config/config_test.go` (TestMatchingRule on `00_sample.yaml`, TestLoadError,
//! TestValidateErrors) and `internal/validator/cosignvalidator/cosign_validator_test.go`
//! (TestValidator, TestValidateImage, TestValidateImageKeyless) — alice is key A, bob key B,
//! their multi-signed test images the bed's `signed` and `signed-by-both`.

use sigscope::policy::connaisseur::first_is_more_specific;
use sigscope::policy::evaluate::applicable;
use sigscope::policy::read_policies;

use super::bed::{SIGNED, SIGNED_BY_BOTH, UNSIGNED};
use super::kyverno::q;
use super::{Bed, Controller, Expect, Image, Table, Where};

const CN: Controller = Controller::Connaisseur;
const IMAGE_TAG: &str = "docker.io/securesystemsengineering/sample:v1";

pub fn rows(t: &mut Table) {
    compare_rows(t);
    matching_rule_rows(t);
    load_rows(t);
    validate_image_rows(t);
}

/// TestCompare: (first, second, expected): 1 the second is more specific, 0 equal, -1 the first.
fn compare_rows(t: &mut Table) {
    let rows: &[(&str, &str, i8)] = &[
        ("", "*", 1),
        ("*:*", "*/*", 1),
        ("docker*/*", "*/*/*", 1),
        ("*", "*:*", 1),
        ("*/*", "docker*/*", 1),
        ("*/*/image:v1", "*/sam*/*", 1),
        ("docker.i*/s*", "docker.io/*", 1),
        ("*:test", "*/*", 1),
        (
            "securesystemsengineering/sample:*",
            "securesystemsengineering/sample:v*",
            1,
        ),
        ("*", "*", 0),
        ("*", "", -1),
    ];
    for (i, (first, second, expected)) in rows.iter().enumerate() {
        let ab = first_is_more_specific(first, second, IMAGE_TAG);
        let ba = first_is_more_specific(second, first, IMAGE_TAG);
        let got = match (ab, ba) {
            (true, true) => 0,
            (true, false) => -1,
            _ => 1,
        };
        t.function(
            CN,
            &format!(
                "Connaisseur match_test TestCompare {}: {first:?} vs {second:?}",
                i + 1
            ),
            true,
            Ok(got == *expected),
            "pattern specificity is a function of patterns and a name (Docker Hub)",
        );
    }
}

/// The sample configuration's rules (`00_sample.yaml`), with static validators.
fn sample() -> String {
    let rules = [
        "\"*:*\"",
        "\"securesystemsengineering/*:co*\"",
        "docker.io/*:*",
        "\"registry.k8s.io/*:*\"",
        "\"docker.io/securesystemsengineering/sample\"",
        "\"docker.io/securesystemsengineering/sample:v1\"",
        "\"docker.io/library/allow-me\"",
        "\"docker.io/library/deny-me\"",
        "\"my.registry/*\"",
        "\"my.registry/test\"",
        "\"docker.io/test:*\"",
    ];
    let policy: String = rules
        .iter()
        .map(|p| format!("  - pattern: {p}\n"))
        .collect();
    format!(
        "validators:\n  - name: default\n    type: static\n    approve: true\npolicy:\n{policy}"
    )
}

/// TestMatchingRule: which rule applies to an image.
fn matching_rule_rows(t: &mut Table) {
    let set = read_policies(&sample()).expect("the sample configuration reads");
    for (image, pattern) in [
        ("image:tag", "docker.io/*:*"),
        ("registry.io/image:tag", "*:*"),
        ("registry.k8s.io/image", "registry.k8s.io/*:*"),
        ("image", "docker.io/*:*"),
        (
            "docker.io/securesystemsengineering/sample:v1",
            "docker.io/securesystemsengineering/sample:v1",
        ),
        (
            "docker.io/securesystemsengineering/sample:v2",
            "docker.io/securesystemsengineering/sample",
        ),
        ("my.registry/test:tag", "my.registry/test"),
        ("my.registry/abc:tag", "my.registry/*"),
    ] {
        let name = Image::named(image).name;
        let chosen: Vec<String> = applicable(&set, &name)
            .iter()
            .map(|r| r.images.describe())
            .collect();
        t.function(
            CN,
            &format!("Connaisseur config_test TestMatchingRule {image} -> {pattern}"),
            true,
            Ok(chosen == [pattern.to_owned()]),
            "rule selection on Docker Hub and other public names",
        );
    }
}

/// TestLoadError / TestValidator / TestValidateErrors: configurations Connaisseur refuses to load.
fn load_rows(t: &mut Table) {
    let bed = Bed::get();
    let image = bed.peer(SIGNED);
    let rule = "policy:\n  - pattern: \"*:*\"\n";
    let mut row = |name: &str, config: String, expect: Expect| {
        t.policy(
            CN,
            &format!("Connaisseur {name}"),
            &config,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Accept, Refuse};
    let key = q(&bed.key_a);
    for (name, validators) in [
        (
            "config_test TestLoadError 01 validator without a name",
            "  - type: static\n    approve: true\n",
        ),
        (
            "config_test TestLoadError 02 validator without a type",
            "  - name: allow\n    approve: true\n",
        ),
        (
            "config_test TestLoadError 03 unsupported type",
            "  - name: allow\n    type: stati\n    approve: true\n",
        ),
        (
            "config_test TestLoadError 04 cosign host.rekor an object",
            "  - name: cosign\n    type: cosign\n    host: {rekor: {}}\n    trustRoots: [{}]\n",
        ),
        (
            "config_test TestLoadError 05 invalid rekor url",
            "  - name: cosign\n    type: cosign\n    host: {rekor: ':\\\\\\'}\n    trustRoots: [{}]\n",
        ),
        (
            "config_test TestLoadError 06 static approve an object",
            "  - name: allow\n    type: static\n    approve: {}\n",
        ),
        ("config_test TestLoadError 07 validator a list", "  - []\n"),
        (
            "config_test TestLoadError 08 unknown field",
            "  - name: allow\n    type: static\n    approve: true\n    invalid: someValue\n",
        ),
        (
            "cosign_validator_test TestValidator 5 no trust roots",
            "  - name: cosign\n    type: cosign\n    trustRoots: []\n",
        ),
        (
            "cosign_validator_test TestValidator 6 invalid certificate",
            &format!(
                "  - name: cosign\n    type: cosign\n    cert: not a certificate\n    trustRoots: [{{name: alice, key: {key}}}]\n"
            ),
        ),
        (
            "cosign_validator_test TestValidator 8 invalid rekor public key",
            &format!(
                "  - name: cosign\n    type: cosign\n    host: {{rekorPubkey: not a key}}\n    trustRoots: [{{name: alice, key: {key}}}]\n"
            ),
        ),
        (
            "cosign_validator_test TestValidator 9 invalid fulcio certificate",
            &format!(
                "  - name: cosign\n    type: cosign\n    host: {{fulcioCert: not a certificate}}\n    trustRoots: [{{name: alice, key: {key}}}]\n"
            ),
        ),
        (
            "cosign_validator_test TestValidator 10 invalid ct log public key",
            &format!(
                "  - name: cosign\n    type: cosign\n    host: {{ctLogPubkey: not a key}}\n    trustRoots: [{{name: alice, key: {key}}}]\n"
            ),
        ),
        (
            "trust_root.go a trust root with a key and keyless",
            &format!(
                "  - name: cosign\n    type: cosign\n    trustRoots: [{{name: alice, key: {key}, keyless: {{issuer: i, subject: s}}}}]\n"
            ),
        ),
        (
            "trust_root.go keyless with subject and subjectRegex",
            "  - name: cosign\n    type: cosign\n    trustRoots: [{name: k, keyless: {issuer: i, subject: s, subjectRegex: t}}]\n",
        ),
    ] {
        row(name, format!("validators:\n{validators}{rule}"), Refuse);
    }
    row(
        "config_test TestValidateErrors 1 no validators",
        format!("validators: []\n{rule}"),
        Refuse,
    );
    row(
        "config_test TestValidateErrors 2 no rules",
        "validators:\n  - name: default\n    type: static\n    approve: true\npolicy: []\n".into(),
        Refuse,
    );
    row("config_test TestValidateErrors 8 rule without a pattern", "validators:\n  - name: default\n    type: static\n    approve: true\npolicy:\n  - validator: default\n".into(), Refuse);
    row(
        "config_test TestValidateErrors rule with mode neither mutate nor insecureValidateOnly",
        "validators:\n  - name: default\n    type: static\n    approve: true\npolicy:\n  - pattern: '*:*'\n    with: {mode: garbage}\n".into(),
        Refuse,
    );
    row(
        "config_test TestValidateErrors rule with required and delegations",
        "validators:\n  - name: default\n    type: static\n    approve: true\npolicy:\n  - pattern: '*:*'\n    with: {required: [a], delegations: [b]}\n".into(),
        Refuse,
    );
    row("config_test TestValidate static validator", "validators:\n  - name: valName\n    type: static\n    approve: false\npolicy:\n  - pattern: somePattern\n    validator: valName\n    with: {mode: mutate}\n".into(), Accept);
    row(
        "config_test TestValidate cosign validator",
        format!(
            "validators:\n  - name: valName\n    type: cosign\n    trustRoots: [{{name: trName, key: {key}}}]\npolicy:\n  - pattern: somePattern\n    validator: valName\n    with: {{trustRoot: trustRoot, threshold: 7, required: [alice, bob]}}\n"
        ),
        Accept,
    );
    row("config_test TestLoad the sample", sample(), Accept);
}

/// TestValidateImage / TestValidateImageKeyless on the bed, and rule selection on it.
fn validate_image_rows(t: &mut Table) {
    let bed = Bed::get();
    let repo = &bed.repository;
    let c_key = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEy/Ro8JCpH4nm4CB0SveHgcwX0DGS\nochezvg4haBM9o8fyvGnq5+juZ2ppQvdIDQfksbKI6toxCPbQMMac2jxvg==\n-----END PUBLIC KEY-----\n";
    let validator = format!(
        "  - name: cosign\n    type: cosign\n    trustRoots:\n    - {{name: alice, key: {}}}\n    - {{name: bob, key: {}}}\n",
        q(&bed.key_a),
        q(&bed.key_b)
    );
    let config = |with: &str| {
        format!(
            "validators:\n{validator}policy:\n  - pattern: \"{repo}:*\"\n    validator: cosign\n    with: {with}\n"
        )
    };
    let mut row = |name: &str, text: String, image: &Image, expect: Expect| {
        t.policy(
            CN,
            &format!("Connaisseur {name}"),
            &text,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Admit, Deny};
    row(
        "TestValidateImage 1 working case (alice, no tlog)",
        config("{trustRoot: alice, verifyInTransparencyLog: false}"),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "TestValidateImage 2 unknown trustRoot",
        config("{trustRoot: charlie, verifyInTransparencyLog: false}"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "TestValidateImage 3 unmet threshold (every root, unsigned)",
        config("{trustRoot: '*', verifyInTransparencyLog: false}"),
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "TestValidateImage 5 multi signature threshold 2",
        config("{trustRoot: '*', threshold: 2, verifyInTransparencyLog: false}"),
        bed.peer(SIGNED_BY_BOTH),
        Admit,
    );
    row(
        "TestValidateImage 6 multi signature threshold 3 not reached",
        config("{trustRoot: '*', threshold: 3, verifyInTransparencyLog: false}"),
        bed.peer(SIGNED_BY_BOTH),
        Deny,
    );
    row(
        "TestValidateImage 7 missing required signature (bob)",
        config("{trustRoot: '*', required: [bob], verifyInTransparencyLog: false}"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "TestValidateImage 8 missing required signature (bob, alice)",
        config("{trustRoot: '*', required: [bob, alice], verifyInTransparencyLog: false}"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "TestValidateImage 9 no signature present",
        config("{trustRoot: alice, verifyInTransparencyLog: false}"),
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "TestValidateImage 10 missing tlog entry (commented out upstream)",
        config("{trustRoot: alice}"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "every root, each signing",
        config("{trustRoot: '*', verifyInTransparencyLog: false}"),
        bed.peer(SIGNED_BY_BOTH),
        Admit,
    );
    row(
        "every root, one signing",
        config("{trustRoot: '*', verifyInTransparencyLog: false}"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "required roots all signing",
        config("{trustRoot: '*', required: [alice, bob], verifyInTransparencyLog: false}"),
        bed.peer(SIGNED_BY_BOTH),
        Admit,
    );
    let with_c = config("{trustRoot: default, verifyInTransparencyLog: false}").replace(
        "    - {name: alice,",
        &format!(
            "    - {{name: default, key: {}}}\n    - {{name: alice,",
            q(c_key)
        ),
    );
    row(
        "the default trust root, not signing",
        with_c,
        bed.peer(SIGNED),
        Deny,
    );
    // TestValidateImageKeyless: the scenario's CI signature, and another identity.
    let keyless = |subject: &str| {
        format!(
            "validators:\n  - name: cosign\n    type: cosign\n    trustRoots:\n    - {{name: ci, keyless: {{issuer: {}, subjectRegex: {}}}}}\npolicy:\n  - pattern: \"{}:*\"\n    validator: cosign\n    with: {{trustRoot: ci}}\n",
            sigscope_core::fixture::GITHUB_ISSUER,
            q(subject),
            bed.scenario.repository
        )
    };
    row(
        "TestValidateImageKeyless 1 working case",
        keyless(crate::support::scenario::CI_IDENTITY_REGEXP),
        bed.scenario("v1.0.0"),
        Admit,
    );
    row(
        "TestValidateImageKeyless 2 wrong subject",
        keyless("^bob@example\\.com$"),
        bed.scenario("v1.0.0"),
        Deny,
    );
    // Rule selection on the registry (config.go MatchingRule).
    let select = format!(
        "validators:\n  - {{name: deny, type: static, approve: false}}\n{validator}policy:\n  - {{pattern: \"*:*\", validator: deny}}\n  - pattern: \"{repo}:*\"\n    validator: cosign\n    with: {{trustRoot: alice, verifyInTransparencyLog: false}}\n"
    );
    row(
        "config.go MatchingRule the repository's rule over *:*",
        select.clone(),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "config.go MatchingRule the repository's rule, unsigned",
        select,
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "config.go MatchingRule no matching rule",
        format!(
            "validators:\n{validator}policy:\n  - pattern: \"registry.example/never/*\"\n    validator: cosign\n"
        ),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "features detectionMode: a denial only warns",
        "application:\n  features: {detectionMode: true}\n  validators:\n  - {name: deny, type: static, approve: false}\n  policy:\n  - {pattern: \"*:*\", validator: deny}\n".to_owned(),
        bed.peer(SIGNED),
        Admit,
    );
}
