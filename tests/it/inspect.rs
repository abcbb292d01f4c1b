//! `sigscope inspect` against the scenario repository in the real registry: every tag, every
//! artifact cosign and oras wrote, with what the fixture minted, found and decoded.

use std::collections::BTreeSet;

use serde_json::Value;

use rstest::rstest;

use crate::support::registry::RegistryKind;
use crate::support::scenario::{BUNDLE_MEDIA_TYPE, Minted, Scenario, Signer};

/// Runs the real binary; returns its exit code and parsed JSON.
pub fn inspect_json(args: &[&str]) -> (i32, Value) {
    let out = crate::support::sigscope()
        .args(["inspect", "--output", "json", "--allow-http-registry"])
        .args(args)
        .env_remove("DOCKER_CONFIG")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "inspect printed no JSON ({e}):\n{stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// The report of tag `name` in an inspect document.
pub fn tag<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tag"] == name)
        .unwrap_or_else(|| panic!("tag {name} missing"))
}

fn artifacts(image: &Value) -> Vec<&Value> {
    fn walk<'a>(a: &'a Value, out: &mut Vec<&'a Value>) {
        out.push(a);
        for r in a["referrers"].as_array().into_iter().flatten() {
            walk(r, out);
        }
    }
    let mut out = Vec::new();
    for a in image["artifacts"].as_array().into_iter().flatten() {
        walk(a, &mut out);
    }
    out
}

/// The certificates found in an artifact, with the log index recorded beside each.
fn certificates_and_log_indexes(artifact: &Value) -> Vec<(&Value, Option<u64>)> {
    let mut out = Vec::new();
    for layer in artifact["layers"].as_array().into_iter().flatten() {
        let content = &layer["content"];
        match content["type"].as_str() {
            Some("signature") | Some("attestation") => {
                if let Some(cert) = content["certificate"].get("ok") {
                    let index = content["rekor_bundle"]["ok"]["log_index"].as_u64();
                    out.push((cert, index));
                }
            }
            Some("bundle") => {
                let bundle = &content["bundle"]["ok"];
                let material = &bundle["verification_material"];
                let cert = match material["type"].as_str() {
                    Some("certificate_chain") => &material["value"][0],
                    _ => &material["value"],
                };
                let index = bundle["tlog_entries"][0]["log_index"].as_u64();
                out.push((cert, index));
            }
            _ => {}
        }
    }
    out
}

fn claim(cert: &Value, arc: u64) -> Option<&str> {
    cert["fulcio_claims"]
        .as_array()?
        .iter()
        .find(|c| c["arc"] == arc)?
        .get("value")?
        .as_str()
}

fn assert_minted_found(tag_name: &str, image: &Value, minted: &Minted) {
    let found: Vec<(&Value, Option<u64>)> = artifacts(image)
        .into_iter()
        .flat_map(certificates_and_log_indexes)
        .collect();
    let (cert, index) = found
        .iter()
        .find(|(c, _)| c["sans"][0]["value"] == minted.identity.san.value())
        .unwrap_or_else(|| {
            panic!(
                "{tag_name}: no certificate for {} among {:?}",
                minted.identity.san.value(),
                found.iter().map(|(c, _)| &c["sans"]).collect::<Vec<_>>()
            )
        });
    assert_eq!(*index, Some(minted.log_index), "{tag_name}: log index");
    assert_eq!(
        claim(cert, 8),
        Some(minted.identity.issuer.as_str()),
        "{tag_name}: issuer"
    );
    for (arc, value) in &minted.identity.claims {
        assert_eq!(
            claim(cert, u64::from(*arc)),
            Some(value.as_str()),
            "{tag_name}: claim .{arc}"
        );
    }
}

#[rstest]
fn inspect_reports_every_scenario_tag_with_what_was_minted(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let (code, doc) = inspect_json(&[&scenario.repository]);
    assert_eq!(doc["schema_version"], 1);
    // Every tag reads, so inspect succeeds.
    assert_eq!(code, 0, "{doc:#}");
    for case in &scenario.tags {
        let t = tag(&doc, case.tag);
        let image = &t["image"];
        assert_eq!(
            image["digest"],
            case.digest.to_string(),
            "{} digest",
            case.tag
        );
        for minted in &case.minted {
            assert_minted_found(case.tag, image, minted);
        }
        let kinds: Vec<&Value> = artifacts(image).iter().map(|a| &a["kind"]).collect();
        match case.signer {
            Signer::Nobody if !case.keyless_bundle_referrer => {
                assert!(kinds.is_empty(), "{}: {kinds:?}", case.tag)
            }
            Signer::Nobody => {}
            // A `.sig`, cosign's OCI 1.1 signature referrer, or cosign v3's bundle.
            _ => assert!(
                kinds.contains(&&Value::from("signature"))
                    || kinds.contains(&&Value::from("sigstore_bundle")),
                "{kind} {}: {kinds:?}",
                case.tag
            ),
        }
    }
}

