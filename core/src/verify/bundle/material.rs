//! The bundle's shape, its verification material, its verified times, and the certificate
//! checked at each of them.

use super::{ExpectedSigner, State};
use crate::artifact::bundle::{BundleView, VerificationMaterialView};
use crate::artifact::certificate::CertificateView;
use crate::artifact::encoding::rfc3339;
use crate::trust::TrustedRoot;
use crate::verify::chain::{Leaf, leaf_chain, leaf_code_signing};
use crate::verify::check::Checks;
use crate::verify::identity::IdentityPolicy;
use crate::verify::key::PublicKey;
use crate::verify::sct::verify_embedded_scts_of;
use crate::verify::timestamp::verify_timestamp;

/// protobuf-specs `VerificationMaterial`: a chain has at least one certificate and only in
/// v0.1 and v0.2 bundles (v0.3 carries the leaf alone: sigstore-go and sigstore-js refuse a
/// chain there). Certificates after the leaf are not trusted and take no part in path
/// building: the anchors and intermediates come from the trusted root alone, as the spec lets
/// verifiers do and sigstore-go and sigstore-js do.
pub(super) fn check_shape(bundle: &BundleView, checks: &mut Checks) -> bool {
    if let VerificationMaterialView::CertificateChain(chain) = &bundle.verification_material {
        if chain.is_empty() {
            checks.fail("bundle", "the x509CertificateChain has no certificates");
            return false;
        }
        if bundle.version == crate::artifact::bundle::BundleVersion::V0_3 {
            checks.mismatch(
                "bundle",
                "a v0.3 bundle carries its signing certificate alone, not an x509CertificateChain",
                "verificationMaterial.certificate",
                format!(
                    "verificationMaterial.x509CertificateChain of {} certificates",
                    chain.len()
                ),
            );
            return false;
        }
        if chain.len() > 1 {
            checks.pass(
                "bundle",
                format!(
                    "sigstore bundle {}; the chain's {} certificates after the leaf are ignored: \
                     the trusted root alone gives CAs",
                    bundle_version(bundle),
                    chain.len() - 1
                ),
            );
            return true;
        }
    }
    checks.pass(
        "bundle",
        format!("sigstore bundle {}", bundle_version(bundle)),
    );
    true
}

fn bundle_version(bundle: &BundleView) -> &str {
    match bundle.version {
        crate::artifact::bundle::BundleVersion::V0_1 => "v0.1",
        crate::artifact::bundle::BundleVersion::V0_2 => "v0.2",
        crate::artifact::bundle::BundleVersion::V0_3 => "v0.3",
    }
}

/// Client spec "Verification material": a certificate for keyless verification, a key hint
/// for a key the verifier already has.
pub(super) fn check_material(
    bundle: &BundleView,
    expected: &ExpectedSigner,
    checks: &mut Checks,
    state: &mut State,
) -> bool {
    const NAME: &str = "verification material";
    let leaf = bundle.leaf_certificate();
    match (leaf, expected) {
        (None, ExpectedSigner::Key(key)) => {
            state.key = Some(key.clone());
            state.signer = Some(format!("key sha256:{}", key.fingerprint()));
            checks.pass(NAME, format!("public key {} given with --key", key.kind()));
            true
        }
        (None, ExpectedSigner::Identity(_)) => {
            checks.mismatch(
                NAME,
                "the bundle is signed with a key, not a certificate: verify it with --key",
                "a signing certificate",
                "a public key hint",
            );
            false
        }
        (Some(cert), expected) => {
            let key = match PublicKey::from_spki_der(&cert.public_key_der) {
                Ok(k) => k,
                Err(e) => {
                    checks.fail(NAME, format!("the certificate's key: {e}"));
                    return false;
                }
            };
            if let ExpectedSigner::Key(given) = expected
                && given.spki_der() != key.spki_der()
            {
                checks.mismatch(
                    NAME,
                    "the certificate's key is not the key given with --key",
                    format!("sha256:{}", given.fingerprint()),
                    format!("sha256:{}", key.fingerprint()),
                );
                return false;
            }
            state.signer = Some(
                crate::verify::sans::sigstore_go_san(cert)
                    .or_else(|| cert.identity().map(str::to_owned))
                    .unwrap_or_else(|| "(no identity)".to_owned()),
            );
            checks.pass(
                NAME,
                if cert.subject.is_empty() {
                    // Fulcio's certificates name no subject: the SAN says who.
                    format!(
                        "certificate for {}, {} key",
                        cert.identity().unwrap_or("(no SAN)"),
                        key.kind()
                    )
                } else {
                    format!("certificate {:?}, {} key", cert.subject, key.kind())
                },
            );
            state.key = Some(key);
            true
        }
    }
}

/// sigstore-python's bound on a bundle's RFC 3161 timestamps.
const MAX_TIMESTAMPS: usize = 32;

