//! The tag filter (`/`): words that must all match, each a tag name part, a state, a digest or a
//! signer. `v1.6` (a name), `unsigned`, `failed`, `verified` (a state: also `state:fail`, any
//! prefix of a state), `sha256:ab12` (a digest prefix: also `digest:ab12`), `signer:acme-evil`
//! (a signature's identity or issuer), `tag:rc`; `!` before a word negates it.

use crate::compare::signatures_of;

use super::summary::{Badge, badges};
use super::tag::TagEntry;

/// The states a word can name, with what each matches.
const STATES: &[&str] = &[
    "unsigned",
    "signed",
    "verified",
    "failed",
    "unchecked",
    "error",
    "orphan",
    "attested",
    "sbom",
    "bundle",
    "loading",
    "verifying",
    "skipped",
    "no-attestations",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// A bare word: a part of the name, or a prefix of a state.
    Word(String),
    Name(String),
    State(String),
    Digest(String),
    Signer(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    negated: bool,
    term: Term,
}

/// A parsed filter; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    clauses: Vec<Clause>,
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let clauses = text
            .split_whitespace()
            .filter_map(|word| {
                let (negated, word) = match word.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, word),
                };
                let lower = word.to_lowercase();
                let term = match lower.split_once(':') {
                    Some(("tag" | "name", v)) => Term::Name(v.to_owned()),
                    Some(("state" | "is", v)) => Term::State(v.to_owned()),
                    Some(("digest", v)) => Term::Digest(v.to_owned()),
                    Some(("signer" | "by", v)) => Term::Signer(v.to_owned()),
                    Some(("sha256" | "sha512", _)) => Term::Digest(lower.clone()),
                    _ => Term::Word(lower),
                };
                let empty = match &term {
                    Term::Word(v)
                    | Term::Name(v)
                    | Term::State(v)
                    | Term::Digest(v)
                    | Term::Signer(v) => v.is_empty(),
                };
                (!empty).then_some(Clause { negated, term })
            })
            .collect();
        Query { clauses }
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Whether the matches can change while the text does not (a state, a signer, a digest: as
    /// tags load and verifications finish).
    pub fn depends_on_results(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| !matches!(c.term, Term::Name(_)))
    }

    /// Whether `tag` passes; `attestations`: the verification in force checks attestations.
    pub fn matches(&self, tag: &TagEntry, attestations: bool) -> bool {
        self.clauses
            .iter()
            .all(|c| c.negated != term_matches(&c.term, tag, attestations))
    }
}

fn term_matches(term: &Term, tag: &TagEntry, attestations: bool) -> bool {
    match term {
        Term::Name(v) => tag.folded.contains(v.as_str()),
        Term::Word(v) => tag.folded.contains(v.as_str()) || state_matches(v, tag, attestations),
        Term::State(v) => state_matches(v, tag, attestations),
        Term::Digest(v) => digest_matches(v, tag),
        Term::Signer(v) => signer_matches(v, tag),
    }
}

/// `prefix` starts the name of a state the tag is in.
fn state_matches(prefix: &str, tag: &TagEntry, attestations: bool) -> bool {
    let named: Vec<&str> = STATES
        .iter()
        .copied()
        .filter(|s| s.starts_with(prefix))
        .collect();
    if named.is_empty() {
        return false;
    }
    if named.contains(&"orphan") && tag.orphan {
        return true;
    }
    badges(tag, attestations).iter().any(|b| {
        let name = match b {
            Badge::Loading => "loading",
            Badge::Error => "error",
            Badge::Unsigned => "unsigned",
            Badge::Signed(_) => "signed",
            Badge::Attested(_) => "attested",
            Badge::Bundle(_) => "bundle",
            Badge::Sbom(_) => "sbom",
            Badge::Referrers(_) => return false,
            Badge::Verifying => "verifying",
            Badge::Verified => "verified",
            Badge::Failed => "failed",
            Badge::CouldNotCheck => "unchecked",
            Badge::Skipped => "skipped",
            Badge::NoAttestations => "no-attestations",
        };
        named.contains(&name)
    })
}

/// The image's digest (or a platform's) starts with `v` (`sha256:ab12` or just `ab12`).
fn digest_matches(v: &str, tag: &TagEntry) -> bool {
    let Some(image) = tag.image() else {
        return false;
    };
    let hit = |d: &crate::reference::Digest| {
        let full = d.to_string();
        full.starts_with(v) || d.hex().starts_with(v)
    };
    hit(&image.digest) || image.platforms.iter().any(|p| hit(&p.digest))
}

/// A signature's identity or issuer contains `v`.
fn signer_matches(v: &str, tag: &TagEntry) -> bool {
    let Some(image) = tag.image() else {
        return false;
    };
    signatures_of(image).iter().any(|s| {
        s.signer.as_ref().is_some_and(|signer| {
            signer.identity.to_lowercase().contains(v)
                || signer
                    .issuer
                    .as_deref()
                    .is_some_and(|i| i.to_lowercase().contains(v))
        }) || (s.key_signed && "key".starts_with(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fields_and_negation_parse() {
        let q = Query::parse("v1 state:fail !signer:acme sha256:AB digest:cd tag:rc");
        assert_eq!(q.clauses.len(), 6);
        assert_eq!(q.clauses[0].term, Term::Word("v1".into()));
        assert_eq!(q.clauses[1].term, Term::State("fail".into()));
        assert!(q.clauses[2].negated);
        assert_eq!(q.clauses[2].term, Term::Signer("acme".into()));
        assert_eq!(q.clauses[3].term, Term::Digest("sha256:ab".into()));
        assert_eq!(q.clauses[4].term, Term::Digest("cd".into()));
        assert_eq!(q.clauses[5].term, Term::Name("rc".into()));
        assert!(q.depends_on_results());
        assert!(!Query::parse("tag:v1").depends_on_results());
        assert!(Query::parse("  signer: ").is_empty());
    }
}
