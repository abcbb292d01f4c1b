//! Real TUF repositories on loopback: python-tuf (from the test bed) builds them with
//! `tuf_repo.py`, and a small static file server serves them on 127.0.0.1, recording every
//! request's path and headers. The server can stop answering (it accepts and never replies) to
//! play a mirror gone silent.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use super::testbed_bin;

/// One request the mirror received.
#[derive(Debug, Clone)]
pub struct MirrorRequest {
    pub path: String,
    /// Header lines, lowercased names: `authorization: …`.
    pub headers: Vec<String>,
}

/// A TUF repository built by python-tuf and served on loopback.
pub struct TufMirror {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<MirrorRequest>>>,
    silent: Arc<AtomicBool>,
}

impl TufMirror {
    /// Version 1 of every role, `target` published as trusted_root.json.
    pub fn new(target: &Path) -> TufMirror {
        let dir = tempfile::Builder::new()
            .prefix("sigscope-tuf-")
            .tempdir()
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests: Arc<Mutex<Vec<MirrorRequest>>> = Arc::default();
        let silent: Arc<AtomicBool> = Arc::default();
        let (root, seen, quiet) = (dir.path().join("repo"), requests.clone(), silent.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, seen, quiet) = (root.clone(), seen.clone(), quiet.clone());
                thread::spawn(move || serve(stream, &root, &seen, &quiet));
            }
        });
        let mirror = TufMirror {
            dir,
            addr,
            requests,
            silent,
        };
        mirror.run("init", Some(target));
        mirror
    }

    /// Runs a `tuf_repo.py` command on the repository (see the script for the commands).
    pub fn run(&self, command: &str, file: Option<&Path>) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/tuf_repo.py");
        let mut cmd = Command::new(testbed_bin().join("python-tuf"));
        cmd.arg(&script).arg(self.dir.path()).arg(command);
        if let Some(file) = file {
            cmd.arg(file);
        }
        let out = cmd
            .output()
            .expect("python-tuf (scripts/testbed installs it)");
        assert!(
            out.status.success(),
            "tuf_repo.py {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The first root, as a client is given it (`--tuf-root`).
    pub fn first_root(&self) -> PathBuf {
        self.dir.path().join("repo/1.root.json")
    }

    pub fn requests(&self) -> Vec<MirrorRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// From now on every connection is accepted and never answered.
    pub fn go_silent(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }
}

fn serve(stream: TcpStream, root: &Path, seen: &Mutex<Vec<MirrorRequest>>, silent: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
            break;
        }
        headers.push(header.trim_end().to_ascii_lowercase());
    }
    let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
    seen.lock().unwrap().push(MirrorRequest {
        path: path.clone(),
        headers,
    });
    if silent.load(Ordering::SeqCst) {
        // Hold the connection open, say nothing.
        thread::sleep(std::time::Duration::from_secs(60));
        return;
    }
    let relative = path.trim_start_matches('/');
    let file = (!relative.split('/').any(|c| c == ".." || c.is_empty()))
        .then(|| std::fs::read(root.join(relative)).ok())
        .flatten();
    let mut stream = stream;
    let _ = match file {
        Some(body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(&body)
        }
        None => write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    };
}
