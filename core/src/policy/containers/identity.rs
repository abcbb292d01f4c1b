//! containers/image's `signedIdentity` (`signature/policy_reference_match.go`): what the signed
//! payload's `docker-reference` must name, compared as distribution/reference normalises
//! references (`busybox` is `docker.io/library/busybox`; a tag and a digest may both be given).

use serde::Serialize;
use serde_json::{Map, Value};

use super::{CONTROLLER, STRICT};
use crate::policy::document::{PolicyError, string};
use crate::policy::glob::ImageName;
use crate::target::parse_image_reference;

/// A parsed docker reference: `registry/path`, and its tag and digest when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerReference {
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl DockerReference {
    /// `reference.ParseNormalizedNamed`.
    pub fn parse(s: &str) -> Option<DockerReference> {
        let (repository, tag, digest) = parse_image_reference(s).ok()?;
        Some(DockerReference {
            name: repository.to_string(),
            tag,
            digest: digest.map(|d| d.to_string()),
        })
    }

    /// The image as containers/image names it (the reference it was pulled by).
    pub fn of_image(image: &ImageName) -> DockerReference {
        DockerReference {
            name: image.repository_qualified(),
            tag: image.tag.clone(),
            digest: if image.tag.is_some() {
                None
            } else {
                image.digest.as_ref().map(|d| d.to_string())
            },
        }
    }

    pub fn is_name_only(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    /// `String()`: the name with its tag and digest.
    pub fn full(&self) -> String {
        let mut s = self.name.clone();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

/// What the signed payload's `docker-reference` must name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SignedIdentity {
    /// The default: the same repository when the image is pulled by digest alone, else the
    /// exact reference.
    MatchRepoDigestOrExact,
    MatchRepository,
    MatchExact,
    ExactReference {
        reference: String,
    },
    ExactRepository {
        repository: String,
    },
    /// `matchRepoDigestOrExact` after rewriting the image's `prefix` to `signedPrefix`.
    RemapIdentity {
        prefix: String,
        signed_prefix: String,
    },
}

/// `matchRepoDigestOrExactReferenceValues`.
fn repo_digest_or_exact(intended: &DockerReference, signature: &DockerReference) -> bool {
    if signature.is_name_only() {
        return false;
    }
    match (&intended.tag, &intended.digest) {
        (Some(_), _) => signature.full() == intended.full(),
        (None, Some(_)) => signature.name == intended.name,
        (None, None) => false,
    }
}

/// `validateIdentityRemappingPrefix`: a domain (`example.com:80`), or a name that starts
/// with a domain (`example.com/ns/repo`), checked by syntax alone as distribution's regexps do.
fn valid_prefix(prefix: &str) -> bool {
    const LABEL: &str = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    const COMPONENT: &str = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    let domain = format!(r"(?:{LABEL}(?:\.{LABEL})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?");
    let is = |pattern: String| regex::Regex::new(&pattern).is_ok_and(|r| r.is_match(prefix));
    is(format!("^{domain}$"))
        || (is(format!("^(?:{domain}/)?{COMPONENT}(?:/{COMPONENT})*$"))
            && is(format!("^{domain}/")))
}

impl SignedIdentity {
    /// Reads a `signedIdentity` (`newPolicyReferenceMatchFromJSON`): each type takes exactly its
    /// fields, and the references must parse.
    pub fn read(si: &Map<String, Value>, at: &str) -> Result<SignedIdentity, PolicyError> {
        let refused = |rule: String| PolicyError::refused(at, CONTROLLER, rule);
        let kind = si.get("type").and_then(Value::as_str).unwrap_or_default();
        let fields: &[&str] = match kind {
            "matchExact" | "matchRepoDigestOrExact" | "matchRepository" => &["type"],
            "exactReference" => &["type", "dockerReference"],
            "exactRepository" => &["type", "dockerRepository"],
            "remapIdentity" => &["type", "prefix", "signedPrefix"],
            other => {
                return Err(refused(format!(
                    "Unknown policy reference match type {other:?}"
                )));
            }
        };
        STRICT.known_fields(si, at, fields)?;
        if let Some(missing) = fields.iter().find(|f| !si.contains_key(**f)) {
            return Err(refused(format!("Key {missing:?} missing in a JSON object")));
        }
        let field = |name: &str| string(si, name, at).map(Option::unwrap_or_default);
        Ok(match kind {
            "matchExact" => SignedIdentity::MatchExact,
            "matchRepoDigestOrExact" => SignedIdentity::MatchRepoDigestOrExact,
            "matchRepository" => SignedIdentity::MatchRepository,
            "exactReference" => {
                let reference = field("dockerReference")?;
                match DockerReference::parse(&reference) {
                    None => {
                        return Err(refused(format!(
                            "Invalid format of dockerReference {reference:?}"
                        )));
                    }
                    Some(r) if r.is_name_only() => {
                        return Err(refused(format!(
                            "dockerReference {reference:?} contains neither a tag nor digest"
                        )));
                    }
                    Some(_) => SignedIdentity::ExactReference { reference },
                }
            }
            "exactRepository" => {
                let repository = field("dockerRepository")?;
                if DockerReference::parse(&repository).is_none() {
                    return Err(refused(format!(
                        "Invalid format of dockerRepository {repository:?}"
                    )));
                }
                SignedIdentity::ExactRepository { repository }
            }
            _ => {
                let (prefix, signed_prefix) = (field("prefix")?, field("signedPrefix")?);
                for p in [&prefix, &signed_prefix] {
                    if !valid_prefix(p) {
                        return Err(refused(format!("prefix {p:?} is not valid")));
                    }
                }
                SignedIdentity::RemapIdentity {
                    prefix,
                    signed_prefix,
                }
            }
        })
    }

    /// Whether a signature naming `signed` is accepted for an image pulled as `intended`
    /// (`matchesDockerReference`); an unparseable reference matches nothing.
    pub fn matches(&self, intended: &DockerReference, signed: &str) -> bool {
        let Some(signature) = DockerReference::parse(signed) else {
            return false;
        };
        match self {
            SignedIdentity::MatchExact => {
                !intended.is_name_only()
                    && !signature.is_name_only()
                    && signature.full() == intended.full()
            }
            SignedIdentity::MatchRepoDigestOrExact => repo_digest_or_exact(intended, &signature),
            SignedIdentity::MatchRepository => signature.name == intended.name,
            SignedIdentity::ExactReference { reference } => DockerReference::parse(reference)
                .is_some_and(|r| {
                    !r.is_name_only() && !signature.is_name_only() && r.full() == signature.full()
                }),
            SignedIdentity::ExactRepository { repository } => {
                DockerReference::parse(repository).is_some_and(|r| r.name == signature.name)
            }
            SignedIdentity::RemapIdentity {
                prefix,
                signed_prefix,
            } => remap(prefix, signed_prefix, intended)
                .is_some_and(|remapped| repo_digest_or_exact(&remapped, &signature)),
        }
    }

    /// Checks the payload's `docker-reference` against the image: `Err((expected, actual))`.
    pub fn check(&self, image: &ImageName, signed: &str) -> Result<String, (String, String)> {
        let intended = DockerReference::of_image(image);
        if self.matches(&intended, signed) {
            return Ok(format!("the payload names {signed}"));
        }
        let expected = match self {
            SignedIdentity::MatchRepository => intended.name.clone(),
            SignedIdentity::MatchExact => intended.full(),
            SignedIdentity::MatchRepoDigestOrExact if intended.tag.is_none() => {
                intended.name.clone()
            }
            SignedIdentity::MatchRepoDigestOrExact => intended.full(),
            SignedIdentity::ExactReference { reference } => reference.clone(),
            SignedIdentity::ExactRepository { repository } => repository.clone(),
            SignedIdentity::RemapIdentity {
                prefix,
                signed_prefix,
            } => {
                format!("{} (remapped {prefix} to {signed_prefix})", intended.full())
            }
        };
        Err((expected, signed.to_owned()))
    }
}

/// `remapReferencePrefix`: `intended` with `prefix` rewritten to `signed_prefix` when its name
/// starts with `prefix` (as a whole component); `None` when the result is not a valid
/// reference (containers/image then matches nothing).
pub fn remap(
    prefix: &str,
    signed_prefix: &str,
    intended: &DockerReference,
) -> Option<DockerReference> {
    let name = &intended.name;
    let applies = name == prefix
        || (name.len() > prefix.len()
            && name.starts_with(prefix)
            && name.as_bytes()[prefix.len()] == b'/');
    if !applies {
        return Some(intended.clone());
    }
    let rewritten = intended.full().replacen(prefix, signed_prefix, 1);
    // reference.ParseNamed: the rewritten string must already be in canonical form.
    let parsed = DockerReference::parse(&rewritten)?;
    (parsed.full() == rewritten).then_some(parsed)
}
