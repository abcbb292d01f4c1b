//! Styles, with colour only when `NO_COLOR` is unset and the theme is not `mono` (modifiers
//! carry the meaning without it); `light` suits terminals with a light background.

use ratatui::style::{Color, Modifier, Style};

use crate::tui::summary::Badge;

/// The settings' `theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Palette {
    #[default]
    Dark,
    Light,
    /// No colour, as with `NO_COLOR`.
    Mono,
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub palette: Palette,
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
        if self.color && self.palette == Palette::Light {
            Style::new().fg(Color::Gray)
        } else if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn accent(self) -> Style {
        self.fg(self.cyan())
    }

    fn cyan(self) -> Color {
        match self.palette {
            Palette::Light => Color::Blue,
            _ => Color::Cyan,
        }
    }

    pub fn title(self) -> Style {
        self.fg(self.cyan()).add_modifier(Modifier::BOLD)
    }

    /// A flagged value in a selected row: white on red, readable on the selection (never red
    /// text on the blue selection).
    pub fn flagged_selected(self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Red)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// A flagged value: inverted red (bold without colour).
    pub fn flagged(self) -> Style {
        self.bad().add_modifier(Modifier::REVERSED)
    }

    /// A value that differs from the majority on a build that does not stand out for it (a
    /// second signer beside the majority's).
    pub fn noted(self) -> Style {
        self.warn()
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
            self.fg(self.cyan()).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }

    pub fn badge(self, b: Badge) -> Style {
        match b {
            Badge::Verified => self.good().add_modifier(Modifier::BOLD),
            Badge::Failed | Badge::Error | Badge::Unsigned => self.bad(),
            Badge::CouldNotCheck | Badge::Skipped | Badge::NoAttestations => self.warn(),
            Badge::Signed(_) => self.good(),
            Badge::Attested(_) | Badge::Bundle(_) | Badge::Sbom(_) => self.accent(),
            Badge::Loading | Badge::Verifying | Badge::Referrers(_) => self.dim(),
        }
    }
}
