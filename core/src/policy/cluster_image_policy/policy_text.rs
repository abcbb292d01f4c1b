//! A `policy:` block (of the spec or of an authority): CUE or Rego text, inline, remote or from a
//! ConfigMap, validated as policy-controller validates it.

use serde_json::{Map, Value};

use super::controller::{STRICT, refused};
use crate::policy::document::{PolicyError, child, string};
use crate::policy::model::PolicyText;

/// A CUE or Rego policy (`Policy.Validate`): its text is kept to be shown; it is not run.
/// `in_spec`: the policy at `spec.policy`, where the `include*` and `fetchConfigFile` switches
/// are allowed.
pub(super) fn policy_text(
    p: &Map<String, Value>,
    at: &str,
    in_spec: bool,
) -> Result<PolicyText, PolicyError> {
    const SWITCHES: &[&str] = &[
        "fetchConfigFile",
        "includeSpec",
        "includeObjectMeta",
        "includeTypeMeta",
    ];
    STRICT.known_fields(
        p,
        at,
        &[
            "type",
            "data",
            "remote",
            "configMapRef",
            "fetchConfigFile",
            "includeSpec",
            "includeObjectMeta",
            "includeTypeMeta",
        ],
    )?;
    let language = string(p, "type", at)?.unwrap_or_default();
    if language != "cue" && language != "rego" {
        return Err(refused(
            &format!("{at}.type"),
            format!("invalid value: {language}: only [cue,rego] are supported at the moment"),
        ));
    }
    let data = string(p, "data", at)?.unwrap_or_default();
    let sources = usize::from(!data.is_empty())
        + usize::from(p.get("remote").is_some_and(|v| !v.is_null()))
        + usize::from(p.get("configMapRef").is_some_and(|v| !v.is_null()));
    match sources {
        0 => return Err(refused(at, "missing field(s): data, configMapRef, remote")),
        1 => {}
        _ => {
            return Err(refused(
                at,
                "expected exactly one, got both: data, configMapRef, remote",
            ));
        }
    }
    if let Some(remote) = child(p, "remote", at)? {
        let rp = format!("{at}.remote");
        STRICT.known_fields(remote, &rp, &["url", "sha256sum"])?;
        let url = string(remote, "url", &rp)?.unwrap_or_default();
        let https = url
            .strip_prefix("https://")
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if !https {
            return Err(refused(
                &format!("{rp}.url"),
                "url valid is invalid. host and https scheme are expected",
            ));
        }
        if string(remote, "sha256sum", &rp)?
            .unwrap_or_default()
            .is_empty()
        {
            return Err(refused(&rp, "missing field(s): sha256sum"));
        }
    }
    if let Some(cm) = child(p, "configMapRef", at)? {
        let cp = format!("{at}.configMapRef");
        STRICT.known_fields(cm, &cp, &["name", "namespace", "key"])?;
        for k in ["name", "key"] {
            if string(cm, k, &cp)?.unwrap_or_default().is_empty() {
                return Err(refused(&cp, format!("missing field(s): {k}")));
            }
        }
    }
    if !in_spec && let Some(s) = SWITCHES.iter().find(|s| p.contains_key(**s)) {
        return Err(refused(&format!("{at}.{s}"), "must not set the field(s)"));
    }
    Ok(PolicyText {
        path: at.to_owned(),
        text: if data.is_empty() {
            "(policy text fetched by the cluster from a ConfigMap or URL)".into()
        } else {
            data
        },
        language,
    })
}
