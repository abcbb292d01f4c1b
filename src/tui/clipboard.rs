//! The clipboard behind the copy effect: the system clipboard through arboard when there is one
//! (a desktop session), else OSC 52 written to the terminal, which the terminal (or tmux, or the
//! terminal at the far end of an SSH session) puts on its own clipboard.

use std::io::Write as _;

use crossterm::clipboard::CopyToClipboard;

/// Which way the text went, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    System,
    Osc52,
}

impl Route {
    /// What happened to `what`, honestly: OSC 52 has no answer, and many terminals (tmux by
    /// default) ignore it, so it is "sent", never "copied".
    pub fn describe(self, what: &str) -> String {
        match self {
            Route::System => format!("copied {what} to the system clipboard"),
            Route::Osc52 => {
                format!("sent {what} via OSC 52 (your terminal may ignore it)")
            }
        }
    }
}

/// Kept for the whole session: on X11 the copied text lives as long as the clipboard owner.
#[derive(Default)]
pub struct Clipboard {
    system: Option<arboard::Clipboard>,
}

impl Clipboard {
    /// Copies `text`: the system clipboard first, OSC 52 when there is none (no display).
    pub fn copy(&mut self, text: &str) -> Result<Route, String> {
        if self.system.is_none() {
            self.system = arboard::Clipboard::new().ok();
        }
        if let Some(system) = self.system.as_mut()
            && system.set_text(text.to_owned()).is_ok()
        {
            return Ok(Route::System);
        }
        let mut out = std::io::stdout();
        crossterm::execute!(out, CopyToClipboard::to_clipboard_from(text.as_bytes()))
            .and_then(|()| out.flush())
            .map(|()| Route::Osc52)
            .map_err(|e| format!("could not copy: no system clipboard, and OSC 52 failed: {e}"))
    }
}
