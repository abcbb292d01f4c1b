//! `update` over the k9s/gitui-class keys: readline editing and paste, filters by state, digest
//! and signer, sorting by any column, the verify-all count and summary, expiring messages, the
//! `:` prompt and its history, the message log, pages everywhere, the mouse under overlays, the
//! raw view at its top, and "no attestations".

use crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};

use super::{
    NOW, attacked_state, chars, ctrl, key, keys, loaded_state, names, perform_verifications,
};
use crate::tui::action::Action;
use crate::tui::effect::{Effect, Evidence};
use crate::tui::state::{Focus, Level, MESSAGE_SECONDS, Overlay, SortKey, State, Verification};
use crate::tui::summary::{Badge, badges};
use crate::tui::update::update;
use crate::verify::report::ImageOutcome;

fn tick(state: &mut State, now: i64) {
    update(state, Action::Tick { now });
}

#[test]
fn the_filter_takes_readline_keys_and_a_paste() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('/'));
    chars(&mut state, "v1.6 unsigned");
    ctrl(&mut state, 'w');
    assert_eq!(state.filter.text(), "v1.6 ");
    ctrl(&mut state, 'a');
    key(&mut state, KeyCode::Delete);
    assert_eq!(state.filter.text(), "1.6 ");
    ctrl(&mut state, 'e');
    ctrl(&mut state, 'u');
    assert_eq!(state.filter.text(), "");
    update(&mut state, Action::Paste("v2.0\n".into()));
    assert_eq!(state.filter.text(), "v2.0 ");
    assert_eq!(names(&state), ["v2.0.0", "v2.0.0-rc1"]);
    ctrl(&mut state, 'u');
    assert_eq!(names(&state).len(), 14);
}

#[test]
fn filters_by_state_digest_and_signer() {
    let mut state = attacked_state();
    key(&mut state, KeyCode::Char('/'));
    chars(&mut state, "unsigned");
    assert_eq!(names(&state), ["v1.14.0"]);
    ctrl(&mut state, 'u');
    chars(&mut state, "signer:acme-evil");
    assert_eq!(names(&state), ["v1.10.0"]);
    ctrl(&mut state, 'u');
    chars(&mut state, "signer:alice");
    assert_eq!(names(&state), ["v1.11.0"]);
    ctrl(&mut state, 'u');
    let digest = state.tags[3].image().unwrap().digest.to_string();
    chars(&mut state, &digest[..14]);
    assert_eq!(names(&state), [state.tags[3].name.as_str()]);
    ctrl(&mut state, 'u');
    chars(&mut state, "!signed");
    assert_eq!(names(&state), ["v1.14.0"]);
    ctrl(&mut state, 'u');
    chars(&mut state, "state:fail");
    assert!(names(&state).is_empty(), "nothing verified yet");
    key(&mut state, KeyCode::Enter);
    // Verify for CI: the failures join the filter on the next frame.
    state.filter.editing = false;
    let effects = {
        key(&mut state, KeyCode::Char('v'));
        key(&mut state, KeyCode::Enter)
    };
    assert_eq!(effects.len(), 15);
    for effect in effects {
        let Effect::Verify { request, tag, .. } = effect else {
            continue;
        };
        let failed = tag == "v1.10.0";
        let result = if failed {
            Err("the fixture cannot verify here".to_owned())
        } else {
            Ok(Box::new(
                crate::verify::report::ImageVerdict::could_not_check(
                    tag.clone(),
                    "not this test".into(),
                    super::update::dummy_summary(),
                ),
            ))
        };
        update(
            &mut state,
            Action::Verified {
                request,
                tag,
                result,
            },
        );
    }
    assert!(state.stale_order);
    tick(&mut state, NOW);
    assert!(names(&state).is_empty(), "could not check is not failed");
    key(&mut state, KeyCode::Char('/'));
    ctrl(&mut state, 'u');
    chars(&mut state, "unchecked");
    assert_eq!(names(&state).len(), 15);
}

