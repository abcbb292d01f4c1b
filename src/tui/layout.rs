//! Where each pane goes, from the terminal size alone: the view draws into these areas and the
//! update hit-tests mouse clicks against the same ones.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub title: Rect,
    pub tags: Rect,
    pub tree: Rect,
    pub detail: Rect,
    pub status: Rect,
}

/// Wide terminals put the tags on the left; narrow ones put them on top.
pub fn areas(width: u16, height: u16) -> Areas {
    let area = Rect::new(0, 0, width, height);
    let [title, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let wide = width >= 110;
    let (tags, rest) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(body);
        (a, b)
    } else {
        let [a, b] =
            Layout::vertical([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(body);
        (a, b)
    };
    let direction = if wide {
        Direction::Vertical
    } else {
        Direction::Horizontal
    };
    let split = Layout::default()
        .direction(direction)
        .constraints([Constraint::Percentage(55), Constraint::Percentage(45)])
        .split(rest);
    Areas {
        title,
        tags,
        tree: split[0],
        detail: split[1],
        status,
    }
}

/// The first row shown of a list of `len` rows in `height` rows, keeping `selected` in view.
pub fn list_offset(selected: Option<usize>, height: usize) -> usize {
    selected.map_or(0, |s| s.saturating_sub(height.saturating_sub(1)))
}

/// Rows of list content inside a bordered pane (with a header row when `header`).
pub fn inner_rows(pane: Rect, header: bool) -> usize {
    usize::from(pane.height.saturating_sub(2 + u16::from(header)))
}

/// Whether `(column, row)` falls inside `r`.
pub fn contains(r: Rect, column: u16, row: u16) -> bool {
    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// Rows of the list in a full-screen overlay (the signer view, the help, the log): a page for
/// PgUp/PgDn.
pub fn overlay_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(11).max(1))
}

/// Signers shown at once in the verify dialog's pick list (it scrolls, with a hint).
pub fn dialog_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(16).clamp(3, 12))
}
