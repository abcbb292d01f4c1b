//! sigstore/policy-controller's validation tables (`pkg/apis/policy/v1beta1/
//! clusterimagepolicy_validation_test.go`, shared by v1alpha1) and its `test/testdata/
//! policy-controller/{valid,invalid}` policies: a policy the webhook refuses must be refused,
//! one it accepts must be read. Each row is run on a registry image (a refusal does not depend
//! on the image, and a valid policy is then evaluated).

use super::bed::SIGNED;
use super::{Bed, Controller, Expect, Table, Where};

const PC: Controller = Controller::Sigstore;

/// A ClusterImagePolicy with this spec body (indented two spaces).
pub fn cip(api: &str, body: &str) -> String {
    format!(
        "apiVersion: policy.sigstore.dev/{api}\nkind: ClusterImagePolicy\nmetadata:\n  name: peer\nspec:\n{body}"
    )
}

/// `text` indented by `n` spaces (for PEM blocks inside YAML).
pub fn indent(text: &str, n: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}", " ".repeat(n)))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn rows(t: &mut Table) {
    let bed = Bed::get();
    let image = bed.peer(SIGNED);
    let key = format!("        data: |\n{}\n", indent(&bed.key_a, 10));
    let glob = "  images:\n  - glob: globbityglob\n";
    let keyless_ok =
        "      identities:\n      - issuer: some-issuer\n        subject: some-subject\n";
    let mut row = |name: &str, body: String, expect: Expect| {
        for api in ["v1alpha1", "v1beta1"] {
            t.policy(
                PC,
                &format!("policy-controller {api} clusterimagepolicy_validation_test {name}"),
                &cip(api, &body),
                image,
                expect,
                Where::Registry,
            );
        }
    };
    use Expect::{Accept, Refuse};
    // TestImagePatternValidation
    row(
        "ImagePattern: glob missing",
        "  images:\n  - {}\n  authorities:\n  - static: {action: pass}\n".into(),
        Refuse,
    );
    row(
        "ImagePattern: glob '[' invalid",
        "  images:\n  - glob: '['\n  authorities:\n  - static: {action: pass}\n".into(),
        Refuse,
    );
    row(
        "ImagePattern: glob '$FOO*' invalid",
        "  images:\n  - glob: '$FOO*'\n  authorities:\n  - static: {action: pass}\n".into(),
        Refuse,
    );
    row(
        "ImagePattern: images and authorities missing",
        "  mode: enforce\n".into(),
        Refuse,
    );
    // TestKeyValidation
    row(
        "Key: data and kms",
        format!("{glob}  authorities:\n  - key:\n{key}        kms: hashivault://key/path\n"),
        Refuse,
    );
    row(
        "Key: malformed data",
        format!("{glob}  authorities:\n  - key:\n        data: '---some key data----'\n"),
        Refuse,
    );
    row(
        "Key: secretRef in another namespace",
        format!(
            "{glob}  authorities:\n  - key:\n        secretRef: {{name: test, namespace: invalid}}\n"
        ),
        Refuse,
    );
    row(
        "Key: empty",
        format!("{glob}  authorities:\n  - key: {{}}\n"),
        Refuse,
    );
    row(
        "Key: invalid AWS KMS",
        format!(
            "{glob}  authorities:\n  - key: {{kms: 'awskms://localhost:8888/arn:butnotvalid'}}\n    source:\n    - oci: registry.example.com\n"
        ),
        Refuse,
    );
    row(
        "Key: source oci with a glob",
        format!(
            "{glob}  authorities:\n  - key: {{kms: 'hashivault://key/path'}}\n    source:\n    - oci: registry.example.com/repo/*\n"
        ),
        Refuse,
    );
    row(
        "Key: source oci with a bad registry",
        format!(
            "{glob}  authorities:\n  - key: {{kms: 'hashivault://key/path'}}\n    source:\n    - oci: re@gistry/reponame\n"
        ),
        Refuse,
    );
    for oci in [
        "gcr.io/google.com/project/hello-world",
        "registry.example.com/repository",
    ] {
        row(
            &format!("Key: valid source oci {oci}"),
            format!(
                "{glob}  authorities:\n  - key: {{kms: 'hashivault://key/path'}}\n    source:\n    - oci: {oci}\n"
            ),
            Accept,
        );
    }
    row(
        "Key: kms only",
        format!("{glob}  authorities:\n  - key: {{kms: 'hashivault://key/path'}}\n"),
        Accept,
    );
    row(
        "Key: glob with an exact digest",
        "  images:\n  - glob: ghcr.io/foo@sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9fe96f5628ce2336350\n  authorities:\n  - key: {kms: 'hashivault://key/path'}\n".into(),
        Accept,
    );
    // TestKeylessValidation (defaulting gives an empty keyless Fulcio's URL first)
    row(
        "Keyless: empty",
        format!("{glob}  authorities:\n  - keyless: {{}}\n"),
        Refuse,
    );
    row(
        "Keyless: url and ca-cert",
        format!(
            "{glob}  authorities:\n  - keyless:\n      url: https://myhost\n      ca-cert:\n{key}"
        ),
        Refuse,
    );
    row(
        "Keyless: no identities",
        format!("{glob}  authorities:\n  - keyless:\n      url: https://myhost\n"),
        Refuse,
    );
    row(
        "Keyless: valid",
        format!("{glob}  authorities:\n  - keyless:\n      url: https://myhost\n{keyless_ok}"),
        Accept,
    );
    // TestStaticValidation
    row(
        "Static: empty",
        format!("{glob}  authorities:\n  - static: {{}}\n"),
        Refuse,
    );
    row(
        "Static: action garbage",
        format!("{glob}  authorities:\n  - static: {{action: garbage}}\n"),
        Refuse,
    );
    row(
        "Static: pass",
        format!("{glob}  authorities:\n  - static: {{action: pass}}\n"),
        Accept,
    );
    row(
        "Static: fail",
        format!("{glob}  authorities:\n  - static: {{action: fail}}\n"),
        Accept,
    );
    for switch in [
        "fetchConfigFile",
        "includeSpec",
        "includeObjectMeta",
        "includeTypeMeta",
    ] {
        row(
            &format!("Static: pass with spec.policy.{switch}"),
            format!(
                "{glob}  authorities:\n  - static: {{action: pass}}\n  policy:\n    type: cue\n    data: 'predicateType: \"x\"'\n    {switch}: true\n"
            ),
            Accept,
        );
    }
    // TestModeValidation
    for (mode, expect) in [
        ("''", Accept),
        ("enforce", Accept),
        ("warn", Accept),
        ("garbage", Refuse),
    ] {
        row(
            &format!("Mode: {mode}"),
            format!("{glob}  mode: {mode}\n  authorities:\n  - static: {{action: pass}}\n"),
            expect,
        );
    }
    // TestAuthoritiesValidation
    row(
        "Authorities: empty authority",
        format!("{glob}  authorities:\n  - {{}}\n"),
        Refuse,
    );
    row(
        "Authorities: key and keyless",
        format!(
            "{glob}  authorities:\n  - key:\n{key}    keyless: {{url: https://fulcio.sigstore.dev}}\n"
        ),
        Refuse,
    );
    row(
        "Authorities: key and static",
        format!("{glob}  authorities:\n  - key:\n{key}    static: {{action: pass}}\n"),
        Refuse,
    );
    row(
        "Authorities: keyless and static",
        format!(
            "{glob}  authorities:\n  - static: {{action: fail}}\n    keyless: {{url: https://fulcio.sigstore.dev}}\n"
        ),
        Refuse,
    );
    row(
        "Authorities: static with source, attestations and ctlog",
        format!(
            "{glob}  authorities:\n  - static: {{action: fail}}\n    source: [{{oci: registry.example.com}}]\n    ctlog: {{url: https://rekor.sigstore.dev}}\n    attestations:\n    - {{name: first, predicateType: vuln}}\n"
        ),
        Refuse,
    );
    row(
        "Authorities: invalid kms prefix",
        format!(
            "{glob}  authorities:\n  - key: {{kms: 'fookms://localhost:8888/xpa:butnotvalid'}}\n"
        ),
        Refuse,
    );
    row(
        "Authorities: static with rfc3161timestamp",
        format!(
            "{glob}  authorities:\n  - static: {{action: fail}}\n    rfc3161timestamp: {{trustRootRef: tsa}}\n"
        ),
        Refuse,
    );
    row(
        "Authorities: authorities empty",
        format!("{glob}  authorities: []\n"),
        Refuse,
    );
    row(
        "Authorities: one source",
        format!(
            "{glob}  authorities:\n  - key:\n{key}    source: [{{oci: registry.example.com/repo}}]\n"
        ),
        Accept,
    );
    row(
        "Authorities: two sources",
        format!(
            "{glob}  authorities:\n  - key:\n{key}    source: [{{oci: registry.example.com/a}}, {{oci: registry.example.com/b}}]\n"
        ),
        Refuse,
    );
    row(
        "Authorities: invalid AWS KMS in ca-cert",
        format!(
            "{glob}  authorities:\n  - keyless:\n      ca-cert: {{kms: 'awskms://localhost:8888/arn:butnotvalid'}}\n{keyless_ok}"
        ),
        Refuse,
    );
    row(
        "Authorities: attestations present",
        format!(
            "{glob}  authorities:\n  - key:\n{key}    attestations:\n    - name: first\n      predicateType: https://slsa.dev/provenance/v1\n"
        ),
        Accept,
    );
    for switch in [
        "fetchConfigFile",
        "includeSpec",
        "includeObjectMeta",
        "includeTypeMeta",
    ] {
        row(
            &format!("Authorities: attestation policy with {switch}"),
            format!(
                "{glob}  authorities:\n  - key:\n{key}    attestations:\n    - name: first\n      predicateType: https://slsa.dev/provenance/v1\n      policy:\n        type: cue\n        data: 'x: 1'\n        {switch}: true\n"
            ),
            Refuse,
        );
    }
    row(
        "Authorities: signaturePullSecret without name",
        format!(
            "{glob}  authorities:\n  - key:\n{key}    source:\n    - oci: registry.example.com/repo\n      signaturePullSecrets: [{{name: ''}}]\n"
        ),
        Refuse,
    );
    row(
        "Authorities: signaturePullSecret named",
        format!(
            "{glob}  authorities:\n  - key:\n{key}    source:\n    - oci: registry.example.com/repo\n      signaturePullSecrets: [{{name: pull}}]\n"
        ),
        Accept,
    );
    for (alg, expect) in [
        ("shaInvalid", Refuse),
        ("sha256", Accept),
        ("sha512", Accept),
    ] {
        row(
            &format!("Authorities: hashAlgorithm {alg}"),
            format!("{glob}  authorities:\n  - key:\n{key}        hashAlgorithm: {alg}\n"),
            expect,
        );
    }
    row(
        "Authorities: source oci empty",
        format!("{glob}  authorities:\n  - key:\n{key}    source: [{{oci: ''}}]\n"),
        Accept,
    );
    attestation_rows(&mut row);
    identity_rows(&mut row, glob);
    kms_rows(&mut row, glob, keyless_ok);
    match_rows(&mut row, glob);
}

