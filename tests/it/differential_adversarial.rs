//! Adversarial material, attached to a real registry by real cosign, verified by cosign v3 (the
//! reference, verdict asserted), cosign 2.5 (recorded) and sigscope (issue 17). Each class
//! either agrees with cosign v3, or differs in the one documented direction (SECURITY.md,
//! "Where sigscope differs from cosign v3").

use std::path::Path;
use std::process::Command;

use sigscope_core::fixture::{
    CaOptions, CertificateAuthority as FixtureCa, CosignTrustFiles, ExtraSan, Identity,
    KeylessSignature, LeafOptions, San, SigningOptions, VirtualSigstore, hashedrekord_body,
};

use crate::differential::{Run, agree};
use crate::differential_faults::{both, failed_checks, fresh_image, identity, sigstore};
use crate::support::SIGNED_AT;
use crate::support::publish::{attach_signature_files, cosign_payload};
use crate::support::tools::{Tools, run_ok};

fn leaf(l: LeafOptions) -> SigningOptions {
    SigningOptions {
        leaf: l,
        ..SigningOptions::default()
    }
}

/// Signs `image`'s cosign payload (or `payload`) as `id` and attaches it with real cosign.
fn attach(
    s: &mut VirtualSigstore,
    id: &Identity,
    image: &str,
    options: SigningOptions,
    payload: Option<Vec<u8>>,
    work: &Path,
) -> KeylessSignature {
    let payload = payload.unwrap_or_else(|| cosign_payload(image));
    let sig = s.sign(id, &payload, SIGNED_AT, options).unwrap();
    attach_signature_files(&s.ca.chain_pem(), &sig, &payload, image, work);
    sig
}

/// A documented difference: cosign v3 says `cosign_accepts`, sigscope the opposite, each
/// asserted (not counted as agreement).
fn differs_deliberately(what: &str, cosign: &Run, sigscope: &Run, cosign_accepts: bool) {
    assert_eq!(
        cosign.accepted, cosign_accepts,
        "{what}: cosign v3\n{}",
        cosign.output
    );
    assert_eq!(
        sigscope.accepted, !cosign_accepts,
        "{what}: sigscope\n{}",
        sigscope.output
    );
    assert!(
        matches!(sigscope.exit, Some(0 | 1)),
        "{what}: {}",
        sigscope.output
    );
    eprintln!("documented difference: {what}: cosign v3 accepts={cosign_accepts}");
    crate::support::report(
        "differential.log",
        &format!("{what}: documented difference, cosign v3 accepts={cosign_accepts}"),
    );
}

/// One keyless case on a fresh image: sign with `options`, verify with `extra`.
fn case(name: &str, options: SigningOptions, extra: &[&str]) -> (Run, Run, serde_json::Value) {
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let image = fresh_image(name);
    attach(&mut s, &identity(), &image, options, None, work.path());
    let trust = s.write_cosign_trust(work.path()).unwrap();
    both(&image, &trust, extra)
}

#[test]
fn a_leaf_with_an_unknown_critical_extension_is_rejected_by_both() {
    let options = leaf(LeafOptions {
        unknown_critical_extension: true,
        ..LeafOptions::default()
    });
    let (c, g, json) = case("adv-critical", options, &[]);
    agree(
        "adversarial: unknown critical extension in the leaf",
        &c,
        &g,
    );
    assert!(!g.accepted);
    assert!(
        failed_checks(&json).contains(&"chain".to_owned()),
        "{}",
        g.output
    );
}

#[test]
fn issuer_extensions_that_disagree_verify_for_neither_issuer() {
    let options = leaf(LeafOptions {
        deprecated_issuer: Some("https://evil.example"),
        ..LeafOptions::default()
    });
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let image = fresh_image("adv-issuers");
    attach(&mut s, &identity(), &image, options, None, work.path());
    let trust = s.write_cosign_trust(work.path()).unwrap();
    let id = identity();
    // The .8 issuer: cosign v3's legacy path reads .1 only, and rejects too.
    let (c, g, json) = both(&image, &trust, &[]);
    agree("adversarial: .1/.8 disagree, .8's issuer asked", &c, &g);
    assert!(failed_checks(&json).contains(&"issuer".to_owned()));
    assert!(
        g.output.contains("conflicting issuer extensions"),
        "{}",
        g.output
    );
    // The .1 issuer: cosign v3 (legacy path) accepts it; sigscope trusts neither.
    let run = |issuer: &str| {
        let setup = |cmd: &mut Command| {
            for (var, path) in trust.env() {
                cmd.env(var, path);
            }
            cmd.args(["verify", "--offline", "--allow-http-registry"])
                .args(["--certificate-identity", id.san.value()])
                .args(["--certificate-oidc-issuer", issuer])
                .arg(&image);
        };
        let mut g = crate::support::sigscope();
        setup(&mut g);
        (Run::cosigns(|_, cmd| setup(cmd)), Run::sigscope(&mut g))
    };
    let (c, g) = run("https://evil.example");
    differs_deliberately(
        "adversarial: .1/.8 disagree, .1's issuer asked",
        &c,
        &g,
        true,
    );
}

