use super::*;

fn on_disk(dir: &Path, max_disk_bytes: u64) -> ContentCache {
    ContentCache::open(CacheOptions {
        dir: Some(dir.to_owned()),
        max_disk_bytes,
        ..CacheOptions::default()
    })
}

fn manifest(text: &str) -> (Digest, CachedManifest) {
    let m = CachedManifest {
        media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        bytes: text.as_bytes().to_vec(),
    };
    (Digest::sha256_of(text.as_bytes()), m)
}

#[test]
fn content_survives_the_run_on_disk_and_is_checked_on_read() {
    let dir = tempfile::tempdir().unwrap();
    let (digest, m) = manifest(r#"{"schemaVersion":2}"#);
    let blob = b"layer bytes".to_vec();
    let blob_digest = Digest::sha256_of(&blob);
    let first = on_disk(dir.path(), 1 << 20);
    first.put_manifest(&digest, &m);
    first.put_blob(&blob_digest, &blob);

    let second = on_disk(dir.path(), 1 << 20);
    assert_eq!(second.manifest(&digest), Some(m));
    assert_eq!(second.blob(&blob_digest), Some(blob));
    assert_eq!(
        second.blob(&digest),
        None,
        "nothing stored under that digest"
    );
}

#[test]
fn a_corrupted_file_is_discarded_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let blob = b"the real content".to_vec();
    let digest = Digest::sha256_of(&blob);
    on_disk(dir.path(), 1 << 20).put_blob(&digest, &blob);
    let path = dir.path().join("blobs/sha256").join(digest.hex());
    std::fs::write(&path, b"tampered content").unwrap();

    let fresh = on_disk(dir.path(), 1 << 20);
    assert_eq!(fresh.blob(&digest), None);
    assert!(!path.exists(), "the corrupted file is deleted");

    let (m_digest, m) = manifest("{}");
    fresh.put_manifest(&m_digest, &m);
    let m_path = dir.path().join("manifests/sha256").join(m_digest.hex());
    std::fs::write(&m_path, b"application/json\n{ }").unwrap();
    assert_eq!(on_disk(dir.path(), 1 << 20).manifest(&m_digest), None);
    assert!(!m_path.exists());
}

#[test]
fn the_least_recently_used_files_are_evicted_past_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let cache = on_disk(dir.path(), 1 << 20);
    let old = vec![1u8; 600 << 10];
    let new = vec![2u8; 600 << 10];
    let (old_digest, new_digest) = (Digest::sha256_of(&old), Digest::sha256_of(&new));
    cache.put_blob(&old_digest, &old);
    let old_path = dir.path().join("blobs/sha256").join(old_digest.hex());
    let file = std::fs::File::options()
        .append(true)
        .open(&old_path)
        .unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH).unwrap();
    cache.put_blob(&new_digest, &new);

    let reopened = on_disk(dir.path(), 1 << 20);
    assert_eq!(reopened.blob(&old_digest), None, "the older file went");
    assert_eq!(reopened.blob(&new_digest), Some(new));
}

#[test]
fn without_a_folder_the_cache_lives_in_memory_only() {
    let cache = ContentCache::open(CacheOptions::default());
    assert!(!cache.persistent());
    let blob = b"x".to_vec();
    let digest = Digest::sha256_of(&blob);
    cache.put_blob(&digest, &blob);
    assert_eq!(cache.blob(&digest), Some(blob));
    assert_eq!(cache.repository_hint("r", SystemTime::now()), None);
}

#[test]
fn repository_hints_expire_for_the_referrers_api() {
    let dir = tempfile::tempdir().unwrap();
    let cache = on_disk(dir.path(), 1 << 20);
    let now = SystemTime::now();
    assert_eq!(cache.repository_hint("reg/app", now), None);
    cache.record_repository("reg/app", RepositoryHint::NoReferrersApi);
    assert_eq!(
        cache.repository_hint("reg/app", now),
        Some(RepositoryHint::NoReferrersApi)
    );
    let later = now + REFERRERS_API_HINT_TTL + Duration::from_secs(60);
    assert_eq!(
        cache.repository_hint("reg/app", later),
        Some(RepositoryHint::Seen),
        "an old answer is asked again"
    );
}
