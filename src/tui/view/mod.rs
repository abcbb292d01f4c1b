//! Drawing: reads the state, writes the frame, nothing else.

mod detail;
mod fit;
mod overlay;
mod prompts;
mod signer_columns;
mod signers;
mod tags;
mod theme;
mod tree;
mod verify;

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::layout::areas;
use super::state::{Focus, Level, Listing, Overlay, State, Verification};
pub use overlay::HELP_LINES;
pub use theme::{Palette, Theme};

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

pub fn draw(frame: &mut Frame<'_>, state: &State) {
    let theme = Theme {
        color: state.color,
        palette: state.palette,
    };
    let size = frame.area();
    let a = areas(size.width, size.height);
    frame.render_widget(title(state, theme, a.title.width), a.title);
    tags::draw(frame, a.tags, state, theme);
    tree::draw(frame, a.tree, state, theme);
    detail::draw(frame, a.detail, state, theme);
    frame.render_widget(status(state, theme, a.status.width), a.status);
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => overlay::help(frame, size, *scroll, theme),
        Overlay::Verify(dialog) => verify::verify(frame, size, state, dialog, theme),
        Overlay::Signers(view) => signers::draw(frame, size, view, theme),
        Overlay::Copy(menu) => overlay::copy(frame, size, menu, theme),
        Overlay::Open(prompt) => prompts::open(frame, size, state, prompt, theme),
        Overlay::Messages { scroll } => prompts::messages(frame, size, state, *scroll, theme),
    }
}

/// ` sigscope SOURCE  verifying for WHO` (`checked for WHO` once every tag is done), shortened
/// at a word boundary to fit.
fn title(state: &State, theme: Theme, width: u16) -> Line<'static> {
    let mut spans = vec![
        Span::styled(" sigscope ", theme.title()),
        Span::raw(state.source.clone()),
    ];
    if let Some(policy) = &state.policy {
        let running = state.verify_run.is_some()
            || state
                .tags
                .iter()
                .any(|t| matches!(t.verification, Verification::Running(_)));
        let what = if running {
            "  verifying for "
        } else {
            "  checked for "
        };
        spans.push(Span::styled(what, theme.dim()));
        spans.push(Span::styled(policy.describe(), theme.accent()));
    }
    Line::from(fit::spans(spans, usize::from(width)))
}

fn status(state: &State, theme: Theme, width: u16) -> Line<'static> {
    let spin = SPINNER[usize::try_from(state.frame / 3).unwrap_or(0) % SPINNER.len()];
    let total = state.tags.len();
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
        Listing::Failed(_) => vec![Span::styled(" no tags (! shows why)", theme.bad())],
    };
    let running = state
        .tags
        .iter()
        .filter(|t| matches!(t.verification, Verification::Running(_)))
        .count();
    if let Some(run) = &state.verify_run {
        let done = run.total.saturating_sub(running);
        spans.push(Span::styled(
            format!("  {spin} verified {done}/{}", run.total),
            theme.accent(),
        ));
    } else if running > 0 {
        spans.push(Span::styled(
            format!("  {spin} verifying {running}"),
            theme.accent(),
        ));
    }
    let shown = state.visible().len();
    if !state.filter.field.is_empty() || state.filter.editing {
        let (before, after) = state.filter.field.split();
        let cursor = if state.filter.editing { "▏" } else { "" };
        spans.push(Span::styled(
            format!("  /{before}{cursor}{after} ({shown} shown)"),
            theme.warn(),
        ));
    }
    let order = if state.reverse { "↑" } else { "" };
    spans.push(Span::styled(
        format!("  sort:{}{order}", state.sort.label()),
        theme.dim(),
    ));
    if let Some(m) = &state.message {
        let style = match m.level {
            Level::Info => theme.warn(),
            Level::Error => theme.bad(),
        };
        // A message too long for the line says where the rest is.
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let room = usize::from(width).saturating_sub(used + 2);
        let text = if fit::width(&m.text) > room {
            format!(
                "{} (! for the rest)",
                fit::cut(&m.text, room.saturating_sub(17))
            )
        } else {
            m.text.clone()
        };
        spans.push(Span::styled(format!("  {text}"), style));
    }
    let hint = match state.focus {
        _ if state.filter.editing => {
            "  ⏎ keep  Esc clear  unsigned failed sha256:… signer:… tag:… !not"
        }
        Focus::Tags => {
            "  ↑↓ tag  ⏎ open  / filter  o sort  v verify  s signers  y copy  : open  ? help  q quit"
        }
        Focus::Tree => "  ↑↓ node  → open  ← close  r raw  y copy  Tab detail  ? help  q quit",
        Focus::Detail => "  ↑↓ scroll  r raw  Tab tags  ? help  q quit",
    };
    spans.push(Span::styled(hint, theme.dim()));
    Line::from(fit::spans(spans, usize::from(width)))
}
