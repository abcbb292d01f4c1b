//! The OCI trust policy document (`trust-store-trust-policy.md`, "Trust Policy", version 1.0),
//! validated with the rules notation-go applies before it verifies anything
//! (`verifier/trustpolicy`: `Document.Validate`), and its statement selection by registry scope.

use serde::{Deserialize, Serialize};

use super::dn::Dn;
use super::scope;
use super::{NotationTrustError, StoreKind, StoreRef};

/// The policy document.
#[derive(Debug, Clone)]
pub struct TrustPolicyDocument {
    pub statements: Vec<Statement>,
    /// Where it was read from, for reports.
    pub source: String,
}

/// One trust policy statement.
#[derive(Debug, Clone)]
pub struct Statement {
    pub name: String,
    pub registry_scopes: Vec<String>,
    pub level: VerificationLevel,
    pub verify_timestamp: VerifyTimestamp,
    pub trust_stores: Vec<StoreRef>,
    pub trusted_identities: Vec<TrustedIdentity>,
}

/// A trusted identity: `*`, an `x509.subject:` DN, or another kind notation does not match
/// natively (kept, and ignored as notation ignores it).
#[derive(Debug, Clone)]
pub enum TrustedIdentity {
    Any,
    X509Subject { text: String, dn: Dn },
    Other(String),
}

/// What a level does with one validation's failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Enforce,
    Log,
    Skip,
}

/// The five validations of the spec, in the order the spec lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Validation {
    Integrity,
    Authenticity,
    AuthenticTimestamp,
    Expiry,
    Revocation,
}

impl Validation {
    pub const ALL: [Validation; 5] = [
        Validation::Integrity,
        Validation::Authenticity,
        Validation::AuthenticTimestamp,
        Validation::Expiry,
        Validation::Revocation,
    ];

    /// The name the trust policy's `override` map uses.
    pub fn key(self) -> &'static str {
        match self {
            Validation::Integrity => "integrity",
            Validation::Authenticity => "authenticity",
            Validation::AuthenticTimestamp => "authenticTimestamp",
            Validation::Expiry => "expiry",
            Validation::Revocation => "revocation",
        }
    }
}

/// A verification level: its name (`strict`, …, or `custom` with an override) and the action
/// for each validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationLevel {
    pub name: String,
    actions: [Action; 5],
}

impl VerificationLevel {
    /// The table of `trust-store-trust-policy.md`, "Signature Verification details".
    fn preset(name: &str) -> Option<VerificationLevel> {
        use Action::{Enforce as E, Log as L, Skip as S};
        let actions = match name {
            "strict" => [E, E, E, E, E],
            "permissive" => [E, E, L, L, L],
            "audit" => [E, L, L, L, L],
            "skip" => [S, S, S, S, S],
            _ => return None,
        };
        Some(VerificationLevel {
            name: name.to_owned(),
            actions,
        })
    }

    pub fn action(&self, validation: Validation) -> Action {
        self.actions[validation as usize]
    }

    pub fn is_skip(&self) -> bool {
        self.actions.iter().all(|a| *a == Action::Skip)
    }
}

