//! The binary's basic contract: version and help.

fn sigscope(args: &[&str]) -> (bool, String) {
    let out = crate::support::sigscope().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn version_names_the_package_version() {
    let (ok, out) = sigscope(&["--version"]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        format!("sigscope {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_describes_the_tool_and_its_target_argument() {
    let (ok, out) = sigscope(&["--help"]);
    assert!(ok);
    assert!(out.contains("supply-chain inspector"), "{out}");
    assert!(out.contains("[TARGET]"), "{out}");
}
