//! The copy menu (`y`): what can be copied from the selection — its digest, the reference with
//! the digest, the identity of its signer, the selected node's raw value, and, made by the core's
//! policy generator, a `cosign verify` command line, a ClusterImagePolicy and a Kyverno policy
//! that admit exactly the tag's first signer. The command line is one line without a line break
//! at its end (pasted, it waits for Enter), with the registry and trust flags that reproduce the
//! check here; the policies carry the trusted root in force ([`super::reproduce`]). Each entry's
//! text is made when the menu opens; the copy itself is an effect (the update never touches a
//! clipboard). Text carrying control or bidi characters (registry content can) is refused rather
//! than put on a clipboard that may be pasted into a terminal.
//!
//! Adding an entry: a [`CopyKind`] variant, its place in [`CopyKind::ALL`], its label in
//! [`CopyKind::label`] and its text in [`text_for`].

use crate::compare::first_signer;
use crate::inventory::layer::{LayerContent, SigningMaterial};
use crate::inventory::model::{ArtifactKind, ImageReport};
use crate::policy::generate::{Format, Request, generate_without_trust};

use super::effect::Copy;
use super::nodes::Node;
use super::reproduce::Reproduce;
use super::tag::TagEntry;

/// One thing the menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyKind {
    Digest,
    ReferenceWithDigest,
    SignerIdentity,
    NodeValue,
    CosignCommand,
    ClusterImagePolicy,
    KyvernoPolicy,
}

impl CopyKind {
    /// The menu's entries, in order.
    pub const ALL: [CopyKind; 7] = [
        CopyKind::Digest,
        CopyKind::ReferenceWithDigest,
        CopyKind::SignerIdentity,
        CopyKind::NodeValue,
        CopyKind::CosignCommand,
        CopyKind::ClusterImagePolicy,
        CopyKind::KyvernoPolicy,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CopyKind::Digest => "digest",
            CopyKind::ReferenceWithDigest => "reference with digest",
            CopyKind::SignerIdentity => "identity of the signer",
            CopyKind::NodeValue => "raw value of the selected node",
            CopyKind::CosignCommand => "cosign verify command",
            CopyKind::ClusterImagePolicy => "ClusterImagePolicy",
            CopyKind::KyvernoPolicy => "Kyverno policy",
        }
    }
}

/// An entry: the text to copy, or why there is none for this selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyEntry {
    pub kind: CopyKind,
    pub text: Result<String, String>,
}

/// What the menu reads of the state (`State::copy_source`).
#[derive(Clone, Copy)]
pub struct CopySource<'a> {
    /// The source's name (`ghcr.io/acme/app (embedded demo)`).
    pub source: &'a str,
    pub tag: Option<&'a TagEntry>,
    pub node: Option<&'a Node>,
    pub reproduce: &'a Reproduce,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyMenu {
    pub entries: Vec<CopyEntry>,
    pub selected: usize,
}

impl CopyMenu {
    pub fn new(state: &CopySource) -> CopyMenu {
        CopyMenu {
            entries: CopyKind::ALL
                .iter()
                .map(|&kind| CopyEntry {
                    kind,
                    text: text_for(state, kind).and_then(refuse_unsafe),
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
fn repository<'a>(state: &CopySource<'a>) -> &'a str {
    state.source.split_whitespace().next().unwrap_or_default()
}

fn text_for(state: &CopySource, kind: CopyKind) -> Result<String, String> {
    let tag = state.tag.ok_or("no tag selected")?;
    let image = tag.image().ok_or("this tag is not loaded")?;
    match kind {
        CopyKind::Digest => Ok(image.digest.to_string()),
        CopyKind::ReferenceWithDigest => Ok(format!("{}@{}", repository(state), image.digest)),
        CopyKind::SignerIdentity => match first_signer(image) {
            (Some(signer), _) => Ok(crate::untrusted::printable(&signer.identity).into_owned()),
            (None, true) => Err("signed with a key: no identity".into()),
            (None, false) => Err("unsigned".into()),
        },
        CopyKind::CosignCommand => policy_for(state, &tag.name, image, Format::Cosign)
            .map(|line| state.reproduce.cosign_line(&line)),
        CopyKind::ClusterImagePolicy => {
            policy_for(state, &tag.name, image, Format::ClusterImagePolicy)
                .and_then(|p| state.reproduce.cluster_image_policy(&p))
        }
        CopyKind::KyvernoPolicy => policy_for(state, &tag.name, image, Format::Kyverno)
            .and_then(|p| state.reproduce.kyverno(&p)),
        CopyKind::NodeValue => {
            let node = state.node.ok_or("no node selected")?;
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

/// The generated command line or policy for the first signature of `image`.
fn policy_for(
    state: &CopySource,
    tag: &str,
    image: &ImageReport,
    format: Format,
) -> Result<String, String> {
    let material =
        first_signing_material(image).ok_or("no cosign signature to take a signer from")?;
    let repository = repository(state);
    let image_name = format!("{repository}:{tag}");
    let request =
        Request::for_signature(repository, &image_name, material).map_err(|e| e.to_string())?;
    generate_without_trust(&request, format).map_err(|e| e.to_string())
}

/// The signing material of the image's first cosign signature layer that signs this image (a
/// signature copied from another image names someone else's build).
fn first_signing_material(image: &ImageReport) -> Option<&SigningMaterial> {
    image
        .artifacts
        .iter()
        .filter(|a| matches!(a.kind, ArtifactKind::Signature))
        .flat_map(|a| a.layers.iter().map(move |l| (a, l)))
        .find_map(|(artifact, layer)| match &layer.content {
            LayerContent::Signature(sig)
                if sig.payload.ok().is_none_or(|p| {
                    p.critical.image.docker_manifest_digest == artifact.subject.to_string()
                }) =>
            {
                Some(&sig.material)
            }
            _ => None,
        })
}

/// Refuses text that would carry control or bidi characters (other than line breaks and tabs)
/// onto the clipboard.
fn refuse_unsafe(text: String) -> Result<String, String> {
    let unsafe_char = text
        .chars()
        .find(|&c| c != '\n' && c != '\t' && crate::untrusted::is_unsafe(c));
    match unsafe_char {
        Some(c) => Err(format!(
            "holds the control character {} from the registry; not copied",
            c.escape_unicode()
        )),
        None => Ok(text),
    }
}

#[cfg(test)]
mod tests {
    use super::refuse_unsafe;

    #[test]
    fn text_with_escape_sequences_never_reaches_the_clipboard() {
        assert_eq!(refuse_unsafe("a\tb\nc".into()), Ok("a\tb\nc".into()));
        for hostile in ["\x1b]52;c;aGk=\x07", "x\u{202E}y", "\u{9b}2J", "a\rb"] {
            let refused = refuse_unsafe(hostile.into()).unwrap_err();
            assert!(refused.contains("not copied"), "{refused}");
        }
    }
}
