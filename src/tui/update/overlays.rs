//! Keys while an overlay is open: help, the verify dialog, the signer view, the copy menu, the
//! `:` prompt and the message log; pastes into their text fields; a checked key file.

use crossterm::event::{KeyCode, KeyEvent};

use crate::compare::signer_matrix_of;
use crate::verify::identity::Matcher;

use super::super::action::RequestId;
use super::super::copy_menu::CopyMenu;
use super::super::effect::{Effect, Evidence, SignerSpec, VerifySpec};
use super::super::layout::{dialog_rows, overlay_rows};
use super::super::prompt::PromptDecision;
use super::super::signer_view::{SignerKey, SignerView};
use super::super::state::{Level, Overlay, State, TagLoad};
use super::super::verify_dialog::{Decision, VerifyDialog, signers_seen};
use super::selection::filter_changed;
use super::work::verify_all;

pub fn open_verify(state: &mut State) {
    let current = state.policy.as_ref().or(state.default_policy.as_ref());
    state.overlay = Overlay::Verify(Box::new(VerifyDialog::new(current, &state.tags)));
}

/// The signer matrix of the tags shown (filtered and sorted as the tags pane), loaded ones only.
pub fn open_signers(state: &mut State) {
    let tags = state.visible().iter().filter_map(|&i| {
        let t = &state.tags[i];
        match &t.load {
            TagLoad::Loaded { image, .. } => Some((t.name.as_str(), Ok(image.as_ref()))),
            TagLoad::Failed(e) => Some((t.name.as_str(), Err(e.as_str()))),
            TagLoad::Pending => None,
        }
    });
    let view = SignerView::new(signer_matrix_of(tags));
    state.overlay = Overlay::Signers(Box::new(view));
}

pub fn open_copy_menu(state: &mut State) {
    state.overlay = Overlay::Copy(CopyMenu::new(&state.copy_source()));
}

/// Scrolls a list of `len` rows by the navigation keys; false for any other key.
fn scroll_key(scroll: &mut usize, code: KeyCode, len: usize, page: usize) -> bool {
    let last = len.saturating_sub(1);
    match code {
        KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => *scroll = (*scroll + 1).min(last),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(page.max(1)),
        KeyCode::PageDown => *scroll = (*scroll + page.max(1)).min(last),
        KeyCode::Home | KeyCode::Char('g') => *scroll = 0,
        KeyCode::End | KeyCode::Char('G') => *scroll = last,
        _ => return false,
    }
    true
}

pub fn overlay_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let code = key.code;
    let page = overlay_rows(state.size.1);
    let log_len = state.log.len();
    match &mut state.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => {
            if !scroll_key(scroll, code, super::super::view::HELP_LINES, page) {
                state.overlay = Overlay::None;
            }
        }
        Overlay::Messages { scroll } => {
            if !scroll_key(scroll, code, log_len, page) {
                state.overlay = Overlay::None;
            }
        }
        Overlay::Verify(dialog) => {
            if dialog.pending.is_some() && code != KeyCode::Esc {
                return Vec::new();
            }
            match dialog.key(key, dialog_rows(state.size.1)) {
                Decision::Stay => {}
                Decision::Close => state.overlay = Overlay::None,
                Decision::Run(spec) => return run_or_check(state, spec),
            }
        }
        Overlay::Signers(view) => match view.key(code, page) {
            SignerKey::Stay => {}
            SignerKey::Close => state.overlay = Overlay::None,
            SignerKey::Verify => return verify_for_selected_signer(state),
        },
        Overlay::Copy(menu) => {
            let mut selected = menu.selected;
            if scroll_key(&mut selected, code, menu.entries.len(), page) {
                menu.selected = selected;
                return Vec::new();
            }
            match code {
                KeyCode::Esc | KeyCode::Char('q' | 'y') => state.overlay = Overlay::None,
                KeyCode::Enter => {
                    let tag = state.selected.clone().unwrap_or_default();
                    let chosen = menu.chosen(&tag);
                    state.overlay = Overlay::None;
                    match chosen {
                        Ok(copy) => return vec![Effect::Copy(copy)],
                        Err(why) => state.say(Level::Error, format!("nothing copied: {why}")),
                    }
                }
                _ => {}
            }
        }
        Overlay::Open(prompt) => match prompt.key(key, &state.history) {
            PromptDecision::Stay => {}
            PromptDecision::Close => state.overlay = Overlay::None,
            PromptDecision::Open(target) => {
                let request = state.request();
                state.opening = Some(request);
                return vec![Effect::Open { request, target }];
            }
        },
    }
    Vec::new()
}

