//! What a bundle verification is given (the artifact, the signer expected, the caller's
//! options) and what its checks establish along the way.

use crate::key::PublicKey;
use crate::verify::identity::IdentityPolicy;

/// The artifact a bundle must sign: its digests, and its bytes when the user gave a file (a
/// `sha256:<hex>`, `sha384:` or `sha512:` argument gives one digest alone).
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The SHA-256 (what message signatures and hashedrekord entries cover), when known.
    pub sha256: Option<[u8; 32]>,
    /// Every digest known, by in-toto algorithm name (`sha256`, `sha384`, `sha512`): an in-toto
    /// subject may name the artifact by any of them (npm provenance uses sha512).
    pub digests: Vec<(&'static str, Vec<u8>)>,
    /// The artifact's bytes, when given as a file.
    pub bytes: Option<Vec<u8>>,
}

impl Artifact {
    /// An artifact known by its bytes (all its digests are computed).
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

    /// An artifact known by its SHA-256 alone.
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
    pub fn digest(&self, algorithm: crate::key::HashAlgorithm) -> Option<&[u8]> {
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

/// What the checks established along the way.
#[derive(Debug, Default)]
pub(super) struct State {
    /// The key that must verify the signature (the leaf's, or `--key`).
    pub(super) key: Option<PublicKey>,
    /// Verified times: integrated times under a verified SET, RFC 3161 genTimes.
    pub(super) times: Vec<i64>,
    /// Who signed: the certificate's identity, or the key's fingerprint.
    pub(super) signer: Option<String>,
}

/// Choices the caller makes explicitly (cosign's `--insecure-ignore-tlog`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BundleOptions {
    /// Skip the transparency-log entries; a key-signed bundle then needs no verified time.
    pub ignore_tlog: bool,
    /// Skip the certificate-transparency check (`--insecure-ignore-sct`).
    pub ignore_sct: bool,
}
