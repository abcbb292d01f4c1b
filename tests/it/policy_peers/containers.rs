//! containers/image: `signature/policy_config_test.go` and `policy_config_sigstore_test.go`
//! (the invalid inputs their `policyJSONUmarshallerTests` build: missing, wrong and extra
//! fields, duplicates), `policy_eval_test.go` (TestPolicyContextRequirementsForImageRef: which
//! scope applies), and `policy_eval_sigstore_test.go` / `policy_eval_simple_test.go` as
//! evaluations on the loopback registry: keys, Rekor, Fulcio and signedIdentity.

use base64::Engine as _;
use serde_json::{Value, json};

use super::bed::{
    NAMED_ELSEWHERE, NAMED_TAG, SIGNED, SIGNED_BY_BOTH, SIGNED_BY_SOMEONE_ELSE, UNSIGNED,
};
use super::{Bed, Controller, Expect, Image, Table, Where};

const CI: Controller = Controller::Containers;

pub(super) fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A policy.json: reject by default, `requirement` for the peers repository.
fn scoped(scope: &str, requirement: Value) -> String {
    json!({"default": [{"type": "reject"}], "transports": {"docker": {scope: [requirement]}}})
        .to_string()
}

pub fn rows(t: &mut Table) {
    super::containers_config::config_rows(t);
    scope_rows(t);
    evaluation_rows(t);
}

/// TestPolicyContextRequirementsForImageRef on the loopback registry: the most specific scope
/// applies (each scope here accepts or rejects, so the verdict shows which one applied).
fn scope_rows(t: &mut Table) {
    let bed = Bed::get();
    let host = &bed.registry;
    let repo = &bed.repository;
    let signed = bed.peer(SIGNED);
    let mut row = |name: &str, scopes: Value, expect: Expect| {
        let text =
            json!({"default": [{"type": "reject"}], "transports": {"docker": scopes}}).to_string();
        t.policy(
            CI,
            &format!(
                "containers/image policy_eval_test TestPolicyContextRequirementsForImageRef {name}"
            ),
            &text,
            signed,
            expect,
            Where::Registry,
        );
    };
    let accept = json!([{"type": "insecureAcceptAnything"}]);
    let reject = json!([{"type": "reject"}]);
    use Expect::{Admit, Deny};
    row(
        "full match wins",
        json!({format!("{repo}:{SIGNED}"): accept, repo.clone(): reject}),
        Admit,
    );
    row(
        "repository over namespace",
        json!({repo.clone(): accept, format!("{host}/peers"): reject}),
        Admit,
    );
    row(
        "namespace over host",
        json!({format!("{host}/peers"): accept, host.clone(): reject}),
        Admit,
    );
    row(
        "host over wildcard",
        json!({host.clone(): accept, "*.0.1": reject}),
        Admit,
    );
    row(
        "sub-domain wildcard of the host without its port",
        json!({"*.0.0.1": accept}),
        Admit,
    );
    row(
        "more specific wildcard wins",
        json!({"*.0.0.1": accept, "*.1": reject}),
        Admit,
    );
    row(
        "the host without its port is not a scope",
        json!({"127.0.0.1": accept}),
        Deny,
    );
    row(
        "another tag's scope does not apply",
        json!({format!("{repo}:other"): accept}),
        Deny,
    );
    row(
        "transport default",
        json!({"": accept, "unmatched.example": reject}),
        Admit,
    );
    row(
        "default when nothing matches",
        json!({"unmatched.example": accept}),
        Deny,
    );
}

