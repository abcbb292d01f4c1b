//! The consumer lens: for each artifact attached to an image, which signature consumers find it
//! — cosign 2.x and v3, policy-controller, Kyverno, `gh attestation verify`, notation,
//! containers/image (podman, skopeo, CRI-O) and Connaisseur — and under which setting.
//!
//! The rules restate how each consumer discovers signatures, read from its source at the
//! versions named (docs/CONSUMERS.md cites the code and release notes for every cell). They
//! answer "why does my admission controller see no signatures?": an image signed with cosign
//! v3's defaults carries only a bundle referrer, which most of them never read.

use serde::Serialize;

use super::layer::{Decoded, LayerContent};
use super::model::{Artifact, ArtifactKind, Route};
use crate::artifact::bundle::{BundleVersion, ContentView};

/// A consumer of signatures, at the newest version whose behaviour is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Consumer {
    /// cosign 2.5 (2.6.0–2.6.2 read bundles with `--new-bundle-format`; 2.6.3 and later read as
    /// cosign v3 does).
    #[serde(rename = "cosign 2.5")]
    Cosign2,
    #[serde(rename = "cosign v3")]
    CosignV3,
    /// sigstore/policy-controller 0.15 (cosign v3 library; `signatureFormat` per authority).
    #[serde(rename = "policy-controller")]
    PolicyController,
    /// Kyverno `ClusterPolicy` `verifyImages` (1.19).
    #[serde(rename = "Kyverno verifyImages")]
    KyvernoVerifyImages,
    /// Kyverno `ImageValidatingPolicy` (1.17 and later).
    #[serde(rename = "Kyverno ImageValidatingPolicy")]
    KyvernoImageValidating,
    /// `gh attestation verify` (2.61 and later).
    #[serde(rename = "gh attestation verify")]
    Gh,
    /// notation 1.2 and later.
    #[serde(rename = "notation")]
    Notation,
    /// containers/image 5.22–5.39 (podman, skopeo, CRI-O `policy.json`).
    #[serde(rename = "containers/image")]
    ContainersImage,
    /// Connaisseur 3.4–3.10.
    #[serde(rename = "Connaisseur")]
    Connaisseur,
}

impl Consumer {
    pub const ALL: [Consumer; 9] = [
        Consumer::CosignV3,
        Consumer::Cosign2,
        Consumer::PolicyController,
        Consumer::KyvernoVerifyImages,
        Consumer::KyvernoImageValidating,
        Consumer::Gh,
        Consumer::Notation,
        Consumer::ContainersImage,
        Consumer::Connaisseur,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Consumer::Cosign2 => "cosign 2.5",
            Consumer::CosignV3 => "cosign v3",
            Consumer::PolicyController => "policy-controller",
            Consumer::KyvernoVerifyImages => "Kyverno verifyImages",
            Consumer::KyvernoImageValidating => "Kyverno ImageValidatingPolicy",
            Consumer::Gh => "gh attestation verify",
            Consumer::Notation => "notation",
            Consumer::ContainersImage => "containers/image",
            Consumer::Connaisseur => "Connaisseur",
        }
    }
}

/// Whether a consumer finds an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "finds", rename_all = "snake_case")]
pub enum Finds {
    /// With its default configuration.
    Yes,
    /// Only with this setting (a flag, a policy field, a configuration key); for the cosign
    /// CLIs, `flags` are the arguments that make its `verify` (or `verify-attestation`) read it.
    With {
        setting: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        flags: Vec<String>,
    },
    /// Never, and why.
    No { why: String },
}

/// One consumer's view of one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sighting {
    pub consumer: Consumer,
    #[serde(flatten)]
    pub finds: Finds,
}

/// The storage form of an artifact, as consumers tell them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Form {
    /// `sha256-<hex>.sig` (`docker_manifest`: stored with a Docker media type).
    SigTag { docker_manifest: bool },
    /// `sha256-<hex>.att`.
    AttTag,
    /// cosign's OCI 1.1 signature referrer.
    Oci11Signature,
    /// A sigstore bundle referrer.
    Bundle(BundleForm),
    /// A Notary Project signature referrer; `shadowed_tag` when it is only under the fallback tag
    /// of a registry that answers the referrers API (where notation, as oras-go, reads the API
    /// alone: notation 1.3's `sign` stores there by default with `--force-referrers-tag`).
    Notary { shadowed_tag: bool },
    /// Not a signature any of them reads (SBOMs, unknown artifacts).
    NotASignature,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct BundleForm {
    /// cosign's reading: one layer, parsed, v0.3 or later.
    readable: bool,
    /// DSSE (not a message signature).
    dsse: bool,
    /// The in-toto predicate type, when DSSE.
    predicate: Option<String>,
    /// A certificate (keyless) rather than a public key.
    keyless: bool,
    /// Only under the fallback tag, on a registry that has the referrers API.
    shadowed_tag: bool,
}

