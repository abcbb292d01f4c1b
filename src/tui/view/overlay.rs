//! Overlays: the help (`?`), the verify dialog (`v`) and the copy menu (`y`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::Theme;
use super::detail::verdict_lines;
use crate::tui::copy_menu::CopyMenu;
use crate::tui::effect::SignerSpec;
use crate::tui::state::State;
use crate::tui::verify_dialog::{Field, Mode, VerifyDialog};

const KEYS: &[(&str, &str)] = &[
    ("q, Ctrl-C", "quit"),
    ("↑ ↓  j k", "move"),
    ("→ ←  l h", "open / close a node; into and out of the tree"),
    ("Enter", "open the tag's artifacts; toggle a node"),
    ("Tab, Shift-Tab", "next / previous pane"),
    ("Esc", "clear the filter; back to the tags"),
    ("/", "filter tags by name (Enter keeps it, Esc clears)"),
    ("o", "order tags by name or by date"),
    ("r", "raw JSON of the selected node"),
    (
        "v",
        "verify every tag: a signer seen, a typed identity, or a key",
    ),
    ("s", "signers across builds; the odd ones highlighted"),
    ("y", "copy: digest, reference, signer identity, raw value"),
    ("R", "reload"),
    ("mouse", "wheel scrolls, click selects"),
    ("?", "this help"),
];

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

pub fn help(frame: &mut Frame<'_>, area: Rect, theme: Theme) {
    let lines: Vec<Line<'static>> = KEYS
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<16}"), theme.accent()),
                Span::raw(*what),
            ])
        })
        .collect();
    let rect = centered(area, 70, u16::try_from(lines.len()).unwrap_or(20) + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(" keys (any key closes) "),
        ),
        rect,
    );
}

pub fn verify(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &State,
    dialog: &VerifyDialog,
    theme: Theme,
) {
    let rect = centered(
        area,
        area.width.saturating_sub(8).max(40),
        area.height.saturating_sub(4).max(10),
    );
    let mut lines = vec![mode_tabs(dialog.mode, theme), Line::raw("")];
    let focus = |f: Field| {
        if dialog.field == f {
            theme.selected(true)
        } else {
            ratatui::style::Style::new()
        }
    };
    let text_row = |label: &str, value: &str, f: Field| {
        let cursor = if dialog.field == f { "▏" } else { "" };
        Line::from(vec![
            Span::styled(format!("  {label:<10} "), theme.accent()),
            Span::styled(
                format!("{}{cursor}", crate::untrusted::printable(value)),
                focus(f),
            ),
        ])
    };
    match dialog.mode {
        Mode::Seen => {
            if dialog.choices.is_empty() {
                lines.push(Line::styled("  no signer seen yet", theme.warn()));
            }
            for (i, choice) in dialog.choices.iter().enumerate() {
                let style = if i == dialog.selected && dialog.field == Field::Choice {
                    theme.selected(true)
                } else if i == dialog.selected {
                    theme.selected(false)
                } else {
                    ratatui::style::Style::new()
                };
                let who = match &choice.signer {
                    SignerSpec::Identity {
                        identity,
                        identity_is_regexp,
                        issuer,
                    } => {
                        let id = if *identity_is_regexp {
                            format!("/{identity}/")
                        } else {
                            identity.clone()
                        };
                        format!("{id} from {issuer}")
                    }
                    SignerSpec::KeyFile(p) => format!("key {}", p.display()),
                    SignerSpec::NotationPolicy { .. } => {
                        "Notation trust policy ($XDG_CONFIG_HOME/notation)".to_owned()
                    }
                };
                let count = match choice.signatures {
                    0 => "  (current)".to_owned(),
                    1 => "  (1 signature)".to_owned(),
                    n => format!("  ({n} signatures)"),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {}", crate::untrusted::printable(&who)), style),
                    Span::styled(count, theme.dim()),
                ]));
            }
        }
        Mode::Typed => {
            lines.push(text_row("identity", &dialog.identity, Field::Identity));
            lines.push(text_row("issuer", &dialog.issuer, Field::Issuer));
            let how = if dialog.regexp {
                "regexp (cosign --certificate-identity-regexp)"
            } else {
                "exact (cosign --certificate-identity)"
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<10} ", "match"), theme.accent()),
                Span::styled(format!("‹ {how} ›"), focus(Field::Matching)),
            ]));
        }
        Mode::Key => lines.push(text_row("key file", &dialog.key_path, Field::KeyPath)),
    }
    let notation = dialog.mode == Mode::Seen
        && matches!(
            dialog.choices.get(dialog.selected).map(|c| &c.signer),
            Some(SignerSpec::NotationPolicy { .. })
        );
    let what = if notation {
        "Notary Project signatures (notation verify)"
    } else if dialog.attestations {
        "attestations (cosign verify-attestation)"
    } else {
        "signatures (cosign verify)"
    };
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<10} ", "verify"), theme.accent()),
        Span::styled(format!("‹ {what} ›"), focus(Field::Evidence)),
    ]));
    if dialog.attestations {
        let mut row = text_row("type", &dialog.predicate, Field::Predicate);
        if dialog.predicate.is_empty() {
            row.spans
                .push(Span::styled(" any predicate type", theme.dim()));
        }
        lines.push(row);
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<10} ", "trust"), theme.accent()),
        Span::raw(crate::untrusted::printable(&state.trust).into_owned()),
    ]));
    for warning in &state.trust_warnings {
        lines.push(Line::styled(
            format!("  ⚠ {}", crate::untrusted::printable(warning)),
            theme.warn(),
        ));
    }
    if let Some(warning) = dialog.warning() {
        lines.push(Line::styled(format!("  ⚠ {warning}"), theme.warn()));
    }
    if let Some(error) = &dialog.error {
        lines.push(Line::styled(format!("  ✗ {error}"), theme.bad()));
    }
    lines.push(Line::styled(
        "  Tab source  ↑↓ field  Space toggle  Enter verify every tag  Esc close",
        theme.dim(),
    ));
    if let Some(tag) = state.selected_tag() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{}: checks, failures first", tag.name),
            theme.title(),
        ));
        lines.extend(verdict_lines(state, theme).into_iter().skip(1));
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(" verify every tag "),
        ),
        rect,
    );
}

fn mode_tabs(mode: Mode, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(" signer: ", theme.dim())];
    for (m, label) in [
        (Mode::Seen, "seen on signatures"),
        (Mode::Typed, "typed identity"),
        (Mode::Key, "key file"),
    ] {
        let style = if m == mode {
            theme
                .title()
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {label} "), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

pub fn copy(frame: &mut Frame<'_>, area: Rect, menu: &CopyMenu, theme: Theme) {
    let mut lines = Vec::new();
    for (i, entry) in menu.entries.iter().enumerate() {
        let style = if i == menu.selected {
            theme.selected(true)
        } else {
            ratatui::style::Style::new()
        };
        let (preview, preview_style) = match &entry.text {
            Ok(t) => (t.lines().next().unwrap_or_default().to_owned(), theme.dim()),
            Err(why) => (format!("({why})"), theme.warn()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<32}", entry.kind.label()), style),
            Span::styled(format!(" {preview}"), preview_style),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " ↑↓ choose  Enter copy  Esc close",
        theme.dim(),
    ));
    let rect = centered(
        area,
        area.width.saturating_sub(8).min(110),
        u16::try_from(lines.len()).unwrap_or(8) + 2,
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(" copy "),
        ),
        rect,
    );
}
