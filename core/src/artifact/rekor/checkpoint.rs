//! Checkpoints: signed notes (C2SP signed-note) whose text is a tlog checkpoint (C2SP
//! tlog-checkpoint): origin, tree size, base64 root hash, optional extension lines.

use serde::Serialize;

use crate::artifact::encoding;
use crate::artifact::error::{DecodeError, decode_base64};

/// The longest checkpoint accepted (a budget on untrusted input; real ones are a few hundred
/// bytes).
pub const MAX_CHECKPOINT_BYTES: usize = 64 * 1024;

/// signed-note: "Verifiers … may reject notes with more than 100 signatures."
pub const MAX_SIGNATURES: usize = 100;

/// A parsed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointView {
    /// First line: the log's origin string.
    pub origin: String,
    /// Second line: the tree size in ASCII decimal.
    pub tree_size: u64,
    /// Third line: the root hash, base64 in the note.
    #[serde(serialize_with = "encoding::base64")]
    pub root_hash: Vec<u8>,
    /// Further lines of the note text (extension lines, tlog-checkpoint §"Note text").
    pub other_lines: Vec<String>,
    /// The exact text the signatures cover: up to and including the newline before the blank
    /// line.
    pub signed_text: String,
    pub signatures: Vec<CheckpointSignature>,
}

/// One signature line: `— <name> <base64(key hint ‖ signature)>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointSignature {
    pub name: String,
    /// The first four bytes of the blob: the key hash hint, hex.
    pub key_hint: String,
    #[serde(serialize_with = "encoding::base64")]
    pub signature: Vec<u8>,
}

/// Parses a checkpoint envelope (a signed note).
pub fn parse_checkpoint(text: &str) -> Result<CheckpointView, DecodeError> {
    const WHAT: &str = "checkpoint";
    let bad = |reason: String| DecodeError::invalid(WHAT, reason);
    if text.len() > MAX_CHECKPOINT_BYTES {
        return Err(bad(format!(
            "limit reached: {} bytes exceed the limit of {MAX_CHECKPOINT_BYTES}",
            text.len()
        )));
    }
    // signed-note: the text is followed by a blank line and the signature lines; the text ends
    // in a newline, and is not empty.
    let Some(split) = text.find("\n\n") else {
        return Err(bad(
            "no blank line separates the note from its signatures".to_owned()
        ));
    };
    let (signed_text, signature_block) = (&text[..=split], &text[split + 2..]);
    let mut lines = signed_text.lines();
    // tlog-checkpoint: origin, then size, then root hash, then optional extension lines.
    let origin = lines
        .next()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad("origin line is empty".to_owned()))?;
    let size = lines
        .next()
        .ok_or_else(|| bad("tree size line is missing".to_owned()))?;
    let tree_size = parse_size(size)
        .ok_or_else(|| bad(format!("tree size {size:?} is not a decimal number")))?;
    let root = lines
        .next()
        .ok_or_else(|| bad("root hash line is missing".to_owned()))?;
    let root_hash = decode_base64("checkpoint root hash", root)?;
    if root_hash.is_empty() {
        return Err(bad("root hash is empty".to_owned()));
    }
    let other_lines = lines.map(str::to_owned).collect();

    if signature_block.is_empty() {
        return Err(bad("no signature lines".to_owned()));
    }
    if !signature_block.ends_with('\n') {
        return Err(bad("signature lines do not end with a newline".to_owned()));
    }
    let signatures = signature_block
        .lines()
        .map(signature_line)
        .collect::<Result<Vec<_>, _>>()?;
    if signatures.len() > MAX_SIGNATURES {
        return Err(bad(format!(
            "limit reached: {} signatures exceed the limit of {MAX_SIGNATURES}",
            signatures.len()
        )));
    }
    Ok(CheckpointView {
        origin: origin.to_owned(),
        tree_size,
        root_hash,
        other_lines,
        signed_text: signed_text.to_owned(),
        signatures,
    })
}

/// tlog-checkpoint: "ASCII decimal … with no leading zeroes" (a lone `0` is the empty tree).
fn parse_size(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if digits && !leading_zero {
        text.parse().ok()
    } else {
        None
    }
}

/// signed-note: `— <key name> <base64 signature>`, the em dash U+2014 then a space; the name
/// has no spaces; the decoded blob is a 4-byte key hash then the signature.
fn signature_line(line: &str) -> Result<CheckpointSignature, DecodeError> {
    const WHAT: &str = "checkpoint signature";
    let rest = line.strip_prefix("\u{2014} ").ok_or_else(|| {
        DecodeError::invalid(
            WHAT,
            format!("line {line:?} does not start with \"\u{2014} \""),
        )
    })?;
    let (name, blob) = rest
        .split_once(' ')
        .filter(|(name, blob)| !name.is_empty() && !blob.contains(' '))
        .ok_or_else(|| {
            DecodeError::invalid(WHAT, format!("line {line:?} is not \"name signature\""))
        })?;
    let blob = decode_base64(WHAT, blob)?;
    if blob.len() < 5 {
        return Err(DecodeError::invalid(
            WHAT,
            format!(
                "{} bytes are too short for a key hint and a signature",
                blob.len()
            ),
        ));
    }
    let (hint, signature) = blob.split_at(4);
    Ok(CheckpointSignature {
        name: name.to_owned(),
        key_hint: hex::encode(hint),
        signature: signature.to_vec(),
    })
}
