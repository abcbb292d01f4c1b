//! Which images a policy applies to: image names as each admission controller spells them, the
//! policy-controller's `images[].glob` and Kyverno's `imageReferences` wildcards.

use regex::Regex;

use super::document::PolicyError;
use crate::reference::Digest;
use crate::target::{DOCKER_HUB, Repository};

/// go-containerregistry's name for Docker Hub, which the policy-controller matches against.
pub const RESOLVED_DOCKER_HUB: &str = "index.docker.io";

/// One image as an admission request names it: repository and tag (or digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageName {
    pub repository: Repository,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl ImageName {
    pub fn new(repository: Repository, tag: Option<String>, digest: Option<Digest>) -> ImageName {
        ImageName {
            repository,
            tag,
            digest,
        }
    }

    fn suffix(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), _) => format!(":{t}"),
            (None, Some(d)) => format!("@{d}"),
            (None, None) => ":latest".into(),
        }
    }

    /// `registry/path:tag` with Docker Hub spelled `registry`.
    fn with_registry(&self, hub: &str) -> String {
        let registry = if self.repository.registry == DOCKER_HUB {
            hub
        } else {
            &self.repository.registry
        };
        format!("{registry}/{}{}", self.repository.path, self.suffix())
    }

    /// `registry/path` with Docker Hub as `docker.io` (containers' repository scope).
    pub fn repository_qualified(&self) -> String {
        let registry = &self.repository.registry;
        format!("{registry}/{}", self.repository.path)
    }

    /// go-containerregistry's `Reference.Name()`: what policy-controller globs match.
    pub fn policy_controller_name(&self) -> String {
        self.with_registry(RESOLVED_DOCKER_HUB)
    }

    /// The fully qualified name Kyverno and containers/image use (`docker.io/library/…`).
    pub fn qualified(&self) -> String {
        self.with_registry(DOCKER_HUB)
    }

    /// The short form a user writes for Docker Hub images (`busybox:1`, `me/app:1`).
    pub fn familiar(&self) -> String {
        if self.repository.registry == DOCKER_HUB {
            let path = self
                .repository
                .path
                .strip_prefix("library/")
                .unwrap_or(&self.repository.path);
            format!("{path}{}", self.suffix())
        } else {
            self.qualified()
        }
    }
}

/// A policy-controller image glob: `*` matches within one path component (any run of
/// characters but `/`), `**` matches anything, other characters match themselves, and the
/// glob must match the whole name. `*` alone means `index.docker.io/library/*`, `*/*` means
/// `index.docker.io/*/*` (policy-controller's `glob.Compile`).
#[derive(Debug, Clone)]
pub struct ImageGlob {
    pub glob: String,
    regex: Regex,
}

impl ImageGlob {
    pub fn compile(glob: &str) -> Result<ImageGlob, PolicyError> {
        let normalised = match glob {
            "*/*" => "index.docker.io/*/*",
            "*" => "index.docker.io/library/*",
            other => other,
        };
        let valid = |c: char| c.is_ascii_alphanumeric() || "-_:/*.".contains(c);
        if normalised.is_empty() || !normalised.chars().all(valid) {
            return Err(PolicyError::invalid(
                "glob",
                format!(
                    "invalid glob {glob:?}: only letters, digits and - _ : / . * are allowed \
                     (it is not a regular expression)"
                ),
            ));
        }
        let mut pattern = String::from("^");
        let mut chars = normalised.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    pattern.push_str(".*");
                }
                '*' => pattern.push_str("[^/]*"),
                other => pattern.push_str(&regex::escape(&other.to_string())),
            }
        }
        pattern.push('$');
        let regex = Regex::new(&pattern)
            .map_err(|e| PolicyError::invalid("glob", format!("glob {glob:?}: {e}")))?;
        Ok(ImageGlob {
            glob: glob.to_owned(),
            regex,
        })
    }

    /// Matches the resolved name, then (policy-controller's deprecated fallback) the name as
    /// written when it differs.
    pub fn matches(&self, image: &ImageName) -> bool {
        self.regex.is_match(&image.policy_controller_name())
            || self.regex.is_match(&image.familiar())
    }
}

/// A Kyverno image reference pattern: `*` matches any run of characters (including `/`), `?`
/// any one character; the whole reference must match.
#[derive(Debug, Clone)]
pub struct Wildcard {
    pub pattern: String,
    regex: Regex,
}

