//! Sigstore bundles v0.1–v0.3 (the cosign v3 referrer layers and `verify-bundle` input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscope_core::artifact::bundle::decode_bundle;

fuzz_target!(|data: &[u8]| {
    let _ = decode_bundle(data);
});
