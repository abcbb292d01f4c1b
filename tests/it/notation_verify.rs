//! The Notation differential suite: images signed by the real notation CLI in both registries
//! (a `notation cert generate-test` certificate and a leaf of the fixture's notation CA; JWS
//! and COSE; short-lived leaves with and without an RFC 3161 timestamp from sigstore's
//! timestamp-server on loopback), then verified by `notation verify` and by `sigscope verify`
//! under many trust policies: each level, `override`, wrong identity, wrong store, no
//! applicable statement, `skip`, an expired certificate with and without a timestamp, a
//! signature copied onto another image, and a signature notation does not read. Every verdict
//! must agree; each comparison is recorded as an oracle case.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rstest::rstest;
use serde_json::{Value, json};
use sigscope_core::fixture::CertifiedKey;
use sigscope_core::fixture::notation::NotationCa;

use crate::notation::NotationHome;
use crate::support::publish::{push_image, simple_image};
use crate::support::registry::{Registry, RegistryKind};
use crate::support::tools::{Tools, run_ok, verdict};
use crate::support::tsa::TimestampAuthority;

#[path = "notation_policies.rs"]
mod policies;
use policies::{expiry_policies, policies};

/// Lifetime of the short-lived leaves that expire during the test.
const SHORT: u64 = 25;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Bed {
    home: NotationHome,
    kind: RegistryKind,
    registry: &'static Registry,
    format: &'static str,
    repo: String,
}

impl Bed {
    /// Pushes a fresh image and signs it with `key` (`None`: the generate-test key).
    fn signed(&self, tag: &str, key: Option<&str>, timestamp: bool, referrers_tag: bool) -> String {
        let image = push_image(self.registry, &self.repo, tag, &simple_image(tag, "amd64"));
        let reference = format!("{}@{}", self.registry.repo(&self.repo), image.digest);
        let mut cmd = self.home.notation();
        cmd.args([
            "sign",
            "--insecure-registry",
            "--signature-format",
            self.format,
        ]);
        cmd.arg(format!("--force-referrers-tag={referrers_tag}"));
        if let Some(k) = key {
            cmd.args(["--key", k]);
        }
        if timestamp {
            let tsa = TimestampAuthority::shared();
            let root = self.home.config().join("tsa-root.pem");
            std::fs::write(&root, tsa.root_pem()).unwrap();
            cmd.args(["--timestamp-url", &tsa.url(), "--timestamp-root-cert"])
                .arg(root);
        }
        run_ok(cmd.arg(&reference));
        reference
    }

