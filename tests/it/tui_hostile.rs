//! The real TUI in tmux against hostile registries: content carrying escape sequences never
//! reaches the terminal (tmux with `set-clipboard on` keeps no paste buffer, the pane title does
//! not change, the raw byte stream the program wrote holds none of the sequences, the screen shows
//! their escaped forms), and a registry that stalls does not freeze the interface.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::hostile::{FORBIDDEN, Hostile};
use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::registry::Registry;
use crate::support::tmux::{Terminal, TerminalSetup};

/// One tmux server with `set-clipboard on`, recording every byte the pane's program writes.
struct Hostage(Terminal);

impl Hostage {
    fn start(args: &[&str]) -> Hostage {
        let terminal = Terminal::start(
            args,
            &TerminalSetup {
                width: 140,
                height: 40,
                // Clipboard writes by OSC 52 become tmux paste buffers; titles may change.
                conf: "set -s set-clipboard on\nset -g allow-rename on\nset -g set-titles on\n",
                // The delay lets pipe-pane attach before sigscope writes its first byte.
                before: "sleep 1;",
                after: "",
                env: &[],
                server_env: &[("HOME", "/nonexistent")],
            },
        );
        let session = Hostage(terminal);
        let raw = session.raw_path();
        session
            .0
            .tmux(&["pipe-pane", "-o", &format!("cat >> '{}'", raw.display())]);
        session
    }

    fn raw_path(&self) -> PathBuf {
        self.0.dir().join("pane.raw")
    }

    fn screen(&self) -> String {
        self.0.screen()
    }

    fn wait_for(&self, needle: &str, within: Duration) -> String {
        self.0.wait_for(needle, within)
    }

    fn keys(&self, keys: &[&str]) {
        self.0.keys(keys, Duration::from_millis(80));
    }

    fn title(&self) -> String {
        self.0.tmux(&["display", "-p", "#{pane_title}"])
    }

    fn buffers(&self) -> String {
        self.0.tmux(&["list-buffers"])
    }
}

/// The sequences' tell-tale parts, as bytes a terminal would act on.
fn assert_raw_stream_clean(raw: &Path) {
    let bytes = std::fs::read(raw).unwrap();
    assert!(bytes.len() > 1000, "pipe-pane recorded the session");
    let text = String::from_utf8_lossy(&bytes);
    for bad in [
        "\x1b]52",
        "\x1b]0;",
        "\x1b]2;",
        "pwned-title\x07",
        "\u{9b}",
        "\u{202e}",
    ] {
        assert!(
            !text.contains(bad),
            "the program wrote {bad:?} to the terminal"
        );
    }
    // The hostile text did get drawn, escaped.
    assert!(
        text.contains("pwned-title"),
        "the hostile strings were shown"
    );
}

#[test]
fn hostile_strings_never_reach_the_terminal_in_the_tui() {
    let hostile = Hostile::shared();
    let (_proxy, target) = hostile.proxy();
    let session = Hostage::start(&["--allow-http-registry", &target]);
    let title_before = session.title();
    let screen = session.wait_for("broken", Duration::from_secs(30));
    assert!(screen.contains("v1"), "{screen}");
    // v1 (sorted after broken) → its artifact tree, every node in turn, then the verify dialog
    // that lists the signers seen.
    let mut screens = vec![screen];
    session.keys(&["j", "Enter"]);
    for _ in 0..14 {
        session.keys(&["Right", "Down"]);
        screens.push(session.screen());
    }
    session.keys(&["r"]);
    screens.push(session.screen());
    session.keys(&["r", "Escape", "k", "Enter"]);
    screens.push(session.screen());
    session.keys(&["Escape", "v"]);
    screens.push(session.wait_for("seen on signatures", Duration::from_secs(10)));
    let all = screens.join("\n");
    for screen in &screens {
        for c in FORBIDDEN {
            assert!(!screen.contains(*c), "{c:?} on screen:\n{screen}");
        }
    }
    // The escaped forms are what the screen shows (a certificate field and the signer list).
    assert!(all.contains(r"\u{1b}]52;c;aGlqYWNr"), "{all}");
    assert!(all.contains(r"\u{1b}]0;pwned-title\u{7}"), "{all}");
    session.keys(&["Escape", "q"]);
    session.wait_for("sigscope exited 0", Duration::from_secs(10));

    assert_eq!(
        session.buffers().trim(),
        "",
        "OSC 52 reached tmux's clipboard"
    );
    let title_after = session.title();
    assert_eq!(title_after, title_before, "the pane title changed");
    assert!(!title_after.contains("pwned"), "{title_after}");
    assert_raw_stream_clean(&session.raw_path());
}

#[test]
fn the_tui_answers_keys_while_the_registry_stalls() {
    let proxy = FaultProxy::start(Registry::shared().addr());
    // Every tag list request is read and never answered (for two minutes).
    proxy.add("/tags/list", Fault::Stall);
    let hostile = Hostile::shared();
    let (_, path) = hostile.repository.split_once('/').unwrap();
    let target = format!("{}/{path}", proxy.host());
    let session = Hostage::start(&["--allow-http-registry", &target]);
    session.wait_for(&target, Duration::from_secs(20));
    let started = Instant::now();
    while proxy.faulted().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "no request");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The request hangs; keys still act at once.
    let pressed = Instant::now();
    session.keys(&["?"]);
    session.wait_for("any other key closes)", Duration::from_secs(3));
    session.keys(&["Escape"]);
    session.keys(&["q"]);
    session.wait_for("sigscope exited 0", Duration::from_secs(3));
    assert!(
        pressed.elapsed() < Duration::from_secs(6),
        "keys waited on the registry: {:?}",
        pressed.elapsed()
    );
    assert_eq!(proxy.faulted().len(), 1, "{:?}", proxy.faulted());
}
