//! kyverno/kyverno: `ext/wildcard/match_test.go` (TestMatch) as a function table, and the
//! engine's image-verification tests (`pkg/engine/image_verify_test.go`), their images on
//! ghcr.io replaced by the bed's (key A stands for `testVerifyImageKey`, key B for
//! `testOtherKey`), plus rows for the deprecated fields `ImageVerification.Convert` converts.

use super::bed::{SIGNED, SIGNED_BY_SOMEONE_ELSE, UNSIGNED};
use super::{Bed, Controller, Expect, Image, Table, Where};

const KY: Controller = Controller::Kyverno;

/// A YAML double-quoted scalar (JSON's string syntax is YAML's).
pub fn q(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A ClusterPolicy with `spec_extra` (indented two spaces) and these rules.
pub fn policy(action: &str, spec_extra: &str, rules: &[String]) -> String {
    format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: peer\nspec:\n  validationFailureAction: {action}\n{spec_extra}  rules:\n{}",
        rules.concat()
    )
}

/// One rule matching Pods, with these `verifyImages` entries (each starting `    - `).
pub fn rule(name: &str, entries: &str) -> String {
    format!(
        "  - name: {name}\n    match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n    verifyImages:\n{entries}"
    )
}

/// A keys attestor entry as the engine tests write it (log and SCT checks off).
pub fn keys(pem: &str) -> String {
    format!(
        "{{keys: {{publicKeys: {}, rekor: {{url: 'https://rekor.sigstore.dev', ignoreTlog: true}}, ctlog: {{ignoreSCT: true}}}}}}",
        q(pem)
    )
}

pub fn rows(t: &mut Table) {
    super::kyverno_wildcard::wildcard_rows(t);
    engine_rows(t);
    verifier_rows(t);
    legacy_rows(t);
}

