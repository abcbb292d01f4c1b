//! The real binary in a real terminal: tmux runs `sigscope` at 120×40, the test reads the screen
//! with `capture-pane`, presses keys, and checks that `q` exits and leaves the terminal restored
//! (cooked mode, primary screen).

use std::time::Duration;

use crate::support::scenario::Scenario;
use crate::support::tmux::{Terminal, TerminalSetup};

/// One tmux server and session at 120×40, on a private socket, killed when dropped.
struct Session(Terminal);

const KEY_GAP: Duration = Duration::from_millis(60);

impl Session {
    fn start(args: &[&str]) -> Session {
        Session::start_with(args, &[])
    }

    /// Starts `sigscope ARGS` with extra environment variables (`-e NAME=VALUE` each).
    fn start_with(args: &[&str], env: &[(&str, String)]) -> Session {
        Session(Terminal::start(
            args,
            &TerminalSetup {
                width: 120,
                height: 40,
                conf: "",
                before: "",
                // After sigscope exits, the terminal mode.
                after: "stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon';",
                env,
                server_env: &[],
            },
        ))
    }

    fn tmux(&self, args: &[&str]) -> String {
        self.0.tmux(args)
    }

    fn screen(&self) -> String {
        self.0.screen()
    }

    fn wait_for(&self, needle: &str) -> String {
        self.0.wait_for(needle, Duration::from_secs(30))
    }

    /// Types `text` literally (`^`, `$` and `\\` included).
    fn type_text(&self, text: &str) {
        self.0.type_text(text, KEY_GAP);
    }

    fn keys(&self, keys: &[&str]) {
        self.0.keys(keys, KEY_GAP);
    }

    /// The screen once the tags pane's row of `tag` shows `text` (tags finish verifying in any
    /// order: wait for the one that matters).
    fn wait_for_row(&self, tag: &str, text: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let screen = self.screen();
            if row(&screen, tag).is_some_and(|r| r.contains(text)) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {text:?} on the row of {tag}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `q` quits with status 0, the terminal is back in cooked mode and on the primary screen.
    fn quit_and_check_restored(&self) {
        self.keys(&["q"]);
        let screen = self.wait_for("sigscope exited");
        assert!(screen.contains("sigscope exited 0"), "{screen}");
        let mode = self.wait_for("icanon");
        assert!(
            mode.lines().any(|l| l.trim() == "icanon"),
            "raw mode left on:\n{mode}"
        );
        assert_eq!(self.tmux(&["display", "-p", "#{alternate_on}"]).trim(), "0");
    }
}

/// The line of `screen` whose first cell (after a border and a `!` or space mark) is `tag`.
fn row<'a>(screen: &'a str, tag: &str) -> Option<&'a str> {
    screen.lines().find(|l| {
        let cell = l.trim_start_matches('│').trim_start_matches(['!', ' ']);
        cell.split_whitespace().next() == Some(tag)
    })
}

#[test]
fn the_demo_streams_in_verified_and_drills_down_to_a_fulcio_extension() {
    let session = Session::start(&["demo"]);
    let screen = session.wait_for("v2.0.0-rc1");
    assert!(
        screen.contains("ghcr.io/acme/app (embedded demo)"),
        "{screen}"
    );
    let screen = session.wait_for("14 tags");
    assert!(screen.contains("✗ failed"), "{screen}");
    assert_eq!(
        session.tmux(&["display", "-p", "#{alternate_on}"]).trim(),
        "1"
    );
    // v1.0.0 → signature → certificate → Fulcio extensions.
    session.keys(&[
        "j", "Enter", "Down", "Right", "Down", "Down", "Right", "Right", "Right",
    ]);
    let screen = session.wait_for("Build Signer URI");
    assert!(screen.contains("artifacts v1.0.0"), "{screen}");
    session.keys(&["?"]);
    session.wait_for("any other key closes)");
    session.keys(&["Escape", "/", "1.6", "Enter"]);
    let screen = session.wait_for("(2 shown)");
    assert!(screen.contains("v1.6.1"), "{screen}");
    session.quit_and_check_restored();
}

