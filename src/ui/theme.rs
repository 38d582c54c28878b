//! Colours and symbols, decided once at start-up and passed to every widget.
//!
//! Providers keep the colours their scenario gives them (the built-in one uses
//! the Okabe–Ito palette, which colour-blind viewers can tell apart); each
//! also gets a glyph, so that lines, legend and table read without colour.
//! With `NO_COLOR` set, no colour is emitted; emphasis uses bold, dim and
//! reverse only.

use crate::sim::Rgb;
use ratatui::style::{Color, Modifier, Style};

/// One glyph per provider, cycled: shape, not colour, tells lines apart.
pub const GLYPHS: [&str; 8] = ["●", "■", "▲", "◆", "✚", "★", "▼", "◉"];
/// Marks a keyframe of the selected lever on the timeline.
pub const KEYFRAME: &str = "◇";
/// Marks the cursor quarter on the time axis.
pub const CURSOR: &str = "┼";
/// Marks an exited provider.
pub const EXITED: &str = "✖";

pub fn glyph(provider: usize) -> &'static str {
    GLYPHS[provider % GLYPHS.len()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// False under `NO_COLOR`.
    pub color: bool,
}

impl Theme {
    pub const COLOR: Theme = Theme { color: true };
    pub const MONO: Theme = Theme { color: false };

    /// `NO_COLOR` set to anything non-empty turns colour off (no-color.org).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color { Theme::MONO } else { Theme::COLOR }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    pub fn provider_color(&self, c: Rgb) -> Option<Color> {
        self.color.then_some(Color::Rgb(c.0, c.1, c.2))
    }

    /// A provider's line, glyph and name.
    pub fn provider(&self, c: Rgb) -> Style {
        match self.provider_color(c) {
            Some(col) => Style::new().fg(col),
            None => Style::new(),
        }
    }

    /// A pinned baseline's ghost line: the provider's colour, darkened and dimmed.
    pub fn ghost(&self, c: Rgb) -> Style {
        if self.color {
            let d = |v: u8| (u16::from(v) * 45 / 100) as u8 + 20;
            Style::new().fg(Color::Rgb(d(c.0), d(c.1), d(c.2)))
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn text(&self) -> Style {
        Style::new()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Gray).add_modifier(Modifier::DIM)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn border(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn focus_border(&self) -> Style {
        self.fg(Color::Gray)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The selected lever, tab or row.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Slider fill, the modified marker, keyframes.
    pub fn accent(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The cursor quarter's column in charts.
    pub fn cursor(&self) -> Style {
        if self.color {
            Style::new().fg(Color::White).bg(Color::Rgb(48, 48, 48))
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn cursor_bg(&self) -> Option<Color> {
        self.color.then_some(Color::Rgb(48, 48, 48))
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Rgb(0, 158, 115))
    }

    pub fn bad(&self) -> Style {
        self.fg(Color::Rgb(213, 94, 0))
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
}
