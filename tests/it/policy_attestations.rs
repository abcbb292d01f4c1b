//! `policy eval` with attestation requirements on the scenario: a Kyverno attestation check
//! admits exactly the tags real `cosign verify-attestation` accepts; a ClusterImagePolicy whose
//! attestation carries a CUE policy is never reported as admitted, since sigscope does not run
//! CUE: its text is shown and the tag is "could not check".

use crate::support::registry::RegistryKind;
use crate::support::scenario::Scenario;
use crate::support::tools::{Tools, verdict};

fn eval(scenario: &Scenario, name: &str, policy: &str) -> (Option<i32>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, policy).unwrap();
    let out = crate::support::sigscope()
        .args([
            "policy",
            "eval",
            "--output",
            "json",
            "--allow-http-registry",
        ])
        .arg("--policy")
        .arg(&path)
        .arg("--trusted-root")
        .arg(&scenario.trusted_root)
        .arg(&scenario.repository)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code(), doc)
}

fn decision<'a>(doc: &'a serde_json::Value, tag: &str) -> &'a serde_json::Value {
    doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tag"] == tag)
        .unwrap_or_else(|| panic!("no decision for {tag}"))
}

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}", " ".repeat(by)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Real `cosign verify-attestation --key --type slsaprovenance1` on every scenario tag.
fn cosign_slsa_verdicts(scenario: &'static Scenario) -> &'static Vec<(&'static str, bool)> {
    static VERDICTS: std::sync::OnceLock<Vec<(&'static str, bool)>> = std::sync::OnceLock::new();
    VERDICTS.get_or_init(|| {
        let key_path = scenario.cosign_public_key.to_str().unwrap().to_owned();
        std::thread::scope(|s| {
            let handles: Vec<_> = scenario
                .tags
                .iter()
                .map(|c| {
                    let key_path = key_path.clone();
                    (
                        c.tag,
                        s.spawn(move || {
                            let mut cmd = Tools::get().cosign();
                            cmd.args([
                                "verify-attestation",
                                "--offline",
                                "--allow-http-registry",
                                // The controllers read the legacy `.att` tags.
                                "--new-bundle-format=false",
                                "--insecure-ignore-tlog",
                                "--key",
                                &key_path,
                                "--type",
                                "slsaprovenance1",
                                &scenario.image(c.tag),
                            ]);
                            verdict(&mut cmd).accepted
                        }),
                    )
                })
                .collect();
            handles
                .into_iter()
                .map(|(t, h)| (t, h.join().unwrap()))
                .collect()
        })
    })
}

#[rstest::rstest]
fn a_kyverno_attestation_check_admits_what_cosign_verify_attestation_accepts(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let key = std::fs::read_to_string(&scenario.cosign_public_key).unwrap();
    let policy = format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: provenance\nspec:\n  \
         validationFailureAction: Enforce\n  rules:\n  - name: slsa\n    match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n    verifyImages:\n    \
         - imageReferences: ['{}:*']\n      attestations:\n      - type: https://slsa.dev/provenance/v1\n        \
         attestors:\n        - entries:\n          - keys:\n              rekor: {{ignoreTlog: true}}\n              \
         publicKeys: |\n{}\n",
        scenario.repository,
        indent(&key, 16)
    );
    let (code, doc) = eval(scenario, "slsa.yaml", &policy);
    assert_eq!(code, Some(1), "{doc:#}");
    let verdicts = cosign_slsa_verdicts(scenario);
    for (tag, accepted) in verdicts {
        let d = decision(&doc, tag);
        let expected = if *accepted { "admitted" } else { "denied" };
        assert_eq!(
            d["decision"], expected,
            "{tag}: cosign accepted={accepted}\n{d:#}"
        );
        crate::support::report(
            "policy.log",
            &format!(
                "Kyverno attestation {tag}: cosign verify-attestation and sigscope both {expected}"
            ),
        );
    }
    assert!(
        verdicts.iter().any(|(_, a)| *a),
        "some tag has the attestation"
    );
    let denied = decision(&doc, "v1.0.0");
    assert!(
        denied.to_string().contains("no attestations found"),
        "{denied:#}"
    );
}

#[test]
fn attestation_conditions_are_shown_never_passed() {
    let scenario = Scenario::shared();
    let key = std::fs::read_to_string(&scenario.cosign_public_key).unwrap();
    let policy = format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: provenance\nspec:\n  \
         validationFailureAction: Enforce\n  rules:\n  - name: slsa\n    match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n    verifyImages:\n    \
         - imageReferences: ['{}:v1.5.0', '{}:v1.0.0']\n      attestations:\n      - type: https://slsa.dev/provenance/v1\n        \
         conditions:\n        - all:\n          - key: '{{{{ buildDefinition.buildType }}}}'\n            operator: Equals\n            \
         value: https://actions.github.io/buildtypes/workflow/v1\n        \
         attestors:\n        - entries:\n          - keys:\n              rekor: {{ignoreTlog: true}}\n              \
         publicKeys: |\n{}\n",
        scenario.repository,
        scenario.repository,
        indent(&key, 16)
    );
    let (code, doc) = eval(scenario, "conditions.yaml", &policy);
    // The attestation verifies, but Kyverno would then evaluate the conditions: not knowable.
    let v15 = decision(&doc, "v1.5.0");
    assert_eq!(v15["decision"], "could_not_check", "{v15:#}");
    assert!(
        v15["reason"]
            .as_str()
            .unwrap()
            .contains("kyverno-conditions"),
        "{v15:#}"
    );
    assert!(
        v15["rules"][0]["unexecuted"][0]["text"]
            .as_str()
            .unwrap()
            .contains("buildDefinition.buildType"),
        "{v15:#}"
    );
    // Without the attestation the conditions do not matter: denied.
    assert_eq!(decision(&doc, "v1.0.0")["decision"], "denied");
    // Tags no imageReference matches are admitted (Kyverno lets them through).
    assert_eq!(decision(&doc, "v1.6.0")["decision"], "admitted");
    assert_eq!(
        code,
        Some(2),
        "could not check wins over denied in the exit code"
    );
}

#[rstest::rstest]
fn a_cluster_image_policy_authority_with_attestations_checks_them_instead_of_the_signature(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let key = std::fs::read_to_string(&scenario.cosign_public_key).unwrap();
    let policy = format!(
        "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: provenance\nspec:\n  \
         images:\n  - glob: '{}@*'\n  authorities:\n  - name: release-key\n    ctlog: {{}}\n    key:\n      data: |\n{}\n    \
         attestations:\n    - name: provenance\n      predicateType: slsaprovenance1\n",
        scenario.repository,
        indent(&key, 8)
    );
    let (code, doc) = eval(scenario, "cip-attestations.yaml", &policy);
    assert_eq!(code, Some(1), "{doc:#}");
    for (tag, accepted) in cosign_slsa_verdicts(scenario) {
        let d = decision(&doc, tag);
        let expected = if *accepted { "admitted" } else { "denied" };
        assert_eq!(
            d["decision"], expected,
            "{tag}: cosign accepted={accepted}\n{d:#}"
        );
        crate::support::report(
            "policy.log",
            &format!(
                "ClusterImagePolicy attestation {tag}: cosign verify-attestation and sigscope both {expected}"
            ),
        );
    }
    // v1.8.0 carries a valid key signature but no attestation: denied.
    assert_eq!(decision(&doc, "v1.8.0")["decision"], "denied");
}
