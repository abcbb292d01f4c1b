//! The trust options every mode shares (verify, verify-attestation, verify-bundle, policy eval,
//! compare, trust show/update and the TUI): which trusted root, from a file, a public instance
//! or a TUF mirror, and whether the network may be used for it.

use std::path::PathBuf;
use std::time::Duration;

use sigscope::trust::source::TrustSourceError;
use sigscope::trust::{
    CosignTrustVariables, PublicInstance, Refresh, ResolvedTrust, TrustChoice, TrustOptions,
};
use sigscope::untrusted::printable;
use sigscope::verify::policy::SystemClock;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct TrustArgs {
    /// The trusted root: a trusted_root.json file, or the name of a public Sigstore instance
    /// whose TUF repository serves it: public-good (the default), github, staging. (A file with
    /// one of those names: ./NAME.) gh's `--custom-trusted-root` is the same option.
    #[arg(long, value_name = "FILE|NAME", alias = "custom-trusted-root")]
    pub trusted_root: Option<String>,

    /// Take trusted_root.json from this TUF repository (with --tuf-root), as cosign's
    /// `initialize --mirror` and gh's `--tuf-url`.
    #[arg(
        long,
        value_name = "URL",
        requires = "tuf_root",
        conflicts_with = "trusted_root"
    )]
    pub tuf_mirror: Option<String>,

    /// The TUF root.json --tuf-mirror's chain of trust starts from (cosign's `--root`).
    #[arg(long, value_name = "ROOT_JSON", requires = "tuf_mirror")]
    pub tuf_root: Option<PathBuf>,

    /// Never use the network for trust: the TUF cache, or the embedded trusted root, with a
    /// warning naming its age (also SIGSCOPE_OFFLINE=1).
    #[arg(
        long,
        env = "SIGSCOPE_OFFLINE",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub offline: bool,

    /// Seconds to wait for the TUF mirror to connect and to answer each read.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub tuf_timeout: u64,
}

impl TrustArgs {
    /// What the flags choose.
    pub fn choice(&self) -> TrustChoice {
        if let (Some(mirror), Some(root)) = (&self.tuf_mirror, &self.tuf_root) {
            return TrustChoice::Mirror {
                mirror: mirror.clone(),
                root: root.clone(),
            };
        }
        match self.trusted_root.as_deref() {
            None => TrustChoice::Public(PublicInstance::PublicGood),
            Some(value) => match PublicInstance::from_name(value) {
                Some(instance) => TrustChoice::Public(instance),
                None => TrustChoice::File(PathBuf::from(value)),
            },
        }
    }

    pub fn options(&self, cache_root: Option<PathBuf>) -> TrustOptions {
        TrustOptions {
            choice: self.choice(),
            cosign: CosignTrustVariables::from_env(),
            offline: self.offline,
            cache_root,
            timeout: Duration::from_secs(self.tuf_timeout.max(1)),
        }
    }

    /// The trusted root in force; warnings (fallbacks, ages) go to stderr.
    pub async fn resolve(
        &self,
        cache_root: Option<PathBuf>,
    ) -> Result<ResolvedTrust, TrustSourceError> {
        let resolved = sigscope::trust::resolve(
            &self.options(cache_root),
            Refresh::WhenExpired,
            &SystemClock,
        )
        .await?;
        warn(&resolved);
        Ok(resolved)
    }
}

/// Prints the warnings of a resolution to stderr.
pub fn warn(resolved: &ResolvedTrust) {
    for warning in &resolved.warnings {
        eprintln!("sigscope: warning: {}", printable(warning));
    }
}
