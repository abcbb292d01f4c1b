//! The policy (or cosign command line) that admits exactly one signer on one repository. Pure
//! functions: the CLI writes their output, the TUI can offer it from a selected signature.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::inventory::layer::{Decoded, SigningMaterial};
use crate::trust::TrustedRoot;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A `cosign verify` command line, shell-quoted.
    Cosign,
    /// A policy-controller `ClusterImagePolicy` (v1beta1).
    ClusterImagePolicy,
    /// A Kyverno `ClusterPolicy` with one `verifyImages` rule.
    Kyverno,
    /// A containers `policy.json` rejecting everything else.
    PolicyJson,
    /// Connaisseur's Helm values (`application.validators` and `application.policy`).
    Connaisseur,
}

/// The certificate subject to require.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Exact(String),
    /// An anchored regular expression.
    Regexp(String),
}

/// Who must have signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerSpec {
    Keyless {
        subject: Subject,
        issuer: String,
    },
    /// A PEM public key, and the file it was read from (cosign's `--key` needs one).
    Key {
        pem: String,
        path: Option<String>,
    },
}

/// What the policy is about.
#[derive(Debug, Clone)]
pub struct Request {
    /// The repository, fully qualified (`registry/path`).
    pub repository: String,
    /// The image as the user named it (for the cosign command line).
    pub image: String,
    pub signer: SignerSpec,
    /// The signer's signatures carry no transparency-log entry (`--insecure-ignore-tlog`).
    pub ignore_tlog: bool,
}

impl Request {
    /// The request for the signer of one cosign signature (the TUI's "policy for this signer").
    pub fn for_signature(
        repository: &str,
        image: &str,
        material: &SigningMaterial,
    ) -> Result<Request, GenerateError> {
        let (signer, ignore_tlog) = signer_of(material)?;
        Ok(Request {
            repository: repository.to_owned(),
            image: image.to_owned(),
            signer,
            ignore_tlog,
        })
    }
}

/// Why a policy cannot be written in a format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    #[error("{0}")]
    Unsupported(String),
    #[error("cannot write the policy: {0}")]
    Encoding(String),
}

/// The subject to require for a certificate SAN: a GitHub Actions workflow identity built at
/// per-release tags becomes an anchored regexp accepting any tag of that workflow; anything else
/// is matched exactly.
pub fn subject_for(san: &str) -> Subject {
    match san.split_once("@refs/tags/") {
        Some((workflow, _)) if san.starts_with("https://github.com/") => {
            Subject::Regexp(format!("^{}@refs/tags/[^/]+$", regex::escape(workflow)))
        }
        _ => Subject::Exact(san.to_owned()),
    }
}

/// Writes the policy for `request` in `format`; `trust` supplies the Fulcio roots and Rekor key
/// that a containers `policy.json` must name.
pub fn generate(
    request: &Request,
    format: Format,
    trust: &TrustedRoot,
) -> Result<String, GenerateError> {
    match format {
        Format::PolicyJson => {
            let value = policy_json(request, trust)?;
            serde_json::to_string_pretty(&value)
                .map(|s| s + "\n")
                .map_err(|e| GenerateError::Encoding(e.to_string()))
        }
        _ => generate_without_trust(request, format),
    }
}

/// Writes the policy for `request` in a format that names no trusted material (everything but
/// `policy.json`, which must carry the Fulcio roots and the Rekor key).
pub fn generate_without_trust(request: &Request, format: Format) -> Result<String, GenerateError> {
    match format {
        Format::Cosign => cosign(request),
        Format::ClusterImagePolicy => yaml(&cluster_image_policy(request)),
        Format::Kyverno => yaml(&kyverno(request)),
        Format::Connaisseur => yaml(&connaisseur(request)),
        Format::PolicyJson => Err(GenerateError::Unsupported(
            "a policy.json names the trusted root's Fulcio roots and Rekor key: give a trusted root"
                .into(),
        )),
    }
}

fn yaml(value: &Value) -> Result<String, GenerateError> {
    serde_norway::to_string(value).map_err(|e| GenerateError::Encoding(e.to_string()))
}

/// A Kubernetes object name from the repository.
fn object_name(repository: &str) -> String {
    let slug: String = repository
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    let mut name = format!("sigscope-{slug}");
    name.truncate(63);
    name.trim_end_matches('-').to_owned()
}

