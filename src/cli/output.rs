//! Output formats: readable text or JSON with a schema version.
//!
//! JSON output escapes every character a terminal could act on (C1 controls and bidi
//! overrides as well as the C0 controls JSON itself escapes), so `jq` output or a `cat` of the
//! file cannot rewrite the screen either.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use sigscope::untrusted::is_unsafe;

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

/// JSON (pretty, or compact for JSON Lines) that escapes terminal-active characters in strings
/// as `\uXXXX`.
struct SafeFormatter<F>(F);

impl<F: Formatter> Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as pretty, terminal-safe JSON.
pub fn to_safe_json<T: Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut ser)?;
    Ok(out)
}

/// `body` as the pretty, terminal-safe JSON document for `command` (with `schema_version`),
/// without the final newline.
pub fn to_safe_document<T: Serialize>(command: &str, body: &T) -> serde_json::Result<Vec<u8>> {
    to_safe_json(&Document {
        schema_version: SCHEMA_VERSION,
        command,
        body,
    })
}

/// Prints `body` as a JSON document for `command`.
pub fn print_json<T: Serialize>(command: &str, body: &T) -> anyhow::Result<()> {
    write_json(std::io::stdout().lock(), command, body)
}

/// Writes `body` as a JSON document for `command`, with its final newline, to `out`.
pub fn write_json<T: Serialize>(
    mut out: impl io::Write,
    command: &str,
    body: &T,
) -> anyhow::Result<()> {
    let mut bytes = to_safe_document(command, body)?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

/// Prints `body` as one line of JSON Lines (compact, terminal-safe) for `command`, flushed at
/// once so a reader sees each line as it is produced.
pub fn print_json_line<T: Serialize>(command: &str, body: &T) -> anyhow::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        command,
        body,
    };
    let mut bytes = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut bytes, SafeFormatter(CompactFormatter));
    doc.serialize(&mut ser)?;
    bytes.push(b'\n');
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_terminal_active_characters_and_round_trips() {
        let hostile = "tag\u{1b}]52;c;aGk=\u{7}\u{202e}gnp.exe\u{9b}2J ok ✓";
        let bytes = to_safe_json(&serde_json::json!({ "tag": hostile })).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text:?}");
        assert!(
            text.contains("\\u202e") && text.contains("\\u009b") && text.contains("✓"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back["tag"], hostile);
    }
}
