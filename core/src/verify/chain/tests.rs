use super::*;
use crate::fixture::{
    CaOptions, CertificateAuthority as FixtureCa, Identity, LeafOptions, SigningOptions,
    VirtualSigstore,
};
use crate::trust::{Anchors, CertificateAuthority, TrustedRoot, ValidFor};

const AT: u64 = 1_750_000_000;

fn root_of(s: &VirtualSigstore) -> TrustedRoot {
    TrustedRoot::from_json(
        "t",
        &serde_json::to_vec(&s.trusted_root().unwrap()).unwrap(),
    )
    .unwrap()
}

fn leaf(s: &mut VirtualSigstore, options: LeafOptions) -> Vec<u8> {
    s.sign(
        &Identity::email("a@b.c", "https://i"),
        b"p",
        AT,
        SigningOptions {
            leaf: options,
            ..SigningOptions::default()
        },
    )
    .unwrap()
    .certificate
}

/// An authority of `chain` with `anchors`.
fn authority(chain: Vec<Vec<u8>>, anchors: Anchors) -> Vec<CertificateAuthority> {
    vec![
        CertificateAuthority::new("ca".into(), String::new(), chain, ValidFor::ALWAYS)
            .with_anchors(anchors),
    ]
}

/// A leaf from a CA with `options`, and that CA.
fn defective(options: CaOptions) -> (Vec<u8>, FixtureCa) {
    let mut s = VirtualSigstore::new("defects", AT - 1000).unwrap();
    s.ca = FixtureCa::with_options("defects fulcio", AT - 1000, options).unwrap();
    let der = leaf(&mut s, LeafOptions::default());
    (der, s.ca)
}

#[test]
fn a_pool_without_an_anchor_above_the_leaf_fails_without_looping() {
    let mut s = VirtualSigstore::new("chain", AT - 1000).unwrap();
    let root = root_of(&s);
    let der = leaf(&mut s, LeafOptions::default());
    // Cross-signed CAs with no anchor: the walk from the leaf would go round intermediate ->
    // root -> intermediate … for ever without the loop check.
    let mut pool = root.certificate_authorities[0].pool().into_owned();
    let top = pool.certificates.iter().position(|c| c.anchor).unwrap();
    let other = 1 - top;
    pool.certificates[top].anchor = false;
    pool.certificates[top].issuers = vec![other];
    let leaf = Leaf::parse(&der).unwrap();
    let err = leaf.path_in(&pool, AT as i64 + 60).unwrap_err();
    assert!(err.contains("is not a trust anchor"), "{err}");
    // The untouched pool has its root two steps up.
    let fine = root.certificate_authorities[0].pool();
    assert_eq!(leaf.path_in(&fine, AT as i64 + 60).unwrap().len(), 2);
}

#[test]
fn a_fixture_leaf_chains_at_signing_time_only() {
    let mut s = VirtualSigstore::new("chain", AT - 1000).unwrap();
    let root = root_of(&s);
    let der = leaf(&mut s, LeafOptions::default());
    let path = verify_chain(&der, &root.certificate_authorities, AT as i64 + 60).unwrap();
    assert_eq!(path.subjects.len(), 2);
    assert!(!path.through_signature_intermediates);
    assert_eq!(
        path.issuer_spki_der,
        s.ca.intermediate.key.spki_der().unwrap()
    );
    let late = verify_chain(&der, &root.certificate_authorities, AT as i64 + 601).unwrap_err();
    assert!(late.contains("not at the signing time 2025-"), "{late}");
    // With no verified time, the message says the time is now, and why.
    let now = Leaf::parse(&der)
        .unwrap()
        .checked_at(When::Now)
        .chain(&root.certificate_authorities, AT as i64 + 601)
        .unwrap_err();
    assert!(
        now.contains("not at now (") && now.contains("nothing dated"),
        "{now}"
    );
    assert!(check_code_signing(&der).is_ok());
}

#[test]
fn another_ca_an_expired_trust_window_or_a_wrong_eku_fail() {
    let mut s = VirtualSigstore::new("chain", AT - 1000).unwrap();
    let other = VirtualSigstore::new("other", AT - 1000).unwrap();
    let der = leaf(&mut s, LeafOptions::default());
    let err = verify_chain(&der, &root_of(&other).certificate_authorities, AT as i64).unwrap_err();
    assert!(err.contains("does not chain to a trusted CA"), "{err}");
    assert!(err.contains("no trusted certificate is named"), "{err}");
    let mut expired = root_of(&s);
    expired.certificate_authorities[0].valid_for = ValidFor {
        start: 0,
        end: Some(AT as i64 - 1),
    };
    let err = verify_chain(&der, &expired.certificate_authorities, AT as i64).unwrap_err();
    assert!(err.contains("is not trusted at"), "{err}");
    let no_eku = leaf(
        &mut s,
        LeafOptions {
            omit_code_signing: true,
            ..LeafOptions::default()
        },
    );
    assert!(check_code_signing(&no_eku).unwrap().contains("any usage"));
    let server = leaf(
        &mut s,
        LeafOptions {
            server_auth_only: true,
            ..LeafOptions::default()
        },
    );
    assert!(check_code_signing(&server).is_err());
    let ca_as_leaf = verify_chain(
        &s.ca.intermediate.der,
        &root_of(&s).certificate_authorities,
        AT as i64,
    );
    assert!(ca_as_leaf.unwrap_err().contains("not an end entity"));
    let ca_leaf = leaf(
        &mut s,
        LeafOptions {
            ca: true,
            ..LeafOptions::default()
        },
    );
    let err = verify_chain(&ca_leaf, &root_of(&s).certificate_authorities, AT as i64);
    assert!(err.unwrap_err().contains("not an end entity"));
}

