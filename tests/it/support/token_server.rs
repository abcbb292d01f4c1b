//! A Docker registry token server (distribution "Token Authentication Specification") for the
//! real registry's `auth: token` mode: it hands any caller a JWT for the scopes asked, signed
//! ES256 by a test CA whose certificate the registry trusts. This is how public registries
//! answer anonymous pulls: 401 with a Bearer challenge, then a token.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use sigscope_core::fixture::CertificateAuthority;

pub const SERVICE: &str = "sigscope-registry";
pub const ISSUER: &str = "sigscope-token-issuer";

pub struct TokenServer {
    addr: SocketAddr,
    pub ca: CertificateAuthority,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TokenServer {
    pub fn start() -> TokenServer {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let ca = CertificateAuthority::new("token issuer", now - 3600).expect("CA");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (signing_ca, seen) = (ca.clone(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
                        break;
                    }
                }
                let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                seen.lock().expect("requests").push(path.clone());
                let token = jwt(&signing_ca, &scopes(&path));
                let body =
                    json!({"token": token, "access_token": token, "expires_in": 300}).to_string();
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        TokenServer { addr, ca, requests }
    }

    pub fn realm(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// The token requests seen (paths with their query).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests").clone()
    }
}

/// `scope=repository:NAME:ACTIONS` parameters of a token request.
fn scopes(path: &str) -> Vec<(String, Vec<String>)> {
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter_map(|p| p.strip_prefix("scope="))
        .map(|s| {
            s.replace("%3A", ":")
                .replace("%2F", "/")
                .replace("%2C", ",")
        })
        .filter_map(|s| {
            let mut parts = s.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            (kind == "repository").then(|| {
                (
                    name.to_owned(),
                    actions.split(',').map(str::to_owned).collect(),
                )
            })
        })
        .collect()
}

fn jwt(ca: &CertificateAuthority, scopes: &[(String, Vec<String>)]) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let header = json!({"alg": "ES256", "typ": "JWT", "x5c": [STANDARD.encode(&ca.root.der)]});
    let access: Vec<serde_json::Value> = scopes
        .iter()
        .map(|(name, actions)| json!({"type": "repository", "name": name, "actions": actions}))
        .collect();
    let claims = json!({
        "iss": ISSUER, "sub": "", "aud": SERVICE,
        "exp": now + 300, "nbf": now - 10, "iat": now,
        "jti": format!("{now}-{}", scopes.len()),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    // JWS ES256 wants the raw r‖s form, not DER.
    let der = ca.root.key.sign(signing_input.as_bytes());
    let raw = p256::ecdsa::Signature::from_der(&der)
        .expect("DER signature")
        .to_bytes();
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(raw))
}
