//! Overlays: the help (`?`) and the copy menu (`y`); the verify dialog is in `verify.rs`, the
//! `:` prompt and the message log in `prompts.rs`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Theme;
use crate::tui::copy_menu::CopyMenu;

const KEYS: &[(&str, &str)] = &[
    ("q, Ctrl-C", "quit"),
    ("↑ ↓  j k", "move (in every pane, list and dialog)"),
    ("PgUp PgDn", "a page up / down"),
    ("g G  Home End", "to the top / the bottom"),
    ("→ ←  l h", "open / close a node; into and out of the tree"),
    ("Enter", "open the tag's artifacts; toggle a node"),
    ("Tab, Shift-Tab", "next / previous pane"),
    ("Esc", "clear the filter; back to the tags; close"),
    (
        "/",
        "filter: words all match; a name part, a state (unsigned,",
    ),
    (
        "",
        "  failed, verified, unchecked, error, orphan…), sha256:…,",
    ),
    (
        "",
        "  signer:…, tag:…; !word excludes; Enter keeps, Esc clears",
    ),
    (
        "o  O",
        "sort by name, date, digest, platforms, state; reverse",
    ),
    ("r", "raw JSON of the selected node"),
    (
        "v",
        "verify every tag: a signer seen (most builds first), a typed",
    ),
    ("", "  identity, or a key file; signatures or attestations"),
    (
        "s",
        "signers across builds, every signature; odd ones marked;",
    ),
    ("", "  Enter verifies every tag for the selected signer"),
    ("y", "copy: digest, reference, identity, raw value, cosign"),
    ("", "  command line, ClusterImagePolicy, Kyverno policy"),
    (":", "open another repository (↑↓ history)"),
    ("!", "every message and error of the session, in full"),
    ("R", "reload"),
    (
        "text fields",
        "Ctrl-A/E start/end, Ctrl-U/K/W delete, ←→, paste",
    ),
    ("mouse", "wheel scrolls, click selects"),
    ("?", "this help"),
];

/// Lines of the help, for scrolling.
pub const HELP_LINES: usize = KEYS.len();

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// A block's title naming what is above and below the rows shown (`↑3 ↓12`).
pub(super) fn more(above: usize, below: usize) -> String {
    match (above, below) {
        (0, 0) => String::new(),
        (a, 0) => format!(" ↑{a} more "),
        (0, b) => format!(" ↓{b} more "),
        (a, b) => format!(" ↑{a} ↓{b} more "),
    }
}

/// Draws `lines`, wrapped, in a bordered box over whatever is under `rect`: `title` on top,
/// `bottom` (a scroll hint, or empty) below.
pub(super) fn framed(
    frame: &mut Frame<'_>,
    rect: Rect,
    lines: Vec<Line<'static>>,
    title: &str,
    bottom: String,
    theme: Theme,
) {
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .title(title.to_owned())
                    .title_bottom(bottom),
            ),
        rect,
    );
}

pub fn help(frame: &mut Frame<'_>, area: Rect, scroll: usize, theme: Theme) {
    // Between the title and the status line, which stay readable.
    let body = Rect::new(
        area.x,
        area.y.saturating_add(1),
        area.width,
        area.height.saturating_sub(2),
    );
    let height = u16::try_from(KEYS.len()).unwrap_or(30) + 2;
    let rect = centered(body, 78, height);
    let rows = usize::from(rect.height.saturating_sub(2));
    let top = scroll.min(KEYS.len().saturating_sub(rows));
    let lines: Vec<Line<'static>> = KEYS
        .iter()
        .skip(top)
        .take(rows)
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<15}"), theme.accent()),
                Span::raw(*what),
            ])
        })
        .collect();
    let below = KEYS.len().saturating_sub(top + rows);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(" keys (↑↓ PgUp PgDn scroll, any other key closes) ")
                .title_bottom(more(top, below)),
        ),
        rect,
    );
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
