//! Test support: the real components (registry, cosign, oras, sigstore-go) and the scenario
//! repository. Nothing here is a mock: every registry call goes to a `docker-registry` process.
#![allow(dead_code)]

pub mod cosigns;
pub mod fault_proxy;
pub mod layout;
pub mod malformed;
pub mod predicates;
pub mod publish;
pub mod registry;
pub mod scenario;
pub mod tmux;
pub mod token_server;
pub mod tools;
pub mod tsa;
pub mod tuf;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `sigscope` as the tests run it: never with the user's content cache (`SIGSCOPE_NO_CACHE`;
/// the tests of the cache remove it and name their own folder).
pub fn sigscope() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sigscope"));
    command.env("SIGSCOPE_NO_CACHE", "1");
    // Tests never reach the public TUF mirrors: trust comes from files, loopback mirrors, or the
    // embedded roots (the trust tests remove this for their loopback mirrors).
    command.env("SIGSCOPE_OFFLINE", "1");
    command
}

/// The folder holding the test bed's binaries: `SIGSCOPE_TESTBED_BIN` when set, otherwise what
/// `scripts/testbed` prints (it installs on first use and is instant when cached).
pub fn testbed_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(dir) = std::env::var_os("SIGSCOPE_TESTBED_BIN") {
            return PathBuf::from(dir);
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/testbed");
        let out = Command::new("bash")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "scripts/testbed failed; the integration tests need the real registry, cosign and \
             oras:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        PathBuf::from(stdout.lines().last().unwrap_or_default().trim())
    })
}

/// Starts `program` with `args` under a small shell watchdog that reads the returned child's
/// stdin pipe: when the test process ends, however it ends (statics are never dropped), the pipe
/// closes and the watchdog stops the program and removes `remove`. Output goes to `log`.
pub fn watched(
    program: &Path,
    args: &[String],
    log: &Path,
    remove: &Path,
) -> std::io::Result<std::process::Child> {
    let script = r#"
        log="$1"; remove="$2"; shift 2
        "$@" >"$log" 2>&1 &
        pid=$!
        cat >/dev/null
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rm -rf "$remove"
    "#;
    Command::new("sh")
        .args(["-c", script, "sigscope-watchdog"])
        .arg(log)
        .arg(remove)
        .arg(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
}

/// The public fixtures folder (`../shared/fixtures`), when it exists. Tests that need it say
/// plainly when they skip.
pub fn shared_fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    dir.is_dir().then_some(dir)
}

/// A fixed signing time for fixture material: 2026-09-21T14:13:20Z.
pub const SIGNED_AT: u64 = 1_790_000_000;

/// Appends a line to a report file in `SIGSCOPE_REPORT_DIR` (set by scripts/test, which prints
/// the totals after the run: test output is captured by the harness).
pub fn report(file: &str, line: &str) {
    use std::io::Write as _;
    let Some(dir) = std::env::var_os("SIGSCOPE_REPORT_DIR") else {
        return;
    };
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(Path::new(&dir).join(file))
    {
        let _ = writeln!(f, "{line}");
    }
}

/// Records one comparison with an oracle (a peer tool run on the same case): whether its
/// verdict and sigscope's agreed. scripts/test prints one line per oracle from these.
pub fn oracle(name: &str, case: &str, agreed: bool) {
    let verdict = if agreed { "agree" } else { "differ" };
    report("oracles.log", &format!("{name}\t{verdict}\t{case}"));
}
