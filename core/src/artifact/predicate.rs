//! Summaries of in-toto predicates for the screen: SLSA provenance v0.2 and v1, SPDX and
//! CycloneDX SBOMs, cosign vulnerability scans. Summaries never fail: a missing or oddly typed
//! field is `None`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// SLSA provenance v0.2 (slsa.dev/provenance/v0.2).
pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// SLSA provenance v1 (slsa.dev/provenance/v1).
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// SPDX documents (in-toto `PredicateSPDX`); versioned forms such as `…/Document/v2.3` exist.
pub const SPDX_DOCUMENT: &str = "https://spdx.dev/Document";
/// CycloneDX BOMs (in-toto `PredicateCycloneDX`); versioned forms such as `…/bom/v1.5` exist.
pub const CYCLONEDX_BOM: &str = "https://cyclonedx.org/bom";
/// cosign's vulnerability scan record (cosign specs/COSIGN_VULN_ATTESTATION_SPEC.md).
pub const COSIGN_VULN_V1: &str = "https://cosign.sigstore.dev/attestation/vuln/v1";
/// cosign's generic predicate (`--type custom`, specs/COSIGN_PREDICATE_SPEC.md).
pub const COSIGN_CUSTOM_V1: &str = "https://cosign.sigstore.dev/attestation/v1";
/// in-toto link v1 (`--type link`).
pub const IN_TOTO_LINK_V1: &str = "https://in-toto.io/Link/v1";
/// OpenVEX (`--type openvex`).
pub const OPENVEX: &str = "https://openvex.dev/ns";

/// cosign's `--type` short names and the predicate types they stand for (cosign
/// `pkg/cosign/options/predicate.go`, `PredicateTypeMap`). `slsaprovenance` and
/// `slsaprovenance02` both mean v0.2; `spdx` and `spdxjson` both mean SPDX.
pub const COSIGN_SHORT_NAMES: &[(&str, &str)] = &[
    ("custom", COSIGN_CUSTOM_V1),
    ("slsaprovenance", SLSA_PROVENANCE_V02),
    ("slsaprovenance02", SLSA_PROVENANCE_V02),
    ("slsaprovenance1", SLSA_PROVENANCE_V1),
    ("spdx", SPDX_DOCUMENT),
    ("spdxjson", SPDX_DOCUMENT),
    ("cyclonedx", CYCLONEDX_BOM),
    ("link", IN_TOTO_LINK_V1),
    ("vuln", COSIGN_VULN_V1),
    ("openvex", OPENVEX),
];

/// The predicate type a cosign `--type` short name stands for; cosign uses any other value as
/// the predicate type itself, so does this.
pub fn predicate_type_for(short_or_uri: &str) -> &str {
    COSIGN_SHORT_NAMES
        .iter()
        .find(|(short, _)| *short == short_or_uri)
        .map_or(short_or_uri, |(_, uri)| uri)
}

/// The first cosign short name for a predicate type (`slsaprovenance` for v0.2, `spdx` for SPDX).
pub fn short_name(predicate_type: &str) -> Option<&'static str> {
    COSIGN_SHORT_NAMES
        .iter()
        .find(|(_, uri)| *uri == predicate_type)
        .map(|(short, _)| *short)
}

/// How many packages or components a summary lists by name.
pub const TOP_ITEMS: usize = 10;

/// What a predicate says, in brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PredicateSummary {
    SlsaV02 {
        builder_id: Option<String>,
        build_type: Option<String>,
        source_repository: Option<String>,
        commit: Option<String>,
        entry_point: Option<String>,
    },
    SlsaV1 {
        builder_id: Option<String>,
        build_type: Option<String>,
        source_repository: Option<String>,
        commit: Option<String>,
        workflow_path: Option<String>,
        workflow_ref: Option<String>,
    },
    Spdx {
        spdx_version: Option<String>,
        name: Option<String>,
        package_count: usize,
        /// The first packages: (name, version).
        top_packages: Vec<(String, Option<String>)>,
    },
    CycloneDx {
        spec_version: Option<String>,
        component_count: usize,
        top_components: Vec<(String, Option<String>)>,
    },
    CosignVuln {
        scanner_uri: Option<String>,
        scanner_version: Option<String>,
        db_uri: Option<String>,
        db_version: Option<String>,
        scan_finished_on: Option<String>,
        /// Vulnerabilities found in `scanner.result` (Trivy or Grype JSON), when countable.
        vulnerability_count: Option<usize>,
        /// Counts by severity, when countable.
        by_severity: BTreeMap<String, usize>,
    },
    Other {
        predicate_type: String,
    },
}

/// Summarises `predicate` by its type.
pub fn summarize(predicate_type: &str, predicate: &Value) -> PredicateSummary {
    let p = predicate;
    match predicate_type {
        SLSA_PROVENANCE_V02 => slsa_v02(p),
        SLSA_PROVENANCE_V1 => slsa_v1(p),
        COSIGN_VULN_V1 => vuln(p),
        t if is_versioned(t, SPDX_DOCUMENT) => spdx(p),
        t if is_versioned(t, CYCLONEDX_BOM) => cyclonedx(p),
        other => PredicateSummary::Other {
            predicate_type: other.to_owned(),
        },
    }
}

