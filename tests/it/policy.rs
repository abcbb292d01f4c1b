//! `sigscope policy eval|generate` on the scenario repository in the real registry: each
//! policy admits exactly the tags real `cosign verify` accepts with the same identity, each
//! denial names its failing check, and generated policies (and cosign command lines) admit
//! their signer and deny another.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use sigscope_core::fixture::GITHUB_ISSUER;

use crate::support::registry::RegistryKind;
use crate::support::scenario::{CI_IDENTITY_REGEXP, HUMAN_EMAIL, HUMAN_ISSUER, Scenario};
use crate::support::tools::{Tools, verdict};

fn work() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("sigscope-policy-")
            .tempdir()
            .unwrap()
            .keep()
    })
}

/// Writes `text` to a file of its own (tests run in parallel, on both registries, and each
/// writes its own policy: one name, one file would race).
pub(crate) fn write(name: &str, text: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = work().join(NEXT.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn sigscope() -> Command {
    crate::support::sigscope()
}

/// `sigscope policy eval --output json`: the exit code and the document.
pub(crate) fn eval(scenario: &Scenario, policy: &Path, target: &str) -> (Option<i32>, Value) {
    let out = sigscope()
        .args([
            "policy",
            "eval",
            "--output",
            "json",
            "--allow-http-registry",
        ])
        .arg("--policy")
        .arg(policy)
        .arg("--trusted-root")
        .arg(&scenario.trusted_root)
        .arg(target)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), doc)
}

pub(crate) fn decisions(doc: &Value) -> BTreeMap<String, Value> {
    doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tag"].as_str().unwrap().to_owned(), t.clone()))
        .collect()
}

/// What real cosign says about every scenario tag with these identity flags, reading the legacy
/// `.sig` tags only: what policy-controller (without `signatureFormat: bundle`) and Kyverno's
/// `type: Cosign` read, and cosign v3 with `--new-bundle-format=false`.
pub(crate) fn cosign_verdicts(scenario: &Scenario, args: &[&str]) -> BTreeMap<&'static str, bool> {
    std::thread::scope(|s| {
        let handles: Vec<_> = scenario
            .tags
            .iter()
            .map(|c| {
                let image = scenario.image(c.tag);
                (
                    c.tag,
                    s.spawn(move || {
                        let mut cmd = Tools::get().cosign();
                        for (var, path) in scenario.trust.env() {
                            cmd.env(var, path);
                        }
                        cmd.args([
                            "verify",
                            "--offline",
                            "--allow-http-registry",
                            "--new-bundle-format=false",
                        ])
                        .args(args)
                        .arg(image);
                        verdict(&mut cmd).accepted
                    }),
                )
            })
            .collect();
        handles
            .into_iter()
            .map(|(t, h)| (t, h.join().unwrap()))
            .collect()
    })
}

/// Every scenario tag is admitted exactly when cosign accepts it; every denial carries failing
/// checks. Returns the decisions by tag.
pub(crate) fn assert_agrees_with_cosign(
    what: &str,
    doc: &Value,
    cosign: &BTreeMap<&'static str, bool>,
) -> BTreeMap<String, Value> {
    let tags = decisions(doc);
    for (tag, accepted) in cosign {
        let d = tags
            .get(*tag)
            .unwrap_or_else(|| panic!("{what}: no decision for {tag}: {doc:#}"));
        let expected = if *accepted { "admitted" } else { "denied" };
        assert_eq!(d["decision"], expected, "{what} {tag}: {d:#}");
        if !accepted {
            let failures = all_failures(d);
            assert!(
                !failures.is_empty(),
                "{what} {tag}: no failing check: {d:#}"
            );
        }
        crate::support::report(
            "policy.log",
            &format!("{what} {tag}: cosign and sigscope policy eval both {expected}"),
        );
    }
    assert!(
        cosign.values().any(|a| *a) && cosign.values().any(|a| !*a),
        "{what}: the scenario must have tags on both sides"
    );
    tags
}

/// Every failed check of every authority: (check, expected, actual, reason).
pub(crate) fn all_failures(decision: &Value) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut out = Vec::new();
    for rule in decision["rules"].as_array().unwrap() {
        for group in rule["groups"].as_array().unwrap() {
            for a in group["authorities"].as_array().unwrap() {
                for f in a["failures"].as_array().into_iter().flatten() {
                    out.push((
                        s(&f["check"]),
                        s(&f["expected"]),
                        s(&f["actual"]),
                        s(&f["reason"]),
                    ));
                }
            }
        }
    }
    out
}

