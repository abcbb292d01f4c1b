//! Certificates minted by the fixture decode to what was minted; real Fulcio leaves decode to
//! what openssl shows; malformed input fails cleanly.

use rstest::rstest;

use super::*;
use crate::fixture::{
    GITHUB_ISSUER, GithubWorkflow, Identity, LeafOptions, SigningOptions, VirtualSigstore,
};

const AT: u64 = 1_790_000_000;

use crate::testing::shared_fixtures as fixtures;

fn ci_identity() -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/app".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v1.0.0".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 42,
        repository_id: 7,
        owner_id: 9,
    })
}

fn mint(identity: &Identity, leaf: LeafOptions) -> (VirtualSigstore, Vec<u8>) {
    let mut sigstore = VirtualSigstore::new("unit", AT - 86_400).unwrap();
    let options = SigningOptions {
        leaf,
        ..SigningOptions::default()
    };
    let sig = sigstore.sign(identity, b"payload", AT, options).unwrap();
    (sigstore, sig.certificate)
}

#[test]
fn fixture_github_leaf_decodes_to_every_minted_claim() {
    let identity = ci_identity();
    let (sigstore, der) = mint(&identity, LeafOptions::default());
    let view = decode_certificate(&der).unwrap();

    assert_eq!(view.identity(), Some(identity.san.value()));
    assert_eq!(view.sans[0].kind, SanKind::Uri);
    assert_eq!(view.oidc_issuer(), Some(GITHUB_ISSUER));
    for (arc, value) in identity.extensions() {
        assert_eq!(view.claim(arc), Some(value.as_str()), "claim .{arc}");
    }
    assert_eq!(view.fulcio_claims.len(), identity.extensions().len());
    assert!(view.fulcio_claims.iter().all(|c| c.name != "unknown"));
    assert!(view.claim(1).is_some() && view.fulcio_claims[0].deprecated);

    assert_eq!(view.not_before, i64::try_from(AT).unwrap());
    assert_eq!(view.not_after - view.not_before, 600);
    assert_eq!(view.not_before_rfc3339, "2026-09-21T14:13:20Z");
    assert_eq!(view.public_key_type, "ECDSA P-256");
    assert!(!view.is_ca);
    assert_eq!(view.key_usages, ["digitalSignature"]);
    assert_eq!(view.extended_key_usages, ["codeSigning"]);

    assert_eq!(view.scts.len(), 1, "{:?}", view.sct_error);
    let sct = &view.scts[0];
    assert_eq!(sct.log_id, hex::encode(sigstore.ct_log.log_id()));
    assert_eq!((sct.version, sct.hash_algorithm.as_str()), (0, "sha256"));
    assert_eq!(sct.signature_algorithm, "ecdsa");
    assert_eq!(sct.extensions, "");

    let issuer = decode_certificate(&sigstore.ca.intermediate.der).unwrap();
    assert_eq!(view.issuer, issuer.subject);
    assert!(issuer.is_ca);
    assert!(issuer.key_usages.contains(&"keyCertSign".to_owned()));
}

#[rstest]
#[case::email(
    Identity::email("alice@example.com", "https://accounts.example.com"),
    SanKind::Email,
    None
)]
#[case::username(
    Identity::username("bob", "https://idp.example.com"),
    SanKind::OtherName,
    Some("1.3.6.1.4.1.57264.1.7")
)]
fn fixture_san_forms_decode(
    #[case] identity: Identity,
    #[case] kind: SanKind,
    #[case] type_id: Option<&str>,
) {
    let (_, der) = mint(&identity, LeafOptions::default());
    let view = decode_certificate(&der).unwrap();
    assert_eq!(view.sans[0].kind, kind);
    assert_eq!(view.sans[0].type_id.as_deref(), type_id);
    assert_eq!(view.identity(), Some(identity.san.value()));
    assert_eq!(view.oidc_issuer(), Some(identity.issuer.as_str()));
}

#[test]
fn tbs_without_sct_drops_exactly_the_sct_extension() {
    let (_, der) = mint(&ci_identity(), LeafOptions::default());
    let tbs = tbs_without_sct(&der).unwrap();
    let (_, cert) = x509_parser::prelude::X509Certificate::from_der(&der).unwrap();
    let full_tbs = cert.tbs_certificate.as_ref();
    assert!(tbs.len() < full_tbs.len());
    let sct_ext = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "1.3.6.1.4.1.11129.2.4.2")
        .unwrap();
    assert!(!tbs.windows(sct_ext.value.len()).any(|w| w == sct_ext.value));

    let (_, without) = mint(
        &ci_identity(),
        LeafOptions {
            omit_sct: true,
            ..LeafOptions::default()
        },
    );
    let view = decode_certificate(&without).unwrap();
    assert!(view.scts.is_empty() && view.sct_error.is_none());
}

