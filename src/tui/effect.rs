//! What the update asks the runtime to do. Effects are plain data; the runtime performs them.

use crate::inventory::model::ImageReport;

use super::action::RequestId;

/// Who must have signed, as the user picked it (cosign's keyless flags).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct VerifySpec {
    /// `--certificate-identity` or, when `identity_is_regexp`, `--certificate-identity-regexp`.
    pub identity: String,
    pub identity_is_regexp: bool,
    /// `--certificate-oidc-issuer`.
    pub issuer: String,
}

impl VerifySpec {
    pub fn describe(&self) -> String {
        if self.identity_is_regexp {
            format!("/{}/ from {}", self.identity, self.issuer)
        } else {
            format!("{} from {}", self.identity, self.issuer)
        }
    }
}

#[derive(Debug, Clone)]
pub enum Effect {
    /// List the tags, then inspect them concurrently; each result comes back as an action.
    /// Any discovery still running is cancelled.
    Discover { request: RequestId },
    /// Verify the cosign signatures of `image` (tag `tag`) against `spec`.
    Verify {
        request: RequestId,
        tag: String,
        image: Box<ImageReport>,
        spec: VerifySpec,
    },
}
