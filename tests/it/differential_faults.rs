//! Each check failing on its own: images signed with one fault each (fixture material attached
//! by real cosign), verified by real cosign and by sigscope with the same trust. The verdicts
//! must agree, and sigscope must name the check that failed.

use std::path::Path;
use std::process::Command;

use sigscope_core::fixture::{
    CosignTrustFiles, EntryOptions, GithubWorkflow, Identity, LeafOptions, SigningOptions,
    VirtualSigstore,
};

use crate::differential::{Run, agree};
use crate::support::SIGNED_AT;
use crate::support::publish::{
    attach_keyless, attach_signature_files, cosign_payload, push_image, simple_image,
};
use crate::support::registry::Registry;
use crate::support::tools::{Tools, run_ok};

pub fn identity() -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/faults".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v9.9.9".into(),
        sha: "9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 99,
        repository_id: 98,
        owner_id: 97,
    })
}

pub fn sigstore() -> VirtualSigstore {
    VirtualSigstore::new("faults", SIGNED_AT - 30 * 86_400).unwrap()
}

pub fn fresh_image(name: &str) -> String {
    let registry = Registry::shared();
    let repo = format!("faults/{name}");
    let m = push_image(registry, &repo, "v1", &simple_image(&repo, "amd64"));
    format!("{}@{}", registry.repo(&repo), m.digest)
}

/// Runs cosign and sigscope `verify` with `trust` and the fault-case identity.
pub fn both(
    image: &str,
    trust: &CosignTrustFiles,
    extra: &[&str],
) -> (Run, Run, serde_json::Value) {
    let id = identity();
    let args = [
        "--certificate-identity",
        id.san.value(),
        "--certificate-oidc-issuer",
        &id.issuer,
    ];
    // Legacy `.sig` signatures: both cosigns take the `SIGSTORE_*` variables here.
    let setup = |cmd: &mut Command| {
        for (var, path) in trust.env() {
            cmd.env(var, path);
        }
        cmd.args(["verify", "--offline", "--allow-http-registry"])
            .args(args)
            .args(extra);
    };
    let c = Run::cosigns(|_, cmd| {
        setup(cmd);
        cmd.arg(image);
    });
    let mut sigscope = crate::support::sigscope();
    setup(&mut sigscope);
    sigscope.args(["--output", "json"]);
    let s = Run::sigscope(sigscope.arg(image));
    // The JSON document is the stdout part (stderr, if any, follows it).
    let json = serde_json::Deserializer::from_str(&s.output)
        .into_iter::<serde_json::Value>()
        .next()
        .and_then(Result::ok)
        .unwrap_or(serde_json::Value::Null);
    (c, s, json)
}

