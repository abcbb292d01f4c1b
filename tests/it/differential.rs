//! Differential tests: real cosign and sigscope verify the same images in the real registry with
//! the same flags and trust, and must agree on every verdict. Each case prints its agreement;
//! the suite prints the count.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sigscope_core::fixture::GITHUB_ISSUER;

use rstest::rstest;

use crate::support::cosigns::Cosign;
use crate::support::registry::RegistryKind;
use crate::support::scenario::{
    CI_IDENTITY_REGEXP, COSIGN_SIGN_PREDICATE, HUMAN_EMAIL, HUMAN_ISSUER, Scenario,
};
use crate::support::tools::{Tools, verdict};

static AGREED: AtomicUsize = AtomicUsize::new(0);

/// The outcome of one tool: accepted, and its output.
#[derive(Debug)]
pub struct Run {
    pub accepted: bool,
    pub exit: Option<i32>,
    pub output: String,
    /// For cosign v3's run: cosign 2.5's on the same case, recorded beside it.
    pub cosign2: Option<Box<Run>>,
}

impl Run {
    /// Runs one real cosign.
    pub fn cosign(cmd: &mut Command) -> Run {
        let v = verdict(cmd);
        Run {
            accepted: v.accepted,
            exit: None,
            output: v.output,
            cosign2: None,
        }
    }

    /// Runs cosign v3 (the reference) and cosign 2.5 on one case, each command set up by
    /// `setup` for that cosign.
    pub fn cosigns(setup: impl Fn(Cosign, &mut Command)) -> Run {
        let mut v3 = Tools::get().cosign();
        setup(Cosign::V3, &mut v3);
        let mut v2 = Tools::get().cosign2();
        setup(Cosign::V2, &mut v2);
        Run {
            cosign2: Some(Box::new(Run::cosign(&mut v2))),
            ..Run::cosign(&mut v3)
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
            cosign2: None,
        }
    }
}

/// Runs `cosign <sub> ARGS IMAGE` (v3 and 2.5, each with the trust it takes, see
/// [`Cosign::command`]) and `sigscope <sub> ARGS IMAGE` with the scenario's trusted root.
pub fn both(scenario: &Scenario, sub: &str, args: &[&str], image: &str) -> (Run, Run) {
    let v3 = Run::cosign(&mut Cosign::V3.command(scenario, sub, args, image));
    let v2 = Run::cosign(&mut Cosign::V2.command(scenario, sub, args, image));
    let mut sigscope = crate::support::sigscope();
    sigscope
        .arg(sub)
        .args(["--offline", "--allow-http-registry", "--trusted-root"])
        .arg(&scenario.trusted_root)
        .args(args)
        .arg(image);
    (
        Run {
            cosign2: Some(Box::new(v2)),
            ..v3
        },
        Run::sigscope(&mut sigscope),
    )
}

fn said(accepted: bool) -> &'static str {
    if accepted { "verified" } else { "rejected" }
}

/// Asserts that sigscope agrees with cosign v3 and counts it; cosign 2.5's verdict, when it
/// was run, is recorded beside it (README lists where the two cosigns differ).
pub fn agree(what: &str, cosign: &Run, sigscope: &Run) {
    assert_eq!(
        cosign.accepted,
        sigscope.accepted,
        "{what}: cosign v3 {} but sigscope {}\n--- cosign v3:\n{}\n--- sigscope:\n{}",
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
    let verdict = said(cosign.accepted);
    let second = match &cosign.cosign2 {
        Some(v2) if v2.accepted == cosign.accepted => format!("; cosign 2.5 {}", said(v2.accepted)),
        Some(v2) => format!("; cosign 2.5 DIFFERS: {}", said(v2.accepted)),
        None => "; cosign 2.5 not run".into(),
    };
    eprintln!("agree #{n}: {what}: {verdict}{second}");
    crate::support::oracle("cosign v3", what, true);
    if let Some(v2) = &cosign.cosign2 {
        crate::support::oracle("cosign 2.5", what, v2.accepted == sigscope.accepted);
    }
    crate::support::report(
        "differential.log",
        &format!("{what}: both {verdict}{second}"),
    );
}

fn over_tags(kind: RegistryKind, label: &str, args: &[&str]) {
    let scenario = Scenario::on(kind);
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
        agree(&format!("{kind}: {tag} {label}"), &c, &s);
    }
}

#[rstest]
fn verify_agrees_with_cosign_for_the_ci_identity_on_every_tag(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    over_tags(
        kind,
        "CI regexp",
        &[
            "--certificate-identity-regexp",
            CI_IDENTITY_REGEXP,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ],
    );
}

#[rstest]
fn verify_agrees_with_cosign_for_the_human_identity_on_every_tag(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    over_tags(
        kind,
        "human email",
        &[
            "--certificate-identity",
            HUMAN_EMAIL,
            "--certificate-oidc-issuer",
            HUMAN_ISSUER,
        ],
    );
}

