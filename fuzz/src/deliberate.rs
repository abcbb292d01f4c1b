//! The disagreements with sigstore-verify that are explained, each with its reason: sigscope's
//! deliberate choices (SECURITY.md, "Sigstore bundles: choices among the verifiers", and its
//! "Differential fuzzing against sigstore-verify" section) and the places where sigstore-verify
//! departs from sigstore-go and cosign v3, which decide. Anything else the differential target
//! finds is a bug in one of the two verifiers, and the target fails on it.
//!
//! Each entry is narrow: it names the side that refuses, recognises the refusal by the reason
//! that side gives, and requires the bundle (and the trusted root it was verified under) to
//! show the feature the reason is about. When sigscope is the refusing side, every one of its
//! failed checks must be explained (a bundle refused for an explained reason and for another
//! one is a disagreement on the other one).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::verdict::Verdict;

/// The verifier that refuses what the other accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stricter {
    Sigscope,
    SigstoreVerify,
}

/// Why the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// sigscope's documented choice (SECURITY.md).
    Choice,
    /// sigstore-verify departs from sigstore-go / cosign v3, and sigscope follows them.
    Oracle,
}

/// One explained divergence.
pub struct Deliberate {
    pub name: &'static str,
    pub stricter: Stricter,
    pub cause: Cause,
    /// Why the divergence is kept, or the evidence that the oracle is the one that departs.
    pub reason: &'static str,
    /// Each of the refusing side's reasons for this class contains one of these (sigscope's
    /// consequences of the refusal, such as "no verified time", included).
    pub refusals: &'static [&'static str],
    /// The bundle (first) under the trusted root (second) shows the feature refused.
    pub shows: fn(&Value, &Value) -> bool,
}

/// Two verdicts on one bundle that differ.
pub struct Disagreement<'a> {
    pub bundle: &'a Value,
    /// The trusted_root.json both verifiers were given.
    pub trusted_root: &'a Value,
    pub sigscope: &'a Verdict,
    pub oracle: &'a Verdict,
}

impl Disagreement<'_> {
    fn stricter(&self) -> Option<(Stricter, &[String])> {
        match (self.sigscope, self.oracle) {
            (Verdict::Rejected(r), Verdict::Accepted) => Some((Stricter::Sigscope, r)),
            (Verdict::Accepted, Verdict::Rejected(r)) => Some((Stricter::SigstoreVerify, r)),
            _ => None,
        }
    }
}

fn media_type_v03(bundle: &Value) -> bool {
    bundle["mediaType"].as_str().is_some_and(|m| {
        m == "application/vnd.dev.sigstore.bundle.v0.3+json"
            || m == "application/vnd.dev.sigstore.bundle+json;version=0.3"
    })
}

fn has_certificate_chain(bundle: &Value) -> bool {
    bundle["verificationMaterial"]["x509CertificateChain"].is_object()
}

