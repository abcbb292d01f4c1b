//! The real bundles of ../shared/fixtures/CATALOG.json (GitHub attestations, npm provenance,
//! PyPI and sigstore-python, sigstore-java, sigstore-js, sigstore-go and sigstore-rs test data,
//! cosign's): each verified by sigscope's `verify-bundle` against the trust its source names,
//! with its stated verdict; sigstore-go 1.x runs on the same cases. Both counts are printed and
//! every sigstore-go verdict is recorded as an oracle comparison.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::support::tools::{Tools, Verdict, verdict};
use crate::support::{oracle, report, shared_fixtures};

/// sigscope's verdicts that match the stated ones: a lower count is a regression.
const EXPECTED_AGREEMENT: usize = 73;

/// Entries whose stated verdict sigscope deliberately does not give, and why (SECURITY.md).
const DELIBERATE: &[(&str, bool, &str)] = &[(
    "sigstore-java/sigstore-java/src/test/resources/dev/sigstore/samples/bundles/bundle-no-digest.sigstore",
    false,
    "a v0.3 bundle with an x509CertificateChain: protobuf-specs requires the single certificate \
     form in v0.3, and sigstore-go (so cosign v3) and sigstore-js refuse it; sigstore-java reads it",
)];

/// Who must have signed.
enum Signer {
    Identity { san: String, issuer: String },
    Key(PathBuf),
}

/// How one catalog entry is verified.
struct Plan {
    name: String,
    bundle: PathBuf,
    /// A file, or `ALG:HEX`.
    artifact: String,
    signer: Signer,
    /// The trusted root sigscope reads (JSON, JSON Lines or a client trust config).
    trusted_root: PathBuf,
    /// The same for sigstore-go, which reads one plain trusted root.
    sigstore_go_root: PathBuf,
    /// The instance logs nowhere and has no CT log (GitHub's).
    no_logs: bool,
    expected: bool,
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
    path
}

/// The artifact a bundle names when the catalog gives no file: the statement's first subject
/// digest, or the message digest.
fn named_artifact(bundle: &Value) -> String {
    if let Some(envelope) = bundle.get("dsseEnvelope") {
        let payload = STANDARD
            .decode(envelope["payload"].as_str().unwrap_or_default())
            .unwrap_or_default();
        let statement: Value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
        let digest = &statement["subject"][0]["digest"];
        for alg in ["sha256", "sha512", "sha384"] {
            if let Some(hex) = digest[alg].as_str() {
                return format!("{alg}:{hex}");
            }
        }
    }
    let digest = bundle["messageSignature"]["messageDigest"]["digest"]
        .as_str()
        .unwrap_or_default();
    format!(
        "sha256:{}",
        hex::encode(STANDARD.decode(digest).unwrap_or_default())
    )
}

/// A PEM public key from a trusted root's `rawBytes` (DER SPKI, base64).
fn pem_key(dir: &Path, name: &str, raw: &str) -> PathBuf {
    let der = STANDARD.decode(raw).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pem::encode(&pem::Pem::new("PUBLIC KEY", der))).unwrap();
    path
}

