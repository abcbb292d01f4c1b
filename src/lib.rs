//! sigscope: a terminal supply-chain inspector for container images.
//!
//! This crate is the front end: the TUI ([`tui`]) and the embedded demo repository ([`demo`]);
//! the command line lives in the binary (`src/main.rs`, `src/cli`). Everything it shows comes
//! from [`sigscope_core`], which knows nothing of the terminal; its modules are re-exported here
//! so that the front end reads `crate::verify`, `crate::inventory`, … as one tree.

pub use sigscope_core::{
    artifact, compare, engine, inventory, natural, policy, reference, registry, target, trust,
    untrusted, verify,
};

pub mod demo;
pub mod tui;
