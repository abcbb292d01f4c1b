//! The sigstore-conformance bundle-verify suite (../shared/fixtures), run through the real
//! binary exactly as the suite's CLI protocol runs a client: every case with the artifact as a
//! file and as `sha256:<hex>`. Cases named `*_fail` must not verify; the others must.

use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::support::tools::{Tools, Verdict, verdict};
use crate::support::{oracle, report, shared_fixtures};

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
    /// sigstore-go 1.x's verdict on the same case and form, run offline.
    sigstore_go: Verdict,
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

/// The case's expected signer: its identity and issuer (the suite's defaults when it names
/// none), or `Err` with the path of its public key.
fn signer(dir: &Path) -> Result<(String, String), std::path::PathBuf> {
    if dir.join("key.pub").is_file() {
        return Err(dir.join("key.pub"));
    }
    let identity = read_trimmed(&dir.join("identity")).unwrap_or_else(|| DEFAULT_IDENTITY.into());
    let issuer = read_trimmed(&dir.join("issuer")).unwrap_or_else(|| DEFAULT_ISSUER.into());
    Ok((identity, issuer))
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
    match signer(dir) {
        Err(key) => cmd.arg("--key").arg(key),
        Ok((identity, issuer)) => cmd
            .args(["--certificate-identity", &identity])
            .args(["--certificate-oidc-issuer", &issuer]),
    };
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
        sigstore_go: sigstore_go(dir, suite, &artifact, form),
        case,
        form,
        code: out.status.code(),
        output: text,
    }
}

/// sigstore-go 1.x's `sigstore-go-verification` on one case, with the same identity, trusted
/// root (the production root from ../shared when the case names none) and artifact form.
fn sigstore_go(dir: &Path, suite: &Path, artifact: &Path, form: &str) -> Verdict {
    let mut cmd = Tools::get().sigstore_go_verification();
    let root = if dir.join("trusted_root.json").is_file() {
        dir.join("trusted_root.json")
    } else {
        suite.join("../../../../root-signing/targets/trusted_root.json")
    };
    cmd.arg("-trustedrootJSONpath").arg(root);
    match signer(dir) {
        Err(key) => cmd.arg("-publicKey").arg(key),
        Ok((identity, issuer)) => cmd.args(["-expectedSAN", &identity, "-expectedIssuer", &issuer]),
    };
    match form {
        "digest" => {
            let bytes = std::fs::read(artifact).unwrap();
            cmd.args(["-artifact-digest", &hex::encode(Sha256::digest(bytes))]);
        }
        _ => {
            cmd.arg("-artifact").arg(artifact);
        }
    }
    verdict(cmd.arg(dir.join("bundle.sigstore.json")))
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
    // sigstore-go 1.x on the same cases: its own pass count, and where it and sigscope differ.
    let go_passed = runs
        .iter()
        .filter(|r| r.sigstore_go.accepted == r.expect_success)
        .count();
    for run in &runs {
        let agreed = run.sigstore_go.accepted == (run.code == Some(0));
        oracle(
            "sigstore-go 1.x",
            &format!("conformance {} [{}]", run.case, run.form),
            agreed,
        );
        if !agreed {
            println!(
                "sigstore-go differs on {} [{}]: sigstore-go {}, sigscope exit {:?}\n{}",
                run.case,
                run.form,
                if run.sigstore_go.accepted {
                    "verified"
                } else {
                    "rejected"
                },
                run.code,
                run.sigstore_go.output.trim()
            );
        }
    }
    let line = format!(
        "conformance: {passed} passed, {} failed (sigstore-go 1.x on the same cases: {go_passed} of {})",
        failed.len(),
        runs.len()
    );
    println!("{line}");
    report("conformance.log", &line);
    assert!(
        passed >= EXPECTED_PASSES,
        "{line}: fewer than the {EXPECTED_PASSES} reached before"
    );
}

/// The conformance case of a bundle logged only in Rekor v2 with no RFC 3161 timestamp: it fails,
/// and the reason says why (Rekor v2 records no time; cosign ≥ 3.0.5 requires a timestamp).
#[test]
fn a_rekor_v2_entry_without_a_timestamp_fails_with_that_reason() {
    let Some(fixtures) = shared_fixtures() else {
        println!("SKIP: ../shared/fixtures is absent");
        return;
    };
    let suite = fixtures.join("sigstore-conformance/test/assets/bundle-verify");
    let run = run_case(&suite.join("rekor2-no-timestamp_fail"), &suite, "file");
    assert_eq!(run.code, Some(1), "{}", run.output);
    assert!(
        run.output.contains("logged only in Rekor v2") && run.output.contains("RFC 3161"),
        "{}",
        run.output
    );
}

