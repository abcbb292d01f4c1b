//! Styles, with colour only when `NO_COLOR` is unset (modifiers carry the meaning without it).

use ratatui::style::{Color, Modifier, Style};

use crate::tui::summary::Badge;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn selected(self, focused: bool) -> Style {
        if !focused {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else if self.color {
            Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }

    pub fn badge(self, b: Badge) -> Style {
        match b {
            Badge::Verified => self.good().add_modifier(Modifier::BOLD),
            Badge::Failed | Badge::Error | Badge::Unsigned => self.bad(),
            Badge::CouldNotCheck | Badge::Skipped => self.warn(),
            Badge::Signed(_) => self.good(),
            Badge::Attested(_) | Badge::Bundle(_) | Badge::Sbom(_) => self.accent(),
            Badge::Loading | Badge::Verifying | Badge::Referrers(_) => self.dim(),
        }
    }
}
