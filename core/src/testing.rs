//! Helpers for the library's own unit tests.

use std::path::PathBuf;

/// `../shared/fixtures` (the public Sigstore data) when present; says so plainly when absent.
pub fn shared_fixtures() -> Option<PathBuf> {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        println!("SKIP: {} is absent", dir.display());
        None
    }
}
