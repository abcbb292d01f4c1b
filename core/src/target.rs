//! What the user points sigscope at: a registry repository, one image in it, or an OCI layout.
//!
//! Parsing follows the docker reference grammar (distribution/reference): the first path
//! component is a registry host when it contains `.` or `:` or is `localhost`; otherwise the
//! image lives on Docker Hub (`docker.io`, with `library/` for single-component names).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::reference::Digest;

pub const DOCKER_HUB: &str = "docker.io";

/// A repository on a registry: `registry/path`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Repository {
    pub registry: String,
    pub path: String,
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.path)
    }
}

/// A tag or a digest within a repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Selector {
    Tag(String),
    Digest(Digest),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Tag(t) => f.write_str(t),
            Selector::Digest(d) => write!(f, "{d}"),
        }
    }
}

/// What to inspect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// Every tag of a registry repository.
    Repository { repository: Repository },
    /// One image: `repo:tag`, `repo@digest` (a digest wins when both are given).
    Image {
        repository: Repository,
        selector: Selector,
    },
    /// An OCI image layout directory, optionally one tag (`ref.name`) in it.
    Layout { path: PathBuf, tag: Option<String> },
}

/// Why a target could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("empty target")]
    Empty,
    #[error(
        "invalid repository name {0:?}: use lowercase letters, digits and . _ - separated by /"
    )]
    BadRepository(String),
    #[error("invalid tag {0:?}: up to 128 of letters, digits, _ . - and not starting with . or -")]
    BadTag(String),
    #[error(transparent)]
    BadDigest(#[from] crate::reference::DigestError),
}

impl Target {
    /// Parses a target. `oci:PATH[:TAG]` and existing directories holding an `oci-layout` file
    /// are layouts; anything else is a registry reference.
    pub fn parse(input: &str) -> Result<Target, TargetError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(TargetError::Empty);
        }
        if let Some(rest) = input.strip_prefix("oci:") {
            return Ok(layout_target(rest));
        }
        if Path::new(input).join("oci-layout").is_file() {
            return Ok(Target::Layout {
                path: PathBuf::from(input),
                tag: None,
            });
        }
        parse_reference(input)
    }

    /// The repository, for registry targets.
    pub fn repository(&self) -> Option<&Repository> {
        match self {
            Target::Repository { repository } | Target::Image { repository, .. } => {
                Some(repository)
            }
            Target::Layout { .. } => None,
        }
    }
}

impl FromStr for Target {
    type Err = TargetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::parse(s)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Repository { repository } => write!(f, "{repository}"),
            Target::Image {
                repository,
                selector: Selector::Tag(t),
            } => write!(f, "{repository}:{t}"),
            Target::Image {
                repository,
                selector: Selector::Digest(d),
            } => write!(f, "{repository}@{d}"),
            Target::Layout { path, tag: None } => write!(f, "oci:{}", path.display()),
            Target::Layout { path, tag: Some(t) } if t.parse::<Digest>().is_ok() => {
                write!(f, "oci:{}@{t}", path.display())
            }
            Target::Layout { path, tag: Some(t) } => write!(f, "oci:{}:{t}", path.display()),
        }
    }
}

/// `PATH`, `PATH:TAG` (the tag is what follows the last `:` when the whole is not a folder) or
/// `PATH@sha256:HEX` (an image named by digest, as `cosign save` names them).
fn layout_target(rest: &str) -> Target {
    if Path::new(rest).is_dir() {
        return Target::Layout {
            path: PathBuf::from(rest),
            tag: None,
        };
    }
    if let Some((path, digest)) = rest.rsplit_once('@')
        && let Ok(digest) = digest.parse::<Digest>()
    {
        return Target::Layout {
            path: PathBuf::from(path),
            tag: Some(digest.to_string()),
        };
    }
    match rest.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') && !tag.is_empty() => Target::Layout {
            path: PathBuf::from(path),
            tag: Some(tag.to_owned()),
        },
        _ => Target::Layout {
            path: PathBuf::from(rest),
            tag: None,
        },
    }
}

fn parse_reference(input: &str) -> Result<Target, TargetError> {
    let (repository, tag, digest) = parse_image_reference(input)?;
    Ok(match (digest, tag) {
        (Some(d), _) => Target::Image {
            repository,
            selector: Selector::Digest(d),
        },
        (None, Some(t)) => Target::Image {
            repository,
            selector: Selector::Tag(t),
        },
        (None, None) => Target::Repository { repository },
    })
}

/// A docker reference as distribution/reference's `ParseNormalizedNamed` reads it: the
/// repository (Docker Hub names expanded), and the tag and the digest, both kept when both are
/// given (`repo:tag@sha256:…`).
pub fn parse_image_reference(
    input: &str,
) -> Result<(Repository, Option<String>, Option<Digest>), TargetError> {
    if input.is_empty() {
        return Err(TargetError::Empty);
    }
    let (name_and_tag, digest) = match input.split_once('@') {
        Some((n, d)) => (n, Some(d.parse::<Digest>()?)),
        None => (input, None),
    };
    // A tag is after the last ':' that comes after the last '/' (a ':' before it is a port).
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_and_tag[..last_slash + i],
            Some(&name_and_tag[last_slash + i + 1..]),
        ),
        None => (name_and_tag, None),
    };
    let repository = split_registry(name)?;
    if let Some(t) = tag
        && !valid_tag(t)
    {
        return Err(TargetError::BadTag(t.to_owned()));
    }
    Ok((repository, tag.map(str::to_owned), digest))
}

