//! Keys while an overlay is open: help, the verify dialog, the signer view, the copy menu.

use crossterm::event::KeyCode;

use crate::compare::signer_matrix_of;

use super::super::copy_menu::CopyMenu;
use super::super::effect::Effect;
use super::super::state::{Overlay, State, TagLoad};
use super::super::verify_dialog::{Decision, VerifyDialog};
use super::verify_all;

pub fn open_verify(state: &mut State) {
    state.overlay = Overlay::Verify(VerifyDialog::new(state.policy.as_ref(), &state.tags));
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
    let matrix = Box::new(signer_matrix_of(tags));
    state.overlay = Overlay::Signers { matrix, scroll: 0 };
}

pub fn open_copy_menu(state: &mut State) {
    state.overlay = Overlay::Copy(CopyMenu::new(state));
}

pub fn overlay_key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    match &mut state.overlay {
        Overlay::None => {}
        Overlay::Help => state.overlay = Overlay::None,
        Overlay::Verify(dialog) => match dialog.key(code) {
            Decision::Stay => {}
            Decision::Close => state.overlay = Overlay::None,
            Decision::Run(spec) => {
                state.overlay = Overlay::None;
                state.message = Some(format!("verifying every tag: {}", spec.describe()));
                state.policy = Some(spec);
                return verify_all(state);
            }
        },
        Overlay::Signers { matrix, scroll } => {
            let last = matrix.rows.len().saturating_sub(1);
            match code {
                KeyCode::Esc | KeyCode::Char('q' | 's') => state.overlay = Overlay::None,
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => *scroll = (*scroll + 1).min(last),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                KeyCode::PageDown => *scroll = (*scroll + 10).min(last),
                KeyCode::Home | KeyCode::Char('g') => *scroll = 0,
                KeyCode::End | KeyCode::Char('G') => *scroll = last,
                _ => {}
            }
        }
        Overlay::Copy(menu) => match code {
            KeyCode::Esc | KeyCode::Char('q' | 'y') => state.overlay = Overlay::None,
            KeyCode::Up | KeyCode::Char('k') => menu.selected = menu.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                menu.selected = (menu.selected + 1).min(menu.entries.len().saturating_sub(1));
            }
            KeyCode::Enter => {
                let tag = state.selected.clone().unwrap_or_default();
                let chosen = menu.chosen(&tag);
                state.overlay = Overlay::None;
                match chosen {
                    Ok(copy) => return vec![Effect::Copy(copy)],
                    Err(why) => state.message = Some(format!("nothing copied: {why}")),
                }
            }
            _ => {}
        },
    }
    Vec::new()
}