fn plan(fixtures: &Path, entry: &Value, work: &Path) -> Plan {
    let rel = entry["path"].as_str().unwrap();
    let bundle_path = fixtures.join(rel);
    let bundle = json(&bundle_path);
    let note = entry["expected_note"].as_str().unwrap_or_default();
    let expected = entry["expected"]
        .as_str()
        .unwrap_or_default()
        .starts_with("good");
    let instance = entry["instance"][0].as_str().unwrap_or("-");
    let prod = fixtures.join("root-signing/targets/trusted_root.json");
    let staging = fixtures.join("root-signing-staging/targets/trusted_root.json");
    let go_data = fixtures.join("sigstore-go/pkg/testing/data");
    // The log the bundle names decides the instance; the note only when it names none.
    let mut trusted_root = if instance.contains("sigstage") {
        staging.clone()
    } else if instance.contains("sigstore.dev") || !note.contains("staging") {
        prod
    } else {
        staging.clone()
    };
    let mut sigstore_go_root = trusted_root.clone();
    let mut no_logs = false;
    let mut signer = Signer::Identity {
        san: entry["san"].as_str().unwrap_or_default().to_owned(),
        issuer: entry["issuer"].as_str().unwrap_or_default().to_owned(),
    };
    let mut artifact = entry["artifact"]
        .as_str()
        .map(|a| fixtures.join(a).display().to_string())
        .unwrap_or_else(|| named_artifact(&bundle));
    let stem = rel.replace('/', "_");
    if note.contains("scaffolding.json") {
        trusted_root = go_data.join("trusted-roots/scaffolding.json");
        sigstore_go_root = trusted_root.clone();
        // The SAN is an otherName (Fulcio's username form), read as text.
        signer = Signer::Identity {
            san: "foo!oidc.local".into(),
            issuer: entry["issuer"].as_str().unwrap_or_default().to_owned(),
        };
    } else if note.contains("public-key-validity.json") {
        trusted_root = go_data.join("trusted-roots/public-key-validity.json");
        sigstore_go_root = trusted_root.clone();
        signer = Signer::Key(go_data.join("public-keys/public-key-validity.pem"));
    } else if note.contains("npm registry key") {
        let keys = json(&fixtures.join("root-signing/targets/registry.npmjs.org/keys.json"));
        let raw = keys["keys"][0]["publicKey"]["rawBytes"].as_str().unwrap();
        signer = Signer::Key(pem_key(work, &format!("{stem}.pem"), raw));
    } else if note.contains("GitHub private") {
        // gh attestation trusted-root: public-good, then GitHub's instance.
        trusted_root = bundle_path.with_file_name("trusted_root.jsonl");
        let github = std::fs::read_to_string(&trusted_root)
            .unwrap()
            .lines()
            .nth(1)
            .map(str::to_owned)
            .unwrap();
        sigstore_go_root = write(
            work,
            &format!("{stem}.root.json"),
            &serde_json::from_str(&github).unwrap(),
        );
        no_logs = true;
        // The attestation names ten jars and poms; the catalog's artifact is none of them.
        artifact = named_artifact(&bundle);
    } else if rel.contains("sigstore-python/test/assets/tsa/") {
        // sigstore-python's TSA tests: the staging instance with the test TSA (ca.json) as its
        // only timestamp authority.
        let mut root = json(&staging);
        root["timestampAuthorities"] =
            Value::Array(vec![json(&bundle_path.with_file_name("ca.json"))]);
        trusted_root = write(work, &format!("{stem}.root.json"), &root);
        sigstore_go_root = trusted_root.clone();
    }
    if note.contains("subject=") {
        // The statement's subject is the artifact, not the file the catalog names.
        artifact = named_artifact(&bundle);
    }
    if rel.ends_with("sigstore-js-2.1.0-bundle.json") {
        artifact = bundle_path
            .with_file_name("sigstore-js-2.1.0.tgz")
            .display()
            .to_string();
    }
    if let Some(key) = bundle["verificationMaterial"].get("publicKey")
        && matches!(signer, Signer::Identity { .. })
    {
        panic!("{rel}: a key-signed bundle needs its key named in the harness: {key}");
    }
    Plan {
        name: rel.to_owned(),
        bundle: bundle_path,
        artifact,
        signer,
        trusted_root,
        sigstore_go_root,
        no_logs,
        expected,
    }
}

