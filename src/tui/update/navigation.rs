//! Moving around: the tag list, the artifact tree and the detail pane, by key.

use crossterm::event::KeyCode;

use super::selection::select;
use crate::tui::layout::{areas, inner_rows};
use crate::tui::nodes::visible_paths;
use crate::tui::state::{Focus, State};

/// Moves the tag selection by `delta` rows (clamped).
pub(super) fn move_tag(state: &mut State, delta: isize) {
    let visible = state.visible();
    if visible.is_empty() {
        return;
    }
    let current = state.selected_position(visible).unwrap_or(0);
    let target = current.saturating_add_signed(delta).min(visible.len() - 1);
    let name = state.tags[visible[target]].name.clone();
    select(state, Some(name));
}

/// Moves the tree selection by `delta` visible rows.
pub(super) fn move_tree(state: &mut State, delta: isize) {
    let Some(tag) = state.selected_tag() else {
        return;
    };
    let paths = visible_paths(tag.nodes(), &state.tree.opened);
    if paths.is_empty() {
        return;
    }
    let current = paths
        .iter()
        .position(|p| *p == state.tree.selected)
        .unwrap_or(0);
    let target = current.saturating_add_signed(delta).min(paths.len() - 1);
    state.tree.selected = paths[target].clone();
    state.detail_scroll = 0;
}

fn tree_right(state: &mut State) {
    let has_children = state
        .selected_node()
        .is_some_and(|n| !n.children.is_empty());
    if !has_children {
        return;
    }
    if state.tree.opened.insert(state.tree.selected.clone()) {
        return;
    }
    move_tree(state, 1);
}

fn tree_left(state: &mut State) {
    if state.tree.opened.remove(&state.tree.selected) {
        return;
    }
    if state.tree.selected.len() > 1 {
        state.tree.selected.pop();
        state.detail_scroll = 0;
    } else {
        state.focus = Focus::Tags;
    }
}

pub(super) fn toggle_node(state: &mut State) {
    let path = state.tree.selected.clone();
    if !state.tree.opened.remove(&path)
        && state
            .selected_node()
            .is_some_and(|n| !n.children.is_empty())
    {
        state.tree.opened.insert(path);
    }
}

fn page(state: &State) -> isize {
    let rows = inner_rows(areas(state.size.0, state.size.1).tags, true);
    isize::try_from(rows.max(1)).unwrap_or(1)
}

fn tree_page(state: &State) -> isize {
    let rows = inner_rows(areas(state.size.0, state.size.1).tree, false);
    isize::try_from(rows.max(1)).unwrap_or(1)
}

fn detail_page(state: &State) -> u16 {
    let rows = inner_rows(areas(state.size.0, state.size.1).detail, false);
    u16::try_from(rows.max(1)).unwrap_or(1)
}

/// The detail pane's last useful scroll position: its lines (unwrapped) less a page.
fn detail_end(state: &State) -> u16 {
    let lines = state.selected_node().map_or(0, |n| {
        2 + if state.raw {
            n.raw.len()
        } else {
            n.fields.len()
        }
    });
    let lines = u16::try_from(lines).unwrap_or(u16::MAX);
    lines.saturating_sub(detail_page(state))
}

pub(super) fn tags_key(state: &mut State, code: KeyCode) {
    match code {
        KeyCode::Up | KeyCode::Char('k') => move_tag(state, -1),
        KeyCode::Down | KeyCode::Char('j') => move_tag(state, 1),
        KeyCode::PageUp => move_tag(state, -page(state)),
        KeyCode::PageDown => move_tag(state, page(state)),
        KeyCode::Home | KeyCode::Char('g') => move_tag(state, isize::MIN / 2),
        KeyCode::End | KeyCode::Char('G') => move_tag(state, isize::MAX / 2),
        KeyCode::Enter | KeyCode::Right | KeyCode::Char('l')
            if state.selected_tag().is_some_and(|t| !t.nodes().is_empty()) =>
        {
            state.focus = Focus::Tree;
        }
        _ => {}
    }
}

pub(super) fn tree_key(state: &mut State, code: KeyCode) {
    match code {
        KeyCode::Up | KeyCode::Char('k') => move_tree(state, -1),
        KeyCode::Down | KeyCode::Char('j') => move_tree(state, 1),
        KeyCode::Right | KeyCode::Char('l') => tree_right(state),
        KeyCode::Left | KeyCode::Char('h') => tree_left(state),
        KeyCode::Enter => toggle_node(state),
        KeyCode::PageUp => move_tree(state, -tree_page(state)),
        KeyCode::PageDown => move_tree(state, tree_page(state)),
        KeyCode::Home | KeyCode::Char('g') => move_tree(state, isize::MIN / 2),
        KeyCode::End | KeyCode::Char('G') => move_tree(state, isize::MAX / 2),
        _ => {}
    }
}

pub(super) fn detail_key(state: &mut State, code: KeyCode) {
    match code {
        KeyCode::Up | KeyCode::Char('k') => {
            state.detail_scroll = state.detail_scroll.saturating_sub(1)
        }
        KeyCode::Down | KeyCode::Char('j') => {
            state.detail_scroll = state.detail_scroll.saturating_add(1)
        }
        KeyCode::PageUp => {
            state.detail_scroll = state.detail_scroll.saturating_sub(detail_page(state));
        }
        KeyCode::PageDown => {
            state.detail_scroll = state.detail_scroll.saturating_add(detail_page(state));
        }
        KeyCode::Home | KeyCode::Char('g') => state.detail_scroll = 0,
        KeyCode::End | KeyCode::Char('G') => state.detail_scroll = detail_end(state),
        KeyCode::Left | KeyCode::Char('h') => state.focus = Focus::Tree,
        _ => {}
    }
}
