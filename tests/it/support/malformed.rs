//! A repository of broken things, in its own registry: malformed payloads, annotations and
//! certificates, a blob corrupted in the registry's storage, an oversized layer, a tag whose
//! manifest is gone. Discovery must report each on its item and carry on.

use serde_json::json;
use sigscope::reference::Digest;

use super::layout::{Layout, Written};
use super::publish::{copy_to_registry, simple_image};
use super::registry::{Registry, RegistryOptions};
use super::tools::{Tools, run_ok};

pub const REPOSITORY: &str = "malformed/app";
const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

pub struct Malformed {
    pub registry: Registry,
    pub digests: Vec<(&'static str, Digest)>,
    /// The layer blob corrupted on disk.
    pub corrupted_blob: Digest,
}

impl Malformed {
    pub fn digest(&self, tag: &str) -> &Digest {
        &self.digests.iter().find(|(t, _)| *t == tag).expect("tag").1
    }

    pub fn repository(&self) -> String {
        self.registry.repo(REPOSITORY)
    }

    pub fn build() -> Malformed {
        let registry = Registry::start(RegistryOptions::default());
        let dir = tempfile::tempdir().expect("dir");
        let mut layout = Layout::create(&dir.path().join("layout"));
        let mut digests = Vec::new();
        let tags = [
            "good",
            "bad-json",
            "bad-base64",
            "bad-der",
            "wrong-digest",
            "oversized",
            "missing",
            "server-error",
            "forbidden",
        ];
        for tag in tags {
            let m = layout.put_image(&simple_image(&format!("malformed-{tag}"), "amd64"));
            layout.tag(tag, &m);
            digests.push((tag, m.digest));
        }
        let digest_of = |tag: &str| {
            digests
                .iter()
                .find(|(t, _)| *t == tag)
                .expect("tag")
                .1
                .clone()
        };
        let payload = |tag: &str| {
            serde_json::to_vec(&json!({
                "critical": {
                    "identity": {"docker-reference": registry.repo(REPOSITORY)},
                    "image": {"docker-manifest-digest": digest_of(tag).to_string()},
                    "type": "cosign container image signature",
                },
                "optional": null,
            }))
            .expect("json")
        };
        let sig = |layout: &mut Layout,
                   tag: &str,
                   layer: &[u8],
                   annotations: serde_json::Value|
         -> Written {
            let m = layout.put_artifact(SIMPLE_SIGNING, layer, annotations);
            layout.tag(&format!("{}.sig", digest_of(tag).cosign_tag_stem()), &m);
            m
        };
        sig(
            &mut layout,
            "bad-json",
            b"{not json",
            json!({"dev.cosignproject.cosign/signature": "MEUCIQ=="}),
        );
        sig(
            &mut layout,
            "bad-base64",
            &payload("bad-base64"),
            json!({
                "dev.cosignproject.cosign/signature": "!!!not base64!!!",
                "dev.sigstore.cosign/bundle": r#"{"SignedEntryTimestamp":"%%%","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"00"}}"#,
            }),
        );
        sig(
            &mut layout,
            "bad-der",
            &payload("bad-der"),
            json!({
                "dev.cosignproject.cosign/signature": "MEUCIQ==",
                "dev.sigstore.cosign/certificate": "-----BEGIN CERTIFICATE-----\nMIIBAAAAAAAAAAAA\n-----END CERTIFICATE-----\n",
            }),
        );
        // A payload no other artifact shares, so corrupting its blob touches nothing else.
        let unique = format!("{{\"corrupt-me\":\"{}\"}}", digest_of("wrong-digest"));
        sig(
            &mut layout,
            "wrong-digest",
            unique.as_bytes(),
            json!({"dev.cosignproject.cosign/signature": "MEUCIQ=="}),
        );
        let corrupted_blob = Digest::sha256_of(unique.as_bytes());
        let big = vec![b' '; 17 << 20];
        sig(
            &mut layout,
            "oversized",
            &big,
            json!({"dev.cosignproject.cosign/signature": "MEUCIQ=="}),
        );

        for (tag, _) in &digests {
            copy_to_registry(&layout, tag, &registry, REPOSITORY);
        }
        for artifact_tag in run_ok(Tools::get().oras().args([
            "repo",
            "tags",
            "--oci-layout",
            &layout.dir().display().to_string(),
        ]))
        .lines()
        .filter(|t| t.starts_with("sha256-"))
        {
            copy_to_registry(&layout, artifact_tag, &registry, REPOSITORY);
        }
        // The registry serves blobs from disk without re-checking them.
        let data = registry
            .storage()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&corrupted_blob.hex()[..2])
            .join(corrupted_blob.hex())
            .join("data");
        let original = std::fs::read(&data).expect("blob to corrupt");
        let mut flipped = original.clone();
        flipped[2] ^= 0x01;
        std::fs::write(&data, flipped).expect("corrupt blob");
        // A tag whose manifest is deleted.
        let missing = format!("{}@{}", registry.repo(REPOSITORY), digest_of("missing"));
        run_ok(Tools::get().oras().args([
            "manifest",
            "delete",
            "--plain-http",
            "--force",
            &missing,
        ]));
        Malformed {
            registry,
            digests,
            corrupted_blob,
        }
    }
}
