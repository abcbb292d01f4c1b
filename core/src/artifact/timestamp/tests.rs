//! Real Sigstore TSA timestamps decode to what openssl shows; malformed input fails cleanly.

use rstest::rstest;

use super::*;
use crate::artifact::error::decode_base64;

use crate::testing::shared_fixtures as fixtures;

/// The first `signedTimestamp` of a bundle file under the fixtures.
fn signed_timestamp(relative: &str) -> Option<Vec<u8>> {
    let dir = fixtures()?;
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(relative)).unwrap()).unwrap();
    let text = bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
        ["signedTimestamp"]
        .as_str()
        .unwrap()
        .to_owned();
    Some(decode_base64("signedTimestamp", &text).unwrap())
}

#[test]
fn real_timestamp_response_with_embedded_certificate() {
    let Some(der) = signed_timestamp(
        "sigstore-conformance/test/assets/bundle-verify/rekor2-timestamp-with-embedded-cert/bundle.sigstore.json",
    ) else {
        return;
    };
    let view = decode_timestamp(&der).unwrap();
    // Values as `openssl asn1parse` shows them.
    assert_eq!(view.status, Some(0));
    assert_eq!(view.gen_time_rfc3339, "2025-08-06T18:51:36Z");
    assert_eq!(view.gen_time, 1_754_506_296);
    assert_eq!(view.policy, "1.3.6.1.4.1.57264.2");
    assert_eq!(view.serial, "75066f8056d5f464bfa1ee8e134f7d169f0356f2");
    assert_eq!(
        view.message_imprint.hash_algorithm,
        "2.16.840.1.101.3.4.2.1"
    );
    assert_eq!(
        view.message_imprint.hash_algorithm_name.as_deref(),
        Some("sha256")
    );
    assert_eq!(
        view.message_imprint.digest,
        "6817ad42edeecac022b5c3575945a14e0bda2903bff4b3f4ff3a2a08d8882a3a"
    );
    assert_eq!(view.nonce.as_deref(), Some("0082ff98238f025892"));
    assert_eq!(view.accuracy_micros, Some(1_000_000));
    assert_eq!(
        view.tsa_name.as_deref(),
        Some("CN=sigstore-tsa,O=sigstore.dev")
    );
    assert!(!view.certificates.is_empty());
    assert_eq!(view.certificate_subjects.len(), view.certificates.len());
    assert!(
        view.certificate_subjects
            .iter()
            .all(|s| s.contains("O=sigstore.dev")),
        "{:?}",
        view.certificate_subjects
    );
    assert_eq!(view.signer_ids.len(), 1);
    assert!(
        view.signer_ids[0].starts_with("issuer="),
        "{:?}",
        view.signer_ids
    );
}

#[rstest]
#[case::without_embedded_cert(
    "sigstore-conformance/test/assets/bundle-verify/rekor2-timestamp-without-embedded-cert/bundle.sigstore.json"
)]
#[case::cosign_v3_referrer("sigstore-rs/tests/data/bundle_v03.json")]
#[case::python_test_tsa("sigstore-python/test/assets/tsa/bundle.txt.sigstore")]
#[case::go_bazel_blob(
    "go-bazel-github-workflow/README-extracted/server_linux_amd64-v0.30/server_linux_amd64.sig.sigstore.json"
)]
fn real_timestamps_decode(#[case] relative: &str) {
    let Some(der) = signed_timestamp(relative) else {
        return;
    };
    let view = decode_timestamp(&der).unwrap();
    println!(
        "{relative}: {} {:?} {:?}",
        view.gen_time_rfc3339, view.tsa_name, view.certificate_subjects
    );
    assert!(view.gen_time > 1_600_000_000);
    assert_eq!(view.message_imprint.digest.len() % 2, 0);
}

#[rstest]
#[case::empty(b"".as_slice(), "malformed DER")]
#[case::garbage(b"garbage".as_slice(), "malformed DER")]
#[case::rejection_without_token(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02], "status 2 carries no token")]
#[case::wrong_content_type(&[0x30, 0x0d, 0x06, 0x06, 0x2a, 0x03, 0x04, 0x05, 0x06, 0x07, 0xa0, 0x03, 0x02, 0x01, 0x00], "is not signedData")]
fn malformed_timestamps_are_refused(#[case] der: &[u8], #[case] expected: &str) {
    let err = decode_timestamp(der).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
}

#[test]
fn truncated_real_timestamp_is_a_der_error() {
    let Some(der) = signed_timestamp(
        "sigstore-conformance/test/assets/bundle-verify/rekor2-timestamp-with-embedded-cert/bundle.sigstore.json",
    ) else {
        return;
    };
    for cut in [1, 20, der.len() / 2, der.len() - 1] {
        assert!(decode_timestamp(&der[..cut]).is_err(), "{cut}");
    }
}

#[rstest]
#[case::whole_seconds("20250806185136Z", Some((1_754_506_296, "2025-08-06T18:51:36Z")))]
#[case::fraction("20250806185136.25Z", Some((1_754_506_296, "2025-08-06T18:51:36.25Z")))]
#[case::no_zulu("20250806185136", None)]
#[case::no_seconds("202508061851Z", None)]
#[case::month_13("20251306185136Z", None)]
#[case::letters("2025080618513xZ", None)]
fn generalized_times(#[case] text: &str, #[case] expected: Option<(i64, &str)>) {
    let mut der = vec![0x18, u8::try_from(text.len()).unwrap()];
    der.extend_from_slice(text.as_bytes());
    let any = AnyRef::from_der(&der).unwrap();
    let got = generalized_time(&any).ok();
    assert_eq!(got.as_ref().map(|(t, s)| (*t, s.as_str())), expected);
}
