//! `sigscope inspect TARGET`: every tag, decoded.

use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use sigscope::engine::{self, Plan};
use sigscope::inventory::discover::DiscoverOptions;
use sigscope::inventory::model::Inventory;
use sigscope::registry::any::AnySource;
use sigscope::target::Target;

use super::output::print_json;
use super::registry_args::RegistryArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A repository (every tag), an image (`repo:tag`, `repo@sha256:…`), or an OCI layout
    /// (`oci:PATH[:TAG]` or a folder holding `oci-layout`).
    pub target: String,

    /// Output format: text, json (one document), or jsonl (JSON Lines: one object per tag,
    /// written as each completes, then orphans and errors; for very large repositories).
    #[arg(long, short, value_enum, default_value_t = InspectFormat::Text)]
    pub output: InspectFormat,

    /// How many tags and artifacts are fetched at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_workers: u16,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// `inspect --output`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
    Jsonl,
}

/// The `inspect` JSON document, whole (one image; repositories stream the same bytes through
/// `inspect_document`).
#[derive(Serialize)]
pub(super) struct InspectDocument<'a> {
    pub target: String,
    #[serde(flatten)]
    pub inventory: &'a Inventory,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target =
        Target::parse(&args.target).with_context(|| format!("target {:?}", args.target))?;
    let source = AnySource::open(&target, args.registry.remote_options(&target)?)?;
    let options = DiscoverOptions {
        max_workers: usize::from(args.max_workers),
    };
    if args.output == InspectFormat::Jsonl {
        return super::inspect_lines::run(&source, &target, options).await;
    }
    let every_tag = matches!(
        target,
        Target::Repository { .. } | Target::Layout { tag: None, .. }
    );
    if args.output == InspectFormat::Json && every_tag {
        // Written tag by tag: memory stays flat at any number of tags.
        return super::inspect_document::run(&source, &target, options).await;
    }
    let inventory = discover(&source, &target, options).await;
    match args.output {
        InspectFormat::Jsonl => {}
        InspectFormat::Json => print_json(
            "inspect",
            &InspectDocument {
                target: target.to_string(),
                inventory: &inventory,
            },
        )?,
        InspectFormat::Text => super::inspect_text::print(&inventory)?,
    }
    let complete =
        inventory.errors.is_empty() && inventory.tags.iter().all(|t| t.image().is_some());
    Ok(ExitCode::from(if complete {
        super::exit::OK
    } else {
        super::exit::COULD_NOT_CHECK
    }))
}

/// Everything the target names: all tags, or the one image.
pub async fn discover(source: &AnySource, target: &Target, options: DiscoverOptions) -> Inventory {
    let plan = Plan {
        options,
        ..Plan::default()
    };
    engine::inventory(source, target, plan).await
}
