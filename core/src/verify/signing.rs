//! The checks every cosign-stored signature shares, whatever it signs: who signed (key, or a
//! certificate chained to a trusted CA with codeSigning, SCTs and the expected identity), and
//! the transparency-log entry (SET, entry body, integrated time within the certificate).

use super::chain::{Leaf, When, leaf_chain, leaf_code_signing};
use super::check::Checks;
use super::key::{HashAlgorithm, PublicKey, RsaPadding};
use super::policy::{Context, Signer};
use super::sct::verify_embedded_scts_of;
use super::tlog::{self, Signed};
use crate::artifact::certificate::CertificateView;
use crate::inventory::layer::{Decoded, SigningMaterial};

/// The key that must verify the signature, once the signer checks have run (a certificate is
/// the one in the signing material, borrowed).
pub enum SigningKey<'a> {
    Key(PublicKey),
    /// The certificate, its key, and the SAN the identity policy matched (the headline names
    /// that one, not the first).
    Certificate(&'a CertificateView, PublicKey, Option<String>),
}

impl SigningKey<'_> {
    /// cosign verifies with SHA-256 whatever the key (its `LoadVerifier(pub, crypto.SHA256)`).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let key = match self {
            SigningKey::Key(k) | SigningKey::Certificate(_, k, _) => k,
        };
        key.verify(
            message,
            signature,
            HashAlgorithm::Sha256,
            RsaPadding::Pkcs1v15,
        )
    }

    pub fn describe(&self) -> String {
        match self {
            SigningKey::Key(k) => format!("key {}", &k.fingerprint()[..16]),
            SigningKey::Certificate(c, _, matched) => matched
                .clone()
                .or_else(|| c.identity().map(str::to_owned))
                .unwrap_or_else(|| "(no identity)".to_owned()),
        }
    }
}

/// The signing time the certificate checks use: the log's integrated time when the log is
/// checked, else a verified RFC 3161 time, else now (cosign without either).
pub fn signing_time(ctx: &Context, material: &SigningMaterial, timestamp: Option<i64>) -> i64 {
    signing_time_and_kind(ctx, material, timestamp).0
}

/// [`signing_time`], and whether it is a verified signing time or the time of verification.
pub fn signing_time_and_kind(
    ctx: &Context,
    material: &SigningMaterial,
    timestamp: Option<i64>,
) -> (i64, When) {
    match (&material.rekor_bundle, ctx.policy.ignore_tlog, timestamp) {
        (Some(Decoded::Ok(b)), false, _) => (b.integrated_time, When::SigningTime),
        (_, _, Some(t)) => (t, When::SigningTime),
        _ => (ctx.clock.now(), When::Now),
    }
}

