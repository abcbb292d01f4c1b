//! The scenario repository, checked with real cosign and oras: every tag says what the scenario
//! table claims, so later tests can rely on it as ground truth.

use std::process::Command;

use sigscope::fixture::GITHUB_ISSUER;

use crate::support::scenario::{
    BUNDLE_MEDIA_TYPE, CI_IDENTITY_REGEXP, HUMAN_EMAIL, HUMAN_ISSUER, Scenario, TagCase,
};
use crate::support::tools::{Tools, Verdict, run_ok, verdict};

fn keyless(scenario: &Scenario) -> Command {
    let mut cmd = Tools::get().cosign();
    for (var, path) in scenario.trust.env() {
        cmd.env(var, path);
    }
    cmd
}

fn verify_ci(scenario: &Scenario, image: &str) -> Verdict {
    verdict(keyless(scenario).args([
        "verify",
        "--offline",
        "--allow-http-registry",
        "--certificate-identity-regexp",
        CI_IDENTITY_REGEXP,
        "--certificate-oidc-issuer",
        GITHUB_ISSUER,
        image,
    ]))
}

fn verify_human(scenario: &Scenario, image: &str) -> Verdict {
    verdict(keyless(scenario).args([
        "verify",
        "--offline",
        "--allow-http-registry",
        "--certificate-identity",
        HUMAN_EMAIL,
        "--certificate-oidc-issuer",
        HUMAN_ISSUER,
        image,
    ]))
}

fn verify_key(scenario: &Scenario, image: &str) -> Verdict {
    verdict(
        Tools::get()
            .cosign()
            .args([
                "verify",
                "--offline",
                "--allow-http-registry",
                "--insecure-ignore-tlog",
                "--key",
            ])
            .arg(&scenario.cosign_public_key)
            .arg(image),
    )
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

#[test]
fn scenario_has_a_dozen_tags_and_the_cosign_and_referrer_tags() {
    let scenario = Scenario::shared();
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
        // OCI 1.1 referrers tag schema: the fallback index for bundle referrers.
        stem("v2.1.0"),
        stem("v1.4.0"),
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
}

#[test]
fn cosign_verdicts_for_the_ci_identity_match_the_scenario() {
    let scenario = Scenario::shared();
    for (case, v) in over_cases(scenario, |c| verify_ci(scenario, &scenario.image(c.tag))) {
        assert_eq!(
            v.accepted, case.verifies_ci,
            "{} with CI identity: {}",
            case.tag, v.output
        );
    }
}

#[test]
fn cosign_verdicts_for_the_human_identity_match_the_scenario() {
    let scenario = Scenario::shared();
    for (case, v) in over_cases(scenario, |c| verify_human(scenario, &scenario.image(c.tag))) {
        assert_eq!(
            v.accepted, case.verifies_human,
            "{} with human identity: {}",
            case.tag, v.output
        );
    }
}

#[test]
fn cosign_verdicts_for_the_key_match_the_scenario() {
    let scenario = Scenario::shared();
    for (case, v) in over_cases(scenario, |c| verify_key(scenario, &scenario.image(c.tag))) {
        assert_eq!(
            v.accepted, case.verifies_key,
            "{} with key: {}",
            case.tag, v.output
        );
    }
}

#[test]
fn failures_happen_for_the_reason_the_scenario_intends() {
    let scenario = Scenario::shared();
    let rogue = verify_ci(scenario, &scenario.image("v1.7.0"));
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

#[test]
fn legacy_attestations_verify_with_the_key_by_type() {
    let scenario = Scenario::shared();
    let attest = |tag: &str, kind: &str| {
        verdict(
            Tools::get()
                .cosign()
                .args([
                    "verify-attestation",
                    "--offline",
                    "--allow-http-registry",
                    "--insecure-ignore-tlog",
                    "--key",
                ])
                .arg(&scenario.cosign_public_key)
                .args(["--type", kind, &scenario.image(tag)]),
        )
    };
    let case = scenario.case("v1.5.0");
    assert_eq!(case.key_attestations.len(), 4);
    for kind in &case.key_attestations {
        let v = attest("v1.5.0", kind);
        assert!(v.accepted, "v1.5.0 --type {kind}: {}", v.output);
    }
    let v = attest("v1.0.0", "slsaprovenance1");
    assert!(!v.accepted, "v1.0.0 has no attestation: {}", v.output);
}

#[test]
fn bundle_referrers_verify_with_cosign_new_bundle_format() {
    let scenario = Scenario::shared();
    // Real cosign wrote this one (key-signed SLSA v1 bundle referrer).
    let v = verdict(
        Tools::get()
            .cosign()
            .args([
                "verify-attestation",
                "--new-bundle-format",
                "--insecure-ignore-tlog",
                "--allow-http-registry",
                "--key",
            ])
            .arg(&scenario.cosign_public_key)
            .arg("--trusted-root")
            .arg(&scenario.trusted_root)
            .args(["--type", "slsaprovenance1", &scenario.image("v1.4.0")]),
    );
    assert!(v.accepted, "v1.4.0 bundle referrer: {}", v.output);
    // The fixture's keyless cosign-v3-style bundle, attached with oras. cosign 2.5 insists on
    // its public TUF mirror for Fulcio roots on this path even with --trusted-root, so the
    // bundle is fetched from the registry and checked with sigstore-go instead (offline).
    let case = scenario.case("v2.1.0");
    assert!(case.keyless_bundle_referrer);
    let bundle = fetch_referrer_bundle(scenario, "v2.1.0");
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
    assert!(v.accepted, "v2.1.0 keyless bundle referrer: {}", v.output);
    let statement = std::fs::read_to_string(&bundle).unwrap();
    assert!(statement.contains("dsseEnvelope"), "{statement}");
}

/// Follows the referrers fallback tag of `tag` to its bundle blob and saves it to a file.
fn fetch_referrer_bundle(scenario: &Scenario, tag: &str) -> std::path::PathBuf {
    let fallback = format!(
        "{}:{}",
        scenario.repository,
        scenario.case(tag).digest.cosign_tag_stem()
    );
    let index: serde_json::Value = serde_json::from_str(&run_ok(Tools::get().oras().args([
        "manifest",
        "fetch",
        "--plain-http",
        &fallback,
    ])))
    .unwrap();
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
