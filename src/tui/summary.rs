//! What a tag row says: badges, platforms and age, derived from the state (pure).

use crate::inventory::model::{ArtifactKind, ImageReport};
use crate::verify::report::ImageOutcome;

use super::state::{TagEntry, TagLoad, Verification};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    Loading,
    Error,
    Unsigned,
    Signed(usize),
    Attested(usize),
    Bundle(usize),
    Sbom(usize),
    Referrers(usize),
    Verifying,
    Verified,
    Failed,
    CouldNotCheck,
    /// The trust policy skips this image (notation level `skip`).
    Skipped,
    /// Attestations were verified and the image has none.
    NoAttestations,
}

impl Badge {
    pub fn text(self) -> String {
        let n = |what: &str, n: usize| {
            if n > 1 {
                format!("{what}×{n}")
            } else {
                what.to_owned()
            }
        };
        match self {
            Badge::Loading => "…".into(),
            Badge::Error => "error".into(),
            Badge::Unsigned => "unsigned".into(),
            Badge::Signed(c) => n("signed", c),
            Badge::Attested(c) => n("attested", c),
            Badge::Bundle(c) => n("bundle", c),
            Badge::Sbom(c) => n("sbom", c),
            Badge::Referrers(c) => n("ref", c),
            Badge::Verifying => "verifying".into(),
            Badge::Verified => "✓ verified".into(),
            Badge::Failed => "✗ failed".into(),
            Badge::CouldNotCheck => "? unchecked".into(),
            Badge::Skipped => "- skipped".into(),
            Badge::NoAttestations => "no attestations".into(),
        }
    }
}

/// The badges of a tag; `attestations`: the verification in force checks attestations.
pub fn badges(tag: &TagEntry, attestations: bool) -> Vec<Badge> {
    let image = match &tag.load {
        TagLoad::Pending => return vec![Badge::Loading],
        TagLoad::Failed(_) => return vec![Badge::Error],
        TagLoad::Loaded { image, .. } => image,
    };
    let mut out = Vec::new();
    match &tag.verification {
        Verification::NotRequested => {}
        Verification::Running(_) => out.push(Badge::Verifying),
        Verification::Failed(_) => out.push(Badge::CouldNotCheck),
        Verification::Done(v) if matches!(v.outcome, ImageOutcome::Skipped { .. }) => {
            out.push(Badge::Skipped)
        }
        // With no attestation at all, say so; with no signature at all, "unsigned" says it.
        Verification::Done(v) if v.signatures.is_empty() && attestations => {
            out.push(Badge::NoAttestations)
        }
        Verification::Done(v)
            if v.signatures.is_empty()
                && !matches!(v.outcome, ImageOutcome::CouldNotCheck { .. }) => {}
        Verification::Done(v) => out.push(match v.outcome {
            ImageOutcome::Verified(_) => Badge::Verified,
            ImageOutcome::NotVerified { .. } => Badge::Failed,
            ImageOutcome::CouldNotCheck { .. } => Badge::CouldNotCheck,
            ImageOutcome::Skipped { .. } => Badge::Skipped,
        }),
    }
    let count = |f: &dyn Fn(&ArtifactKind) -> bool| {
        image.all_artifacts().iter().filter(|a| f(&a.kind)).count()
    };
    let signed = count(&|k| matches!(k, ArtifactKind::Signature | ArtifactKind::NotationSignature));
    let bundles = count(&|k| matches!(k, ArtifactKind::SigstoreBundle));
    if signed > 0 {
        out.push(Badge::Signed(signed));
    } else if bundles == 0 {
        out.push(Badge::Unsigned);
    }
    let pairs = [
        (
            count(&|k| matches!(k, ArtifactKind::Attestation)),
            Badge::Attested as fn(usize) -> Badge,
        ),
        (bundles, Badge::Bundle),
        (count(&|k| matches!(k, ArtifactKind::Sbom)), Badge::Sbom),
        (
            count(&|k| matches!(k, ArtifactKind::Other(_))),
            Badge::Referrers,
        ),
    ];
    out.extend(pairs.into_iter().filter(|(c, _)| *c > 0).map(|(c, b)| b(c)));
    if !image.errors.is_empty() {
        out.push(Badge::Error);
    }
    out
}

/// The architectures, `amd64` or `amd64 arm64` (with the OS when it is not Linux).
pub fn platforms(image: &ImageReport) -> String {
    let name = |os: &str, arch: &str, variant: Option<&str>| {
        let arch = match variant {
            Some(v) => format!("{arch}/{v}"),
            None => arch.to_owned(),
        };
        if os == "linux" {
            arch
        } else {
            format!("{os}/{arch}")
        }
    };
    if image.platforms.is_empty() {
        return image
            .config
            .as_ref()
            .and_then(|c| Some(name(c.os.as_deref()?, c.architecture.as_deref()?, None)))
            .unwrap_or_default();
    }
    image
        .platforms
        .iter()
        // A BuildKit attestation manifest (`unknown/unknown`) is not a platform of the image.
        .filter(|p| p.buildkit_attestation.is_none())
        .filter_map(|p| {
            let p = p.platform.as_ref()?;
            Some(name(&p.os, &p.architecture, p.variant.as_deref()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long ago an RFC 3339 time was: `3d`, `5h`, `2w`, `4mo`, `1y`.
pub fn age(created: &str, now: i64) -> String {
    let Ok(t) =
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
    else {
        return "?".into();
    };
    let secs = now - t.unix_timestamp();
    if secs < 0 {
        return "future".into();
    }
    let (m, h, d) = (60, 3600, 86_400);
    match secs {
        s if s < h => format!("{}m", s / m),
        s if s < d => format!("{}h", s / h),
        s if s < 14 * d => format!("{}d", s / d),
        s if s < 60 * d => format!("{}w", s / (7 * d)),
        s if s < 365 * d => format!("{}mo", s / (30 * d)),
        s => format!("{}y", s / (365 * d)),
    }
}
