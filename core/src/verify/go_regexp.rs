//! Go's regular expressions (RE2 syntax, `regexp.Compile`), which cosign and sigstore-go use for
//! `--certificate-identity-regexp` and `--certificate-oidc-issuer-regexp`, translated into the
//! `regex` crate's syntax so that a pattern means here what it means to them.
//!
//! The two dialects differ where it matters for identities: Go's `\d`, `\w`, `\s` and `\b` are
//! ASCII (the crate's are Unicode); Go has `\Q…\E` literals and octal escapes; a `{` that does
//! not start a repetition is a literal in Go; `[`, `&&`, `--` and `~~` inside a class are
//! literals in Go and set operations in the crate. Every Go construct is rewritten into an
//! unambiguous form (literals as `\x{…}`), and what Go refuses (`\C`, `\Z`, backreferences,
//! look-around, stacked repetitions, counts over 1000, unknown flags) is refused with the reason,
//! never silently given another meaning.

use std::fmt::Write as _;

/// The largest repetition count Go accepts (`regexp/syntax` `maxRepeat`... `{1001}` fails).
const MAX_REPEAT: u32 = 1000;

/// Go's Perl classes, ASCII (`regexp/syntax` `perl_groups.go`), as class items.
const DIGIT: &str = r"\x{30}-\x{39}";
const SPACE: &str = r"\x{9}\x{A}\x{C}\x{D}\x{20}";
const WORD: &str = r"\x{30}-\x{39}\x{41}-\x{5A}\x{5F}\x{61}-\x{7A}";

/// Go's POSIX class names (`posix_groups.go`), all ASCII as in the crate.
const POSIX: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Translates a Go regexp into the `regex` crate's syntax, or says why Go would refuse it (or
/// why it has no faithful translation).
pub fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut t = Translator {
        chars: &chars,
        pos: 0,
        out: String::with_capacity(pattern.len() * 2),
        last_repeat: false,
    };
    t.run()?;
    Ok(t.out)
}

struct Translator<'a> {
    chars: &'a [char],
    pos: usize,
    out: String,
    /// The previous item was a repetition operator (Go refuses `a**`, `a+?*`).
    last_repeat: bool,
}

fn literal(c: char) -> String {
    format!(r"\x{{{:X}}}", u32::from(c))
}

