//! `update` over the verify dialog (typed identity, key file, attestations), the signer view,
//! the copy menu, orphans and the kept tag order.

use crossterm::event::KeyCode;

use super::{
    NOW, chars, demo_reports, key, keys, loaded_state, perform_verifications, verifications,
};
use crate::compare::Attribute;
use crate::tui::action::Action;
use crate::tui::effect::{Effect, Evidence, SignerSpec, VerifySpec};
use crate::tui::state::{Overlay, State, TagLoad};
use crate::tui::summary::{Badge, badges};
use crate::tui::update::{start, update};
use crate::tui::verify_dialog::{Field, Mode};

fn dialog(state: &State) -> &crate::tui::verify_dialog::VerifyDialog {
    match &state.overlay {
        Overlay::Verify(d) => d,
        other => panic!("no verify dialog: {other:?}"),
    }
}

fn badges_of(state: &State, tag: &str) -> Vec<Badge> {
    badges(
        state.tags.iter().find(|t| t.name == tag).unwrap(),
        state.attestations(),
    )
}

#[test]
fn the_pick_list_offers_the_ci_builds_once_as_an_anchored_pattern() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('v'));
    let choices = &dialog(&state).choices;
    let identities: Vec<(&str, bool)> = choices
        .iter()
        .map(|c| match &c.signer {
            SignerSpec::Identity {
                identity,
                identity_is_regexp,
                ..
            } => (identity.as_str(), *identity_is_regexp),
            SignerSpec::KeyFile(_) => panic!("a key is never seen"),
            SignerSpec::NotationPolicy { .. } => ("notation", false),
        })
        .collect();
    let patterns: Vec<&str> = identities
        .iter()
        .filter(|(_, r)| *r)
        .map(|(i, _)| *i)
        .collect();
    assert_eq!(
        patterns,
        [r"^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/.+$"],
        "{identities:?}"
    );
    assert!(
        identities
            .iter()
            .all(|(i, r)| *r || !i.contains("workflows/release.yml")),
        "no per-build CI identity is offered: {identities:?}"
    );
    assert!(identities.contains(&("alice@acme.example", false)));
    // Picking the pattern verifies every tag: the CI builds pass, alice's build fails.
    let at = identities.iter().position(|(_, r)| *r).unwrap();
    for _ in 0..at {
        key(&mut state, KeyCode::Down);
    }
    let effects = key(&mut state, KeyCode::Enter);
    assert!(matches!(state.overlay, Overlay::None));
    assert_eq!(verifications(&effects), 14, "every tag is verified");
    perform_verifications(&mut state, effects);
    assert_eq!(badges_of(&state, "v1.0.0")[0], Badge::Verified);
    assert_eq!(badges_of(&state, "v1.5.0")[0], Badge::Failed);
}

#[test]
fn a_typed_regexp_warns_until_anchored_and_verifies_every_tag() {
    let mut state = loaded_state(false);
    keys(
        &mut state,
        &[KeyCode::Char('v'), KeyCode::Tab, KeyCode::Tab],
    );
    assert_eq!(dialog(&state).mode, Mode::Key);
    keys(&mut state, &[KeyCode::BackTab]);
    let d = dialog(&state);
    assert_eq!((d.mode, d.field), (Mode::Typed, Field::Identity));
    // Start from scratch: clear what the picked signer filled in.
    for _ in 0..200 {
        key(&mut state, KeyCode::Backspace);
    }
    chars(&mut state, "workflows/release");
    key(&mut state, KeyCode::Down);
    for _ in 0..200 {
        key(&mut state, KeyCode::Backspace);
    }
    chars(&mut state, crate::demo::CI_ISSUER);
    key(&mut state, KeyCode::Down);
    assert_eq!(dialog(&state).field, Field::Matching);
    // Filled in from the picked signer (the CI pattern), matching is a regexp: unanchored, it
    // warns; exact, it does not.
    assert!(dialog(&state).regexp);
    let warning = dialog(&state).warning().expect("unanchored warning");
    assert!(warning.contains("not anchored"), "{warning}");
    key(&mut state, KeyCode::Char(' '));
    assert_eq!(dialog(&state).warning(), None);
    key(&mut state, KeyCode::Char(' '));
    assert!(dialog(&state).warning().is_some());
    // `q` typed into a text field is text, not a close.
    keys(&mut state, &[KeyCode::Up, KeyCode::Up]);
    key(&mut state, KeyCode::Char('q'));
    assert_eq!(dialog(&state).identity.text(), "workflows/releaseq");
    key(&mut state, KeyCode::Backspace);
    let effects = key(&mut state, KeyCode::Enter);
    let spec = state.policy.clone().unwrap();
    assert_eq!(
        spec,
        VerifySpec::identity("workflows/release", true, crate::demo::CI_ISSUER)
    );
    perform_verifications(&mut state, effects);
    assert_eq!(badges_of(&state, "v1.0.0")[0], Badge::Verified);
    assert_eq!(badges_of(&state, "v1.5.0")[0], Badge::Failed);
}

