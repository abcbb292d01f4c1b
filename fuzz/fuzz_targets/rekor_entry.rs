//! Rekor material: cosign's bundle annotation (SET and payload) and entry bodies
//! (hashedrekord, intoto, dsse, …).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscope_core::artifact::rekor::{decode_entry_body, decode_rekor_bundle};

fuzz_target!(|data: &[u8]| {
    if let Ok(view) = decode_rekor_bundle(data) {
        let _ = view.set_payload();
    }
    let _ = decode_entry_body(data);
});
