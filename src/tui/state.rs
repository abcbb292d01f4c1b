//! The TUI's whole state. Loading, loaded and failed are enum states, never flags; the view reads
//! this and nothing else.

use std::collections::BTreeSet;

use crate::compare::Matrix;
use crate::inventory::model::ImageReport;
use crate::verify::report::ImageVerdict;

use super::action::RequestId;
use super::copy_menu::CopyMenu;
use super::effect::VerifySpec;
use super::nodes::Node;
use super::verify_dialog::VerifyDialog;

/// The tag list of the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    Loading,
    /// Listed; `inspected` of the tags have come back so far.
    Loaded {
        inspected: usize,
    },
    /// Every tag has been inspected.
    Complete,
    Failed(String),
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Tags,
    Tree,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// By name, numbers compared as numbers (v1.10 after v1.9).
    Name,
    /// Newest first.
    Date,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    /// The `/` prompt is open and takes the keys.
    pub editing: bool,
}

/// What covers the panes.
#[derive(Debug, Clone)]
pub enum Overlay {
    None,
    Help,
    Verify(VerifyDialog),
    /// The signer matrix (`s`), built when opened, scrolled by `scroll` rows.
    Signers {
        matrix: Box<Matrix>,
        scroll: usize,
    },
    Copy(CopyMenu),
}

/// Where the artifact tree is: the selected node's path and the opened nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeNav {
    pub selected: Vec<String>,
    pub opened: BTreeSet<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct State {
    /// The source's name, printable.
    pub source: String,
    pub listing: Listing,
    /// In arrival order; [`State::visible`] filters and sorts.
    pub tags: Vec<TagEntry>,
    /// Indices into `tags`, sorted; kept up to date by [`State::resort`].
    order: Vec<usize>,
    /// `order` filtered; kept up to date by [`State::refilter`].
    shown: Vec<usize>,
    /// The running (or last) discovery.
    pub discovery: RequestId,
    pub next_request: RequestId,
    /// The selected tag, by name, so it stays selected while tags stream in and re-sort.
    pub selected: Option<String>,
    pub filter: Filter,
    pub sort: SortKey,
    pub focus: Focus,
    pub overlay: Overlay,
    pub tree: TreeNav,
    /// Show the selected node's raw JSON instead of its fields.
    pub raw: bool,
    pub detail_scroll: u16,
    /// The policy every tag is verified against, when one is set.
    pub policy: Option<VerifySpec>,
    /// Frames drawn so far (the spinner).
    pub frame: u64,
    /// Unix seconds, from the last tick.
    pub now: i64,
    pub size: (u16, u16),
    /// False when `NO_COLOR` is set.
    pub color: bool,
    pub quit: bool,
    /// A one-line message for the status bar.
    pub message: Option<String>,
    /// The trusted root verifications use, and where it came from (the verify dialog shows it).
    pub trust: String,
    /// What the user was warned of when it was chosen (a fallback, an age).
    pub trust_warnings: Vec<String>,
}

impl State {
    pub fn new(source: &str, now: i64, color: bool) -> State {
        State {
            source: crate::untrusted::printable(source).into_owned(),
            listing: Listing::Loading,
            tags: Vec::new(),
            order: Vec::new(),
            shown: Vec::new(),
            discovery: 0,
            next_request: 1,
            selected: None,
            filter: Filter::default(),
            sort: SortKey::Name,
            focus: Focus::Tags,
            overlay: Overlay::None,
            tree: TreeNav::default(),
            raw: false,
            detail_scroll: 0,
            policy: None,
            frame: 0,
            now,
            size: (80, 24),
            color,
            quit: false,
            message: None,
            trust: String::new(),
            trust_warnings: Vec::new(),
        }
    }

    /// A fresh request id.
    pub fn request(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    /// Indices into `tags` of the tags shown, filtered and sorted (kept, not recomputed).
    pub fn visible(&self) -> &[usize] {
        &self.shown
    }

    /// Sorts the tags again (tags came or went, the sort key changed), then filters.
    pub fn resort(&mut self) {
        let mut order: Vec<usize> = (0..self.tags.len()).collect();
        let tags = &self.tags;
        match self.sort {
            SortKey::Name => order.sort_by(|&a, &b| natural_cmp(&tags[a].name, &tags[b].name)),
            SortKey::Date => order.sort_by(|&a, &b| {
                let (ta, tb) = (&tags[a], &tags[b]);
                tb.created()
                    .cmp(&ta.created())
                    .then_with(|| natural_cmp(&ta.name, &tb.name))
            }),
        }
        self.order = order;
        self.shown.clear();
        self.refilter(false);
    }

    /// Filters again after the filter text changed. When `narrowed` (a character was added),
    /// only the rows already shown are tested; otherwise the whole sorted list is.
    pub fn refilter(&mut self, narrowed: bool) {
        let needle = self.filter.text.to_lowercase();
        let tags = &self.tags;
        let keep = |i: &usize| needle.is_empty() || tags[*i].folded.contains(&needle);
        if narrowed {
            self.shown.retain(keep);
        } else {
            self.shown.clear();
            self.shown.extend(self.order.iter().copied().filter(keep));
        }
    }

    /// Position of the selected tag among the visible ones.
    pub fn selected_position(&self, visible: &[usize]) -> Option<usize> {
        let name = self.selected.as_deref()?;
        visible.iter().position(|&i| self.tags[i].name == name)
    }

    pub fn selected_tag(&self) -> Option<&TagEntry> {
        let name = self.selected.as_deref()?;
        self.tags.iter().find(|t| t.name == name)
    }

    pub fn tag_mut(&mut self, name: &str) -> Option<&mut TagEntry> {
        self.tags.iter_mut().find(|t| t.name == name)
    }

    /// The selected node of the artifact tree.
    pub fn selected_node(&self) -> Option<&Node> {
        super::nodes::find(self.selected_tag()?.nodes(), &self.tree.selected)
    }
}

/// Compares strings with runs of digits compared as numbers.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let db = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (na, nb) = (
                    a[..da].trim_start_matches('0'),
                    b[..db].trim_start_matches('0'),
                );
                let order = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
                (a, b) = (&a[da..], &b[db..]);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}
