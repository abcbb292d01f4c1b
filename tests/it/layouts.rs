//! OCI layouts as `cosign save` writes them for an air-gapped hand-over: the images named by
//! digest and by cosign's `kind` annotations (no tags), their `.sig`/`.att` listed beside them,
//! sigstore bundle referrers kept as blobs that only their `subject` ties to the image. sigscope
//! reads and verifies them from disk with the verdicts it gives from the registry.

use std::path::{Path, PathBuf};

use rstest::rstest;
use serde_json::Value;

use crate::inspect::inspect_json;
use crate::support::cosigns::cosign3_offline;
use crate::support::publish::{push_image, push_index, simple_image};
use crate::support::registry::{Registry, RegistryKind};
use crate::support::tools::{Tools, run, run_ok};

/// A key pair and a scratch folder for one test.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        let work = Work {
            dir: tempfile::tempdir().unwrap(),
        };
        run_ok(work.cosign2().arg("generate-key-pair"));
        work
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn public_key(&self) -> String {
        self.path().join("cosign.pub").display().to_string()
    }

    /// cosign 2.5: legacy `.sig`/`.att` tags.
    fn cosign2(&self) -> std::process::Command {
        let mut cmd = Tools::get().cosign2();
        cmd.current_dir(self.path());
        cmd
    }

    /// cosign v3 with its defaults, offline (a signing config without services, an empty
    /// trusted root: a key needs none).
    fn cosign3(&self, sub: &str) -> std::process::Command {
        let root = self.path().join("trusted_root.json");
        std::fs::write(
            &root,
            r#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        )
        .unwrap();
        cosign3_offline(self.path(), sub, &root)
    }

    fn predicate(&self) -> PathBuf {
        let path = self.path().join("slsa.json");
        std::fs::write(
            &path,
            serde_json::to_vec(&crate::support::predicates::slsa_v1(
                "acme/saved",
                "refs/tags/v1",
                &"1".repeat(40),
                1,
            ))
            .unwrap(),
        )
        .unwrap();
        path
    }

    /// `cosign save` (v3) of `image` into a fresh folder.
    fn save(&self, image: &str, name: &str) -> PathBuf {
        let dir = self.path().join(name);
        run_ok(
            Tools::get()
                .cosign()
                .args(["save", "--dir"])
                .arg(&dir)
                .arg(image),
        );
        dir
    }
}