fn cosign(r: &Request) -> Result<String, GenerateError> {
    let mut args: Vec<String> = vec!["cosign".into(), "verify".into()];
    match &r.signer {
        SignerSpec::Keyless { subject, issuer } => {
            match subject {
                Subject::Exact(s) => args.extend(["--certificate-identity".into(), s.clone()]),
                Subject::Regexp(s) => {
                    args.extend(["--certificate-identity-regexp".into(), s.clone()])
                }
            }
            args.extend(["--certificate-oidc-issuer".into(), issuer.clone()]);
        }
        SignerSpec::Key {
            path: Some(path), ..
        } => args.extend(["--key".into(), path.clone()]),
        SignerSpec::Key { path: None, .. } => {
            return Err(GenerateError::Unsupported(
                "a cosign command line needs the key as a file (--key FILE)".into(),
            ));
        }
    }
    if r.ignore_tlog {
        args.push("--insecure-ignore-tlog".into());
    }
    args.push(r.image.clone());
    let words = args
        .iter()
        .map(|a| shell_word(a))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(words.join(" ") + "\n")
}

/// One word for a POSIX shell: as is when it holds only characters no shell treats specially,
/// in single quotes when it holds no single quote (nothing inside them is special, so a regexp
/// reads as written), else quoted by `shlex`.
fn shell_word(word: &str) -> Result<String, GenerateError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return Ok(word.to_owned());
    }
    if !word.contains('\'') && !word.contains('\0') {
        return Ok(format!("'{word}'"));
    }
    shlex::try_quote(word)
        .map(|q| q.into_owned())
        .map_err(|e| GenerateError::Encoding(e.to_string()))
}

fn cluster_image_policy(r: &Request) -> Value {
    let mut authority = match &r.signer {
        SignerSpec::Keyless { subject, issuer } => {
            let mut id = json!({ "issuer": issuer });
            match subject {
                Subject::Exact(s) => id["subject"] = json!(s),
                Subject::Regexp(s) => id["subjectRegExp"] = json!(s),
            }
            json!({ "name": "signer", "keyless": { "identities": [id] } })
        }
        SignerSpec::Key { pem, .. } => json!({ "name": "signer", "key": { "data": pem } }),
    };
    match (&r.signer, r.ignore_tlog) {
        // policy-controller: a ctlog with neither url nor trustRootRef disables the tlog check.
        (SignerSpec::Keyless { .. }, true) => authority["ctlog"] = json!({}),
        // A key authority without ctlog skips the log: name one to require it.
        (SignerSpec::Key { .. }, false) => {
            authority["ctlog"] = json!({ "url": "https://rekor.sigstore.dev" })
        }
        _ => {}
    }
    json!({
        "apiVersion": "policy.sigstore.dev/v1beta1",
        "kind": "ClusterImagePolicy",
        "metadata": { "name": object_name(&r.repository) },
        "spec": {
            // The webhook matches the resolved `repo@digest`.
            "images": [{ "glob": format!("{}@*", r.repository) }],
            "authorities": [authority],
        }
    })
}

fn kyverno(r: &Request) -> Value {
    // Kyverno refuses a keyless rekor without url (KeylessAttestor.Validate).
    let rekor = if r.ignore_tlog {
        json!({ "url": "https://rekor.sigstore.dev", "ignoreTlog": true })
    } else {
        json!({ "url": "https://rekor.sigstore.dev" })
    };
    let entry = match &r.signer {
        SignerSpec::Keyless { subject, issuer } => {
            let mut k = json!({ "issuer": issuer, "rekor": rekor });
            match subject {
                Subject::Exact(s) => k["subject"] = json!(s),
                Subject::Regexp(s) => k["subjectRegExp"] = json!(s),
            }
            json!({ "keyless": k })
        }
        SignerSpec::Key { pem, .. } => json!({ "keys": { "publicKeys": pem, "rekor": rekor } }),
    };
    json!({
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": { "name": object_name(&r.repository) },
        "spec": {
            "validationFailureAction": "Enforce",
            "rules": [{
                "name": "verify-signature",
                "match": { "any": [{ "resources": { "kinds": ["Pod"] } }] },
                "verifyImages": [{
                    "imageReferences": [format!("{}:*", r.repository), format!("{}@*", r.repository)],
                    "attestors": [{ "entries": [entry] }],
                    "mutateDigest": true,
                    "verifyDigest": true,
                }],
            }],
        }
    })
}

