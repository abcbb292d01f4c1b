//! A one-line text field with the keys of readline: ←/→ (Ctrl-B/F), Home/End (Ctrl-A/E),
//! Alt-B/F by word, Backspace/Delete (Ctrl-H/D), Ctrl-U (to the start), Ctrl-K (to the end),
//! Ctrl-W (the word before the cursor), and bracketed paste (control characters dropped, line
//! breaks made spaces). Pure: keys in, whether they were taken out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    text: String,
    /// The cursor, in characters from the start.
    cursor: usize,
}

impl TextField {
    pub fn new(text: &str) -> TextField {
        TextField {
            text: text.to_owned(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text; the cursor goes to its end.
    pub fn set(&mut self, text: &str) {
        *self = TextField::new(text);
    }

    pub fn clear(&mut self) {
        self.set("");
    }

    /// The text before and after the cursor (the view draws the cursor between them).
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte(self.cursor))
    }

    fn byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Inserts text at the cursor: a paste, or one typed character.
    pub fn insert(&mut self, text: &str) {
        let clean: String = text
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !crate::untrusted::is_unsafe(*c))
            .collect();
        let at = self.byte(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Applies an editing key; false when the key is not one (the caller may use it).
    pub fn key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char('b') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('f') if ctrl => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Char('b') if alt => self.cursor = self.word_start(),
            KeyCode::Char('f') if alt => self.cursor = self.word_end(),
            KeyCode::Char('u') if ctrl => self.delete(0, self.cursor),
            KeyCode::Char('k') if ctrl => self.delete(self.cursor, self.len()),
            KeyCode::Char('w') if ctrl => self.delete(self.word_start(), self.cursor),
            KeyCode::Char('h') if ctrl => self.backspace(),
            KeyCode::Char('d') if ctrl => self.delete(self.cursor, self.cursor + 1),
            KeyCode::Char(_) if ctrl || alt => return false,
            KeyCode::Char(c) => self.insert(c.encode_utf8(&mut [0; 4])),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(self.cursor, self.cursor + 1),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            _ => return false,
        }
        true
    }

    fn backspace(&mut self) {
        if self.cursor > 0 {
            self.delete(self.cursor - 1, self.cursor);
        }
    }

    /// Deletes the characters `from..to` (clamped); the cursor goes to `from`.
    fn delete(&mut self, from: usize, to: usize) {
        let to = to.min(self.len());
        if from >= to {
            return;
        }
        let (a, b) = (self.byte(from), self.byte(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }

    /// Where the word before the cursor starts (spaces before it skipped).
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i > 0 && !is_word(chars[i - 1]) {
            i -= 1;
        }
        while i > 0 && is_word(chars[i - 1]) {
            i -= 1;
        }
        i
    }

    fn word_end(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i < chars.len() && !is_word(chars[i]) {
            i += 1;
        }
        while i < chars.len() && is_word(chars[i]) {
            i += 1;
        }
        i
    }
}

/// Word characters for Ctrl-W and Alt-B/F: anything but spaces and path separators, so Ctrl-W
/// removes one segment of a path or URL.
fn is_word(c: char) -> bool {
    !c.is_whitespace() && c != '/'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(field: &mut TextField, code: KeyCode, modifiers: KeyModifiers) -> bool {
        field.key(KeyEvent::new(code, modifiers))
    }

    fn ctrl(field: &mut TextField, c: char) {
        assert!(press(field, KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    #[test]
    fn readline_keys_move_and_kill() {
        let mut f = TextField::new("~/keys/cosign.pub");
        ctrl(&mut f, 'w');
        assert_eq!(f.text(), "~/keys/");
        f.insert("release.pub");
        ctrl(&mut f, 'a');
        assert_eq!(f.cursor(), 0);
        press(&mut f, KeyCode::Delete, KeyModifiers::NONE);
        f.insert("$HOME");
        assert_eq!(f.text(), "$HOME/keys/release.pub");
        ctrl(&mut f, 'e');
        press(&mut f, KeyCode::Left, KeyModifiers::NONE);
        press(&mut f, KeyCode::Left, KeyModifiers::NONE);
        ctrl(&mut f, 'k');
        assert_eq!(f.text(), "$HOME/keys/release.p");
        assert_eq!(f.split(), ("$HOME/keys/release.p", ""));
        press(&mut f, KeyCode::Home, KeyModifiers::NONE);
        press(&mut f, KeyCode::Right, KeyModifiers::NONE);
        ctrl(&mut f, 'u');
        assert_eq!(f.text(), "HOME/keys/release.p");
        press(&mut f, KeyCode::End, KeyModifiers::NONE);
        press(&mut f, KeyCode::Backspace, KeyModifiers::NONE);
        assert_eq!(f.text(), "HOME/keys/release.");
        press(&mut f, KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(f.split().1, "release.");
    }

    #[test]
    fn a_paste_is_one_line_without_control_characters() {
        let mut f = TextField::new("ab");
        press(&mut f, KeyCode::Left, KeyModifiers::NONE);
        f.insert("x\ny\x1b[2J\u{202e}z");
        assert_eq!(f.text(), "ax y[2Jzb");
        assert_eq!(f.cursor(), 8);
    }

    #[test]
    fn other_control_keys_are_left_to_the_caller() {
        let mut f = TextField::default();
        assert!(!press(&mut f, KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert!(!press(&mut f, KeyCode::Enter, KeyModifiers::NONE));
        assert!(!press(&mut f, KeyCode::Up, KeyModifiers::NONE));
        assert!(f.is_empty());
    }
}