#[test]
fn an_empty_typed_identity_or_bad_regexp_is_an_error_not_a_run() {
    let mut state = loaded_state(false);
    keys(
        &mut state,
        &[KeyCode::Char('v'), KeyCode::Tab, KeyCode::Tab],
    );
    assert!(key(&mut state, KeyCode::Enter).is_empty());
    assert!(dialog(&state).error.as_deref().unwrap().contains("key"));
    keys(&mut state, &[KeyCode::BackTab]);
    for _ in 0..200 {
        key(&mut state, KeyCode::Backspace);
    }
    chars(&mut state, "(unclosed");
    keys(&mut state, &[KeyCode::Down, KeyCode::Down]);
    if !dialog(&state).regexp {
        key(&mut state, KeyCode::Right);
    }
    assert!(key(&mut state, KeyCode::Enter).is_empty());
    let error = dialog(&state).error.clone().unwrap();
    assert!(error.contains("invalid regular expression"), "{error}");
    assert!(state.policy.is_none());
}

#[test]
fn a_key_file_and_attestations_of_a_type_make_the_spec() {
    let mut state = loaded_state(false);
    keys(&mut state, &[KeyCode::Char('v'), KeyCode::BackTab]);
    assert_eq!(dialog(&state).mode, Mode::Key);
    chars(&mut state, "/keys/cosign.pub");
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Char(' '));
    key(&mut state, KeyCode::Down);
    assert_eq!(dialog(&state).field, Field::Predicate);
    chars(&mut state, "slsaprovenance1");
    // The key file is read (by the runtime) before anything runs.
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::CheckKey { request, path }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(path, "/keys/cosign.pub");
    let effects = update(
        &mut state,
        Action::KeyChecked {
            request: *request,
            result: Ok("/keys/cosign.pub".into()),
        },
    );
    assert_eq!(verifications(&effects), 14);
    assert_eq!(
        state.policy,
        Some(VerifySpec {
            signer: SignerSpec::KeyFile("/keys/cosign.pub".into()),
            evidence: Evidence::Attestations {
                predicate: Some("slsaprovenance1".into())
            },
        })
    );
    // The missing key file is the runtime's to read: it says so, per tag.
    let err = crate::tui::runtime::policy(state.policy.as_ref().unwrap()).unwrap_err();
    assert!(err.contains("/keys/cosign.pub"), "{err}");
}

