//! The COSE envelope (notaryproject `signature-envelope-cose.md`): a tagged `COSE_Sign1`
//! (RFC 9052 §4.2), parsed by the `coset` crate. The Notary Project's own headers are text
//! labels in the protected bucket; times are CBOR tag 1 (epoch-based date/time); the chain is
//! `x5chain` (label 33, RFC 9360) in the unprotected bucket.

use coset::cbor::value::Value;
use coset::{
    CoseSign1, Label, RegisteredLabel, RegisteredLabelWithPrivate, TaggedCborSerializable as _,
};

use super::{Envelope, EnvelopeFormat, ExtendedAttribute, HeaderTime, cose_algorithm_name, label};
use crate::artifact::error::DecodeError;

/// RFC 9360 `x5chain`.
const X5CHAIN: i64 = 33;

fn invalid(reason: impl Into<String>) -> DecodeError {
    DecodeError::invalid("notation COSE envelope", reason)
}

/// Parses a COSE_Sign1 notation envelope.
pub fn decode_cose(bytes: &[u8]) -> Result<Envelope, DecodeError> {
    let sign1 = CoseSign1::from_tagged_slice(bytes)
        .map_err(|e| invalid(format!("not a tagged COSE_Sign1: {e}")))?;
    let header = &sign1.protected.header;
    let algorithm = header.alg.as_ref().map(|alg| match alg {
        RegisteredLabelWithPrivate::Assigned(a) => {
            let n = *a as i64;
            cose_algorithm_name(n).map_or_else(|| format!("COSE alg {n}"), str::to_owned)
        }
        RegisteredLabelWithPrivate::PrivateUse(n) => format!("COSE alg {n}"),
        RegisteredLabelWithPrivate::Text(t) => format!("COSE alg {t:?}"),
    });
    let content_type = header.content_type.as_ref().map(|c| match c {
        RegisteredLabel::Text(t) => t.clone(),
        RegisteredLabel::Assigned(a) => format!("COSE content format {}", *a as i64),
    });
    let critical: Vec<String> = header
        .crit
        .iter()
        .map(|c| match c {
            RegisteredLabelWithPrivate::Text(t) => t.clone(),
            RegisteredLabelWithPrivate::Assigned(a) => (*a as i64).to_string(),
            RegisteredLabelWithPrivate::PrivateUse(n) => n.to_string(),
        })
        .collect();
    let mut envelope = Envelope {
        format: EnvelopeFormat::Cose,
        algorithm,
        content_type,
        critical: (!critical.is_empty()).then(|| critical.clone()),
        signing_scheme: None,
        signing_time: None,
        authentic_signing_time: None,
        expiry: None,
        extended: Vec::new(),
        signing_agent: None,
        payload: sign1.payload.clone().unwrap_or_default(),
        signing_input: sign1.tbs_data(&[]),
        signature: sign1.signature.clone(),
        certificates: Vec::new(),
        timestamp: None,
    };
    if !header.key_id.is_empty() {
        envelope.extended.push(extended(
            "4",
            &critical,
            &Value::Bytes(header.key_id.clone()),
        ));
    }
    for (name, value) in &header.rest {
        match name {
            Label::Text(t) if t == label::SIGNING_SCHEME => match value {
                Value::Text(s) => envelope.signing_scheme = Some(s.clone()),
                _ => return Err(invalid(format!("{t:?} is not a text string"))),
            },
            Label::Text(t) if t == label::SIGNING_TIME => {
                envelope.signing_time = Some(time(t, value)?)
            }
            Label::Text(t) if t == label::AUTHENTIC_SIGNING_TIME => {
                envelope.authentic_signing_time = Some(time(t, value)?)
            }
            Label::Text(t) if t == label::EXPIRY => envelope.expiry = Some(time(t, value)?),
            Label::Text(t) => envelope.extended.push(extended(t, &critical, value)),
            Label::Int(n) => envelope
                .extended
                .push(extended(&n.to_string(), &critical, value)),
        }
    }
    for (name, value) in &sign1.unprotected.rest {
        match (name, value) {
            (Label::Int(X5CHAIN), Value::Array(items)) => {
                envelope.certificates = items
                    .iter()
                    .map(|i| match i {
                        Value::Bytes(der) => Ok(der.clone()),
                        _ => Err(invalid("an x5chain entry is not a byte string")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            (Label::Int(X5CHAIN), _) => {
                return Err(invalid(
                    "x5chain is not an array of certificates (notation writes an array)",
                ));
            }
            (Label::Text(t), Value::Bytes(token)) if t == label::TIMESTAMP_SIGNATURE => {
                envelope.timestamp = Some(token.clone())
            }
            (Label::Text(t), Value::Text(agent)) if t == label::SIGNING_AGENT => {
                envelope.signing_agent = Some(agent.clone())
            }
            _ => {}
        }
    }
    Ok(envelope)
}

fn extended(name: &str, critical: &[String], value: &Value) -> ExtendedAttribute {
    ExtendedAttribute {
        label: name.to_owned(),
        critical: critical.iter().any(|c| c == name),
        value: to_json(value).to_string(),
    }
}

/// A Notary Project time: CBOR tag 1 over an integer or a float (RFC 8949 §3.4.2), the only
/// form notation-go accepts.
fn time(name: &str, value: &Value) -> Result<HeaderTime, DecodeError> {
    let seconds = match value {
        Value::Tag(1, inner) => match inner.as_ref() {
            Value::Integer(i) => i64::try_from(i128::from(*i)).ok(),
            Value::Float(f) if f.is_finite() => Some(f.floor() as i64),
            _ => None,
        },
        Value::Tag(n, _) => {
            return Err(invalid(format!(
                "{name:?} is CBOR tag {n}; only tag 1 date/times are accepted"
            )));
        }
        _ => None,
    };
    let unix = seconds.ok_or_else(|| invalid(format!("{name:?} is not a tag 1 date/time")))?;
    Ok(HeaderTime {
        unix,
        text: crate::artifact::encoding::rfc3339(unix),
    })
}

/// A CBOR value as JSON for display: byte strings as hex, tags as `{"tag": n, "value": …}`.
fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Integer(i) => serde_json::json!(i128::from(*i).to_string()),
        Value::Bytes(b) => J::String(hex::encode(b)),
        Value::Float(f) => serde_json::json!(f),
        Value::Text(t) => J::String(t.clone()),
        Value::Bool(b) => J::Bool(*b),
        Value::Null => J::Null,
        Value::Tag(n, v) => serde_json::json!({"tag": n, "value": to_json(v)}),
        Value::Array(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Array(
            entries
                .iter()
                .map(|(k, v)| J::Array(vec![to_json(k), to_json(v)]))
                .collect(),
        ),
        _ => J::Null,
    }
}
