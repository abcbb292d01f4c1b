//! Terminal safety: an image whose config labels, signature annotations, certificate SAN and
//! Fulcio extensions carry escape sequences (clear screen, OSC 52 clipboard write, OSC 0/2 title
//! change, the C1 CSI 0x9b, the bidi override U+202E), published with real oras and cosign. Text
//! output shows them escaped and never emits them; JSON escapes them and keeps their values. The
//! TUI side is in `tui_hostile.rs`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;
use sigscope_core::fixture::{Identity, San, SigningOptions, VirtualSigstore};

use crate::inspect::tag;
use crate::support::SIGNED_AT;
use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::publish::{attach_keyless, push_image, simple_image};
use crate::support::registry::Registry;
use crate::support::tools::{Tools, run_ok};

pub const CLEAR: &str = "\x1b[2J";
pub const OSC52: &str = "\x1b]52;c;aGlqYWNr\x07";
pub const TITLE0: &str = "\x1b]0;pwned-title\x07";
pub const TITLE2: &str = "\x1b]2;pwned-title2\x07";
pub const C1_CSI: &str = "\u{9b}31m";
pub const BIDI: &str = "\u{202E}";

/// Characters that must never reach a terminal from registry content.
pub const FORBIDDEN: &[char] = &['\x1b', '\x07', '\u{9b}', '\u{202e}'];

/// The hostile repository in the shared registry.
pub struct Hostile {
    /// `REG/hostile/app`
    pub repository: String,
}

impl Hostile {
    pub fn shared() -> &'static Hostile {
        static H: OnceLock<Hostile> = OnceLock::new();
        H.get_or_init(Hostile::build)
    }

    fn build() -> Hostile {
        let registry = Registry::shared();
        let repo = "hostile/app";
        let mut spec = simple_image(repo, "amd64");
        spec.labels.push((
            "org.opencontainers.image.title".into(),
            format!("label{CLEAR}{OSC52}{TITLE0}{C1_CSI}{BIDI}end"),
        ));
        let written = push_image(registry, repo, "v1", &spec);
        // A second tag for the error-message case (the proxy answers it with hostile text).
        push_image(registry, repo, "broken", &simple_image("broken", "amd64"));
        let image = format!("{}@{}", registry.repo(repo), written.digest);

        // Keyless: the SAN (an email: IA5String, so ASCII controls only) and Fulcio claims
        // (UTF8String: C1 and bidi too) carry the sequences.
        let identity = Identity {
            san: San::Email(format!("evil{CLEAR}{OSC52}{TITLE0}@example.com")),
            issuer: "https://issuer.example".into(),
            claims: BTreeMap::from([
                (12, format!("https://repo.example/{C1_CSI}{BIDI}{TITLE2}")),
                (14, format!("refs/tags/{OSC52}v1")),
                (20, format!("push{CLEAR}")),
            ]),
        };
        let mut sigstore = VirtualSigstore::new("hostile", SIGNED_AT - 86_400).unwrap();
        let work = tempfile::tempdir().unwrap();
        attach_keyless(
            &mut sigstore,
            &identity,
            &image,
            SIGNED_AT,
            SigningOptions::default(),
            work.path(),
        );
        // Keyed: cosign's `-a` annotations land in the simple-signing payload.
        let cosign = |args: &[&str]| {
            let mut c = Tools::get().cosign2();
            c.current_dir(work.path()).args(args);
            c
        };
        run_ok(&mut cosign(&["generate-key-pair"]));
        let note = format!("note={CLEAR}{OSC52}{TITLE0}{TITLE2}{C1_CSI}{BIDI}x");
        run_ok(&mut cosign(&[
            "sign",
            "--yes",
            "--key",
            "cosign.key",
            "--tlog-upload=false",
            "--allow-http-registry",
            "-a",
            &note,
            &image,
        ]));
        Hostile {
            repository: registry.repo(repo),
        }
    }

    /// A fault proxy in front of the registry whose answer for the `broken` tag is a registry
    /// error message carrying the sequences.
    pub fn proxy(&self) -> (FaultProxy, String) {
        let proxy = FaultProxy::start(Registry::shared().addr());
        let message = format!("denied{CLEAR}{OSC52}{TITLE0}{C1_CSI}{BIDI}");
        let body = serde_json::json!({"errors": [{"code": "DENIED", "message": message}]});
        proxy.add(
            "/manifests/broken",
            Fault::Body {
                code: 500,
                body: body.to_string(),
            },
        );
        let (_, path) = self.repository.split_once('/').unwrap();
        let target = format!("{}/{path}", proxy.host());
        (proxy, target)
    }
}

