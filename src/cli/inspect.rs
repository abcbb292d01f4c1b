//! `sigscope inspect TARGET`: every tag, decoded.

use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use sigscope::inventory::discover::{DiscoverOptions, Discovery, Reading};
use sigscope::inventory::model::{Inventory, TagReport};
use sigscope::reference::Digest;
use sigscope::registry::any::AnySource;
use sigscope::target::{Selector, Target};

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
    discover_with(source, target, options, Reading::Everything).await
}

/// Like [`discover`], reading only what `reading` needs. Verifying one image reads no tag list
/// (its `.sig`/`.att` tags are probed: a few requests instead of listing a whole repository).
pub async fn discover_with(
    source: &AnySource,
    target: &Target,
    options: DiscoverOptions,
    reading: Reading,
) -> Inventory {
    let one = match target {
        Target::Image { selector, .. } => Some(selector.clone()),
        Target::Layout { tag: Some(t), .. } => Some(Selector::Tag(t.clone())),
        _ => None,
    };
    let (mut discovery, listed) = match (&one, reading) {
        (Some(_), Reading::Signatures | Reading::Attestations) => {
            (Discovery::without_tag_list(source, options), Ok(Vec::new()))
        }
        _ => Discovery::new(source, options).await,
    };
    discovery.read(reading);
    match one {
        None => discovery.inventory(listed).await,
        Some(selector) => {
            let report = match &selector {
                Selector::Tag(tag) => discovery.tag(tag.clone()).await,
                Selector::Digest(digest) => digest_report(&discovery, digest).await,
            };
            Inventory {
                source: source_name(source),
                tags: vec![report],
                orphans: Vec::new(),
                errors: Vec::new(),
            }
        }
    }
}

async fn digest_report(discovery: &Discovery<'_, AnySource>, digest: &Digest) -> TagReport {
    let mut report = discovery.tag(digest.to_string()).await;
    report.tag = digest.to_string();
    report
}

fn source_name(source: &AnySource) -> String {
    use sigscope::registry::Source as _;
    source.name()
}
