//! The valid bundles the differential target starts from: minted by the project's private
//! Sigstore (`sigscope_core::fixture`) at start, and the sigstore-conformance suite's passing cases
//! read in place from the shared fixtures folder when it is present (never copied).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sigscope_core::artifact::in_toto::Statement;
use sigscope_core::fixture::{
    AttestationEntry, EntryOptions, GithubWorkflow, Identity, SigningOptions, VirtualSigstore,
};

/// Who must have signed: the same policy is given to both verifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signer {
    /// Keyless: the SAN value and the OIDC issuer, compared exactly.
    Identity { san: String, issuer: String },
    /// A managed key (PEM `PUBLIC KEY`).
    Key { pem: String },
}

/// One starting point: a bundle that verifies, with everything it is verified under.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub bundle: Value,
    pub artifact: Vec<u8>,
    /// The trusted_root.json both verifiers read.
    pub trusted_root: String,
    pub signer: Signer,
}

/// Why the cases could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("fixture: {0}")]
    Fixture(#[from] sigscope_core::fixture::FixtureError),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// When the fixture signs (2026-09-21, in the past: sigstore-verify refuses integrated times
/// in the future of the wall clock).
const SIGNED_AT: u64 = 1_790_000_000;

/// The artifact every minted bundle signs or attests.
pub const FIXTURE_ARTIFACT: &[u8] = b"sigscope differential artifact\n";

/// Bundles minted by a private Sigstore: a message signature and DSSE attestations logged as
/// dsse and intoto v0.0.2 entries, for a GitHub workflow and an email identity.
pub fn minted() -> Result<Vec<Case>, CaseError> {
    let mut sigstore = VirtualSigstore::new("differential", SIGNED_AT - 86_400)?;
    let trusted_root = sigstore.trusted_root()?.to_string();
    let workflow = Identity::github(&GithubWorkflow {
        repository: "acme/differential".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v1.0.0".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 7,
        repository_id: 8,
        owner_id: 9,
    });
    let person = Identity::email("dev@example.test", "https://accounts.example.test");
    let statement = statement_over(FIXTURE_ARTIFACT)?;
    let mut cases = Vec::new();
    let mut add = |name: &str, identity: &Identity, bundle: Value| {
        cases.push(Case {
            name: format!("minted/{name}"),
            bundle,
            artifact: FIXTURE_ARTIFACT.to_vec(),
            trusted_root: trusted_root.clone(),
            signer: Signer::Identity {
                san: identity.san.value().to_owned(),
                issuer: identity.issuer.clone(),
            },
        });
    };
    for (name, identity) in [("workflow", &workflow), ("email", &person)] {
        let sig = sigstore.sign(
            identity,
            FIXTURE_ARTIFACT,
            SIGNED_AT,
            SigningOptions::default(),
        )?;
        add(
            &format!("{name}/message"),
            identity,
            sigstore.message_bundle(&sig)?,
        );
    }
    for (kind, attestation_kind) in [
        ("dsse", AttestationEntry::Dsse),
        ("intoto-v0.0.2", AttestationEntry::IntotoV2),
    ] {
        let options = SigningOptions {
            entry: EntryOptions {
                attestation_kind,
                ..EntryOptions::default()
            },
            ..SigningOptions::default()
        };
        let att = sigstore.attest(&workflow, &statement, SIGNED_AT + 60, options)?;
        add(
            &format!("workflow/{kind}"),
            &workflow,
            sigstore.dsse_bundle(&att)?,
        );
    }
    Ok(cases)
}

fn statement_over(artifact: &[u8]) -> Result<Statement, serde_json::Error> {
    serde_json::from_value(json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "differential", "digest": {"sha256": hex::encode(Sha256::digest(artifact))}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {"buildType": "https://example.invalid/build", "externalParameters": {}},
            "runDetails": {"builder": {"id": "https://example.invalid/builder"}}
        }
    }))
}

/// The suite's default identity (sigstore-conformance test/assets/bundle-verify/README.md).
const CONFORMANCE_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const CONFORMANCE_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The shared fixtures folder: `SIGSCOPE_FUZZ_FIXTURES`, else `../shared/fixtures` beside the
/// repository.
pub fn shared_fixtures() -> PathBuf {
    std::env::var_os("SIGSCOPE_FUZZ_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"))
}

/// The conformance suite's cases that must verify (names without `_fail`), as its CLI protocol
/// runs them; none when the folder is absent.
pub fn conformance(fixtures: &Path) -> Result<Vec<Case>, CaseError> {
    let suite = fixtures.join("sigstore-conformance/test/assets/bundle-verify");
    let production_root = fixtures.join("root-signing/targets/trusted_root.json");
    if !suite.is_dir() || !production_root.is_file() {
        return Ok(Vec::new());
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&suite)
        .map_err(|source| read_error(&suite, source))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("bundle.sigstore.json").is_file())
        .filter(|p| !p.to_string_lossy().ends_with("_fail"))
        .collect();
    dirs.sort();
    let mut cases = Vec::new();
    for dir in dirs {
        let root_path = Some(dir.join("trusted_root.json"))
            .filter(|p| p.is_file())
            .unwrap_or_else(|| production_root.clone());
        let artifact_path = Some(dir.join("artifact"))
            .filter(|p| p.is_file())
            .unwrap_or_else(|| suite.join("a.txt"));
        let signer = if dir.join("key.pub").is_file() {
            Signer::Key {
                pem: read_text(&dir.join("key.pub"))?,
            }
        } else {
            Signer::Identity {
                san: read_optional(&dir.join("identity"))?
                    .unwrap_or_else(|| CONFORMANCE_IDENTITY.into()),
                issuer: read_optional(&dir.join("issuer"))?
                    .unwrap_or_else(|| CONFORMANCE_ISSUER.into()),
            }
        };
        let bundle_path = dir.join("bundle.sigstore.json");
        cases.push(Case {
            name: format!(
                "conformance/{}",
                dir.file_name().unwrap_or_default().to_string_lossy()
            ),
            bundle: serde_json::from_str(&read_text(&bundle_path)?)?,
            artifact: std::fs::read(&artifact_path)
                .map_err(|source| read_error(&artifact_path, source))?,
            trusted_root: read_text(&root_path)?,
            signer,
        });
    }
    Ok(cases)
}

fn read_error(path: &Path, source: std::io::Error) -> CaseError {
    CaseError::Read {
        path: path.to_owned(),
        source,
    }
}

fn read_text(path: &Path) -> Result<String, CaseError> {
    std::fs::read_to_string(path).map_err(|source| read_error(path, source))
}

fn read_optional(path: &Path) -> Result<Option<String>, CaseError> {
    if !path.is_file() {
        return Ok(None);
    }
    Ok(Some(read_text(path)?.trim().to_owned()))
}
