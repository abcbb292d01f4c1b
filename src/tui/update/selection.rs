//! What is selected and shown: the tag, its tree, the filter, and whether an overlay covers the
//! panes.

use super::super::filter::Query;
use super::super::state::{Overlay, State, TreeNav};

/// Selects the tag `name` (or none); its tree starts closed but for the root.
pub(super) fn select(state: &mut State, name: Option<String>) {
    if state.selected != name {
        state.selected = name;
        reset_tree(state);
    }
}

/// Keeps a visible tag selected after the list changed under the filter.
pub(super) fn keep_a_visible_selection(state: &mut State) {
    let visible = state.visible();
    if state.selected_position(visible).is_none() {
        let first = visible.first().map(|&i| state.tags[i].name.clone());
        if first.is_some() || state.selected.is_some() {
            select(state, first);
        }
    }
}

pub(super) fn reset_tree(state: &mut State) {
    state.tree = TreeNav::default();
    state.detail_scroll = 0;
    let root = state
        .selected_tag()
        .and_then(|t| t.nodes().first())
        .map(|n| vec![n.id.clone()]);
    if let Some(root) = root {
        state.tree.opened.insert(root.clone());
        state.tree.selected = root;
    }
}

/// Whether an overlay covers the panes.
pub(super) fn overlay_open(state: &State) -> bool {
    !matches!(state.overlay, Overlay::None)
}

/// The filter text changed: parse it, filter again, keep a visible tag selected.
pub(super) fn filter_changed(state: &mut State, narrowed: bool) {
    state.filter.query = Query::parse(state.filter.text());
    state.refilter(narrowed);
    keep_a_visible_selection(state);
}
