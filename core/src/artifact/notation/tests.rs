use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use coset::cbor::value::Value;
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable as _, iana};

use super::*;

fn jws(protected: &str, payload: &str, x5c: &[String]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "payload": URL_SAFE_NO_PAD.encode(payload),
        "protected": URL_SAFE_NO_PAD.encode(protected),
        "header": {"x5c": x5c, "io.cncf.notary.signingAgent": "notation-go/1.1.0"},
        "signature": URL_SAFE_NO_PAD.encode([1u8; 96]),
    }))
    .unwrap()
}

const PAYLOAD: &str = r#"{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":3}}"#;

#[test]
fn a_jws_envelope_decodes_headers_target_and_chain() {
    let ca = crate::fixture::CertificateAuthority::new("notation test", 1_700_000_000).unwrap();
    let x5c = vec![
        STANDARD.encode(&ca.intermediate.der),
        STANDARD.encode(&ca.root.der),
    ];
    let protected = r#"{"alg":"ES256","crit":["io.cncf.notary.signingScheme","x.custom"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"2026-09-21T12:00:00Z","x.custom":7}"#;
    let view = decode_jws(&jws(protected, PAYLOAD, &x5c)).unwrap();
    let e = &view.envelope;
    assert_eq!(e.format, EnvelopeFormat::Jws);
    assert_eq!(e.algorithm.as_deref(), Some("ES256"));
    assert_eq!(e.signing_scheme.as_deref(), Some("notary.x509"));
    assert_eq!(e.signing_time.as_ref().unwrap().unix, 1_789_992_000);
    assert_eq!(e.signing_agent.as_deref(), Some("notation-go/1.1.0"));
    assert_eq!(e.content_type.as_deref(), Some(PAYLOAD_MEDIA_TYPE));
    assert_eq!(
        e.extended,
        [ExtendedAttribute {
            label: "x.custom".into(),
            critical: true,
            value: "7".into()
        }]
    );
    assert_eq!(view.target_artifact.as_ref().unwrap()["size"], 3);
    assert_eq!(view.certificates.len(), 2);
    assert!(
        view.signer_subject()
            .unwrap()
            .contains("notation test intermediate")
    );
    assert_eq!(view.signature_len, 96);
    assert_eq!(
        e.signing_input,
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(protected),
            URL_SAFE_NO_PAD.encode(PAYLOAD)
        )
        .into_bytes()
    );
}

#[test]
fn malformed_jws_envelopes_name_the_broken_part() {
    let err = decode_jws(b"7").unwrap_err().to_string();
    assert!(err.contains("notation JWS envelope"), "{err}");
    let bad = serde_json::json!({"payload": "e30", "protected": "!!", "signature": ""});
    let err = decode_jws(bad.to_string().as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("protected header: malformed base64"), "{err}");
    let err = decode_jws(&jws(r#"{"io.cncf.notary.expiry":"tomorrow"}"#, "{}", &[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an RFC 3339 time"), "{err}");
    let err = decode_jws(&jws(r#"{"crit":"alg"}"#, "{}", &[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"crit\" is not an array"), "{err}");
    // A certificate that does not decode is shown as such; the envelope still decodes.
    let view = decode_jws(&jws("{}", "{}", &["AAAA".to_owned()])).unwrap();
    assert!(view.certificates[0].is_err());
}

fn cose(protected: HeaderBuilder, unprotected: HeaderBuilder) -> Vec<u8> {
    CoseSign1Builder::new()
        .protected(protected.build())
        .unprotected(unprotected.build())
        .payload(PAYLOAD.as_bytes().to_vec())
        .signature(vec![2; 64])
        .build()
        .to_tagged_vec()
        .unwrap()
}

fn notary_protected() -> HeaderBuilder {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type(PAYLOAD_MEDIA_TYPE.to_owned())
        .text_value(
            label::SIGNING_SCHEME.into(),
            Value::Text("notary.x509".into()),
        )
        .text_value(
            label::SIGNING_TIME.into(),
            Value::Tag(1, Box::new(Value::Integer(1_790_000_000.into()))),
        )
        .add_critical_label(coset::RegisteredLabelWithPrivate::Text(
            label::SIGNING_SCHEME.into(),
        ))
}

#[test]
fn a_cose_envelope_decodes_headers_chain_and_timestamp() {
    let ca = crate::fixture::CertificateAuthority::new("cose test", 1_700_000_000).unwrap();
    let unprotected = HeaderBuilder::new()
        .value(
            33,
            Value::Array(vec![
                Value::Bytes(ca.intermediate.der.clone()),
                Value::Bytes(ca.root.der.clone()),
            ]),
        )
        .text_value(
            label::SIGNING_AGENT.into(),
            Value::Text("notation-go/1.3.2".into()),
        )
        .text_value(
            label::TIMESTAMP_SIGNATURE.into(),
            Value::Bytes(vec![0x30, 0]),
        );
    let bytes = cose(notary_protected(), unprotected);
    let view = decode_envelope(COSE_MEDIA_TYPE, &bytes).unwrap();
    let e = &view.envelope;
    assert_eq!(e.format, EnvelopeFormat::Cose);
    assert_eq!(e.algorithm.as_deref(), Some("ES256"));
    assert_eq!(
        e.critical.as_deref(),
        Some(&[label::SIGNING_SCHEME.to_owned()][..])
    );
    assert_eq!(
        e.signing_time.as_ref().unwrap().text,
        "2026-09-21T14:13:20Z"
    );
    assert_eq!(e.certificates.len(), 2);
    assert_eq!(e.timestamp.as_deref(), Some(&[0x30, 0][..]));
    assert!(matches!(view.timestamp, Some(Err(_))));
    assert_eq!(e.signing_agent.as_deref(), Some("notation-go/1.3.2"));
    assert!(
        e.signing_input.starts_with(&[0x84, 0x6a]),
        "Sig_structure array of four"
    );
    assert_eq!(view.target_artifact.unwrap()["size"], 3);
}

#[test]
fn malformed_cose_envelopes_name_the_broken_part() {
    let err = decode_cose(b"\x01").unwrap_err().to_string();
    assert!(err.contains("not a tagged COSE_Sign1"), "{err}");
    let untagged = CoseSign1Builder::new().build();
    let err = decode_cose(&coset::CborSerializable::to_vec(untagged).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a tagged COSE_Sign1"), "{err}");
    let string_time = notary_protected().text_value(
        label::EXPIRY.into(),
        Value::Tag(0, Box::new(Value::Text("2030-01-01T00:00:00Z".into()))),
    );
    let err = decode_cose(&cose(string_time, HeaderBuilder::new()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("only tag 1"), "{err}");
    let single = HeaderBuilder::new().value(33, Value::Bytes(vec![1, 2]));
    let err = decode_cose(&cose(notary_protected(), single))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x5chain is not an array"), "{err}");
}
