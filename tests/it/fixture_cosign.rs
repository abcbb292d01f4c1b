//! The private Sigstore fixture against real cosign: material it mints, attached to images in
//! the real registry with `cosign attach signature`, is accepted by `cosign verify --offline`
//! with environment-variable trust, and rejected when the SCT, SET or chain is wrong.

use std::path::Path;

use sigscope_core::fixture::{
    CosignTrustFiles, EntryOptions, GithubWorkflow, Identity, LeafOptions, SigningOptions,
    VirtualSigstore,
};

use crate::support::SIGNED_AT;
use crate::support::publish::{attach_keyless, push_image, simple_image};
use crate::support::registry::Registry;
use crate::support::tools::{Tools, Verdict, verdict};

fn ci_identity() -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/app".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v1.0.0".into(),
        sha: "4c1d0f9e2b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 1001,
        repository_id: 5001,
        owner_id: 9001,
    })
}

fn sigstore(name: &str) -> VirtualSigstore {
    VirtualSigstore::new(name, SIGNED_AT - 30 * 86_400).unwrap()
}

/// `cosign verify --offline` of `image` for `identity`, trusting `trust`.
fn cosign_verify(image: &str, trust: &CosignTrustFiles, identity: &Identity) -> Verdict {
    cosign_verify_with(image, trust, identity, &[])
}

fn cosign_verify_with(
    image: &str,
    trust: &CosignTrustFiles,
    identity: &Identity,
    extra: &[&str],
) -> Verdict {
    let mut cmd = Tools::get().cosign();
    for (var, path) in trust.env() {
        cmd.env(var, path);
    }
    verdict(
        cmd.args([
            "verify",
            "--offline",
            "--allow-http-registry",
            "--certificate-identity",
            identity.san.value(),
            "--certificate-oidc-issuer",
            &identity.issuer,
        ])
        .args(extra)
        .arg(image),
    )
}

/// Pushes a fresh image to `repository`, signs it with `signer` and `options`, and returns the
/// image reference by digest.
fn signed_image(
    repository: &str,
    signer: &mut VirtualSigstore,
    options: SigningOptions,
    work: &Path,
) -> String {
    let registry = Registry::shared();
    let manifest = push_image(
        registry,
        repository,
        "v1",
        &simple_image(repository, "amd64"),
    );
    let image = format!("{}@{}", registry.repo(repository), manifest.digest);
    attach_keyless(signer, &ci_identity(), &image, SIGNED_AT, options, work);
    image
}

#[test]
fn cosign_accepts_fixture_material_with_matching_trust() {
    let work = tempfile::tempdir().unwrap();
    let mut good = sigstore("xcheck");
    let image = signed_image(
        "xcheck/good",
        &mut good,
        SigningOptions::default(),
        work.path(),
    );
    let trust = good.write_cosign_trust(work.path()).unwrap();

    let accepted = cosign_verify(&image, &trust, &ci_identity());
    assert!(accepted.accepted, "cosign rejected: {}", accepted.output);
    for check in [
        "Existence of the claims in the transparency log was verified offline",
        "The code-signing certificate was verified using trusted certificate authority certificates",
    ] {
        assert!(accepted.output.contains(check), "{}", accepted.output);
    }

    let other = Identity::email("mallory@example.com", "https://accounts.example.com");
    let wrong_identity = cosign_verify(&image, &trust, &other);
    assert!(!wrong_identity.accepted, "{}", wrong_identity.output);
    assert!(
        wrong_identity
            .output
            .contains("none of the expected identities matched"),
        "{}",
        wrong_identity.output
    );
}

/// Trust files from `good`, with one of them replaced by `other`'s.
fn trust_with(
    good: &VirtualSigstore,
    other: &VirtualSigstore,
    replace: &str,
    dir: &Path,
) -> CosignTrustFiles {
    let ours = good.write_cosign_trust(dir).unwrap();
    let theirs_dir = dir.join("other");
    std::fs::create_dir_all(&theirs_dir).unwrap();
    let theirs = other.write_cosign_trust(&theirs_dir).unwrap();
    match replace {
        "ct" => CosignTrustFiles {
            ct_log_key: theirs.ct_log_key,
            ..ours
        },
        "rekor" => CosignTrustFiles {
            rekor_key: theirs.rekor_key,
            ..ours
        },
        "root" => CosignTrustFiles {
            roots: theirs.roots,
            ..ours
        },
        _ => unreachable!(),
    }
}

