//! The signature checks and digests of TUF metadata, done by ring (the crypto library sigscope's
//! TLS already uses) instead of sigstore-crypto's default aws-lc: one C-free-of-cmake stack, one
//! audited implementation of ECDSA, Ed25519 and RSA for the whole binary.
//!
//! sigstore-tuf hands every check to the process-wide `sigstore_crypto::CryptoProvider`; this is
//! that provider. It verifies raw messages only (TUF signs the canonical JSON of `signed`, never
//! a prehashed digest) and creates no keys: a client never signs.

use ring::digest;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use sigstore_crypto::{CryptoProvider, Error, HashContext, Result, SigningScheme};
use sigstore_types::HashAlgorithm;

/// ring behind sigstore-crypto's provider interface.
#[derive(Debug)]
pub struct RingProvider;

static RING_PROVIDER: RingProvider = RingProvider;

/// Installs ring as sigstore-crypto's provider, once per process (later calls are no-ops). Every
/// TUF entry point calls it before any metadata is read.
pub fn install() {
    // Err means a provider is in place already (this one, installed earlier).
    let _ = sigstore_crypto::install_default_provider(&RING_PROVIDER);
}

struct RingHash(digest::Context);

impl HashContext for RingHash {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize(self: Box<Self>) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

fn digest_algorithm(algorithm: HashAlgorithm) -> Option<&'static digest::Algorithm> {
    match algorithm {
        HashAlgorithm::Sha2256 => Some(&digest::SHA256),
        HashAlgorithm::Sha2384 => Some(&digest::SHA384),
        HashAlgorithm::Sha2512 => Some(&digest::SHA512),
        _ => None,
    }
}

/// ring's algorithm for a TUF/Sigstore signing scheme; ML-DSA is not in ring.
fn verification_algorithm(scheme: SigningScheme) -> Option<&'static dyn VerificationAlgorithm> {
    Some(match scheme {
        SigningScheme::EcdsaP256Sha256 => &signature::ECDSA_P256_SHA256_ASN1,
        SigningScheme::EcdsaP256Sha384 => &signature::ECDSA_P256_SHA384_ASN1,
        SigningScheme::EcdsaP384Sha256 => &signature::ECDSA_P384_SHA256_ASN1,
        SigningScheme::EcdsaP384Sha384 => &signature::ECDSA_P384_SHA384_ASN1,
        SigningScheme::Ed25519 => &signature::ED25519,
        SigningScheme::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SigningScheme::RsaPssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        SigningScheme::RsaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        SigningScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        SigningScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        SigningScheme::RsaPkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        // ML-DSA, and any scheme a later sigstore-crypto adds.
        _ => return None,
    })
}

impl CryptoProvider for RingProvider {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        let algorithm = digest_algorithm(algorithm).ok_or_else(|| {
            Error::UnsupportedAlgorithm(format!("cannot compute {algorithm} digests"))
        })?;
        Ok(Box::new(RingHash(digest::Context::new(algorithm))))
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
        out
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        let mut out = [0u8; 48];
        out.copy_from_slice(digest::digest(&digest::SHA384, data).as_ref());
        out
    }

    fn sha512(&self, data: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(digest::digest(&digest::SHA512, data).as_ref());
        out
    }

    /// The key is the SPKI's `subjectPublicKey` bits, which is what ring reads for every scheme:
    /// an uncompressed SEC1 point, a raw Ed25519 key, or a PKCS#1 `RSAPublicKey`.
    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let algorithm = verification_algorithm(scheme).ok_or_else(|| {
            Error::UnsupportedAlgorithm(format!("{} is not supported by ring", scheme.name()))
        })?;
        UnparsedPublicKey::new(algorithm, spki_pubkey_bytes)
            .verify(data, signature)
            .map_err(|_| Error::Verification(format!("{} signature invalid", scheme.name())))
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        _spki_pubkey_bytes: &[u8],
        _digest: &[u8],
        _signature: &[u8],
    ) -> Result<()> {
        Err(Error::UnsupportedAlgorithm(format!(
            "prehashed {} verification: TUF metadata is never signed prehashed",
            scheme.name()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};

    #[test]
    fn ring_verifies_what_it_signed_and_refuses_the_rest() {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
        let sig = pair.sign(&rng, b"signed").unwrap();
        let public = pair.public_key().as_ref();
        let p = RingProvider;
        p.verify_raw(
            SigningScheme::EcdsaP256Sha256,
            public,
            b"signed",
            sig.as_ref(),
        )
        .unwrap();
        let err = p
            .verify_raw(
                SigningScheme::EcdsaP256Sha256,
                public,
                b"other",
                sig.as_ref(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("signature invalid"), "{err}");

        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let ed = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let sig = ed.sign(b"signed");
        p.verify_raw(
            SigningScheme::Ed25519,
            ed.public_key().as_ref(),
            b"signed",
            sig.as_ref(),
        )
        .unwrap();
        assert!(
            p.verify_raw(SigningScheme::MlDsa44, public, b"signed", b"")
                .is_err()
        );
        assert!(
            p.verify_prehashed(SigningScheme::EcdsaP256Sha256, public, &[0; 32], b"")
                .is_err()
        );
        assert_eq!(
            hex::encode(p.sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
