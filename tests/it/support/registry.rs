//! Real registries on ephemeral loopback ports: the CNCF distribution registry 2.8
//! (`docker-registry serve`, no OCI referrers API: clients fall back to the `sha256-<hex>` tag,
//! as on ghcr.io and Docker Hub) and olareg (which answers `GET /v2/<name>/referrers/<digest>`,
//! as ECR, ACR, GAR, Quay, Harbor and zot do).
//!
//! The process runs under a small shell watchdog that reads the test's stdin pipe: when the test
//! process ends, however it ends, the pipe closes and the watchdog stops the registry and removes
//! its storage. Dropping a [`Registry`] does the same at once.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::testbed_bin;

/// Which real registry implementation serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RegistryKind {
    /// CNCF distribution 2.8: no referrers API (the fallback-tag case).
    #[default]
    Distribution,
    /// olareg: the OCI 1.1 referrers API.
    Olareg,
}

impl RegistryKind {
    /// Both kinds, for tests that must hold on each.
    pub const ALL: [RegistryKind; 2] = [RegistryKind::Distribution, RegistryKind::Olareg];

    /// Whether `GET /v2/<name>/referrers/<digest>` is answered.
    pub fn has_referrers_api(self) -> bool {
        self == RegistryKind::Olareg
    }

    /// How referrers reach this registry, as `inspect -o json` names the route.
    pub fn referrers_route(self) -> &'static str {
        match self {
            RegistryKind::Distribution => "fallback_tag",
            RegistryKind::Olareg => "referrers_api",
        }
    }

    /// oras's `--distribution-spec` for attaching a referrer the way this registry takes it.
    pub fn oras_distribution_spec(self) -> &'static str {
        match self {
            RegistryKind::Distribution => "v1.1-referrers-tag",
            RegistryKind::Olareg => "v1.1-referrers-api",
        }
    }

    /// This kind's cell of a per-kind pair (one shared value for each registry kind).
    pub fn cell<T>(self, cells: &'static [OnceLock<T>; 2]) -> &'static OnceLock<T> {
        &cells[self as usize]
    }

    pub fn name(self) -> &'static str {
        match self {
            RegistryKind::Distribution => "distribution",
            RegistryKind::Olareg => "olareg",
        }
    }
}

impl std::fmt::Display for RegistryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a test registry is configured.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// The implementation (basic auth, token auth and TLS are distribution's options).
    pub kind: RegistryKind,
    /// Require HTTP basic auth with this user and password (htpasswd, bcrypt).
    pub basic_auth: Option<(String, String)>,
    /// Serve HTTPS with this certificate and key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Require Bearer tokens from this token server (`realm`, PEM of the issuer's root).
    pub token_auth: Option<(String, String)>,
}

/// A running registry.
pub struct Registry {
    kind: RegistryKind,
    addr: SocketAddr,
    storage: PathBuf,
    child: Option<Child>,
}

