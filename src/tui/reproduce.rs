//! What a copied `cosign verify` line or admission policy needs to check what the TUI checked:
//! the registry flag (`--allow-http-registry`) and the trusted root in force. cosign is told of
//! a trusted root file with `--trusted-root`, of cosign's variables by setting them, of a TUF
//! mirror by `cosign initialize`; a ClusterImagePolicy gets a `TrustRoot` and `trustRootRef`;
//! a Kyverno policy gets the log URL, the log and CT keys and the CA roots. The public-good
//! instance needs nothing (it is every tool's default). Pure: made from what the CLI resolved
//! (paths already absolute).

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::trust::{CosignTrustVariables, PublicInstance, TrustChoice, TrustedRoot};

/// The flags and trust behind the checks in this session.
#[derive(Debug, Clone, Default)]
pub struct Reproduce {
    /// The registry is plain HTTP (`--allow-http-registry`).
    pub allow_http: bool,
    /// Where the trusted root came from (`None`: public-good, the default).
    pub choice: Option<TrustChoice>,
    /// cosign's variables, when they replaced parts of the trusted root.
    pub cosign: CosignTrustVariables,
    /// The TUF `root.json` a `--tuf-mirror` chain starts from (read by the CLI).
    pub mirror_root: Option<Vec<u8>>,
    /// The trusted root in force.
    pub root: Option<Arc<TrustedRoot>>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn pem(label: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(label, der.to_vec()))
}

fn quote(word: &str) -> String {
    shlex::try_quote(word).map_or_else(|_| format!("'{word}'"), |q| q.into_owned())
}

impl Reproduce {
    /// Whether anything differs from every tool's default (public-good, HTTPS).
    fn custom_trust(&self) -> bool {
        let variables = self.cosign.root_file.is_some()
            || self.cosign.rekor_public_key.is_some()
            || self.cosign.ct_log_public_key_file.is_some();
        variables
            || !matches!(
                self.choice,
                None | Some(TrustChoice::Public(PublicInstance::PublicGood))
            )
    }

    /// The generated `cosign verify …` line with the registry and trust flags, one line, no
    /// line break at its end (pasted, it waits for Enter).
    pub fn cosign_line(&self, generated: &str) -> String {
        let line = generated.trim_end();
        let Some(rest) = line.strip_prefix("cosign verify ") else {
            return line.to_owned();
        };
        let mut before: Vec<String> = Vec::new();
        let mut flags: Vec<String> = Vec::new();
        if self.allow_http {
            flags.push("--allow-http-registry".into());
        }
        let variables = [
            ("SIGSTORE_ROOT_FILE", &self.cosign.root_file),
            ("SIGSTORE_REKOR_PUBLIC_KEY", &self.cosign.rekor_public_key),
            (
                "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE",
                &self.cosign.ct_log_public_key_file,
            ),
        ];
        for (name, value) in variables {
            if let Some(path) = value {
                before.push(format!("{name}={}", quote(&path.display().to_string())));
            }
        }
        match &self.choice {
            Some(TrustChoice::File(path)) => {
                flags.push(format!(
                    "--trusted-root {}",
                    quote(&path.display().to_string())
                ));
            }
            Some(TrustChoice::Mirror { mirror, root }) => before.insert(
                0,
                format!(
                    "cosign initialize --mirror {} --root {} &&",
                    quote(mirror),
                    quote(&root.display().to_string())
                ),
            ),
            Some(TrustChoice::Public(instance)) if *instance != PublicInstance::PublicGood => {
                let mirror = instance.mirror();
                before.insert(
                    0,
                    format!("cosign initialize --mirror {mirror} --root {mirror}/root.json &&"),
                );
            }
            _ => {}
        }
        let mut words = before;
        words.push("cosign verify".into());
        words.extend(flags);
        words.push(rest.to_owned());
        words.join(" ")
    }

    /// A ClusterImagePolicy (YAML) made to use the trusted root in force: a `TrustRoot` before
    /// it and `trustRootRef` in its keyless authority and CT log.
    pub fn cluster_image_policy(&self, generated: &str) -> Result<String, String> {
        if !self.custom_trust() {
            return Ok(generated.to_owned());
        }
        let mut policy: Value = serde_norway::from_str(generated).map_err(|e| e.to_string())?;
        let name = format!(
            "{}-trust",
            policy["metadata"]["name"].as_str().unwrap_or("sigscope")
        );
        if let Some(authorities) = policy["spec"]["authorities"].as_array_mut() {
            for authority in authorities {
                if let Some(keyless) = authority.get_mut("keyless") {
                    keyless["trustRootRef"] = json!(name);
                }
                if authority.get("ctlog").is_none() {
                    authority["ctlog"] = json!({ "trustRootRef": name });
                }
            }
        }
        let trust_root = json!({
            "apiVersion": "policy.sigstore.dev/v1alpha1",
            "kind": "TrustRoot",
            "metadata": { "name": name },
            "spec": self.trust_root_spec()?,
        });
        let to_yaml = |v: &Value| serde_norway::to_string(v).map_err(|e| e.to_string());
        Ok(format!(
            "{}---\n{}",
            to_yaml(&trust_root)?,
            to_yaml(&policy)?
        ))
    }

