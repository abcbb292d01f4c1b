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
    /// The controller itself would refuse the policy (its schema or validation rules): sigscope
    /// refuses it too rather than guess what the cluster does.
    #[error("{path}: refused, as {controller} refuses it: {rule}")]
    Refused {
        path: String,
        controller: &'static str,
        rule: String,
    },
    #[error(
        "document {index}: unsupported kind {kind:?} (apiVersion {api_version:?}): expected a \
         policy-controller ClusterImagePolicy, a Kyverno ClusterPolicy or Policy, a containers \
         policy.json or a Connaisseur configuration"
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

    pub fn refused(path: &str, controller: &'static str, rule: impl Into<String>) -> PolicyError {
        PolicyError::Refused {
            path: path.to_owned(),
            controller,
            rule: rule.into(),
        }
    }
}

/// Who refuses an unknown field, and by which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// A Kubernetes custom resource: the API server's strict field validation (kubectl's
    /// default) refuses fields its schema does not declare.
    Kubernetes(&'static str),
    /// containers/image: `ParanoidUnmarshalJSONObject` refuses unknown and duplicate keys.
    Containers,
    /// Connaisseur: its configuration is decoded with `KnownFields(true)`.
    Connaisseur,
}

impl Strictness {
    pub fn controller(self) -> &'static str {
        match self {
            Strictness::Kubernetes(c) => c,
            Strictness::Containers => "containers/image",
            Strictness::Connaisseur => "Connaisseur",
        }
    }

    fn rule(self, key: &str) -> String {
        match self {
            Strictness::Kubernetes(_) => format!(
                "unknown field {key:?}: the Kubernetes API server's strict field validation \
                 (kubectl's default) refuses fields the resource's schema does not declare"
            ),
            Strictness::Containers => format!("Unknown key {key:?} (ParanoidUnmarshalJSONObject)"),
            Strictness::Connaisseur => {
                format!("field {key} not found (its configuration is decoded with KnownFields)")
            }
        }
    }

    /// Refuses the first key of `map` not in `known`.
    pub fn known_fields(
        self,
        map: &Map<String, Value>,
        path: &str,
        known: &[&str],
    ) -> Result<(), PolicyError> {
        match map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(PolicyError::refused(
                &format!("{path}.{key}"),
                self.controller(),
                self.rule(key),
            )),
            None => Ok(()),
        }
    }
}

/// How a field was treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A real field sigscope does not evaluate: the verdicts it could change are "could not
    /// check" (the note says which).
    Unsupported,
    /// A real field read, but with an effect that differs from the cluster's, or none on the
    /// verdict (explained).
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

    /// Notes `key` of `map`, when present, as unsupported with `why`.
    pub fn unsupported(&mut self, map: &Map<String, Value>, path: &str, key: &str, why: &str) {
        if map.contains_key(key) {
            self.add(&format!("{path}.{key}"), NoteKind::Unsupported, why);
        }
    }
}

/// A JSON value that refuses duplicate object keys, as containers/image's
/// `ParanoidUnmarshalJSONObject` does (serde_json would keep the last one silently).
struct StrictJson(Value);

impl<'de> Deserialize<'de> for StrictJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "Duplicate key {key:?} (containers/image refuses it)"
                )));
            }
            let StrictJson(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Every document of `text`: one JSON object when the text starts with `{` (duplicate keys
/// refused), otherwise YAML documents separated by `---` (empty documents are skipped).
pub fn load(text: &str) -> Result<Vec<Value>, PolicyError> {
    let docs = if text.trim_start().starts_with('{') {
        let StrictJson(value) =
            serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        vec![value]
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

/// A Kubernetes resource of `kind`: its path (`Kind/name`, for notes and errors) and its `spec`;
/// unknown top-level fields are refused.
pub fn resource_spec<'a>(
    doc: &'a Map<String, Value>,
    kind: &str,
    strict: Strictness,
) -> Result<(String, &'a Map<String, Value>), PolicyError> {
    let name = child(doc, "metadata", kind)?
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)");
    let at = format!("{kind}/{name}");
    strict.known_fields(
        doc,
        &at,
        &["apiVersion", "kind", "metadata", "spec", "status"],
    )?;
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
        let err = Strictness::Containers
            .known_fields(m, "spec", &["mode"])
            .unwrap_err();
        assert!(err.to_string().starts_with("spec.images: refused"), "{err}");
    }

    #[test]
    fn duplicate_json_keys_are_refused_as_containers_image_does() {
        let err = load("{\"default\": [], \"default\": []}").unwrap_err();
        assert!(err.to_string().contains("Duplicate key"), "{err}");
        let nested = load("{\"a\": {\"b\": 1, \"b\": 2}}").unwrap_err();
        assert!(nested.to_string().contains("\"b\""), "{nested}");
        assert_eq!(load("{\"a\": [{\"b\": 1}, {\"b\": 2}]}").unwrap().len(), 1);
    }
}