impl Registry {
    /// The distribution registry shared by every test in this test binary (tests use distinct
    /// repositories).
    pub fn shared() -> &'static Registry {
        Registry::shared_of(RegistryKind::Distribution)
    }

    /// The registry of `kind` shared by every test in this test binary.
    pub fn shared_of(kind: RegistryKind) -> &'static Registry {
        static SHARED: [OnceLock<Registry>; 2] = [OnceLock::new(), OnceLock::new()];
        kind.cell(&SHARED).get_or_init(|| {
            Registry::start(RegistryOptions {
                kind,
                ..RegistryOptions::default()
            })
        })
    }

    /// Starts a new registry; it stops when dropped.
    pub fn start(options: RegistryOptions) -> Registry {
        let mut last_error = String::new();
        for _ in 0..5 {
            match Registry::try_start(&options) {
                Ok(registry) => return registry,
                Err(e) => last_error = e,
            }
        }
        panic!("{} did not start: {last_error}", options.kind);
    }

    fn try_start(options: &RegistryOptions) -> Result<Registry, String> {
        let port = free_port().map_err(|e| e.to_string())?;
        let storage = tempfile::Builder::new()
            .prefix("sigscope-registry-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        let (program, args) = match options.kind {
            RegistryKind::Distribution => (
                testbed_bin().join("docker-registry"),
                vec![
                    "serve".into(),
                    distribution_config(options, port, &storage)?,
                ],
            ),
            RegistryKind::Olareg => {
                if options.basic_auth.is_some()
                    || options.tls.is_some()
                    || options.token_auth.is_some()
                {
                    return Err("auth and TLS options are distribution's; olareg runs open".into());
                }
                (testbed_bin().join("olareg"), olareg_args(port, &storage))
            }
        };
        // The watchdog: start the registry, wait for stdin to close, stop it, remove storage.
        let child = super::watched(&program, &args, &storage.join("registry.log"), &storage)
            .map_err(|e| format!("spawning {}: {e}", program.display()))?;
        let registry = Registry {
            kind: options.kind,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            storage,
            child: Some(child),
        };
        registry.wait_ready(Duration::from_secs(15))?;
        Ok(registry)
    }

    fn wait_ready(&self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(status) = self.get_status("/v2/") {
                // 200 when open, 401 when auth is configured, 400 for plain HTTP to a TLS
                // listener: any of them means it is serving.
                if status == 200 || status == 401 || status == 400 {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(self.storage.join("registry.log")).unwrap_or_default();
        Err(format!("not ready on {} after {limit:?}: {log}", self.addr))
    }

    /// The HTTP status of a GET to `path` (a tiny HTTP/1.0 client, for readiness only).
    pub fn get_status(&self, path: &str) -> std::io::Result<u16> {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr)?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head)?;
        let status = std::str::from_utf8(&head[9..12])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok(status)
    }

    /// A GET of `path` with a raw HTTP/1.0 request (what a client sees, untouched): the status,
    /// the `Content-Type` and the body.
    pub fn get(&self, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2))
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.addr));
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.0\r\nHost: {}\r\nAccept: application/vnd.oci.image.index.v1+json\r\n\r\n",
            self.addr
        )
        .expect("request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let content_type = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-type")
                    .then(|| v.trim().to_owned())
            })
            .unwrap_or_default();
        (status, content_type, body.to_owned())
    }

    /// `127.0.0.1:PORT`, the registry host as image references name it.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT/<repository>`
    pub fn repo(&self, repository: &str) -> String {
        format!("{}/{repository}", self.host())
    }

    pub fn storage(&self) -> &Path {
        &self.storage
    }

    pub fn kind(&self) -> RegistryKind {
        self.kind
    }
}

/// distribution's configuration file for `options`, written into `storage`; returns its path.
fn distribution_config(
    options: &RegistryOptions,
    port: u16,
    storage: &Path,
) -> Result<String, String> {
    let auth = match &options.basic_auth {
        None => String::new(),
        Some((user, password)) => {
            let htpasswd = storage.join("htpasswd");
            let out = Command::new("htpasswd")
                .args(["-Bbn", user, password])
                .output()
                .map_err(|e| format!("htpasswd: {e}"))?;
            std::fs::write(&htpasswd, &out.stdout).map_err(|e| e.to_string())?;
            format!(
                "auth: {{htpasswd: {{realm: sigscope-test, path: {}}}}}\n",
                htpasswd.display()
            )
        }
    };
    let auth = match &options.token_auth {
        None => auth,
        Some((realm, root_pem)) => {
            let bundle = storage.join("token-root.pem");
            std::fs::write(&bundle, root_pem).map_err(|e| e.to_string())?;
            format!(
                "auth: {{token: {{realm: \"{realm}\", service: {}, issuer: {}, rootcertbundle: {}}}}}\n",
                super::token_server::SERVICE,
                super::token_server::ISSUER,
                bundle.display()
            )
        }
    };
    let tls = match &options.tls {
        None => String::new(),
        Some((cert, key)) => format!(
            ", tls: {{certificate: {}, key: {}}}",
            cert.display(),
            key.display()
        ),
    };
    let config = storage.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog: {{level: error}}\n\
                 storage: {{filesystem: {{rootdirectory: {}}}, delete: {{enabled: true}}}}\n\
                 http: {{addr: 127.0.0.1:{port}{tls}}}\n{auth}",
            storage.join("data").display()
        ),
    )
    .map_err(|e| e.to_string())?;
    Ok(config.display().to_string())
}

/// olareg's flags: a directory store, deletes allowed (tests delete images to make orphans),
/// no garbage collection (untagged manifests with referrers must stay, as on a real registry
/// between collections).
fn olareg_args(port: u16, storage: &Path) -> Vec<String> {
    vec![
        "serve".into(),
        "--addr".into(),
        "127.0.0.1".into(),
        "--port".into(),
        port.to_string(),
        "--dir".into(),
        storage.join("data").display().to_string(),
        "--api-delete".into(),
        "--gc-frequency=-1s".into(),
    ]
}

impl Drop for Registry {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
