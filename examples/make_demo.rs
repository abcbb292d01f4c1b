//! Writes the embedded demo repository: `cargo run --example make_demo`.
//!
//! A private Sigstore (`sigscope_core::fixture`) signs a small release history of `ghcr.io/acme/app`
//! and the result is written as an OCI image layout into `assets/demo/`, with the trusted root
//! that verifies it (`assets/demo/trusted_root.json`) and the list of embedded files
//! (`src/demo/files.rs`). Every key and time is fixed, so running it again writes the same bytes.
//!
//! The story, one build a week: ten builds signed keylessly by the release workflow on GitHub
//! Actions, one signed by a person (an email identity), one whose signature was copied from
//! another build (it fails verification), one unsigned release candidate; the last release is a
//! multi-arch index with a SLSA provenance attestation, also tagged `latest`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sigscope::artifact::in_toto::Statement;
use sigscope::artifact::simple_signing::SimpleSigning;
use sigscope::inventory::layer::{DSSE_ENVELOPE, SIMPLE_SIGNING, annotation};
use sigscope::reference::Digest;
use sigscope_core::fixture::{
    GithubWorkflow, Identity, SigningOptions, VirtualSigstore, cosign_bundle,
};

const REPOSITORY: &str = "ghcr.io/acme/app";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// 2026-01-05T09:00:00Z: the first build; one build a week after it.
const EPOCH: u64 = 1_767_603_600;
const WEEK: u64 = 7 * 86_400;
const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Who signs a build.
enum Signing {
    Ci,
    Person,
    None,
    /// The signature of another tag, copied onto this one.
    CopiedFrom(&'static str),
}

struct Build {
    tag: &'static str,
    signing: Signing,
    multi_arch: bool,
    provenance: bool,
}

const fn build(tag: &'static str, signing: Signing) -> Build {
    Build {
        tag,
        signing,
        multi_arch: false,
        provenance: false,
    }
}

const BUILDS: &[Build] = &[
    build("v1.0.0", Signing::Ci),
    build("v1.1.0", Signing::Ci),
    build("v1.2.0", Signing::Ci),
    build("v1.3.0", Signing::Ci),
    build("v1.4.0", Signing::Ci),
    build("v1.5.0", Signing::Person),
    build("v1.6.0", Signing::Ci),
    build("v1.6.1", Signing::CopiedFrom("v1.6.0")),
    build("v1.7.0", Signing::Ci),
    build("v1.8.0", Signing::Ci),
    build("v1.9.0", Signing::Ci),
    build("v2.0.0-rc1", Signing::None),
    Build {
        tag: "v2.0.0",
        signing: Signing::Ci,
        multi_arch: true,
        provenance: true,
    },
];

fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("assets/demo");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let mut layout = Layout::create(&dir)?;
    let mut sigstore = VirtualSigstore::new("sigscope-demo", EPOCH - 30 * 86_400)?;
    let mut signatures: BTreeMap<&str, Value> = BTreeMap::new();
    for (i, b) in BUILDS.iter().enumerate() {
        let at = EPOCH + i as u64 * WEEK;
        let digest = if b.multi_arch {
            let amd = layout.image(b.tag, "amd64", at)?;
            let arm = layout.image(b.tag, "arm64", at)?;
            layout.index(&[(amd, "amd64"), (arm, "arm64")])?
        } else {
            layout.image(b.tag, "amd64", at)?
        };
        let media_type = if b.multi_arch {
            OCI_INDEX
        } else {
            OCI_MANIFEST
        };
        layout.tag(b.tag, &digest, media_type);
        let payload = serde_json::to_vec(&SimpleSigning::for_image(REPOSITORY, &digest))?;
        let identity = match &b.signing {
            Signing::Ci => Some(ci_identity(b.tag, 7_000_000 + i as u64)),
            Signing::Person => Some(Identity::email(
                "alice@acme.example",
                "https://accounts.google.com",
            )),
            Signing::None | Signing::CopiedFrom(_) => None,
        };
        let layer = match (&b.signing, identity) {
            (_, Some(identity)) => {
                let sig =
                    sigstore.sign(&identity, &payload, at + 300, SigningOptions::default())?;
                let layer = layout.blob_descriptor(SIMPLE_SIGNING, &payload)?;
                Some(with_annotations(
                    layer,
                    &[
                        (annotation::SIGNATURE, sig.signature_base64()),
                        (annotation::CERTIFICATE, sig.certificate_pem()),
                        (annotation::CHAIN, sigstore.ca.chain_pem()),
                        (annotation::BUNDLE, sig.cosign_bundle().to_string()),
                    ],
                ))
            }
            (Signing::CopiedFrom(other), None) => signatures.get(other).cloned(),
            _ => None,
        };
        if let Some(layer) = layer {
            signatures.insert(b.tag, layer.clone());
            let manifest = layout.artifact(layer)?;
            layout.tag(
                &format!("{}.sig", digest.cosign_tag_stem()),
                &manifest,
                OCI_MANIFEST,
            );
        }
        if b.provenance {
            let identity = ci_identity(b.tag, 7_000_000 + i as u64);
            let statement = Statement::about(
                REPOSITORY,
                &digest,
                SLSA_V1,
                slsa_v1(b.tag, &identity, 7_000_000 + i as u64),
            );
            let att =
                sigstore.attest(&identity, &statement, at + 330, SigningOptions::default())?;
            let layer =
                layout.blob_descriptor(DSSE_ENVELOPE, &serde_json::to_vec(&att.envelope)?)?;
            let layer = with_annotations(
                layer,
                &[
                    (annotation::PREDICATE_TYPE, SLSA_V1.to_owned()),
                    (annotation::SIGNATURE, String::new()),
                    (annotation::CERTIFICATE, att.certificate_pem()),
                    (annotation::CHAIN, sigstore.ca.chain_pem()),
                    (annotation::BUNDLE, cosign_bundle(&att.entry).to_string()),
                ],
            );
            let manifest = layout.artifact(layer)?;
            layout.tag(
                &format!("{}.att", digest.cosign_tag_stem()),
                &manifest,
                OCI_MANIFEST,
            );
        }
    }
    let last = BUILDS.len() - 1;
    let latest = layout.tagged(BUILDS[last].tag).cloned();
    if let Some(latest) = latest {
        layout.tags.push(retag(latest, "latest"));
    }
    layout.finish()?;
    let trusted_root = serde_json::to_vec_pretty(&sigstore.trusted_root()?)?;
    std::fs::write(dir.join("trusted_root.json"), trusted_root)?;
    write_file_list(&root, &dir)?;
    println!("wrote {}", dir.display());
    Ok(())
}

