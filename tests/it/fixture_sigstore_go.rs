//! Fixture bundles against sigstore-go's verifier, which checks what cosign's legacy path does
//! not: the inclusion proof against a signed checkpoint, and the trusted_root.json format.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sigscope::artifact::in_toto::Statement;
use sigscope::reference::Digest;
use sigscope_core::fixture::{GithubWorkflow, Identity, SigningOptions, VirtualSigstore};

use crate::support::SIGNED_AT;
use crate::support::tools::{Tools, Verdict, verdict};

fn identity() -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/tool".into(),
        workflow_path: ".github/workflows/build.yml".into(),
        git_ref: "refs/heads/main".into(),
        sha: "aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00".into(),
        trigger: "workflow_dispatch".into(),
        runner_environment: "github-hosted".into(),
        run_id: 77,
        repository_id: 78,
        owner_id: 79,
    })
}

struct Case {
    dir: tempfile::TempDir,
    sigstore: VirtualSigstore,
}

impl Case {
    /// A sigstore with a few unrelated entries first, so proofs have several levels.
    fn new() -> Case {
        let mut sigstore = VirtualSigstore::new("sgo", SIGNED_AT - 86_400).unwrap();
        for i in 0..5u8 {
            sigstore
                .sign(&identity(), &[i], SIGNED_AT - 60, SigningOptions::default())
                .unwrap();
        }
        Case {
            dir: tempfile::tempdir().unwrap(),
            sigstore,
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn trusted_root(&self) -> PathBuf {
        let root = self.sigstore.trusted_root().unwrap();
        self.write(
            "trusted_root.json",
            &serde_json::to_vec_pretty(&root).unwrap(),
        )
    }
}

fn sigstore_go(root: &Path, bundle: &Path, artifact: &[&str]) -> Verdict {
    let id = identity();
    verdict(
        Tools::get()
            .sigstore_go_verification()
            .arg("-trustedrootJSONpath")
            .arg(root)
            .args([
                "-expectedIssuer",
                &id.issuer,
                "-expectedSAN",
                id.san.value(),
            ])
            .args(artifact)
            .arg(bundle),
    )
}

#[test]
fn sigstore_go_verifies_a_message_signature_bundle_with_inclusion_proof() {
    let mut case = Case::new();
    let artifact = b"release tarball bytes";
    let sig = case
        .sigstore
        .sign(&identity(), artifact, SIGNED_AT, SigningOptions::default())
        .unwrap();
    let bundle = case.sigstore.message_bundle(&sig).unwrap();
    let bundle_path = case.write(
        "artifact.sigstore.json",
        &serde_json::to_vec(&bundle).unwrap(),
    );
    let artifact_path = case.write("artifact.bin", artifact);
    let root = case.trusted_root();

    let v = sigstore_go(
        &root,
        &bundle_path,
        &["-artifact", artifact_path.to_str().unwrap()],
    );
    assert!(
        v.accepted,
        "sigstore-go rejected the fixture bundle:\n{}",
        v.output
    );
    assert!(v.output.contains("Verification successful"), "{}", v.output);

    let other = case.write("other.bin", b"something else");
    let v = sigstore_go(&root, &bundle_path, &["-artifact", other.to_str().unwrap()]);
    assert!(
        !v.accepted,
        "sigstore-go accepted a different artifact:\n{}",
        v.output
    );
}

#[test]
fn sigstore_go_verifies_a_dsse_attestation_bundle() {
    let mut case = Case::new();
    let image = Digest::sha256_of(b"an image manifest");
    let statement = Statement::about(
        "registry.test/acme/tool",
        &image,
        "https://slsa.dev/provenance/v1",
        serde_json::json!({"buildDefinition": {"buildType": "https://actions.github.io/buildtypes/workflow/v1"}}),
    );
    let att = case
        .sigstore
        .attest(
            &identity(),
            &statement,
            SIGNED_AT,
            SigningOptions::default(),
        )
        .unwrap();
    let bundle = case.sigstore.dsse_bundle(&att).unwrap();
    let bundle_path = case.write("att.sigstore.json", &serde_json::to_vec(&bundle).unwrap());
    let root = case.trusted_root();
    let v = sigstore_go(&root, &bundle_path, &["-artifact-digest", image.hex()]);
    assert!(
        v.accepted,
        "sigstore-go rejected the DSSE bundle:\n{}",
        v.output
    );
}

/// Rewrites the bundle's tlog entry and checks sigstore-go now refuses it, saying `expect`.
fn rejected_after(edit: impl FnOnce(&mut Value), expect: &str) {
    let mut case = Case::new();
    let artifact = b"artifact";
    let sig = case
        .sigstore
        .sign(&identity(), artifact, SIGNED_AT, SigningOptions::default())
        .unwrap();
    let mut bundle = case.sigstore.message_bundle(&sig).unwrap();
    edit(&mut bundle["verificationMaterial"]["tlogEntries"][0]);
    let bundle_path = case.write("b.json", &serde_json::to_vec(&bundle).unwrap());
    let artifact_path = case.write("a.bin", artifact);
    let root = case.trusted_root();
    let v = sigstore_go(
        &root,
        &bundle_path,
        &["-artifact", artifact_path.to_str().unwrap()],
    );
    assert!(
        !v.accepted,
        "sigstore-go accepted the edited bundle:\n{}",
        v.output
    );
    assert!(
        v.output.contains(expect),
        "expected {expect:?} in:\n{}",
        v.output
    );
}

#[test]
fn sigstore_go_rejects_a_wrong_inclusion_proof_hash() {
    rejected_after(
        |entry| {
            let hashes = entry["inclusionProof"]["hashes"].as_array_mut().unwrap();
            hashes[0] = Value::String(STANDARD.encode([7u8; 32]));
        },
        "does not match expected root",
    );
}

#[test]
fn sigstore_go_rejects_a_checkpoint_signed_by_another_key() {
    let impostor = VirtualSigstore::new("impostor", SIGNED_AT - 86_400).unwrap();
    rejected_after(
        |entry| {
            let proof = &mut entry["inclusionProof"];
            let size: u64 = proof["treeSize"].as_str().unwrap().parse().unwrap();
            let root: [u8; 32] = STANDARD
                .decode(proof["rootHash"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            // Same tree head, same origin line, but signed with a key the trusted root lacks.
            let forged = impostor.rekor.checkpoint(size, &root).unwrap();
            proof["checkpoint"]["envelope"] = Value::String(forged);
        },
        "signature on checkpoint did not verify",
    );
}

#[test]
fn sigstore_go_rejects_a_corrupted_set() {
    rejected_after(
        |entry| {
            entry["integratedTime"] = Value::String((SIGNED_AT + 7).to_string());
        },
        "not enough verified log entries from transparency log",
    );
}
