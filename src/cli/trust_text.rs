//! `trust show` and `trust update` as text, and the listing both print as JSON: every CA, log,
//! CT log and TSA of the trusted root with its validity window.

use std::io::Write as _;

use serde::Serialize;

use sigscope::trust::tuf::{Freshness, RoleState, TufState};
use sigscope::trust::{
    CertificateAuthority, Provenance, ResolvedTrust, TransparencyLog, TrustedRoot, ValidFor,
};
use sigscope::untrusted::printable;

/// A validity window as RFC 3339 times (`end` absent: still valid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start: Option<String>,
    pub end: Option<String>,
}

fn rfc3339(unix: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
}

impl Window {
    fn of(v: ValidFor) -> Window {
        Window {
            start: (v.start != i64::MIN).then(|| rfc3339(v.start)).flatten(),
            end: v.end.and_then(rfc3339),
        }
    }

    fn text(&self) -> String {
        format!(
            "{} → {}",
            self.start.as_deref().unwrap_or("always"),
            self.end.as_deref().unwrap_or("open")
        )
    }
}

/// One CA or TSA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorityView {
    pub uri: String,
    pub common_name: String,
    pub certificates: usize,
    pub valid_for: Window,
}

/// One transparency or CT log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogView {
    pub base_url: String,
    pub log_id: String,
    pub key: String,
    pub valid_for: Window,
}

/// Everything a trusted root trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootView {
    pub certificate_authorities: Vec<AuthorityView>,
    pub tlogs: Vec<LogView>,
    pub ctlogs: Vec<LogView>,
    pub timestamp_authorities: Vec<AuthorityView>,
}

fn authorities(list: &[CertificateAuthority]) -> Vec<AuthorityView> {
    list.iter()
        .map(|a| AuthorityView {
            uri: a.uri.clone(),
            common_name: a.common_name.clone(),
            certificates: a.chain_der.len(),
            valid_for: Window::of(a.valid_for),
        })
        .collect()
}

fn logs(list: &[TransparencyLog]) -> Vec<LogView> {
    list.iter()
        .map(|l| LogView {
            base_url: l.base_url.clone(),
            log_id: hex::encode(&l.log_id),
            key: match &l.key {
                Ok(_) => l.key_details.clone(),
                Err(e) => format!("unusable: {e}"),
            },
            valid_for: Window::of(l.valid_for),
        })
        .collect()
}

impl RootView {
    pub fn of(root: &TrustedRoot) -> RootView {
        RootView {
            certificate_authorities: authorities(&root.certificate_authorities),
            tlogs: logs(&root.tlogs),
            ctlogs: logs(&root.ctlogs),
            timestamp_authorities: authorities(&root.timestamp_authorities),
        }
    }

    /// `(kind, line)` for every entry, for listing and for comparing two roots.
    fn entries(&self) -> Vec<(&'static str, String)> {
        let authority = |a: &AuthorityView| {
            let name = if a.common_name.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.common_name)
            };
            format!("{}{name}  {}", a.uri, a.valid_for.text())
        };
        let log = |l: &LogView| {
            format!(
                "{}  {}  log id {}…  {}",
                l.base_url,
                l.key,
                l.log_id.get(..16).unwrap_or(&l.log_id),
                l.valid_for.text()
            )
        };
        let mut out = Vec::new();
        out.extend(
            self.certificate_authorities
                .iter()
                .map(|a| ("certificate authority", authority(a))),
        );
        out.extend(self.tlogs.iter().map(|l| ("transparency log", log(l))));
        out.extend(self.ctlogs.iter().map(|l| ("CT log", log(l))));
        out.extend(
            self.timestamp_authorities
                .iter()
                .map(|a| ("timestamp authority", authority(a))),
        );
        out
    }
}

fn plural(kind: &str) -> String {
    match kind.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{kind}s"),
    }
}

fn role_line(name: &str, role: &RoleState) -> String {
    format!(
        "  {name:<10} v{:<6} expires {}",
        role.version,
        rfc3339(role.expires).unwrap_or_default()
    )
}

