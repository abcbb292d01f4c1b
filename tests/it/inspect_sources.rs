//! Where images are read from: OCI layouts (the public go-bazel layout, one written by skopeo),
//! Docker schema 2 images, TLS registries with a private CA, tag pagination, the referrers
//! API, and credential helpers.

use std::process::Command;

use serde_json::Value;
use sigscope::registry::remote::{RemoteOptions, RemoteRegistry};
use sigscope::registry::{Limits, Source as _};
use sigscope::target::Repository;

use crate::inspect::{inspect_json, tag};
use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::layout::Layout;
use crate::support::publish::{copy_to_registry, simple_image};
use crate::support::registry::{Registry, RegistryOptions};
use crate::support::scenario::Scenario;
use crate::support::shared_fixtures;
use crate::support::tools::{Tools, run_ok};

#[test]
fn the_public_go_bazel_layout_decodes_with_its_real_fulcio_signature() {
    let Some(fixtures) = shared_fixtures() else {
        eprintln!("SKIP: ../shared/fixtures is absent, no go-bazel layout to read");
        return;
    };
    let layout = fixtures.join("go-bazel-github-workflow/README-extracted/oci-layout");
    let (code, doc) = inspect_json(&[&format!("oci:{}", layout.display())]);
    let server = &tag(&doc, "server")["image"];
    assert_eq!(
        server["digest"],
        "sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321"
    );
    // The layout lacks the platform manifests: each platform says so, the rest is read.
    assert_eq!(server["platforms"].as_array().unwrap().len(), 2);
    assert!(
        server["platforms"][0]["errors"][0]
            .as_str()
            .unwrap()
            .contains("not found")
    );
    assert_eq!(code, 0, "the tag itself read fine");
    let sig = &server["artifacts"][0];
    assert_eq!(sig["kind"], "signature");
    assert_eq!(sig["found_via"]["route"], "legacy_tag");
    let content = &sig["layers"][0]["content"];
    let cert = &content["certificate"]["ok"];
    assert_eq!(
        cert["sans"][0]["value"],
        "https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30"
    );
    assert_eq!(content["rekor_bundle"]["ok"]["log_index"], 1004096555);
    assert_eq!(cert["issuer"], "CN=sigstore-intermediate,O=sigstore.dev");
}

