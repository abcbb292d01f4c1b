//! Connaisseur's rule patterns (`internal/config/config.go`, `internal/policy/match.go`): a
//! pattern is a gobwas glob with no separator (`*` crosses `/`), wrapped in `*…*` unless it
//! already starts or ends with one, matched against the image's full name
//! (`index.docker.io/library/nginx:1.25`); of the matching rules, the most specific applies:
//! more `/`-separated components, then, component by component from the left, the longer
//! common prefix with the image's component, then the longer component; a tie goes to the later
//! rule.

use regex::Regex;

use crate::policy::document::PolicyError;

/// One rule's pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub pattern: String,
    regex: Regex,
}

impl Pattern {
    /// Compiles `pattern` as Connaisseur does (`glob.MustCompile` after wrapping it in `*`); a
    /// pattern gobwas cannot compile is an error (Connaisseur would panic on it).
    pub fn compile(pattern: &str, at: &str) -> Result<Pattern, PolicyError> {
        let mut wrapped = pattern.to_owned();
        if !wrapped.starts_with('*') {
            wrapped.insert(0, '*');
        }
        if !wrapped.ends_with('*') {
            wrapped.push('*');
        }
        let body = glob_regex(&wrapped).map_err(|why| {
            PolicyError::refused(
                at,
                "Connaisseur",
                format!("pattern {pattern:?} is not a valid glob: {why}"),
            )
        })?;
        let regex = Regex::new(&format!("^(?s:{body})$")).map_err(|e| {
            PolicyError::refused(at, "Connaisseur", format!("pattern {pattern:?}: {e}"))
        })?;
        Ok(Pattern {
            pattern: pattern.to_owned(),
            regex,
        })
    }

    pub fn matches(&self, image: &str) -> bool {
        self.regex.is_match(image)
    }
}

/// gobwas/glob syntax without separators: `*` any run, `?` any character, `[abc]`, `[a-z]`,
/// `[!abc]` classes, `{a,b}` alternatives (nesting allowed), `\` escapes the next character.
fn glob_regex(glob: &str) -> Result<String, String> {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' => {
                i += 1;
                let next = chars.get(i).ok_or("a trailing escape")?;
                out.push_str(&regex::escape(&next.to_string()));
            }
            '[' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|c| *c == ']')
                    .ok_or("an unclosed [")?;
                let inner: String = chars[i + 1..i + 1 + close].iter().collect();
                let (negate, set) = match inner.strip_prefix('!') {
                    Some(rest) => (true, rest.to_owned()),
                    None => (false, inner),
                };
                if set.is_empty() {
                    return Err("an empty character class".into());
                }
                let escaped: String = set
                    .chars()
                    .map(|c| match c {
                        '\\' | '[' | ']' | '^' | '&' | '~' => format!("\\{c}"),
                        other => other.to_string(),
                    })
                    .collect();
                out.push('[');
                if negate {
                    out.push('^');
                }
                out.push_str(&escaped);
                out.push(']');
                i += close + 1;
            }
            '{' => {
                depth += 1;
                out.push_str("(?:");
            }
            ',' if depth > 0 => out.push('|'),
            '}' if depth > 0 => {
                depth -= 1;
                out.push(')');
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    if depth > 0 {
        return Err("an unclosed {".into());
    }
    Ok(out)
}

/// Specificity of a pattern for an image (`policy.NewMatch`).
struct Specificity {
    components: usize,
    lengths: Vec<usize>,
    prefixes: Vec<usize>,
}

fn specificity(pattern: &str, image: &str) -> Specificity {
    let components: Vec<&str> = pattern.split('/').collect();
    let image: Vec<&str> = image.split('/').collect();
    let common = |a: &str, b: &str| {
        a.chars()
            .zip(b.chars())
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| x.len_utf8())
            .sum::<usize>()
    };
    Specificity {
        components: components.len(),
        lengths: components.iter().map(|c| c.len()).collect(),
        prefixes: components
            .iter()
            .enumerate()
            .map(|(i, c)| common(c, image.get(i).copied().unwrap_or("")))
            .collect(),
    }
}

/// Whether `a` is at least as specific as `b` (`Match.Compare`, which keeps `a` on a tie).
fn at_least_as_specific(a: &Specificity, b: &Specificity) -> bool {
    if a.components != b.components {
        return a.components > b.components;
    }
    for (x, y) in a.prefixes.iter().zip(&b.prefixes) {
        if x != y {
            return x > y;
        }
    }
    for (x, y) in a.lengths.iter().zip(&b.lengths) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// The index of the most specific of `patterns` (all matching `image`), as
/// `Config.MatchingRule` folds them: each matching rule is compared with the best so far and
/// wins ties, so the later of two equally specific rules applies.
pub fn most_specific(patterns: &[&Pattern], image: &str) -> Option<usize> {
    let mut best: Option<(usize, Specificity)> = None;
    for (i, p) in patterns.iter().enumerate() {
        let s = specificity(&p.pattern, image);
        best = match best {
            Some((j, b)) if !at_least_as_specific(&s, &b) => Some((j, b)),
            _ => Some((i, s)),
        };
    }
    best.map(|(i, _)| i)
}

/// The more specific of two patterns for `image`: `true` when `first` wins, as
/// `NewMatch(first).Compare(NewMatch(second))` decides (the first wins a tie).
pub fn first_is_more_specific(first: &str, second: &str, image: &str) -> bool {
    at_least_as_specific(&specificity(first, image), &specificity(second, image))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::any("*:*", "index.docker.io/library/nginx:1", true)]
    #[case::wrapped("docker.io/*:*", "index.docker.io/library/nginx:1", true)]
    #[case::suffix_free("my.registry/test", "my.registry/test:tag", true)]
    #[case::star_crosses_slash("docker.io/*", "index.docker.io/a/b/c:1", true)]
    #[case::question("app:v?", "r.example/app:v1", true)]
    #[case::class("app:v[0-9]", "r.example/app:v7", true)]
    #[case::negated_class("app:v[!0-9]", "r.example/app:v7", false)]
    #[case::alternatives("{ghcr.io,quay.io}/acme/*", "quay.io/acme/app:1", true)]
    #[case::other("quay.io/*", "ghcr.io/acme/app:1", false)]
    fn patterns_match_like_gobwas_wrapped_in_stars(
        #[case] pattern: &str,
        #[case] image: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(
            Pattern::compile(pattern, "p").unwrap().matches(image),
            expected
        );
    }

    #[rstest]
    #[case::unclosed_class("app:[v")]
    #[case::unclosed_brace("{a,b")]
    fn invalid_globs_are_refused(#[case] pattern: &str) {
        let err = Pattern::compile(pattern, "policy[0].pattern").unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
    }
}
