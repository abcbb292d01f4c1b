//! `sigscope inspect --output jsonl`: JSON Lines for very large repositories. One object per tag,
//! written the moment that tag is read (in completion order), then one per orphan, then one per
//! error that concerns the whole target. Nothing is kept but the digests needed to find orphans,
//! so memory stays flat however many tags there are.
//!
//! Every line is `{"schema_version":1,"command":"inspect","target":…,"type":"tag"|"orphan"|"error",…}`.

use std::ops::ControlFlow;
use std::process::ExitCode;
use std::sync::Arc;

use serde::Serialize;

use sigscope::engine::{self, Event, Order, Plan, Reports, Untagged};
use sigscope::inventory::discover::DiscoverOptions;
use sigscope::inventory::model::{Orphan, TagReport};
use sigscope::registry::any::AnySource;
use sigscope::target::Target;

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
    let plan = Plan {
        options,
        order: Order::Completion,
        untagged: Untagged::Orphans,
        ..Plan::default()
    };
    let mut complete = true;
    let mut errors = Vec::new();
    let mut failed = None;
    let mut sink = |event: Event<TagReport>| {
        let printed = match event {
            Event::Tag(report) => {
                complete &= report.image().is_some();
                print_json_line(
                    "inspect",
                    &Line::Tag {
                        target: &name,
                        report: &report,
                    },
                )
            }
            Event::Orphan(orphan) => print_json_line(
                "inspect",
                &Line::Orphan {
                    target: &name,
                    orphan: &orphan,
                },
            ),
            // Whole-target errors come last, as they always have.
            Event::Problem(problem) => {
                errors.push(problem);
                Ok(())
            }
            Event::Listed(_) | Event::Untagged(_) => Ok(()),
        };
        match printed {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        }
    };
    engine::run(source, target, plan, Arc::new(Reports), &mut sink).await;
    if let Some(e) = failed {
        return Err(e);
    }
    for error in &errors {
        let line = Line::Error {
            target: &name,
            error,
        };
        print_json_line("inspect", &line)?;
    }
    complete &= errors.is_empty();
    Ok(ExitCode::from(if complete {
        super::exit::OK
    } else {
        super::exit::COULD_NOT_CHECK
    }))
}
