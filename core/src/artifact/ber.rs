//! BER to DER, for the CMS structures some timestamp authorities send in BER (indefinite
//! lengths, long-form lengths where a short one would do, octet strings in pieces). sigstore-go
//! reads RFC 3161 tokens through digitorus/pkcs7, which converts BER to DER before parsing;
//! sigscope does the same so that the same tokens verify.
//!
//! Only the encoding changes: primitive contents are copied as they are, so a signature over
//! DER-encoded signed attributes (RFC 5652 §5.4) still verifies over the converted bytes.
//! digitorus/pkcs7's limits are kept (no empty indefinite-length element, its leading-zero
//! rule). One difference: an OCTET STRING in pieces becomes one, where digitorus keeps the
//! pieces and then reads only the first of an eContent's; a token in pieces therefore verifies
//! here only when all of its pieces make the signed content.

use std::borrow::Cow;
use std::fmt;

/// Nesting deeper than this is refused (CMS needs about a dozen levels).
const MAX_DEPTH: usize = 64;

/// Why BER could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BerError {
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for BerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BER at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for BerError {}

/// The DER encoding of one BER element that spans all of `input`.
pub fn to_der(input: &[u8]) -> Result<Vec<u8>, BerError> {
    let mut reader = Reader { input, pos: 0 };
    let element = reader.element(0)?.ok_or(BerError {
        offset: 0,
        reason: "an end-of-contents marker where an element was expected",
    })?;
    if reader.pos != input.len() {
        return Err(reader.error("bytes after the element"));
    }
    Ok(element.encode())
}

/// `input` in DER: converted when it is BER, as it is otherwise (DER, or not ASN.1 at all: the
/// DER decoder then says what is wrong with it).
pub fn der_of(input: &[u8]) -> Cow<'_, [u8]> {
    match to_der(input) {
        Ok(der) if der != input => Cow::Owned(der),
        _ => Cow::Borrowed(input),
    }
}

/// A converted element: its identifier octets and its DER content.
struct Element {
    tag: Vec<u8>,
    content: Vec<u8>,
}

impl Element {
    fn encode(self) -> Vec<u8> {
        let mut out = self.tag;
        let len = self.content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend(self.content);
        out
    }
}