/// policy_eval_sigstore_test / policy_eval_simple_test, on the bed's signatures.
fn evaluation_rows(t: &mut Table) {
    let bed = Bed::get();
    let repo = &bed.repository;
    let (a, b) = (b64(&bed.key_a), b64(&bed.key_b));
    let key_req = |identity: Value| json!({"type": "sigstoreSigned", "keyData": a, "signedIdentity": identity});
    let mut row = |name: &str, text: String, image: &Image, expect: Expect| {
        t.policy(
            CI,
            &format!("containers/image {name}"),
            &text,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Admit, Deny};
    let repository = json!({"type": "matchRepository"});
    row(
        "policy_eval_simple_test insecureAcceptAnything",
        json!({"default": [{"type": "insecureAcceptAnything"}]}).to_string(),
        bed.peer(UNSIGNED),
        Admit,
    );
    row(
        "policy_eval_simple_test reject",
        json!({"default": [{"type": "reject"}]}).to_string(),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test key, matchRepository",
        scoped(repo, key_req(repository.clone())),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "policy_eval_sigstore_test key, unsigned image",
        scoped(repo, key_req(repository.clone())),
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test key, another key's signature",
        scoped(repo, key_req(repository.clone())),
        bed.peer(SIGNED_BY_SOMEONE_ELSE),
        Deny,
    );
    row(
        "policy_eval_sigstore_test key, one of two signatures by the key",
        scoped(repo, key_req(repository.clone())),
        bed.peer(SIGNED_BY_BOTH),
        Admit,
    );
    row(
        "policy_eval_sigstore_test keyDatas, any key",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyDatas": [b, a], "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "policy_eval_sigstore_test key with a Rekor key, no SET in the signature",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyData": a, "rekorPublicKeyData": b64(&std::fs::read_to_string(&bed.scenario.trust.rekor_key).unwrap()), "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test keyPath that does not exist",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyPath": "/nonexistent/key.pub", "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test keyData that is not a key",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyData": b64("not a key"), "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    // signedIdentity on payloads naming the repository (cosign's default), a tag, elsewhere.
    let named_tag = format!("{repo}:{NAMED_TAG}");
    row(
        "signedIdentity default on a repository-only payload (refused: name only)",
        scoped(repo, json!({"type": "sigstoreSigned", "keyData": a})),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "signedIdentity default on a payload naming the tag",
        scoped(repo, json!({"type": "sigstoreSigned", "keyData": a})),
        bed.peer(NAMED_TAG),
        Admit,
    );
    row(
        "signedIdentity matchExact on a payload naming the tag",
        scoped(repo, key_req(json!({"type": "matchExact"}))),
        bed.peer(NAMED_TAG),
        Admit,
    );
    row(
        "signedIdentity matchExact on a repository-only payload",
        scoped(repo, key_req(json!({"type": "matchExact"}))),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "signedIdentity exactReference naming the tag",
        scoped(
            repo,
            key_req(json!({"type": "exactReference", "dockerReference": named_tag})),
        ),
        bed.peer(NAMED_TAG),
        Admit,
    );
    row(
        "signedIdentity exactReference naming another tag",
        scoped(
            repo,
            key_req(json!({"type": "exactReference", "dockerReference": format!("{repo}:other")})),
        ),
        bed.peer(NAMED_TAG),
        Deny,
    );
    row(
        "signedIdentity exactRepository",
        scoped(
            repo,
            key_req(json!({"type": "exactRepository", "dockerRepository": repo})),
        ),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "signedIdentity exactRepository naming another repository",
        scoped(
            repo,
            key_req(
                json!({"type": "exactRepository", "dockerRepository": format!("{}/peers/other", bed.registry)}),
            ),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    let remap =
        json!({"type": "remapIdentity", "prefix": bed.registry, "signedPrefix": "vendor.example"});
    row(
        "signedIdentity remapIdentity to where the payload names",
        scoped(repo, key_req(remap.clone())),
        bed.peer(NAMED_ELSEWHERE),
        Admit,
    );
    row(
        "signedIdentity remapIdentity, payload naming the mirror itself",
        scoped(repo, key_req(remap)),
        bed.peer(NAMED_TAG),
        Deny,
    );
    row(
        "signedIdentity matchRepository, payload naming another registry",
        scoped(repo, key_req(json!({"type": "matchRepository"}))),
        bed.peer(NAMED_ELSEWHERE),
        Deny,
    );
    // Fulcio: the scenario's person (email identity) with the scenario's Fulcio and Rekor.
    let trust = &bed.scenario.trust;
    let fulcio = |email: &str| {
        scoped(
            &bed.scenario.repository,
            json!({
                "type": "sigstoreSigned",
                "fulcio": {"caPath": trust.roots, "oidcIssuer": crate::support::scenario::HUMAN_ISSUER, "subjectEmail": email},
                "rekorPublicKeyPath": trust.rekor_key,
                "signedIdentity": {"type": "matchRepository"},
            }),
        )
    };
    row(
        "policy_eval_sigstore_test fulcio, the person's signature",
        fulcio(crate::support::scenario::HUMAN_EMAIL),
        bed.scenario("v1.6.0"),
        Admit,
    );
    row(
        "policy_eval_sigstore_test fulcio, another email",
        fulcio("mallory@acme.example"),
        bed.scenario("v1.6.0"),
        Deny,
    );
    row(
        "policy_eval_sigstore_test fulcio, a CI (URI) identity",
        fulcio(crate::support::scenario::HUMAN_EMAIL),
        bed.scenario("v1.0.0"),
        Deny,
    );
    row(
        "policy_eval_sigstore_test fulcio, an untrusted CA",
        fulcio(crate::support::scenario::HUMAN_EMAIL),
        bed.scenario("v1.7.0"),
        Deny,
    );
    t.policy(
        CI,
        "containers/image policy_eval_sigstore_test pki",
        &scoped(repo, json!({"type": "sigstoreSigned", "pki": {"caRootsPath": "/roots.pem", "subjectEmail": "e"}})),
        bed.peer(SIGNED),
        Expect::Deny,
        Where::NotExpressible("pki roots are not evaluated by sigscope"),
    );
}
