//! `update(&mut State, Action) -> Vec<Effect>`: every change to the state, synchronous and
//! without I/O. Results of requests that are no longer current are dropped here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::inventory::discover::is_artifact_tag;
use crate::inventory::model::{TagOutcome, TagReport};
use crate::untrusted::printable;

use super::action::{Action, RequestId};
use super::effect::Effect;
use super::nodes::image_nodes;
use super::state::{
    Focus, Listing, Overlay, SortKey, State, TagEntry, TagLoad, TreeNav, Verification,
};

mod navigation;
mod overlays;
mod pointer;
use navigation::{detail_key, tags_key, tree_key};
use overlays::{open_copy_menu, open_signers, open_verify, overlay_key};
use pointer::mouse_event;

/// The effects to start with: discover the target.
pub fn start(state: &mut State) -> Vec<Effect> {
    let request = state.request();
    state.discovery = request;
    state.listing = Listing::Loading;
    state.tags.clear();
    state.resort();
    vec![Effect::Discover { request }]
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) if key.kind != KeyEventKind::Release => key_pressed(state, key),
        Action::Key(_) => Vec::new(),
        Action::Mouse(mouse) => {
            mouse_event(state, mouse);
            Vec::new()
        }
        Action::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
        Action::Tick { now } => {
            state.frame = state.frame.wrapping_add(1);
            state.now = now;
            Vec::new()
        }
        Action::TagsListed { request, result } => {
            if request == state.discovery {
                tags_listed(state, result);
            }
            Vec::new()
        }
        Action::TagInspected { request, report } if request == state.discovery => {
            tag_inspected(state, *report)
        }
        Action::TagInspected { .. } => Vec::new(),
        Action::DiscoveryFinished { request } => {
            if request == state.discovery && !matches!(state.listing, Listing::Failed(_)) {
                state.listing = Listing::Complete;
            }
            Vec::new()
        }
        Action::OrphanFound { request, image } if request == state.discovery => {
            orphan_found(state, image)
        }
        Action::OrphanFound { .. } => Vec::new(),
        Action::Copied { result } => {
            state.message = Some(match result {
                Ok(m) => m,
                Err(e) => e,
            });
            Vec::new()
        }
        Action::Verified {
            request,
            tag,
            result,
        } => {
            if let Some(entry) = state.tag_mut(&printable(&tag))
                && matches!(entry.verification, Verification::Running(r) if r == request)
            {
                entry.verification = match result {
                    Ok(v) => Verification::Done(v),
                    Err(e) => Verification::Failed(printable(&e).into_owned()),
                };
            }
            Vec::new()
        }
    }
}

fn tags_listed(state: &mut State, result: Result<Vec<String>, String>) {
    match result {
        Ok(tags) => {
            state.tags = tags
                .iter()
                .filter(|t| !is_artifact_tag(t))
                .map(|t| TagEntry::new(printable(t).into_owned()))
                .collect();
            state.resort();
            state.listing = Listing::Loaded { inspected: 0 };
            if state.selected_tag().is_none() {
                let first = state.visible().first().map(|&i| state.tags[i].name.clone());
                select(state, first);
            }
        }
        Err(e) => state.listing = Listing::Failed(printable(&e).into_owned()),
    }
}

fn tag_inspected(state: &mut State, report: TagReport) -> Vec<Effect> {
    if let Listing::Loaded { inspected } = &mut state.listing {
        *inspected += 1;
    }
    let name = printable(&report.tag).into_owned();
    let request = state.next_request;
    let policy = state.policy.clone();
    let Some(entry) = state.tag_mut(&name) else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    entry.load = match report.outcome {
        TagOutcome::Image(image) => {
            if let Some(spec) = policy {
                entry.verification = Verification::Running(request);
                effects.push(Effect::Verify {
                    request,
                    tag: report.tag.clone(),
                    image: image.clone(),
                    spec,
                });
            }
            let nodes = image_nodes(&image);
            TagLoad::Loaded { image, nodes }
        }
        TagOutcome::Error(e) => TagLoad::Failed(printable(&e).into_owned()),
    };
    if !effects.is_empty() {
        state.next_request += 1;
    }
    if state.sort == SortKey::Date {
        state.resort();
    }
    if state.selected.as_deref() == Some(name.as_str()) {
        reset_tree(state);
    }
    effects
}

