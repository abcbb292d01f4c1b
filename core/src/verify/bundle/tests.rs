//! The bundle pipeline on fixture-minted v0.3 bundles: good material verifies, from the file and
//! from the digest alone; each deliberate fault fails its own check.

use super::*;
use crate::artifact::in_toto::Statement;
use crate::fixture::{EntryOptions, Identity, LeafOptions, SigningOptions, VirtualSigstore};
use crate::reference::Digest;
use crate::verify::check::Outcome;
use crate::verify::identity::{IdentityPolicy, Matcher};

const AT: u64 = 1_750_000_000;
const ISSUER: &str = "https://issuer.example";

fn root_of(s: &VirtualSigstore) -> TrustedRoot {
    TrustedRoot::from_json(
        "fixture",
        &serde_json::to_vec(&s.trusted_root().unwrap()).unwrap(),
    )
    .unwrap()
}

fn identity(san: &str) -> ExpectedSigner {
    ExpectedSigner::Identity(IdentityPolicy {
        subject: Matcher::Exact(san.to_owned()),
        issuer: Matcher::Exact(ISSUER.to_owned()),
        claims: Vec::new(),
    })
}

fn signed(options: SigningOptions) -> (VirtualSigstore, Vec<u8>) {
    let mut s = VirtualSigstore::new("bundle", AT - 1000).unwrap();
    let sig = s
        .sign(&Identity::email("a@b.c", ISSUER), b"artifact", AT, options)
        .unwrap();
    let json = serde_json::to_vec(&s.message_bundle(&sig).unwrap()).unwrap();
    (s, json)
}

/// The names of the failed checks.
fn failed(report: &BundleReport) -> Vec<&'static str> {
    report.checks.failures().map(|c| c.name).collect()
}

#[test]
fn a_message_bundle_verifies_from_the_file_and_from_the_digest() {
    let (s, json) = signed(SigningOptions::default());
    let root = root_of(&s);
    let file = Artifact::from_bytes(b"artifact".to_vec());
    let report = verify_bundle(&json, &file, &identity("a@b.c"), &root);
    let verified = report.verified().unwrap_or_else(|| panic!("{report:#?}"));
    assert_eq!(verified.signer(), "a@b.c");
    assert_eq!(verified.times(), [AT as i64 + 1]);
    let digest = Artifact::from_digest(file.sha256.unwrap());
    assert!(
        verify_bundle(&json, &digest, &identity("a@b.c"), &root)
            .verified()
            .is_some()
    );
}

#[test]
fn another_artifact_identity_or_root_fails_its_own_check() {
    let (s, json) = signed(SigningOptions::default());
    let root = root_of(&s);
    let other = Artifact::from_bytes(b"other".to_vec());
    let report = verify_bundle(&json, &other, &identity("a@b.c"), &root);
    assert_eq!(
        failed(&report),
        ["tlog entry body", "message digest", "signature"]
    );
    let file = Artifact::from_bytes(b"artifact".to_vec());
    let report = verify_bundle(&json, &file, &identity("x@b.c"), &root);
    assert_eq!(failed(&report), ["identity"]);
    let Outcome::Failed {
        expected, actual, ..
    } = &report.checks.failures().next().unwrap().outcome
    else {
        unreachable!()
    };
    assert_eq!(
        (expected.as_deref(), actual.as_deref()),
        (Some("x@b.c"), Some("a@b.c"))
    );
    let stranger = root_of(&VirtualSigstore::new("stranger", AT - 1000).unwrap());
    let report = verify_bundle(&json, &file, &identity("a@b.c"), &stranger);
    assert!(failed(&report).contains(&"tlog entry"), "{report:#?}");
    assert!(report.verified().is_none());
}

