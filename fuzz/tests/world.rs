//! The comparison itself is sound: every minted bundle verifies under both verifiers (checked
//! by `World::load`), and an input that changes a signed byte is refused by both.

use sigscope_fuzz::{Judgement, World};

#[test]
fn the_world_loads_and_a_seed_is_accepted_by_both() {
    let world = World::load().unwrap();
    for case in 0..world.prepared.len() as u8 {
        match world.judge(&[case, 0]) {
            Judgement::Agreed { accepted: true } => {}
            Judgement::Agreed { accepted: false } => {
                eprintln!(
                    "both refuse {}",
                    world.prepared[usize::from(case)].case.name
                )
            }
            Judgement::Unexplained(r) => eprintln!("UNEXPLAINED {r}"),
            Judgement::Deliberate(d) => eprintln!("deliberate {}", d[0].name),
            Judgement::Nothing => panic!("nothing"),
        }
    }
}

/// A quick sweep without libFuzzer: pseudo-random programs, tallied (`--ignored`).
#[test]
#[ignore]
fn sweep() {
    let world = World::load().unwrap();
    let mut state: u64 = 0x9e3779b97f4a7c15;
    let (mut agree_ok, mut agree_no, mut deliberate, mut unexplained) = (0, 0, 0, 0);
    let mut by_entry = std::collections::BTreeMap::<&str, u32>::new();
    let n: usize = std::env::var("SWEEP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    for _ in 0..n {
        let len = 2 + (state % 24) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        match world.judge(&data) {
            Judgement::Agreed { accepted: true } => agree_ok += 1,
            Judgement::Agreed { accepted: false } => agree_no += 1,
            Judgement::Deliberate(entries) => {
                deliberate += 1;
                for e in entries {
                    *by_entry.entry(e.name).or_default() += 1;
                }
            }
            Judgement::Unexplained(r) => {
                unexplained += 1;
                eprintln!(
                    "----\n{}\n{}\n{}",
                    r.case,
                    r.edits.join("; "),
                    r.sigscope.reasons()
                );
                eprintln!("ORACLE {}", r.oracle.reasons());
            }
            Judgement::Nothing => {}
        }
    }
    eprintln!(
        "both accept {agree_ok}, both refuse {agree_no}, deliberate {deliberate}, unexplained {unexplained}"
    );
    eprintln!("explained by: {by_entry:?}");
}

/// Judges the inputs named by REPLAY (paths, colon-separated; a crash libFuzzer left in
/// fuzz/artifacts/bundle_differential/) and prints what each came to (`--ignored`).
#[test]
#[ignore]
fn replay() {
    let world = World::load().unwrap();
    for path in std::env::var("REPLAY").unwrap_or_default().split(':') {
        let data = std::fs::read(path).unwrap();
        match world.judge(&data) {
            Judgement::Unexplained(r) => eprintln!("{path}: UNEXPLAINED\n{r}"),
            Judgement::Deliberate(d) => eprintln!("{path}: explained by {}", d[0].name),
            Judgement::Agreed { accepted } => eprintln!("{path}: agreed, accepted {accepted}"),
            Judgement::Nothing => eprintln!("{path}: nothing"),
        }
    }
}
