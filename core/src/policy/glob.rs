//! Which images a policy applies to: image names as each admission controller spells them, the
//! policy-controller's `images[].glob` and Kyverno's `imageReferences` wildcards.

use regex::Regex;

use super::document::PolicyError;
use crate::reference::Digest;
use crate::target::{DOCKER_HUB, Repository};

/// go-containerregistry's name for Docker Hub, which the policy-controller matches against.
pub const RESOLVED_DOCKER_HUB: &str = "index.docker.io";

/// One image as an admission request names it: repository and tag (what the pod names), and
/// the digest the tag resolves to (what a controller that resolves tags sees).
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

    /// The same name with its resolved digest (kept when already known).
    pub fn resolved(&self, digest: &Digest) -> ImageName {
        ImageName {
            digest: Some(self.digest.clone().unwrap_or_else(|| digest.clone())),
            ..self.clone()
        }
    }

    /// `:tag`, else `@digest`, else `:latest` (what the pod names).
    fn suffix(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), _) => format!(":{t}"),
            (None, Some(d)) => format!("@{d}"),
            (None, None) => ":latest".into(),
        }
    }

    fn registry_as(&self, hub: &str) -> String {
        if self.repository.registry == DOCKER_HUB {
            hub.to_owned()
        } else {
            self.repository.registry.clone()
        }
    }

    /// `registry/path` with Docker Hub as `docker.io` (containers' repository scope).
    pub fn repository_qualified(&self) -> String {
        let registry = &self.repository.registry;
        format!("{registry}/{}", self.repository.path)
    }

    /// What policy-controller's globs match: go-containerregistry's `Reference.Name()` of the
    /// image after its mutating webhook resolved the tag, `index.docker.io/path@sha256:…`
    /// (`pkg/webhook/validator.go` rewrites `repo:tag` to `repo:tag@digest`, whose `Name()`
    /// drops the tag). Without a digest, the tag form.
    pub fn policy_controller_name(&self) -> String {
        let suffix = match &self.digest {
            Some(d) => format!("@{d}"),
            None => self.suffix(),
        };
        format!(
            "{}/{}{suffix}",
            self.registry_as(RESOLVED_DOCKER_HUB),
            self.repository.path
        )
    }

    /// The fully qualified name Kyverno and containers/image use (`docker.io/library/…`).
    pub fn qualified(&self) -> String {
        format!(
            "{}/{}{}",
            self.registry_as(DOCKER_HUB),
            self.repository.path,
            self.suffix()
        )
    }

    /// Every spelling Kyverno's `ImageInfo.String()` may give this image, depending on how the
    /// pod wrote it: `docker.io/library/nginx:1` (written so), `docker.io/nginx:1` (written
    /// `nginx:1`: Kyverno adds the registry but not `library/`), `nginx:1` (registry mutation
    /// off). Outside Docker Hub there is one.
    pub fn kyverno_names(&self) -> Vec<String> {
        let mut names = vec![self.qualified()];
        if self.repository.registry == DOCKER_HUB {
            if let Some(short) = self.repository.path.strip_prefix("library/") {
                names.push(format!("{DOCKER_HUB}/{short}{}", self.suffix()));
            }
            names.push(self.familiar());
        }
        names
    }

    /// Connaisseur's image name: go-containerregistry's repository (`index.docker.io/…` for
    /// Docker Hub) with the tag, or the digest.
    pub fn connaisseur_name(&self) -> String {
        format!(
            "{}/{}{}",
            self.registry_as(RESOLVED_DOCKER_HUB),
            self.repository.path,
            self.suffix()
        )
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
/// `index.docker.io/*/*` (policy-controller's `glob.Compile`). Globs may name a digest.
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
        // glob.go's validGlob: ^[a-zA-Z0-9-_:\/\*\.@]+$
        let valid = |c: char| c.is_ascii_alphanumeric() || "-_:/*.@".contains(c);
        if normalised.is_empty() || !normalised.chars().all(valid) {
            return Err(PolicyError::invalid(
                "glob",
                format!(
                    "invalid glob {glob:?}: only letters, digits and - _ : / . @ * are allowed \
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

    /// Matches the name policy-controller's webhook matches: the resolved `repo@digest`.
    pub fn matches(&self, image: &ImageName) -> bool {
        self.regex.is_match(&image.policy_controller_name())
    }

    /// policy-controller's `glob.Match(glob, image)`: the reference's `Name()` (a missing tag
    /// read as `:latest`), then, deprecated, the string as written when it differs. An invalid
    /// reference is an error.
    pub fn matches_reference(&self, image: &str) -> Result<bool, PolicyError> {
        let (repository, tag, digest) = crate::target::parse_image_reference(image)
            .map_err(|e| PolicyError::invalid("image", e.to_string()))?;
        let name = ImageName::new(repository, tag, None);
        let full = match digest {
            Some(d) => format!(
                "{}/{}@{d}",
                name.registry_as(RESOLVED_DOCKER_HUB),
                name.repository.path
            ),
            None => name.policy_controller_name(),
        };
        Ok(self.regex.is_match(&full) || (full != image && self.regex.is_match(image)))
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

    /// The anchored regular expression the pattern compiles to.
    pub fn regex(&self) -> &Regex {
        &self.regex
    }

    /// Matches any spelling Kyverno may give the image.
    pub fn matches(&self, image: &ImageName) -> bool {
        image.kyverno_names().iter().any(|n| self.matches_str(n))
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

    const DIGEST: &str = "sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350";

    fn resolved(registry: &str, path: &str, tag: &str) -> ImageName {
        image(registry, path, tag).resolved(&DIGEST.parse().unwrap())
    }

    /// The webhook matches the resolved `repo@digest`: globs naming the tag no longer match.
    #[rstest]
    #[case::hub_library_star("docker.io", "library/foo", "index.docker.io/library/*", true)]
    #[case::bare_star_is_library("docker.io", "library/foo", "*", true)]
    #[case::bare_star_star_is_hub("docker.io", "me/app", "*/*", true)]
    #[case::bare_star_not_user_repo("docker.io", "me/app", "*", false)]
    #[case::tag_glob_misses_resolved(
        "docker.io",
        "library/foo",
        "index.docker.io/library/foo:*",
        false
    )]
    #[case::no_familiar_fallback("docker.io", "library/foo", "foo*", false)]
    #[case::star_crosses_at("ghcr.io", "foo", "ghcr.io/foo*", true)]
    #[case::digest_glob("ghcr.io", "foo", &format!("ghcr.io/foo@{DIGEST}"), true)]
    #[case::at_star("ghcr.io", "foo", "ghcr.io/foo@*", true)]
    #[case::no_slash_for_star("ghcr.io", "org/app", "ghcr.io/*", false)]
    #[case::double_star_crosses_slash("ghcr.io", "org/app", "ghcr.io/**", true)]
    #[case::dot_is_literal("ghcrxio", "foo", "ghcr.io/**", false)]
    #[case::port(
        "127.0.0.1:5000",
        "scenario/app",
        "127.0.0.1:5000/scenario/app**",
        true
    )]
    fn policy_controller_globs_match_the_resolved_digest(
        #[case] registry: &str,
        #[case] path: &str,
        #[case] glob: &str,
        #[case] expected: bool,
    ) {
        let g = ImageGlob::compile(glob).unwrap();
        assert_eq!(
            g.matches(&resolved(registry, path, "v1")),
            expected,
            "{glob}"
        );
    }

    #[test]
    fn glob_match_keeps_the_deprecated_fallback_to_the_name_as_written() {
        let g = ImageGlob::compile("foo*").unwrap();
        assert!(g.matches_reference("foo").unwrap());
        assert!(
            !ImageGlob::compile("ghcr.io/foo")
                .unwrap()
                .matches_reference("ghcr.io/foo-suffix")
                .unwrap()
        );
        assert!(
            ImageGlob::compile("**")
                .unwrap()
                .matches_reference("invalid&name")
                .is_err()
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
    #[case::hub_without_library("docker.io/nginx:*", "docker.io/library/nginx:1", true)]
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
