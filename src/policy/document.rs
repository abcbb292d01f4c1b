//! Reading policy files: multi-document YAML (Kubernetes manifests) or one JSON document
//! (containers' `policy.json`), into JSON values that each format's reader walks field by
//! field. Every field a reader does not know, or knows but does not act on, becomes a
//! [`FieldNote`] naming it: nothing is silently ignored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Why a policy file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("YAML document {index}: {reason}")]
    Yaml { index: usize, reason: String },
    #[error("malformed JSON: {0}")]
    Json(String),
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "document {index}: unsupported kind {kind:?} (apiVersion {api_version:?}): expected a \
         policy-controller ClusterImagePolicy, a Kyverno ClusterPolicy or Policy, or a \
         containers policy.json"
    )]
    UnknownKind {
        index: usize,
        kind: String,
        api_version: String,
    },
    #[error("the file holds no policy document")]
    Empty,
}

impl PolicyError {
    pub fn invalid(path: &str, reason: impl Into<String>) -> PolicyError {
        PolicyError::Invalid {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}

/// How a field was treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The format has no such field (a typo, or a newer version).
    Unknown,
    /// A real field sigscope does not evaluate.
    Unsupported,
    /// A real field read, but with an effect that differs from the cluster's (explained).
    Noted,
}

/// A field of the policy, by path, and what sigscope did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldNote {
    pub path: String,
    pub kind: NoteKind,
    pub note: String,
}

/// Notes gathered while reading.
#[derive(Debug, Clone, Default)]
pub struct Notes(pub Vec<FieldNote>);

impl Notes {
    pub fn add(&mut self, path: &str, kind: NoteKind, note: impl Into<String>) {
        self.0.push(FieldNote {
            path: path.to_owned(),
            kind,
            note: note.into(),
        });
    }

    /// Notes every key of `map` not in `known`.
    pub fn unknown_fields(&mut self, map: &Map<String, Value>, path: &str, known: &[&str]) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            self.add(
                &format!("{path}.{key}"),
                NoteKind::Unknown,
                "unknown field: not part of this policy format, ignored",
            );
        }
    }

    /// Notes `key` of `map`, when present, as unsupported with `why`.
    pub fn unsupported(&mut self, map: &Map<String, Value>, path: &str, key: &str, why: &str) {
        if map.contains_key(key) {
            self.add(&format!("{path}.{key}"), NoteKind::Unsupported, why);
        }
    }
}

/// Every document of `text`: one JSON object when the text starts with `{`, otherwise YAML
/// documents separated by `---` (empty documents are skipped).
pub fn load(text: &str) -> Result<Vec<Value>, PolicyError> {
    let docs = if text.trim_start().starts_with('{') {
        vec![serde_json::from_str::<Value>(text).map_err(|e| PolicyError::Json(e.to_string()))?]
    } else {
        let mut docs = Vec::new();
        for (i, doc) in serde_norway::Deserializer::from_str(text).enumerate() {
            let value = Value::deserialize(doc).map_err(|e| PolicyError::Yaml {
                index: i + 1,
                reason: e.to_string(),
            })?;
            if !value.is_null() {
                docs.push(value);
            }
        }
        docs
    };
    if docs.is_empty() {
        return Err(PolicyError::Empty);
    }
    Ok(docs)
}

/// `value` as an object.
pub fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, PolicyError> {
    value
        .as_object()
        .ok_or_else(|| PolicyError::invalid(path, format!("expected an object, found {value}")))
}

/// An optional string field.
pub fn string(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, PolicyError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(PolicyError::invalid(
            &format!("{path}.{key}"),
            format!("expected a string, found {other}"),
        )),
    }
}

/// An optional boolean field.
pub fn boolean(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<bool>, PolicyError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(PolicyError::invalid(
            &format!("{path}.{key}"),
            format!("expected true or false, found {other}"),
        )),
    }
}

/// An optional list field (empty when absent).
pub fn list<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a [Value], PolicyError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(PolicyError::invalid(
            &format!("{path}.{key}"),
            format!("expected a list, found {other}"),
        )),
    }
}

/// An optional object field.
pub fn child<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, PolicyError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => object(v, &format!("{path}.{key}")).map(Some),
    }
}

/// A Kubernetes resource of `kind`: its path (`Kind/name`, for notes and errors) and its `spec`,
/// with unknown top-level fields noted.
pub fn resource_spec<'a>(
    doc: &'a Map<String, Value>,
    kind: &str,
    notes: &mut Notes,
) -> Result<(String, &'a Map<String, Value>), PolicyError> {
    let name = child(doc, "metadata", kind)?
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)");
    let at = format!("{kind}/{name}");
    notes.unknown_fields(
        doc,
        &at,
        &["apiVersion", "kind", "metadata", "spec", "status"],
    );
    let spec = child(doc, "spec", &at)?.ok_or_else(|| PolicyError::invalid(&at, "no spec"))?;
    Ok((at, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_documents_are_split_and_empty_ones_skipped() {
        let docs = load("---\na: 1\n---\n---\nb: [x]\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["b"][0], "x");
        let json = load("  {\"default\": []}").unwrap();
        assert_eq!(json.len(), 1);
    }

    #[test]
    fn malformed_input_is_a_clear_error_naming_the_document() {
        let err = load("a: 1\n---\nb: [unclosed\n").unwrap_err();
        assert!(matches!(err, PolicyError::Yaml { index: 2, .. }), "{err:?}");
        assert!(err.to_string().starts_with("YAML document 2:"), "{err}");
        assert!(matches!(
            load("{\"a\": ").unwrap_err(),
            PolicyError::Json(_)
        ));
        assert_eq!(load("\n---\n").unwrap_err(), PolicyError::Empty);
    }

    #[test]
    fn type_errors_name_the_field() {
        let v: Value = serde_json::json!({"mode": 3, "images": "x"});
        let m = object(&v, "spec").unwrap();
        let err = string(m, "mode", "spec").unwrap_err();
        assert_eq!(err.to_string(), "spec.mode: expected a string, found 3");
        assert!(list(m, "images", "spec").is_err());
        let mut notes = Notes::default();
        notes.unknown_fields(m, "spec", &["mode"]);
        assert_eq!(notes.0.len(), 1);
        assert_eq!(notes.0[0].path, "spec.images");
    }
}