fn ci_identity(tag: &str, run_id: u64) -> Identity {
    Identity::github(&GithubWorkflow {
        repository: "acme/app".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: format!("refs/tags/{tag}"),
        sha: hex::encode(&Digest::sha256_of(tag.as_bytes()).bytes()[..20]),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id,
        repository_id: 5001,
        owner_id: 9001,
    })
}

fn slsa_v1(tag: &str, identity: &Identity, run_id: u64) -> Value {
    let sha = identity.claims.get(&3).cloned().unwrap_or_default();
    sigscope_core::fixture::slsa_provenance_v1(
        "acme/app",
        &format!("refs/tags/{tag}"),
        &sha,
        run_id,
    )
}

fn with_annotations(mut descriptor: Value, annotations: &[(&str, String)]) -> Value {
    let map: serde_json::Map<String, Value> = annotations
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
        .collect();
    descriptor["annotations"] = Value::Object(map);
    descriptor
}

fn retag(mut descriptor: Value, name: &str) -> Value {
    descriptor["annotations"] = json!({ REF_NAME: name });
    descriptor
}

/// An OCI image layout being written.
struct Layout {
    dir: PathBuf,
    tags: Vec<Value>,
}

impl Layout {
    fn create(dir: &Path) -> Result<Layout> {
        std::fs::create_dir_all(dir.join("blobs/sha256"))?;
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
        Ok(Layout {
            dir: dir.to_path_buf(),
            tags: Vec::new(),
        })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::sha256_of(bytes);
        std::fs::write(self.dir.join("blobs/sha256").join(digest.hex()), bytes)?;
        Ok(digest)
    }

    fn blob_descriptor(&mut self, media_type: &str, bytes: &[u8]) -> Result<Value> {
        let digest = self.put(bytes)?;
        Ok(json!({"mediaType": media_type, "digest": digest.to_string(), "size": bytes.len()}))
    }

    fn manifest(&mut self, value: &Value) -> Result<Digest> {
        self.put(&serde_json::to_vec(value)?)
    }

