//! Differential tests: real cosign and sigscope verify the same images in the real registry with
//! the same flags and trust, and must agree on every verdict. Each case prints its agreement;
//! the suite prints the count.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sigscope::fixture::GITHUB_ISSUER;

use crate::support::scenario::{CI_IDENTITY_REGEXP, HUMAN_EMAIL, HUMAN_ISSUER, Scenario};
use crate::support::tools::{Tools, verdict};

static AGREED: AtomicUsize = AtomicUsize::new(0);

/// The outcome of one tool: accepted, and its output.
#[derive(Debug)]
pub struct Run {
    pub accepted: bool,
    pub exit: Option<i32>,
    pub output: String,
}

impl Run {
    /// Runs real cosign.
    pub fn cosign(cmd: &mut Command) -> Run {
        let v = verdict(cmd);
        Run {
            accepted: v.accepted,
            exit: None,
            output: v.output,
        }
    }

    /// Runs the sigscope binary.
    pub fn sigscope(cmd: &mut Command) -> Run {
        let out = cmd.output().unwrap();
        Run {
            accepted: out.status.success(),
            exit: out.status.code(),
            output: String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        }
    }
}

/// Runs `cosign <sub> ARGS IMAGE` and `sigscope <sub> ARGS IMAGE` with the scenario's trust.
pub fn both(scenario: &Scenario, sub: &str, args: &[&str], image: &str) -> (Run, Run) {
    let mut cosign = Tools::get().cosign();
    let mut sigscope = crate::support::sigscope();
    for cmd in [&mut cosign, &mut sigscope] {
        for (var, path) in scenario.trust.env() {
            cmd.env(var, path);
        }
        cmd.arg(sub)
            .args(["--offline", "--allow-http-registry"])
            .args(args)
            .arg(image);
    }
    (Run::cosign(&mut cosign), Run::sigscope(&mut sigscope))
}

/// Asserts agreement and counts it.
pub fn agree(what: &str, cosign: &Run, sigscope: &Run) {
    assert_eq!(
        cosign.accepted,
        sigscope.accepted,
        "{what}: cosign {} but sigscope {}\n--- cosign:\n{}\n--- sigscope:\n{}",
        if cosign.accepted {
            "accepted"
        } else {
            "rejected"
        },
        if sigscope.accepted {
            "accepted"
        } else {
            "rejected"
        },
        cosign.output,
        sigscope.output
    );
    assert!(
        matches!(sigscope.exit, Some(0) | Some(1)),
        "{what}: sigscope could not check (exit {:?}):\n{}",
        sigscope.exit,
        sigscope.output
    );
    let n = AGREED.fetch_add(1, Ordering::Relaxed) + 1;
    let verdict = if cosign.accepted {
        "verified"
    } else {
        "rejected"
    };
    eprintln!("agree #{n}: {what}: {verdict}");
    crate::support::report("differential.log", &format!("{what}: both {verdict}"));
}

fn over_tags(scenario: &Scenario, label: &str, args: &[&str]) {
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = scenario
            .tags
            .iter()
            .map(|c| {
                (
                    c.tag,
                    s.spawn(move || both(scenario, "verify", args, &scenario.image(c.tag))),
                )
            })
            .collect();
        handles
            .into_iter()
            .map(|(t, h)| (t, h.join().unwrap()))
            .collect()
    });
    for (tag, (c, s)) in results {
        agree(&format!("{tag} {label}"), &c, &s);
    }
}

#[test]
fn verify_agrees_with_cosign_for_the_ci_identity_on_every_tag() {
    let scenario = Scenario::shared();
    over_tags(
        scenario,
        "CI regexp",
        &[
            "--certificate-identity-regexp",
            CI_IDENTITY_REGEXP,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ],
    );
}

#[test]
fn verify_agrees_with_cosign_for_the_human_identity_on_every_tag() {
    let scenario = Scenario::shared();
    over_tags(
        scenario,
        "human email",
        &[
            "--certificate-identity",
            HUMAN_EMAIL,
            "--certificate-oidc-issuer",
            HUMAN_ISSUER,
        ],
    );
}

#[test]
fn verify_agrees_with_cosign_for_the_key_on_every_tag() {
    let scenario = Scenario::shared();
    let key = scenario.cosign_public_key.to_str().unwrap().to_owned();
    over_tags(scenario, "key", &["--insecure-ignore-tlog", "--key", &key]);
}

