//! A structured mutator: libFuzzer's input is read as a program over the parsed JSON of a valid
//! bundle — which case, which artifact form, then up to [`MAX_EDITS`] edits, each an operation
//! on one node picked among every node of the document (fields, base64 bytes, numbers, arrays,
//! certificate chains, checkpoint lines, media types, values transplanted from other bundles).
//! Coverage guidance then searches the space of edit sequences, not of raw JSON bytes, so
//! almost every input parses and reaches the verifiers' later checks.

use serde_json::Value;

use crate::case::Case;
use crate::edit::{Edit, apply};
use crate::verdict::ArtifactForm;

/// Edits per input: enough to combine, say, a transplanted entry with a proof fix-up.
pub const MAX_EDITS: usize = 6;

/// The fuzzer's bytes, consumed from the front; an exhausted input reads as the end.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Input<'a> {
        Input { data }
    }

    pub fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.data.split_first()?;
        self.data = rest;
        Some(*first)
    }

    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from(self.byte()?) << 8 | u16::from(self.byte()?))
    }
}

/// One step from the document's root to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Every node below the root, in document order.
pub fn paths(value: &Value) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut prefix = Vec::new();
    walk(value, &mut prefix, &mut out);
    out
}

fn walk(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    let children: Vec<(Step, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (Step::Key(k.clone()), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Step::Index(i), v))
            .collect(),
        _ => return,
    };
    for (step, child) in children {
        prefix.push(step);
        out.push(prefix.clone());
        walk(child, prefix, out);
        prefix.pop();
    }
}

/// The node at `path`.
pub fn get<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(*i),
    })
}

/// The node at `path`, to change.
pub fn get_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get_mut(k),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// A JSON-pointer-like name for a path, for reports.
pub fn pointer(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!("/{k}"),
            Step::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// A mutated bundle and how it was made.
#[derive(Debug, Clone)]
pub struct Mutant {
    pub case: usize,
    pub form: ArtifactForm,
    pub bundle: Value,
    /// The edits applied, described (`remove /verificationMaterial/…`).
    pub edits: Vec<String>,
}

/// Reads `data` as a program over `cases`; `None` when there are no cases or no input.
pub fn mutant(cases: &[Case], data: &[u8]) -> Option<Mutant> {
    let mut input = Input::new(data);
    let case = usize::from(input.byte()?) % cases.len().max(1);
    let start = cases.get(case)?;
    let form = if input.byte().unwrap_or(0) & 1 == 0 {
        ArtifactForm::Bytes
    } else {
        ArtifactForm::Digest
    };
    let mut bundle = start.bundle.clone();
    let mut edits = Vec::new();
    while edits.len() < MAX_EDITS {
        let Some(edit) = Edit::read(&mut input) else {
            break;
        };
        let nodes = paths(&bundle);
        if nodes.is_empty() {
            break;
        }
        let Some(pick) = input.u16() else {
            break;
        };
        let path = &nodes[usize::from(pick) % nodes.len()];
        if let Some(done) = apply(edit, &mut bundle, path, cases, start, &mut input) {
            edits.push(done);
        }
    }
    Some(Mutant {
        case,
        form,
        bundle,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_reach_every_node_and_get_finds_each() {
        let doc = json!({"a": [1, {"b": "x"}], "c": null});
        let all = paths(&doc);
        let names: Vec<String> = all.iter().map(|p| pointer(p)).collect();
        assert_eq!(names, ["/a", "/a/0", "/a/1", "/a/1/b", "/c"]);
        assert_eq!(get(&doc, &all[3]), Some(&json!("x")));
    }
}
