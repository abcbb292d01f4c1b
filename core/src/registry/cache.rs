//! A content-addressed cache of manifests and blobs, by digest: in memory for one run, and on disk
//! between runs. Content is only ever stored under the digest it was checked against, and the
//! digest is checked again on every read from disk: a corrupted or tampered file is deleted and
//! the content fetched again. The disk cache is bounded; the least recently used files go first.
//!
//! Layout under the cache folder (`$XDG_CACHE_HOME/sigscope` by default):
//! - `blobs/<algorithm>/<hex>`: the exact bytes of a blob;
//! - `manifests/<algorithm>/<hex>`: the manifest's media type, a newline, then its exact bytes;
//! - `repositories/<sha256 of the repository name>`: a hint that the repository was read before
//!   (tags are then resolved with HEAD first) and whether its registry had the referrers API.
//!
//! The disk cache is best effort: a folder that cannot be written just means no disk cache.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::reference::Digest;

/// Where and how much to cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptions {
    /// The disk cache folder; `None` keeps the cache in memory for this run only.
    pub dir: Option<PathBuf>,
    /// The disk cache's bound, in bytes; the least recently used files are evicted past it.
    pub max_disk_bytes: u64,
    /// The in-memory cache's bound, in bytes (content past it is not kept in memory).
    pub max_memory_bytes: u64,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            dir: None,
            max_disk_bytes: 512 << 20,
            // Within one run each manifest and blob is fetched once (discovery visits each
            // digest once), so the memory layer saves few requests; reuse across runs is the
            // disk cache's. 16 MiB keeps it from dominating a large run's memory.
            max_memory_bytes: 16 << 20,
        }
    }
}

/// How long a repository's "no referrers API" answer is trusted before it is asked again.
pub const REFERRERS_API_HINT_TTL: Duration = Duration::from_secs(24 * 3600);

/// What the cache remembers about a repository (a hint, never trusted for content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepositoryHint {
    /// Read before; the referrers API was not asked or answered with a list.
    Seen,
    /// Read before, and the registry answered that it has no referrers API.
    NoReferrersApi,
}

/// A manifest as cached: media type and exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedManifest {
    pub media_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
struct Memory {
    manifests: HashMap<Digest, CachedManifest>,
    blobs: HashMap<Digest, Vec<u8>>,
    bytes: u64,
}

/// The cache one registry source uses.
pub struct ContentCache {
    options: CacheOptions,
    memory: Mutex<Memory>,
    /// Bytes written to disk by this process, to know when to evict again.
    written: AtomicU64,
}

impl ContentCache {
    /// Opens the cache, evicting from the disk folder if it is over its bound.
    pub fn open(options: CacheOptions) -> ContentCache {
        let cache = ContentCache {
            options,
            memory: Mutex::default(),
            written: AtomicU64::new(0),
        };
        cache.evict();
        cache
    }

    /// Whether content is kept on disk between runs.
    pub fn persistent(&self) -> bool {
        self.options.dir.is_some()
    }

    pub fn manifest(&self, digest: &Digest) -> Option<CachedManifest> {
        if let Some(hit) = self.lock().manifests.get(digest) {
            return Some(hit.clone());
        }
        let stored = self.read_checked("manifests", digest, true)?;
        let newline = stored.iter().position(|b| *b == b'\n')?;
        let media_type = String::from_utf8(stored[..newline].to_vec()).ok()?;
        let manifest = CachedManifest {
            media_type,
            bytes: stored[newline + 1..].to_vec(),
        };
        self.remember_manifest(digest, &manifest);
        Some(manifest)
    }

    /// Stores a manifest already checked against `digest`.
    pub fn put_manifest(&self, digest: &Digest, manifest: &CachedManifest) {
        self.remember_manifest(digest, manifest);
        let mut stored = Vec::with_capacity(manifest.media_type.len() + 1 + manifest.bytes.len());
        stored.extend_from_slice(manifest.media_type.replace('\n', " ").as_bytes());
        stored.push(b'\n');
        stored.extend_from_slice(&manifest.bytes);
        self.write("manifests", digest, &stored);
    }

    pub fn blob(&self, digest: &Digest) -> Option<Vec<u8>> {
        if let Some(hit) = self.lock().blobs.get(digest) {
            return Some(hit.clone());
        }
        let bytes = self.read_checked("blobs", digest, false)?;
        self.remember_blob(digest, &bytes);
        Some(bytes)
    }

    /// Stores a blob already checked against `digest`.
    pub fn put_blob(&self, digest: &Digest, bytes: &[u8]) {
        self.remember_blob(digest, bytes);
        self.write("blobs", digest, bytes);
    }

