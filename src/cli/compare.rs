//! `sigscope compare TARGET`: the tags × signer matrix, every signature of every build, outliers
//! flagged with the reason. Exit 1 when a build stands out, 0 when every build is like the
//! majority, 2 when the repository could not be read.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;

use sigscope::compare::trust::mark_trusted_authorities;
use sigscope::compare::{Matrix, Observation, matrix_of};
use sigscope::engine::{self, Collected, Plan, Work};
use sigscope::inventory::model::{TagOutcome, TagReport};
use sigscope::registry::any::AnySource;
use sigscope::target::Target;
use sigscope::untrusted::printable;

use super::output::{Format, print_json};
use super::registry_args::RegistryArgs;
use super::trust_args::TrustArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A repository (every tag) or an OCI layout.
    pub target: String,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    /// The trusted root each build's certificate authority is checked against.
    #[command(flatten)]
    pub trust: TrustArgs,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Serialize)]
struct CompareDocument<'a> {
    target: String,
    trusted_root: &'a str,
    outliers: usize,
    #[serde(flatten)]
    matrix: &'a Matrix,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target =
        Target::parse(&args.target).with_context(|| format!("target {:?}", args.target))?;
    let source = AnySource::open(&target, args.registry.remote_options(&target)?)?;
    let trust = args.trust.resolve(args.registry.cache_folder()).await?.root;
    // What comparison needs of each build, observed as the engine yields it: the repository is
    // never held in memory, only each build's signatures.
    let Collected {
        outputs: mut observations,
        problems,
    } = engine::collect(&source, &target, Plan::default(), Arc::new(Observe)).await;
    if !problems.is_empty() {
        anyhow::bail!("{}", problems.join("; "));
    }
    observations.sort_by(|a, b| sigscope::natural::natural_cmp(a.tag(), b.tag()));
    let mut matrix = matrix_of(observations);
    mark_trusted_authorities(&mut matrix, &trust);
    match args.output {
        Format::Json => print_json(
            "compare",
            &CompareDocument {
                target: target.to_string(),
                trusted_root: &trust.source,
                outliers: matrix.outlier_count(),
                matrix: &matrix,
            },
        )?,
        Format::Text => print_text(&matrix, &trust.source)?,
    }
    // 0 only when every build is like the majority; 1 when one stands out.
    Ok(ExitCode::from(if matrix.outlier_count() == 0 {
        super::exit::OK
    } else {
        super::exit::FAILED
    }))
}

fn print_text(matrix: &Matrix, trusted_root: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in render_text(matrix, trusted_root) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The text report: the majority, then every build with every signature, marks and reasons.
pub fn render_text(matrix: &Matrix, trusted_root: &str) -> Vec<String> {
    let mut lines = vec![
        format!("trusted root: {}", printable(trusted_root)),
        "most builds are signed by:".to_owned(),
    ];
    for (attribute, value) in &matrix.majority {
        lines.push(format!("  {:<22} {}", attribute.label(), printable(value)));
    }
    lines.push(String::new());
    for row in &matrix.rows {
        let mark = if row.outliers.is_empty() { " " } else { "!" };
        let tag = printable(&row.tag);
        if row.signatures.is_empty() {
            let what = if row.digest.is_none() {
                "(unreadable)"
            } else {
                "(unsigned)"
            };
            lines.push(format!("{mark} {tag:<20} {what}"));
        }
        for (i, s) in row.signatures.iter().enumerate() {
            let who = match &s.signer {
                Some(signer) => printable(&signer.identity).into_owned(),
                None => "(a key)".to_owned(),
            };
            let issuer = s
                .signer
                .as_ref()
                .and_then(|s| s.issuer.as_deref())
                .map(|i| format!(" from {}", printable(i)))
                .unwrap_or_default();
            let copied = if s.copied_from.is_some() {
                "  [copied from another image]"
            } else {
                ""
            };
            let (mark, tag) = if i == 0 {
                (mark, tag.as_ref())
            } else {
                (" ", "")
            };
            lines.push(format!(
                "{mark} {tag:<20} {who}{issuer}  ({}){copied}",
                printable(&s.found_via)
            ));
            if s.certificate_authority_trusted == Some(false) {
                lines.push(
                    "      (its certificate authority is not in the trusted root)".to_owned(),
                );
            }
        }
        for o in &row.outliers {
            lines.push(format!("      {}", printable(&o.reason)));
        }
        for note in &row.notes {
            lines.push(format!("      note: {}", printable(note)));
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "{} of {} builds stand out",
        matrix.outlier_count(),
        matrix.rows.len()
    ));
    lines
}

/// Each build's signatures, observed by the engine.
struct Observe;

impl Work for Observe {
    type Output = Observation;

    fn image(&self, tag: TagReport) -> Observation {
        match &tag.outcome {
            TagOutcome::Image(image) => Observation::of(&tag.tag, Ok(image)),
            TagOutcome::Error(e) => Observation::of(&tag.tag, Err(e)),
        }
    }

    /// A build whose signatures could not be read stands out as unreadable.
    fn stopped(&self, tag: String) -> Observation {
        Observation::of(&tag, Err("reading its signatures stopped unexpectedly"))
    }
}