/// `verifyTimestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyTimestamp {
    Always,
    AfterCertExpiry,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDocument {
    #[serde(default)]
    version: String,
    #[serde(default)]
    trust_policies: Vec<RawStatement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatement {
    #[serde(default)]
    name: String,
    #[serde(default)]
    registry_scopes: Vec<String>,
    #[serde(default)]
    signature_verification: RawVerification,
    #[serde(default)]
    trust_stores: Vec<String>,
    #[serde(default)]
    trusted_identities: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawVerification {
    #[serde(default)]
    level: String,
    #[serde(default)]
    r#override: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    verify_timestamp: String,
}

impl TrustPolicyDocument {
    /// Parses and validates a `trustpolicy.json`.
    pub fn from_json(
        source: &str,
        bytes: &[u8],
    ) -> Result<TrustPolicyDocument, NotationTrustError> {
        let bad = |reason: String| NotationTrustError::Policy {
            origin: source.to_owned(),
            reason,
        };
        let raw: RawDocument = crate::artifact::error::parse_json("trust policy", bytes)
            .map_err(|e| bad(e.to_string()))?;
        if raw.version.is_empty() {
            return Err(bad("the document has no version; it must be \"1.0\"".into()));
        }
        if raw.version != "1.0" {
            return Err(bad(format!(
                "unsupported version {:?}: only \"1.0\" is",
                raw.version
            )));
        }
        if raw.trust_policies.is_empty() {
            return Err(bad("the document has no trust policy statements".into()));
        }
        let mut statements: Vec<Statement> = Vec::new();
        for s in raw.trust_policies {
            if statements.iter().any(|t| t.name == s.name) {
                return Err(bad(format!("two statements are named {:?}", s.name)));
            }
            statements.push(statement(s).map_err(bad)?);
        }
        scope::check_scopes(&statements).map_err(bad)?;
        Ok(TrustPolicyDocument {
            statements,
            source: source.to_owned(),
        })
    }

    /// The statement for a repository (`registry/path`): the one whose scopes name it exactly,
    /// else the `*` one (trust-store-trust-policy.md, "Selecting a trust policy").
    pub fn statement_for(&self, scope: &str) -> Result<&Statement, NotationTrustError> {
        let exact = self
            .statements
            .iter()
            .find(|s| s.registry_scopes.iter().any(|r| r == scope));
        let global = || {
            self.statements
                .iter()
                .find(|s| s.registry_scopes.iter().any(|r| r == "*"))
        };
        exact
            .or_else(global)
            .ok_or_else(|| NotationTrustError::NoApplicableStatement {
                scope: scope.to_owned(),
                scopes: self
                    .statements
                    .iter()
                    .flat_map(|s| {
                        s.registry_scopes
                            .iter()
                            .map(|r| format!("{r} ({})", s.name))
                    })
                    .collect(),
            })
    }
}

fn statement(s: RawStatement) -> Result<Statement, String> {
    let name = s.name.clone();
    if name.is_empty() {
        return Err("a statement has no name; every statement needs one".into());
    }
    let level = level(&name, &s.signature_verification)?;
    let verify_timestamp = match s.signature_verification.verify_timestamp.as_str() {
        "" | "always" => VerifyTimestamp::Always,
        "afterCertExpiry" => VerifyTimestamp::AfterCertExpiry,
        other => {
            return Err(format!(
                "statement {name:?}: verifyTimestamp must be \"always\" or \"afterCertExpiry\", not {other:?}"
            ));
        }
    };
    if level.is_skip() {
        if !s.trust_stores.is_empty() || !s.trusted_identities.is_empty() {
            return Err(format!(
                "statement {name:?} skips verification but names trust stores or identities; remove them"
            ));
        }
    } else if s.trust_stores.is_empty() || s.trusted_identities.is_empty() {
        return Err(format!(
            "statement {name:?} needs both trust stores and trusted identities"
        ));
    }
    let trust_stores = s
        .trust_stores
        .iter()
        .map(|t| store_ref(&name, t))
        .collect::<Result<_, _>>()?;
    Ok(Statement {
        trusted_identities: identities(&name, &s.trusted_identities)?,
        name,
        registry_scopes: s.registry_scopes,
        level,
        verify_timestamp,
        trust_stores,
    })
}

/// The level and its `override` (notation-go `GetVerificationLevel`): integrity cannot be
/// overridden, only revocation can be skipped, a `skip` level cannot be customised.
fn level(name: &str, v: &RawVerification) -> Result<VerificationLevel, String> {
    if v.level.is_empty() {
        return Err(format!(
            "statement {name:?} has no signatureVerification level"
        ));
    }
    let mut level = VerificationLevel::preset(&v.level).ok_or_else(|| {
        format!(
            "statement {name:?}: unknown verification level {:?}",
            v.level
        )
    })?;
    if v.r#override.is_empty() {
        return Ok(level);
    }
    if level.is_skip() {
        return Err(format!(
            "statement {name:?}: level \"skip\" cannot be overridden"
        ));
    }
    level.name = "custom".into();
    for (key, value) in &v.r#override {
        let validation = Validation::ALL
            .into_iter()
            .find(|x| x.key() == key)
            .ok_or_else(|| format!("statement {name:?}: unknown validation {key:?} in override"))?;
        let action: Action = serde_json::from_value(serde_json::Value::String(value.clone()))
            .map_err(|_| format!("statement {name:?}: unknown action {value:?} for {key}"))?;
        if validation == Validation::Integrity {
            return Err(format!(
                "statement {name:?}: integrity cannot be overridden"
            ));
        }
        if action == Action::Skip && validation != Validation::Revocation {
            return Err(format!("statement {name:?}: {key} cannot be skipped"));
        }
        level.actions[validation as usize] = action;
    }
    Ok(level)
}

fn store_ref(statement: &str, text: &str) -> Result<StoreRef, String> {
    let (kind, name) = text
        .split_once(':')
        .ok_or_else(|| format!("statement {statement:?}: trust store {text:?} is not TYPE:NAME"))?;
    let kind = StoreKind::parse(kind).ok_or_else(|| {
        format!(
            "statement {statement:?}: trust store type {kind:?} is not ca, signingAuthority or tsa"
        )
    })?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(format!(
            "statement {statement:?}: trust store name {name:?} must match [a-zA-Z0-9_.-]+"
        ));
    }
    Ok(StoreRef {
        kind,
        name: name.to_owned(),
    })
}

fn identities(statement: &str, list: &[String]) -> Result<Vec<TrustedIdentity>, String> {
    if list.len() > 1 && list.iter().any(|i| i == "*") {
        return Err(format!(
            "statement {statement:?}: the identity \"*\" cannot be listed with others"
        ));
    }
    let mut out = Vec::new();
    for identity in list {
        if identity.is_empty() {
            return Err(format!(
                "statement {statement:?} has an empty trusted identity"
            ));
        }
        if identity == "*" {
            out.push(TrustedIdentity::Any);
            continue;
        }
        let (prefix, value) = identity.split_once(':').ok_or_else(|| {
            format!("statement {statement:?}: trusted identity {identity:?} has no \"prefix:\"")
        })?;
        if prefix != "x509.subject" {
            out.push(TrustedIdentity::Other(identity.clone()));
            continue;
        }
        if value.is_empty() {
            return Err(format!(
                "statement {statement:?}: {identity:?} has no value"
            ));
        }
        let dn = Dn::parse(value)
            .map_err(|e| format!("statement {statement:?}: trusted identity {identity:?}: {e}"))?;
        out.push(TrustedIdentity::X509Subject {
            text: identity.clone(),
            dn,
        });
    }
    // Spec: identities must not overlap (one certificate matched by two).
    let subjects: Vec<(&String, &Dn)> = out
        .iter()
        .filter_map(|i| match i {
            TrustedIdentity::X509Subject { text, dn } => Some((text, dn)),
            _ => None,
        })
        .collect();
    for (i, (ta, da)) in subjects.iter().enumerate() {
        for (j, (tb, db)) in subjects.iter().enumerate() {
            if i != j && da.is_subset_of(db) {
                return Err(format!(
                    "statement {statement:?}: {ta:?} overlaps with {tb:?}"
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
