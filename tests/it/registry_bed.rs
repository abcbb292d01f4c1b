//! The test bed itself: the registry serves, stores, and enforces basic auth when asked.

use crate::support::registry::{Registry, RegistryOptions};
use crate::support::tools::{Tools, run, run_ok};

#[test]
fn shared_registry_answers_the_distribution_api_on_loopback() {
    let registry = Registry::shared();
    assert!(registry.addr().ip().is_loopback());
    assert_eq!(registry.get_status("/v2/").unwrap(), 200);
    assert_eq!(
        registry.get_status("/v2/nothing/here/tags/list").unwrap(),
        404
    );
}

#[test]
fn a_registry_with_basic_auth_refuses_anonymous_and_accepts_the_password() {
    let registry = Registry::start(RegistryOptions {
        basic_auth: Some(("tester".into(), "s3cret-pw".into())),
        ..RegistryOptions::default()
    });
    assert_eq!(registry.get_status("/v2/").unwrap(), 401);
    let tools = Tools::get();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), b"hello").unwrap();
    let target = format!("{}:v1", registry.repo("auth/probe"));
    let anonymous = run(tools.oras().current_dir(dir.path()).args([
        "push",
        "--plain-http",
        "--no-tty",
        &target,
        "hello.txt",
    ]));
    assert!(!anonymous.status.success(), "anonymous push was accepted");
    run_ok(tools.oras().current_dir(dir.path()).args([
        "push",
        "--plain-http",
        "--no-tty",
        "-u",
        "tester",
        "-p",
        "s3cret-pw",
        &target,
        "hello.txt",
    ]));
}

#[test]
fn dropping_a_registry_stops_the_process() {
    let registry = Registry::start(RegistryOptions::default());
    let addr = registry.addr();
    let storage = registry.storage().to_path_buf();
    drop(registry);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening"
    );
    assert!(!storage.exists(), "storage left behind");
}
