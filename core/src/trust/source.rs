//! Which trusted root is in force, and where it came from. The sources, in order: a file or a
//! public instance's name (`--trusted-root`), an explicit TUF repository (`--tuf-mirror` with
//! `--tuf-root`), or the public-good TUF repository by default; cosign's variables then replace
//! their parts of it, as cosign applies them.
//!
//! The failure rules (SECURITY.md): a TUF security failure is final whatever the source; an
//! explicit mirror that cannot be reached is an error; only a public instance's mirror being
//! unreachable falls back — to its cache as last verified, else to its embedded trusted root —
//! with a warning naming the date of what is used. Offline, the network is never touched.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::cosign_env::{CosignTrustVariables, apply_cosign_env};
use super::instances::PublicInstance;
use super::trusted_root::{TrustError, TrustedRoot};
use super::tuf::{Freshness, TufClient, TufError, TufRepository, TufState, TufTrustedRoot};
use crate::verify::policy::Clock;

/// The largest trusted root or TUF root file read.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// Where the user said trust comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustChoice {
    /// `--trusted-root FILE`.
    File(PathBuf),
    /// `--trusted-root NAME`, or nothing (public-good): the instance's TUF repository.
    Public(PublicInstance),
    /// `--tuf-mirror URL --tuf-root ROOT_JSON`.
    Mirror { mirror: String, root: PathBuf },
}

/// Everything that decides the trusted root.
#[derive(Debug, Clone)]
pub struct TrustOptions {
    pub choice: TrustChoice,
    pub cosign: CosignTrustVariables,
    /// Never touch the network.
    pub offline: bool,
    /// The cache folder (TUF metadata goes under `tuf/`); `None`: nothing kept between runs.
    pub cache_root: Option<PathBuf>,
    /// Connection and read timeout for the TUF mirror.
    pub timeout: Duration,
}

/// Whether the mirror is asked when the cache is still current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Only when the cached timestamp (or another role) has expired, or nothing is cached.
    WhenExpired,
    /// Always (`sigscope trust update`).
    Now,
}

/// Where the trusted root in force came from.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    File {
        path: String,
    },
    Tuf {
        instance: Option<PublicInstance>,
        /// The root the chain started from (`--tuf-root`, or the embedded one).
        bootstrap: String,
        freshness: Freshness,
        cache: Option<String>,
        #[serde(flatten)]
        state: TufState,
    },
    Embedded {
        instance: PublicInstance,
        /// Why the embedded root is used.
        reason: String,
    },
}

/// The trusted root in force, where it came from, and what the user should be told.
#[derive(Debug, Clone)]
pub struct ResolvedTrust {
    pub root: TrustedRoot,
    pub provenance: Provenance,
    /// The cosign variables that replaced parts of it.
    pub cosign_variables: Vec<&'static str>,
    /// Fallbacks and ages, for stderr (and the TUI's verify dialog).
    pub warnings: Vec<String>,
}

/// Why no trusted root could be put in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustSourceError {
    #[error(transparent)]
    Tuf(#[from] TufError),
    #[error(transparent)]
    Trust(#[from] TrustError),
    #[error("{what} {path}: {reason}")]
    File {
        what: &'static str,
        path: String,
        reason: String,
    },
}

fn read_limited(what: &'static str, path: &Path) -> Result<Vec<u8>, TrustSourceError> {
    let error = |reason: String| TrustSourceError::File {
        what,
        path: path.display().to_string(),
        reason,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| error(e.to_string()))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(error(format!(
            "limit reached: {len} bytes exceed the limit of {MAX_FILE_BYTES}"
        )));
    }
    std::fs::read(path).map_err(|e| error(e.to_string()))
}

/// `2026-11-20`, for warnings.
pub fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| unix.to_string())
}

