//! Drawing: reads the state, writes the frame, nothing else.

mod detail;
mod overlay;
mod signers;
mod tags;
mod theme;
mod tree;

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::layout::areas;
use super::state::{Focus, Listing, Overlay, SortKey, State, Verification};
pub use theme::Theme;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

pub fn draw(frame: &mut Frame<'_>, state: &State) {
    let theme = Theme { color: state.color };
    let size = frame.area();
    let a = areas(size.width, size.height);
    frame.render_widget(title(state, theme), a.title);
    tags::draw(frame, a.tags, state, theme);
    tree::draw(frame, a.tree, state, theme);
    detail::draw(frame, a.detail, state, theme);
    frame.render_widget(status(state, theme), a.status);
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help => overlay::help(frame, size, theme),
        Overlay::Verify(dialog) => overlay::verify(frame, size, state, dialog, theme),
        Overlay::Signers { matrix, scroll } => signers::draw(frame, size, matrix, *scroll, theme),
        Overlay::Copy(menu) => overlay::copy(frame, size, menu, theme),
    }
}

fn title(state: &State, theme: Theme) -> Line<'static> {
    let mut spans = vec![
        Span::styled(" sigscope ", theme.title()),
        Span::raw(state.source.clone()),
    ];
    if let Some(policy) = &state.policy {
        spans.push(Span::styled("  verifying for ", theme.dim()));
        spans.push(Span::styled(policy.describe(), theme.accent()));
    }
    Line::from(spans)
}

fn status(state: &State, theme: Theme) -> Line<'static> {
    let spin = SPINNER[usize::try_from(state.frame / 3).unwrap_or(0) % SPINNER.len()];
    let total = state.tags.len();
    let verifying = state
        .tags
        .iter()
        .filter(|t| matches!(t.verification, Verification::Running(_)))
        .count();
    let mut spans = match &state.listing {
        Listing::Loading => vec![Span::styled(
            format!(" {spin} listing tags…"),
            theme.accent(),
        )],
        Listing::Loaded { inspected } => vec![Span::styled(
            format!(" {spin} inspected {inspected}/{total}"),
            theme.accent(),
        )],
        Listing::Complete => vec![Span::styled(format!(" {total} tags"), theme.good())],
        Listing::Failed(e) => vec![Span::styled(format!(" tags: {e}"), theme.bad())],
    };
    if verifying > 0 {
        spans.push(Span::styled(
            format!("  {spin} verifying {verifying}"),
            theme.accent(),
        ));
    }
    let shown = state.visible().len();
    if !state.filter.text.is_empty() || state.filter.editing {
        let cursor = if state.filter.editing { "▏" } else { "" };
        spans.push(Span::styled(
            format!("  /{}{cursor} ({shown} shown)", state.filter.text),
            theme.warn(),
        ));
    }
    let sort = match state.sort {
        SortKey::Name => "name",
        SortKey::Date => "date",
    };
    spans.push(Span::styled(format!("  sort:{sort}"), theme.dim()));
    if let Some(m) = &state.message {
        spans.push(Span::styled(format!("  {m}"), theme.warn()));
    }
    let hint = match state.focus {
        Focus::Tags => "  ↑↓ tag  ⏎ open  / filter  v verify  s signers  y copy  ? help  q quit",
        Focus::Tree => "  ↑↓ node  → open  ← close  r raw  y copy  Tab detail  ? help  q quit",
        Focus::Detail => "  ↑↓ scroll  r raw  Tab tags  ? help  q quit",
    };
    spans.push(Span::styled(hint, theme.dim()));
    Line::from(spans)
}
