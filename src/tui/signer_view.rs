//! The signer view's state (`s`): the matrix of the tags shown, one line per signature of each
//! build (a build with none gets one line), and the selected line. Enter verifies every tag for
//! the selected line's signer (the update decides how).

use crossterm::event::KeyCode;

use crate::compare::{Matrix, Row, Signature};

#[derive(Debug, Clone)]
pub struct SignerView {
    pub matrix: Matrix,
    /// Each line: the build's row and, when it has signatures, which one.
    pub lines: Vec<Line>,
    /// The selected line.
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub row: usize,
    pub signature: Option<usize>,
}

/// What a key press asked of the signer view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerKey {
    Stay,
    Close,
    /// Verify every tag for the selected line's signer.
    Verify,
}

impl SignerView {
    pub fn new(matrix: Matrix) -> SignerView {
        let mut lines = Vec::new();
        for (row, build) in matrix.rows.iter().enumerate() {
            if build.signatures.is_empty() {
                lines.push(Line {
                    row,
                    signature: None,
                });
            }
            for signature in 0..build.signatures.len() {
                lines.push(Line {
                    row,
                    signature: Some(signature),
                });
            }
        }
        SignerView {
            matrix,
            lines,
            selected: 0,
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        let line = self.lines.get(self.selected)?;
        self.matrix.rows.get(line.row)
    }

    pub fn selected_signature(&self) -> Option<&Signature> {
        let line = self.lines.get(self.selected)?;
        self.matrix
            .rows
            .get(line.row)?
            .signatures
            .get(line.signature?)
    }

    /// Moves the selection by `delta` lines, clamped.
    pub fn step(&mut self, delta: isize) {
        let last = self.lines.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Applies a key; `page` is the number of lines shown.
    pub fn key(&mut self, code: KeyCode, page: usize) -> SignerKey {
        let page = isize::try_from(page.max(1)).unwrap_or(1);
        match code {
            KeyCode::Esc | KeyCode::Char('q' | 's') => return SignerKey::Close,
            KeyCode::Enter => return SignerKey::Verify,
            KeyCode::Up | KeyCode::Char('k') => self.step(-1),
            KeyCode::Down | KeyCode::Char('j') => self.step(1),
            KeyCode::PageUp => self.step(-page),
            KeyCode::PageDown => self.step(page),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.step(isize::MAX / 2),
            _ => {}
        }
        SignerKey::Stay
    }
}