#[test]
fn log_and_certificate_faults_fail_their_checks() {
    let file = Artifact::from_bytes(b"artifact".to_vec());
    let corrupt_set = SigningOptions {
        entry: EntryOptions {
            corrupt_set: true,
            ..EntryOptions::default()
        },
        ..SigningOptions::default()
    };
    let (s, json) = signed(corrupt_set);
    let report = verify_bundle(&json, &file, &identity("a@b.c"), &root_of(&s));
    assert!(
        failed(&report).contains(&"signed entry timestamp"),
        "{report:#?}"
    );

    let late = SigningOptions {
        entry: EntryOptions {
            integrate_after: Some(3600),
            ..EntryOptions::default()
        },
        ..SigningOptions::default()
    };
    let (s, json) = signed(late);
    let report = verify_bundle(&json, &file, &identity("a@b.c"), &root_of(&s));
    assert_eq!(failed(&report), ["certificate path"], "{report:#?}");

    let no_sct = SigningOptions {
        leaf: LeafOptions {
            omit_sct: true,
            ..LeafOptions::default()
        },
        ..SigningOptions::default()
    };
    let (s, json) = signed(no_sct);
    let report = verify_bundle(&json, &file, &identity("a@b.c"), &root_of(&s));
    assert_eq!(failed(&report), ["sct"], "{report:#?}");
}

#[test]
fn a_tampered_inclusion_proof_or_missing_entry_fails() {
    let (s, json) = signed(SigningOptions::default());
    let root = root_of(&s);
    let file = Artifact::from_bytes(b"artifact".to_vec());
    let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let entry = &mut value["verificationMaterial"]["tlogEntries"][0];
    entry["inclusionProof"]["treeSize"] = "99".into();
    let report = verify_bundle(
        &serde_json::to_vec(&value).unwrap(),
        &file,
        &identity("a@b.c"),
        &root,
    );
    assert_eq!(failed(&report), ["inclusion proof"], "{report:#?}");
    value["verificationMaterial"]["tlogEntries"] = serde_json::json!([]);
    let report = verify_bundle(
        &serde_json::to_vec(&value).unwrap(),
        &file,
        &identity("a@b.c"),
        &root,
    );
    assert!(failed(&report).contains(&"tlog entry"), "{report:#?}");
    assert!(failed(&report).contains(&"verified time"), "{report:#?}");
    let report = verify_bundle(b"{", &file, &identity("a@b.c"), &root);
    assert_eq!(failed(&report), ["bundle"]);
}

#[test]
fn a_dsse_bundle_verifies_for_its_subject_only() {
    let mut s = VirtualSigstore::new("dsse", AT - 1000).unwrap();
    let subject = Digest::sha256_of(b"thing");
    let statement = Statement::about(
        "thing",
        &subject,
        "https://example/p",
        serde_json::json!({}),
    );
    let att = s
        .attest(
            &Identity::email("a@b.c", ISSUER),
            &statement,
            AT,
            SigningOptions::default(),
        )
        .unwrap();
    let json = serde_json::to_vec(&s.dsse_bundle(&att).unwrap()).unwrap();
    let root = root_of(&s);
    let good = Artifact::from_bytes(b"thing".to_vec());
    let report = verify_bundle(&json, &good, &identity("a@b.c"), &root);
    assert!(report.verified().is_some(), "{report:#?}");
    let other = Artifact::from_digest([0xcd; 32]);
    let report = verify_bundle(&json, &other, &identity("a@b.c"), &root);
    assert_eq!(failed(&report), ["in-toto subject"], "{report:#?}");
}

