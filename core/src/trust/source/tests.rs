use super::*;
use crate::verify::policy::FixedClock;

fn options(choice: TrustChoice, offline: bool, cache: Option<&Path>) -> TrustOptions {
    TrustOptions {
        choice,
        cosign: CosignTrustVariables::default(),
        offline,
        cache_root: cache.map(Path::to_path_buf),
        timeout: Duration::from_secs(2),
    }
}

const NOW: i64 = 1_800_000_000;

#[tokio::test]
async fn a_file_is_trusted_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("root.json");
    std::fs::write(&path, PublicInstance::Github.trusted_root_json()).unwrap();
    let o = options(TrustChoice::File(path.clone()), false, None);
    let r = resolve(&o, Refresh::WhenExpired, &FixedClock(NOW))
        .await
        .unwrap();
    assert!(matches!(r.provenance, Provenance::File { .. }));
    assert_eq!(r.root.source, format!("file {}", path.display()));
    assert!(r.warnings.is_empty());
    let missing = options(TrustChoice::File(dir.path().join("no")), false, None);
    let err = resolve(&missing, Refresh::WhenExpired, &FixedClock(NOW))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("--trusted-root "), "{err}");
}

#[tokio::test]
async fn offline_with_nothing_cached_a_public_instance_uses_its_embedded_root_with_its_date() {
    let o = options(TrustChoice::Public(PublicInstance::Github), true, None);
    let r = resolve(&o, Refresh::WhenExpired, &FixedClock(NOW))
        .await
        .unwrap();
    assert!(matches!(
        r.provenance,
        Provenance::Embedded {
            instance: PublicInstance::Github,
            ..
        }
    ));
    assert_eq!(r.root.source, "embedded github trusted root");
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0].starts_with(
            "offline, nothing cached; using the embedded github trusted root of 2026-06-12 ("
        ),
        "{}",
        r.warnings[0]
    );
}

#[tokio::test]
async fn offline_an_explicit_mirror_with_nothing_cached_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.json");
    std::fs::write(&root, PublicInstance::PublicGood.tuf_root()).unwrap();
    let choice = TrustChoice::Mirror {
        mirror: "http://127.0.0.1:9/".into(),
        root,
    };
    let err = resolve(
        &options(choice, true, Some(dir.path())),
        Refresh::WhenExpired,
        &FixedClock(NOW),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("offline: no TUF cache for http://127.0.0.1:9: "),
        "{err}"
    );
}

fn closed_port() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// The fallback rule, on a mirror that refuses connections: a public instance falls back to its
/// embedded root with a warning; the same mirror given explicitly is an error.
#[tokio::test]
async fn only_a_public_instance_falls_back_when_its_mirror_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let o = options(
        TrustChoice::Public(PublicInstance::PublicGood),
        false,
        Some(dir.path()),
    );
    let mut repository = PublicInstance::PublicGood.repository();
    repository.mirror = closed_port();
    let c = client(&o, repository);
    let mut warnings = Vec::new();
    let (root, provenance) = tuf(
        &c,
        Some(PublicInstance::PublicGood),
        &o,
        Refresh::WhenExpired,
        NOW,
        &mut warnings,
    )
    .await
    .unwrap();
    assert!(matches!(provenance, Provenance::Embedded { .. }));
    assert_eq!(root.tlogs.len(), 2);
    assert!(warnings[0].contains("unreachable"), "{warnings:?}");
    assert!(
        warnings[0].contains("using the embedded public-good trusted root of 2025-09-23"),
        "{warnings:?}"
    );

    let mut warnings = Vec::new();
    let err = tuf(&c, None, &o, Refresh::WhenExpired, NOW, &mut warnings)
        .await
        .unwrap_err();
    assert!(
        matches!(err, TrustSourceError::Tuf(TufError::Unreachable { .. })),
        "{err}"
    );
    assert!(warnings.is_empty());
}

#[test]
fn ages_are_named_in_days() {
    assert_eq!(dated(NOW, NOW + 3600), "2027-01-15 (today)");
    assert_eq!(dated(NOW, NOW + 86_400), "2027-01-15 (1 day ago)");
    assert_eq!(dated(NOW, NOW + 9 * 86_400), "2027-01-15 (9 days ago)");
}

/// Offline, a cache whose files are gone is no cache (the embedded root, with its warning); a
/// cache whose metadata fails a TUF check is a security failure, never a fallback.
#[tokio::test]
async fn offline_a_broken_cache_is_no_cache_and_a_forged_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = options(
        TrustChoice::Public(PublicInstance::PublicGood),
        true,
        Some(dir.path()),
    );
    let folder =
        crate::trust::tuf::mirror_cache_folder(dir.path(), PublicInstance::PublicGood.mirror());
    std::fs::create_dir_all(&folder).unwrap();
    let state = r#"{"mirror":"m","root":{"version":1,"expires":0},"targets":{"version":1,"expires":0},
        "snapshot":{"version":1,"expires":0},"timestamp":{"version":1,"expires":0},
        "trusted_root_sha256":"","refreshed_at":1700000000}"#;
    std::fs::write(folder.join("sigscope-state.json"), state).unwrap();
    let r = resolve(&o, Refresh::WhenExpired, &FixedClock(NOW))
        .await
        .unwrap();
    assert!(matches!(r.provenance, Provenance::Embedded { .. }));

    // A timestamp that no key of the root signed.
    std::fs::write(
        folder.join("timestamp.json"),
        br#"{"signed":{"_type":"timestamp","spec_version":"1.0","version":9,
            "expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"version":9}}},
            "signatures":[]}"#,
    )
    .unwrap();
    let err = resolve(&o, Refresh::WhenExpired, &FixedClock(NOW))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("timestamp check failed"), "{err}");
}
