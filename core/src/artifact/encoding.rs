//! How decoded bytes and times appear in serialised views: byte strings as standard base64 (the
//! encoding Sigstore's JSON formats use, protobuf-specs "bytes are base64"), times as unix seconds
//! plus RFC 3339 text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serializer;

/// Serialises bytes as standard base64 (`#[serde(serialize_with = "…::base64")]`).
pub fn base64<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&STANDARD.encode(bytes))
}

/// Serialises a list of byte strings as a list of base64 strings.
pub fn base64_list<S: Serializer>(list: &[Vec<u8>], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(list.iter().map(|b| STANDARD.encode(b)))
}

/// Serialises bytes as lowercase hex.
pub fn hex<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&::hex::encode(bytes))
}

/// Unix seconds as RFC 3339 (`2026-09-21T13:46:40Z`); a time outside what RFC 3339 can show
/// (years before 0000 or after 9999) is shown as `unix <n>` rather than failing the view.
pub fn rfc3339(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("unix {unix_seconds}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_shows_utc_and_survives_out_of_range_times() {
        assert_eq!(rfc3339(1_790_000_000), "2026-09-21T14:13:20Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(i64::MAX), format!("unix {}", i64::MAX));
    }
}
