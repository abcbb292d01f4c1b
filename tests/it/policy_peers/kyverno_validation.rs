//! kyverno/kyverno's validation tables (`api/kyverno/v1/image_verification_test.go`:
//! Test_ImageVerification, Test_Audit_VerifyImageRule, Test_Enforce_VerifyImageRule): a policy
//! Kyverno refuses must be refused, one it accepts must be read (its verdict then follows the
//! engine). Each `verifyImages` entry sits in an otherwise valid ClusterPolicy.

use super::bed::SIGNED;
use super::kyverno::{policy, q, rule};
use super::{Bed, Controller, Expect, Table, Where};

const KY: Controller = Controller::Kyverno;

pub fn rows(t: &mut Table) {
    let bed = Bed::get();
    let image = bed.peer(SIGNED);
    let mut row = |name: &str, action: &str, entry: &str, expect: Expect| {
        t.policy(
            KY,
            &format!("Kyverno image_verification_test {name}"),
            &policy(action, "", &[rule("r", &format!("    - {entry}\n"))]),
            image,
            expect,
            Where::Registry,
        );
    };
    use Expect::{Accept, Refuse};
    let bla = q("bla");
    let mut ok = |name: &str, entry: &str, expect: Expect| {
        row(
            &format!("Test_ImageVerification {name}"),
            "Enforce",
            entry,
            expect,
        )
    };
    ok(
        "only key",
        &format!("{{imageReferences: [bla], key: {bla}}}"),
        Accept,
    );
    ok(
        "only keyless (neither rekor nor roots)",
        "{imageReferences: [bla], issuer: bla, subject: '*'}",
        Refuse,
    );
    ok(
        "key roots, issuer, and subject",
        "{imageReferences: [bla], issuer: bla, subject: bla, roots: bla}",
        Accept,
    );
    ok("empty", "{imageReferences: [bla]}", Accept);
    ok("no image", &format!("{{image: '', key: {bla}}}"), Refuse);
    ok("no image reference", &format!("{{key: {bla}}}"), Refuse);
    ok(
        "no attestors",
        "{imageReferences: ['*'], attestors: []}",
        Accept,
    );
    ok(
        "no entries",
        "{imageReferences: ['*'], attestors: [{entries: []}]}",
        Refuse,
    );
    ok(
        "empty attestor",
        "{imageReferences: ['*'], attestors: [{entries: [{}]}]}",
        Refuse,
    );
    ok(
        "empty static key attestor",
        "{imageReferences: ['*'], attestors: [{entries: [{keys: {}}]}]}",
        Refuse,
    );
    ok(
        "static key invalid signature algorithm attestor",
        "{imageReferences: ['*'], attestors: [{entries: [{keys: {publicKeys: bla, signatureAlgorithm: sha1}}]}]}",
        Refuse,
    );
    ok(
        "valid static key default signature algorithm attestor",
        "{imageReferences: ['*'], attestors: [{entries: [{keys: {publicKeys: bla}}]}]}",
        Accept,
    );
    for alg in ["sha224", "sha256", "sha384"] {
        ok(
            &format!("valid static key {alg} signature algorithm attestor"),
            &format!(
                "{{imageReferences: ['*'], attestors: [{{entries: [{{keys: {{publicKeys: bla, signatureAlgorithm: {alg}}}}}]}}]}}"
            ),
            Accept,
        );
    }
    ok(
        "invalid keyless attestor (rekor without url)",
        "{imageReferences: ['*'], attestors: [{entries: [{keyless: {rekor: {}, issuer: '', subject: ''}}]}]}",
        Refuse,
    );
    ok(
        "valid keyless attestor",
        "{imageReferences: ['*'], attestors: [{entries: [{keyless: {rekor: {url: 'https://rekor.sigstore.dev'}, issuer: bla, subject: bla}}]}]}",
        Accept,
    );
    ok(
        "valid attestation without attestors",
        "{imageReferences: ['*'], attestations: [{predicateType: foo}]}",
        Accept,
    );
    ok(
        "multiple entries",
        "{imageReferences: ['*'], attestors: [{entries: [{keys: {publicKeys: key1}}, {keys: {publicKeys: key2}}]}]}",
        Accept,
    );
    ok(
        "count above the entries (AttestorSet.Validate)",
        "{imageReferences: ['*'], attestors: [{count: 2, entries: [{keys: {publicKeys: key1}}]}]}",
        Refuse,
    );
    ok(
        "keys on type Notary",
        "{imageReferences: ['*'], type: Notary, attestors: [{entries: [{keys: {publicKeys: key1}}]}]}",
        Refuse,
    );
    for (name, action, mutate, expect) in [
        (
            "Test_Audit_VerifyImageRule mutateDigest set to true for audit failure action",
            "Audit",
            "true",
            Refuse,
        ),
        (
            "Test_Audit_VerifyImageRule mutateDigest set to false for audit failure action",
            "Audit",
            "false",
            Accept,
        ),
        (
            "Test_Audit_VerifyImageRule mutateDigest left to its default (true) for audit",
            "Audit",
            "null",
            Refuse,
        ),
        (
            "Test_Enforce_VerifyImageRule mutateDigest set to true for enforce failure action",
            "Enforce",
            "true",
            Accept,
        ),
        (
            "Test_Enforce_VerifyImageRule mutateDigest set to false for enforce failure action",
            "Enforce",
            "false",
            Accept,
        ),
    ] {
        row(
            name,
            action,
            &format!(
                "{{imageReferences: ['*'], attestations: [{{predicateType: foo}}], mutateDigest: {mutate}}}"
            ),
            expect,
        );
    }
}