#[test]
fn a_certificate_with_only_the_current_issuer_extension_follows_fulcio() {
    let options = leaf(LeafOptions {
        only_issuer_arc: Some(8),
        ..LeafOptions::default()
    });
    let (c, g, _) = case("adv-only-8", options, &[]);
    // cosign v3's legacy path reads only .1: no issuer, rejected. Fulcio's spec: .8 is the
    // issuer; sigscope accepts (SECURITY.md).
    differs_deliberately(
        "adversarial: only the .8 issuer, legacy .sig",
        &c,
        &g,
        false,
    );
}

#[test]
fn a_ca_certificate_as_signer_is_refused_deliberately() {
    let options = leaf(LeafOptions {
        ca: true,
        ..LeafOptions::default()
    });
    let (c, g, _) = case("adv-ca-leaf", options, &[]);
    differs_deliberately("adversarial: CA:TRUE leaf", &c, &g, true);
}

#[test]
fn the_san_that_matched_is_named_and_go_printed_forms_compare() {
    let options = leaf(LeafOptions {
        extra_sans: &[
            ExtraSan::Email("first@example.com"),
            ExtraSan::Ip(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]),
        ],
        extra_sans_first: true,
        ..LeafOptions::default()
    });
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let image = fresh_image("adv-sans");
    let mut id = identity();
    let lower = id.san.value().to_owned();
    id.san = San::Uri(lower.replacen("https://", "HTTPS://", 1));
    attach(&mut s, &id, &image, options, None, work.path());
    let trust = s.write_cosign_trust(work.path()).unwrap();
    for (identity, ok) in [
        (lower.as_str(), true),
        ("10.1.2.3", true),
        ("::ffff:10.1.2.3", false),
        ("first@example.com", true),
    ] {
        let (c, g) = verify_as(&image, &trust, identity, &id.issuer);
        agree(&format!("adversarial: SAN {identity}"), &c, &g);
        assert_eq!(g.accepted, ok, "{identity}: {}", g.output);
        if ok {
            let headline = g
                .output
                .lines()
                .find(|l| l.contains("signer"))
                .unwrap_or("");
            assert!(headline.contains(identity), "{identity}: {}", g.output);
        }
    }
}

fn verify_as(image: &str, trust: &CosignTrustFiles, identity: &str, issuer: &str) -> (Run, Run) {
    let setup = |cmd: &mut Command| {
        for (var, path) in trust.env() {
            cmd.env(var, path);
        }
        cmd.args(["verify", "--offline", "--allow-http-registry"])
            .args(["--certificate-identity", identity])
            .args(["--certificate-oidc-issuer", issuer])
            .arg(image);
    };
    let mut g = crate::support::sigscope();
    setup(&mut g);
    (Run::cosigns(|_, cmd| setup(cmd)), Run::sigscope(&mut g))
}

#[test]
fn go_regexp_syntax_means_the_same() {
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let image = fresh_image("adv-regexp");
    let id = identity();
    attach(
        &mut s,
        &id,
        &image,
        SigningOptions::default(),
        None,
        work.path(),
    );
    let trust = s.write_cosign_trust(work.path()).unwrap();
    for (pattern, ok) in [
        (r"^\Qhttps://github.com/acme/faults/\E", true),
        (r"^https://github\056com/acme/", true),
        (r"(?i)^HTTPS://GITHUB\.COM/ACME/FAULTS/.*$", true),
        (
            r"^https://github\.com/acme/faults/\.github/workflows/release\.yml@refs/tags/v\d\.\d\.\d$",
            true,
        ),
        (r"^\Qhttps://github.com/acme/other\E", false),
    ] {
        let setup = |cmd: &mut Command| {
            for (var, path) in trust.env() {
                cmd.env(var, path);
            }
            cmd.args(["verify", "--offline", "--allow-http-registry"])
                .args(["--certificate-identity-regexp", pattern])
                .args(["--certificate-oidc-issuer", &id.issuer])
                .arg(&image);
        };
        let mut g = crate::support::sigscope();
        setup(&mut g);
        let (c, g) = (Run::cosigns(|_, cmd| setup(cmd)), Run::sigscope(&mut g));
        agree(&format!("adversarial: regexp {pattern}"), &c, &g);
        assert_eq!(g.accepted, ok, "{pattern}: {}", g.output);
        if pattern.starts_with("(?i)^") {
            assert!(!g.output.contains("not anchored"), "{}", g.output);
        }
    }
}