/// An untagged digest with artifacts joins the list, marked as an orphan, named by its digest.
fn orphan_found(
    state: &mut State,
    image: Box<crate::inventory::model::ImageReport>,
) -> Vec<Effect> {
    let name = image.digest.to_string();
    if state.tags.iter().any(|t| t.name == name) {
        return Vec::new();
    }
    let mut entry = TagEntry::new(name.clone());
    entry.orphan = true;
    let mut effects = Vec::new();
    if let Some(spec) = state.policy.clone() {
        let request = state.request();
        entry.verification = Verification::Running(request);
        effects.push(Effect::Verify {
            request,
            tag: name,
            image: image.clone(),
            spec,
        });
    }
    let nodes = image_nodes(&image);
    entry.load = TagLoad::Loaded { image, nodes };
    state.tags.push(entry);
    state.resort();
    effects
}

/// Verifies every loaded tag against the current policy.
pub(super) fn verify_all(state: &mut State) -> Vec<Effect> {
    let Some(spec) = state.policy.clone() else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    for i in 0..state.tags.len() {
        let Some(image) = state.tags[i].image().cloned() else {
            continue;
        };
        let request: RequestId = state.request();
        let entry = &mut state.tags[i];
        entry.verification = Verification::Running(request);
        effects.push(Effect::Verify {
            request,
            tag: entry.name.clone(),
            image: Box::new(image),
            spec: spec.clone(),
        });
    }
    effects
}

pub(super) fn select(state: &mut State, name: Option<String>) {
    if state.selected != name {
        state.selected = name;
        reset_tree(state);
    }
}

fn reset_tree(state: &mut State) {
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

fn key_pressed(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        state.quit = true;
        return Vec::new();
    }
    if !matches!(state.overlay, Overlay::None) {
        return overlay_key(state, key.code);
    }
    if state.filter.editing {
        filter_key(state, key);
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('q') => state.quit = true,
        KeyCode::Char('?') => state.overlay = Overlay::Help,
        KeyCode::Tab => state.focus = next_focus(state.focus, 1),
        KeyCode::BackTab => state.focus = next_focus(state.focus, 2),
        KeyCode::Char('/') => {
            state.filter.editing = true;
            state.focus = Focus::Tags;
        }
        KeyCode::Char('o') => {
            state.sort = match state.sort {
                SortKey::Name => SortKey::Date,
                SortKey::Date => SortKey::Name,
            };
            state.resort();
        }
        KeyCode::Char('s') => open_signers(state),
        KeyCode::Char('y') => open_copy_menu(state),
        KeyCode::Char('r') => state.raw = !state.raw,
        KeyCode::Char('R') => return start(state),
        KeyCode::Char('v') => open_verify(state),
        KeyCode::Esc if !state.filter.text.is_empty() => {
            state.filter.text.clear();
            state.refilter(false);
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

fn filter_key(state: &mut State, key: KeyEvent) {
    match key.code {
        KeyCode::Enter => state.filter.editing = false,
        KeyCode::Esc => {
            state.filter.editing = false;
            state.filter.text.clear();
            state.refilter(false);
        }
        KeyCode::Backspace => {
            state.filter.text.pop();
            state.refilter(false);
        }
        KeyCode::Char(c) if !c.is_control() => {
            state.filter.text.push(c);
            state.refilter(true);
        }
        _ => {}
    }
    // Keep a visible tag selected while the filter narrows the list.
    let visible = state.visible();
    if state.selected_position(visible).is_none() {
        let first = visible.first().map(|&i| state.tags[i].name.clone());
        select(state, first);
    }
}
