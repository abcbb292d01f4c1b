//! Opening the TUI: on a target (`sigscope TARGET` at a terminal) or on the embedded demo
//! (`sigscope`, `sigscope demo`), with the settings file (`$XDG_CONFIG_HOME/sigscope/
//! config.toml`) under the command line.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use sigscope::demo::{self, DemoLayout};
use sigscope::registry::any::AnySource;
use sigscope::registry::remote::RemoteOptions;
use sigscope::target::Target;
use sigscope::trust::{CosignTrustVariables, TrustChoice, TrustedRoot};
use sigscope::tui::effect::{Evidence, SignerSpec};
use sigscope::tui::key_file::expand_home;
use sigscope::tui::reproduce::Reproduce;
use sigscope::tui::runtime::Opener;
use sigscope::tui::settings::{self, Settings};
use sigscope::tui::{self, Options, effect::VerifySpec};

use super::registry_args::RegistryArgs;
use super::trust_args::TrustArgs;

/// Tags read at once by the TUI.
const MAX_WORKERS: usize = 8;

/// The signer the TUI's verify dialog offers first (cosign's flags); the settings' `[verify]`
/// when none is given.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SignerArgs {
    /// The TUI's default signer: this exact certificate identity (with
    /// --certificate-oidc-issuer).
    #[arg(long, conflicts_with_all = ["certificate_identity_regexp", "key"])]
    pub certificate_identity: Option<String>,

    /// The TUI's default signer: identities matching this regexp (with
    /// --certificate-oidc-issuer).
    #[arg(long, conflicts_with = "key")]
    pub certificate_identity_regexp: Option<String>,

    /// The OIDC issuer of the TUI's default signer.
    #[arg(long)]
    pub certificate_oidc_issuer: Option<String>,

    /// The TUI's default signer: a PEM public key file.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

impl SignerArgs {
    fn spec(&self) -> anyhow::Result<Option<VerifySpec>> {
        let issuer = || {
            self.certificate_oidc_issuer
                .clone()
                .context("--certificate-oidc-issuer is needed with a certificate identity")
        };
        let signer = if let Some(key) = &self.key {
            SignerSpec::KeyFile(key.clone())
        } else if let Some(identity) = &self.certificate_identity {
            SignerSpec::Identity {
                identity: identity.clone(),
                identity_is_regexp: false,
                issuer: issuer()?,
            }
        } else if let Some(pattern) = &self.certificate_identity_regexp {
            sigscope::verify::identity::Matcher::regex(pattern)
                .map_err(|e| anyhow::anyhow!("--certificate-identity-regexp: {e}"))?;
            SignerSpec::Identity {
                identity: pattern.clone(),
                identity_is_regexp: true,
                issuer: issuer()?,
            }
        } else {
            return Ok(None);
        };
        Ok(Some(VerifySpec {
            signer,
            evidence: Evidence::Signatures,
        }))
    }
}

/// Whether the TUI can run: both ends of the terminal are terminals.
pub fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// The settings file, if there is one; a file that does not parse stops here (exit 2).
fn load_settings() -> anyhow::Result<Settings> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from);
    let Some(path) = settings::path(xdg.as_deref(), home().as_deref()) else {
        return Ok(Settings::default());
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Settings::parse(&text, &path).map_err(|e| anyhow::anyhow!("settings {e}")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(anyhow::anyhow!(
            "reading the settings {}: {e}",
            path.display()
        )),
    }
}

/// The trust options: the command line's, else the settings'.
fn trust_with_settings(trust: &TrustArgs, settings: &Settings) -> TrustArgs {
    let mut trust = trust.clone();
    let given = trust.trusted_root.is_some() || trust.tuf_mirror.is_some();
    if !given {
        let home = home();
        trust.trusted_root = settings.trust.trusted_root.as_deref().map(|r| {
            match sigscope::trust::PublicInstance::from_name(r) {
                Some(_) => r.to_owned(),
                None => expand_home(r, home.as_deref()).display().to_string(),
            }
        });
        if trust.trusted_root.is_none()
            && let (Some(mirror), Some(root)) =
                (&settings.trust.tuf_mirror, &settings.trust.tuf_root)
        {
            trust.tuf_mirror = Some(mirror.clone());
            trust.tuf_root = Some(expand_home(root, home.as_deref()));
        }
    }
    trust.offline |= settings.trust.offline.unwrap_or(false);
    trust
}

