//! Fixture bundles decode to what was minted; every public conformance bundle decodes or fails
//! with a clear error; malformed bundles are refused with the field named.

use rstest::rstest;

use super::*;
use crate::artifact::rekor::EntryBody;
use crate::fixture::{GithubWorkflow, Identity, SigningOptions, VirtualSigstore};

const AT: u64 = 1_790_000_000;

use crate::testing::shared_fixtures as fixtures;

fn identity() -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/app".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v2.0.0".into(),
        sha: "fedcba9876543210fedcba9876543210fedcba98".into(),
        trigger: "release".into(),
        runner_environment: "github-hosted".into(),
        run_id: 77,
        repository_id: 5,
        owner_id: 6,
    })
}

#[test]
fn fixture_message_bundle_decodes_to_what_was_minted() {
    let mut sigstore = VirtualSigstore::new("unit", AT - 86_400).unwrap();
    for i in 0..4u8 {
        sigstore
            .sign(&identity(), &[i], AT, SigningOptions::default())
            .unwrap();
    }
    let sig = sigstore
        .sign(&identity(), b"artifact", AT, SigningOptions::default())
        .unwrap();
    let json = serde_json::to_vec(&sigstore.message_bundle(&sig).unwrap()).unwrap();
    let view = decode_bundle(&json).unwrap();

    assert_eq!(view.version, BundleVersion::V0_3);
    let leaf = view.leaf_certificate().unwrap();
    assert_eq!(leaf.der, sig.certificate);
    assert_eq!(leaf.identity(), Some(sig.identity.san.value()));
    assert_eq!(leaf.oidc_issuer(), Some(crate::fixture::GITHUB_ISSUER));
    for (arc, value) in sig.identity.extensions() {
        assert_eq!(leaf.claim(arc), Some(value.as_str()), ".{arc}");
    }
    assert_eq!(leaf.scts[0].log_id, hex::encode(sigstore.ct_log.log_id()));

    let entry = &view.tlog_entries[0];
    assert_eq!(entry.log_index, 4);
    assert_eq!(entry.integrated_time, Some(sig.entry.integrated_time));
    assert_eq!(hex::encode(&entry.log_id), sig.entry.log_id);
    assert_eq!(
        (entry.kind.as_str(), entry.version.as_str()),
        ("hashedrekord", "0.0.1")
    );
    assert_eq!(
        entry.inclusion_promise.as_deref(),
        Some(sig.entry.signed_entry_timestamp.as_slice())
    );
    assert_eq!(entry.canonicalized_body, sig.entry.body);
    assert_eq!(
        entry.body.as_ref().unwrap().certificate().unwrap().der,
        sig.certificate
    );
    let proof = entry.inclusion_proof.as_ref().unwrap();
    assert_eq!((proof.log_index, proof.tree_size), (4, 5));
    let checkpoint = proof.checkpoint.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(checkpoint.tree_size, 5);
    assert_eq!(checkpoint.root_hash, proof.root_hash);

    let ContentView::MessageSignature {
        digest_algorithm,
        digest,
        signature,
    } = &view.content
    else {
        panic!("{:?}", view.content)
    };
    assert_eq!(digest_algorithm.as_deref(), Some("SHA2_256"));
    use sha2::Digest as _;
    assert_eq!(
        digest.as_deref(),
        Some(&sha2::Sha256::digest(b"artifact")[..])
    );
    assert_eq!(signature, &sig.signature);
    assert!(view.timestamps.is_empty());
    assert!(view.unknown_fields.is_empty(), "{:?}", view.unknown_fields);
}

#[test]
fn fixture_dsse_bundle_decodes_the_statement_and_predicate() {
    let mut sigstore = VirtualSigstore::new("unit", AT - 86_400).unwrap();
    let digest = crate::reference::Digest::sha256_of(b"image");
    let statement = Statement::about(
        "registry.test/app",
        &digest,
        crate::artifact::predicate::SLSA_PROVENANCE_V1,
        serde_json::json!({"runDetails": {"builder": {"id": "https://builder.test"}}}),
    );
    let att = sigstore
        .attest(&identity(), &statement, AT, SigningOptions::default())
        .unwrap();
    let view =
        decode_bundle(&serde_json::to_vec(&sigstore.dsse_bundle(&att).unwrap()).unwrap()).unwrap();
    let ContentView::Dsse(dsse) = &view.content else {
        panic!("{:?}", view.content)
    };
    assert_eq!(dsse.envelope, att.envelope);
    assert_eq!(dsse.payload, att.payload);
    assert_eq!(
        dsse.statement.as_ref().unwrap().as_ref().unwrap(),
        &statement
    );
    assert!(matches!(
        &dsse.predicate,
        Some(crate::artifact::predicate::PredicateSummary::SlsaV1 { builder_id: Some(b), .. }) if b == "https://builder.test"
    ));
    assert!(matches!(
        view.tlog_entries[0].body,
        Ok(EntryBody::Dsse { .. })
    ));
}

