//! Public keys and signature verification for every algorithm Sigstore uses
//! (architecture-docs `algorithm-registry.md`): ECDSA P-256/P-384/P-521, RSA PKCS#1 v1.5 and
//! PSS (2048–8192 bits), Ed25519. ring does the arithmetic; P-521, which ring lacks, is p521's.

use std::fmt;

use ring::signature::{self as rs, UnparsedPublicKey};
use serde::Serialize;
use sha2::Digest as _;
use x509_parser::prelude::FromDer as _;
use x509_parser::x509::SubjectPublicKeyInfo;

/// The digest a signature was made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    /// By the name a Rekor body, an in-toto subject or protobuf-specs `HashAlgorithm` gives it
    /// (`sha256`, `SHA2_256`, …).
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        match name.to_ascii_lowercase().as_str() {
            "sha256" | "sha2_256" | "sha-256" => Some(HashAlgorithm::Sha256),
            "sha384" | "sha2_384" | "sha-384" => Some(HashAlgorithm::Sha384),
            "sha512" | "sha2_512" | "sha-512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// The in-toto name: `sha256`, `sha384`, `sha512`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => sha2::Sha256::digest(message).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(message).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(message).to_vec(),
        }
    }
}

/// What kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Rsa { bits: usize },
    Ed25519,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::EcdsaP256 => f.write_str("ECDSA P-256"),
            KeyKind::EcdsaP384 => f.write_str("ECDSA P-384"),
            KeyKind::EcdsaP521 => f.write_str("ECDSA P-521"),
            KeyKind::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyKind::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

/// RSA padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaPadding {
    Pkcs1v15,
    Pss,
}

/// A parsed public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyKind,
    /// The SubjectPublicKeyInfo DER.
    spki: Vec<u8>,
    /// The subjectPublicKey bits (SEC1 point, PKCS#1 RSAPublicKey, or raw Ed25519 key).
    bits: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({}, {})", self.kind, self.fingerprint())
    }
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("public key: malformed SubjectPublicKeyInfo: {0}")]
    Malformed(String),
    #[error("public key: unsupported algorithm {0}")]
    Unsupported(String),
    #[error("public key: malformed PEM: {0}")]
    Pem(String),
}

