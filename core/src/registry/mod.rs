//! Talking to where images live: remote registries (distribution API) and OCI image layouts,
//! behind one [`Source`] trait. Every manifest and blob is size-capped before it is read and
//! checked against its digest after; nothing here trusts what it was sent.

pub mod any;
pub mod cache;
pub mod credentials;
pub mod hint;
pub mod layout;
pub mod manifest;
pub mod remote;

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use crate::reference::Digest;
pub use manifest::{Descriptor, Manifest, Platform};

/// Size and count budgets for untrusted content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest manifest accepted (bytes).
    pub max_manifest_bytes: u64,
    /// Largest blob accepted for signature, attestation and SBOM layers (bytes).
    pub max_blob_bytes: u64,
    /// Tags asked for per page (`n`).
    pub tag_page_size: usize,
    /// Most tag-list pages followed.
    pub max_tag_pages: usize,
    /// Most referrers considered per subject.
    pub max_referrers: usize,
    /// How deep referrers of referrers are followed.
    pub max_referrer_depth: usize,
    /// Longest wait for a connection to a registry.
    pub connect_timeout: Duration,
    /// Longest wait for any read from a registry: an answer's head, or the next piece of its
    /// body (a registry that stalls is reported, not waited on forever).
    pub read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_manifest_bytes: 4 << 20,
            max_blob_bytes: 16 << 20,
            tag_page_size: 1000,
            max_tag_pages: 1000,
            max_referrers: 256,
            max_referrer_depth: 3,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
        }
    }
}

/// A manifest as fetched: its verified digest, media type and exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedManifest {
    pub digest: Digest,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// What went wrong reading from a source. Messages never carry credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegistryError {
    #[error("{what}: not found")]
    NotFound { what: String },
    #[error(
        "{what}: authentication required or refused (HTTP {status}){hint}{}",
        crate::registry::hint::suffix("authentication required or refused")
    )]
    Unauthorized {
        what: String,
        status: u16,
        hint: String,
    },
    #[error("{what}: registry answered HTTP {status}{detail}")]
    Http {
        what: String,
        status: u16,
        detail: String,
    },
    #[error("{what}: {reason}{}", crate::registry::hint::suffix(.reason))]
    Transport { what: String, reason: String },
    #[error("{what}: limit reached: {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge { what: String, size: u64, limit: u64 },
    #[error("{what}: content digest {actual} does not match the expected {expected}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{what}: {reason}")]
    Malformed { what: String, reason: String },
    #[error("{what}: limit reached: {reason}")]
    LimitReached { what: String, reason: String },
    #[error("{what}: {reason}")]
    Io { what: String, reason: String },
}

impl RegistryError {
    pub fn malformed(what: impl Into<String>, reason: impl std::fmt::Display) -> RegistryError {
        RegistryError::Malformed {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }
}

/// Where images and their artifacts are read from.
pub trait Source: Send + Sync {
    /// A human name for messages (`ghcr.io/org/app`, `oci:/path`).
    fn name(&self) -> String;

    /// Every tag, following pagination up to the page limit.
    fn list_tags(&self) -> impl Future<Output = Result<Vec<String>, RegistryError>> + Send;

    /// A manifest by tag or digest string; `NotFound` when absent.
    fn fetch_manifest(
        &self,
        reference: &str,
    ) -> impl Future<Output = Result<FetchedManifest, RegistryError>> + Send;

    /// A blob, at most `limit` bytes, checked against the descriptor's digest.
    fn fetch_blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<u8>, RegistryError>> + Send;

    /// The OCI 1.1 referrers API for `subject`: `Ok(None)` when the source has no such API
    /// (then the referrers tag schema is the fallback).
    fn referrers_api(
        &self,
        subject: &Digest,
    ) -> impl Future<Output = Result<Option<Vec<Descriptor>>, RegistryError>> + Send;

    /// Whether [`Source::referrers_api`] answers by scanning for manifests whose `subject`
    /// names the digest (an OCI layout) rather than through a registry's API.
    fn referrers_by_subject_scan(&self) -> bool {
        false
    }

    /// Problems with the source as a whole that spare its images (read from it, not fatal).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }

    fn limits(&self) -> &Limits;
}

/// Refuses a blob whose declared size is over `limit`, before anything is downloaded.
pub fn check_declared_size(
    what: &str,
    descriptor: &Descriptor,
    limit: u64,
) -> Result<(), RegistryError> {
    if descriptor.size > limit {
        return Err(RegistryError::TooLarge {
            what: what.to_owned(),
            size: descriptor.size,
            limit,
        });
    }
    Ok(())
}

/// Checks fetched bytes against an expected digest.
pub fn check_digest(what: &str, expected: &Digest, bytes: &[u8]) -> Result<(), RegistryError> {
    let actual = expected.recompute(bytes);
    if &actual == expected {
        Ok(())
    } else {
        Err(RegistryError::DigestMismatch {
            what: what.to_owned(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        })
    }
}
