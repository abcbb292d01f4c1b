//! The differential fuzz target's library: sigscope's bundle verifier against sigstore-verify,
//! the sigstore org's Rust verifier, as an independent oracle (issue 17).
//!
//! - [`case`]: valid bundles to start from (minted by the private Sigstore; the conformance
//!   suite's passing cases when the shared fixtures are present)
//! - [`mutate`] and [`edit`]: a structured mutator over the bundle's JSON
//! - [`verdict`]: both verifiers under the same trusted root, artifact and signer policy
//! - [`deliberate`]: the documented divergences, each with its reason
//!
//! The oracle lives here, in the fuzz crate's own workspace, and never enters the release binary.

pub mod case;
pub mod deliberate;
pub mod edit;
pub mod mutate;
pub mod tally;
pub mod verdict;

use case::Case;
use deliberate::{Deliberate, Disagreement, explain};
use mutate::Mutant;
use verdict::{Prepared, Verdict};

/// Every case, prepared once per process.
pub struct World {
    pub prepared: Vec<Prepared>,
    cases: Vec<Case>,
}

/// What one input came to.
pub enum Judgement {
    /// The input encodes no bundle (too short).
    Nothing,
    Agreed {
        accepted: bool,
    },
    /// They differ, for documented reasons.
    Deliberate(Vec<&'static Deliberate>),
    /// They differ, and nothing explains it: a bug in one verifier.
    Unexplained(Report),
}

/// Everything needed to reproduce and read an unexplained disagreement.
#[derive(Debug)]
pub struct Report {
    pub case: String,
    pub edits: Vec<String>,
    pub bundle: String,
    pub sigscope: Verdict,
    pub oracle: Verdict,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "sigscope and sigstore-verify disagree on a bundle from {}",
            self.case
        )?;
        writeln!(f, "edits: {:?}", self.edits)?;
        writeln!(f, "sigscope: {}", self.sigscope.reasons())?;
        writeln!(f, "sigstore-verify: {}", self.oracle.reasons())?;
        write!(f, "bundle: {}", self.bundle)
    }
}

impl World {
    /// The minted cases, which must verify under both verifiers, and the conformance cases
    /// that both verifiers can be prepared for. A minted case that either verifier refuses
    /// means the comparison is broken, so it is an error, not a skipped case.
    pub fn load() -> Result<World, String> {
        let mut cases = case::minted().map_err(|e| e.to_string())?;
        let minted = cases.len();
        cases.extend(case::conformance(&case::shared_fixtures()).map_err(|e| e.to_string())?);
        let mut prepared = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            match Prepared::new(case.clone()) {
                Ok(p) => prepared.push(p),
                Err(e) if i >= minted => eprintln!("differential: not used: {e}"),
                Err(e) => return Err(e.to_string()),
            }
        }
        for p in &prepared[..minted] {
            let bundle = p.case.bundle.to_string();
            for form in [verdict::ArtifactForm::Bytes, verdict::ArtifactForm::Digest] {
                let (ours, theirs) = (
                    p.sigscope(bundle.as_bytes(), form),
                    p.oracle(bundle.as_bytes(), form),
                );
                if !ours.accepted() || !theirs.accepted() {
                    return Err(format!(
                        "{} ({form:?}) must verify under both: sigscope: {}; sigstore-verify: {}",
                        p.case.name,
                        ours.reasons(),
                        theirs.reasons()
                    ));
                }
            }
        }
        let cases = prepared.iter().map(|p| p.case.clone()).collect();
        Ok(World { prepared, cases })
    }

    /// Judges the bundle `data` encodes.
    pub fn judge(&self, data: &[u8]) -> Judgement {
        let Some(Mutant {
            case,
            form,
            bundle,
            edits,
        }) = mutate::mutant(&self.cases, data)
        else {
            return Judgement::Nothing;
        };
        let prepared = &self.prepared[case];
        let bytes = bundle.to_string();
        let sigscope = prepared.sigscope(bytes.as_bytes(), form);
        let oracle = prepared.oracle(bytes.as_bytes(), form);
        if sigscope.accepted() == oracle.accepted() {
            return Judgement::Agreed {
                accepted: sigscope.accepted(),
            };
        }
        let trusted_root: serde_json::Value =
            serde_json::from_str(&prepared.case.trusted_root).unwrap_or_default();
        let d = Disagreement {
            bundle: &bundle,
            trusted_root: &trusted_root,
            sigscope: &sigscope,
            oracle: &oracle,
        };
        match explain(&d) {
            Some(entries) => Judgement::Deliberate(entries),
            None => Judgement::Unexplained(Report {
                case: prepared.case.name.clone(),
                edits,
                bundle: bytes,
                sigscope,
                oracle,
            }),
        }
    }
}
