//! GitHub Artifact Attestations, checked as `gh attestation verify` checks them, with the real
//! gh CLI run offline as the oracle:
//! - cli/cli's own test data (public-good attestations of files; ../shared/fixtures), file by
//!   file, each with the options gh's tests use and wrong ones;
//! - a GitHub-shaped attestation of an image, minted like GitHub's instance makes them for
//!   private repositories (a Fulcio-style certificate with GitHub's extensions and no SCT, no
//!   transparency log, its time from a real RFC 3161 timestamp authority on loopback), pushed
//!   as a bundle referrer to both registries as `push-to-registry` stores it.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rstest::rstest;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use sigscope::artifact::in_toto::Statement;
use sigscope_core::fixture::{
    GithubWorkflow, Identity, LeafOptions, SigningOptions, VirtualSigstore,
};

use crate::support::publish::{push_image, simple_image};
use crate::support::registry::{Registry, RegistryKind};
use crate::support::tools::{Tools, Verdict, run_ok, verdict};
use crate::support::tsa::TimestampAuthority;
use crate::support::{oracle, shared_fixtures};

const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// sigscope `verify-attestation ARGS TARGET` (offline; gh's options).
fn sigscope(args: &[&str]) -> Verdict {
    verdict(
        crate::support::sigscope()
            .args(["verify-attestation", "--allow-http-registry"])
            .args(args),
    )
}

/// gh `attestation verify ARGS` (offline: a custom trusted root, the bundle given or read from
/// the registry).
fn gh(args: &[&str]) -> Verdict {
    verdict(Tools::get().gh().args(["attestation", "verify"]).args(args))
}

/// Runs both with the same options and records whether they agree.
fn both(case: &str, gh_args: &[&str], sigscope_args: &[&str]) -> (Verdict, Verdict) {
    let g = gh(gh_args);
    let s = sigscope(sigscope_args);
    oracle("gh", case, g.accepted == s.accepted);
    assert_eq!(
        g.accepted, s.accepted,
        "{case}: gh {} but sigscope {}\n--- gh:\n{}\n--- sigscope:\n{}",
        g.accepted, s.accepted, g.output, s.output
    );
    (g, s)
}

/// gh reads a custom trusted root as JSON Lines: one document per line.
fn one_line(root: &Path, dir: &Path) -> PathBuf {
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(root).unwrap()).unwrap();
    let out = dir.join("trusted_root.jsonl");
    std::fs::write(&out, format!("{value}\n")).unwrap();
    out
}

