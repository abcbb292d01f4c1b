//! The controller whose rules the configuration reader follows: Connaisseur, as refusals name
//! it, and how strictly it reads fields.

use crate::policy::document::Strictness;

/// Connaisseur refuses unknown keys.
pub(super) const STRICT: Strictness = Strictness::Connaisseur;
/// The controller, as refusals name it.
pub(super) const CONTROLLER: &str = "Connaisseur";
