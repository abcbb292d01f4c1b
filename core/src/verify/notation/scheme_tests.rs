//! Trust stores and the signing-authority scheme.

use serde_json::json;

use super::*;

#[test]
fn a_store_without_the_signers_root_fails_authenticity() {
    let b = bed();
    let other = NotationCa::new("wabbit", T0 - 86_400).unwrap();
    let mut t = trust(&b, strict(), json!(["*"]));
    t.store = TrustStore::from_certificates(vec![(
        StoreRef {
            kind: StoreKind::Ca,
            name: "acme".into(),
        },
        vec![other.root.der.clone()],
    )]);
    let bytes = jws(
        &b.leaf,
        &b.ca.chain_der(&b.leaf),
        &protected(json!({})),
        &payload(DIGEST),
    );
    let v = run(&t, JWS_MEDIA_TYPE, &bytes, T0);
    assert!(
        failed_with(&v, "authenticity", "no certificate of the chain"),
        "{v:#?}"
    );
}

#[test]
fn the_signing_authority_scheme_needs_its_own_store_and_authentic_time() {
    let b = bed();
    let chain = b.ca.chain_der(&b.leaf);
    let at = crate::artifact::encoding::rfc3339(T0 as i64);
    let scheme = json!({
        "io.cncf.notary.signingScheme": "notary.x509.signingAuthority",
        "io.cncf.notary.signingTime": null,
        "io.cncf.notary.authenticSigningTime": at,
        "crit": ["io.cncf.notary.signingScheme", "io.cncf.notary.authenticSigningTime"],
    });
    let bytes = jws(
        &b.leaf,
        &chain,
        &protected(scheme.clone()),
        &payload(DIGEST),
    );
    // A `ca` store does not vouch for a signing authority.
    let v = run(
        &trust(&b, strict(), json!(["*"])),
        JWS_MEDIA_TYPE,
        &bytes,
        T0 + 10,
    );
    assert!(
        failed_with(&v, "authenticity", "no signingAuthority trust store"),
        "{v:#?}"
    );
    let mut t = trust(&b, strict(), json!(["*"]));
    let doc = json!({"version": "1.0", "trustPolicies": [{
        "name": "sa", "registryScopes": ["*"], "signatureVerification": {"level": "strict"},
        "trustStores": ["signingAuthority:acme"], "trustedIdentities": ["*"],
    }]});
    t.policy = TrustPolicyDocument::from_json("t", doc.to_string().as_bytes()).unwrap();
    t.store = TrustStore::from_certificates(vec![(
        StoreRef {
            kind: StoreKind::SigningAuthority,
            name: "acme".into(),
        },
        vec![b.ca.root.der.clone()],
    )]);
    // Long after the leaf expired, the authentic signing time still lies within its validity.
    let v = run(&t, JWS_MEDIA_TYPE, &bytes, T0 + 86_400);
    assert!(v.verified, "{v:#?}");
    // The authentic signing time must be marked critical.
    let mut unmarked = scheme;
    unmarked["crit"] = json!(["io.cncf.notary.signingScheme"]);
    let bytes = jws(&b.leaf, &chain, &protected(unmarked), &payload(DIGEST));
    let v = run(&t, JWS_MEDIA_TYPE, &bytes, T0);
    assert!(failed_with(&v, "integrity", "not marked so"), "{v:#?}");
}