#[rstest]
fn verify_agrees_with_cosign_for_the_key_on_every_tag(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let key = Scenario::on(kind)
        .cosign_public_key
        .to_str()
        .unwrap()
        .to_owned();
    over_tags(kind, "key", &["--insecure-ignore-tlog", "--key", &key]);
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

#[rstest::rstest]
fn each_rejection_names_the_check_that_failed_with_expected_and_actual(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
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

#[rstest::rstest]
fn verifying_a_whole_repository_gives_one_verdict_per_tag_and_exit_1(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
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

#[rstest]
fn verify_attestation_agrees_with_cosign_by_type(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
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
        // Bundle referrers: cosign 2.5's and cosign v3's attestations, cosign v3's signature.
        ("v1.4.0", "slsaprovenance1"),
        ("v1.4.0", "cyclonedx"),
        ("v3.2.0", "slsaprovenance1"),
        ("v3.2.0", "custom"),
        ("v3.0.0", "slsaprovenance1"),
        ("v3.0.0", COSIGN_SIGN_PREDICATE),
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
    for (tag, predicate, (c, s)) in results {
        agree(
            &format!("{kind}: {tag} attestation --type {predicate}"),
            &c,
            &s,
        );
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

/// v1.4.0 carries a CI `.sig` and a key-signed SLSA bundle. cosign v3 reads only the bundle
/// (bundles first), so the CI identity is rejected there; sigscope agrees, and shows the `.sig`
/// passing but not counted, with the flag that makes it count: `--new-bundle-format=false`,
/// under which both accept.
#[rstest]
fn a_legacy_signature_beside_a_bundle_counts_only_without_the_bundle_format(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let ci = [
        "--certificate-identity-regexp",
        CI_IDENTITY_REGEXP,
        "--certificate-oidc-issuer",
        GITHUB_ISSUER,
    ];
    let image = scenario.image("v1.4.0");
    let (c, s) = both(scenario, "verify", &ci, &image);
    agree(&format!("{kind}: v1.4.0 CI regexp, bundle first"), &c, &s);
    assert!(!s.accepted);
    assert!(
        s.output.contains("passed, not counted") && s.output.contains("--new-bundle-format=false"),
        "{}",
        s.output
    );
    let legacy: Vec<&str> = ci
        .iter()
        .copied()
        .chain(["--new-bundle-format=false"])
        .collect();
    let (c, s) = both(scenario, "verify", &legacy, &image);
    agree(
        &format!("{kind}: v1.4.0 CI regexp, --new-bundle-format=false"),
        &c,
        &s,
    );
    assert!(s.accepted, "{}", s.output);
    // The key signed only the bundle: with the legacy format nothing of the key's is read.
    let key = scenario.cosign_public_key.to_str().unwrap();
    let (c, s) = both(
        scenario,
        "verify",
        &[
            "--insecure-ignore-tlog",
            "--key",
            key,
            "--new-bundle-format=false",
        ],
        &image,
    );
    agree(
        &format!("{kind}: v1.4.0 key, --new-bundle-format=false"),
        &c,
        &s,
    );
    assert!(!s.accepted);
}

/// The keyless bundle referrers (v2.1.0 via oras, v3.1.0 attached by cosign v3) verify with no
/// flag, name their route, and name the identity that does not match.
#[rstest]
fn keyless_bundle_referrers_verify_without_flags_and_name_their_route(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    for tag in ["v2.1.0", "v3.1.0"] {
        let image = scenario.image(tag);
        let (c, s) = both(
            scenario,
            "verify",
            &[
                "--certificate-identity-regexp",
                CI_IDENTITY_REGEXP,
                "--certificate-oidc-issuer",
                GITHUB_ISSUER,
            ],
            &image,
        );
        agree(&format!("{kind}: {tag} keyless bundle, CI"), &c, &s);
        assert!(s.accepted, "{}", s.output);
        let route = match kind {
            RegistryKind::Olareg => "(referrers API)".to_owned(),
            RegistryKind::Distribution => format!(
                "(referrers tag {})",
                scenario.case(tag).digest.cosign_tag_stem()
            ),
        };
        assert!(s.output.contains(&route), "{kind} {tag}: {}", s.output);
        let (c, s) = both(
            scenario,
            "verify",
            &[
                "--certificate-identity",
                HUMAN_EMAIL,
                "--certificate-oidc-issuer",
                HUMAN_ISSUER,
            ],
            &image,
        );
        agree(&format!("{kind}: {tag} keyless bundle, human"), &c, &s);
        assert!(
            s.output.contains("expected: alice@acme.example"),
            "{}",
            s.output
        );
    }
}
