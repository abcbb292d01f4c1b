//! The public Sigstore instances sigscope knows by name, each with its TUF repository, the
//! `root.json` its chain starts from and a trusted root to fall back on, all embedded (origins in
//! assets/README.md, digests checked below).

use super::trusted_root::{TrustError, TrustedRoot};
use super::tuf::TufRepository;

/// A public Sigstore instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PublicInstance {
    /// Sigstore's public-good instance: the default.
    PublicGood,
    /// GitHub's instance (artifact attestations of private repositories): Fulcio and TSA, no
    /// transparency log.
    Github,
    /// Sigstore's staging instance.
    Staging,
}

const PUBLIC_GOOD_TUF_ROOT: &[u8] = include_bytes!("../../../assets/tuf-root.public-good.json");
const GITHUB_TUF_ROOT: &[u8] = include_bytes!("../../../assets/tuf-root.github.json");
const STAGING_TUF_ROOT: &[u8] = include_bytes!("../../../assets/tuf-root.staging.json");
const PUBLIC_GOOD_TRUSTED_ROOT: &[u8] =
    include_bytes!("../../../assets/trusted_root.public-good.json");
const GITHUB_TRUSTED_ROOT: &[u8] = include_bytes!("../../../assets/trusted_root.github.json");
const STAGING_TRUSTED_ROOT: &[u8] = include_bytes!("../../../assets/trusted_root.staging.json");

impl PublicInstance {
    pub const ALL: [PublicInstance; 3] = [
        PublicInstance::PublicGood,
        PublicInstance::Github,
        PublicInstance::Staging,
    ];

    /// The instance a `--trusted-root` name means.
    pub fn from_name(name: &str) -> Option<PublicInstance> {
        PublicInstance::ALL.into_iter().find(|i| i.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            PublicInstance::PublicGood => "public-good",
            PublicInstance::Github => "github",
            PublicInstance::Staging => "staging",
        }
    }

    /// The TUF mirror (as cosign, sigstore-go and gh use them).
    pub fn mirror(self) -> &'static str {
        match self {
            PublicInstance::PublicGood => "https://tuf-repo-cdn.sigstore.dev",
            PublicInstance::Github => "https://tuf-repo.github.com",
            PublicInstance::Staging => "https://tuf-repo-cdn.sigstage.dev",
        }
    }

    /// The embedded `root.json` the TUF chain starts from.
    pub fn tuf_root(self) -> &'static [u8] {
        match self {
            PublicInstance::PublicGood => PUBLIC_GOOD_TUF_ROOT,
            PublicInstance::Github => GITHUB_TUF_ROOT,
            PublicInstance::Staging => STAGING_TUF_ROOT,
        }
    }

    /// The embedded `trusted_root.json`, used only when the mirror cannot be reached and nothing
    /// usable is cached (or offline).
    pub fn trusted_root_json(self) -> &'static [u8] {
        match self {
            PublicInstance::PublicGood => PUBLIC_GOOD_TRUSTED_ROOT,
            PublicInstance::Github => GITHUB_TRUSTED_ROOT,
            PublicInstance::Staging => STAGING_TRUSTED_ROOT,
        }
    }

    pub fn repository(self) -> TufRepository {
        TufRepository {
            mirror: self.mirror().to_owned(),
            bootstrap_root: self.tuf_root().to_vec(),
            bootstrap_origin: format!("embedded {} TUF root", self.name()),
        }
    }

    pub fn embedded_trusted_root(self) -> Result<TrustedRoot, TrustError> {
        TrustedRoot::from_json(
            &format!("embedded {} trusted root", self.name()),
            self.trusted_root_json(),
        )
    }
}

#[cfg(test)]
mod tests {
    use sha2::Digest as _;

    use super::*;

    /// The digests assets/README.md records for each embedded file.
    #[test]
    fn the_embedded_roots_are_the_recorded_ones() {
        let digest = |b: &[u8]| hex::encode(sha2::Sha256::digest(b));
        let expected = [
            (
                PublicInstance::PublicGood,
                "73747011d0857ada15479a16c4cae0f3ed03aac698b523b97e1de314ac9d9ca8",
                "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66",
            ),
            (
                PublicInstance::Github,
                "eb303461e0109458144b6ebcbfd62aaa6f6d7481e9ca77504b85f17761661462",
                "484cdfe1a7c65479c5ba2a22193d1be90f0020db1997de696ab207434c62fbb7",
            ),
            (
                PublicInstance::Staging,
                "353d172f05f9e73b4a647b1a464f16726d929cbfd030cc42bffb86cd742fb61f",
                "44deb991d4bbf2150751ccee235d9810bce4434383c26d8898c1bcadbace6ed8",
            ),
        ];
        for (instance, tuf_root, trusted_root) in expected {
            assert_eq!(digest(instance.tuf_root()), tuf_root, "{instance:?}");
            assert_eq!(
                digest(instance.trusted_root_json()),
                trusted_root,
                "{instance:?}"
            );
        }
    }

    #[test]
    fn every_embedded_trusted_root_parses() {
        let github = PublicInstance::Github.embedded_trusted_root().unwrap();
        assert!(
            github.tlogs.is_empty(),
            "GitHub's instance has no transparency log"
        );
        assert_eq!(github.certificate_authorities.len(), 6);
        assert_eq!(github.timestamp_authorities.len(), 6);
        let staging = PublicInstance::Staging.embedded_trusted_root().unwrap();
        assert_eq!(staging.tlogs.len(), 5);
        let good = PublicInstance::PublicGood.embedded_trusted_root().unwrap();
        assert_eq!(good.ctlogs.len(), 2);
        assert_eq!(
            PublicInstance::from_name("github"),
            Some(PublicInstance::Github)
        );
        assert_eq!(PublicInstance::from_name("./github"), None);
    }

    /// Each embedded TUF root is signed by its own root role to threshold (sigstore-tuf checks
    /// it, with sigscope's ring provider): a corrupted copy would fail here, not in the field.
    #[test]
    fn every_embedded_tuf_root_is_self_signed() {
        super::super::tuf::install_crypto();
        for instance in PublicInstance::ALL {
            let set = sigstore_tuf::TrustedMetadataSet::from_root(instance.tuf_root())
                .unwrap_or_else(|e| panic!("{instance:?}: {e}"));
            assert!(set.root().consistent_snapshot, "{instance:?}");
        }
    }
}
