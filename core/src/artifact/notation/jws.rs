//! The JWS JSON envelope (notaryproject `signature-envelope-jws.md`): flattened JWS JSON
//! serialisation, the payload and protected header base64url without padding (as notation-go's
//! JWT parser decodes them), the unprotected header's `x5c` and timestamp in standard base64.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Envelope, EnvelopeFormat, ExtendedAttribute, HeaderTime, label};
use crate::artifact::error::{DecodeError, decode_base64, parse_json};

/// Protected header names the JWS envelope defines (everything else is an extended attribute).
const KNOWN: &[&str] = &[
    "alg",
    "cty",
    "crit",
    label::EXPIRY,
    label::SIGNING_TIME,
    label::SIGNING_SCHEME,
    label::AUTHENTIC_SIGNING_TIME,
];

#[derive(Deserialize)]
struct RawJws {
    #[serde(default)]
    payload: String,
    #[serde(default)]
    protected: String,
    #[serde(default)]
    header: RawHeader,
    #[serde(default)]
    signature: String,
}

#[derive(Deserialize, Default)]
struct RawHeader {
    #[serde(default)]
    x5c: Vec<String>,
    #[serde(rename = "io.cncf.notary.timestampSignature")]
    timestamp: Option<String>,
    #[serde(rename = "io.cncf.notary.signingAgent")]
    signing_agent: Option<String>,
}

fn base64url(what: &str, text: &str) -> Result<Vec<u8>, DecodeError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| DecodeError::base64(what, e))
}

/// Parses a JWS JSON notation envelope.
pub fn decode_jws_envelope(bytes: &[u8]) -> Result<Envelope, DecodeError> {
    let raw: RawJws = parse_json("notation JWS envelope", bytes)?;
    let protected_bytes = base64url("notation protected header", &raw.protected)?;
    let header: BTreeMap<String, Value> =
        parse_json("notation protected header", &protected_bytes)?;
    let payload = base64url("notation payload", &raw.payload)?;
    let signature = base64url("notation signature", &raw.signature)?;
    let certificates = raw
        .header
        .x5c
        .iter()
        .map(|c| decode_base64("notation x5c certificate", c))
        .collect::<Result<Vec<_>, _>>()?;
    let timestamp = raw
        .header
        .timestamp
        .as_deref()
        .map(|t| decode_base64("notation timestamp signature", t))
        .transpose()?;
    let critical = match header.get("crit") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| wrong("crit", "strings"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(wrong("crit", "an array of strings")),
    };
    let crit = critical.clone().unwrap_or_default();
    let extended = header
        .iter()
        .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
        .map(|(k, v)| ExtendedAttribute {
            label: k.clone(),
            critical: crit.contains(k),
            value: v.to_string(),
        })
        .collect();
    Ok(Envelope {
        format: EnvelopeFormat::Jws,
        algorithm: text(&header, "alg")?,
        content_type: text(&header, "cty")?,
        critical,
        signing_scheme: text(&header, label::SIGNING_SCHEME)?,
        signing_time: time_of(&header, label::SIGNING_TIME)?,
        authentic_signing_time: time_of(&header, label::AUTHENTIC_SIGNING_TIME)?,
        expiry: time_of(&header, label::EXPIRY)?,
        extended,
        signing_agent: raw.header.signing_agent,
        signing_input: format!("{}.{}", raw.protected, raw.payload).into_bytes(),
        payload,
        signature,
        certificates,
        timestamp,
    })
}

fn wrong(name: &str, expected: &str) -> DecodeError {
    DecodeError::invalid(
        "notation protected header",
        format!("{name:?} is not {expected}"),
    )
}

fn text(header: &BTreeMap<String, Value>, name: &str) -> Result<Option<String>, DecodeError> {
    match header.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong(name, "a string")),
    }
}

/// A time header: RFC 3339 text, as Go's `time.Time` reads it from JSON.
fn time_of(
    header: &BTreeMap<String, Value>,
    name: &str,
) -> Result<Option<HeaderTime>, DecodeError> {
    let Some(text) = text(header, name)? else {
        return Ok(None);
    };
    let at = OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
        DecodeError::invalid(
            "notation protected header",
            format!("{name:?} is not an RFC 3339 time ({text:?}): {e}"),
        )
    })?;
    Ok(Some(HeaderTime {
        unix: at.unix_timestamp(),
        text,
    }))
}
