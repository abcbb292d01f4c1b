//! Pure decoders and encoders for what registries and transparency logs hold. No I/O here.

pub mod canonical;
pub mod dsse;
pub mod fulcio;
pub mod in_toto;
pub mod merkle;
pub mod simple_signing;
