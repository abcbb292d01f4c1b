//! The streamed document against the whole-document printer it replaces for repositories: the
//! same bytes for the same inventory, hostile strings, error tags, orphans and empty lists
//! included.

use std::collections::BTreeMap;

use rstest::rstest;
use sigscope::inventory::layer::LayerContent;
use sigscope::inventory::model::{
    Artifact, ArtifactKind, ConfigSummary, ImageReport, Inventory, Layer, Orphan, PlatformReport,
    Route, TagOutcome,
};
use sigscope::reference::Digest;
use sigscope::registry::Platform;

use super::*;
use crate::cli::inspect::InspectDocument;
use crate::cli::output::write_json;

const HOSTILE: &str = "x\u{1b}]52;c;aGk=\u{7}\u{202e}\u{9b}2J\u{7f}\"\\\n\t ✓";

fn digest(n: u8) -> Digest {
    format!("sha256:{}", hex::encode([n; 32])).parse().unwrap()
}

fn artifact(n: u8, subject: Digest, nested: bool) -> Artifact {
    Artifact {
        kind: ArtifactKind::Signature,
        found_via: Route::LegacyTag {
            tag: format!("sha256-{}.sig", subject.hex()),
        },
        subject: subject.clone(),
        digest: digest(n),
        media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        artifact_type: Some(HOSTILE.into()),
        annotations: BTreeMap::from([(HOSTILE.into(), HOSTILE.into())]),
        layers: vec![
            Layer {
                media_type: "application/x-unknown".into(),
                digest: digest(n + 1),
                size: 12,
                annotations: BTreeMap::new(),
                content: LayerContent::Other {
                    note: HOSTILE.into(),
                },
            },
            Layer {
                media_type: "application/vnd.dev.cosign.simplesigning.v1+json".into(),
                digest: digest(n + 2),
                size: 0,
                annotations: BTreeMap::from([("k".into(), "v".into())]),
                content: LayerContent::Unreadable {
                    error: format!("blob {HOSTILE}"),
                },
            },
        ],
        referrers: if nested {
            vec![artifact(n + 10, digest(n), false)]
        } else {
            Vec::new()
        },
        errors: vec![HOSTILE.into()],
        consumers: Vec::new(),
    }
}

fn image(n: u8) -> TagOutcome {
    let config = ConfigSummary {
        created: Some("2026-09-21T12:00:00Z".into()),
        os: Some("linux".into()),
        architecture: None,
        labels: BTreeMap::from([("title".into(), HOSTILE.into())]),
    };
    TagOutcome::Image(Box::new(ImageReport {
        digest: digest(n),
        media_type: "application/vnd.oci.image.index.v1+json".into(),
        size: 1234,
        config: Some(config.clone()),
        platforms: vec![PlatformReport {
            platform: Some(Platform {
                os: "linux".into(),
                architecture: "arm64".into(),
                variant: Some("v8".into()),
                os_version: Some(HOSTILE.into()),
            }),
            buildkit_attestation: None,
            digest: digest(n + 50),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            config: Some(config),
            artifacts: vec![artifact(n + 60, digest(n + 50), false)],
            errors: Vec::new(),
        }],
        artifacts: vec![artifact(n + 20, digest(n), true)],
        referrers_api: None,
        errors: vec![format!("config {HOSTILE}")],
    }))
}

fn inventory(tags: usize, orphans: usize, errors: usize) -> Inventory {
    let mut reports = Vec::new();
    for i in 0..tags {
        let n = u8::try_from(i % 2 * 100).unwrap();
        reports.push(TagReport {
            tag: format!("v{i}{HOSTILE}"),
            outcome: if i % 3 == 1 {
                TagOutcome::Error(format!("manifest unknown {HOSTILE}"))
            } else {
                image(n)
            },
        });
    }
    Inventory {
        source: format!("127.0.0.1:5000/{HOSTILE}"),
        tags: reports,
        orphans: (0..orphans)
            .map(|i| Orphan {
                subject: digest(240),
                artifacts: (0..i).map(|_| artifact(200, digest(240), true)).collect(),
            })
            .collect(),
        errors: (0..errors)
            .map(|i| format!("listing {i} {HOSTILE}"))
            .collect(),
    }
}

/// What `inspect -o json` printed before streaming: the whole document at once.
fn whole(target: &str, inventory: &Inventory) -> Vec<u8> {
    let mut out = Vec::new();
    let document = InspectDocument {
        target: target.to_owned(),
        inventory,
    };
    write_json(&mut out, "inspect", &document).unwrap();
    out
}

fn streamed(target: &str, inventory: &Inventory) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut stream = InspectStream::begin(&mut out, target, &inventory.source).unwrap();
    for report in &inventory.tags {
        stream.tag(report).unwrap();
    }
    let complete = stream.end(&inventory.orphans, &inventory.errors).unwrap();
    (out, complete)
}

#[rstest]
#[case::nothing(0, 0, 0)]
#[case::one_tag(1, 0, 0)]
#[case::tags_errors_and_orphans(7, 3, 0)]
#[case::listing_failed(0, 0, 2)]
#[case::everything(5, 2, 1)]
fn streamed_document_is_byte_for_byte_the_whole_document(
    #[case] tags: usize,
    #[case] orphans: usize,
    #[case] errors: usize,
) {
    let inventory = inventory(tags, orphans, errors);
    let target = format!("127.0.0.1:5000/repo{HOSTILE}");
    let (streamed, complete) = streamed(&target, &inventory);
    let whole = whole(&target, &inventory);
    assert_eq!(
        String::from_utf8(streamed).unwrap(),
        String::from_utf8(whole).unwrap()
    );
    // The exit status the whole-inventory path computes.
    let expected =
        inventory.errors.is_empty() && inventory.tags.iter().all(|t| t.image().is_some());
    assert_eq!(complete, expected);
}

#[test]
fn end_reports_completeness_and_known_digests() {
    let inventory = inventory(3, 0, 0);
    let mut out = Vec::new();
    let mut stream = InspectStream::begin(&mut out, "t", "s").unwrap();
    let mut known = std::collections::BTreeSet::new();
    for report in &inventory.tags {
        stream.tag(report).unwrap();
        sigscope::inventory::discover::add_digests(report, &mut known);
    }
    // Tags 0 and 2 are images: the index, its platform, and every artifact at any depth are
    // what the engine counts as known when it looks for orphans.
    for n in [0, 50, 20, 30, 60] {
        assert!(known.contains(&digest(n)), "digest {n}");
    }
    assert!(!known.contains(&digest(1)), "a layer is not a subject");
    assert!(!stream.end(&[], &[]).unwrap(), "tag 1 is an error");
}

#[test]
fn streamed_hostile_strings_are_escaped_and_parse_back() {
    let inventory = inventory(2, 1, 1);
    let (bytes, _) = streamed("t", &inventory);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && sigscope::untrusted::is_unsafe(c))
    );
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back["tags"][0]["tag"], format!("v0{HOSTILE}"));
    assert_eq!(back["tags"].as_array().unwrap().len(), 2);
}
