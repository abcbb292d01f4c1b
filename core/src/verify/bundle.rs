//! Sigstore bundle verification, in the order of the client spec (architecture-docs
//! `client-spec.md` §"Verification"): the bundle's shape, the verification material, the
//! verified times (RFC 3161 timestamps, Rekor v1 integrated times under a SET), the certificate
//! at each of those times (path to a trusted Fulcio CA, codeSigning, SCTs), the transparency-log
//! entries (SET, inclusion proof and checkpoint, entry body), the signature over the artifact
//! or the DSSE PAE (and the in-toto subject), and the identity.

mod content;
mod entries;
mod material;
#[cfg(test)]
mod tests;

use serde::Serialize;

use super::check::Checks;
use super::identity::IdentityPolicy;
use super::key::PublicKey;
use crate::artifact::bundle::{BundleView, decode_bundle};
use crate::trust::TrustedRoot;

/// The artifact a bundle must sign: its digests, and its bytes when the user gave a file (a
/// `sha256:<hex>`, `sha384:` or `sha512:` argument gives one digest alone).
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The SHA-256 (what message signatures and hashedrekord entries cover), when known.
    pub sha256: Option<[u8; 32]>,
    /// Every digest known, by in-toto algorithm name (`sha256`, `sha384`, `sha512`): an in-toto
    /// subject may name the artifact by any of them (npm provenance uses sha512).
    pub digests: Vec<(&'static str, Vec<u8>)>,
    pub bytes: Option<Vec<u8>>,
}

impl Artifact {
    pub fn from_bytes(bytes: Vec<u8>) -> Artifact {
        use sha2::Digest as _;
        let sha256: [u8; 32] = sha2::Sha256::digest(&bytes).into();
        Artifact {
            sha256: Some(sha256),
            digests: vec![
                ("sha256", sha256.to_vec()),
                ("sha384", sha2::Sha384::digest(&bytes).to_vec()),
                ("sha512", sha2::Sha512::digest(&bytes).to_vec()),
            ],
            bytes: Some(bytes),
        }
    }

    pub fn from_digest(sha256: [u8; 32]) -> Artifact {
        Artifact {
            sha256: Some(sha256),
            digests: vec![("sha256", sha256.to_vec())],
            bytes: None,
        }
    }

    /// An artifact known by one digest of `algorithm` (`sha256`, `sha384` or `sha512`).
    pub fn from_named_digest(algorithm: &'static str, digest: Vec<u8>) -> Artifact {
        Artifact {
            sha256: (algorithm == "sha256")
                .then(|| digest.as_slice().try_into().ok())
                .flatten(),
            digests: vec![(algorithm, digest)],
            bytes: None,
        }
    }

    /// Its digest by `algorithm`, when known.
    pub fn digest(&self, algorithm: crate::verify::key::HashAlgorithm) -> Option<&[u8]> {
        self.digests
            .iter()
            .find(|(name, _)| *name == algorithm.name())
            .map(|(_, d)| d.as_slice())
    }

    /// How reports name it: its SHA-256, else the digest it was given by.
    pub fn describe(&self) -> String {
        match (&self.sha256, self.digests.first()) {
            (Some(d), _) => hex::encode(d),
            (None, Some((alg, d))) => format!("{alg}:{}", hex::encode(d)),
            (None, None) => String::new(),
        }
    }
}

/// Who must have signed.
#[derive(Debug, Clone)]
pub enum ExpectedSigner {
    /// Keyless: a Fulcio certificate for this identity and issuer.
    Identity(IdentityPolicy),
    /// A managed key (`--key`).
    Key(PublicKey),
}

/// Proof that a bundle verified: built only in this module, from checks that all passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedBundle {
    times: Vec<i64>,
    signer: String,
}

impl VerifiedBundle {
    /// The verified times the signature was checked at (Unix seconds, ascending).
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    /// Who signed: the certificate's identity, or the key's fingerprint.
    pub fn signer(&self) -> &str {
        &self.signer
    }
}

/// The verdict on one bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum BundleOutcome {
    Verified(VerifiedBundle),
    NotVerified { reason: String },
}

/// A bundle's ordered checks and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    #[serde(flatten)]
    pub outcome: BundleOutcome,
    pub artifact_sha256: String,
    pub checks: Checks,
}

impl BundleReport {
    pub fn verified(&self) -> Option<&VerifiedBundle> {
        match &self.outcome {
            BundleOutcome::Verified(v) => Some(v),
            BundleOutcome::NotVerified { .. } => None,
        }
    }
}

/// What the checks established along the way.
#[derive(Debug, Default)]
struct State {
    /// The key that must verify the signature (the leaf's, or `--key`).
    key: Option<PublicKey>,
    /// Verified times: integrated times under a verified SET, RFC 3161 genTimes.
    times: Vec<i64>,
    signer: Option<String>,
}

/// Choices the caller makes explicitly (cosign's `--insecure-ignore-tlog`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BundleOptions {
    /// Skip the transparency-log entries; a key-signed bundle then needs no verified time.
    pub ignore_tlog: bool,
    /// Skip the certificate-transparency check (`--insecure-ignore-sct`).
    pub ignore_sct: bool,
}

