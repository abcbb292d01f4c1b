//! containers/image: `signature/policy_config_test.go` and `policy_config_sigstore_test.go`
//! (the invalid inputs their `policyJSONUmarshallerTests` build: missing, wrong and extra
//! fields, duplicates), `policy_eval_test.go` (TestPolicyContextRequirementsForImageRef: which
//! scope applies), and `policy_eval_sigstore_test.go` / `policy_eval_simple_test.go` as
//! evaluations on the loopback registry: keys, Rekor, Fulcio and signedIdentity.

use base64::Engine as _;
use serde_json::{Value, json};

use super::bed::{
    NAMED_ELSEWHERE, NAMED_TAG, SIGNED, SIGNED_BY_BOTH, SIGNED_BY_SOMEONE_ELSE, UNSIGNED,
};
use super::{Bed, Controller, Expect, Image, Table, Where};

const CI: Controller = Controller::Containers;

/// A change that breaks a valid requirement.
type Breaker = Box<dyn Fn(&mut serde_json::Map<String, Value>)>;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A policy.json: reject by default, `requirement` for the peers repository.
fn scoped(scope: &str, requirement: Value) -> String {
    json!({"default": [{"type": "reject"}], "transports": {"docker": {scope: [requirement]}}})
        .to_string()
}

pub fn rows(t: &mut Table) {
    config_rows(t);
    scope_rows(t);
    evaluation_rows(t);
}