fn entries(bundle: &Value) -> &[Value] {
    bundle["verificationMaterial"]["tlogEntries"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

fn timestamps(bundle: &Value) -> &[Value] {
    bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

/// Base64 as protojson reads it: line breaks skipped.
fn bytes_of(text: &Value) -> Option<Vec<u8>> {
    let text: String = text
        .as_str()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD.decode(text).ok()
}

fn duplicate_timestamps(bundle: &Value) -> bool {
    let tokens: Vec<Option<Vec<u8>>> = timestamps(bundle)
        .iter()
        .map(|t| bytes_of(&t["signedTimestamp"]))
        .collect();
    tokens
        .iter()
        .enumerate()
        .any(|(i, a)| a.is_some() && tokens[i + 1..].contains(a))
}

fn duplicate_entries(bundle: &Value) -> bool {
    let key = |e: &Value| (e["logId"]["keyId"].clone(), e["logIndex"].clone());
    let all = entries(bundle);
    all.iter()
        .enumerate()
        .any(|(i, a)| all[i + 1..].iter().any(|b| key(a) == key(b)))
}

/// Another source of a verified time than the RFC 3161 timestamps: a Rekor v1 SET with its
/// integrated time.
fn has_set(bundle: &Value) -> bool {
    entries(bundle).iter().any(|e| {
        e["inclusionPromise"]["signedEntryTimestamp"].is_string() && e["integratedTime"].is_string()
    })
}

fn trusted_log_ids(root: &Value) -> Vec<&Value> {
    root["tlogs"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|l| &l["logId"]["keyId"])
        .collect()
}

fn entry_log_untrusted(bundle: &Value, root: &Value) -> bool {
    let trusted = trusted_log_ids(root);
    entries(bundle)
        .iter()
        .any(|e| !trusted.contains(&&e["logId"]["keyId"]))
}

/// The checkpoint's origin line, up to " - " (Rekor v1 appends the tree id).
fn checkpoint_lines(entry: &Value) -> Option<&str> {
    entry["inclusionProof"]["checkpoint"]["envelope"].as_str()
}

/// An entry names a trusted log other than the one whose checkpoint it carries.
fn entry_log_is_another(bundle: &Value, root: &Value) -> bool {
    let logs = root["tlogs"].as_array().map_or(&[][..], Vec::as_slice);
    entries(bundle).iter().any(|e| {
        let Some(origin) = checkpoint_lines(e).and_then(|c| c.lines().next()) else {
            return false;
        };
        let origin = origin.split(" - ").next().unwrap_or(origin);
        logs.iter()
            .find(|l| l["logId"]["keyId"] == e["logId"]["keyId"])
            .and_then(|l| l["baseUrl"].as_str())
            .is_some_and(|url| url.trim_start_matches("https://").trim_end_matches('/') != origin)
    })
}

/// A checkpoint that is not `text "\n" signature-lines` with every signature line ending in a
/// newline (C2SP signed-note; Go's `note.Open`, rekor's `SignedNote.UnmarshalText`).
fn checkpoint_note_malformed(bundle: &Value) -> bool {
    entries(bundle)
        .iter()
        .filter_map(checkpoint_lines)
        .any(|c| {
            let Some(split) = c.find("\n\n") else {
                return true;
            };
            let signatures = &c[split + 2..];
            !c.ends_with('\n')
                || signatures.is_empty()
                || signatures
                    .split_terminator('\n')
                    .any(|l| !l.starts_with("— "))
        })
}

/// A checkpoint signature line whose name is not the checkpoint's origin.
fn checkpoint_signer_named_otherwise(bundle: &Value) -> bool {
    entries(bundle)
        .iter()
        .filter_map(checkpoint_lines)
        .any(|c| {
            let origin = c.lines().next().unwrap_or_default();
            let origin = origin.split(" - ").next().unwrap_or(origin);
            c.split_once("\n\n").is_some_and(|(_, sigs)| {
                sigs.lines()
                    .filter_map(|l| l.strip_prefix("— "))
                    .filter_map(|l| l.split(' ').next())
                    .any(|name| name != origin)
            })
        })
}

/// An RFC 3161 token that carries certificates, none of which is one of the trusted root's
/// TSA certificates.
fn timestamp_embeds_other_certificates(bundle: &Value, root: &Value) -> bool {
    let trusted: Vec<Vec<u8>> = root["timestampAuthorities"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .flat_map(|a| {
            a["certChain"]["certificates"]
                .as_array()
                .map_or(&[][..], Vec::as_slice)
        })
        .filter_map(|c| bytes_of(&c["rawBytes"]))
        .collect();
    timestamps(bundle).iter().any(|t| {
        let Some(der) = bytes_of(&t["signedTimestamp"]) else {
            return false;
        };
        sigscope_core::artifact::timestamp::decode_timestamp(&der).is_ok_and(|view| {
            !view.certificates.is_empty() && view.certificates.iter().all(|c| !trusted.contains(c))
        })
    })
}

/// An RFC 3161 token without embedded certificates in which no signature algorithm sigstore-go
/// knows appears: its SignerInfo's `signatureAlgorithm` was altered (with no certificates, that
/// is the only place such an OID occurs).
fn timestamp_signature_algorithm_unknown(bundle: &Value) -> bool {
    const KNOWN: [&[u8]; 8] = [
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02], // ecdsa-with-SHA256
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03], // ecdsa-with-SHA384
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04], // ecdsa-with-SHA512
        &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],       // id-ecPublicKey
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
        ], // rsaEncryption
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
        ], // sha256WithRSA
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
        ], // RSASSA-PSS
        &[0x06, 0x03, 0x2b, 0x65, 0x70],                               // Ed25519
    ];
    timestamps(bundle).iter().any(|t| {
        let Some(der) = bytes_of(&t["signedTimestamp"]) else {
            return false;
        };
        sigscope_core::artifact::timestamp::decode_timestamp(&der).is_ok_and(|view| {
            view.certificates.is_empty()
                && !KNOWN
                    .iter()
                    .any(|oid| der.windows(oid.len()).any(|w| w == *oid))
        })
    })
}

