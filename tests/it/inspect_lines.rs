//! `sigscope inspect --output jsonl` against the real registry: one compact JSON object per tag
//! (each a line of its own, parseable alone), carrying what the JSON document carries.

use serde_json::Value;

use crate::cache::signed_repository;
use crate::support::registry::Registry;

#[test]
fn jsonl_writes_one_object_per_tag_each_on_its_own_line() {
    let repository = "inspect-jsonl";
    let digests = signed_repository(repository);
    let target = Registry::shared().repo(repository);
    let out = crate::support::sigscope()
        .args([
            "inspect",
            "--output",
            "jsonl",
            "--allow-http-registry",
            &target,
        ])
        .env_remove("DOCKER_CONFIG")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {l:?}: {e}")))
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let mut seen = Vec::new();
    for line in &lines {
        assert_eq!(line["schema_version"], 1);
        assert_eq!(line["command"], "inspect");
        assert_eq!(line["type"], "tag");
        assert_eq!(line["target"], target);
        let tag = line["tag"].as_str().unwrap().to_owned();
        let index = ["v1", "v2", "v3"].iter().position(|t| *t == tag).unwrap();
        assert_eq!(line["image"]["digest"], digests[index]);
        let signatures = line["image"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "signature")
            .count();
        assert_eq!(signatures, usize::from(tag != "v3"), "{tag}");
        seen.push(tag);
    }
    seen.sort();
    assert_eq!(seen, ["v1", "v2", "v3"]);
}
