//! `update` over state: selection, filter, sort, tree navigation, stale results.

use crossterm::event::KeyCode;

use super::{NOW, chars, demo_reports, key, keys, loaded_state, names};
use crate::inventory::model::{TagOutcome, TagReport};
use crate::tui::action::Action;
use crate::tui::effect::SignerSpec;
use crate::tui::state::{Focus, Listing, Overlay, SortKey, State, TagLoad, Verification};
use crate::tui::summary::{Badge, badges};
use crate::tui::update::{start, update};

fn selected(state: &State) -> &str {
    state.selected.as_deref().unwrap()
}

#[test]
fn tags_stream_in_and_are_listed_by_name_with_numbers_compared_as_numbers() {
    let state = loaded_state(false);
    assert_eq!(state.listing, Listing::Complete);
    assert_eq!(state.tags.len(), 14, "artifact tags are not listed");
    let shown = names(&state);
    assert_eq!(shown.first(), Some(&"latest"));
    assert_eq!(&shown[shown.len() - 2..], ["v2.0.0", "v2.0.0-rc1"]);
    assert_eq!(selected(&state), "latest");
    assert!(
        state
            .tags
            .iter()
            .all(|t| matches!(t.load, TagLoad::Loaded { .. }))
    );
}

#[test]
fn selection_moves_clamps_and_follows_the_tag_through_a_sort() {
    let mut state = loaded_state(false);
    keys(
        &mut state,
        &[KeyCode::Char('j'), KeyCode::Down, KeyCode::Up],
    );
    assert_eq!(selected(&state), "v1.0.0");
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Up);
    assert_eq!(selected(&state), "latest", "clamped at the top");
    key(&mut state, KeyCode::End);
    assert_eq!(selected(&state), "v2.0.0-rc1");
    key(&mut state, KeyCode::Char('o'));
    assert_eq!(state.sort, SortKey::Date);
    assert_eq!(
        selected(&state),
        "v2.0.0-rc1",
        "the selection stays on its tag"
    );
    let by_date = names(&state);
    assert_eq!(
        &by_date[..2],
        ["latest", "v2.0.0"],
        "newest first, then by name"
    );
    assert_eq!(by_date.last(), Some(&"v1.0.0"));
}

#[test]
fn the_filter_narrows_the_list_keeps_a_visible_selection_and_esc_clears_it() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('/'));
    chars(&mut state, "v1.6");
    assert!(state.filter.editing);
    assert_eq!(names(&state), ["v1.6.0", "v1.6.1"]);
    assert_eq!(selected(&state), "v1.6.0");
    key(&mut state, KeyCode::Enter);
    assert!(!state.filter.editing);
    key(&mut state, KeyCode::Char('q'));
    assert!(state.quit, "q quits once the prompt is closed");
    state.quit = false;
    key(&mut state, KeyCode::Esc);
    assert_eq!(names(&state).len(), 14);
    assert_eq!(selected(&state), "v1.6.0");
}

#[test]
fn the_tree_opens_to_a_fulcio_extension_and_closes_back_to_the_tags() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('j')); // v1.0.0
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.focus, Focus::Tree);
    assert_eq!(
        state.selected_node().unwrap().label,
        "image sha256:7c1d74590948  linux/amd64"
    );
    // image → signature → (payload, certificate, chain, rekor) → certificate → Fulcio group
    keys(
        &mut state,
        &[KeyCode::Down, KeyCode::Right, KeyCode::Down, KeyCode::Down],
    );
    assert!(
        state
            .selected_node()
            .unwrap()
            .label
            .starts_with("certificate  https://github.com/acme/app/")
    );
    keys(
        &mut state,
        &[
            KeyCode::Right,
            KeyCode::Right,
            KeyCode::Right,
            KeyCode::Right,
        ],
    );
    let claim = state.selected_node().unwrap();
    assert!(
        claim.label.starts_with(".1 Issuer (deprecated)"),
        "{}",
        claim.label
    );
    assert_eq!(claim.how, "certificate extension 1.3.6.1.4.1.57264.1.1");
    key(&mut state, KeyCode::Char('r'));
    assert!(state.raw);
    // Left closes an open node, or goes to the parent of a closed one.
    for _ in 0..5 {
        key(&mut state, KeyCode::Left);
    }
    assert!(
        state
            .selected_node()
            .unwrap()
            .label
            .starts_with("signature")
    );
    keys(&mut state, &[KeyCode::Left, KeyCode::Left, KeyCode::Left]);
    assert_eq!(state.focus, Focus::Tree);
    key(&mut state, KeyCode::Left);
    assert_eq!(state.focus, Focus::Tags);
}

#[test]
fn stale_results_are_dropped() {
    let (listed, reports) = demo_reports();
    let mut state = State::new("demo", NOW, false);
    let first = match start(&mut state).as_slice() {
        [crate::tui::effect::Effect::Discover { request }] => *request,
        other => panic!("{other:?}"),
    };
    // A reload starts a second discovery before the first answers.
    key(&mut state, KeyCode::Char('R'));
    let second = state.discovery;
    assert_ne!(first, second);
    update(
        &mut state,
        Action::TagsListed {
            request: first,
            result: Ok(listed.clone()),
        },
    );
    assert_eq!(
        state.listing,
        Listing::Loading,
        "the old listing is ignored"
    );
    update(
        &mut state,
        Action::TagsListed {
            request: second,
            result: Ok(listed),
        },
    );
    let report = reports.into_iter().find(|r| r.tag == "v1.0.0").unwrap();
    update(
        &mut state,
        Action::TagInspected {
            request: first,
            report: Box::new(report.clone()),
        },
    );
    let tag = state.tags.iter().find(|t| t.name == "v1.0.0").unwrap();
    assert!(
        matches!(tag.load, TagLoad::Pending),
        "the old discovery's tag is ignored"
    );
    update(
        &mut state,
        Action::TagInspected {
            request: second,
            report: Box::new(report),
        },
    );
    let tag = state.tags.iter().find(|t| t.name == "v1.0.0").unwrap();
    assert!(matches!(tag.load, TagLoad::Loaded { .. }));
}

