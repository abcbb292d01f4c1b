//! The engine over a real OCI layout on disk: results stream in tag order, a failing piece of
//! work is "stopped" for its tag alone, the sink can stop the run, one image is one result.

use std::path::Path;
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};

use super::*;
use crate::inventory::model::TagOutcome;
use crate::registry::Limits;
use crate::registry::layout::OciLayout;

/// Writes `bytes` as a blob of the layout at `root`; returns its digest.
fn blob(root: &Path, bytes: &[u8]) -> String {
    let hex = hex::encode(Sha256::digest(bytes));
    let dir = root.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&hex), bytes).unwrap();
    format!("sha256:{hex}")
}

/// A layout at `root` with one small image per tag (each config differs by its tag).
fn layout(root: &Path, tags: &[&str]) -> OciLayout {
    std::fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut entries = Vec::new();
    for tag in tags {
        let config = format!(r#"{{"architecture":"amd64","os":"linux","tag":"{tag}"}}"#);
        let config_digest = blob(root, config.as_bytes());
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest,
                "size": config.len(),
            },
            "layers": [],
        })
        .to_string();
        let digest = blob(root, manifest.as_bytes());
        entries.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest,
            "size": manifest.len(),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }));
    }
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries,
    });
    std::fs::write(root.join("index.json"), index.to_string()).unwrap();
    OciLayout::open(root, Limits::default()).unwrap()
}

/// Names each tag with its image's digest; panics on the tag `boom`.
struct Name;

impl Work for Name {
    type Output = String;

    fn image(&self, report: TagReport) -> String {
        assert_ne!(report.tag, "boom", "work that fails unexpectedly");
        match &report.outcome {
            TagOutcome::Image(image) => format!("{} {}", report.tag, image.digest),
            TagOutcome::Error(e) => format!("{} error {e}", report.tag),
        }
    }

    fn stopped(&self, tag: String) -> String {
        format!("{tag} stopped")
    }
}

/// Runs the engine and records every event as text.
async fn events(source: &OciLayout, target: &Target, plan: Plan) -> Vec<String> {
    let seen = Mutex::new(Vec::new());
    let mut sink = |event: Event<String>| {
        seen.lock().unwrap().push(match event {
            Event::Listed(tags) => format!("listed {tags:?}"),
            Event::Problem(p) => format!("problem {p}"),
            Event::Tag(t) => t,
            Event::Untagged(image) => format!("untagged {}", image.digest),
        });
        ControlFlow::Continue(())
    };
    run(source, target, plan, Arc::new(Name), &mut sink).await;
    seen.into_inner().unwrap()
}

fn whole(root: &Path) -> Target {
    Target::Layout {
        path: root.to_path_buf(),
        tag: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tag_is_worked_on_and_reported_in_tag_order_after_the_listing() {
    let dir = tempfile::tempdir().unwrap();
    let tags: Vec<String> = (0..40).map(|i| format!("v{i:02}")).collect();
    let names: Vec<&str> = tags.iter().map(String::as_str).collect();
    let source = layout(dir.path(), &names);
    let seen = events(&source, &whole(dir.path()), Plan::default()).await;
    assert!(seen[0].starts_with("listed Ok(["), "{seen:?}");
    let reported: Vec<&str> = seen[1..]
        .iter()
        .map(|s| s.split(' ').next().unwrap())
        .collect();
    assert_eq!(reported, names, "one result per tag, in tag order");
    assert!(seen[1..].iter().all(|s| s.contains(" sha256:")), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_that_stops_unexpectedly_is_stopped_for_its_tag_alone() {
    let dir = tempfile::tempdir().unwrap();
    let source = layout(dir.path(), &["a", "boom", "c"]);
    for order in [Order::Tags, Order::Completion] {
        let plan = Plan {
            order,
            ..Plan::default()
        };
        let mut seen = events(&source, &whole(dir.path()), plan).await;
        seen.remove(0);
        seen.sort();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(seen[0].starts_with("a sha256:"), "{seen:?}");
        assert_eq!(seen[1], "boom stopped");
        assert!(seen[2].starts_with("c sha256:"), "{seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sink_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let source = layout(dir.path(), &["a", "b", "c", "d"]);
    let mut tags = 0;
    let mut sink = |event: Event<String>| match event {
        Event::Tag(_) => {
            tags += 1;
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(()),
    };
    run(
        &source,
        &whole(dir.path()),
        Plan::default(),
        Arc::new(Name),
        &mut sink,
    )
    .await;
    assert_eq!(tags, 1, "nothing is sent after the sink breaks off");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_image_is_one_result_without_a_listing() {
    let dir = tempfile::tempdir().unwrap();
    let source = layout(dir.path(), &["a", "b"]);
    let target = Target::Layout {
        path: dir.path().to_path_buf(),
        tag: Some("b".into()),
    };
    for reading in [Reading::Everything, Reading::Signatures] {
        let plan = Plan {
            reading,
            ..Plan::default()
        };
        let seen = events(&source, &target, plan).await;
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].starts_with("b sha256:"), "{seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_that_cannot_be_read_is_a_result_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let source = layout(dir.path(), &["a", "b"]);
    // b's manifest blob disappears: its tag is still listed and reported, with the reason.
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
    let b = index["manifests"][1]["digest"].as_str().unwrap();
    let hex = b.strip_prefix("sha256:").unwrap();
    std::fs::remove_file(dir.path().join("blobs/sha256").join(hex)).unwrap();
    let seen = events(&source, &whole(dir.path()), Plan::default()).await;
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen[1].starts_with("a sha256:"), "{seen:?}");
    assert!(seen[2].starts_with("b error "), "{seen:?}");
}