fn split_registry(name: &str) -> Result<Repository, TargetError> {
    let (registry, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_owned(), rest.to_owned())
        }
        _ => (DOCKER_HUB.to_owned(), name.to_owned()),
    };
    let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
        DOCKER_HUB.to_owned()
    } else {
        registry
    };
    let path = if registry == DOCKER_HUB && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    if !valid_path(&path) || !valid_host(&registry) {
        return Err(TargetError::BadRepository(name.to_owned()));
    }
    Ok(Repository { registry, path })
}

/// distribution/reference's domain: dot-separated labels of letters, digits and inner `-` (or
/// a bracketed IPv6 address), then an optional `:port`.
fn valid_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(':') && !p.contains(']') => (n, Some(p)),
        _ => (host, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let label = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    let name_ok = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.bytes().all(|c| c.is_ascii_hexdigit() || c == b':'),
        None => name.split('.').all(label),
    };
    port_ok && name_ok
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`
fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 255
        && path.split('/').all(|component| {
            let bytes = component.as_bytes();
            !bytes.is_empty()
                && bytes[0].is_ascii_alphanumeric()
                && bytes[bytes.len() - 1].is_ascii_alphanumeric()
                && bytes.iter().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
                && !component.contains("..")
                && !component.contains("___")
        })
}

/// `[\w][\w.-]{0,127}`
pub fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn repo(registry: &str, path: &str) -> Repository {
        Repository {
            registry: registry.into(),
            path: path.into(),
        }
    }

    #[rstest]
    #[case::hub_official("busybox", repo("docker.io", "library/busybox"), None)]
    #[case::hub_user("acme/app:v1", repo("docker.io", "acme/app"), Some(Selector::Tag("v1".into())))]
    #[case::ghcr("ghcr.io/org/app", repo("ghcr.io", "org/app"), None)]
    #[case::port_no_tag(
        "127.0.0.1:5000/scenario/app",
        repo("127.0.0.1:5000", "scenario/app"),
        None
    )]
    #[case::port_tag("localhost:5000/a:latest", repo("localhost:5000", "a"), Some(Selector::Tag("latest".into())))]
    #[case::localhost("localhost/a", repo("localhost", "a"), None)]
    #[case::digest(&format!("ghcr.io/org/app@{D}"), repo("ghcr.io", "org/app"), Some(Selector::Digest(D.parse().unwrap())))]
    #[case::tag_and_digest(&format!("ghcr.io/org/app:v1@{D}"), repo("ghcr.io", "org/app"), Some(Selector::Digest(D.parse().unwrap())))]
    fn references_parse(
        #[case] input: &str,
        #[case] repository: Repository,
        #[case] selector: Option<Selector>,
    ) {
        let expected = match selector {
            None => Target::Repository { repository },
            Some(selector) => Target::Image {
                repository,
                selector,
            },
        };
        assert_eq!(Target::parse(input).unwrap(), expected);
    }

    #[rstest]
    #[case::upper("ghcr.io/Org/app")]
    #[case::bad_tag("ghcr.io/org/app:-v1")]
    #[case::bad_digest("ghcr.io/org/app@sha256:abc")]
    #[case::empty("  ")]
    #[case::double_slash("ghcr.io/org//app")]
    fn bad_references_are_rejected(#[case] input: &str) {
        assert!(Target::parse(input).is_err(), "{input}");
    }

    #[test]
    fn oci_prefix_makes_a_layout_with_optional_tag() {
        assert_eq!(
            Target::parse("oci:/no/such/dir:v1").unwrap(),
            Target::Layout {
                path: "/no/such/dir".into(),
                tag: Some("v1".into())
            }
        );
        // cosign save names images by digest: `oci:DIR@sha256:…`.
        let by_digest = Target::parse(&format!("oci:/saved@{D}")).unwrap();
        assert_eq!(
            by_digest,
            Target::Layout {
                path: "/saved".into(),
                tag: Some(D.into())
            }
        );
        assert_eq!(by_digest.to_string(), format!("oci:/saved@{D}"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("oci-layout"), "{}").unwrap();
        let plain = dir.path().to_str().unwrap();
        assert_eq!(
            Target::parse(plain).unwrap(),
            Target::Layout {
                path: plain.into(),
                tag: None
            }
        );
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "ghcr.io/org/app",
            "ghcr.io/org/app:v1",
            &format!("ghcr.io/org/app@{D}"),
        ] {
            assert_eq!(Target::parse(s).unwrap().to_string(), s);
        }
    }
}
