//! The fixture's leaves have the shape of a real Fulcio leaf: compared with a real GitHub
//! Actions certificate from ../shared/fixtures (go-bazel-github-workflow).

use std::collections::BTreeMap;

use sigscope_core::fixture::{GithubWorkflow, Identity, SigningOptions, VirtualSigstore};
use x509_parser::prelude::*;

use crate::support::{SIGNED_AT, shared_fixtures};

/// OID → critical, for every extension except the SCT list.
fn extension_shape(der: &[u8]) -> BTreeMap<String, bool> {
    let (_, cert) = X509Certificate::from_der(der).unwrap();
    cert.extensions()
        .iter()
        .map(|e| (e.oid.to_id_string(), e.critical))
        .filter(|(oid, _)| oid != "1.3.6.1.4.1.11129.2.4.2")
        .collect()
}

#[test]
fn fixture_leaf_has_every_extension_of_a_real_github_actions_leaf() {
    let Some(fixtures) = shared_fixtures() else {
        eprintln!("SKIP: ../shared/fixtures is absent, no real Fulcio leaf to compare with");
        return;
    };
    let annotations = fixtures.join(
        "go-bazel-github-workflow/README-extracted/sig-sha256-c05263d2/layer-annotations.json",
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(annotations).unwrap()).unwrap();
    let real_pem = manifest["layers"][0]["annotations"]["dev.sigstore.cosign/certificate"]
        .as_str()
        .unwrap();
    let real = ::pem::parse(real_pem).unwrap();
    let real_shape = extension_shape(real.contents());

    let mut sigstore = VirtualSigstore::new("shape", SIGNED_AT - 86_400).unwrap();
    let identity = Identity::github(&GithubWorkflow {
        repository: "salrashid123/go-bazel-github-workflow".into(),
        workflow_path: ".github/workflows/release.yaml".into(),
        git_ref: "refs/tags/v0.0.30".into(),
        sha: "7624bd5f279fb5d4700ea72c1b2373ee33960700".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 22498294485,
        repository_id: 1150755799,
        owner_id: 11149054,
    });
    let sig = sigstore
        .sign(&identity, b"p", SIGNED_AT, SigningOptions::default())
        .unwrap();
    let ours = extension_shape(&sig.certificate);
    for (oid, critical) in &real_shape {
        assert_eq!(
            ours.get(oid),
            Some(critical),
            "extension {oid} (critical={critical}) of the real leaf is missing or differs"
        );
    }
    // Values Fulcio derives the same way match the real certificate byte for byte.
    let (_, real_cert) = X509Certificate::from_der(real.contents()).unwrap();
    let (_, our_cert) = X509Certificate::from_der(&sig.certificate).unwrap();
    let value = |cert: &X509Certificate, arc: u32| {
        cert.extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == format!("1.3.6.1.4.1.57264.1.{arc}"))
            .map(|e| e.value.to_vec())
    };
    for arc in [
        1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
    ] {
        assert_eq!(
            value(&our_cert, arc),
            value(&real_cert, arc),
            "Fulcio extension .{arc}"
        );
    }
    assert_eq!(
        our_cert.subject_alternative_name().unwrap().unwrap().value,
        real_cert.subject_alternative_name().unwrap().unwrap().value
    );
}
