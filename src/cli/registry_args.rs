//! Registry connection flags, named as cosign names them.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use sigscope::registry::Limits;
use sigscope::registry::any::choose_credentials;
use sigscope::registry::cache::CacheOptions;
use sigscope::registry::remote::RemoteOptions;
use sigscope::registry::remote::traffic::Traffic;
use sigscope::target::Target;

/// Where sigscope keeps what it fetched: registry content and TUF metadata.
#[derive(Debug, Clone, Default, Args)]
pub struct CacheArgs {
    /// Keep no cache on disk: fetch every manifest and blob again (each is still fetched once
    /// per run), and TUF metadata from the mirror on every run.
    #[arg(
        long,
        env = "SIGSCOPE_NO_CACHE",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub no_cache: bool,

    /// The cache folder (default: $XDG_CACHE_HOME/sigscope, else ~/.cache/sigscope).
    #[arg(long, env = "SIGSCOPE_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    /// The disk cache folder, unless `--no-cache`: the XDG base directory convention.
    pub fn folder(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        if let Some(dir) = &self.cache_dir {
            return Some(dir.clone());
        }
        let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
        if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").and_then(absolute) {
            return Some(xdg.join("sigscope"));
        }
        std::env::var_os("HOME")
            .and_then(absolute)
            .map(|home| home.join(".cache").join("sigscope"))
    }
}

#[derive(Debug, Clone, Args)]
pub struct RegistryArgs {
    /// Allow plain HTTP to the registry (as cosign's flag).
    #[arg(long)]
    pub allow_http_registry: bool,

    /// Registry user name (with --registry-password).
    #[arg(long, env = "SIGSCOPE_REGISTRY_USERNAME")]
    pub registry_username: Option<String>,

    /// Registry password (prefer the SIGSCOPE_REGISTRY_PASSWORD variable to the flag).
    #[arg(long, env = "SIGSCOPE_REGISTRY_PASSWORD", hide_env_values = true)]
    pub registry_password: Option<String>,

    /// A registry access token used as-is.
    #[arg(long, env = "SIGSCOPE_REGISTRY_TOKEN", hide_env_values = true)]
    pub registry_token: Option<String>,

    /// Extra CA certificate (PEM) to trust for the registry's TLS, beside the system roots.
    #[arg(long, value_name = "FILE")]
    pub registry_cacert: Vec<PathBuf>,

    /// Largest manifest accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_manifest_bytes)]
    pub max_manifest_bytes: u64,

    /// Largest signature, attestation or SBOM layer accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_blob_bytes)]
    pub max_blob_bytes: u64,

    /// Most referrers read per subject (more are reported as a limit reached).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_referrers)]
    pub max_referrers: usize,

    /// How many levels of referrers of referrers are followed (deeper ones are reported).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_referrer_depth)]
    pub max_referrer_depth: usize,

    /// Seconds to wait for a connection to the registry.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().connect_timeout.as_secs())]
    pub registry_connect_timeout: u64,

    /// Seconds to wait for any read from the registry (a stalled answer is reported on its item).
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().read_timeout.as_secs())]
    pub registry_read_timeout: u64,
    #[command(flatten)]
    pub cache: CacheArgs,

    /// The disk cache's bound, in bytes; the least recently used content is evicted past it.
    #[arg(long, default_value_t = CacheOptions::default().max_disk_bytes)]
    pub cache_max_bytes: u64,

    /// After the run, print to stderr the registry requests it made by kind (tag list,
    /// manifest HEAD/GET, blob, referrers) and the rate limit the registry states, if any.
    #[arg(long)]
    pub stats: bool,
}

/// Every request of this process, by kind: one counter for all the sources a command opens,
/// printed at the end with `--stats`.
pub static TRAFFIC: std::sync::LazyLock<std::sync::Arc<Traffic>> =
    std::sync::LazyLock::new(Default::default);

/// Whether `--stats` was given to the command that ran.
pub static STATS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The line `--stats` prints, or nothing when it was not asked for or nothing was requested.
pub fn stats_line() -> Option<String> {
    if !STATS.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    Some(format!("sigscope: {}", TRAFFIC.summary()))
}

impl RegistryArgs {
    /// The connection options for `target`.
    pub fn remote_options(&self, target: &Target) -> anyhow::Result<RemoteOptions> {
        let credentials = match target.repository() {
            Some(repo) => choose_credentials(
                self.registry_username.as_deref(),
                self.registry_password.as_deref(),
                self.registry_token.as_deref(),
                &repo.registry,
            )?,
            None => Default::default(),
        };
        let mut ca_certificates_pem = Vec::new();
        for path in &self.registry_cacert {
            ca_certificates_pem.push(
                std::fs::read(path)
                    .with_context(|| format!("reading --registry-cacert {}", path.display()))?,
            );
        }
        if self.stats {
            STATS.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(RemoteOptions {
            traffic: std::sync::Arc::clone(&TRAFFIC),
            allow_http: self.allow_http_registry,
            ca_certificates_pem,
            credentials,
            limits: Limits {
                max_manifest_bytes: self.max_manifest_bytes,
                max_blob_bytes: self.max_blob_bytes,
                max_referrers: self.max_referrers,
                max_referrer_depth: self.max_referrer_depth,
                connect_timeout: std::time::Duration::from_secs(self.registry_connect_timeout),
                read_timeout: std::time::Duration::from_secs(self.registry_read_timeout),
                ..Limits::default()
            },
            cache: CacheOptions {
                dir: self.cache_folder(),
                max_disk_bytes: self.cache_max_bytes,
                ..CacheOptions::default()
            },
        })
    }

    /// The disk cache folder, unless `--no-cache`.
    pub fn cache_folder(&self) -> Option<PathBuf> {
        self.cache.folder()
    }
}