/// Invalid (and valid) policy files, each run on a registry image.
fn config_rows(t: &mut Table) {
    let bed = Bed::get();
    let image = bed.peer(SIGNED);
    let key = b64(&bed.key_a);
    let valid = || json!({"type": "sigstoreSigned", "keyData": key, "signedIdentity": {"type": "matchRepository"}});
    let mut row = |name: &str, text: String, expect: Expect| {
        t.policy(
            CI,
            &format!("containers/image {name}"),
            &text,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Accept, Refuse};
    let with = |req: Value| json!({"default": [req]}).to_string();
    let modified = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut v = valid();
        f(v.as_object_mut().unwrap());
        with(v)
    };
    // TestNewPolicyFromBytes / TestPolicyUnmarshalJSON
    row(
        "policy_config_test TestNewPolicyFromBytes empty input",
        String::new(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON default missing",
        json!({"transports": {}}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON extra top-level member",
        json!({"default": [{"type": "reject"}], "unexpected": 1}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON default not an array (1)",
        json!({"default": 1}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON default not an array ({})",
        json!({"default": {}}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON transports not an object (1)",
        json!({"default": [{"type": "reject"}], "transports": 1}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON transports not an object ([])",
        json!({"default": [{"type": "reject"}], "transports": []}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON default an empty requirement list",
        json!({"default": []}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON duplicated default",
        "{\"default\": [{\"type\": \"reject\"}], \"default\": [{\"type\": \"reject\"}]}".into(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON transports missing",
        json!({"default": [{"type": "insecureAcceptAnything"}]}).to_string(),
        Accept,
    );
    row(
        "policy_config_test TestPolicyUnmarshalJSON transports empty",
        json!({"default": [{"type": "reject"}], "transports": {}}).to_string(),
        Accept,
    );
    // TestPolicyTransportScopesWithTransportUnmarshalJSON
    let scopes = |v: Value| {
        json!({"default": [{"type": "reject"}], "transports": {"docker": v}}).to_string()
    };
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON scope not an array (1)",
        scopes(json!({"docker.io/library/busybox": 1})),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON scope not an array ({})",
        scopes(json!({"docker.io/library/busybox": {}})),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON \"\" scope not an array",
        scopes(json!({"": 1})),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON empty requirement list",
        scopes(json!({"docker.io/library/busybox": []})),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON \"\" scope empty list",
        scopes(json!({"": []})),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON duplicated scope",
        "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"a.example\": [{\"type\": \"reject\"}], \"a.example\": [{\"type\": \"reject\"}]}}}".into(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON docker scopes refused by the dir transport",
        json!({"default": [{"type": "reject"}], "transports": {"dir": {"docker.io/library/busybox": [{"type": "reject"}]}}}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON no \"\" scope",
        scopes(json!({"docker.io/library/busybox": [{"type": "reject"}]})),
        Accept,
    );
    row(
        "policy_config_test TestPolicyTransportScopesWithTransportUnmarshalJSON empty scopes",
        scopes(json!({})),
        Accept,
    );
    // TestPolicyRequirementsUnmarshalJSON / TestNewPolicyRequirementFromJSON
    row(
        "policy_config_test TestPolicyRequirementsUnmarshalJSON member not an object",
        json!({"default": [1]}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyRequirementsUnmarshalJSON invalid type",
        json!({"default": [{"type": "this is invalid"}]}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPolicyRequirementsUnmarshalJSON valid type, invalid contents",
        json!({"default": [{"type": "reject", "unknown": 1}]}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestNewPolicyRequirementFromJSON type missing",
        json!({"default": [{}]}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPRInsecureAcceptAnythingUnmarshalJSON extra member",
        json!({"default": [{"type": "insecureAcceptAnything", "x": 1}]}).to_string(),
        Refuse,
    );
    row(
        "policy_config_test TestPRRejectUnmarshalJSON duplicate type",
        "{\"default\": [{\"type\": \"reject\", \"type\": \"reject\"}]}".into(),
        Refuse,
    );
    // TestPRSignedByUnmarshalJSON (validated, not evaluated)
    row(
        "policy_config_test TestPRSignedByUnmarshalJSON valid",
        with(json!({"type": "signedBy", "keyType": "GPGKeys", "keyData": b64("gpg")})),
        Accept,
    );
    row(
        "policy_config_test TestPRSignedByUnmarshalJSON keyType missing",
        with(json!({"type": "signedBy", "keyData": b64("gpg")})),
        Refuse,
    );
    row(
        "policy_config_test TestPRSignedByUnmarshalJSON invalid keyType",
        with(json!({"type": "signedBy", "keyType": "x", "keyData": b64("gpg")})),
        Refuse,
    );
    row(
        "policy_config_test TestPRSignedByUnmarshalJSON keyPath and keyData",
        with(
            json!({"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k", "keyData": b64("gpg")}),
        ),
        Refuse,
    );
    row(
        "policy_config_test TestPRSignedByUnmarshalJSON no key",
        with(json!({"type": "signedBy", "keyType": "GPGKeys"})),
        Refuse,
    );
    row(
        "policy_config_test TestPRSignedBaseLayerUnmarshalJSON baseLayerIdentity missing",
        with(json!({"type": "signedBaseLayer"})),
        Refuse,
    );
    // TestPRSigstoreSignedUnmarshalJSON: the breakers applied to a valid keyData requirement.
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedUnmarshalJSON valid",
        with(valid()),
        Accept,
    );
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedUnmarshalJSON signedIdentity omitted",
        modified(&|v| {
            v.remove("signedIdentity");
        }),
        Accept,
    );
    let breakers: Vec<(&str, Breaker)> = vec![
        (
            "type missing",
            Box::new(|v| {
                v.remove("type");
            }),
        ),
        (
            "type a number",
            Box::new(|v| {
                v.insert("type".into(), json!(1));
            }),
        ),
        (
            "extra member",
            Box::new(|v| {
                v.insert("unexpected".into(), json!(1));
            }),
        ),
        (
            "no key source",
            Box::new(|v| {
                v.remove("keyData");
            }),
        ),
        (
            "keyPath and keyData",
            Box::new(|v| {
                v.insert("keyPath".into(), json!("/foo/bar"));
            }),
        ),
        (
            "keyPaths and keyData",
            Box::new(|v| {
                v.insert("keyPaths".into(), json!(["/foo/bar", "/foo/baz"]));
            }),
        ),
        (
            "keyData and keyDatas",
            Box::new(|v| {
                v.insert("keyDatas".into(), json!([b64("abc"), b64("def")]));
            }),
        ),
        (
            "keyData and fulcio",
            Box::new(|v| {
                v.insert(
                    "fulcio".into(),
                    json!({"caData": b64("ca"), "oidcIssuer": "i", "subjectEmail": "e"}),
                );
            }),
        ),
        (
            "keyData and pki",
            Box::new(|v| {
                v.insert(
                    "pki".into(),
                    json!({"caRootsData": b64("ca"), "subjectEmail": "e"}),
                );
            }),
        ),
        (
            "keyPath a number",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("keyPath".into(), json!(1));
            }),
        ),
        (
            "keyPaths a number",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("keyPaths".into(), json!(1));
            }),
        ),
        (
            "keyPaths an object",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("keyPaths".into(), json!({}));
            }),
        ),
        (
            "keyPaths empty",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("keyPaths".into(), json!([]));
            }),
        ),
        (
            "keyData a number",
            Box::new(|v| {
                v.insert("keyData".into(), json!(1));
            }),
        ),
        (
            "keyData not base64",
            Box::new(|v| {
                v.insert("keyData".into(), json!("this is invalid base64"));
            }),
        ),
        (
            "keyDatas a number",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("keyDatas".into(), json!(1));
            }),
        ),
        (
            "keyDatas an object",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("keyDatas".into(), json!({}));
            }),
        ),
        (
            "keyDatas empty",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("keyDatas".into(), json!([]));
            }),
        ),
        (
            "fulcio a number",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("fulcio".into(), json!(1));
            }),
        ),
        (
            "fulcio empty",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("fulcio".into(), json!({}));
            }),
        ),
        (
            "fulcio null",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("fulcio".into(), Value::Null);
            }),
        ),
        (
            "pki a number",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("pki".into(), json!(1));
            }),
        ),
        (
            "pki empty",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("pki".into(), json!({}));
            }),
        ),
        (
            "pki null",
            Box::new(|v| {
                v.remove("keyData");
                v.insert("pki".into(), Value::Null);
            }),
        ),
        (
            "rekorPublicKeyPath and rekorPublicKeyData",
            Box::new(|v| {
                v.insert("rekorPublicKeyPath".into(), json!("/foo/rekor"));
                v.insert("rekorPublicKeyData".into(), json!(b64("rekor")));
            }),
        ),
        (
            "rekorPublicKeyPath a number",
            Box::new(|v| {
                v.insert("rekorPublicKeyPath".into(), json!(1));
            }),
        ),
        (
            "rekorPublicKeyPaths empty",
            Box::new(|v| {
                v.insert("rekorPublicKeyPaths".into(), json!([]));
            }),
        ),
        (
            "rekorPublicKeyData not base64",
            Box::new(|v| {
                v.insert("rekorPublicKeyData".into(), json!("this is invalid base64"));
            }),
        ),
        (
            "rekorPublicKeyDatas empty",
            Box::new(|v| {
                v.insert("rekorPublicKeyDatas".into(), json!([]));
            }),
        ),
        (
            "signedIdentity a string",
            Box::new(|v| {
                v.insert("signedIdentity".into(), json!("this is invalid"));
            }),
        ),
        (
            "signedIdentity null",
            Box::new(|v| {
                v.insert("signedIdentity".into(), Value::Null);
            }),
        ),
    ];
    for (name, f) in &breakers {
        row(
            &format!("policy_config_sigstore_test TestPRSigstoreSignedUnmarshalJSON {name}"),
            modified(f.as_ref()),
            Refuse,
        );
    }
    row(
        "policy_config_sigstore_test duplicate keyData",
        format!(
            "{{\"default\": [{{\"type\": \"sigstoreSigned\", \"keyData\": \"{key}\", \"keyData\": \"{key}\"}}]}}"
        ),
        Refuse,
    );
    // TestPRSigstoreSignedFulcioUnmarshalJSON
    let fulcio = |f: Value| {
        with(json!({"type": "sigstoreSigned", "fulcio": f, "rekorPublicKeyData": b64("rekor")}))
    };
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedFulcioUnmarshalJSON valid",
        fulcio(json!({"caPath": "/ca.pem", "oidcIssuer": "i", "subjectEmail": "e"})),
        Accept,
    );
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedFulcioUnmarshalJSON extra member",
        fulcio(
            json!({"caPath": "/ca.pem", "oidcIssuer": "i", "subjectEmail": "e", "unexpected": 1}),
        ),
        Refuse,
    );
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedFulcioUnmarshalJSON no CA",
        fulcio(json!({"oidcIssuer": "i", "subjectEmail": "e"})),
        Refuse,
    );
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedFulcioUnmarshalJSON caPath and caData",
        fulcio(json!({"caPath": "/ca.pem", "caData": "", "oidcIssuer": "i", "subjectEmail": "e"})),
        Refuse,
    );
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedFulcioUnmarshalJSON oidcIssuer missing",
        fulcio(json!({"caPath": "/ca.pem", "subjectEmail": "e"})),
        Refuse,
    );
    row(
        "policy_config_sigstore_test TestPRSigstoreSignedFulcioUnmarshalJSON subjectEmail missing",
        fulcio(json!({"caPath": "/ca.pem", "oidcIssuer": "i"})),
        Refuse,
    );
    row(
        "policy_config_sigstore_test TestNewPRSigstoreSigned fulcio without Rekor",
        with(
            json!({"type": "sigstoreSigned", "fulcio": {"caPath": "/ca.pem", "oidcIssuer": "i", "subjectEmail": "e"}}),
        ),
        Refuse,
    );
    row(
        "policy_config_sigstore_test TestNewPRSigstoreSigned pki with Rekor",
        with(
            json!({"type": "sigstoreSigned", "pki": {"caRootsData": b64("ca"), "subjectEmail": "e"}, "rekorPublicKeyData": b64("rekor")}),
        ),
        Refuse,
    );
    // signedIdentity types (TestNewPolicyReferenceMatchFromJSON, TestNewPRMExactReference,
    // TestNewPRMExactRepository, TestValidateIdentityRemappingPrefix).
    let si = |identity: Value| {
        with(json!({"type": "sigstoreSigned", "keyData": key, "signedIdentity": identity}))
    };
    for (name, identity, expect) in [
        ("unknown type", json!({"type": "this is invalid"}), Refuse),
        (
            "matchExact with an extra member",
            json!({"type": "matchExact", "x": 1}),
            Refuse,
        ),
        (
            "exactReference busybox:latest",
            json!({"type": "exactReference", "dockerReference": "library/busybox:latest"}),
            Accept,
        ),
        (
            "exactReference name only",
            json!({"type": "exactReference", "dockerReference": "busybox"}),
            Refuse,
        ),
        (
            "exactReference uppercase",
            json!({"type": "exactReference", "dockerReference": "UPPERCASEISINVALID"}),
            Refuse,
        ),
        (
            "exactReference missing",
            json!({"type": "exactReference"}),
            Refuse,
        ),
        (
            "exactRepository with a tag (accepted)",
            json!({"type": "exactRepository", "dockerRepository": "library/busybox:latest"}),
            Accept,
        ),
        (
            "exactRepository empty",
            json!({"type": "exactRepository", "dockerRepository": ""}),
            Refuse,
        ),
        (
            "exactRepository uppercase",
            json!({"type": "exactRepository", "dockerRepository": "INVALIDUPPERCASE"}),
            Refuse,
        ),
        (
            "remapIdentity valid",
            json!({"type": "remapIdentity", "prefix": "example.com", "signedPrefix": "example.net"}),
            Accept,
        ),
        (
            "remapIdentity signedPrefix missing",
            json!({"type": "remapIdentity", "prefix": "example.com"}),
            Refuse,
        ),
    ] {
        row(
            &format!("policy_config_test signedIdentity {name}"),
            si(identity),
            expect,
        );
    }
    for (prefix, expect) in [
        ("localhost", Accept),
        ("example.com", Accept),
        ("example.com:80", Accept),
        ("example.com/repo", Accept),
        (
            "example.com/ns1/ns2/ns3/repo.with.dots-dashes_underscores",
            Accept,
        ),
        (
            "example.com:80/ns1/ns2/ns3/repo.with.dots-dashes_underscores",
            Accept,
        ),
        ("shortname", Accept),
        ("ns/shortname", Accept),
        ("", Refuse),
        ("repo_with_underscores", Refuse),
        ("example.com/", Refuse),
        ("example.com/UPPERCASEISINVALID", Refuse),
        ("example.com/repo/", Refuse),
        ("example.com/repo:tag", Refuse),
        (
            "example.com/repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            Refuse,
        ),
    ] {
        row(
            &format!("policy_config_test TestValidateIdentityRemappingPrefix {prefix:?}"),
            si(json!({"type": "remapIdentity", "prefix": prefix, "signedPrefix": "example.net"})),
            expect,
        );
    }
}

