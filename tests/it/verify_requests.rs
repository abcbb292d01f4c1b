//! What verification asks the registry for, counted at a proxy in front of the real registry:
//! only what the check needs. One image lists no tags (its cosign tags are probed); signatures
//! read no attestation, SBOM or image config; attestations read no signature.

use rstest::rstest;
use sigscope_core::fixture::GITHUB_ISSUER;

use crate::support::fault_proxy::FaultProxy;
use crate::support::registry::{Registry, RegistryKind};
use crate::support::scenario::{CI_IDENTITY_REGEXP, Scenario};

/// Runs sigscope through a fresh proxy in front of the registry of `kind`; returns the exit
/// code, stdout and every request line.
fn through_proxy(
    kind: RegistryKind,
    args: &[&str],
    image: &str,
) -> (Option<i32>, String, Vec<String>) {
    let scenario = Scenario::on(kind);
    let registry = Registry::shared_of(kind);
    let proxy = FaultProxy::start(registry.addr());
    let target = image.replace(&registry.host(), &proxy.host());
    let mut cmd = crate::support::sigscope();
    for (var, path) in scenario.trust.env() {
        cmd.env(var, path);
    }
    let out = cmd
        .args(args)
        .args(["--allow-http-registry", "--no-cache", &target])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        proxy.requests(),
    )
}

const CI: [&str; 5] = [
    "verify",
    "--certificate-identity-regexp",
    CI_IDENTITY_REGEXP,
    "--certificate-oidc-issuer",
    GITHUB_ISSUER,
];

fn count(requests: &[String], part: &str) -> usize {
    requests.iter().filter(|r| r.contains(part)).count()
}

#[rstest]
fn verifying_one_image_lists_no_tags_and_reads_no_attestation_or_config(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    // v1.5.0: signed by CI, and four attestations under `.att`.
    let image = format!("{}:v1.5.0", scenario.repository);
    let (code, out, requests) = through_proxy(kind, &CI, &image);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("VERIFIED"), "{out}");
    assert_eq!(count(&requests, "/tags/list"), 0, "{requests:#?}");
    assert_eq!(count(&requests, ".att "), 0, "{requests:#?}");
    assert_eq!(count(&requests, ".sbom "), 0, "{requests:#?}");
    assert_eq!(count(&requests, ".sig "), 1, "{requests:#?}");
    // The image manifest, the `.sig` manifest and its layers, the referrers API probe and its
    // fallback tag: the image config is not among the blobs.
    let sig_layers = count(&requests, "/blobs/");
    assert!((1..=2).contains(&sig_layers), "{requests:#?}");
    assert!(requests.len() <= 4 + sig_layers, "{requests:#?}");
}

#[rstest]
fn verifying_attestations_reads_no_signature(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let image = format!("{}:v1.5.0", scenario.repository);
    let key = scenario.cosign_public_key.to_str().unwrap();
    let args = [
        "verify-attestation",
        "--type",
        "slsaprovenance1",
        "--insecure-ignore-tlog",
        "--key",
        key,
    ];
    let (code, out, requests) = through_proxy(kind, &args, &image);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(count(&requests, ".sig "), 0, "{requests:#?}");
    assert_eq!(count(&requests, ".att "), 1, "{requests:#?}");
    assert_eq!(count(&requests, "/tags/list"), 0, "{requests:#?}");
}

#[rstest]
fn verifying_a_repository_reads_no_attestation_sbom_or_orphan(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let (code, out, requests) = through_proxy(kind, &CI, &scenario.repository);
    // Some tags are signed by others: not all verify, but every one was checked.
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("VERIFIED"), "{out}");
    assert_eq!(count(&requests, "/tags/list"), 1, "{requests:#?}");
    assert_eq!(count(&requests, ".att "), 0, "{requests:#?}");
    assert_eq!(count(&requests, ".sbom "), 0, "{requests:#?}");
    // The orphan (a `.sig` whose image was deleted) is no tag: not read.
    let orphan = scenario.orphan_subject.cosign_tag_stem();
    assert_eq!(count(&requests, &orphan), 0, "{requests:#?}");
    // Nothing fetched twice.
    let mut seen = requests.clone();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), requests.len(), "{requests:#?}");
}