pub fn failed_checks(json: &serde_json::Value) -> Vec<String> {
    json["images"][0]["signatures"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["checks"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["status"] == "failed")
        .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Signs a fresh image with `options`, verifies with trust from `trust_from`, and checks
/// agreement and (when rejected) that `failing` is among sigscope's failed checks.
fn case(
    name: &str,
    options: SigningOptions,
    trust: impl FnOnce(&VirtualSigstore, &Path) -> CosignTrustFiles,
    extra: &[&str],
    failing: Option<&str>,
) {
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let image = fresh_image(name);
    attach_keyless(&mut s, &identity(), &image, SIGNED_AT, options, work.path());
    let files = trust(&s, work.path());
    let (c, g, json) = both(&image, &files, extra);
    agree(&format!("fault {name}"), &c, &g);
    match failing {
        None => assert!(g.accepted, "{name}: {}", g.output),
        Some(check) => {
            let failed = failed_checks(&json);
            assert!(
                failed.iter().any(|f| f == check),
                "{name}: expected {check} among {failed:?}\n{}",
                g.output
            );
        }
    }
}

fn own_trust(s: &VirtualSigstore, dir: &Path) -> CosignTrustFiles {
    s.write_cosign_trust(dir).unwrap()
}

/// Our trust with one file swapped for an impostor's.
fn swapped(which: &'static str) -> impl FnOnce(&VirtualSigstore, &Path) -> CosignTrustFiles {
    move |s, dir| {
        let ours = s.write_cosign_trust(dir).unwrap();
        let other_dir = dir.join("impostor");
        std::fs::create_dir_all(&other_dir).unwrap();
        let theirs = VirtualSigstore::new("impostor", SIGNED_AT - 86_400)
            .unwrap()
            .write_cosign_trust(&other_dir)
            .unwrap();
        match which {
            "ct" => CosignTrustFiles {
                ct_log_key: theirs.ct_log_key,
                ..ours
            },
            "rekor" => CosignTrustFiles {
                rekor_key: theirs.rekor_key,
                ..ours
            },
            _ => CosignTrustFiles {
                roots: theirs.roots,
                ..ours
            },
        }
    }
}

fn leaf(l: LeafOptions) -> SigningOptions {
    SigningOptions {
        leaf: l,
        ..SigningOptions::default()
    }
}

fn entry(e: EntryOptions) -> SigningOptions {
    SigningOptions {
        entry: e,
        ..SigningOptions::default()
    }
}

#[test]
fn a_clean_signature_verifies_in_both() {
    case("clean", SigningOptions::default(), own_trust, &[], None);
}

#[test]
fn sct_faults_fail_the_sct_check_in_both() {
    case(
        "bad-sct",
        leaf(LeafOptions {
            corrupt_sct: true,
            ..Default::default()
        }),
        own_trust,
        &[],
        Some("sct"),
    );
    case(
        "no-sct",
        leaf(LeafOptions {
            omit_sct: true,
            ..Default::default()
        }),
        own_trust,
        &[],
        Some("sct"),
    );
    case(
        "no-sct-ignored",
        leaf(LeafOptions {
            omit_sct: true,
            ..Default::default()
        }),
        own_trust,
        &["--insecure-ignore-sct"],
        None,
    );
    case(
        "untrusted-ct-log",
        SigningOptions::default(),
        swapped("ct"),
        &[],
        Some("sct"),
    );
}

#[test]
fn tlog_faults_fail_the_set_check_in_both() {
    case(
        "bad-set",
        entry(EntryOptions {
            corrupt_set: true,
            ..Default::default()
        }),
        own_trust,
        &[],
        Some("tlog set"),
    );
    case(
        "untrusted-rekor",
        SigningOptions::default(),
        swapped("rekor"),
        &[],
        Some("tlog set"),
    );
}

#[test]
fn certificate_faults_fail_in_both() {
    case(
        "untrusted-root",
        SigningOptions::default(),
        swapped("root"),
        &[],
        Some("chain"),
    );
    case(
        "server-auth-only",
        leaf(LeafOptions {
            server_auth_only: true,
            ..Default::default()
        }),
        own_trust,
        &[],
        Some("code signing"),
    );
    // No extended key usage at all: Go's x509, and so cosign, accept any usage.
    case(
        "no-eku",
        leaf(LeafOptions {
            omit_code_signing: true,
            ..Default::default()
        }),
        own_trust,
        &[],
        None,
    );
    // Logged eleven minutes after signing: the ten-minute certificate had expired.
    case(
        "logged-after-expiry",
        entry(EntryOptions {
            integrate_after: Some(660),
            ..Default::default()
        }),
        own_trust,
        &[],
        Some("signing time"),
    );
}

#[test]
fn github_workflow_flags_are_checked_in_both() {
    case(
        "github-ok",
        SigningOptions::default(),
        own_trust,
        &[
            "--certificate-github-workflow-trigger",
            "push",
            "--certificate-github-workflow-repository",
            "acme/faults",
        ],
        None,
    );
    case(
        "github-wrong-ref",
        SigningOptions::default(),
        own_trust,
        &["--certificate-github-workflow-ref", "refs/heads/main"],
        Some("claims"),
    );
}

#[test]
fn the_transplant_attack_is_rejected_in_both() {
    // A valid signature, certificate and Rekor bundle from image A, copied onto image B's .sig
    // tag. With A's payload, it names the wrong digest; with a payload rewritten for B, the
    // signature and the log entry no longer match.
    let work = tempfile::tempdir().unwrap();
    let mut s = sigstore();
    let a = fresh_image("transplant-a");
    let sig = attach_keyless(
        &mut s,
        &identity(),
        &a,
        SIGNED_AT,
        SigningOptions::default(),
        work.path(),
    );
    let files = own_trust(&s, work.path());
    let (c, g, _) = both(&a, &files, &[]);
    assert!(
        c.accepted && g.accepted,
        "the donor verifies:\n{}",
        g.output
    );

    let b = fresh_image("transplant-b");
    attach_signature_files(&s.ca.chain_pem(), &sig, &sig.payload, &b, work.path());
    let (c, g, json) = both(&b, &files, &[]);
    agree("transplant with the donor's payload", &c, &g);
    assert!(
        failed_checks(&json).contains(&"payload digest".to_owned()),
        "{}",
        g.output
    );

    let c_image = fresh_image("transplant-c");
    let rewritten = cosign_payload(&c_image);
    attach_signature_files(&s.ca.chain_pem(), &sig, &rewritten, &c_image, work.path());
    let (c, g, json) = both(&c_image, &files, &[]);
    agree("transplant with a rewritten payload", &c, &g);
    let failed = failed_checks(&json);
    assert!(
        failed.contains(&"signature".to_owned()) && failed.contains(&"tlog entry".to_owned()),
        "{failed:?}"
    );
}

#[test]
fn key_and_annotation_faults_fail_in_both() {
    let work = tempfile::tempdir().unwrap();
    let image = fresh_image("keyed");
    let cosign = |args: &[&str]| {
        let mut c = Tools::get().cosign2();
        c.current_dir(work.path()).args(args);
        c
    };
    run_ok(&mut cosign(&["generate-key-pair"]));
    run_ok(&mut cosign(&[
        "sign",
        "--yes",
        "--key",
        "cosign.key",
        "--tlog-upload=false",
        "-a",
        "env=prod",
        &image,
    ]));
    std::fs::create_dir_all(work.path().join("other")).unwrap();
    run_ok(cosign(&["generate-key-pair"]).current_dir(work.path().join("other")));
    let key = work.path().join("cosign.pub");
    let other = work.path().join("other/cosign.pub");
    let run = |key: &Path, extra: &[&str]| {
        let setup = |cmd: &mut Command| {
            cmd.args([
                "verify",
                "--offline",
                "--allow-http-registry",
                "--insecure-ignore-tlog",
                "--key",
            ])
            .arg(key)
            .args(extra)
            .arg(&image);
        };
        let mut g = crate::support::sigscope();
        setup(&mut g);
        (Run::cosigns(|_, c| setup(c)), Run::sigscope(&mut g))
    };
    for (label, key, extra, accepted) in [
        (
            "right key, right annotation",
            key.as_path(),
            &["-a", "env=prod"][..],
            true,
        ),
        (
            "right key, wrong annotation",
            key.as_path(),
            &["-a", "env=staging"][..],
            false,
        ),
        (
            "right key, missing annotation",
            key.as_path(),
            &["-a", "team=x"][..],
            false,
        ),
        ("wrong key", other.as_path(), &[][..], false),
    ] {
        let (c, g) = run(key, extra);
        agree(&format!("key case: {label}"), &c, &g);
        assert_eq!(g.accepted, accepted, "{label}: {}", g.output);
    }
}

#[test]
fn an_imported_ed25519_key_verifies_alike_in_both() {
    // cosign 2.5's import-key-pair takes Ed25519 (and P-256) but refuses RSA and P-384 keys
    // ("unsupported public key type"); those algorithms are checked against openssl-made
    // signatures in core/src/verify/key.rs instead.
    let work = tempfile::tempdir().unwrap();
    run_ok(Command::new("openssl").current_dir(work.path()).args([
        "genpkey",
        "-algorithm",
        "ed25519",
        "-out",
        "ed25519.pem",
    ]));
    run_ok(Tools::get().cosign2().current_dir(work.path()).args([
        "import-key-pair",
        "--key",
        "ed25519.pem",
    ]));
    let image = fresh_image("key-ed25519");
    run_ok(Tools::get().cosign2().current_dir(work.path()).args([
        "sign",
        "--yes",
        "--key",
        "import-cosign.key",
        "--tlog-upload=false",
        &image,
    ]));
    let setup = |cmd: &mut Command| {
        cmd.args([
            "verify",
            "--offline",
            "--allow-http-registry",
            "--insecure-ignore-tlog",
            "--key",
        ])
        .arg(work.path().join("import-cosign.pub"))
        .arg(&image);
    };
    let mut g = crate::support::sigscope();
    setup(&mut g);
    let (c, g) = (Run::cosigns(|_, c| setup(c)), Run::sigscope(&mut g));
    agree("ed25519 key signature", &c, &g);
    assert!(g.accepted, "{}", g.output);
    assert!(g.output.contains("Ed25519"), "{}", g.output);
}
