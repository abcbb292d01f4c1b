//! The key file of a verification, checked before anything runs: `~` expanded as a shell
//! would, read, and parsed as a PEM public key, so a bad path is reported in the verify dialog
//! (in full) instead of as every tag "could not check".

use std::path::{Path, PathBuf};

use crate::key::PublicKey;

/// `~` or `~/…` at the start of `path` made `home` (as a shell would); anything else as typed.
pub fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home.to_path_buf(),
        (Some(rest), Some(home)) if rest.starts_with('/') => home.join(&rest[1..]),
        _ => PathBuf::from(path),
    }
}

/// Reads the key file `path` (`~` expanded) and checks that it holds a public key: its path as
/// verifications will read it, or what is wrong, in full.
pub fn check_key(path: &str, home: Option<&Path>) -> Result<PathBuf, String> {
    let expanded = expand_home(path.trim(), home);
    let text = std::fs::read_to_string(&expanded)
        .map_err(|e| format!("reading the key {}: {e}", expanded.display()))?;
    PublicKey::from_pem(&text).map_err(|e| format!("the key {}: {e}", expanded.display()))?;
    Ok(expanded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilde_is_the_home_folder_and_a_bad_key_says_why() {
        let home = Path::new("/home/ann");
        assert_eq!(expand_home("~/k.pub", Some(home)), home.join("k.pub"));
        assert_eq!(expand_home("~", Some(home)), home);
        assert_eq!(
            expand_home("~bob/k.pub", Some(home)),
            PathBuf::from("~bob/k.pub")
        );
        assert_eq!(expand_home("~/k.pub", None), PathBuf::from("~/k.pub"));
        let dir = tempfile::tempdir().unwrap();
        let missing = check_key("~/nope.pub", Some(dir.path())).unwrap_err();
        assert!(
            missing.starts_with(&format!(
                "reading the key {}: ",
                dir.path().join("nope.pub").display()
            )),
            "{missing}"
        );
        std::fs::write(dir.path().join("junk.pub"), "not a key").unwrap();
        let junk = check_key("~/junk.pub", Some(dir.path())).unwrap_err();
        assert!(junk.starts_with("the key "), "{junk}");
    }
}
