//! `sigscope verify-bundle`: a Sigstore bundle over a file or a `sha256:` digest, with the
//! sigstore-conformance CLI protocol's flags (docs/cli_protocol.md, "Verify / Bundle flow").

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde::Serialize;

use sigscope::trust::TrustedRoot;
use sigscope::untrusted::printable;
use sigscope::verify::bundle::{Artifact, BundleReport, ExpectedSigner, verify_bundle};
use sigscope::verify::check::Outcome;
use sigscope::verify::identity::{IdentityPolicy, Matcher};
use sigscope::verify::key::PublicKey;

use super::output::{Format, print_json};

/// The largest bundle, key or trusted root read (a budget on untrusted input).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Use the Sigstore staging instance's trusted root.
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

    /// A trusted_root.json to use instead of the embedded public-good root.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

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

/// The protocol: `sha256:` + 64 hex digits that is not a path on disk is a digest; anything
/// else is a file.
fn artifact(arg: &str) -> anyhow::Result<Artifact> {
    if let Some(hex_digest) = arg.strip_prefix("sha256:")
        && hex_digest.len() == 64
        && !Path::new(arg).exists()
        && let Ok(bytes) = hex::decode(hex_digest)
        && let Ok(sha256) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Ok(Artifact::from_digest(sha256));
    }
    Ok(Artifact::from_bytes(read_limited(
        "artifact",
        Path::new(arg),
    )?))
}

fn trusted_root(args: &Args) -> anyhow::Result<TrustedRoot> {
    match (&args.trusted_root, args.staging) {
        (Some(path), _) => {
            let bytes = read_limited("trusted root", path)?;
            Ok(TrustedRoot::from_json(&path.display().to_string(), &bytes)?)
        }
        (None, true) => bail!(
            "staging not supported: sigscope embeds no staging trusted root; give --trusted-root"
        ),
        (None, false) => Ok(TrustedRoot::public_good()?),
    }
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
            github: Vec::new(),
        })),
        _ => bail!("give --certificate-identity and --certificate-oidc-issuer, or --key"),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = trusted_root(&args)?;
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
            Outcome::Logged { reason, .. } => format!("  log   {}: {reason}", check.name),
        };
        println!("{}", printable(&line));
    }
}
