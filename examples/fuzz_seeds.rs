//! Writes seed corpora for the fuzz targets in `fuzz/`: `cargo run --example fuzz_seeds -- DIR`.
//!
//! Every seed is the project's own data, made at run time: material minted by the private
//! Sigstore (`sigscope_core::fixture`) — certificates with every Fulcio extension and an embedded SCT,
//! cosign signature payloads and annotations, DSSE envelopes, v0.3 bundles, Rekor entries and
//! checkpoints — and the blobs of the embedded demo repository. When the public fixtures folder
//! (`../shared/fixtures`, or `SIGSCOPE_FUZZ_FIXTURES`) is present, its `.json` and `.pem` files are
//! added as well, read in place. The differential target's seeds are programs that name its
//! cases unedited. Nothing is written into the repository.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sigscope::artifact::in_toto::Statement;
use sigscope::artifact::simple_signing::SimpleSigning;
use sigscope::demo::DemoLayout;
use sigscope::reference::Digest;
use sigscope_core::fixture::{GithubWorkflow, Identity, SigningOptions, VirtualSigstore};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The targets, as named in `fuzz/Cargo.toml`.
const TARGETS: &[&str] = &[
    "certificate",
    "bundle",
    "dsse",
    "simple_signing",
    "manifest",
    "checkpoint",
    "rekor_entry",
    "notation",
    "bundle_differential",
];

struct Corpora {
    root: PathBuf,
    count: usize,
}

impl Corpora {
    fn add(&mut self, target: &str, bytes: &[u8]) -> Result<()> {
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir)?;
        let name = Digest::sha256_of(bytes).hex()[..16].to_owned();
        std::fs::write(dir.join(name), bytes)?;
        self.count += 1;
        Ok(())
    }
}

fn main() -> Result<()> {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: fuzz_seeds OUTPUT_DIR")?;
    let mut corpora = Corpora { root, count: 0 };
    for target in TARGETS {
        std::fs::create_dir_all(corpora.root.join(target))?;
    }
    minted(&mut corpora)?;
    differential(&mut corpora)?;
    demo(&mut corpora)?;
    public_fixtures(&mut corpora)?;
    println!(
        "{} seeds for {} targets in {}",
        corpora.count,
        TARGETS.len(),
        corpora.root.display()
    );
    Ok(())
}

/// Material from the private Sigstore.
fn minted(c: &mut Corpora) -> Result<()> {
    const AT: u64 = 1_790_000_000;
    let mut sigstore = VirtualSigstore::new("fuzz", AT - 86_400)?;
    let identity = Identity::github(&GithubWorkflow {
        repository: "acme/fuzz".into(),
        workflow_path: ".github/workflows/release.yml".into(),
        git_ref: "refs/tags/v1.0.0".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        trigger: "push".into(),
        runner_environment: "github-hosted".into(),
        run_id: 1,
        repository_id: 2,
        owner_id: 3,
    });
    let digest = Digest::sha256_of(b"fuzz image");
    let mut payload = SimpleSigning::for_image("registry.example/acme/fuzz", &digest);
    payload.optional = Some(serde_json::Map::from_iter([(
        "env".to_owned(),
        Value::from("prod"),
    )]));
    let payload = serde_json::to_vec(&payload)?;
    c.add("simple_signing", &payload)?;

    let sig = sigstore.sign(&identity, &payload, AT, SigningOptions::default())?;
    c.add("certificate", &sig.certificate)?;
    c.add("certificate", sig.certificate_pem().as_bytes())?;
    c.add("certificate", sigstore.ca.chain_pem().as_bytes())?;
    c.add("rekor_entry", &serde_json::to_vec(&sig.cosign_bundle())?)?;
    c.add("rekor_entry", &sig.entry.body)?;
    let bundle = sigstore.message_bundle(&sig)?;
    c.add("bundle", &serde_json::to_vec(&bundle)?)?;
    checkpoint_of(c, &bundle)?;

    let statement: Statement = serde_json::from_value(json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/acme/fuzz", "digest": {"sha256": digest.hex()}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {"buildType": "https://example.invalid/build", "externalParameters": {}},
            "runDetails": {"builder": {"id": "https://example.invalid/builder"}}
        }
    }))?;
    let att = sigstore.attest(&identity, &statement, AT + 60, SigningOptions::default())?;
    c.add("dsse", &serde_json::to_vec(&att.envelope)?)?;
    notation_seeds(c)?;
    c.add("certificate", &att.certificate)?;
    c.add("rekor_entry", &att.entry.body)?;
    let bundle = sigstore.dsse_bundle(&att)?;
    c.add("bundle", &serde_json::to_vec(&bundle)?)?;
    checkpoint_of(c, &bundle)?;

    let layer = json!({
        "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
        "digest": Digest::sha256_of(&payload).to_string(),
        "size": payload.len(),
        "annotations": {
            "dev.cosignproject.cosign/signature": sig.signature_base64(),
            "dev.sigstore.cosign/certificate": sig.certificate_pem(),
            "dev.sigstore.cosign/chain": sigstore.ca.chain_pem(),
            "dev.sigstore.cosign/bundle": sig.cosign_bundle().to_string(),
        }
    });
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest.to_string(), "size": 2},
        "layers": [layer],
        "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest.to_string(), "size": 10},
        "annotations": {"org.opencontainers.image.created": "2026-09-21T12:00:00Z"}
    });
    c.add("manifest", &serde_json::to_vec(&manifest)?)?;
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest.to_string(), "size": 10,
            "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"},
            "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json"
        }]
    });
    c.add("manifest", &serde_json::to_vec(&index)?)?;
    Ok(())
}

