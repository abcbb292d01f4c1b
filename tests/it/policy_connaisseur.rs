//! Connaisseur configurations on the scenario, in both registries: a keyless trust root for the
//! CI workflow, a key trust root, and the configuration `policy generate --format connaisseur`
//! writes admit exactly the tags real cosign accepts reading the `.sig` tags (what Connaisseur's
//! cosign library reads), and each denial names its failing check.

use sigscope_core::fixture::GITHUB_ISSUER;

use crate::policy::{
    all_failures, assert_agrees_with_cosign, assert_ci_denials_named, ci_cosign, cosign_verdicts,
    eval, round_trip, write,
};
use crate::support::registry::RegistryKind;
use crate::support::scenario::{CI_IDENTITY_REGEXP, HUMAN_EMAIL, HUMAN_ISSUER, Scenario};

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[rstest::rstest]
fn a_connaisseur_keyless_trust_root_admits_what_cosign_accepts(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let policy = write(
        &format!("{kind:?}-ci-connaisseur.yaml"),
        &format!(
            "application:\n  validators:\n  - name: default\n    type: cosign\n    trustRoots:\n    - name: ci\n      \
             keyless:\n        issuer: {GITHUB_ISSUER}\n        subjectRegex: {}\n  policy:\n  \
             - pattern: \"{}:*\"\n    with:\n      trustRoot: ci\n",
            yaml_string(CI_IDENTITY_REGEXP),
            scenario.repository
        ),
    );
    let (code, doc) = eval(scenario, &policy, &scenario.repository);
    let tags = assert_agrees_with_cosign("Connaisseur CI", &doc, ci_cosign(scenario));
    assert_ci_denials_named("Connaisseur", &tags);
    assert_eq!(code, Some(1), "{doc:#}");
    let admitted = &tags["v1.2.0"];
    assert!(
        admitted["reason"].as_str().unwrap().contains("ci"),
        "{admitted:#}"
    );
}

#[rstest::rstest]
fn a_connaisseur_key_trust_root_admits_what_cosign_accepts(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let key = std::fs::read_to_string(&scenario.cosign_public_key).unwrap();
    let policy = write(
        &format!("{kind:?}-key-connaisseur.yaml"),
        &format!(
            "validators:\n  - name: release\n    type: cosign\n    trustRoots:\n    - name: release-key\n      key: {}\n\
             policy:\n  - pattern: \"{}:*\"\n    validator: release\n    with:\n      trustRoot: release-key\n      \
             verifyInTransparencyLog: false\n",
            yaml_string(&key),
            scenario.repository
        ),
    );
    let cosign = cosign_verdicts(
        scenario,
        &[
            "--key",
            scenario.cosign_public_key.to_str().unwrap(),
            "--insecure-ignore-tlog",
        ],
    );
    let (code, doc) = eval(scenario, &policy, &scenario.repository);
    let tags = assert_agrees_with_cosign("Connaisseur key", &doc, &cosign);
    assert_eq!(code, Some(1), "{doc:#}");
    // A keyless signature is not the key's: the signature check names it.
    assert!(
        !all_failures(&tags["v1.0.0"]).is_empty(),
        "{:#}",
        tags["v1.0.0"]
    );
    // An unsigned tag: no signature verifies ("no signed digests").
    let unsigned = &tags["v1.9.0-rc1"];
    assert_eq!(unsigned["decision"], "denied", "{unsigned:#}");
}

#[rstest::rstest]
fn connaisseur_thresholds_count_verified_signatures_across_trust_roots(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let key = std::fs::read_to_string(&scenario.cosign_public_key).unwrap();
    let config = |with: &str| {
        format!(
            "validators:\n  - name: default\n    type: cosign\n    trustRoots:\n    - name: person\n      \
             keyless: {{issuer: {HUMAN_ISSUER}, subject: {HUMAN_EMAIL}}}\n    - name: release-key\n      key: {}\n\
             policy:\n  - pattern: \"{}:*\"\n    with: {with}\n",
            yaml_string(&key),
            scenario.repository
        )
    };
    // Every trust root (no threshold): each must contribute; one of two never suffices.
    let all = write(
        &format!("{kind:?}-all-roots.yaml"),
        &config("{trustRoot: '*'}"),
    );
    let (_, doc) = eval(scenario, &all, &scenario.repository);
    let tags = crate::policy::decisions(&doc);
    for tag in ["v1.6.0", "v1.8.0"] {
        assert_eq!(tags[tag]["decision"], "denied", "{tag}: {:#}", tags[tag]);
    }
    // A threshold of one: either trust root's signature admits (the key's without a log entry).
    let one = write(
        &format!("{kind:?}-one-root.yaml"),
        &config("{trustRoot: '*', threshold: 1, verifyInTransparencyLog: false}"),
    );
    let (_, doc) = eval(scenario, &one, &scenario.repository);
    let tags = crate::policy::decisions(&doc);
    assert_eq!(
        tags["v1.8.0"]["decision"], "admitted",
        "{:#}",
        tags["v1.8.0"]
    );
    assert_eq!(tags["v1.0.0"]["decision"], "denied", "{:#}", tags["v1.0.0"]);
    // The person's signature is required: the key's alone does not admit.
    let required = write(
        &format!("{kind:?}-required-root.yaml"),
        &config(
            "{trustRoot: '*', threshold: 1, required: [person], verifyInTransparencyLog: false}",
        ),
    );
    let (_, doc) = eval(scenario, &required, &scenario.repository);
    let tags = crate::policy::decisions(&doc);
    assert_eq!(tags["v1.8.0"]["decision"], "denied", "{:#}", tags["v1.8.0"]);
    crate::support::report(
        "policy.log",
        &format!(
            "Connaisseur thresholds on {kind:?}: threshold and required trust roots decided as Connaisseur counts them"
        ),
    );
}

#[rstest::rstest]
fn a_generated_connaisseur_configuration_round_trips(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let from = scenario.image("v1.6.0");
    round_trip(
        scenario,
        &format!("connaisseur-human-{kind:?}"),
        &from,
        &["--signature", "1"],
        "connaisseur",
        "v1.6.0",
        "v1.0.0",
    );
    let key = scenario.cosign_public_key.to_str().unwrap();
    round_trip(
        scenario,
        &format!("connaisseur-key-{kind:?}"),
        &scenario.image("v1.8.0"),
        &["--key", key, "--insecure-ignore-tlog"],
        "connaisseur",
        "v1.8.0",
        "v1.0.0",
    );
}
