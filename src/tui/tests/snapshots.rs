//! `TestBackend` snapshots of the main views at 120×40 and 80×24.

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{key, keys, loaded_state};
use crate::tui::action::Action;
use crate::tui::state::State;
use crate::tui::update::update;
use crate::tui::view::draw;

pub(super) fn render(state: &mut State, width: u16, height: u16) -> String {
    update(state, Action::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, state)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn tags_verified_for_the_release_workflow() {
    let mut state = loaded_state(true);
    insta::assert_snapshot!("tags_120x40", render(&mut state, 120, 40));
    insta::assert_snapshot!("tags_80x24", render(&mut state, 80, 24));
}

#[test]
fn a_certificate_with_its_fulcio_extensions() {
    let mut state = loaded_state(true);
    // v1.0.0 → signature → certificate → Fulcio extensions → the fourth claim.
    let path = "j\nd>dd>>>ddd";
    for c in path.chars() {
        key(
            &mut state,
            match c {
                '\n' => KeyCode::Enter,
                'd' => KeyCode::Down,
                '>' => KeyCode::Right,
                other => KeyCode::Char(other),
            },
        );
    }
    insta::assert_snapshot!("certificate_120x40", render(&mut state, 120, 40));
    insta::assert_snapshot!("certificate_80x24", render(&mut state, 80, 24));
}

#[test]
fn help_and_verify_dialog() {
    let mut state = loaded_state(true);
    key(&mut state, KeyCode::Char('?'));
    insta::assert_snapshot!("help_120x40", render(&mut state, 120, 40));
    key(&mut state, KeyCode::Esc);
    keys(
        &mut state,
        &[
            KeyCode::Char('/'),
            KeyCode::Char('1'),
            KeyCode::Char('.'),
            KeyCode::Char('5'),
        ],
    );
    keys(&mut state, &[KeyCode::Enter, KeyCode::Char('v')]);
    insta::assert_snapshot!("verify_120x40", render(&mut state, 120, 40));
}

/// The verify dialog names the trusted root in force, and what the user was warned of when it
/// was chosen (here: a public mirror that could not be reached).
#[test]
fn verify_dialog_names_the_trusted_root_in_force() {
    let mut state = loaded_state(true);
    state.trust = "TUF https://tuf-repo-cdn.sigstore.dev (root v15, targets v12, snapshot v200, \
                   timestamp v900; stale cache, refreshed 2026-11-20)"
        .into();
    state.trust_warnings = vec![
        "TUF mirror https://tuf-repo-cdn.sigstore.dev unreachable: connection refused; using its \
         cache as last verified, refreshed on 2026-11-20 (11 days ago)"
            .into(),
    ];
    key(&mut state, KeyCode::Char('v'));
    insta::assert_snapshot!("verify_trust_120x40", render(&mut state, 120, 40));
}

#[test]
fn signer_view_marks_the_odd_build() {
    let mut state = loaded_state(true);
    key(&mut state, KeyCode::Char('s'));
    // Select the build signed by someone else, so its reasons show below the matrix.
    for _ in 0..6 {
        key(&mut state, KeyCode::Down);
    }
    insta::assert_snapshot!("signers_120x40", render(&mut state, 120, 40));
    insta::assert_snapshot!("signers_80x24", render(&mut state, 80, 24));
}

#[test]
fn verify_dialog_typed_with_an_unanchored_regexp() {
    let mut state = loaded_state(true);
    keys(&mut state, &[KeyCode::Char('v'), KeyCode::Tab]);
    for _ in 0..200 {
        key(&mut state, KeyCode::Backspace);
    }
    super::chars(&mut state, "github.com/acme/app/");
    keys(&mut state, &[KeyCode::Down, KeyCode::Down]);
    insta::assert_snapshot!("verify_typed_120x40", render(&mut state, 120, 40));
    insta::assert_snapshot!("verify_typed_80x24", render(&mut state, 80, 24));
}

#[test]
fn copy_menu() {
    let mut state = loaded_state(true);
    keys(&mut state, &[KeyCode::Char('j'), KeyCode::Char('y')]);
    insta::assert_snapshot!("copy_120x40", render(&mut state, 120, 40));
    insta::assert_snapshot!("copy_80x24", render(&mut state, 80, 24));
}

/// The attacked repository's signer view: the attacker's build, the two-signature build (both
/// lines) and the copied signature, at 80×24 (the org stays visible) and 160×45 (issuer and
/// repository whole).
#[test]
fn signer_view_of_the_attacked_repository() {
    let mut state = super::attacked_state();
    key(&mut state, KeyCode::Char('s'));
    // v1.10.0 (acme-evil), the eleventh line.
    for _ in 0..10 {
        key(&mut state, KeyCode::Down);
    }
    insta::assert_snapshot!("attacked_signers_160x45", render(&mut state, 160, 45));
    insta::assert_snapshot!("attacked_signers_80x24", render(&mut state, 80, 24));
    // v1.11.0's second signature (CI), then v1.12.0's copied one.
    keys(&mut state, &[KeyCode::Down, KeyCode::Down]);
    insta::assert_snapshot!(
        "attacked_signers_second_120x40",
        render(&mut state, 120, 40)
    );
    key(&mut state, KeyCode::Down);
    insta::assert_snapshot!(
        "attacked_signers_copied_120x40",
        render(&mut state, 120, 40)
    );
}

/// The verify dialog on the attacked repository: the majority's signer first and selected, the
/// attacker's marked; at 80×24 the pick list and the rest still fit.
#[test]
fn verify_dialog_of_the_attacked_repository() {
    let mut state = super::attacked_state();
    key(&mut state, KeyCode::Char('v'));
    insta::assert_snapshot!("attacked_verify_80x24", render(&mut state, 80, 24));
    insta::assert_snapshot!("attacked_verify_120x40", render(&mut state, 120, 40));
}

/// A key file that cannot be read: the dialog stays, with the whole error.
#[test]
fn verify_dialog_with_a_bad_key_file() {
    let mut state = super::attacked_state();
    keys(&mut state, &[KeyCode::Char('v'), KeyCode::BackTab]);
    super::chars(&mut state, "~/keys/cosign.pub");
    let effects = key(&mut state, KeyCode::Enter);
    let [crate::tui::effect::Effect::CheckKey { request, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut state,
        Action::KeyChecked {
            request: *request,
            result: Err(
                "reading the key /home/ann/keys/cosign.pub: No such file or directory (os error 2)"
                    .into(),
            ),
        },
    );
    insta::assert_snapshot!("bad_key_80x24", render(&mut state, 80, 24));
}

/// The help at 80×24 scrolls (with a hint); the log and the `:` prompt show errors in full.
#[test]
fn help_log_and_prompt_at_80x24() {
    let mut state = loaded_state(true);
    key(&mut state, KeyCode::Char('?'));
    insta::assert_snapshot!("help_80x24", render(&mut state, 80, 24));
    key(&mut state, KeyCode::Esc);
    state.say(
        crate::tui::state::Level::Error,
        "could not list the tags: https://registry.example/v2/acme/app/tags/list: error sending \
         request: received corrupt message of type InvalidContentType (the registry answered in \
         plain HTTP: did you mean --allow-http-registry?)",
    );
    insta::assert_snapshot!("status_error_80x24", render(&mut state, 80, 24));
    key(&mut state, KeyCode::Char('!'));
    insta::assert_snapshot!("log_80x24", render(&mut state, 80, 24));
    keys(&mut state, &[KeyCode::Esc, KeyCode::Char(':')]);
    super::chars(&mut state, "registry.example/acme/app");
    let effects = key(&mut state, KeyCode::Enter);
    let [crate::tui::effect::Effect::Open { request, target }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut state,
        Action::Opened {
            request: *request,
            target: target.clone(),
            result: Err(
                "registry.example/acme/app: authentication required or refused (HTTP 401)".into(),
            ),
        },
    );
    insta::assert_snapshot!("open_error_80x24", render(&mut state, 80, 24));
}

/// Filtered by state, sorted by state, in attestation mode: the header marks the sort.
#[test]
fn tags_filtered_and_sorted_by_state() {
    let mut state = loaded_state(true);
    keys(
        &mut state,
        &[
            KeyCode::Char('o'),
            KeyCode::Char('o'),
            KeyCode::Char('o'),
            KeyCode::Char('o'),
        ],
    );
    key(&mut state, KeyCode::Char('/'));
    super::chars(&mut state, "!verified");
    insta::assert_snapshot!("tags_by_state_120x40", render(&mut state, 120, 40));
}

/// A tag name longer than its column is cut with an ellipsis, never silently (a tag
/// `v1.0.0-rc1-evil` must not read `v1.0.0-rc1`); a wide tags pane gives it room.
#[test]
fn long_tag_names_are_cut_visibly_or_shown_whole() {
    let mut state = loaded_state(true);
    let long = "v1.0.0-rc1-attacker";
    let entry = state.tags.iter_mut().find(|t| t.name == "v1.0.0").unwrap();
    entry.name = long.into();
    entry.folded = long.into();
    let narrow = render(&mut state, 120, 40);
    assert!(narrow.contains("│v1.0.0-rc1… "), "{narrow}");
    assert!(!narrow.contains("│v1.0.0-rc1-a"), "{narrow}");
    key(&mut state, KeyCode::Char('s'));
    let signers = render(&mut state, 120, 40);
    assert!(signers.contains(" v1.0.0-rc… "), "{signers}");
    key(&mut state, KeyCode::Esc);
    let wide = render(&mut state, 160, 45);
    assert!(wide.contains(&format!("│{long} ")), "{wide}");
}

/// At 80×24 a long pick list scrolls with a hint (`↓N more`), and the rest of the dialog (the
/// evidence, the trust, the keys) stays in view; End reaches the last signer.
#[test]
fn a_long_pick_list_scrolls_with_a_hint_at_80x24() {
    let mut state = super::state_of(sigscope_core::fixture::builds::many_signers(5, 9).unwrap());
    key(&mut state, KeyCode::Char('v'));
    let top = render(&mut state, 80, 24);
    insta::assert_snapshot!("long_pick_list_80x24", top);
    assert!(top.contains("5 builds  (most"), "{top}");
    assert!(
        top.contains(" more "),
        "a hint says the list goes on:\n{top}"
    );
    assert!(top.contains("Tab source"), "{top}");
    assert!(!top.contains("person8@"), "{top}");
    key(&mut state, KeyCode::End);
    let bottom = render(&mut state, 80, 24);
    assert!(bottom.contains("person8@acme.example"), "{bottom}");
    assert!(bottom.contains("Tab source"), "{bottom}");
}

/// The selected row of a build that stands out stays readable: its flagged cells are white on
/// red, never red text on the blue selection.
#[test]
fn the_selected_outlier_row_is_readable() {
    use ratatui::style::Color;
    let mut state = super::attacked_state();
    state.color = true;
    key(&mut state, KeyCode::Char('s'));
    // v1.10.0 (acme-evil), the eleventh line.
    for _ in 0..10 {
        key(&mut state, KeyCode::Down);
    }
    update(
        &mut state,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| draw(f, &state)).unwrap();
    let buffer = terminal.backend().buffer();
    let row = (0..40)
        .find(|&y| {
            let line: String = (0..120).map(|x| buffer[(x, y)].symbol()).collect();
            line.contains("!v1.10.0")
        })
        .expect("the attacker's line");
    let cells: Vec<_> = (0..120).map(|x| &buffer[(x, row)]).collect();
    let line: String = cells.iter().map(|c| c.symbol()).collect();
    let at = line.find("acme-evil").expect("its identity");
    let column = line[..at].chars().count();
    assert_eq!(cells[column].bg, Color::Red, "{line}");
    assert_eq!(cells[column].fg, Color::White, "{line}");
    assert!(
        cells
            .iter()
            .all(|c| !(c.fg == Color::Red && c.bg == Color::Blue)),
        "red on the blue selection: {line}"
    );
}
