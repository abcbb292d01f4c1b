//! The event loop: one `tokio::select!` over terminal input, effect results and a frame tick.
//! Everything ready is applied, then the screen is drawn at most once per frame.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt as _;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::MissedTickBehavior;

use super::action::Action;
use super::runtime::Runtime;
use super::state::{Listing, State, Verification};
use super::terminal::Screen;
use super::update::{start, update};
use super::view;

/// About 30 frames a second.
const FRAME: Duration = Duration::from_millis(33);

pub async fn run(
    screen: &mut Screen,
    state: &mut State,
    runtime: &mut Runtime,
    mut results: UnboundedReceiver<Action>,
) -> std::io::Result<()> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(FRAME);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let size = screen.size()?;
    update(
        state,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    );
    for effect in start(state) {
        runtime.perform(effect);
    }
    let mut dirty = true;
    while !state.quit {
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => match from_terminal(event) {
                    Some(action) => action,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(action) = results.recv() => action,
            _ = tick.tick() => {
                update(state, Action::Tick { now: unix_now() });
                if let Some(rate) = runtime.rate_limit()
                    && state.rate_limit != Some(rate)
                {
                    update(state, Action::RateLimited(rate));
                    dirty = true;
                }
                if dirty || busy(state) {
                    screen.draw(|frame| view::draw(frame, state))?;
                    dirty = false;
                }
                continue;
            }
        };
        apply(state, runtime, action);
        // Drain whatever else is ready before the next frame.
        while let Ok(action) = results.try_recv() {
            apply(state, runtime, action);
        }
        dirty = true;
    }
    runtime.shutdown();
    Ok(())
}

fn apply(state: &mut State, runtime: &mut Runtime, action: Action) {
    for effect in update(state, action) {
        runtime.perform(effect);
    }
}

/// Something is loading: the spinner turns.
fn busy(state: &State) -> bool {
    state.message.is_some()
        || state.stale_order
        || matches!(state.listing, Listing::Loading | Listing::Loaded { .. })
        || state
            .tags
            .iter()
            .any(|t| matches!(t.verification, Verification::Running(_)))
}

fn from_terminal(event: Event) -> Option<Action> {
    match event {
        Event::Key(key) => Some(Action::Key(key)),
        Event::Mouse(mouse) => Some(Action::Mouse(mouse)),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        Event::Paste(text) => Some(Action::Paste(text)),
        _ => None,
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
