//! `sigscope compare` on the scenario: the builds signed by someone else stand out, each with
//! its reason; the CI builds do not.

use rstest::rstest;

use crate::support::registry::RegistryKind;
use crate::support::scenario::Scenario;

#[rstest]
fn the_odd_builds_stand_out_with_their_reasons(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let out = crate::support::sigscope()
        .args([
            "compare",
            "--output",
            "json",
            "--allow-http-registry",
            &scenario.repository,
        ])
        .output()
        .unwrap();
    // Builds stand out: exit 1 (0 only when every build matches the majority).
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = |tag: &str| {
        doc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["tag"] == tag)
            .unwrap_or_else(|| panic!("{tag}"))
            .clone()
    };
    let reasons = |tag: &str| -> String { row(tag)["outliers"].to_string() };
    assert_eq!(
        doc["majority"]["identity"],
        "https://github.com/acme/app/.github/workflows/release.yml"
    );
    for ci in ["v1.0.0", "v1.1.0", "v1.5.0", "v2.0.0", "v2.1.0", "v3.1.0"] {
        assert_eq!(
            row(ci)["outliers"].as_array().unwrap().len(),
            0,
            "{ci}: {}",
            reasons(ci)
        );
    }
    assert!(
        reasons("v1.6.0").contains("new identity alice@acme.example"),
        "{}",
        reasons("v1.6.0")
    );
    assert!(reasons("v1.6.0").contains("different issuer https://accounts.google.com"));
    assert!(
        reasons("v1.7.0").contains("certificate from a different CA"),
        "{}",
        reasons("v1.7.0")
    );
    // cosign 2.5's `.sig`, and cosign v3's bundle and OCI 1.1 signature referrer.
    for keyed in ["v1.8.0", "v3.0.0", "v3.3.0-oci11"] {
        assert!(
            reasons(keyed).contains("signed with a key"),
            "{kind} {keyed}: {}",
            reasons(keyed)
        );
    }
    // An attestation is not an image signature (cosign verify finds none there).
    assert!(
        reasons("v3.2.0").contains("unsigned (attestations only)"),
        "{}",
        reasons("v3.2.0")
    );
    assert!(
        reasons("v1.9.0-rc1").contains("unsigned"),
        "{}",
        reasons("v1.9.0-rc1")
    );
    // A signature copied from another build names that build's digest in its payload.
    assert!(
        reasons("v2.2.0-mismatched").contains("signature copied from another image"),
        "{}",
        reasons("v2.2.0-mismatched")
    );
    assert_eq!(doc["outliers"], 8, "{doc:#}");
}
