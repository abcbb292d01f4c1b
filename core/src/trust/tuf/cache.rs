//! The per-mirror cache read back as a TUF repository, so an offline run (or a run whose cache is
//! still current) goes through the same checks as a refresh from the mirror.
//!
//! sigstore-tuf's `FileStore` keeps the newest top-level targets as `targets.json` only; a
//! consistent-snapshot repository asks for `N.targets.json`. Answering a versioned name with the
//! unversioned copy is safe — the version, length and hashes the snapshot pins are checked on it
//! like on any download — and turns an expired cached targets file into "targets expired at …"
//! rather than a missing file.

use sigstore_tuf::transport::{FetchFuture, Repository};
use sigstore_tuf::{FileStore, MetadataStore as _, StoreRepository};

/// A `FileStore` as a read-only repository.
#[derive(Debug)]
pub struct CacheRepository {
    store: FileStore,
    exact: StoreRepository<FileStore>,
}

impl CacheRepository {
    pub fn new(store: FileStore) -> CacheRepository {
        CacheRepository {
            exact: StoreRepository::new(store.clone()),
            store,
        }
    }
}

/// `targets.json` for `7.targets.json`; `None` for names without a version prefix.
fn unversioned(name: &str) -> Option<&str> {
    let (version, rest) = name.split_once('.')?;
    (!version.is_empty()
        && version.bytes().all(|b| b.is_ascii_digit())
        && !rest.starts_with("root"))
    .then_some(rest)
}

impl Repository for CacheRepository {
    fn fetch_metadata<'a>(&'a self, name: &'a str, max_length: u64) -> FetchFuture<'a> {
        Box::pin(async move {
            match self.exact.fetch_metadata(name, max_length).await? {
                Some(bytes) => Ok(Some(bytes)),
                None => match unversioned(name) {
                    Some(plain) => {
                        let bytes = self.store.load(plain)?;
                        match bytes {
                            Some(b) if b.len() as u64 > max_length => {
                                Err(sigstore_tuf::Error::transport(format!(
                                    "cached {plain} exceeds max length {max_length}"
                                )))
                            }
                            other => Ok(other),
                        }
                    }
                    None => Ok(None),
                },
            }
        })
    }

    fn fetch_target<'a>(&'a self, path: &'a str, max_length: u64) -> FetchFuture<'a> {
        self.exact.fetch_target(path, max_length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_versioned_role_files_map_to_their_plain_copy() {
        assert_eq!(unversioned("7.targets.json"), Some("targets.json"));
        assert_eq!(unversioned("12.snapshot.json"), Some("snapshot.json"));
        assert_eq!(unversioned("3.root.json"), None);
        assert_eq!(unversioned("timestamp.json"), None);
        assert_eq!(unversioned("v1.targets.json"), None);
    }
}
