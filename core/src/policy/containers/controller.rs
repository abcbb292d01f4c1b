//! The controller whose rules the `policy.json` reader follows: containers/image, as refusals name
//! it, and how strictly it reads fields.

use crate::policy::document::{PolicyError, Strictness};

/// The controller, as refusals name it.
pub(super) const CONTROLLER: &str = "containers/image";
/// containers/image refuses unknown and duplicate keys.
pub(super) const STRICT: Strictness = Strictness::Containers;

/// The refusal `rule` of containers/image's policy reader at `path`.
pub(super) fn refused(path: &str, rule: impl Into<String>) -> PolicyError {
    PolicyError::refused(path, CONTROLLER, rule)
}
