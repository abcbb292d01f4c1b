//! The sigstore-conformance bundle-verify suite (../shared/fixtures), run through the real
//! binary exactly as the suite's CLI protocol runs a client: every case with the artifact as a
//! file and as `sha256:<hex>`. Cases named `*_fail` must not verify; the others must.

use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::support::{report, shared_fixtures};

/// The suite's defaults (sigstore-conformance test/assets/bundle-verify/README.md).
const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The pass count reached; a lower count is a regression.
const EXPECTED_PASSES: usize = 140;

struct Run {
    case: String,
    form: &'static str,
    expect_success: bool,
    code: Option<i32>,
    output: String,
}

impl Run {
    fn passed(&self) -> bool {
        match self.code {
            Some(0) => self.expect_success,
            Some(_) => !self.expect_success,
            None => false,
        }
    }
}

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
}

fn run_case(dir: &Path, suite: &Path, form: &'static str) -> Run {
    let case = dir.file_name().unwrap().to_string_lossy().into_owned();
    let artifact = if dir.join("artifact").is_file() {
        dir.join("artifact")
    } else {
        suite.join("a.txt")
    };
    let mut cmd = crate::support::sigscope();
    cmd.arg("verify-bundle")
        .arg("--bundle")
        .arg(dir.join("bundle.sigstore.json"));
    if dir.join("key.pub").is_file() {
        cmd.arg("--key").arg(dir.join("key.pub"));
    } else {
        let identity =
            read_trimmed(&dir.join("identity")).unwrap_or_else(|| DEFAULT_IDENTITY.into());
        let issuer = read_trimmed(&dir.join("issuer")).unwrap_or_else(|| DEFAULT_ISSUER.into());
        cmd.args(["--certificate-identity", &identity])
            .args(["--certificate-oidc-issuer", &issuer]);
    }
    if dir.join("trusted_root.json").is_file() {
        cmd.arg("--trusted-root").arg(dir.join("trusted_root.json"));
    }
    match form {
        "digest" => {
            let bytes = std::fs::read(&artifact).unwrap();
            cmd.arg(format!("sha256:{}", hex::encode(Sha256::digest(bytes))));
        }
        _ => {
            cmd.arg(&artifact);
        }
    }
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Run {
        expect_success: !case.ends_with("_fail"),
        case,
        form,
        code: out.status.code(),
        output: text,
    }
}

/// The binary's reasons: its failed checks, or its error line.
fn reasons(run: &Run) -> String {
    let lines: Vec<&str> = run
        .output
        .lines()
        .filter(|l| l.trim_start().starts_with("FAIL") || l.starts_with("sigscope:"))
        .map(str::trim)
        .collect();
    if lines.is_empty() {
        format!("exit {:?}: verified", run.code)
    } else {
        format!("exit {:?}: {}", run.code, lines.join(" | "))
    }
}

#[test]
fn sigstore_conformance_bundle_verify_suite() {
    let Some(fixtures) = shared_fixtures() else {
        println!("SKIP: ../shared/fixtures is absent; the conformance suite was not run");
        return;
    };
    let suite = fixtures.join("sigstore-conformance/test/assets/bundle-verify");
    let mut dirs: Vec<_> = std::fs::read_dir(&suite)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("bundle.sigstore.json").is_file())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 70, "the suite has 70 cases");
    let runs: Vec<Run> = dirs
        .iter()
        .flat_map(|dir| ["file", "digest"].map(|form| run_case(dir, &suite, form)))
        .collect();
    let passed = runs.iter().filter(|r| r.passed()).count();
    let failed: Vec<&Run> = runs.iter().filter(|r| !r.passed()).collect();
    for run in &failed {
        println!(
            "FAILED {} [{}]: expected {}, {}",
            run.case,
            run.form,
            if run.expect_success {
                "verified"
            } else {
                "not verified"
            },
            reasons(run)
        );
    }
    // Every expected failure must be a verdict (exit 1) or a refusal to check (exit 2), never
    // a crash.
    for run in &runs {
        assert!(
            matches!(run.code, Some(0..=2)),
            "{} [{}] exited {:?}: {}",
            run.case,
            run.form,
            run.code,
            run.output
        );
    }
    let line = format!("conformance: {passed} passed, {} failed", failed.len());
    println!("{line}");
    report("conformance.log", &line);
    assert!(
        passed >= EXPECTED_PASSES,
        "{line}: fewer than the {EXPECTED_PASSES} reached before"
    );
}