/// sigscope's JSON verdict for one image under the CI identity.
fn sigscope_json(scenario: &Scenario, args: &[&str], image: &str) -> serde_json::Value {
    let mut cmd = crate::support::sigscope();
    for (var, path) in scenario.trust.env() {
        cmd.env(var, path);
    }
    let out = cmd
        .args(["verify", "--output", "json", "--allow-http-registry"])
        .args(args)
        .arg(image)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if std::env::var_os("SIGSCOPE_SHOW_OUTPUT").is_some() {
        let mut again = crate::support::sigscope();
        for (var, path) in scenario.trust.env() {
            again.env(var, path);
        }
        let o = again
            .args(["verify", "--allow-http-registry"])
            .args(args)
            .arg(image)
            .output()
            .unwrap();
        eprintln!("{}", String::from_utf8_lossy(&o.stdout));
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The first failed check of the first signature: (name, reason, expected, actual).
fn first_failure(doc: &serde_json::Value) -> (String, String, String, String) {
    let checks = doc["images"][0]["signatures"][0]["checks"]
        .as_array()
        .unwrap();
    let failed = checks
        .iter()
        .find(|c| c["status"] == "failed")
        .unwrap_or_else(|| panic!("no failure in {doc:#}"));
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    (
        s(&failed["name"]),
        s(&failed["reason"]),
        s(&failed["expected"]),
        s(&failed["actual"]),
    )
}

#[test]
fn each_rejection_names_the_check_that_failed_with_expected_and_actual() {
    let scenario = Scenario::shared();
    let ci = [
        "--certificate-identity-regexp",
        CI_IDENTITY_REGEXP,
        "--certificate-oidc-issuer",
        GITHUB_ISSUER,
    ];

    let ok = sigscope_json(scenario, &ci, &scenario.image("v1.0.0"));
    assert_eq!(ok["images"][0]["verdict"], "verified", "{ok:#}");
    assert!(
        ok["images"][0]["warnings"]
            .as_array()
            .is_none_or(|w| w.is_empty()),
        "anchored regexp: no warning"
    );

    let (name, reason, ..) =
        first_failure(&sigscope_json(scenario, &ci, &scenario.image("v1.7.0")));
    assert_eq!(name, "chain", "rogue CA: {reason}");
    assert!(
        reason.contains("does not chain to a trusted CA"),
        "{reason}"
    );

    let (name, _, expected, actual) =
        first_failure(&sigscope_json(scenario, &ci, &scenario.image("v1.6.0")));
    assert_eq!(name, "identity");
    assert_eq!(expected, format!("/{CI_IDENTITY_REGEXP}/"));
    assert_eq!(actual, HUMAN_EMAIL);

    let (name, _, expected, actual) = first_failure(&sigscope_json(
        scenario,
        &ci,
        &scenario.image("v2.2.0-mismatched"),
    ));
    assert_eq!(name, "payload digest");
    assert_eq!(
        expected,
        scenario.case("v2.2.0-mismatched").digest.to_string()
    );
    assert_eq!(actual, scenario.case("v1.0.0").digest.to_string());

    // The tampered tag's name also falls outside the CI regexp; what matters is that the
    // signature and the log entry both fail on the altered payload.
    let tampered = sigscope_json(scenario, &ci, &scenario.image("v2.3.0-tampered"));
    let failed: Vec<&str> = tampered["images"][0]["signatures"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        failed.contains(&"signature") && failed.contains(&"tlog entry"),
        "{failed:?}"
    );

    let unsigned = sigscope_json(scenario, &ci, &scenario.image("v1.9.0-rc1"));
    assert_eq!(unsigned["images"][0]["verdict"], "not_verified");
    assert_eq!(unsigned["images"][0]["reason"], "no signatures found");

    let unanchored = sigscope_json(
        scenario,
        &[
            "--certificate-identity-regexp",
            "acme/app",
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ],
        &scenario.image("v1.0.0"),
    );
    assert_eq!(unanchored["images"][0]["verdict"], "verified");
    let warnings = unanchored["images"][0]["warnings"].to_string();
    assert!(warnings.contains("not anchored"), "{warnings}");
}

#[test]
fn verifying_a_whole_repository_gives_one_verdict_per_tag_and_exit_1() {
    let scenario = Scenario::shared();
    let mut cmd = crate::support::sigscope();
    for (var, path) in scenario.trust.env() {
        cmd.env(var, path);
    }
    let out = cmd
        .args([
            "verify",
            "--output",
            "json",
            "--allow-http-registry",
            "--certificate-identity-regexp",
            CI_IDENTITY_REGEXP,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
            &scenario.repository,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "not every tag is CI-signed");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let images = doc["images"].as_array().unwrap();
    assert_eq!(images.len(), scenario.tags.len());
    for case in &scenario.tags {
        let v = images.iter().find(|i| i["reference"] == case.tag).unwrap();
        assert_eq!(
            v["verdict"] == "verified",
            case.verifies_ci,
            "{}: {v:#}",
            case.tag
        );
    }
}

#[test]
fn verify_attestation_agrees_with_cosign_by_type() {
    let scenario = Scenario::shared();
    let key = scenario.cosign_public_key.to_str().unwrap().to_owned();
    let custom = crate::support::predicates::CUSTOM_PREDICATE_TYPE;
    let cases: &[(&str, &str)] = &[
        ("v1.5.0", "slsaprovenance1"),
        ("v1.5.0", "spdxjson"),
        ("v1.5.0", "cyclonedx"),
        ("v1.5.0", custom),
        ("v1.5.0", "https://spdx.dev/Document"),
        ("v1.5.0", "vuln"),
        ("v1.5.0", "slsaprovenance"),
        ("v1.0.0", "slsaprovenance1"),
        ("v1.9.0-rc1", "custom"),
    ];
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|(tag, kind)| {
                let key = key.clone();
                (
                    *tag,
                    *kind,
                    s.spawn(move || {
                        both(
                            scenario,
                            "verify-attestation",
                            &["--insecure-ignore-tlog", "--key", &key, "--type", kind],
                            &scenario.image(tag),
                        )
                    }),
                )
            })
            .collect();
        handles
            .into_iter()
            .map(|(t, k, h)| (t, k, h.join().unwrap()))
            .collect()
    });
    for (tag, kind, (c, s)) in results {
        agree(&format!("{tag} attestation --type {kind}"), &c, &s);
    }
}