type Row<'a> = dyn FnMut(&str, String, Expect) + 'a;

/// TestAttestationsValidation: each attestation under a key authority.
fn attestation_rows(row: &mut Row) {
    let bed = Bed::get();
    let key = format!("        data: |\n{}\n", indent(&bed.key_a, 10));
    let with = |attestation: &str| {
        format!(
            "  images:\n  - glob: globbityglob\n  authorities:\n  - key:\n{key}    attestations:\n    - {attestation}\n"
        )
    };
    use Expect::{Accept, Refuse};
    row(
        "Attestations: URL predicate",
        with("{name: vuln, predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1'}"),
        Accept,
    );
    row(
        "Attestations: missing name",
        with("{predicateType: 'https://example.com/x'}"),
        Refuse,
    );
    row(
        "Attestations: missing predicateType",
        with("{name: first}"),
        Refuse,
    );
    row(
        "Attestations: unsupported short predicate (a warning only)",
        with("{name: first, predicateType: notsupported}"),
        Accept,
    );
    row(
        "Attestations: policy type not-cue",
        with("{name: first, predicateType: custom, policy: {type: not-cue, data: 'x'}}"),
        Refuse,
    );
    row(
        "Attestations: policy without data, url or configMapRef",
        with("{name: first, predicateType: custom, policy: {type: cue}}"),
        Refuse,
    );
    row(
        "Attestations: policy with data and configMapRef",
        with(
            "{name: first, predicateType: custom, policy: {type: cue, data: 'x', configMapRef: {name: cm, key: k}}}",
        ),
        Refuse,
    );
    row(
        "Attestations: policy with data, url and configMapRef",
        with(
            "{name: first, predicateType: custom, policy: {type: cue, data: 'x', configMapRef: {name: cm, key: k}, remote: {url: 'https://example.com', sha256sum: abc}}}",
        ),
        Refuse,
    );
    row(
        "Attestations: policy url",
        with(
            "{name: first, predicateType: custom, policy: {type: cue, remote: {url: 'https://example.com', sha256sum: abc}}}",
        ),
        Accept,
    );
    row(
        "Attestations: policy url not https",
        with(
            "{name: first, predicateType: custom, policy: {type: cue, remote: {url: 'http://example.com', sha256sum: abc}}}",
        ),
        Refuse,
    );
    row(
        "Attestations: configMapRef without key",
        with("{name: first, predicateType: custom, policy: {type: cue, configMapRef: {name: cm}}}"),
        Refuse,
    );
    row(
        "Attestations: custom with policy",
        with("{name: first, predicateType: custom, policy: {type: cue, data: 'x: 1'}}"),
        Accept,
    );
}

