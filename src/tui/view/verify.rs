//! The verify dialog (`v`): the signer tabs, the pick list (most builds first, the signer in
//! force marked, odd ones flagged, scrolled with a hint), typed fields with their cursor, what
//! is verified, the trust in force, warnings and errors wrapped in full, then the selected
//! tag's checks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::Theme;
use super::detail::verdict_lines;
use super::overlay::{centered, framed, more};
use crate::tui::effect::SignerSpec;
use crate::tui::layout::dialog_rows;
use crate::tui::state::State;
use crate::tui::text_field::TextField;
use crate::tui::verify_dialog::{Choice, Field, Mode, VerifyDialog};
use crate::untrusted::printable;

pub fn verify(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &State,
    dialog: &VerifyDialog,
    theme: Theme,
) {
    // Narrow terminals give the dialog nearly all their width.
    let margin = if area.width < 100 { 2 } else { 8 };
    let rect = centered(
        area,
        area.width.saturating_sub(margin).max(40),
        area.height.saturating_sub(4).max(10),
    );
    let mut lines = vec![mode_tabs(dialog.mode, theme), Line::raw("")];
    let mut title_bottom = String::new();
    let mut list_at = None;
    let focus = |f: Field| {
        if dialog.field == f {
            theme.selected(true)
        } else {
            Style::new()
        }
    };
    let text_row = |label: &str, value: &TextField, f: Field| {
        let mut spans = vec![Span::styled(format!("  {label:<10} "), theme.accent())];
        if dialog.field == f {
            let (before, after) = value.split();
            spans.push(Span::styled(printable(before).into_owned(), focus(f)));
            spans.push(Span::styled("▏", focus(f)));
            spans.push(Span::styled(printable(after).into_owned(), focus(f)));
        } else {
            spans.push(Span::raw(printable(value.text()).into_owned()));
        }
        Line::from(spans)
    };
    match dialog.mode {
        Mode::Seen => {
            if dialog.choices.is_empty() {
                lines.push(Line::styled("  no signer seen yet", theme.warn()));
            }
            // Placed once the rest of the form is known (see below).
            list_at = Some(lines.len());
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
        Mode::Key => {
            lines.push(text_row("key file", &dialog.key_path, Field::KeyPath));
            lines.push(Line::styled(
                "  a PEM public key (cosign --key); ~ is your home folder",
                theme.dim(),
            ));
        }
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
        Span::raw(printable(&state.trust).into_owned()),
    ]));
    for warning in &state.trust_warnings {
        lines.push(Line::styled(
            format!("  ⚠ {}", printable(warning)),
            theme.warn(),
        ));
    }
    if let Some(warning) = dialog.warning() {
        lines.push(Line::styled(format!("  ⚠ {warning}"), theme.warn()));
    }
    if dialog.pending.is_some() {
        lines.push(Line::styled("  reading the key file…", theme.accent()));
    }
    if let Some(error) = &dialog.error {
        lines.push(Line::styled(format!("  ✗ {error}"), theme.bad()));
    }
    lines.push(Line::styled(
        "  Tab source  ↑↓ field  Space toggle  ⏎ verify every tag  Esc close",
        theme.dim(),
    ));
    // The pick list gets the rows the rest of the form leaves (a choice wrapped over two rows
    // counts twice), keeping three for the selected tag's checks and at most `dialog_rows`
    // choices: the evidence, the trust and the keys never scroll out of view, and a short
    // list is never cut while there is room.
    if let Some(at) = list_at {
        let width = usize::from(rect.width.saturating_sub(2)).max(1);
        let used: usize = lines
            .iter()
            .map(|l| super::fit::wrapped_rows(l, width))
            .sum();
        let budget = usize::from(rect.height.saturating_sub(2)).saturating_sub(used + 3);
        let choices: Vec<Line<'static>> = dialog
            .choices
            .iter()
            .enumerate()
            .map(|(i, choice)| choice_line(dialog, i, choice, theme))
            .collect();
        let heights: Vec<usize> = choices
            .iter()
            .map(|l| super::fit::wrapped_rows(l, width))
            .collect();
        let (top, shown) = window(&heights, dialog.selected, budget, dialog_rows(area.height));
        title_bottom = more(top, choices.len().saturating_sub(top + shown));
        lines.splice(at..at, choices.into_iter().skip(top).take(shown));
    }
    if let Some(tag) = state.selected_tag() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{}: checks, failures first", tag.name),
            theme.title(),
        ));
        lines.extend(verdict_lines(state, theme).into_iter().skip(1));
    }
    framed(
        frame,
        rect,
        lines,
        " verify every tag ",
        title_bottom,
        theme,
    );
}

/// The part of a list of items `heights` rows tall that fits in `budget` rows and `most`
/// items, with `selected` in it: its first item and how many are shown (at least one).
fn window(heights: &[usize], selected: usize, budget: usize, most: usize) -> (usize, usize) {
    let fits = |from: usize, to: usize| {
        to - from <= most.max(1) && heights[from..to].iter().sum::<usize>() <= budget
    };
    let selected = selected.min(heights.len().saturating_sub(1));
    // The first item that still lets the selected one show.
    let mut top = 0;
    while top < selected && !fits(top, selected + 1) {
        top += 1;
    }
    let mut end = (top + 1).min(heights.len());
    while end < heights.len() && fits(top, end + 1) {
        end += 1;
    }
    (top, end - top)
}

/// One signer of the pick list: who, how many builds, and a mark for the signer in force, the
/// majority's, and odd ones.
fn choice_line(dialog: &VerifyDialog, i: usize, choice: &Choice, theme: Theme) -> Line<'static> {
    let style = if i == dialog.selected && dialog.field == Field::Choice {
        theme.selected(true)
    } else if i == dialog.selected {
        theme.selected(false)
    } else {
        Style::new()
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
    let builds = match choice.signatures {
        0 => String::new(),
        1 => "  1 build".to_owned(),
        n => format!("  {n} builds"),
    };
    let top = dialog
        .choices
        .iter()
        .map(|c| c.signatures)
        .max()
        .unwrap_or(0);
    let majority = top > 0 && choice.signatures == top;
    let mut spans = vec![Span::styled(format!("  {}", printable(&who)), style)];
    spans.push(Span::styled(builds, theme.dim()));
    if choice.current {
        spans.push(Span::styled("  (in force)", theme.accent()));
    }
    if majority {
        spans.push(Span::styled("  (most builds)", theme.good()));
    }
    if choice.odd {
        spans.push(Span::styled(
            "  ⚠ odd one out",
            theme.bad().add_modifier(Modifier::BOLD),
        ));
    }
    Line::from(spans)
}

fn mode_tabs(mode: Mode, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(" signer: ", theme.dim())];
    for (m, label) in [
        (Mode::Seen, "seen on signatures"),
        (Mode::Typed, "typed identity"),
        (Mode::Key, "key file"),
    ] {
        let style = if m == mode {
            theme.title().add_modifier(Modifier::REVERSED)
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {label} "), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}