    /// What an earlier run recorded about `repository` (`None`: never read, or no disk cache).
    pub fn repository_hint(&self, repository: &str, now: SystemTime) -> Option<RepositoryHint> {
        let path = self.repository_path(repository)?;
        let text = fs::read_to_string(&path).ok()?;
        let fresh = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            // Written after `now` (a clock step, or the same instant): just recorded, fresh.
            .map(|modified| now.duration_since(modified).unwrap_or(Duration::ZERO))
            .is_some_and(|age| age < REFERRERS_API_HINT_TTL);
        Some(match text.trim() {
            "no-referrers-api" if fresh => RepositoryHint::NoReferrersApi,
            _ => RepositoryHint::Seen,
        })
    }

    /// Records that `repository` was read, and what its registry said about the referrers API.
    pub fn record_repository(&self, repository: &str, hint: RepositoryHint) {
        let Some(path) = self.repository_path(repository) else {
            return;
        };
        let text = match hint {
            RepositoryHint::Seen => "seen\n",
            RepositoryHint::NoReferrersApi => "no-referrers-api\n",
        };
        let _ = write_atomically(&path, text.as_bytes());
    }

    fn repository_path(&self, repository: &str) -> Option<PathBuf> {
        let dir = self.options.dir.as_ref()?;
        let name = Digest::sha256_of(repository.as_bytes());
        Some(dir.join("repositories").join(name.hex()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remember_manifest(&self, digest: &Digest, manifest: &CachedManifest) {
        let mut memory = self.lock();
        let size = manifest.bytes.len() as u64;
        if memory.bytes + size <= self.options.max_memory_bytes {
            memory.bytes += size;
            memory.manifests.insert(digest.clone(), manifest.clone());
        }
    }

    fn remember_blob(&self, digest: &Digest, bytes: &[u8]) {
        let mut memory = self.lock();
        let size = bytes.len() as u64;
        if memory.bytes + size <= self.options.max_memory_bytes {
            memory.bytes += size;
            memory.blobs.insert(digest.clone(), bytes.to_vec());
        }
    }

    fn path(&self, kind: &str, digest: &Digest) -> Option<PathBuf> {
        let dir = self.options.dir.as_ref()?;
        Some(
            dir.join(kind)
                .join(digest.algorithm().name())
                .join(digest.hex()),
        )
    }

    /// Reads a file and checks it against `digest` (after the media-type line for manifests);
    /// a file that fails the check is deleted.
    fn read_checked(&self, kind: &str, digest: &Digest, headed: bool) -> Option<Vec<u8>> {
        let path = self.path(kind, digest)?;
        let stored = fs::read(&path).ok()?;
        let content = if headed {
            let newline = stored.iter().position(|b| *b == b'\n');
            newline.map_or(&[][..], |n| &stored[n + 1..])
        } else {
            &stored[..]
        };
        if !digest.matches(content) || (headed && !stored.contains(&b'\n')) {
            let _ = fs::remove_file(&path);
            return None;
        }
        // Recently used: eviction goes by modification time.
        if let Ok(file) = fs::File::options().append(true).open(&path) {
            let _ = file.set_modified(SystemTime::now());
        }
        Some(stored)
    }

    fn write(&self, kind: &str, digest: &Digest, bytes: &[u8]) {
        let Some(path) = self.path(kind, digest) else {
            return;
        };
        if path.exists() {
            return;
        }
        if write_atomically(&path, bytes).is_ok() {
            let total = self
                .written
                .fetch_add(bytes.len() as u64, Ordering::Relaxed)
                + bytes.len() as u64;
            // Evict again each time another tenth of the bound has been written.
            let step = (self.options.max_disk_bytes / 10).max(1);
            if total / step != (total - bytes.len() as u64) / step {
                self.evict();
            }
        }
    }

    /// Deletes the least recently used files until the disk cache is within 90% of its bound.
    fn evict(&self) {
        let Some(dir) = &self.options.dir else {
            return;
        };
        let mut files = Vec::new();
        for kind in ["blobs", "manifests"] {
            collect_files(&dir.join(kind), &mut files);
        }
        let mut total: u64 = files.iter().map(|(_, size, _)| size).sum();
        if total <= self.options.max_disk_bytes {
            return;
        }
        files.sort_by_key(|(_, _, modified)| *modified);
        let target = self.options.max_disk_bytes / 10 * 9;
        for (path, size, _) in files {
            if total <= target {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= size;
            }
        }
    }
}

/// Every file two levels under `root` (`<algorithm>/<hex>`), with size and modification time.
fn collect_files(root: &Path, out: &mut Vec<(PathBuf, u64, SystemTime)>) {
    let Ok(algorithms) = fs::read_dir(root) else {
        return;
    };
    for algorithm in algorithms.flatten() {
        let Ok(entries) = fs::read_dir(algorithm.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
            {
                let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                out.push((entry.path(), meta.len(), modified));
            }
        }
    }
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let parent = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent folder"))?;
    fs::create_dir_all(parent)?;
    let temporary = parent.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::write(&temporary, bytes)?;
    fs::rename(&temporary, path).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests;
