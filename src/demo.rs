//! The demo repository embedded in the binary: a small release history of `ghcr.io/acme/app`
//! signed by a private Sigstore (see `examples/make_demo.rs` and `assets/README.md`), and the
//! trusted root that verifies it. `sigscope` with no target opens it.

mod files;

use std::path::{Path, PathBuf};

/// The repository the demo's signatures name.
pub const REPOSITORY: &str = "ghcr.io/acme/app";
/// The release workflow every CI build is signed by (a cosign-style identity regexp).
pub const CI_IDENTITY_REGEXP: &str =
    r"^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*$";
/// GitHub Actions' OIDC issuer.
pub const CI_ISSUER: &str = crate::verify::github::GITHUB_ACTIONS_ISSUER;

const TRUSTED_ROOT: &str = "trusted_root.json";

/// The demo's `trusted_root.json`.
pub fn trusted_root_json() -> &'static [u8] {
    files::FILES
        .iter()
        .find(|(name, _)| *name == TRUSTED_ROOT)
        .map(|(_, bytes)| *bytes)
        .unwrap_or_default()
}

/// The demo written out as an OCI image layout; removed when dropped.
#[derive(Debug)]
pub struct DemoLayout {
    path: PathBuf,
}

impl DemoLayout {
    /// Writes the embedded layout into a new folder under `parent`.
    pub fn write(parent: &Path) -> std::io::Result<DemoLayout> {
        let path = parent.join(format!("sigscope-demo-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        let layout = DemoLayout { path };
        for (name, bytes) in files::FILES {
            let target = layout.path.join(name);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(target, bytes)?;
        }
        Ok(layout)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DemoLayout {
    fn drop(&mut self) {
        // Best effort: a temporary folder left behind is harmless.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::TrustedRoot;

    #[test]
    fn the_embedded_layout_is_written_and_removed_and_its_root_parses() {
        let parent = tempfile::tempdir().unwrap();
        let path = {
            let layout = DemoLayout::write(parent.path()).unwrap();
            assert!(layout.path().join("oci-layout").is_file());
            assert!(layout.path().join("index.json").is_file());
            layout.path().to_path_buf()
        };
        assert!(!path.exists());
        TrustedRoot::from_json("demo", trusted_root_json()).unwrap();
    }
}
