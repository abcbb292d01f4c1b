//! Publishing into the test registry with the real tools: images through `oras cp` from an OCI
//! layout, keyless signatures through `cosign attach signature`.

use std::path::Path;

use sigscope::reference::Digest;
use sigscope_core::fixture::{Identity, KeylessSignature, SigningOptions, VirtualSigstore};

use super::layout::{ImageSpec, Layout, Written};
use super::registry::Registry;
use super::tools::{Tools, run_ok};

/// A small single-platform image spec whose content names `label`.
pub fn simple_image(label: &str, architecture: &str) -> ImageSpec {
    ImageSpec {
        os: "linux".into(),
        architecture: architecture.into(),
        files: vec![
            ("app/version".into(), format!("{label}\n").into_bytes()),
            ("app/run".into(), b"#!/bin/sh\necho hello\n".to_vec()),
        ],
        labels: vec![("org.opencontainers.image.version".into(), label.to_owned())],
        created: "2026-09-21T12:00:00Z".into(),
    }
}

/// Copies `tag` from an OCI layout into `registry` at `repository:tag`.
pub fn copy_to_registry(layout: &Layout, tag: &str, registry: &Registry, repository: &str) {
    let source = format!("{}:{tag}", layout.dir().display());
    let target = format!("{}:{tag}", registry.repo(repository));
    run_ok(Tools::get().oras().args([
        "cp",
        "--from-oci-layout",
        "--to-plain-http",
        "--no-tty",
        &source,
        &target,
    ]));
}

/// Pushes one single-platform image as `repository:tag` and returns its manifest.
pub fn push_image(registry: &Registry, repository: &str, tag: &str, spec: &ImageSpec) -> Written {
    let dir = tempfile::tempdir().expect("layout dir");
    let mut layout = Layout::create(&dir.path().join("layout"));
    let manifest = layout.put_image(spec);
    layout.tag(tag, &manifest);
    copy_to_registry(&layout, tag, registry, repository);
    manifest
}

/// Pushes a multi-arch index (amd64, arm64) of `label` as `repository:tag`; returns the index.
pub fn push_index(registry: &Registry, repository: &str, tag: &str, label: &str) -> Written {
    let dir = tempfile::tempdir().expect("layout dir");
    let mut layout = Layout::create(&dir.path().join("layout"));
    let amd64 = simple_image(label, "amd64");
    let arm64 = simple_image(label, "arm64");
    let children: Vec<(Written, &ImageSpec)> = vec![
        (layout.put_image(&amd64), &amd64),
        (layout.put_image(&arm64), &arm64),
    ];
    let index = layout.put_index(&children);
    layout.tag(tag, &index);
    copy_to_registry(&layout, tag, registry, repository);
    index
}

/// The simple-signing payload real cosign generates for `image` (`REG/repo@digest`).
pub fn cosign_payload(image: &str) -> Vec<u8> {
    run_ok(Tools::get().cosign2().args(["generate", image])).into_bytes()
}

/// Signs `image` keylessly with the fixture and attaches the material with real cosign, as a
/// Fulcio/Rekor-backed `cosign sign` would have stored it.
pub fn attach_keyless(
    sigstore: &mut VirtualSigstore,
    identity: &Identity,
    image: &str,
    at: u64,
    options: SigningOptions,
    work: &Path,
) -> KeylessSignature {
    let payload = cosign_payload(image);
    let sig = sigstore
        .sign(identity, &payload, at, options)
        .expect("fixture signature");
    attach_signature_files(&sigstore.ca.chain_pem(), &sig, &payload, image, work);
    sig
}

/// Attaches `sig` to `image` with `payload` as the stored payload (which may differ from the
/// signed one, to make tampered cases) and `chain_pem` as the certificate chain.
pub fn attach_signature_files(
    chain_pem: &str,
    sig: &KeylessSignature,
    payload: &[u8],
    image: &str,
    work: &Path,
) {
    let stem = Digest::sha256_of(&sig.signature).hex()[..12].to_owned();
    let file = |name: &str, bytes: &[u8]| {
        let path = work.join(format!("{stem}-{name}"));
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let payload_file = file("payload.json", payload);
    let sig_file = file("sig.b64", sig.signature_base64().as_bytes());
    let cert_file = file("cert.pem", sig.certificate_pem().as_bytes());
    let chain_file = file("chain.pem", chain_pem.as_bytes());
    let rekor_file = file(
        "rekor.json",
        &serde_json::to_vec(&sig.cosign_rekor_response()).expect("json"),
    );
    run_ok(
        Tools::get()
            .cosign2()
            .arg("attach")
            .arg("signature")
            .arg("--payload")
            .arg(&payload_file)
            .arg("--signature")
            .arg(&sig_file)
            .arg("--certificate")
            .arg(&cert_file)
            .arg("--certificate-chain")
            .arg(&chain_file)
            .arg("--rekor-response")
            .arg(&rekor_file)
            .arg(image),
    );
}