#[test]
fn a_signature_that_cannot_be_read_is_exit_2_never_verified_or_rejected() {
    use crate::support::fault_proxy::{Fault, FaultProxy};
    use crate::support::registry::Registry;
    let scenario = Scenario::shared();
    let proxy = FaultProxy::start(Registry::shared().addr());
    let stem = scenario.case("v1.2.0").digest.cosign_tag_stem();
    proxy.add(
        &format!("/manifests/{stem}.sig"),
        Fault::Status {
            code: 503,
            headers: vec![],
        },
    );
    let (_, path) = scenario.repository.split_once('/').unwrap();
    let image = format!("{}/{path}:v1.2.0", proxy.host());
    let mut cmd = crate::support::sigscope();
    for (var, p) in scenario.trust.env() {
        cmd.env(var, p);
    }
    let out = cmd
        .args([
            "verify",
            "--allow-http-registry",
            "--certificate-identity-regexp",
            CI_IDENTITY_REGEXP,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
            &image,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("COULD NOT CHECK"), "{text}");
    assert!(text.contains("503"), "{text}");

    // An unreachable registry is exit 2 as well.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = crate::support::sigscope()
        .args([
            "verify",
            "--allow-http-registry",
            "--key",
            scenario.cosign_public_key.to_str().unwrap(),
            &format!("127.0.0.1:{port}/gone/app:v1"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bundle_referrers_verify_with_new_bundle_format() {
    let scenario = Scenario::shared();
    let key = scenario.cosign_public_key.to_str().unwrap().to_owned();
    let root = scenario.trusted_root.to_str().unwrap().to_owned();
    // Real cosign's key-signed SLSA bundle on v1.4.0, both tools, with --trusted-root so cosign
    // stays offline.
    for (kind, accepted) in [("slsaprovenance1", true), ("cyclonedx", false)] {
        let (c, s) = both(
            scenario,
            "verify-attestation",
            &[
                "--new-bundle-format",
                "--insecure-ignore-tlog",
                "--trusted-root",
                &root,
                "--key",
                &key,
                "--type",
                kind,
            ],
            &scenario.image("v1.4.0"),
        );
        agree(&format!("v1.4.0 bundle attestation --type {kind}"), &c, &s);
        assert_eq!(s.accepted, accepted, "{}", s.output);
    }
    // The keyless cosign-v3-style signature bundle on v2.1.0: cosign 2.5 would fetch TUF for
    // this path, so the reference is sigstore-go (tests/it/scenario.rs accepts it for CI).
    let run = |identity: &[&str]| {
        let mut cmd = crate::support::sigscope();
        cmd.args([
            "verify",
            "--new-bundle-format",
            "--allow-http-registry",
            "--trusted-root",
            &root,
        ])
        .args(identity)
        .arg(scenario.image("v2.1.0"));
        Run::sigscope(&mut cmd)
    };
    let ci = run(&[
        "--certificate-identity-regexp",
        CI_IDENTITY_REGEXP,
        "--certificate-oidc-issuer",
        GITHUB_ISSUER,
    ]);
    assert_eq!(ci.exit, Some(0), "{}", ci.output);
    let human = run(&[
        "--certificate-identity",
        HUMAN_EMAIL,
        "--certificate-oidc-issuer",
        HUMAN_ISSUER,
    ]);
    assert_eq!(human.exit, Some(1), "{}", human.output);
    assert!(
        human.output.contains("expected: alice@acme.example"),
        "{}",
        human.output
    );
    // Without the flag, the legacy path finds no .sig and says where the bundle is.
    let legacy = {
        let mut cmd = crate::support::sigscope();
        cmd.args([
            "verify",
            "--allow-http-registry",
            "--trusted-root",
            &root,
            "--certificate-identity-regexp",
            CI_IDENTITY_REGEXP,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg(scenario.image("v2.1.0"));
        Run::sigscope(&mut cmd)
    };
    assert_eq!(legacy.exit, Some(1), "{}", legacy.output);
    assert!(
        legacy.output.contains("--new-bundle-format"),
        "{}",
        legacy.output
    );
}
