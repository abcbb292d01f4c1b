//! The content cache against the real registry, every request counted at a proxy in front of
//! it: a second run over an unchanged repository asks for the tag list and one HEAD per tag and
//! nothing else; a corrupted cache file is discarded and fetched again; `--no-cache` fetches
//! everything again; the tag list saves the 404 probes for unsigned digests.

use std::path::Path;

use serde_json::Value;
use sigscope_core::fixture::{Identity, SigningOptions, VirtualSigstore};

use crate::support::SIGNED_AT;
use crate::support::fault_proxy::FaultProxy;
use crate::support::publish::{attach_keyless, push_image, simple_image};
use crate::support::registry::Registry;

/// Pushes v1, v2, v3 to `repository`; v1 and v2 signed keyless with real `cosign attach`.
/// Returns the digests, in tag order.
pub fn signed_repository(repository: &str) -> Vec<String> {
    let registry = Registry::shared();
    let mut sigstore = VirtualSigstore::new("cache", SIGNED_AT - 86_400).unwrap();
    let identity = Identity::email("dev@acme.example", "https://accounts.example.com");
    let work = tempfile::tempdir().unwrap();
    let mut digests = Vec::new();
    for (tag, signed) in [("v1", true), ("v2", true), ("v3", false)] {
        let written = push_image(registry, repository, tag, &simple_image(tag, "amd64"));
        let image = format!("{}@{}", registry.repo(repository), written.digest);
        if signed {
            let options = SigningOptions::default();
            attach_keyless(
                &mut sigstore,
                &identity,
                &image,
                SIGNED_AT,
                options,
                work.path(),
            );
        }
        digests.push(written.digest.to_string());
    }
    digests
}

/// Runs `sigscope inspect -o json` with the disk cache in `cache` (or `--no-cache`).
fn inspect(target: &str, cache: &Path, extra: &[&str]) -> Value {
    let out = crate::support::sigscope()
        .args([
            "inspect",
            "--output",
            "json",
            "--allow-http-registry",
            target,
        ])
        .args(extra)
        .env_remove("SIGSCOPE_NO_CACHE")
        .env("SIGSCOPE_CACHE_DIR", cache)
        .env_remove("DOCKER_CONFIG")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "inspect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn tag_names(doc: &Value) -> Vec<String> {
    doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap().to_owned())
        .collect()
}

fn signatures(doc: &Value, tag: &str) -> usize {
    let report = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tag"] == tag)
        .unwrap();
    report["image"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "signature")
        .count()
}

#[test]
fn a_warm_run_asks_for_the_tag_list_and_one_head_per_tag_and_nothing_else() {
    let repository = "cache-warm";
    let digests = signed_repository(repository);
    let proxy = FaultProxy::start(Registry::shared().addr());
    let target = format!("{}/{repository}", proxy.host());
    let cache = tempfile::tempdir().unwrap();

    let cold = inspect(&target, cache.path(), &[]);
    assert_eq!(tag_names(&cold), ["v1", "v2", "v3"]);
    assert_eq!(signatures(&cold, "v1"), 1);
    assert_eq!(signatures(&cold, "v3"), 0);
    let cold_requests = proxy.requests();
    // The tag list says v3 is unsigned: no probe for its .sig/.att/.sbom tags.
    let v3_stem = digests[2].replace(':', "-");
    assert!(
        !cold_requests.iter().any(|r| r.contains(&v3_stem)),
        "a request the tag list already answered: {cold_requests:#?}"
    );
    // Each manifest and blob once: no request line repeats.
    let mut unique = cold_requests.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), cold_requests.len(), "{cold_requests:#?}");

    proxy.clear_requests();
    let warm = inspect(&target, cache.path(), &[]);
    assert_eq!(warm["tags"], cold["tags"], "the warm run reports the same");
    let mut warm_requests = proxy.requests();
    warm_requests.sort();
    let listed: Vec<String> = {
        let mut tags = vec!["v1".to_owned(), "v2".into(), "v3".into()];
        tags.extend(
            digests[..2]
                .iter()
                .map(|d| format!("{}.sig", d.replace(':', "-"))),
        );
        tags
    };
    let mut expected: Vec<String> = listed
        .iter()
        .map(|t| format!("HEAD /v2/{repository}/manifests/{t} HTTP/1.1"))
        .collect();
    expected.push(format!("GET /v2/{repository}/tags/list?n=1000 HTTP/1.1"));
    expected.sort();
    assert_eq!(warm_requests, expected);

    // --no-cache reads everything again.
    proxy.clear_requests();
    let uncached = inspect(&target, cache.path(), &["--no-cache"]);
    assert_eq!(uncached["tags"], cold["tags"]);
    let again = proxy.requests();
    assert!(
        again
            .iter()
            .any(|r| r.starts_with("GET") && r.contains("/blobs/")),
        "{again:#?}"
    );
    assert!(!again.iter().any(|r| r.starts_with("HEAD")), "{again:#?}");
}

#[test]
fn a_corrupted_cache_file_is_discarded_and_fetched_again() {
    let repository = "cache-corrupt";
    signed_repository(repository);
    let proxy = FaultProxy::start(Registry::shared().addr());
    let target = format!("{}/{repository}", proxy.host());
    let cache = tempfile::tempdir().unwrap();
    let cold = inspect(&target, cache.path(), &[]);

    let blobs = cache.path().join("blobs/sha256");
    let mut corrupted = Vec::new();
    for entry in std::fs::read_dir(&blobs).unwrap() {
        let path = entry.unwrap().path();
        std::fs::write(&path, b"{\"not\":\"the content\"}").unwrap();
        corrupted.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    assert!(
        corrupted.len() >= 3,
        "configs and signature layers were cached"
    );

    proxy.clear_requests();
    let warm = inspect(&target, cache.path(), &[]);
    assert_eq!(
        warm["tags"], cold["tags"],
        "the corrupted copies were not used"
    );
    let requests = proxy.requests();
    for hex in &corrupted {
        assert!(
            requests
                .iter()
                .any(|r| r.starts_with("GET") && r.contains(&format!("/blobs/sha256:{hex}"))),
            "blob {hex} fetched again: {requests:#?}"
        );
        let stored = std::fs::read(blobs.join(hex)).unwrap();
        assert!(
            sigscope::reference::Digest::sha256_of(&stored).hex() == hex,
            "the cache holds the real content again"
        );
    }
}

#[test]
fn verify_reads_no_image_config() {
    let repository = "verify-no-config";
    signed_repository(repository);
    let proxy = FaultProxy::start(Registry::shared().addr());
    let target = format!("{}/{repository}", proxy.host());
    let out = crate::support::sigscope()
        .args(["verify", "--allow-http-registry", &target])
        .args(["--certificate-identity", "dev@acme.example"])
        .args(["--certificate-oidc-issuer", "https://accounts.example.com"])
        .env_remove("DOCKER_CONFIG")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    // The public-good root does not trust the fixture's CA: not verified, but read.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let blobs: Vec<String> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.contains("/blobs/"))
        .collect();
    // The two signature layers, and not the three image configs.
    assert_eq!(blobs.len(), 2, "{blobs:#?}");
}
