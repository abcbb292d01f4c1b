//! The trusted root over TUF, against real TUF repositories built by python-tuf and served on
//! loopback: verification through a mirror agrees with `--trusted-root`, `trust show` and
//! `trust update` report the roles, a root rotation goes through, and every attack a TUF client
//! must catch is exit 2 with a reason naming the role — never a fallback, never "verified".

use std::path::Path;
use std::process::Command;

use sigscope_core::fixture::GITHUB_ISSUER;

use crate::support::scenario::{CI_IDENTITY_REGEXP, Scenario};
use crate::support::tuf::TufMirror;

/// `sigscope ARGS` allowed to reach loopback mirrors, with its own cache folder.
fn sigscope(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let out = command(cache).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn command(cache: &Path) -> Command {
    let mut cmd = crate::support::sigscope();
    cmd.env_remove("SIGSCOPE_OFFLINE")
        .env_remove("SIGSCOPE_NO_CACHE")
        .env("SIGSCOPE_CACHE_DIR", cache);
    cmd
}

fn mirror_args(mirror: &TufMirror) -> Vec<String> {
    vec![
        "--tuf-mirror".into(),
        mirror.url(),
        "--tuf-root".into(),
        mirror.first_root().display().to_string(),
    ]
}

fn with<'a>(args: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    more.iter()
        .copied()
        .chain(args.iter().map(String::as_str))
        .collect()
}

/// `verify` of a keyless CI tag of the scenario, with the trust options given.
fn verify_ci(cache: &Path, trust: &[&str]) -> (i32, String, String) {
    let scenario = Scenario::shared();
    let image = scenario.image("v1.0.0");
    let mut args = vec![
        "verify",
        "--allow-http-registry",
        "--certificate-identity-regexp",
        CI_IDENTITY_REGEXP,
        "--certificate-oidc-issuer",
        GITHUB_ISSUER,
        "-o",
        "json",
    ];
    args.extend_from_slice(trust);
    args.push(&image);
    sigscope(cache, &args)
}

fn verified(stdout: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(stdout)
        .map(|v| v["verified"] == true)
        .unwrap_or(false)
}

