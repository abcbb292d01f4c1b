//! TLS: a registry with a private CA, trusted through `--registry-cacert` and refused without
//! it; and a plain-HTTP registry whose blobs redirect to HTTPS storage (the plain client builds
//! no trust store, so the redirect must go through the TLS client and its checks).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::inspect::tag;
use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::layout::{Layout, Written};
use crate::support::publish::{copy_to_registry, simple_image};
use crate::support::registry::{Registry, RegistryOptions};
use crate::support::tools::{Tools, run_ok};

fn openssl(dir: &Path, args: &[&str]) {
    run_ok(Command::new("openssl").current_dir(dir).args(args));
}

/// A private CA (`ca.pem`) and a server certificate for 127.0.0.1 (`server.pem`, `server.key`)
/// in `d`.
fn private_ca(d: &Path) {
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=sigscope test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        d.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
        ],
    );
}

fn tls_registry(d: &Path) -> Registry {
    Registry::start(RegistryOptions {
        tls: Some((d.join("server.pem"), d.join("server.key"))),
        ..RegistryOptions::default()
    })
}

/// Copies the layout's `tag` to the TLS registry with real oras.
fn copy_to_tls_registry(d: &Path, layout: &Layout, tag: &str, registry: &Registry, repo: &str) {
    run_ok(Tools::get().oras().args([
        "cp",
        "--from-oci-layout",
        "--to-ca-file",
        d.join("ca.pem").to_str().unwrap(),
        "--no-tty",
        &format!("{}:{tag}", layout.dir().display()),
        &format!("{}:{tag}", registry.repo(repo)),
    ]));
}

/// `sigscope inspect -o json EXTRA… TARGET`: exit code and stdout.
fn inspect(extra: &[&str], target: &str) -> (Option<i32>, String) {
    let out = crate::support::sigscope()
        .args(["inspect", "--output", "json"])
        .args(extra)
        .arg(target)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A scratch folder with a private CA, a registry serving TLS with it, and a layout holding one
/// image tagged `v1`.
struct TlsBed {
    dir: tempfile::TempDir,
    registry: Registry,
    layout: Layout,
    image: Written,
}

impl TlsBed {
    fn new(label: &str, architecture: &str) -> TlsBed {
        let dir = tempfile::tempdir().unwrap();
        private_ca(dir.path());
        let registry = tls_registry(dir.path());
        let mut layout = Layout::create(&dir.path().join("layout"));
        let image = layout.put_image(&simple_image(label, architecture));
        layout.tag("v1", &image);
        TlsBed {
            dir,
            registry,
            layout,
            image,
        }
    }

    /// `--registry-cacert` and the CA's file.
    fn cacert(&self) -> [String; 2] {
        let ca = self.dir.path().join("ca.pem");
        ["--registry-cacert".into(), ca.display().to_string()]
    }
}

#[test]
fn a_tls_registry_is_trusted_through_registry_cacert_and_refused_without_it() {
    let bed = TlsBed::new("tls", "amd64");
    let (d, registry, layout, m) = (bed.dir.path(), &bed.registry, &bed.layout, &bed.image);
    copy_to_tls_registry(d, layout, "v1", registry, "tls/app");

    let (code, out) = inspect(&[], &registry.repo("tls/app"));
    assert_eq!(code, Some(2), "an unknown CA must be refused: {out}");
    assert!(out.to_lowercase().contains("certificate"), "{out}");
    let cacert = bed.cacert();
    let cacert: Vec<&str> = cacert.iter().map(String::as_str).collect();
    let (code, out) = inspect(&cacert, &registry.repo("tls/app"));
    assert_eq!(code, Some(0), "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(tag(&doc, "v1")["image"]["digest"], m.digest.to_string());
}

#[test]
fn a_plain_http_registry_redirecting_a_blob_to_https_is_followed_with_tls_checks() {
    let bed = TlsBed::new("redirect", "arm64");
    let (d, storage, layout, m) = (bed.dir.path(), &bed.registry, &bed.layout, &bed.image);
    // The same image in both: the plain registry (behind the proxy) and the HTTPS "storage".
    copy_to_registry(layout, "v1", Registry::shared(), "redirect/app");
    copy_to_tls_registry(d, layout, "v1", storage, "redirect/app");
    let manifest = layout.dir().join("blobs/sha256").join(m.digest.hex());
    let config: Value = serde_json::from_slice(&std::fs::read(manifest).unwrap()).unwrap();
    let config = config["config"]["digest"].as_str().unwrap().to_owned();
    let proxy = FaultProxy::start(Registry::shared().addr());
    proxy.add(
        &format!("/blobs/{config}"),
        Fault::Status {
            code: 307,
            headers: vec![(
                "Location".into(),
                format!("https://{}/v2/redirect/app/blobs/{config}", storage.host()),
            )],
        },
    );
    let target = format!("{}/redirect/app:v1", proxy.host());

    // Without the CA the HTTPS leg is refused: the redirect was followed over TLS, with checks.
    let (_, out) = inspect(&["--allow-http-registry", "--no-cache"], &target);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let errors = tag(&doc, "v1")["image"]["errors"]
        .to_string()
        .to_lowercase();
    assert!(errors.contains("certificate"), "{doc:#}");
    assert!(proxy.faulted().iter().any(|r| r.contains(&config)));

    let cacert = bed.cacert();
    let mut args = vec!["--allow-http-registry", "--no-cache"];
    args.extend(cacert.iter().map(String::as_str));
    let (code, out) = inspect(&args, &target);
    assert_eq!(code, Some(0), "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(tag(&doc, "v1")["image"]["config"]["architecture"], "arm64");
}

/// A plain-HTTP registry named without `--allow-http-registry`: the TLS handshake is answered
/// in plain HTTP, and the error says what to try, not only "received corrupt message of type
/// InvalidContentType". Could not check: exit 2.
#[test]
fn https_to_a_plain_http_registry_hints_at_allow_http_registry() {
    let registry = Registry::shared();
    let out = crate::support::sigscope()
        .args(["inspect", &registry.repo("scenario/absent")])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("did you mean --allow-http-registry?"),
        "{text}"
    );
}