enum Length {
    Definite(usize),
    Indefinite,
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, reason: &'static str) -> BerError {
        BerError {
            offset: self.pos,
            reason,
        }
    }

    fn byte(&mut self) -> Result<u8, BerError> {
        let b = *self
            .input
            .get(self.pos)
            .ok_or_else(|| self.error("truncated"))?;
        self.pos += 1;
        Ok(b)
    }

    /// The identifier octets, copied as they are (high tag numbers included).
    fn tag(&mut self) -> Result<Vec<u8>, BerError> {
        let first = self.byte()?;
        let mut tag = vec![first];
        if first & 0x1f == 0x1f {
            loop {
                let b = self.byte()?;
                tag.push(b);
                if b & 0x80 == 0 {
                    break;
                }
                if tag.len() > 6 {
                    return Err(self.error("a tag number too large"));
                }
            }
        }
        Ok(tag)
    }

    fn length(&mut self) -> Result<Length, BerError> {
        let first = self.byte()?;
        let len = if first < 0x80 {
            first.into()
        } else if first == 0x80 {
            return Ok(Length::Indefinite);
        } else {
            let count = usize::from(first & 0x7f);
            if first == 0xff || count > 4 {
                return Err(self.error("a length of more than four bytes"));
            }
            // digitorus/pkcs7's rule, kept so that the same tokens are refused: a leading zero
            // byte unless the next one has its high bit set.
            let next = self.input.get(self.pos + 1).copied().unwrap_or(0);
            if self.input.get(self.pos) == Some(&0) && (count == 1 || next <= 0x7f) {
                return Err(self.error("a long-form length with a leading zero"));
            }
            let mut len = 0usize;
            for _ in 0..count {
                len = (len << 8) | usize::from(self.byte()?);
            }
            len
        };
        if len > self.input.len() - self.pos {
            return Err(self.error("a length past the end of the input"));
        }
        Ok(Length::Definite(len))
    }

    /// The next element, or `None` at an end-of-contents marker.
    fn element(&mut self, depth: usize) -> Result<Option<Element>, BerError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let start = self.pos;
        let tag = self.tag()?;
        let length = self.length()?;
        if tag == [0] {
            return match length {
                Length::Definite(0) => Ok(None),
                _ => Err(BerError {
                    offset: start,
                    reason: "a malformed end-of-contents marker",
                }),
            };
        }
        let constructed = tag[0] & 0x20 != 0;
        let children = match (length, constructed) {
            (Length::Definite(len), false) => {
                let content = self.input[self.pos..self.pos + len].to_vec();
                self.pos += len;
                return Ok(Some(Element { tag, content }));
            }
            (Length::Indefinite, false) => {
                return Err(BerError {
                    offset: start,
                    reason: "an indefinite length on a primitive element",
                });
            }
            (Length::Definite(len), true) => {
                let end = self.pos + len;
                let mut inner = Reader {
                    input: &self.input[..end],
                    pos: self.pos,
                };
                let mut children = Vec::new();
                while inner.pos < end {
                    let child = inner.element(depth + 1)?.ok_or(BerError {
                        offset: inner.pos,
                        reason: "an end-of-contents marker in a definite-length element",
                    })?;
                    children.push(child);
                }
                self.pos = end;
                children
            }
            (Length::Indefinite, true) => {
                let mut children = Vec::new();
                while let Some(child) = self.element(depth + 1)? {
                    children.push(child);
                }
                // digitorus/pkcs7 (so sigstore-go and cosign) cannot read an empty one.
                if children.is_empty() {
                    return Err(BerError {
                        offset: start,
                        reason: "an empty element of indefinite length",
                    });
                }
                children
            }
        };
        // An OCTET STRING sent in pieces is one primitive OCTET STRING in DER.
        if tag == [0x24] {
            let mut content = Vec::new();
            for child in children {
                if child.tag != [0x04] {
                    return Err(BerError {
                        offset: start,
                        reason: "a constructed OCTET STRING holding something else",
                    });
                }
                content.extend(child.content);
            }
            return Ok(Some(Element {
                tag: vec![0x04],
                content,
            }));
        }
        let content = children.into_iter().flat_map(Element::encode).collect();
        Ok(Some(Element { tag, content }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_is_unchanged() {
        // SEQUENCE { INTEGER 5, OCTET STRING "ab", [0] { NULL } }
        let der = [
            0x30, 0x0b, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b', 0xa0, 0x02, 0x05, 0x00,
        ];
        assert_eq!(to_der(&der).unwrap(), der);
    }

    #[test]
    fn indefinite_lengths_long_forms_and_pieces_become_der() {
        // SEQUENCE (indefinite) { INTEGER 5 (long-form length), OCTET STRING in two pieces }
        let ber = [
            0x30, 0x80, 0x02, 0x81, 0x01, 0x05, 0x24, 0x80, 0x04, 0x01, b'a', 0x04, 0x01, b'b',
            0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            to_der(&ber).unwrap(),
            [0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b']
        );
    }

    #[test]
    fn long_contents_get_long_form_lengths() {
        let mut ber = vec![0x30, 0x80, 0x04, 0x81, 200];
        ber.extend([7u8; 200]);
        ber.extend([0, 0]);
        let der = to_der(&ber).unwrap();
        assert_eq!(&der[..6], &[0x30, 0x81, 203, 0x04, 0x81, 200]);
        assert_eq!(der.len(), 3 + 203);
    }

    #[rstest::rstest]
    #[case::empty(&[], "truncated")]
    #[case::truncated_content(&[0x04, 0x05, 1, 2], "a length past the end of the input")]
    #[case::unterminated(&[0x30, 0x80, 0x02, 0x01, 0x05], "truncated")]
    #[case::indefinite_primitive(&[0x04, 0x80, 0x00, 0x00], "an indefinite length on a primitive element")]
    #[case::leading_zero(&[0x04, 0x82, 0x00, 0x01, 0x05], "a long-form length with a leading zero")]
    #[case::huge_length(&[0x04, 0x85, 1, 1, 1, 1, 1], "a length of more than four bytes")]
    #[case::leading_zero_two_bytes(&[0x04, 0x82, 0x00, 0x05, 1, 2, 3, 4, 5], "a long-form length with a leading zero")]
    #[case::empty_indefinite(&[0x30, 0x80, 0x00, 0x00], "an empty element of indefinite length")]
    #[case::trailing(&[0x05, 0x00, 0x05], "bytes after the element")]
    #[case::bare_eoc(&[0x00, 0x00], "an end-of-contents marker where an element was expected")]
    #[case::eoc_in_definite(&[0x30, 0x02, 0x00, 0x00], "an end-of-contents marker in a definite-length element")]
    #[case::pieces_of_other(&[0x24, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00], "a constructed OCTET STRING holding something else")]
    fn malformed_ber_is_refused(#[case] ber: &[u8], #[case] reason: &str) {
        assert_eq!(to_der(ber).unwrap_err().reason, reason);
    }

    #[test]
    fn a_leading_zero_before_a_high_byte_is_read_as_digitorus_reads_it() {
        let mut ber = vec![0x04, 0x82, 0x00, 0x80];
        ber.extend([9u8; 0x80]);
        let der = to_der(&ber).unwrap();
        assert_eq!(&der[..3], &[0x04, 0x81, 0x80]);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A fixed xorshift stream: tens of thousands of short inputs, many of them BER-like.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..50_000 {
            let len = (next() % 24) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| match next() % 6 {
                    0 => 0x30,
                    1 => 0x80,
                    2 => 0x00,
                    3 => 0x24,
                    4 => 0x04,
                    _ => next() as u8,
                })
                .collect();
            if let Ok(der) = to_der(&input) {
                assert_eq!(to_der(&der).unwrap(), der, "DER converts to itself");
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut ber = Vec::new();
        for _ in 0..100 {
            ber.extend([0x30, 0x80]);
        }
        for _ in 0..100 {
            ber.extend([0, 0]);
        }
        assert_eq!(to_der(&ber).unwrap_err().reason, "nested too deeply");
    }
}
