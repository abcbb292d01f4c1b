//! Counts of what the differential target judged, printed as it runs and once more when the
//! process exits (`differential: …` lines on stderr; `scripts/fuzz` reports the last).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Judgement;
use crate::deliberate::DELIBERATE;

/// How often a line is printed.
const EVERY: Duration = Duration::from_secs(5);

struct Counts {
    inputs: u64,
    unexplained: u64,
    both_accept: u64,
    both_refuse: u64,
    deliberate: Vec<u64>,
    printed: Option<Instant>,
}

static COUNTS: Mutex<Counts> = Mutex::new(Counts {
    inputs: 0,
    unexplained: 0,
    both_accept: 0,
    both_refuse: 0,
    deliberate: Vec::new(),
    printed: None,
});

/// Counts one judgement; prints the tally every few seconds.
pub fn record(judgement: &Judgement) {
    let Ok(mut c) = COUNTS.lock() else {
        return;
    };
    c.inputs += 1;
    match judgement {
        Judgement::Agreed { accepted: true } => c.both_accept += 1,
        Judgement::Agreed { accepted: false } => c.both_refuse += 1,
        Judgement::Deliberate(entries) => {
            c.deliberate.resize(DELIBERATE.len(), 0);
            for e in entries {
                if let Some(i) = DELIBERATE.iter().position(|d| d.name == e.name) {
                    c.deliberate[i] += 1;
                }
            }
        }
        Judgement::Unexplained(_) => c.unexplained += 1,
        Judgement::Nothing => {}
    }
    if c.printed.is_none() {
        // libFuzzer ends a timed run with exit(): the last tally is printed then.
        // SAFETY: `print_at_exit` is a plain extern "C" function that only locks a static.
        unsafe {
            libc::atexit(print_at_exit);
        }
    }
    if c.printed.is_none_or(|t| t.elapsed() >= EVERY) {
        c.printed = Some(Instant::now());
        eprintln!("differential: {}", line(&c));
    }
}

extern "C" fn print_at_exit() {
    if let Ok(c) = COUNTS.try_lock() {
        eprintln!("differential: {}", line(&c));
    }
}

fn line(c: &Counts) -> String {
    let deliberate: Vec<String> = DELIBERATE
        .iter()
        .zip(c.deliberate.iter())
        .filter(|(_, n)| **n > 0)
        .map(|(d, n)| format!("{n} {}", d.name))
        .collect();
    format!(
        "{} inputs judged: {} accepted by both, {} refused by both, {} unexplained, explained divergences: {}",
        c.inputs,
        c.both_accept,
        c.both_refuse,
        c.unexplained,
        if deliberate.is_empty() {
            "none".to_owned()
        } else {
            deliberate.join(", ")
        }
    )
}