#[rstest]
fn inspect_finds_attestations_sboms_and_bundle_referrers_with_their_routes(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let (_, doc) = inspect_json(&[&scenario.repository]);

    let v15 = &tag(&doc, "v1.5.0")["image"];
    let stem = scenario.case("v1.5.0").digest.cosign_tag_stem();
    let mut predicate_types = BTreeSet::new();
    for a in artifacts(v15)
        .into_iter()
        .filter(|a| a["kind"] == "attestation")
    {
        assert_eq!(a["found_via"]["route"], "legacy_tag");
        assert_eq!(a["found_via"]["tag"], format!("{stem}.att"));
        for layer in a["layers"].as_array().unwrap() {
            let statement = &layer["content"]["statement"]["ok"];
            predicate_types.insert(statement["predicateType"].as_str().unwrap().to_owned());
            assert_eq!(
                statement["subject"][0]["digest"]["sha256"],
                scenario.case("v1.5.0").digest.hex()
            );
        }
    }
    assert_eq!(
        predicate_types,
        BTreeSet::from([
            "https://slsa.dev/provenance/v1".to_owned(),
            "https://spdx.dev/Document".to_owned(),
            "https://cyclonedx.org/bom".to_owned(),
            crate::support::predicates::CUSTOM_PREDICATE_TYPE.to_owned(),
        ])
    );
    let sbom = artifacts(v15)
        .into_iter()
        .find(|a| a["kind"] == "sbom")
        .expect("sbom");
    assert_eq!(sbom["found_via"]["tag"], format!("{stem}.sbom"));

    // Real cosign's --new-bundle-format attestation, through the API or the fallback tag.
    let v14 = &tag(&doc, "v1.4.0")["image"];
    let bundle = artifacts(v14)
        .into_iter()
        .find(|a| a["kind"] == "sigstore_bundle")
        .expect("bundle referrer on v1.4.0");
    assert_eq!(bundle["found_via"]["route"], kind.referrers_route());
    assert_eq!(
        bundle["subject"],
        scenario.case("v1.4.0").digest.to_string()
    );

    // A notation signature, decoded.
    let v13 = &tag(&doc, "v1.3.0")["image"];
    let notation = artifacts(v13)
        .into_iter()
        .find(|a| a["kind"] == "notation_signature")
        .expect("notation referrer on v1.3.0");
    let envelope = &notation["layers"][0]["content"]["envelope"]["ok"];
    assert_eq!(envelope["signing_scheme"], "notary.x509");
    assert_eq!(
        envelope["target_artifact"]["digest"],
        scenario.case("v1.3.0").digest.to_string()
    );

    // The keyless cosign-v3-style bundle on v2.1.0.
    let v21 = &tag(&doc, "v2.1.0")["image"];
    let bundle = artifacts(v21)
        .into_iter()
        .find(|a| a["kind"] == "sigstore_bundle")
        .expect("bundle referrer on v2.1.0");
    assert_eq!(bundle["found_via"]["route"], kind.referrers_route());

    // What cosign v3 writes: bundles, and the OCI 1.1 simple-signing referrer.
    for (t, artifact_kind, artifact_type) in [
        ("v3.0.0", "sigstore_bundle", BUNDLE_MEDIA_TYPE),
        ("v3.1.0", "sigstore_bundle", BUNDLE_MEDIA_TYPE),
        ("v3.2.0", "sigstore_bundle", BUNDLE_MEDIA_TYPE),
        (
            "v3.3.0-oci11",
            "signature",
            "application/vnd.dev.cosign.artifact.sig.v1+json",
        ),
    ] {
        let image = &tag(&doc, t)["image"];
        let found: Vec<&Value> = artifacts(image)
            .into_iter()
            .filter(|a| a["kind"] == artifact_kind)
            .collect();
        assert_eq!(found.len(), 1, "{kind} {t}: {found:?}");
        assert_eq!(found[0]["artifact_type"], artifact_type, "{kind} {t}");
        assert_eq!(
            found[0]["found_via"]["route"],
            kind.referrers_route(),
            "{kind} {t}"
        );
    }
}