/// `2026-11-20 (3 days ago)`.
fn dated(unix: i64, now: i64) -> String {
    let days = (now - unix).max(0) / 86_400;
    match days {
        0 => format!("{} (today)", date(unix)),
        1 => format!("{} (1 day ago)", date(unix)),
        n => format!("{} ({n} days ago)", date(unix)),
    }
}

impl Provenance {
    /// One line: what is in force.
    pub fn summary(&self) -> String {
        match self {
            Provenance::File { path } => format!("file {path}"),
            Provenance::Tuf {
                state, freshness, ..
            } => format!(
                "TUF {} (root v{}, targets v{}, snapshot v{}, timestamp v{}; {} {})",
                state.mirror,
                state.root.version,
                state.targets.version,
                state.snapshot.version,
                state.timestamp.version,
                match freshness {
                    Freshness::Refreshed => "refreshed",
                    Freshness::Cached => "cached, refreshed",
                    Freshness::Stale => "stale cache, refreshed",
                },
                date(state.refreshed_at),
            ),
            Provenance::Embedded { instance, .. } => {
                format!("embedded {} trusted root", instance.name())
            }
        }
    }
}

/// Puts a trusted root in force (see the module's rules).
pub async fn resolve(
    options: &TrustOptions,
    refresh: Refresh,
    clock: &dyn Clock,
) -> Result<ResolvedTrust, TrustSourceError> {
    let now = clock.now();
    let mut warnings = Vec::new();
    let (base, provenance) = match &options.choice {
        TrustChoice::File(path) => {
            let bytes = read_limited("--trusted-root", path)?;
            let shown = path.display().to_string();
            (
                TrustedRoot::from_json(&shown, &bytes)?,
                Provenance::File { path: shown },
            )
        }
        TrustChoice::Public(instance) => {
            let client = client(options, instance.repository());
            tuf(
                &client,
                Some(*instance),
                options,
                refresh,
                now,
                &mut warnings,
            )
            .await?
        }
        TrustChoice::Mirror { mirror, root } => {
            let client = client(options, mirror_repository(mirror, root)?);
            tuf(&client, None, options, refresh, now, &mut warnings).await?
        }
    };
    let mut root = apply_cosign_env(base, &options.cosign)?;
    let cosign_variables = options.cosign.names();
    root.source = provenance.summary();
    if !cosign_variables.is_empty() {
        root.source = format!("{} with {}", root.source, cosign_variables.join(", "));
    }
    Ok(ResolvedTrust {
        root,
        provenance,
        cosign_variables,
        warnings,
    })
}

/// `--tuf-mirror` and the `--tuf-root` it starts from.
fn mirror_repository(mirror: &str, root: &Path) -> Result<TufRepository, TrustSourceError> {
    Ok(TufRepository {
        mirror: mirror.trim_end_matches('/').to_owned(),
        bootstrap_root: read_limited("--tuf-root", root)?,
        bootstrap_origin: root.display().to_string(),
    })
}

/// The TUF repository a choice names (`None` for a file).
fn repository(options: &TrustOptions) -> Result<Option<TufRepository>, TrustSourceError> {
    Ok(match &options.choice {
        TrustChoice::File(_) => None,
        TrustChoice::Public(instance) => Some(instance.repository()),
        TrustChoice::Mirror { mirror, root } => Some(mirror_repository(mirror, root)?),
    })
}

/// The TUF trusted root as the cache last verified it — no network, no fallback — and its
/// state: what `trust update` compares the refresh with. `None` for a file or an empty cache.
pub async fn last_verified_trust(
    options: &TrustOptions,
    clock: &dyn Clock,
) -> Option<(TrustedRoot, TufState)> {
    let client = client(options, repository(options).ok()??);
    let found = last_verified(&client, clock.now()).await.ok()??;
    let root = TrustedRoot::from_json("cache", &found.bytes).ok()?;
    Some((root, found.state))
}

fn client(options: &TrustOptions, repository: TufRepository) -> TufClient {
    TufClient::new(repository, options.cache_root.as_deref(), options.timeout)
}

