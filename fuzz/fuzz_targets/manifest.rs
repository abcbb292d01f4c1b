//! Image manifests and indexes under every media type a registry may claim.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscope_core::registry::Manifest;
use sigscope_core::registry::manifest::ACCEPTED_MANIFESTS;

fuzz_target!(|data: &[u8]| {
    for content_type in ACCEPTED_MANIFESTS
        .iter()
        .copied()
        .chain(["", "application/json"])
    {
        if let Ok(manifest) = Manifest::parse(content_type, data) {
            let _ = manifest.media_type();
            let _ = manifest.subject();
        }
    }
});
