//! The text lines of real bundles (../shared/fixtures; each test says SKIP when absent): what
//! the JSON holds is in the text too, and nothing prints as a bare placeholder.

use std::path::PathBuf;

use sigscope::artifact::bundle::decode_bundle;
use sigscope::artifact::predicate::PredicateSummary;

use super::{bundle_lines, predicate_line};

fn fixture(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    if path.is_file() {
        Some(path)
    } else {
        println!("SKIP: {} is absent", path.display());
        None
    }
}

fn lines(rel: &str) -> Option<Vec<String>> {
    let bytes = std::fs::read(fixture(rel)?).unwrap();
    let bundle = decode_bundle(&bytes).unwrap();
    let mut out = Vec::new();
    bundle_lines(&bundle, "", &mut out);
    for line in &out {
        assert!(
            !line.contains(" ? ") && !line.ends_with(" ?") && !line.contains("\"\""),
            "a placeholder in {line:?}"
        );
    }
    Some(out)
}

fn has(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|l| l.contains(wanted))
}

#[test]
fn rfc3161_times_and_their_authorities_are_shown() {
    let Some(out) = lines("sigstore-python/test/assets/tsa/bundle.txt.sigstore") else {
        return;
    };
    assert!(has(&out, "timestamp  2024-10-31T10:23:39Z by"), "{out:#?}");
    assert!(has(&out, "(RFC 3161)"), "{out:#?}");
    assert!(
        has(
            &out,
            "integrated 2024-10-31T10:23:39Z, log rekor.sigstage.dev"
        ),
        "{out:#?}"
    );
}

#[test]
fn a_rekor_v2_entry_says_it_has_no_integrated_time_and_names_its_log() {
    let Some(out) = lines("sigstore-python/test/assets/staging-rekor-v2.txt.sigstore.json") else {
        return;
    };
    assert!(
        has(
            &out,
            "no integrated time (Rekor v2), log log2025-alpha1.rekor.sigstage.dev"
        ),
        "{out:#?}"
    );
    assert!(has(&out, "message signature over SHA2_256"), "{out:#?}");
}

#[test]
fn a_statement_names_its_subjects() {
    let Some(out) = lines(
        "sigstore-java/sigstore-java/src/test/resources/dev/sigstore/samples/bundles/github-private-no-tlog/attestation.sigstore.json",
    ) else {
        return;
    };
    let subjects: Vec<&String> = out.iter().filter(|l| l.starts_with("subject")).collect();
    assert_eq!(
        subjects.len(),
        4,
        "three shown, then how many more: {out:#?}"
    );
    assert!(subjects[0].contains(" sha256:"), "{out:#?}");
    assert!(subjects[3].contains("… and 7 more"), "{out:#?}");
    assert!(
        has(&out, "predicate  SLSA provenance v1: builder"),
        "{out:#?}"
    );
}

#[test]
fn a_predicate_missing_its_parts_says_so_rather_than_printing_placeholders() {
    let delegator = PredicateSummary::SlsaV1 {
        builder_id: Some("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.0.0".into()),
        build_type: Some("https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0".into()),
        source_repository: None,
        commit: None,
        workflow_path: None,
        workflow_ref: None,
    };
    let line = predicate_line(&delegator);
    assert!(!line.contains('?'), "{line}");
    assert!(line.contains("build type https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0"), "{line}");
    let empty = PredicateSummary::SlsaV1 {
        builder_id: None,
        build_type: None,
        source_repository: None,
        commit: None,
        workflow_path: None,
        workflow_ref: None,
    };
    assert_eq!(
        predicate_line(&empty),
        "SLSA provenance v1 (no builder, source or workflow given)"
    );
}