#[test]
fn a_registry_repository_opens_in_the_tui_at_a_terminal() {
    let scenario = Scenario::shared();
    let session = Session::start(&["--allow-http-registry", &scenario.repository]);
    let screen = session.wait_for("v1.9.0-rc1");
    assert!(screen.contains(&scenario.repository), "{screen}");
    session.wait_for(" tags  sort:");
    let screen = session.screen();
    assert!(screen.contains("unsigned"), "{screen}");
    assert!(screen.contains("signed"), "{screen}");
    session.keys(&["v"]);
    session.wait_for("verify every tag");
    session.keys(&["Escape"]);
    session.quit_and_check_restored();
}

/// The scenario's own Sigstore, trusted the way cosign is told to (its environment variables).
fn scenario_trust(scenario: &Scenario) -> Vec<(&'static str, String)> {
    vec![
        (
            "SIGSTORE_ROOT_FILE",
            scenario.trust.roots.display().to_string(),
        ),
        (
            "SIGSTORE_REKOR_PUBLIC_KEY",
            scenario.trust.rekor_key.display().to_string(),
        ),
        (
            "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE",
            scenario.trust.ct_log_key.display().to_string(),
        ),
    ]
}

/// Against the real registry: tags and the orphan appear, the CI builds are verified from the
/// dialog's pick list (offered once, as an anchored pattern), the person's build shows its
/// failed identity check with expected and actual, and the signer view marks that build.
#[test]
fn verifying_the_registry_from_the_dialog_and_the_signer_view_mark_the_odd_build() {
    let scenario = Scenario::shared();
    let session = Session::start_with(
        &["--allow-http-registry", &scenario.repository],
        &scenario_trust(scenario),
    );
    session.wait_for("v1.9.0-rc1");
    let screen = session.wait_for(" tags  sort:");
    assert!(
        screen.contains("(orphan)"),
        "the untagged digest is listed:\n{screen}"
    );
    session.keys(&["v"]);
    let pattern = r"/^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/.+$/";
    let screen = session.wait_for("verify every tag");
    assert!(screen.contains(pattern), "{screen}");
    assert!(
        !screen.contains("release.yml@refs/tags/v1.0.0 from"),
        "per-build identities are not offered one by one:\n{screen}"
    );
    // The default is the majority's signer (the CI pattern), not the alphabetically first
    // (alice): Enter alone verifies the CI builds.
    session.keys(&["Enter"]);
    session.wait_for("for /^https://github");
    // Tags are verified concurrently and finish in any order: wait for each verdict that
    // matters. The CI builds verify (the majority's), the person's and the copied one fail.
    for ci in ["v1.0.0", "v1.3.0", "v2.0.0", "v3.1.0"] {
        session.wait_for_row(ci, "✓ verified");
    }
    for odd in ["v1.6.0", "v1.7.0"] {
        session.wait_for_row(odd, "✗ failed");
    }
    let screen = session.wait_for_row("v1.9.0-rc1", "unsigned");
    assert!(
        !row(&screen, "v1.9.0-rc1").is_some_and(|r| r.contains("✓")),
        "{screen}"
    );
    // The person's build: its identity check failed, expected and actual side by side.
    session.keys(&["/"]);
    session.type_text("v1.6.0");
    session.keys(&["Enter"]);
    session.wait_for("NOT VERIFIED");
    // The dialog lists the selected tag's checks, failures first, with room for all of them.
    session.keys(&["v"]);
    let screen = session.wait_for("v1.6.0: checks, failures first");
    let checks: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("checks, failures first"))
        .collect();
    let first_check = checks
        .iter()
        .position(|l| l.contains(" ✓ ") || l.contains(" ✗ "));
    assert!(
        first_check.is_some_and(|i| checks[i].contains("✗ identity")),
        "the failed identity check comes first:\n{screen}"
    );
    assert!(screen.contains("expected /^https://github"), "{screen}");
    assert!(screen.contains("actual   alice@acme.example"), "{screen}");
    session.keys(&["Escape", "Escape", "s"]);
    let screen = session.wait_for("signers:");
    let odd = screen
        .lines()
        .find(|l| l.contains("!v1.6.0"))
        .unwrap_or_else(|| panic!("v1.6.0 not marked:\n{screen}"));
    assert!(odd.contains("alice@acme.example"), "{odd}");
    assert!(
        screen
            .lines()
            .any(|l| l.contains(" v1.0.0") && !l.contains("!v1.0.0")),
        "a CI build is not marked:\n{screen}"
    );
    assert!(screen.contains("UNSIGNED"), "{screen}");
    session.keys(&["Escape"]);
    session.quit_and_check_restored();
}

