//! The signer identities seen across builds, as choices for a verification: CI identities that
//! differ only in their per-build ref (`…/release.yml@refs/tags/v1.2.3`) are offered once, as an
//! anchored regular expression, instead of one exact identity per build.

use std::collections::BTreeMap;

use super::strip_ref;

/// One way to say who must have signed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IdentityChoice {
    /// The exact identity, or an anchored regular expression when `is_regexp`.
    pub identity: String,
    pub is_regexp: bool,
    pub issuer: String,
    /// How many of the seen signatures this choice covers.
    pub signatures: usize,
}

/// Groups `(identity, issuer)` pairs (one per signature seen, repeats included) into choices,
/// ordered by identity then issuer. Identities sharing everything but the `@refs/…` suffix
/// become one pattern `^<identity without ref>@<common ref prefix>.+$`: the prefix is the refs'
/// longest common prefix cut after its last `/` (so `refs/tags/` for release tags).
pub fn identity_choices<'a>(
    seen: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<IdentityChoice> {
    // (identity without ref, issuer) → full identity → signatures.
    let mut groups: BTreeMap<(&str, &str), BTreeMap<&str, usize>> = BTreeMap::new();
    for (identity, issuer) in seen {
        *groups
            .entry((strip_ref(identity), issuer))
            .or_default()
            .entry(identity)
            .or_default() += 1;
    }
    let mut choices = Vec::new();
    for ((base, issuer), identities) in groups {
        let refs: Vec<&str> = identities
            .keys()
            .filter_map(|i| i.get(base.len() + 1..))
            .collect();
        if identities.len() > 1 && refs.len() == identities.len() {
            let prefix = ref_prefix(&refs);
            choices.push(IdentityChoice {
                identity: format!("^{}@{}.+$", regex::escape(base), regex::escape(prefix)),
                is_regexp: true,
                issuer: issuer.to_owned(),
                signatures: identities.values().sum(),
            });
        } else {
            choices.extend(identities.into_iter().map(|(identity, n)| IdentityChoice {
                identity: identity.to_owned(),
                is_regexp: false,
                issuer: issuer.to_owned(),
                signatures: n,
            }));
        }
    }
    choices
}

/// The longest common prefix of `refs`, cut after its last `/` (`refs/tags/`).
fn ref_prefix<'a>(refs: &[&'a str]) -> &'a str {
    let Some(first) = refs.first() else {
        return "";
    };
    let mut len = first.len();
    for r in &refs[1..] {
        len = first
            .char_indices()
            .zip(r.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    let common = &first[..len];
    common.rfind('/').map_or("", |i| &first[..=i])
}

#[cfg(test)]
mod tests {
    use super::*;

    const WF: &str = "https://github.com/acme/app/.github/workflows/release.yml";
    const GH: &str = "https://token.actions.githubusercontent.com";

    #[test]
    fn ci_identities_differing_only_in_their_ref_are_one_anchored_pattern() {
        let v1 = format!("{WF}@refs/tags/v1.0.0");
        let v2 = format!("{WF}@refs/tags/v1.1.0");
        let choices = identity_choices([
            (v1.as_str(), GH),
            (v2.as_str(), GH),
            (v2.as_str(), GH),
            ("alice@acme.example", "https://accounts.google.com"),
        ]);
        assert_eq!(choices.len(), 2, "{choices:#?}");
        let ci = choices.iter().find(|c| c.is_regexp).unwrap();
        assert_eq!(
            ci.identity,
            r"^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/.+$"
        );
        assert_eq!(ci.signatures, 3);
        let re = regex::Regex::new(&ci.identity).unwrap();
        assert!(re.is_match(&format!("{WF}@refs/tags/v9.9.9")));
        assert!(!re.is_match(&format!("{WF}@refs/heads/main")));
        assert!(!re.is_match(&format!("{WF}.evil@refs/tags/v1")));
        let human = choices.iter().find(|c| !c.is_regexp).unwrap();
        assert_eq!(human.identity, "alice@acme.example");
    }

    #[test]
    fn one_build_or_different_issuers_stay_exact() {
        let v1 = format!("{WF}@refs/tags/v1.0.0");
        let v2 = format!("{WF}@refs/heads/main");
        let choices = identity_choices([(v1.as_str(), GH), (v2.as_str(), "https://other.example")]);
        assert!(choices.iter().all(|c| !c.is_regexp), "{choices:#?}");
        assert_eq!(choices.len(), 2);
    }

    #[test]
    fn refs_of_different_kinds_share_only_refs_slash() {
        assert_eq!(ref_prefix(&["refs/tags/v1", "refs/heads/main"]), "refs/");
        assert_eq!(
            ref_prefix(&["refs/tags/v1.0", "refs/tags/v1.1"]),
            "refs/tags/"
        );
    }
}
