//! One tag as the TUI holds it: its image as far as it has been read, the artifact tree built
//! from it, and its verification against the current policy.

use crate::inventory::model::ImageReport;
use crate::verify::report::{ImageOutcome, ImageVerdict};

use super::action::RequestId;
use super::nodes::Node;

/// One tag's image, as far as it has been read.
#[derive(Debug, Clone)]
pub enum TagLoad {
    Pending,
    Loaded {
        image: Box<ImageReport>,
        /// The artifact tree, built once when the image arrives.
        nodes: Vec<Node>,
    },
    Failed(String),
}

/// One tag's verification against the current policy.
#[derive(Debug, Clone)]
pub enum Verification {
    NotRequested,
    Running(RequestId),
    Done(Box<ImageVerdict>),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct TagEntry {
    /// Already made printable; an orphan's is its digest.
    pub name: String,
    /// The name in lower case, made once for the filter.
    pub folded: String,
    /// An untagged digest with artifacts (no tag points to it).
    pub orphan: bool,
    pub load: TagLoad,
    pub verification: Verification,
}

impl TagEntry {
    pub fn new(name: String) -> TagEntry {
        TagEntry {
            folded: name.to_lowercase(),
            name,
            orphan: false,
            load: TagLoad::Pending,
            verification: Verification::NotRequested,
        }
    }

    pub fn image(&self) -> Option<&ImageReport> {
        match &self.load {
            TagLoad::Loaded { image, .. } => Some(image),
            _ => None,
        }
    }

    pub fn nodes(&self) -> &[Node] {
        match &self.load {
            TagLoad::Loaded { nodes, .. } => nodes,
            _ => &[],
        }
    }

    /// Where the tag goes when sorted by state: what needs a look first.
    pub fn state_rank(&self) -> u8 {
        match (&self.load, &self.verification) {
            (_, Verification::Done(v)) => match v.outcome {
                ImageOutcome::NotVerified { .. } if !v.signatures.is_empty() => 0,
                ImageOutcome::CouldNotCheck { .. } => 1,
                ImageOutcome::NotVerified { .. } => 2,
                ImageOutcome::Skipped { .. } => 4,
                ImageOutcome::Verified(_) => 6,
            },
            (_, Verification::Failed(_)) => 1,
            (TagLoad::Failed(_), _) => 3,
            (TagLoad::Loaded { image, .. }, _) if image.artifacts.is_empty() => 2,
            (TagLoad::Pending, _) | (_, Verification::Running(_)) => 5,
            (TagLoad::Loaded { .. }, Verification::NotRequested) => 5,
        }
    }

    /// When the image was built: the config's `created` (the newest platform's, for an index).
    pub fn created(&self) -> Option<&str> {
        let image = self.image()?;
        let own = image.config.as_ref().and_then(|c| c.created.as_deref());
        let platforms = image
            .platforms
            .iter()
            .filter_map(|p| p.config.as_ref().and_then(|c| c.created.as_deref()));
        own.into_iter().chain(platforms).max()
    }
}
