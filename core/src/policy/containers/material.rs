//! Key and certificate material of a `sigstoreSigned` requirement, decoded as Go's JSON decoder
//! decodes `[]byte` (base64) and `[]string` fields, and loaded at evaluation as
//! `prepareTrustRoot` loads it (an unreadable file or key fails the requirement, not the policy).

use base64::Engine as _;
use serde_json::{Map, Value};

use super::refused;
use crate::policy::document::{PolicyError, string};

/// A JSON `[]byte` (base64) field.
pub(super) fn bytes(
    r: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<Vec<u8>>, PolicyError> {
    match r.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Some)
            .map_err(|e| refused(&format!("{at}.{key}"), format!("illegal base64 data: {e}"))),
        Some(other) => Err(refused(
            &format!("{at}.{key}"),
            format!("cannot unmarshal {other} into []byte"),
        )),
    }
}

/// A JSON `[][]byte` or `[]string` field; `decode` for the base64 ones.
pub(super) fn many(
    r: &Map<String, Value>,
    key: &str,
    at: &str,
    decode: bool,
) -> Result<Option<Vec<Vec<u8>>>, PolicyError> {
    // A present list must hold entries: Go decodes `null` into a nil slice, which the
    // option then refuses as empty.
    let Some(v) = r.get(key) else {
        return Ok(None);
    };
    let empty = [];
    let items = if v.is_null() {
        Some(&empty[..])
    } else {
        v.as_array().map(Vec::as_slice)
    };
    let items = items.ok_or_else(|| {
        refused(
            &format!("{at}.{key}"),
            format!("cannot unmarshal {v} into a list"),
        )
    })?;
    if items.is_empty() {
        return Err(refused(
            &format!("{at}.{key}"),
            format!("{key:?} contains no entries"),
        ));
    }
    items
        .iter()
        .map(|i| match i.as_str() {
            Some(s) if decode => base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|e| refused(&format!("{at}.{key}"), format!("illegal base64 data: {e}"))),
            Some(s) => Ok(s.as_bytes().to_vec()),
            None => Err(refused(
                &format!("{at}.{key}"),
                format!("cannot unmarshal {i} into a string"),
            )),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A path field: `""` counts as absent.
pub(super) fn path(
    r: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<String>, PolicyError> {
    Ok(string(r, key, at)?.filter(|s| !s.is_empty()))
}

/// PEM texts from a path, paths, data or datas field (read at evaluation: a missing file fails
/// the requirement there, not the policy).
pub(super) enum Source {
    Files(Vec<String>),
    Data(Vec<Vec<u8>>),
}

pub(super) fn source(
    r: &Map<String, Value>,
    at: &str,
    name: &str,
) -> Result<(usize, Option<Source>), PolicyError> {
    let single_path = path(r, &format!("{name}Path"), at)?;
    let paths = many(r, &format!("{name}Paths"), at, false)?;
    let data = bytes(r, &format!("{name}Data"), at)?;
    let datas = many(r, &format!("{name}Datas"), at, true)?;
    let count = usize::from(single_path.is_some())
        + usize::from(paths.is_some())
        + usize::from(data.is_some())
        + usize::from(datas.is_some());
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    let source = if let Some(p) = single_path {
        Some(Source::Files(vec![p]))
    } else if let Some(ps) = paths {
        Some(Source::Files(ps.into_iter().map(text).collect()))
    } else if let Some(d) = data {
        Some(Source::Data(vec![d]))
    } else {
        datas.map(Source::Data)
    };
    Ok((count, source))
}

/// The PEM texts of a source; `Err` when a file cannot be read (the requirement then fails).
pub(super) fn load(source: &Source) -> Result<Vec<String>, String> {
    match source {
        Source::Files(paths) => paths
            .iter()
            .map(|p| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}")))
            .collect(),
        Source::Data(datas) => Ok(datas
            .iter()
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .collect()),
    }
}

/// `cryptoutils.UnmarshalPEMToPublicKey`: the first PEM block must be a public key.
pub(super) fn first_key(text: &str) -> Option<crate::verify::key::PublicKey> {
    let block = pem::parse_many(text).ok()?.into_iter().next()?;
    (block.tag() == "PUBLIC KEY").then_some(())?;
    crate::verify::key::PublicKey::from_spki_der(block.contents()).ok()
}

/// Rekor keys: each text's first public key, which must be ECDSA.
pub(super) fn rekor_keys(texts: &[String]) -> Result<Vec<crate::verify::key::PublicKey>, String> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let key = first_key(t).ok_or_else(|| format!("parsing Rekor public key {}", i + 1))?;
            use crate::verify::key::KeyKind;
            if !matches!(
                key.kind(),
                KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521
            ) {
                return Err(format!("Rekor public key {} is not using ECDSA", i + 1));
            }
            Ok(key)
        })
        .collect()
}
