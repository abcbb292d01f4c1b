//! The detail pane: the selected node's fields (or its raw JSON with `r`), and how it was found.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::Theme;
use crate::tui::state::{Focus, State, Verification};
use crate::verify::check::Outcome;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let focused = state.focus == Focus::Detail;
    let mode = if state.raw { "raw" } else { "fields" };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(format!(" detail ({mode}) "));
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(node) = state.selected_node() {
        lines.push(Line::from(Span::styled(node.label.clone(), theme.title())));
        lines.push(Line::from(vec![
            Span::styled("found via ", theme.dim()),
            Span::raw(node.how.clone()),
        ]));
        if state.raw {
            lines.extend(node.raw.iter().map(|l| Line::raw(l.clone())));
        } else {
            let width = node
                .fields
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0)
                .min(14);
            for (k, v) in &node.fields {
                lines.push(Line::from(vec![
                    Span::styled(format!("{k:<width$} "), theme.accent()),
                    Span::raw(v.clone()),
                ]));
            }
        }
        if state.tree.selected.len() == 1 {
            lines.extend(verdict_lines(state, theme));
        }
    } else if let Some(tag) = state.selected_tag() {
        lines.push(Line::raw(format!("{}: nothing to show yet", tag.name)));
    }
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((state.detail_scroll, 0))
        .block(block);
    frame.render_widget(paragraph, area);
}

/// The selected tag's verification: outcome, then each signature's checks, failures first.
pub fn verdict_lines(state: &State, theme: Theme) -> Vec<Line<'static>> {
    let Some(tag) = state.selected_tag() else {
        return Vec::new();
    };
    let mut lines = vec![Line::raw("")];
    match &tag.verification {
        Verification::NotRequested => {
            lines.push(Line::styled(
                "not verified yet: press v to pick a signer",
                theme.dim(),
            ));
        }
        Verification::Running(_) => lines.push(Line::styled("verifying…", theme.dim())),
        Verification::Failed(e) => {
            lines.push(Line::styled(format!("could not verify: {e}"), theme.warn()))
        }
        Verification::Done(v) => {
            let (text, style) = match &v.outcome {
                crate::verify::report::ImageOutcome::Verified(_) => {
                    ("VERIFIED".to_owned(), theme.good())
                }
                crate::verify::report::ImageOutcome::NotVerified { reason } => {
                    (format!("NOT VERIFIED  {reason}"), theme.bad())
                }
                crate::verify::report::ImageOutcome::CouldNotCheck { reason } => {
                    (format!("COULD NOT CHECK  {reason}"), theme.warn())
                }
                crate::verify::report::ImageOutcome::Skipped { reason } => {
                    (format!("SKIPPED  {reason}"), theme.warn())
                }
            };
            lines.push(Line::styled(
                crate::untrusted::printable(&text).into_owned(),
                style,
            ));
            for (i, sig) in v.signatures.iter().enumerate() {
                let signer = sig.signer.as_deref().unwrap_or("unknown signer");
                lines.push(Line::raw(
                    crate::untrusted::printable(&format!(
                        "signature {} of {} ({}): {signer}",
                        i + 1,
                        v.signatures.len(),
                        sig.found_via
                    ))
                    .into_owned(),
                ));
                let mut checks: Vec<_> = sig.checks.0.iter().collect();
                checks.sort_by_key(|c| c.outcome.rank());
                for c in checks {
                    let (mark, style, text) = match &c.outcome {
                        Outcome::Passed { detail } => ("✓", theme.good(), detail.clone()),
                        Outcome::Failed { reason, .. } => ("✗", theme.bad(), reason.clone()),
                        Outcome::Skipped { why } => ("-", theme.warn(), why.clone()),
                        Outcome::NotUnderstood { reason } => {
                            ("?", theme.warn(), format!("not understood: {reason}"))
                        }
                        Outcome::Logged { reason, .. } => {
                            ("!", theme.warn(), format!("logged: {reason}"))
                        }
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {mark} {:<14} ", c.name), style),
                        Span::raw(crate::untrusted::printable(&text).into_owned()),
                    ]));
                    if let Outcome::Failed {
                        expected: Some(expected),
                        actual: Some(actual),
                        ..
                    }
                    | Outcome::Logged {
                        expected: Some(expected),
                        actual: Some(actual),
                        ..
                    } = &c.outcome
                    {
                        // Expected over actual, aligned, so the difference reads at a glance.
                        lines.push(Line::from(vec![
                            Span::styled("      expected ", theme.dim()),
                            Span::styled(
                                crate::untrusted::printable(expected).into_owned(),
                                theme.good(),
                            ),
                        ]));
                        lines.push(Line::from(vec![
                            Span::styled("      actual   ", theme.dim()),
                            Span::styled(
                                crate::untrusted::printable(actual).into_owned(),
                                theme.bad(),
                            ),
                        ]));
                    }
                }
            }
        }
    }
    lines
}
