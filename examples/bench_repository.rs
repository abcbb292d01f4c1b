//! Builds the benchmark repository for `scripts/bench`: `cargo run --release --example
//! bench_repository -- REGISTRY REPOSITORY TAGS OUT_DIR`.
//!
//! Every tag is a small single-platform image signed keylessly by sigscope's private Sigstore
//! (`sigscope_core::fixture`): a Fulcio-shaped leaf with an embedded SCT, a Rekor SET, stored as cosign
//! stores it (`sha256-<hex>.sig`, layer annotations for signature, certificate, chain and bundle);
//! every tenth tag also has a SLSA v1 provenance attestation (`.att`). Content is pushed straight
//! over the distribution API (monolithic blob uploads, manifest PUTs), which is much faster than
//! a thousand cosign invocations; real cosign verifies the result (scripts/bench does).
//!
//! OUT_DIR receives the trust material: `trusted_root.json` for sigscope, and `fulcio-chain.pem`,
//! `rekor.pub`, `ctlog.pub` for cosign's `SIGSTORE_*` variables, and `tags.txt`.

use futures_util::StreamExt as _;
use futures_util::stream;
use serde_json::{Value, json};
use sigscope::artifact::in_toto::Statement;
use sigscope::artifact::simple_signing::SimpleSigning;
use sigscope::inventory::layer::{DSSE_ENVELOPE, SIMPLE_SIGNING, annotation};
use sigscope::reference::Digest;
use sigscope_core::fixture::{Identity, SigningOptions, VirtualSigstore, cosign_bundle};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
/// 2026-01-05T09:00:00Z
const SIGNED_AT: u64 = 1_767_603_600;
pub const IDENTITY: &str = "release@acme.example";
pub const ISSUER: &str = "https://accounts.acme.example";

/// One tag's content, ready to push: blobs, then manifests with the tag each goes under.
struct Upload {
    blobs: Vec<Vec<u8>>,
    manifests: Vec<(String, Vec<u8>)>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, registry, repository, count, out] = args.as_slice() else {
        return Err("usage: bench_repository REGISTRY REPOSITORY TAGS OUT_DIR".into());
    };
    let count: usize = count.parse()?;
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let mut sigstore = VirtualSigstore::new("sigscope-bench", SIGNED_AT - 30 * 86_400)?;
    let identity = Identity::email(IDENTITY, ISSUER);
    let image_name = format!("{registry}/{repository}");
    let mut uploads = Vec::with_capacity(count);
    let mut tags = String::new();
    for i in 0..count {
        let tag = format!("v{}.{}.{}", i / 100, (i / 10) % 10, i % 10);
        tags.push_str(&tag);
        tags.push('\n');
        uploads.push(tag_content(&mut sigstore, &identity, &image_name, &tag, i)?);
    }
    std::fs::write(out.join("tags.txt"), tags)?;
    std::fs::write(
        out.join("trusted_root.json"),
        serde_json::to_vec_pretty(&sigstore.trusted_root()?)?,
    )?;
    sigstore.write_cosign_trust(&out)?;

    sigscope::registry::remote::install_crypto_provider();
    let client = reqwest::Client::new();
    let base = format!("http://{registry}/v2/{repository}");
    let results: Vec<Result<()>> = stream::iter(uploads)
        .map(|upload| push(&client, &base, upload))
        .buffer_unordered(16)
        .collect()
        .await;
    for r in results {
        r?;
    }
    println!("pushed {count} signed tags to {image_name}");
    Ok(())
}

