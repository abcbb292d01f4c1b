//! Canonical JSON, as Rekor signs it for a Signed Entry Timestamp: keys sorted, no white space.

use serde::Serialize;

/// Serialises `value` as canonical JSON (OLPC canonical form, which is what Rekor and cosign use
/// for the SET payload `{"body","integratedTime","logID","logIndex"}`).
pub fn to_canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut out, olpc_cjson::CanonicalFormatter::new());
    value.serialize(&mut serializer)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_and_spaces_dropped() {
        let value = serde_json::json!({"logIndex": 2, "body": "Ym9keQ==", "integratedTime": 1, "logID": "ab"});
        let out = to_canonical_json(&value).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"body":"Ym9keQ==","integratedTime":1,"logID":"ab","logIndex":2}"#
        );
    }
}
