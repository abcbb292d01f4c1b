//! `sigscope inspect --output json` over a repository (or a whole OCI layout): the one JSON
//! document, written tag by tag. Tags are read `max_workers` at a time in tag order; each report
//! is written as soon as it is next and then dropped, so only the worker window and the digests
//! the engine keeps to find orphans stay in memory, however many tags there are.
//!
//! The bytes are exactly those `print_json` writes for the whole collected inventory (same keys,
//! order, indentation, escaping and final newline): [`StreamedDocument`] writes the pieces of that
//! pretty-printed document with the same serialiser and formatter.

use std::io::Write;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;

use sigscope::engine::{self, Event, Plan, Reports, Untagged};
use sigscope::inventory::discover::DiscoverOptions;
use sigscope::inventory::model::{Orphan, TagReport};
use sigscope::registry::Source as _;
use sigscope::registry::any::AnySource;
use sigscope::target::Target;

use super::output::{to_safe_document, to_safe_json};

/// The fields before `tags`, in the order `Inventory` serialises them after `target`.
#[derive(Serialize)]
struct Opening<'a> {
    target: &'a str,
    source: &'a str,
}

/// The fields after `tags`.
#[derive(Serialize)]
struct Closing<'a> {
    orphans: &'a [Orphan],
    errors: &'a [String],
}

/// Inspects every tag of `source` and streams the document to stdout.
pub async fn run(
    source: &AnySource,
    target: &Target,
    options: DiscoverOptions,
) -> anyhow::Result<ExitCode> {
    let out = std::io::BufWriter::new(std::io::stdout());
    let mut document = InspectStream::begin(out, &target.to_string(), &source.name())?;
    // Tag order, as the engine's inventory collects them: at most the worker window is held.
    let plan = Plan {
        options,
        untagged: Untagged::Orphans,
        ..Plan::default()
    };
    let (mut orphans, mut errors) = (Vec::new(), Vec::new());
    let mut failed = None;
    let mut sink = |event: Event<TagReport>| {
        match event {
            Event::Tag(report) => {
                if let Err(e) = document.tag(&report) {
                    failed = Some(e);
                    return ControlFlow::Break(());
                }
            }
            Event::Orphan(orphan) => orphans.push(orphan),
            Event::Problem(problem) => errors.push(problem),
            Event::Listed(_) | Event::Untagged(_) => {}
        }
        ControlFlow::Continue(())
    };
    engine::run(source, target, plan, Arc::new(Reports), &mut sink).await;
    if let Some(e) = failed {
        return Err(e);
    }
    let complete = document.end(&orphans, &errors)?;
    Ok(ExitCode::from(if complete {
        super::exit::OK
    } else {
        super::exit::COULD_NOT_CHECK
    }))
}

/// The `inspect` document being written: what it needs to remember between tags.
pub struct InspectStream<W: Write> {
    document: StreamedDocument<W>,
    /// Whether every tag so far was read.
    complete: bool,
}

impl<W: Write> InspectStream<W> {
    /// Writes the opening, up to the `tags` array.
    pub fn begin(out: W, target: &str, source: &str) -> anyhow::Result<Self> {
        let opening = Opening { target, source };
        Ok(InspectStream {
            document: StreamedDocument::begin(out, "inspect", &opening, "tags")?,
            complete: true,
        })
    }

    /// Writes the next tag (in tag order).
    pub fn tag(&mut self, report: &TagReport) -> anyhow::Result<()> {
        self.complete &= report.image().is_some();
        self.document.item(report)
    }

    /// Writes the orphans and whole-target errors and closes the document. Returns whether the
    /// inventory is complete (every tag read, no error for the whole target).
    pub fn end(self, orphans: &[Orphan], errors: &[String]) -> anyhow::Result<bool> {
        self.document.end(&Closing { orphans, errors })?;
        Ok(self.complete && errors.is_empty())
    }
}

/// A pretty-printed JSON document `{envelope, opening fields, "KEY": [items], closing fields}`
/// written piece by piece, byte for byte what [`super::output::print_json`] prints for the whole
/// document. Each piece is serialised with the same terminal-safe pretty formatter; items are
/// serialised alone and indented two levels by inserting the indent after each newline, which is
/// exact because a newline inside a JSON string is always escaped (`\n`), so every raw newline
/// byte is the formatter's own.
pub struct StreamedDocument<W: Write> {
    out: W,
    items: usize,
}

/// The indent of an array item directly under the document (two levels of two spaces).
const ITEM_INDENT: &[u8] = b"\n    ";

impl<W: Write> StreamedDocument<W> {
    /// Writes the envelope (`schema_version`, `command`), the fields of `opening`, and
    /// `"KEY": [`.
    pub fn begin<T: Serialize>(
        mut out: W,
        command: &str,
        opening: &T,
        key: &str,
    ) -> anyhow::Result<Self> {
        let whole = to_safe_document(command, opening)?;
        // The pretty formatter closes a non-empty object with a newline and `}`.
        let open = whole
            .strip_suffix(b"\n}")
            .context("JSON document opening is not an object")?;
        out.write_all(open)?;
        out.write_all(b",\n  ")?;
        out.write_all(&to_safe_json(&key)?)?;
        out.write_all(b": [")?;
        Ok(StreamedDocument { out, items: 0 })
    }

    /// Writes one array item.
    pub fn item<T: Serialize>(&mut self, item: &T) -> anyhow::Result<()> {
        let bytes = to_safe_json(item)?;
        if self.items > 0 {
            self.out.write_all(b",")?;
        }
        // The first line follows the array's own newline and indent; each later line keeps its
        // indent and gains the item's.
        for line in bytes.split(|b| *b == b'\n') {
            self.out.write_all(ITEM_INDENT)?;
            self.out.write_all(line)?;
        }
        self.items += 1;
        Ok(())
    }

    /// Closes the array, writes the fields of `closing`, closes the document with its final
    /// newline and flushes. Returns the writer.
    pub fn end<T: Serialize>(mut self, closing: &T) -> anyhow::Result<W> {
        // An empty array is `[]`; a non-empty one ends on its own line.
        self.out
            .write_all(if self.items == 0 { b"]" } else { b"\n  ]" })?;
        let whole = to_safe_json(closing)?;
        let rest = whole
            .strip_prefix(b"{")
            .context("JSON document closing is not an object")?;
        if rest == b"}" {
            self.out.write_all(b"\n}")?;
        } else {
            self.out.write_all(b",")?;
            self.out.write_all(rest)?;
        }
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
#[path = "inspect_document/tests.rs"]
mod tests;
