//! Integration tests against the real components: a `docker-registry` process on loopback,
//! content written by real cosign and oras, verdicts from real cosign and sigstore-go.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod cache;
mod catalog;
mod cli;
mod compare;
mod conformance;
mod consumers;
mod credentials;
mod differential;
mod differential_adversarial;
mod differential_faults;
mod fixture_cosign;
mod fixture_shape;
mod fixture_sigstore_go;
mod github;
mod hostile;
mod inspect;
mod inspect_document;
mod inspect_faults;
mod inspect_lines;
mod inspect_sources;
mod layouts;
mod limits;
mod notation;
mod notation_verify;
mod policy;
mod policy_attestations;
mod policy_connaisseur;
mod policy_peers;
mod registry_bed;
mod rekor_entries;
mod scenario;
mod tls;
mod traffic;
mod transport_faults;
mod trust;
mod tui;
mod tui_hostile;
mod verify_requests;
