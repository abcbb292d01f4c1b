//! The verifier: sigscope's own ordered pipeline of checks, each reported as passed, failed
//! with expected and actual values, or skipped with the reason.

pub mod chain;
pub mod check;
pub mod identity;
pub mod key;
pub mod sct;
pub mod tlog;
