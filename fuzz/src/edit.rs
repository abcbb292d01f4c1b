//! The edits of the structured mutator, each on one node of a bundle's JSON.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::case::Case;
use crate::mutate::{Input, Step, get, get_mut, paths, pointer};

/// What to do to the picked node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Take it out of its object or array.
    Remove,
    /// Repeat it in its array (entries, timestamps, proof hashes, DSSE signatures).
    Duplicate,
    /// Flip one bit of its bytes (base64 decoded when it is base64).
    FlipBit,
    /// Cut its bytes short.
    Truncate,
    /// Shift a number (or a number in a string: log indexes, times, tree sizes).
    Shift,
    /// Replace it with the node of the same name from a bundle of any case.
    Transplant,
    /// Swap it with its next sibling in an array.
    Swap,
    /// Replace it with an empty or null value.
    Blank,
    /// Set the bundle's media type to another version's.
    MediaType,
    /// Switch the signing certificate between `certificate` and `x509CertificateChain`, with
    /// or without the trusted root's CA certificates after it.
    CertificateForm,
    /// Edit a line of a checkpoint (a note: origin, size, root hash, signatures).
    CheckpointLine,
    /// Rename an object's field (case, or an unknown name).
    Rename,
}

const EDITS: [Edit; 12] = [
    Edit::Remove,
    Edit::Duplicate,
    Edit::FlipBit,
    Edit::Truncate,
    Edit::Shift,
    Edit::Transplant,
    Edit::Swap,
    Edit::Blank,
    Edit::MediaType,
    Edit::CertificateForm,
    Edit::CheckpointLine,
    Edit::Rename,
];

const MEDIA_TYPES: [&str; 6] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle.v0.4+json",
    "application/vnd.dev.sigstore.bundle.v0.3.1+json",
];

impl Edit {
    pub fn read(input: &mut Input) -> Option<Edit> {
        Some(EDITS[usize::from(input.byte()?) % EDITS.len()])
    }
}

