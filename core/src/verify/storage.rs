//! Which stored signatures a verification counts, as each consumer chooses them.
//!
//! cosign v3 (`pkg/cosign/verify.go`, `GetBundles` and `verify/verify.go:150-165`): when any
//! sigstore bundle (v0.3+, one layer of a `application/vnd.dev.sigstore.bundle…` type) is attached
//! as an OCI referrer, only the bundles are verified and the legacy `.sig`/`.att` tags are not read;
//! with none, the legacy tags are read (and, with `--experimental-oci11`, cosign's OCI 1.1
//! signature referrers first). sigscope reads every storage form and checks every signature it
//! finds; this module decides which of them count toward the verdict, so the verdict is the one
//! the chosen consumer reaches, and says why the others do not count.

use super::report::SignatureVerdict;

/// How sigstore bundle referrers take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundles {
    /// cosign v3's rule: bundles when any is attached, else the legacy forms.
    First,
    /// Only bundles (policy-controller's `signatureFormat: bundle`, Kyverno's bundle types).
    Only,
    /// Never (`--new-bundle-format=false`, cosign 2.x, policy.json).
    Never,
}

/// Which stored signatures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Storage {
    pub bundles: Bundles,
    /// cosign's OCI 1.1 signature referrers (`--registry-referrers-mode=oci-1-1`, artifact type
    /// `application/vnd.dev.cosign.artifact.sig.v1+json`) count with the legacy `.sig` tags
    /// (cosign with `--experimental-oci11`).
    pub oci11_signatures: bool,
    /// Who reads this way, for the reasons given when a signature does not count.
    pub reader: &'static str,
}

impl Storage {
    /// sigscope's default: cosign v3's choice, reading cosign's OCI 1.1 signature referrers too
    /// (cosign v3 does so with `--experimental-oci11`).
    pub const COSIGN_V3: Storage = Storage {
        bundles: Bundles::First,
        oci11_signatures: true,
        reader: "cosign v3",
    };
    /// The legacy tags only, as cosign 2.x without flags, policy-controller's default and
    /// containers/image read them.
    pub const LEGACY_TAGS: Storage = Storage {
        bundles: Bundles::Never,
        oci11_signatures: false,
        reader: "a reader of the legacy tags",
    };
    /// Sigstore bundle referrers only.
    pub const BUNDLES_ONLY: Storage = Storage {
        bundles: Bundles::Only,
        oci11_signatures: false,
        reader: "a reader of sigstore bundles",
    };

    /// The same choice, named for who makes it.
    pub const fn read_by(self, reader: &'static str) -> Storage {
        Storage { reader, ..self }
    }

    /// Marks the signatures that do not count under this choice (each keeps its checks, so the
    /// report still shows what it would have said), given the bundle verdicts and the legacy
    /// ones (`.sig`/`.att` tags and OCI 1.1 signature referrers), and returns them all.
    pub fn select(
        self,
        mut bundles: Vec<Candidate>,
        mut legacy: Vec<Candidate>,
    ) -> Vec<SignatureVerdict> {
        let reader = self.reader;
        for c in &mut legacy {
            if c.oci11_referrer && !self.oci11_signatures {
                c.set_not_counted(&format!(
                    "{reader} does not read cosign's OCI 1.1 signature referrers (cosign does with --experimental-oci11)"
                ));
            }
        }
        // Bundles cosign v3 lists (a failed read may hide one, so it is not ruled out).
        let present = bundles
            .iter()
            .filter(|c| c.cosign_reads_bundle || c.verdict.unreadable)
            .count();
        for c in &mut bundles {
            if !c.cosign_reads_bundle && !c.verdict.unreadable {
                let why = c
                    .skipped_because
                    .take()
                    .unwrap_or_else(|| "cosign v3 does not read it as a bundle".into());
                c.set_not_counted(&why);
            }
        }
        match self.bundles {
            Bundles::Never => {
                for c in &mut bundles {
                    c.set_not_counted(&format!("{reader} does not read sigstore bundles"));
                }
            }
            Bundles::Only => {
                for c in &mut legacy {
                    c.set_not_counted(&format!("{reader} reads only sigstore bundles"));
                }
            }
            Bundles::First if present > 0 => {
                let why = format!(
                    "{reader} reads the legacy signatures only when no sigstore bundle is \
                     attached, and {present} is: this one counts with --new-bundle-format=false"
                );
                for c in &mut legacy {
                    c.set_not_counted(&why);
                }
            }
            Bundles::First => {}
        }
        bundles
            .into_iter()
            .chain(legacy)
            .map(|c| c.verdict)
            .collect()
    }
}

