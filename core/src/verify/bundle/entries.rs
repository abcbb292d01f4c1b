//! The bundle's transparency-log entries (client spec "Transparency Log"): each from a trusted
//! log, with a verified SET (Rekor v1) and/or an inclusion proof against a checkpoint signed by
//! that log, and a body naming exactly this signature, signer and content.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::content;
use super::inputs::{Artifact, State};
use crate::artifact::bundle::{BundleVersion, BundleView, InclusionProofView, TlogEntryView};
use crate::artifact::encoding::rfc3339;
use crate::artifact::merkle;
use crate::artifact::rekor::EntryBody;
use crate::trust::{TransparencyLog, TrustedRoot};
use crate::verify::check::Checks;
use crate::verify::checkpoint::verify_checkpoint;
use crate::verify::tlog::{self, Signed, Signer};

/// The most entries checked (a budget; real bundles have one).
const MAX_ENTRIES: usize = 8;

pub(super) fn check_entries(
    bundle: &BundleView,
    artifact: &Artifact,
    root: &TrustedRoot,
    checks: &mut Checks,
    state: &mut State,
) {
    // Client spec: at least one transparency-log entry (sigstore-go `WithTransparencyLog(1)`).
    if bundle.tlog_entries.is_empty() {
        checks.fail("tlog entry", "the bundle has no transparency-log entry");
        return;
    }
    if bundle.tlog_entries.len() > MAX_ENTRIES {
        checks.fail(
            "tlog entry",
            format!(
                "limit reached: {} entries exceed the limit of {MAX_ENTRIES}",
                bundle.tlog_entries.len()
            ),
        );
        return;
    }
    // sigstore-go `VerifyTlogEntry` (GHSA-9vcr-p3rj-q5q6, sigstore-go#633): duplicate entries
    // (same log, same index) are refused, and a log counts once however many entries it has:
    // one compromised log must not stand in for several witnesses.
    for (i, a) in bundle.tlog_entries.iter().enumerate() {
        if bundle.tlog_entries[i + 1..]
            .iter()
            .any(|b| a.log_id == b.log_id && a.log_index == b.log_index)
        {
            checks.fail(
                "tlog entry",
                format!(
                    "duplicate transparency-log entries: log {} index {} appears twice",
                    STANDARD.encode(&a.log_id),
                    a.log_index
                ),
            );
            return;
        }
    }
    let tsa_times = state.times.clone();
    for entry in &bundle.tlog_entries {
        check_entry(bundle, entry, artifact, root, &tsa_times, checks, state);
    }
}