fn any_string(value: &Value, test: &dyn Fn(&str) -> bool) -> bool {
    match value {
        Value::String(s) => test(s),
        Value::Array(items) => items.iter().any(|v| any_string(v, test)),
        Value::Object(map) => map.values().any(|v| any_string(v, test)),
        _ => false,
    }
}

fn any_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(any_null),
        Value::Object(map) => map.values().any(any_null),
        _ => false,
    }
}

/// A Rekor v1 entry (integrated time, no SET) whose own logIndex is not its proof's.
fn v1_entry_index_not_proofs(bundle: &Value) -> bool {
    entries(bundle).iter().any(|e| {
        e["integratedTime"].is_string()
            && e["inclusionPromise"].is_null()
            && e["logIndex"] != e["inclusionProof"]["logIndex"]
    })
}

fn message_digest_missing(bundle: &Value) -> bool {
    bundle["messageSignature"].is_object() && bundle["messageSignature"]["messageDigest"].is_null()
}

/// A Rekor v2 entry (no integrated time) whose inclusion proof's duplicates of the index, size
/// and root are missing or out of their type's range.
fn v2_proof_duplicates_malformed(bundle: &Value) -> bool {
    entries(bundle).iter().any(|e| {
        let proof = &e["inclusionProof"];
        let negative = |v: &Value| {
            v.as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .is_some_and(|n| n < 0)
        };
        e["integratedTime"].is_null()
            && (proof["logIndex"].is_null()
                || proof["treeSize"].is_null()
                || negative(&proof["logIndex"])
                || negative(&proof["treeSize"])
                || bytes_of(&proof["rootHash"]).is_none_or(|r| r.len() != 32))
    })
}