#[test]
fn real_cosign_v3_referrer_bundle_decodes() {
    let Some(dir) = fixtures() else { return };
    let view =
        decode_bundle(&std::fs::read(dir.join("sigstore-rs/tests/data/bundle_v03.json")).unwrap())
            .unwrap();
    assert_eq!(view.media_type, MEDIA_TYPE_V0_3);
    let leaf = view.leaf_certificate().unwrap();
    assert_eq!(
        leaf.identity(),
        Some(
            "https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0"
        )
    );
    let entry = &view.tlog_entries[0];
    assert_eq!(entry.log_index, 1_261_105_807);
    assert_eq!(entry.integrated_time, Some(1_775_719_409));
    assert_eq!(
        hex::encode(&entry.log_id),
        "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"
    );
    assert!(matches!(entry.body, Ok(EntryBody::Dsse { .. })));
    assert_eq!(view.timestamps.len(), 1);
    assert!(view.timestamps[0].decoded.is_ok());
    let ContentView::Dsse(dsse) = &view.content else {
        panic!()
    };
    let statement = dsse.statement.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        statement.predicate_type,
        "https://sigstore.dev/cosign/sign/v1"
    );
    assert_eq!(
        statement.subject[0].digest["sha256"],
        "c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172"
    );
}

/// Every conformance bundle decodes or fails with a DecodeError; a few `_fail` cases must fail
/// in a particular way.
#[test]
fn every_conformance_bundle_decodes_or_fails_clearly() {
    let Some(dir) = fixtures() else { return };
    let cases = dir.join("sigstore-conformance/test/assets/bundle-verify");
    let mut entries: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let (mut decoded, mut failed, mut total) = (0, 0, 0);
    for case in entries {
        let path = case.join("bundle.sigstore.json");
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        total += 1;
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let result = decode_bundle(&bytes);
        match (&result, name.as_str()) {
            (Err(DecodeError::Json { .. }), "bundle-malformed-json_fail") => {}
            (_, "bundle-malformed-json_fail") => panic!("{name}: {result:?}"),
            (Err(DecodeError::Base64 { what, .. }), "bundle-invalid-base64-signature_fail") => {
                assert_eq!(what, "bundle messageSignature.signature");
            }
            (_, "bundle-invalid-base64-signature_fail") => panic!("{name}: {result:?}"),
            (Err(e), "bundle-unknown-version_fail") => {
                assert!(e.to_string().contains("unsupported bundle media type \"application/vnd.dev.sigstore.bundle+json;version=99.9\""), "{e}");
            }
            (_, "bundle-unknown-version_fail") => panic!("{name}: {result:?}"),
            (Err(e), n) if !n.ends_with("_fail") => panic!("{name} is a good case: {e}"),
            _ => {}
        }
        match result {
            Ok(view) => {
                decoded += 1;
                // Every entry body, checkpoint and timestamp in a good case decodes too.
                if !name.ends_with("_fail") {
                    for entry in &view.tlog_entries {
                        assert!(entry.body.is_ok(), "{name}: {:?}", entry.body);
                    }
                    for stamp in &view.timestamps {
                        assert!(stamp.decoded.is_ok(), "{name}: {:?}", stamp.decoded);
                    }
                }
            }
            Err(e) => {
                failed += 1;
                println!("{name}: {e}");
            }
        }
    }
    println!("conformance bundles: {decoded} of {total} decode, {failed} refused");
    assert_eq!(decoded + failed, total);
    assert!(total >= 60, "{total}");
}

/// The other real bundles CATALOG.md lists: each decodes or fails clearly (the malformed ones).
#[test]
fn catalog_bundles_decode_or_fail_clearly() {
    let Some(dir) = fixtures() else { return };
    let catalog = std::fs::read_to_string(dir.join("CATALOG.md")).unwrap();
    let (mut decoded, mut total) = (0, 0);
    for line in catalog.lines().filter(|l| l.starts_with("- `")) {
        let Some(path) = line.split('`').nth(1) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(dir.join(path)) else {
            continue;
        };
        total += 1;
        match decode_bundle(&bytes) {
            Ok(_) => decoded += 1,
            Err(e) => println!("{path}: {e}"),
        }
    }
    println!("catalog bundles: {decoded} of {total} decode");
    assert!(total > 50 && decoded + 3 >= total, "{decoded} of {total}");
}

fn minimal(content: &str) -> String {
    format!(
        r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{"publicKey":{{"hint":"k"}}}},{content}}}"#
    )
}

