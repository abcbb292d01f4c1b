//! DSSE envelopes as attestation layers carry them, down to the in-toto statement and predicate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscope_core::inventory::layer::{DSSE_ENVELOPE, decode_layer};
use sigscope_core::reference::Digest;
use sigscope_core::registry::Descriptor;

fuzz_target!(|data: &[u8]| {
    let descriptor = Descriptor {
        media_type: DSSE_ENVELOPE.to_owned(),
        digest: Digest::sha256_of(data),
        size: data.len() as u64,
        annotations: Default::default(),
        platform: None,
        artifact_type: None,
    };
    let _ = decode_layer(&descriptor, data);
});