#[test]
fn cli_cli_test_data_verify_as_gh_verifies_it() {
    let Some(fixtures) = shared_fixtures() else {
        println!("SKIP: ../shared/fixtures is absent; gh's test data was not run");
        return;
    };
    let data = fixtures.join("cli/pkg/cmd/attestation/test/data");
    let work = tempfile::tempdir().unwrap();
    let root = one_line(&data.join("trusted_root.json"), work.path());
    let root = root.to_str().unwrap();
    let file = |name: &str| data.join(name).display().to_string();
    let tgz = file("sigstore-js-2.1.0.tgz");
    // Both read the same options; gh also wants the digest algorithm of an npm package named.
    let check = |case: &str, artifact: &str, bundle: &str, root: &str, options: &[&str]| {
        let mut args = vec![artifact, "--bundle", bundle, "--custom-trusted-root", root];
        if artifact.ends_with(".tgz") {
            args.extend(["--digest-alg", "sha512"]);
        }
        args.extend(options);
        both(case, &args, &args).1
    };
    // (case, options, expected verdict)
    let cases: &[(&str, &[&str], bool)] = &[
        ("sigstore-js by owner", &["--owner", "sigstore"], true),
        (
            "sigstore-js, another owner",
            &["--owner", "sigstorex"],
            false,
        ),
        (
            "sigstore-js by repo",
            &["--repo", "sigstore/sigstore-js"],
            true,
        ),
        (
            "sigstore-js, another repo",
            &["--repo", "sigstore/cosign"],
            false,
        ),
        (
            "sigstore-js by signer workflow",
            &[
                "--owner",
                "sigstore",
                "--signer-workflow",
                "github.com/sigstore/sigstore-js/.github/workflows/release.yml",
            ],
            true,
        ),
        (
            "sigstore-js, another signer workflow",
            &[
                "--owner",
                "sigstore",
                "--signer-workflow",
                "github.com/sigstore/sigstore-js/.github/workflows/ci.yml",
            ],
            false,
        ),
        (
            "sigstore-js by source ref",
            &["--owner", "sigstore", "--source-ref", "refs/heads/main"],
            true,
        ),
        (
            "sigstore-js, another source ref",
            &["--owner", "sigstore", "--source-ref", "refs/heads/dev"],
            false,
        ),
        (
            "sigstore-js, another predicate type",
            &[
                "--owner",
                "sigstore",
                "--predicate-type",
                "https://spdx.dev/Document",
            ],
            false,
        ),
        (
            "sigstore-js, another OIDC issuer",
            &[
                "--owner",
                "sigstore",
                "--cert-oidc-issuer",
                "https://accounts.google.com",
            ],
            false,
        ),
        (
            "sigstore-js, GitHub-hosted runners only",
            &["--owner", "sigstore", "--deny-self-hosted-runners"],
            true,
        ),
    ];
    for (case, options, expected) in cases {
        for bundle in [
            "sigstore-js-2.1.0-bundle.json",
            "sigstore-js-2.1.0_with_2_bundles.jsonl",
        ] {
            let result = check(
                &format!("{case} ({bundle})"),
                &tgz,
                &file(bundle),
                root,
                options,
            );
            assert_eq!(result.accepted, *expected, "{case}: {}", result.output);
        }
    }
    // A v0.1 bundle: gh reads bundles of v0.2 and later.
    let v01 = file("sigstore-js-2.1.0-bundle-v0.1.json");
    check(
        "sigstore-js v0.1 bundle",
        &tgz,
        &v01,
        root,
        &["--owner", "sigstore"],
    );
    // Another issuer: GitHub Enterprise's custom issuer policy.
    let artifact = file("custom-issuer-artifact");
    let bundle = file("custom-issuer.sigstore.json");
    for (options, expected) in [
        (&["--owner", "too-legit"][..], false),
        (
            &[
                "--owner",
                "too-legit",
                "--cert-oidc-issuer",
                "https://token.actions.githubusercontent.com/hammer-time",
            ][..],
            true,
        ),
    ] {
        let result = check(
            &format!("custom issuer {options:?}"),
            &artifact,
            &bundle,
            root,
            options,
        );
        assert_eq!(result.accepted, expected, "{}", result.output);
    }
    // A reusable workflow: the signer is another repository's workflow.
    let artifact = file("reusable-workflow-artifact");
    let bundle = file("reusable-workflow-attestation.sigstore.json");
    for (signer_repo, expected) in [
        ("github/artifact-attestations-workflows", true),
        ("github/other-workflows", false),
    ] {
        let result = check(
            &format!("reusable workflow signer {signer_repo}"),
            &artifact,
            &bundle,
            root,
            &["--owner", "malancas", "--signer-repo", signer_repo],
        );
        assert_eq!(result.accepted, expected, "{}", result.output);
    }
    // Bundles whose material is missing or whose signature is broken.
    let whl = file("github_provenance_demo-0.0.12-py3-none-any.whl");
    for bundle in [
        "github_provenance_demo-0.0.12-py3-none-any-bundle-missing-cert.jsonl",
        "github_provenance_demo-0.0.12-py3-none-any-bundle-missing-verification-material.jsonl",
    ] {
        let case = format!("broken bundle {bundle}");
        let result = check(&case, &whl, &file(bundle), root, &["--owner", "actions"]);
        assert!(!result.accepted, "{}", result.output);
    }
    // GitHub's own instance (a TSA timestamp, no log): with the public-good root alone it does
    // not verify; with both instances' roots, as `gh attestation trusted-root` prints them, it
    // does, each bundle against the instance whose CA issued its certificate.
    let bundle = file("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl");
    let case = "github provenance demo, public-good root only";
    let result = check(case, &whl, &bundle, root, &["--owner", "actions"]);
    assert!(!result.accepted, "{}", result.output);
    let github_root: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/trusted_root.github.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let both_roots = work.path().join("both.jsonl");
    std::fs::write(
        &both_roots,
        format!("{}{github_root}\n", std::fs::read_to_string(root).unwrap()),
    )
    .unwrap();
    let case = "github provenance demo, both instances";
    let result = check(
        case,
        &whl,
        &bundle,
        both_roots.to_str().unwrap(),
        &["--owner", "actions"],
    );
    assert!(result.accepted, "{}", result.output);
}

fn workflow() -> GithubWorkflow {
    GithubWorkflow {
        repository: "acme/private-app".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v1.0.0".into(),
        sha: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 4242,
        repository_id: 777,
        owner_id: 888,
    }
}