/// The scenario, discovered on a registry with the referrers API and on one without, gives the
/// same artifacts on every tag; only the route of referrers differs (API vs fallback tag).
#[test]
fn both_registries_discover_the_same_scenario_each_by_its_route() {
    let shape = |kind: RegistryKind| {
        let scenario = Scenario::on(kind);
        let (code, doc) = inspect_json(&[&scenario.repository]);
        assert_eq!(code, 0, "{kind}: {doc:#}");
        let mut rows = BTreeSet::new();
        for t in doc["tags"].as_array().unwrap() {
            for a in artifacts(&t["image"]) {
                let route = a["found_via"]["route"].as_str().unwrap().to_owned();
                // Legacy tags are the same everywhere; referrers come by this registry's route.
                if route != "legacy_tag" {
                    assert_eq!(route, kind.referrers_route(), "{kind}: {a:#}");
                }
                let layers = a["layers"].as_array().map_or(0, Vec::len);
                rows.insert(format!(
                    "{} {} {} {} layers={layers}",
                    t["tag"].as_str().unwrap(),
                    a["kind"],
                    a["artifact_type"],
                    if route == "legacy_tag" {
                        "legacy"
                    } else {
                        "referrer"
                    },
                ));
            }
        }
        rows
    };
    let distribution = shape(RegistryKind::Distribution);
    let olareg = shape(RegistryKind::Olareg);
    assert!(distribution.len() > 20, "{distribution:#?}");
    assert_eq!(distribution, olareg);
}

#[rstest::rstest]
fn inspect_shows_platforms_annotations_mismatches_and_orphans(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let (_, doc) = inspect_json(&[&scenario.repository]);

    let index = &tag(&doc, "v2.0.0")["image"];
    let platforms: Vec<String> = index["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                p["platform"]["os"].as_str().unwrap(),
                p["platform"]["architecture"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);
    for p in index["platforms"].as_array().unwrap() {
        assert_eq!(p["config"]["architecture"], p["platform"]["architecture"]);
    }

    let keyed = &tag(&doc, "v1.8.0")["image"];
    let sig = artifacts(keyed)
        .into_iter()
        .find(|a| a["kind"] == "signature")
        .unwrap();
    let content = &sig["layers"][0]["content"];
    assert_eq!(content["payload"]["ok"]["optional"]["env"], "prod");
    assert_eq!(content["payload"]["ok"]["optional"]["team"], "platform");
    assert!(
        content.get("certificate").is_none(),
        "a key signature has no certificate"
    );

    let mismatched = &tag(&doc, "v2.2.0-mismatched")["image"];
    let sig = artifacts(mismatched)
        .into_iter()
        .find(|a| a["kind"] == "signature")
        .unwrap();
    assert_eq!(
        sig["layers"][0]["content"]["payload"]["ok"]["critical"]["image"]["docker-manifest-digest"],
        scenario.case("v1.0.0").digest.to_string()
    );

    let orphans = doc["orphans"].as_array().unwrap();
    let orphan = orphans
        .iter()
        .find(|o| o["subject"] == scenario.orphan_subject.to_string())
        .unwrap_or_else(|| panic!("orphan missing: {orphans:#?}"));
    assert_eq!(orphan["artifacts"][0]["kind"], "signature");
}

#[rstest::rstest]
fn inspect_of_one_tag_and_of_one_digest_report_only_that_image(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let by_tag = format!("{}:v1.2.0", scenario.repository);
    let (code, doc) = inspect_json(&[&by_tag]);
    assert_eq!(code, 0);
    assert_eq!(doc["tags"].as_array().unwrap().len(), 1);
    let minted = &scenario.case("v1.2.0").minted[0];
    assert_minted_found("v1.2.0", &tag(&doc, "v1.2.0")["image"], minted);

    let (code, doc) = inspect_json(&[&scenario.image("v1.6.0")]);
    assert_eq!(code, 0);
    let only = &doc["tags"][0]["image"];
    assert_eq!(only["digest"], scenario.case("v1.6.0").digest.to_string());
}

#[rstest::rstest]
fn inspect_text_is_a_readable_tree_naming_signers_and_routes(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let out = crate::support::sigscope()
        .args(["inspect", "--allow-http-registry", &scenario.repository])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if std::env::var_os("SIGSCOPE_SHOW_OUTPUT").is_some() {
        eprintln!("{text}");
    }
    assert_eq!(out.status.code(), Some(0), "{text}");
    let ci = &scenario.case("v1.0.0").minted[0].identity;
    assert!(
        text.contains(&format!("signer     {}", ci.san.value())),
        "{text}"
    );
    assert!(text.contains("signer     alice@acme.example"), "{text}");
    assert!(text.contains("signer     a key (no certificate)"), "{text}");
    assert!(text.contains("v1.9.0-rc1"), "{text}");
    assert!(text.contains("(nothing attached)"), "{text}");
    assert!(
        text.contains("(not this image!)"),
        "the mismatched payload is flagged:\n{text}"
    );
    assert!(text.contains("index [linux/amd64, linux/arm64]"), "{text}");
    assert!(text.contains("SLSA provenance v1"), "{text}");
    let route = match kind {
        RegistryKind::Distribution => "via referrers tag sha256-",
        RegistryKind::Olareg => "via referrers API",
    };
    assert!(text.contains(route), "{text}");
    assert!(text.contains("(orphan)"), "{text}");
}
