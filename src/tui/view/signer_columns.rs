//! The signer view's columns: their widths at each terminal width, and values shortened so the
//! part that tells signers apart stays: an identity keeps its host, organisation and repository
//! (`github.com/acme-evil/app/…/release.yml`), never just its end.

use ratatui::layout::Constraint;

use crate::untrusted::printable;

/// A value as shown: printable, without the URL scheme (the column says what it is).
pub fn shown(value: &str) -> String {
    let v = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .unwrap_or(value);
    printable(v).into_owned()
}

/// `value` in at most `width` characters, keeping its start (`token.actions.github…`).
pub fn head(value: &str, width: usize) -> String {
    if value.chars().count() <= width || width == 0 {
        return value.to_owned();
    }
    let kept: String = value.chars().take(width - 1).collect();
    format!("{kept}…")
}

/// `value` in at most `width` characters, keeping its end (a git ref: `…tags/v1.2.0`).
pub fn tail(value: &str, width: usize) -> String {
    let n = value.chars().count();
    if n <= width || width == 0 {
        return value.to_owned();
    }
    let kept: String = value.chars().skip(n - width + 1).collect();
    format!("…{kept}")
}

/// An identity or repository path in at most `width` characters, keeping what tells one signer
/// from another: the first three segments (host, organisation, repository) and the last one,
/// the middle elided; when even that is too long, the host goes; then its start is kept.
pub fn path(value: &str, width: usize) -> String {
    let n = value.chars().count();
    if n <= width || width == 0 {
        return value.to_owned();
    }
    let segments: Vec<&str> = value.split('/').collect();
    if segments.len() > 4 {
        let last = segments[segments.len() - 1];
        let candidates = [
            format!("{}/…/{last}", segments[..3].join("/")),
            format!("{}/…/{last}", segments[1..3].join("/")),
            format!("{}/…", segments[1..3].join("/")),
        ];
        if let Some(c) = candidates.into_iter().find(|c| c.chars().count() <= width) {
            return c;
        }
    }
    head(value, width)
}

/// Column widths: tag, identity, issuer, then (wide) source, ref, commit, runner, trigger.
pub struct Widths {
    pub wide: bool,
    pub tag: usize,
    pub identity: usize,
    pub issuer: usize,
    pub source: usize,
    pub git_ref: usize,
    pub trigger: usize,
}

impl Widths {
    pub fn new(inner: u16) -> Widths {
        let inner = usize::from(inner);
        if inner >= 158 {
            // 160 columns and more: the issuer and the repository whole, the rest to identities.
            // tag 12, issuer 35, source 26, ref 14, commit 7, runner 13, trigger 8, 7 gaps.
            let identity = inner
                .saturating_sub(12 + 35 + 26 + 14 + 7 + 13 + 8 + 7)
                .max(30);
            Widths {
                wide: true,
                tag: 12,
                identity,
                issuer: 35,
                source: 26,
                git_ref: 14,
                trigger: 8,
            }
        } else if inner >= 108 {
            // tag 11, issuer 18, source 15, ref 12, commit 7, runner 13, trigger 7, 7 gaps.
            let identity = inner
                .saturating_sub(11 + 18 + 15 + 12 + 7 + 13 + 7 + 7)
                .max(12);
            Widths {
                wide: true,
                tag: 11,
                identity,
                issuer: 18,
                source: 15,
                git_ref: 12,
                trigger: 7,
            }
        } else {
            let identity = inner.saturating_sub(10 + 20 + 13 + 3).max(10);
            Widths {
                wide: false,
                tag: 10,
                identity,
                issuer: 20,
                source: 0,
                git_ref: 0,
                trigger: 0,
            }
        }
    }

    pub fn constraints(&self) -> Vec<Constraint> {
        let len = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
        let mut out = vec![len(self.tag), len(self.identity), len(self.issuer)];
        if self.wide {
            out.extend([len(self.source), len(self.git_ref), len(7)]);
        }
        out.push(len(13));
        if self.wide {
            out.push(len(self.trigger));
        }
        out
    }

    pub fn header(&self) -> Vec<&'static str> {
        if self.wide {
            vec![
                "TAG",
                "IDENTITY",
                "ISSUER",
                "SOURCE REPO",
                "REF",
                "COMMIT",
                "RUNNER",
                "TRIGGER",
            ]
        } else {
            vec!["TAG", "IDENTITY", "ISSUER", "RUNNER"]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortened_identity_keeps_its_organisation() {
        let evil = "github.com/acme-evil/app/.github/workflows/release.yml";
        assert_eq!(path(evil, 80), evil);
        assert_eq!(path(evil, 40), "github.com/acme-evil/app/…/release.yml");
        assert_eq!(path(evil, 30), "acme-evil/app/…/release.yml");
        assert_eq!(path(evil, 16), "acme-evil/app/…");
        assert_eq!(path(evil, 10), "github.co…");
        assert_eq!(path("alice@acme.example", 10), "alice@acm…");
        assert_eq!(tail("refs/tags/v1.10.0", 10), "…s/v1.10.0");
    }
}
