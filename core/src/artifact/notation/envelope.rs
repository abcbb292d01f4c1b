//! The one shape both Notary Project envelopes parse into: the protected headers the
//! specification defines, the ones it does not, and the bytes a verifier checks.

use serde::Serialize;

/// The layer media type of a JWS notation signature.
pub const JWS_MEDIA_TYPE: &str = "application/jose+json";
/// The layer media type of a COSE notation signature.
pub const COSE_MEDIA_TYPE: &str = "application/cose";
/// The only payload content type the Notary Project defines (signature-specification.md).
pub const PAYLOAD_MEDIA_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";

/// Protected header labels the Notary Project defines (both envelopes use the same names).
pub mod label {
    /// `notary.x509` or `notary.x509.signingAuthority`: which trust model the signature claims.
    pub const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
    /// The signer's own claim of when it signed (notary.x509; not authenticated).
    pub const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
    /// The signing time a signing authority vouches for (notary.x509.signingAuthority).
    pub const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
    /// After this time the signature is no longer valid (optional).
    pub const EXPIRY: &str = "io.cncf.notary.expiry";
    /// An RFC 3161 timestamp token over the signature (unprotected header).
    pub const TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
    /// The tool that signed, e.g. `notation/1.3.0` (unprotected header).
    pub const SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";
    /// The plugin a verifier must run to verify this signature.
    pub const VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
    /// The oldest version of that plugin that may verify it.
    pub const VERIFICATION_PLUGIN_MIN_VERSION: &str = "io.cncf.notary.verificationPluginMinVersion";
}

/// Which envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeFormat {
    /// JWS JSON serialisation (`application/jose+json`).
    Jws,
    /// COSE_Sign1 (`application/cose`).
    Cose,
}

impl EnvelopeFormat {
    /// `JWS` or `COSE`, as reports name them.
    pub fn name(self) -> &'static str {
        match self {
            EnvelopeFormat::Jws => "JWS",
            EnvelopeFormat::Cose => "COSE",
        }
    }
}

/// A time from a protected header: Unix seconds and the text it was given as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderTime {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// The header's value as written (RFC 3339 in JWS; COSE carries a number).
    pub text: String,
}

/// A protected header parameter the Notary Project does not define (a plugin's, or anyone's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtendedAttribute {
    /// The header's label (name).
    pub label: String,
    /// Listed in `crit`: a verifier must understand it.
    pub critical: bool,
    /// The value, as JSON text (COSE values converted).
    pub value: String,
}

/// A parsed envelope: every protected header the Notary Project defines, the others kept, and
/// the bytes a verifier needs. Nothing in it is trusted yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// JWS or COSE.
    pub format: EnvelopeFormat,
    /// `alg` (`PS256`, `ES384`, …; a COSE algorithm without a JOSE name as `COSE alg N`).
    pub algorithm: Option<String>,
    /// `cty` (JWS) or content type (COSE label 3).
    pub content_type: Option<String>,
    /// `crit`; `None` when the header is absent.
    pub critical: Option<Vec<String>>,
    /// `io.cncf.notary.signingScheme`.
    pub signing_scheme: Option<String>,
    /// `io.cncf.notary.signingTime`: when the signer says it signed.
    pub signing_time: Option<HeaderTime>,
    /// `io.cncf.notary.authenticSigningTime`: the signing authority's time.
    pub authentic_signing_time: Option<HeaderTime>,
    /// `io.cncf.notary.expiry`: when the signature stops being valid.
    pub expiry: Option<HeaderTime>,
    /// Protected headers the specification does not define, in the order read.
    pub extended: Vec<ExtendedAttribute>,
    /// `io.cncf.notary.signingAgent` (unprotected).
    pub signing_agent: Option<String>,
    /// The payload bytes.
    #[serde(skip)]
    pub payload: Vec<u8>,
    /// What the signature covers: JWS `protected.payload`, COSE's `Sig_structure`.
    #[serde(skip)]
    pub signing_input: Vec<u8>,
    /// The signature bytes over `signing_input`.
    #[serde(skip)]
    pub signature: Vec<u8>,
    /// `x5c` / `x5chain` (label 33), leaf first, DER.
    #[serde(skip)]
    pub certificates: Vec<Vec<u8>>,
    /// `io.cncf.notary.timestampSignature`: an RFC 3161 token over the signature.
    #[serde(skip)]
    pub timestamp: Option<Vec<u8>>,
}

impl Envelope {
    /// The time the signer claims: `signingTime`, else `authenticSigningTime`.
    pub fn claimed_signing_time(&self) -> Option<&HeaderTime> {
        self.signing_time
            .as_ref()
            .or(self.authentic_signing_time.as_ref())
    }
}

/// The JOSE name of a signature algorithm the Notary Project allows, by COSE number.
pub fn cose_algorithm_name(number: i64) -> Option<&'static str> {
    Some(match number {
        -37 => "PS256",
        -38 => "PS384",
        -39 => "PS512",
        -7 => "ES256",
        -35 => "ES384",
        -36 => "ES512",
        _ => return None,
    })
}
