//! cosign's simple-signing payload, as a signature layer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscope_core::inventory::layer::{SIMPLE_SIGNING, decode_layer};
use sigscope_core::reference::Digest;
use sigscope_core::registry::Descriptor;

fuzz_target!(|data: &[u8]| {
    let descriptor = Descriptor {
        media_type: SIMPLE_SIGNING.to_owned(),
        digest: Digest::sha256_of(data),
        size: data.len() as u64,
        annotations: Default::default(),
        platform: None,
        artifact_type: None,
    };
    let _ = decode_layer(&descriptor, data);
});