// sigstore-go#633 (GHSA-9vcr-p3rj-q5q6): one log's entry, duplicated, must not stand in for
// several witnesses; sigstore-go refuses duplicate (log, index) entries outright.
#[test]
fn sigstore_go_633_duplicate_tlog_entries_are_refused() {
    let (s, json) = signed(SigningOptions::default());
    let mut bundle: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let entry = bundle["verificationMaterial"]["tlogEntries"][0].clone();
    bundle["verificationMaterial"]["tlogEntries"] = serde_json::json!([entry.clone(), entry]);
    let report = verify_bundle(
        &serde_json::to_vec(&bundle).unwrap(),
        &Artifact::from_bytes(b"artifact".to_vec()),
        &identity("a@b.c"),
        &root_of(&s),
    );
    match &report.outcome {
        BundleOutcome::NotVerified { reason } => {
            assert!(reason.starts_with("tlog entry: duplicate"), "{reason}")
        }
        BundleOutcome::Verified(_) => panic!("a duplicate entry verified: {report:#?}"),
    }
}

// sigstore-go `SummarizeCertificate`: a bundle's identity is the first URI or email only.
#[test]
fn a_bundle_identity_is_the_certificates_first_uri_or_email() {
    let (s, json) = signed(SigningOptions {
        leaf: LeafOptions {
            extra_sans: &[crate::fixture::ExtraSan::Email("second@x.example")],
            ..LeafOptions::default()
        },
        ..SigningOptions::default()
    });
    let file = Artifact::from_bytes(b"artifact".to_vec());
    let root = root_of(&s);
    assert!(
        verify_bundle(&json, &file, &identity("a@b.c"), &root)
            .verified()
            .is_some()
    );
    let second = verify_bundle(&json, &file, &identity("second@x.example"), &root);
    assert_eq!(failed(&second), ["identity"], "{second:#?}");
}

/// Found by the differential fuzz target (fuzz/, issue 17): a Rekor v1 entry whose kindVersion
/// is not its body's verified, where sigstore-go (`ParseTransparencyLogEntry`) refuses it.
#[test]
fn differential_an_entry_whose_kind_version_is_not_its_bodys_is_refused() {
    let (s, json) = signed(SigningOptions::default());
    let root = root_of(&s);
    let file = Artifact::from_bytes(b"artifact".to_vec());
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        value["verificationMaterial"]["tlogEntries"][0]["kindVersion"],
        serde_json::json!({"kind": "hashedrekord", "version": "0.0.1"})
    );
    for (kind, version) in [("hashedrekord", "0.0.2"), ("dsse", "0.0.1"), ("", "0.0.1")] {
        let mut tampered = value.clone();
        tampered["verificationMaterial"]["tlogEntries"][0]["kindVersion"] =
            serde_json::json!({"kind": kind, "version": version});
        let report = verify_bundle(
            &serde_json::to_vec(&tampered).unwrap(),
            &file,
            &identity("a@b.c"),
            &root,
        );
        // The entry is not read further, so its SET gives no time either.
        assert_eq!(
            failed(&report),
            ["tlog entry", "verified time"],
            "{kind}/{version}: {report:#?}"
        );
        let reason = format!("{:?}", report.checks.failures().next().unwrap().outcome);
        assert!(
            reason.contains("is not its body's hashedrekord/0.0.1"),
            "{reason}"
        );
    }
}

/// Found by the differential fuzz target: a message signature whose messageDigest names no
/// algorithm (or that has no messageDigest) verified as SHA-256; sigstore-go refuses both
/// (`algStringToHashFunc` on HASH_ALGORITHM_UNSPECIFIED, `NewMessageSignature`).
#[test]
fn differential_a_message_digest_without_its_algorithm_is_refused() {
    let (s, json) = signed(SigningOptions::default());
    let root = root_of(&s);
    let file = Artifact::from_bytes(b"artifact".to_vec());
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let verify = |v: &serde_json::Value| {
        verify_bundle(
            &serde_json::to_vec(v).unwrap(),
            &file,
            &identity("a@b.c"),
            &root,
        )
    };
    assert!(verify(&value).verified().is_some());
    let tampers: [fn(&mut serde_json::Value); 4] = [
        |v: &mut serde_json::Value| {
            v["messageSignature"]["messageDigest"]
                .as_object_mut()
                .unwrap()
                .remove("algorithm");
        },
        |v: &mut serde_json::Value| {
            v["messageSignature"]["messageDigest"]["algorithm"] = serde_json::Value::Null
        },
        |v: &mut serde_json::Value| {
            v["messageSignature"]["messageDigest"]["algorithm"] =
                "HASH_ALGORITHM_UNSPECIFIED".into()
        },
        |v: &mut serde_json::Value| {
            v["messageSignature"]
                .as_object_mut()
                .unwrap()
                .remove("messageDigest");
        },
    ];
    for tamper in tampers {
        let mut tampered = value.clone();
        tamper(&mut tampered);
        let report = verify(&tampered);
        assert_eq!(
            failed(&report),
            ["message digest"],
            "{tampered}: {report:#?}"
        );
    }
}

