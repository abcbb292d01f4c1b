//! Opening the TUI: on a target (`sigscope TARGET` at a terminal) or on the embedded demo
//! (`sigscope`, `sigscope demo`).

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context as _;

use sigscope::demo::{self, DemoLayout};
use sigscope::registry::any::AnySource;
use sigscope::registry::remote::RemoteOptions;
use sigscope::target::Target;
use sigscope::trust::TrustedRoot;
use sigscope::tui::{self, Options, effect::VerifySpec};

use super::registry_args::RegistryArgs;
use super::trust_args::TrustArgs;

/// Tags read at once by the TUI.
const MAX_WORKERS: usize = 8;

/// Whether the TUI can run: both ends of the terminal are terminals.
pub fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// The TUI on `target`; verification uses the trusted root the trust options choose (as
/// `verify` does) once a signer is picked (`v`). A trust source that fails is exit 2 before the
/// screen opens, as in every mode.
pub async fn open_target(
    target: &str,
    registry: &RegistryArgs,
    trust: &TrustArgs,
) -> anyhow::Result<ExitCode> {
    let parsed = Target::parse(target).with_context(|| format!("target {target:?}"))?;
    let source = AnySource::open(&parsed, registry.remote_options(&parsed)?)?;
    let resolved = trust.resolve(registry.cache_folder()).await?;
    let options = Options {
        max_workers: MAX_WORKERS,
        policy: None,
        trust: Ok(resolved.root),
        trust_warnings: resolved.warnings,
        title: parsed.to_string(),
    };
    tui::run(source, options).await?;
    Ok(ExitCode::SUCCESS)
}

/// The TUI on the embedded demo, every tag verified for the demo's release workflow.
pub async fn open_demo() -> anyhow::Result<ExitCode> {
    if !interactive() {
        println!(
            "sigscope {}: the demo is a terminal UI; run it in a terminal, or give a target \
             (for example `sigscope inspect ghcr.io/org/app`); see `sigscope --help`.",
            env!("CARGO_PKG_VERSION")
        );
        return Ok(ExitCode::SUCCESS);
    }
    let layout = DemoLayout::write(&std::env::temp_dir()).context("writing the demo layout")?;
    let target = Target::parse(&format!("oci:{}", layout.path().display()))
        .context("the demo layout's path")?;
    let source = AnySource::open(&target, RemoteOptions::default())?;
    let options = Options {
        max_workers: MAX_WORKERS,
        policy: Some(VerifySpec::identity(
            demo::CI_IDENTITY_REGEXP,
            true,
            demo::CI_ISSUER,
        )),
        trust: TrustedRoot::from_json("the demo's trusted root", demo::trusted_root_json())
            .map_err(|e| e.to_string()),
        trust_warnings: Vec::new(),
        title: format!("{} (embedded demo)", demo::REPOSITORY),
    };
    let result = tui::run(source, options).await;
    drop(layout);
    result?;
    Ok(ExitCode::SUCCESS)
}
