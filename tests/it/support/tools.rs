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
            .env("COSIGN_PASSWORD", "")
            .env("NO_COLOR", "1");
        cmd
    }

    pub fn cosign(&self) -> Command {
        self.command("cosign")
    }

    pub fn oras(&self) -> Command {
        self.command("oras")
    }

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