pub(crate) fn has_failure(d: &Value, check: &str, actual_contains: &str) -> bool {
    all_failures(d).iter().any(|(c, _, actual, reason)| {
        c == check && (actual.contains(actual_contains) || reason.contains(actual_contains))
    })
}

pub(crate) fn ci_cosign(scenario: &Scenario) -> &'static BTreeMap<&'static str, bool> {
    static CI: OnceLock<BTreeMap<&'static str, bool>> = OnceLock::new();
    CI.get_or_init(|| {
        cosign_verdicts(
            scenario,
            &[
                "--certificate-identity-regexp",
                CI_IDENTITY_REGEXP,
                "--certificate-oidc-issuer",
                GITHUB_ISSUER,
            ],
        )
    })
}

/// The CI denials name the check that failed.
pub(crate) fn assert_ci_denials_named(what: &str, tags: &BTreeMap<String, Value>) {
    assert!(
        has_failure(&tags["v1.6.0"], "identity", HUMAN_EMAIL),
        "{what} v1.6.0: {:#}",
        tags["v1.6.0"]
    );
    assert!(
        has_failure(&tags["v1.7.0"], "chain", ""),
        "{what} v1.7.0: {:#}",
        tags["v1.7.0"]
    );
    assert!(
        has_failure(&tags["v1.9.0-rc1"], "signature", "no signatures found"),
        "{what} v1.9.0-rc1: {:#}",
        tags["v1.9.0-rc1"]
    );
    assert!(
        has_failure(&tags["v2.2.0-mismatched"], "payload digest", ""),
        "{what}: {:#}",
        tags["v2.2.0-mismatched"]
    );
    assert!(
        has_failure(&tags["v2.3.0-tampered"], "signature", ""),
        "{what}: {:#}",
        tags["v2.3.0-tampered"]
    );
}

#[rstest::rstest]
fn a_cluster_image_policy_for_the_ci_identity_admits_what_cosign_accepts(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let policy = write(
        &format!("{kind:?}-ci-cip.yaml"),
        &format!(
            "apiVersion: policy.sigstore.dev/v1beta1\n\
             kind: ClusterImagePolicy\n\
             metadata:\n  name: ci-only\n\
             spec:\n  images:\n  - glob: \"{}@*\"\n  authorities:\n  - name: release-workflow\n    \
             keyless:\n      identities:\n      - issuer: {GITHUB_ISSUER}\n        subjectRegExp: '{CI_IDENTITY_REGEXP}'\n",
            scenario.repository
        ),
    );
    let (code, doc) = eval(scenario, &policy, &scenario.repository);
    let tags = assert_agrees_with_cosign("ClusterImagePolicy CI", &doc, ci_cosign(scenario));
    assert_ci_denials_named("ClusterImagePolicy", &tags);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(doc["fields"].as_array().unwrap().len(), 0, "{doc:#}");
    let admitted = &tags["v1.2.0"];
    assert!(
        admitted["reason"]
            .as_str()
            .unwrap()
            .contains("release-workflow"),
        "{admitted:#}"
    );
}

#[rstest::rstest]
fn a_kyverno_policy_for_the_ci_identity_admits_what_cosign_accepts(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let policy = write(
        &format!("{kind:?}-ci-kyverno.yaml"),
        &format!(
            "apiVersion: kyverno.io/v1\n\
             kind: ClusterPolicy\n\
             metadata:\n  name: ci-only\n\
             spec:\n  validationFailureAction: Enforce\n  rules:\n  - name: verify-ci\n    \
             match:\n      any:\n      - resources:\n          kinds: [Pod]\n    \
             verifyImages:\n    - imageReferences: [\"{}:*\"]\n      mutateDigest: false\n      verifyDigest: false\n      \
             attestors:\n      - entries:\n        - keyless:\n            subjectRegExp: '{CI_IDENTITY_REGEXP}'\n            \
             issuer: {GITHUB_ISSUER}\n            rekor:\n              url: https://rekor.sigstore.dev\n",
            scenario.repository
        ),
    );
    let (code, doc) = eval(scenario, &policy, &scenario.repository);
    let tags = assert_agrees_with_cosign("Kyverno CI", &doc, ci_cosign(scenario));
    assert_ci_denials_named("Kyverno", &tags);
    assert_eq!(code, Some(1));
    // A match on Pods by kind alone applies to every pod; the regexp caveat is reported.
    let fields = doc["fields"].to_string();
    assert!(!fields.contains("rules[0].match"), "{fields}");
    assert!(fields.contains("GO-2025-3562"), "{fields}");
}

