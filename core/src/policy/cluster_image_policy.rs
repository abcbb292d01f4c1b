//! Sigstore policy-controller `ClusterImagePolicy` (`policy.sigstore.dev/v1alpha1` and
//! `v1beta1`, which share these fields). Semantics, from the policy-controller's API types,
//! validation (`pkg/apis/policy/v1beta1/clusterimagepolicy_validation.go`) and webhook
//! (`pkg/webhook/validator.go`): a policy the controller's validation refuses is refused; an
//! image is subject to every policy whose `images[].glob` matches its resolved `repo@digest`,
//! and must satisfy each; within a policy ANY authority may admit it (an authority with several
//! identities admits a signature by any of them); an authority with `attestations` verifies
//! those (all of them, signed by the authority's signer) instead of the image signature;
//! `mode: warn` turns a denial into a warning; a key authority without `ctlog`, or any
//! authority whose `ctlog` names neither `url` nor `trustRootRef`, skips the transparency log.

mod authority;
mod key;

use serde_json::{Map, Value};

use super::document::{NoteKind, Notes, PolicyError, Strictness, child, list, object, string};
use super::glob::ImageGlob;
use super::model::{Applicability, Engine, Group, ImageMatch, PolicyText, Rule};

pub const API_GROUP: &str = "policy.sigstore.dev/";
pub const KIND: &str = "ClusterImagePolicy";
const CONTROLLER: &str = "policy-controller";
const STRICT: Strictness = Strictness::Kubernetes(CONTROLLER);

/// The refusal `rule` of policy-controller's validation at `path`.
fn refused(path: &str, rule: impl Into<String>) -> PolicyError {
    PolicyError::refused(path, CONTROLLER, rule)
}

/// Reads one `ClusterImagePolicy` document into one rule.
pub fn read(doc: &Map<String, Value>, notes: &mut Notes) -> Result<Rule, PolicyError> {
    let (at, spec) = super::document::resource_spec(doc, KIND, STRICT)?;
    let sp = format!("{at}.spec");
    STRICT.known_fields(
        spec,
        &sp,
        &["images", "authorities", "policy", "mode", "match"],
    )?;
    let images = list(spec, "images", &sp)?;
    if images.is_empty() {
        return Err(refused(
            &format!("{sp}.images"),
            "missing field(s): spec.images",
        ));
    }
    let mut globs = Vec::new();
    for (i, image) in images.iter().enumerate() {
        let ip = format!("{sp}.images[{i}]");
        let image = object(image, &ip)?;
        STRICT.known_fields(image, &ip, &["glob"])?;
        let glob = string(image, "glob", &ip)?.unwrap_or_default();
        globs.push(compile_glob(&glob, &format!("{ip}.glob"))?);
    }
    let enforce = match string(spec, "mode", &sp)?.as_deref() {
        None | Some("") | Some("enforce") => true,
        Some("warn") => false,
        Some(other) => {
            return Err(refused(
                &format!("{sp}.mode"),
                format!("invalid value: {other}: unsupported mode (enforce or warn)"),
            ));
        }
    };
    let authorities = list(spec, "authorities", &sp)?;
    if authorities.is_empty() {
        return Err(refused(
            &format!("{sp}.authorities"),
            "missing field(s): spec.authorities (fail-on-empty-authorities, the default)",
        ));
    }
    let mut group = Vec::new();
    for (i, a) in authorities.iter().enumerate() {
        group.extend(authority::read(
            i,
            a,
            &format!("{sp}.authorities[{i}]"),
            notes,
        )?);
    }
    let applies = match spec.get("match") {
        None | Some(Value::Null) => Applicability::Always,
        Some(_) => match_applicability(list(spec, "match", &sp)?, &format!("{sp}.match"), notes)?,
    };
    let mut unexecuted = Vec::new();
    if let Some(policy) = child(spec, "policy", &sp)? {
        unexecuted.push(policy_text(policy, &format!("{sp}.policy"), true)?);
    }
    Ok(Rule {
        enforce,
        unexecuted,
        applies,
        ..Rule::new(
            Engine::PolicyController,
            at,
            ImageMatch::Globs(globs),
            vec![Group::new("authorities (any one)", 1, group)],
        )
    })
}

/// `ImagePattern.Validate`: a glob is required, must compile as a path glob
/// (`filepath.Match`) and as policy-controller's glob.
fn compile_glob(glob: &str, at: &str) -> Result<ImageGlob, PolicyError> {
    if glob.is_empty() {
        return Err(refused(at, "missing field(s): glob"));
    }
    if let Err(why) = path_glob_syntax(glob) {
        return Err(refused(
            at,
            format!("invalid value: {glob}: glob is invalid: {why}"),
        ));
    }
    ImageGlob::compile(glob)
        .map_err(|e| refused(at, format!("invalid value: {glob}: glob is invalid: {e}")))
}

/// Go's `filepath.Match` syntax check: character classes must close, escapes must escape.
fn path_glob_syntax(glob: &str) -> Result<(), String> {
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next().is_none() => return Err("syntax error in pattern".into()),
            '[' => {
                let mut closed = false;
                let mut first = true;
                for d in chars.by_ref() {
                    if d == ']' && !first {
                        closed = true;
                        break;
                    }
                    first = d == '^' && first;
                }
                if !closed {
                    return Err("syntax error in pattern".into());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The resources policy-controller's webhook validates (`cmd/webhook/main.go`).
const RESOURCES: &[&str] = &[
    "replicasets",
    "deployments",
    "pods",
    "cronjobs",
    "jobs",
    "statefulsets",
    "daemonsets",
];

/// `spec.match`: validated as `MatchResource.Validate`; the policy applies to a pod when an
/// entry names core `v1` (or `*`) `pods` without a label selector. Anything else makes its
/// applicability to a given image unknown.
fn match_applicability(
    entries: &[Value],
    at: &str,
    notes: &mut Notes,
) -> Result<Applicability, PolicyError> {
    let mut pods = false;
    for (i, entry) in entries.iter().enumerate() {
        let mp = format!("{at}[{i}]");
        let m = object(entry, &mp)?;
        STRICT.known_fields(m, &mp, &["group", "version", "resource", "selector"])?;
        let field = |k: &str| string(m, k, &mp).map(Option::unwrap_or_default);
        let (group, version, resource) = (field("group")?, field("version")?, field("resource")?);
        if !resource.is_empty() && !RESOURCES.contains(&resource.as_str()) {
            return Err(refused(
                &format!("{mp}.resource"),
                format!("invalid value: {resource}: unsupported resource name"),
            ));
        }
        let selector = m.get("selector").is_some_and(|v| !v.is_null());
        if selector && group.is_empty() && version.is_empty() && resource.is_empty() {
            return Err(refused(
                &format!("{mp}.selector"),
                "selector requires a resource type to match the labels",
            ));
        }
        pods |= resource == "pods"
            && group.is_empty()
            && (version == "v1" || version == "*")
            && !selector;
    }
    if pods {
        return Ok(Applicability::Always);
    }
    let why = format!("{at} selects resources by kind and labels, which an image does not carry");
    notes.add(at, NoteKind::Unsupported, why.clone());
    Ok(Applicability::Uncertain(why))
}

/// A CUE or Rego policy (`Policy.Validate`): its text is kept to be shown; it is not run.
/// `in_spec`: the policy at `spec.policy`, where the `include*` and `fetchConfigFile` switches
/// are allowed.
fn policy_text(p: &Map<String, Value>, at: &str, in_spec: bool) -> Result<PolicyText, PolicyError> {
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