#[test]
fn real_go_bazel_leaf_has_every_fulcio_claim() {
    let Some(dir) = fixtures() else { return };
    let path = dir.join(
        "go-bazel-github-workflow/README-extracted/sig-sha256-c05263d2/layer-annotations.json",
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let annotations = &manifest["layers"][0]["annotations"];
    let pem = annotations["dev.sigstore.cosign/certificate"]
        .as_str()
        .unwrap();
    let chain = annotations["dev.sigstore.cosign/chain"].as_str().unwrap();
    let leaf = &decode_pem_certificates("certificate annotation", pem).unwrap()[0];
    let repo = "https://github.com/salrashid123/go-bazel-github-workflow";
    let workflow = format!("{repo}/.github/workflows/release.yaml@refs/tags/v0.0.30");
    assert_eq!(leaf.identity(), Some(workflow.as_str()));
    assert_eq!(leaf.oidc_issuer(), Some(GITHUB_ISSUER));
    assert_eq!(leaf.claim(1), Some(GITHUB_ISSUER));
    assert_eq!(leaf.claim(2), Some("push"));
    assert_eq!(leaf.claim(4), Some("Release"));
    assert_eq!(leaf.claim(9), Some(workflow.as_str()));
    assert_eq!(
        leaf.claim(10),
        Some("7624bd5f279fb5d4700ea72c1b2373ee33960700")
    );
    assert_eq!(leaf.claim(11), Some("github-hosted"));
    assert_eq!(leaf.claim(12), Some(repo));
    assert_eq!(leaf.claim(14), Some("refs/tags/v0.0.30"));
    assert_eq!(leaf.claim(15), Some("1150755799"));
    assert_eq!(leaf.claim(17), Some("11149054"));
    assert_eq!(
        leaf.claim(21),
        Some(format!("{repo}/actions/runs/22498294485/attempts/1").as_str())
    );
    assert_eq!(leaf.claim(22), Some("public"));
    let arcs: Vec<u32> = leaf.fulcio_claims.iter().map(|c| c.arc).collect();
    assert_eq!(
        arcs,
        [
            1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22
        ]
    );
    assert_eq!(leaf.issuer, "CN=sigstore-intermediate,O=sigstore.dev");
    assert_eq!(leaf.subject, "");
    assert_eq!(leaf.not_before_rfc3339, "2026-02-27T18:20:46Z");
    assert_eq!(leaf.scts.len(), 1);
    assert_eq!(
        leaf.scts[0].log_id,
        "dd3d306ac6c7113263191e1c99673702a24a5eb8de3cadff878a72802f29ee8e"
    );
    // Extensions shown raw: subject and authority key identifiers.
    let raw: Vec<&str> = leaf.extensions.iter().map(|e| e.oid.as_str()).collect();
    assert_eq!(raw, ["2.5.29.14", "2.5.29.35"]);

    let chain = decode_pem_certificates("chain annotation", chain).unwrap();
    assert_eq!(chain[0].subject, leaf.issuer);
    assert!(chain.iter().all(|c| c.is_ca));
    assert_eq!(chain.last().unwrap().subject, chain.last().unwrap().issuer);
    assert!(tbs_without_sct(&leaf.der).is_ok());
}

#[test]
fn real_ratify_leaf_has_an_email_identity() {
    let Some(dir) = fixtures() else { return };
    let base =
        dir.join("ratify-verifier-go/cosign/testdata-extracted/wabbitnetworks-cosign-image-sig");
    let pem = std::fs::read_to_string(base.join("cert.pem")).unwrap();
    let leaf = &decode_pem_certificates("cert.pem", &pem).unwrap()[0];
    assert_eq!(leaf.sans[0].kind, SanKind::Email);
    assert_eq!(leaf.identity(), Some("sozercan@gmail.com"));
    assert_eq!(leaf.oidc_issuer(), Some("https://github.com/login/oauth"));
    assert_eq!(leaf.serial, "455b89273f47da54d558eebb3e7b20b4cb529a53");
    assert_eq!(
        leaf.fingerprint_sha256,
        "9ab042332e8e97c3632aa29f8d08377dd3d3eafffafca7b471a560e229e7cf25"
    );
    assert_eq!(leaf.not_after_rfc3339, "2023-02-16T05:33:04Z");
    let chain = std::fs::read_to_string(base.join("chain.pem")).unwrap();
    assert_eq!(
        decode_pem_certificates("chain.pem", &chain).unwrap().len(),
        2
    );
}

#[rstest]
#[case::empty(b"".as_slice())]
#[case::not_der(b"hello world".as_slice())]
#[case::sequence_header_only(&[0x30, 0x82, 0x01, 0x00])]
fn malformed_der_is_a_der_error(#[case] der: &[u8]) {
    let err = decode_certificate(der).unwrap_err();
    assert!(matches!(err, DecodeError::Der { .. }), "{err}");
    assert!(tbs_without_sct(der).is_err());
}

#[test]
fn truncated_and_padded_certificates_are_der_errors() {
    let (_, der) = mint(&ci_identity(), LeafOptions::default());
    for cut in [1, 10, der.len() / 2, der.len() - 1] {
        let err = decode_certificate(&der[..cut]).unwrap_err();
        assert!(matches!(err, DecodeError::Der { .. }), "{cut}: {err}");
    }
    let mut padded = der.clone();
    padded.push(0);
    let err = decode_certificate(&padded).unwrap_err();
    assert!(err.to_string().contains("1 trailing bytes"), "{err}");
}

#[rstest]
#[case::no_blocks("just text", "no PEM blocks")]
#[case::bad_base64(
    "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    "malformed PEM"
)]
#[case::wrong_label(
    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    "\"PUBLIC KEY\""
)]
#[case::not_a_certificate(
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    "chain: certificate 0: malformed DER"
)]
fn malformed_pem_is_refused(#[case] pem: &str, #[case] expected: &str) {
    let err = decode_pem_certificates("chain", pem).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
}