#[test]
fn attestations_of_the_ci_identity_verify_from_the_dialog() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('v'));
    // The default is the CI pattern (most builds); Space on the pick list switches to
    // attestations without changing the signer picked.
    assert!(matches!(
        &dialog(&state).choices[dialog(&state).selected].signer,
        SignerSpec::Identity {
            identity_is_regexp: true,
            ..
        }
    ));
    key(&mut state, KeyCode::Char(' '));
    let effects = key(&mut state, KeyCode::Enter);
    assert!(matches!(
        state.policy.as_ref().map(|p| &p.evidence),
        Some(Evidence::Attestations { predicate: None })
    ));
    perform_verifications(&mut state, effects);
    let verified: Vec<&str> = state
        .tags
        .iter()
        .filter(|t| badges(t, true).first() == Some(&Badge::Verified))
        .map(|t| t.name.as_str())
        .collect();
    assert!(
        !verified.is_empty(),
        "some CI build carries a verified attestation"
    );
    let tag = state.tags.iter().find(|t| t.name == verified[0]).unwrap();
    let crate::tui::state::Verification::Done(v) = &tag.verification else {
        panic!("not done")
    };
    assert!(
        v.signatures[0]
            .checks
            .0
            .iter()
            .any(|c| c.name == "predicate type"),
        "attestation checks were run: {v:?}"
    );
}

#[test]
fn the_signer_view_flags_the_odd_build_and_the_unsigned_one_and_scrolls() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('s'));
    let Overlay::Signers(view) = &state.overlay else {
        panic!("no signer view")
    };
    assert_eq!(view.selected, 0);
    let matrix = &view.matrix;
    let last_line = view.lines.len() - 1;
    assert_eq!(matrix.rows.len(), 14);
    let odd = matrix.rows.iter().find(|r| r.tag == "v1.5.0").unwrap();
    assert!(
        odd.outliers
            .iter()
            .any(|o| o.attribute == Some(Attribute::Identity)),
        "{odd:?}"
    );
    let unsigned = matrix.rows.iter().find(|r| r.tag == "v2.0.0-rc1").unwrap();
    assert_eq!(unsigned.outliers[0].reason, "unsigned");
    let normal = matrix.rows.iter().find(|r| r.tag == "v1.0.0").unwrap();
    assert!(normal.outliers.is_empty(), "{normal:?}");
    keys(
        &mut state,
        &[KeyCode::Down, KeyCode::Down, KeyCode::End, KeyCode::Down],
    );
    let Overlay::Signers(view) = &state.overlay else {
        panic!("closed")
    };
    assert_eq!(view.selected, last_line, "clamped at the last line");
    key(&mut state, KeyCode::Esc);
    assert!(matches!(state.overlay, Overlay::None));
}

#[test]
fn copy_asks_the_runtime_and_the_status_line_says_where_it_went() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('j'));
    let digest = state
        .selected_tag()
        .unwrap()
        .image()
        .unwrap()
        .digest
        .to_string();
    key(&mut state, KeyCode::Char('y'));
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Copy(copy)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(copy.text, digest);
    assert!(copy.what.contains("v1.0.0"), "{}", copy.what);
    keys(&mut state, &[KeyCode::Char('y'), KeyCode::Down]);
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Copy(copy)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(copy.text, format!("ghcr.io/acme/app@{digest}"));
    keys(
        &mut state,
        &[KeyCode::Char('y'), KeyCode::Down, KeyCode::Down],
    );
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Copy(copy)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        copy.text,
        "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"
    );
    update(
        &mut state,
        Action::Copied {
            result: Ok("copied it to the terminal's clipboard (OSC 52)".into()),
        },
    );
    assert!(
        state
            .message
            .as_ref()
            .map(|m| m.text.as_str())
            .unwrap()
            .contains("OSC 52")
    );
    // An unsigned tag has no signer identity: nothing copied, and the status line says why.
    key(&mut state, KeyCode::End);
    keys(
        &mut state,
        &[KeyCode::Char('y'), KeyCode::Down, KeyCode::Down],
    );
    assert!(key(&mut state, KeyCode::Enter).is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("nothing copied: unsigned")
    );
}