    /// One platform image: a config and a one-file tar layer.
    fn image(&mut self, tag: &str, arch: &str, at: u64) -> Result<Digest> {
        let created = rfc3339(at)?;
        let binary = format!("acme app {tag} for linux/{arch}\n");
        let layer = self.blob_descriptor(OCI_LAYER, &tar(&[("app/VERSION", binary.as_bytes())]))?;
        let config = json!({
            "created": created,
            "architecture": arch,
            "os": "linux",
            "config": {
                "Labels": {
                    "org.opencontainers.image.source": "https://github.com/acme/app",
                    "org.opencontainers.image.version": tag,
                },
                "Cmd": ["/app/run"],
            },
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"].clone()]},
            "history": [{"created": created, "created_by": "sigscope demo"}],
        });
        let config = self.blob_descriptor(OCI_CONFIG, &serde_json::to_vec(&config)?)?;
        self.manifest(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config,
            "layers": [layer],
            "annotations": {"org.opencontainers.image.created": created},
        }))
    }

    fn index(&mut self, children: &[(Digest, &str)]) -> Result<Digest> {
        let mut manifests = Vec::new();
        for (digest, arch) in children {
            let size = std::fs::metadata(self.dir.join("blobs/sha256").join(digest.hex()))?.len();
            manifests.push(json!({
                "mediaType": OCI_MANIFEST,
                "digest": digest.to_string(),
                "size": size,
                "platform": {"os": "linux", "architecture": arch},
            }));
        }
        self.manifest(&json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}))
    }

    /// A cosign-style artifact manifest holding one layer.
    fn artifact(&mut self, layer: Value) -> Result<Digest> {
        let config = self.blob_descriptor(OCI_CONFIG, b"{}")?;
        self.manifest(
            &json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}),
        )
    }

    fn tag(&mut self, name: &str, digest: &Digest, media_type: &str) {
        let size = std::fs::metadata(self.dir.join("blobs/sha256").join(digest.hex()))
            .map(|m| m.len())
            .unwrap_or(0);
        self.tags.push(json!({
            "mediaType": media_type,
            "digest": digest.to_string(),
            "size": size,
            "annotations": { REF_NAME: name },
        }));
    }

    fn tagged(&self, name: &str) -> Option<&Value> {
        self.tags
            .iter()
            .find(|t| t["annotations"][REF_NAME].as_str() == Some(name))
    }

    fn finish(&mut self) -> Result<()> {
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.tags});
        std::fs::write(
            self.dir.join("index.json"),
            serde_json::to_vec_pretty(&index)?,
        )?;
        Ok(())
    }
}

/// The Rust source embedding every file of the layout.
fn write_file_list(root: &Path, dir: &Path) -> Result<()> {
    let mut files = vec![
        "oci-layout".to_owned(),
        "index.json".to_owned(),
        "trusted_root.json".to_owned(),
    ];
    let mut blobs: Vec<String> = std::fs::read_dir(dir.join("blobs/sha256"))?
        .filter_map(|e| e.ok())
        .map(|e| format!("blobs/sha256/{}", e.file_name().to_string_lossy()))
        .collect();
    blobs.sort();
    files.extend(blobs);
    let mut out = String::from(
        "//! Generated by `cargo run --example make_demo`: every file of `assets/demo/`.\n\n\
         /// `(path inside the layout, bytes)`.\n\
         #[rustfmt::skip]\n\
         pub const FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in files {
        out.push_str(&format!(
            "    (\"{f}\", include_bytes!(\"../../assets/demo/{f}\")),\n"
        ));
    }
    out.push_str("];\n");
    std::fs::create_dir_all(root.join("src/demo"))?;
    std::fs::write(root.join("src/demo/files.rs"), out)?;
    Ok(())
}

/// A minimal ustar archive of regular files (fixed owner, mode and times).
fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name.as_bytes());
        let fields: [(usize, String); 5] = [
            (100, "0000644\0".into()),
            (108, "0000000\0".into()),
            (116, "0000000\0".into()),
            (124, format!("{:011o}\0", bytes.len())),
            (136, "00000000000\0".into()),
        ];
        for (at, v) in fields {
            header[at..at + v.len()].copy_from_slice(v.as_bytes());
        }
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
        let checksum = format!("{sum:06o}\0 ");
        header[148..156].copy_from_slice(checksum.as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(bytes);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn rfc3339(at: u64) -> Result<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(at)?)?;
    Ok(t.format(&time::format_description::well_known::Rfc3339)?)
}
