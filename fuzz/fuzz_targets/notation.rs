//! Notary Project signature envelopes as notation signature layers carry them: the first byte
//! picks the media type (even: JWS JSON, odd: COSE_Sign1), the rest is the layer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscope_core::artifact::notation::{COSE_MEDIA_TYPE, JWS_MEDIA_TYPE};
use sigscope_core::inventory::layer::decode_layer;
use sigscope_core::reference::Digest;
use sigscope_core::registry::Descriptor;

fuzz_target!(|data: &[u8]| {
    let Some((first, layer)) = data.split_first() else {
        return;
    };
    let media_type = if first % 2 == 0 {
        JWS_MEDIA_TYPE
    } else {
        COSE_MEDIA_TYPE
    };
    let descriptor = Descriptor {
        media_type: media_type.to_owned(),
        digest: Digest::sha256_of(layer),
        size: layer.len() as u64,
        annotations: Default::default(),
        platform: None,
        artifact_type: None,
    };
    let _ = decode_layer(&descriptor, layer);
});
