//! Keys on the panes (no overlay open): the global keys, the `/` filter prompt, then the
//! focused pane's keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::effect::Effect;
use super::super::prompt::OpenPrompt;
use super::super::state::{Focus, Overlay, State};
use super::navigation::{detail_key, tags_key, tree_key};
use super::overlays::{open_copy_menu, open_signers, open_verify, overlay_key};
use super::selection::{filter_changed, overlay_open};
use super::work::start;

pub(super) fn key_pressed(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        state.quit = true;
        return Vec::new();
    }
    if overlay_open(state) {
        return overlay_key(state, key);
    }
    if state.filter.editing {
        filter_key(state, key);
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('q') => state.quit = true,
        KeyCode::Char('?') => state.overlay = Overlay::Help { scroll: 0 },
        KeyCode::Char('!') => {
            let scroll = state.log.len().saturating_sub(1);
            state.overlay = Overlay::Messages { scroll };
        }
        KeyCode::Char(':') => state.overlay = Overlay::Open(OpenPrompt::new()),
        KeyCode::Tab => state.focus = next_focus(state.focus, 1),
        KeyCode::BackTab => state.focus = next_focus(state.focus, 2),
        KeyCode::Char('/') => {
            state.filter.editing = true;
            state.focus = Focus::Tags;
        }
        KeyCode::Char('o') => {
            state.sort = state.sort.next();
            state.resort();
        }
        KeyCode::Char('O') => {
            state.reverse = !state.reverse;
            state.resort();
        }
        KeyCode::Char('s') => open_signers(state),
        KeyCode::Char('y') => open_copy_menu(state),
        KeyCode::Char('r') => {
            state.raw = !state.raw;
            // The other view of the node starts at its top.
            state.detail_scroll = 0;
        }
        KeyCode::Char('R') => return start(state),
        KeyCode::Char('v') => open_verify(state),
        KeyCode::Esc if !state.filter.field.is_empty() => {
            state.filter.field.clear();
            filter_changed(state, false);
        }
        KeyCode::Esc => state.focus = Focus::Tags,
        _ => match state.focus {
            Focus::Tags => tags_key(state, key.code),
            Focus::Tree => tree_key(state, key.code),
            Focus::Detail => detail_key(state, key.code),
        },
    }
    Vec::new()
}

fn next_focus(focus: Focus, steps: usize) -> Focus {
    const ORDER: [Focus; 3] = [Focus::Tags, Focus::Tree, Focus::Detail];
    let i = ORDER.iter().position(|f| *f == focus).unwrap_or(0);
    ORDER[(i + steps) % ORDER.len()]
}

/// Keys at the `/` prompt: Enter keeps the filter, Esc clears it, the rest edit it.
fn filter_key(state: &mut State, key: KeyEvent) {
    match key.code {
        KeyCode::Enter => state.filter.editing = false,
        KeyCode::Esc => {
            state.filter.editing = false;
            state.filter.field.clear();
            filter_changed(state, false);
        }
        _ => {
            let before = state.filter.text().to_owned();
            if state.filter.field.key(key) {
                let after = state.filter.text();
                // Typed at the end: only the rows shown can still match (not so for a `:`,
                // which can turn a word into an empty field prefix that matches everything).
                let narrowed = after.len() > before.len()
                    && after.starts_with(before.as_str())
                    && !after.ends_with(':');
                filter_changed(state, narrowed);
            }
        }
    }
}
