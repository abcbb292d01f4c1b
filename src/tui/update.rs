//! `update(&mut State, Action) -> Vec<Effect>`: every change to the state, synchronous and
//! without I/O. Results of requests that are no longer current are dropped here.

use crossterm::event::KeyEventKind;

use super::action::{Action, RequestId};
use super::effect::Effect;
use super::state::{Level, Listing, Overlay, State, TreeNav, Verification};

mod keys;
mod navigation;
mod overlays;
mod pointer;
mod results;
use keys::key_pressed;
use overlays::{key_checked, paste};
use pointer::mouse_event;
use results::{opened, orphan_found, tag_inspected, tags_listed, verified};

/// The effects to start with: discover the target.
pub fn start(state: &mut State) -> Vec<Effect> {
    let request = state.request();
    restart(state, request);
    vec![Effect::Discover { request }]
}

/// Forgets the tags: discovery `request` is about to list them again.
fn restart(state: &mut State, request: RequestId) {
    state.discovery = request;
    state.listing = Listing::Loading;
    state.tags.clear();
    state.verify_run = None;
    state.resort();
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) if key.kind != KeyEventKind::Release => key_pressed(state, key),
        Action::Key(_) => Vec::new(),
        Action::Mouse(mouse) => {
            mouse_event(state, mouse);
            Vec::new()
        }
        Action::Paste(text) => {
            paste(state, &text);
            Vec::new()
        }
        Action::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
        Action::Tick { now } => {
            tick(state, now);
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
        Action::RateLimited(rate) => {
            state.rate_limit = Some(rate);
            Vec::new()
        }
        Action::DiscoveryProblem { request, problem } => {
            if request == state.discovery {
                state.say(
                    Level::Error,
                    crate::untrusted::printable(&problem).into_owned(),
                );
            }
            Vec::new()
        }
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
            match result {
                Ok(m) => state.say(Level::Info, m),
                Err(e) => state.say(Level::Error, e),
            }
            Vec::new()
        }
        Action::Verified {
            request,
            tag,
            result,
        } => {
            verified(state, request, &tag, result);
            Vec::new()
        }
        Action::KeyChecked { request, result } => key_checked(state, request, result),
        Action::Opened {
            request,
            target,
            result,
        } => {
            opened(state, request, &target, result);
            Vec::new()
        }
    }
}

/// A frame: the spinner turns, the clock moves, old messages go, a stale order is redone.
fn tick(state: &mut State, now: i64) {
    state.frame = state.frame.wrapping_add(1);
    state.now = now;
    if state.message.as_ref().is_some_and(|m| now >= m.until) {
        state.message = None;
    }
    if state.stale_order {
        state.resort();
        keep_a_visible_selection(state);
    }
}

/// Verifies every loaded tag against the current policy.
pub(crate) fn verify_all(state: &mut State) -> Vec<Effect> {
    let Some(spec) = state.policy.clone() else {
        return Vec::new();
    };
    // The verifications of an earlier run still waiting are superseded.
    let mut effects = vec![Effect::StopVerifying];
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
    let total = effects.len() - 1;
    state.verify_run = (total > 0).then(|| super::state::VerifyRun {
        total,
        what: spec.describe(),
    });
    state.results_changed();
    effects
}

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

/// Whether an overlay covers the panes.
fn overlay_open(state: &State) -> bool {
    !matches!(state.overlay, Overlay::None)
}
