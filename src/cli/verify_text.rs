//! Text verdicts: per image a verdict line; for one image every signature's checks, failures
//! first, with expected and actual values. Over a repository the tags come in natural order
//! (v2 before v10, as in the TUI) and a summary line ends the output.

use std::io::Write as _;

use sigscope::natural::natural_cmp;
use sigscope::untrusted::printable;
use sigscope::verify::check::Outcome;
use sigscope::verify::report::{ImageOutcome, ImageVerdict, SignatureVerdict};

pub fn print(verdicts: &[ImageVerdict], repository: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in render(verdicts, repository) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

pub fn render(verdicts: &[ImageVerdict], repository: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut ordered: Vec<&ImageVerdict> = verdicts.iter().collect();
    if repository {
        ordered.sort_by(|a, b| natural_cmp(&a.reference, &b.reference));
    }
    for v in ordered {
        lines.push(verdict_line(v));
        if repository {
            if v.verified().is_none()
                && let Some(first) = v.signatures.iter().flat_map(|s| s.checks.failures()).next()
                && let Outcome::Failed { reason, .. } | Outcome::NotUnderstood { reason } =
                    &first.outcome
            {
                lines.push(format!("    {}: {}", first.name, printable(reason)));
            }
            continue;
        }
        for w in &v.warnings {
            lines.push(format!("  warning: {}", printable(w)));
        }
        // Failing signatures first: they are what needs explaining.
        // Counted signatures first, failing ones first among them: they are what needs
        // explaining; then those the followed consumer does not read.
        let mut sigs: Vec<(usize, &SignatureVerdict)> = v.signatures.iter().enumerate().collect();
        sigs.sort_by_key(|(_, s)| (s.not_counted.is_some(), s.verified));
        for (i, s) in sigs {
            lines.push(format!(
                "  signature {} of {} ({}): {}{}",
                i + 1,
                v.signatures.len(),
                printable(&s.found_via),
                match (s.verified, s.not_counted.is_some()) {
                    (true, false) => "verified",
                    (false, false) => "FAILED",
                    (true, true) => "passed, not counted",
                    (false, true) => "failed, not counted",
                },
                s.signer
                    .as_deref()
                    .map(|s| format!(", signer {}", printable(s)))
                    .unwrap_or_default()
            ));
            if let Some(why) = &s.not_counted {
                lines.push(format!("    not counted: {}", printable(why)));
            }
            let mut checks: Vec<_> = s.checks.0.iter().collect();
            checks.sort_by_key(|c| c.outcome.rank());
            for c in checks {
                let line = match &c.outcome {
                    Outcome::Passed { detail } => {
                        format!("    ✓ {:<15} {}", c.name, printable(detail))
                    }
                    Outcome::NotUnderstood { reason } => {
                        format!("    ? {:<15} not understood: {}", c.name, printable(reason))
                    }
                    Outcome::Skipped { why } => {
                        format!("    - {:<15} skipped: {}", c.name, printable(why))
                    }
                    Outcome::Failed {
                        reason,
                        expected,
                        actual,
                    }
                    | Outcome::Logged {
                        reason,
                        expected,
                        actual,
                    } => {
                        let (mark, note) = match c.outcome {
                            Outcome::Logged { .. } => ("!", "logged: "),
                            _ => ("✗", ""),
                        };
                        let mut l =
                            format!("    {mark} {:<15} {note}{}", c.name, printable(reason));
                        if let (Some(e), Some(a)) = (expected, actual) {
                            l.push_str(&format!(
                                "\n        expected: {}\n        actual:   {}",
                                printable(e),
                                printable(a)
                            ));
                        }
                        l
                    }
                };
                lines.push(line);
            }
        }
    }
    if repository {
        lines.push(summary(verdicts));
    }
    lines
}

/// `14 tags: 9 verified, 4 failed, 1 could not check` (and skipped ones, when there are).
pub fn summary(verdicts: &[ImageVerdict]) -> String {
    let count = |f: fn(&ImageOutcome) -> bool| verdicts.iter().filter(|v| f(&v.outcome)).count();
    let verified = count(|o| matches!(o, ImageOutcome::Verified(_)));
    let failed = count(|o| matches!(o, ImageOutcome::NotVerified { .. }));
    let unchecked = count(|o| matches!(o, ImageOutcome::CouldNotCheck { .. }));
    let skipped = count(|o| matches!(o, ImageOutcome::Skipped { .. }));
    let tags = match verdicts.len() {
        1 => "1 tag".to_owned(),
        n => format!("{n} tags"),
    };
    let mut line =
        format!("{tags}: {verified} verified, {failed} failed, {unchecked} could not check");
    if skipped > 0 {
        line.push_str(&format!(", {skipped} skipped"));
    }
    line
}

fn verdict_line(v: &ImageVerdict) -> String {
    let digest = v
        .digest
        .as_ref()
        .filter(|d| d.to_string() != v.reference)
        .map(|d| format!(" {}:{}", d.algorithm().name(), &d.hex()[..12]))
        .unwrap_or_default();
    let reference = printable(&v.reference);
    match &v.outcome {
        ImageOutcome::Verified(proof) => {
            let by = v
                .signatures
                .get(proof.by_signature)
                .and_then(|s| s.signer.clone())
                .unwrap_or_default();
            format!(
                "{reference}{digest}  VERIFIED  signed by {}",
                printable(&by)
            )
        }
        ImageOutcome::NotVerified { reason } => {
            format!("{reference}{digest}  NOT VERIFIED  {}", printable(reason))
        }
        ImageOutcome::CouldNotCheck { reason } => format!(
            "{reference}{digest}  COULD NOT CHECK  {}",
            printable(reason)
        ),
        ImageOutcome::Skipped { reason } => {
            format!("{reference}{digest}  SKIPPED  {}", printable(reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use sigscope::verify::policy::PolicySummary;
    use sigscope::verify::report::{ImageOutcome, ImageVerdict};

    use super::render;

    fn verdict(tag: &str, outcome: ImageOutcome) -> ImageVerdict {
        ImageVerdict {
            reference: tag.into(),
            digest: None,
            outcome,
            signatures: Vec::new(),
            warnings: Vec::new(),
            policy: PolicySummary {
                signer: "test".into(),
                annotations: Vec::new(),
                trusted_root: "test".into(),
            },
        }
    }

    /// Over a repository: tags in natural order (v2 before v10, as the TUI lists them), then a
    /// summary line counting each outcome.
    #[test]
    fn a_repository_is_listed_in_natural_order_and_summed_up() {
        let failed = |tag| {
            verdict(
                tag,
                ImageOutcome::NotVerified {
                    reason: "no signatures".into(),
                },
            )
        };
        let verdicts = vec![
            failed("v10.0.0"),
            failed("v2.0.0"),
            verdict(
                "v1.10.0",
                ImageOutcome::CouldNotCheck {
                    reason: "registry unreachable".into(),
                },
            ),
            failed("v1.9.0"),
        ];
        let lines = render(&verdicts, true);
        let order: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.starts_with('v'))
            .collect();
        assert_eq!(
            order,
            ["v1.9.0", "v1.10.0", "v2.0.0", "v10.0.0"],
            "{lines:#?}"
        );
        assert_eq!(
            lines.last().map(String::as_str),
            Some("4 tags: 0 verified, 3 failed, 1 could not check"),
            "{lines:#?}"
        );
        // One image: no summary line.
        let one = render(&verdicts[..1], false);
        assert!(
            !one.iter().any(|l| l.contains("could not check")),
            "{one:#?}"
        );
    }
}