const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

/// How every consumer sees `artifact`, one of `siblings` (everything attached to the same
/// subject), on a source that answered the referrers API (`Some(true)`), did not, or was not
/// asked.
pub fn lens(
    siblings: &[Artifact],
    referrers_api: Option<bool>,
    artifact: &Artifact,
) -> Vec<Sighting> {
    let form = form(referrers_api, artifact);
    let bundles_present = siblings.iter().any(
        |a| matches!(form_of_bundle(referrers_api, a), Some(b) if b.readable && !b.shadowed_tag),
    );
    Consumer::ALL
        .iter()
        .map(|&consumer| Sighting {
            consumer,
            finds: finds(consumer, &form, bundles_present),
        })
        .collect()
}

fn form(referrers_api: Option<bool>, artifact: &Artifact) -> Form {
    match (&artifact.kind, &artifact.found_via) {
        (ArtifactKind::Signature, Route::LegacyTag { .. }) => Form::SigTag {
            docker_manifest: artifact.media_type.starts_with("application/vnd.docker."),
        },
        (ArtifactKind::Attestation, Route::LegacyTag { .. }) => Form::AttTag,
        (ArtifactKind::Signature, _) => Form::Oci11Signature,
        (ArtifactKind::SigstoreBundle, _) => form_of_bundle(referrers_api, artifact)
            .map(Form::Bundle)
            .unwrap_or(Form::NotASignature),
        (ArtifactKind::NotationSignature, route) => Form::Notary {
            shadowed_tag: matches!(route, Route::FallbackTag { .. }) && referrers_api == Some(true),
        },
        _ => Form::NotASignature,
    }
}

fn form_of_bundle(referrers_api: Option<bool>, artifact: &Artifact) -> Option<BundleForm> {
    if artifact.kind != ArtifactKind::SigstoreBundle {
        return None;
    }
    let shadowed_tag =
        matches!(artifact.found_via, Route::FallbackTag { .. }) && referrers_api == Some(true);
    let parsed = match artifact.layers.as_slice() {
        [layer] => match &layer.content {
            LayerContent::Bundle { bundle, .. } => match bundle.as_ref() {
                Decoded::Ok(view) => Some(view),
                Decoded::Error(_) => None,
            },
            _ => None,
        },
        _ => None,
    };
    let Some(view) = parsed else {
        return Some(BundleForm {
            readable: false,
            dsse: false,
            predicate: None,
            keyless: false,
            shadowed_tag,
        });
    };
    let (dsse, predicate) = match &view.content {
        ContentView::MessageSignature { .. } => (false, None),
        ContentView::Dsse(d) => (
            true,
            d.statement
                .as_ref()
                .and_then(|s| s.as_ref().ok())
                .map(|s| s.predicate_type.clone()),
        ),
    };
    Some(BundleForm {
        readable: view.version == BundleVersion::V0_3,
        dsse,
        predicate,
        keyless: view.leaf_certificate().is_some(),
        shadowed_tag,
    })
}

fn yes() -> Finds {
    Finds::Yes
}

fn with(setting: &str) -> Finds {
    with_flags(setting, &[])
}

/// A setting that is a cosign flag (or several).
fn with_flags(setting: &str, flags: &[&str]) -> Finds {
    Finds::With {
        setting: setting.to_owned(),
        flags: flags.iter().map(|f| (*f).to_owned()).collect(),
    }
}

fn no(why: &str) -> Finds {
    Finds::No {
        why: why.to_owned(),
    }
}

