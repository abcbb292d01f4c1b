//! Who must have signed: SAN and OIDC issuer, exact or by regular expression, and cosign's
//! GitHub workflow claims. cosign matches regexps with Go's `MatchString`, which is unanchored:
//! sigscope keeps that verdict and warns when a pattern is unanchored. Patterns are Go's
//! syntax ([`super::go_regexp`]), so they mean here what they mean to cosign.

use regex::Regex;
use regex_syntax::hir::Look;
use serde::Serialize;

use super::sans::{cosign_sans, sigstore_go_san};
use crate::artifact::certificate::CertificateView;

/// A Go regexp: the pattern as given, and its translation compiled.
#[derive(Debug, Clone)]
pub struct GoRegex {
    pattern: String,
    regex: Regex,
    /// Every match starts at the start of the value and ends at its end (`^…$`, `\A…\z`,
    /// with or without flags around them, and not under `(?m)`).
    anchored: bool,
}

impl GoRegex {
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

/// An expected value.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    Regex(GoRegex),
    /// Equal ignoring ASCII case (gh compares issuers and repository URIs with `EqualFold`).
    Caseless(String),
    /// Starts with this (gh's `--owner`, `--repo`, `--signer-repo`, `--signer-workflow`: an
    /// anchored prefix of the workflow URI, case-insensitive but for the workflow).
    Prefix {
        prefix: String,
        ignore_case: bool,
    },
    /// Any of these (Kyverno's `subject` wildcard or `subjectRegExp`).
    Any(Vec<Matcher>),
    /// All of these (Kyverno's `issuer` wildcard and `issuerRegExp`).
    All(Vec<Matcher>),
}

