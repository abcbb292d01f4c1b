//! The trust policies of the Notation differential suite.

use serde_json::{Value, json};

/// One trust policy statement.
fn statement(
    name: &str,
    scopes: &[&str],
    verification: Value,
    stores: &[&str],
    ids: &[&str],
) -> Value {
    json!({
        "name": name,
        "registryScopes": scopes,
        "signatureVerification": verification,
        "trustStores": stores,
        "trustedIdentities": ids,
    })
}

fn level(l: &str) -> Value {
    json!({"level": l})
}

const ACME_ID: &str = "x509.subject: C=US, ST=WA, O=acme";
const WABBIT_ID: &str = "x509.subject: C=US, ST=WA, O=wabbit";
const STORES: &[&str] = &["ca:sigscope.test", "ca:acme"];

/// The policies every long-lived signature is verified under.
pub fn policies(scope: &str) -> Vec<(&'static str, Vec<Value>)> {
    vec![
        (
            "strict, any identity",
            vec![statement("all", &["*"], level("strict"), STORES, &["*"])],
        ),
        (
            "strict, acme identity",
            vec![statement(
                "all",
                &["*"],
                level("strict"),
                STORES,
                &[ACME_ID],
            )],
        ),
        (
            "permissive, wrong identity",
            vec![statement(
                "all",
                &["*"],
                level("permissive"),
                STORES,
                &[WABBIT_ID],
            )],
        ),
        (
            "audit, wrong identity",
            vec![statement(
                "all",
                &["*"],
                level("audit"),
                STORES,
                &[WABBIT_ID],
            )],
        ),
        (
            "strict with override authenticity=log, wrong identity",
            vec![statement(
                "all",
                &["*"],
                json!({"level": "strict", "override": {"authenticity": "log", "revocation": "skip"}}),
                STORES,
                &[WABBIT_ID],
            )],
        ),
        (
            "strict, wrong store",
            vec![statement(
                "all",
                &["*"],
                level("strict"),
                &["ca:wabbit"],
                &["*"],
            )],
        ),
        (
            "audit, wrong store",
            vec![statement(
                "all",
                &["*"],
                level("audit"),
                &["ca:wabbit"],
                &["*"],
            )],
        ),
        (
            "strict, missing store",
            vec![statement(
                "all",
                &["*"],
                level("strict"),
                &["ca:nowhere"],
                &["*"],
            )],
        ),
        (
            "skip for this repository, strict elsewhere",
            vec![
                json!({"name": "skip-app", "registryScopes": [scope], "signatureVerification": {"level": "skip"}}),
                statement("all", &["*"], level("strict"), &["ca:wabbit"], &["*"]),
            ],
        ),
        (
            "exact scope before the global one",
            vec![
                statement("app", &[scope], level("strict"), STORES, &["*"]),
                statement("all", &["*"], level("strict"), &["ca:wabbit"], &["*"]),
            ],
        ),
        (
            "no applicable statement",
            vec![statement(
                "other",
                &["registry.example/other"],
                level("strict"),
                STORES,
                &["*"],
            )],
        ),
    ]
}

/// Policies for the short-lived leaves, once they have expired.
pub fn expiry_policies() -> Vec<(&'static str, Vec<Value>)> {
    let with_tsa = &["ca:acme", "tsa:loopback"];
    vec![
        (
            "strict, expired, tsa store",
            vec![statement("all", &["*"], level("strict"), with_tsa, &["*"])],
        ),
        (
            "strict, expired, no tsa store",
            vec![statement(
                "all",
                &["*"],
                level("strict"),
                &["ca:acme"],
                &["*"],
            )],
        ),
        (
            "permissive, expired, no tsa store",
            vec![statement(
                "all",
                &["*"],
                level("permissive"),
                &["ca:acme"],
                &["*"],
            )],
        ),
        (
            "strict afterCertExpiry, expired, tsa store",
            vec![statement(
                "all",
                &["*"],
                json!({"level": "strict", "verifyTimestamp": "afterCertExpiry"}),
                with_tsa,
                &["*"],
            )],
        ),
        (
            "strict with override authenticTimestamp=log, expired",
            vec![statement(
                "all",
                &["*"],
                json!({"level": "strict", "override": {"authenticTimestamp": "log"}}),
                &["ca:acme"],
                &["*"],
            )],
        ),
    ]
}
