//! `sigscope inspect --output jsonl`: JSON Lines for very large repositories. One object per tag,
//! written the moment that tag is read (in completion order), then one per orphan, then one per
//! error that concerns the whole target. Nothing is kept but the digests needed to find orphans,
//! so memory stays flat however many tags there are.
//!
//! Every line is `{"schema_version":1,"command":"inspect","target":…,"type":"tag"|"orphan"|"error",…}`.

use std::collections::BTreeSet;
use std::process::ExitCode;

use futures_util::StreamExt as _;
use serde::Serialize;

use sigscope::inventory::discover::{DiscoverOptions, Discovery, add_digests};
use sigscope::inventory::model::{Orphan, TagReport};
use sigscope::registry::any::AnySource;
use sigscope::target::{Selector, Target};

use super::output::print_json_line;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line<'a> {
    Tag {
        target: &'a str,
        #[serde(flatten)]
        report: &'a TagReport,
    },
    Orphan {
        target: &'a str,
        #[serde(flatten)]
        orphan: &'a Orphan,
    },
    Error {
        target: &'a str,
        error: &'a str,
    },
}

pub async fn run(
    source: &AnySource,
    target: &Target,
    options: DiscoverOptions,
) -> anyhow::Result<ExitCode> {
    let name = target.to_string();
    let (discovery, listed) = Discovery::new(source, options).await;
    let one = match target {
        Target::Image {
            selector: Selector::Tag(tag),
            ..
        }
        | Target::Layout { tag: Some(tag), .. } => Some(tag.clone()),
        Target::Image {
            selector: Selector::Digest(digest),
            ..
        } => Some(digest.to_string()),
        _ => None,
    };
    let (tags, errors) = match one {
        Some(tag) => (vec![tag], Vec::new()),
        None => discovery.image_tags(listed),
    };
    let mut complete = errors.is_empty();
    let mut known = BTreeSet::new();
    let mut reports = std::pin::pin!(discovery.stream_tags(tags));
    while let Some(report) = reports.next().await {
        complete &= report.image().is_some();
        add_digests(&report, &mut known);
        let line = Line::Tag {
            target: &name,
            report: &report,
        };
        print_json_line("inspect", &line)?;
    }
    if matches!(
        target,
        Target::Repository { .. } | Target::Layout { tag: None, .. }
    ) {
        for orphan in discovery.orphans(&known).await {
            let line = Line::Orphan {
                target: &name,
                orphan: &orphan,
            };
            print_json_line("inspect", &line)?;
        }
    }
    for error in &errors {
        let line = Line::Error {
            target: &name,
            error,
        };
        print_json_line("inspect", &line)?;
    }
    Ok(ExitCode::from(if complete {
        super::exit::OK
    } else {
        super::exit::COULD_NOT_CHECK
    }))
}
