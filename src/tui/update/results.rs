//! Results of effects: the tag list, each inspected tag, orphans, verifications (with the
//! progress of a verify-all and its summary), and another repository opened.

use crate::inventory::discover::is_artifact_tag;
use crate::inventory::model::{ImageReport, TagOutcome, TagReport};
use crate::registry::hint::with_hint;
use crate::untrusted::printable;
use crate::verify::report::{ImageOutcome, ImageVerdict};

use super::super::action::RequestId;
use super::super::effect::Effect;
use super::super::nodes::image_nodes;
use super::super::state::{Level, Listing, State, TagEntry, TagLoad, Verification};
use super::{reset_tree, restart, select};

pub(super) fn tags_listed(state: &mut State, result: Result<Vec<String>, String>) {
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
        Err(e) => {
            let e = with_hint(&e);
            state.say(Level::Error, format!("could not list the tags: {e}"));
            state.listing = Listing::Failed(printable(&e).into_owned());
        }
    }
}

pub(super) fn tag_inspected(state: &mut State, report: TagReport) -> Vec<Effect> {
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
        TagOutcome::Error(e) => TagLoad::Failed(printable(&with_hint(&e)).into_owned()),
    };
    if !effects.is_empty() {
        state.next_request += 1;
        if let Some(run) = &mut state.verify_run {
            run.total += 1;
        }
    }
    state.results_changed();
    if state.selected.as_deref() == Some(name.as_str()) {
        reset_tree(state);
    }
    effects
}

/// An untagged digest with artifacts joins the list, marked as an orphan, named by its digest.
pub(super) fn orphan_found(state: &mut State, image: Box<ImageReport>) -> Vec<Effect> {
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
        if let Some(run) = &mut state.verify_run {
            run.total += 1;
        }
    }
    let nodes = image_nodes(&image);
    entry.load = TagLoad::Loaded { image, nodes };
    state.tags.push(entry);
    state.resort();
    effects
}

pub(super) fn verified(
    state: &mut State,
    request: RequestId,
    tag: &str,
    result: Result<Box<ImageVerdict>, String>,
) {
    let Some(entry) = state.tag_mut(&printable(tag)) else {
        return;
    };
    if !matches!(entry.verification, Verification::Running(r) if r == request) {
        return;
    }
    entry.verification = match result {
        Ok(v) => Verification::Done(v),
        Err(e) => Verification::Failed(printable(&e).into_owned()),
    };
    state.results_changed();
    finish_run(state);
}

/// When the last verification of a verify-all is in, says how it went (and the first reason
/// a tag could not be checked, which would otherwise hide in each tag's detail).
fn finish_run(state: &mut State) {
    let Some(run) = &state.verify_run else {
        return;
    };
    let running = state
        .tags
        .iter()
        .any(|t| matches!(t.verification, Verification::Running(_)));
    if running {
        return;
    }
    let (mut verified, mut failed, mut unchecked) = (0, 0, 0);
    let mut first_error: Option<String> = None;
    for tag in &state.tags {
        match &tag.verification {
            Verification::Done(v) => match v.outcome {
                ImageOutcome::Verified(_) => verified += 1,
                ImageOutcome::NotVerified { .. } => failed += 1,
                ImageOutcome::CouldNotCheck { ref reason } => {
                    unchecked += 1;
                    first_error.get_or_insert_with(|| reason.clone());
                }
                ImageOutcome::Skipped { .. } => {}
            },
            Verification::Failed(e) => {
                unchecked += 1;
                first_error.get_or_insert_with(|| e.clone());
            }
            _ => {}
        }
    }
    // The counts first: a long identity must not push them out of the status line.
    let mut text = format!(
        "{verified} verified, {failed} failed, {unchecked} could not check: {}",
        run.what
    );
    let level = if let Some(e) = first_error {
        text.push_str(&format!(" ({e})"));
        Level::Error
    } else {
        Level::Info
    };
    state.verify_run = None;
    state.say(level, text);
}

/// Another repository: on success its tags replace these (discovery already started).
pub(super) fn opened(
    state: &mut State,
    request: RequestId,
    target: &str,
    result: Result<String, String>,
) {
    if state.opening != Some(request) {
        return;
    }
    state.opening = None;
    match result {
        Ok(name) => {
            state.source = printable(&name).into_owned();
            state.history.retain(|t| t != target);
            state.history.push(target.to_owned());
            state.policy = state.default_policy.clone();
            state.selected = None;
            state.filter = Default::default();
            state.overlay = super::super::state::Overlay::None;
            restart(state, request);
            state.say(Level::Info, format!("opened {name}"));
        }
        Err(e) => {
            let e = with_hint(&e);
            if let super::super::state::Overlay::Open(prompt) = &mut state.overlay {
                prompt.error = Some(printable(&e).into_owned());
            }
            state.say(Level::Error, format!("could not open {target}: {e}"));
        }
    }
}