#[rstest]
#[case::not_octet_string(&[0x04, 0x01], "not a DER OCTET STRING")]
#[case::empty_list(&[0x04, 0x02, 0x00, 0x00], "empty")]
#[case::list_longer_than_data(&[0x04, 0x03, 0x00, 0x05, 0x00], "sct list: needs 5 bytes")]
#[case::sct_too_short(&[0x04, 0x05, 0x00, 0x03, 0x00, 0x01, 0x00], "sct 0: log id")]
#[case::trailing_after_list(&[0x04, 0x03, 0x00, 0x00, 0xff], "trailing")]
fn garbage_sct_lists_are_described(#[case] value: &[u8], #[case] expected: &str) {
    let err = sct::decode_sct_list(value).unwrap_err();
    assert!(err.contains(expected), "{err}");
}

#[test]
fn unknown_and_undecodable_fulcio_arcs_are_kept_in_hex() {
    let unknown = extensions::fulcio_claim("1.3.6.1.4.1.57264.1.99", b"\x0c\x01x").unwrap();
    assert_eq!(
        (unknown.name.as_str(), unknown.value.as_str()),
        ("unknown", "0c0178")
    );
    // .8 must be a DER UTF8String; raw bytes are not.
    let bad = extensions::fulcio_claim("1.3.6.1.4.1.57264.1.8", b"https://x").unwrap();
    assert_eq!(bad.name, "unknown");
    assert_eq!(bad.value, hex::encode(b"https://x"));
    // .1 must be UTF-8.
    let bad_utf8 = extensions::fulcio_claim("1.3.6.1.4.1.57264.1.1", &[0xff, 0xfe]).unwrap();
    assert_eq!(
        (bad_utf8.name.as_str(), bad_utf8.value.as_str()),
        ("unknown", "fffe")
    );
    assert!(extensions::fulcio_claim("1.3.6.1.4.1.57264.10", b"").is_none());
    assert!(extensions::fulcio_claim("2.5.29.17", b"").is_none());
}

#[test]
fn view_serialises_der_as_base64() {
    let (_, der) = mint(&ci_identity(), LeafOptions::default());
    let json = serde_json::to_value(decode_certificate(&der).unwrap()).unwrap();
    use base64::Engine as _;
    assert_eq!(
        json["der"],
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    assert_eq!(json["sans"][0]["kind"], "uri");
}

#[test]
fn a_chain_longer_than_the_limit_is_refused_as_a_limit() {
    let s = VirtualSigstore::new("limits", AT).unwrap();
    let two = s.ca.chain_pem();
    let err = decode_pem_certificates("chain", &two.repeat(MAX_CHAIN_LENGTH / 2 + 1))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("limit reached: 18 certificates exceed the limit of 16"),
        "{err}"
    );
    let at_limit = decode_pem_certificates("chain", &two.repeat(MAX_CHAIN_LENGTH / 2)).unwrap();
    assert_eq!(at_limit.len(), MAX_CHAIN_LENGTH);
}
