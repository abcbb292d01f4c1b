//! Credentials never leave sigscope: authenticated sessions (basic auth, and a Bearer token
//! against a token-auth registry) through inspect text, inspect JSON, verify, help, and error
//! paths — including a registry whose error message quotes the secret back — and every byte of
//! stdout and stderr is searched for the password and the token.

use std::path::Path;

use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::publish::simple_image;
use crate::support::registry::{Registry, RegistryOptions};
use crate::support::token_server::{SERVICE, TokenServer};
use crate::support::tools::{Tools, run_ok};

const USER: &str = "inspector";
const PASSWORD: &str = "pw-5ecret-c0ffee";

/// Runs sigscope with `env`; returns the exit code and everything it printed.
fn sigscope(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = crate::support::sigscope();
    cmd.args(args)
        .env("HOME", "/nonexistent")
        .env_remove("DOCKER_CONFIG")
        .env_remove("SIGSCOPE_REGISTRY_USERNAME")
        .env_remove("SIGSCOPE_REGISTRY_PASSWORD")
        .env_remove("SIGSCOPE_REGISTRY_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Fails if `out` holds `secret` or any 16-character piece of it.
fn assert_no_part_of(secret: &str, out: &str, what: &str) {
    let chars: Vec<char> = secret.chars().collect();
    let window = 16.min(chars.len());
    for piece in chars.windows(window) {
        let piece: String = piece.iter().collect();
        assert!(
            !out.contains(&piece),
            "{what} printed part of the secret ({piece}):\n{out}"
        );
    }
}

/// Signs `image` with a fresh cosign key (no transparency log), logged in through `docker`.
fn sign_with_key(image: &str, docker: &Path, work: &Path) {
    let cosign = |args: &[&str]| {
        let mut c = Tools::get().cosign2();
        c.current_dir(work).env("DOCKER_CONFIG", docker).args(args);
        c
    };
    run_ok(&mut cosign(&["generate-key-pair"]));
    run_ok(&mut cosign(&[
        "sign",
        "--yes",
        "--key",
        "cosign.key",
        "--tlog-upload=false",
        "--allow-http-registry",
        image,
    ]));
}

/// Every run of `secret`-bearing sessions against `target` (`REG/repo`, tag `v1` signed by the
/// key in `work`), with `auth` as flags or environment; asserts each worked as expected and
/// that nothing printed contains `secret`.
fn runs_leak_nothing(target: &str, work: &Path, auth: &[&str], env: &[(&str, &str)], secret: &str) {
    let key = work.join("cosign.pub");
    let key = key.to_str().unwrap();
    let image = format!("{target}:v1");
    let base = ["--allow-http-registry"];
    let runs: Vec<(&str, Vec<&str>, i32)> = vec![
        ("inspect text", vec!["inspect"], 0),
        ("inspect json", vec!["inspect", "--output", "json"], 0),
        (
            "verify text",
            vec!["verify", "--key", key, "--insecure-ignore-tlog", &image],
            0,
        ),
        (
            "verify json",
            vec![
                "verify",
                "--key",
                key,
                "--insecure-ignore-tlog",
                "--output",
                "json",
                &image,
            ],
            0,
        ),
        ("missing tag", vec!["inspect"], 2),
        ("help", vec!["inspect", "--help"], 0),
    ];
    for (what, args, expected) in runs {
        let mut all: Vec<&str> = args.clone();
        all.extend(base);
        all.extend(auth);
        let missing = format!("{target}:nope");
        match what {
            "inspect text" | "inspect json" => all.push(target),
            "missing tag" => all.push(&missing),
            _ => {}
        }
        let (code, out) = sigscope(&all, env);
        assert_eq!(code, expected, "{what}: {out}");
        assert_no_part_of(secret, &out, what);
        if what == "inspect text" {
            assert!(out.contains("v1"), "{what}: {out}");
        }
    }
}

/// A basic-auth registry holding `cred/app:v1` signed by the key in `work` (cosign.key,
/// cosign.pub), and a docker config (`docker/config.json`) with its credentials.
struct BasicAuthBed {
    registry: Registry,
    work: tempfile::TempDir,
    docker: std::path::PathBuf,
    target: String,
}

impl BasicAuthBed {
    fn start() -> BasicAuthBed {
        let registry = Registry::start(RegistryOptions {
            basic_auth: Some((USER.into(), PASSWORD.into())),
            ..RegistryOptions::default()
        });
        let work = tempfile::tempdir().unwrap();
        let docker = work.path().join("docker");
        std::fs::create_dir_all(&docker).unwrap();
        use base64::Engine as _;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
        std::fs::write(
            docker.join("config.json"),
            format!(
                r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
                registry.host()
            ),
        )
        .unwrap();
        let digest = push_with_oras(&registry, &docker);
        let target = registry.repo("cred/app");
        sign_with_key(&format!("{target}@{digest}"), &docker, work.path());
        BasicAuthBed {
            registry,
            work,
            docker,
            target,
        }
    }
}

#[test]
fn a_basic_auth_session_never_prints_the_password() {
    let BasicAuthBed {
        registry,
        work,
        docker,
        target,
    } = BasicAuthBed::start();

    let flags = ["--registry-username", USER, "--registry-password", PASSWORD];
    runs_leak_nothing(&target, work.path(), &flags, &[], PASSWORD);
    let env = [
        ("SIGSCOPE_REGISTRY_USERNAME", USER),
        ("SIGSCOPE_REGISTRY_PASSWORD", PASSWORD),
    ];
    runs_leak_nothing(&target, work.path(), &[], &env, PASSWORD);
    let docker_env = [("DOCKER_CONFIG", docker.to_str().unwrap())];
    runs_leak_nothing(&target, work.path(), &[], &docker_env, PASSWORD);

    // A wrong password is refused, and not printed either.
    let (code, out) = sigscope(
        &[
            "inspect",
            "--allow-http-registry",
            "--registry-username",
            USER,
            "--registry-password",
            "pw-wrong-9d9d9d",
            &target,
        ],
        &[],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("authentication"), "{out}");
    assert!(!out.contains("pw-wrong-9d9d9d"), "{out}");

    // A registry that quotes the secret back in its error message gets it redacted.
    let proxy = FaultProxy::start(registry.addr());
    let echo = serde_json::json!({"errors": [{"code": "DENIED",
        "message": format!("user {USER} with password {PASSWORD} may not read this")}]});
    proxy.add(
        "/manifests/v1",
        Fault::Body {
            code: 403,
            body: echo.to_string(),
        },
    );
    for format in ["text", "json"] {
        let (code, out) = sigscope(
            &[
                "inspect",
                "--allow-http-registry",
                "--output",
                format,
                &format!("{}/cred/app:v1", proxy.host()),
            ],
            &env,
        );
        assert_eq!(code, 2, "{out}");
        assert!(
            out.contains("may not read this"),
            "the message is shown: {out}"
        );
        assert!(out.contains("<redacted>"), "{out}");
        assert_no_part_of(PASSWORD, &out, "an error quoting the password");
    }
}

#[test]
fn a_bearer_token_session_never_prints_the_token() {
    let tokens = TokenServer::start();
    let registry = Registry::start(RegistryOptions {
        token_auth: Some((tokens.realm(), tokens.ca.root.pem())),
        ..RegistryOptions::default()
    });
    let work = tempfile::tempdir().unwrap();
    let docker = work.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let digest = push_with_oras(&registry, &docker);
    let target = registry.repo("cred/app");
    sign_with_key(&format!("{target}@{digest}"), &docker, work.path());

    // A token for the repository, as a CI system would hand one over.
    let token = fetch_token(&tokens.realm(), "cred/app");
    assert!(token.len() > 100, "{token}");
    let flags = ["--registry-token", token.as_str()];
    runs_leak_nothing(&target, work.path(), &flags, &[], &token);
    let env = [("SIGSCOPE_REGISTRY_TOKEN", token.as_str())];
    runs_leak_nothing(&target, work.path(), &[], &env, &token);

    let proxy = FaultProxy::start(registry.addr());
    let echo = serde_json::json!({"errors": [{"code": "DENIED",
        "message": format!("token {token} is not allowed")}]});
    proxy.add(
        "/manifests/v1",
        Fault::Body {
            code: 403,
            body: echo.to_string(),
        },
    );
    let (code, out) = sigscope(
        &[
            "inspect",
            "--allow-http-registry",
            &format!("{}/cred/app:v1", proxy.host()),
        ],
        &env,
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("DENIED token <redacted>"), "{out}");
    assert_no_part_of(&token, &out, "an error quoting the token");
}

/// Pushes a small image as `cred/app:v1` with oras (credentials from `docker`); its digest.
fn push_with_oras(registry: &Registry, docker: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = crate::support::layout::Layout::create(&dir.path().join("layout"));
    let m = layout.put_image(&simple_image("cred", "amd64"));
    layout.tag("v1", &m);
    run_ok(Tools::get().oras().env("DOCKER_CONFIG", docker).args([
        "cp",
        "--from-oci-layout",
        "--to-plain-http",
        "--no-tty",
        &format!("{}:v1", layout.dir().display()),
        &format!("{}:v1", registry.repo("cred/app")),
    ]));
    m.digest.to_string()
}

/// A pull token from the token server (distribution's token protocol, GET with a scope).
fn fetch_token(realm: &str, repository: &str) -> String {
    let rest = realm.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut conn = std::net::TcpStream::connect(host).unwrap();
    use std::io::{Read as _, Write as _};
    write!(
        conn,
        "GET /{path}?service={SERVICE}&scope=repository:{repository}:pull HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    let doc: serde_json::Value = serde_json::from_str(body).unwrap();
    doc["token"].as_str().unwrap().to_owned()
}

/// gh 2.92 sent its token to TUF mirrors. sigscope's mirror requests come from a client of their
/// own: with credentials given as flags and a docker config for an authenticated
/// registry, the loopback mirror sees every TUF request and not one Authorization header.
#[test]
fn registry_credentials_never_reach_the_tuf_mirror() {
    let BasicAuthBed {
        registry: _running,
        work,
        docker,
        target,
    } = BasicAuthBed::start();
    let scenario = crate::support::scenario::Scenario::shared();
    let mirror = crate::support::tuf::TufMirror::new(&scenario.trusted_root);

    let key = work.path().join("cosign.pub");
    let root = mirror.first_root();
    let image = format!("{target}:v1");
    let out = crate::support::sigscope()
        .env_remove("SIGSCOPE_OFFLINE")
        .env("DOCKER_CONFIG", &docker)
        .args(["verify", "--allow-http-registry", "--insecure-ignore-tlog"])
        .args(["--registry-username", USER, "--registry-password", PASSWORD])
        .arg("--key")
        .arg(&key)
        .args(["--tuf-mirror", &mirror.url(), "--tuf-root"])
        .arg(&root)
        .arg(&image)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let requests = mirror.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert!(paths.contains(&"/timestamp.json"), "{paths:?}");
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("/targets/") && p.ends_with(".trusted_root.json")),
        "{paths:?}"
    );
    for request in &requests {
        for header in &request.headers {
            assert!(
                !header.starts_with("authorization:") && !header.starts_with("cookie:"),
                "{} carried {header}",
                request.path
            );
            assert!(
                !header.contains("5ecret"),
                "{} carried {header}",
                request.path
            );
        }
    }
}