/// `sigscope ARGS`: (exit code, output).
fn sigscope(args: &[&str]) -> (Option<i32>, String) {
    let out = crate::support::sigscope()
        .arg("--allow-http-registry")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The verdict and the signatures' routes-free summary of one `verify -o json` run.
fn verdict_of(args: &[&str]) -> (Option<i32>, String, Vec<String>) {
    let out = crate::support::sigscope()
        .args(args)
        .args(["--allow-http-registry", "--output", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let image = &doc["images"][0];
    // The registry lists referrers in its order, the layout by digest: compare as sets.
    let mut signatures: Vec<String> = image["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "verified={} counted={}",
                s["verified"],
                s["not_counted"].is_null()
            )
        })
        .collect();
    signatures.sort();
    (
        out.status.code(),
        image["verdict"].as_str().unwrap_or_default().to_owned(),
        signatures,
    )
}

#[rstest]
fn a_cosign_save_of_a_signed_and_attested_multi_arch_image_verifies_from_disk_as_from_the_registry(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let registry = Registry::shared_of(kind);
    let work = Work::new();
    let index = push_index(registry, "saved/multi", "v1", "saved-multi");
    let image = format!("{}@{}", registry.repo("saved/multi"), index.digest);
    // cosign 2.5 signs the index and each platform (-r), and attests the index.
    run_ok(work.cosign2().args([
        "sign",
        "--yes",
        "--key",
        "cosign.key",
        "--tlog-upload=false",
        "-r",
        &image,
    ]));
    let predicate = work.predicate();
    run_ok(
        work.cosign2()
            .args([
                "attest",
                "--yes",
                "--key",
                "cosign.key",
                "--tlog-upload=false",
                "--type",
                "slsaprovenance1",
                "--predicate",
            ])
            .arg(&predicate)
            .arg(&image),
    );
    let saved = work.save(&image, "saved");
    let layout = format!("oci:{}", saved.display());
    let on_disk = format!("{layout}@{}", index.digest);

    // Inspect: the index is found (by digest: cosign save names no tag), with its signature,
    // attestation and platforms.
    let (code, doc) = inspect_json(&[&layout]);
    assert_eq!(code, 0, "{kind}: {doc:#}");
    let tags = doc["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 1, "{kind}: one image in the layout: {doc:#}");
    let image_doc = &tags[0]["image"];
    assert_eq!(image_doc["digest"], index.digest.to_string());
    assert_eq!(image_doc["platforms"].as_array().unwrap().len(), 2);
    let kinds: Vec<&str> = image_doc["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"signature") && kinds.contains(&"attestation"),
        "{kinds:?}"
    );

    // Verify and verify-attestation: the same verdicts and signatures from disk as from the
    // registry, by the digest and by cosign's --local-image.
    let key = work.public_key();
    for (sub, extra) in [
        ("verify", vec![]),
        ("verify-attestation", vec!["--type", "slsaprovenance1"]),
        ("verify-attestation", vec!["--type", "spdxjson"]),
    ] {
        let args = |target: &str| -> Vec<String> {
            [sub, "--insecure-ignore-tlog", "--key", &key]
                .iter()
                .chain(extra.iter())
                .map(|s| (*s).to_owned())
                .chain([target.to_owned()])
                .collect()
        };
        let remote = verdict_of(&args(&image).iter().map(String::as_str).collect::<Vec<_>>());
        let disk = verdict_of(
            &args(&on_disk)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert_eq!(remote, disk, "{kind}: {sub} {extra:?}");
        let local: Vec<String> = args(&saved.display().to_string());
        let mut local: Vec<&str> = local.iter().map(String::as_str).collect();
        local.insert(1, "--local-image");
        assert_eq!(verdict_of(&local), disk, "{kind}: {sub} --local-image");
        // cosign v3 reads the same layout with --local-image.
        let cosign = run(Tools::get()
            .cosign()
            .args([
                sub,
                "--local-image",
                "--insecure-ignore-tlog",
                "--key",
                &key,
            ])
            .args(&extra)
            .arg(&saved));
        assert_eq!(
            cosign.status.success(),
            disk.0 == Some(0),
            "{kind}: cosign v3 {sub} {extra:?} --local-image: {}",
            String::from_utf8_lossy(&cosign.stderr)
        );
    }
}

#[rstest]
fn a_cosign_v3_bundle_saved_beside_its_image_is_found_by_its_subject(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let registry = Registry::shared_of(kind);
    let work = Work::new();
    let written = push_image(
        registry,
        "saved/bundle",
        "v1",
        &simple_image("saved-bundle", "amd64"),
    );
    let image = format!("{}@{}", registry.repo("saved/bundle"), written.digest);
    run_ok(work.cosign3("sign").args(["--key", "cosign.key", &image]));
    run_ok(
        work.cosign3("attest")
            .args([
                "--key",
                "cosign.key",
                "--type",
                "slsaprovenance1",
                "--predicate",
            ])
            .arg(work.predicate())
            .arg(&image),
    );
    let saved = work.save(&image, "saved");
    let on_disk = format!("oci:{}@{}", saved.display(), written.digest);
    let (code, text) = sigscope(&["inspect", &on_disk]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text.matches("sigstore bundle via").count(),
        2,
        "{kind}: both bundles, found by subject: {text}"
    );
    let key = work.public_key();
    for (sub, extra) in [
        ("verify", vec![]),
        ("verify-attestation", vec!["--type", "slsaprovenance1"]),
        ("verify-attestation", vec!["--type", "cyclonedx"]),
    ] {
        let run_on = |target: &str| {
            let mut args = vec![sub, "--insecure-ignore-tlog", "--key", &key];
            args.extend(extra.iter().copied());
            args.push(target);
            verdict_of(&args)
        };
        assert_eq!(run_on(&image), run_on(&on_disk), "{kind}: {sub} {extra:?}");
    }
}

#[test]
fn a_layout_that_holds_images_but_names_none_is_never_an_empty_success() {
    // A layout whose index.json lists a manifest with no name and no cosign annotation: the
    // image is listed by its digest, never dropped.
    let dir = tempfile::tempdir().unwrap();
    let mut layout = crate::support::layout::Layout::create(&dir.path().join("layout"));
    let written = layout.put_image(&simple_image("unnamed", "amd64"));
    layout.tag("v1", &written);
    let index_path = dir.path().join("layout/index.json");
    let mut index: Value = serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    for m in index["manifests"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("annotations");
    }
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let (code, doc) = inspect_json(&[&format!("oci:{}", dir.path().join("layout").display())]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["tags"][0]["tag"], written.digest.to_string(), "{doc:#}");
}