#[test]
fn a_tuf_mirror_verifies_as_the_trusted_root_file_does_and_survives_a_root_rotation() {
    let scenario = Scenario::shared();
    let cache = tempfile::tempdir().unwrap();
    let mirror = TufMirror::new(&scenario.trusted_root);
    let tuf = mirror_args(&mirror);

    let file = scenario.trusted_root.display().to_string();
    let (code, by_file, err) = verify_ci(cache.path(), &["--trusted-root", &file]);
    assert_eq!(code, 0, "{by_file}{err}");
    let (code, by_tuf, err) = verify_ci(cache.path(), &with(&tuf, &[]));
    assert_eq!(code, 0, "{by_tuf}{err}");
    assert!(verified(&by_tuf), "{by_tuf}");
    let checks = |s: &str| {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["images"][0]["outcome"].clone()
    };
    assert_eq!(
        checks(&by_file),
        checks(&by_tuf),
        "same checks, same verdict"
    );

    // `trust show` names the mirror and every role's version.
    let (code, out, err) = sigscope(cache.path(), &with(&tuf, &["trust", "show", "-o", "json"]));
    assert_eq!(code, 0, "{err}");
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["provenance"]["kind"], "tuf", "{out}");
    assert_eq!(shown["provenance"]["mirror"], mirror.url().as_str());
    assert_eq!(
        shown["provenance"]["freshness"], "cached",
        "the verify run cached it"
    );
    for (role, version) in [
        ("root", 1),
        ("targets", 1),
        ("snapshot", 1),
        ("timestamp", 1),
    ] {
        assert_eq!(
            shown["provenance"][role]["version"], version,
            "{role}: {out}"
        );
    }
    assert_eq!(
        shown["certificate_authorities"].as_array().unwrap().len(),
        1
    );
    let (code, text, _) = sigscope(cache.path(), &with(&tuf, &["trust", "show"]));
    assert_eq!(code, 0);
    assert!(text.contains("from TUF mirror http://127.0.0.1"), "{text}");
    assert!(text.contains("timestamp  v1"), "{text}");

    // Root v1 → v2 with new root and timestamp keys; the client follows the chain.
    mirror.run("rotate-root", None);
    let (code, out, err) = sigscope(cache.path(), &with(&tuf, &["trust", "update"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("root v1 → v2"), "{out}");
    assert!(out.contains("timestamp v1 → v2"), "{out}");
    let (code, out, err) = verify_ci(cache.path(), &with(&tuf, &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(verified(&out));

    // A new trusted root is announced with what it adds and removes.
    let staging = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/trusted_root.staging.json");
    mirror.run("publish", Some(&staging));
    let (code, out, err) = sigscope(cache.path(), &with(&tuf, &["trust", "update"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("targets v1 → v2"), "{out}");
    assert!(out.contains("+ transparency log https://"), "{out}");
    assert!(out.contains("- certificate authority"), "{out}");
    // …and the scenario no longer verifies against it.
    let (code, out, _) = verify_ci(cache.path(), &with(&tuf, &[]));
    assert_eq!(code, 1, "{out}");
}

/// A repository that passed one `trust update` into `cache`, then was changed by `attack`.
fn attacked(prepare: &[&str], attack: &str) -> (TufMirror, tempfile::TempDir) {
    let scenario = Scenario::shared();
    let cache = tempfile::tempdir().unwrap();
    let mirror = TufMirror::new(&scenario.trusted_root);
    let staging = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/trusted_root.staging.json");
    for step in prepare {
        match *step {
            "publish" => mirror.run("publish", Some(&staging)),
            "update" => {
                let (code, out, err) = sigscope(
                    cache.path(),
                    &with(&mirror_args(&mirror), &["trust", "update"]),
                );
                assert_eq!(code, 0, "{out}{err}");
            }
            other => mirror.run(other, None),
        }
    }
    mirror.run(attack, None);
    (mirror, cache)
}

/// `trust update` refuses, exit 2, naming the role. With `fresh`, so does a `verify` that never
/// saw the repository (attacks that need no history to be caught); nothing is ever verified.
fn refused(mirror: &TufMirror, cache: &Path, role: &str, reason: &str, fresh: bool) {
    let tuf = mirror_args(mirror);
    let (code, out, err) = sigscope(cache, &with(&tuf, &["trust", "update"]));
    assert_eq!(code, 2, "trust update: {out}{err}");
    assert!(err.contains(&format!("{role} check failed")), "{err}");
    assert!(err.contains(reason), "{err}");
    assert!(!out.contains("changed"), "{out}");
    if fresh {
        let scratch = tempfile::tempdir().unwrap();
        let (code, out, err) = verify_ci(scratch.path(), &with(&tuf, &[]));
        assert_eq!(code, 2, "verify: {out}{err}");
        assert!(!verified(&out), "{out}");
        assert!(err.contains(&format!("{role} check failed")), "{err}");
    }
}

#[test]
fn an_expired_timestamp_is_a_freeze_attack() {
    let (mirror, cache) = attacked(&[], "expired-timestamp");
    refused(
        &mirror,
        cache.path(),
        "timestamp",
        "timestamp check failed: timestamp metadata expired at",
        true,
    );
}

#[test]
fn a_rolled_back_snapshot_is_refused() {
    let (mirror, cache) = attacked(&["update", "publish", "update"], "rollback-snapshot");
    refused(
        &mirror,
        cache.path(),
        "snapshot",
        "rollback detected",
        false,
    );
}

#[test]
fn a_rolled_back_targets_is_refused() {
    let (mirror, cache) = attacked(&["update", "publish", "update"], "rollback-targets");
    refused(&mirror, cache.path(), "targets", "rollback detected", false);
}

#[test]
fn a_target_whose_bytes_do_not_match_its_hashes_is_refused() {
    let (mirror, cache) = attacked(&[], "tamper-target");
    refused(
        &mirror,
        cache.path(),
        "targets",
        "trusted_root.json: sha256 mismatch",
        true,
    );
    let (mirror, cache) = attacked(&[], "pad-target");
    refused(&mirror, cache.path(), "targets", "limit reached", true);
}

#[test]
fn metadata_signed_by_a_key_not_in_root_is_refused() {
    let (mirror, cache) = attacked(&["update"], "foreign-timestamp");
    refused(
        &mirror,
        cache.path(),
        "timestamp",
        "signature threshold not met",
        true,
    );
}

/// Each refresh starts from the newest root the cache holds, not from the bootstrap root: once
/// root v2 rotated the timestamp key out, a mirror that withdraws v2 and signs with the old key
/// is refused. (A client starting from v1 with nothing cached accepts it — which is why the
/// cache's root, re-verified from the bootstrap forward, is where every run starts.)
#[test]
fn a_withdrawn_root_rotation_is_not_undone() {
    let (mirror, cache) = attacked(&["update", "rotate-root", "update"], "hide-rotation");
    refused(
        &mirror,
        cache.path(),
        "timestamp",
        "signature threshold not met",
        false,
    );
    let scratch = tempfile::tempdir().unwrap();
    let (code, out, err) = verify_ci(scratch.path(), &with(&mirror_args(&mirror), &[]));
    assert_eq!(code, 0, "a client without history has no floor: {out}{err}");
}

#[test]
fn a_targets_file_swapped_under_its_snapshot_pin_is_refused() {
    let (mirror, cache) = attacked(&["update", "publish"], "mix-and-match");
    refused(&mirror, cache.path(), "targets", "targets.json", true);
}

#[test]
fn an_explicit_mirror_that_stops_answering_is_exit_2_without_fallback() {
    let (mirror, cache) = attacked(&["update"], "timestamp");
    mirror.go_silent();
    let tuf = mirror_args(&mirror);
    let (code, out, err) = sigscope(
        cache.path(),
        &with(&tuf, &["trust", "update", "--tuf-timeout", "1"]),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("unreachable"), "{err}");
    // Nothing cached for this run: no older root to fall back on, no embedded one either.
    let fresh = tempfile::tempdir().unwrap();
    let (code, out, err) = verify_ci(fresh.path(), &with(&tuf, &["--tuf-timeout", "1"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("unreachable"), "{err}");
    assert!(!verified(&out));
}

#[test]
fn offline_uses_the_cache_with_its_age_and_never_the_network() {
    let scenario = Scenario::shared();
    let (mirror, cache) = attacked(&["update"], "timestamp");
    let before = mirror.requests().len();
    let tuf = mirror_args(&mirror);
    let (code, out, err) = verify_ci(cache.path(), &with(&tuf, &["--offline"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("offline: using the TUF cache of http://127.0.0.1") && err.contains("(today)"),
        "{err}"
    );
    assert_eq!(
        mirror.requests().len(),
        before,
        "offline touched the mirror"
    );
    // Nothing cached for an explicit mirror: exit 2.
    let fresh = tempfile::tempdir().unwrap();
    let (code, _, err) = verify_ci(fresh.path(), &with(&tuf, &["--offline"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("offline: no TUF cache"), "{err}");
    // The default public-good instance offline: the embedded root, with its date.
    let (code, out, err) = sigscope(fresh.path(), &["trust", "show", "--offline"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("embedded public-good trusted root"), "{out}");
    assert!(
        err.contains("using the embedded public-good trusted root of 2025-09-23"),
        "{err}"
    );
    let _ = scenario;
}

#[test]
fn a_tampered_cached_trusted_root_is_not_reused() {
    let scenario = Scenario::shared();
    let (mirror, cache) = attacked(&["update"], "timestamp");
    let cached: Vec<_> = walk(cache.path())
        .into_iter()
        .filter(|p| p.ends_with("targets/trusted_root.json"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    std::fs::write(&cached[0], b"{\"tampered\": true}").unwrap();
    let tuf = mirror_args(&mirror);
    // Online: the cached copy no longer matches the pinned hashes, so it is fetched again.
    let (code, out, err) = verify_ci(cache.path(), &with(&tuf, &[]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read(&cached[0]).unwrap(),
        std::fs::read(&scenario.trusted_root).unwrap()
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