/// What copied command lines and policies need: the registry flag and the trust in force.
fn reproduce(registry: &RegistryArgs, trust: &TrustArgs, root: &TrustedRoot) -> Reproduce {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let choice = match trust.choice() {
        TrustChoice::File(p) => TrustChoice::File(absolute(&p)),
        TrustChoice::Mirror { mirror, root } => TrustChoice::Mirror {
            mirror,
            root: absolute(&root),
        },
        public => public,
    };
    let mirror_root = match &choice {
        TrustChoice::Mirror { root, .. } => std::fs::read(root).ok(),
        _ => None,
    };
    let cosign = CosignTrustVariables::from_env();
    let cosign = CosignTrustVariables {
        root_file: cosign.root_file.as_deref().map(absolute),
        rekor_public_key: cosign.rekor_public_key.as_deref().map(absolute),
        ct_log_public_key_file: cosign.ct_log_public_key_file.as_deref().map(absolute),
    };
    Reproduce {
        allow_http: registry.allow_http_registry,
        choice: Some(choice),
        cosign,
        mirror_root,
        root: Some(Arc::new(root.clone())),
    }
}

/// How `:` opens another repository: with the command line's registry options.
fn opener(registry: &RegistryArgs) -> Opener {
    let registry = registry.clone();
    Arc::new(move |target: &str| {
        let parsed = Target::parse(target).map_err(|e| format!("target {target:?}: {e}"))?;
        let options = registry
            .remote_options(&parsed)
            .map_err(|e| format!("{e:#}"))?;
        let source = AnySource::open(&parsed, options).map_err(|e| e.to_string())?;
        Ok((source, parsed.to_string()))
    })
}

/// The TUI on `target`; verification uses the trusted root the trust options (else the
/// settings) choose, as `verify` does, once a signer is picked (`v`). A trust source that fails
/// is exit 2 before the screen opens, as in every mode.
pub async fn open_target(
    target: &str,
    registry: &RegistryArgs,
    trust: &TrustArgs,
    signer: &SignerArgs,
) -> anyhow::Result<ExitCode> {
    let settings = load_settings()?;
    let parsed = Target::parse(target).with_context(|| format!("target {target:?}"))?;
    let source = AnySource::open(&parsed, registry.remote_options(&parsed)?)?;
    let trust = trust_with_settings(trust, &settings);
    let resolved = trust.resolve(registry.cache_folder()).await?;
    let default_policy = match signer.spec()? {
        Some(spec) => Some(spec),
        None => settings
            .default_policy(home().as_deref())
            .map_err(|e| anyhow::anyhow!("settings: {e}"))?,
    };
    let options = Options {
        max_workers: MAX_WORKERS,
        policy: None,
        default_policy,
        opener: Some(opener(registry)),
        reproduce: reproduce(registry, &trust, &resolved.root),
        palette: settings.theme,
        trust: Ok(resolved.root),
        trust_warnings: resolved.warnings,
        title: parsed.to_string(),
    };
    tui::run(source, options).await?;
    Ok(ExitCode::SUCCESS)
}

/// The TUI on the embedded demo, every tag verified for the demo's release workflow.
pub async fn open_demo(registry: &RegistryArgs) -> anyhow::Result<ExitCode> {
    if !interactive() {
        println!(
            "sigscope {}: the demo is a terminal UI; run it in a terminal, or give a target \
             (for example `sigscope inspect ghcr.io/org/app`); see `sigscope --help`.",
            env!("CARGO_PKG_VERSION")
        );
        return Ok(ExitCode::SUCCESS);
    }
    let settings = load_settings()?;
    let layout = DemoLayout::write(&std::env::temp_dir()).context("writing the demo layout")?;
    let target = Target::parse(&format!("oci:{}", layout.path().display()))
        .context("the demo layout's path")?;
    let source = AnySource::open(&target, RemoteOptions::default())?;
    let trust = TrustedRoot::from_json("the demo's trusted root", demo::trusted_root_json())
        .map_err(|e| e.to_string());
    let spec = VerifySpec::identity(demo::CI_IDENTITY_REGEXP, true, demo::CI_ISSUER);
    let options = Options {
        max_workers: MAX_WORKERS,
        policy: Some(spec.clone()),
        default_policy: Some(spec),
        opener: Some(opener(registry)),
        reproduce: Reproduce {
            root: trust.as_ref().ok().map(|r| Arc::new(r.clone())),
            ..Reproduce::default()
        },
        palette: settings.theme,
        trust,
        trust_warnings: Vec::new(),
        title: format!("{} (embedded demo)", demo::REPOSITORY),
    };
    let result = tui::run(source, options).await;
    drop(layout);
    result?;
    Ok(ExitCode::SUCCESS)
}