#[test]
fn cosign_rejects_when_the_ct_log_key_is_not_the_one_that_signed_the_sct() {
    let work = tempfile::tempdir().unwrap();
    let mut good = sigstore("xcheck");
    let image = signed_image(
        "xcheck/wrong-ct",
        &mut good,
        SigningOptions::default(),
        work.path(),
    );
    let trust = trust_with(&good, &sigstore("impostor"), "ct", work.path());
    let v = cosign_verify(&image, &trust, &ci_identity());
    assert!(
        !v.accepted,
        "cosign accepted an SCT from an untrusted log:\n{}",
        v.output
    );
    assert!(
        v.output.contains("ctfe public key not found"),
        "{}",
        v.output
    );
}

#[test]
fn cosign_rejects_when_the_rekor_key_is_not_the_one_that_signed_the_set() {
    let work = tempfile::tempdir().unwrap();
    let mut good = sigstore("xcheck");
    let image = signed_image(
        "xcheck/wrong-rekor",
        &mut good,
        SigningOptions::default(),
        work.path(),
    );
    let trust = trust_with(&good, &sigstore("impostor"), "rekor", work.path());
    let v = cosign_verify(&image, &trust, &ci_identity());
    assert!(
        !v.accepted,
        "cosign accepted a SET from an untrusted log:\n{}",
        v.output
    );
    assert!(
        v.output.contains("rekor log public key not found"),
        "{}",
        v.output
    );
}

#[test]
fn cosign_rejects_a_leaf_that_does_not_chain_to_the_trusted_root() {
    let work = tempfile::tempdir().unwrap();
    let mut good = sigstore("xcheck");
    let image = signed_image(
        "xcheck/wrong-root",
        &mut good,
        SigningOptions::default(),
        work.path(),
    );
    let trust = trust_with(&good, &sigstore("impostor"), "root", work.path());
    let v = cosign_verify(&image, &trust, &ci_identity());
    assert!(
        !v.accepted,
        "cosign accepted an unchained leaf:\n{}",
        v.output
    );
    assert!(
        v.output.contains("certificate signed by unknown authority"),
        "{}",
        v.output
    );
}

#[test]
fn cosign_rejects_a_corrupted_sct() {
    let work = tempfile::tempdir().unwrap();
    let mut good = sigstore("xcheck");
    let options = SigningOptions {
        leaf: LeafOptions {
            corrupt_sct: true,
            ..LeafOptions::default()
        },
        ..SigningOptions::default()
    };
    let image = signed_image("xcheck/bad-sct", &mut good, options, work.path());
    let trust = good.write_cosign_trust(work.path()).unwrap();
    let v = cosign_verify(&image, &trust, &ci_identity());
    assert!(
        !v.accepted,
        "cosign accepted a corrupted SCT:\n{}",
        v.output
    );
    assert!(
        v.output.contains("error verifying embedded SCT"),
        "{}",
        v.output
    );
}

#[test]
fn cosign_rejects_a_corrupted_set() {
    let work = tempfile::tempdir().unwrap();
    let mut good = sigstore("xcheck");
    let options = SigningOptions {
        entry: EntryOptions {
            corrupt_set: true,
            ..EntryOptions::default()
        },
        ..SigningOptions::default()
    };
    let image = signed_image("xcheck/bad-set", &mut good, options, work.path());
    let trust = good.write_cosign_trust(work.path()).unwrap();
    let v = cosign_verify(&image, &trust, &ci_identity());
    assert!(
        !v.accepted,
        "cosign accepted a corrupted SET:\n{}",
        v.output
    );
    assert!(v.output.contains("unable to verify SET"), "{}", v.output);
}

#[test]
fn cosign_rejects_a_leaf_without_an_sct_unless_told_to_ignore_scts() {
    let work = tempfile::tempdir().unwrap();
    let mut good = sigstore("xcheck");
    let options = SigningOptions {
        leaf: LeafOptions {
            omit_sct: true,
            ..LeafOptions::default()
        },
        ..SigningOptions::default()
    };
    let image = signed_image("xcheck/no-sct", &mut good, options, work.path());
    let trust = good.write_cosign_trust(work.path()).unwrap();
    let v = cosign_verify(&image, &trust, &ci_identity());
    assert!(
        !v.accepted,
        "cosign accepted a leaf with no SCT:\n{}",
        v.output
    );
    assert!(
        v.output.contains("does not include required embedded SCT"),
        "{}",
        v.output
    );
    let ignoring = cosign_verify_with(&image, &trust, &ci_identity(), &["--insecure-ignore-sct"]);
    assert!(ignoring.accepted, "{}", ignoring.output);
}
