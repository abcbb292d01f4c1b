//! Summaries of real and hand-made predicates; missing fields are `None`, never errors.

use rstest::rstest;
use serde_json::json;

use super::*;

#[test]
fn real_zlabjp_attestation_is_slsa_v02() {
    let Some(dir) = crate::testing::shared_fixtures() else {
        return;
    };
    let path = dir.join(
        "zlabjp-slsa-provenance-test/README-extracted/att-sha256-3dbd76ff/dsse-envelope.json",
    );
    let envelope: crate::artifact::dsse::Envelope =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let payload = crate::artifact::error::decode_base64("payload", &envelope.payload).unwrap();
    let statement: crate::artifact::in_toto::Statement =
        crate::artifact::error::parse_json("statement", &payload).unwrap();
    assert_eq!(
        short_name(&statement.predicate_type),
        Some("slsaprovenance")
    );
    assert_eq!(
        summarize(&statement.predicate_type, &statement.predicate),
        PredicateSummary::SlsaV02 {
            builder_id: Some("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/heads/main".into()),
            build_type: Some("https://github.com/slsa-framework/slsa-github-generator/container@v1".into()),
            source_repository: Some("git+https://github.com/zlabjp/slsa-provenance-test@refs/tags/v0.0.5".into()),
            commit: Some("b24673de2d8a1f1ae5dd4b5a74b6b4ec2e4f88de".into()),
            entry_point: Some(".github/workflows/slsa-provenance.yml".into()),
        }
    );
}

#[test]
fn github_slsa_v1_names_the_workflow_and_commit() {
    let predicate = json!({
        "buildDefinition": {
            "buildType": "https://actions.github.io/buildtypes/workflow/v1",
            "externalParameters": {"workflow": {
                "ref": "refs/tags/v1.0.0",
                "repository": "https://github.com/acme/app",
                "path": ".github/workflows/release.yml"
            }},
            "resolvedDependencies": [
                {"uri": "git+https://github.com/acme/app@refs/tags/v1.0.0",
                 "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"}}
            ]
        },
        "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}}
    });
    assert_eq!(
        summarize(SLSA_PROVENANCE_V1, &predicate),
        PredicateSummary::SlsaV1 {
            builder_id: Some("https://github.com/actions/runner/github-hosted".into()),
            build_type: Some("https://actions.github.io/buildtypes/workflow/v1".into()),
            source_repository: Some("https://github.com/acme/app".into()),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            workflow_path: Some(".github/workflows/release.yml".into()),
            workflow_ref: Some("refs/tags/v1.0.0".into()),
        }
    );
}

#[rstest]
#[case::spdx_plain(SPDX_DOCUMENT)]
#[case::spdx_versioned("https://spdx.dev/Document/v2.3")]
fn spdx_counts_packages_and_lists_the_first_ten(#[case] predicate_type: &str) {
    let packages: Vec<_> = (0..12)
        .map(|i| json!({"name": format!("pkg{i}"), "versionInfo": format!("1.{i}")}))
        .collect();
    let predicate = json!({"spdxVersion": "SPDX-2.3", "name": "app", "packages": packages});
    let PredicateSummary::Spdx {
        spdx_version,
        name,
        package_count,
        top_packages,
    } = summarize(predicate_type, &predicate)
    else {
        panic!("not spdx")
    };
    assert_eq!(
        (spdx_version.as_deref(), name.as_deref()),
        (Some("SPDX-2.3"), Some("app"))
    );
    assert_eq!(package_count, 12);
    assert_eq!(top_packages.len(), TOP_ITEMS);
    assert_eq!(top_packages[3], ("pkg3".to_owned(), Some("1.3".to_owned())));
}

#[rstest]
#[case::cyclonedx_plain(CYCLONEDX_BOM)]
#[case::cyclonedx_versioned("https://cyclonedx.org/bom/v1.5")]
fn cyclonedx_counts_components(#[case] predicate_type: &str) {
    let predicate = json!({"specVersion": "1.5", "components": [{"name": "openssl", "version": "3.0"}, {"name": "zlib"}]});
    assert_eq!(
        summarize(predicate_type, &predicate),
        PredicateSummary::CycloneDx {
            spec_version: Some("1.5".into()),
            component_count: 2,
            top_components: vec![
                ("openssl".into(), Some("3.0".into())),
                ("zlib".into(), None)
            ],
        }
    );
}