// RFC 5280 §4.2; Go x509 `isValid`: UnhandledCriticalExtension.
#[test]
fn a_leaf_with_an_unknown_critical_extension_is_refused() {
    let mut s = VirtualSigstore::new("crit", AT - 1000).unwrap();
    let der = leaf(
        &mut s,
        LeafOptions {
            unknown_critical_extension: true,
            ..LeafOptions::default()
        },
    );
    let err = verify_chain(&der, &root_of(&s).certificate_authorities, AT as i64).unwrap_err();
    assert!(
        err.contains("critical extension that is not understood")
            && err.contains(crate::fixture::UNKNOWN_CRITICAL_OID),
        "{err}"
    );
    // The SAN is critical in every Fulcio leaf and is understood.
    let fine = leaf(&mut s, LeafOptions::default());
    assert!(verify_chain(&fine, &root_of(&s).certificate_authorities, AT as i64).is_ok());
}

// protobuf-specs `CertificateAuthority.cert_chain`; sigstore-go takes the last certificate of
// the chain as the root, self-signed or not.
#[test]
fn a_trusted_root_whose_chain_ends_at_an_intermediate_anchors_there() {
    let mut s = VirtualSigstore::new("anchor", AT - 1000).unwrap();
    let der = leaf(&mut s, LeafOptions::default());
    let only_intermediate = vec![s.ca.intermediate.der.clone()];
    let path = verify_chain(
        &der,
        &authority(only_intermediate.clone(), Anchors::LastOfChain),
        AT as i64,
    )
    .unwrap();
    assert_eq!(path.subjects.len(), 1);
    // cosign's SIGSTORE_ROOT_FILE: a certificate that is not self-issued is an intermediate,
    // never a root.
    let err = verify_chain(
        &der,
        &authority(only_intermediate, Anchors::SelfIssued),
        AT as i64,
    )
    .unwrap_err();
    assert!(err.contains("is not a trust anchor"), "{err}");
}

// cosign `verifyInternal`: the chain annotation's intermediates are used when the trust brings
// none; sigstore-go `VerifyLeafCertificate` (a trusted root) never uses them.
#[test]
fn signature_intermediates_count_only_with_a_root_only_cosign_root_file() {
    let mut s = VirtualSigstore::new("annotation", AT - 1000).unwrap();
    let der = leaf(&mut s, LeafOptions::default());
    let root_only = vec![s.ca.root.der.clone()];
    let carried = vec![s.ca.intermediate.der.clone()];
    let with = |anchors| {
        Leaf::parse(&der)
            .unwrap()
            .with_intermediates(carried.clone())
            .chain(&authority(root_only.clone(), anchors), AT as i64)
    };
    let path = with(Anchors::SelfIssued).unwrap();
    assert!(path.through_signature_intermediates && path.subjects.len() == 2);
    assert!(with(Anchors::LastOfChain).is_err());
    // A root file that has intermediates of its own ignores the signature's.
    let both = vec![s.ca.root.der.clone(), s.ca.intermediate.der.clone()];
    let path = Leaf::parse(&der)
        .unwrap()
        .with_intermediates(carried.clone())
        .chain(&authority(both, Anchors::SelfIssued), AT as i64)
        .unwrap();
    assert!(!path.through_signature_intermediates);
    // The SCT's issuer is found through them too.
    let spki = Leaf::parse(&der)
        .unwrap()
        .with_intermediates(carried)
        .issuer_spki(&authority(root_only, Anchors::SelfIssued));
    assert_eq!(spki, Some(s.ca.intermediate.key.spki_der().unwrap()));
}

// Go x509 `CheckSignatureFrom`, `isValid`, `checkChainForKeyUsage`: each defect of a CA on
// the path is named.
#[test]
fn each_defect_of_a_ca_on_the_path_is_named() {
    for (options, expected) in [
        (
            CaOptions {
                intermediate_not_ca: true,
                ..CaOptions::default()
            },
            "cannot issue certificates: it is not a CA (basic constraints cA is false)",
        ),
        (
            CaOptions {
                root_path_len_zero: true,
                ..CaOptions::default()
            },
            "allows 0 intermediate certificate(s) below it (path length constraint), and the \
             path has 1",
        ),
        (
            CaOptions {
                intermediate_server_auth_only: true,
                ..CaOptions::default()
            },
            "cannot be on a code-signing path: its extended key usage (serverAuth) does not \
             include codeSigning",
        ),
        (
            CaOptions {
                intermediate_lifetime: Some(100),
                ..CaOptions::default()
            },
            "is valid from 2025-06-15T",
        ),
        (
            CaOptions {
                intermediate_unknown_critical: true,
                ..CaOptions::default()
            },
            "has a critical extension that is not understood (1.3.6.1.4.1.99999.2)",
        ),
    ] {
        let (der, ca) = defective(options);
        let trust = authority(vec![ca.root.der.clone()], Anchors::SelfIssued);
        let err = Leaf::parse(&der)
            .unwrap()
            .with_intermediates(vec![ca.intermediate.der.clone()])
            .chain(&trust, AT as i64)
            .unwrap_err();
        assert!(err.contains(expected), "{options:?}: {err}");
        // The same defects in a trusted root's own chain.
        let trusted = authority(
            vec![ca.intermediate.der.clone(), ca.root.der.clone()],
            Anchors::LastOfChain,
        );
        let err = verify_chain(&der, &trusted, AT as i64).unwrap_err();
        assert!(err.contains(expected), "{options:?}: {err}");
    }
}
