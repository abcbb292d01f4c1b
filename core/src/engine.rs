//! One engine for repository-wide work: "verify every tag", "evaluate this admission policy on
//! every tag", "collect every build's signers". Given a source, a target and what to do per
//! image ([`Work`]), it discovers the target's images and hands each to the work as discovery
//! yields it, with bounded concurrency, and streams the results to the caller's sink in tag
//! order. Nothing is buffered beyond the window in flight: a repository of 10,000 tags costs
//! the memory of the results the caller keeps, not of 10,000 inventories.
//!
//! - **Discovery** reads at most `max_workers` tags at once (registry I/O).
//! - **Work** is pure computation (signature checks, policy decisions): it runs on tokio's
//!   blocking pool, at most one task per core, so discovery of the next tags never waits for
//!   the checks of the previous ones, and the event loop of a front end is never blocked.
//! - **Cancellation**: the sink returns [`ControlFlow::Break`] to stop, or the caller drops the
//!   future (the TUI aborts its task); nothing further is read or computed.
//! - **Never fail open**: work that stops unexpectedly (a panic) yields [`Work::stopped`] for its
//!   tag, which a verifier makes "could not check", never a pass; a target-wide problem (the
//!   tag list could not be read, a layout's unplaced signatures) is an [`Event::Problem`].

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::Arc;

use futures_util::StreamExt as _;

use crate::inventory::discover::{DiscoverOptions, Discovery, Reading, add_digests};
use crate::inventory::model::{ImageReport, TagReport};
use crate::reference::Digest;
use crate::registry::Source;
use crate::target::{Selector, Target};

/// What to do with each image the engine discovers.
pub trait Work: Send + Sync + 'static {
    /// The result for one tag; what the caller keeps.
    type Output: Send + 'static;

    /// This work on one tag's report (an image, or why it could not be read). Pure
    /// computation: it runs on the blocking pool.
    fn image(&self, report: TagReport) -> Self::Output;

    /// The result for `tag` when its work stopped unexpectedly: never a pass.
    fn stopped(&self, tag: String) -> Self::Output;
}

/// How the engine walks a target.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plan {
    pub options: DiscoverOptions,
    /// What discovery reads of each image.
    pub reading: Reading,
    /// Results in tag order (the CLI's output), or as each completes (the TUI).
    pub order: Order,
    /// After the tags, the artifacts whose subject no tag names (a repository target only).
    pub untagged: bool,
}

/// The order in which results reach the sink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// The order of the tag list (the results of one window wait for the first of it).
    #[default]
    Tags,
    /// As each tag's work completes.
    Completion,
}

/// What the engine reports, as it goes.
#[derive(Debug)]
pub enum Event<T> {
    /// The tag list of a repository target: its image tags in listing order, or why it could
    /// not be read. Sent once, before any [`Event::Tag`]; not sent for one image.
    Listed(Result<Vec<String>, String>),
    /// A problem with the target as a whole: the tag list could not be read, or the source's
    /// own note on itself (a layout whose index leaves signatures unplaced).
    Problem(String),
    /// One tag's result.
    Tag(T),
    /// An image no tag names, with artifacts attached ([`Plan::untagged`]).
    Untagged(Box<ImageReport>),
}

/// Every tag's output, in the plan's order, and the problems met on the way (a tag list that
/// could not be read, an image that could not be resolved): for front ends that answer once
/// everything is in. Only the outputs are kept, never the images they were made from.
pub struct Collected<T> {
    pub outputs: Vec<T>,
    pub problems: Vec<String>,
}

/// Runs `work` on every tag as [`run`] does and collects what it yields.
pub async fn collect<S, W>(
    source: &S,
    target: &Target,
    plan: Plan,
    work: Arc<W>,
) -> Collected<W::Output>
where
    S: Source,
    W: Work,
{
    let mut collected = Collected {
        outputs: Vec::new(),
        problems: Vec::new(),
    };
    let mut sink = |event: Event<W::Output>| {
        match event {
            Event::Tag(output) => collected.outputs.push(output),
            Event::Problem(problem) => collected.problems.push(problem),
            Event::Listed(_) | Event::Untagged(_) => {}
        }
        ControlFlow::Continue(())
    };
    run(source, target, plan, work, &mut sink).await;
    collected
}

