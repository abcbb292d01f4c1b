//! Making untrusted text safe to show on a terminal: registry content can carry escape
//! sequences (clear screen, OSC 52 clipboard writes, title changes) and bidi overrides.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as-is: C0 and C1 controls (ESC included),
/// DEL, and the Unicode bidi controls that can reorder what a reader sees (Trojan Source).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}'
        )
}

/// `s` with every unsafe character replaced by its escaped form (`\u{1b}`), so nothing is
/// hidden and nothing is interpreted.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_but_keeps_plain_text() {
        assert!(matches!(printable("v1.0.0 ✓"), Cow::Borrowed(_)));
        assert_eq!(printable("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("\x1b]52;c;aGk=\x07"), "\\u{1b}]52;c;aGk=\\u{7}");
        assert_eq!(printable("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(printable("line\nbreak"), "line\\u{a}break");
    }
}
