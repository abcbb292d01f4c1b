//! Trust policy validation and statement selection, after notation-go's `verifier/trustpolicy`
//! table tests (in our words).

use rstest::rstest;
use serde_json::{Value, json};

use super::*;

fn statement(name: &str, scopes: &[&str]) -> Value {
    json!({
        "name": name,
        "registryScopes": scopes,
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:acme"],
        "trustedIdentities": ["x509.subject: C=US, ST=WA, O=acme"],
    })
}

fn doc(statements: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"version": "1.0", "trustPolicies": statements})).unwrap()
}

fn with(mut s: Value, key: &str, value: Value) -> Value {
    if let Some((outer, inner)) = key.split_once('.') {
        s[outer][inner] = value;
    } else {
        s[key] = value;
    }
    s
}

#[test]
fn a_valid_document_selects_exact_scopes_before_the_global_one() {
    let bytes = doc(vec![
        statement("global", &["*"]),
        statement("app", &["registry.acme.io/app", "localhost:5000/app"]),
    ]);
    let d = TrustPolicyDocument::from_json("t", &bytes).unwrap();
    assert_eq!(d.statement_for("registry.acme.io/app").unwrap().name, "app");
    assert_eq!(
        d.statement_for("registry.acme.io/other").unwrap().name,
        "global"
    );
    let only =
        TrustPolicyDocument::from_json("t", &doc(vec![statement("app", &["r.io/app"])])).unwrap();
    let err = only.statement_for("r.io/other").unwrap_err().to_string();
    assert!(
        err.contains("no applicable trust policy for r.io/other"),
        "{err}"
    );
    assert!(err.contains("r.io/app (app)"), "{err}");
}

#[rstest]
#[case::notation_go_empty_version(json!({"trustPolicies": [statement("a", &["*"])]}), "no version")]
#[case::notation_go_unsupported_version(json!({"version": "2.0", "trustPolicies": [statement("a", &["*"])]}), "unsupported version")]
#[case::notation_go_zero_statements(json!({"version": "1.0", "trustPolicies": []}), "no trust policy statements")]
#[case::notation_go_duplicate_names(json!({"version": "1.0", "trustPolicies": [statement("a", &["r.io/x"]), statement("a", &["r.io/y"])]}), "two statements")]
#[case::notation_go_missing_name(json!({"version": "1.0", "trustPolicies": [statement("", &["*"])]}), "no name")]
#[case::notation_go_bad_level(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "signatureVerification.level", json!("paranoid"))]}), "unknown verification level")]
#[case::notation_go_override_integrity(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "signatureVerification.override", json!({"integrity": "log"}))]}), "integrity cannot be overridden")]
#[case::notation_go_skip_expiry(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "signatureVerification.override", json!({"expiry": "skip"}))]}), "expiry cannot be skipped")]
#[case::notation_go_bad_verify_timestamp(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "signatureVerification.verifyTimestamp", json!("never"))]}), "verifyTimestamp")]
#[case::notation_go_skip_with_stores(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["r.io/x"]), "signatureVerification.level", json!("skip"))]}), "skips verification but names")]
#[case::notation_go_no_identities(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "trustedIdentities", json!([]))]}), "needs both")]
#[case::notation_go_bad_store_type(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "trustStores", json!(["cert:acme"]))]}), "is not ca, signingAuthority or tsa")]
#[case::notation_go_bad_store_name(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "trustStores", json!(["ca:a/b"]))]}), "must match")]
#[case::notation_go_wildcard_identity_with_others(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "trustedIdentities", json!(["*", "x509.subject: C=US, ST=WA, O=x"]))]}), "cannot be listed with others")]
#[case::notation_go_overlapping_identities(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "trustedIdentities", json!(["x509.subject: C=US, ST=WA, O=x", "x509.subject: C=US, ST=WA, O=x, OU=y"]))]}), "overlaps")]
#[case::notation_go_identity_without_state(json!({"version": "1.0", "trustPolicies": [with(statement("a", &["*"]), "trustedIdentities", json!(["x509.subject: C=US, O=x"]))]}), "has no ST")]
#[case::notation_go_wildcard_scope_with_others(json!({"version": "1.0", "trustPolicies": [statement("a", &["*", "r.io/x"])]}), "cannot be listed with others")]
#[case::notation_go_scope_twice(json!({"version": "1.0", "trustPolicies": [statement("a", &["r.io/x"]), statement("b", &["r.io/x"])]}), "more than one statement")]
#[case::notation_go_scope_with_tag(json!({"version": "1.0", "trustPolicies": [statement("a", &["r.io/x:v1"])]}), "not a fully qualified")]
#[case::notation_go_scope_without_domain(json!({"version": "1.0", "trustPolicies": [statement("a", &["app"])]}), "not a fully qualified")]
#[case::notation_go_scope_partial_wildcard(json!({"version": "1.0", "trustPolicies": [statement("a", &["r.io/*"])]}), "not a fully qualified")]
fn invalid_documents_are_refused_with_the_reason(#[case] document: Value, #[case] reason: &str) {
    let err = TrustPolicyDocument::from_json("t", &serde_json::to_vec(&document).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains(reason), "{err}");
}

#[test]
fn levels_and_overrides_give_each_validation_its_action() {
    use Action::{Enforce as E, Log as L, Skip as S};
    let level_of = |verification: Value| {
        let s = with(
            statement("a", &["*"]),
            "signatureVerification",
            verification,
        );
        TrustPolicyDocument::from_json("t", &doc(vec![s]))
            .unwrap()
            .statements[0]
            .level
            .clone()
    };
    let actions = |l: &VerificationLevel| Validation::ALL.map(|v| l.action(v));
    assert_eq!(
        actions(&level_of(json!({"level": "strict"}))),
        [E, E, E, E, E]
    );
    assert_eq!(
        actions(&level_of(json!({"level": "permissive"}))),
        [E, E, L, L, L]
    );
    assert_eq!(
        actions(&level_of(json!({"level": "audit"}))),
        [E, L, L, L, L]
    );
    let custom =
        level_of(json!({"level": "strict", "override": {"expiry": "log", "revocation": "skip"}}));
    assert_eq!(custom.name, "custom");
    assert_eq!(actions(&custom), [E, E, E, L, S]);
    let skip = with(
        statement("a", &["r.io/x"]),
        "signatureVerification.level",
        json!("skip"),
    );
    let skip = with(
        with(skip, "trustStores", json!([])),
        "trustedIdentities",
        json!([]),
    );
    let d = TrustPolicyDocument::from_json("t", &doc(vec![skip])).unwrap();
    assert!(d.statements[0].level.is_skip());
}