fn check_entry(
    bundle: &BundleView,
    entry: &TlogEntryView,
    artifact: &Artifact,
    root: &TrustedRoot,
    tsa_times: &[i64],
    checks: &mut Checks,
    state: &mut State,
) {
    // protobuf-specs `TransparencyLogEntry.log_index`: a non-negative index.
    if entry.log_index < 0 {
        checks.fail(
            "tlog entry",
            format!("negative log index {}", entry.log_index),
        );
        return;
    }
    // Client spec: the entry comes from a log of the trusted root.
    let Some(log) = root.tlog(&entry.log_id) else {
        checks.fail(
            "tlog entry",
            format!(
                "log {} is not in the trusted root ({})",
                STANDARD.encode(&entry.log_id),
                root.source
            ),
        );
        return;
    };
    let body = match &entry.body {
        Ok(b) => b,
        Err(e) => {
            checks.fail("tlog entry", format!("unreadable entry body: {e}"));
            return;
        }
    };
    // sigstore-go `tlog.ParseTransparencyLogEntry`: the entry's kindVersion is the kind and
    // version of its body. (Decisions such as "Rekor v2, so no SET" must not rest on a label
    // the body contradicts.)
    let (kind, version) = body.kind_version();
    if entry.kind != kind || entry.version != version {
        checks.fail(
            "tlog entry",
            format!(
                "the entry's kindVersion {}/{} is not its body's {kind}/{version}",
                entry.kind, entry.version
            ),
        );
        return;
    }
    // Rekor v2 entries carry no integrated time; Rekor v1 entries always do.
    let integrated_time = entry.integrated_time.filter(|t| *t != 0);

    // Rekor v1 SET: the log's promise of inclusion at the integrated time.
    match (&entry.inclusion_promise, integrated_time) {
        (Some(set), Some(t)) => {
            let body_base64 = STANDARD.encode(&entry.canonicalized_body);
            match tlog::verify_set(
                set,
                &body_base64,
                t,
                entry.log_index,
                &entry.log_id,
                &root.tlogs,
            ) {
                Ok(log) => {
                    state.times.push(t);
                    checks.pass(
                        "signed entry timestamp",
                        format!("integrated at {} in {}", rfc3339(t), log.base_url),
                    );
                }
                Err(e) => checks.fail("signed entry timestamp", e),
            }
        }
        (Some(_), None) => checks.fail(
            "signed entry timestamp",
            "the entry has an inclusion promise but no integrated time",
        ),
        // protobuf-specs: v0.1 bundles must carry the inclusion promise.
        (None, _) if bundle.version == BundleVersion::V0_1 => checks.fail(
            "signed entry timestamp",
            "a v0.1 bundle entry must carry an inclusion promise (SET)",
        ),
        (None, _) => {}
    }

    // Inclusion proof: required from v0.2 on, and always for Rekor v2 (no SET exists).
    match &entry.inclusion_proof {
        Some(proof) => {
            let result = if integrated_time.is_some() {
                tlog::verify_inclusion_v1(proof, &entry.canonicalized_body, log)
            } else {
                verify_inclusion_v2(entry.log_index, proof, &entry.canonicalized_body, log)
            };
            checks.record("inclusion proof", result);
        }
        None if integrated_time.is_none() => checks.fail(
            "inclusion proof",
            "a Rekor v2 entry must carry an inclusion proof",
        ),
        None if bundle.version != BundleVersion::V0_1 => checks.fail(
            "inclusion proof",
            format!(
                "a {} bundle entry must carry an inclusion proof",
                match bundle.version {
                    BundleVersion::V0_2 => "v0.2",
                    _ => "v0.3",
                }
            ),
        ),
        None => {}
    }

    // A Rekor v2 log key must have been trusted at the (TSA-)verified times.
    if integrated_time.is_none()
        && let Some(t) = tsa_times.iter().find(|t| !log.valid_for.contains(**t))
    {
        checks.fail(
            "tlog entry",
            format!(
                "log {} was not trusted at the timestamp {}",
                log.base_url,
                rfc3339(*t)
            ),
        );
    }

    // Client spec: the entry body names this signature, signer and content.
    let Some(key) = &state.key else { return };
    let leaf = bundle.leaf_certificate();
    let signer = match leaf {
        Some(cert) => Signer::Certificate(&cert.der),
        None => Signer::Key(key.spki_der()),
    };
    let signed = Signed {
        signature: content::signature_bytes(bundle),
        signer,
        content: content::logged_content(bundle, body, artifact),
    };
    // sigstore-go `tlog.ValidateEntry`: a bundle's Rekor v1 entry is hashedrekord 0.0.1, dsse
    // 0.0.1 or intoto 0.0.2 (intoto 0.0.1 and rekord are read only by cosign's legacy path).
    if let EntryBody::IntotoV1 { .. } | EntryBody::Rekord { .. } = body {
        checks.fail(
            "tlog entry body",
            "a sigstore bundle logs hashedrekord, dsse or intoto 0.0.2 entries; this one is intoto 0.0.1 or rekord, which bundle verifiers refuse",
        );
        return;
    }
    tlog::body_matches(body, &signed).record("tlog entry body", checks);
}

/// Rekor v2 (rekor-tiles): the RFC 6962 inclusion proof of the entry at its `logIndex` to the
/// root of a checkpoint signed by the log (C2SP signed-note, Ed25519 key hash). As sigstore-go
/// (rekor-tiles `VerifyLogEntryWithHash`) and sigstore-verify do, the index is the entry's and
/// the tree size and root are the signed checkpoint's: the proof's own `logIndex`, `treeSize`
/// and `rootHash` duplicate them unauthenticated and are not read.
fn verify_inclusion_v2(
    log_index: i64,
    proof: &InclusionProofView,
    body: &[u8],
    log: &TransparencyLog,
) -> Result<String, String> {
    let hashes: Vec<merkle::Hash> = proof
        .hashes
        .iter()
        .map(|h| {
            <[u8; 32]>::try_from(h.as_slice())
                .map_err(|_| format!("proof hash of {} bytes is not 32", h.len()))
        })
        .collect::<Result<_, _>>()?;
    let index = u64::try_from(log_index).map_err(|_| format!("negative log index {log_index}"))?;
    let checkpoint = match &proof.checkpoint {
        Some(Ok(c)) => c,
        Some(Err(e)) => return Err(format!("unreadable checkpoint: {e}")),
        None => return Err("the inclusion proof has no checkpoint".to_owned()),
    };
    let verified = verify_checkpoint(checkpoint, log).map_err(|e| e.to_string())?;
    let root = <[u8; 32]>::try_from(checkpoint.root_hash.as_slice()).map_err(|_| {
        format!(
            "the checkpoint's root hash of {} bytes is not 32",
            checkpoint.root_hash.len()
        )
    })?;
    let size = checkpoint.tree_size;
    merkle::verify_inclusion(index, size, &merkle::leaf_hash(body), &hashes, &root)
        .map_err(|e| format!("inclusion proof: {e}"))?;
    Ok(format!(
        "included at index {index} of {size}; checkpoint signed by {} ({} other signatures ignored)",
        verified.origin, verified.ignored_signatures
    ))
}
