//! Who must have signed: SAN and OIDC issuer, exact or by regular expression, and cosign's
//! GitHub workflow claims. cosign matches regexps with Go's `MatchString`, which is unanchored:
//! sigscope keeps that verdict and warns when a pattern is unanchored.

use regex::Regex;
use serde::Serialize;

use crate::artifact::certificate::CertificateView;

/// An expected value.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    Regex(Regex),
    /// Any of these (Kyverno's `subject` wildcard or `subjectRegExp`).
    Any(Vec<Matcher>),
    /// All of these (Kyverno's `issuer` wildcard and `issuerRegExp`).
    All(Vec<Matcher>),
}

impl Matcher {
    pub fn regex(pattern: &str) -> Result<Matcher, String> {
        Regex::new(pattern)
            .map(Matcher::Regex)
            .map_err(|e| format!("invalid regular expression {pattern:?}: {e}"))
    }

    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(v) => v == value,
            Matcher::Regex(r) => r.is_match(value),
            Matcher::Any(all) => all.iter().any(|m| m.matches(value)),
            Matcher::All(all) => all.iter().all(|m| m.matches(value)),
        }
    }

    /// How the expectation reads in a report.
    pub fn describe(&self) -> String {
        let join = |all: &[Matcher], word: &str| {
            all.iter()
                .map(Matcher::describe)
                .collect::<Vec<_>>()
                .join(word)
        };
        match self {
            Matcher::Exact(v) => v.clone(),
            Matcher::Regex(r) => format!("/{}/", r.as_str()),
            Matcher::Any(all) => join(all, " or "),
            Matcher::All(all) => join(all, " and "),
        }
    }

    /// A warning when a regexp is unanchored (it may match more than meant).
    pub fn warning(&self, flag: &str) -> Option<String> {
        match self {
            Matcher::Regex(r) => {
                let p = r.as_str();
                (!p.starts_with('^') || !p.ends_with('$')).then(|| {
                    format!(
                        "{flag} {p:?} is not anchored with ^…$: like cosign, sigscope matches it \
                         anywhere in the value, so longer identities also match"
                    )
                })
            }
            Matcher::Exact(_) => None,
            Matcher::Any(all) | Matcher::All(all) => all.iter().find_map(|m| m.warning(flag)),
        }
    }
}

impl Serialize for Matcher {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.describe())
    }
}

/// The identity policy of a keyless verification.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityPolicy {
    pub subject: Matcher,
    pub issuer: Matcher,
    /// Fulcio extension claims by arc, each with the setting that asks for it: cosign's
    /// `--certificate-github-workflow-*` flags (deprecated `.2`–`.6`, exact values), Kyverno's
    /// `additionalExtensions` and its issuer check on the deprecated `.1` (wildcards).
    pub github: Vec<(u32, String, Matcher)>,
}

/// The GitHub workflow flags cosign checks, with the deprecated extension each reads.
pub const GITHUB_FLAGS: &[(u32, &str)] = &[
    (2, "--certificate-github-workflow-trigger"),
    (3, "--certificate-github-workflow-sha"),
    (4, "--certificate-github-workflow-name"),
    (5, "--certificate-github-workflow-repository"),
    (6, "--certificate-github-workflow-ref"),
];

impl IdentityPolicy {
    pub fn warnings(&self) -> Vec<String> {
        [
            self.subject.warning("--certificate-identity-regexp"),
            self.issuer.warning("--certificate-oidc-issuer-regexp"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Checks the certificate's SAN (any of them, as cosign does).
    pub fn check_subject(&self, cert: &CertificateView) -> Result<String, (String, String)> {
        let sans: Vec<&str> = cert.sans.iter().map(|s| s.value.as_str()).collect();
        match sans.iter().find(|s| self.subject.matches(s)) {
            Some(s) => Ok(format!("certificate identity {s}")),
            None => Err((
                self.subject.describe(),
                if sans.is_empty() {
                    "no subject alternative name".into()
                } else {
                    sans.join(", ")
                },
            )),
        }
    }

    pub fn check_issuer(&self, cert: &CertificateView) -> Result<String, (String, String)> {
        match cert.oidc_issuer() {
            Some(i) if self.issuer.matches(i) => Ok(format!("OIDC issuer {i}")),
            Some(i) => Err((self.issuer.describe(), i.to_owned())),
            None => Err((self.issuer.describe(), "no OIDC issuer extension".into())),
        }
    }

    /// Each claim against its extension: `Err((setting, expected, actual))` on the first miss.
    /// An absent extension matches nothing (not even a pattern that accepts the empty string).
    pub fn check_github(&self, cert: &CertificateView) -> Result<String, (String, String, String)> {
        for (arc, flag, expected) in &self.github {
            match cert.claim(*arc) {
                Some(actual) if expected.matches(actual) => {}
                actual => {
                    return Err((
                        flag.clone(),
                        expected.describe(),
                        actual.unwrap_or("(absent)").to_owned(),
                    ));
                }
            }
        }
        Ok(format!(
            "{} certificate extension claims match",
            self.github.len()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexps_match_unanchored_like_go_and_warn() {
        let m = Matcher::regex("acme/app").unwrap();
        assert!(m.matches("https://github.com/evil/acme/app-fork"));
        assert!(m.warning("--certificate-identity-regexp").is_some());
        let anchored = Matcher::regex("^https://github\\.com/acme/app/.*$").unwrap();
        assert!(anchored.warning("x").is_none());
        assert!(!anchored.matches("https://github.com/evil/acme/app"));
        assert!(Matcher::regex("(").is_err());
        assert!(Matcher::Exact("a".into()).matches("a"));
        assert!(!Matcher::Exact("a".into()).matches("ab"));
    }
}