/// Connaisseur's Helm values: a cosign validator with one trust root, and rules sending the
/// repository's tags and digests to it (an image no rule matches is denied).
fn connaisseur(r: &Request) -> Value {
    let root = match &r.signer {
        SignerSpec::Keyless { subject, issuer } => {
            let mut k = json!({ "issuer": issuer });
            match subject {
                Subject::Exact(s) => k["subject"] = json!(s),
                Subject::Regexp(s) => k["subjectRegex"] = json!(s),
            }
            json!({ "name": "signer", "keyless": k })
        }
        SignerSpec::Key { pem, .. } => json!({ "name": "signer", "key": pem }),
    };
    let mut with = json!({ "trustRoot": "signer" });
    if r.ignore_tlog {
        with["verifyInTransparencyLog"] = json!(false);
    }
    let rule =
        |pattern: String| json!({ "pattern": pattern, "validator": "sigscope", "with": with });
    json!({
        "application": {
            "validators": [{ "name": "sigscope", "type": "cosign", "trustRoots": [root] }],
            "policy": [
                rule(format!("{}:*", r.repository)),
                rule(format!("{}@*", r.repository)),
            ],
        }
    })
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn policy_json(r: &Request, trust: &TrustedRoot) -> Result<Value, GenerateError> {
    let rekor_key = || -> Result<String, GenerateError> {
        trust
            .tlogs
            .iter()
            .find_map(|l| l.key.as_ref().ok())
            .map(|k| pem::encode(&pem::Pem::new("PUBLIC KEY", k.spki_der().to_vec())))
            .ok_or_else(|| {
                GenerateError::Unsupported(format!(
                    "the trusted root {} has no Rekor key",
                    trust.source
                ))
            })
    };
    let mut requirement = match &r.signer {
        SignerSpec::Key { pem, .. } => json!({ "type": "sigstoreSigned", "keyData": b64(pem) }),
        SignerSpec::Keyless {
            subject: Subject::Exact(email),
            issuer,
        } if email.contains('@') && !email.contains('/') => {
            if r.ignore_tlog {
                return Err(GenerateError::Unsupported(
                    "policy.json's fulcio requires a Rekor key: it cannot ignore the transparency log".into(),
                ));
            }
            let roots: String = trust
                .certificate_authorities
                .iter()
                .flat_map(|ca| ca.chain_der.iter())
                .map(|der| pem::encode(&pem::Pem::new("CERTIFICATE", der.clone())))
                .collect();
            if roots.is_empty() {
                return Err(GenerateError::Unsupported(format!(
                    "the trusted root {} has no Fulcio CA",
                    trust.source
                )));
            }
            json!({
                "type": "sigstoreSigned",
                "fulcio": { "caData": b64(&roots), "oidcIssuer": issuer, "subjectEmail": email },
            })
        }
        SignerSpec::Keyless { subject, .. } => {
            return Err(GenerateError::Unsupported(format!(
                "policy.json's fulcio can only require an email subject (subjectEmail), not {subject:?}"
            )));
        }
    };
    if !r.ignore_tlog {
        requirement["rekorPublicKeyData"] = json!(b64(&rekor_key()?));
    }
    // cosign signs the repository (no tag) as the docker-reference.
    requirement["signedIdentity"] = json!({ "type": "matchRepository" });
    Ok(json!({
        "default": [{ "type": "reject" }],
        "transports": { "docker": { r.repository.clone(): [requirement] } },
    }))
}

/// The signer of a cosign signature, as a policy would name it, and whether its signatures lack
/// a transparency-log entry. A key-signed signature carries no key: the caller must give it.
pub fn signer_of(material: &SigningMaterial) -> Result<(SignerSpec, bool), GenerateError> {
    let ignore_tlog = material.rekor_bundle.is_none();
    match &material.certificate {
        Some(Decoded::Ok(cert)) => {
            let san = cert.identity().ok_or_else(|| {
                GenerateError::Unsupported("the certificate has no subject alternative name".into())
            })?;
            let issuer = cert.oidc_issuer().ok_or_else(|| {
                GenerateError::Unsupported("the certificate has no OIDC issuer extension".into())
            })?;
            Ok((
                SignerSpec::Keyless {
                    subject: subject_for(san),
                    issuer: issuer.to_owned(),
                },
                ignore_tlog,
            ))
        }
        Some(Decoded::Error(e)) => Err(GenerateError::Unsupported(format!(
            "the signature's certificate is unreadable: {e}"
        ))),
        None => Err(GenerateError::Unsupported(
            "the signature was made with a key, which it does not carry: give the public key (--key FILE)".into(),
        )),
    }
}

#[cfg(test)]
mod shell_tests {
    use super::shell_word;

    #[test]
    fn words_are_quoted_only_as_much_as_a_shell_needs() {
        assert_eq!(
            shell_word("ghcr.io/acme/app:v1").unwrap(),
            "ghcr.io/acme/app:v1"
        );
        assert_eq!(shell_word(r"^a\.b$").unwrap(), r"'^a\.b$'");
        assert_eq!(shell_word("").unwrap(), "''");
        // A single quote cannot sit inside single quotes: shlex quotes it another way.
        let quoted = shell_word("it's").unwrap();
        assert_ne!(quoted, "it's");
        assert_eq!(shlex::split(&quoted).unwrap(), vec!["it's".to_owned()]);
    }
}