impl Translator<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek(0) {
            let repeat = matches!(c, '*' | '+' | '?') || (c == '{' && self.counted().is_some());
            if repeat && self.last_repeat {
                return Err("invalid nested repetition operator (Go refuses it)".into());
            }
            self.last_repeat = false;
            match c {
                '\\' => self.escape()?,
                '[' => self.class()?,
                '(' => self.group()?,
                '*' | '+' | '?' => {
                    self.pos += 1;
                    self.out.push(c);
                    self.lazy();
                    self.last_repeat = true;
                }
                '{' => match self.counted() {
                    Some((text, len, min, max)) => {
                        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                            return Err(format!("invalid repeat count {text} (Go refuses it)"));
                        }
                        self.pos += len;
                        self.out.push_str(&text);
                        self.lazy();
                        self.last_repeat = true;
                    }
                    None => {
                        self.pos += 1;
                        self.out.push_str(&literal('{'));
                    }
                },
                '.' | '^' | '$' | '|' | ')' => {
                    self.pos += 1;
                    self.out.push(c);
                }
                other => {
                    self.pos += 1;
                    self.out.push_str(&literal(other));
                }
            }
        }
        Ok(())
    }

    fn lazy(&mut self) {
        if self.peek(0) == Some('?') {
            self.pos += 1;
            self.out.push('?');
        }
    }

    /// A counted repetition at the cursor: (its text, its length, min, max). Go `parseRepeat`:
    /// `{n}`, `{n,}` or `{n,m}` with decimal digits; anything else is a literal `{`.
    fn counted(&self) -> Option<(String, usize, u32, Option<u32>)> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let end = rest.find('}')?;
        let body = &rest[1..end];
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let number = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
        let (min, max) = match body.split_once(',') {
            None if digits(body) => (number(body), Some(number(body))),
            Some((lo, "")) if digits(lo) => (number(lo), None),
            Some((lo, hi)) if digits(lo) && digits(hi) => (number(lo), Some(number(hi))),
            _ => return None,
        };
        let text = &rest[..=end];
        Some((text.to_owned(), text.chars().count(), min, max))
    }

    /// An escape outside a class.
    fn escape(&mut self) -> Result<(), String> {
        let Some(c) = self.peek(1) else {
            return Err("trailing backslash at end of expression".into());
        };
        match c {
            'A' | 'z' => {
                self.pos += 2;
                self.out.push('\\');
                self.out.push(c);
            }
            // Go's word boundary is ASCII.
            'b' | 'B' => {
                self.pos += 2;
                let _ = write!(self.out, r"(?-u:\{c})");
            }
            'Q' => {
                self.pos += 2;
                while let Some(q) = self.peek(0) {
                    if q == '\\' && self.peek(1) == Some('E') {
                        self.pos += 2;
                        break;
                    }
                    self.pos += 1;
                    self.out.push_str(&literal(q));
                }
            }
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
                self.pos += 2;
                let (items, negated) = perl_class(c);
                let _ = write!(self.out, "[{}{items}]", if negated { "^" } else { "" });
            }
            'p' | 'P' => {
                let class = self.unicode_class()?;
                self.out.push_str(&class);
            }
            _ => {
                let ch = self.escaped_char()?;
                self.out.push_str(&literal(ch));
            }
        }
        Ok(())
    }

    /// Go `parseEscape`: octal, `\x`, the C escapes, and escaped punctuation; the cursor is at
    /// the backslash.
    fn escaped_char(&mut self) -> Result<char, String> {
        let c = self
            .peek(1)
            .ok_or("trailing backslash at end of expression")?;
        self.pos += 2;
        let ch = match c {
            '1'..='7' if !matches!(self.peek(0), Some('0'..='7')) => {
                return Err(format!(r"invalid escape \{c}: Go has no backreferences"));
            }
            '0'..='7' => {
                let mut value = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek(0).and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                char::from_u32(value).ok_or("invalid octal escape")?
            }
            'x' => self.hex_escape()?,
            'a' => '\u{7}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => c,
            c => return Err(format!(r"invalid escape \{c} (Go refuses it)")),
        };
        Ok(ch)
    }

    fn hex_escape(&mut self) -> Result<char, String> {
        let invalid = || "invalid \\x escape".to_owned();
        let text: String = if self.peek(0) == Some('{') {
            let rest: String = self.chars[self.pos + 1..].iter().collect();
            let end = rest.find('}').ok_or_else(invalid)?;
            self.pos += end + 2;
            rest[..end].to_owned()
        } else {
            let two: String = self.chars[self.pos..].iter().take(2).collect();
            self.pos += 2;
            if two.chars().count() != 2 {
                return Err(invalid());
            }
            two
        };
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        u32::from_str_radix(&text, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(invalid)
    }

    /// `\pL`, `\p{Greek}`, `\p{^Greek}`, `\PL` (cursor at the backslash), as the crate writes
    /// them. Go accepts general categories, scripts and `Any`.
    fn unicode_class(&mut self) -> Result<String, String> {
        let upper = self.peek(1) == Some('P');
        self.pos += 2;
        let name: String = match self.peek(0) {
            Some('{') => {
                let rest: String = self.chars[self.pos + 1..].iter().collect();
                let end = rest
                    .find('}')
                    .ok_or("missing closing } in a Unicode class")?;
                self.pos += end + 2;
                rest[..end].to_owned()
            }
            Some(c) => {
                self.pos += 1;
                c.to_string()
            }
            None => return Err("missing Unicode class name".into()),
        };
        let (negated, name) = match name.strip_prefix('^') {
            Some(n) => (!upper, n.to_owned()),
            None => (upper, name),
        };
        // Go's tables are case-sensitive names; the crate is more lenient, so check the shape.
        let valid = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!(
                "invalid Unicode class name {name:?} (Go refuses it)"
            ));
        }
        Ok(format!(r"\{}{{{name}}}", if negated { 'P' } else { 'p' }))
    }

    /// `(` at the cursor: a group, a named group, or flags.
    fn group(&mut self) -> Result<(), String> {
        if self.peek(1) != Some('?') {
            self.pos += 1;
            self.out.push('(');
            return Ok(());
        }
        let rest: String = self.chars[self.pos + 2..].iter().collect();
        let named = rest.strip_prefix("P<").or_else(|| {
            rest.strip_prefix('<')
                .filter(|r| !r.starts_with(['=', '!']))
        });
        if let Some(after) = named {
            let end = after.find('>').ok_or("invalid named capture")?;
            let name = &after[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("invalid named capture {name:?}"));
            }
            self.pos += 2 + (rest.len() - after.len()) + end + 1;
            let _ = write!(self.out, "(?P<{name}>");
            return Ok(());
        }
        // Flags: (?flags) or (?flags:…), flags among imsU, one optional '-' (Go `parsePerlFlags`).
        let end = rest
            .find([')', ':'])
            .ok_or("missing closing ) in a flag group")?;
        let flags = &rest[..end];
        let (on, off) = flags.split_once('-').unwrap_or((flags, ""));
        let known = |s: &str| s.chars().all(|c| matches!(c, 'i' | 'm' | 's' | 'U'));
        if flags.is_empty() || !known(on) || !known(off) || flags.ends_with('-') {
            return Err(format!(
                "invalid or unsupported Perl syntax (?{}",
                &rest[..=end]
            ));
        }
        self.pos += 2 + rest[..=end].chars().count();
        let _ = write!(self.out, "(?{}", &rest[..=end]);
        Ok(())
    }

    /// A bracketed class at the cursor (Go `parseClass`).
    fn class(&mut self) -> Result<(), String> {
        self.pos += 1;
        self.out.push('[');
        if self.peek(0) == Some('^') {
            self.pos += 1;
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let c = self.peek(0).ok_or("missing closing ] in a class")?;
            if c == ']' && !first {
                self.pos += 1;
                self.out.push(']');
                return Ok(());
            }
            first = false;
            if c == '[' && self.peek(1) == Some(':') {
                let rest: String = self.chars[self.pos + 2..].iter().collect();
                if let Some(end) = rest.find(":]") {
                    let name = &rest[..end];
                    if !POSIX.contains(&name.trim_start_matches('^')) {
                        return Err(format!("invalid character class range [:{name}:]"));
                    }
                    self.pos += 2 + rest[..end].chars().count() + 2;
                    let _ = write!(self.out, "[:{name}:]");
                    continue;
                }
            }
            if c == '\\' {
                match self.peek(1) {
                    Some('p' | 'P') => {
                        let class = self.unicode_class()?;
                        self.out.push_str(&class);
                        continue;
                    }
                    Some(p @ ('d' | 'D' | 's' | 'S' | 'w' | 'W')) => {
                        self.pos += 2;
                        match perl_class(p) {
                            (items, false) => self.out.push_str(items),
                            (items, true) => {
                                let _ = write!(self.out, "[^{items}]");
                            }
                        }
                        continue;
                    }
                    _ => {}
                }
            }
            let lo = self.class_char()?;
            if self.peek(0) == Some('-') && !matches!(self.peek(1), Some(']') | None) {
                self.pos += 1;
                let hi = self.class_char()?;
                if hi < lo {
                    return Err(format!("invalid character class range {lo}-{hi}"));
                }
                let _ = write!(self.out, "{}-{}", literal(lo), literal(hi));
            } else {
                self.out.push_str(&literal(lo));
            }
        }
    }

    fn class_char(&mut self) -> Result<char, String> {
        match self.peek(0) {
            Some('\\') => self.escaped_char(),
            Some(c) => {
                self.pos += 1;
                Ok(c)
            }
            None => Err("missing closing ] in a class".into()),
        }
    }
}

/// Go's ASCII Perl classes as class items, and whether negated.
fn perl_class(c: char) -> (&'static str, bool) {
    match c {
        'd' => (DIGIT, false),
        'D' => (DIGIT, true),
        's' => (SPACE, false),
        'S' => (SPACE, true),
        'w' => (WORD, false),
        _ => (WORD, true),
    }
}

#[cfg(test)]
#[path = "go_regexp_tests.rs"]
mod tests;
