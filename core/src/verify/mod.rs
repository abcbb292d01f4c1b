//! The verifier: sigscope's own ordered pipeline of checks, each reported as passed, failed
//! with expected and actual values, or skipped with the reason.

pub mod annotations;
pub mod attestation;
pub mod bundle;
pub mod chain;
pub mod check;
pub mod checkpoint;
pub mod cosign;
pub mod github;
pub mod go_regexp;
pub mod identity;
pub mod key;
pub mod notation;
pub mod policy;
pub mod referrer;
pub mod report;
pub mod sans;
pub mod sct;
pub mod signing;
pub mod storage;
pub mod timestamp;
pub mod tlog;
mod tsa_chain;

#[cfg(test)]
mod adversarial_tests;
#[cfg(test)]
mod tests;
