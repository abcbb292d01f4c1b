//! Fixture entries decode to what was minted; real cosign bundles and Rekor v2 entries decode;
//! malformed input fails cleanly.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rstest::rstest;

use super::*;
use crate::fixture::{GithubWorkflow, Identity, SigningOptions, VirtualSigstore};

const AT: u64 = 1_790_000_000;

use crate::testing::shared_fixtures as fixtures;

fn identity() -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/app".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/heads/main".into(),
        sha: "89abcdef0123456789abcdef0123456789abcdef".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 1,
        repository_id: 2,
        owner_id: 3,
    })
}

#[test]
fn fixture_cosign_bundle_decodes_to_the_minted_entry() {
    let mut sigstore = VirtualSigstore::new("unit", AT - 86_400).unwrap();
    let sig = sigstore
        .sign(&identity(), b"payload", AT, SigningOptions::default())
        .unwrap();
    let json = serde_json::to_vec(&sig.cosign_bundle()).unwrap();
    let view = decode_rekor_bundle(&json).unwrap();
    assert_eq!(view.log_index, i64::try_from(sig.entry.log_index).unwrap());
    assert_eq!(view.integrated_time, sig.entry.integrated_time);
    assert_eq!(view.log_id, sig.entry.log_id);
    assert_eq!(view.log_id, hex::encode(sigstore.rekor.key().log_id()));
    assert_eq!(
        view.signed_entry_timestamp,
        sig.entry.signed_entry_timestamp
    );
    assert_eq!(view.body_raw, sig.entry.body);
    let Ok(EntryBody::HashedRekord {
        data_hash,
        signature,
        verifier,
        ..
    }) = &view.body
    else {
        panic!("{:?}", view.body);
    };
    assert_eq!(data_hash.algorithm, "sha256");
    assert_eq!(
        data_hash.value,
        hex::encode(sha2::Sha256::digest(b"payload"))
    );
    assert_eq!(signature, &sig.signature);
    let VerifierView::Certificate(cert) = verifier else {
        panic!("{verifier:?}")
    };
    assert_eq!(cert.der, sig.certificate);
    assert_eq!(cert.identity(), Some(sig.identity.san.value()));

    // The SET payload is the canonical JSON the fixture's log signed.
    let expected = crate::artifact::canonical::to_canonical_json(&serde_json::json!({
        "body": STANDARD.encode(&sig.entry.body),
        "integratedTime": sig.entry.integrated_time,
        "logID": sig.entry.log_id,
        "logIndex": sig.entry.log_index,
    }))
    .unwrap();
    assert_eq!(view.set_payload().unwrap(), expected);
    use p256::ecdsa::signature::Verifier as _;
    let set = p256::ecdsa::DerSignature::try_from(view.signed_entry_timestamp.as_slice()).unwrap();
    sigstore
        .rekor
        .key()
        .verifying_key()
        .verify(&expected, &set)
        .unwrap();
}

use sha2::Digest as _;

#[test]
fn fixture_dsse_entry_decodes_with_its_hashes_and_verifier() {
    let mut sigstore = VirtualSigstore::new("unit", AT - 86_400).unwrap();
    let digest = crate::reference::Digest::sha256_of(b"image");
    let statement = crate::artifact::in_toto::Statement::about(
        "registry.test/app",
        &digest,
        "https://slsa.dev/provenance/v1",
        serde_json::json!({}),
    );
    let att = sigstore
        .attest(&identity(), &statement, AT, SigningOptions::default())
        .unwrap();
    let body = decode_entry_body(&att.entry.body).unwrap();
    let EntryBody::Dsse {
        payload_hash,
        envelope_hash,
        signatures,
        ..
    } = &body
    else {
        panic!("{body:?}");
    };
    assert_eq!(
        payload_hash.as_ref().unwrap().value,
        hex::encode(sha2::Sha256::digest(&att.payload))
    );
    assert!(envelope_hash.is_some());
    assert_eq!(
        signatures[0].signature,
        STANDARD.decode(&att.envelope.signatures[0].sig).unwrap()
    );
    assert_eq!(body.certificate().unwrap().der, att.certificate);
}

#[test]
fn fixture_checkpoint_parses_and_its_signed_text_verifies() {
    let mut sigstore = VirtualSigstore::new("unit", AT - 86_400).unwrap();
    for i in 0..3u8 {
        sigstore
            .sign(&identity(), &[i], AT, SigningOptions::default())
            .unwrap();
    }
    let proof = sigstore.rekor.inclusion_proof(1).unwrap();
    let view = parse_checkpoint(&proof.checkpoint).unwrap();
    assert_eq!(view.origin, sigstore.rekor.origin());
    assert_eq!(view.tree_size, 3);
    assert_eq!(view.root_hash, proof.root_hash);
    assert!(view.other_lines.is_empty());
    assert_eq!(view.signatures.len(), 1);
    let sig = &view.signatures[0];
    assert_eq!(sig.name, "rekor.unit.test");
    let spki = sigstore.rekor.key().spki_der().unwrap();
    assert_eq!(sig.key_hint, hex::encode(&sha2::Sha256::digest(spki)[..4]));
    use p256::ecdsa::signature::Verifier as _;
    let der = p256::ecdsa::DerSignature::try_from(sig.signature.as_slice()).unwrap();
    sigstore
        .rekor
        .key()
        .verifying_key()
        .verify(view.signed_text.as_bytes(), &der)
        .unwrap();
}

