//! Writes OCI image layouts (image-spec `image-layout.md`): real images with a config, a
//! gzip-compressed tar layer and annotations, and multi-platform indexes. `oras cp
//! --from-oci-layout` then publishes them into the test registry.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use sigscope::reference::Digest;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// A descriptor of something written into the layout.
#[derive(Debug, Clone)]
pub struct Written {
    pub media_type: String,
    pub digest: Digest,
    pub size: usize,
}

impl Written {
    pub fn descriptor(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest.to_string(), "size": self.size})
    }
}

/// An image to build: platform, files in its single layer, labels, creation time.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    pub os: String,
    pub architecture: String,
    pub files: Vec<(String, Vec<u8>)>,
    pub labels: Vec<(String, String)>,
    /// RFC 3339
    pub created: String,
}

pub struct Layout {
    dir: PathBuf,
    tags: Vec<Value>,
}

impl Layout {
    pub fn create(dir: &Path) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).expect("layout dir");
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)
            .expect("oci-layout");
        Layout {
            dir: dir.to_path_buf(),
            tags: Vec::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn put_blob(&self, media_type: &str, bytes: &[u8]) -> Written {
        let digest = Digest::sha256_of(bytes);
        std::fs::write(self.dir.join("blobs/sha256").join(digest.hex()), bytes).expect("blob");
        Written {
            media_type: media_type.to_owned(),
            digest,
            size: bytes.len(),
        }
    }

    /// Writes an image manifest with its config and layer.
    pub fn put_image(&self, spec: &ImageSpec) -> Written {
        let layer = self.put_blob(OCI_LAYER_GZIP, &tar_gz(&self.dir, &spec.files));
        let diff_id = format!("sha256:{}", gunzip_sha256(&self.dir, layer.digest.hex()));
        let labels: serde_json::Map<String, Value> = spec
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let config = json!({
            "created": spec.created,
            "architecture": spec.architecture,
            "os": spec.os,
            "config": {"Labels": labels, "Cmd": ["/app/run"]},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": spec.created, "created_by": "sigscope test scenario"}],
        });
        let config = self.put_blob(OCI_CONFIG, &serde_json::to_vec(&config).expect("json"));
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config.descriptor(),
            "layers": [layer.descriptor()],
            "annotations": {"org.opencontainers.image.created": spec.created},
        });
        self.put_blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).expect("json"))
    }

    /// Writes an index over platform images.
    pub fn put_index(&self, children: &[(Written, &ImageSpec)]) -> Written {
        let manifests: Vec<Value> = children
            .iter()
            .map(|(m, spec)| {
                let mut d = m.descriptor();
                d["platform"] = json!({"os": spec.os, "architecture": spec.architecture});
                d
            })
            .collect();
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        self.put_blob(OCI_INDEX, &serde_json::to_vec(&index).expect("json"))
    }

    /// Names a manifest in the layout's index.json.
    pub fn tag(&mut self, name: &str, target: &Written) {
        let mut d = target.descriptor();
        d["annotations"] = json!({"org.opencontainers.image.ref.name": name});
        self.tags.push(d);
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.tags});
        std::fs::write(
            self.dir.join("index.json"),
            serde_json::to_vec_pretty(&index).expect("json"),
        )
        .expect("index.json");
    }
}

/// A reproducible gzip-compressed tar of `files` (sorted, fixed owner and times), made by the
/// system's tar and gzip.
fn tar_gz(scratch: &Path, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let root = tempfile::tempdir_in(scratch).expect("scratch dir");
    for (path, bytes) in files {
        let target = root.path().join(path);
        std::fs::create_dir_all(target.parent().expect("file has a parent")).expect("mkdir");
        std::fs::write(&target, bytes).expect("file");
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg("tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C \"$1\" -cf - . | gzip -n -9")
        .arg("tar-gz")
        .arg(root.path())
        .output()
        .expect("tar");
    assert!(
        out.status.success(),
        "tar failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn gunzip_sha256(dir: &Path, hex: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg("gzip -dc \"$1\" | sha256sum")
        .arg("gunzip")
        .arg(dir.join("blobs/sha256").join(hex))
        .output()
        .expect("gzip");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

impl Layout {
    /// Writes a cosign-style artifact manifest (config: empty image config) with one layer.
    pub fn put_artifact(
        &self,
        layer_media_type: &str,
        layer: &[u8],
        layer_annotations: serde_json::Value,
    ) -> Written {
        let config = self.put_blob(OCI_CONFIG, b"{}");
        let layer = self.put_blob(layer_media_type, layer);
        let mut layer_descriptor = layer.descriptor();
        layer_descriptor["annotations"] = layer_annotations;
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config.descriptor(),
            "layers": [layer_descriptor],
        });
        self.put_blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).expect("json"))
    }
}
