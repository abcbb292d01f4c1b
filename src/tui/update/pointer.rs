//! Mouse input: the wheel scrolls the pane under the pointer, a click selects (and a second
//! click on a tree node toggles it). Hit-testing uses the same layout the view draws. While an
//! overlay is open nothing reaches the panes below it: the wheel moves the overlay's list and
//! clicks are ignored.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::navigation::{detail_key, move_tag, move_tree, toggle_node};
use super::overlays::overlay_key;
use super::selection::{overlay_open, select};
use crate::tui::layout::{areas, contains, inner_rows, list_offset};
use crate::tui::nodes::visible_paths;
use crate::tui::state::{Focus, Overlay, State};

pub(super) fn mouse_event(state: &mut State, mouse: MouseEvent) {
    if overlay_open(state) {
        let code = match mouse.kind {
            MouseEventKind::ScrollUp => KeyCode::Up,
            MouseEventKind::ScrollDown => KeyCode::Down,
            _ => return,
        };
        // The wheel never closes the help or the log, and never edits a text field.
        let scrolls = match &state.overlay {
            Overlay::Verify(d) => d.field == crate::tui::verify_dialog::Field::Choice,
            Overlay::Open(_) => false,
            _ => true,
        };
        if scrolls {
            let _ = overlay_key(state, KeyEvent::new(code, KeyModifiers::NONE));
        }
        return;
    }
    let a = areas(state.size.0, state.size.1);
    let (col, row) = (mouse.column, mouse.row);
    let pane = if contains(a.tags, col, row) {
        Focus::Tags
    } else if contains(a.tree, col, row) {
        Focus::Tree
    } else if contains(a.detail, col, row) {
        Focus::Detail
    } else {
        return;
    };
    let step = match mouse.kind {
        MouseEventKind::ScrollUp => -1,
        MouseEventKind::ScrollDown => 1,
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            click(state, pane, row);
            return;
        }
        _ => return,
    };
    match pane {
        Focus::Tags => move_tag(state, step),
        Focus::Tree => move_tree(state, step),
        Focus::Detail => detail_key(state, if step < 0 { KeyCode::Up } else { KeyCode::Down }),
    }
}

fn click(state: &mut State, pane: Focus, row: u16) {
    let a = areas(state.size.0, state.size.1);
    match pane {
        Focus::Tags => {
            let visible = state.visible();
            let offset = list_offset(state.selected_position(visible), inner_rows(a.tags, true));
            let Some(index) = usize::from(row).checked_sub(usize::from(a.tags.y) + 2) else {
                return;
            };
            if let Some(&i) = visible.get(offset + index) {
                let name = state.tags[i].name.clone();
                select(state, Some(name));
            }
        }
        Focus::Tree => {
            let Some(tag) = state.selected_tag() else {
                return;
            };
            let paths = visible_paths(tag.nodes(), &state.tree.opened);
            let current = paths.iter().position(|p| *p == state.tree.selected);
            let offset = list_offset(current, inner_rows(a.tree, false));
            let Some(index) = usize::from(row).checked_sub(usize::from(a.tree.y) + 1) else {
                return;
            };
            if let Some(path) = paths.get(offset + index).cloned() {
                if state.tree.selected == path {
                    toggle_node(state);
                } else {
                    state.tree.selected = path;
                    state.detail_scroll = 0;
                }
            }
        }
        Focus::Detail => {}
    }
}
