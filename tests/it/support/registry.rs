//! A real CNCF distribution registry (`docker-registry serve`) on an ephemeral loopback port.
//!
//! The process runs under a small shell watchdog that reads the test's stdin pipe: when the test
//! process ends, however it ends, the pipe closes and the watchdog stops the registry and removes
//! its storage. Dropping a [`Registry`] does the same at once.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::testbed_bin;

/// How a test registry is configured.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Require HTTP basic auth with this user and password (htpasswd, bcrypt).
    pub basic_auth: Option<(String, String)>,
    /// Serve HTTPS with this certificate and key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Require Bearer tokens from this token server (`realm`, PEM of the issuer's root).
    pub token_auth: Option<(String, String)>,
}

/// A running registry.
pub struct Registry {
    addr: SocketAddr,
    storage: PathBuf,
    child: Option<Child>,
}

impl Registry {
    /// The registry shared by every test in this test binary (tests use distinct repositories).
    pub fn shared() -> &'static Registry {
        static SHARED: OnceLock<Registry> = OnceLock::new();
        SHARED.get_or_init(|| Registry::start(RegistryOptions::default()))
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
        panic!("docker-registry did not start: {last_error}");
    }

    fn try_start(options: &RegistryOptions) -> Result<Registry, String> {
        let port = free_port().map_err(|e| e.to_string())?;
        let storage = tempfile::Builder::new()
            .prefix("sigscope-registry-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
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
        let registry_bin = testbed_bin().join("docker-registry");
        // The watchdog: start the registry, wait for stdin to close, stop it, remove storage.
        let script = r#"
            "$1" serve "$2" >"$3/registry.log" 2>&1 &
            pid=$!
            cat >/dev/null
            kill "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            rm -rf "$3"
        "#;
        let child = Command::new("sh")
            .args(["-c", script, "sigscope-registry"])
            .arg(&registry_bin)
            .arg(&config)
            .arg(&storage)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawning {}: {e}", registry_bin.display()))?;
        let registry = Registry {
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
