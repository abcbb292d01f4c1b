//! Unit tests of reading policies (every format), field reporting, malformed input,
//! containers scopes, the engines' ways of combining rules, and generated policies read back.

use rstest::rstest;

use super::authority::{Environment, NoMatchPolicy};
use super::containers::{Scope, SignedIdentity};
use super::document::{NoteKind, PolicyError};
use super::evaluate::{Decision, applicable, decide};
use super::generate::{self, Format, Request, SignerSpec, Subject};
use super::glob::ImageName;
use super::model::{Applicability, Check, Engine, PolicySet};
use super::read_policies;
use crate::inventory::model::ImageReport;
use crate::reference::Digest;
use crate::target::Repository;
use crate::trust::TrustedRoot;
use crate::verify::identity::Matcher;
use crate::verify::policy::{FixedClock, Signer};

pub(super) const KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----\n\
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEy/Ro8JCpH4nm4CB0SveHgcwX0DGS\n\
ochezvg4haBM9o8fyvGnq5+juZ2ppQvdIDQfksbKI6toxCPbQMMac2jxvg==\n\
-----END PUBLIC KEY-----\n";

fn cip(api: &str, extra: &str) -> String {
    format!(
        "apiVersion: policy.sigstore.dev/{api}\nkind: ClusterImagePolicy\nmetadata:\n  name: p\n\
         spec:\n  images:\n  - glob: ghcr.io/acme/**\n{extra}"
    )
}

const KEYLESS: &str = "  authorities:\n  - name: ci\n    keyless:\n      identities:\n      \
- issuer: https://token.actions.githubusercontent.com\n        subjectRegExp: ^https://github\\.com/acme/.*$\n      \
- issuerRegExp: .*\n        subject: alice@acme.example\n    ctlog: {}\n    \
attestations:\n    - name: slsa\n      predicateType: slsaprovenance1\n      policy:\n        type: cue\n        \
data: 'predicate: builder: id: \"x\"'\n";

#[rstest]
#[case::v1alpha1("v1alpha1")]
#[case::v1beta1("v1beta1")]
fn cluster_image_policies_read_in_both_versions(#[case] api: &str) {
    let set = read_policies(&cip(api, KEYLESS)).unwrap();
    assert_eq!(set.engines, vec![Engine::PolicyController]);
    assert!(set.notes.is_empty(), "{:?}", set.notes);
    let rule = &set.rules[0];
    assert!(rule.enforce);
    let group = &rule.groups[0];
    assert_eq!(group.need, 1);
    // Two identities: two authorities, either of which admits.
    assert_eq!(group.authorities.len(), 2);
    // With attestations, the authority verifies those instead of the image signature.
    assert!(matches!(
        group.authorities[0].check,
        Check::AttestationsOnly { .. }
    ));
    let policy = group.authorities[0].attestations[0]
        .policy
        .as_ref()
        .unwrap();
    assert!(policy.ignore_tlog, "ctlog: {{}} disables the tlog check");
    let Signer::Keyless(id) = &policy.signer else {
        panic!("not keyless");
    };
    assert!(matches!(id.subject, Matcher::Regex(_)));
    assert!(matches!(id.issuer, Matcher::Exact(_)));
    let att = &group.authorities[1].attestations[0];
    assert_eq!(att.predicate_type, "slsaprovenance1");
    assert_eq!(att.text.as_ref().unwrap().language, "cue");
}

