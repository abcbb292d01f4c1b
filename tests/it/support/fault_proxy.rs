//! A fault-injecting HTTP proxy in front of the real registry: requests whose path contains a
//! rule's pattern get the rule's canned answer; everything else is passed to the registry
//! unchanged (one request per connection, so every request meets the rules). Besides canned
//! statuses it breaks the transport itself: connection resets, stalls before the answer or in
//! the middle of the body, truncated bodies, and content that does not match its digest.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What to answer instead of the registry.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer `GET /v2/<repo>/referrers/<digest>` as a registry with the OCI 1.1 referrers API
    /// would, from the real registry's fallback tag `sha256-<hex>` (an empty index if absent).
    ReferrersApiFromFallbackTag,
    /// Answer `GET /v2/<repo>/tags/list?n=N&last=T` with one page of the real registry's tag
    /// list and a `Link` header to the next, as distribution v3 does (2.8 ignores `n`).
    PaginateTags,
    /// An HTTP status with a distribution-style error body and optional extra headers.
    Status {
        code: u16,
        headers: Vec<(String, String)>,
    },
    /// An HTTP status with the given JSON body (for registry text quoted in error messages).
    Body { code: u16, body: String },
    /// Close the connection without reading the request or answering: the kernel sends RST.
    Reset,
    /// Read the request, then never answer (the connection stays open for `STALL`).
    Stall,
    /// Pass the request on, send the answer's head and half its body, then hang.
    StallMidBody,
    /// Pass the request on, send the answer's head and half its body, then close.
    Truncate,
    /// Pass the request on and flip one byte of the body (same length, wrong digest).
    Corrupt,
    /// Pass the request on and add these headers to the answer (a registry stating its rate
    /// limit, as Docker Hub does).
    Headers(Vec<(String, String)>),
}

/// How long a stalled connection is held open.
pub const STALL: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct Rule {
    pub path_contains: String,
    pub fault: Fault,
    /// How many matching requests get the fault (then they pass); `None`: all of them.
    pub times: Option<usize>,
}

/// A running proxy; it stops accepting when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    rules: Arc<Mutex<Vec<Rule>>>,
    hits: Arc<Mutex<Vec<String>>>,
    /// Every request line received, faulted or passed through, in order of arrival.
    log: Arc<Mutex<Vec<String>>>,
}

impl FaultProxy {
    pub fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, h, l) = (rules.clone(), hits.clone(), log.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (r, h, l) = (r.clone(), h.clone(), l.clone());
                thread::spawn(move || {
                    let _ = serve(client, upstream, &r, &h, &l);
                });
            }
        });
        FaultProxy {
            addr,
            rules,
            hits,
            log,
        }
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn add(&self, path_contains: &str, fault: Fault) {
        self.rules.lock().expect("rules").push(Rule {
            path_contains: path_contains.to_owned(),
            fault,
            times: None,
        });
    }

    /// Like [`FaultProxy::add`], for the first `times` matching requests only.
    pub fn add_times(&self, path_contains: &str, fault: Fault, times: usize) {
        self.rules.lock().expect("rules").push(Rule {
            path_contains: path_contains.to_owned(),
            fault,
            times: Some(times),
        });
    }

    /// Every request line received so far (`GET /v2/... HTTP/1.1`), in order of arrival.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.log.lock().expect("log").clear();
    }

    /// Request lines that met a rule (`RESET <pattern>` for resets, whose request is not read).
    pub fn faulted(&self) -> Vec<String> {
        self.hits.lock().expect("hits").clone()
    }
}

fn serve(
    client: TcpStream,
    upstream: SocketAddr,
    rules: &Mutex<Vec<Rule>>,
    hits: &Mutex<Vec<String>>,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    if let Some(rule) = peeked_rule(&client, rules)?
        && matches!(rule.fault, Fault::Reset)
    {
        // Unread data in the receive buffer makes close() send RST, not FIN.
        hits.lock()
            .expect("hits")
            .push(format!("RESET {}", rule.path_contains));
        drop(client);
        return Ok(());
    }
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let end = line == "\r\n";
        head.push(line);
        if end {
            break;
        }
    }
    let request_line = head[0].trim_end().to_owned();
    log.lock().expect("log").push(request_line.clone());
    let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
    let rule = {
        let mut rules = rules.lock().expect("rules");
        let found = rules.iter_mut().find(|r| {
            path.contains(&r.path_contains)
                && r.times != Some(0)
                && !matches!(r.fault, Fault::Reset)
        });
        found.map(|r| {
            if let Some(n) = r.times.as_mut() {
                *n -= 1;
            }
            r.clone()
        })
    };
    let mut client = client;
    if let Some(rule) = rule {
        hits.lock().expect("hits").push(request_line);
        return match rule.fault {
            Fault::PaginateTags => {
                let (body, link) = tag_page(upstream, &path).unwrap_or_default();
                let link = link
                    .map(|l| format!("Link: <{l}>; rel=\"next\"\r\n"))
                    .unwrap_or_default();
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{link}Connection: close\r\n\r\n{body}",
                    body.len()
                );
                client.write_all(response.as_bytes())
            }
            Fault::ReferrersApiFromFallbackTag => {
                let index = fallback_index(upstream, &path).unwrap_or_else(|| {
                    r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#
                        .to_owned()
                });
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{index}",
                    index.len()
                );
                client.write_all(response.as_bytes())
            }
            Fault::Status { code, headers } => {
                let body = format!(
                    r#"{{"errors":[{{"code":"INJECTED","message":"fault injected with status {code}"}}]}}"#
                );
                let mut response = format!(
                    "HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    response.push_str(&format!("{k}: {v}\r\n"));
                }
                response.push_str("\r\n");
                response.push_str(&body);
                client.write_all(response.as_bytes())
            }
            Fault::Body { code, body } => {
                let response = format!(
                    "HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                client.write_all(response.as_bytes())
            }
            Fault::Reset => Ok(()),
            Fault::Headers(headers) => {
                let answer = pass_through(upstream, &head, &mut reader)?;
                let split = find(&answer, b"\r\n").map_or(answer.len(), |i| i + 2);
                let (status, rest) = answer.split_at(split);
                let added: String = headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}\r\n"))
                    .collect();
                client.write_all(status)?;
                client.write_all(added.as_bytes())?;
                client.write_all(rest)
            }
            Fault::Stall => {
                thread::sleep(STALL);
                Ok(())
            }
            Fault::StallMidBody | Fault::Truncate | Fault::Corrupt => {
                let answer = pass_through(upstream, &head, &mut reader)?;
                let split = find(&answer, b"\r\n\r\n").map_or(answer.len(), |i| i + 4);
                let (head, body) = answer.split_at(split);
                match rule.fault {
                    Fault::Corrupt => {
                        let mut body = body.to_vec();
                        if let Some(last) = body.last_mut() {
                            *last ^= 0x01;
                        }
                        client.write_all(head)?;
                        client.write_all(&body)
                    }
                    stop => {
                        client.write_all(head)?;
                        client.write_all(&body[..body.len() / 2])?;
                        client.flush()?;
                        if matches!(stop, Fault::StallMidBody) {
                            thread::sleep(STALL);
                        }
                        Ok(())
                    }
                }
            }
        };
    }
    let answer = pass_through(upstream, &head, &mut reader)?;
    client.write_all(&answer)
}

