//! The signer matrix on builds made with the fixture: ten CI builds of `acme/app`, one by
//! `acme-evil/app`, one carrying a person's and CI's signatures, one with a signature copied
//! from another build, one signed with a key, one unsigned.

use std::collections::BTreeMap;

use super::*;
use crate::artifact::certificate::decode_certificate;
use crate::artifact::simple_signing::SimpleSigning;
use crate::fixture::{GithubWorkflow, Identity, VirtualSigstore};
use crate::inventory::layer::{Decoded, LayerContent, SignatureLayer, SigningMaterial};
use crate::inventory::model::{Artifact, ArtifactKind, Layer, Route};

const AT: u64 = 1_700_000_000;

fn ci(org: &str, version: &str) -> Identity {
    Identity::github(&GithubWorkflow {
        repository: format!("{org}/app"),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: format!("refs/tags/{version}"),
        sha: "0".repeat(40),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 1,
        repository_id: 1,
        owner_id: 1,
    })
}

/// How one signature layer is made.
enum Sig {
    /// Keyless by this identity, over this build's digest.
    By(Identity),
    /// Keyless by this identity, over another image's digest.
    CopiedFrom(Identity, Digest),
    Key,
}

fn image(sigstore: &mut VirtualSigstore, label: &str, sigs: Vec<Sig>) -> ImageReport {
    let digest = Digest::sha256_of(label.as_bytes());
    let layers = sigs
        .into_iter()
        .map(|sig| {
            let (identity, named) = match sig {
                Sig::By(i) => (Some(i), digest.clone()),
                Sig::CopiedFrom(i, other) => (Some(i), other),
                Sig::Key => (None, digest.clone()),
            };
            let payload = SimpleSigning::for_image("reg/app", &named);
            let certificate = identity.map(|i| {
                let signed = sigstore
                    .sign(&i, b"payload", AT, Default::default())
                    .unwrap();
                Decoded::Ok(decode_certificate(&signed.certificate).unwrap())
            });
            Layer {
                media_type: crate::inventory::layer::SIMPLE_SIGNING.into(),
                digest: Digest::sha256_of(b"layer"),
                size: 1,
                annotations: BTreeMap::new(),
                content: LayerContent::Signature(Box::new(SignatureLayer {
                    payload: Decoded::Ok(payload),
                    payload_bytes: Vec::new(),
                    material: SigningMaterial {
                        signature: Some("c2ln".into()),
                        certificate,
                        ..SigningMaterial::default()
                    },
                })),
            }
        })
        .collect::<Vec<_>>();
    let artifacts = if layers.is_empty() {
        Vec::new()
    } else {
        vec![Artifact {
            kind: ArtifactKind::Signature,
            found_via: Route::LegacyTag {
                tag: format!("sha256-{}.sig", digest.hex()),
            },
            subject: digest.clone(),
            digest: Digest::sha256_of(b"sig manifest"),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            artifact_type: None,
            annotations: BTreeMap::new(),
            layers,
            referrers: Vec::new(),
            errors: Vec::new(),
            consumers: Vec::new(),
        }]
    };
    ImageReport {
        digest,
        media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        size: 1,
        config: None,
        platforms: Vec::new(),
        artifacts,
        referrers_api: None,
        errors: Vec::new(),
    }
}

/// The attacked repository (for the TUI's tests too): `v1.0.0`…`v1.9.0` by acme/app's release
/// workflow, `v1.10.0` by acme-evil/app's, `v1.11.0` by alice and CI, `v1.12.0` with v1.0.0's
/// signature copied onto it, `v1.13.0` by a key, `v1.14.0` unsigned.
pub(crate) fn attacked_repository() -> Vec<(String, ImageReport)> {
    let mut sigstore = VirtualSigstore::new("compare", AT).unwrap();
    let mut builds: Vec<(String, ImageReport)> = (0..10)
        .map(|i| {
            let tag = format!("v1.{i}.0");
            let image = image(&mut sigstore, &tag, vec![Sig::By(ci("acme", &tag))]);
            (tag, image)
        })
        .collect();
    let evil = image(
        &mut sigstore,
        "v1.10.0",
        vec![Sig::By(ci("acme-evil", "v1.10.0"))],
    );
    builds.push(("v1.10.0".into(), evil));
    let both = image(
        &mut sigstore,
        "v1.11.0",
        vec![
            Sig::By(Identity::email(
                "alice@acme.example",
                "https://accounts.google.com",
            )),
            Sig::By(ci("acme", "v1.11.0")),
        ],
    );
    builds.push(("v1.11.0".into(), both));
    let copied = image(
        &mut sigstore,
        "v1.12.0",
        vec![Sig::CopiedFrom(
            ci("acme", "v1.0.0"),
            Digest::sha256_of(b"v1.0.0"),
        )],
    );
    builds.push(("v1.12.0".into(), copied));
    builds.push((
        "v1.13.0".into(),
        image(&mut sigstore, "v1.13.0", vec![Sig::Key]),
    ));
    builds.push(("v1.14.0".into(), image(&mut sigstore, "v1.14.0", vec![])));
    builds
}

