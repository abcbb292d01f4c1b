//! Rekor checkpoints (signed notes) from bundles' inclusion proofs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscope_core::artifact::rekor::parse_checkpoint;

fuzz_target!(|data: &[u8]| {
    let _ = parse_checkpoint(&String::from_utf8_lossy(data));
});
