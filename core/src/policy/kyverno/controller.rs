//! The controller whose validation the Kyverno reader follows: Kyverno, as refusals name it, and
//! how strictly it reads fields (as the Kubernetes API server does).

use crate::policy::document::{PolicyError, Strictness};

/// The controller, as refusals name it.
pub(super) const CONTROLLER: &str = "Kyverno";
/// Unknown fields are refused, as the API server's strict decoding refuses them.
pub(super) const STRICT: Strictness = Strictness::Kubernetes(CONTROLLER);

/// The refusal `rule` of Kyverno's validation at `path`.
pub(super) fn refused(path: &str, rule: impl Into<String>) -> PolicyError {
    PolicyError::refused(path, CONTROLLER, rule)
}
