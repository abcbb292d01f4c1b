//! The subject alternative names an identity policy is matched against, as the peers read them
//! — which names, in which order, printed how:
//!
//! - cosign's legacy path (`.sig`/`.att`, `cryptoutils.GetSubjectAlternateNames`): DNS names,
//!   emails, IP addresses (Go `net.IP.String`), URIs (Go `url.URL.String`), then Fulcio's
//!   otherName when the certificate has exactly one otherName and it is Fulcio's; any of them
//!   may match;
//! - sigstore-go (bundles, `certificate.SummarizeCertificate`): one name only — the first URI,
//!   else the first email, else that otherName.

use crate::artifact::certificate::{CertificateView, SanKind, SanView};
use crate::artifact::fulcio::{FULCIO_ARC, OTHER_NAME_SAN_ARC};

/// A SAN as Go prints it, for the kinds Go's x509 reads (DNS, email, IP, URI).
fn go_printed(san: &SanView) -> Option<String> {
    match san.kind {
        SanKind::Dns | SanKind::Email | SanKind::Ip => Some(san.value.clone()),
        SanKind::Uri => Some(go_url_string(&san.value)),
        SanKind::OtherName | SanKind::Unknown => None,
    }
}

/// Go `url.Parse` then `String()` on the URIs Fulcio issues: the scheme is lower-cased (RFC
/// 3986 §3.1, "schemes are case-insensitive"; Go stores it lower-case); the rest is kept.
pub fn go_url_string(uri: &str) -> String {
    match uri.split_once(':') {
        Some((scheme, rest))
            if scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            format!("{}:{rest}", scheme.to_ascii_lowercase())
        }
        _ => uri.to_owned(),
    }
}

/// `cryptoutils.UnmarshalOtherNameSAN`: the value of the one otherName, when the certificate
/// has exactly one and it is Fulcio's (`1.3.6.1.4.1.57264.1.7`); none otherwise.
fn fulcio_other_name(cert: &CertificateView) -> Option<String> {
    let fulcio = format!("{FULCIO_ARC}.{OTHER_NAME_SAN_ARC}");
    let others: Vec<&SanView> = cert
        .sans
        .iter()
        .filter(|s| s.kind == SanKind::OtherName)
        .collect();
    match others.as_slice() {
        [one] if one.type_id.as_deref() == Some(fulcio.as_str()) => Some(one.value.clone()),
        _ => None,
    }
}

/// The names cosign's legacy path matches `--certificate-identity[-regexp]` against, in its
/// order.
pub fn cosign_sans(cert: &CertificateView) -> Vec<String> {
    let of = |kind: SanKind| {
        cert.sans
            .iter()
            .filter(move |s| s.kind == kind)
            .filter_map(go_printed)
    };
    of(SanKind::Dns)
        .chain(of(SanKind::Email))
        .chain(of(SanKind::Ip))
        .chain(of(SanKind::Uri))
        .chain(fulcio_other_name(cert))
        .collect()
}

/// The one name sigstore-go (cosign v3's bundle path) matches: the first URI, else the first
/// email, else Fulcio's otherName.
pub fn sigstore_go_san(cert: &CertificateView) -> Option<String> {
    let first = |kind: SanKind| cert.sans.iter().find(|s| s.kind == kind);
    first(SanKind::Uri)
        .or_else(|| first(SanKind::Email))
        .and_then(go_printed)
        .filter(|s| !s.is_empty())
        .or_else(|| fulcio_other_name(cert))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(sans: Vec<SanView>) -> CertificateView {
        let s = crate::fixture::VirtualSigstore::new("sans", 1_700_000_000).unwrap();
        let mut view = crate::artifact::certificate::decode_certificate(&s.ca.root.der).unwrap();
        view.sans = sans;
        view
    }

    fn san(kind: SanKind, value: &str, type_id: Option<&str>) -> SanView {
        SanView {
            kind,
            value: value.into(),
            type_id: type_id.map(str::to_owned),
        }
    }

    #[test]
    fn cosign_reads_go_kinds_in_go_order_and_only_fulcio_other_names() {
        let fulcio = "1.3.6.1.4.1.57264.1.7";
        let c = cert(vec![
            san(SanKind::Uri, "HTTPS://example.com/Path", None),
            san(SanKind::Email, "a@b.c", None),
            san(SanKind::Ip, "10.0.0.1", None),
            san(SanKind::Dns, "host.example", None),
            san(SanKind::Unknown, "DirectoryName(x)", None),
            san(SanKind::OtherName, "alice", Some(fulcio)),
        ]);
        assert_eq!(
            cosign_sans(&c),
            [
                "host.example",
                "a@b.c",
                "10.0.0.1",
                "https://example.com/Path",
                "alice"
            ]
        );
        assert_eq!(
            sigstore_go_san(&c).as_deref(),
            Some("https://example.com/Path")
        );
        // A second otherName, or a foreign one, hides Fulcio's (UnmarshalOtherNameSAN fails).
        let two = cert(vec![
            san(SanKind::OtherName, "alice", Some(fulcio)),
            san(SanKind::OtherName, "mallory", Some("1.2.3.4")),
        ]);
        assert!(cosign_sans(&two).is_empty());
        assert_eq!(sigstore_go_san(&two), None);
        let only = cert(vec![san(SanKind::OtherName, "alice", Some(fulcio))]);
        assert_eq!(sigstore_go_san(&only).as_deref(), Some("alice"));
        // sigstore-go summarises one name: the first email when there is no URI.
        let emails = cert(vec![
            san(SanKind::Email, "first@x", None),
            san(SanKind::Email, "second@x", None),
        ]);
        assert_eq!(sigstore_go_san(&emails).as_deref(), Some("first@x"));
        assert_eq!(cosign_sans(&emails), ["first@x", "second@x"]);
    }

    #[test]
    fn urls_print_with_a_lower_case_scheme_as_go_does() {
        assert_eq!(
            go_url_string("HTTPS://GitHub.com/A"),
            "https://GitHub.com/A"
        );
        assert_eq!(go_url_string("spiffe://x/y"), "spiffe://x/y");
        assert_eq!(go_url_string("no scheme here"), "no scheme here");
    }
}