/// Found by the differential fuzz target: for a Rekor v2 entry, sigscope proved the proof's own
/// `logIndex` to the proof's `rootHash`, so a wrong entry `logIndex` passed and a wrong duplicate
/// in the proof failed. sigstore-go (rekor-tiles `VerifyLogEntryWithHash`) proves the entry's
/// index to the signed checkpoint's size and root and reads nothing else; so does sigscope now.
/// The conformance suite's rekor2-happy-path, read in place from ../shared/fixtures.
#[test]
fn differential_a_rekor_v2_proof_is_of_the_entrys_index_to_the_signed_checkpoint() {
    let Some(dir) = crate::testing::shared_fixtures() else {
        return;
    };
    let suite = dir.join("sigstore-conformance/test/assets/bundle-verify");
    let case = suite.join("rekor2-happy-path");
    let Ok(bundle) = std::fs::read(case.join("bundle.sigstore.json")) else {
        println!("SKIP: {} is absent", case.display());
        return;
    };
    let value: serde_json::Value = serde_json::from_slice(&bundle).unwrap();
    let root = TrustedRoot::from_json(
        "rekor2-happy-path",
        &std::fs::read(case.join("trusted_root.json")).unwrap(),
    )
    .unwrap();
    let file = Artifact::from_bytes(std::fs::read(suite.join("a.txt")).unwrap());
    let signer = ExpectedSigner::Identity(IdentityPolicy {
        subject: Matcher::Exact("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main".into()),
        issuer: Matcher::Exact("https://token.actions.githubusercontent.com".into()),
        claims: Vec::new(),
    });
    let verify = |v: &serde_json::Value| {
        verify_bundle(&serde_json::to_vec(v).unwrap(), &file, &signer, &root)
    };
    let report = verify(&value);
    assert!(report.verified().is_some(), "{report:#?}");
    let entry = &value["verificationMaterial"]["tlogEntries"][0];
    assert!(entry.get("integratedTime").is_none(), "a Rekor v2 entry");
    let index: i64 = entry["logIndex"].as_str().unwrap().parse().unwrap();

    // The entry's index is the one proved.
    for wrong in [index + 1, 0, index + 1_000_000] {
        let mut tampered = value.clone();
        tampered["verificationMaterial"]["tlogEntries"][0]["logIndex"] = wrong.to_string().into();
        let report = verify(&tampered);
        assert_eq!(failed(&report), ["inclusion proof"], "{wrong}: {report:#?}");
    }
    // The proof's duplicates of the index, size and root are not read.
    let mut tampered = value.clone();
    let proof = &mut tampered["verificationMaterial"]["tlogEntries"][0]["inclusionProof"];
    proof["logIndex"] = (index + 1).to_string().into();
    proof["treeSize"] = "1".into();
    proof["rootHash"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    let report = verify(&tampered);
    assert!(report.verified().is_some(), "{report:#?}");
    // A proof hash is still checked against the checkpoint's root.
    let mut tampered = value.clone();
    tampered["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0] =
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    assert_eq!(failed(&verify(&tampered)), ["inclusion proof"]);
}