#[rstest]
#[case::not_json("{".to_owned(), "bundle: malformed JSON")]
#[case::no_media_type(r#"{"verificationMaterial":{}}"#.to_owned(), "missing field `mediaType`")]
#[case::unknown_media_type(r#"{"mediaType":"text/plain"}"#.to_owned(), "unsupported bundle media type \"text/plain\"")]
#[case::no_content(minimal(r#""x":1"#), "neither messageSignature nor dsseEnvelope")]
#[case::both_contents(minimal(r#""messageSignature":{"signature":"AA=="},"dsseEnvelope":{"payloadType":"t","payload":"","signatures":[]}"#), "both")]
#[case::bad_digest(minimal(r#""messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"@@"},"signature":"AA=="}"#), "messageSignature.messageDigest.digest: malformed base64")]
#[case::bad_payload(
    minimal(r#""dsseEnvelope":{"payloadType":"t","payload":"@@","signatures":[]}"#),
    "dsseEnvelope.payload: malformed base64"
)]
#[case::bad_dsse_sig(
    minimal(r#""dsseEnvelope":{"payloadType":"t","payload":"","signatures":[{"sig":"@@"}]}"#),
    "dsseEnvelope.signatures[0].sig: malformed base64"
)]
#[case::signature_is_number(
    minimal(r#""messageSignature":{"signature":5}"#),
    "well-formed JSON, but invalid type"
)]
#[case::no_material(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"messageSignature":{"signature":"AA=="}}"#.to_owned(), "no certificate, certificate chain or public key")]
#[case::bad_certificate(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":"AAAA"}},"messageSignature":{"signature":"AA=="}}"#.to_owned(), "verificationMaterial.certificate.rawBytes: certificate: malformed DER")]
#[case::bad_log_index(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{},"tlogEntries":[{"logIndex":"twelve","logId":{"keyId":""},"kindVersion":{"kind":"k","version":"v"},"canonicalizedBody":""}]},"messageSignature":{"signature":"AA=="}}"#.to_owned(), "tlogEntries[0].logIndex: \"twelve\" is not an int64")]
#[case::bad_root_hash(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{},"tlogEntries":[{"logId":{"keyId":""},"kindVersion":{"kind":"k","version":"v"},"canonicalizedBody":"","inclusionProof":{"rootHash":"!!"}}]},"messageSignature":{"signature":"AA=="}}"#.to_owned(), "tlogEntries[0].inclusionProof.rootHash: malformed base64")]
#[case::url_safe_and_wrapped_base64_are_accepted_but_not_junk(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"-_8=\n","messageDigest":{"digest":"A A"}}}"#.to_owned(), "messageDigest.digest: malformed base64")]
#[case::bad_timestamp_base64(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{},"timestampVerificationData":{"rfc3161Timestamps":[{"signedTimestamp":"!!"}]}},"messageSignature":{"signature":"AA=="}}"#.to_owned(), "rfc3161Timestamps[0].signedTimestamp: malformed base64")]
#[case::missing_body(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{},"tlogEntries":[{"logId":{"keyId":""},"kindVersion":{"kind":"k","version":"v"}}]},"messageSignature":{"signature":"AA=="}}"#.to_owned(), "tlogEntries[0].canonicalizedBody: is missing")]
fn malformed_bundles_are_refused(#[case] json: String, #[case] expected: &str) {
    let err = decode_bundle(json.as_bytes()).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
}

#[test]
fn unknown_fields_and_undecodable_parts_are_kept() {
    let json = r#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.3","future":{"a":1},
        "verificationMaterial":{"publicKey":{"hint":"key"},"extra":true,
          "tlogEntries":[{"logIndex":7,"logId":{"keyId":"AQ=="},"kindVersion":{"kind":"k","version":"v"},
            "canonicalizedBody":"e30=","later":"x","inclusionProof":{"rootHash":"AA==","checkpoint":{"envelope":"bad"}}}],
          "timestampVerificationData":{"rfc3161Timestamps":[{"signedTimestamp":"AAAA"}]}},
        "messageSignature":{"signature":"AA=="}}"#;
    let view = decode_bundle(json.as_bytes()).unwrap();
    assert_eq!(view.version, BundleVersion::V0_3);
    let keys: Vec<&str> = view.unknown_fields.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "future",
            "verificationMaterial.extra",
            "verificationMaterial.tlogEntries[0].later"
        ]
    );
    let entry = &view.tlog_entries[0];
    assert_eq!(entry.log_index, 7);
    assert!(entry.body.is_err());
    assert!(matches!(
        entry.inclusion_proof.as_ref().unwrap().checkpoint,
        Some(Err(_))
    ));
    assert!(view.timestamps[0].decoded.is_err());
    assert_eq!(
        view.verification_material,
        VerificationMaterialView::PublicKey { hint: "key".into() }
    );
    // The view serialises (for the CLI's JSON output) whatever it holds.
    assert!(serde_json::to_string(&view).is_ok());
}