/// An image with a GitHub-shaped attestation referrer, and the trusted root (file) of the
/// instance that made it: Fulcio CA and TSA, no logs.
struct Attested {
    image: String,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

fn github_shaped(kind: RegistryKind) -> Attested {
    let registry = Registry::shared_of(kind);
    let repo = "github/private-app";
    let written = push_image(
        registry,
        repo,
        "v1.0.0",
        &simple_image("private-app", "amd64"),
    );
    let image = format!("{}@{}", registry.repo(repo), written.digest);
    let dir = tempfile::tempdir().unwrap();
    // GitHub signs at build time; the timestamp authority's clock is now.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut sigstore = VirtualSigstore::new("acme-github", now - 86_400).unwrap();
    let statement = Statement::about(
        &format!("{}/{repo}", registry.host()),
        &written.digest,
        SLSA_V1,
        sigscope_core::fixture::slsa_provenance_v1(
            "acme/private-app",
            "refs/tags/v1.0.0",
            &workflow().sha,
            workflow().run_id,
        ),
    );
    let options = SigningOptions {
        leaf: LeafOptions {
            omit_sct: true,
            ..LeafOptions::default()
        },
        ..SigningOptions::default()
    };
    let att = sigstore
        .attest(&Identity::github(&workflow()), &statement, now, options)
        .unwrap();
    let tsa = TimestampAuthority::shared();
    let signature = &att.envelope.signatures[0].sig;
    let signature = STANDARD.decode(signature).unwrap();
    let timestamp = tsa.timestamp(&Sha256::digest(&signature));
    // GitHub's instance logs nowhere: no tlog entry, a signed timestamp instead.
    let bundle = json!({
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {
            "certificate": {"rawBytes": STANDARD.encode(&att.certificate)},
            "timestampVerificationData": {
                "rfc3161Timestamps": [{"signedTimestamp": STANDARD.encode(&timestamp)}],
            },
        },
        "dsseEnvelope": serde_json::to_value(&att.envelope).unwrap(),
    });
    let bundle_file = dir.path().join("attestation.sigstore.json");
    std::fs::write(&bundle_file, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let mut root = sigstore.trusted_root().unwrap();
    let obj = root.as_object_mut().unwrap();
    obj.remove("tlogs");
    obj.remove("ctlogs");
    let start = sigscope::artifact::encoding::rfc3339((now - 86_400) as i64);
    obj.insert(
        "timestampAuthorities".into(),
        json!([{
            "subject": {"organization": "local", "commonName": "Test TSA"},
            "uri": tsa.url(),
            "certChain": {"certificates": tsa.chain_der().iter()
                .map(|der| json!({"rawBytes": STANDARD.encode(der)}))
                .collect::<Vec<_>>()},
            "validFor": {"start": start},
        }]),
    );
    let root_file = dir.path().join("trusted_root.jsonl");
    std::fs::write(&root_file, format!("{root}\n")).unwrap();
    // push-to-registry: a bundle referrer (by the API where the registry has one).
    run_ok(Tools::get().oras().current_dir(dir.path()).args([
        "attach",
        "--plain-http",
        "--no-tty",
        "--distribution-spec",
        kind.oras_distribution_spec(),
        "--artifact-type",
        BUNDLE_MEDIA_TYPE,
        "-a",
        "dev.sigstore.bundle.content=dsse-envelope",
        "-a",
        &format!("dev.sigstore.bundle.predicateType={SLSA_V1}"),
        &image,
        &format!("attestation.sigstore.json:{BUNDLE_MEDIA_TYPE}"),
    ]));
    Attested {
        image,
        root: root_file,
        _dir: dir,
    }
}

#[rstest]
fn a_github_shaped_attestation_of_an_image_verifies_with_gh_options(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let attested = github_shaped(kind);
    let root = attested.root.to_str().unwrap();
    let oci = format!("oci://{}", attested.image);
    let wf = "github.com/acme/private-app/.github/workflows/release.yml";
    let cases: &[(&str, &[&str], bool, &str)] = &[
        ("by owner", &["--owner", "acme"], true, ""),
        (
            "by repo and workflow",
            &["--repo", "acme/private-app", "--signer-workflow", wf],
            true,
            "",
        ),
        (
            "another owner",
            &["--owner", "acme-evil"],
            false,
            "identity",
        ),
        (
            "another signer workflow",
            &[
                "--owner",
                "acme",
                "--signer-workflow",
                "github.com/acme/private-app/.github/workflows/evil.yml",
            ],
            false,
            "identity",
        ),
        (
            "another predicate type",
            &[
                "--owner",
                "acme",
                "--predicate-type",
                "https://spdx.dev/Document",
            ],
            false,
            "predicate type",
        ),
        (
            "another source ref",
            &["--owner", "acme", "--source-ref", "refs/heads/main"],
            false,
            "claims",
        ),
    ];
    for (case, options, expected, failing) in cases {
        let mut g = vec![
            oci.as_str(),
            "--bundle-from-oci",
            "--custom-trusted-root",
            root,
        ];
        g.extend(*options);
        let mut s = vec![attested.image.as_str(), "--trusted-root", root];
        s.extend(*options);
        let (_, result) = both(
            &format!("{kind}: GitHub-shaped image attestation {case}"),
            &g,
            &s,
        );
        assert_eq!(result.accepted, *expected, "{case}: {}", result.output);
        if *expected {
            assert!(
                result.output.contains("lists no transparency log")
                    && result.output.contains("rfc3161 timestamp"),
                "{case}: {}",
                result.output
            );
        } else {
            assert!(
                result.output.contains(&format!("✗ {failing}")),
                "{case}: the failure names {failing}: {}",
                result.output
            );
        }
        // gh's policy is printed before the verdict.
        assert!(
            result
                .output
                .contains("The following policy criteria will be enforced"),
            "{}",
            result.output
        );
    }
}
