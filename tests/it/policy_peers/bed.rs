//! The images the ported rows run on: the scenario repository (keyless CI, a person, an
//! untrusted CA, a key signature with annotations, attestations) and a `peers/app` repository
//! in the same registry standing in for the peers' test images — signed with key A (the
//! scenario's cosign key), with key B, with both, not at all, and with payloads naming chosen
//! references — all written by real cosign and read back through sigscope's own discovery.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use sigscope::inventory::model::ImageReport;
use sigscope::policy::authority::{Environment, NoMatchPolicy};
use sigscope::policy::glob::ImageName;
use sigscope::reference::Digest;
use sigscope::registry::any::AnySource;
use sigscope::registry::remote::RemoteOptions;
use sigscope::target::{Target, parse_image_reference};
use sigscope::trust::TrustedRoot;
use sigscope::verify::policy::SystemClock;

use crate::support::publish::{cosign_payload, push_image, simple_image};
use crate::support::registry::{Registry, RegistryKind};
use crate::support::scenario::Scenario;
use crate::support::tools::{Tools, run_ok};

/// One image as a row sees it: the name the pod uses, and what the registry holds.
pub struct Image {
    pub name: ImageName,
    pub tag: String,
    pub report: ImageReport,
}

impl Image {
    /// An image no loopback registry can hold (a Docker Hub or other public name), with no
    /// signatures: for rows about names and static authorities.
    pub fn named(reference: &str) -> Image {
        let (repository, tag, digest) = parse_image_reference(reference).expect(reference);
        // A reference with neither tag nor digest names `:latest`.
        let tag = tag.or_else(|| digest.is_none().then(|| "latest".to_owned()));
        let digest = digest.unwrap_or_else(|| Digest::sha256_of(reference.as_bytes()));
        Image {
            name: ImageName::new(repository, tag.clone(), Some(digest.clone())),
            tag: tag.unwrap_or_else(|| digest.to_string()),
            report: ImageReport {
                digest,
                media_type: "application/vnd.oci.image.manifest.v1+json".into(),
                size: 1,
                config: None,
                platforms: Vec::new(),
                artifacts: Vec::new(),
                referrers_api: None,
                errors: Vec::new(),
            },
        }
    }
}

pub const PEERS_REPOSITORY: &str = "peers/app";

/// Tags of the peers repository.
pub const SIGNED: &str = "signed";
pub const UNSIGNED: &str = "unsigned";
pub const SIGNED_BY_SOMEONE_ELSE: &str = "signed-by-someone-else";
pub const SIGNED_BY_BOTH: &str = "signed-by-both";
/// Signed by key A with a payload naming `REG/peers/app:named-tag`.
pub const NAMED_TAG: &str = "named-tag";
/// Signed by key A with a payload naming `vendor.example/peers/app:named-elsewhere`.
pub const NAMED_ELSEWHERE: &str = "named-elsewhere";

pub struct Bed {
    pub scenario: &'static Scenario,
    /// `127.0.0.1:PORT`
    pub registry: String,
    /// `127.0.0.1:PORT/peers/app`
    pub repository: String,
    pub key_a: String,
    pub key_b: String,
    trust: TrustedRoot,
    peers: BTreeMap<String, Image>,
    scenario_images: BTreeMap<String, Image>,
}

static CLOCK: SystemClock = SystemClock;