/// Runs `spec` on every tag, after its key file has been read and checked when it names one
/// (the dialog stays open meanwhile, and shows what is wrong with the key).
fn run_or_check(state: &mut State, spec: VerifySpec) -> Vec<Effect> {
    let SignerSpec::KeyFile(path) = &spec.signer else {
        return run(state, spec);
    };
    let request = state.request();
    let path = path.display().to_string();
    if let Overlay::Verify(dialog) = &mut state.overlay {
        dialog.error = None;
        dialog.pending = Some((request, spec));
    }
    vec![Effect::CheckKey { request, path }]
}

/// The key file of a pending verification was read: run it, or show why the key is unusable
/// without closing the dialog.
pub fn key_checked(
    state: &mut State,
    request: RequestId,
    result: Result<std::path::PathBuf, String>,
) -> Vec<Effect> {
    let Overlay::Verify(dialog) = &mut state.overlay else {
        return Vec::new();
    };
    let Some((pending, mut spec)) = dialog.pending.take() else {
        return Vec::new();
    };
    if pending != request {
        dialog.pending = Some((pending, spec));
        return Vec::new();
    }
    match result {
        Ok(path) => {
            spec.signer = SignerSpec::KeyFile(path);
            run(state, spec)
        }
        Err(e) => {
            dialog.error = Some(crate::untrusted::printable(&e).into_owned());
            Vec::new()
        }
    }
}

fn run(state: &mut State, spec: VerifySpec) -> Vec<Effect> {
    state.overlay = Overlay::None;
    state.say(
        Level::Info,
        format!("verifying every tag: {}", spec.describe()),
    );
    state.policy = Some(spec);
    verify_all(state)
}

/// Enter on a signer-view line: every tag verified for that line's signer (a CI workflow's
/// builds as their anchored pattern). A key-signed line opens the dialog on its key file tab.
fn verify_for_selected_signer(state: &mut State) -> Vec<Effect> {
    let Overlay::Signers(view) = &state.overlay else {
        return Vec::new();
    };
    let Some(signature) = view.selected_signature() else {
        state.say(Level::Error, "this build has no signature to verify for");
        return Vec::new();
    };
    let evidence = Evidence::Signatures;
    let signer = match &signature.signer {
        Some(s) if s.notation.is_some() => SignerSpec::NotationPolicy { config: None },
        Some(s) => {
            let issuer = s.issuer.clone().unwrap_or_default();
            let covering = signers_seen(&state.tags)
                .into_iter()
                .find_map(|c| match c.signer {
                    SignerSpec::Identity {
                        identity,
                        identity_is_regexp,
                        issuer: i,
                    } if i == issuer
                        && (identity == s.identity
                            || identity_is_regexp
                                && Matcher::regex(&identity)
                                    .is_ok_and(|m| m.matches(&s.identity))) =>
                    {
                        Some(SignerSpec::Identity {
                            identity,
                            identity_is_regexp,
                            issuer: i,
                        })
                    }
                    _ => None,
                });
            covering.unwrap_or(SignerSpec::Identity {
                identity: s.identity.clone(),
                identity_is_regexp: false,
                issuer,
            })
        }
        None => {
            let current = state.policy.as_ref().or(state.default_policy.as_ref());
            let dialog = VerifyDialog::for_key(current, &state.tags);
            state.overlay = Overlay::Verify(Box::new(dialog));
            state.say(Level::Info, "signed with a key: give its public key file");
            return Vec::new();
        }
    };
    run(state, VerifySpec { signer, evidence })
}

/// Bracketed paste: into the text field that has the keys, if any.
pub fn paste(state: &mut State, text: &str) {
    match &mut state.overlay {
        Overlay::Verify(dialog) => dialog.paste(text),
        Overlay::Open(prompt) => {
            prompt.field.insert(text);
            prompt.error = None;
        }
        Overlay::None if state.filter.editing => {
            state.filter.field.insert(text);
            filter_changed(state, false);
        }
        _ => {}
    }
}
