//! cosign's trust variables, honoured as cosign does: each one, when set, replaces that part of
//! the trust (`SIGSTORE_ROOT_FILE`: the Fulcio roots and intermediates; `SIGSTORE_REKOR_PUBLIC_KEY`:
//! the Rekor keys; `SIGSTORE_CT_LOG_PUBLIC_KEY_FILE`: the CT log keys). Keys and certificates given
//! this way carry no validity window.

use std::path::PathBuf;

use super::trusted_root::{CertificateAuthority, TrustError, TrustedRoot, ValidFor};
use crate::verify::key::PublicKey;

/// The variables' values (paths), read by the caller from the environment.
#[derive(Debug, Clone, Default)]
pub struct CosignTrustVariables {
    pub root_file: Option<PathBuf>,
    pub rekor_public_key: Option<PathBuf>,
    pub ct_log_public_key_file: Option<PathBuf>,
}

impl CosignTrustVariables {
    /// Reads the three variables from the process environment.
    pub fn from_env() -> CosignTrustVariables {
        let get = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        CosignTrustVariables {
            root_file: get("SIGSTORE_ROOT_FILE"),
            rekor_public_key: get("SIGSTORE_REKOR_PUBLIC_KEY"),
            ct_log_public_key_file: get("SIGSTORE_CT_LOG_PUBLIC_KEY_FILE"),
        }
    }

    /// The names of the variables that are set.
    pub fn names(&self) -> Vec<&'static str> {
        [
            ("SIGSTORE_ROOT_FILE", self.root_file.is_some()),
            ("SIGSTORE_REKOR_PUBLIC_KEY", self.rekor_public_key.is_some()),
            (
                "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE",
                self.ct_log_public_key_file.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }

    pub fn any(&self) -> bool {
        self.root_file.is_some()
            || self.rekor_public_key.is_some()
            || self.ct_log_public_key_file.is_some()
    }
}

fn read(variable: &str, path: &PathBuf) -> Result<String, TrustError> {
    std::fs::read_to_string(path).map_err(|e| TrustError::CosignVariable {
        variable: variable.to_owned(),
        reason: format!("{}: {e}", path.display()),
    })
}

/// Every PEM block of `kind` in `text`.
fn pem_blocks(variable: &str, text: &str, kind: &str) -> Result<Vec<Vec<u8>>, TrustError> {
    let blocks = pem::parse_many(text).map_err(|e| TrustError::CosignVariable {
        variable: variable.to_owned(),
        reason: format!("malformed PEM: {e}"),
    })?;
    let found: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.tag() == kind)
        .map(|b| b.into_contents())
        .collect();
    if found.is_empty() {
        return Err(TrustError::CosignVariable {
            variable: variable.to_owned(),
            reason: format!("no {kind} block"),
        });
    }
    Ok(found)
}

fn keys(variable: &str, path: &PathBuf) -> Result<Vec<PublicKey>, TrustError> {
    pem_blocks(variable, &read(variable, path)?, "PUBLIC KEY")?
        .iter()
        .map(|der| {
            PublicKey::from_spki_der(der).map_err(|e| TrustError::CosignVariable {
                variable: variable.to_owned(),
                reason: e.to_string(),
            })
        })
        .collect()
}

/// `base` with the parts the variables name replaced.
pub fn apply_cosign_env(
    mut base: TrustedRoot,
    vars: &CosignTrustVariables,
) -> Result<TrustedRoot, TrustError> {
    if let Some(path) = &vars.root_file {
        const VAR: &str = "SIGSTORE_ROOT_FILE";
        let certs = pem_blocks(VAR, &read(VAR, path)?, "CERTIFICATE")?;
        // The file holds roots and intermediates in any order; the chain builder takes them as
        // one pool, so one authority carries them all. cosign (`fulcioroots.initRoots`) takes
        // every self-issued certificate as a root and the others as intermediates.
        base.certificate_authorities = vec![
            CertificateAuthority::new(
                path.display().to_string(),
                String::new(),
                certs,
                ValidFor::ALWAYS,
            )
            .with_anchors(super::ca_pool::Anchors::SelfIssued),
        ];
    }
    if let Some(path) = &vars.rekor_public_key {
        base.tlogs = keys("SIGSTORE_REKOR_PUBLIC_KEY", path)?
            .into_iter()
            .map(|k| TrustedRoot::log_for_key(&path.display().to_string(), k))
            .collect();
    }
    if let Some(path) = &vars.ct_log_public_key_file {
        base.ctlogs = keys("SIGSTORE_CT_LOG_PUBLIC_KEY_FILE", path)?
            .into_iter()
            .map(|k| TrustedRoot::log_for_key(&path.display().to_string(), k))
            .collect();
    }
    if vars.any() {
        base.source = format!("{} with cosign trust variables", base.source);
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_replace_their_part_of_the_trust() {
        let sigstore = crate::fixture::VirtualSigstore::new("env", 1_700_000_000).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = sigstore.write_cosign_trust(dir.path()).unwrap();
        let vars = CosignTrustVariables {
            root_file: Some(files.roots.clone()),
            rekor_public_key: Some(files.rekor_key.clone()),
            ct_log_public_key_file: Some(files.ct_log_key.clone()),
        };
        let root = apply_cosign_env(TrustedRoot::public_good().unwrap(), &vars).unwrap();
        assert_eq!(root.tlogs.len(), 1);
        assert_eq!(root.tlogs[0].log_id, sigstore.rekor.key().log_id().to_vec());
        assert_eq!(root.ctlogs[0].log_id, sigstore.ct_log.log_id().to_vec());
        assert_eq!(root.certificate_authorities[0].chain_der.len(), 2);
        assert!(
            root.timestamp_authorities.len() == 1,
            "untouched parts stay"
        );

        let bad = CosignTrustVariables {
            rekor_public_key: Some(files.roots.clone()),
            ..CosignTrustVariables::default()
        };
        let err = apply_cosign_env(TrustedRoot::public_good().unwrap(), &bad).unwrap_err();
        assert!(
            err.to_string().contains("SIGSTORE_REKOR_PUBLIC_KEY"),
            "{err}"
        );
    }
}
