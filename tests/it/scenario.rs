//! The scenario repository, checked with real cosign.
