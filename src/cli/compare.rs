//! `sigscope compare TARGET`: the tags × signer matrix, outliers flagged with the reason.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use sigscope::compare::trust::mark_trusted_authorities;
use sigscope::compare::{Matrix, signer_matrix};
use sigscope::inventory::discover::DiscoverOptions;
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
    let inventory = super::inspect::discover(&source, &target, DiscoverOptions::default()).await;
    if !inventory.errors.is_empty() {
        anyhow::bail!("{}", inventory.errors.join("; "));
    }
    let trust = args.trust.resolve(args.registry.cache_folder()).await?.root;
    let mut matrix = signer_matrix(&inventory);
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
    Ok(ExitCode::from(super::exit::OK))
}

fn print_text(matrix: &Matrix, trusted_root: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "trusted root: {}", printable(trusted_root))?;
    writeln!(out, "most builds are signed by:")?;
    for (attribute, value) in &matrix.majority {
        writeln!(out, "  {:<22} {}", attribute.label(), printable(value))?;
    }
    writeln!(out)?;
    for row in &matrix.rows {
        let who = match &row.signer {
            Some(s) => printable(&s.identity).into_owned(),
            None if row.key_signed => "(a key)".into(),
            None => "(unsigned)".into(),
        };
        let mark = if row.outliers.is_empty() { " " } else { "!" };
        writeln!(out, "{mark} {:<20} {who}", printable(&row.tag))?;
        for o in &row.outliers {
            writeln!(out, "      {}", printable(&o.reason))?;
        }
        if row.certificate_authority_trusted == Some(false) {
            writeln!(
                out,
                "      (its certificate authority is not in the trusted root)"
            )?;
        }
    }
    writeln!(
        out,
        "\n{} of {} builds stand out",
        matrix.outlier_count(),
        matrix.rows.len()
    )?;
    Ok(())
}