/// TestPolicyContextRequirementsForImageRef on the loopback registry: the most specific scope
/// applies (each scope here accepts or rejects, so the verdict shows which one applied).
fn scope_rows(t: &mut Table) {
    let bed = Bed::get();
    let host = &bed.registry;
    let repo = &bed.repository;
    let signed = bed.peer(SIGNED);
    let mut row = |name: &str, scopes: Value, expect: Expect| {
        let text =
            json!({"default": [{"type": "reject"}], "transports": {"docker": scopes}}).to_string();
        t.policy(
            CI,
            &format!(
                "containers/image policy_eval_test TestPolicyContextRequirementsForImageRef {name}"
            ),
            &text,
            signed,
            expect,
            Where::Registry,
        );
    };
    let accept = json!([{"type": "insecureAcceptAnything"}]);
    let reject = json!([{"type": "reject"}]);
    use Expect::{Admit, Deny};
    row(
        "full match wins",
        json!({format!("{repo}:{SIGNED}"): accept, repo.clone(): reject}),
        Admit,
    );
    row(
        "repository over namespace",
        json!({repo.clone(): accept, format!("{host}/peers"): reject}),
        Admit,
    );
    row(
        "namespace over host",
        json!({format!("{host}/peers"): accept, host.clone(): reject}),
        Admit,
    );
    row(
        "host over wildcard",
        json!({host.clone(): accept, "*.0.1": reject}),
        Admit,
    );
    row(
        "sub-domain wildcard of the host without its port",
        json!({"*.0.0.1": accept}),
        Admit,
    );
    row(
        "more specific wildcard wins",
        json!({"*.0.0.1": accept, "*.1": reject}),
        Admit,
    );
    row(
        "the host without its port is not a scope",
        json!({"127.0.0.1": accept}),
        Deny,
    );
    row(
        "another tag's scope does not apply",
        json!({format!("{repo}:other"): accept}),
        Deny,
    );
    row(
        "transport default",
        json!({"": accept, "unmatched.example": reject}),
        Admit,
    );
    row(
        "default when nothing matches",
        json!({"unmatched.example": accept}),
        Deny,
    );
}

