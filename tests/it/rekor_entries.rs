//! Keyless attestations logged as each Rekor entry type cosign has written for them — `dsse`
//! 0.0.1 (the default), `intoto` 0.0.1 and 0.0.2 (`cosign attest --rekor-entry-type intoto`
//! before v3) — stored in `.att` tags as cosign stores them, and verified by cosign v3, cosign
//! 2.5 and sigscope, which must agree. An entry of a type nobody reads is "could not check" for
//! sigscope (exit 2), never a plain failure.

use rstest::rstest;
use serde_json::json;
use sigscope::artifact::in_toto::Statement;
use sigscope::reference::Digest;
use sigscope_core::fixture::{
    AttestationEntry, EntryOptions, GithubWorkflow, Identity, KeylessAttestation, SigningOptions,
    VirtualSigstore, cosign_bundle,
};

use crate::differential::{Run, agree};
use crate::support::SIGNED_AT;
use crate::support::layout::Layout;
use crate::support::publish::{copy_to_registry, simple_image};
use crate::support::registry::{Registry, RegistryKind};

const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

fn identity() -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/entries".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v1".into(),
        sha: "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 5,
        repository_id: 6,
        owner_id: 7,
    })
}

/// Publishes an image with a `.att` holding `att` (logged as `entry`), as cosign writes a keyless
/// attestation: the envelope as the layer, the certificate, chain and Rekor bundle as
/// annotations. Returns `REG/repo@digest`.
fn publish(
    registry: &Registry,
    repo: &str,
    sigstore: &VirtualSigstore,
    att: &KeylessAttestation,
    entry: &sigscope_core::fixture::LogEntry,
    image_digest: &Digest,
    layout: &mut Layout,
) -> String {
    let envelope = serde_json::to_vec(&att.envelope).unwrap();
    let written = layout.put_artifact(
        "application/vnd.dsse.envelope.v1+json",
        &envelope,
        json!({
            "dev.cosignproject.cosign/signature": "",
            "predicateType": SLSA_V1,
            "dev.sigstore.cosign/certificate": att.certificate_pem(),
            "dev.sigstore.cosign/chain": sigstore.ca.chain_pem(),
            "dev.sigstore.cosign/bundle": cosign_bundle(entry).to_string(),
        }),
    );
    let tag = format!("{}.att", image_digest.cosign_tag_stem());
    layout.tag(&tag, &written);
    copy_to_registry(layout, &tag, registry, repo);
    format!("{}@{image_digest}", registry.repo(repo))
}

/// A fresh image in `repo` and the fixture attestation about it, logged as `kind`.
fn attested(
    registry: &Registry,
    repo: &str,
    kind: AttestationEntry,
) -> (
    VirtualSigstore,
    KeylessAttestation,
    Digest,
    Layout,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::create(&dir.path().join("layout"));
    let image = layout.put_image(&simple_image(repo, "amd64"));
    layout.tag("v1", &image);
    copy_to_registry(&layout, "v1", registry, repo);
    let mut sigstore = VirtualSigstore::new("entries", SIGNED_AT - 86_400).unwrap();
    let statement = Statement::about(
        &registry.repo(repo),
        &image.digest,
        SLSA_V1,
        json!({"buildDefinition": {"buildType": "https://actions.github.io/buildtypes/workflow/v1"}}),
    );
    let options = SigningOptions {
        entry: EntryOptions {
            attestation_kind: kind,
            ..EntryOptions::default()
        },
        ..SigningOptions::default()
    };
    let att = sigstore
        .attest(&identity(), &statement, SIGNED_AT, options)
        .unwrap();
    (sigstore, att, image.digest, layout, dir)
}

/// cosign v3, cosign 2.5 and sigscope `verify-attestation` with the fixture's trust.
fn verify(sigstore: &VirtualSigstore, image: &str) -> (Run, Run) {
    let trust_dir = tempfile::tempdir().unwrap().keep();
    let trust = sigstore.write_cosign_trust(&trust_dir).unwrap();
    let id = identity();
    let setup = |cmd: &mut std::process::Command| {
        for (var, path) in trust.env() {
            cmd.env(var, path);
        }
        cmd.args(["verify-attestation", "--offline", "--allow-http-registry"])
            .args(["--type", "slsaprovenance1"])
            .args(["--certificate-identity", id.san.value()])
            .args(["--certificate-oidc-issuer", &id.issuer])
            .arg(image);
    };
    let mut sigscope = crate::support::sigscope();
    setup(&mut sigscope);
    (
        Run::cosigns(|_, cmd| setup(cmd)),
        Run::sigscope(&mut sigscope),
    )
}

#[rstest]
#[case::dsse_0_0_1(AttestationEntry::Dsse, "dsse 0.0.1")]
#[case::intoto_0_0_1(AttestationEntry::IntotoV1, "intoto 0.0.1")]
#[case::intoto_0_0_2(AttestationEntry::IntotoV2, "intoto 0.0.2")]
fn keyless_attestations_verify_whatever_entry_type_logged_them(
    #[case] kind: AttestationEntry,
    #[case] detail: &str,
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] registry_kind: RegistryKind,
) {
    let registry = Registry::shared_of(registry_kind);
    let repo = format!("entries/{}", detail.replace([' ', '.'], "-"));
    let (sigstore, att, digest, mut layout, _dir) = attested(registry, &repo, kind);
    let image = publish(
        registry,
        &repo,
        &sigstore,
        &att,
        &att.entry,
        &digest,
        &mut layout,
    );
    let (cosign, sigscope) = verify(&sigstore, &image);
    agree(
        &format!("{registry_kind}: keyless attestation logged as {detail}"),
        &cosign,
        &sigscope,
    );
    assert!(sigscope.accepted, "{}", sigscope.output);
    assert!(
        sigscope
            .output
            .lines()
            .any(|l| l.contains("✓ tlog entry") && l.contains(detail)),
        "{}",
        sigscope.output
    );
}

/// An entry of a kind no verifier reads (here `cose` 0.0.1, which cosign has never written
/// for an image): cosign fails it ("unsupported type"), sigscope says it could not check it.
#[test]
fn an_attestation_logged_as_an_unknown_entry_type_is_could_not_check() {
    let registry = Registry::shared();
    let repo = "entries/unknown";
    let (mut sigstore, att, digest, mut layout, _dir) =
        attested(registry, repo, AttestationEntry::Dsse);
    let body = json!({
        "apiVersion": "0.0.1",
        "kind": "cose",
        "spec": {"message": "bm90IHJlYWQ=", "publicKey": "bm90IHJlYWQ="},
    });
    let entry = sigstore
        .rekor
        .append(
            "cose",
            "0.0.1",
            &body,
            (SIGNED_AT + 1) as i64,
            EntryOptions::default(),
        )
        .unwrap();
    let image = publish(
        registry,
        repo,
        &sigstore,
        &att,
        &entry,
        &digest,
        &mut layout,
    );
    let (cosign, sigscope) = verify(&sigstore, &image);
    assert!(!cosign.accepted, "{}", cosign.output);
    assert_eq!(sigscope.exit, Some(2), "{}", sigscope.output);
    assert!(
        sigscope.output.contains("not understood"),
        "{}",
        sigscope.output
    );
    assert!(
        sigscope.output.contains("cose 0.0.1"),
        "{}",
        sigscope.output
    );
}
