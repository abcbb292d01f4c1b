//! `sigscope inspect --output json` over a whole repository writes its document tag by tag. The
//! bytes must be exactly those of the whole-document serialisation it replaced: here the real
//! binary's output is compared with the inventory the library collects from the same registry
//! content (written by real cosign and oras), serialised the old way (serde_json's pretty
//! printer, then every terminal-active character escaped as `\uXXXX`, then a newline).
//! Covered: the scenario repository (attestations, SBOMs, referrers, an orphan), the hostile
//! repository behind a proxy (escape sequences everywhere, a tag whose read fails with a hostile
//! message), and the public go-bazel OCI layout (a whole layout streams too).

use serde::Serialize;
use sigscope::inventory::model::Inventory;
use sigscope::registry::any::AnySource;
use sigscope::registry::remote::RemoteOptions;
use sigscope::target::Target;
use sigscope::untrusted::is_unsafe;

use crate::hostile::Hostile;
use crate::support::registry::RegistryKind;
use crate::support::scenario::Scenario;
use crate::support::shared_fixtures;

/// The document `inspect -o json` printed before streaming, built from a collected inventory.
#[derive(Serialize)]
struct WholeDocument<'a> {
    schema_version: u32,
    command: &'a str,
    target: String,
    #[serde(flatten)]
    inventory: &'a Inventory,
}

/// The whole document as the old printer wrote it: pretty JSON whose strings escape every
/// terminal-active character. serde_json already escapes C0 controls inside strings, so any such
/// character left in its output is inside a string, except the pretty printer's own newlines.
fn whole_document(target: &str, inventory: &Inventory) -> String {
    let document = WholeDocument {
        schema_version: 1,
        command: "inspect",
        target: target.to_owned(),
        inventory,
    };
    let pretty = serde_json::to_string_pretty(&document).unwrap();
    let mut out = String::with_capacity(pretty.len() + 1);
    for c in pretty.chars() {
        if c != '\n' && is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

/// The inventory the library collects for `target` (no disk cache, as the binary is run).
fn collected(target: &str) -> Inventory {
    let target = Target::parse(target).unwrap();
    let options = RemoteOptions {
        allow_http: true,
        ..RemoteOptions::default()
    };
    let source = AnySource::open(&target, options).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        sigscope::engine::inventory(&source, &target, sigscope::engine::Plan::default()).await
    })
}

/// Runs `sigscope inspect -o json TARGET`; returns the exit code and stdout.
fn inspect_json_bytes(target: &str) -> (i32, String) {
    let out = crate::support::sigscope()
        .args([
            "inspect",
            "--output",
            "json",
            "--allow-http-registry",
            "--no-cache",
            target,
        ])
        .env_remove("DOCKER_CONFIG")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap_or(-1), stdout)
}

/// Asserts the streamed output equals the whole document, byte for byte, and the exit code is
/// the one the whole inventory implies. Returns the inventory.
fn assert_streamed_equals_whole(target: &str) -> Inventory {
    let (code, streamed) = inspect_json_bytes(target);
    let inventory = collected(target);
    // The document names the target as parsed (`Target`'s display), as the binary does.
    let named = Target::parse(target).unwrap().to_string();
    let whole = whole_document(&named, &inventory);
    if streamed != whole {
        let at = streamed
            .bytes()
            .zip(whole.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(streamed.len().min(whole.len()));
        let from = at.saturating_sub(200);
        panic!(
            "streamed and whole documents differ at byte {at} (lengths {} and {}):\nstreamed: \
             {:?}\nwhole:    {:?}",
            streamed.len(),
            whole.len(),
            &streamed.as_bytes()[from..(at + 200).min(streamed.len())].escape_ascii(),
            &whole.as_bytes()[from..(at + 200).min(whole.len())].escape_ascii(),
        );
    }
    let complete =
        inventory.errors.is_empty() && inventory.tags.iter().all(|t| t.image().is_some());
    assert_eq!(code, if complete { 0 } else { 2 }, "exit code");
    inventory
}

#[rstest::rstest]
fn streamed_json_is_the_whole_document_for_the_scenario_repository(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let inventory = assert_streamed_equals_whole(&scenario.repository);
    // What makes the comparison worth having: many tags, and an orphan after them.
    assert!(inventory.tags.len() >= 12, "{}", inventory.tags.len());
    assert!(
        inventory
            .orphans
            .iter()
            .any(|o| o.subject == scenario.orphan_subject),
        "the orphan is in the document"
    );
}

#[test]
fn streamed_json_is_the_whole_document_with_hostile_strings_and_a_failed_tag() {
    let (proxy, target) = Hostile::shared().proxy();
    let inventory = assert_streamed_equals_whole(&target);
    assert!(!proxy.faulted().is_empty(), "the broken tag was answered");
    let broken = inventory.tags.iter().find(|t| t.tag == "broken").unwrap();
    assert!(broken.image().is_none(), "the broken tag is an error");
    assert!(inventory.tags.iter().any(|t| t.image().is_some()));
}

#[test]
fn streamed_json_is_the_whole_document_for_a_whole_oci_layout() {
    let Some(fixtures) = shared_fixtures() else {
        eprintln!("SKIP: ../shared/fixtures is absent, no go-bazel layout to read");
        return;
    };
    let layout = fixtures.join("go-bazel-github-workflow/README-extracted/oci-layout");
    let inventory = assert_streamed_equals_whole(&format!("oci:{}", layout.display()));
    assert!(!inventory.tags.is_empty());
}