fn sigscope(plan: &Plan) -> (Option<i32>, String) {
    let mut cmd = crate::support::sigscope();
    cmd.arg("verify-bundle")
        .arg("--bundle")
        .arg(&plan.bundle)
        .arg("--trusted-root")
        .arg(&plan.trusted_root);
    match &plan.signer {
        Signer::Identity { san, issuer } => cmd
            .args(["--certificate-identity", san])
            .args(["--certificate-oidc-issuer", issuer]),
        Signer::Key(key) => cmd.arg("--key").arg(key),
    };
    let out = cmd.arg(&plan.artifact).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn sigstore_go(plan: &Plan) -> Verdict {
    let mut cmd = Tools::get().sigstore_go_verification();
    cmd.arg("-trustedrootJSONpath").arg(&plan.sigstore_go_root);
    match &plan.signer {
        Signer::Identity { san, issuer } => {
            cmd.args(["-expectedSAN", san, "-expectedIssuer", issuer]);
        }
        Signer::Key(key) => {
            cmd.arg("-publicKey").arg(key).arg("-requireCTlog=false");
        }
    }
    if plan.no_logs {
        cmd.args(["-requireTlog=false", "-requireCTlog=false"]);
    }
    match plan.artifact.split_once(':') {
        Some((alg @ ("sha256" | "sha384" | "sha512"), hex))
            if !Path::new(&plan.artifact).exists() =>
        {
            cmd.args(["-artifact-digest", hex, "-artifact-digest-algorithm", alg]);
        }
        _ => {
            cmd.arg("-artifact").arg(&plan.artifact);
        }
    }
    verdict(cmd.arg(&plan.bundle))
}

#[test]
fn catalog_bundles_give_their_stated_verdicts() {
    let Some(fixtures) = shared_fixtures() else {
        println!("SKIP: ../shared/fixtures is absent; the catalog was not run");
        return;
    };
    let catalog = json(&fixtures.join("CATALOG.json"));
    let entries = catalog.as_array().unwrap();
    let work = tempfile::tempdir().unwrap();
    let plans: Vec<Plan> = entries
        .iter()
        .map(|e| plan(&fixtures, e, work.path()))
        .collect();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = plans
            .iter()
            .map(|p| s.spawn(move || (sigscope(p), sigstore_go(p))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (mut ours, mut theirs) = (0, 0);
    for (plan, ((code, output), go)) in plans.iter().zip(&results) {
        // Exit 0 verified, 1 not, 2 could not check: never anything else.
        assert!(
            matches!(code, Some(0..=2)),
            "{}: exit {code:?}\n{output}",
            plan.name
        );
        let accepted = *code == Some(0);
        let deliberate = DELIBERATE.iter().find(|(name, ..)| *name == plan.name);
        if let Some((_, verdict, why)) = deliberate {
            println!(
                "DELIBERATE {}: stated {}, sigscope {}: {why}",
                plan.name,
                if plan.expected { "good" } else { "bad" },
                if *verdict { "accepts" } else { "refuses" }
            );
        }
        let wanted = deliberate.map_or(plan.expected, |(_, verdict, _)| *verdict);
        if accepted == wanted {
            ours += 1;
        } else {
            println!(
                "MISS {}: wanted {}, sigscope exit {code:?}\n{output}",
                plan.name,
                if wanted { "good" } else { "bad" }
            );
        }
        if go.accepted == plan.expected {
            theirs += 1;
        }
        oracle(
            "sigstore-go 1.x",
            &format!("catalog {}", plan.name),
            go.accepted == accepted,
        );
        if go.accepted != accepted {
            println!(
                "sigstore-go differs on {}: sigstore-go {}, sigscope exit {code:?}: {}",
                plan.name,
                if go.accepted { "verified" } else { "rejected" },
                go.output.lines().last().unwrap_or_default()
            );
        }
    }
    let line = format!(
        "catalog: {ours} of {} bundles give their stated (or deliberate) verdict (sigstore-go 1.x: {theirs} the stated one)",
        plans.len()
    );
    println!("{line}");
    report("conformance.log", &line);
    assert!(ours >= EXPECTED_AGREEMENT, "{line}");
}