fn finds(consumer: Consumer, form: &Form, bundles_present: bool) -> Finds {
    use Consumer::*;
    match form {
        Form::NotASignature => no("not a signature it reads"),
        Form::SigTag { docker_manifest } => match consumer {
            CosignV3 if bundles_present => with_flags(
                "--new-bundle-format=false (cosign reads .sig only when no sigstore bundle is attached)",
                &["--new-bundle-format=false"],
            ),
            KyvernoImageValidating if bundles_present => {
                no("reads .sig only when no sigstore bundle is attached, and one is")
            }
            CosignV3 | KyvernoImageValidating | Cosign2 | Connaisseur => yes(),
            PolicyController => yes(),
            KyvernoVerifyImages => yes(),
            ContainersImage if *docker_manifest => no(
                "the .sig manifest has a Docker media type; containers/image takes only an OCI manifest",
            ),
            ContainersImage => with("use-sigstore-attachments: true (registries.d)"),
            Gh => no("reads only sigstore bundles"),
            Notation => no("reads only Notary Project signatures"),
        },
        Form::AttTag => match consumer {
            CosignV3 if bundles_present => with_flags(
                "--new-bundle-format=false (cosign reads .att only when no sigstore bundle is attached)",
                &["--new-bundle-format=false"],
            ),
            KyvernoImageValidating if bundles_present => {
                no("reads .att only when no sigstore bundle is attached, and one is")
            }
            CosignV3 | Cosign2 | KyvernoImageValidating => yes(),
            PolicyController => with("an authority with attestations"),
            KyvernoVerifyImages => with("type: Cosign with attestations"),
            ContainersImage => no("reads only .sig"),
            Connaisseur => no("reads only .sig"),
            Gh => no("reads only sigstore bundles"),
            Notation => no("reads only Notary Project signatures"),
        },
        Form::Oci11Signature => match consumer {
            CosignV3 if bundles_present => with_flags(
                "--experimental-oci11 --new-bundle-format=false",
                &["--experimental-oci11", "--new-bundle-format=false"],
            ),
            CosignV3 | Cosign2 => with_flags("--experimental-oci11", &["--experimental-oci11"]),
            PolicyController => with("enable-oci11: \"true\" (config-policy-controller)"),
            KyvernoVerifyImages => with("cosignOCI11: true"),
            KyvernoImageValidating => no("never asks for cosign's OCI 1.1 referrers"),
            ContainersImage => no("reads only the .sig tag"),
            Connaisseur => no("reads only the .sig tag"),
            Gh => no("reads only sigstore bundles"),
            Notation => no("reads only Notary Project signatures"),
        },
        Form::Bundle(b) => bundle_finds(consumer, b),
        Form::Notary { shadowed_tag } => match consumer {
            Notation if *shadowed_tag => no(
                "reads the referrers API where the registry has one; this signature is only under \
                 the fallback tag (notation sign --force-referrers-tag, its default)",
            ),
            Notation => yes(),
            KyvernoVerifyImages => with("type: Notary"),
            KyvernoImageValidating => with("a notary attestor"),
            Connaisseur => with("a notation validator (3.9 and later)"),
            _ => no("does not read Notary Project signatures"),
        },
    }
}

fn bundle_finds(consumer: Consumer, b: &BundleForm) -> Finds {
    use Consumer::*;
    let tag_only = "reads the referrers API where the registry has one; this bundle is only under the fallback tag";
    match consumer {
        Notation => return no("reads only Notary Project signatures"),
        ContainersImage => {
            return no("does not read sigstore bundles (open PR container-libs#1153)");
        }
        Connaisseur => return no("reads only the .sig tag"),
        _ if b.shadowed_tag => return no(tag_only),
        _ if !b.readable => return no("not a bundle it can read (one layer, v0.3 or later)"),
        _ => {}
    }
    match consumer {
        CosignV3 | KyvernoImageValidating if !b.dsse => {
            no("reads bundles but rejects message signatures on images (DSSE only)")
        }
        CosignV3 | KyvernoImageValidating => yes(),
        Cosign2 if !b.dsse => no("reads no message-signature bundles"),
        Cosign2 => with_flags(
            "verify-attestation --new-bundle-format (its verify reads no bundle; cosign 2.6.3 and later read bundles as v3)",
            &["--new-bundle-format"],
        ),
        PolicyController if !b.dsse => no("reads DSSE bundles only"),
        PolicyController if !b.keyless => no("reads bundles only for keyless authorities"),
        PolicyController => with(&format!(
            "signatureFormat: bundle on a keyless authority with attestations of type {}",
            b.predicate.as_deref().unwrap_or("?")
        )),
        KyvernoVerifyImages => with(if b.keyless {
            "type: SigstoreBundle"
        } else {
            "type: SigstoreBundle (key-signed bundles from 1.19)"
        }),
        Gh if !b.dsse => no("reads DSSE in-toto bundles only"),
        Gh if !b.keyless => no("verifies certificate identities only, not keys"),
        Gh if b.predicate.as_deref() == Some(SLSA_V1) => with("--bundle-from-oci"),
        Gh => with(&format!(
            "--bundle-from-oci --predicate-type {}",
            b.predicate.as_deref().unwrap_or("?")
        )),
        Notation | ContainersImage | Connaisseur => no("does not read sigstore bundles"),
    }
}

/// The consumers that find `artifact` with their defaults, and those that never do, as two
/// short lists for one line of text.
pub fn summary(sightings: &[Sighting]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut yes = Vec::new();
    let mut with = Vec::new();
    let mut no = Vec::new();
    for s in sightings {
        match &s.finds {
            Finds::Yes => yes.push(s.consumer.name().to_owned()),
            Finds::With { setting, .. } => with.push(format!("{} ({setting})", s.consumer.name())),
            Finds::No { .. } => no.push(s.consumer.name().to_owned()),
        }
    }
    (yes, with, no)
}
