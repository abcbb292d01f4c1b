//! The two cosigns the verdicts are compared with, each run offline with the trust it takes for
//! the scenario's private Sigstore:
//! - cosign v3 (the reference): `--trusted-root` (its bundle path refuses the `SIGSTORE_*`
//!   variables: "trusted root is required when using new bundle format"), and, for `verify`,
//!   `--experimental-oci11`, so it reads cosign's OCI 1.1 signature referrers as sigscope does by
//!   default;
//! - cosign 2.5: the `SIGSTORE_*` variables (with `--trusted-root` alone it reaches for the public
//!   TUF mirror on legacy signatures), and `--experimental-oci11` for `verify` too.

use std::path::Path;
use std::process::Command;

use super::scenario::{Scenario, TagCase, Verdicts};
use super::tools::{Tools, Verdict, verdict};

/// One of the two cosigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cosign {
    V3,
    V2,
}

impl Cosign {
    pub const BOTH: [Cosign; 2] = [Cosign::V3, Cosign::V2];

    pub fn name(self) -> &'static str {
        match self {
            Cosign::V3 => "cosign v3",
            Cosign::V2 => "cosign 2.5",
        }
    }

    /// `cosign SUB --offline --allow-http-registry [trust] ARGS IMAGE`, with
    /// `--experimental-oci11` for `verify`.
    pub fn command(self, scenario: &Scenario, sub: &str, args: &[&str], image: &str) -> Command {
        let mut args = args.to_vec();
        if sub == "verify" {
            args.insert(0, "--experimental-oci11");
        }
        self.bare_command(scenario, sub, &args, image)
    }

    /// `cosign SUB --offline --allow-http-registry [trust] ARGS IMAGE`, no other flag.
    pub fn bare_command(
        self,
        scenario: &Scenario,
        sub: &str,
        args: &[&str],
        image: &str,
    ) -> Command {
        let tools = Tools::get();
        let mut cmd = match self {
            Cosign::V3 => tools.cosign(),
            Cosign::V2 => tools.cosign2(),
        };
        cmd.arg(sub).args(["--offline", "--allow-http-registry"]);
        match self {
            Cosign::V3 => {
                cmd.arg("--trusted-root").arg(&scenario.trusted_root);
            }
            Cosign::V2 => {
                for (var, path) in scenario.trust.env() {
                    cmd.env(var, path);
                }
            }
        }
        cmd.args(args).arg(image);
        cmd
    }

    /// Runs [`Cosign::command`].
    pub fn verify(self, scenario: &Scenario, sub: &str, args: &[&str], image: &str) -> Verdict {
        verdict(&mut self.command(scenario, sub, args, image))
    }

    /// What this cosign is expected to say of `case`'s `verify`, per signer.
    pub fn expected(self, case: &TagCase) -> Verdicts {
        match self {
            Cosign::V3 => Verdicts {
                ci: case.verifies_ci,
                human: case.verifies_human,
                key: case.verifies_key,
            },
            Cosign::V2 => case.cosign2,
        }
    }
}

/// `cosign SUB` (v3) in `dir`, signing offline as cosign v3 does by default but with a signing
/// config that names no service (no Fulcio, Rekor or TSA) and `trusted_root` instead of TUF.
pub fn cosign3_offline(dir: &Path, sub: &str, trusted_root: &Path) -> Command {
    let config = dir.join("signing_config.json");
    std::fs::write(
        &config,
        r#"{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json"}"#,
    )
    .expect("signing config");
    let mut cmd = Tools::get().cosign();
    cmd.current_dir(dir)
        .arg(sub)
        .arg("--signing-config")
        .arg(config)
        .arg("--trusted-root")
        .arg(trusted_root);
    cmd
}
