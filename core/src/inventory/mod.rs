//! What a target holds: discovery over a [`crate::registry::Source`], and the model it fills.

pub mod consumers;
pub mod discover;
pub mod layer;
pub mod model;
