//! The TUI's whole state. Loading, loaded and failed are enum states, never flags; the view reads
//! this and nothing else.

use std::collections::BTreeSet;

use super::action::RequestId;
use super::copy_menu::{CopyMenu, CopySource};
use super::effect::{Evidence, VerifySpec};
use super::filter::Query;
use super::nodes::Node;
use super::prompt::OpenPrompt;
use super::reproduce::Reproduce;
use super::signer_view::SignerView;
use super::text_field::TextField;
use super::verify_dialog::VerifyDialog;
use super::view::Palette;

pub use super::tag::{TagEntry, TagLoad, Verification};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Tags,
    Tree,
    Detail,
}

/// The column the tags are sorted by (`o` cycles, `O` reverses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// By name, numbers compared as numbers (v1.10 after v1.9).
    Name,
    /// Newest first.
    Date,
    Digest,
    Platforms,
    /// Failures first: failed, could not check, unsigned, errors, then the rest.
    State,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Name,
        SortKey::Date,
        SortKey::Digest,
        SortKey::Platforms,
        SortKey::State,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Date => "date",
            SortKey::Digest => "digest",
            SortKey::Platforms => "platforms",
            SortKey::State => "state",
        }
    }

    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }

    /// Whether the order changes as tags load or verifications finish.
    fn depends_on_results(self) -> bool {
        !matches!(self, SortKey::Name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub field: TextField,
    /// The text, parsed.
    pub query: Query,
    /// The `/` prompt is open and takes the keys.
    pub editing: bool,
}

impl Filter {
    pub fn text(&self) -> &str {
        self.field.text()
    }
}

/// What covers the panes.
#[derive(Debug, Clone)]
pub enum Overlay {
    None,
    /// The keys (`?`), scrolled by `scroll` rows.
    Help {
        scroll: usize,
    },
    Verify(Box<VerifyDialog>),
    /// The signer matrix (`s`), built when opened.
    Signers(Box<SignerView>),
    Copy(CopyMenu),
    /// `:` — open another repository.
    Open(OpenPrompt),
    /// `!` — every message and error of the session, in full.
    Messages {
        scroll: usize,
    },
}

/// How much a message matters (its colour, how long it stays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// A status-line message, gone at `until` (unix seconds); every one is kept in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub level: Level,
    pub until: i64,
}

/// Seconds a message stays on the status line.
pub const MESSAGE_SECONDS: i64 = 6;
/// Seconds an error stays (it is in the `!` log for good).
pub const ERROR_SECONDS: i64 = 15;
/// Messages kept in the log.
const LOG_LIMIT: usize = 200;

