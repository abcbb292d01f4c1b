//! The real command-line tools from the test bed, each run with an isolated HOME so no user
//! configuration (docker credentials, TUF caches, cosign keys) leaks in or out.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use super::testbed_bin;

/// Environment variables that would change cosign's trust if inherited from the caller.
const TRUST_VARIABLES: &[&str] = &[
    "SIGSTORE_ROOT_FILE",
    "SIGSTORE_REKOR_PUBLIC_KEY",
    "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE",
    "SIGSTORE_TSA_CERTIFICATE_FILE",
    "TUF_ROOT",
    "DOCKER_CONFIG",
    "COSIGN_REPOSITORY",
    "COSIGN_DOCKER_MEDIA_TYPES",
];

/// A TUF mirror that is never there (a closed loopback port), for `remote.json`.
const CLOSED_TUF_MIRROR: &str = r#"{"mirror":"http://127.0.0.1:1"}"#;

/// The tools and their private home folder.
pub struct Tools {
    bin: PathBuf,
    home: PathBuf,
}

impl Tools {
    /// One instance per test binary.
    pub fn get() -> &'static Tools {
        static TOOLS: OnceLock<Tools> = OnceLock::new();
        TOOLS.get_or_init(|| {
            let home = tempfile::Builder::new()
                .prefix("sigscope-tools-home-")
                .tempdir()
                .expect("temp home")
                .keep();
            // Network guard: cosign (v3 and 2.5) reaches for the public TUF mirror whenever its
            // trust is incomplete. Pointing TUF at a closed loopback port makes that fail at once
            // and locally instead of leaving the machine (tests talk to loopback only).
            let tuf = home.join(".sigstore/root");
            std::fs::create_dir_all(&tuf).expect("TUF folder");
            std::fs::write(tuf.join("remote.json"), CLOSED_TUF_MIRROR).expect("remote.json");
            Tools {
                bin: testbed_bin().to_path_buf(),
                home,
            }
        })
    }

    fn command(&self, name: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(name));
        for var in TRUST_VARIABLES {
            cmd.env_remove(var);
        }
        cmd.env("HOME", &self.home)
            .env("DOCKER_CONFIG", self.home.join(".docker"))
            .env("TUF_ROOT", self.home.join(".sigstore/root"))
            .env("TUF_MIRROR", "http://127.0.0.1:1")
            .env("COSIGN_PASSWORD", "")
            .env("NO_COLOR", "1");
        cmd
    }

    /// cosign v3 (the newest 3.x the module proxy serves): the reference verdicts.
    pub fn cosign(&self) -> Command {
        self.command("cosign")
    }

    /// cosign 2.5 from Debian: the writer of legacy `.sig`/`.att` material as cosign 2.x left it
    /// in registries, and the second verdict the differential suites record.
    pub fn cosign2(&self) -> Command {
        self.command("cosign2")
    }

    /// The GitHub CLI, for `gh attestation verify` run offline.
    pub fn gh(&self) -> Command {
        let mut cmd = self.command("gh");
        cmd.env("GH_NO_UPDATE_NOTIFIER", "1")
            .env("GH_PROMPT_DISABLED", "1")
            // gh asks for a login before it reads an image, even from the registry alone.
            .env("GH_TOKEN", "offline-test-token-never-sent")
            .env("GH_CONFIG_DIR", self.home.join(".config/gh"));
        cmd
    }

    /// The notation CLI, with its configuration in the private home.
    pub fn notation(&self) -> Command {
        let mut cmd = self.command("notation");
        cmd.env("XDG_CONFIG_HOME", self.home.join(".config"));
        cmd
    }

    /// sigstore's `timestamp-server` (an RFC 3161 timestamp authority).
    pub fn timestamp_server(&self) -> Command {
        self.command("timestamp-server")
    }

    pub fn oras(&self) -> Command {
        self.command("oras")
    }

    /// sigstore-go 1.x's `examples/sigstore-go-verification`.
    pub fn sigstore_go_verification(&self) -> Command {
        self.command("sigstore-go-verification")
    }

    pub fn home(&self) -> &Path {
        &self.home
    }
}

/// Runs a command and returns its output, whatever the exit status.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs a command that must succeed and returns its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a verification tool said: whether it accepted, and its combined output for messages.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub accepted: bool,
    pub output: String,
}

pub fn verdict(cmd: &mut Command) -> Verdict {
    let out = run(cmd);
    Verdict {
        accepted: out.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