#[rstest::rstest]
fn a_policy_json_for_the_human_email_admits_what_cosign_accepts(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let policy = write(
        &format!("{kind:?}-human-policy.json"),
        &serde_json::json!({
            "default": [{"type": "reject"}],
            "transports": {"docker": {scenario.repository.clone(): [{
                "type": "sigstoreSigned",
                "fulcio": {
                    "caPath": scenario.trust.roots,
                    "oidcIssuer": HUMAN_ISSUER,
                    "subjectEmail": HUMAN_EMAIL,
                },
                "rekorPublicKeyPath": scenario.trust.rekor_key,
                "signedIdentity": {"type": "matchRepository"},
            }]}}
        })
        .to_string(),
    );
    let cosign = cosign_verdicts(
        scenario,
        &[
            "--certificate-identity",
            HUMAN_EMAIL,
            "--certificate-oidc-issuer",
            HUMAN_ISSUER,
        ],
    );
    let (code, doc) = eval(scenario, &policy, &scenario.repository);
    let tags = assert_agrees_with_cosign("policy.json human", &doc, &cosign);
    assert_eq!(code, Some(1));
    assert!(
        has_failure(&tags["v1.0.0"], "identity", "release.yml"),
        "{:#}",
        tags["v1.0.0"]
    );
    assert!(
        has_failure(&tags["v1.8.0"], "certificate", ""),
        "{:#}",
        tags["v1.8.0"]
    );
}

#[test]
fn policy_json_signed_identity_defaults_to_the_exact_tag_which_cosign_payloads_do_not_name() {
    let scenario = Scenario::shared();
    let policy = write(
        "human-default-identity.json",
        &serde_json::json!({
            "default": [{"type": "reject"}],
            "transports": {"docker": {scenario.repository.clone(): [{
                "type": "sigstoreSigned",
                "fulcio": {"caPath": scenario.trust.roots, "oidcIssuer": HUMAN_ISSUER, "subjectEmail": HUMAN_EMAIL},
                "rekorPublicKeyPath": scenario.trust.rekor_key,
            }]}}
        })
        .to_string(),
    );
    let (_, doc) = eval(
        scenario,
        &policy,
        &format!("{}:v1.6.0", scenario.repository),
    );
    let d = &decisions(&doc)["v1.6.0"];
    assert_eq!(d["decision"], "denied", "{d:#}");
    assert!(
        has_failure(d, "signed identity", &scenario.repository),
        "{d:#}"
    );
}