fn tag_content(
    sigstore: &mut VirtualSigstore,
    identity: &Identity,
    image_name: &str,
    tag: &str,
    i: usize,
) -> Result<Upload> {
    let at = SIGNED_AT + i as u64 * 60;
    let mut blobs = Vec::new();
    let mut manifests = Vec::new();
    let layer = descriptor(
        &mut blobs,
        OCI_LAYER,
        format!("acme app {tag}\n").into_bytes(),
    );
    let config = json!({
        "created": "2026-01-05T09:00:00Z", "architecture": "amd64", "os": "linux",
        "config": {"Labels": {"org.opencontainers.image.version": tag}},
        "rootfs": {"type": "layers", "diff_ids": [layer["digest"].clone()]},
    });
    let config = descriptor(&mut blobs, OCI_CONFIG, serde_json::to_vec(&config)?);
    let image = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer],
    }))?;
    let digest = Digest::sha256_of(&image);
    manifests.push((tag.to_owned(), image));

    let empty = descriptor(&mut blobs, OCI_CONFIG, b"{}".to_vec());
    let payload = serde_json::to_vec(&SimpleSigning::for_image(image_name, &digest))?;
    let sig = sigstore.sign(identity, &payload, at, SigningOptions::default())?;
    let mut layer = descriptor(&mut blobs, SIMPLE_SIGNING, payload);
    layer["annotations"] = json!({
        annotation::SIGNATURE: sig.signature_base64(),
        annotation::CERTIFICATE: sig.certificate_pem(),
        annotation::CHAIN: sigstore.ca.chain_pem(),
        annotation::BUNDLE: sig.cosign_bundle().to_string(),
    });
    let artifact = |config: &Value, layer: Value| {
        serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer],
        }))
    };
    manifests.push((
        format!("{}.sig", digest.cosign_tag_stem()),
        artifact(&empty, layer)?,
    ));
    if i.is_multiple_of(10) {
        let predicate = sigscope_core::fixture::slsa_provenance_v1("acme/app", tag, "0", i as u64);
        let statement = Statement::about(image_name, &digest, SLSA_V1, predicate);
        let att = sigstore.attest(identity, &statement, at + 30, SigningOptions::default())?;
        let mut layer = descriptor(
            &mut blobs,
            DSSE_ENVELOPE,
            serde_json::to_vec(&att.envelope)?,
        );
        layer["annotations"] = json!({
            annotation::PREDICATE_TYPE: SLSA_V1,
            annotation::SIGNATURE: "",
            annotation::CERTIFICATE: att.certificate_pem(),
            annotation::CHAIN: sigstore.ca.chain_pem(),
            annotation::BUNDLE: cosign_bundle(&att.entry).to_string(),
        });
        manifests.push((
            format!("{}.att", digest.cosign_tag_stem()),
            artifact(&empty, layer)?,
        ));
    }
    Ok(Upload { blobs, manifests })
}

/// A descriptor of `bytes`, which join the blobs to push.
fn descriptor(blobs: &mut Vec<Vec<u8>>, media_type: &str, bytes: Vec<u8>) -> Value {
    let digest = Digest::sha256_of(&bytes).to_string();
    let d = json!({"mediaType": media_type, "digest": digest, "size": bytes.len()});
    blobs.push(bytes);
    d
}

/// Monolithic uploads (POST for a session, PUT with the digest), then the manifests.
async fn push(client: &reqwest::Client, base: &str, upload: Upload) -> Result<()> {
    for blob in upload.blobs {
        let digest = Digest::sha256_of(&blob);
        let head = client.head(format!("{base}/blobs/{digest}")).send().await?;
        if head.status().is_success() {
            continue;
        }
        let session = client
            .post(format!("{base}/blobs/uploads/"))
            .send()
            .await?
            .error_for_status()?;
        let location = session
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or("no upload location")?
            .to_owned();
        let origin = base.split("/v2/").next().unwrap_or(base);
        let url = if location.starts_with("http") {
            location
        } else {
            format!("{origin}{location}")
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        client
            .put(format!("{url}{sep}digest={digest}"))
            .header("content-type", "application/octet-stream")
            .body(blob)
            .send()
            .await?
            .error_for_status()?;
    }
    for (tag, manifest) in upload.manifests {
        client
            .put(format!("{base}/manifests/{tag}"))
            .header("content-type", OCI_MANIFEST)
            .body(manifest)
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}
