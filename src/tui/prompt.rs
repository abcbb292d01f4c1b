//! The `:` prompt: open another repository (or OCI layout) without leaving, with the
//! repositories opened before a ↑ away. Pure: keys in, a decision out.

use crossterm::event::{KeyCode, KeyEvent};

use super::text_field::TextField;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPrompt {
    pub field: TextField,
    /// Where ↑/↓ are in the history (`None`: the line being typed).
    pub recalled: Option<usize>,
    /// What was typed before ↑ recalled an older line.
    typed: String,
    /// Why the last Enter opened nothing.
    pub error: Option<String>,
}

/// What a key press decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptDecision {
    Stay,
    Close,
    Open(String),
}

impl OpenPrompt {
    pub fn new() -> OpenPrompt {
        OpenPrompt {
            field: TextField::default(),
            recalled: None,
            typed: String::new(),
            error: None,
        }
    }

    /// Applies a key; `history` is oldest first.
    pub fn key(&mut self, key: KeyEvent, history: &[String]) -> PromptDecision {
        match key.code {
            KeyCode::Esc => return PromptDecision::Close,
            KeyCode::Enter => {
                let target = self.field.text().trim().to_owned();
                if target.is_empty() {
                    self.error = Some("type a repository, e.g. ghcr.io/org/app".into());
                } else {
                    return PromptDecision::Open(target);
                }
            }
            KeyCode::Up => self.recall(history, 1),
            KeyCode::Down => self.recall(history, -1),
            _ => {
                if self.field.key(key) {
                    self.recalled = None;
                    self.error = None;
                }
            }
        }
        PromptDecision::Stay
    }

    /// Steps `by` lines back (positive) or forward in the history, newest first.
    fn recall(&mut self, history: &[String], by: isize) {
        if history.is_empty() {
            return;
        }
        let newest_first = |i: usize| &history[history.len() - 1 - i];
        let next = match self.recalled {
            None if by > 0 => {
                self.typed = self.field.text().to_owned();
                Some(0)
            }
            None => None,
            Some(i) => {
                let j = i.saturating_add_signed(by);
                if by < 0 && i == 0 {
                    None
                } else {
                    Some(j.min(history.len() - 1))
                }
            }
        };
        self.recalled = next;
        match next {
            Some(i) => self.field.set(newest_first(i)),
            None => {
                let typed = self.typed.clone();
                self.field.set(&typed);
            }
        }
    }
}

impl Default for OpenPrompt {
    fn default() -> Self {
        OpenPrompt::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn press(p: &mut OpenPrompt, code: KeyCode, history: &[String]) -> PromptDecision {
        p.key(KeyEvent::new(code, KeyModifiers::NONE), history)
    }

    #[test]
    fn history_recalls_newest_first_and_returns_to_the_typed_line() {
        let history = vec!["reg/a".to_owned(), "reg/b".to_owned()];
        let mut p = OpenPrompt::new();
        p.field.insert("reg/c");
        press(&mut p, KeyCode::Up, &history);
        assert_eq!(p.field.text(), "reg/b");
        press(&mut p, KeyCode::Up, &history);
        press(&mut p, KeyCode::Up, &history);
        assert_eq!(p.field.text(), "reg/a", "stops at the oldest");
        press(&mut p, KeyCode::Down, &history);
        press(&mut p, KeyCode::Down, &history);
        assert_eq!(p.field.text(), "reg/c", "back to what was typed");
        assert_eq!(
            press(&mut p, KeyCode::Enter, &history),
            PromptDecision::Open("reg/c".into())
        );
        let mut empty = OpenPrompt::new();
        assert_eq!(
            press(&mut empty, KeyCode::Enter, &history),
            PromptDecision::Stay
        );
        assert!(empty.error.is_some());
        assert_eq!(
            press(&mut empty, KeyCode::Esc, &history),
            PromptDecision::Close
        );
    }
}
