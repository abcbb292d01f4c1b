//! `trusted_root.json` over TUF, with sigstore-tuf (the sigstore org's client, which passes the
//! tuf-conformance suite) doing every TUF check: root chaining, thresholds over canonical JSON,
//! rollback and freeze protection, consistent snapshots, lengths and hashes. This module only
//! decides where the bytes come from (the mirror, or the per-mirror cache) and remembers when they
//! were last fetched.
//!
//! Cache layout, one folder per mirror under `<cache>/tuf/`: sigstore-tuf's `FileStore`
//! (`root.json`, `root_history/N.root.json`, `timestamp.json`, `N.snapshot.json`,
//! `snapshot.json`, `targets.json`, `targets/trusted_root.json`), written file by file only after
//! each passed its checks, and `sigscope-state.json` (versions and the time of the last refresh),
//! written last. Every run re-verifies the cache from the bootstrap root forward (so the newest
//! cached root is where a refresh starts), and the cached `trusted_root.json` is used only while
//! it matches the hashes the current targets metadata pins.

mod cache;
mod crypto;
mod error;
mod transport;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use sigstore_tuf::{FileStore, Updater, UpdaterConfig};

pub use error::TufError;
pub use transport::{FetchFailure, MirrorTransport};

/// The target every Sigstore TUF repository publishes.
pub const TRUSTED_ROOT_TARGET: &str = "trusted_root.json";

/// The largest trusted root accepted (as `verify-bundle --trusted-root`).
const TRUSTED_ROOT_MAX_BYTES: u64 = 16 << 20;

const STATE_FILE: &str = "sigscope-state.json";

/// A TUF repository: where it is, and the `root.json` trusted to start its chain from.
#[derive(Debug, Clone)]
pub struct TufRepository {
    /// The mirror's base URL, without a trailing slash.
    pub mirror: String,
    pub bootstrap_root: Vec<u8>,
    /// Where the bootstrap root came from, for messages.
    pub bootstrap_origin: String,
}

/// One role's version and expiry (unix seconds), as trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleState {
    pub version: u64,
    pub expires: i64,
}

/// What a successful refresh trusted: the four roles and the trusted root's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TufState {
    pub mirror: String,
    pub root: RoleState,
    pub targets: RoleState,
    pub snapshot: RoleState,
    pub timestamp: RoleState,
    /// SHA-256 of `trusted_root.json`, hex.
    pub trusted_root_sha256: String,
    /// When this was fetched from the mirror and checked (unix seconds).
    pub refreshed_at: i64,
}

impl TufState {
    /// The earliest expiry among the roles: when the cache stops being usable as it is.
    pub fn expires(&self) -> i64 {
        [self.root, self.targets, self.snapshot, self.timestamp]
            .iter()
            .map(|r| r.expires)
            .min()
            .unwrap_or(i64::MIN)
    }
}

/// How current a trusted root from TUF is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// Fetched from the mirror in this run.
    Refreshed,
    /// From the cache, every role still valid now.
    Cached,
    /// From the cache, checked as of its last refresh: some role has expired since.
    Stale,
}

/// A trusted root that passed every TUF check.
#[derive(Debug, Clone)]
pub struct TufTrustedRoot {
    pub bytes: Vec<u8>,
    pub state: TufState,
    pub freshness: Freshness,
}

/// A TUF client for one repository: its cache folder, timeouts.
#[derive(Debug, Clone)]
pub struct TufClient {
    pub repository: TufRepository,
    /// The folder of this mirror's cache; `None` keeps nothing between runs.
    pub cache: Option<PathBuf>,
    pub timeout: Duration,
}

/// The folder under `cache_root` that holds `mirror`'s metadata: its host and a digest of the
/// whole URL (two mirrors on one host stay apart).
pub fn mirror_cache_folder(cache_root: &Path, mirror: &str) -> PathBuf {
    let digest = hex::encode(sha2::Sha256::digest(mirror.as_bytes()));
    let host: String = mirror
        .split("://")
        .nth(1)
        .unwrap_or(mirror)
        .chars()
        .take_while(|c| *c != '/')
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cache_root
        .join("tuf")
        .join(format!("{host}-{}", &digest[..12]))
}

/// Installs sigscope's ring provider for sigstore-tuf's checks (once per process).
pub fn install_crypto() {
    crypto::install();
}

fn timestamp(unix: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(unix).unwrap_or(jiff::Timestamp::MAX)
}

fn config() -> UpdaterConfig {
    let mut config = UpdaterConfig::default();
    config.target_max_length = TRUSTED_ROOT_MAX_BYTES;
    config
}