/// `base` itself or `base/<version>` (`https://spdx.dev/Document/v2.3`).
fn is_versioned(t: &str, base: &str) -> bool {
    t.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// SLSA v0.2: `builder.id`, `buildType`, `invocation.configSource {uri, digest.sha1, entryPoint}`.
fn slsa_v02(p: &Value) -> PredicateSummary {
    let commit = text(p, "/invocation/configSource/digest/sha1").or_else(|| {
        // Fall back to the first material with a git commit digest.
        materials(p, "/materials", "sha1").map(|(_, c)| c)
    });
    PredicateSummary::SlsaV02 {
        builder_id: text(p, "/builder/id"),
        build_type: text(p, "/buildType"),
        source_repository: text(p, "/invocation/configSource/uri")
            .or_else(|| materials(p, "/materials", "sha1").map(|(uri, _)| uri)),
        commit,
        entry_point: text(p, "/invocation/configSource/entryPoint"),
    }
}

/// SLSA v1 as GitHub writes it: `runDetails.builder.id`, `buildDefinition.buildType`,
/// `buildDefinition.externalParameters.workflow {repository, ref, path}`,
/// `buildDefinition.resolvedDependencies[].digest.gitCommit`.
fn slsa_v1(p: &Value) -> PredicateSummary {
    let dependency = materials(p, "/buildDefinition/resolvedDependencies", "gitCommit");
    PredicateSummary::SlsaV1 {
        builder_id: text(p, "/runDetails/builder/id"),
        build_type: text(p, "/buildDefinition/buildType"),
        source_repository: text(p, "/buildDefinition/externalParameters/workflow/repository")
            .or_else(|| dependency.as_ref().map(|(uri, _)| uri.clone())),
        commit: dependency.map(|(_, commit)| commit),
        workflow_path: text(p, "/buildDefinition/externalParameters/workflow/path"),
        workflow_ref: text(p, "/buildDefinition/externalParameters/workflow/ref"),
    }
}

/// The first `{uri, digest: {<algorithm>: …}}` of a list that has the digest algorithm.
fn materials(p: &Value, pointer: &str, algorithm: &str) -> Option<(String, String)> {
    p.pointer(pointer)?.as_array()?.iter().find_map(|m| {
        let digest = m.get("digest")?.get(algorithm)?.as_str()?;
        let uri = m.get("uri").and_then(Value::as_str).unwrap_or_default();
        Some((uri.to_owned(), digest.to_owned()))
    })
}

/// SPDX 2.x JSON: `spdxVersion`, `name`, `packages[] {name, versionInfo}`.
fn spdx(p: &Value) -> PredicateSummary {
    let packages = p.get("packages").and_then(Value::as_array);
    PredicateSummary::Spdx {
        spdx_version: text(p, "/spdxVersion"),
        name: text(p, "/name"),
        package_count: packages.map_or(0, Vec::len),
        top_packages: named(packages, "versionInfo"),
    }
}

/// CycloneDX JSON: `specVersion`, `components[] {name, version}`.
fn cyclonedx(p: &Value) -> PredicateSummary {
    let components = p.get("components").and_then(Value::as_array);
    PredicateSummary::CycloneDx {
        spec_version: text(p, "/specVersion"),
        component_count: components.map_or(0, Vec::len),
        top_components: named(components, "version"),
    }
}

fn named(items: Option<&Vec<Value>>, version_key: &str) -> Vec<(String, Option<String>)> {
    items
        .into_iter()
        .flatten()
        .take(TOP_ITEMS)
        .map(|item| {
            (
                item.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                item.get(version_key)
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            )
        })
        .collect()
}

/// cosign vuln v1: `scanner {uri, version, db {uri, version}, result}`,
/// `metadata.scanFinishedOn`.
fn vuln(p: &Value) -> PredicateSummary {
    let severities = p.pointer("/scanner/result").and_then(severities);
    PredicateSummary::CosignVuln {
        scanner_uri: text(p, "/scanner/uri"),
        scanner_version: text(p, "/scanner/version"),
        db_uri: text(p, "/scanner/db/uri"),
        db_version: text(p, "/scanner/db/version"),
        scan_finished_on: text(p, "/metadata/scanFinishedOn"),
        vulnerability_count: severities.as_ref().map(|s| s.values().sum()),
        by_severity: severities.unwrap_or_default(),
    }
}

/// Severity counts from Trivy JSON (`Results[].Vulnerabilities[].Severity`) or Grype JSON
/// (`matches[].vulnerability.severity`); `None` for other result shapes.
fn severities(result: &Value) -> Option<BTreeMap<String, usize>> {
    let severities: Vec<&str> = if let Some(results) = result.get("Results") {
        results
            .as_array()?
            .iter()
            .filter_map(|r| r.get("Vulnerabilities")?.as_array())
            .flatten()
            .map(|v| {
                v.get("Severity")
                    .and_then(Value::as_str)
                    .unwrap_or("UNKNOWN")
            })
            .collect()
    } else if let Some(matches) = result.get("matches") {
        matches
            .as_array()?
            .iter()
            .map(|m| {
                m.pointer("/vulnerability/severity")
                    .and_then(Value::as_str)
                    .unwrap_or("Unknown")
            })
            .collect()
    } else {
        return None;
    };
    let mut counts = BTreeMap::new();
    for s in severities {
        *counts.entry(s.to_owned()).or_insert(0) += 1;
    }
    Some(counts)
}

#[cfg(test)]
mod tests;