fn tuf_lines(state: &TufState) -> Vec<String> {
    vec![
        role_line("root", &state.root),
        role_line("targets", &state.targets),
        role_line("snapshot", &state.snapshot),
        role_line("timestamp", &state.timestamp),
        format!("  trusted_root.json sha256 {}", state.trusted_root_sha256),
    ]
}

fn provenance_lines(resolved: &ResolvedTrust) -> Vec<String> {
    let mut lines = vec![format!("trusted root: {}", resolved.root.source)];
    match &resolved.provenance {
        Provenance::File { path } => lines.push(format!("  from file {path}")),
        Provenance::Tuf {
            instance,
            bootstrap,
            freshness,
            cache,
            state,
        } => {
            let name = instance
                .map(|i| format!(" ({})", i.name()))
                .unwrap_or_default();
            lines.push(format!("  from TUF mirror {}{name}", state.mirror));
            lines.push(format!("  chain started from {bootstrap}"));
            let how = match freshness {
                Freshness::Refreshed => "refreshed from the mirror now",
                Freshness::Cached => "from the cache, still current",
                Freshness::Stale => "from the cache, some of its metadata expired since",
            };
            lines.push(format!(
                "  {how}; last refreshed {}",
                rfc3339(state.refreshed_at).unwrap_or_default()
            ));
            if let Some(cache) = cache {
                lines.push(format!("  cache {cache}"));
            }
            lines.extend(tuf_lines(state));
        }
        Provenance::Embedded { instance, reason } => lines.push(format!(
            "  the embedded {} trusted root ({reason})",
            instance.name()
        )),
    }
    if !resolved.cosign_variables.is_empty() {
        lines.push(format!(
            "  parts replaced by {}",
            resolved.cosign_variables.join(", ")
        ));
    }
    lines
}

fn print_lines(lines: &[String]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{}", printable(line))?;
    }
    Ok(())
}

pub fn print_show(resolved: &ResolvedTrust) -> anyhow::Result<()> {
    let mut lines = provenance_lines(resolved);
    let view = RootView::of(&resolved.root);
    let mut kind = "";
    for (k, line) in view.entries() {
        if k != kind {
            lines.push(String::new());
            lines.push(format!("{}:", plural(k)));
            kind = k;
        }
        lines.push(format!("  {line}"));
    }
    print_lines(&lines)
}

pub fn print_update(resolved: &ResolvedTrust, changes: &[String]) -> anyhow::Result<()> {
    let mut lines = provenance_lines(resolved);
    lines.push(String::new());
    if changes.is_empty() {
        lines.push("nothing changed since the last refresh".into());
    } else {
        lines.push("changed:".into());
        lines.extend(changes.iter().map(|c| format!("  {c}")));
    }
    print_lines(&lines)
}

/// What a refresh changed, compared with the cache as last verified.
pub fn changes(before: Option<&(TrustedRoot, TufState)>, after: &ResolvedTrust) -> Vec<String> {
    let Provenance::Tuf { state, .. } = &after.provenance else {
        return Vec::new();
    };
    let Some((old_root, old)) = before else {
        return vec![format!(
            "first refresh: root v{}, targets v{}, snapshot v{}, timestamp v{}",
            state.root.version,
            state.targets.version,
            state.snapshot.version,
            state.timestamp.version
        )];
    };
    let mut out = Vec::new();
    for (name, was, now) in [
        ("root", old.root, state.root),
        ("targets", old.targets, state.targets),
        ("snapshot", old.snapshot, state.snapshot),
        ("timestamp", old.timestamp, state.timestamp),
    ] {
        if was.version != now.version {
            out.push(format!("{name} v{} → v{}", was.version, now.version));
        }
    }
    if old.trusted_root_sha256 != state.trusted_root_sha256 {
        out.push(format!(
            "trusted_root.json sha256 {} → {}",
            old.trusted_root_sha256, state.trusted_root_sha256
        ));
        let (was, now) = (
            RootView::of(old_root).entries(),
            RootView::of(&after.root).entries(),
        );
        out.extend(
            now.iter()
                .filter(|e| !was.contains(e))
                .map(|(k, l)| format!("+ {k} {l}")),
        );
        out.extend(
            was.iter()
                .filter(|e| !now.contains(e))
                .map(|(k, l)| format!("- {k} {l}")),
        );
    }
    out
}