/// Client spec "Establishing a Time for the Signature" / "Timestamp verification": each RFC
/// 3161 timestamp that verifies over the signature gives a verified time. As sigstore-go and
/// sigstore-python do, one that does not verify (another TSA's, a wrong imprint) is reported
/// and not counted; the bundle then needs a verified time from another. Duplicates and more
/// than 32 timestamps are refused outright, as sigstore-python refuses them.
pub(super) fn check_timestamps(
    bundle: &BundleView,
    signature: &[u8],
    root: &TrustedRoot,
    checks: &mut Checks,
    state: &mut State,
) {
    const NAME: &str = "rfc3161 timestamp";
    let count = bundle.timestamps.len();
    if count > MAX_TIMESTAMPS {
        checks.mismatch(
            NAME,
            "the bundle carries more timestamps than a verifier reads",
            format!("at most {MAX_TIMESTAMPS}"),
            count.to_string(),
        );
        return;
    }
    let mut seen = std::collections::HashSet::new();
    if !bundle.timestamps.iter().all(|t| seen.insert(&t.der)) {
        checks.fail(NAME, "the bundle carries the same timestamp twice");
        return;
    }
    for entry in &bundle.timestamps {
        match verify_timestamp(&entry.der, signature, root) {
            Ok(v) => {
                state.times.push(v.time);
                checks.pass(
                    NAME,
                    format!("{} by {} ({})", v.time_rfc3339, v.signer, v.authority),
                );
            }
            Err(e) => checks.skip(NAME, format!("not counted as a verified time: {e}")),
        }
    }
}

/// Client spec "Certificate": at every verified time the leaf is valid and chains to a CA the
/// trusted root trusts then; it is for code signing; and it carries a verifying SCT.
pub(super) fn check_certificate(
    leaf: &CertificateView,
    root: &TrustedRoot,
    options: super::BundleOptions,
    checks: &mut Checks,
    state: &State,
) {
    let mut issuer = None;
    let mut failed = false;
    // Parsed once for every verified time, the issuer's key and the extended key usage.
    let parsed = Leaf::parse(&leaf.der);
    let authorities = &root.certificate_authorities;
    for &t in &state.times {
        match leaf_chain(parsed.as_ref(), authorities, t) {
            Ok(path) => issuer = Some(path.issuer_spki_der),
            Err(reason) => {
                checks.mismatch(
                    "certificate path",
                    reason,
                    format!(
                        "valid from {} to {}",
                        leaf.not_before_rfc3339, leaf.not_after_rfc3339
                    ),
                    format!("verified time {}", rfc3339(t)),
                );
                failed = true;
                break;
            }
        }
    }
    if !failed && !state.times.is_empty() {
        let when: Vec<String> = state.times.iter().map(|t| rfc3339(*t)).collect();
        checks.pass(
            "certificate path",
            format!(
                "chains to a trusted Fulcio CA at {} (certificate valid {} to {})",
                when.join(", "),
                leaf.not_before_rfc3339,
                leaf.not_after_rfc3339
            ),
        );
    }
    checks.record("code signing", leaf_code_signing(parsed.as_ref()));
    if options.ignore_sct {
        checks.skip("sct", "--insecure-ignore-sct");
        return;
    }
    // The requirement follows the trusted root: an instance without CT logs (GitHub's) asks
    // for no SCT (gh's GitHub and custom verifiers require none).
    if root.ctlogs.is_empty() {
        checks.skip(
            "sct",
            format!(
                "the trusted root ({}) lists no CT log: no SCT is required",
                root.source
            ),
        );
        return;
    }
    // RFC 6962 §3.2: the SCT covers the issuer's key hash, whatever the path's dates.
    let issuer = issuer.or_else(|| parsed.as_ref().and_then(|l| l.issuer_spki(authorities)));
    match (issuer, &parsed) {
        (Some(spki), Some(parsed)) => {
            checks.record(
                "sct",
                verify_embedded_scts_of(leaf, parsed, &spki, &root.ctlogs),
            );
        }
        _ => checks.fail(
            "sct",
            "no trusted issuer certificate to check the SCT against",
        ),
    }
}

/// Client spec "Identity": the SAN and the OIDC issuer extension are the expected ones.
pub(super) fn check_identity(leaf: &CertificateView, policy: &IdentityPolicy, checks: &mut Checks) {
    // sigstore-go `SubjectAlternativeNameMatcher` on `SummarizeCertificate`'s one name.
    match policy.check_summary_subject(leaf) {
        Ok(detail) => checks.pass("identity", detail),
        Err((expected, actual)) => checks.mismatch(
            "identity",
            "the certificate's identity does not match",
            expected,
            actual,
        ),
    }
    match policy.check_issuer(leaf) {
        Ok(detail) => checks.pass("issuer", detail),
        Err((expected, actual)) => checks.mismatch(
            "issuer",
            if actual.starts_with("conflicting") {
                "the certificate names two OIDC issuers"
            } else {
                "the OIDC issuer differs"
            },
            expected,
            actual,
        ),
    }
    // cosign v3 hands its GitHub workflow flags to sigstore-go as certificate extensions.
    crate::verify::signing::check_claims(policy, leaf, checks);
}
