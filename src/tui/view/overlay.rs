//! Overlays: the help (`?`) and the verify dialog (`v`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::Theme;
use super::detail::verdict_lines;
use crate::tui::state::State;
use crate::tui::verify_dialog::VerifyDialog;

const KEYS: &[(&str, &str)] = &[
    ("q, Ctrl-C", "quit"),
    ("↑ ↓  j k", "move"),
    ("→ ←  l h", "open / close a node; into and out of the tree"),
    ("Enter", "open the tag's artifacts; toggle a node"),
    ("Tab, Shift-Tab", "next / previous pane"),
    ("Esc", "clear the filter; back to the tags"),
    ("/", "filter tags by name (Enter keeps it, Esc clears)"),
    ("s", "sort by name or by date"),
    ("r", "raw JSON of the selected node"),
    ("v", "verify every tag for a signer"),
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
    let mut lines = vec![Line::styled(
        "Verify every tag for (↑↓ choose, Enter verify, Esc close):",
        theme.dim(),
    )];
    if dialog.choices.is_empty() {
        lines.push(Line::styled("  no signer seen yet", theme.warn()));
    }
    for (i, spec) in dialog.choices.iter().enumerate() {
        let style = if i == dialog.selected {
            theme.selected(true)
        } else {
            ratatui::style::Style::new()
        };
        let text = crate::untrusted::printable(&spec.describe()).into_owned();
        lines.push(Line::styled(format!("  {text}"), style));
    }
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
                .title(" verify "),
        ),
        rect,
    );
}
