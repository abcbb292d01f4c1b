//! The copy menu (`y`): what can be copied from the selection — its digest, the reference with
//! the digest, the identity of its signer, the selected node's raw value. Each entry's text is
//! made when the menu opens; the copy itself is an effect (the update never touches a clipboard).
//!
//! Adding an entry: a [`CopyKind`] variant, its place in [`CopyKind::ALL`], its label in
//! [`CopyKind::label`] and its text in [`text_for`]. The entries for a `cosign verify` command
//! line and for an admission policy of the selected signer belong here, made by the core's
//! policy generator.

use crate::compare::first_signer;

use super::effect::Copy;
use super::state::State;

/// One thing the menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyKind {
    Digest,
    ReferenceWithDigest,
    SignerIdentity,
    NodeValue,
}

impl CopyKind {
    /// The menu's entries, in order.
    pub const ALL: [CopyKind; 4] = [
        CopyKind::Digest,
        CopyKind::ReferenceWithDigest,
        CopyKind::SignerIdentity,
        CopyKind::NodeValue,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CopyKind::Digest => "digest",
            CopyKind::ReferenceWithDigest => "reference with digest",
            CopyKind::SignerIdentity => "identity of the signer",
            CopyKind::NodeValue => "raw value of the selected node",
        }
    }
}

/// An entry: the text to copy, or why there is none for this selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyEntry {
    pub kind: CopyKind,
    pub text: Result<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyMenu {
    pub entries: Vec<CopyEntry>,
    pub selected: usize,
}

impl CopyMenu {
    pub fn new(state: &State) -> CopyMenu {
        CopyMenu {
            entries: CopyKind::ALL
                .iter()
                .map(|&kind| CopyEntry {
                    kind,
                    text: text_for(state, kind),
                })
                .collect(),
            selected: 0,
        }
    }

    /// The copy the selected entry asks for, or why it cannot.
    pub fn chosen(&self, tag: &str) -> Result<Copy, String> {
        let entry = self.entries.get(self.selected).ok_or("nothing to copy")?;
        let text = entry.text.clone()?;
        Ok(Copy {
            what: format!("the {} of {tag}", entry.kind.label()),
            text,
        })
    }
}

/// The repository part of the source's name (`ghcr.io/acme/app (embedded demo)` → the first word).
fn repository(state: &State) -> &str {
    state.source.split_whitespace().next().unwrap_or_default()
}

fn text_for(state: &State, kind: CopyKind) -> Result<String, String> {
    let tag = state.selected_tag().ok_or("no tag selected")?;
    let image = tag.image().ok_or("this tag is not loaded")?;
    match kind {
        CopyKind::Digest => Ok(image.digest.to_string()),
        CopyKind::ReferenceWithDigest => Ok(format!("{}@{}", repository(state), image.digest)),
        CopyKind::SignerIdentity => match first_signer(image) {
            (Some(signer), _) => Ok(crate::untrusted::printable(&signer.identity).into_owned()),
            (None, true) => Err("signed with a key: no identity".into()),
            (None, false) => Err("unsigned".into()),
        },
        CopyKind::NodeValue => {
            let node = state.selected_node().ok_or("no node selected")?;
            if node.raw.is_empty() {
                Ok(node
                    .fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("\n"))
            } else {
                Ok(node.raw.join("\n"))
            }
        }
    }
}
