//! Cases after notation-go's `internal/pkix` table tests (in our words), plus the escaping and
//! certificate-subject rules notation inherits from go-ldap and Go's `pkix.Name`.

use rstest::rstest;

use super::*;

#[rstest]
#[case::notation_go_valid_dn("C=US,ST=California,O=Notary Project", true)]
#[case::notation_go_state_alias("C=US,S=California,O=Notary Project", true)]
#[case::notation_go_missing_org("C=US,ST=California", false)]
#[case::notation_go_missing_state("C=US,O=Notary Project", false)]
#[case::notation_go_not_a_dn("invalid", false)]
#[case::notation_go_duplicate_attribute("C=US,ST=California,O=Notary Project,S=California", false)]
#[case::notation_go_hex_value("C=US,ST=California,O=Notary Project=#", false)]
#[case::notation_go_multi_valued("OU=Sales+CN=J.  Smith,DC=example,DC=net", false)]
#[case::spaces_around_types_and_values(" C = US , ST=WA,O = acme ", true)]
#[case::semicolon_separates("C=US;ST=WA;O=acme", true)]
#[case::dangling_escape("C=US,ST=WA,O=acme\\", false)]
#[case::empty("", false)]
fn trusted_identity_dns_parse_as_notation_parses_them(#[case] text: &str, #[case] ok: bool) {
    assert_eq!(Dn::parse(text).is_ok(), ok, "{text}: {:?}", Dn::parse(text));
}

#[test]
fn escapes_are_undone_and_the_state_alias_is_st() {
    let dn = Dn::parse(r"C=US, S=W\,A, O=acme\2c inc\ , CN=a\=b").unwrap();
    assert_eq!(dn.0["ST"], "W,A");
    assert_eq!(dn.0["O"], "acme, inc ");
    assert_eq!(dn.0["CN"], "a=b");
}

#[rstest]
#[case::notation_go_subset(
    "C=US,ST=California,O=Notary Project",
    "C=US,ST=California,O=Notary Project,L=Los Angeles",
    true
)]
#[case::notation_go_other_org(
    "C=US,ST=California,O=Notary Project",
    "C=US,ST=California,O=Notary Project 2,L=Los Angeles,CN=Notary",
    false
)]
#[case::notation_go_extra_cn(
    "C=US,ST=California,O=Notary Project,CN=Notary",
    "C=US,ST=California,O=Notary Project,L=Los Angeles",
    false
)]
#[case::types_are_case_sensitive(
    "c=US,ST=California,O=Notary Project",
    "C=US,ST=California,O=Notary Project",
    false
)]
fn a_trusted_identity_matches_a_subject_with_all_its_attributes(
    #[case] trusted: &str,
    #[case] subject: &str,
    #[case] matches: bool,
) {
    let trusted = Dn(split_rdns(trusted).unwrap().into_iter().flatten().collect());
    let subject = Dn::parse(subject).unwrap();
    assert_eq!(trusted.is_subset_of(&subject), matches);
}

#[test]
fn certificate_subjects_read_as_go_prints_them() {
    let ca = crate::fixture::CertificateAuthority::new("dn", 1_700_000_000).unwrap();
    // The fixture CA's names have CN and O only: notation cannot match them (no C, ST).
    let err = Dn::of_certificate(&ca.root.der).unwrap_err();
    assert!(err.contains("no C"), "{err}");
    let leaf = crate::fixture::notation::NotationCa::new("dn", 1_700_000_000)
        .unwrap()
        .leaf(
            "C=US,ST=WA,L=Seattle,O=acme,CN=builder",
            1_700_000_000,
            3600,
        )
        .unwrap();
    let dn = Dn::of_certificate(&leaf.der).unwrap();
    assert_eq!(dn.to_string(), "C=US, CN=builder, L=Seattle, O=acme, ST=WA");
    assert!(Dn::parse("C=US,ST=WA,O=acme").unwrap().is_subset_of(&dn));
}