#[test]
fn checkpoint_keeps_extension_lines_and_every_signature() {
    let blob = STANDARD.encode([1u8, 2, 3, 4, 5, 6]);
    let text = format!(
        "example.com/log\n10\n{}\nextra one\nextra two\n\n\u{2014} example.com/log {blob}\n\u{2014} witness {blob}\n",
        STANDARD.encode([7u8; 32])
    );
    let view = parse_checkpoint(&text).unwrap();
    assert_eq!(view.other_lines, ["extra one", "extra two"]);
    assert_eq!(
        view.signed_text,
        text.split_once("\n\n")
            .map(|(t, _)| format!("{t}\n"))
            .unwrap()
    );
    let names: Vec<&str> = view.signatures.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["example.com/log", "witness"]);
    assert_eq!(view.signatures[1].key_hint, "01020304");
    assert_eq!(view.signatures[1].signature, [5, 6]);
}

#[rstest]
#[case::no_blank_line("o\n1\nAAAA\n", "no blank line")]
#[case::missing_origin("\n1\nAAAA\n\n\u{2014} o AQIDBAU=\n", "origin line is empty")]
#[case::empty_origin_line("\n\n\u{2014} o AQIDBAU=\n", "origin")]
#[case::missing_size("o\n\n\u{2014} o AQIDBAU=\n", "tree size line is missing")]
#[case::size_not_number("o\nten\nAAAA\n\n\u{2014} o AQIDBAU=\n", "\"ten\"")]
#[case::size_leading_zero("o\n01\nAAAA\n\n\u{2014} o AQIDBAU=\n", "\"01\"")]
#[case::missing_root("o\n1\n\n\u{2014} o AQIDBAU=\n", "root hash line is missing")]
#[case::root_not_base64("o\n1\n!!\n\n\u{2014} o AQIDBAU=\n", "root hash: malformed base64")]
#[case::no_signatures("o\n1\nAAAA\n\n", "no signature lines")]
#[case::hyphen_not_em_dash("o\n1\nAAAA\n\n- o AQIDBAU=\n", "does not start with")]
#[case::short_blob("o\n1\nAAAA\n\n\u{2014} o AQID\n", "too short")]
#[case::no_final_newline("o\n1\nAAAA\n\n\u{2014} o AQIDBAU=", "newline")]
fn malformed_checkpoints_are_refused(#[case] text: &str, #[case] expected: &str) {
    let err = parse_checkpoint(text).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
}

#[test]
fn real_ratify_rekor_bundle_decodes() {
    let Some(dir) = fixtures() else { return };
    let base =
        dir.join("ratify-verifier-go/cosign/testdata-extracted/wabbitnetworks-cosign-image-sig");
    let view =
        decode_rekor_bundle(&std::fs::read(base.join("rekor-bundle.json")).unwrap()).unwrap();
    assert_eq!(view.log_index, 13_452_680);
    assert_eq!(view.integrated_time, 1_676_524_985);
    assert_eq!(view.integrated_time_rfc3339, "2023-02-16T05:23:05Z");
    assert_eq!(
        view.log_id,
        "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"
    );
    let body = view.body.as_ref().unwrap();
    let cert = body.certificate().unwrap();
    assert_eq!(cert.identity(), Some("sozercan@gmail.com"));
    let EntryBody::HashedRekord { data_hash, .. } = body else {
        panic!("{body:?}")
    };
    assert_eq!(
        data_hash.value,
        "d1226e36bc8502978324cb2cb2116c6aa48edb2ea8f15b1c6f6f256ed43388f6"
    );
    let payload = String::from_utf8(view.set_payload().unwrap()).unwrap();
    assert!(
        payload.starts_with("{\"body\":\"eyJhcGlWZXJzaW9uIjoiMC4wLjEi"),
        "{payload}"
    );
    assert!(payload.ends_with(",\"integratedTime\":1676524985,\"logID\":\"c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d\",\"logIndex\":13452680}"));
}

