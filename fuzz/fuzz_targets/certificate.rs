//! Certificates as they come from registries: DER (the decoder behind every Fulcio extension,
//! SAN and SCT view), PEM chains, and the cosign layer annotations that carry both.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use sigscope_core::artifact::certificate::{decode_certificate, decode_pem_certificates};
use sigscope_core::inventory::layer::{SIMPLE_SIGNING, annotation, decode_layer};
use sigscope_core::reference::Digest;
use sigscope_core::registry::Descriptor;

fuzz_target!(|data: &[u8]| {
    let _ = decode_certificate(data);
    let text = String::from_utf8_lossy(data);
    let _ = decode_pem_certificates("fuzz", &text);
    let descriptor = Descriptor {
        media_type: SIMPLE_SIGNING.to_owned(),
        digest: Digest::sha256_of(data),
        size: data.len() as u64,
        annotations: BTreeMap::from([
            (annotation::CERTIFICATE.to_owned(), text.to_string()),
            (annotation::CHAIN.to_owned(), text.to_string()),
        ]),
        platform: None,
        artifact_type: None,
    };
    let _ = decode_layer(&descriptor, b"{}");
});
