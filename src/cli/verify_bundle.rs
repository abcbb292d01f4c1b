//! `sigscope verify-bundle`: a Sigstore bundle over a file or a `sha256:` digest, with the
//! sigstore-conformance CLI protocol's flags (docs/cli_protocol.md, "Verify / Bundle flow").

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde::Serialize;

use sigscope::key::PublicKey;
use sigscope::trust::TrustedRoot;
use sigscope::untrusted::printable;
use sigscope::verify::bundle::{Artifact, BundleReport, ExpectedSigner, verify_bundle};
use sigscope::verify::check::Outcome;
use sigscope::verify::identity::{IdentityPolicy, Matcher};

use super::output::{Format, print_json};
use super::registry_args::CacheArgs;
use super::trust_args::TrustArgs;

/// The largest bundle, key or trusted root read (a budget on untrusted input).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Use the Sigstore staging instance's trusted root (as `--trusted-root staging`).
    #[arg(long)]
    pub staging: bool,

    /// The Sigstore bundle to verify.
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,

    /// The identity expected in the signing certificate's SAN.
    #[arg(long, requires = "certificate_oidc_issuer", conflicts_with = "key")]
    pub certificate_identity: Option<String>,

    /// The OIDC issuer expected in the signing certificate.
    #[arg(long, requires = "certificate_identity", conflicts_with = "key")]
    pub certificate_oidc_issuer: Option<String>,

    /// Verify with this PEM public key instead of a certificate identity.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "certificate_identity"
    )]
    pub key: Option<PathBuf>,

    #[command(flatten)]
    pub trust: TrustArgs,

    #[command(flatten)]
    pub cache: CacheArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    /// The artifact: a file, or `sha256:<64 hex>` (when that is not a path on disk). For a DSSE
    /// bundle, a subject of its in-toto statement.
    #[arg(value_name = "FILE_OR_DIGEST")]
    pub artifact: String,
}

#[derive(Serialize)]
struct Document<'a> {
    bundle: String,
    artifact: &'a str,
    trusted_root: &'a str,
    verified: bool,
    #[serde(flatten)]
    report: &'a BundleReport,
}

fn read_limited(what: &str, path: &Path) -> anyhow::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("{what} {}", path.display()))?
        .len();
    if len > MAX_FILE_BYTES {
        bail!(
            "{what} {}: limit reached: {len} bytes exceed the limit of {MAX_FILE_BYTES}",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("{what} {}", path.display()))
}

/// The protocol: `sha256:` + 64 hex digits that is not a path on disk is a digest (and so
/// are `sha384:` + 96 and `sha512:` + 128, the digests in-toto subjects use besides); anything
/// else is a file.
pub fn artifact(arg: &str) -> anyhow::Result<Artifact> {
    for (algorithm, len) in [("sha256", 32), ("sha384", 48), ("sha512", 64)] {
        if let Some(hex_digest) = arg
            .strip_prefix(algorithm)
            .and_then(|r| r.strip_prefix(':'))
            && !Path::new(arg).exists()
        {
            let bytes = hex::decode(hex_digest)
                .ok()
                .filter(|b| b.len() == len)
                .with_context(|| {
                    format!("{arg:?}: a {algorithm} digest is {} hex digits", len * 2)
                })?;
            return Ok(Artifact::from_named_digest(algorithm, bytes));
        }
    }
    Ok(Artifact::from_bytes(read_limited(
        "artifact",
        Path::new(arg),
    )?))
}

async fn trusted_root(args: &Args) -> anyhow::Result<TrustedRoot> {
    let mut trust = args.trust.clone();
    if args.staging && trust.trusted_root.is_none() && trust.tuf_mirror.is_none() {
        trust.trusted_root = Some("staging".into());
    }
    Ok(trust.resolve(args.cache.folder()).await?.root)
}

fn expected(args: &Args) -> anyhow::Result<ExpectedSigner> {
    match (
        &args.key,
        &args.certificate_identity,
        &args.certificate_oidc_issuer,
    ) {
        (Some(path), _, _) => {
            let text = String::from_utf8(read_limited("key", path)?)
                .with_context(|| format!("key {}: not UTF-8 PEM", path.display()))?;
            Ok(ExpectedSigner::Key(
                PublicKey::from_pem(&text).with_context(|| format!("key {}", path.display()))?,
            ))
        }
        (None, Some(identity), Some(issuer)) => Ok(ExpectedSigner::Identity(IdentityPolicy {
            subject: Matcher::Exact(identity.clone()),
            issuer: Matcher::Exact(issuer.clone()),
            claims: Vec::new(),
        })),
        _ => bail!("give --certificate-identity and --certificate-oidc-issuer, or --key"),
    }
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = trusted_root(&args).await?;
    let expected = expected(&args)?;
    let artifact = artifact(&args.artifact)?;
    let bundle = read_limited("bundle", &args.bundle)?;
    let report = verify_bundle(&bundle, &artifact, &expected, &root);
    let verified = report.verified().is_some();
    match args.output {
        Format::Json => print_json(
            "verify-bundle",
            &Document {
                bundle: args.bundle.display().to_string(),
                artifact: &args.artifact,
                trusted_root: &root.source,
                verified,
                report: &report,
            },
        )?,
        Format::Text => print_text(&args, &report),
    }
    Ok(ExitCode::from(if verified {
        super::exit::OK
    } else {
        super::exit::FAILED
    }))
}

fn print_text(args: &Args, report: &BundleReport) {
    let verdict = match report.verified() {
        Some(v) => format!("verified: signed by {}", v.signer()),
        None => "not verified".to_owned(),
    };
    println!(
        "{}: {}",
        printable(&args.bundle.display().to_string()),
        printable(&verdict)
    );
    for check in &report.checks.0 {
        let line = match &check.outcome {
            Outcome::Passed { detail } => format!("  ok    {}: {detail}", check.name),
            Outcome::Failed {
                reason,
                expected,
                actual,
            } => {
                let mut line = format!("  FAIL  {}: {reason}", check.name);
                if let (Some(e), Some(a)) = (expected, actual) {
                    line.push_str(&format!(" (expected {e}, actual {a})"));
                }
                line
            }
            Outcome::Skipped { why } => format!("  skip  {}: {why}", check.name),
            Outcome::NotUnderstood { reason } => {
                format!("  FAIL  {}: not understood: {reason}", check.name)
            }
            Outcome::Logged { reason, .. } => format!("  log   {}: {reason}", check.name),
        };
        println!("{}", printable(&line));
    }
}