/// The DER element at the start of `der` re-sent as BER, as some timestamp authorities send
/// it: every constructed element with an indefinite length. Returns the BER and the DER length
/// read. (Go's x509 refuses certificates with octet strings in pieces, which digitorus/pkcs7
/// leaves in pieces; sigscope's own tests cover those.)
fn as_ber(der: &[u8]) -> (Vec<u8>, usize) {
    let tag = der[0];
    let (len, header) = match der[1] {
        l if l < 0x80 => (usize::from(l), 2),
        l => {
            let n = usize::from(l & 0x7f);
            let len = der[2..2 + n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, 2 + n)
        }
    };
    let content = &der[header..header + len];
    let mut out = Vec::new();
    // An empty one stays as it is (digitorus/pkcs7 cannot read it in indefinite form).
    if tag & 0x20 != 0 && len > 0 {
        out.extend([tag, 0x80]);
        let mut pos = 0;
        while pos < content.len() {
            let (child, used) = as_ber(&content[pos..]);
            out.extend(child);
            pos += used;
        }
        out.extend([0, 0]);
    } else {
        out.extend(&der[..header + len]);
    }
    (out, header + len)
}

/// A DER SEQUENCE of `children`, each given encoded.
fn der_sequence(children: &[Vec<u8>]) -> Vec<u8> {
    let content = children.concat();
    let len = content.len();
    let mut out = vec![0x30];
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend(content);
    out
}

/// The elements of a DER SEQUENCE, each as encoded.
fn der_children(der: &[u8]) -> Vec<Vec<u8>> {
    let header = if der[1] < 0x80 {
        2
    } else {
        2 + usize::from(der[1] & 0x7f)
    };
    let mut body = &der[header..];
    let mut children = Vec::new();
    while !body.is_empty() {
        let used = as_ber(body).1;
        children.push(body[..used].to_vec());
        body = &body[used..];
    }
    children
}

/// A DER `TimeStampResp` whose token's contents are re-sent in BER; the response and the
/// token's own header stay DER, as Go's asn1 reads them before digitorus/pkcs7 sees the rest.
fn token_as_ber(response: &[u8]) -> Vec<u8> {
    let [status, token] = der_children(response).try_into().unwrap();
    let inner: Vec<Vec<u8>> = der_children(&token).iter().map(|c| as_ber(c).0).collect();
    der_sequence(&[status, der_sequence(&inner)])
}

/// Turns a DER timestamp response into one of its BER variants.
type Convert = dyn Fn(&[u8]) -> Vec<u8>;

/// sigstore-go reads a signed timestamp as digitorus/timestamp does: the `TimeStampResp` in
/// DER, the token within through digitorus/pkcs7, which turns BER into DER first. A token in
/// BER verifies (or fails) in sigscope as it does there; a response in BER is refused by both.
#[test]
fn timestamps_in_ber_are_read_as_sigstore_go_reads_them() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    let Some(fixtures) = shared_fixtures() else {
        println!("SKIP: ../shared/fixtures is absent; BER timestamps were not run");
        return;
    };
    let suite = fixtures.join("sigstore-conformance/test/assets/bundle-verify");
    let work = tempfile::tempdir().unwrap();
    let whole = |der: &[u8]| as_ber(der).0;
    let variants: [(&str, &Convert); 2] = [("token", &token_as_ber), ("response", &whole)];
    for (case, expect) in [
        ("rekor2-timestamp-with-embedded-cert", true),
        ("rekor2-timestamp-without-embedded-cert", true),
        ("rekor2-timestamp-payload-mismatch_fail", false),
    ] {
        for (part, convert) in variants {
            let from = suite.join(case);
            // The directory's name keeps the suite's `_fail` convention for the verdict.
            let name = if expect && part == "token" {
                format!("{case}-ber-{part}")
            } else {
                format!("{case}-ber-{part}_fail")
            };
            let dir = work.path().join(&name);
            std::fs::create_dir(&dir).unwrap();
            for entry in std::fs::read_dir(&from).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
            let path = dir.join("bundle.sigstore.json");
            let mut bundle: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let timestamps =
                bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
                    .as_array_mut()
                    .unwrap();
            for t in timestamps {
                let der = STANDARD
                    .decode(t["signedTimestamp"].as_str().unwrap())
                    .unwrap();
                let ber = convert(&der);
                assert_ne!(ber, der);
                t["signedTimestamp"] = STANDARD.encode(ber).into();
            }
            std::fs::write(&path, serde_json::to_vec(&bundle).unwrap()).unwrap();
            let run = run_case(&dir, &suite, "file");
            let accepted = run.code == Some(0);
            oracle(
                "sigstore-go 1.x",
                &name,
                run.sigstore_go.accepted == accepted,
            );
            assert!(run.passed(), "{name}: {}\n{}", reasons(&run), run.output);
            assert_eq!(
                run.sigstore_go.accepted, accepted,
                "{name}: sigstore-go {}\n{}",
                run.sigstore_go.output, run.output
            );
        }
    }
}