#[test]
fn an_untagged_digest_with_artifacts_is_listed_as_an_orphan_and_verified() {
    let mut state = loaded_state(true);
    let (_, reports) = demo_reports();
    let mut image = reports[1].image().unwrap().clone();
    image.digest = crate::reference::Digest::sha256_of(b"untagged");
    let request = state.discovery;
    let effects = update(
        &mut state,
        Action::OrphanFound {
            request,
            image: Box::new(image),
        },
    );
    assert_eq!(effects.len(), 1, "verified under the current policy");
    let orphan = state.tags.iter().find(|t| t.orphan).unwrap();
    assert!(orphan.name.starts_with("sha256:"));
    assert!(matches!(orphan.load, TagLoad::Loaded { .. }));
    assert_eq!(state.visible().len(), 15);
    // A stale discovery's orphan is dropped.
    let (_, reports) = demo_reports();
    let stale = update(
        &mut state,
        Action::OrphanFound {
            request: request + 100,
            image: Box::new(reports[0].image().unwrap().clone()),
        },
    );
    assert!(stale.is_empty());
    assert_eq!(state.tags.len(), 15);
}

#[test]
fn the_kept_order_follows_filter_edits_and_sort_changes() {
    let mut state = State::new("many", NOW, false);
    let effects = start(&mut state);
    let [Effect::Discover { request }] = effects.as_slice() else {
        panic!()
    };
    let names: Vec<String> = (0..300).rev().map(|i| format!("v{i}")).collect();
    update(
        &mut state,
        Action::TagsListed {
            request: *request,
            result: Ok(names),
        },
    );
    let shown = |s: &State| -> Vec<String> {
        s.visible()
            .iter()
            .map(|&i| s.tags[i].name.clone())
            .collect()
    };
    assert_eq!(shown(&state)[..3], ["v0", "v1", "v2"]);
    keys(&mut state, &[KeyCode::Char('/')]);
    chars(&mut state, "V29");
    assert_eq!(
        shown(&state),
        [
            "v29", "v290", "v291", "v292", "v293", "v294", "v295", "v296", "v297", "v298", "v299"
        ]
    );
    key(&mut state, KeyCode::Char('9'));
    assert_eq!(shown(&state), ["v299"]);
    key(&mut state, KeyCode::Backspace);
    key(&mut state, KeyCode::Backspace);
    assert_eq!(shown(&state).len(), 1 + 10 + 100, "v2, v20–v29, v200–v299");
    key(&mut state, KeyCode::Esc);
    assert_eq!(shown(&state).len(), 300);
}

#[test]
fn copy_offers_the_cosign_command_and_policies_for_the_tags_signer() {
    let mut state = loaded_state(false);
    key(&mut state, KeyCode::Char('j'));
    let copied = |state: &mut State, downs: usize| {
        key(state, KeyCode::Char('y'));
        for _ in 0..downs {
            key(state, KeyCode::Down);
        }
        let effects = key(state, KeyCode::Enter);
        let [Effect::Copy(copy)] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        copy.text.clone()
    };
    let command = copied(&mut state, 4);
    assert!(command.starts_with("cosign verify "), "{command}");
    // The CI identity of a per-release build becomes one anchored pattern for the workflow.
    assert!(
        command.contains(
            r"--certificate-identity-regexp '^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/[^/]+$'"
        ),
        "{command}"
    );
    assert!(
        command.contains("--certificate-oidc-issuer https://token.actions.githubusercontent.com"),
        "{command}"
    );
    assert!(
        command.trim_end().ends_with(" ghcr.io/acme/app:v1.0.0"),
        "{command}"
    );
    let cip = copied(&mut state, 5);
    assert!(cip.contains("kind: ClusterImagePolicy"), "{cip}");
    assert!(cip.contains("subjectRegExp"), "{cip}");
    let kyverno = copied(&mut state, 6);
    assert!(kyverno.contains("verifyImages"), "{kyverno}");
    // An unsigned tag has no signer to write a policy for.
    key(&mut state, KeyCode::End);
    key(&mut state, KeyCode::Char('y'));
    for _ in 0..4 {
        key(&mut state, KeyCode::Down);
    }
    assert!(key(&mut state, KeyCode::Enter).is_empty());
    assert!(
        state
            .message
            .as_ref()
            .map(|m| m.text.as_str())
            .unwrap()
            .contains("no cosign signature"),
        "{:?}",
        state.message
    );
}
