//! A real RFC 3161 timestamp authority on loopback: sigstore's `timestamp-server` (from the Go
//! module proxy, scripts/testbed) with its in-memory signer, which makes a root, a
//! timeStamping intermediate and a leaf at start-up. One per test binary.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Child;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::testbed_bin;

pub struct TimestampAuthority {
    addr: SocketAddr,
    /// The chain the server signs with, leaf first, PEM blocks.
    pub chain_pem: Vec<String>,
    _child: ChildGuard,
}

struct ChildGuard(Child);

impl Drop for ChildGuard {
    /// Closing the watchdog's stdin stops the server.
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

impl TimestampAuthority {
    /// The shared server.
    pub fn shared() -> &'static TimestampAuthority {
        static TSA: OnceLock<TimestampAuthority> = OnceLock::new();
        TSA.get_or_init(TimestampAuthority::start)
    }

    /// Starts the server. Its metrics listener is fixed at :2112 upstream, so only one runs on a
    /// machine at a time: a server that exits at once (the port taken by another test run) is
    /// started again, for a minute at most.
    fn start() -> TimestampAuthority {
        let started = Instant::now();
        loop {
            match TimestampAuthority::try_start() {
                Ok(tsa) => return tsa,
                Err(e) if started.elapsed() < Duration::from_secs(60) => {
                    eprintln!("timestamp-server: {e}; trying again");
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(e) => panic!("timestamp-server (scripts/testbed installs it): {e}"),
            }
        }
    }

    fn try_start() -> Result<TimestampAuthority, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let log = std::env::temp_dir().join(format!("sigscope-tsa-{port}.log"));
        let args: Vec<String> = [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--timestamp-signer",
            "memory",
            "--include-chain-in-response",
            "--disable-ntp-monitoring",
            "--log-type",
            "prod",
        ]
        .map(str::to_owned)
        .to_vec();
        let child = super::watched(&testbed_bin().join("timestamp-server"), &args, &log, &log)
            .map_err(|e| e.to_string())?;
        let guard = ChildGuard(child);
        let addr: SocketAddr = format!("127.0.0.1:{port}")
            .parse()
            .map_err(|e: std::net::AddrParseError| e.to_string())?;
        let started = Instant::now();
        let chain = loop {
            if let Ok(body) = get(addr, "/api/v1/timestamp/certchain")
                && body.contains("BEGIN CERTIFICATE")
            {
                break body;
            }
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            if output.contains("\"fatal\"") {
                return Err(format!("it stopped (is :2112 taken?): {output}"));
            }
            if started.elapsed() > Duration::from_secs(20) {
                return Err(format!("no answer on {addr}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        Ok(TimestampAuthority {
            addr,
            chain_pem: pem_blocks(&chain),
            _child: guard,
        })
    }

    /// notation's `--timestamp-url`.
    pub fn url(&self) -> String {
        format!("http://{}/api/v1/timestamp", self.addr)
    }

    /// An RFC 3161 timestamp response (DER) over data whose SHA-256 is `sha256`, asked with the
    /// server's JSON request form (`artifactHash`), its chain included.
    pub fn timestamp(&self, sha256: &[u8]) -> Vec<u8> {
        use base64::Engine as _;
        let body = format!(
            r#"{{"artifactHash":"{}","hashAlgorithm":"sha256","certificates":true}}"#,
            base64::engine::general_purpose::STANDARD.encode(sha256)
        );
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2))
            .expect("connect to the timestamp server");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "POST /api/v1/timestamp HTTP/1.0\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .expect("request");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("response");
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an HTTP response");
        let head = String::from_utf8_lossy(&response[..split]);
        assert!(
            head.starts_with("HTTP/1.") && head.contains(" 200 "),
            "{head}"
        );
        response[split + 4..].to_vec()
    }

    /// The chain's certificates, leaf first, as DER.
    pub fn chain_der(&self) -> Vec<Vec<u8>> {
        self.chain_pem
            .iter()
            .filter_map(|p| pem::parse(p).ok())
            .map(|p| p.contents().to_vec())
            .collect()
    }

    /// The self-signed root of its chain (notation's `--timestamp-root-cert`, a `tsa` store).
    pub fn root_pem(&self) -> &str {
        self.chain_pem
            .last()
            .map(String::as_str)
            .unwrap_or_default()
    }
}

fn pem_blocks(text: &str) -> Vec<String> {
    text.split_inclusive("-----END CERTIFICATE-----")
        .filter(|b| b.contains("BEGIN CERTIFICATE"))
        .map(|b| format!("{}\n", b.trim_start()))
        .collect()
}

fn get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default())
}
