//! Pure decoders and encoders for what registries and transparency logs hold. No I/O here.
//! Everything decoded here comes from untrusted input: decoders return typed views, keep
//! unknown fields raw, and fail with a [`DecodeError`] naming the item.

pub mod ber;
pub mod bundle;
pub mod canonical;
pub mod certificate;
pub mod dsse;
pub mod encoding;
pub mod error;
pub mod fulcio;
pub mod in_toto;
pub mod merkle;
pub mod notation;
pub mod predicate;
pub mod rekor;
pub mod simple_signing;
pub mod timestamp;

pub use error::DecodeError;
