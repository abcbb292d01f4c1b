//! One TUI frame with 10,000 tags: `update` for one key, then a full draw on ratatui's
//! `TestBackend` at 120×40. Two cases: a scroll step (↓ in the tags pane) and a filter
//! keystroke (a character typed at the `/` prompt, then erased). Run: `cargo bench --bench
//! tui_frame`; figures in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use sigscope::inventory::model::{ConfigSummary, ImageReport, TagOutcome, TagReport};
use sigscope::reference::Digest;
use sigscope::tui::action::Action;
use sigscope::tui::effect::Effect;
use sigscope::tui::state::State;
use sigscope::tui::update::{start, update};
use sigscope::tui::view::draw;

const TAGS: usize = 10_000;

fn key(state: &mut State, code: KeyCode) {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// A state holding 10,000 inspected tags `v{major}.{minor}.{patch}`, the middle one selected.
fn many_tags() -> State {
    let mut state = State::new("registry.example/big/app", 1_793_491_200, true);
    update(
        &mut state,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    let effects = start(&mut state);
    let request = match effects.as_slice() {
        [Effect::Discover { request }] => *request,
        _ => 0,
    };
    let names: Vec<String> = (0..TAGS)
        .map(|i| format!("v{}.{}.{}", i / 1000, (i / 10) % 100, i % 10))
        .collect();
    update(
        &mut state,
        Action::TagsListed {
            request,
            result: Ok(names.clone()),
        },
    );
    for (i, tag) in names.into_iter().enumerate() {
        let image = ImageReport {
            digest: Digest::sha256_of(tag.as_bytes()),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            size: 1234,
            config: Some(ConfigSummary {
                created: Some(format!("2026-{:02}-01T00:00:00Z", 1 + i % 12)),
                os: Some("linux".into()),
                architecture: Some("amd64".into()),
                labels: Default::default(),
            }),
            platforms: Vec::new(),
            artifacts: Vec::new(),
            referrers_api: None,
            errors: Vec::new(),
        };
        update(
            &mut state,
            Action::TagInspected {
                request,
                report: Box::new(TagReport {
                    tag,
                    outcome: TagOutcome::Image(Box::new(image)),
                }),
            },
        );
    }
    for _ in 0..(TAGS / 2) / 36 {
        key(&mut state, KeyCode::PageDown);
    }
    state
}

fn frames(c: &mut Criterion) {
    let mut terminal = match Terminal::new(TestBackend::new(120, 40)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("no test terminal: {e}");
            return;
        }
    };
    let mut state = many_tags();
    let mut down = true;
    c.bench_function("scroll step, 10k tags, 120x40", |b| {
        b.iter(|| {
            // ↓ then ↑ on alternate frames: the selection stays mid-list.
            key(&mut state, if down { KeyCode::Down } else { KeyCode::Up });
            down = !down;
            let _ = terminal.draw(|f| draw(f, black_box(&state)));
        })
    });
    key(&mut state, KeyCode::Char('/'));
    key(&mut state, KeyCode::Char('v'));
    let mut typed = false;
    c.bench_function("filter keystroke, 10k tags, 120x40", |b| {
        b.iter(|| {
            // Alternately narrow ("v" → "v5") and widen back ("v5" → "v"), one draw each.
            key(
                &mut state,
                if typed {
                    KeyCode::Backspace
                } else {
                    KeyCode::Char('5')
                },
            );
            typed = !typed;
            let _ = terminal.draw(|f| draw(f, black_box(&state)));
        })
    });
}

criterion_group!(benches, frames);
criterion_main!(benches);
