//! Why a piece of untrusted input could not be decoded.

/// A decoding failure, naming what was being decoded and quoting the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecodeError {
    #[error("{what}: malformed JSON: {reason}")]
    Json { what: String, reason: String },
    #[error("{what}: malformed base64: {reason}")]
    Base64 { what: String, reason: String },
    #[error("{what}: malformed DER: {reason}")]
    Der { what: String, reason: String },
    #[error("{what}: malformed PEM: {reason}")]
    Pem { what: String, reason: String },
    #[error("{what}: {reason}")]
    Invalid { what: String, reason: String },
    #[error("{what}: limit reached: JSON nesting deeper than {limit} levels")]
    TooDeep { what: String, limit: usize },
}

impl DecodeError {
    pub fn json(what: impl Into<String>, err: impl std::fmt::Display) -> DecodeError {
        DecodeError::Json {
            what: what.into(),
            reason: err.to_string(),
        }
    }

    pub fn base64(what: impl Into<String>, err: impl std::fmt::Display) -> DecodeError {
        DecodeError::Base64 {
            what: what.into(),
            reason: err.to_string(),
        }
    }

    pub fn der(what: impl Into<String>, err: impl std::fmt::Display) -> DecodeError {
        DecodeError::Der {
            what: what.into(),
            reason: err.to_string(),
        }
    }

    pub fn pem(what: impl Into<String>, err: impl std::fmt::Display) -> DecodeError {
        DecodeError::Pem {
            what: what.into(),
            reason: err.to_string(),
        }
    }

    pub fn invalid(what: impl Into<String>, reason: impl Into<String>) -> DecodeError {
        DecodeError::Invalid {
            what: what.into(),
            reason: reason.into(),
        }
    }
}

/// Standard base64 (with or without padding), as Sigstore formats use it.
pub fn decode_base64(what: &str, text: &str) -> Result<Vec<u8>, DecodeError> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    // Go's base64 decoders (cosign's signature annotation) skip line breaks anywhere.
    let joined: String;
    let mut trimmed = text.trim();
    if trimmed.contains(['\r', '\n']) {
        joined = trimmed
            .chars()
            .filter(|c| !matches!(c, '\r' | '\n'))
            .collect();
        trimmed = &joined;
    }
    STANDARD
        .decode(trimmed)
        .or_else(|_| STANDARD_NO_PAD.decode(trimmed.trim_end_matches('=')))
        .map_err(|e| DecodeError::base64(what, e))
}

/// The deepest JSON nesting sigscope accepts from untrusted input.
pub const MAX_JSON_DEPTH: usize = 64;

/// Parses untrusted JSON into `T`, refusing input nested deeper than [`MAX_JSON_DEPTH`]
/// (serde_json's own recursion limit is 128 and would still cost stack on hostile input).
pub fn parse_json<T: serde::de::DeserializeOwned>(
    what: &str,
    bytes: &[u8],
) -> Result<T, DecodeError> {
    if json_depth(bytes) > MAX_JSON_DEPTH {
        return Err(DecodeError::TooDeep {
            what: what.to_owned(),
            limit: MAX_JSON_DEPTH,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        // Well-formed JSON of the wrong shape (a missing field, a number for a string) is not
        // "malformed JSON": say what is wrong with it instead.
        serde_json::error::Category::Data => {
            DecodeError::invalid(what, format!("well-formed JSON, but {e}"))
        }
        _ => DecodeError::json(what, e),
    })
}

/// The maximum nesting of brackets outside strings (a cheap pre-scan).
fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deeply_nested_json_is_refused_before_parsing() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        let err = parse_json::<serde_json::Value>("payload", deep.as_bytes()).unwrap_err();
        assert!(matches!(err, DecodeError::TooDeep { limit: 64, .. }));
        assert_eq!(
            err.to_string(),
            "payload: limit reached: JSON nesting deeper than 64 levels"
        );
        let ok = parse_json::<serde_json::Value>("payload", br#"{"a":["[[[[","x"]}"#);
        assert!(ok.is_ok());
    }

    #[test]
    fn base64_errors_name_the_field() {
        let err = decode_base64("signature", "not base64!").unwrap_err();
        assert!(
            err.to_string().starts_with("signature: malformed base64"),
            "{err}"
        );
        assert_eq!(decode_base64("x", "aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("x", "aGk").unwrap(), b"hi");
    }
}
