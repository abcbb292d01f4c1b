//! The attacked repository: the verify dialog defaults to the majority's signer and marks the
//! attacker's; the signer view lists both signers of a two-signature build and flags the copied
//! signature; Enter on a signer-view line verifies for that signer; a key file that cannot be
//! read keeps the dialog open with its error.

use std::path::PathBuf;

use crossterm::event::KeyCode;

use super::{attacked_state, chars, key, keys, loaded_state};
use crate::tui::action::Action;
use crate::tui::effect::{Effect, SignerSpec, VerifySpec};
use crate::tui::state::{Overlay, State, Verification};
use crate::tui::update::update;
use crate::tui::verify_dialog::Mode;

const CI: &str = r"^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/.+$";

fn dialog(state: &State) -> &crate::tui::verify_dialog::VerifyDialog {
    match &state.overlay {
        Overlay::Verify(d) => d,
        other => panic!("no verify dialog: {other:?}"),
    }
}

fn identity(spec: &SignerSpec) -> &str {
    match spec {
        SignerSpec::Identity { identity, .. } => identity,
        other => panic!("not an identity: {other:?}"),
    }
}

fn verify_effects(effects: &[Effect]) -> Vec<(&str, &VerifySpec)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Verify { tag, spec, .. } => Some((tag.as_str(), spec)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_dialog_lists_signers_by_builds_and_enter_picks_the_majority_not_the_attacker() {
    let mut state = attacked_state();
    key(&mut state, KeyCode::Char('v'));
    let d = dialog(&state);
    assert_eq!(d.selected, 0);
    let first = &d.choices[0];
    assert_eq!(identity(&first.signer), CI);
    // v1.0.0…v1.9.0 and v1.11.0 (the copied one is not counted).
    assert_eq!(first.signatures, 11);
    assert!(!first.odd);
    let evil = d
        .choices
        .iter()
        .find(|c| identity(&c.signer).contains("acme-evil"))
        .unwrap();
    assert_eq!(evil.signatures, 1);
    assert!(evil.odd, "the attacker's signer is marked");
    let alice = d
        .choices
        .iter()
        .find(|c| identity(&c.signer) == "alice@acme.example")
        .unwrap();
    assert!(alice.odd);
    let effects = key(&mut state, KeyCode::Enter);
    assert!(matches!(state.overlay, Overlay::None));
    let verifies = verify_effects(&effects);
    assert_eq!(verifies.len(), 15, "every loaded tag");
    assert!(verifies.iter().all(|(_, s)| identity(&s.signer) == CI));
    let run = state.verify_run.as_ref().unwrap();
    assert_eq!(run.total, 15);
}

#[test]
fn a_signer_given_on_the_command_line_or_in_the_settings_comes_first() {
    let mut state = attacked_state();
    state.default_policy = Some(VerifySpec::identity(
        "alice@acme.example",
        false,
        "https://accounts.google.com",
    ));
    key(&mut state, KeyCode::Char('v'));
    let d = dialog(&state);
    assert!(d.choices[0].current);
    assert_eq!(identity(&d.choices[0].signer), "alice@acme.example");
    assert_eq!(d.choices[0].signatures, 1, "its builds are still counted");
    assert_eq!(identity(&d.choices[1].signer), CI);
}

#[test]
fn the_signer_view_shows_every_signature_and_flags_the_copied_one() {
    let mut state = attacked_state();
    key(&mut state, KeyCode::Char('s'));
    let Overlay::Signers(view) = &state.overlay else {
        panic!("no signer view")
    };
    let both = view
        .matrix
        .rows
        .iter()
        .find(|r| r.tag == "v1.11.0")
        .unwrap();
    assert_eq!(both.signatures.len(), 2);
    assert!(
        both.outliers.is_empty(),
        "it verifies for CI: {:?}",
        both.outliers
    );
    let lines_of = |tag: &str| {
        view.lines
            .iter()
            .filter(|l| view.matrix.rows[l.row].tag == tag)
            .count()
    };
    assert_eq!(lines_of("v1.11.0"), 2, "one line per signature");
    assert_eq!(lines_of("v1.14.0"), 1, "an unsigned build has one line");
    let copied = view
        .matrix
        .rows
        .iter()
        .find(|r| r.tag == "v1.12.0")
        .unwrap();
    assert!(copied.signatures[0].copied_from.is_some());
    assert!(
        copied.outliers[0]
            .reason
            .starts_with("signature copied from another image"),
        "{:?}",
        copied.outliers
    );
    assert_eq!(view.matrix.outlier_count(), 4);
}

#[test]
fn enter_on_a_signer_view_line_verifies_every_tag_for_that_signer() {
    let mut state = attacked_state();
    key(&mut state, KeyCode::Char('s'));
    // The lines follow the natural tag order: v1.0.0 … v1.9.0, v1.10.0 (acme-evil).
    let Overlay::Signers(view) = &state.overlay else {
        panic!("no signer view")
    };
    let evil = view
        .lines
        .iter()
        .position(|l| view.matrix.rows[l.row].tag == "v1.10.0")
        .unwrap();
    for _ in 0..evil {
        key(&mut state, KeyCode::Down);
    }
    let effects = key(&mut state, KeyCode::Enter);
    let verifies = verify_effects(&effects);
    assert_eq!(verifies.len(), 15);
    assert!(
        identity(&verifies[0].1.signer).contains("acme-evil"),
        "{:?}",
        verifies[0].1
    );
    assert!(matches!(state.overlay, Overlay::None));
    // Enter on a CI line picks the workflow's pattern, not the one build's identity.
    key(&mut state, KeyCode::Char('s'));
    let effects = key(&mut state, KeyCode::Enter);
    assert_eq!(identity(&verify_effects(&effects)[0].1.signer), CI);
    // A key-signed build opens the dialog on its key file tab.
    key(&mut state, KeyCode::Char('s'));
    key(&mut state, KeyCode::End);
    key(&mut state, KeyCode::Up);
    let effects = key(&mut state, KeyCode::Enter);
    assert!(effects.is_empty());
    assert_eq!(dialog(&state).mode, Mode::Key);
}

#[test]
fn a_key_file_that_cannot_be_read_keeps_the_dialog_open_with_its_error() {
    let mut state = attacked_state();
    keys(
        &mut state,
        &[KeyCode::Char('v'), KeyCode::Tab, KeyCode::Tab],
    );
    assert_eq!(dialog(&state).mode, Mode::Key);
    chars(&mut state, "~/missing.pub");
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::CheckKey { request, path }] = effects.as_slice() else {
        panic!("the key is checked first: {effects:?}")
    };
    assert_eq!(path, "~/missing.pub");
    assert!(dialog(&state).pending.is_some());
    // Keys wait while the key is read; no tag is touched.
    assert!(key(&mut state, KeyCode::Enter).is_empty());
    assert!(
        state
            .tags
            .iter()
            .all(|t| matches!(t.verification, Verification::NotRequested))
    );
    let error = "reading the key /home/ann/missing.pub: No such file or directory (os error 2)";
    let effects = update(
        &mut state,
        Action::KeyChecked {
            request: *request,
            result: Err(error.into()),
        },
    );
    assert!(effects.is_empty());
    let d = dialog(&state);
    assert_eq!(d.error.as_deref(), Some(error));
    assert!(d.pending.is_none());
    assert!(state.policy.is_none());
    assert!(
        state.message.is_none(),
        "no 'verifying every tag…' left behind"
    );
    // A good key runs with the expanded path.
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::CheckKey { request, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let effects = update(
        &mut state,
        Action::KeyChecked {
            request: *request,
            result: Ok(PathBuf::from("/home/ann/missing.pub")),
        },
    );
    assert_eq!(verify_effects(&effects).len(), 15);
    assert_eq!(
        state.policy.as_ref().unwrap().signer,
        SignerSpec::KeyFile(PathBuf::from("/home/ann/missing.pub"))
    );
}

#[test]
fn the_demos_dialog_defaults_to_the_release_workflow_and_marks_the_person() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('v'));
    let d = dialog(&state);
    assert!(identity(&d.choices[0].signer).contains("release"));
    let person = d
        .choices
        .iter()
        .find(|c| !identity(&c.signer).contains("release"));
    assert!(person.is_some_and(|c| c.odd), "{:?}", d.choices);
}
