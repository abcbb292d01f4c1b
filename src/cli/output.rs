//! Output formats: readable text or JSON with a schema version.

use serde::Serialize;

/// `--output`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// The version of sigscope's JSON documents; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a, T: Serialize> {
    schema_version: u32,
    command: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

/// Prints `body` as a JSON document for `command`.
pub fn print_json<T: Serialize>(command: &str, body: &T) -> anyhow::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        command,
        body,
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &doc)?;
    use std::io::Write as _;
    writeln!(out)?;
    Ok(())
}
