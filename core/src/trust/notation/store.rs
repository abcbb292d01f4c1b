//! Named X.509 trust stores (`trust-store-trust-policy.md`, "Trust Store"): each
//! `x509/{ca,signingAuthority,tsa}/NAME/` folder holds certificate files, PEM or DER; no
//! symlinks; every certificate a CA or self-signed; a `tsa` store's certificates roots. As in
//! notation-go (`verifier/truststore`), a problem with a store is reported when a statement
//! needs it, not before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use x509_parser::prelude::{FromDer as _, X509Certificate};

use super::{StoreKind, StoreRef};

/// Largest certificate file read from a store.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// One trusted certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreCertificate {
    pub der: Vec<u8>,
    /// The subject, RFC 4514.
    pub subject: String,
    /// The file it came from.
    pub file: String,
}

/// The stores a policy refers to, each read or with the reason it could not be.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub root: PathBuf,
    stores: BTreeMap<StoreRef, Result<Vec<StoreCertificate>, String>>,
}

impl TrustStore {
    /// Reads every store in `refs` under `root` (the folder holding `x509/`).
    pub fn load(root: &Path, refs: &[StoreRef]) -> TrustStore {
        TrustStore {
            root: root.to_path_buf(),
            stores: refs
                .iter()
                .map(|r| (r.clone(), read_store(root, r)))
                .collect(),
        }
    }

    /// A store built from certificates in memory (tests, embedders).
    pub fn from_certificates(stores: Vec<(StoreRef, Vec<Vec<u8>>)>) -> TrustStore {
        TrustStore {
            root: PathBuf::from("(in memory)"),
            stores: stores
                .into_iter()
                .map(|(r, ders)| {
                    let certs = ders
                        .into_iter()
                        .map(|der| certificate(r.kind, der, "(in memory)"))
                        .collect();
                    (r, certs)
                })
                .collect(),
        }
    }

    /// The certificates of one named store.
    pub fn certificates(&self, r: &StoreRef) -> Result<&[StoreCertificate], String> {
        match self.stores.get(r) {
            Some(Ok(certs)) => Ok(certs),
            Some(Err(e)) => Err(e.clone()),
            None => Err(format!("the trust store {r} was not read")),
        }
    }
}

fn read_store(root: &Path, r: &StoreRef) -> Result<Vec<StoreCertificate>, String> {
    let dir = root.join("x509").join(r.kind.dir_name()).join(&r.name);
    let meta = std::fs::symlink_metadata(&dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("the trust store {r} does not exist ({})", dir.display())
        } else {
            format!(
                "the trust store {r} cannot be read ({}): {e}",
                dir.display()
            )
        }
    })?;
    if !meta.file_type().is_dir() {
        return Err(format!(
            "the trust store {r} ({}) is not a regular folder (symlinks are not supported)",
            dir.display()
        ));
    }
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("the trust store {r} cannot be read: {e}"))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let mut out = Vec::new();
    for entry in entries {
        let file = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if !kind.is_file() {
            return Err(format!(
                "{file} in trust store {r} is not a regular file (folders and symlinks are not supported)"
            ));
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE_BYTES {
            return Err(format!(
                "limit reached: {file} in trust store {r} is over 1 MiB"
            ));
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("reading {file}: {e}"))?;
        for der in
            certificate_ders(&bytes).map_err(|e| format!("{file} in trust store {r}: {e}"))?
        {
            out.push(
                certificate(r.kind, der, &file)
                    .map_err(|e| format!("{file} in trust store {r}: {e}"))?,
            );
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no X.509 certificates were found in trust store {r}"
        ));
    }
    Ok(out)
}

/// The certificates of a file: every PEM `CERTIFICATE` block, else concatenated DER.
fn certificate_ders(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if let Ok(blocks) = pem::parse_many(bytes) {
        let certs: Vec<Vec<u8>> = blocks
            .into_iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| b.into_contents())
            .collect();
        if !certs.is_empty() {
            return Ok(certs);
        }
    }
    let mut rest = bytes;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (tail, _) = X509Certificate::from_der(rest)
            .map_err(|e| format!("neither PEM certificates nor DER: {e}"))?;
        out.push(rest[..rest.len() - tail.len()].to_vec());
        rest = tail;
    }
    Ok(out)
}

/// One store certificate, checked as notation-go's `ValidateCertificates` (a CA or
/// self-signed) and, for `tsa` stores, `isRootCACertificate`.
fn certificate(kind: StoreKind, der: Vec<u8>, file: &str) -> Result<StoreCertificate, String> {
    let (_, cert) =
        X509Certificate::from_der(&der).map_err(|e| format!("malformed certificate: {e}"))?;
    let subject = crate::artifact::certificate::rfc4514_from_der(cert.subject().as_raw())
        .unwrap_or_else(|| cert.subject().to_string());
    let self_signed = cert.verify_signature(None).is_ok();
    if !cert.is_ca() && !self_signed {
        return Err(format!(
            "certificate {subject:?} is neither a CA certificate nor self-signed"
        ));
    }
    if kind == StoreKind::Tsa && !(self_signed && cert.subject().as_raw() == cert.issuer().as_raw())
    {
        return Err(format!(
            "certificate {subject:?} in a tsa store is not a root CA certificate"
        ));
    }
    Ok(StoreCertificate {
        der,
        subject,
        file: file.to_owned(),
    })
}
