use super::*;

#[test]
fn each_mirror_has_its_own_cache_folder() {
    let root = Path::new("/c");
    let a = mirror_cache_folder(root, "https://tuf-repo-cdn.sigstore.dev");
    let b = mirror_cache_folder(root, "https://tuf-repo-cdn.sigstore.dev/other");
    let c = mirror_cache_folder(root, "http://127.0.0.1:8080");
    assert!(
        a.display()
            .to_string()
            .starts_with("/c/tuf/tuf-repo-cdn.sigstore.dev-"),
        "{a:?}"
    );
    assert_ne!(a, b, "two mirrors on one host stay apart");
    assert!(
        c.display()
            .to_string()
            .starts_with("/c/tuf/127.0.0.1_8080-"),
        "{c:?}"
    );
}

#[test]
fn a_state_expires_with_its_first_role() {
    let role = |version, expires| RoleState { version, expires };
    let state = TufState {
        mirror: "m".into(),
        root: role(1, 400),
        targets: role(1, 300),
        snapshot: role(1, 200),
        timestamp: role(1, 100),
        trusted_root_sha256: String::new(),
        refreshed_at: 0,
    };
    assert_eq!(state.expires(), 100);
}

fn client(cache: Option<&Path>, mirror: &str) -> TufClient {
    let mut repository = crate::trust::PublicInstance::PublicGood.repository();
    repository.mirror = mirror.into();
    TufClient::new(repository, cache, Duration::from_secs(2))
}

#[tokio::test]
async fn nothing_cached_is_none_and_a_closed_port_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(Some(dir.path()), &format!("http://127.0.0.1:{port}"));
    assert!(c.from_cache(0, 0).await.unwrap().is_none());
    let err = c.refresh(1_800_000_000).await.unwrap_err();
    assert!(err.is_unreachable(), "{err}");
    assert!(
        c.recorded_state().is_none(),
        "no state is written for a failed refresh"
    );
}

#[test]
fn a_bootstrap_root_that_is_not_signed_is_refused() {
    let mut repository = crate::trust::PublicInstance::PublicGood.repository();
    repository.bootstrap_root = br#"{"signed":{},"signatures":[]}"#.to_vec();
    let c = TufClient::new(repository, None, Duration::from_secs(1));
    let err = c
        .updater(cache::CacheRepository::new(FileStore::new("/nonexistent")))
        .unwrap_err();
    assert!(matches!(err, TufError::Bootstrap { .. }), "{err}");
}
