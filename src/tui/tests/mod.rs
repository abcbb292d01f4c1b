//! TUI tests on the embedded demo: `update` over state, and `TestBackend` snapshots of the views.

mod attacked;
mod editing;
mod overlays;
mod snapshots;
mod update;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::demo::{self, DemoLayout};
use crate::inventory::discover::{DiscoverOptions, Discovery};
use crate::inventory::model::TagReport;
use crate::registry::any::AnySource;
use crate::registry::remote::RemoteOptions;
use crate::target::Target;
use crate::trust::TrustedRoot;
use crate::tui::action::Action;
use crate::tui::effect::{Effect, VerifySpec};
use crate::tui::state::State;
use crate::tui::update::{start, update};
use crate::verify::policy::{Context, FixedClock};

/// 2026-11-01T00:00:00Z: ages in snapshots are fixed.
pub const NOW: i64 = 1_793_491_200;

pub fn demo_spec() -> VerifySpec {
    VerifySpec::identity(demo::CI_IDENTITY_REGEXP, true, demo::CI_ISSUER)
}

/// Every tag of the demo, as discovery reports them (in listing order).
pub fn demo_reports() -> (Vec<String>, Vec<TagReport>) {
    let dir = tempfile::tempdir().unwrap();
    let layout = DemoLayout::write(dir.path()).unwrap();
    let target = Target::parse(&format!("oci:{}", layout.path().display())).unwrap();
    let source = AnySource::open(&target, RemoteOptions::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (discovery, listed) = Discovery::new(&source, DiscoverOptions::default()).await;
        let listed = listed.unwrap();
        let mut reports = Vec::new();
        for tag in listed
            .iter()
            .filter(|t| !crate::inventory::discover::is_artifact_tag(t))
        {
            reports.push(discovery.tag(tag.clone()).await);
        }
        (listed, reports)
    })
}

/// A state after the demo's discovery, every effect performed synchronously (verifications
/// included when `verify`).
pub fn loaded_state(verify: bool) -> State {
    let mut state = State::new("ghcr.io/acme/app (embedded demo)", NOW, false);
    state.size = (120, 40);
    state.trust = "the demo's trusted root".into();
    if verify {
        state.policy = Some(demo_spec());
    }
    let request = discover(&mut state);
    let (listed, reports) = demo_reports();
    let mut pending = update(
        &mut state,
        Action::TagsListed {
            request,
            result: Ok(listed),
        },
    );
    for report in reports {
        pending.extend(update(
            &mut state,
            Action::TagInspected {
                request,
                report: Box::new(report),
            },
        ));
    }
    pending.extend(update(&mut state, Action::DiscoveryFinished { request }));
    perform_verifications(&mut state, pending);
    state
}

/// A state after discovering the attacked repository of the compare tests (ten builds by
/// acme/app's workflow, one by acme-evil's, one by alice and CI, one with a copied signature, one
/// by a key, one unsigned), nothing verified.
pub fn attacked_state() -> State {
    state_of(sigscope_core::fixture::builds::attacked_repository().unwrap())
}

/// A state after discovering `builds` (tag and image each), nothing verified.
pub fn state_of(builds: Vec<(String, crate::inventory::model::ImageReport)>) -> State {
    let mut state = State::new("registry.example/acme/app", NOW, false);
    state.size = (120, 40);
    state.trust = "file /trust/trusted_root.json".into();
    let request = discover(&mut state);
    update(
        &mut state,
        Action::TagsListed {
            request,
            result: Ok(builds.iter().map(|(t, _)| t.clone()).collect()),
        },
    );
    for (tag, image) in builds {
        update(
            &mut state,
            Action::TagInspected {
                request,
                report: Box::new(TagReport {
                    tag,
                    outcome: crate::inventory::model::TagOutcome::Image(Box::new(image)),
                }),
            },
        );
    }
    update(&mut state, Action::DiscoveryFinished { request });
    state
}

/// Starts `state`: the discovery it asks for, by its request id.
pub fn discover(state: &mut State) -> crate::tui::action::RequestId {
    let effects = start(state);
    let [Effect::Discover { request }] = effects.as_slice() else {
        panic!("start discovers: {effects:?}")
    };
    *request
}

pub fn perform_verifications(state: &mut State, effects: Vec<Effect>) {
    let trust = TrustedRoot::from_json("demo", demo::trusted_root_json()).unwrap();
    for effect in effects {
        let Effect::Verify {
            request,
            tag,
            image,
            spec,
        } = effect
        else {
            panic!("unexpected effect {effect:?}")
        };
        let policy = crate::tui::runtime::policy(&spec).unwrap();
        let ctx = Context {
            policy: &policy,
            trust: &trust,
            clock: &FixedClock(NOW),
        };
        let verdict = crate::tui::runtime::verify_with(&ctx, &spec, &tag, &image);
        update(
            state,
            Action::Verified {
                request,
                tag,
                result: Ok(Box::new(verdict)),
            },
        );
    }
}

/// The names of the tags shown, in order.
pub fn names(state: &State) -> Vec<&str> {
    state
        .visible()
        .iter()
        .map(|&i| state.tags[i].name.as_str())
        .collect()
}

pub fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub fn keys(state: &mut State, codes: &[KeyCode]) {
    for c in codes {
        key(state, *c);
    }
}

pub fn chars(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}