fn tuf_provenance(
    client: &TufClient,
    instance: Option<PublicInstance>,
    found: TufTrustedRoot,
) -> Result<(TrustedRoot, Provenance), TrustSourceError> {
    let root = TrustedRoot::from_json(
        &format!(
            "{} from {}",
            super::tuf::TRUSTED_ROOT_TARGET,
            found.state.mirror
        ),
        &found.bytes,
    )?;
    Ok((
        root,
        Provenance::Tuf {
            instance,
            bootstrap: client.repository.bootstrap_origin.clone(),
            freshness: found.freshness,
            cache: client.cache.as_ref().map(|p| p.display().to_string()),
            state: found.state,
        },
    ))
}

/// The cache as last verified: checked as of now, else as of its last refresh. A cache that
/// fails a TUF check even then is a security failure; one with files missing is no cache.
async fn last_verified(client: &TufClient, now: i64) -> Result<Option<TufTrustedRoot>, TufError> {
    let found = match client.from_cache(now, now).await {
        Ok(found) => Ok(found),
        Err(current) => match client.recorded_state() {
            Some(recorded) => client.from_cache(recorded.refreshed_at, now).await,
            None => Err(current),
        },
    };
    match found {
        Err(e @ TufError::Security { .. }) => Err(e),
        Err(_) => Ok(None),
        Ok(found) => Ok(found),
    }
}

async fn tuf(
    client: &TufClient,
    instance: Option<PublicInstance>,
    options: &TrustOptions,
    refresh: Refresh,
    now: i64,
    warnings: &mut Vec<String>,
) -> Result<(TrustedRoot, Provenance), TrustSourceError> {
    let mirror = client.repository.mirror.clone();
    if options.offline {
        return match last_verified(client, now).await? {
            Some(found) => {
                warnings.push(format!(
                    "offline: using the TUF cache of {mirror} refreshed on {}{}",
                    dated(found.state.refreshed_at, now),
                    expiry_note(&found, now)
                ));
                tuf_provenance(client, instance, found)
            }
            None => match instance {
                Some(instance) => embedded(instance, "offline, nothing cached", now, warnings),
                None => Err(TufError::Offline {
                    mirror,
                    reason: "run `sigscope trust update` with the network first".into(),
                }
                .into()),
            },
        };
    }
    if refresh == Refresh::WhenExpired
        && let Ok(Some(found)) = client.from_cache(now, now).await
    {
        return tuf_provenance(client, instance, found);
    }
    match client.refresh(now).await {
        Ok(found) => tuf_provenance(client, instance, found),
        // Only a public instance's mirror falls back, and only when it could not be reached.
        Err(e) if e.is_unreachable() => {
            let Some(instance) = instance else {
                return Err(e.into());
            };
            match last_verified(client, now).await? {
                Some(found) => {
                    warnings.push(format!(
                        "{e}; using its cache as last verified, refreshed on {}{}",
                        dated(found.state.refreshed_at, now),
                        expiry_note(&found, now)
                    ));
                    tuf_provenance(client, instance.into(), found)
                }
                None => embedded(instance, &e.to_string(), now, warnings),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn expiry_note(found: &TufTrustedRoot, now: i64) -> String {
    let expires = found.state.expires();
    if expires <= now {
        format!(" (its metadata expired on {})", date(expires))
    } else {
        String::new()
    }
}

fn embedded(
    instance: PublicInstance,
    reason: &str,
    now: i64,
    warnings: &mut Vec<String>,
) -> Result<(TrustedRoot, Provenance), TrustSourceError> {
    let root = instance.embedded_trusted_root()?;
    let of = root
        .newest_start()
        .map(|t| dated(t, now))
        .unwrap_or_else(|| "unknown date".into());
    warnings.push(format!(
        "{reason}; using the embedded {} trusted root of {of}, which misses any key rotated in \
         since",
        instance.name()
    ));
    Ok((
        root,
        Provenance::Embedded {
            instance,
            reason: reason.to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests;
