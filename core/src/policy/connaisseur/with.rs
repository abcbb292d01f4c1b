//! A Connaisseur rule's `with` options, read as Connaisseur reads them.

use serde_json::{Map, Value};

use super::controller::{CONTROLLER, STRICT};
use crate::policy::document::{NoteKind, Notes, PolicyError, boolean, list, string};

/// A rule's `with` options.
#[derive(Debug, Clone)]
pub(super) struct With {
    /// `trustRoot`: the validator's trust root to verify with; `*` for all of them.
    pub(super) trust_root: String,
    /// `threshold`: how many trust roots must verify (with `*`).
    pub(super) threshold: usize,
    /// `required`: trust roots that must verify (with `*`).
    pub(super) required: Vec<String>,
    /// `verifyInTransparencyLog` (default true).
    pub(super) verify_tlog: bool,
    /// `verifySCT` (default true).
    pub(super) verify_sct: bool,
}

impl Default for With {
    fn default() -> With {
        With {
            trust_root: String::new(),
            threshold: 0,
            required: Vec::new(),
            verify_tlog: true,
            verify_sct: true,
        }
    }
}

impl With {
    pub(super) fn read(
        w: &Map<String, Value>,
        at: &str,
        notes: &mut Notes,
    ) -> Result<With, PolicyError> {
        STRICT.known_fields(
            w,
            at,
            &[
                "trustRoot",
                "verifyInTransparencyLog",
                "verifySCT",
                "threshold",
                "required",
                "delegations",
                "mode",
                "verificationLevel",
                "verifyTimestamp",
            ],
        )?;
        let threshold = match w.get("threshold") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    PolicyError::refused(
                        &format!("{at}.threshold"),
                        CONTROLLER,
                        format!("Threshold must be 0 or greater, not {v}"),
                    )
                })?,
        };
        let strings = |key: &str| -> Result<Vec<String>, PolicyError> {
            list(w, key, at)?
                .iter()
                .map(|v| match v.as_str() {
                    Some(s) if !s.is_empty() => Ok(s.to_owned()),
                    _ => Err(PolicyError::refused(
                        &format!("{at}.{key}"),
                        CONTROLLER,
                        format!("{key} entries must be non-empty strings"),
                    )),
                })
                .collect()
        };
        let required = strings("required")?;
        if !required.is_empty() && w.contains_key("delegations") {
            return Err(PolicyError::refused(
                at,
                CONTROLLER,
                "Required and Delegations exclude each other",
            ));
        }
        let one_of = |key: &str, allowed: &[&str]| -> Result<(), PolicyError> {
            match string(w, key, at)? {
                Some(v) if !v.is_empty() && !allowed.contains(&v.as_str()) => {
                    Err(PolicyError::refused(
                        &format!("{at}.{key}"),
                        CONTROLLER,
                        format!("{key} must be one of [{}], not {v:?}", allowed.join(" ")),
                    ))
                }
                _ => Ok(()),
            }
        };
        one_of("mode", &["mutate", "insecureValidateOnly"])?;
        one_of("verificationLevel", &["strict", "permissive", "audit"])?;
        one_of("verifyTimestamp", &["always", "afterCertExpiry"])?;
        if w.contains_key("mode") {
            notes.add(
                &format!("{at}.mode"),
                NoteKind::Noted,
                "whether Connaisseur pins the digest does not change the verdict",
            );
        }
        Ok(With {
            trust_root: string(w, "trustRoot", at)?.unwrap_or_default(),
            threshold,
            required,
            verify_tlog: boolean(w, "verifyInTransparencyLog", at)?.unwrap_or(true),
            verify_sct: boolean(w, "verifySCT", at)?.unwrap_or(true),
        })
    }
}