impl Matcher {
    /// A Go regexp (`regexp.Compile` syntax), refused with the reason when Go would refuse it
    /// or it has no faithful translation.
    pub fn regex(pattern: &str) -> Result<Matcher, String> {
        let invalid =
            |e: &dyn std::fmt::Display| format!("invalid regular expression {pattern:?}: {e}");
        let translated = super::go_regexp::translate(pattern).map_err(|e| invalid(&e))?;
        let regex = Regex::new(&translated).map_err(|e| invalid(&e))?;
        // regex-syntax's look-around sets: `Start`/`End` are the text's own bounds (`^`/`$`
        // outside multi-line mode, `\A`, `\z`), present at the edges of every match.
        let anchored = regex_syntax::Parser::new()
            .parse(&translated)
            .map(|hir| {
                let p = hir.properties();
                p.look_set_prefix().contains(Look::Start) && p.look_set_suffix().contains(Look::End)
            })
            .unwrap_or(false);
        Ok(Matcher::Regex(GoRegex {
            pattern: pattern.to_owned(),
            regex,
            anchored,
        }))
    }

    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(v) => v == value,
            Matcher::Regex(r) => r.regex.is_match(value),
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
            Matcher::Regex(r) => format!("/{}/", r.pattern),
            Matcher::Caseless(v) => format!("{v} (any case)"),
            Matcher::Prefix {
                prefix,
                ignore_case,
            } => format!("{prefix}…{}", if *ignore_case { " (any case)" } else { "" }),
            Matcher::Any(all) => join(all, " or "),
            Matcher::All(all) => join(all, " and "),
        }
    }

    /// A warning when a regexp is unanchored (it may match more than meant).
    pub fn warning(&self, flag: &str) -> Option<String> {
        match self {
            Matcher::Regex(r) => (!r.anchored).then(|| {
                format!(
                    "{flag} {:?} is not anchored at both ends (^…$ outside multi-line mode): \
                     like cosign, sigscope matches it anywhere in the value, so longer \
                     identities also match",
                    r.pattern
                )
            }),
            Matcher::Exact(_) | Matcher::Caseless(_) | Matcher::Prefix { .. } => None,
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
    /// cosign compares exactly, gh ignoring ASCII case (`EqualFold`), Kyverno's
    /// `additionalExtensions` with wildcards.
    pub expected: Matcher,
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

    /// The SAN that matches, of those cosign's legacy path reads (any of them may match:
    /// `cryptoutils.GetSubjectAlternateNames`, printed as Go prints them).
    pub fn matching_san(&self, cert: &CertificateView) -> Result<String, (String, String)> {
        let sans = cosign_sans(cert);
        match sans.iter().find(|s| self.subject.matches(s)) {
            Some(s) => Ok(s.clone()),
            None => Err((
                self.subject.describe(),
                if sans.is_empty() {
                    "no subject alternative name cosign reads".into()
                } else {
                    sans.join(", ")
                },
            )),
        }
    }

    /// Checks the certificate's SAN (any of them, as cosign's legacy path does).
    pub fn check_subject(&self, cert: &CertificateView) -> Result<String, (String, String)> {
        self.matching_san(cert)
            .map(|s| format!("certificate identity {s}"))
    }

    /// Checks the one SAN sigstore-go summarises a certificate by (cosign v3's bundle path):
    /// the first URI, else the first email, else Fulcio's otherName.
    pub fn check_summary_subject(
        &self,
        cert: &CertificateView,
    ) -> Result<String, (String, String)> {
        match sigstore_go_san(cert) {
            Some(s) if self.subject.matches(&s) => Ok(format!("certificate identity {s}")),
            Some(s) => {
                let others = cosign_sans(cert).into_iter().filter(|o| *o != s).count();
                Err((
                    self.subject.describe(),
                    if others > 0 {
                        format!(
                            "{s} (sigstore-go, and so cosign v3 on bundles, matches the first \
                             URI or email only; {others} other name(s) not compared)"
                        )
                    } else {
                        s
                    },
                ))
            }
            None => Err((
                self.subject.describe(),
                "no URI, email or Fulcio otherName subject alternative name".into(),
            )),
        }
    }

    /// Checks the OIDC issuer. Fulcio writes it twice, in the deprecated `.1` (raw) and the
    /// current `.8` (DER) extension; when both are present they must agree, or the certificate
    /// names no issuer at all: cosign's legacy path reads only `.1` and sigstore-go the later of
    /// the two, so such a certificate would pass for one issuer or the other depending on the
    /// verifier and the extension order — sigscope trusts it for neither.
    pub fn check_issuer(&self, cert: &CertificateView) -> Result<String, (String, String)> {
        match (cert.claim(1), cert.claim(8)) {
            (Some(one), Some(eight)) if one != eight => Err((
                self.issuer.describe(),
                format!(
                    "conflicting issuer extensions: .1 (deprecated) says {one:?}, .8 says \
                     {eight:?}; a certificate naming two issuers is trusted for neither"
                ),
            )),
            (_, Some(i)) | (Some(i), None) if self.issuer.matches(i) => {
                Ok(format!("OIDC issuer {i}"))
            }
            (_, Some(i)) | (Some(i), None) => Err((self.issuer.describe(), i.to_owned())),
            (None, None) => Err((self.issuer.describe(), "no OIDC issuer extension".into())),
        }
    }

    /// Each claim against its extension: `Err((flag, expected, actual))` on the first miss.
    /// An absent extension matches nothing (not even a pattern that accepts the empty string).
    pub fn check_claims(&self, cert: &CertificateView) -> Result<String, (String, String, String)> {
        for claim in &self.claims {
            match cert.claim(claim.arc) {
                Some(actual) if claim.expected.matches(actual) => {}
                actual => {
                    return Err((
                        claim.flag.clone(),
                        claim.expected.describe(),
                        actual.unwrap_or("(absent)").to_owned(),
                    ));
                }
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
                expected: Matcher::Exact(expected),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anchoring_warning_understands_flags_and_multi_line_mode() {
        for anchored in [
            "(?i)^https://github\\.com/acme/.*$",
            "^(?i:a|b)$",
            "\\Aa\\z",
            "(?U)^a+$",
        ] {
            let m = Matcher::regex(anchored).unwrap();
            assert!(m.warning("x").is_none(), "{anchored}");
        }
        for loose in ["(?m)^a$", "^a$|b", "^a", "a$", "(?i)a"] {
            let m = Matcher::regex(loose).unwrap();
            assert!(m.warning("x").is_some(), "{loose}");
        }
        // Go's syntax: \Q…\E quotes, and the describe() shows the pattern as given.
        let q = Matcher::regex("^\\Qa.b\\E$").unwrap();
        assert!(q.matches("a.b") && !q.matches("axb"));
        assert_eq!(q.describe(), "/^\\Qa.b\\E$/");
    }

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