#[test]
fn tags_sort_by_every_column_and_reverse() {
    let mut state = attacked_state();
    assert_eq!(state.sort, SortKey::Name);
    assert_eq!(names(&state)[..3], ["v1.0.0", "v1.1.0", "v1.2.0"]);
    let mut seen = vec![state.sort];
    for _ in 0..4 {
        key(&mut state, KeyCode::Char('o'));
        seen.push(state.sort);
    }
    assert_eq!(seen, SortKey::ALL);
    // By state: what needs a look first (unsigned before the merely unverified).
    assert_eq!(names(&state)[0], "v1.14.0");
    key(&mut state, KeyCode::Char('O'));
    assert!(state.reverse);
    assert_eq!(names(&state).last(), Some(&"v1.14.0"));
    key(&mut state, KeyCode::Char('o'));
    assert_eq!(state.sort, SortKey::Name);
    assert_eq!(names(&state)[0], "v1.14.0", "reversed by name");
    // By digest: ordered by the digests' text.
    keys(
        &mut state,
        &[KeyCode::Char('O'), KeyCode::Char('o'), KeyCode::Char('o')],
    );
    assert_eq!(state.sort, SortKey::Digest);
    let digests: Vec<String> = state
        .visible()
        .iter()
        .map(|&i| state.tags[i].image().unwrap().digest.to_string())
        .collect();
    let mut sorted = digests.clone();
    sorted.sort();
    assert_eq!(digests, sorted);
}

#[test]
fn verify_all_counts_as_it_goes_then_sums_up_and_the_message_expires() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('v'));
    let effects = key(&mut state, KeyCode::Enter);
    assert_eq!(state.verify_run.as_ref().unwrap().total, 14);
    perform_verifications(&mut state, effects);
    assert!(state.verify_run.is_none());
    let message = state.message.clone().unwrap();
    // The counts are the rows' verdicts, and come first (a long identity cannot hide them).
    let count = |f: fn(&ImageOutcome) -> bool| {
        state
            .tags
            .iter()
            .filter(|t| matches!(&t.verification, Verification::Done(v) if f(&v.outcome)))
            .count()
    };
    let verified = count(|o| matches!(o, ImageOutcome::Verified(_)));
    let failed = count(|o| matches!(o, ImageOutcome::NotVerified { .. }));
    assert!(verified > 0 && failed > 0, "the demo has both");
    assert!(
        message.text.starts_with(&format!(
            "{verified} verified, {failed} failed, 0 could not check: /^https://"
        )),
        "{message:?}"
    );
    let status = super::snapshots::render(&mut state, 80, 24);
    let last = status.lines().last().unwrap_or_default();
    assert!(
        last.contains(&format!("{verified} verified, {failed} failed")),
        "{last}"
    );
    assert!(status.contains("checked for /^https://"), "{status}");
    assert!(state.log.iter().any(|l| l == &message.text));
    tick(&mut state, NOW + MESSAGE_SECONDS - 1);
    assert!(state.message.is_some());
    tick(&mut state, NOW + MESSAGE_SECONDS + 60);
    assert!(state.message.is_none(), "the message expired");
    assert!(!state.log.is_empty(), "but it is in the log");
}

#[test]
fn the_message_log_shows_everything_and_scrolls() {
    let mut state = loaded_state(false);
    state.say(
        Level::Error,
        "reg/app: authentication required or refused (HTTP 401)",
    );
    state.say(Level::Info, "second");
    key(&mut state, KeyCode::Char('!'));
    assert!(matches!(state.overlay, Overlay::Messages { scroll: 1 }));
    keys(&mut state, &[KeyCode::PageUp, KeyCode::Char('g')]);
    assert!(matches!(state.overlay, Overlay::Messages { scroll: 0 }));
    key(&mut state, KeyCode::Char('x'));
    assert!(matches!(state.overlay, Overlay::None));
}

