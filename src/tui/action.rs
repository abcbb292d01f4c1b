//! Everything that can happen to the TUI: input, time, and results of effects. Results carry the
//! id of the request that asked for them, so the update can drop stale ones.

use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::inventory::model::{ImageReport, TagReport};
use crate::verify::report::ImageVerdict;

/// Identifies one request (a discovery, a verification) so its results can be matched to it.
pub type RequestId = u64;

#[derive(Debug, Clone)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// A frame tick: the spinner moves; `now` (unix seconds) ages the tags.
    Tick {
        now: i64,
    },
    /// The tag list of discovery `request`, or why it could not be read.
    TagsListed {
        request: RequestId,
        result: Result<Vec<String>, String>,
    },
    /// One tag of discovery `request`, inspected.
    TagInspected {
        request: RequestId,
        report: Box<TagReport>,
    },
    /// A problem with the whole source that discovery `request` met (a layout whose index
    /// leaves signatures unplaced): said, never dropped.
    DiscoveryProblem {
        request: RequestId,
        problem: String,
    },
    /// The registry's latest statement of its rate limit.
    RateLimited(crate::registry::remote::traffic::RateLimit),
    /// Discovery `request` has inspected every tag.
    DiscoveryFinished {
        request: RequestId,
    },
    /// The verification `request` of `tag`.
    Verified {
        request: RequestId,
        tag: String,
        result: Result<Box<ImageVerdict>, String>,
    },
    /// An untagged digest with artifacts, found after discovery `request` inspected every tag.
    OrphanFound {
        request: RequestId,
        image: Box<ImageReport>,
    },
    /// A copy finished: what went where, or why it could not.
    Copied {
        result: Result<String, String>,
    },
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The key file of check `request`: its path with `~` expanded, or why it cannot be used.
    KeyChecked {
        request: RequestId,
        result: Result<PathBuf, String>,
    },
    /// The repository of open `request` is open (its name) and its discovery has started, or
    /// why it could not be opened.
    Opened {
        request: RequestId,
        target: String,
        result: Result<String, String>,
    },
}
