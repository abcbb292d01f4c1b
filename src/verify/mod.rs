//! The verifier: sigscope's own ordered pipeline of checks, each reported as passed, failed
//! with expected and actual values, or skipped with the reason.

pub mod attestation;
pub mod chain;
pub mod check;
pub mod cosign;
pub mod identity;
pub mod key;
pub mod policy;
pub mod report;
pub mod sct;
pub mod signing;
pub mod tlog;

#[cfg(test)]
mod tests;