#[rstest]
#[case::trivy(json!({"Results": [{"Vulnerabilities": [{"Severity": "HIGH"}, {"Severity": "LOW"}]}, {"Vulnerabilities": [{"Severity": "HIGH"}]}, {"Target": "no vulns"}]}), Some(3), &[("HIGH", 2), ("LOW", 1)][..])]
#[case::grype(json!({"matches": [{"vulnerability": {"severity": "Critical"}}]}), Some(1), &[("Critical", 1)][..])]
#[case::unknown_shape(json!({"something": "else"}), None, &[][..])]
fn cosign_vuln_counts_by_severity(
    #[case] result: serde_json::Value,
    #[case] count: Option<usize>,
    #[case] severities: &[(&str, usize)],
) {
    let predicate = json!({
        "scanner": {"uri": "pkg:github/aquasecurity/trivy@244fd47", "version": "0.19.2",
                    "db": {"uri": "pkg:github/aquasecurity/trivy-db/commit/4c76bb5", "version": "v1-2021080612"},
                    "result": result},
        "metadata": {"scanStartedOn": "2021-08-06T17:45:50.52Z", "scanFinishedOn": "2021-08-06T17:50:50.52Z"}
    });
    let PredicateSummary::CosignVuln {
        scanner_uri,
        scanner_version,
        db_version,
        scan_finished_on,
        vulnerability_count,
        by_severity,
        ..
    } = summarize(COSIGN_VULN_V1, &predicate)
    else {
        panic!("not vuln")
    };
    assert_eq!(
        scanner_uri.as_deref(),
        Some("pkg:github/aquasecurity/trivy@244fd47")
    );
    assert_eq!(scanner_version.as_deref(), Some("0.19.2"));
    assert_eq!(db_version.as_deref(), Some("v1-2021080612"));
    assert_eq!(scan_finished_on.as_deref(), Some("2021-08-06T17:50:50.52Z"));
    assert_eq!(vulnerability_count, count);
    let expected: BTreeMap<String, usize> = severities
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect();
    assert_eq!(by_severity, expected);
}

#[rstest]
#[case::slsa02_empty(SLSA_PROVENANCE_V02, json!({}))]
#[case::slsa02_wrong_types(SLSA_PROVENANCE_V02, json!({"builder": "x", "invocation": [1], "materials": 3}))]
#[case::slsa1_null(SLSA_PROVENANCE_V1, serde_json::Value::Null)]
#[case::slsa1_wrong_types(SLSA_PROVENANCE_V1, json!({"buildDefinition": {"resolvedDependencies": [{"digest": 1}]}}))]
#[case::spdx_packages_not_a_list(SPDX_DOCUMENT, json!({"packages": {"a": 1}}))]
#[case::cyclonedx_number(CYCLONEDX_BOM, json!(42))]
#[case::vuln_empty(COSIGN_VULN_V1, json!({}))]
fn missing_or_mistyped_fields_are_none(
    #[case] predicate_type: &str,
    #[case] predicate: serde_json::Value,
) {
    let summary = summarize(predicate_type, &predicate);
    let json = serde_json::to_value(&summary).unwrap();
    for (key, value) in json.as_object().unwrap() {
        if key != "kind" {
            assert!(
                value.is_null() || value == &json!(0) || value == &json!([]) || value == &json!({}),
                "{key}: {value}"
            );
        }
    }
}

#[rstest]
#[case::custom("custom", COSIGN_CUSTOM_V1)]
#[case::slsa("slsaprovenance", SLSA_PROVENANCE_V02)]
#[case::slsa02("slsaprovenance02", SLSA_PROVENANCE_V02)]
#[case::slsa1("slsaprovenance1", SLSA_PROVENANCE_V1)]
#[case::spdx("spdx", SPDX_DOCUMENT)]
#[case::spdxjson("spdxjson", SPDX_DOCUMENT)]
#[case::cyclonedx("cyclonedx", CYCLONEDX_BOM)]
#[case::vuln("vuln", COSIGN_VULN_V1)]
#[case::link("link", IN_TOTO_LINK_V1)]
#[case::openvex("openvex", OPENVEX)]
#[case::uri_passes_through("https://example.com/p/v1", "https://example.com/p/v1")]
fn cosign_short_names(#[case] short: &str, #[case] uri: &str) {
    assert_eq!(predicate_type_for(short), uri);
    let back = short_name(uri);
    if short.starts_with("https://") {
        assert_eq!(back, None);
    } else {
        assert_eq!(predicate_type_for(back.unwrap()), uri);
    }
}

#[test]
fn other_predicate_types_are_named() {
    assert_eq!(
        summarize(
            "https://sigstore.dev/cosign/sign/v1",
            &serde_json::Value::Null
        ),
        PredicateSummary::Other {
            predicate_type: "https://sigstore.dev/cosign/sign/v1".into()
        }
    );
    // Not a versioned SPDX type, just a longer string.
    assert!(matches!(
        summarize("https://spdx.dev/Documentation", &json!({})),
        PredicateSummary::Other { .. }
    ));
}
