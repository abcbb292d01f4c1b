//! Counts of what the differential target judged, printed as it runs (`differential: …` lines
//! on stderr, which `scripts/fuzz` reports).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Judgement;
use crate::deliberate::DELIBERATE;

/// How often a line is printed.
const EVERY: Duration = Duration::from_secs(5);

struct Counts {
    inputs: u64,
    both_accept: u64,
    both_refuse: u64,
    deliberate: Vec<u64>,
    printed: Option<Instant>,
}

static COUNTS: Mutex<Counts> = Mutex::new(Counts {
    inputs: 0,
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
        Judgement::Nothing | Judgement::Unexplained(_) => {}
    }
    if c.printed.is_none_or(|t| t.elapsed() >= EVERY) {
        c.printed = Some(Instant::now());
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
        "{} inputs judged: {} accepted by both, {} refused by both, deliberate divergences: {}",
        c.inputs,
        c.both_accept,
        c.both_refuse,
        if deliberate.is_empty() {
            "none".to_owned()
        } else {
            deliberate.join(", ")
        }
    )
}
