//! The real binary in a real terminal: a tmux server on a private socket runs `sigscope` in a
//! detached session of a given size; tests read the screen with `capture-pane` and press keys.
//! The server is killed when the [`Terminal`] is dropped.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How the terminal is set up.
pub struct TerminalSetup<'a> {
    pub width: u16,
    pub height: u16,
    /// tmux configuration lines (empty: none).
    pub conf: &'a str,
    /// Shell run before sigscope (e.g. a delay).
    pub before: &'a str,
    /// Shell run after sigscope exits (its status is echoed first: `sigscope exited N`).
    pub after: &'a str,
    /// Environment for the session (`-e NAME=VALUE`).
    pub env: &'a [(&'a str, String)],
    /// Extra variables for the tmux server, and so for everything it runs.
    pub server_env: &'a [(&'a str, &'a str)],
}

pub struct Terminal {
    socket: String,
    dir: tempfile::TempDir,
}

impl Terminal {
    /// Starts `sigscope ARGS` (each argument single-quoted) in a new session.
    pub fn start(args: &[&str], setup: &TerminalSetup) -> Terminal {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tmux.sock").display().to_string();
        let conf = dir.path().join("tmux.conf");
        std::fs::write(&conf, setup.conf).unwrap();
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let script = format!(
            "{} '{}' {}; echo \"sigscope exited $?\"; {} sleep 600",
            setup.before,
            env!("CARGO_BIN_EXE_sigscope"),
            quoted.join(" "),
            setup.after,
        );
        let (width, height) = (setup.width.to_string(), setup.height.to_string());
        let mut command = Command::new("tmux");
        command
            .args(["-S", &socket, "-f"])
            .arg(&conf)
            .args(["new-session", "-d", "-x", &width, "-y", &height])
            .args(
                setup
                    .env
                    .iter()
                    .flat_map(|(k, v)| ["-e".to_owned(), format!("{k}={v}")]),
            )
            .args(["sh", "-c", &script])
            .env_remove("NO_COLOR")
            // Tests never touch the user's content cache.
            .env("SIGSCOPE_NO_CACHE", "1")
            // …and never the public TUF mirrors (`-e SIGSCOPE_OFFLINE=0` for a loopback one).
            .env("SIGSCOPE_OFFLINE", "1")
            .env("TERM", "xterm-256color");
        for (k, v) in setup.server_env {
            command.env(k, v);
        }
        let status = command
            .status()
            .expect("tmux (installed by scripts/testbed)");
        assert!(status.success());
        Terminal { socket, dir }
    }

    /// A folder that lives as long as the terminal.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs a tmux command against this server; its standard output.
    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-S", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    /// The screen once it shows `needle`; fails the test after `within`.
    pub fn wait_for(&self, needle: &str, within: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                start.elapsed() < within,
                "timed out waiting for {needle:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Presses each key (tmux key names), pausing `gap` after each.
    pub fn keys(&self, keys: &[&str], gap: Duration) {
        for k in keys {
            self.tmux(&["send-keys", k]);
            std::thread::sleep(gap);
        }
    }

    /// Types `text` literally (`^`, `$` and `\\` included).
    pub fn type_text(&self, text: &str, gap: Duration) {
        self.tmux(&["send-keys", "-l", text]);
        std::thread::sleep(gap);
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}
