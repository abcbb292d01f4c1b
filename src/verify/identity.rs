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
    /// Equal ignoring ASCII case (gh compares issuers and repository URIs with `EqualFold`).
    Caseless(String),
    /// Starts with this (gh's `--owner`, `--repo`, `--signer-repo`, `--signer-workflow`: an
    /// anchored prefix of the workflow URI, case-insensitive but for the workflow).
    Prefix {
        prefix: String,
        ignore_case: bool,
    },
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
            Matcher::Caseless(v) => v.eq_ignore_ascii_case(value),
            Matcher::Prefix {
                prefix,
                ignore_case: true,
            } => value
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
            Matcher::Prefix {
                prefix,
                ignore_case: false,
            } => value.starts_with(prefix.as_str()),
        }
    }

    /// How the expectation reads in a report.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Exact(v) => v.clone(),
            Matcher::Regex(r) => format!("/{}/", r.as_str()),
            Matcher::Caseless(v) => format!("{v} (any case)"),
            Matcher::Prefix {
                prefix,
                ignore_case,
            } => format!("{prefix}…{}", if *ignore_case { " (any case)" } else { "" }),
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
            Matcher::Exact(_) | Matcher::Caseless(_) | Matcher::Prefix { .. } => None,
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
    /// Fulcio extensions that must hold given values: cosign's `--certificate-github-workflow-*`
    /// flags (deprecated `.2`–`.6`), gh's `--owner`, `--repo`, `--source-ref`… (`.10`–`.17`).
    pub claims: Vec<Claim>,
}

/// One Fulcio extension (arc of 1.3.6.1.4.1.57264.1) that must have a value.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub arc: u32,
    /// The option that asked for it, for reports.
    pub flag: String,
    pub expected: String,
    /// Compared ignoring ASCII case (gh's `EqualFold`); cosign compares exactly.
    pub ignore_case: bool,
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

    /// Each claim against its extension: `Err((flag, expected, actual))` on the first miss.
    pub fn check_claims(&self, cert: &CertificateView) -> Result<String, (String, String, String)> {
        for claim in &self.claims {
            let actual = cert.claim(claim.arc);
            let matches = actual.is_some_and(|a| {
                if claim.ignore_case {
                    a.eq_ignore_ascii_case(&claim.expected)
                } else {
                    a == claim.expected
                }
            });
            if !matches {
                return Err((
                    claim.flag.clone(),
                    claim.expected.clone(),
                    actual.unwrap_or("(absent)").to_owned(),
                ));
            }
        }
        Ok(format!(
            "{} certificate claims match: {}",
            self.claims.len(),
            self.claims
                .iter()
                .map(|c| c.flag.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    /// cosign's GitHub workflow claims from its flags (`(arc, flag, value)`).
    pub fn github_claims(values: Vec<(u32, &'static str, String)>) -> Vec<Claim> {
        values
            .into_iter()
            .map(|(arc, flag, expected)| Claim {
                arc,
                flag: flag.to_owned(),
                expected,
                ignore_case: false,
            })
            .collect()
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