/// `sigscope policy generate --from IMAGE ARGS --format F`.
pub(crate) fn generate(
    scenario: &Scenario,
    from: &str,
    args: &[&str],
    format: &str,
) -> (Option<i32>, String) {
    let out = sigscope()
        .args([
            "policy",
            "generate",
            "--allow-http-registry",
            "--from",
            from,
            "--format",
            format,
        ])
        .arg("--trusted-root")
        .arg(&scenario.trusted_root)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Runs a generated cosign command line (with the scenario's trust, offline) on `image`.
fn run_cosign_line(scenario: &Scenario, line: &str, image: &str) -> bool {
    let mut words = shlex::split(line.trim()).unwrap();
    assert_eq!(&words[..2], ["cosign", "verify"], "{line}");
    words.pop();
    let mut cmd = Tools::get().cosign();
    for (var, path) in scenario.trust.env() {
        cmd.env(var, path);
    }
    cmd.args(["verify", "--offline", "--allow-http-registry"])
        .args(&words[2..])
        .arg(image);
    verdict(&mut cmd).accepted
}

/// Generates `format` for the signer and checks it admits `admit` and denies `deny`.
pub(crate) fn round_trip(
    scenario: &Scenario,
    label: &str,
    from: &str,
    args: &[&str],
    format: &str,
    admit: &str,
    deny: &str,
) {
    let (code, text) = generate(scenario, from, args, format);
    assert_eq!(code, Some(0), "{label} {format}: {text}");
    if format == "cosign" {
        assert!(
            run_cosign_line(scenario, &text, &scenario.image(admit)),
            "{label}: cosign refuses {admit}: {text}"
        );
        assert!(
            !run_cosign_line(scenario, &text, &scenario.image(deny)),
            "{label}: cosign accepts {deny}: {text}"
        );
        crate::support::report(
            "policy.log",
            &format!("round trip {label} cosign: real cosign accepts {admit}, refuses {deny}"),
        );
        return;
    }
    let file = write(&format!("{label}.{format}"), &text);
    for (tag, expected) in [(admit, "admitted"), (deny, "denied")] {
        let (_, doc) = eval(scenario, &file, &scenario.image(tag));
        let d = doc["tags"][0].clone();
        assert_eq!(
            d["decision"], expected,
            "{label} {format} {tag}:\n{text}\n{d:#}"
        );
        if expected == "denied" {
            assert!(!all_failures(&d).is_empty(), "{d:#}");
        }
    }
    crate::support::report(
        "policy.log",
        &format!("round trip {label} {format}: admits {admit}, denies {deny}"),
    );
}

const FORMATS: &[&str] = &[
    "cosign",
    "cluster-image-policy",
    "kyverno",
    "policy-json",
    "connaisseur",
];

#[test]
fn generated_policies_for_a_keyless_email_signer_round_trip_in_all_formats() {
    let scenario = Scenario::shared();
    let from = scenario.image("v1.6.0");
    for format in FORMATS {
        round_trip(
            scenario,
            "human",
            &from,
            &["--signature", "1"],
            format,
            "v1.6.0",
            "v1.0.0",
        );
        // The same signer named by flags instead of taken from the signature.
        round_trip(
            scenario,
            "human-flags",
            &from,
            &["--identity", HUMAN_EMAIL, "--issuer", HUMAN_ISSUER],
            format,
            "v1.6.0",
            "v1.0.0",
        );
    }
}

#[test]
fn generated_policies_for_the_ci_workflow_use_an_anchored_regexp_and_round_trip() {
    let scenario = Scenario::shared();
    let from = scenario.image("v1.0.0");
    let (_, cip) = generate(
        scenario,
        &from,
        &["--signature", "1"],
        "cluster-image-policy",
    );
    assert!(
        cip.contains(r"subjectRegExp: ^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/[^/]+$"),
        "{cip}"
    );
    for format in FORMATS.iter().filter(|f| **f != "policy-json") {
        // Generated from v1.0.0's signature, it admits another release build.
        round_trip(
            scenario,
            "ci",
            &from,
            &["--signature", "1"],
            format,
            "v1.3.0",
            "v1.6.0",
        );
    }
    let (code, text) = generate(scenario, &from, &["--signature", "1"], "policy-json");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("subjectEmail"), "{text}");
}

#[test]
fn generated_policies_for_a_key_signer_round_trip_in_all_formats() {
    let scenario = Scenario::shared();
    let key = scenario.cosign_public_key.to_str().unwrap();
    let from = scenario.image("v1.8.0");
    for format in FORMATS {
        round_trip(
            scenario,
            "key",
            &from,
            &["--key", key, "--insecure-ignore-tlog"],
            format,
            "v1.8.0",
            "v1.0.0",
        );
    }
    let (code, text) = generate(scenario, &from, &["--signature", "1"], "kyverno");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("--key FILE"), "{text}");
}

#[test]
fn text_output_names_failing_checks_warnings_and_unread_fields() {
    let scenario = Scenario::shared();
    // The webhook matches resolved digests: one glob per v1.x image.
    let globs: String = scenario
        .tags
        .iter()
        .filter(|c| c.tag.starts_with("v1."))
        .map(|c| format!("  - glob: \"{}@{}\"\n", scenario.repository, c.digest))
        .collect();
    let policy = write(
        "loose.yaml",
        &format!(
            "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: loose\n\
             spec:\n  images:\n{globs}  authorities:\n  - keyless:\n      url: https://fulcio.example\n      identities:\n      \
             - issuer: {GITHUB_ISSUER}\n        subjectRegExp: acme/app\n",
        ),
    );
    let out = sigscope()
        .args(["policy", "eval", "--allow-http-registry", "--policy"])
        .arg(&policy)
        .arg("--trusted-root")
        .arg(&scenario.trusted_root)
        .arg(&scenario.repository)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("ADMIT v1.0.0"), "{text}");
    assert!(text.contains("DENY  v1.6.0"), "{text}");
    assert!(text.contains("✗ identity on tag sha256-"), "{text}");
    // v2.0.0 matches no glob: policy-controller's no-match default denies it.
    assert!(text.contains("no ClusterImagePolicy matches"), "{text}");
    assert!(text.contains("is not anchored"), "{text}");
    assert!(text.contains("authorities[0].keyless.url"), "{text}");
}

#[test]
fn a_malformed_policy_is_a_clear_error_and_exit_2() {
    let scenario = Scenario::shared();
    for (name, body, expected) in [
        (
            "bad.yaml",
            "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec: [unclosed\n",
            "YAML document 1",
        ),
        (
            "bad.json",
            "{\"default\": [{\"type\": \"sigstoreSigned\"}]}",
            "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki",
        ),
        (
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\n",
            "unsupported kind",
        ),
    ] {
        let policy = write(name, body);
        let out = sigscope()
            .args(["policy", "eval", "--allow-http-registry", "--policy"])
            .arg(&policy)
            .arg(&scenario.repository)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
