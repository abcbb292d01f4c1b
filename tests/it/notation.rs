//! Notary Project signatures made by the real notation CLI (JWS and COSE, with a test
//! certificate from `notation cert generate-test`), on both registries: notation verifies them
//! under a trust policy, and sigscope finds and decodes every one by the route notation stored it
//! (the referrers API where the registry has one, the fallback tag otherwise).

use std::path::PathBuf;

use rstest::rstest;
use serde_json::{Value, json};

use crate::inspect::inspect_json;
use crate::support::publish::{push_image, simple_image};
use crate::support::registry::{Registry, RegistryKind};
use crate::support::tools::{Tools, run_ok, verdict};

/// A notation configuration of its own (keys, trust store, trust policy) in a scratch folder.
pub struct NotationHome {
    dir: tempfile::TempDir,
}

impl NotationHome {
    /// A home with a fresh test key and certificate (`notation cert generate-test`), the
    /// certificate in trust store `ca:NAME`, and a strict trust policy for every scope.
    pub fn new(name: &str) -> NotationHome {
        let home = NotationHome {
            dir: tempfile::tempdir().unwrap(),
        };
        run_ok(
            home.notation()
                .args(["cert", "generate-test", "--default", name]),
        );
        home.write_policy(&json!({
            "version": "1.0",
            "trustPolicies": [{
                "name": "everything",
                "registryScopes": ["*"],
                "signatureVerification": {"level": "strict"},
                "trustStores": [format!("ca:{name}")],
                "trustedIdentities": ["*"],
            }]
        }));
        home
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("notation")
    }

    pub fn write_policy(&self, policy: &Value) {
        std::fs::create_dir_all(self.config()).unwrap();
        std::fs::write(
            self.config().join("trustpolicy.json"),
            serde_json::to_vec_pretty(policy).unwrap(),
        )
        .unwrap();
    }

    /// Puts a PEM certificate in the named store `x509/KIND/NAME/`.
    pub fn store_cert(&self, kind: &str, name: &str, file: &str, pem: &str) {
        let dir = self.config().join("truststore/x509").join(kind).join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), pem).unwrap();
    }

    /// Adds a signing key (private key PEM, chain PEM from the leaf to the root) to
    /// `signingkeys.json` under `name`, as notation's local keys are configured.
    pub fn add_key(&self, name: &str, key_pem: &str, chain_pem: &str) {
        let keys = self.config().join("localkeys");
        std::fs::create_dir_all(&keys).unwrap();
        let (key, cert) = (
            keys.join(format!("{name}.key")),
            keys.join(format!("{name}.crt")),
        );
        std::fs::write(&key, key_pem).unwrap();
        std::fs::write(&cert, chain_pem).unwrap();
        let path = self.config().join("signingkeys.json");
        let mut doc: Value = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_else(|| json!({"keys": []}));
        doc["keys"].as_array_mut().unwrap().push(json!({
            "name": name,
            "keyPath": key,
            "certPath": cert,
        }));
        std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    }

    /// notation with this home as its configuration folder.
    pub fn notation(&self) -> std::process::Command {
        let mut cmd = Tools::get().notation();
        cmd.env("XDG_CONFIG_HOME", self.dir.path());
        cmd
    }
}

#[rstest]
fn notation_signatures_are_found_where_notation_verifies_them(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let registry = Registry::shared_of(kind);
    let home = NotationHome::new("sigscope.test");
    let repo = "notation/app";
    let image = push_image(registry, repo, "v1", &simple_image(repo, "amd64"));
    let reference = format!("{}@{}", registry.repo(repo), image.digest);
    for format in ["jws", "cose"] {
        run_ok(home.notation().args([
            "sign",
            "--insecure-registry",
            "--signature-format",
            format,
            &reference,
        ]));
    }
    let v = verdict(
        home.notation()
            .args(["verify", "--insecure-registry", &reference]),
    );
    assert!(v.accepted, "{kind}: notation verify: {}", v.output);

    let (code, doc) = inspect_json(&[&reference]);
    assert_eq!(code, 0, "{doc:#}");
    let found: Vec<&Value> = doc["tags"][0]["image"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "notation_signature")
        .collect();
    let media_types: Vec<&str> = found
        .iter()
        .map(|a| a["layers"][0]["media_type"].as_str().unwrap())
        .collect();
    for (format, media_type) in [
        ("jws", "application/jose+json"),
        ("cose", "application/cose"),
    ] {
        let agreed = media_types.contains(&media_type);
        crate::support::oracle(
            "notation",
            &format!("{kind}: {format} signature notation verified is found by sigscope"),
            agreed,
        );
        let (_, path) = reference.split_once('/').unwrap();
        let (repository, digest) = path.split_once('@').unwrap();
        let listed = registry.get(&format!("/v2/{repository}/referrers/{digest}"));
        assert!(
            agreed,
            "{kind}: no {format} signature in {found:#?}\nthe registry lists: {listed:?}"
        );
    }
    // notation 1.3 stores a repository's first signature under the fallback tag even where the
    // registry has the referrers API (and later ones through the API): sigscope reads both
    // routes, where cosign v3 (go-containerregistry) would read only the API.
    let routes: Vec<&str> = found
        .iter()
        .map(|a| a["found_via"]["route"].as_str().unwrap())
        .collect();
    for a in &found {
        assert_eq!(a["subject"], image.digest.to_string());
    }
    if kind.has_referrers_api() {
        assert!(routes.contains(&"referrers_api"), "{kind}: {routes:?}");
    } else {
        assert!(
            routes.iter().all(|r| *r == "fallback_tag"),
            "{kind}: {routes:?}"
        );
    }
}
