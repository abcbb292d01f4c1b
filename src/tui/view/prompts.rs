//! The `:` prompt (open another repository, with history) and the message log (`!`): every
//! message and error of the session in full, wrapped, newest at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Theme;
use super::overlay::{centered, framed, more};
use crate::tui::prompt::OpenPrompt;
use crate::tui::state::State;
use crate::untrusted::printable;

pub fn open(frame: &mut Frame<'_>, area: Rect, state: &State, prompt: &OpenPrompt, theme: Theme) {
    let (before, after) = prompt.field.split();
    let mut lines = vec![Line::from(vec![
        Span::styled(" : ", theme.accent()),
        Span::raw(printable(before).into_owned()),
        Span::styled("▏", theme.accent()),
        Span::raw(printable(after).into_owned()),
    ])];
    if state.opening.is_some() {
        lines.push(Line::styled(" opening…", theme.accent()));
    }
    if let Some(error) = &prompt.error {
        lines.push(Line::styled(format!(" ✗ {error}"), theme.bad()));
    }
    let recent: Vec<&String> = state.history.iter().rev().take(5).collect();
    if !recent.is_empty() {
        lines.push(Line::styled(" opened before (↑↓):", theme.dim()));
        for target in recent {
            lines.push(Line::styled(
                format!("   {}", printable(target)),
                theme.dim(),
            ));
        }
    }
    lines.push(Line::styled(
        " a repository (registry/path) or oci:DIR; Enter opens, Esc closes",
        theme.dim(),
    ));
    let width = area.width.saturating_sub(8).clamp(40, 100);
    // Wrapped errors need rows: count them at the inner width.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    framed(
        frame,
        rect,
        lines,
        " open a repository ",
        String::new(),
        theme,
    );
}

pub fn messages(frame: &mut Frame<'_>, area: Rect, state: &State, scroll: usize, theme: Theme) {
    let rect = Rect::new(
        area.x,
        area.y.saturating_add(1),
        area.width,
        area.height.saturating_sub(2),
    );
    let rows = usize::from(rect.height.saturating_sub(2)).max(1);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if state.log.is_empty() {
        lines.push(Line::styled("no messages yet", theme.dim()));
    }
    // The selected message is the last one shown, whole: older ones above it as they fit.
    let inner = usize::from(rect.width.saturating_sub(2)).max(1);
    let last = scroll.min(state.log.len().saturating_sub(1));
    let mut first = if state.log.is_empty() { 0 } else { last + 1 };
    let mut used = 0;
    while first > 0 {
        let height = (state.log[first - 1].chars().count() + 4).div_ceil(inner);
        if used + height > rows && first <= last {
            break;
        }
        used += height;
        first -= 1;
    }
    for (i, text) in state
        .log
        .iter()
        .enumerate()
        .skip(first)
        .take(last + 1 - first)
    {
        let style = if i == last {
            theme.title()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>3} ", i + 1), theme.dim()),
            Span::styled(text.clone(), style),
        ]));
    }
    let below = state.log.len().saturating_sub(last + 1);
    let first = first.min(state.log.len());
    framed(
        frame,
        rect,
        lines,
        " messages and errors, in full (↑↓ PgUp PgDn, any other key closes) ",
        more(first, below),
        theme,
    );
}