    /// policy-controller's `TrustRoot.spec`: a TUF mirror and its root, or the keys themselves.
    fn trust_root_spec(&self) -> Result<Value, String> {
        let remote = match (&self.choice, &self.mirror_root) {
            (Some(TrustChoice::Mirror { mirror, .. }), Some(root)) => {
                Some((mirror.clone(), root.clone()))
            }
            (Some(TrustChoice::Public(i)), _) => {
                Some((i.mirror().to_owned(), i.tuf_root().to_vec()))
            }
            _ => None,
        };
        let variables = self.cosign.root_file.is_some()
            || self.cosign.rekor_public_key.is_some()
            || self.cosign.ct_log_public_key_file.is_some();
        if let Some((mirror, root)) = remote.filter(|_| !variables) {
            return Ok(json!({ "remote": { "mirror": mirror, "root": b64(&root) } }));
        }
        let root = self.root.as_ref().ok_or("no trusted root in force")?;
        let logs = |logs: &[crate::trust::TransparencyLog]| -> Vec<Value> {
            logs.iter()
                .filter_map(|l| {
                    let key = l.key.as_ref().ok()?;
                    Some(json!({
                        "baseURL": l.base_url,
                        "hashAlgorithm": "sha-256",
                        "publicKey": b64(pem("PUBLIC KEY", key.spki_der()).as_bytes()),
                    }))
                })
                .collect()
        };
        let authorities = |cas: &[crate::trust::CertificateAuthority]| -> Vec<Value> {
            cas.iter()
                .map(|ca| {
                    let chain: String =
                        ca.chain_der.iter().map(|d| pem("CERTIFICATE", d)).collect();
                    json!({
                        "subject": { "commonName": ca.common_name },
                        "uri": ca.uri,
                        "certChain": b64(chain.as_bytes()),
                    })
                })
                .collect()
        };
        Ok(json!({ "sigstoreKeys": {
            "certificateAuthorities": authorities(&root.certificate_authorities),
            "tLogs": logs(&root.tlogs),
            "ctLogs": logs(&root.ctlogs),
            "timestampAuthorities": authorities(&root.timestamp_authorities),
        }}))
    }

    /// A Kyverno policy (YAML) made to use the trusted root in force: the transparency log's
    /// URL and key, the CT log's key and the CA roots in each keyless attestor.
    pub fn kyverno(&self, generated: &str) -> Result<String, String> {
        if !self.custom_trust() {
            return Ok(generated.to_owned());
        }
        let root = self.root.as_ref().ok_or("no trusted root in force")?;
        let mut policy: Value = serde_norway::from_str(generated).map_err(|e| e.to_string())?;
        let tlog = root.tlogs.iter().find(|l| l.key.is_ok());
        let ctlog = root.ctlogs.iter().find_map(|l| l.key.as_ref().ok());
        let roots: String = root
            .certificate_authorities
            .iter()
            .flat_map(|ca| ca.chain_der.iter())
            .map(|d| pem("CERTIFICATE", d))
            .collect();
        let rules = policy["spec"]["rules"].as_array_mut().into_iter().flatten();
        let images = rules
            .filter_map(|r| r["verifyImages"].as_array_mut())
            .flatten();
        let attestors = images
            .filter_map(|v| v["attestors"].as_array_mut())
            .flatten();
        for entry in attestors
            .filter_map(|a| a["entries"].as_array_mut())
            .flatten()
        {
            let Some(keyless) = entry.get_mut("keyless") else {
                continue;
            };
            if keyless["rekor"].get("ignoreTlog").is_none()
                && let Some(log) = tlog
            {
                keyless["rekor"] = json!({ "url": log.base_url });
                if let Ok(key) = &log.key {
                    keyless["rekor"]["pubkey"] = json!(pem("PUBLIC KEY", key.spki_der()));
                }
            }
            if let Some(key) = ctlog {
                keyless["ctlog"] = json!({ "pubkey": pem("PUBLIC KEY", key.spki_der()) });
            }
            if !roots.is_empty() {
                keyless["roots"] = json!(roots);
            }
        }
        serde_norway::to_string(&policy).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests;