/// TestIdentitiesValidation.
fn identity_rows(row: &mut Row, glob: &str) {
    let with = |identity: &str| {
        format!(
            "{glob}  authorities:\n  - keyless:\n      url: https://myhost\n      identities:\n      - {identity}\n"
        )
    };
    use Expect::{Accept, Refuse};
    row(
        "Identities: valid",
        with("{issuer: some-issuer, subject: some-subject}"),
        Accept,
    );
    row("Identities: empty", with("{}"), Refuse);
    row(
        "Identities: issuer and issuerRegExp",
        with("{issuer: a, issuerRegExp: b, subject: s}"),
        Refuse,
    );
    row(
        "Identities: subject and subjectRegExp",
        with("{issuer: a, subject: s, subjectRegExp: t}"),
        Refuse,
    );
    row(
        "Identities: issuerRegExp '****'",
        with("{issuerRegExp: '****', subject: s}"),
        Refuse,
    );
    row("Identities: issuer missing", with("{subject: s}"), Refuse);
    row("Identities: subject missing", with("{issuer: a}"), Refuse);
    row(
        "Identities: subjectRegExp '****'",
        with("{issuer: a, subjectRegExp: '****'}"),
        Refuse,
    );
    row(
        "Identities: valid regexps",
        with("{issuerRegExp: '.*issuer.*', subjectRegExp: '.*subject.*'}"),
        Accept,
    );
}

