//! The signer matrix on builds made with the fixture: ten CI builds of `acme/app`, one by
//! `acme-evil/app`, one carrying a person's and CI's signatures, one with a signature copied
//! from another build, one signed with a key, one unsigned.

use super::*;
use crate::fixture::builds::attacked_repository;

fn matrix() -> Matrix {
    let builds = attacked_repository().unwrap();
    signer_matrix_of(builds.iter().map(|(t, i)| (t.as_str(), Ok(i))))
}

fn row<'a>(m: &'a Matrix, tag: &str) -> &'a Row {
    m.rows.iter().find(|r| r.tag == tag).unwrap()
}

#[test]
fn the_attackers_build_stands_out_and_the_majority_is_the_genuine_workflow() {
    let m = matrix();
    assert_eq!(
        m.majority[&Attribute::Identity],
        "https://github.com/acme/app/.github/workflows/release.yml"
    );
    for i in 0..10 {
        let r = row(&m, &format!("v1.{i}.0"));
        assert!(r.outliers.is_empty(), "{:?}", r.outliers);
    }
    let evil = row(&m, "v1.10.0");
    assert!(
        evil.outliers.iter().any(|o| o
            .reason
            .contains("new identity https://github.com/acme-evil/app")),
        "{:?}",
        evil.outliers
    );
    assert!(
        evil.outliers
            .iter()
            .any(|o| o.attribute == Some(Attribute::SourceRepository))
    );
}

#[test]
fn a_build_with_a_persons_and_cis_signatures_lists_both_and_is_compared_by_ci() {
    let m = matrix();
    let both = row(&m, "v1.11.0");
    assert_eq!(both.signatures.len(), 2);
    assert_eq!(
        both.signatures[0].signer.as_ref().unwrap().identity,
        "alice@acme.example"
    );
    assert!(both.outliers.is_empty(), "{:?}", both.outliers);
    assert_eq!(
        both.signer.as_ref().unwrap().value(Attribute::Identity),
        Some("https://github.com/acme/app/.github/workflows/release.yml")
    );
    assert!(both.signatures[0].differs.contains(&Attribute::Identity));
    assert!(both.signatures[1].differs.is_empty());
    assert_eq!(
        both.notes,
        ["also signed by alice@acme.example (https://accounts.google.com)"]
    );
}

#[test]
fn a_copied_signature_stands_out_with_the_digest_its_payload_names() {
    let m = matrix();
    let copied = row(&m, "v1.12.0");
    assert_eq!(copied.signatures.len(), 1);
    let other = Digest::sha256_of(b"v1.0.0").to_string();
    assert_eq!(
        copied.signatures[0].copied_from.as_deref(),
        Some(other.as_str())
    );
    assert_eq!(copied.outliers.len(), 1, "{:?}", copied.outliers);
    assert!(
        copied.outliers[0].reason.starts_with(&format!(
            "signature copied from another image: its payload names {}",
            &other[..19]
        )),
        "{}",
        copied.outliers[0].reason
    );
    assert!(copied.signer.is_none(), "a copied signature is not counted");
}

#[test]
fn key_signed_and_unsigned_builds_stand_out_and_the_count_is_right() {
    let m = matrix();
    assert!(
        row(&m, "v1.13.0").outliers[0]
            .reason
            .contains("signed with a key")
    );
    assert!(row(&m, "v1.13.0").key_signed);
    assert_eq!(row(&m, "v1.14.0").outliers[0].reason, "unsigned");
    // acme-evil, copied, key, unsigned.
    assert_eq!(m.outlier_count(), 4);
    let json = serde_json::to_value(&m).unwrap();
    let both = &json["rows"][11];
    assert_eq!(both["signatures"].as_array().unwrap().len(), 2, "{both:#}");
    assert_eq!(
        json["rows"][12]["signatures"][0]["copied_from"],
        Digest::sha256_of(b"v1.0.0").to_string()
    );
}
