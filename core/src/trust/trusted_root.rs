//! `trusted_root.json` (protobuf-specs `sigstore_trustroot.proto`, JSON form).

use std::borrow::Cow;

use serde::Deserialize;
use sha2::Digest as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ca_pool::{Anchors, CaPool, PoolCache};
use crate::artifact::error::{decode_base64, parse_json};
use crate::verify::key::PublicKey;

/// The public-good root embedded in the binary (origin: assets/README.md).
const PUBLIC_GOOD: &[u8] = include_bytes!("../../../assets/trusted_root.public-good.json");

/// A validity window in unix seconds; `end` is inclusive, `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ValidFor {
    pub start: i64,
    pub end: Option<i64>,
}

impl ValidFor {
    pub const ALWAYS: ValidFor = ValidFor {
        start: i64::MIN,
        end: None,
    };

    pub fn contains(&self, t: i64) -> bool {
        t >= self.start && self.end.is_none_or(|end| t <= end)
    }
}

/// A transparency log or CT log instance.
#[derive(Debug, Clone)]
pub struct TransparencyLog {
    pub base_url: String,
    /// The log ID (`logId.keyId`): SHA-256 of the key for Rekor v1 and CT logs.
    pub log_id: Vec<u8>,
    pub key: Result<PublicKey, String>,
    pub key_details: String,
    pub valid_for: ValidFor,
}

impl TransparencyLog {
    /// The checkpoint origin a Rekor v2 log signs as: its base URL's host (and path).
    pub fn origin(&self) -> &str {
        self.base_url
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
    }
}

/// A CA (Fulcio) or timestamp authority: its chain, leaf-most first.
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    pub uri: String,
    pub common_name: String,
    pub chain_der: Vec<Vec<u8>>,
    pub valid_for: ValidFor,
    /// Which certificates of the chain are trust anchors.
    pub anchors: Anchors,
    /// The chain parsed, and the signatures within it checked, on first use.
    pool: PoolCache,
}

impl CertificateAuthority {
    pub fn new(
        uri: String,
        common_name: String,
        chain_der: Vec<Vec<u8>>,
        valid_for: ValidFor,
    ) -> CertificateAuthority {
        CertificateAuthority {
            uri,
            common_name,
            chain_der,
            valid_for,
            anchors: Anchors::LastOfChain,
            pool: PoolCache::default(),
        }
    }

    /// The same authority with its anchors chosen by `anchors`.
    pub fn with_anchors(mut self, anchors: Anchors) -> CertificateAuthority {
        self.anchors = anchors;
        self.pool = PoolCache::default();
        self
    }

    /// The chain's certificates as path validation reads them, parsed once per authority.
    pub fn pool(&self) -> Cow<'_, CaPool> {
        self.pool.pool(&self.chain_der, self.anchors)
    }

    /// cosign `verifyInternal`: the intermediates of a signature's `dev.sigstore.cosign/chain`
    /// annotation are used only when the trust configuration brings none of its own (a
    /// `SIGSTORE_ROOT_FILE` holding roots only, the usual private-Fulcio setup); a trusted root
    /// (sigstore-go `VerifyLeafCertificate`) never uses them.
    pub fn accepts_signature_intermediates(&self) -> bool {
        self.anchors == Anchors::SelfIssued && self.pool().certificates.iter().all(|c| c.anchor)
    }
}

/// Everything trusted.
#[derive(Debug, Clone, Default)]
pub struct TrustedRoot {
    pub tlogs: Vec<TransparencyLog>,
    pub ctlogs: Vec<TransparencyLog>,
    pub certificate_authorities: Vec<CertificateAuthority>,
    pub timestamp_authorities: Vec<CertificateAuthority>,
    /// Where it came from, for reports.
    pub source: String,
    /// The other trusted roots of the same file, for a JSON Lines file of several Sigstore
    /// instances (`gh attestation trusted-root` prints public-good's and GitHub's): each bundle
    /// is checked against the one whose CA issued its certificate ([`TrustedRoot::for_issuer`]).
    pub others: Vec<TrustedRoot>,
}

