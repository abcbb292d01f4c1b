//! What every Notary Project validation shares: the signing schemes, what it reads besides the
//! envelope, and how it fails.

use crate::clock::Clock;
use crate::trust::notation::NotationTrust;

/// `notary.x509`: the signing certificate is issued by a CA; the signing time is the signer's
/// claim, so trust in time comes from a timestamp.
pub const SCHEME_X509: &str = "notary.x509";
/// `notary.x509.signingAuthority`: a signing authority vouches for the signing time.
pub const SCHEME_X509_SIGNING_AUTHORITY: &str = "notary.x509.signingAuthority";

/// Why one validation failed: the reason, and the expected and actual values where there are
/// two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What failed, in the specification's terms.
    pub reason: String,
    /// What the policy or the envelope required.
    pub expected: Option<String>,
    /// What was found instead.
    pub actual: Option<String>,
}

impl Failure {
    /// A failure with a reason alone.
    pub fn new(reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            expected: None,
            actual: None,
        }
    }

    /// A failure where an expected value and an actual one differ.
    pub fn mismatch(
        reason: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Failure {
        Failure {
            reason: reason.into(),
            expected: Some(expected.into()),
            actual: Some(actual.into()),
        }
    }
}

/// What a Notation verification reads besides the image.
pub struct NotationContext<'a> {
    /// The user's trust policy and trust stores.
    pub trust: &'a NotationTrust,
    /// Now, for expiry and certificate validity when no authentic time is given.
    pub clock: &'a dyn Clock,
}