impl Bed {
    /// The bed in the shared distribution registry, built once.
    pub fn get() -> &'static Bed {
        static BED: OnceLock<Bed> = OnceLock::new();
        BED.get_or_init(|| Bed::build(RegistryKind::Distribution))
    }

    fn build(kind: RegistryKind) -> Bed {
        let scenario = Scenario::on(kind);
        let registry = Registry::shared_of(kind);
        let work: PathBuf = tempfile::Builder::new()
            .prefix("sigscope-peers-")
            .tempdir()
            .unwrap()
            .keep();
        run_ok(
            Tools::get()
                .cosign2()
                .current_dir(&work)
                .args(["generate-key-pair"]),
        );
        let key_b = work.join("cosign.key");
        let key_a = scenario.cosign_key.clone();
        let mut digests = BTreeMap::new();
        for tag in [
            SIGNED,
            UNSIGNED,
            SIGNED_BY_SOMEONE_ELSE,
            SIGNED_BY_BOTH,
            NAMED_TAG,
            NAMED_ELSEWHERE,
        ] {
            let written = push_image(registry, PEERS_REPOSITORY, tag, &simple_image(tag, "amd64"));
            digests.insert(tag, written.digest);
        }
        let repository = registry.repo(PEERS_REPOSITORY);
        let at = |tag: &str| format!("{repository}@{}", digests[tag]);
        let sign = |key: &PathBuf, image: &str| {
            run_ok(Tools::get().cosign2().current_dir(&work).args([
                "sign",
                "--yes",
                "--tlog-upload=false",
                "--key",
                key.to_str().unwrap(),
                image,
            ]));
        };
        sign(&key_a, &at(SIGNED));
        sign(&key_b, &at(SIGNED_BY_SOMEONE_ELSE));
        sign(&key_a, &at(SIGNED_BY_BOTH));
        sign(&key_b, &at(SIGNED_BY_BOTH));
        let named = |tag: &str, reference: &str| {
            let payload = String::from_utf8(cosign_payload(&at(tag))).unwrap();
            let mut value: serde_json::Value = serde_json::from_str(&payload).unwrap();
            value["critical"]["identity"]["docker-reference"] = reference.into();
            let file = work.join(format!("{tag}.payload.json"));
            std::fs::write(&file, serde_json::to_vec(&value).unwrap()).unwrap();
            let signature = run_ok(Tools::get().cosign2().current_dir(&work).args([
                "sign-blob",
                "--yes",
                "--tlog-upload=false",
                "--key",
                key_a.to_str().unwrap(),
                file.to_str().unwrap(),
            ]));
            let sig_file = work.join(format!("{tag}.sig.b64"));
            std::fs::write(&sig_file, signature.trim()).unwrap();
            run_ok(Tools::get().cosign2().current_dir(&work).args([
                "attach",
                "signature",
                "--payload",
                file.to_str().unwrap(),
                "--signature",
                sig_file.to_str().unwrap(),
                &at(tag),
            ]));
        };
        named(NAMED_TAG, &format!("{repository}:{NAMED_TAG}"));
        named(
            NAMED_ELSEWHERE,
            &format!("vendor.example/{PEERS_REPOSITORY}:{NAMED_ELSEWHERE}"),
        );
        let trust = TrustedRoot::from_json(
            "scenario trusted root",
            &std::fs::read(&scenario.trusted_root).unwrap(),
        )
        .unwrap();
        Bed {
            scenario,
            registry: registry.host(),
            peers: read_repository(&repository),
            scenario_images: read_repository(&scenario.repository),
            repository,
            key_a: std::fs::read_to_string(&scenario.cosign_public_key).unwrap(),
            key_b: std::fs::read_to_string(work.join("cosign.pub")).unwrap(),
            trust,
        }
    }

    /// A tag of the peers repository.
    pub fn peer(&self, tag: &str) -> &Image {
        self.peers
            .get(tag)
            .unwrap_or_else(|| panic!("no peers tag {tag}"))
    }

    /// A tag of the scenario repository.
    pub fn scenario(&self, tag: &str) -> &Image {
        self.scenario_images
            .get(tag)
            .unwrap_or_else(|| panic!("no scenario tag {tag}"))
    }

    pub fn environment(&self) -> Environment<'_> {
        Environment {
            trust: &self.trust,
            clock: &CLOCK,
            no_match: NoMatchPolicy::Deny,
        }
    }
}

/// Every tag of `repository` as sigscope's discovery reads it.
fn read_repository(repository: &str) -> BTreeMap<String, Image> {
    let target = Target::parse(repository).unwrap();
    let Target::Repository { repository: repo } = &target else {
        panic!("{repository} is not a repository");
    };
    let options = RemoteOptions {
        allow_http: true,
        ..RemoteOptions::default()
    };
    let source = AnySource::open(&target, options).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let inventory = runtime.block_on(async {
        sigscope::engine::inventory(&source, &target, sigscope::engine::Plan::default()).await
    });
    inventory
        .tags
        .into_iter()
        .filter_map(|t| {
            let report = t.image()?.clone();
            Some((
                t.tag.clone(),
                Image {
                    name: ImageName::new(repo.clone(), Some(t.tag.clone()), None),
                    tag: t.tag,
                    report,
                },
            ))
        })
        .collect()
}