/// A verification of every tag, as far as it has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRun {
    pub total: usize,
    /// What is verified, in words.
    pub what: String,
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
    /// The sort order is reversed (`O`).
    pub reverse: bool,
    /// The order or the filter depends on results that changed: redone on the next tick.
    pub stale_order: bool,
    pub focus: Focus,
    pub overlay: Overlay,
    pub tree: TreeNav,
    /// Show the selected node's raw JSON instead of its fields.
    pub raw: bool,
    pub detail_scroll: u16,
    /// The policy every tag is verified against, when one is set.
    pub policy: Option<VerifySpec>,
    /// The signer given on the command line or in the settings: the verify dialog's default,
    /// and the policy again after `:` opens another repository.
    pub default_policy: Option<VerifySpec>,
    /// The running verification of every tag.
    pub verify_run: Option<VerifyRun>,
    /// Frames drawn so far (the spinner).
    pub frame: u64,
    /// Unix seconds, from the last tick.
    pub now: i64,
    pub size: (u16, u16),
    /// False when `NO_COLOR` is set (or the settings' theme is `mono`).
    pub color: bool,
    /// The colours (the settings' theme).
    pub palette: Palette,
    pub quit: bool,
    /// A one-line message for the status bar, until it expires.
    pub message: Option<Message>,
    /// The registry's stated rate limit (Docker Hub's `ratelimit-remaining`), when it states
    /// one.
    pub rate_limit: Option<crate::registry::remote::traffic::RateLimit>,
    /// Every message and error of the session, oldest first (`!` shows them in full).
    pub log: Vec<String>,
    /// The `:` open request waited for.
    pub opening: Option<RequestId>,
    /// Repositories opened with `:` (and the first), oldest first.
    pub history: Vec<String>,
    /// What a copied command line or policy needs to reproduce the checks here.
    pub reproduce: Reproduce,
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
            reverse: false,
            stale_order: false,
            focus: Focus::Tags,
            overlay: Overlay::None,
            tree: TreeNav::default(),
            raw: false,
            detail_scroll: 0,
            policy: None,
            default_policy: None,
            verify_run: None,
            frame: 0,
            now,
            size: (80, 24),
            color,
            palette: Palette::Dark,
            quit: false,
            message: None,
            rate_limit: None,
            log: Vec::new(),
            opening: None,
            history: Vec::new(),
            reproduce: Reproduce::default(),
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
        let by_name = |a: usize, b: usize| natural_cmp(&tags[a].name, &tags[b].name);
        match self.sort {
            SortKey::Name => order.sort_by(|&a, &b| by_name(a, b)),
            SortKey::Date => order.sort_by(|&a, &b| {
                tags[b]
                    .created()
                    .cmp(&tags[a].created())
                    .then_with(|| by_name(a, b))
            }),
            SortKey::Digest => {
                let digests: Vec<String> = tags
                    .iter()
                    .map(|t| t.image().map(|i| i.digest.to_string()).unwrap_or_default())
                    .collect();
                order.sort_by(|&a, &b| digests[a].cmp(&digests[b]).then_with(|| by_name(a, b)));
            }
            SortKey::Platforms => {
                let platforms: Vec<String> = tags
                    .iter()
                    .map(|t| t.image().map(super::summary::platforms).unwrap_or_default())
                    .collect();
                order.sort_by(|&a, &b| platforms[a].cmp(&platforms[b]).then_with(|| by_name(a, b)));
            }
            SortKey::State => {
                let ranks: Vec<u8> = tags.iter().map(TagEntry::state_rank).collect();
                order.sort_by(|&a, &b| ranks[a].cmp(&ranks[b]).then_with(|| by_name(a, b)));
            }
        }
        if self.reverse {
            order.reverse();
        }
        self.order = order;
        self.shown.clear();
        self.refilter(false);
        self.stale_order = false;
    }

    /// Filters again after the filter text changed. When `narrowed` (a character was added to
    /// a filter of plain words), only the rows already shown are tested; otherwise the whole
    /// sorted list is.
    pub fn refilter(&mut self, narrowed: bool) {
        let query = &self.filter.query;
        let tags = &self.tags;
        let attestations = self.attestations();
        let keep = |i: &usize| query.matches(&tags[*i], attestations);
        if narrowed && !self.filter.text().contains('!') {
            self.shown.retain(keep);
        } else {
            self.shown.clear();
            self.shown.extend(self.order.iter().copied().filter(keep));
        }
    }

    /// A tag's load or verification changed: the order and the filter are redone on the next
    /// tick when they depend on it.
    pub fn results_changed(&mut self) {
        if self.sort.depends_on_results() || self.filter.query.depends_on_results() {
            self.stale_order = true;
        }
    }

    /// Whether the verification in force checks attestations.
    pub fn attestations(&self) -> bool {
        self.policy
            .as_ref()
            .is_some_and(|p| matches!(p.evidence, Evidence::Attestations { .. }))
    }

    /// Shows `text` on the status line for a while, and keeps it in the log.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let text = crate::untrusted::printable(&text.into()).into_owned();
        let seconds = match level {
            Level::Info => MESSAGE_SECONDS,
            Level::Error => ERROR_SECONDS,
        };
        if self.log.len() >= LOG_LIMIT {
            self.log.remove(0);
        }
        self.log.push(text.clone());
        self.message = Some(Message {
            text,
            level,
            until: self.now + seconds,
        });
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

    /// What the copy menu reads: the source's name, the selected tag and node, and how to
    /// reproduce a check.
    pub fn copy_source(&self) -> CopySource<'_> {
        CopySource {
            source: &self.source,
            tag: self.selected_tag(),
            node: self.selected_node(),
            reproduce: &self.reproduce,
        }
    }
}

pub use crate::natural::natural_cmp;