/// Verifies a bundle (JSON bytes) over `artifact` for `expected`, against `root`.
pub fn verify_bundle(
    bundle_json: &[u8],
    artifact: &Artifact,
    expected: &ExpectedSigner,
    root: &TrustedRoot,
) -> BundleReport {
    verify_bundle_with(
        bundle_json,
        artifact,
        expected,
        root,
        BundleOptions::default(),
    )
}

/// [`verify_bundle`] with explicit options.
pub fn verify_bundle_with(
    bundle_json: &[u8],
    artifact: &Artifact,
    expected: &ExpectedSigner,
    root: &TrustedRoot,
    options: BundleOptions,
) -> BundleReport {
    let mut checks = Checks::default();
    let bundle = match decode_bundle(bundle_json) {
        Ok(b) => b,
        Err(e) => {
            // protobuf-specs: a bundle that does not parse, or of an unknown media type, is
            // refused before anything else.
            checks.fail("bundle", e.to_string());
            return conclude(checks, artifact, State::default());
        }
    };
    // Several instances in one trusted root file: the one whose CA issued the certificate.
    let root = bundle
        .leaf_certificate()
        .and_then(|leaf| {
            use x509_parser::prelude::{FromDer as _, X509Certificate};
            X509Certificate::from_der(&leaf.der)
                .ok()
                .map(|(_, c)| root.for_issuer(c.issuer().as_raw()))
        })
        .unwrap_or(root);
    let mut state = State::default();
    run(
        &bundle,
        artifact,
        expected,
        root,
        options,
        &mut checks,
        &mut state,
    );
    conclude(checks, artifact, state)
}

fn run(
    bundle: &BundleView,
    artifact: &Artifact,
    expected: &ExpectedSigner,
    root: &TrustedRoot,
    options: BundleOptions,
    checks: &mut Checks,
    state: &mut State,
) {
    if !material::check_shape(bundle, checks) {
        return;
    }
    if !material::check_material(bundle, expected, checks, state) {
        return;
    }
    let signature = content::signature_bytes(bundle);
    // Client spec "Establishing a Time for the Signature": timestamps from TSAs and logs.
    material::check_timestamps(bundle, signature, root, checks, state);
    if options.ignore_tlog {
        checks.skip("tlog", "--insecure-ignore-tlog");
    } else if root.tlogs.is_empty() {
        // The requirement follows the trusted root (gh's custom and GitHub verifiers): an
        // instance that runs no log (GitHub's, for private repositories) asks for none, and
        // the time must then come from a trusted timestamp authority.
        checks.skip(
            "tlog",
            format!(
                "the trusted root ({}) lists no transparency log: none is required",
                root.source
            ),
        );
    } else {
        entries::check_entries(bundle, artifact, root, checks, state);
    }
    let key_signed = matches!(expected, ExpectedSigner::Key(_));
    // cosign `verificationOptions`: a key needs no observer timestamp
    // (`WithNoObserverTimestamps`), a certificate needs a verified time to be dated.
    let rekor_v2_only = !bundle.tlog_entries.is_empty()
        && bundle
            .tlog_entries
            .iter()
            .all(|e| e.integrated_time.is_none());
    if state.times.is_empty() && key_signed {
        checks.pass(
            "verified time",
            "none needed: a key is not dated (cosign verifies keys with no observer timestamp)",
        );
    } else if state.times.is_empty() && rekor_v2_only && !options.ignore_tlog {
        // cosign ≥ 3.0.5 `rekorV2Bundle`: Rekor v2 records no integrated time, so a keyless
        // bundle logged only there needs a signed (RFC 3161) timestamp.
        checks.fail(
            "verified time",
            "no verified time: the bundle is logged only in Rekor v2, which records no \
             integrated time, and carries no RFC 3161 timestamp from a trusted TSA (cosign \
             ≥ 3.0.5 requires one)",
        );
    } else if state.times.is_empty() {
        checks.fail(
            "verified time",
            "no verified time: the bundle has neither a valid RFC 3161 timestamp nor a Rekor \
             entry with a verified integrated time",
        );
    }
    if let Some(leaf) = bundle.leaf_certificate() {
        material::check_certificate(leaf, root, options, checks, state);
        if let ExpectedSigner::Identity(policy) = expected {
            material::check_identity(leaf, policy, checks);
        }
    }
    content::check_content(bundle, artifact, checks, state);
}

fn conclude(checks: Checks, artifact: &Artifact, state: State) -> BundleReport {
    let outcome = if checks.all_passed() {
        let mut times = state.times;
        times.sort_unstable();
        times.dedup();
        BundleOutcome::Verified(VerifiedBundle {
            times,
            signer: state.signer.unwrap_or_default(),
        })
    } else {
        let reason = checks
            .failures()
            .next()
            .map(|c| match &c.outcome {
                super::check::Outcome::Failed { reason, .. } => format!("{}: {reason}", c.name),
                _ => c.name.to_owned(),
            })
            .unwrap_or_else(|| "no check ran".to_owned());
        BundleOutcome::NotVerified { reason }
    };
    BundleReport {
        outcome,
        artifact_sha256: artifact.describe(),
        checks,
    }
}