fn sigscope(args: &[&str]) -> (i32, String, String) {
    let out = crate::support::sigscope()
        .args(args)
        .env("HOME", "/nonexistent")
        .env_remove("DOCKER_CONFIG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Fails naming the first forbidden character found in `text`.
pub fn assert_no_escapes(what: &str, text: &str) {
    if let Some((i, c)) = text.char_indices().find(|(_, c)| FORBIDDEN.contains(c)) {
        let from = text[..i].char_indices().rev().nth(80).map_or(0, |(j, _)| j);
        panic!(
            "{what} carries {c:?} at byte {i}: {:?}",
            &text[from..(i + 1).min(text.len())]
        );
    }
}

#[test]
fn inspect_text_shows_hostile_strings_escaped_and_never_emits_them() {
    let hostile = Hostile::shared();
    let (proxy, target) = hostile.proxy();
    let (code, stdout, stderr) = sigscope(&["inspect", "--allow-http-registry", &target]);
    assert_eq!(
        code, 2,
        "the broken tag could not be read:\n{stdout}{stderr}"
    );
    assert!(!proxy.faulted().is_empty());
    let all = format!("{stdout}{stderr}");
    assert_no_escapes("inspect text output", &all);
    // The content is shown, escaped: the SAN, the Fulcio claims, the annotation and the
    // registry's error message.
    for shown in [
        r"evil\u{1b}[2J\u{1b}]52;c;aGlqYWNr\u{7}\u{1b}]0;pwned-title\u{7}@example.com",
        r"repo https://repo.example/\u{9b}31m\u{202e}\u{1b}]2;pwned-title2\u{7}",
        r"ref refs/tags/\u{1b}]52;c;aGlqYWNr\u{7}v1",
        r"denied\u{1b}[2J\u{1b}]52;c;",
    ] {
        assert!(all.contains(shown), "{shown} not in:\n{all}");
    }
    // The annotation value is printed as JSON text: escaped as JSON does, C1 and bidi too.
    assert!(all.contains("annotation note="), "{all}");
}

#[test]
fn inspect_json_escapes_hostile_strings_and_keeps_their_values() {
    let hostile = Hostile::shared();
    let (_proxy, target) = hostile.proxy();
    let (code, stdout, stderr) = sigscope(&[
        "inspect",
        "--output",
        "json",
        "--allow-http-registry",
        &target,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_no_escapes("inspect JSON output", &format!("{stdout}{stderr}"));
    assert!(stdout.contains(r"\u001b]52;c;"), "{stdout}");
    assert!(stdout.contains(r"\u009b") && stdout.contains(r"\u202e"));
    // Parsed back, the values are exactly what the registry holds.
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let text = doc.to_string();
    let v1 = tag(&doc, "v1");
    let mut strings = Vec::new();
    collect_strings(v1, &mut strings);
    assert!(
        strings
            .iter()
            .any(|s| s.contains(OSC52) && s.contains("@example.com")),
        "the SAN with its OSC 52 sequence: {text}"
    );
    assert!(
        strings
            .iter()
            .any(|s| s.contains(&format!("{C1_CSI}{BIDI}")))
    );
    let broken = tag(&doc, "broken")["error"].as_str().unwrap();
    assert!(broken.contains(OSC52), "{broken:?}");
}

fn collect_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}