#[test]
fn a_verification_answered_after_a_newer_one_was_asked_is_dropped() {
    let mut state = loaded_state(true);
    let tag = "v1.0.0";
    let entry = state.tags.iter().find(|t| t.name == tag).unwrap();
    assert_eq!(badges(entry, false), [Badge::Verified, Badge::Signed(1)]);
    // Pick a person as the signer: every tag is verified again, under new request ids.
    key(&mut state, KeyCode::Char('v'));
    let Overlay::Verify(dialog) = &state.overlay else {
        panic!("no dialog")
    };
    let alice = dialog
        .choices
        .iter()
        .position(|c| {
            matches!(&c.signer, SignerSpec::Identity { identity, .. } if identity == "alice@acme.example")
        })
        .unwrap();
    for _ in 0..alice {
        key(&mut state, KeyCode::Down);
    }
    let effects = key(&mut state, KeyCode::Enter);
    assert_eq!(effects.len(), 14);
    let entry = state.tags.iter().find(|t| t.name == tag).unwrap();
    let Verification::Running(current) = entry.verification else {
        panic!("not running")
    };
    // An answer to an older request changes nothing.
    let old = crate::verify::report::ImageVerdict::could_not_check(
        tag.into(),
        "late".into(),
        crate::verify::report::ImageVerdict::could_not_check(
            String::new(),
            String::new(),
            dummy_summary(),
        )
        .policy,
    );
    update(
        &mut state,
        Action::Verified {
            request: current - 1,
            tag: tag.into(),
            result: Ok(Box::new(old)),
        },
    );
    let entry = state.tags.iter().find(|t| t.name == tag).unwrap();
    assert!(matches!(entry.verification, Verification::Running(r) if r == current));
    super::perform_verifications(&mut state, effects);
    let verdicts: Vec<(&str, Vec<Badge>)> = ["v1.0.0", "v1.5.0", "v2.0.0-rc1"]
        .iter()
        .map(|n| {
            (
                *n,
                badges(state.tags.iter().find(|t| t.name == *n).unwrap(), false),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("v1.0.0", vec![Badge::Failed, Badge::Signed(1)]),
            ("v1.5.0", vec![Badge::Verified, Badge::Signed(1)]),
            ("v2.0.0-rc1", vec![Badge::Unsigned]),
        ]
    );
}

pub(super) fn dummy_summary() -> crate::verify::policy::PolicySummary {
    crate::verify::policy::PolicySummary {
        signer: "test".into(),
        annotations: Vec::new(),
        trusted_root: "test".into(),
    }
}

#[test]
fn the_demo_verdicts_tell_the_story() {
    let state = loaded_state(true);
    let badge = |n: &str| badges(state.tags.iter().find(|t| t.name == n).unwrap(), false);
    assert_eq!(badge("v1.0.0"), [Badge::Verified, Badge::Signed(1)]);
    assert_eq!(
        badge("v1.5.0"),
        [Badge::Failed, Badge::Signed(1)],
        "signed by a person"
    );
    assert_eq!(
        badge("v1.6.1"),
        [Badge::Failed, Badge::Signed(1)],
        "copied signature"
    );
    assert_eq!(badge("v2.0.0-rc1"), [Badge::Unsigned]);
    assert_eq!(
        badge("v2.0.0"),
        [Badge::Verified, Badge::Signed(1), Badge::Attested(1)]
    );
}

/// Registry errors reach the screen with what to try: a TLS handshake answered in plain HTTP
/// hints at --allow-http-registry (in the tags pane and, in full, in the log), an HTTP 401 on
/// one tag at credentials.
#[test]
fn registry_errors_carry_their_hints() {
    let mut state = State::new("127.0.0.1:5000/app", NOW, false);
    let request = super::discover(&mut state);
    update(
        &mut state,
        Action::TagsListed {
            request,
            result: Err(
                "https://127.0.0.1:5000/v2/app/tags/list: error sending request: \
                         received corrupt message of type InvalidContentType"
                    .into(),
            ),
        },
    );
    let Listing::Failed(why) = &state.listing else {
        panic!("{:?}", state.listing)
    };
    assert!(
        why.ends_with("(the registry answered in plain HTTP: did you mean --allow-http-registry?)"),
        "{why}"
    );
    assert!(
        state
            .log
            .iter()
            .any(|l| l.contains("InvalidContentType") && l.contains("--allow-http-registry?")),
        "{:?}",
        state.log
    );

    let mut state = State::new("registry.example/app", NOW, false);
    let request = super::discover(&mut state);
    update(
        &mut state,
        Action::TagsListed {
            request,
            result: Ok(vec!["v1".into()]),
        },
    );
    update(
        &mut state,
        Action::TagInspected {
            request,
            report: Box::new(TagReport {
                tag: "v1".into(),
                outcome: TagOutcome::Error(
                    "registry.example/app:v1: authentication required or refused (HTTP 401)".into(),
                ),
            }),
        },
    );
    let TagLoad::Failed(why) = &state.tags[0].load else {
        panic!("{:?}", state.tags[0].load)
    };
    assert!(why.contains("credentials: docker login"), "{why}");
}