    /// Verifies `reference` under `policy` with both tools and records the comparison.
    fn compare(&self, policy: &str, statements: &[Value], image: &str, reference: &str) -> bool {
        self.home
            .write_policy(&json!({"version": "1.0", "trustPolicies": statements}));
        let notation =
            verdict(
                self.home
                    .notation()
                    .args(["verify", "--insecure-registry", reference]),
            );
        let out = crate::support::sigscope()
            .args(["verify", "--allow-http-registry", "--notation-config"])
            .arg(self.home.config())
            .arg(reference)
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        let ours = code == 0;
        let agreed = ours == notation.accepted && code != 2;
        let case = format!(
            "{} {}: {image} under {policy}: notation {}",
            self.kind,
            self.format,
            if notation.accepted {
                "accepts"
            } else {
                "rejects"
            }
        );
        crate::support::oracle("notation", &case, agreed);
        assert!(
            agreed,
            "{case}: notation {} / sigscope exit {code}\nnotation: {}\nsigscope: {}{}",
            if notation.accepted {
                "accepted"
            } else {
                "rejected"
            },
            notation.output,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        notation.accepted
    }
}

/// A signing key from the fixture's notation CA in the home's `signingkeys.json`.
fn fixture_key(home: &NotationHome, ca: &NotationCa, name: &str, not_before: u64, life: u64) {
    let leaf: CertifiedKey = ca
        .leaf("CN=builder,O=acme,L=Seattle,ST=WA,C=US", not_before, life)
        .unwrap();
    home.add_key(name, &leaf.key.private_pem().unwrap(), &ca.chain_pem(&leaf));
}

/// Copies the signature manifest of `from` onto `onto` (its subject rewritten), as an attacker
/// replaying a signature would, with oras.
fn copy_signature(bed: &Bed, from: &str, onto: &str) {
    let (_, doc) = crate::inspect::inspect_json(&[from]);
    let signature = doc["tags"][0]["image"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "notation_signature")
        .and_then(|a| a["digest"].as_str())
        .unwrap()
        .to_owned();
    let (repo, _) = from.split_once('@').unwrap();
    let manifest = run_ok(Tools::get().oras().args([
        "manifest",
        "fetch",
        "--plain-http",
        &format!("{repo}@{signature}"),
    ]));
    let mut manifest: Value = serde_json::from_str(&manifest).unwrap();
    let target = run_ok(Tools::get().oras().args([
        "manifest",
        "fetch",
        "--plain-http",
        "--descriptor",
        onto,
    ]));
    let target: Value = serde_json::from_str(&target).unwrap();
    manifest["subject"] = json!({"mediaType": target["mediaType"], "digest": target["digest"], "size": target["size"]});
    let file = bed.home.config().join("copied.json");
    std::fs::write(&file, serde_json::to_vec(&manifest).unwrap()).unwrap();
    run_ok(
        Tools::get()
            .oras()
            .args([
                "manifest",
                "push",
                "--plain-http",
                "--distribution-spec",
                bed.kind.oras_distribution_spec(),
            ])
            .args([
                "--media-type",
                "application/vnd.oci.image.manifest.v1+json",
                repo,
            ])
            .arg(&file),
    );
}

#[rstest]
fn notation_and_sigscope_agree_on_every_case(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
    #[values("jws", "cose")] format: &'static str,
) {
    let registry = Registry::shared_of(kind);
    let home = NotationHome::new("sigscope.test");
    let acme = NotationCa::new("acme", now() - 86_400).unwrap();
    let wabbit = NotationCa::new("wabbit", now() - 86_400).unwrap();
    home.store_cert("ca", "acme", "acme.pem", &acme.root.pem());
    home.store_cert("ca", "wabbit", "wabbit.pem", &wabbit.root.pem());
    let tsa = TimestampAuthority::shared();
    home.store_cert("tsa", "loopback", "root.pem", tsa.root_pem());
    fixture_key(&home, &acme, "acme", now() - 60, 30 * 86_400);
    let short_from = now() - 5;
    fixture_key(&home, &acme, "short", short_from, SHORT);
    let bed = Bed {
        repo: format!("notation/differential-{format}"),
        home,
        kind,
        registry,
        format,
    };
    let scope = bed.registry.repo(&bed.repo);
    // Sign the short-lived ones first: they must be signed while valid.
    let short = bed.signed("short", Some("short"), false, false);
    let short_tsa = bed.signed("short-tsa", Some("short"), true, false);
    let images = vec![
        (
            "a generate-test signature",
            bed.signed("test-cert", None, false, false),
        ),
        (
            "a fixture CA signature",
            bed.signed("fixture", Some("acme"), false, false),
        ),
        (
            "a timestamped fixture CA signature",
            bed.signed("fixture-tsa", Some("acme"), true, false),
        ),
    ];
    let copied = push_image(
        bed.registry,
        &bed.repo,
        "copied",
        &simple_image("copied", "amd64"),
    );
    let copied = format!("{}@{}", bed.registry.repo(&bed.repo), copied.digest);
    copy_signature(&bed, &images[1].1, &copied);
    let mut all = images.clone();
    all.push(("another image's signature copied onto it", copied));
    if kind.has_referrers_api() {
        // notation sign's default stores under the fallback tag; notation verify then reads the
        // referrers API only and finds nothing.
        all.push((
            "a signature only under the fallback tag",
            bed.signed("tag-only", Some("acme"), false, true),
        ));
    }
    let mut accepted = 0;
    let mut count = 0;
    for (policy, statements) in policies(&scope) {
        for (image, reference) in &all {
            accepted += usize::from(bed.compare(policy, &statements, image, reference));
            count += 1;
        }
    }
    // Some cases must verify and some must not, or the comparison proves little.
    assert!(
        accepted > 10 && accepted < count - 10,
        "{accepted} of {count} accepted"
    );
    let wait = (short_from + SHORT + 2).saturating_sub(now());
    std::thread::sleep(Duration::from_secs(wait));
    for (policy, statements) in expiry_policies() {
        for (image, reference) in [
            ("an expired certificate", &short),
            ("an expired certificate with a timestamp", &short_tsa),
        ] {
            bed.compare(policy, &statements, image, reference);
            count += 1;
        }
    }
    println!("notation differential ({kind} {format}): {count} verdicts compared, all agree");
}

/// A signature whose envelope cannot be read proves nothing either way: "could not check"
/// (exit 2), never verified or rejected. The envelope blob is removed from the registry's
/// storage after notation signed.
#[test]
fn an_unreadable_envelope_is_could_not_check() {
    let registry = Registry::shared_of(RegistryKind::Distribution);
    let home = NotationHome::new("sigscope.test");
    let repo = "notation/unreadable";
    let image = push_image(registry, repo, "v1", &simple_image("unreadable", "amd64"));
    let reference = format!("{}@{}", registry.repo(repo), image.digest);
    run_ok(
        home.notation()
            .args(["sign", "--insecure-registry", &reference]),
    );
    let (_, doc) = crate::inspect::inspect_json(&[&reference]);
    let layer = doc["tags"][0]["image"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "notation_signature")
        .and_then(|a| a["layers"][0]["digest"].as_str())
        .unwrap()
        .to_owned();
    let hex = layer.trim_start_matches("sha256:");
    let blob = registry
        .storage()
        .join("data/docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex);
    std::fs::remove_dir_all(&blob).unwrap_or_else(|e| panic!("{}: {e}", blob.display()));
    let out = crate::support::sigscope()
        .args([
            "verify",
            "--allow-http-registry",
            "-o",
            "json",
            "--notation-config",
        ])
        .arg(home.config())
        .arg(&reference)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{doc:#}");
    assert_eq!(doc["images"][0]["verdict"], "could_not_check", "{doc:#}");
    assert_eq!(
        doc["images"][0]["signatures"][0]["unreadable"], true,
        "{doc:#}"
    );
}