impl Wildcard {
    pub fn compile(pattern: &str) -> Result<Wildcard, PolicyError> {
        let mut re = String::from("^");
        for c in pattern.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                other => re.push_str(&regex::escape(&other.to_string())),
            }
        }
        re.push('$');
        let regex = Regex::new(&re)
            .map_err(|e| PolicyError::invalid("imageReferences", format!("{pattern:?}: {e}")))?;
        Ok(Wildcard {
            pattern: pattern.to_owned(),
            regex,
        })
    }

    pub fn matches_str(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }

    /// Matches the fully qualified reference or the familiar one.
    pub fn matches(&self, image: &ImageName) -> bool {
        self.matches_str(&image.qualified()) || self.matches_str(&image.familiar())
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn image(registry: &str, path: &str, tag: &str) -> ImageName {
        ImageName::new(
            Repository {
                registry: registry.into(),
                path: path.into(),
            },
            Some(tag.into()),
            None,
        )
    }

    #[rstest]
    #[case::hub_exact("docker.io", "library/foo", "index.docker.io/library/foo:latest", true)]
    #[case::hub_star_tag("docker.io", "library/foo", "index.docker.io/library/foo:*", true)]
    #[case::hub_library_star("docker.io", "library/foo", "index.docker.io/library/*", true)]
    #[case::bare_star_is_library("docker.io", "library/foo", "*", true)]
    #[case::bare_star_star_is_hub("docker.io", "me/app", "*/*", true)]
    #[case::bare_star_not_user_repo("docker.io", "me/app", "*", false)]
    #[case::fallback_familiar("docker.io", "library/foo", "foo:*", true)]
    #[case::double_star_all("ghcr.io", "foo", "**", true)]
    #[case::single_star_one_component("ghcr.io", "foo", "ghcr.io/*/*", false)]
    #[case::two_components("ghcr.io", "foo/bar", "ghcr.io/*/*", true)]
    #[case::star_crosses_tag_colon("ghcr.io", "foo", "ghcr.io/foo*", true)]
    #[case::no_slash_for_star("ghcr.io", "org/app", "ghcr.io/*", false)]
    #[case::double_star_crosses_slash("ghcr.io", "org/app", "ghcr.io/**", true)]
    #[case::dot_is_literal("ghcrxio", "foo", "ghcr.io/**", false)]
    #[case::anchored_start("prefix-ghcr.io", "foo", "ghcr.io/foo:latest", false)]
    #[case::port(
        "127.0.0.1:5000",
        "scenario/app",
        "127.0.0.1:5000/scenario/app:**",
        true
    )]
    fn policy_controller_globs(
        #[case] registry: &str,
        #[case] path: &str,
        #[case] glob: &str,
        #[case] expected: bool,
    ) {
        let g = ImageGlob::compile(glob).unwrap();
        assert_eq!(
            g.matches(&image(registry, path, "latest")),
            expected,
            "{glob}"
        );
    }

    #[rstest]
    #[case::regexp_rejected(".+")]
    #[case::class_rejected("[a-z]*")]
    #[case::empty("")]
    fn invalid_globs_are_rejected(#[case] glob: &str) {
        let err = ImageGlob::compile(glob).unwrap_err();
        assert!(err.to_string().contains("invalid glob"), "{err}");
    }

    #[rstest]
    #[case::star_crosses_slash("ghcr.io/*", "ghcr.io/org/app:v1", true)]
    #[case::question_one_char("ghcr.io/org/app:v?", "ghcr.io/org/app:v1", true)]
    #[case::question_not_two("ghcr.io/org/app:v?", "ghcr.io/org/app:v10", false)]
    #[case::familiar_hub("nginx:*", "docker.io/library/nginx:1", true)]
    #[case::qualified_hub("docker.io/library/nginx*", "docker.io/library/nginx:1", true)]
    #[case::other_registry("ghcr.io/*", "quay.io/org/app:v1", false)]
    fn kyverno_wildcards(#[case] pattern: &str, #[case] reference: &str, #[case] expected: bool) {
        let (rest, tag) = reference.rsplit_once(':').unwrap();
        let (registry, path) = rest.split_once('/').unwrap();
        let w = Wildcard::compile(pattern).unwrap();
        assert_eq!(
            w.matches(&image(registry, path, tag)),
            expected,
            "{pattern}"
        );
    }
}