#[test]
fn key_static_and_mode_warn_are_read() {
    let extra = format!(
        "  mode: warn\n  authorities:\n  - key:\n      data: |\n{}\n  - static:\n      action: fail\n      message: frozen\n",
        KEY_PEM
            .lines()
            .map(|l| format!("        {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let set = read_policies(&cip("v1beta1", &extra)).unwrap();
    let rule = &set.rules[0];
    assert!(!rule.enforce);
    let a = &rule.groups[0].authorities;
    assert_eq!(a[0].name, "authority-0");
    assert!(
        matches!(&a[0].check, Check::Signature { policy, .. } if matches!(policy.signer, Signer::Key(_)))
    );
    assert!(matches!(&a[1].check, Check::Reject(m) if m == "frozen"));
}

#[test]
fn unknown_fields_are_refused_and_unevaluated_ones_make_could_not_check() {
    let typo = "  authorities:\n  - keyless:\n      identities:\n      - issuer: i\n        subject: s\n        subjectRegexp: typo\n";
    let err = read_policies(&cip("v1beta1", typo)).unwrap_err();
    assert!(
        matches!(&err, PolicyError::Refused { path, .. } if path.ends_with("identities[0].subjectRegexp")),
        "{err}"
    );
    assert!(err.to_string().contains("strict field validation"), "{err}");
    let extra = "  match:\n  - resource: pods\n    version: v1\n    selector: {matchLabels: {a: b}}\n  authorities:\n  - name: k\n    source:\n    - oci: registry.example/other/repo\n    \
keyless:\n      identities:\n      - issuer: i\n        subject: s\n  \
- name: secret\n    key:\n      secretRef:\n        name: cosign-pub\n";
    let set = read_policies(&cip("v1beta1", extra)).unwrap();
    let find = |path: &str| {
        set.notes
            .iter()
            .find(|n| n.path.ends_with(path))
            .unwrap_or_else(|| panic!("no note for {path}: {:#?}", set.notes))
    };
    assert_eq!(find("spec.match").kind, NoteKind::Unsupported);
    assert_eq!(find("authorities[0].source").kind, NoteKind::Unsupported);
    assert_eq!(
        find("authorities[1].key.secretRef").kind,
        NoteKind::Unsupported
    );
    let rule = &set.rules[0];
    assert!(matches!(rule.applies, Applicability::Uncertain(_)));
    assert!(matches!(
        rule.groups[0].authorities[0].check,
        Check::Unusable(_)
    ));
    assert!(matches!(
        rule.groups[0].authorities[1].check,
        Check::Unusable(_)
    ));
}

#[rstest]
#[case::malformed_yaml("spec: [unclosed\n", "YAML document 1")]
#[case::tab_indent("a:\n\t- b\n", "YAML document 1")]
#[case::not_an_object("- 1\n- 2\n", "expected an object")]
#[case::unknown_kind("apiVersion: v1\nkind: ConfigMap\n", "unsupported kind \"ConfigMap\"")]
#[case::regexp_as_glob(
    "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nspec:\n  images:\n  - glob: '.+'\n",
    "invalid glob"
)]
#[case::images_not_a_list(
    "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nspec:\n  images: 3\n",
    "expected a list"
)]
#[case::identity_without_issuer(
    "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nspec:\n  images: [{glob: '**'}]\n  authorities:\n  - keyless:\n      identities: [{subject: s}]\n",
    "missing field(s): issuer, issuerRegExp"
)]
#[case::bad_pem(
    "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nspec:\n  images: [{glob: '**'}]\n  authorities:\n  - key: {data: nope}\n",
    "not a PEM public key"
)]
#[case::policy_json_without_default("{\"transports\": {}}", "unsupported kind")]
#[case::empty_default("{\"default\": []}", "must not be empty")]
#[case::fulcio_without_rekor(
    "{\"default\": [{\"type\": \"sigstoreSigned\", \"fulcio\": {\"caData\": \"\", \"oidcIssuer\": \"i\", \"subjectEmail\": \"e\"}}]}",
    "rekorPublicKey"
)]
fn malformed_policies_are_clear_errors(#[case] text: &str, #[case] expected: &str) {
    let err = read_policies(text).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
}

