//! The terminal UI, Elm-style: a [`state::State`], one [`action::Action`] enum, a synchronous
//! [`update::update`] that returns [`effect::Effect`]s, a runtime that performs them as tokio
//! tasks, and a view that only reads the state.

pub mod action;
pub mod clipboard;
pub mod copy_menu;
pub mod effect;
pub mod event_loop;
pub mod filter;
pub mod key_file;
pub mod layout;
pub mod nodes;
pub mod prompt;
pub mod reproduce;
pub mod runtime;
pub mod settings;
pub mod signer_view;
pub mod state;
pub mod summary;
pub mod tag;
pub mod terminal;
pub mod text_field;
pub mod update;
pub mod verify_dialog;
pub mod view;

use crate::registry::any::AnySource;
use crate::trust::TrustedRoot;

use effect::VerifySpec;
use state::State;

/// How to open the TUI.
pub struct Options {
    /// Tags (and artifacts within a tag) read at once.
    pub max_workers: usize,
    /// Verify every tag against this policy as it arrives (the demo sets its CI identity).
    pub policy: Option<VerifySpec>,
    /// The signer the verify dialog offers first (the command line's or the settings'), and
    /// the policy again after `:` opens another repository.
    pub default_policy: Option<VerifySpec>,
    /// How `:` opens another repository (`None`: it cannot).
    pub opener: Option<runtime::Opener>,
    /// What copied command lines and policies need to reproduce the checks.
    pub reproduce: reproduce::Reproduce,
    /// The colours.
    pub palette: view::Palette,
    /// The trusted root for verification, or why there is none.
    pub trust: Result<TrustedRoot, String>,
    /// Warnings from choosing it (fallbacks, ages), shown in the verify dialog.
    pub trust_warnings: Vec<String>,
    /// The name shown in the title.
    pub title: String,
}

/// Runs the TUI on `source` until the user quits. The terminal is restored on every path.
pub async fn run(source: AnySource, options: Options) -> std::io::Result<()> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && options.palette != view::Palette::Mono;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let mut state = State::new(&options.title, now, color);
    state.policy = options.policy;
    state.default_policy = options.default_policy;
    state.palette = options.palette;
    state.reproduce = options.reproduce;
    state.history.push(options.title.clone());
    state.trust = match &options.trust {
        Ok(root) => root.source.clone(),
        Err(e) => format!("none: {e}"),
    };
    state.trust_warnings = options.trust_warnings;
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let mut runtime = runtime::Runtime::new(
        source,
        options.trust,
        sender,
        options.max_workers,
        options.opener,
    );
    let mut guard = terminal::TerminalGuard::enter()?;
    let result = event_loop::run(&mut guard.screen, &mut state, &mut runtime, receiver).await;
    drop(guard);
    result
}

#[cfg(test)]
mod tests;
