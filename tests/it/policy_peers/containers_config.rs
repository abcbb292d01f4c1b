//! containers/image's configuration tables: `signature/policy_config_test.go` and
//! `policy_config_sigstore_test.go` (the invalid inputs their `policyJSONUmarshallerTests`
//! build: missing, wrong and extra fields, duplicates), each run on a registry image.

use serde_json::{Value, json};

use super::bed::SIGNED;
use super::containers::b64;
use super::{Bed, Controller, Expect, Table, Where};

const CI: Controller = Controller::Containers;

/// A change that breaks a valid requirement.
type Breaker = Box<dyn Fn(&mut serde_json::Map<String, Value>)>;

/// Invalid (and valid) policy files, each run on a registry image.
pub(super) fn config_rows(t: &mut Table) {
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
