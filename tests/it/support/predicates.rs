//! Realistic attestation predicates and SBOM documents for the scenario.

use serde_json::{Value, json};

/// SLSA provenance v1 as GitHub's generator writes it.
pub fn slsa_v1(repository: &str, git_ref: &str, sha: &str, run_id: u64) -> Value {
    sigscope_core::fixture::slsa_provenance_v1(repository, git_ref, sha, run_id)
}

/// The packages both SBOMs list.
const PACKAGES: &[(&str, &str, &str)] = &[
    ("musl", "1.2.5-r0", "pkg:apk/alpine/musl@1.2.5-r0"),
    ("busybox", "1.36.1-r29", "pkg:apk/alpine/busybox@1.36.1-r29"),
    ("openssl", "3.3.2-r0", "pkg:apk/alpine/openssl@3.3.2-r0"),
    ("zlib", "1.3.1-r1", "pkg:apk/alpine/zlib@1.3.1-r1"),
    (
        "golang.org/x/net",
        "v0.30.0",
        "pkg:golang/golang.org/x/net@v0.30.0",
    ),
];

/// An SPDX 2.3 JSON document.
pub fn spdx(name: &str) -> Value {
    let packages: Vec<Value> = PACKAGES
        .iter()
        .enumerate()
        .map(|(i, (n, v, purl))| {
            json!({
                "SPDXID": format!("SPDXRef-Package-{i}"),
                "name": n,
                "versionInfo": v,
                "downloadLocation": "NOASSERTION",
                "licenseConcluded": "NOASSERTION",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}],
            })
        })
        .collect();
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": format!("https://sigscope.test/spdx/{name}"),
        "creationInfo": {"created": "2026-09-21T12:00:00Z", "creators": ["Tool: syft-1.14.0"]},
        "packages": packages,
    })
}

/// A CycloneDX 1.5 JSON document.
pub fn cyclonedx(name: &str) -> Value {
    let components: Vec<Value> = PACKAGES
        .iter()
        .map(|(n, v, purl)| json!({"type": "library", "name": n, "version": v, "purl": purl}))
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"timestamp": "2026-09-21T12:00:00Z", "component": {"type": "container", "name": name}},
        "components": components,
    })
}

/// The predicate type of the scenario's custom attestation.
pub const CUSTOM_PREDICATE_TYPE: &str = "https://sigscope.test/attestations/review/v1";

/// A custom predicate: a code-review record.
pub fn custom_review() -> Value {
    json!({"reviewer": "security-team@acme.example", "decision": "approved", "ticket": "SEC-1234"})
}
