//! The TUI's persistent settings: `$XDG_CONFIG_HOME/sigscope/config.toml` (else
//! `~/.config/sigscope/config.toml`), all optional; the command line wins over them.
//!
//! ```toml
//! theme = "dark"                      # dark, light or mono
//!
//! [trust]                             # as --trusted-root / --tuf-mirror --tuf-root / --offline
//! trusted-root = "staging"            # a trusted_root.json file, or public-good, github, staging
//! # tuf-mirror = "https://tuf.example.com"
//! # tuf-root = "~/tuf/root.json"
//! # offline = true
//!
//! [verify]                            # the verify dialog's default signer
//! certificate-identity-regexp = '^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/'
//! certificate-oidc-issuer = "https://token.actions.githubusercontent.com"
//! # certificate-identity = "alice@acme.example"
//! # key = "~/keys/cosign.pub"
//! ```
//!
//! Parsing is pure; the CLI reads the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::effect::{Evidence, SignerSpec, VerifySpec};
use super::key_file::expand_home;
use super::view::Palette;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    #[serde(default)]
    pub theme: Palette,
    #[serde(default)]
    pub trust: TrustSettings,
    #[serde(default)]
    pub verify: VerifySettings,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrustSettings {
    pub trusted_root: Option<String>,
    pub tuf_mirror: Option<String>,
    pub tuf_root: Option<String>,
    pub offline: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VerifySettings {
    pub certificate_identity: Option<String>,
    pub certificate_identity_regexp: Option<String>,
    pub certificate_oidc_issuer: Option<String>,
    pub key: Option<String>,
}

/// Where the settings live: `$XDG_CONFIG_HOME/sigscope/config.toml`, else under `~/.config`
/// (relative `XDG_CONFIG_HOME` values are ignored, as the XDG base directory spec says).
pub fn path(xdg_config_home: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let base = match xdg_config_home.filter(|p| p.is_absolute()) {
        Some(xdg) => xdg.to_path_buf(),
        None => home.filter(|p| p.is_absolute())?.join(".config"),
    };
    Some(base.join("sigscope").join("config.toml"))
}

impl Settings {
    /// Parses the file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Settings, String> {
        toml::from_str(text).map_err(|e| format!("{}: {e}", file.display()))
    }

    /// The default signer, if the settings name one (`~` in a key path is the home folder).
    pub fn default_policy(&self, home: Option<&Path>) -> Result<Option<VerifySpec>, String> {
        let v = &self.verify;
        let signer = match (
            &v.certificate_identity,
            &v.certificate_identity_regexp,
            &v.certificate_oidc_issuer,
            &v.key,
        ) {
            (None, None, None, None) => return Ok(None),
            (None, None, None, Some(key)) => SignerSpec::KeyFile(expand_home(key, home)),
            (Some(identity), None, Some(issuer), None) => SignerSpec::Identity {
                identity: identity.clone(),
                identity_is_regexp: false,
                issuer: issuer.clone(),
            },
            (None, Some(pattern), Some(issuer), None) => {
                crate::verify::identity::Matcher::regex(pattern)
                    .map_err(|e| format!("[verify] certificate-identity-regexp: {e}"))?;
                SignerSpec::Identity {
                    identity: pattern.clone(),
                    identity_is_regexp: true,
                    issuer: issuer.clone(),
                }
            }
            _ => {
                return Err(
                    "[verify]: give certificate-identity or certificate-identity-regexp \
                            with certificate-oidc-issuer, or key alone"
                        .into(),
                );
            }
        };
        Ok(Some(VerifySpec {
            signer,
            evidence: Evidence::Signatures,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses_and_names_the_default_signer() {
        let text = r#"
theme = "light"
[trust]
trusted-root = "staging"
offline = true
[verify]
certificate-identity-regexp = '^https://github\.com/acme/app/'
certificate-oidc-issuer = "https://token.actions.githubusercontent.com"
"#;
        let s = Settings::parse(text, Path::new("c.toml")).unwrap();
        assert_eq!(s.theme, Palette::Light);
        assert_eq!(s.trust.trusted_root.as_deref(), Some("staging"));
        assert_eq!(s.trust.offline, Some(true));
        let spec = s.default_policy(None).unwrap().unwrap();
        assert!(matches!(
            spec.signer,
            SignerSpec::Identity {
                identity_is_regexp: true,
                ..
            }
        ));
        let key = Settings::parse("[verify]\nkey = \"~/k.pub\"", Path::new("c.toml")).unwrap();
        assert_eq!(
            key.default_policy(Some(Path::new("/home/ann")))
                .unwrap()
                .unwrap()
                .signer,
            SignerSpec::KeyFile(PathBuf::from("/home/ann/k.pub"))
        );
    }

    #[test]
    fn mistakes_are_named() {
        let typo = Settings::parse("them = \"dark\"", Path::new("/x/config.toml")).unwrap_err();
        assert!(typo.starts_with("/x/config.toml: "), "{typo}");
        assert!(typo.contains("them"), "{typo}");
        let half = Settings::parse(
            "[verify]\ncertificate-identity = \"a@b\"",
            Path::new("c.toml"),
        )
        .unwrap();
        assert!(half.default_policy(None).is_err());
        assert_eq!(
            path(Some(Path::new("/xdg")), Some(Path::new("/home/ann"))),
            Some(PathBuf::from("/xdg/sigscope/config.toml"))
        );
        assert_eq!(
            path(Some(Path::new("rel")), Some(Path::new("/home/ann"))),
            Some(PathBuf::from("/home/ann/.config/sigscope/config.toml"))
        );
    }
}