#[test]
fn kyverno_attestors_counts_attestations_and_actions_are_read() {
    let text = format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {{name: k}}\nspec:\n  validationFailureAction: Audit\n  \
background: false\n  rules:\n  - name: r\n    match: {{resources: {{kinds: [Pod]}}}}\n    verifyImages:\n    - imageReferences: ['ghcr.io/acme/*']\n      \
required: false\n      failureAction: Enforce\n      attestors:\n      - count: 1\n        entries:\n        \
- keyless: {{subject: 'https://github.com/acme/*', issuer: i, rekor: {{url: 'https://rekor.example', ignoreTlog: true}}, ctlog: {{ignoreSCT: true}}}}\n        \
- keys:\n            publicKeys: |\n{}\n      attestations:\n      - type: https://slsa.dev/provenance/v1\n        \
conditions:\n        - all: [{{key: a, operator: Equals, value: b}}]\n        attestors:\n        - entries:\n          - keyless: {{subject: s, issuer: i, rekor: {{url: 'https://rekor.example'}}}}\n",
        KEY_PEM
            .lines()
            .map(|l| format!("              {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let set = read_policies(&text).unwrap();
    let rule = &set.rules[0];
    assert!(
        rule.enforce,
        "the entry's failureAction wins over the policy's"
    );
    assert!(
        rule.required,
        "required: false does not stop a failed verification from denying"
    );
    assert_eq!(rule.groups.len(), 2);
    assert_eq!(rule.groups[0].need, 1);
    assert_eq!(rule.groups[0].authorities.len(), 2);
    let Check::Signature { policy, .. } = &rule.groups[0].authorities[0].check else {
        panic!("signature");
    };
    assert!(policy.ignore_tlog && policy.ignore_sct);
    let Signer::Keyless(id) = &policy.signer else {
        panic!("keyless")
    };
    assert!(
        id.subject
            .matches("https://github.com/acme/app/.github/workflows/x.yml@refs/heads/main")
    );
    assert!(!id.subject.matches("https://github.com/evil/acme/app"));
    assert!(matches!(
        rule.groups[1].authorities[0].check,
        Check::AttestationsOnly { .. }
    ));
    assert_eq!(rule.unexecuted[0].language, "kyverno-conditions");
    assert!(
        set.notes
            .iter()
            .any(|n| n.path.ends_with("spec.background"))
    );
}

pub(super) fn image(registry: &str, path: &str, tag: &str) -> ImageName {
    ImageName::new(
        Repository {
            registry: registry.into(),
            path: path.into(),
        },
        Some(tag.into()),
        None,
    )
}

#[test]
fn containers_scopes_pick_the_most_specific() {
    let img = image("registry.acme.example", "team/app", "v1");
    let order = [
        Scope::Docker("registry.acme.example/team/app:v1".into()),
        Scope::Docker("registry.acme.example/team/app".into()),
        Scope::Docker("registry.acme.example/team".into()),
        Scope::Docker("registry.acme.example".into()),
        Scope::Docker("*.acme.example".into()),
        Scope::TransportDefault,
        Scope::Global,
    ];
    let values: Vec<usize> = order.iter().map(|s| s.specificity(&img).unwrap()).collect();
    assert!(values.windows(2).all(|w| w[0] > w[1]), "{values:?}");
    for other in [
        "registry.acme.example/team/app:v2",
        "registry.acme.example/tea",
        "other.example",
        "*.other.example",
    ] {
        assert_eq!(
            Scope::Docker(other.into()).specificity(&img),
            None,
            "{other}"
        );
    }
    let text = "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\
        \"registry.acme.example/team\": [{\"type\": \"insecureAcceptAnything\"}]}, \
        \"oci\": {\"\": [{\"type\": \"reject\"}]}}}";
    let set = read_policies(text).unwrap();
    let rules = applicable(&set, &img);
    assert_eq!(rules.len(), 1);
    assert!(matches!(
        rules[0].groups[0].authorities[0].check,
        Check::Accept
    ));
    assert!(
        set.notes
            .iter()
            .any(|n| n.path == "policy.json.transports.oci")
    );
}

#[rstest]
#[case::repository(SignedIdentity::MatchRepository, "r.example/app", true)]
#[case::default_needs_the_tag(SignedIdentity::MatchRepoDigestOrExact, "r.example/app", false)]
#[case::default_exact(SignedIdentity::MatchRepoDigestOrExact, "r.example/app:v1", true)]
#[case::exact_other_tag(SignedIdentity::MatchExact, "r.example/app:v2", false)]
#[case::exact_repository(SignedIdentity::ExactRepository { repository: "r.example/app".into() }, "r.example/app:v9", true)]
#[case::other_repository(SignedIdentity::MatchRepository, "r.example/other", false)]
fn signed_identities(#[case] identity: SignedIdentity, #[case] signed: &str, #[case] ok: bool) {
    assert_eq!(
        identity
            .check(&image("r.example", "app", "v1"), signed)
            .is_ok(),
        ok
    );
}

pub(super) fn bare_image() -> ImageReport {
    ImageReport {
        digest: Digest::sha256_of(b"image"),
        media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        size: 1,
        config: None,
        platforms: Vec::new(),
        artifacts: Vec::new(),
        referrers_api: None,
        errors: Vec::new(),
    }
}

pub(super) fn decide_on(set: &PolicySet, img: &ImageName) -> (Decision, String) {
    let trust = TrustedRoot::default();
    let clock = FixedClock(0);
    let env = Environment {
        trust: &trust,
        clock: &clock,
        no_match: NoMatchPolicy::default(),
    };
    let d = decide(&env, set, img, "v1", &bare_image());
    (d.decision, d.reason)
}

#[test]
fn engines_combine_rules_their_own_way() {
    let img = image("ghcr.io", "acme/app", "v1");
    let other = image("quay.io", "x/y", "v1");
    let static_cip = |action: &str, mode: &str| {
        cip(
            "v1beta1",
            &format!("  mode: {mode}\n  authorities:\n  - static: {{action: {action}}}\n"),
        )
    };
    // policy-controller: a match must pass; no match is denied (no-match-policy deny).
    let pass = read_policies(&static_cip("pass", "enforce")).unwrap();
    assert_eq!(decide_on(&pass, &img).0, Decision::Admitted);
    let (d, why) = decide_on(&pass, &other);
    assert_eq!(d, Decision::Denied);
    assert!(why.contains("no ClusterImagePolicy matches"), "{why}");
    assert_eq!(
        decide_on(
            &read_policies(&static_cip("fail", "enforce")).unwrap(),
            &img
        )
        .0,
        Decision::Denied
    );
    // mode: warn only warns.
    assert_eq!(
        decide_on(&read_policies(&static_cip("fail", "warn")).unwrap(), &img).0,
        Decision::Admitted
    );
    // Two documents: both must admit.
    let both = format!(
        "{}---\n{}",
        static_cip("pass", "enforce"),
        static_cip("fail", "enforce")
    );
    assert_eq!(
        decide_on(&read_policies(&both).unwrap(), &img).0,
        Decision::Denied
    );
    // Unreadable key material: the verdict cannot be known.
    let secret = cip(
        "v1beta1",
        "  authorities:\n  - key: {secretRef: {name: s}}\n",
    );
    assert_eq!(
        decide_on(&read_policies(&secret).unwrap(), &img).0,
        Decision::CouldNotCheck
    );
    // No signatures: a keyless authority fails with the verifier's reason.
    let (d, why) = decide_on(&read_policies(&cip("v1beta1", KEYLESS)).unwrap(), &img);
    assert_eq!(d, Decision::Denied, "{why}");
    // A CIP-level CUE policy is not run: what passes the authorities is "could not check".
    let cue = cip(
        "v1beta1",
        "  authorities:\n  - static: {action: pass}\n  policy:\n    type: cue\n    data: 'x: 1'\n",
    );
    let (d, why) = decide_on(&read_policies(&cue).unwrap(), &img);
    assert_eq!(d, Decision::CouldNotCheck, "{why}");
    assert!(why.contains("cue"), "{why}");
    // containers: the default rejects what no scope accepts.
    let json = read_policies("{\"default\": [{\"type\": \"reject\"}]}").unwrap();
    assert_eq!(decide_on(&json, &img).0, Decision::Denied);
}

fn request(signer: SignerSpec, ignore_tlog: bool) -> Request {
    Request {
        repository: "ghcr.io/acme/app".into(),
        image: "ghcr.io/acme/app:v1".into(),
        signer,
        ignore_tlog,
    }
}

#[test]
fn ci_identities_become_anchored_regexps() {
    let s = generate::subject_for(
        "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3",
    );
    let Subject::Regexp(r) = &s else {
        panic!("{s:?}")
    };
    let m = Matcher::regex(r).unwrap();
    assert!(m.warning("x").is_none(), "anchored");
    assert!(
        m.matches("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v2.0.0")
    );
    assert!(
        !m.matches("https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main")
    );
    assert!(!m.matches("https://github.com/acme/appx/.github/workflows/release.yml@refs/tags/v1"));
    assert_eq!(
        generate::subject_for("alice@acme.example"),
        Subject::Exact("alice@acme.example".into())
    );
}

#[test]
fn generated_policies_read_back_with_the_same_signer_and_no_notes() {
    let keyless = SignerSpec::Keyless {
        subject: Subject::Exact("alice@acme.example".into()),
        issuer: "https://accounts.google.com".into(),
    };
    let key = SignerSpec::Key {
        pem: KEY_PEM.into(),
        path: Some("my key.pub".into()),
    };
    let mut trust = TrustedRoot::public_good().unwrap();
    trust.source = "test".into();
    let digest = Digest::sha256_of(b"image");
    let img = image("ghcr.io", "acme/app", "v1").resolved(&digest);
    for (signer, ignore) in [(keyless, false), (key.clone(), true), (key, false)] {
        for format in [
            Format::ClusterImagePolicy,
            Format::Kyverno,
            Format::PolicyJson,
            Format::Connaisseur,
        ] {
            let text =
                generate::generate(&request(signer.clone(), ignore), format, &trust).unwrap();
            let set = read_policies(&text).unwrap_or_else(|e| panic!("{format:?}: {e}\n{text}"));
            let rules = applicable(&set, &img);
            assert_eq!(rules.len(), 1, "{format:?}");
            let Check::Signature { policy, .. } = &rules[0].groups[0].authorities[0].check else {
                panic!("{format:?}");
            };
            assert_eq!(policy.ignore_tlog, ignore, "{format:?}\n{text}");
            assert_eq!(
                matches!(policy.signer, Signer::Key(_)),
                matches!(signer, SignerSpec::Key { .. }),
                "{format:?}"
            );
            assert!(
                set.notes.iter().all(|n| n.kind == NoteKind::Noted),
                "{format:?}: {:?}",
                set.notes
            );
            if format == Format::PolicyJson {
                let other = applicable(
                    &set,
                    &image("ghcr.io", "acme/other", "v1").resolved(&digest),
                );
                assert!(matches!(
                    other[0].groups[0].authorities[0].check,
                    Check::Reject(_)
                ));
            } else {
                let other = image("quay.io", "acme/app", "v1").resolved(&digest);
                assert!(applicable(&set, &other).is_empty(), "{format:?}");
            }
        }
        let line = generate::generate(&request(signer, ignore), Format::Cosign, &trust).unwrap();
        assert!(line.starts_with("cosign verify "), "{line}");
        assert!(
            line.contains("'my key.pub'") || line.contains("alice@acme.example"),
            "{line}"
        );
    }
}

#[test]
fn policy_json_refuses_what_it_cannot_express() {
    let trust = TrustedRoot::public_good().unwrap();
    let uri = SignerSpec::Keyless {
        subject: Subject::Regexp("^https://github\\.com/acme/.*$".into()),
        issuer: "i".into(),
    };
    let err = generate::generate(&request(uri, false), Format::PolicyJson, &trust).unwrap_err();
    assert!(err.to_string().contains("subjectEmail"), "{err}");
    let nokey = SignerSpec::Key {
        pem: KEY_PEM.into(),
        path: None,
    };
    assert!(generate::generate(&request(nokey, true), Format::Cosign, &trust).is_err());
}

#[test]
fn policy_errors_are_typed() {
    assert!(matches!(read_policies("").unwrap_err(), PolicyError::Empty));
}

#[rstest]
#[case::deny(NoMatchPolicy::Deny, Decision::Denied)]
#[case::warn(NoMatchPolicy::Warn, Decision::Admitted)]
#[case::allow(NoMatchPolicy::Allow, Decision::Admitted)]
fn the_no_match_policy_decides_unmatched_images(
    #[case] no_match: NoMatchPolicy,
    #[case] expected: Decision,
) {
    let set = read_policies(&cip(
        "v1beta1",
        "  authorities:\n  - static: {action: fail}\n",
    ))
    .unwrap();
    let trust = TrustedRoot::default();
    let clock = FixedClock(0);
    let env = Environment {
        trust: &trust,
        clock: &clock,
        no_match,
    };
    let d = decide(
        &env,
        &set,
        &image("quay.io", "x/y", "v1"),
        "v1",
        &bare_image(),
    );
    assert_eq!(d.decision, expected, "{}", d.reason);
    assert_eq!(
        d.warnings.len(),
        usize::from(no_match == NoMatchPolicy::Warn)
    );
}
