//! `-a key=value`: claims the signed payload must carry. cosign compares typed values
//! (`correctAnnotations`: `have[k] != v` on `interface{}`), and the wanted values are strings,
//! so only a JSON string equal to the value matches — a number 5 or `true` never matches "5" or
//! "true".

use serde_json::{Map, Value};

use super::check::Checks;

/// One `annotation` check per wanted claim, against the claims the payload carries.
pub fn check(wanted: &[(String, String)], have: Option<&Map<String, Value>>, checks: &mut Checks) {
    for (k, v) in wanted {
        match have.and_then(|m| m.get(k)) {
            Some(Value::String(a)) if a == v => checks.pass("annotation", format!("{k}={v}")),
            Some(Value::String(a)) => checks.mismatch(
                "annotation",
                format!("annotation {k} is {a:?}, expected {v:?}"),
                v.clone(),
                a.clone(),
            ),
            Some(other) => checks.mismatch(
                "annotation",
                format!(
                    "annotation {k} is the JSON {} {other}, not the string {v:?} (cosign compares typed values)",
                    json_kind(other)
                ),
                format!("{v:?} (a string)"),
                format!("{other} (a {})", json_kind(other)),
            ),
            None => checks.mismatch(
                "annotation",
                format!("annotation {k} is absent, expected {v:?}"),
                v.clone(),
                "(absent)",
            ),
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::check::Outcome;

    fn run(wanted: &[(&str, &str)], have: serde_json::Value) -> Vec<bool> {
        let wanted: Vec<(String, String)> = wanted
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut checks = Checks::default();
        check(&wanted, have.as_object(), &mut checks);
        checks
            .0
            .iter()
            .map(|c| matches!(c.outcome, Outcome::Passed { .. }))
            .collect()
    }

    #[test]
    fn strings_match_by_value() {
        assert_eq!(
            run(&[("env", "prod")], serde_json::json!({"env": "prod"})),
            [true]
        );
        assert_eq!(
            run(&[("env", "prod")], serde_json::json!({"env": "dev"})),
            [false]
        );
    }

    // cosign pkg/cosign/verify.go correctAnnotations: typed comparison of interface{} values.
    #[test]
    fn cosign_correct_annotations_typed_values_never_match_their_text() {
        for have in [
            serde_json::json!({"build": 5}),
            serde_json::json!({"build": true}),
            serde_json::json!({"build": null}),
            serde_json::json!({"build": ["5"]}),
        ] {
            assert_eq!(run(&[("build", "5")], have.clone()), [false], "{have}");
        }
        assert_eq!(run(&[("build", "5")], serde_json::json!({})), [false]);
        assert_eq!(run(&[("a", "1")], serde_json::json!(null)), [false]);
    }
}