#[test]
fn colon_opens_another_repository_with_history() {
    let mut state = loaded_state(false);
    state.history = vec!["ghcr.io/acme/app".into()];
    key(&mut state, KeyCode::Char(':'));
    chars(&mut state, "reg.example/other");
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Open { request, target }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(target, "reg.example/other");
    let request = *request;
    // A failure keeps the prompt, with the error (and its hint) in full.
    update(
        &mut state,
        Action::Opened {
            request,
            target: target.clone(),
            result: Err(
                "reg.example/other: received corrupt message of type InvalidContentType".into(),
            ),
        },
    );
    let Overlay::Open(prompt) = &state.overlay else {
        panic!("closed")
    };
    assert!(
        prompt
            .error
            .as_deref()
            .unwrap()
            .contains("--allow-http-registry")
    );
    assert_eq!(state.tags.len(), 14, "the old tags stay");
    // ↑ recalls the history; Enter opens; success replaces the tags.
    key(&mut state, KeyCode::Up);
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Open { request, target }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(target, "ghcr.io/acme/app");
    update(
        &mut state,
        Action::Opened {
            request: *request,
            target: target.clone(),
            result: Ok("ghcr.io/acme/app".into()),
        },
    );
    assert!(matches!(state.overlay, Overlay::None));
    assert!(state.tags.is_empty());
    assert_eq!(state.discovery, *request);
    assert_eq!(state.history, ["ghcr.io/acme/app"]);
}

#[test]
fn pages_and_ends_in_every_pane_and_the_raw_view_opens_at_its_top() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::PageDown);
    assert_ne!(state.selected.as_deref(), Some("latest"));
    key(&mut state, KeyCode::Char('g'));
    assert_eq!(state.selected.as_deref(), Some("latest"));
    keys(&mut state, &[KeyCode::Char('j'), KeyCode::Enter]);
    assert_eq!(state.focus, Focus::Tree);
    let root = state.tree.selected.clone();
    keys(&mut state, &[KeyCode::PageDown]);
    assert_ne!(state.tree.selected, root);
    keys(&mut state, &[KeyCode::PageUp]);
    assert_eq!(state.tree.selected, root);
    keys(
        &mut state,
        &[KeyCode::Tab, KeyCode::Char('r'), KeyCode::PageDown],
    );
    assert!(state.detail_scroll > 0);
    key(&mut state, KeyCode::Char('G'));
    key(&mut state, KeyCode::Char('r'));
    assert_eq!(state.detail_scroll, 0, "the other view starts at its top");
    // The help scrolls too.
    update(
        &mut state,
        Action::Resize {
            width: 80,
            height: 24,
        },
    );
    keys(&mut state, &[KeyCode::Char('?'), KeyCode::PageDown]);
    assert!(matches!(state.overlay, Overlay::Help { scroll } if scroll > 0));
    key(&mut state, KeyCode::Char('G'));
    assert!(matches!(state.overlay, Overlay::Help { .. }));
    key(&mut state, KeyCode::Esc);
    assert!(matches!(state.overlay, Overlay::None));
}

#[test]
fn the_mouse_does_not_reach_the_panes_under_an_overlay() {
    let mut state = loaded_state(false);
    let selected = state.selected.clone();
    key(&mut state, KeyCode::Char('s'));
    let wheel = |kind| MouseEvent {
        kind,
        column: 5,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut state, Action::Mouse(wheel(MouseEventKind::ScrollDown)));
    update(
        &mut state,
        Action::Mouse(wheel(MouseEventKind::Down(
            crossterm::event::MouseButton::Left,
        ))),
    );
    assert_eq!(state.selected, selected, "the tags below did not move");
    let Overlay::Signers(view) = &state.overlay else {
        panic!("the click closed the view")
    };
    assert_eq!(view.selected, 1, "the wheel moved the signer view");
}

#[test]
fn attestation_mode_says_no_attestations() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('v'));
    while matches!(&state.overlay, Overlay::Verify(d) if d.field == crate::tui::verify_dialog::Field::Choice)
    {
        key(&mut state, KeyCode::Down);
    }
    key(&mut state, KeyCode::Char(' '));
    let effects = key(&mut state, KeyCode::Enter);
    assert!(matches!(
        state.policy.as_ref().map(|p| &p.evidence),
        Some(Evidence::Attestations { .. })
    ));
    perform_verifications(&mut state, effects);
    let unsigned = state.tags.iter().find(|t| t.name == "v2.0.0-rc1").unwrap();
    assert_eq!(
        badges(unsigned, state.attestations()).first(),
        Some(&Badge::NoAttestations)
    );
    key(&mut state, KeyCode::Char('/'));
    chars(&mut state, "no-att");
    assert!(names(&state).contains(&"v2.0.0-rc1"));
}