/// The signer view lists every signature of a build: v1.3.0 carries the release workflow's
/// cosign signature and a Notary Project signature, one line each; the signature copied from
/// v1.0.0 onto v2.2.0-mismatched stands out as copied, with that reason spelled out.
#[test]
fn the_signer_view_shows_both_signers_of_a_build_and_flags_the_copied_signature() {
    let scenario = Scenario::shared();
    let session = Session::start(&["--allow-http-registry", &scenario.repository]);
    // Every tag inspected: the signer view is made of the tags loaded when it opens.
    session.wait_for(" tags  sort:");
    session.keys(&["s"]);
    let screen = session.wait_for("stand out");
    let lines: Vec<&str> = screen.lines().collect();
    let at = |tag: &str| {
        lines
            .iter()
            .position(|l| row(l, tag).is_some())
            .unwrap_or_else(|| panic!("no line for {tag}:\n{screen}"))
    };
    let both = at("v1.3.0");
    assert!(
        lines[both].contains("acme/app/") && lines[both].contains("release.yml"),
        "the CI signer of v1.3.0:\n{screen}"
    );
    // Its second signature on the next line, marked as another signature of the same build.
    let second = lines[both + 1];
    assert!(
        second.contains(" + ")
            && second.contains("CN=scenario fulcio")
            && second.contains("notation"),
        "the Notary Project signer of v1.3.0:\n{screen}"
    );
    assert!(
        !lines[both].contains("!v1.3.0"),
        "a build signed by CI and another signer does not stand out:\n{screen}"
    );
    // The copied signature: marked, flagged COPIED, and its reason below when selected (the
    // name may be cut with an ellipsis to fit its column).
    let copied = lines
        .iter()
        .position(|l| l.contains("v2.2.0-m"))
        .unwrap_or_else(|| panic!("no line for v2.2.0-mismatched:\n{screen}"));
    assert!(
        lines[copied].contains("!v2.2.0-m") && lines[copied].contains("COPIED"),
        "{}",
        lines[copied]
    );
    // The selection starts on the first build's line, just below the majority's.
    let first = lines
        .iter()
        .position(|l| l.contains("most builds"))
        .unwrap_or_else(|| panic!("no majority line:\n{screen}"))
        + 1;
    session.keys(&vec!["Down"; copied - first]);
    let screen = session.wait_for("v2.2.0-mismatched (1 signature)");
    assert!(
        screen.contains("signature copied from another image"),
        "{screen}"
    );
    // The two-signature build's detail counts both.
    session.keys(&vec!["Up"; copied - both]);
    let screen = session.wait_for("v1.3.0 (2 signatures)");
    assert!(screen.contains("like the majority"), "{screen}");
    session.keys(&["Escape"]);
    session.quit_and_check_restored();
}