/// Applies `edit` at `path`; the description of what changed, or `None` when the edit does
/// not apply to that node.
pub fn apply(
    edit: Edit,
    bundle: &mut Value,
    path: &[Step],
    cases: &[Case],
    start: &Case,
    input: &mut Input,
) -> Option<String> {
    let at = pointer(path);
    let param = input.byte().unwrap_or(0);
    match edit {
        Edit::Remove => {
            let (parent, last) = path.split_last().map(|(l, p)| (p, l))?;
            let removed = match (get_mut(bundle, parent)?, last) {
                (Value::Object(map), Step::Key(k)) => map.remove(k),
                (Value::Array(items), Step::Index(i)) if *i < items.len() => Some(items.remove(*i)),
                _ => None,
            };
            removed?;
            Some(format!("remove {at}"))
        }
        Edit::Duplicate | Edit::Swap => {
            let (Step::Index(i), parent) = path.split_last()? else {
                return None;
            };
            let Value::Array(items) = get_mut(bundle, parent)? else {
                return None;
            };
            if edit == Edit::Duplicate {
                let copy = items.get(*i)?.clone();
                items.insert(*i + 1, copy);
                Some(format!("duplicate {at}"))
            } else {
                let j = (*i + 1 + usize::from(param)) % items.len();
                items.swap(*i, j);
                Some(format!("swap {at} with index {j}"))
            }
        }
        Edit::FlipBit | Edit::Truncate => {
            let Value::String(text) = get_mut(bundle, path)? else {
                return None;
            };
            let decoded = STANDARD
                .decode(text.as_bytes())
                .ok()
                .filter(|_| text.len() >= 4);
            let mut bytes = decoded.clone().unwrap_or_else(|| text.clone().into_bytes());
            if bytes.is_empty() {
                return None;
            }
            let index =
                (usize::from(param) << 8 | usize::from(input.byte().unwrap_or(0))) % bytes.len();
            if edit == Edit::FlipBit {
                bytes[index] ^= 1 << (param % 8);
            } else {
                bytes.truncate(index);
            }
            *text = match decoded {
                Some(_) => STANDARD.encode(&bytes),
                None => String::from_utf8_lossy(&bytes).into_owned(),
            };
            let what = if edit == Edit::FlipBit {
                "flip a bit of"
            } else {
                "truncate"
            };
            Some(format!("{what} {at} at byte {index}"))
        }
        Edit::Shift => shift(get_mut(bundle, path)?, param).map(|to| format!("set {at} to {to}")),
        Edit::Transplant => {
            let donor = cases.get(usize::from(param) % cases.len())?;
            let last = path.last()?;
            let same_name: Vec<Vec<Step>> = paths(&donor.bundle)
                .into_iter()
                .filter(|p| p.last() == Some(last))
                .collect();
            let pick = usize::from(input.u16().unwrap_or(0)) % same_name.len().max(1);
            let from = same_name.get(pick)?;
            let value = get(&donor.bundle, from)?.clone();
            *get_mut(bundle, path)? = value;
            Some(format!(
                "transplant {at} from {}{}",
                donor.name,
                pointer(from)
            ))
        }
        Edit::Blank => {
            let blank = [json!(null), json!(""), json!({}), json!([]), json!(0)];
            let value = blank[usize::from(param) % blank.len()].clone();
            let shown = value.to_string();
            *get_mut(bundle, path)? = value;
            Some(format!("set {at} to {shown}"))
        }
        Edit::MediaType => {
            let media_type = MEDIA_TYPES[usize::from(param) % MEDIA_TYPES.len()];
            bundle
                .as_object_mut()?
                .insert("mediaType".into(), json!(media_type));
            Some(format!("set /mediaType to {media_type}"))
        }
        Edit::CertificateForm => certificate_form(bundle, start, param),
        Edit::CheckpointLine => {
            let Value::String(note) = get_mut(bundle, path)? else {
                return None;
            };
            let mut lines: Vec<String> = note.split('\n').map(str::to_owned).collect();
            let i = usize::from(input.byte().unwrap_or(0)) % lines.len();
            match param % 3 {
                0 => {
                    lines.remove(i);
                }
                1 => {
                    let line = lines[i].clone();
                    lines.insert(i, line);
                }
                _ => {
                    let next = (i + 1) % lines.len();
                    lines.swap(i, next);
                }
            }
            *note = lines.join("\n");
            let verb = ["remove", "repeat", "swap"][usize::from(param % 3)];
            Some(format!("{verb} line {i} of {at}"))
        }
        Edit::Rename => {
            let (Step::Key(key), parent) = path.split_last()? else {
                return None;
            };
            let Value::Object(map) = get_mut(bundle, parent)? else {
                return None;
            };
            let renamed = match param % 3 {
                0 => key.to_uppercase(),
                1 => key.to_lowercase(),
                _ => format!("{key}X"),
            };
            if renamed == *key || map.contains_key(&renamed) {
                return None;
            }
            let value = map.remove(key)?;
            map.insert(renamed.clone(), value);
            Some(format!("rename {at} to {renamed}"))
        }
    }
}

/// Shifts a number, or a decimal in a string (protobuf-JSON's int64), by a chosen amount.
fn shift(node: &mut Value, param: u8) -> Option<String> {
    let (value, quoted) = match node {
        Value::Number(n) => (n.as_i64()?, false),
        Value::String(s) => (s.parse::<i64>().ok()?, true),
        _ => return None,
    };
    let to = match param % 8 {
        0 => value.wrapping_add(1),
        1 => value.wrapping_sub(1),
        2 => 0,
        3 => -1,
        4 => value.wrapping_mul(2),
        5 => value.wrapping_add(86_400),
        6 => value.wrapping_sub(86_400),
        _ => i64::MAX,
    };
    *node = if quoted {
        json!(to.to_string())
    } else {
        json!(to)
    };
    Some(to.to_string())
}

/// `certificate` ⇄ `x509CertificateChain`; with `param` odd, the trusted root's first CA
/// chain follows the leaf.
fn certificate_form(bundle: &mut Value, start: &Case, param: u8) -> Option<String> {
    let material = bundle.get_mut("verificationMaterial")?.as_object_mut()?;
    if let Some(cert) = material.remove("certificate") {
        let mut certificates = vec![cert];
        if param & 1 == 1 {
            let root: Value = serde_json::from_str(&start.trusted_root).ok()?;
            let chain = root
                .pointer("/certificateAuthorities/0/certChain/certificates")?
                .as_array()?;
            certificates.extend(chain.iter().cloned());
        }
        let n = certificates.len();
        material.insert(
            "x509CertificateChain".into(),
            json!({ "certificates": certificates }),
        );
        return Some(format!("certificate as an x509CertificateChain of {n}"));
    }
    let chain = material.remove("x509CertificateChain")?;
    let leaf = chain.pointer("/certificates/0")?.clone();
    material.insert("certificate".into(), leaf);
    Some("x509CertificateChain as its leaf alone in certificate".into())
}