/// A repository of `ci` builds by acme/app's release workflow and one build by each of
/// `people` (an email identity each): a long list of signers (for the TUI's tests).
pub(crate) fn many_signers(ci_builds: usize, people: usize) -> Vec<(String, ImageReport)> {
    let mut sigstore = VirtualSigstore::new("compare", AT).unwrap();
    let mut builds: Vec<(String, ImageReport)> = (0..ci_builds)
        .map(|i| {
            let tag = format!("v1.{i}.0");
            let image = image(&mut sigstore, &tag, vec![Sig::By(ci("acme", &tag))]);
            (tag, image)
        })
        .collect();
    for p in 0..people {
        let tag = format!("v2.{p}.0");
        let person = Identity::email(
            &format!("person{p}@acme.example"),
            "https://accounts.google.com",
        );
        builds.push((
            tag.clone(),
            image(&mut sigstore, &tag, vec![Sig::By(person)]),
        ));
    }
    builds
}

fn matrix() -> Matrix {
    let builds = attacked_repository();
    signer_matrix_of(builds.iter().map(|(t, i)| (t.as_str(), Ok(i))))
}

fn row<'a>(m: &'a Matrix, tag: &str) -> &'a Row {
    m.rows.iter().find(|r| r.tag == tag).unwrap()
}

#[test]
fn the_attackers_build_stands_out_and_the_majority_is_the_genuine_workflow() {
    let m = matrix();
    assert_eq!(
        m.majority[&Attribute::Identity],
        "https://github.com/acme/app/.github/workflows/release.yml"
    );
    for i in 0..10 {
        let r = row(&m, &format!("v1.{i}.0"));
        assert!(r.outliers.is_empty(), "{:?}", r.outliers);
    }
    let evil = row(&m, "v1.10.0");
    assert!(
        evil.outliers.iter().any(|o| o
            .reason
            .contains("new identity https://github.com/acme-evil/app")),
        "{:?}",
        evil.outliers
    );
    assert!(
        evil.outliers
            .iter()
            .any(|o| o.attribute == Some(Attribute::SourceRepository))
    );
}

#[test]
fn a_build_with_a_persons_and_cis_signatures_lists_both_and_is_compared_by_ci() {
    let m = matrix();
    let both = row(&m, "v1.11.0");
    assert_eq!(both.signatures.len(), 2);
    assert_eq!(
        both.signatures[0].signer.as_ref().unwrap().identity,
        "alice@acme.example"
    );
    assert!(both.outliers.is_empty(), "{:?}", both.outliers);
    assert_eq!(
        both.signer.as_ref().unwrap().value(Attribute::Identity),
        Some("https://github.com/acme/app/.github/workflows/release.yml")
    );
    assert!(both.signatures[0].differs.contains(&Attribute::Identity));
    assert!(both.signatures[1].differs.is_empty());
    assert_eq!(
        both.notes,
        ["also signed by alice@acme.example (https://accounts.google.com)"]
    );
}

#[test]
fn a_copied_signature_stands_out_with_the_digest_its_payload_names() {
    let m = matrix();
    let copied = row(&m, "v1.12.0");
    assert_eq!(copied.signatures.len(), 1);
    let other = Digest::sha256_of(b"v1.0.0").to_string();
    assert_eq!(
        copied.signatures[0].copied_from.as_deref(),
        Some(other.as_str())
    );
    assert_eq!(copied.outliers.len(), 1, "{:?}", copied.outliers);
    assert!(
        copied.outliers[0].reason.starts_with(&format!(
            "signature copied from another image: its payload names {}",
            &other[..19]
        )),
        "{}",
        copied.outliers[0].reason
    );
    assert!(copied.signer.is_none(), "a copied signature is not counted");
}

#[test]
fn key_signed_and_unsigned_builds_stand_out_and_the_count_is_right() {
    let m = matrix();
    assert!(
        row(&m, "v1.13.0").outliers[0]
            .reason
            .contains("signed with a key")
    );
    assert!(row(&m, "v1.13.0").key_signed);
    assert_eq!(row(&m, "v1.14.0").outliers[0].reason, "unsigned");
    // acme-evil, copied, key, unsigned.
    assert_eq!(m.outlier_count(), 4);
    let json = serde_json::to_value(&m).unwrap();
    let both = &json["rows"][11];
    assert_eq!(both["signatures"].as_array().unwrap().len(), 2, "{both:#}");
    assert_eq!(
        json["rows"][12]["signatures"][0]["copied_from"],
        Digest::sha256_of(b"v1.0.0").to_string()
    );
}