#[test]
fn typed_claims_never_match_their_text() {
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let image = fresh_image("adv-typed");
    let mut payload: serde_json::Value = serde_json::from_slice(&cosign_payload(&image)).unwrap();
    payload["optional"] = serde_json::json!({"build": 5, "env": "prod"});
    let bytes = serde_json::to_vec(&payload).unwrap();
    attach(
        &mut s,
        &identity(),
        &image,
        SigningOptions::default(),
        Some(bytes),
        work.path(),
    );
    let trust = s.write_cosign_trust(work.path()).unwrap();
    for (claim, ok) in [("build=5", false), ("env=prod", true)] {
        let (c, g, _) = both(&image, &trust, &["-a", claim]);
        agree(&format!("adversarial: typed claim -a {claim}"), &c, &g);
        assert_eq!(g.accepted, ok, "{claim}: {}", g.output);
    }
}

#[test]
fn intermediates_from_the_chain_annotation_build_the_path_and_defects_are_named() {
    for (name, options, ok, defect) in [
        ("adv-chain-ok", CaOptions::default(), true, ""),
        (
            "adv-chain-not-ca",
            CaOptions {
                intermediate_not_ca: true,
                ..CaOptions::default()
            },
            false,
            "it is not a CA",
        ),
        (
            "adv-chain-pathlen",
            CaOptions {
                root_path_len_zero: true,
                ..CaOptions::default()
            },
            false,
            "path length constraint",
        ),
        (
            "adv-chain-eku",
            CaOptions {
                intermediate_server_auth_only: true,
                ..CaOptions::default()
            },
            false,
            "does not include codeSigning",
        ),
        (
            "adv-chain-expired",
            CaOptions {
                intermediate_lifetime: Some(60),
                ..CaOptions::default()
            },
            false,
            "is valid from",
        ),
    ] {
        let work = tempfile::tempdir().unwrap();
        let mut s = sigstore();
        s.ca = FixtureCa::with_options("private fulcio", SIGNED_AT - 86_400, options).unwrap();
        let image = fresh_image(name);
        attach(
            &mut s,
            &identity(),
            &image,
            SigningOptions::default(),
            None,
            work.path(),
        );
        // The usual private-Fulcio setup: SIGSTORE_ROOT_FILE names the root only.
        let trust = s.write_cosign_trust(work.path()).unwrap();
        std::fs::write(&trust.roots, s.ca.root.pem()).unwrap();
        let (c, g, _) = both(&image, &trust, &[]);
        agree(&format!("adversarial: chain annotation, {name}"), &c, &g);
        assert_eq!(g.accepted, ok, "{name}: {}", g.output);
        assert!(g.output.contains(defect), "{name}: {}", g.output);
    }
}

#[test]
fn raw_ecdsa_signatures_and_wrapped_base64_verify_in_both() {
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let image = fresh_image("adv-raw-sig");
    let payload = cosign_payload(&image);
    let mut sig = s
        .sign(&identity(), &payload, SIGNED_AT, SigningOptions::default())
        .unwrap();
    // IEEE P1363 r‖s, logged as such (the entry must name the signature as stored).
    let der = p256::ecdsa::Signature::from_der(&sig.signature).unwrap();
    sig.signature = der.to_bytes().to_vec();
    let body = hashedrekord_body(
        &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&payload)),
        &sig.signature,
        &sig.certificate_pem(),
    );
    sig.entry = s
        .rekor
        .append(
            "hashedrekord",
            "0.0.1",
            &body,
            SIGNED_AT as i64 + 1,
            Default::default(),
        )
        .unwrap();
    attach_signature_files(&s.ca.chain_pem(), &sig, &payload, &image, work.path());
    let trust = s.write_cosign_trust(work.path()).unwrap();
    let (c, g, _) = both(&image, &trust, &[]);
    agree("adversarial: raw r||s ECDSA signature", &c, &g);
    assert!(g.accepted, "{}", g.output);
}