/// The explained divergences. SECURITY.md, "Differential fuzzing against sigstore-verify",
/// states each.
pub const DELIBERATE: &[Deliberate] = &[
    Deliberate {
        name: "v0.3 with an x509CertificateChain",
        stricter: Stricter::Sigscope,
        cause: Cause::Choice,
        reason: "protobuf-specs requires the single-certificate form in v0.3; sigstore-go and \
                 sigstore-js refuse the chain form there",
        refusals: &[
            "a v0.3 bundle carries its signing certificate alone, not an x509CertificateChain",
        ],
        shows: |b, _| media_type_v03(b) && has_certificate_chain(b),
    },
    Deliberate {
        name: "duplicate RFC 3161 timestamps",
        stricter: Stricter::Sigscope,
        cause: Cause::Choice,
        reason: "a bundle padded with copies of a timestamp is refused outright, as \
                 sigstore-python refuses it; sigstore-go and sigstore-verify count the copy once",
        refusals: &[
            "the bundle carries the same timestamp twice",
            "no verified time",
        ],
        shows: |b, _| duplicate_timestamps(b),
    },
    Deliberate {
        name: "unverifiable RFC 3161 timestamps not counted",
        stricter: Stricter::SigstoreVerify,
        cause: Cause::Choice,
        reason: "a timestamp that does not verify (or does not even parse) is shown and not \
                 counted, as sigstore-go (cosign v3) and sigstore-python do; the bundle still \
                 needs a verified time, here its Rekor v1 SET or another timestamp that \
                 verifies; sigstore-verify refuses the whole bundle",
        refusals: &["invalid RFC 3161 timestamp"],
        shows: |b, _| !timestamps(b).is_empty() && (has_set(b) || timestamps(b).len() >= 2),
    },
    Deliberate {
        name: "line breaks in base64",
        stricter: Stricter::SigstoreVerify,
        cause: Cause::Oracle,
        reason: "protobuf's JSON mapping decodes bytes with Go's base64, which skips \\r and \\n \
                 (sigstore-go, cosign v3); sigstore-verify's decoder refuses them",
        refusals: &["Invalid symbol 10,", "Invalid symbol 13,"],
        shows: |b, _| any_string(b, &|s| s.contains(['\n', '\r'])),
    },
    Deliberate {
        name: "null for a field",
        stricter: Stricter::SigstoreVerify,
        cause: Cause::Oracle,
        reason: "protobuf's JSON mapping reads null as the field's default (protojson, so \
                 sigstore-go and cosign v3); sigstore-verify's serde structs refuse null",
        refusals: &["invalid type: null"],
        shows: |b, _| any_null(b),
    },
    Deliberate {
        name: "a Rekor v1 entry's logIndex beside its proof's",
        stricter: Stricter::SigstoreVerify,
        cause: Cause::Oracle,
        reason: "for a Rekor v1 entry without a SET, sigstore-go proves the inclusion proof's \
                 logIndex and reads the entry's only as non-negative; sigstore-verify also \
                 requires the entry's to be below the proof's tree size",
        refusals: &["out of range for tree size"],
        shows: |b, _| v1_entry_index_not_proofs(b),
    },
    Deliberate {
        name: "malformed proof duplicates of a Rekor v2 entry",
        stricter: Stricter::SigstoreVerify,
        cause: Cause::Oracle,
        reason: "for a Rekor v2 entry sigstore-go proves the entry's logIndex to the signed \
                 checkpoint's size and root, and never reads the proof's copies of them; \
                 sigstore-verify ignores them too, but its parser first refuses them when \
                 missing, negative or of another length",
        refusals: &[
            "hash must be 32 bytes",
            "missing field `treeSize`",
            "missing field `rootHash`",
            "missing field `logIndex`",
            "negative log index",
            "invalid unsigned integer",
        ],
        shows: |b, _| v2_proof_duplicates_malformed(b),
    },
    Deliberate {
        name: "message signature without a messageDigest",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "sigstore-go refuses a message signature without its messageDigest \
                 (ErrMissingVerificationMaterial); sigstore-verify hashes the artifact itself",
        refusals: &[
            "the message signature has no messageDigest",
            "no verified time",
        ],
        shows: |b, _| message_digest_missing(b),
    },
    Deliberate {
        name: "missing mediaType",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "a bundle without a media type has no version; sigstore-go refuses it \
                 (\"unsupported bundle format\"), sigstore-verify reads it as v0.3",
        refusals: &["missing field `mediaType`"],
        shows: |b, _| b.get("mediaType").is_none(),
    },
    Deliberate {
        name: "duplicate tlog entries",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "sigstore-go refuses two entries of one log at one index (GHSA-9vcr-p3rj-q5q6, \
                 sigstore-go#633); sigstore-verify has no such check",
        refusals: &["duplicate transparency-log entries", "no verified time"],
        shows: |b, _| duplicate_entries(b),
    },
    Deliberate {
        name: "entry from an untrusted log",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "sigstore-go verifies an entry only under the log its logId names in the \
                 trusted root and skips any other, leaving no verified entry; sigstore-verify \
                 picks the log key by the checkpoint's key hint and never reads logId",
        refusals: &["is not in the trusted root", "no verified time"],
        shows: entry_log_untrusted,
    },
    Deliberate {
        name: "entry naming another trusted log",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "sigstore-go checks the checkpoint against the log the entry's logId names \
                 (its key and origin); sigstore-verify takes any trusted log whose key hint \
                 matches",
        refusals: &[
            "is not the log's origin",
            "was not trusted at the timestamp",
            "no verified time",
        ],
        shows: entry_log_is_another,
    },
    Deliberate {
        name: "malformed checkpoint note",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "a signed note is its text, a blank line and signature lines each ending in a \
                 newline (C2SP signed-note; Go's note.Open and rekor's SignedNote refuse \
                 anything else); sigstore-verify's parser accepts stray or missing newlines",
        refusals: &[
            "signature lines do not end with a newline",
            "does not start with \"— \"",
        ],
        shows: |b, _| checkpoint_note_malformed(b),
    },
    Deliberate {
        name: "checkpoint signed under another name",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "Go's note.Open counts a signature only under the verifier's name (the log's \
                 origin) and key hash; sigstore-verify matches the key hash alone",
        refusals: &["checkpoint has no signature by the log"],
        shows: |b, _| checkpoint_signer_named_otherwise(b),
    },
    Deliberate {
        name: "RFC 3161 token with an unknown signature algorithm",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "sigstore-go (timestamp-authority's verifier, Go's pkcs7) verifies a token's \
                 signature with the algorithm its SignerInfo names and refuses one it does not \
                 know; sigstore-verify ignores that field and uses the TSA key's algorithm",
        refusals: &["no verified time"],
        shows: |b, _| timestamp_signature_algorithm_unknown(b),
    },
    Deliberate {
        name: "RFC 3161 token with a foreign embedded certificate",
        stricter: Stricter::Sigscope,
        cause: Cause::Oracle,
        reason: "sigstore-go (timestamp-authority's verifier) checks the certificates a token \
                 embeds, which must chain to the trusted TSA; sigstore-verify ignores them and \
                 uses the trusted root's, so a token with an altered embedded certificate \
                 still counts",
        refusals: &["no verified time"],
        shows: timestamp_embeds_other_certificates,
    },
];

