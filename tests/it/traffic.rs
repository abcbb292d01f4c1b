//! The requests a run makes, counted at a proxy in front of the real registry (issue 21): a
//! cold run and a warm rerun of the same commands make exactly the requests they did when this
//! test was written — adding one fails it — and `--stats` counts them as the proxy does. A
//! registry that states its rate limit (Docker Hub's headers, set by the proxy) has it shown by
//! `--stats` and in the TUI's status line.

use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::registry::Registry;
use crate::support::scenario::{CI_IDENTITY_REGEXP, Scenario};
use sigscope_core::fixture::GITHUB_ISSUER;

/// One run through `proxy` with the scenario's trust and `cache` as the disk cache: the exit
/// code, stderr, and the requests the proxy saw.
fn run(
    proxy: &FaultProxy,
    cache: &std::path::Path,
    args: &[&str],
    image: &str,
) -> (Option<i32>, String, Vec<String>) {
    let scenario = Scenario::shared();
    proxy.clear_requests();
    let mut cmd = crate::support::sigscope();
    // This test is about the cache: the one `--cache-dir` names.
    cmd.env_remove("SIGSCOPE_NO_CACHE");
    for (var, path) in scenario.trust.env() {
        cmd.env(var, path);
    }
    let out = cmd
        .args(args)
        .args(["--allow-http-registry", "--stats", "--cache-dir"])
        .arg(cache)
        .arg(image)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        proxy.requests(),
    )
}

/// The request lines by kind, as `--stats` names them.
fn kinds(requests: &[String]) -> [usize; 5] {
    let n = |f: &dyn Fn(&str) -> bool| requests.iter().filter(|r| f(r)).count();
    [
        n(&|r| r.contains("/tags/list")),
        n(&|r| r.starts_with("HEAD ") && r.contains("/manifests/")),
        n(&|r| r.starts_with("GET ") && r.contains("/manifests/")),
        n(&|r| r.contains("/blobs/")),
        n(&|r| r.contains("/referrers/")),
    ]
}

/// `--stats`'s counts in the same order as [`kinds`].
fn stated(stderr: &str) -> [usize; 5] {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("sigscope: ") && l.contains(" requests: "))
        .unwrap_or_else(|| panic!("no --stats line:\n{stderr}"));
    let count = |what: &str| -> usize {
        let at = line
            .find(what)
            .unwrap_or_else(|| panic!("{what} missing: {line}"));
        let before = line[..at].trim_end();
        before
            .rsplit([' ', ','])
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count before {what}: {line}"))
    };
    [
        count(" tag list"),
        count(" manifest HEAD"),
        count(" manifest GET"),
        count(" blob"),
        count(" referrers"),
    ]
}

/// v1.5.0 (signed by CI, four attestations): verified and inspected cold, then warm. The
/// figures are those of this scenario; a request added anywhere on these paths changes them.
/// Warm runs only HEAD the tags they read (the registry's lack of a referrers API is
/// remembered from the cold run), and read no manifest or blob again.
#[test]
fn a_cold_and_a_warm_run_make_exactly_their_requests_and_stats_counts_them() {
    let scenario = Scenario::shared();
    let registry = Registry::shared();
    let proxy = FaultProxy::start(registry.addr());
    let image = format!("{}:v1.5.0", scenario.repository).replace(&registry.host(), &proxy.host());
    let verify = [
        "verify",
        "--certificate-identity-regexp",
        CI_IDENTITY_REGEXP,
        "--certificate-oidc-issuer",
        GITHUB_ISSUER,
    ];
    // [tag list, manifest HEAD, manifest GET, blob, referrers] for each run.
    let expected: [(&str, &[&str], bool, [usize; 5]); 4] = [
        ("verify cold", &verify, true, [0, 0, 3, 1, 1]),
        ("verify warm", &verify, false, [0, 3, 0, 0, 0]),
        (
            "inspect cold",
            &["inspect", "-o", "json"],
            true,
            [1, 0, 5, 8, 1],
        ),
        (
            "inspect warm",
            &["inspect", "-o", "json"],
            false,
            [1, 5, 0, 0, 0],
        ),
    ];
    let mut cache = tempfile::tempdir().unwrap();
    for (name, args, cold, want) in expected {
        if cold {
            cache = tempfile::tempdir().unwrap();
        }
        let (code, stderr, requests) = run(&proxy, cache.path(), args, &image);
        assert_eq!(code, Some(0), "{name}: {stderr}");
        assert_eq!(kinds(&requests), want, "{name}: {requests:#?}");
        assert_eq!(
            stated(&stderr),
            want,
            "{name}: --stats agrees with the proxy: {stderr}"
        );
    }
}

/// Docker Hub's rate-limit headers on every manifest answer: `--stats` states the budget.
#[test]
fn a_stated_rate_limit_is_shown_by_stats() {
    let scenario = Scenario::shared();
    let registry = Registry::shared();
    let proxy = FaultProxy::start(registry.addr());
    proxy.add("/manifests/", rate_limit_headers());
    let image = format!("{}:v1.5.0", scenario.repository).replace(&registry.host(), &proxy.host());
    let cache = tempfile::tempdir().unwrap();
    let (code, stderr, _) = run(&proxy, cache.path(), &["inspect"], &image);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("rate limit: 76 of 100 requests left per 6 h"),
        "{stderr}"
    );
}

/// Docker Hub's statement: 76 of 100 requests left in a six-hour window.
pub fn rate_limit_headers() -> Fault {
    Fault::Headers(vec![
        ("RateLimit-Limit".into(), "100;w=21600".into()),
        ("RateLimit-Remaining".into(), "76;w=21600".into()),
    ])
}