const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const ED25519: &str = "1.3.101.112";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";
const P521: &str = "1.3.132.0.35";

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let (rest, spki) =
            SubjectPublicKeyInfo::from_der(der).map_err(|e| KeyError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(KeyError::Malformed("trailing bytes".into()));
        }
        let oid = spki.algorithm.algorithm.to_id_string();
        let bits = spki.subject_public_key.data.to_vec();
        let kind = match oid.as_str() {
            EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string())
                    .unwrap_or_default();
                match curve.as_str() {
                    P256 => KeyKind::EcdsaP256,
                    P384 => KeyKind::EcdsaP384,
                    P521 => KeyKind::EcdsaP521,
                    other => return Err(KeyError::Unsupported(format!("EC curve {other}"))),
                }
            }
            RSA_ENCRYPTION => KeyKind::Rsa {
                bits: rsa_modulus_bits(&bits)?,
            },
            ED25519 => KeyKind::Ed25519,
            other => return Err(KeyError::Unsupported(other.to_owned())),
        };
        Ok(PublicKey {
            kind,
            spki: der.to_vec(),
            bits,
        })
    }

    /// Parses a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block.
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let block = pem::parse(text.trim()).map_err(|e| KeyError::Pem(e.to_string()))?;
        if block.tag() != "PUBLIC KEY" {
            return Err(KeyError::Pem(format!(
                "expected a PUBLIC KEY block, found {:?}",
                block.tag()
            )));
        }
        PublicKey::from_spki_der(block.contents())
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// SHA-256 of the SPKI, hex: the transparency-log key ID.
    pub fn fingerprint(&self) -> String {
        hex::encode(sha2::Sha256::digest(&self.spki))
    }

    /// The hash Sigstore pairs with this key by default (algorithm registry).
    pub fn default_hash(&self) -> HashAlgorithm {
        match self.kind {
            KeyKind::EcdsaP384 => HashAlgorithm::Sha384,
            KeyKind::EcdsaP521 => HashAlgorithm::Sha512,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// Verifies `signature` over `message` (hashed with `hash`; Ed25519 signs the message
    /// itself). ECDSA signatures are DER; RSA uses PKCS#1 v1.5 unless `padding` says PSS.
    pub fn verify(
        &self,
        message: &[u8],
        signature: &[u8],
        hash: HashAlgorithm,
        padding: RsaPadding,
    ) -> bool {
        let ring_alg: &dyn rs::VerificationAlgorithm = match (self.kind, hash, padding) {
            (KeyKind::EcdsaP256, HashAlgorithm::Sha256, _) => &rs::ECDSA_P256_SHA256_ASN1,
            (KeyKind::EcdsaP256, HashAlgorithm::Sha384, _) => &rs::ECDSA_P256_SHA384_ASN1,
            (KeyKind::EcdsaP384, HashAlgorithm::Sha256, _) => &rs::ECDSA_P384_SHA256_ASN1,
            (KeyKind::EcdsaP384, HashAlgorithm::Sha384, _) => &rs::ECDSA_P384_SHA384_ASN1,
            (KeyKind::EcdsaP521, _, _) => {
                return self.verify_p521(message, signature, hash)
                    || self.verify_p1363(message, signature, hash);
            }
            (KeyKind::Rsa { .. }, HashAlgorithm::Sha256, RsaPadding::Pkcs1v15) => {
                &rs::RSA_PKCS1_2048_8192_SHA256
            }
            (KeyKind::Rsa { .. }, HashAlgorithm::Sha384, RsaPadding::Pkcs1v15) => {
                &rs::RSA_PKCS1_2048_8192_SHA384
            }
            (KeyKind::Rsa { .. }, HashAlgorithm::Sha512, RsaPadding::Pkcs1v15) => {
                &rs::RSA_PKCS1_2048_8192_SHA512
            }
            (KeyKind::Rsa { .. }, HashAlgorithm::Sha256, RsaPadding::Pss) => {
                &rs::RSA_PSS_2048_8192_SHA256
            }
            (KeyKind::Rsa { .. }, HashAlgorithm::Sha384, RsaPadding::Pss) => {
                &rs::RSA_PSS_2048_8192_SHA384
            }
            (KeyKind::Rsa { .. }, HashAlgorithm::Sha512, RsaPadding::Pss) => {
                &rs::RSA_PSS_2048_8192_SHA512
            }
            (KeyKind::Ed25519, _, _) => &rs::ED25519,
            _ => return false,
        };
        UnparsedPublicKey::new(ring_alg, &self.bits)
            .verify(message, signature)
            .is_ok()
            || self.verify_p1363(message, signature, hash)
    }

    /// sigstore `ECDSAVerifier.VerifySignature` (cosign's verifier): a signature that does not
    /// parse as ASN.1 is read as IEEE P1363 `r ‖ s` — an even length of at most 132 bytes,
    /// split in halves.
    fn verify_p1363(&self, message: &[u8], signature: &[u8], hash: HashAlgorithm) -> bool {
        let size = match self.kind {
            KeyKind::EcdsaP256 => 32,
            KeyKind::EcdsaP384 => 48,
            KeyKind::EcdsaP521 => 66,
            _ => return false,
        };
        if signature.is_empty()
            || signature.len() > 132
            || !signature.len().is_multiple_of(2)
            || x509_parser::der_parser::der::parse_der_sequence(signature).is_ok()
        {
            return false;
        }
        // Each half is a big-endian integer: strip leading zeros, then pad to the field size.
        let (r, s) = signature.split_at(signature.len() / 2);
        let fixed = |half: &[u8]| -> Option<Vec<u8>> {
            let start = half.iter().position(|b| *b != 0).unwrap_or(half.len());
            let digits = &half[start..];
            (digits.len() <= size).then(|| {
                let mut out = vec![0; size - digits.len()];
                out.extend_from_slice(digits);
                out
            })
        };
        let (Some(mut raw), Some(s)) = (fixed(r), fixed(s)) else {
            return false;
        };
        raw.extend_from_slice(&s);
        use ecdsa::signature::hazmat::PrehashVerifier as _;
        let digest = hash.digest(message);
        match self.kind {
            KeyKind::EcdsaP256 => {
                let (Ok(key), Ok(sig)) = (
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(&self.bits),
                    p256::ecdsa::Signature::from_slice(&raw),
                ) else {
                    return false;
                };
                key.verify_prehash(&digest, &sig).is_ok()
            }
            KeyKind::EcdsaP384 => {
                let (Ok(key), Ok(sig)) = (
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(&self.bits),
                    p384::ecdsa::Signature::from_slice(&raw),
                ) else {
                    return false;
                };
                key.verify_prehash(&digest, &sig).is_ok()
            }
            KeyKind::EcdsaP521 => {
                let (Ok(key), Ok(sig)) = (
                    p521::ecdsa::VerifyingKey::from_sec1_bytes(&self.bits),
                    p521::ecdsa::Signature::from_slice(&raw),
                ) else {
                    return false;
                };
                key.verify_prehash(&digest, &sig).is_ok()
            }
            _ => false,
        }
    }

    /// Verifies with the key's default hash, trying PKCS#1 v1.5 then PSS for RSA.
    pub fn verify_default(&self, message: &[u8], signature: &[u8]) -> bool {
        let hash = self.default_hash();
        self.verify(message, signature, hash, RsaPadding::Pkcs1v15)
            || (matches!(self.kind, KeyKind::Rsa { .. })
                && self.verify(message, signature, hash, RsaPadding::Pss))
    }

    fn verify_p521(&self, message: &[u8], signature: &[u8], hash: HashAlgorithm) -> bool {
        use p521::ecdsa::signature::hazmat::PrehashVerifier as _;
        let Ok(key) = p521::ecdsa::VerifyingKey::from_sec1_bytes(&self.bits) else {
            return false;
        };
        let Ok(sig) = p521::ecdsa::Signature::from_der(signature) else {
            return false;
        };
        key.verify_prehash(&hash.digest(message), &sig).is_ok()
    }
}

/// The modulus size of a PKCS#1 RSAPublicKey, in bits.
fn rsa_modulus_bits(bits: &[u8]) -> Result<usize, KeyError> {
    let (_, seq) = x509_parser::der_parser::der::parse_der_sequence(bits)
        .map_err(|e| KeyError::Malformed(format!("RSA key: {e}")))?;
    let modulus = seq
        .as_sequence()
        .ok()
        .and_then(|items| items.first())
        .and_then(|m| m.as_slice().ok())
        .ok_or_else(|| KeyError::Malformed("RSA key has no modulus".into()))?;
    let significant = modulus.iter().skip_while(|b| **b == 0).count();
    Ok(significant * 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::FixtureKey;

    #[test]
    fn fixture_p256_signatures_verify_and_tampering_is_caught() {
        let key = FixtureKey::derive("key-test");
        let public = PublicKey::from_pem(&key.public_pem().unwrap()).unwrap();
        assert_eq!(public.kind(), KeyKind::EcdsaP256);
        assert_eq!(public.fingerprint(), hex::encode(key.log_id()));
        let sig = key.sign(b"message");
        assert!(public.verify_default(b"message", &sig));
        assert!(!public.verify_default(b"messagE", &sig));
        assert!(!public.verify(
            b"message",
            &sig,
            HashAlgorithm::Sha384,
            RsaPadding::Pkcs1v15
        ));
        assert!(!public.verify_default(b"message", b"not der"));
    }

    #[test]
    fn garbage_keys_are_errors() {
        assert!(PublicKey::from_spki_der(b"\x30\x03\x02\x01\x00").is_err());
        assert!(
            PublicKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
                .is_err()
        );
        assert!(PublicKey::from_pem("nonsense").is_err());
    }

    #[test]
    fn openssl_generated_keys_of_every_kind_verify_openssl_signatures() {
        // P-384, P-521, RSA (PKCS#1 v1.5 and PSS) and Ed25519, made and signed by openssl.
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .current_dir(dir.path())
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        std::fs::write(dir.path().join("msg"), b"sigstore").unwrap();
        let cases: &[(&str, &[&str], &[&str], KeyKind)] = &[
            (
                "p384",
                &[
                    "ecparam",
                    "-name",
                    "secp384r1",
                    "-genkey",
                    "-noout",
                    "-out",
                    "k.pem",
                ],
                &["-sha384"],
                KeyKind::EcdsaP384,
            ),
            (
                "p521",
                &[
                    "ecparam",
                    "-name",
                    "secp521r1",
                    "-genkey",
                    "-noout",
                    "-out",
                    "k.pem",
                ],
                &["-sha512"],
                KeyKind::EcdsaP521,
            ),
            (
                "rsa",
                &["genrsa", "-out", "k.pem", "3072"],
                &["-sha256"],
                KeyKind::Rsa { bits: 3072 },
            ),
            (
                "rsa-pss",
                &["genrsa", "-out", "k.pem", "2048"],
                &[
                    "-sha256",
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:32",
                ],
                KeyKind::Rsa { bits: 2048 },
            ),
            (
                "ed25519",
                &["genpkey", "-algorithm", "ed25519", "-out", "k.pem"],
                &[],
                KeyKind::Ed25519,
            ),
        ];
        for (name, genkey, sign_opts, kind) in cases {
            run(genkey);
            run(&["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
            let mut sign: Vec<&str> = if *kind == KeyKind::Ed25519 {
                vec![
                    "pkeyutl", "-sign", "-rawin", "-inkey", "k.pem", "-in", "msg", "-out", "sig",
                ]
            } else {
                vec!["dgst"]
            };
            if *kind != KeyKind::Ed25519 {
                sign.extend_from_slice(sign_opts);
                sign.extend_from_slice(&["-sign", "k.pem", "-out", "sig", "msg"]);
            }
            run(&sign);
            let public =
                PublicKey::from_pem(&std::fs::read_to_string(dir.path().join("pub.pem")).unwrap())
                    .unwrap();
            assert_eq!(public.kind(), *kind, "{name}");
            let sig = std::fs::read(dir.path().join("sig")).unwrap();
            assert!(
                public.verify_default(b"sigstore", &sig),
                "{name} signature did not verify"
            );
            assert!(
                !public.verify_default(b"sigstorE", &sig),
                "{name} accepted a changed message"
            );
        }
    }
}