#[test]
fn a_layout_written_by_skopeo_reads_like_the_registry() {
    let scenario = Scenario::shared();
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("copy");
    let stem = scenario.case("v1.0.0").digest.cosign_tag_stem();
    for tag in ["v1.0.0".to_owned(), format!("{stem}.sig")] {
        run_ok(Command::new("skopeo").args([
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            "--preserve-digests",
            &format!("docker://{}:{tag}", scenario.repository),
            &format!("oci:{}:{tag}", layout.display()),
        ]));
    }
    let (code, doc) = inspect_json(&[layout.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    let image = &tag(&doc, "v1.0.0")["image"];
    assert_eq!(image["digest"], scenario.case("v1.0.0").digest.to_string());
    let cert = &image["artifacts"][0]["layers"][0]["content"]["certificate"]["ok"];
    assert_eq!(
        cert["sans"][0]["value"],
        scenario.case("v1.0.0").minted[0].identity.san.value()
    );
}

#[test]
fn docker_schema_2_images_are_read() {
    let registry = Registry::shared();
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::create(&dir.path().join("layout"));
    let m = layout.put_image(&simple_image("docker-format", "arm64"));
    layout.tag("v1", &m);
    run_ok(Command::new("skopeo").args([
        "copy",
        "--quiet",
        "--format",
        "v2s2",
        "--dest-tls-verify=false",
        &format!("oci:{}:v1", layout.dir().display()),
        &format!("docker://{}:v1", registry.repo("docker/app")),
    ]));
    let (code, doc) = inspect_json(&[&format!("{}:v1", registry.repo("docker/app"))]);
    assert_eq!(code, 0, "{doc:#}");
    let image = &tag(&doc, "v1")["image"];
    assert_eq!(
        image["media_type"],
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(image["config"]["architecture"], "arm64");
}

#[test]
fn tag_lists_are_followed_across_pages() {
    let scenario = Scenario::shared();
    let expected: std::collections::BTreeSet<String> =
        run_ok(
            Tools::get()
                .oras()
                .args(["repo", "tags", "--plain-http", &scenario.repository]),
        )
        .lines()
        .map(str::to_owned)
        .collect();
    let (_, path) = scenario.repository.split_once('/').unwrap();
    // distribution 2.8 ignores `n`; the proxy pages the real list as distribution v3 would.
    let proxy = FaultProxy::start(Registry::shared().addr());
    proxy.add("/tags/list", Fault::PaginateTags);
    let registry = proxy.host();
    let registry = registry.as_str();
    let source = RemoteRegistry::new(
        Repository {
            registry: registry.into(),
            path: path.into(),
        },
        RemoteOptions {
            allow_http: true,
            limits: Limits {
                tag_page_size: 4,
                ..Limits::default()
            },
            ..RemoteOptions::default()
        },
    )
    .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listed = runtime.block_on(source.list_tags()).unwrap();
    assert!(expected.len() > 12);
    assert_eq!(
        listed
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        expected
    );
    let pages = expected.len().div_ceil(4);
    assert_eq!(
        proxy.faulted().len(),
        pages,
        "one request per page: {:?}",
        proxy.faulted()
    );

    let too_few_pages = RemoteRegistry::new(
        Repository {
            registry: registry.into(),
            path: path.into(),
        },
        RemoteOptions {
            allow_http: true,
            limits: Limits {
                tag_page_size: 2,
                max_tag_pages: 2,
                ..Limits::default()
            },
            ..RemoteOptions::default()
        },
    )
    .unwrap();
    let err = runtime.block_on(too_few_pages.list_tags()).unwrap_err();
    assert!(err.to_string().contains("limit reached"), "{err}");
}

#[test]
fn referrers_come_from_the_api_when_the_registry_has_one() {
    let scenario = Scenario::shared();
    let proxy = FaultProxy::start(Registry::shared().addr());
    proxy.add("/referrers/", Fault::ReferrersApiFromFallbackTag);
    let (_, path) = scenario.repository.split_once('/').unwrap();
    let (code, doc) = inspect_json(&[&format!("{}/{path}:v2.1.0", proxy.host())]);
    assert_eq!(code, 0, "{doc:#}");
    let bundle = &tag(&doc, "v2.1.0")["image"]["artifacts"][0];
    assert_eq!(bundle["kind"], "sigstore_bundle");
    assert_eq!(bundle["found_via"]["route"], "referrers_api");
    assert!(!proxy.faulted().is_empty());
}

#[test]
fn credentials_come_from_a_docker_credential_helper() {
    let registry = Registry::start(RegistryOptions {
        basic_auth: Some(("helped".into(), "from-helper-77".into())),
        ..RegistryOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::create(&dir.path().join("layout"));
    let m = layout.put_image(&simple_image("helper", "amd64"));
    layout.tag("v1", &m);
    run_ok(Tools::get().oras().args([
        "cp",
        "--from-oci-layout",
        "--to-plain-http",
        "--no-tty",
        "--to-username",
        "helped",
        "--to-password",
        "from-helper-77",
        &format!("{}:v1", layout.dir().display()),
        &format!("{}:v1", registry.repo("helped/app")),
    ]));
    let _ = copy_to_registry;
    // A credential helper speaking the docker-credential-helpers protocol.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-sigscopetest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = \"{}\" ] || exit 1\necho '{{\"ServerURL\":\"'\"$server\"'\",\"Username\":\"helped\",\"Secret\":\"from-helper-77\"}}'\n",
            registry.host()
        ),
    )
    .unwrap();
    run_ok(Command::new("chmod").arg("+x").arg(&helper));
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"credsStore":"sigscopetest"}"#,
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = crate::support::sigscope()
        .args([
            "inspect",
            "--output",
            "json",
            "--allow-http-registry",
            &registry.repo("helped/app"),
        ])
        .env("DOCKER_CONFIG", dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("from-helper-77"));
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(tag(&doc, "v1")["image"]["digest"], m.digest.to_string());
}

#[test]
fn anonymous_pulls_follow_the_bearer_token_challenge() {
    let tokens = crate::support::token_server::TokenServer::start();
    let registry = Registry::start(RegistryOptions {
        token_auth: Some((tokens.realm(), tokens.ca.root.pem())),
        ..RegistryOptions::default()
    });
    assert_eq!(registry.get_status("/v2/").unwrap(), 401);
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::create(&dir.path().join("layout"));
    let m = layout.put_image(&simple_image("token", "amd64"));
    layout.tag("v1", &m);
    run_ok(Tools::get().oras().args([
        "cp",
        "--from-oci-layout",
        "--to-plain-http",
        "--no-tty",
        &format!("{}:v1", layout.dir().display()),
        &format!("{}:v1", registry.repo("token/app")),
    ]));
    let (code, doc) = inspect_json(&[&registry.repo("token/app")]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(tag(&doc, "v1")["image"]["digest"], m.digest.to_string());
    assert!(
        tokens
            .requests()
            .iter()
            .any(|r| r.contains("scope=repository")
                && (r.contains("token%2Fapp") || r.contains("token/app"))),
        "{:?}",
        tokens.requests()
    );
}

/// BuildKit (`docker buildx build --attest`) puts its provenance and SBOM in the image index as
/// an extra manifest of platform `unknown/unknown`; sigscope names it for what it is and what
/// it attests, not as a platform of the image.
#[test]
fn a_buildkit_attestation_manifest_is_named_not_listed_as_a_platform() {
    use crate::support::layout::{Layout, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST};
    use crate::support::publish::simple_image;
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::create(&dir.path().join("layout"));
    let amd64 = simple_image("buildkit", "amd64");
    let image = layout.put_image(&amd64);
    let statement = |predicate_type: &str| {
        json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": predicate_type,
            "subject": [{"name": "pkg:docker/app@latest?platform=linux%2Famd64",
                         "digest": {"sha256": image.digest.hex()}}],
            "predicate": {},
        })
    };
    let mut layers = Vec::new();
    for predicate_type in [
        "https://slsa.dev/provenance/v0.2",
        "https://spdx.dev/Document",
    ] {
        let blob = layout.put_blob(
            "application/vnd.in-toto+json",
            &serde_json::to_vec(&statement(predicate_type)).unwrap(),
        );
        let mut d = blob.descriptor();
        d["annotations"] = json!({"in-toto.io/predicate-type": predicate_type});
        layers.push(d);
    }
    let config = layout.put_blob(
        OCI_CONFIG,
        b"{\"architecture\":\"unknown\",\"os\":\"unknown\"}",
    );
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": config.descriptor(), "layers": layers,
    });
    let attestation = layout.put_blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).unwrap());
    let mut image_entry = image.descriptor();
    image_entry["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let mut attestation_entry = attestation.descriptor();
    attestation_entry["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    attestation_entry["annotations"] = json!({
        "vnd.docker.reference.digest": image.digest.to_string(),
        "vnd.docker.reference.type": "attestation-manifest",
    });
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX,
                       "manifests": [image_entry, attestation_entry]});
    let index = layout.put_blob(OCI_INDEX, &serde_json::to_vec(&index).unwrap());
    layout.tag("latest", &index);
    let target = format!("oci:{}", layout.dir().display());

    let out = crate::support::sigscope()
        .args(["inspect", &target])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("index [linux/amd64] + 1 BuildKit attestation manifest"),
        "{text}"
    );
    assert!(!text.contains("unknown/unknown"), "{text}");
    assert!(
        text.contains(&format!(
            "buildkit attestation sha256:{} for {} (unsigned in-toto statements): \
             https://slsa.dev/provenance/v0.2, https://spdx.dev/Document",
            &attestation.digest.hex()[..12],
            image.digest
        )),
        "{text}"
    );
    let (code, doc) = inspect_json(&[&target]);
    assert_eq!(code, 0);
    let platforms = tag(&doc, "latest")["image"]["platforms"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        platforms[1]["buildkit_attestation"]["attests"],
        image.digest.to_string()
    );
    assert!(platforms[0].get("buildkit_attestation").is_none());
}