#[test]
fn an_attestation_whose_payload_type_is_not_in_toto_is_rejected_by_both() {
    let work = tempfile::tempdir().unwrap();
    let key = sigscope_core::fixture::FixtureKey::derive("adv/payload-type");
    std::fs::write(work.path().join("key.pub"), key.public_pem().unwrap()).unwrap();
    for (payload_type, ok) in [
        ("application/json", false),
        ("application/vnd.in-toto+json", true),
    ] {
        let image = fresh_image(&format!("adv-payload-type-{ok}"));
        let digest = image
            .rsplit('@')
            .next()
            .unwrap()
            .trim_start_matches("sha256:");
        let statement = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "subject": [{"name": "x", "digest": {"sha256": digest}}],
            "predicateType": "https://cosign.sigstore.dev/attestation/v1",
            "predicate": {"Data": "hello", "Timestamp": "2026-01-01T00:00:00Z"},
        });
        let payload = serde_json::to_vec(&statement).unwrap();
        let signature = key.sign(&sigscope::artifact::dsse::pae(payload_type, &payload));
        let envelope = sigscope::artifact::dsse::Envelope::new(payload_type, &payload, &signature);
        // cosign's own `attach attestation` refuses a non-in-toto envelope: an attacker writes
        // the `.att` manifest with any OCI client, as here with oras.
        std::fs::write(
            work.path().join("envelope.json"),
            serde_json::to_vec(&envelope).unwrap(),
        )
        .unwrap();
        std::fs::write(work.path().join("config.json"), b"{}").unwrap();
        let annotations = serde_json::json!({"envelope.json": {
            "dev.cosignproject.cosign/signature": "",
            "predicateType": "https://cosign.sigstore.dev/attestation/v1",
        }});
        std::fs::write(
            work.path().join("annotations.json"),
            serde_json::to_vec(&annotations).unwrap(),
        )
        .unwrap();
        let (repo, digest) = image.split_once('@').unwrap();
        run_ok(
            Tools::get()
                .oras()
                .current_dir(work.path())
                .args(["push", "--plain-http", "--no-tty"])
                .arg(format!("{repo}:{}.att", digest.replace(':', "-")))
                .args([
                    "--config",
                    "config.json:application/vnd.oci.image.config.v1+json",
                ])
                .args(["--annotation-file", "annotations.json"])
                .arg("envelope.json:application/vnd.dsse.envelope.v1+json"),
        );
        let setup = |cmd: &mut Command| {
            cmd.args(["verify-attestation", "--offline", "--allow-http-registry"])
                .args(["--insecure-ignore-tlog", "--type", "custom", "--key"])
                .arg(work.path().join("key.pub"))
                .arg(&image);
        };
        let mut g = crate::support::sigscope();
        setup(&mut g);
        let (c, g) = (Run::cosigns(|_, cmd| setup(cmd)), Run::sigscope(&mut g));
        agree(
            &format!("adversarial: DSSE payloadType {payload_type}"),
            &c,
            &g,
        );
        assert_eq!(g.accepted, ok, "{payload_type}: {}", g.output);
    }
}

#[test]
fn a_sig_manifest_with_zero_layers_is_no_signatures() {
    let work = tempfile::tempdir().unwrap();
    let image = fresh_image("adv-zero-layers");
    let (repo, digest) = image.split_once('@').unwrap();
    let config = work.path().join("config.json");
    std::fs::write(&config, b"{}").unwrap();
    let config_digest = format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"{}"))
    );
    run_ok(
        Tools::get()
            .oras()
            .args(["blob", "push", "--plain-http"])
            .arg(format!("{repo}@{config_digest}"))
            .arg(&config),
    );
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": 2},
        "layers": [],
    });
    let file = work.path().join("manifest.json");
    std::fs::write(&file, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let tag = format!("{}.sig", digest.replace(':', "-"));
    run_ok(
        Tools::get()
            .oras()
            .args(["manifest", "push", "--plain-http"])
            .arg(format!("{repo}:{tag}"))
            .arg(&file),
    );
    let key = sigscope_core::fixture::FixtureKey::derive("adv/zero-layers");
    std::fs::write(work.path().join("key.pub"), key.public_pem().unwrap()).unwrap();
    let setup = |cmd: &mut Command| {
        cmd.args([
            "verify",
            "--offline",
            "--allow-http-registry",
            "--insecure-ignore-tlog",
        ])
        .arg("--key")
        .arg(work.path().join("key.pub"))
        .arg(&image);
    };
    let mut g = crate::support::sigscope();
    setup(&mut g);
    let (c, g) = (Run::cosigns(|_, cmd| setup(cmd)), Run::sigscope(&mut g));
    agree("adversarial: a .sig manifest with zero layers", &c, &g);
    assert_eq!(g.exit, Some(1), "{}", g.output);
    assert!(g.output.contains("no signatures found"), "{}", g.output);
}
