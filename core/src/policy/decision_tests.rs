//! Unit tests of the controllers' ways of deciding that the peer tables exercise on a registry:
//! rules decided every way when their applicability is unknown, Kyverno's `applyRules: One`,
//! its deprecated fields, split keys and nested attestors, and Connaisseur's rule selection and
//! trust-root counting — here on images with no signatures, where static authorities and
//! refusals decide.

use rstest::rstest;

use super::document::PolicyError;
use super::evaluate::{Decision, applicable};
use super::model::{Applicability, Check};
use super::read_policies;
use super::tests::{KEY_PEM, decide_on, image};
use crate::reference::Digest;
use crate::verify::identity::Matcher;
use crate::verify::policy::Signer;

fn kyverno(spec: &str, rules: &str) -> String {
    format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {{name: k}}\nspec:\n  validationFailureAction: Enforce\n{spec}  rules:\n{rules}"
    )
}

fn pods(name: &str, entries: &str) -> String {
    format!(
        "  - name: {name}\n    match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n    verifyImages:\n{entries}"
    )
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn an_uncertain_rule_is_decided_every_way() {
    let img = image("ghcr.io", "acme/app", "v1");
    let cip = |auth: &str| {
        format!(
            "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata: {{name: p}}\nspec:\n  \
             images: [{{glob: 'ghcr.io/**'}}]\n  match: [{{group: apps, version: v1, resource: deployments}}]\n  authorities: [{auth}]\n"
        )
    };
    // Applying, it admits; not applying, nothing matches and no-match denies: unknowable.
    let (d, why) = decide_on(
        &read_policies(&cip("{static: {action: pass}}")).unwrap(),
        &img,
    );
    assert_eq!(d, Decision::CouldNotCheck, "{why}");
    assert!(why.contains("selects resources"), "{why}");
    // Applying or not, it is denied: decided.
    let (d, why) = decide_on(
        &read_policies(&cip("{static: {action: fail}}")).unwrap(),
        &img,
    );
    assert_eq!(d, Decision::Denied, "{why}");
}

#[test]
fn kyverno_apply_rules_one_stops_at_the_first_rule_that_applies() {
    let img = image("ghcr.io", "acme/app", "v1");
    let pass = "    - imageReferences: ['ghcr.io/*']\n      attestors: [{entries: [{attestor: {entries: [{keys: {publicKeys: '{{ keys }}'}}]}}]}]\n";
    let rules = format!(
        "{}{}",
        pods(
            "skips-other-images",
            "    - imageReferences: ['quay.io/*']\n      attestors: [{entries: [{keys: {publicKeys: nope}}]}]\n"
        ),
        pods("could-not-check", pass)
    );
    let fails = pods(
        "fails",
        "    - imageReferences: ['*']\n      attestors: [{entries: [{keys: {publicKeys: nope}}]}]\n",
    );
    let all = read_policies(&kyverno("", &format!("{rules}{fails}"))).unwrap();
    assert_eq!(decide_on(&all, &img).0, Decision::Denied);
    let one = read_policies(&kyverno("  applyRules: One\n", &format!("{rules}{fails}"))).unwrap();
    let (d, why) = decide_on(&one, &img);
    assert_eq!(d, Decision::CouldNotCheck, "{why}");
}

#[test]
fn kyverno_deprecated_fields_become_an_attestor_and_deny_an_unsigned_image() {
    let img = image("ghcr.io", "acme/app", "v1");
    let legacy = pods(
        "legacy",
        &format!("    - image: 'ghcr.io/acme/*'\n      key: {}\n", q(KEY_PEM)),
    );
    let set = read_policies(&kyverno("", &legacy)).unwrap();
    let group = &set.rules[0].groups[0];
    assert!(
        matches!(&group.authorities[0].check, Check::Signature { policy, .. } if matches!(policy.signer, Signer::Key(_)))
    );
    let (d, why) = decide_on(&set, &img);
    assert_eq!(d, Decision::Denied, "{why}");
    // An entry with nothing to verify gives no verdict: Kyverno admits.
    let empty = read_policies(&kyverno(
        "",
        &pods("nothing", "    - imageReferences: ['*']\n"),
    ))
    .unwrap();
    assert_eq!(decide_on(&empty, &img).0, Decision::Admitted);
}

#[test]
fn kyverno_keys_split_nested_sets_and_identity_matchers() {
    let two = format!("{KEY_PEM}{KEY_PEM}");
    let entries = format!(
        "    - imageReferences: ['*']\n      attestors:\n      - entries:\n        - keys: {{publicKeys: {}, rekor: {{url: x, ignoreTlog: true}}}}\n        \
         - attestor: {{count: 1, entries: [{{keyless: {{subject: 'https://github.com/acme/*', issuer: 'https://token.*', subjectRegExp: '^x$', rekor: {{url: r}}}}}}]}}\n",
        q(&two)
    );
    let set = read_policies(&kyverno("", &pods("r", &entries))).unwrap();
    let group = &set.rules[0].groups[0];
    assert_eq!(group.authorities.len(), 3, "two keys and a nested set");
    assert_eq!(group.need, 3, "all entries, counted after the split");
    let Check::Nested(nested) = &group.authorities[2].check else {
        panic!("nested")
    };
    let Check::Signature { policy, .. } = &nested.authorities[0].check else {
        panic!("signature")
    };
    let Signer::Keyless(id) = &policy.signer else {
        panic!("keyless")
    };
    // subject: the wildcard OR the regexp; issuer: the wildcard (and the .1 extension).
    assert!(id.subject.matches("https://github.com/acme/app/x"));
    assert!(id.subject.matches("x"));
    assert!(!id.subject.matches("https://github.com/evil/app"));
    assert!(matches!(id.issuer, Matcher::All(_)));
    assert!(
        id.issuer
            .matches("https://token.actions.githubusercontent.com")
    );
    assert_eq!(id.claims[0].arc, 1);
}

#[rstest]
#[case::empty_entries(
    "    - imageReferences: ['*']\n      attestors: [{entries: []}]\n",
    "An entry is required"
)]
#[case::rekor_without_url(
    "    - imageReferences: ['*']\n      attestors: [{entries: [{keyless: {rekor: {}, subject: s, issuer: i}}]}]\n",
    "An URL is required"
)]
#[case::keyless_without_rekor_or_roots(
    "    - imageReferences: ['*']\n      attestors: [{entries: [{keyless: {subject: s, issuer: i}}]}]\n",
    "Either Rekor URL or roots"
)]
#[case::bad_signature_algorithm(
    "    - imageReferences: ['*']\n      attestors: [{entries: [{keys: {publicKeys: k, signatureAlgorithm: md5}}]}]\n",
    "Invalid signature algorithm"
)]
#[case::variables_in_references(
    "    - imageReferences: ['{{ x }}']\n",
    "variables are not allowed"
)]
#[case::count_too_high(
    "    - imageReferences: ['*']\n      attestors: [{count: 3, entries: [{keys: {publicKeys: k}}]}]\n",
    "Count cannot exceed"
)]
fn kyverno_refuses_what_its_validation_refuses(#[case] entries: &str, #[case] rule: &str) {
    let err = read_policies(&kyverno("", &pods("r", entries))).unwrap_err();
    assert!(
        matches!(
            err,
            PolicyError::Refused {
                controller: "Kyverno",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains(rule), "{err}");
}

#[test]
fn kyverno_audit_needs_mutate_digest_off_and_required_false_still_denies() {
    let audit = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: k}\nspec:\n  validationFailureAction: Audit\n  rules:\n";
    let entry = "    - imageReferences: ['*']\n      attestors: [{entries: [{keys: {publicKeys: nope}}]}]\n";
    let err = read_policies(&format!("{audit}{}", pods("r", entry))).unwrap_err();
    assert!(err.to_string().contains("mutateDigest"), "{err}");
    let required = entry.replace("      attestors", "      required: false\n      attestors");
    let set = read_policies(&kyverno("", &pods("r", &required))).unwrap();
    assert_eq!(
        decide_on(&set, &image("ghcr.io", "a/b", "v1")).0,
        Decision::Denied
    );
}

fn connaisseur(rules: &str) -> String {
    format!(
        "validators:\n  - {{name: default, type: static, approve: true}}\n  - {{name: deny, type: static, approve: false}}\n  \
         - name: cosign\n    type: cosign\n    trustRoots: [{{name: a, key: {}}}, {{name: b, key: {}}}]\npolicy:\n{rules}",
        q(KEY_PEM),
        q(KEY_PEM)
    )
}

#[test]
fn connaisseur_applies_only_the_most_specific_matching_rule() {
    let set = read_policies(&connaisseur(
        "  - {pattern: '*:*', validator: deny}\n  - {pattern: 'ghcr.io/acme/*:*'}\n",
    ))
    .unwrap();
    let digest = Digest::sha256_of(b"x");
    let acme = image("ghcr.io", "acme/app", "v1").resolved(&digest);
    assert_eq!(decide_on(&set, &acme).0, Decision::Admitted);
    let other = image("quay.io", "x/y", "v1").resolved(&digest);
    assert_eq!(decide_on(&set, &other).0, Decision::Denied);
    assert_eq!(applicable(&set, &other).len(), 1);
    // No rule at all matches: denied.
    let narrow = read_policies(&connaisseur("  - {pattern: 'ghcr.io/acme/*:*'}\n")).unwrap();
    let (d, why) = decide_on(&narrow, &other);
    assert_eq!(d, Decision::Denied);
    assert!(why.contains("no Connaisseur rule matches"), "{why}");
}

#[test]
fn connaisseur_trust_root_selection_threshold_and_required() {
    let group = |with: &str| {
        let set = read_policies(&connaisseur(&format!(
            "  - {{pattern: '*', validator: cosign, with: {with}}}\n"
        )))
        .unwrap();
        set.rules[0].groups[0].clone()
    };
    let all = group("{trustRoot: '*'}");
    assert!(all.counts_signatures);
    assert_eq!(
        (all.need, all.authorities.len()),
        (2, 2),
        "every root, one signature each"
    );
    let threshold = group("{trustRoot: '*', threshold: 1, required: [b]}");
    assert_eq!(
        (threshold.need, threshold.required.clone()),
        (1, vec!["b".to_owned()])
    );
    let named = group("{trustRoot: a}");
    assert_eq!((named.need, named.authorities.len()), (1, 1));
    let missing = group("{trustRoot: c}");
    assert!(matches!(missing.authorities[0].check, Check::Reject(_)));
    let defaulted = group("{}");
    assert!(
        matches!(&defaulted.authorities[0].check, Check::Reject(why) if why.contains("default"))
    );
}

#[test]
fn connaisseur_helm_values_and_detection_mode() {
    let values = "application:\n  features: {detectionMode: true, namespacedValidation: {mode: ignore}}\n  \
                  validators: [{name: default, type: static, approve: false}]\n  policy: [{pattern: '*:*'}]\nkubernetes: {deployment: {}}\n";
    let set = read_policies(values).unwrap();
    assert!(!set.rules[0].enforce);
    assert_eq!(set.rules[0].applies, Applicability::Always);
    assert_eq!(
        decide_on(&set, &image("ghcr.io", "a/b", "v1")).0,
        Decision::Admitted
    );
    let err = read_policies(
        "validators: [{name: x, type: static, approve: true, extra: 1}]\npolicy: [{pattern: a}]\n",
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PolicyError::Refused {
                controller: "Connaisseur",
                ..
            }
        ),
        "{err}"
    );
}