/// Runs `work` on every image `target` names in `source`, as [`Plan`] says, sending each
/// [`Event`] to `sink` as it comes. Returns when every image is done or the sink breaks.
pub async fn run<S, W>(
    source: &S,
    target: &Target,
    plan: Plan,
    work: Arc<W>,
    sink: &mut (dyn FnMut(Event<W::Output>) -> ControlFlow<()> + Send),
) where
    S: Source,
    W: Work,
{
    let Plan {
        options, reading, ..
    } = plan;
    // One image: no tag list when only its signatures or attestations are wanted (its `.sig`
    // and `.att` tags are probed instead: a few requests rather than a whole repository).
    if let Some(selector) = one_image(target) {
        let (mut discovery, _) = match reading {
            Reading::Signatures | Reading::Attestations => {
                (Discovery::without_tag_list(source, options), Ok(Vec::new()))
            }
            Reading::Everything => Discovery::new(source, options).await,
        };
        discovery.read(reading);
        let report = match &selector {
            Selector::Tag(tag) => discovery.tag(tag.clone()).await,
            Selector::Digest(digest) => {
                let mut report = discovery.tag(digest.to_string()).await;
                report.tag = digest.to_string();
                report
            }
        };
        let executor = Executor::new(work);
        let _ = sink(Event::Tag(executor.run(report).await));
        return;
    }
    let (mut discovery, listed) = Discovery::new(source, options).await;
    discovery.read(reading);
    let listing_failed = listed.as_ref().err().map(ToString::to_string);
    let (tags, problems) = discovery.image_tags(listed);
    let listed = match listing_failed {
        Some(e) => Err(e),
        None => Ok(tags.clone()),
    };
    if sink(Event::Listed(listed)).is_break() {
        return;
    }
    for problem in problems {
        if sink(Event::Problem(problem)).is_break() {
            return;
        }
    }
    let executor = Executor::new(work);
    let known = match plan.order {
        Order::Tags => {
            let results = discovery
                .tags_in_order(tags)
                .map(|report| executor.run_seen(report));
            drain(results.buffered(RESULTS_AHEAD), sink).await
        }
        Order::Completion => {
            let results = discovery
                .stream_tags(tags)
                .map(|report| executor.run_seen(report));
            drain(results.buffer_unordered(RESULTS_AHEAD), sink).await
        }
    };
    let Some(known) = known else {
        return;
    };
    if plan.untagged && matches!(target, Target::Repository { .. } | Target::Layout { .. }) {
        for image in discovery.untagged_images(&known).await {
            if sink(Event::Untagged(Box::new(image))).is_break() {
                return;
            }
        }
    }
}

/// Sends each result to the sink, gathering the digests the tags name; `None` when the sink
/// broke off.
async fn drain<T>(
    results: impl futures_util::Stream<Item = (BTreeSet<Digest>, T)>,
    sink: &mut (dyn FnMut(Event<T>) -> ControlFlow<()> + Send),
) -> Option<BTreeSet<Digest>> {
    let mut results = std::pin::pin!(results);
    let mut known = BTreeSet::new();
    while let Some((digests, output)) = results.next().await {
        known.extend(digests);
        if sink(Event::Tag(output)).is_break() {
            return None;
        }
    }
    Some(known)
}

/// The one image a target names, if it names one.
fn one_image(target: &Target) -> Option<Selector> {
    match target {
        Target::Image { selector, .. } => Some(selector.clone()),
        Target::Layout { tag: Some(t), .. } => Some(Selector::Tag(t.clone())),
        _ => None,
    }
}

/// Results computed ahead of the oldest one not yet sent (in tag order, a slow tag holds the
/// rest of the window back; the window keeps every core busy meanwhile).
const RESULTS_AHEAD: usize = 256;

/// Runs [`Work`] on the blocking pool, at most one task per core; shared by every front end
/// that has reports in hand (the TUI verifies the tags it has already read through one).
pub struct Executor<W: Work> {
    work: Arc<W>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl<W: Work> Clone for Executor<W> {
    fn clone(&self) -> Self {
        Executor {
            work: Arc::clone(&self.work),
            permits: Arc::clone(&self.permits),
        }
    }
}

impl<W: Work> Executor<W> {
    /// An executor running `work` on as many tasks at once as the machine has cores.
    pub fn new(work: Arc<W>) -> Executor<W> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Executor {
            work,
            permits: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }

    /// The work's result on one report, computed when a core is free.
    pub async fn run(&self, report: TagReport) -> W::Output {
        let tag = report.tag.clone();
        // The semaphore is never closed, so a permit always comes.
        let permit = Arc::clone(&self.permits).acquire_owned().await.ok();
        let work = Arc::clone(&self.work);
        let done = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work.image(report)
        })
        .await;
        done.unwrap_or_else(|_| self.work.stopped(tag))
    }

    /// Like [`Executor::run`], with the digests the report names (for finding untagged ones).
    async fn run_seen(&self, report: TagReport) -> (BTreeSet<Digest>, W::Output) {
        let mut known = BTreeSet::new();
        add_digests(&report, &mut known);
        (known, self.run(report).await)
    }
}

#[cfg(test)]
mod tests;
