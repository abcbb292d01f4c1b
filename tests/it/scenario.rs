//! The scenario repository, checked with real cosign and oras: every tag says what the scenario
//! table claims, so later tests can rely on it as ground truth.

use rstest::rstest;
use sigscope_core::fixture::GITHUB_ISSUER;

use crate::support::cosigns::Cosign;
use crate::support::registry::RegistryKind;
use crate::support::scenario::{
    BUNDLE_MEDIA_TYPE, CI_IDENTITY_REGEXP, HUMAN_EMAIL, HUMAN_ISSUER, Scenario, TagCase, Verdicts,
};
use crate::support::tools::{Tools, Verdict, run_ok, verdict};

const CI: &[&str] = &[
    "--certificate-identity-regexp",
    CI_IDENTITY_REGEXP,
    "--certificate-oidc-issuer",
    GITHUB_ISSUER,
];
const HUMAN: &[&str] = &[
    "--certificate-identity",
    HUMAN_EMAIL,
    "--certificate-oidc-issuer",
    HUMAN_ISSUER,
];

fn verify_ci(scenario: &Scenario, image: &str) -> Verdict {
    Cosign::V3.verify(scenario, "verify", CI, image)
}

fn key_args(scenario: &Scenario) -> Vec<String> {
    vec![
        "--insecure-ignore-tlog".into(),
        "--key".into(),
        scenario.cosign_public_key.display().to_string(),
    ]
}

/// Runs `f` over every tag case concurrently (cosign takes a few hundred ms per run).
fn over_cases<T: Send>(
    scenario: &Scenario,
    f: impl Fn(&TagCase) -> T + Sync,
) -> Vec<(&TagCase, T)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = scenario
            .tags
            .iter()
            .map(|case| (case, s.spawn(|| f(case))))
            .collect();
        handles
            .into_iter()
            .map(|(c, h)| (c, h.join().unwrap()))
            .collect()
    })
}

/// Both cosigns' `verify` on every tag with `args`, against the verdict `pick` takes from the
/// scenario's table for each.
fn cosign_verdicts_match(
    kind: RegistryKind,
    args: &[&str],
    label: &str,
    pick: fn(Verdicts) -> bool,
) {
    let scenario = Scenario::on(kind);
    for cosign in Cosign::BOTH {
        for (case, v) in over_cases(scenario, |c| {
            cosign.verify(scenario, "verify", args, &scenario.image(c.tag))
        }) {
            assert_eq!(
                v.accepted,
                pick(cosign.expected(case)),
                "{kind}: {} on {} with {label}: {}",
                cosign.name(),
                case.tag,
                v.output
            );
        }
    }
}

#[rstest]
fn scenario_has_a_dozen_tags_and_the_cosign_and_referrer_tags(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let out =
        run_ok(
            Tools::get()
                .oras()
                .args(["repo", "tags", "--plain-http", &scenario.repository]),
        );
    let tags: Vec<&str> = out.lines().collect();
    let image_tags: Vec<&&str> = tags.iter().filter(|t| !t.starts_with("sha256-")).collect();
    assert!(image_tags.len() >= 12, "{image_tags:?}");
    let stem = |tag: &str| scenario.case(tag).digest.cosign_tag_stem();
    for expected in [
        format!("{}.sig", stem("v1.0.0")),
        format!("{}.att", stem("v1.5.0")),
        format!("{}.sbom", stem("v1.5.0")),
        format!("{}.sig", stem("v2.0.0")),
        format!("{}.sig", stem("v2.2.0-mismatched")),
        format!("{}.sig", scenario.orphan_subject.cosign_tag_stem()),
    ] {
        assert!(
            tags.contains(&expected.as_str()),
            "missing tag {expected} in {tags:?}"
        );
    }
    assert!(
        !tags.iter().any(|t| t.starts_with(&stem("v1.9.0-rc1"))),
        "unsigned tag has artifacts"
    );
    // OCI 1.1 referrers: the fallback index tag `sha256-<hex>` where the registry has no
    // referrers API, none where it has one (the registry keeps the list).
    for tag in ["v2.1.0", "v1.4.0", "v3.0.0", "v3.3.0-oci11"] {
        assert_eq!(
            tags.contains(&stem(tag).as_str()),
            !kind.has_referrers_api(),
            "{kind}: referrers fallback tag of {tag} in {tags:?}"
        );
    }
}

/// The registry with the referrers API answers it with an OCI index of the attached
/// artifacts, as the distribution spec's "Listing Referrers" says; the other answers 404.
#[rstest]
fn the_referrers_api_answers_on_olareg_and_is_absent_on_distribution(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let registry = crate::support::registry::Registry::shared_of(kind);
    let (_, repository) = scenario.repository.split_once('/').unwrap();
    let digest = &scenario.case("v3.0.0").digest;
    let (status, content_type, body) =
        registry.get(&format!("/v2/{repository}/referrers/{digest}"));
    if !kind.has_referrers_api() {
        assert_eq!(status, 404, "{kind}: {body}");
        return;
    }
    assert_eq!(status, 200, "{kind}: {body}");
    assert_eq!(content_type, "application/vnd.oci.image.index.v1+json");
    let index: serde_json::Value = serde_json::from_str(&body).unwrap();
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 1, "{index:#}");
    assert_eq!(manifests[0]["artifactType"], BUNDLE_MEDIA_TYPE);
    assert_eq!(
        manifests[0]["annotations"]["dev.sigstore.bundle.predicateType"],
        "https://sigstore.dev/cosign/sign/v1"
    );
}

#[rstest]
fn cosign_verdicts_for_the_ci_identity_match_the_scenario(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    cosign_verdicts_match(kind, CI, "CI identity", |v| v.ci);
}

