//! `update(&mut State, Action) -> Vec<Effect>`: every change to the state, synchronous and
//! without I/O. Results of requests that are no longer current are dropped here.

use crossterm::event::KeyEventKind;

use super::action::Action;
use super::effect::Effect;
use super::state::{Level, Listing, State};

mod keys;
mod navigation;
mod overlays;
mod pointer;
mod results;
mod selection;
mod work;
use keys::key_pressed;
use overlays::{key_checked, paste};
use pointer::mouse_event;
use results::{opened, orphan_found, tag_inspected, tags_listed, verified};
use selection::keep_a_visible_selection;
pub use work::start;
#[cfg(test)]
pub(crate) use work::verify_all;

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
