//! Registry credentials: explicit user and password, or the user's docker config
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): `auths` entries, per-registry
//! `credHelpers` and the default `credsStore`, run as `docker-credential-<name> get`.
//!
//! Secrets never appear in `Debug` output or error messages.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::artifact::error::decode_base64;

/// How to authenticate to one registry.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    #[default]
    Anonymous,
    Basic {
        username: String,
        password: String,
    },
    /// A registry access token used as-is (`--registry-token`).
    Bearer(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

impl Credentials {
    /// The secrets this value holds, for scrubbing them from any text shown to the user.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::Anonymous => Vec::new(),
            Credentials::Basic { password, .. } => vec![password.as_str()],
            Credentials::Bearer(token) => vec![token.as_str()],
        }
    }
}

/// Why credentials could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("docker config {path}: {reason}")]
    Config { path: String, reason: String },
    #[error("credential helper docker-credential-{helper}: {reason}")]
    Helper { helper: String, reason: String },
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The docker config path the docker CLI would use.
pub fn default_docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// The key Docker uses for Docker Hub in its config.
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// `https://host/path` → `host`.
fn normalize_key(key: &str) -> String {
    let without_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = without_scheme.split('/').next().unwrap_or(without_scheme);
    match host {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_owned(),
        other => other.to_owned(),
    }
}

/// Credentials for `registry` from the docker config at `path` (a missing file means
/// anonymous).
pub fn from_docker_config(path: &Path, registry: &str) -> Result<Credentials, CredentialError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Credentials::Anonymous),
        Err(e) => {
            return Err(CredentialError::Config {
                path: path.display().to_string(),
                reason: e.to_string(),
            });
        }
    };
    let config: DockerConfig =
        serde_json::from_slice(&text).map_err(|e| CredentialError::Config {
            path: path.display().to_string(),
            reason: format!("malformed JSON: {e}"),
        })?;
    let wanted = normalize_key(registry);
    let helper = config
        .cred_helpers
        .iter()
        .find(|(k, _)| normalize_key(k) == wanted)
        .map(|(_, v)| v.clone());
    if let Some(helper) = helper {
        return run_helper(&helper, registry);
    }
    if let Some((_, entry)) = config
        .auths
        .iter()
        .find(|(k, _)| normalize_key(k) == wanted)
    {
        return entry_credentials(path, entry);
    }
    match config.creds_store {
        Some(store) if !store.is_empty() => run_helper(&store, registry),
        _ => Ok(Credentials::Anonymous),
    }
}

fn entry_credentials(path: &Path, entry: &AuthEntry) -> Result<Credentials, CredentialError> {
    let config_error = |reason: String| CredentialError::Config {
        path: path.display().to_string(),
        reason,
    };
    if entry
        .identitytoken
        .as_deref()
        .is_some_and(|t| !t.is_empty())
    {
        return Err(config_error(
            "identity tokens (OAuth2 refresh tokens) are not supported yet; use \
             --registry-username/--registry-password or a credential helper"
                .into(),
        ));
    }
    if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Credentials::Basic {
            username: username.clone(),
            password: password.clone(),
        });
    }
    let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) else {
        return Ok(Credentials::Anonymous);
    };
    let decoded = decode_base64("auths entry", auth)
        .map_err(|_| config_error("an auths entry is not valid base64".into()))?;
    let decoded = String::from_utf8(decoded)
        .map_err(|_| config_error("an auths entry is not UTF-8".into()))?;
    let (username, password) = decoded
        .split_once(':')
        .ok_or_else(|| config_error("an auths entry is not user:password".into()))?;
    Ok(Credentials::Basic {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

#[derive(Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// Runs `docker-credential-<helper> get` (docker-credential-helpers protocol).
fn run_helper(helper: &str, registry: &str) -> Result<Credentials, CredentialError> {
    let fail = |reason: String| CredentialError::Helper {
        helper: helper.to_owned(),
        reason,
    };
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(fail("helper name has unexpected characters".into()));
    }
    let server = if normalize_key(registry) == "docker.io" {
        DOCKER_HUB_KEY.to_owned()
    } else {
        registry.to_owned()
    };
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run it: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(server.as_bytes())
            .map_err(|e| fail(format!("writing to it: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| fail(format!("waiting for it: {e}")))?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stdout);
        if message.contains("credentials not found") {
            return Ok(Credentials::Anonymous);
        }
        return Err(fail(format!("exited with {}", out.status)));
    }
    let parsed: HelperOutput = serde_json::from_slice(&out.stdout)
        .map_err(|_| fail("printed something that is not its JSON answer".into()))?;
    if parsed.username == "<token>" {
        return Err(fail(
            "returned an identity token, which is not supported yet".into(),
        ));
    }
    Ok(Credentials::Basic {
        username: parsed.username,
        password: parsed.secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, json).unwrap();
        (dir, path)
    }

    #[test]
    fn auths_entries_match_with_or_without_scheme() {
        // "dXNlcjpwYXNz" is base64("user:pass").
        let (_d, path) = config(
            r#"{"auths":{"https://registry.example.com/v1/":{"auth":"dXNlcjpwYXNz"},"https://index.docker.io/v1/":{"username":"hub","password":"pw"}}}"#,
        );
        assert_eq!(
            from_docker_config(&path, "registry.example.com").unwrap(),
            Credentials::Basic {
                username: "user".into(),
                password: "pass".into()
            }
        );
        assert_eq!(
            from_docker_config(&path, "docker.io").unwrap(),
            Credentials::Basic {
                username: "hub".into(),
                password: "pw".into()
            }
        );
        assert_eq!(
            from_docker_config(&path, "ghcr.io").unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn missing_config_is_anonymous_and_bad_config_is_an_error_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            from_docker_config(&dir.path().join("none.json"), "x.io").unwrap(),
            Credentials::Anonymous
        );
        let (_d, path) = config(r#"{"auths":{"x.io":{"auth":"!!!secret!!!"}}}"#);
        let err = from_docker_config(&path, "x.io").unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn a_missing_helper_is_a_clear_error() {
        let (_d, path) = config(r#"{"credsStore":"sigscope-no-such-helper"}"#);
        let err = from_docker_config(&path, "x.io").unwrap_err().to_string();
        assert!(
            err.contains("docker-credential-sigscope-no-such-helper"),
            "{err}"
        );
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let c = Credentials::Basic {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{:?}", Credentials::Bearer("tok".into())).contains("tok"));
    }
}