/// The explained divergences that explain `d`, or `None` when it is unexplained.
pub fn explain(d: &Disagreement) -> Option<Vec<&'static Deliberate>> {
    let (side, reasons) = d.stricter()?;
    let mut used = Vec::new();
    for reason in reasons {
        let entry = DELIBERATE.iter().find(|e| {
            e.stricter == side
                && e.refusals.iter().any(|r| reason.contains(r))
                && (e.shows)(d.bundle, d.trusted_root)
        })?;
        if !used.iter().any(|u: &&Deliberate| u.name == entry.name) {
            used.push(entry);
        }
    }
    (!used.is_empty()).then_some(used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn judge(bundle: &Value, sigscope: &[&str], oracle: &[&str]) -> Option<Vec<&'static str>> {
        let verdict = |r: &[&str]| {
            if r.is_empty() {
                Verdict::Accepted
            } else {
                Verdict::Rejected(r.iter().map(|s| s.to_string()).collect())
            }
        };
        let (ours, theirs) = (verdict(sigscope), verdict(oracle));
        explain(&Disagreement {
            bundle,
            trusted_root: &json!({"tlogs": [{"logId": {"keyId": "a2V5"}}]}),
            sigscope: &ours,
            oracle: &theirs,
        })
        .map(|entries| entries.iter().map(|e| e.name).collect())
    }

    #[test]
    fn an_entry_explains_only_its_side_its_refusal_and_a_bundle_that_shows_it() {
        let no_media_type = json!({"verificationMaterial": {}});
        let refusal = "bundle: missing field `mediaType` at line 1 column 2";
        assert_eq!(
            judge(&no_media_type, &[refusal], &[]),
            Some(vec!["missing mediaType"])
        );
        // The bundle has a media type: the refusal is about something else.
        let with = json!({"mediaType": "x", "verificationMaterial": {}});
        assert_eq!(judge(&with, &[refusal], &[]), None);
        // The other side refusing with that text is not this entry.
        assert_eq!(judge(&no_media_type, &[], &[refusal]), None);
        // Every one of sigscope's reasons must be explained.
        assert_eq!(
            judge(
                &no_media_type,
                &[refusal, "signature: does not verify"],
                &[]
            ),
            None
        );
    }

    #[test]
    fn an_untrusted_log_is_one_the_trusted_root_does_not_list() {
        let entry = |key: &str| json!({"mediaType": "m", "verificationMaterial": {"tlogEntries": [{"logId": {"keyId": key}}]}});
        let refusal = ["tlog entry: log eA== is not in the trusted root (case)"];
        assert_eq!(
            judge(&entry("eA=="), &refusal, &[]),
            Some(vec!["entry from an untrusted log"])
        );
        assert_eq!(judge(&entry("a2V5"), &refusal, &[]), None);
    }

    #[test]
    fn a_checkpoint_note_is_malformed_without_its_final_newline_or_with_a_second_blank_line() {
        let with = |note: &str| json!({"verificationMaterial": {"tlogEntries": [{"inclusionProof": {"checkpoint": {"envelope": note}}}]}});
        let good = "origin\n1\nroot\n\n— origin abcd\n";
        assert!(!checkpoint_note_malformed(&with(good)));
        assert!(checkpoint_note_malformed(&with(good.trim_end())));
        assert!(checkpoint_note_malformed(&with(
            "origin\n1\nroot\n\n\n— origin abcd\n"
        )));
        assert!(!checkpoint_signer_named_otherwise(&with(good)));
        assert!(checkpoint_signer_named_otherwise(&with(
            "origin\n1\nroot\n\n— origiN abcd\n"
        )));
    }
}