impl Default for Storage {
    fn default() -> Self {
        Storage::COSIGN_V3
    }
}

/// One checked signature and what decides whether it counts.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub verdict: SignatureVerdict,
    /// A cosign OCI 1.1 signature referrer (not a `.sig` tag).
    pub oci11_referrer: bool,
    /// A bundle that cosign v3's `GetBundles` lists (one bundle layer, parsed, v0.3 or later).
    pub cosign_reads_bundle: bool,
    /// Why cosign v3 passes over this bundle, when it does.
    pub skipped_because: Option<String>,
}

impl Candidate {
    /// A legacy signature (`.sig`/`.att` tag, or an OCI 1.1 signature referrer).
    pub fn legacy(verdict: SignatureVerdict, oci11_referrer: bool) -> Candidate {
        Candidate {
            verdict,
            oci11_referrer,
            cosign_reads_bundle: false,
            skipped_because: None,
        }
    }

    /// A bundle referrer; `skipped_because` is `Some` when cosign v3 would pass over it.
    pub fn bundle(verdict: SignatureVerdict, skipped_because: Option<String>) -> Candidate {
        Candidate {
            verdict,
            oci11_referrer: false,
            cosign_reads_bundle: skipped_because.is_none(),
            skipped_because,
        }
    }

    fn set_not_counted(&mut self, why: &str) {
        if self.verdict.not_counted.is_none() {
            self.verdict.not_counted = Some(why.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::check::Checks;

    fn passing(place: &str) -> SignatureVerdict {
        let mut checks = Checks::default();
        checks.pass("signature", "ok");
        SignatureVerdict::new(place.into(), None, checks)
    }

    fn counted(verdicts: &[SignatureVerdict]) -> Vec<&str> {
        verdicts
            .iter()
            .filter(|v| v.not_counted.is_none())
            .map(|v| v.found_via.as_str())
            .collect()
    }

    #[test]
    fn cosign_v3_reads_legacy_signatures_only_without_bundles() {
        let legacy = || {
            vec![
                Candidate::legacy(passing("sig"), false),
                Candidate::legacy(passing("oci11"), true),
            ]
        };
        let bundle = || vec![Candidate::bundle(passing("bundle"), None)];
        let none = Storage::COSIGN_V3.select(Vec::new(), legacy());
        assert_eq!(counted(&none), ["sig", "oci11"]);
        let with = Storage::COSIGN_V3.select(bundle(), legacy());
        assert_eq!(counted(&with), ["bundle"]);
        assert!(
            with[1]
                .not_counted
                .as_deref()
                .is_some_and(|w| w.contains("--new-bundle-format=false")),
            "{with:?}"
        );
    }

    #[test]
    fn a_bundle_cosign_passes_over_does_not_hide_the_legacy_signatures() {
        let skipped = Candidate::bundle(passing("old"), Some("a v0.1 bundle".into()));
        let out = Storage::COSIGN_V3.select(
            vec![skipped],
            vec![Candidate::legacy(passing("sig"), false)],
        );
        assert_eq!(counted(&out), ["sig"]);
        assert_eq!(out[0].not_counted.as_deref(), Some("a v0.1 bundle"));
    }

    #[test]
    fn an_unreadable_bundle_referrer_may_be_a_bundle() {
        let unread = SignatureVerdict::unreadable("b".into(), "bundle", "HTTP 503".into());
        let out = Storage::COSIGN_V3.select(
            vec![Candidate::bundle(unread, Some("unreadable".into()))],
            vec![Candidate::legacy(passing("sig"), false)],
        );
        assert_eq!(counted(&out), ["b"]);
    }

    #[test]
    fn legacy_and_bundle_only_choices() {
        let out = Storage::LEGACY_TAGS.select(
            vec![Candidate::bundle(passing("bundle"), None)],
            vec![
                Candidate::legacy(passing("sig"), false),
                Candidate::legacy(passing("oci11"), true),
            ],
        );
        assert_eq!(counted(&out), ["sig"]);
        let out = Storage::BUNDLES_ONLY.select(
            vec![Candidate::bundle(passing("bundle"), None)],
            vec![Candidate::legacy(passing("sig"), false)],
        );
        assert_eq!(counted(&out), ["bundle"]);
    }
}