/// The rule the request waiting on `client` meets, judged from its first line without reading
/// it (only `Reset` rules are considered here).
fn peeked_rule(client: &TcpStream, rules: &Mutex<Vec<Rule>>) -> std::io::Result<Option<Rule>> {
    let mut buf = [0u8; 2048];
    let mut line = String::new();
    for _ in 0..100 {
        let n = client.peek(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&buf[..n]);
        if let Some((first, _)) = text.split_once("\r\n") {
            line = first.to_owned();
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let path = line.split(' ').nth(1).unwrap_or("");
    let mut rules = rules.lock().expect("rules");
    let found = rules.iter_mut().find(|r| {
        matches!(r.fault, Fault::Reset) && path.contains(&r.path_contains) && r.times != Some(0)
    });
    Ok(found.map(|r| {
        if let Some(n) = r.times.as_mut() {
            *n -= 1;
        }
        r.clone()
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Sends the request (`head`, then its body from `reader`) to the registry with
/// `Connection: close` and returns the whole answer.
fn pass_through(
    upstream: SocketAddr,
    head: &[String],
    reader: &mut BufReader<TcpStream>,
) -> std::io::Result<Vec<u8>> {
    let mut upstream_conn = TcpStream::connect(upstream)?;
    let mut forwarded = String::new();
    let mut content_length = 0usize;
    for line in head {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            forwarded.push_str("Connection: close\r\n");
        }
        forwarded.push_str(line);
    }
    upstream_conn.write_all(forwarded.as_bytes())?;
    if content_length > 0 {
        let mut body = vec![0u8; content_length];
        reader.read_exact(&mut body)?;
        upstream_conn.write_all(&body)?;
    }
    let mut answer = Vec::new();
    upstream_conn.read_to_end(&mut answer)?;
    Ok(answer)
}

/// Fetches `/v2/<repo>/manifests/sha256-<hex>` from the registry for a referrers API path.
fn fallback_index(upstream: SocketAddr, path: &str) -> Option<String> {
    let (repo_part, digest) = path.split_once("/referrers/")?;
    let digest = digest.split('?').next()?;
    let tag = digest.replacen(':', "-", 1);
    let mut conn = TcpStream::connect(upstream).ok()?;
    write!(
        conn,
        "GET {repo_part}/manifests/{tag} HTTP/1.1\r\nHost: {upstream}\r\nAccept: application/vnd.oci.image.index.v1+json\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    conn.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_owned())
}

/// One page of the upstream tag list for `path` (`/v2/<repo>/tags/list?n=..&last=..`), and the
/// next page's path when there is more.
fn tag_page(upstream: SocketAddr, path: &str) -> Option<(String, Option<String>)> {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut n = usize::MAX;
    let mut last = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("n", v)) => n = v.parse().ok()?,
            Some(("last", v)) => last = Some(v.to_owned()),
            _ => {}
        }
    }
    let mut conn = TcpStream::connect(upstream).ok()?;
    write!(
        conn,
        "GET {base} HTTP/1.1\r\nHost: {upstream}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    conn.read_to_string(&mut response).ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    let mut doc: serde_json::Value = serde_json::from_str(body).ok()?;
    let mut tags: Vec<String> = serde_json::from_value(doc["tags"].take()).ok()?;
    tags.sort();
    let start = last.map_or(0, |l| {
        tags.iter().position(|t| *t > l).unwrap_or(tags.len())
    });
    let page: Vec<String> = tags.iter().skip(start).take(n).cloned().collect();
    let next = (start + page.len() < tags.len()).then(|| {
        format!(
            "{base}?n={n}&last={}",
            page.last().cloned().unwrap_or_default()
        )
    });
    doc["tags"] = serde_json::json!(page);
    Some((doc.to_string(), next))
}