/// TestAWSKMSValidation: each reference as a key and as a keyless ca-cert.
fn kms_rows(row: &mut Row, glob: &str, keyless_ok: &str) {
    use Expect::{Accept, Refuse};
    for (name, kms, expect) in [
        (
            "only 2 slashes",
            "awskms://1234abcd-12ab-34cd-56ef-1234567890ab",
            Refuse,
        ),
        (
            "invalid host",
            "awskms://localhost:::4566/alias/exampleAlias",
            Refuse,
        ),
        (
            "non-ARN alias",
            "awskms://localhost:4566/alias/exampleAlias",
            Refuse,
        ),
        (
            "invalid ARN",
            "awskms://localhost:4566/arn:sonotvalid",
            Refuse,
        ),
        (
            "key in the endpoint",
            "awskms://arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            Refuse,
        ),
        (
            "ARN key, endpoint",
            "awskms://localhost:4566/arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            Accept,
        ),
        (
            "ARN key, no endpoint",
            "awskms:///arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            Accept,
        ),
        (
            "ARN alias, endpoint",
            "awskms://localhost:4566/arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias",
            Accept,
        ),
        (
            "ARN alias, no endpoint",
            "awskms:///arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias",
            Accept,
        ),
    ] {
        row(
            &format!("AWSKMS key: {name}"),
            format!("{glob}  authorities:\n  - key: {{kms: '{kms}'}}\n"),
            expect,
        );
        row(
            &format!("AWSKMS ca-cert: {name}"),
            format!(
                "{glob}  authorities:\n  - keyless:\n      ca-cert: {{kms: '{kms}'}}\n{keyless_ok}"
            ),
            expect,
        );
    }
}

/// TestMatchValidation (with the webhook's resource names) and the testdata's match files.
fn match_rows(row: &mut Row, glob: &str) {
    let with = |m: &str| {
        format!(
            "{glob}  match:\n  - {m}\n  authorities:\n  - keyless:\n      url: https://myhost\n      identities:\n      - {{issuer: i, subject: s}}\n"
        )
    };
    use Expect::{Accept, Refuse};
    row(
        "Match: label selector",
        with(
            "{group: apps, version: v1, resource: deployments, selector: {matchLabels: {a: b, c: d}}}",
        ),
        Accept,
    );
    row(
        "Match: resource types",
        with("{group: apps, version: v1, resource: deployments}"),
        Accept,
    );
    row(
        "Match: unsupported resource myobject",
        with("{version: v1, resource: myobject}"),
        Refuse,
    );
    row(
        "Match: unsupported resource apple (testdata)",
        with("{group: apps, version: v1, resource: apple}"),
        Refuse,
    );
    row(
        "Match: selector without a resource",
        with("{selector: {matchLabels: {a: b}}}"),
        Refuse,
    );
}