/// A key path that does not exist, typed in the verify dialog: the dialog stays open with the
/// error (`~` expanded to the home folder), no tag is marked and nothing is left "verifying".
#[test]
fn a_bad_key_path_shows_its_error_in_the_dialog_without_closing_it() {
    let scenario = Scenario::shared();
    let home = tempfile::tempdir().unwrap();
    let session = Session::start_with(
        &["--allow-http-registry", &scenario.repository],
        &[("HOME", home.path().display().to_string())],
    );
    session.wait_for(" tags  sort:");
    session.keys(&["v"]);
    session.wait_for("verify every tag");
    // Seen signers → typed identity → key file.
    session.keys(&["Tab", "Tab"]);
    session.wait_for("key file   ");
    session.type_text("~/does-not-exist.pub");
    session.keys(&["Enter"]);
    let expanded = home.path().join("does-not-exist.pub");
    let screen = session.wait_for(&format!("reading the key {}", expanded.display()));
    assert!(
        screen.contains("verify every tag"),
        "the dialog stays open:\n{screen}"
    );
    assert!(!screen.contains("verifying every tag"), "{screen}");
    assert!(!screen.contains("unchecked"), "{screen}");
    // Closed, the tags are as they were: not verified, no policy in force.
    session.keys(&["Escape"]);
    let screen = session.wait_for(" tags  sort:");
    assert!(!screen.contains("verify every tag"), "{screen}");
    assert!(!screen.contains("✗ failed"), "{screen}");
    assert!(!screen.contains("for key"), "{screen}");
    session.quit_and_check_restored();
}

#[test]
fn without_a_terminal_a_bare_target_is_still_text_and_no_target_prints_a_hint() {
    let out = crate::support::sigscope().output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("run it in a terminal"), "{text}");
}

/// The TUI takes the trust options every mode takes, and its verify dialog says which trusted
/// root is in force: a file, a TUF mirror (with its versions), or cosign's variables.
#[test]
fn the_tui_opens_with_each_trust_source_and_its_verify_dialog_names_it() {
    let scenario = Scenario::shared();
    let file = scenario.trusted_root.display().to_string();
    let verify_tags = |session: &Session| {
        session.wait_for(" tags  sort:");
        session.keys(&["v"]);
        session.wait_for("verify every tag");
        // The CI pattern (after alice), verified against the trust in force.
        session.keys(&["Down", "Enter"]);
        session.wait_for("✓ verified");
        session.keys(&["v"]);
        session.wait_for("verify every tag")
    };

    let session = Session::start(&[
        "--trusted-root",
        &file,
        "--allow-http-registry",
        &scenario.repository,
    ]);
    let screen = verify_tags(&session);
    assert!(screen.contains("trust      file /"), "{screen}");
    session.keys(&["Escape"]);
    session.quit_and_check_restored();

    let mirror = crate::support::tuf::TufMirror::new(&scenario.trusted_root);
    let cache = tempfile::tempdir().unwrap();
    let root = mirror.first_root().display().to_string();
    let url = mirror.url();
    let session = Session::start_with(
        &[
            "--tuf-mirror",
            &url,
            "--tuf-root",
            &root,
            "--allow-http-registry",
            &scenario.repository,
        ],
        &[
            ("SIGSCOPE_OFFLINE", "0".into()),
            ("SIGSCOPE_NO_CACHE", "0".into()),
            ("SIGSCOPE_CACHE_DIR", cache.path().display().to_string()),
        ],
    );
    let screen = verify_tags(&session);
    assert!(
        screen.contains(&format!("TUF {url} (root v1, targets v1")),
        "{screen}"
    );
    session.keys(&["Escape"]);
    session.quit_and_check_restored();

    let session = Session::start_with(
        &["--allow-http-registry", &scenario.repository],
        &scenario_trust(scenario),
    );
    let screen = verify_tags(&session);
    assert!(
        screen.contains("embedded public-good trusted root with SIGSTORE_ROOT_FILE"),
        "{screen}"
    );
    assert!(screen.contains("⚠ offline, nothing cached"), "{screen}");
    session.keys(&["Escape"]);
    session.quit_and_check_restored();
}
