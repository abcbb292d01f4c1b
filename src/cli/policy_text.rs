//! `policy eval` as text: one line per tag with its decision, then for denials each
//! authority's failing checks with expected and actual values, then the policy fields that
//! were not evaluated.

use std::io::Write as _;

use sigscope::policy::authority::AuthorityOutcome;
use sigscope::policy::document::FieldNote;
use sigscope::policy::evaluate::{Decision, TagDecision};
use sigscope::untrusted::printable;

pub fn print(decisions: &[TagDecision], notes: &[FieldNote]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for d in decisions {
        let mark = match d.decision {
            Decision::Admitted => "ADMIT",
            Decision::Denied => "DENY ",
            Decision::CouldNotCheck => "???  ",
        };
        writeln!(
            out,
            "{mark} {:<20} {}",
            printable(&d.tag),
            printable(&d.reason)
        )?;
        for w in &d.warnings {
            writeln!(out, "      warning: {}", printable(w))?;
        }
        if d.decision == Decision::Admitted {
            continue;
        }
        for rule in &d.rules {
            for group in &rule.groups {
                for a in group
                    .authorities
                    .iter()
                    .filter(|a| a.outcome != AuthorityOutcome::Matched)
                {
                    writeln!(
                        out,
                        "      {} / {} (requires {}): {}",
                        printable(&rule.source),
                        printable(&a.name),
                        printable(&a.requires),
                        printable(&a.reason)
                    )?;
                    for f in &a.failures {
                        write!(
                            out,
                            "        ✗ {} on {}: {}",
                            f.check,
                            printable(&f.on),
                            printable(&f.reason)
                        )?;
                        if let (Some(e), Some(g)) = (&f.expected, &f.actual) {
                            write!(out, " (expected {}, got {})", printable(e), printable(g))?;
                        }
                        writeln!(out)?;
                    }
                }
            }
            for t in &rule.unexecuted {
                writeln!(
                    out,
                    "      not executed: {} policy at {}:",
                    printable(&t.language),
                    printable(&t.path)
                )?;
                for line in t.text.lines() {
                    writeln!(out, "        | {}", printable(line))?;
                }
            }
        }
    }
    let count = |x: Decision| decisions.iter().filter(|d| d.decision == x).count();
    writeln!(
        out,
        "\n{} admitted, {} denied, {} could not be checked",
        count(Decision::Admitted),
        count(Decision::Denied),
        count(Decision::CouldNotCheck)
    )?;
    let mut warnings: Vec<&str> = Vec::new();
    for w in decisions
        .iter()
        .flat_map(|d| d.rules.iter())
        .flat_map(|r| r.groups.iter())
        .flat_map(|g| g.authorities.iter())
        .flat_map(|a| a.warnings.iter())
    {
        if !warnings.contains(&w.as_str()) {
            warnings.push(w);
        }
    }
    if !warnings.is_empty() {
        writeln!(out, "\nwarnings:")?;
        for w in warnings {
            writeln!(out, "  {}", printable(w))?;
        }
    }
    if !notes.is_empty() {
        writeln!(out, "\npolicy fields not evaluated as the cluster would:")?;
        for n in notes {
            writeln!(
                out,
                "  {:?} {}: {}",
                n.kind,
                printable(&n.path),
                printable(&n.note)
            )?;
        }
    }
    Ok(())
}