fn engine_rows(t: &mut Table) {
    let bed = Bed::get();
    let (a, b) = (bed.key_a.as_str(), bed.key_b.as_str());
    let refs = format!("['{}:*']", bed.repository);
    let entry =
        |attestors: &str| format!("    - imageReferences: {refs}\n      attestors:\n{attestors}");
    let set = |count: Option<u32>, entries: &[String]| {
        let count = count.map(|c| format!("count: {c}, ")).unwrap_or_default();
        format!("      - {{{count}entries: [{}]}}\n", entries.join(", "))
    };
    let single = policy(
        "enforce",
        "",
        &[rule("check-signature", &entry(&set(None, &[keys(a)])))],
    );
    let mut row = |name: &str, policy: &str, image: &Image, expect: Expect| {
        t.policy(
            KY,
            &format!("Kyverno image_verify_test {name}"),
            policy,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Admit, Deny};
    row("Test_SignatureGoodSigned", &single, bed.peer(SIGNED), Admit);
    row("Test_SignatureUnsigned", &single, bed.peer(UNSIGNED), Deny);
    row(
        "Test_SignatureWrongKey",
        &single,
        bed.peer(SIGNED_BY_SOMEONE_ELSE),
        Deny,
    );
    // COUNT 0 stands for "no count" (RequiredCount treats them alike; the CRD refuses 0).
    let multi = |k1: &str, k2: &str, count: Option<u32>| {
        policy(
            "enforce",
            "",
            &[rule(
                "check-signature",
                &entry(&set(count, &[keys(k1), keys(k2)])),
            )],
        )
    };
    row(
        "Test_SignaturesMultiKey (A, A, all)",
        &multi(a, a, None),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "Test_SignaturesMultiKeyFail (A, an unreplaced KEY2 placeholder, all)",
        &multi(a, "KEY2", None),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "Test_SignaturesMultiKeyOneGoodKey (A, B, count 1)",
        &multi(a, b, Some(1)),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "Test_SignaturesMultiKeyZeroGoodKey (B, B, count 1)",
        &multi(b, b, Some(1)),
        bed.peer(SIGNED),
        Deny,
    );
    // Test_RuleSelectorImageVerify: a passing rule, then one requiring key B.
    let two_rules = |apply: &str| {
        policy(
            "enforce",
            &format!("  applyRules: {apply}\n"),
            &[
                rule("check-signature", &entry(&set(None, &[keys(a)]))),
                rule(
                    "match-all",
                    &format!(
                        "    - imageReferences: ['*']\n      attestors:\n{}",
                        set(None, &[keys(b)])
                    ),
                ),
            ],
        )
    };
    row(
        "Test_RuleSelectorImageVerify applyRules All",
        &two_rules("All"),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "Test_RuleSelectorImageVerify applyRules One",
        &two_rules("One"),
        bed.peer(SIGNED),
        Admit,
    );
    // Test_NestedAttestors: key A beside a nested set with one key.
    let nested = |k2: &str, count: Option<u32>| {
        let inner = format!("{{attestor: {{entries: [{}]}}}}", keys(k2));
        policy(
            "enforce",
            "",
            &[rule(
                "check-image-keyless",
                &entry(&set(count, &[keys(a), inner])),
            )],
        )
    };
    row(
        "Test_NestedAttestors (A, nested A, all)",
        &nested(a, None),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "Test_NestedAttestors (A, nested B, all)",
        &nested(b, None),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "Test_NestedAttestors (A, nested B, count 1)",
        &nested(b, Some(1)),
        bed.peer(SIGNED),
        Admit,
    );
    // Test_ExpandKeys / Test_ParsePEMDelimited: several keys in one publicKeys are one entry
    // each, and the count applies across them.
    let joined = |keys_text: String, count: Option<u32>| {
        policy(
            "enforce",
            "",
            &[rule(
                "check-image",
                &entry(&set(count, &[keys(&keys_text)])),
            )],
        )
    };
    row(
        "Test_ExpandKeys three copies of A, all",
        &joined(format!("{a}{a}{a}"), None),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "Test_ExpandKeys A and B, all",
        &joined(format!("{a}{b}"), None),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "Test_ParsePEMDelimited B and A, count 1",
        &joined(format!("{b}{a}"), Some(1)),
        bed.peer(SIGNED),
        Admit,
    );
    // Test_SkipImageReferences and Test_NoMatch.
    let skip = policy(
        "enforce",
        "",
        &[rule(
            "check",
            &format!(
                "    - imageReferences: {refs}\n      skipImageReferences: ['{}:{UNSIGNED}']\n      attestors:\n{}",
                bed.repository,
                set(None, &[keys(a)])
            ),
        )],
    );
    row(
        "Test_SkipImageReferences skipped image",
        &skip,
        bed.peer(UNSIGNED),
        Admit,
    );
    row(
        "Test_SkipImageReferences verified image",
        &skip,
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "Test_SkipImageReferences other image",
        &skip,
        bed.peer(SIGNED_BY_SOMEONE_ELSE),
        Deny,
    );
    let elsewhere = policy(
        "enforce",
        "",
        &[rule(
            "check",
            &format!(
                "    - imageReferences: ['ghcr.io/kyverno/test-verify-image:*']\n      attestors:\n{}",
                set(None, &[keys(a)])
            ),
        )],
    );
    row("Test_NoMatch", &elsewhere, bed.peer(UNSIGNED), Admit);
    row(
        "audit: a failing rule only reports",
        &policy(
            "audit",
            "",
            &[rule(
                "check-signature",
                &format!(
                    "    - imageReferences: {refs}\n      mutateDigest: false\n      attestors:\n{}",
                    set(None, &[keys(a)])
                ),
            )],
        ),
        bed.peer(UNSIGNED),
        Admit,
    );
    // Attestations on the scenario's v1.5.0 (a key-signed SLSA v1 .att).
    let att = |predicate: &str, conditions: &str| {
        policy(
            "enforce",
            "",
            &[rule(
                "attest",
                &format!(
                    "    - imageReferences: ['{}:*']\n      attestations:\n      - type: {predicate}\n{conditions}        attestors:\n        - entries: [{}]\n",
                    bed.scenario.repository,
                    keys(a)
                ),
            )],
        )
    };
    row(
        "Test_CosignMockAttest (provenance by key A)",
        &att("https://slsa.dev/provenance/v1", ""),
        bed.scenario("v1.5.0"),
        Admit,
    );
    row(
        "Test_CosignMockAttest_fail (no such attestation)",
        &att("https://example.com/CodeReview/v1", ""),
        bed.scenario("v1.5.0"),
        Deny,
    );
    t.policy(
        KY,
        "Kyverno image_verify_test Test_CosignMockAttest with conditions",
        &att("https://slsa.dev/provenance/v1", "        conditions:\n        - all: [{key: '{{ buildDefinition.buildType }}', operator: Equals, value: x}]\n"),
        bed.scenario("v1.5.0"),
        Expect::Deny,
        Where::NotExpressible("attestation conditions (JMESPath) are not evaluated by sigscope"),
    );
    t.policy(
        KY,
        "Kyverno image_verify_test Test_ConfigMapMissingFailure",
        &policy(
            "enforce",
            "",
            &[rule(
                "image-verify-pol1",
                &entry(&set(
                    None,
                    &["{keys: {publicKeys: '{{myconfigmap.data.configmapkey}}'}}".to_owned()],
                )),
            )],
        ),
        bed.peer(SIGNED),
        Expect::Deny,
        Where::NotExpressible(
            "keys read from a ConfigMap through variables are not resolved by sigscope",
        ),
    );
}

/// `pkg/image/verifiers/cpol/cosign/cosign_test.go`: TestCheckAnnotations (on the scenario's
/// key signature carrying env=prod, team=platform) and TestExtractCertExtensionValue (the CI
/// certificate's GitHub workflow extensions).
fn verifier_rows(t: &mut Table) {
    let bed = Bed::get();
    let scenario = &bed.scenario.repository;
    let mut row = |name: &str, policy: &str, image: &Image, expect: Expect| {
        t.policy(
            KY,
            &format!("Kyverno cosign_test {name}"),
            policy,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Admit, Deny};
    let annotated = |annotations: &str| {
        policy(
            "enforce",
            "",
            &[rule(
                "annotations",
                &format!(
                    "    - imageReferences: ['{scenario}:*']
      attestors:
      - entries:
        - keys: {{publicKeys: {}, rekor: {{url: 'https://rekor.sigstore.dev', ignoreTlog: true}}}}
          annotations: {annotations}
",
                    q(&bed.key_a)
                ),
            )],
        )
    };
    let v18 = bed.scenario("v1.8.0");
    row(
        "TestCheckAnnotations matching annotations",
        &annotated("{env: prod}"),
        v18,
        Admit,
    );
    row(
        "TestCheckAnnotations non-matching annotation value",
        &annotated("{env: wrong}"),
        v18,
        Deny,
    );
    row(
        "TestCheckAnnotations missing annotation key",
        &annotated("{missing: value}"),
        v18,
        Deny,
    );
    row(
        "TestCheckAnnotations empty annotations",
        &annotated("{}"),
        v18,
        Admit,
    );
    row(
        "TestCheckAnnotations multiple annotations all matching",
        &annotated("{env: prod, team: platform}"),
        v18,
        Admit,
    );
    row(
        "TestCheckAnnotations multiple annotations one not matching",
        &annotated("{env: prod, team: other}"),
        v18,
        Deny,
    );
    let extensions = |extensions: &str| {
        policy(
            "enforce",
            "",
            &[rule(
                "extensions",
                &format!(
                    "    - imageReferences: ['{scenario}:*']
      attestors:
      - entries:
        - keyless:
            subjectRegExp: {}
            issuer: {}
            rekor: {{url: 'https://rekor.sigstore.dev'}}
            additionalExtensions: {extensions}
",
                    q(crate::support::scenario::CI_IDENTITY_REGEXP),
                    sigscope_core::fixture::GITHUB_ISSUER
                ),
            )],
        )
    };
    let v10 = bed.scenario("v1.0.0");
    row(
        "TestExtractCertExtensionValue githubWorkflowRepository by name",
        &extensions("{githubWorkflowRepository: acme/app}"),
        v10,
        Admit,
    );
    row(
        "TestExtractCertExtensionValue githubWorkflowRepository by OID, a wildcard",
        &extensions("{'1.3.6.1.4.1.57264.1.5': 'acme/*'}"),
        v10,
        Admit,
    );
    row(
        "TestExtractCertExtensionValue githubWorkflowTrigger push",
        &extensions("{githubWorkflowTrigger: push}"),
        v10,
        Admit,
    );
    row(
        "TestExtractCertExtensionValue another repository",
        &extensions("{githubWorkflowRepository: acme/other}"),
        v10,
        Deny,
    );
    row(
        "TestExtractCertExtensionValue invalid extension key",
        &extensions("{invalidExtension: x}"),
        v10,
        Deny,
    );
    row(
        "TestExtractCertExtensionValue empty extension key",
        &extensions("{'': x}"),
        v10,
        Deny,
    );
}

/// The deprecated fields, as `ImageVerification.Convert` turns them into attestors: before,
/// sigscope ignored them and admitted unsigned images as "nothing to verify".
fn legacy_rows(t: &mut Table) {
    let bed = Bed::get();
    let scenario = &bed.scenario.repository;
    let legacy = |fields: &str| {
        policy(
            "enforce",
            "",
            &[rule(
                "legacy",
                &format!("    - image: '{}:*'\n{fields}", bed.repository),
            )],
        )
    };
    let mut row = |name: &str, policy: &str, image: &Image, expect: Expect| {
        t.policy(
            KY,
            &format!("Kyverno image_verification_types.go Convert {name}"),
            policy,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Admit, Deny};
    let key = format!("      key: {}\n", q(&bed.key_a));
    row(
        "image+key, unsigned image",
        &legacy(&key),
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "image+key, signed image without a log entry (the key attestor requires one)",
        &legacy(&key),
        bed.peer(SIGNED),
        Deny,
    );
    let roots = std::fs::read_to_string(&bed.scenario.trust.roots).unwrap();
    let keyless = |subject: &str| {
        policy(
            "enforce",
            "",
            &[rule(
                "legacy",
                &format!(
                    "    - image: '{scenario}:*'\n      issuer: {}\n      subject: '{subject}'\n      roots: {}\n",
                    sigscope_core::fixture::GITHUB_ISSUER,
                    q(&roots)
                ),
            )],
        )
    };
    row(
        "issuer+subject+roots, the CI build",
        &keyless("https://github.com/acme/app/*"),
        bed.scenario("v1.0.0"),
        Admit,
    );
    row(
        "issuer+subject+roots, another signer",
        &keyless("https://github.com/acme/app/*"),
        bed.scenario("v1.6.0"),
        Deny,
    );
    let annotated = |value: &str| {
        policy(
            "enforce",
            "",
            &[rule(
                "legacy",
                &format!(
                    "    - imageReferences: ['{scenario}:*']\n      annotations: {{env: {value}}}\n      attestors:\n      - entries: [{}]\n",
                    keys(&bed.key_a)
                ),
            )],
        )
    };
    row(
        "annotations (applied to attestors without their own), matching",
        &annotated("prod"),
        bed.scenario("v1.8.0"),
        Admit,
    );
    row(
        "annotations, not matching",
        &annotated("dev"),
        bed.scenario("v1.8.0"),
        Deny,
    );
}
