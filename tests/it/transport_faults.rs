//! A registry that breaks the transport (the fault proxy in front of the real registry): resets
//! and overload are retried; stalls, truncated bodies and content whose digest does not match
//! are reported on their own tag while the other tags are read; `verify` never calls such
//! content verified.

use std::time::{Duration, Instant};

use sigscope_core::fixture::GITHUB_ISSUER;

use crate::inspect::{inspect_json, tag};
use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::registry::Registry;
use crate::support::scenario::{CI_IDENTITY_REGEXP, Scenario};

/// The scenario repository as seen through `proxy`.
fn through(proxy: &FaultProxy) -> String {
    let (_, path) = Scenario::shared().repository.split_once('/').unwrap();
    format!("{}/{path}", proxy.host())
}

fn error_of(doc: &serde_json::Value, name: &str) -> String {
    tag(doc, name)["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{name} has no error: {:#}", tag(doc, name)))
        .to_owned()
}

#[test]
fn connection_resets_and_overload_are_retried_until_the_answer_comes() {
    let scenario = Scenario::shared();
    let proxy = FaultProxy::start(Registry::shared().addr());
    proxy.add_times("/manifests/v1.1.0", Fault::Reset, 2);
    proxy.add_times(
        "/manifests/v1.2.0",
        Fault::Status {
            code: 503,
            headers: vec![],
        },
        2,
    );
    let (code, doc) = inspect_json(&[&through(&proxy)]);
    assert_eq!(code, 0, "{doc:#}");
    for name in ["v1.1.0", "v1.2.0"] {
        assert_eq!(
            tag(&doc, name)["image"]["digest"],
            scenario.case(name).digest.to_string()
        );
    }
    let faulted = proxy.faulted();
    assert_eq!(
        faulted.iter().filter(|f| f.starts_with("RESET")).count(),
        2,
        "{faulted:?}"
    );
    assert_eq!(faulted.len(), 4, "{faulted:?}");
}

#[test]
fn stalls_truncations_and_bad_digests_are_reported_per_tag_and_the_rest_is_read() {
    let scenario = Scenario::shared();
    let proxy = FaultProxy::start(Registry::shared().addr());
    proxy.add("/manifests/v1.1.0", Fault::Stall);
    proxy.add("/manifests/v1.2.0", Fault::StallMidBody);
    proxy.add("/manifests/v1.3.0", Fault::Truncate);
    proxy.add("/manifests/v1.6.0", Fault::Corrupt);
    proxy.add("/manifests/v1.7.0", Fault::Reset);
    let started = Instant::now();
    let (code, doc) = inspect_json(&[&through(&proxy), "--registry-read-timeout", "2"]);
    let took = started.elapsed();
    assert_eq!(code, 2, "{doc:#}");
    assert!(took < Duration::from_secs(60), "took {took:?}");

    let stalled = error_of(&doc, "v1.1.0");
    assert!(stalled.contains("read timeout of 2 s"), "{stalled}");
    let mid_body = error_of(&doc, "v1.2.0");
    assert!(
        mid_body.contains("v1.2.0") && mid_body.contains("timed out"),
        "{mid_body}"
    );
    let truncated = error_of(&doc, "v1.3.0");
    assert!(
        truncated.contains("v1.3.0") && truncated.contains("end of file before message length"),
        "{truncated}"
    );
    let corrupt = error_of(&doc, "v1.6.0");
    assert!(corrupt.contains("does not match the expected"), "{corrupt}");
    let reset = error_of(&doc, "v1.7.0");
    assert!(
        reset.contains("v1.7.0") && reset.contains("reset"),
        "{reset}"
    );
    // Every reset was retried: one try and three retries.
    let resets = proxy
        .faulted()
        .iter()
        .filter(|f| f.starts_with("RESET"))
        .count();
    assert_eq!(resets, 4, "{:?}", proxy.faulted());

    for name in ["v1.0.0", "v1.4.0", "v1.5.0", "v1.8.0", "v2.0.0"] {
        let t = tag(&doc, name);
        assert_eq!(
            t["image"]["digest"],
            scenario.case(name).digest.to_string(),
            "{t:#}"
        );
        assert!(t.get("error").is_none(), "{t:#}");
    }
}

/// `sigscope verify` of `image` for the CI identity with the scenario's trust; exit code and
/// all output.
fn verify(image: &str, extra: &[&str]) -> (i32, String) {
    let scenario = Scenario::shared();
    let out = crate::support::sigscope()
        .args(["verify", "--allow-http-registry", "--output", "json"])
        .args(["--certificate-identity-regexp", CI_IDENTITY_REGEXP])
        .args(["--certificate-oidc-issuer", GITHUB_ISSUER])
        .arg("--trusted-root")
        .arg(&scenario.trusted_root)
        .args(extra)
        .arg(image)
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn verify_never_calls_unreadable_or_corrupted_content_verified() {
    let scenario = Scenario::shared();
    let digest = scenario.case("v1.0.0").digest.clone();
    let sig_tag = format!("/manifests/{}.sig", digest.cosign_tag_stem());

    // The control: through a proxy with no faults it verifies.
    let clean = FaultProxy::start(Registry::shared().addr());
    let (code, out) = verify(&format!("{}:v1.0.0", through(&clean)), &[]);
    assert_eq!(code, 0, "{out}");

    let cases: Vec<(&str, Fault, &str)> = vec![
        (
            "signature manifest corrupted",
            Fault::Corrupt,
            sig_tag.as_str(),
        ),
        ("signature layer corrupted", Fault::Corrupt, "/blobs/"),
        (
            "signature manifest truncated",
            Fault::Truncate,
            sig_tag.as_str(),
        ),
        ("signature layer truncated", Fault::Truncate, "/blobs/"),
        ("signature manifest stalled", Fault::Stall, sig_tag.as_str()),
        ("signature manifest reset", Fault::Reset, sig_tag.as_str()),
    ];
    for (what, fault, path) in cases {
        let proxy = FaultProxy::start(Registry::shared().addr());
        proxy.add(path, fault);
        let (code, out) = verify(
            &format!("{}:v1.0.0", through(&proxy)),
            &["--registry-read-timeout", "2"],
        );
        assert!(!proxy.faulted().is_empty(), "{what}: no fault met");
        assert_eq!(
            code, 2,
            "{what}: could not check, not verified or failed:\n{out}"
        );
        assert!(
            out.contains("\"verified\": false") || out.contains("\"verified\":false"),
            "{what}:\n{out}"
        );
    }
}