/// Why trust material could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("trusted root {origin}: {reason}")]
    Malformed { origin: String, reason: String },
    #[error("{variable}: {reason}")]
    CosignVariable { variable: String, reason: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRoot {
    media_type: Option<String>,
    #[serde(default)]
    tlogs: Vec<RawLog>,
    #[serde(default)]
    ctlogs: Vec<RawLog>,
    #[serde(default)]
    certificate_authorities: Vec<RawAuthority>,
    #[serde(default)]
    timestamp_authorities: Vec<RawAuthority>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLog {
    #[serde(default)]
    base_url: String,
    public_key: RawPublicKey,
    log_id: RawLogId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPublicKey {
    raw_bytes: Option<String>,
    #[serde(default)]
    key_details: String,
    valid_for: Option<RawValidFor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLogId {
    key_id: String,
}

#[derive(Deserialize)]
struct RawValidFor {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAuthority {
    #[serde(default)]
    subject: Option<RawSubject>,
    #[serde(default)]
    uri: String,
    cert_chain: RawChain,
    valid_for: Option<RawValidFor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSubject {
    #[serde(default)]
    common_name: String,
}

#[derive(Deserialize)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawCert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCert {
    raw_bytes: String,
}

fn timestamp(source: &str, text: &str) -> Result<i64, TrustError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| TrustError::Malformed {
            origin: source.to_owned(),
            reason: format!("bad time {text:?}: {e}"),
        })
}

/// A validity window; protobuf-specs requires `start`, so a window without one is refused.
fn valid_for(source: &str, what: &str, raw: Option<&RawValidFor>) -> Result<ValidFor, TrustError> {
    let raw = raw.ok_or_else(|| TrustError::Malformed {
        origin: source.to_owned(),
        reason: format!("{what} has no validFor"),
    })?;
    let start = raw.start.as_deref().ok_or_else(|| TrustError::Malformed {
        origin: source.to_owned(),
        reason: format!("{what} has a validFor without start"),
    })?;
    Ok(ValidFor {
        start: timestamp(source, start)?,
        end: raw
            .end
            .as_deref()
            .map(|e| timestamp(source, e))
            .transpose()?,
    })
}

impl TrustedRoot {
    /// Parses a trusted_root.json, or a JSON Lines file of several (one instance per line, as
    /// `gh attestation trusted-root` prints them); `source` names it in errors and reports.
    pub fn from_json(source: &str, bytes: &[u8]) -> Result<TrustedRoot, TrustError> {
        let documents: Vec<&[u8]> = bytes
            .split(|b| *b == b'\n')
            .filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
            .collect();
        // One document, pretty-printed over many lines or not: parse it whole.
        let whole = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        if whole || documents.len() < 2 {
            return TrustedRoot::from_document(source, bytes);
        }
        let mut roots = documents
            .iter()
            .enumerate()
            .map(|(i, line)| TrustedRoot::from_document(&format!("{source} line {}", i + 1), line))
            .collect::<Result<Vec<_>, _>>()?;
        let mut first = roots.remove(0);
        first.source = format!("{source} (line 1 of {})", roots.len() + 1);
        first.others = roots;
        Ok(first)
    }

    /// The instance of this file whose certificate authorities issued a certificate with
    /// issuer name `issuer` (DER of the Name): itself, one of [`TrustedRoot::others`], or itself
    /// when none did (its checks then say the chain does not reach it).
    pub fn for_issuer(&self, issuer: &[u8]) -> &TrustedRoot {
        std::iter::once(self)
            .chain(self.others.iter())
            .find(|root| root.issued_by(issuer))
            .unwrap_or(self)
    }

    fn issued_by(&self, issuer: &[u8]) -> bool {
        use x509_parser::prelude::{FromDer as _, X509Certificate};
        self.certificate_authorities.iter().any(|ca| {
            ca.chain_der.iter().any(|der| {
                X509Certificate::from_der(der).is_ok_and(|(_, c)| c.subject().as_raw() == issuer)
            })
        })
    }

    /// Parses one trusted_root.json document.
    fn from_document(source: &str, bytes: &[u8]) -> Result<TrustedRoot, TrustError> {
        let malformed = |reason: String| TrustError::Malformed {
            origin: source.to_owned(),
            reason,
        };
        let raw: RawRoot =
            parse_json("trusted root", bytes).map_err(|e| malformed(e.to_string()))?;
        // protobuf-specs `ClientTrustConfig` (sigstore-python's `--trust-config`): the trusted
        // root is its `trustedRoot` field; the signing config beside it is not for verifying.
        if let Some(m) = &raw.media_type
            && m.starts_with("application/vnd.dev.sigstore.clienttrustconfig")
        {
            let config: serde_json::Value =
                parse_json("client trust config", bytes).map_err(|e| malformed(e.to_string()))?;
            let root = config
                .get("trustedRoot")
                .ok_or_else(|| malformed("the client trust config has no trustedRoot".into()))?;
            let root = serde_json::to_vec(root).map_err(|e| malformed(e.to_string()))?;
            return TrustedRoot::from_document(&format!("{source} (trustedRoot)"), &root);
        }
        if let Some(m) = &raw.media_type
            && !m.starts_with("application/vnd.dev.sigstore.trustedroot")
        {
            return Err(malformed(format!("unexpected media type {m:?}")));
        }
        let logs = |raw_logs: &[RawLog], kind: &str| -> Result<Vec<TransparencyLog>, TrustError> {
            raw_logs
                .iter()
                .map(|l| {
                    let what = format!("{kind} {}", l.base_url);
                    let key = match &l.public_key.raw_bytes {
                        None => Err("no key bytes".to_owned()),
                        Some(b64) => decode_base64(&what, b64)
                            .map_err(|e| e.to_string())
                            .and_then(|der| {
                                PublicKey::from_spki_der(&der).map_err(|e| e.to_string())
                            }),
                    };
                    Ok(TransparencyLog {
                        base_url: l.base_url.clone(),
                        log_id: decode_base64(&what, &l.log_id.key_id)
                            .map_err(|e| malformed(e.to_string()))?,
                        key,
                        key_details: l.public_key.key_details.clone(),
                        valid_for: valid_for(source, &what, l.public_key.valid_for.as_ref())?,
                    })
                })
                .collect()
        };
        let authorities =
            |raw: &[RawAuthority], kind: &str| -> Result<Vec<CertificateAuthority>, TrustError> {
                raw.iter()
                    .map(|a| {
                        let what = format!("{kind} {}", a.uri);
                        Ok(CertificateAuthority::new(
                            a.uri.clone(),
                            a.subject
                                .as_ref()
                                .map(|s| s.common_name.clone())
                                .unwrap_or_default(),
                            a.cert_chain
                                .certificates
                                .iter()
                                .map(|c| {
                                    decode_base64(&what, &c.raw_bytes)
                                        .map_err(|e| malformed(e.to_string()))
                                })
                                .collect::<Result<_, _>>()?,
                            valid_for(source, &what, a.valid_for.as_ref())?,
                        ))
                    })
                    .collect()
            };
        Ok(TrustedRoot {
            tlogs: logs(&raw.tlogs, "tlog")?,
            ctlogs: logs(&raw.ctlogs, "ctlog")?,
            certificate_authorities: authorities(
                &raw.certificate_authorities,
                "certificate authority",
            )?,
            timestamp_authorities: authorities(&raw.timestamp_authorities, "timestamp authority")?,
            source: source.to_owned(),
            others: Vec::new(),
        })
    }

    /// The Sigstore public-good root embedded in the binary.
    pub fn public_good() -> Result<TrustedRoot, TrustError> {
        TrustedRoot::from_json("embedded public-good trusted root", PUBLIC_GOOD)
    }

    /// The newest start of any key's or authority's validity window: how current the root is.
    pub fn newest_start(&self) -> Option<i64> {
        let logs = self.tlogs.iter().chain(&self.ctlogs).map(|l| l.valid_for);
        let authorities = self
            .certificate_authorities
            .iter()
            .chain(&self.timestamp_authorities)
            .map(|a| a.valid_for);
        logs.chain(authorities)
            .map(|v| v.start)
            .filter(|s| *s != i64::MIN)
            .max()
    }

    /// The transparency log with `log_id`.
    pub fn tlog(&self, log_id: &[u8]) -> Option<&TransparencyLog> {
        self.tlogs.iter().find(|l| l.log_id == log_id)
    }

    /// The CT log with `log_id`.
    pub fn ctlog(&self, log_id: &[u8]) -> Option<&TransparencyLog> {
        self.ctlogs.iter().find(|l| l.log_id == log_id)
    }

    /// A log entry for a key that is trusted without a validity window (cosign variables).
    pub fn log_for_key(base_url: &str, key: PublicKey) -> TransparencyLog {
        TransparencyLog {
            base_url: base_url.to_owned(),
            log_id: sha2::Sha256::digest(key.spki_der()).to_vec(),
            key_details: key.kind().to_string(),
            key: Ok(key),
            valid_for: ValidFor::ALWAYS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_public_good_root_is_the_recorded_one_and_parses() {
        assert_eq!(
            hex::encode(sha2::Sha256::digest(PUBLIC_GOOD)),
            "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"
        );
        let root = TrustedRoot::public_good().unwrap();
        assert_eq!(root.tlogs.len(), 2);
        assert!(root.tlogs.iter().all(|l| l.key.is_ok()), "{:?}", root.tlogs);
        assert_eq!(root.ctlogs.len(), 2);
        assert_eq!(root.certificate_authorities.len(), 2);
        assert_eq!(root.timestamp_authorities.len(), 1);
        let rekor = &root.tlogs[0];
        assert_eq!(
            hex::encode(&rekor.log_id),
            rekor.key.as_ref().unwrap().fingerprint()
        );
        // The first CT log's window ended on 2022-10-31T23:59:59.999Z.
        let old_ct = &root.ctlogs[0];
        assert!(old_ct.valid_for.contains(1_667_260_799));
        assert!(!old_ct.valid_for.contains(1_667_260_800));
    }

    #[test]
    fn the_fixture_root_parses_to_the_fixture_keys() {
        let sigstore = crate::fixture::VirtualSigstore::new("trust", 1_700_000_000).unwrap();
        let json = serde_json::to_vec(&sigstore.trusted_root().unwrap()).unwrap();
        let root = TrustedRoot::from_json("fixture", &json).unwrap();
        assert_eq!(root.tlogs[0].log_id, sigstore.rekor.key().log_id().to_vec());
        assert_eq!(
            root.ctlog(&sigstore.ct_log.log_id())
                .unwrap()
                .valid_for
                .start,
            1_700_000_000
        );
        assert_eq!(root.certificate_authorities[0].chain_der.len(), 2);
    }

    #[test]
    fn a_window_without_start_or_a_broken_document_is_refused() {
        let no_start = br#"{"tlogs":[{"baseUrl":"x","hashAlgorithm":"SHA2_256","publicKey":{"rawBytes":"AA==","keyDetails":"k","validFor":{"end":"2030-01-01T00:00:00Z"}},"logId":{"keyId":"AA=="}}]}"#;
        let err = TrustedRoot::from_json("t", no_start)
            .unwrap_err()
            .to_string();
        assert!(err.contains("without start"), "{err}");
        assert!(TrustedRoot::from_json("t", b"{nope").is_err());
    }
}