#[test]
fn real_intoto_entry_signature_is_decoded_twice() {
    let Some(dir) = fixtures() else { return };
    let bundle: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("sigstore-js/tests/bundles/bundleV02-intoto.sigstore")).unwrap(),
    )
    .unwrap();
    let body = STANDARD
        .decode(
            bundle["verificationMaterial"]["tlogEntries"][0]["canonicalizedBody"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let EntryBody::Intoto {
        payload_type,
        signatures,
        payload_hash,
        ..
    } = decode_entry_body(&body).unwrap()
    else {
        panic!("not intoto")
    };
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    assert!(payload_hash.is_some());
    let envelope_sig = STANDARD
        .decode(
            bundle["dsseEnvelope"]["signatures"][0]["sig"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(signatures[0].signature, envelope_sig);
    assert!(matches!(
        signatures[0].verifier,
        VerifierView::Certificate(_)
    ));
}

#[rstest]
#[case::not_json(b"{".as_slice(), "malformed JSON")]
#[case::no_kind(br#"{"apiVersion":"0.0.1","spec":{}}"#.as_slice(), "missing field `kind`")]
#[case::wrong_type(br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"00"}},"signature":{"content":7,"publicKey":{"content":""}}}}"#.as_slice(), "hashedrekord spec: well-formed JSON, but invalid type")]
#[case::bad_signature_base64(br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"00"}},"signature":{"content":"!!","publicKey":{"content":""}}}}"#.as_slice(), "hashedrekord signature.content: malformed base64")]
#[case::bad_certificate(br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"00"}},"signature":{"content":"AAAA","publicKey":{"content":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkFBQUEKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="}}}}"#.as_slice(), "publicKey.content: certificate: malformed DER")]
fn malformed_entry_bodies_are_refused(#[case] body: &[u8], #[case] expected: &str) {
    let err = decode_entry_body(body).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
}

#[test]
fn unknown_kinds_are_kept_raw() {
    let body = br#"{"apiVersion":"0.0.1","kind":"helm","spec":{"chart":{"x":1}}}"#;
    let EntryBody::Unknown {
        kind,
        api_version,
        raw,
    } = decode_entry_body(body).unwrap()
    else {
        panic!()
    };
    assert_eq!((kind.as_str(), api_version.as_str()), ("helm", "0.0.1"));
    assert_eq!(raw["chart"]["x"], 1);
}

#[rstest]
#[case::bad_json(b"not json".as_slice(), "rekor bundle: malformed JSON")]
#[case::bad_set(br#"{"SignedEntryTimestamp":"%%","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"00"}}"#.as_slice(), "SignedEntryTimestamp: malformed base64")]
#[case::bad_body(br#"{"SignedEntryTimestamp":"AA==","Payload":{"body":"%%","integratedTime":1,"logIndex":1,"logID":"00"}}"#.as_slice(), "Payload.body: malformed base64")]
#[case::time_as_string(br#"{"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":"1","logIndex":1,"logID":"00"}}"#.as_slice(), "invalid type")]
fn malformed_rekor_bundles_are_refused(#[case] json: &[u8], #[case] expected: &str) {
    let err = decode_rekor_bundle(json).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
}

#[test]
fn a_bundle_with_an_unreadable_body_is_still_shown() {
    // `e30=` is `{}`: valid base64, not an entry.
    let json = br#"{"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"00"}}"#;
    let view = decode_rekor_bundle(json).unwrap();
    assert!(view.body.is_err());
    assert_eq!(view.body_raw, b"{}");
}

#[test]
fn checkpoints_over_the_limits_are_refused_as_limits() {
    use super::checkpoint::{MAX_CHECKPOINT_BYTES, MAX_SIGNATURES};
    let note = format!("origin\n1\n{}\n\n", STANDARD.encode([7u8; 32]));
    let line = format!("\u{2014} origin {}\n", STANDARD.encode([1u8; 36]));
    let at_limit = format!("{note}{}", line.repeat(MAX_SIGNATURES));
    assert_eq!(
        parse_checkpoint(&at_limit).unwrap().signatures.len(),
        MAX_SIGNATURES
    );
    let over = format!("{note}{}", line.repeat(MAX_SIGNATURES + 1));
    let err = parse_checkpoint(&over).unwrap_err().to_string();
    assert!(
        err.contains("limit reached: 101 signatures exceed the limit of 100"),
        "{err}"
    );
    let huge = format!("{note}{line}{}", " ".repeat(MAX_CHECKPOINT_BYTES));
    let err = parse_checkpoint(&huge).unwrap_err().to_string();
    assert!(err.contains("limit reached"), "{err}");
}

#[test]
fn set_payload_written_directly_is_byte_for_byte_the_canonicaliser_s() {
    // Plain ASCII (the direct path), ASCII controls (written raw by both), and strings that take
    // the canonicaliser's path (quotes, backslashes, non-ASCII that NFC composes).
    let bodies = [
        "eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb3JkIn0=",
        "",
        "tab\there\nnewline\u{1}\u{7f}",
        "quote\"back\\slash",
        "e\u{301}t\u{e9}",
    ];
    for body in bodies {
        for (time, index) in [(1_700_000_000, 7), (-1, -2), (0, i64::MAX)] {
            let direct = set_payload(body, time, "c0ffee", index).unwrap();
            let canonical = crate::artifact::canonical::to_canonical_json(&serde_json::json!({
                "body": body,
                "integratedTime": time,
                "logID": "c0ffee",
                "logIndex": index,
            }))
            .unwrap();
            assert_eq!(direct, canonical, "{body:?}");
        }
    }
}
