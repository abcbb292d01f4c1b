//! in-toto attestation statements (v1 and v0.1), the payload of DSSE attestations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";

/// An in-toto statement: what the attestation is about and what it claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<Subject>,
    pub predicate_type: String,
    /// The claims; absent in some statements (cosign v3's image signatures carry none).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub predicate: serde_json::Value,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// One subject: a name and its digests by algorithm (`{"sha256": "<hex>"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub digest: BTreeMap<String, String>,
    /// Other subject fields (`annotations`, `uri`, …), kept as they came.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

impl Statement {
    /// A v1 statement about one image digest.
    pub fn about(
        name: &str,
        digest: &crate::reference::Digest,
        predicate_type: &str,
        predicate: serde_json::Value,
    ) -> Statement {
        Statement {
            statement_type: STATEMENT_V1.to_owned(),
            subject: vec![Subject {
                name: name.to_owned(),
                digest: BTreeMap::from([(
                    digest.algorithm().name().to_owned(),
                    digest.hex().to_owned(),
                )]),
                unknown: BTreeMap::new(),
            }],
            predicate_type: predicate_type.to_owned(),
            predicate,
            unknown: BTreeMap::new(),
        }
    }
}