impl TufClient {
    pub fn new(repository: TufRepository, cache_root: Option<&Path>, timeout: Duration) -> Self {
        let cache = cache_root.map(|root| mirror_cache_folder(root, &repository.mirror));
        crypto::install();
        TufClient {
            repository,
            cache,
            timeout,
        }
    }

    fn mirror(&self) -> &str {
        &self.repository.mirror
    }

    fn updater(&self, repo: impl sigstore_tuf::Repository + 'static) -> Result<Updater, TufError> {
        Updater::new(repo, &self.repository.bootstrap_root)
            .map(|u| u.with_config(config()))
            .map_err(|e| TufError::Bootstrap {
                origin: self.repository.bootstrap_origin.clone(),
                reason: e.to_string(),
            })
    }

    /// What the cache recorded at its last refresh (unauthenticated: for messages and the time to
    /// check the cache as of; the metadata itself is always re-verified).
    pub fn recorded_state(&self) -> Option<TufState> {
        let bytes = std::fs::read(self.cache.as_ref()?.join(STATE_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The cached trusted root, every TUF check run again from the bootstrap root as of `at`
    /// (unix seconds; `now`, or the time of the last refresh for a cache that has expired since),
    /// without the network. `Ok(None)`: nothing cached.
    pub async fn from_cache(&self, at: i64, now: i64) -> Result<Option<TufTrustedRoot>, TufError> {
        let (Some(dir), Some(recorded)) = (&self.cache, self.recorded_state()) else {
            return Ok(None);
        };
        let store = FileStore::new(dir);
        let updater = self
            .updater(cache::CacheRepository::new(store.clone()))?
            .with_store(store);
        let (bytes, mut state) = self.finish(updater, at).await?;
        state.refreshed_at = recorded.refreshed_at;
        Ok(Some(TufTrustedRoot {
            bytes,
            freshness: if at < now {
                Freshness::Stale
            } else {
                Freshness::Cached
            },
            state,
        }))
    }

    /// A refresh from the mirror as of `now`: root chain, timestamp, snapshot, targets, then the
    /// trusted root (reused from the cache when its bytes still match the pinned hashes). The
    /// cache is written as each file passes its checks, the state file last.
    pub async fn refresh(&self, now: i64) -> Result<TufTrustedRoot, TufError> {
        let transport = MirrorTransport::new(self.mirror(), self.timeout).map_err(|reason| {
            TufError::Mirror {
                mirror: self.mirror().to_owned(),
                reason,
            }
        })?;
        let mut updater = self.updater(transport)?;
        if let Some(dir) = &self.cache {
            updater = updater.with_store(FileStore::new(dir));
        }
        let (bytes, state) = self.finish(updater, now).await?;
        if let Some(dir) = &self.cache {
            // Best effort, like the rest of the cache: without it the next run refreshes again.
            let _ = serde_json::to_vec_pretty(&state)
                .map(|json| std::fs::write(dir.join(STATE_FILE), json));
        }
        Ok(TufTrustedRoot {
            bytes,
            state,
            freshness: Freshness::Refreshed,
        })
    }

    async fn finish(&self, mut updater: Updater, at: i64) -> Result<(Vec<u8>, TufState), TufError> {
        let at_time = timestamp(at);
        let tuf = |e: sigstore_tuf::Error| TufError::from_tuf(self.mirror(), &e);
        updater.refresh(at_time).await.map_err(tuf)?;
        let bytes = updater
            .get_target(TRUSTED_ROOT_TARGET, at_time)
            .await
            .map_err(tuf)?;
        let trusted = updater.trusted();
        let role = |version: u64, expires: jiff::Timestamp| RoleState {
            version,
            expires: expires.as_second(),
        };
        let missing = |role: &str| TufError::Security {
            mirror: self.mirror().to_owned(),
            role: role.to_owned(),
            reason: "not trusted after a refresh".into(),
        };
        let timestamp = trusted.timestamp().ok_or_else(|| missing("timestamp"))?;
        let snapshot = trusted.snapshot().ok_or_else(|| missing("snapshot"))?;
        let targets = trusted
            .targets_role("targets")
            .ok_or_else(|| missing("targets"))?;
        let state = TufState {
            mirror: self.mirror().to_owned(),
            root: role(trusted.root().version, trusted.root().expires),
            targets: role(targets.version, targets.expires),
            snapshot: role(snapshot.version, snapshot.expires),
            timestamp: role(timestamp.version, timestamp.expires),
            trusted_root_sha256: hex::encode(sha2::Sha256::digest(&bytes)),
            refreshed_at: at,
        };
        Ok((bytes, state))
    }
}

#[cfg(test)]
mod tests;
