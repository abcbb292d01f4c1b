//! Starting the work the runtime does for the TUI: discovery of the target, and verification of
//! every loaded tag against the policy chosen.

use super::super::action::RequestId;
use super::super::effect::Effect;
use super::super::state::{Listing, State, Verification, VerifyRun};

/// The effects to start with: discover the target.
pub fn start(state: &mut State) -> Vec<Effect> {
    let request = state.request();
    restart(state, request);
    vec![Effect::Discover { request }]
}

/// Forgets the tags: discovery `request` is about to list them again.
pub(super) fn restart(state: &mut State, request: RequestId) {
    state.discovery = request;
    state.listing = Listing::Loading;
    state.tags.clear();
    state.verify_run = None;
    state.resort();
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
    state.verify_run = (total > 0).then(|| VerifyRun {
        total,
        what: spec.describe(),
    });
    state.results_changed();
    effects
}