/// cosign `verifyInternal`: the intermediates of the `dev.sigstore.cosign/chain` annotation
/// (every certificate but the last, which is taken to be the root), used for path building
/// when the trust brings no intermediates of its own.
fn signature_intermediates(material: &SigningMaterial) -> Vec<Vec<u8>> {
    match &material.chain {
        Some(Decoded::Ok(chain)) if chain.len() > 1 => chain[..chain.len() - 1]
            .iter()
            .map(|c| c.der.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// cosign's RFC 3161 timestamp annotation, when present: the token must verify over the
/// signature against a trusted timestamp authority; its time then dates the certificate.
pub fn check_timestamp(
    ctx: &Context,
    material: &SigningMaterial,
    signature: Option<&[u8]>,
    checks: &mut Checks,
) -> Option<i64> {
    material.timestamp.as_ref()?;
    let (Some(der), Some(signature)) = (&material.timestamp_der, signature) else {
        checks.fail("timestamp", "the timestamp annotation is unreadable");
        return None;
    };
    match super::timestamp::verify_timestamp(der, signature, ctx.trust) {
        Ok(t) => {
            checks.pass(
                "timestamp",
                format!("RFC 3161 time {} from {}", t.time_rfc3339, t.authority),
            );
            Some(t.time)
        }
        Err(e) => {
            checks.fail("timestamp", e.to_string());
            None
        }
    }
}

/// Runs the signer checks; returns the key to verify with when they leave one.
pub fn check_signer<'m>(
    ctx: &Context,
    material: &'m SigningMaterial,
    at: (i64, When),
    checks: &mut Checks,
) -> Option<SigningKey<'m>> {
    match &ctx.policy.signer {
        Signer::Key(key) => {
            checks.pass(
                "signer",
                format!(
                    "verifying with the given {} key {}",
                    key.kind(),
                    &key.fingerprint()[..16]
                ),
            );
            Some(SigningKey::Key(key.clone()))
        }
        Signer::Keyless(identity) => {
            let cert = match &material.certificate {
                Some(Decoded::Ok(c)) => c,
                Some(Decoded::Error(e)) => {
                    checks.fail(
                        "certificate",
                        format!("the signing certificate is unreadable: {e}"),
                    );
                    return None;
                }
                None => {
                    checks.fail(
                        "certificate",
                        "no signing certificate: this signature was made with a key, not keyless",
                    );
                    return None;
                }
            };
            checks.pass(
                "certificate",
                format!(
                    "certificate serial {} issued by {}",
                    cert.serial, cert.issuer
                ),
            );
            // Parsed once for the chain, its issuer's key and the extended key usage.
            let leaf = Leaf::parse(&cert.der).map(|l| {
                l.with_intermediates(signature_intermediates(material))
                    .checked_at(at.1)
            });
            let at = at.0;
            let authorities = &ctx.trust.certificate_authorities;
            // client-spec: the certificate must chain to a trusted Fulcio root at signing time.
            match leaf_chain(leaf.as_ref(), authorities, at) {
                Ok(path) => checks.pass(
                    "chain",
                    format!(
                        "chains to {}{}",
                        path.subjects.last().cloned().unwrap_or_default(),
                        if path.through_signature_intermediates {
                            " through the intermediates of the signature's chain annotation \
                             (the trust names roots only, as cosign then allows)"
                        } else {
                            ""
                        }
                    ),
                ),
                Err(e) => checks.fail("chain", e),
            }
            let issuer_spki = leaf.as_ref().and_then(|l| l.issuer_spki(authorities));
            checks.record("code signing", leaf_code_signing(leaf.as_ref()));
            // client-spec: at least one SCT from a trusted CT log.
            if ctx.policy.ignore_sct {
                checks.skip("sct", "--insecure-ignore-sct");
            } else if let (Some(spki), Some(parsed)) = (&issuer_spki, &leaf) {
                checks.record(
                    "sct",
                    verify_embedded_scts_of(cert, parsed, spki, &ctx.trust.ctlogs),
                );
            } else {
                checks.fail(
                    "sct",
                    "not checked: the certificate's issuer is not trusted",
                );
            }
            // cosign `CheckCertificatePolicy`: any SAN it reads may match.
            let matched = match identity.matching_san(cert) {
                Ok(san) => {
                    checks.pass("identity", format!("certificate identity {san}"));
                    Some(san)
                }
                Err((expected, actual)) => {
                    checks.mismatch(
                        "identity",
                        format!("expected identity {expected}, certificate has {actual}"),
                        expected,
                        actual,
                    );
                    None
                }
            };
            match identity.check_issuer(cert) {
                Ok(d) => checks.pass("issuer", d),
                Err((expected, actual)) => checks.mismatch(
                    "issuer",
                    format!("expected OIDC issuer {expected}, certificate has {actual}"),
                    expected,
                    actual,
                ),
            }
            check_claims(identity, cert, checks);
            let key = match PublicKey::from_spki_der(&cert.public_key_der) {
                Ok(k) => k,
                Err(e) => {
                    checks.fail("certificate key", e.to_string());
                    return None;
                }
            };
            Some(SigningKey::Certificate(cert, key, matched))
        }
    }
}

/// The transparency-log checks for a signature whose log entry is in cosign's bundle
/// annotation: the SET, the entry naming this signature, and (keyless) the integrated time
/// within the certificate's validity.
pub fn check_tlog(
    ctx: &Context,
    material: &SigningMaterial,
    signing_key: Option<&SigningKey>,
    signature: &[u8],
    content: &[u8],
    checks: &mut Checks,
) {
    if ctx.policy.ignore_tlog {
        checks.skip("tlog", "--insecure-ignore-tlog");
        return;
    }
    let bundle = match &material.rekor_bundle {
        Some(Decoded::Ok(b)) => b,
        Some(Decoded::Error(e)) => {
            checks.fail(
                "tlog",
                format!("the transparency-log bundle is unreadable: {e}"),
            );
            return;
        }
        None => {
            checks.fail("tlog", "no transparency-log bundle with the signature: it cannot be shown to be logged (offline)");
            return;
        }
    };
    let log_id = hex::decode(&bundle.log_id).unwrap_or_default();
    match tlog::verify_set(
        &bundle.signed_entry_timestamp,
        &bundle.body_base64,
        bundle.integrated_time,
        bundle.log_index,
        &log_id,
        &ctx.trust.tlogs,
    ) {
        Ok(log) => {
            checks.pass(
                "tlog set",
                format!(
                    "signed entry timestamp by {} for log index {} at {}",
                    log.base_url, bundle.log_index, bundle.integrated_time_rfc3339
                ),
            );
            warn_future(ctx, bundle.integrated_time, checks);
        }
        Err(e) => checks.fail("tlog set", e),
    }
    let Some(signing_key) = signing_key else {
        checks.fail(
            "tlog entry",
            "not compared: the signer could not be established",
        );
        return;
    };
    let signer = match signing_key {
        SigningKey::Key(k) => tlog::Signer::Key(k.spki_der()),
        SigningKey::Certificate(c, _, _) => tlog::Signer::Certificate(&c.der),
    };
    let signed = Signed {
        signature,
        signer,
        content: tlog::ContentDigest::of(HashAlgorithm::Sha256, content),
    };
    match &bundle.body {
        Ok(body) => {
            tlog::body_matches(body, &signed).record("tlog entry", checks);
        }
        Err(e) => checks.fail(
            "tlog entry",
            format!("the log entry body is unreadable: {e}"),
        ),
    };
    if let SigningKey::Certificate(cert, _, _) = signing_key {
        let t = bundle.integrated_time;
        if cert.not_before <= t && t <= cert.not_after {
            checks.pass(
                "signing time",
                format!(
                    "integrated at {} within the certificate's validity",
                    bundle.integrated_time_rfc3339
                ),
            );
        } else {
            checks.mismatch(
                "signing time",
                "the entry was logged outside the certificate's validity",
                format!("{} to {}", cert.not_before_rfc3339, cert.not_after_rfc3339),
                bundle.integrated_time_rfc3339.clone(),
            );
        }
    }
}

/// An integrated time after the verifier's clock: cosign accepts it (the log signed it), but a
/// log does not integrate entries in the future, so the clock or the log is wrong — shown,
/// without failing the signature.
pub fn warn_future(ctx: &Context, integrated_time: i64, checks: &mut Checks) {
    let now = ctx.clock.now();
    // A minute of slack for clocks that are merely unsynchronised.
    if integrated_time > now + 60 {
        checks.log(
            "integrated time",
            format!(
                "the log says the entry was integrated at {}, after now ({}): the log's clock \
                 or this machine's is wrong",
                crate::artifact::encoding::rfc3339(integrated_time),
                crate::artifact::encoding::rfc3339(now)
            ),
            None,
            None,
        );
    }
}

/// The certificate's Fulcio claims the policy asks for (cosign's GitHub workflow flags, gh's
/// repository and ref options), one check.
pub fn check_claims(
    identity: &crate::verify::identity::IdentityPolicy,
    cert: &crate::artifact::certificate::CertificateView,
    checks: &mut Checks,
) {
    if identity.claims.is_empty() {
        return;
    }
    match identity.check_claims(cert) {
        Ok(d) => checks.pass("claims", d),
        Err((flag, expected, actual)) => checks.mismatch(
            "claims",
            format!("{flag}: expected {expected}, certificate has {actual}"),
            expected,
            actual,
        ),
    }
}