#[rstest]
fn cosign_verdicts_for_the_human_identity_match_the_scenario(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    cosign_verdicts_match(kind, HUMAN, "human identity", |v| v.human);
}

#[rstest]
fn cosign_verdicts_for_the_key_match_the_scenario(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let args = key_args(scenario);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cosign_verdicts_match(kind, &args, "key", |v| v.key);
}

#[test]
fn failures_happen_for_the_reason_the_scenario_intends() {
    let scenario = Scenario::shared();
    // cosign v3 checks the leaf against the trusted root with sigstore-go; cosign 2.5 with Go's
    // x509 pools.
    let rogue = verify_ci(scenario, &scenario.image("v1.7.0"));
    assert!(
        rogue
            .output
            .contains("leaf certificate verification failed"),
        "{}",
        rogue.output
    );
    let rogue = Cosign::V2.verify(scenario, "verify", CI, &scenario.image("v1.7.0"));
    assert!(
        rogue
            .output
            .contains("certificate signed by unknown authority"),
        "{}",
        rogue.output
    );
    let mismatched = verify_ci(scenario, &scenario.image("v2.2.0-mismatched"));
    assert!(
        mismatched
            .output
            .contains("invalid or missing digest in claim"),
        "{}",
        mismatched.output
    );
    let tampered = verify_ci(scenario, &scenario.image("v2.3.0-tampered"));
    // The stored payload no longer hashes to what the Rekor entry logged.
    assert!(
        tampered.output.contains("matching bundle to payload"),
        "{}",
        tampered.output
    );
    let unsigned = verify_ci(scenario, &scenario.image("v1.9.0-rc1"));
    assert!(
        unsigned.output.contains("no signatures found"),
        "{}",
        unsigned.output
    );
}

#[rstest]
fn attestations_verify_with_the_key_by_type(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let attest = |tag: &str, kind: &str| {
        let mut args = key_args(scenario);
        args.extend(["--type".to_owned(), kind.to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Cosign::V3.verify(scenario, "verify-attestation", &args, &scenario.image(tag))
    };
    let case = scenario.case("v1.5.0");
    assert_eq!(case.key_attestations.len(), 4);
    for c in &scenario.tags {
        for kind in &c.key_attestations {
            let v = attest(c.tag, kind);
            assert!(v.accepted, "{} --type {kind}: {}", c.tag, v.output);
        }
    }
    let v = attest("v1.0.0", "slsaprovenance1");
    assert!(!v.accepted, "v1.0.0 has no attestation: {}", v.output);
    // cosign v3 reads bundles first: v3.0.0's sign bundle is no SLSA attestation.
    let v = attest("v3.0.0", "slsaprovenance1");
    assert!(!v.accepted, "v3.0.0 has no SLSA attestation: {}", v.output);
}

#[rstest]
fn keyless_bundle_referrers_verify_with_cosign_v3_and_sigstore_go(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    for tag in ["v2.1.0", "v3.1.0"] {
        let case = scenario.case(tag);
        assert!(case.keyless_bundle_referrer);
        let v = Cosign::V3.verify(scenario, "verify", CI, &scenario.image(tag));
        assert!(v.accepted, "{kind}: cosign v3 on {tag}: {}", v.output);
        // The same bundle, fetched from the registry, checked by sigstore-go 1.x offline.
        let bundle = fetch_referrer_bundle(scenario, tag);
        let v = verdict(
            Tools::get()
                .sigstore_go_verification()
                .arg("-trustedrootJSONpath")
                .arg(&scenario.trusted_root)
                .args([
                    "-expectedIssuer",
                    GITHUB_ISSUER,
                    "-expectedSANRegex",
                    CI_IDENTITY_REGEXP,
                ])
                .args(["-artifact-digest", case.digest.hex()])
                .arg(&bundle),
        );
        assert!(v.accepted, "{kind}: sigstore-go on {tag}: {}", v.output);
        let statement = std::fs::read_to_string(&bundle).unwrap();
        assert!(statement.contains("dsseEnvelope"), "{statement}");
    }
}

/// Follows the referrers of `tag` (API or fallback tag, as oras discovers them) to its bundle
/// blob and saves it to a file.
fn fetch_referrer_bundle(scenario: &Scenario, tag: &str) -> std::path::PathBuf {
    let subject = format!("{}@{}", scenario.repository, scenario.case(tag).digest);
    let index: serde_json::Value = serde_json::from_str(&run_ok(Tools::get().oras().args([
        "discover",
        "--plain-http",
        "--distribution-spec",
        scenario.kind().oras_distribution_spec(),
        "--artifact-type",
        BUNDLE_MEDIA_TYPE,
        "--format",
        "json",
        &subject,
    ])))
    .unwrap();
    let index = serde_json::json!({"manifests": index["manifests"].clone()});
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&run_ok(Tools::get().oras().args([
        "manifest",
        "fetch",
        "--plain-http",
        &format!("{}@{manifest_digest}", scenario.repository),
    ])))
    .unwrap();
    assert_eq!(manifest["artifactType"], BUNDLE_MEDIA_TYPE);
    assert_eq!(
        manifest["subject"]["digest"],
        scenario.case(tag).digest.to_string()
    );
    let layer = manifest["layers"][0]["digest"].as_str().unwrap();
    let out = scenario.work.join(format!("{tag}-fetched.sigstore.json"));
    run_ok(
        Tools::get()
            .oras()
            .args(["blob", "fetch", "--plain-http", "--output"])
            .arg(&out)
            .arg(format!("{}@{layer}", scenario.repository)),
    );
    out
}