/// policy_eval_sigstore_test / policy_eval_simple_test, on the bed's signatures.
fn evaluation_rows(t: &mut Table) {
    let bed = Bed::get();
    let repo = &bed.repository;
    let (a, b) = (b64(&bed.key_a), b64(&bed.key_b));
    let key_req = |identity: Value| json!({"type": "sigstoreSigned", "keyData": a, "signedIdentity": identity});
    let mut row = |name: &str, text: String, image: &Image, expect: Expect| {
        t.policy(
            CI,
            &format!("containers/image {name}"),
            &text,
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Admit, Deny};
    let repository = json!({"type": "matchRepository"});
    row(
        "policy_eval_simple_test insecureAcceptAnything",
        json!({"default": [{"type": "insecureAcceptAnything"}]}).to_string(),
        bed.peer(UNSIGNED),
        Admit,
    );
    row(
        "policy_eval_simple_test reject",
        json!({"default": [{"type": "reject"}]}).to_string(),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test key, matchRepository",
        scoped(repo, key_req(repository.clone())),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "policy_eval_sigstore_test key, unsigned image",
        scoped(repo, key_req(repository.clone())),
        bed.peer(UNSIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test key, another key's signature",
        scoped(repo, key_req(repository.clone())),
        bed.peer(SIGNED_BY_SOMEONE_ELSE),
        Deny,
    );
    row(
        "policy_eval_sigstore_test key, one of two signatures by the key",
        scoped(repo, key_req(repository.clone())),
        bed.peer(SIGNED_BY_BOTH),
        Admit,
    );
    row(
        "policy_eval_sigstore_test keyDatas, any key",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyDatas": [b, a], "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "policy_eval_sigstore_test key with a Rekor key, no SET in the signature",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyData": a, "rekorPublicKeyData": b64(&std::fs::read_to_string(&bed.scenario.trust.rekor_key).unwrap()), "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test keyPath that does not exist",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyPath": "/nonexistent/key.pub", "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "policy_eval_sigstore_test keyData that is not a key",
        scoped(
            repo,
            json!({"type": "sigstoreSigned", "keyData": b64("not a key"), "signedIdentity": repository}),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    // signedIdentity on payloads naming the repository (cosign's default), a tag, elsewhere.
    let named_tag = format!("{repo}:{NAMED_TAG}");
    row(
        "signedIdentity default on a repository-only payload (refused: name only)",
        scoped(repo, json!({"type": "sigstoreSigned", "keyData": a})),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "signedIdentity default on a payload naming the tag",
        scoped(repo, json!({"type": "sigstoreSigned", "keyData": a})),
        bed.peer(NAMED_TAG),
        Admit,
    );
    row(
        "signedIdentity matchExact on a payload naming the tag",
        scoped(repo, key_req(json!({"type": "matchExact"}))),
        bed.peer(NAMED_TAG),
        Admit,
    );
    row(
        "signedIdentity matchExact on a repository-only payload",
        scoped(repo, key_req(json!({"type": "matchExact"}))),
        bed.peer(SIGNED),
        Deny,
    );
    row(
        "signedIdentity exactReference naming the tag",
        scoped(
            repo,
            key_req(json!({"type": "exactReference", "dockerReference": named_tag})),
        ),
        bed.peer(NAMED_TAG),
        Admit,
    );
    row(
        "signedIdentity exactReference naming another tag",
        scoped(
            repo,
            key_req(json!({"type": "exactReference", "dockerReference": format!("{repo}:other")})),
        ),
        bed.peer(NAMED_TAG),
        Deny,
    );
    row(
        "signedIdentity exactRepository",
        scoped(
            repo,
            key_req(json!({"type": "exactRepository", "dockerRepository": repo})),
        ),
        bed.peer(SIGNED),
        Admit,
    );
    row(
        "signedIdentity exactRepository naming another repository",
        scoped(
            repo,
            key_req(
                json!({"type": "exactRepository", "dockerRepository": format!("{}/peers/other", bed.registry)}),
            ),
        ),
        bed.peer(SIGNED),
        Deny,
    );
    let remap =
        json!({"type": "remapIdentity", "prefix": bed.registry, "signedPrefix": "vendor.example"});
    row(
        "signedIdentity remapIdentity to where the payload names",
        scoped(repo, key_req(remap.clone())),
        bed.peer(NAMED_ELSEWHERE),
        Admit,
    );
    row(
        "signedIdentity remapIdentity, payload naming the mirror itself",
        scoped(repo, key_req(remap)),
        bed.peer(NAMED_TAG),
        Deny,
    );
    row(
        "signedIdentity matchRepository, payload naming another registry",
        scoped(repo, key_req(json!({"type": "matchRepository"}))),
        bed.peer(NAMED_ELSEWHERE),
        Deny,
    );
    // Fulcio: the scenario's person (email identity) with the scenario's Fulcio and Rekor.
    let trust = &bed.scenario.trust;
    let fulcio = |email: &str| {
        scoped(
            &bed.scenario.repository,
            json!({
                "type": "sigstoreSigned",
                "fulcio": {"caPath": trust.roots, "oidcIssuer": crate::support::scenario::HUMAN_ISSUER, "subjectEmail": email},
                "rekorPublicKeyPath": trust.rekor_key,
                "signedIdentity": {"type": "matchRepository"},
            }),
        )
    };
    row(
        "policy_eval_sigstore_test fulcio, the person's signature",
        fulcio(crate::support::scenario::HUMAN_EMAIL),
        bed.scenario("v1.6.0"),
        Admit,
    );
    row(
        "policy_eval_sigstore_test fulcio, another email",
        fulcio("mallory@acme.example"),
        bed.scenario("v1.6.0"),
        Deny,
    );
    row(
        "policy_eval_sigstore_test fulcio, a CI (URI) identity",
        fulcio(crate::support::scenario::HUMAN_EMAIL),
        bed.scenario("v1.0.0"),
        Deny,
    );
    row(
        "policy_eval_sigstore_test fulcio, an untrusted CA",
        fulcio(crate::support::scenario::HUMAN_EMAIL),
        bed.scenario("v1.7.0"),
        Deny,
    );
    t.policy(
        CI,
        "containers/image policy_eval_sigstore_test pki",
        &scoped(repo, json!({"type": "sigstoreSigned", "pki": {"caRootsPath": "/roots.pem", "subjectEmail": "e"}})),
        bed.peer(SIGNED),
        Expect::Deny,
        Where::NotExpressible("pki roots are not evaluated by sigscope"),
    );
}
