//! The consumer lens against the two cosigns it describes: for every signature and attestation
//! of the scenario (on both registries), what `inspect` says cosign v3 and cosign 2.5 do with
//! it — find it by default, only with some flags, or never — is what they do.

use rstest::rstest;
use serde_json::Value;
use sigscope_core::fixture::GITHUB_ISSUER;

use crate::inspect::inspect_json;
use crate::support::cosigns::Cosign;
use crate::support::oracle;
use crate::support::registry::RegistryKind;
use crate::support::scenario::{
    CI_IDENTITY_REGEXP, COSIGN_SIGN_PREDICATE, HUMAN_EMAIL, HUMAN_ISSUER, Scenario,
};
use crate::support::tools::verdict;

const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

#[derive(Clone, Copy)]
enum Who {
    Ci,
    Human,
    Key,
}

/// Every signature in the scenario that verifies for its signer, by tag and artifact kind.
const ROWS: &[(&str, &str, Who, Option<&str>)] = &[
    ("v1.0.0", "signature", Who::Ci, None),
    ("v1.4.0", "signature", Who::Ci, None),
    ("v1.4.0", "sigstore_bundle", Who::Key, Some(SLSA_V1)),
    ("v1.5.0", "attestation", Who::Key, Some(SLSA_V1)),
    ("v1.6.0", "signature", Who::Human, None),
    ("v1.8.0", "signature", Who::Key, None),
    ("v2.0.0", "signature", Who::Ci, None),
    (
        "v2.1.0",
        "sigstore_bundle",
        Who::Ci,
        Some(COSIGN_SIGN_PREDICATE),
    ),
    (
        "v3.0.0",
        "sigstore_bundle",
        Who::Key,
        Some(COSIGN_SIGN_PREDICATE),
    ),
    (
        "v3.1.0",
        "sigstore_bundle",
        Who::Ci,
        Some(COSIGN_SIGN_PREDICATE),
    ),
    ("v3.2.0", "sigstore_bundle", Who::Key, Some(SLSA_V1)),
    ("v3.3.0-oci11", "signature", Who::Key, None),
];

fn signer_args(scenario: &Scenario, who: Who) -> Vec<String> {
    let v: Vec<&str> = match who {
        Who::Ci => vec![
            "--certificate-identity-regexp",
            CI_IDENTITY_REGEXP,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ],
        Who::Human => vec![
            "--certificate-identity",
            HUMAN_EMAIL,
            "--certificate-oidc-issuer",
            HUMAN_ISSUER,
        ],
        Who::Key => {
            return vec![
                "--insecure-ignore-tlog".into(),
                "--key".into(),
                scenario.cosign_public_key.display().to_string(),
            ];
        }
    };
    v.into_iter().map(str::to_owned).collect()
}

/// The lens entry of `consumer` on the one artifact of `kind` on `tag`.
fn sighting(doc: &Value, kind: &str, consumer: &str) -> Value {
    let artifacts = doc["tags"][0]["image"]["artifacts"].as_array().unwrap();
    let found: Vec<&Value> = artifacts.iter().filter(|a| a["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} expected: {found:#?}");
    found[0]["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["consumer"] == consumer)
        .unwrap_or_else(|| panic!("no {consumer} in {:#}", found[0]))
        .clone()
}

#[rstest]
fn the_lens_says_what_cosign_v3_and_cosign_2_5_find(
    #[values(RegistryKind::Distribution, RegistryKind::Olareg)] kind: RegistryKind,
) {
    let scenario = Scenario::on(kind);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = ROWS
            .iter()
            .flat_map(|row| Cosign::BOTH.map(|cosign| (row, cosign)))
            .map(|(row, cosign)| s.spawn(move || check(scenario, *row, cosign)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (what, agreed, detail) in &results {
        oracle(
            if what.contains("cosign v3") {
                "cosign v3"
            } else {
                "cosign 2.5"
            },
            &format!("{kind}: lens {what}"),
            *agreed,
        );
        assert!(agreed, "{kind}: {what}: {detail}");
    }
}

/// Runs one cosign as the lens predicts; returns (what, agreed, details).
fn check(
    scenario: &Scenario,
    (tag, artifact, who, predicate): (&str, &str, Who, Option<&str>),
    cosign: Cosign,
) -> (String, bool, String) {
    let image = scenario.image(tag);
    let (_, doc) = inspect_json(&[&image]);
    let seen = sighting(&doc, artifact, cosign.name());
    // What the cosign reads it with: signatures with `verify`, attestations (and, for cosign
    // 2.5, every bundle) with `verify-attestation --type`.
    let attestation = artifact == "attestation"
        || (artifact == "sigstore_bundle"
            && (cosign == Cosign::V2 || predicate != Some(COSIGN_SIGN_PREDICATE)));
    let sub = if attestation {
        "verify-attestation"
    } else {
        "verify"
    };
    let mut args = signer_args(scenario, who);
    if attestation {
        args.extend([
            "--type".to_owned(),
            predicate.unwrap_or_default().to_owned(),
        ]);
    }
    let run = |extra: &[String]| {
        let all: Vec<&str> = extra.iter().chain(&args).map(String::as_str).collect();
        let mut cmd = cosign.bare_command(scenario, sub, &all, &image);
        if cosign == Cosign::V2 && extra.iter().any(|f| f == "--new-bundle-format") {
            // cosign 2.5's bundle path takes its trust from --trusted-root only.
            cmd.arg("--trusted-root").arg(&scenario.trusted_root);
        }
        verdict(&mut cmd)
    };
    let what = format!("{} on {tag} {artifact}: {}", cosign.name(), seen);
    let plain = run(&[]);
    match seen["finds"].as_str().unwrap() {
        "yes" => (what, plain.accepted, plain.output),
        "no" => (what, !plain.accepted, plain.output),
        "with" => {
            let flags: Vec<String> = seen["flags"]
                .as_array()
                .map(|f| f.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            if plain.accepted {
                return (
                    what,
                    false,
                    format!("found without {flags:?}: {}", plain.output),
                );
            }
            // cosign 2.5's keyless bundle path reaches for the public TUF mirror even with
            // --trusted-root: only "not without the flag" can be checked offline.
            if cosign == Cosign::V2 && matches!(who, Who::Ci | Who::Human) && attestation {
                return (what, true, String::new());
            }
            let flagged = run(&flags);
            (what, flagged.accepted, flagged.output)
        }
        other => panic!("finds {other}"),
    }
}
