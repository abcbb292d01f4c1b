//! One node of the artifact tree and the helpers every builder shares: every string made
//! printable on the way in.

use serde::Serialize;

use crate::untrusted::printable;

/// What a node is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Image,
    Platform,
    Signature,
    Attestation,
    Sbom,
    Bundle,
    Referrer,
    Payload,
    Certificate,
    Group,
    Claim,
    Sct,
    Rekor,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Unique among its siblings (the child index).
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    /// How it was found (a registry route, an annotation, a certificate extension…).
    pub how: String,
    pub fields: Vec<(String, String)>,
    /// Pretty JSON, one printable line per entry.
    pub raw: Vec<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub(super) fn new(kind: NodeKind, label: impl AsRef<str>, how: impl AsRef<str>) -> Node {
        Node {
            id: String::new(),
            kind,
            label: clean(label.as_ref()),
            how: clean(how.as_ref()),
            fields: Vec::new(),
            raw: Vec::new(),
            children: Vec::new(),
        }
    }

    pub(super) fn field(mut self, name: &str, value: impl AsRef<str>) -> Node {
        self.fields.push((name.to_owned(), clean(value.as_ref())));
        self
    }

    pub(super) fn raw(mut self, value: &impl Serialize) -> Node {
        self.raw = match serde_json::to_string_pretty(value) {
            Ok(text) => text.lines().map(clean).collect(),
            Err(e) => vec![format!("not serialisable: {e}")],
        };
        self
    }

    /// Adds every scalar of `value` as a field named by its JSON path (at most `limit`).
    pub(super) fn json_fields(mut self, value: &impl Serialize, limit: usize) -> Node {
        if let Ok(v) = serde_json::to_value(value) {
            flatten_json(&v, "", &mut self.fields, limit);
        }
        self
    }

    pub(super) fn children(mut self, children: Vec<Node>) -> Node {
        for (i, mut c) in children.into_iter().enumerate() {
            c.id = i.to_string();
            self.children.push(c);
        }
        self
    }
}

pub(super) fn clean(s: &str) -> String {
    printable(s).into_owned()
}

pub(super) fn short(digest: &impl std::fmt::Display) -> String {
    let s = digest.to_string();
    s.chars().take(19).collect()
}

pub(super) fn error_node(e: &str) -> Node {
    Node::new(NodeKind::Error, format!("error: {e}"), "reading this item").field("error", e)
}

pub(super) fn flatten_json(
    v: &serde_json::Value,
    path: &str,
    out: &mut Vec<(String, String)>,
    limit: usize,
) {
    use serde_json::Value;
    if out.len() >= limit {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Null => {}
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| flatten_json(v, &join(k), out, limit)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten_json(v, &join(&i.to_string()), out, limit)),
        Value::String(s) => out.push((clean(path), clean(s))),
        other => out.push((clean(path), other.to_string())),
    }
}
