//! Budgets for untrusted content, each hit against the scenario repository in the real registry
//! and reported as "limit reached" on the item it cut, with the rest still read. (Tag pages:
//! `inspect_sources`; blob size: `inspect_faults`; chain length and checkpoint sizes: unit tests
//! beside their decoders.)

use serde_json::{Value, json};
use sigscope::inventory::layer::SIMPLE_SIGNING;

use crate::inspect::{inspect_json, tag};
use crate::support::layout::Layout;
use crate::support::publish::{copy_to_registry, simple_image};
use crate::support::registry::Registry;
use crate::support::scenario::Scenario;

fn limit_messages(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.contains("limit reached") => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut out);
    out
}

#[test]
fn a_manifest_over_the_size_limit_is_reported_as_a_limit() {
    let scenario = Scenario::shared();
    let image = format!("{}:v1.0.0", scenario.repository);
    let (code, doc) = inspect_json(&["--max-manifest-bytes", "200", &image]);
    assert_eq!(code, 2, "{doc:#}");
    let err = tag(&doc, "v1.0.0")["error"].as_str().unwrap();
    assert!(
        err.contains("limit reached") && err.contains("exceeds the limit of 200 bytes"),
        "{err}"
    );
    let (code, doc) = inspect_json(&[&image]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(limit_messages(&doc).is_empty());
}

#[test]
fn referrers_past_the_count_limit_are_cut_and_reported() {
    let scenario = Scenario::shared();
    let image = format!("{}:v1.3.0", scenario.repository);
    let (_, doc) = inspect_json(&[&image]);
    let artifacts = tag(&doc, "v1.3.0")["image"]["artifacts"]
        .as_array()
        .unwrap()
        .len();
    assert!(limit_messages(&doc).is_empty(), "{doc:#}");

    let (_, cut) = inspect_json(&["--max-referrers", "0", &image]);
    let cut_artifacts = tag(&cut, "v1.3.0")["image"]["artifacts"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(cut_artifacts + 1, artifacts, "the notation referrer is cut");
    let messages = limit_messages(&cut);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("limit reached: 1 referrers, only the first 0 shown")),
        "{cut:#}"
    );
}

#[test]
fn referrers_deeper_than_the_depth_limit_are_reported_not_hidden() {
    let scenario = Scenario::shared();
    // v1.5.0: a key `.sig` on the `.att` manifest, one level below the image's artifacts.
    let image = format!("{}:v1.5.0", scenario.repository);
    let (_, doc) = inspect_json(&[&image]);
    let nested = |doc: &Value| {
        tag(doc, "v1.5.0")["image"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["referrers"].as_array().map_or(0, Vec::len))
            .sum::<usize>()
    };
    assert!(nested(&doc) > 0, "{doc:#}");
    assert!(limit_messages(&doc).is_empty(), "{doc:#}");

    let (_, cut) = inspect_json(&["--max-referrer-depth", "1", &image]);
    assert_eq!(nested(&cut), 0);
    let messages = limit_messages(&cut);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("limit reached: more than 1 levels of referrers")),
        "{cut:#}"
    );
}

#[test]
fn json_nested_past_the_limit_is_reported_as_a_limit() {
    // A `.sig` whose payload nests arrays 100 deep (serde_json alone would take 128).
    let registry = Registry::shared();
    let repo = "limits/deep";
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::create(&dir.path().join("layout"));
    let image = layout.put_image(&simple_image(repo, "amd64"));
    layout.tag("v1", &image);
    let deep = format!("{{\"critical\":{}{}}}", "[".repeat(100), "]".repeat(100));
    let sig = layout.put_artifact(
        SIMPLE_SIGNING,
        deep.as_bytes(),
        json!({"dev.cosignproject.cosign/signature": "MEUCIQ=="}),
    );
    let sig_tag = format!("{}.sig", image.digest.cosign_tag_stem());
    layout.tag(&sig_tag, &sig);
    copy_to_registry(&layout, "v1", registry, repo);
    copy_to_registry(&layout, &sig_tag, registry, repo);

    let (_, doc) = inspect_json(&[&format!("{}:v1", registry.repo(repo))]);
    let messages = limit_messages(&doc);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("limit reached: JSON nesting deeper than 64 levels")),
        "{doc:#}"
    );
    assert_eq!(
        tag(&doc, "v1")["image"]["digest"],
        image.digest.to_string(),
        "the image itself is read"
    );
}
