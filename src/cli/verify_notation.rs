//! The notation flags of `sigscope verify`, the trust they read, and how a Notary Project
//! verdict joins cosign's for one image.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use sigscope::inventory::model::ImageReport;
use sigscope::target::Target;
use sigscope::trust::notation::{NotationConfig, NotationTrust, default_config_dir};
use sigscope::verify::policy::PolicySummary;
use sigscope::verify::report::{ImageOutcome, ImageVerdict};

use super::verify_args::CosignChecks;

/// Notary Project verification: given any of these, `verify` checks Notation signatures too.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NotationArgs {
    /// Verify Notary Project signatures with the notation configuration
    /// (`$XDG_CONFIG_HOME/notation`: trustpolicy.json and truststore/).
    #[arg(long)]
    pub notation: bool,

    /// A notation configuration folder to read instead of `$XDG_CONFIG_HOME/notation`.
    #[arg(long, value_name = "DIR")]
    pub notation_config: Option<PathBuf>,

    /// A notation trust policy (trustpolicy.json) to verify Notary Project signatures with.
    #[arg(long, value_name = "FILE")]
    pub trust_policy: Option<PathBuf>,

    /// A notation trust store: the folder holding `x509/{ca,signingAuthority,tsa}/NAME/`.
    #[arg(long, value_name = "DIR")]
    pub trust_store: Option<PathBuf>,
}

impl NotationArgs {
    /// The notation trust, when any notation flag is given.
    pub fn trust(&self) -> anyhow::Result<Option<Arc<NotationTrust>>> {
        if !self.notation
            && self.notation_config.is_none()
            && self.trust_policy.is_none()
            && self.trust_store.is_none()
        {
            return Ok(None);
        }
        let config_dir = self.notation_config.clone().or_else(default_config_dir);
        let config = NotationConfig {
            config_dir,
            trust_policy: self.trust_policy.clone(),
            trust_store: self.trust_store.clone(),
        };
        let trust = NotationTrust::load(&config).context("notation trust")?;
        Ok(Some(Arc::new(trust)))
    }
}

/// The registry scope a statement must name: `registry/repository` (for an OCI layout, notation
/// has no registry: `local/` and the folder's name).
pub fn registry_scope(target: &Target) -> String {
    match target {
        Target::Repository { repository } | Target::Image { repository, .. } => {
            repository.to_string()
        }
        Target::Layout { path, .. } => format!(
            "local/{}",
            path.file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default()
        ),
    }
}

/// What the report says the image was checked against.
pub fn summary(cosign: Option<&CosignChecks>, notation: Option<&NotationTrust>) -> PolicySummary {
    let notation_summary = notation.map(|n| PolicySummary {
        signer: "Notary Project signatures under the notation trust policy".into(),
        annotations: Vec::new(),
        trusted_root: n.describe(),
    });
    match (cosign.map(CosignChecks::summary), notation_summary) {
        (Some(c), Some(n)) => join(c, n),
        (Some(c), None) => c,
        (None, Some(n)) => n,
        (None, None) => PolicySummary {
            signer: String::new(),
            annotations: Vec::new(),
            trusted_root: String::new(),
        },
    }
}

fn join(a: PolicySummary, b: PolicySummary) -> PolicySummary {
    PolicySummary {
        signer: format!("{}; or {}", a.signer, b.signer),
        annotations: a.annotations,
        trusted_root: format!("{}; {}", a.trusted_root, b.trusted_root),
    }
}

/// One verdict from cosign's and notation's: every signature of both, one that passes is
/// enough. A notation statement at level `skip` accepts the image only when notation is all
/// that was asked for; beside a cosign signer it is a warning.
pub fn combine(
    reference: &str,
    image: &ImageReport,
    cosign: Option<ImageVerdict>,
    notation: Option<ImageVerdict>,
) -> ImageVerdict {
    let (cosign, notation) = match (cosign, notation) {
        (Some(c), None) => return c,
        (None, Some(n)) => return n,
        (Some(c), Some(n)) => (c, n),
        (None, None) => {
            return ImageVerdict::could_not_check(
                reference.to_owned(),
                "nothing to verify with".into(),
                summary(None, None),
            );
        }
    };
    let mut warnings = cosign.warnings;
    match &notation.outcome {
        ImageOutcome::Skipped { reason } => warnings.push(format!("notation: {reason}")),
        ImageOutcome::NotVerified { reason } if notation.signatures.is_empty() => {
            warnings.push(format!("notation: {reason}"))
        }
        _ => {}
    }
    warnings.extend(notation.warnings);
    let mut signatures = cosign.signatures;
    signatures.extend(notation.signatures);
    ImageVerdict::conclude(
        reference.to_owned(),
        image.digest.clone(),
        signatures,
        "no cosign or Notary Project signatures found",
        warnings,
        join(cosign.policy, notation.policy),
    )
}
