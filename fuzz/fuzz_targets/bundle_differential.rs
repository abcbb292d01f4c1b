//! Differential: sigscope's bundle verifier against sigstore-verify on structurally mutated valid
//! bundles. Fails when they disagree on accept/reject, unless the disagreement is one of the
//! documented deliberate ones (`sigscope_fuzz::deliberate`).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigscope_fuzz::{Judgement, World};

static WORLD: OnceLock<World> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let world = WORLD.get_or_init(|| match World::load() {
        Ok(w) => w,
        Err(e) => panic!("differential: cannot start: {e}"),
    });
    let judgement = world.judge(data);
    sigscope_fuzz::tally::record(&judgement);
    if let Judgement::Unexplained(report) = judgement {
        panic!("{report}");
    }
});
