//! Bad input and registry errors: each is reported on its item, the rest is read, nothing
//! panics.

use std::sync::OnceLock;

use serde_json::Value;

use crate::inspect::{inspect_json, tag};
use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::malformed::{Malformed, REPOSITORY};
use crate::support::publish::{push_image, simple_image};
use crate::support::registry::{Registry, RegistryOptions};

fn malformed() -> &'static Malformed {
    static M: OnceLock<Malformed> = OnceLock::new();
    M.get_or_init(Malformed::build)
}

fn signature_layer<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &tag(doc, name)["image"]["artifacts"][0]["layers"][0]["content"]
}

/// The malformed repository through a proxy that answers 500 for one tag and 403 for another.
fn inspect_malformed() -> (i32, Value) {
    let m = malformed();
    let proxy = FaultProxy::start(m.registry.addr());
    proxy.add(
        "/manifests/server-error",
        Fault::Status {
            code: 500,
            headers: vec![],
        },
    );
    proxy.add(
        "/manifests/forbidden",
        Fault::Status {
            code: 403,
            headers: vec![],
        },
    );
    let out = inspect_json(&[&format!("{}/{REPOSITORY}", proxy.host())]);
    assert!(proxy.faulted().len() >= 2, "{:?}", proxy.faulted());
    out
}

#[test]
fn every_bad_item_gets_its_own_clear_error_and_the_rest_is_read() {
    let (code, doc) = inspect_malformed();
    assert_eq!(code, 2, "some tags could not be read: exit 2");

    let good = &tag(&doc, "good")["image"];
    assert_eq!(good["digest"], malformed().digest("good").to_string());
    assert!(good.get("errors").is_none(), "{good:#}");

    let bad_json = signature_layer(&doc, "bad-json");
    assert!(
        bad_json["payload"]["error"]
            .as_str()
            .unwrap()
            .contains("malformed JSON"),
        "{bad_json:#}"
    );

    let bad_b64 = signature_layer(&doc, "bad-base64");
    let err = bad_b64["rekor_bundle"]["error"].as_str().unwrap();
    assert!(err.contains("base64"), "{err}");
    assert!(
        bad_b64["payload"].get("ok").is_some(),
        "the payload itself is fine"
    );

    let bad_der = signature_layer(&doc, "bad-der");
    let err = bad_der["certificate"]["error"].as_str().unwrap();
    assert!(err.contains("DER") || err.contains("certificate"), "{err}");

    let wrong = signature_layer(&doc, "wrong-digest");
    let err = wrong["error"].as_str().unwrap();
    assert!(err.contains("does not match the expected"), "{err}");
    assert!(
        err.contains(&malformed().corrupted_blob.to_string()),
        "{err}"
    );

    let big = signature_layer(&doc, "oversized");
    let err = big["error"].as_str().unwrap();
    assert!(err.contains("exceeds the limit of 16777216 bytes"), "{err}");

    // Deleting a manifest removes its tag from the list; asking for it by name is a 404.
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["tag"] != "missing")
    );
    let (code, doc404) = inspect_json(&[&format!("{}:missing", malformed().repository())]);
    assert_eq!(code, 2);
    let missing = tag(&doc404, "missing")["error"].as_str().unwrap();
    assert!(missing.contains("not found"), "{missing}");
    let server = tag(&doc, "server-error")["error"].as_str().unwrap();
    assert!(server.contains("HTTP 500"), "{server}");
    let forbidden = tag(&doc, "forbidden")["error"].as_str().unwrap();
    assert!(forbidden.contains("403"), "{forbidden}");
}

#[test]
fn a_lower_blob_limit_is_reported_as_a_limit() {
    let m = malformed();
    let image = format!("{}:bad-json", m.repository());
    let (_, doc) = inspect_json(&["--max-blob-bytes", "4", &image]);
    let err = signature_layer(&doc, "bad-json")["error"].as_str().unwrap();
    assert!(err.contains("exceeds the limit of 4 bytes"), "{err}");
}

#[test]
fn an_unreachable_registry_is_an_error_not_a_hang_or_panic() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = crate::support::sigscope()
        .args([
            "inspect",
            "--allow-http-registry",
            &format!("127.0.0.1:{port}/nothing/here"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("127.0.0.1"), "{text}");
}

#[test]
fn basic_auth_registry_needs_credentials_and_never_prints_them() {
    let registry = Registry::start(RegistryOptions {
        basic_auth: Some(("inspector".into(), "pw-9f8e7d".into())),
        ..RegistryOptions::default()
    });
    // Publish with oras, which takes the credentials.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), r#"{"auths":{}}"#).unwrap();
    let _ = (push_image, simple_image);
    let target = format!("{}/auth/app", registry.host());
    crate::support::tools::run_ok(
        crate::support::tools::Tools::get()
            .oras()
            .current_dir(dir.path())
            .args([
                "push",
                "--plain-http",
                "--no-tty",
                "-u",
                "inspector",
                "-p",
                "pw-9f8e7d",
                &format!("{target}:v1"),
                "config.json",
            ]),
    );

    let (code, doc) = inspect_json(&[&target]);
    assert_eq!(code, 2);
    let errors = doc["errors"].to_string();
    assert!(errors.contains("authentication"), "{doc:#}");

    let (code, doc) = inspect_json(&[
        "--registry-username",
        "inspector",
        "--registry-password",
        "pw-9f8e7d",
        &target,
    ]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(tag(&doc, "v1")["tag"], "v1");
    assert!(!doc.to_string().contains("pw-9f8e7d"));

    // The same from a docker config file.
    let docker = tempfile::tempdir().unwrap();
    std::fs::write(
        docker.path().join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"auth":"aW5zcGVjdG9yOnB3LTlmOGU3ZA=="}}}}}}"#,
            registry.host()
        ),
    )
    .unwrap();
    let out = crate::support::sigscope()
        .args([
            "inspect",
            "--output",
            "json",
            "--allow-http-registry",
            &target,
        ])
        .env("DOCKER_CONFIG", docker.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!all.contains("pw-9f8e7d"));
}

#[test]
fn rate_limits_and_overload_are_retried_after_the_wait_asked_for() {
    let scenario = crate::support::scenario::Scenario::shared();
    let proxy = FaultProxy::start(Registry::shared().addr());
    let retry = |code| Fault::Status {
        code,
        headers: vec![("Retry-After".into(), "1".into())],
    };
    proxy.add_times("/manifests/v1.1.0", retry(429), 2);
    proxy.add_times("/tags/list", retry(503), 1);
    let (_, path) = scenario.repository.split_once('/').unwrap();
    let started = std::time::Instant::now();
    let (code, doc) = inspect_json(&[&format!("{}/{path}", proxy.host())]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        tag(&doc, "v1.1.0")["image"]["digest"],
        scenario.case("v1.1.0").digest.to_string()
    );
    assert_eq!(proxy.faulted().len(), 3, "{:?}", proxy.faulted());
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "Retry-After was not honoured"
    );

    // Past the retries, the status is reported on the item.
    let stubborn = FaultProxy::start(Registry::shared().addr());
    stubborn.add(
        "/manifests/v1.1.0",
        Fault::Status {
            code: 429,
            headers: vec![],
        },
    );
    let (code, doc) = inspect_json(&[&format!("{}/{path}:v1.1.0", stubborn.host())]);
    assert_eq!(code, 2);
    assert!(
        tag(&doc, "v1.1.0")["error"]
            .as_str()
            .unwrap()
            .contains("HTTP 429"),
        "{doc:#}"
    );
    assert_eq!(stubborn.faulted().len(), 4, "one try and three retries");
}
