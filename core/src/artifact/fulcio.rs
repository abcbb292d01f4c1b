//! The Fulcio certificate extension arc, 1.3.6.1.4.1.57264.1 (fulcio docs/oid-info.md).

/// How an extension's value is encoded in the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionEncoding {
    /// `.1`–`.6`: the extension value is the raw UTF-8 string (deprecated form).
    RawUtf8,
    /// `.8`–`.24`: the extension value is a DER `UTF8String`.
    DerUtf8String,
}

/// One Fulcio extension: its arc under 1.3.6.1.4.1.57264.1, name and encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FulcioExtension {
    pub arc: u32,
    pub name: &'static str,
    pub encoding: ExtensionEncoding,
    pub deprecated: bool,
}

/// The OID prefix of every Fulcio extension.
pub const FULCIO_ARC: &str = "1.3.6.1.4.1.57264.1";

/// `.7` is not an extension of its own: it is the type-id of an otherName SAN (username identities).
pub const OTHER_NAME_SAN_ARC: u32 = 7;

const fn raw(arc: u32, name: &'static str) -> FulcioExtension {
    FulcioExtension {
        arc,
        name,
        encoding: ExtensionEncoding::RawUtf8,
        deprecated: true,
    }
}

const fn der(arc: u32, name: &'static str) -> FulcioExtension {
    FulcioExtension {
        arc,
        name,
        encoding: ExtensionEncoding::DerUtf8String,
        deprecated: false,
    }
}

/// Every Fulcio certificate extension, in OID order.
pub const FULCIO_EXTENSIONS: &[FulcioExtension] = &[
    raw(1, "Issuer"),
    raw(2, "GitHub Workflow Trigger"),
    raw(3, "GitHub Workflow SHA"),
    raw(4, "GitHub Workflow Name"),
    raw(5, "GitHub Workflow Repository"),
    raw(6, "GitHub Workflow Ref"),
    der(8, "Issuer (V2)"),
    der(9, "Build Signer URI"),
    der(10, "Build Signer Digest"),
    der(11, "Runner Environment"),
    der(12, "Source Repository URI"),
    der(13, "Source Repository Digest"),
    der(14, "Source Repository Ref"),
    der(15, "Source Repository Identifier"),
    der(16, "Source Repository Owner URI"),
    der(17, "Source Repository Owner Identifier"),
    der(18, "Build Config URI"),
    der(19, "Build Config Digest"),
    der(20, "Build Trigger"),
    der(21, "Run Invocation URI"),
    der(22, "Source Repository Visibility At Signing"),
    der(23, "Deployment Environment"),
    der(24, "Token Subject"),
];

impl FulcioExtension {
    /// Looks an extension up by its last arc.
    pub fn by_arc(arc: u32) -> Option<&'static FulcioExtension> {
        FULCIO_EXTENSIONS.iter().find(|e| e.arc == arc)
    }

    /// The dotted OID, e.g. `1.3.6.1.4.1.57264.1.8`.
    pub fn oid(&self) -> String {
        format!("{FULCIO_ARC}.{}", self.arc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arcs_one_to_twenty_four_except_seven_are_listed_once() {
        let arcs: Vec<u32> = FULCIO_EXTENSIONS.iter().map(|e| e.arc).collect();
        let expected: Vec<u32> = (1..=24).filter(|a| *a != OTHER_NAME_SAN_ARC).collect();
        assert_eq!(arcs, expected);
        assert!(
            FULCIO_EXTENSIONS
                .iter()
                .all(|e| e.deprecated == (e.arc <= 6))
        );
        assert_eq!(
            FulcioExtension::by_arc(23).map(|e| e.name),
            Some("Deployment Environment")
        );
    }
}