/// The differential target reads its input as a program over valid bundles it makes itself
/// (fuzz/src/mutate.rs): a case number, the artifact form (bytes or digest), then edits. Its
/// seeds are every case unedited, in both forms.
fn differential(c: &mut Corpora) -> Result<()> {
    for case in 0..=u8::MAX {
        for form in [0, 1] {
            c.add("bundle_differential", &[case, form])?;
        }
    }
    Ok(())
}

/// The checkpoint of a bundle's inclusion proof.
fn checkpoint_of(c: &mut Corpora, bundle: &Value) -> Result<()> {
    let entries = bundle["verificationMaterial"]["tlogEntries"].as_array();
    for entry in entries.into_iter().flatten() {
        if let Some(text) = entry["inclusionProof"]["checkpoint"]["envelope"].as_str() {
            c.add("checkpoint", text.as_bytes())?;
        }
    }
    Ok(())
}

/// Every blob of the embedded demo repository, sorted to its target by what it looks like.
fn demo(c: &mut Corpora) -> Result<()> {
    let tmp = std::env::temp_dir();
    let layout = DemoLayout::write(&tmp)?;
    let blobs = layout.path().join("blobs/sha256");
    for entry in std::fs::read_dir(&blobs)? {
        let bytes = std::fs::read(entry?.path())?;
        if bytes.len() > 64 * 1024 {
            continue;
        }
        for target in targets_for(&bytes) {
            c.add(target, &bytes)?;
        }
    }
    Ok(())
}

fn targets_for(bytes: &[u8]) -> Vec<&'static str> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    if text.contains("\"schemaVersion\"") {
        out.push("manifest");
    }
    if text.contains("\"critical\"") {
        out.push("simple_signing");
    }
    if text.contains("\"payloadType\"") {
        out.push("dsse");
    }
    if text.contains("verificationMaterial") {
        out.push("bundle");
    }
    out
}

/// The public fixtures, read in place when present.
fn public_fixtures(c: &mut Corpora) -> Result<()> {
    let dir = std::env::var_os("SIGSCOPE_FUZZ_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    if !dir.is_dir() {
        return Ok(());
    }
    let mut stack = vec![dir];
    let mut taken = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let targets: &[&str] = if name.ends_with(".sigstore.json") || name == "bundle.json" {
                &["bundle"]
            } else if name.ends_with(".pem") || name.ends_with(".crt") {
                &["certificate"]
            } else {
                &[]
            };
            if targets.is_empty() || taken >= 400 {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            if bytes.len() > 64 * 1024 {
                continue;
            }
            for target in targets {
                c.add(target, &bytes)?;
            }
            taken += 1;
        }
    }
    Ok(())
}

/// A JWS and a COSE envelope signed by a leaf of the fixture's notation CA, each behind the
/// target's media-type byte (0: JWS, 1: COSE).
fn notation_seeds(c: &mut Corpora) -> Result<()> {
    use sigscope_core::fixture::notation::NotationCa;
    use sigscope_core::fixture::notation_envelope::{cose_envelope, jws_envelope};
    let ca = NotationCa::new("seeds", 1_790_000_000)?;
    let leaf = ca.leaf("CN=builder,O=acme,ST=WA,C=US", 1_790_000_000, 3600)?;
    let chain = ca.chain_der(&leaf);
    let payload = serde_json::to_vec(&json!({"targetArtifact": {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": format!("{}", Digest::sha256_of(b"seed")),
        "size": 4,
    }}))?;
    let protected = json!({
        "alg": "ES256",
        "cty": "application/vnd.cncf.notary.payload.v1+json",
        "crit": ["io.cncf.notary.signingScheme"],
        "io.cncf.notary.signingScheme": "notary.x509",
        "io.cncf.notary.signingTime": "2026-09-21T14:13:20Z",
    });
    let jws = jws_envelope(&leaf, &chain, &protected, &payload)?;
    let cose = cose_envelope(&leaf, &chain, 1_790_000_000, &payload)?;
    c.add("notation", &[&[0u8][..], &jws].concat())?;
    c.add("notation", &[&[1u8][..], &cose].concat())?;
    Ok(())
}
