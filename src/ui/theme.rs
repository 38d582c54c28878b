//! Colours and symbols, decided once at start-up and passed to every widget.
//!
//! Providers keep the colours their scenario gives them (the built-in one uses
//! the Okabe–Ito palette, which colour-blind viewers can tell apart); each
//! also gets a glyph, so that lines, legend and table read without colour.
//! With `NO_COLOR` set, no colour is emitted; emphasis uses bold, dim and
//! reverse only.
//!
//! The palettes are RON files in `assets/themes/` (dark, light, projector),
//! compiled into the binary so it runs from any folder; `--theme` also takes
//! the path of a theme file of one's own. Loading is two-stage like strategy
//! files: a raw serde struct of strings, then a [`Theme`] whose colours have
//! all been checked.

use crate::sim::Rgb;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;

/// Largest theme file read.
pub const MAX_THEME_BYTES: u64 = 64 * 1024;

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

/// The built-in themes, in the order `T` cycles through them.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../assets/themes/dark.ron")),
    ("light", include_str!("../../assets/themes/light.ron")),
    ("projector", include_str!("../../assets/themes/projector.ron")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// False under `NO_COLOR`.
    pub color: bool,
    /// Painted under every cell; `Reset` leaves the terminal's own.
    pub background: Color,
    pub text: Color,
    pub dim: Color,
    pub border: Color,
    pub focus_border: Color,
    pub accent: Color,
    pub cursor: Color,
    pub cursor_background: Color,
    pub good: Color,
    pub bad: Color,
    pub warning: Color,
    /// Baseline ghosts: each channel of the provider colour × 0.45 plus this.
    pub ghost_offset: u8,
    /// Provider colours darkened by this percentage, for light backgrounds.
    pub provider_darken: u8,
    /// Charts draw each line two dots thick.
    pub thick_lines: bool,
    /// The presentation draws beat titles in big letters too.
    pub large_labels: bool,
}

/// A theme file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error(
        "{file}: {field}: `{value}` is not a colour; use a name (gray, dark_gray, yellow, white, reset, …) or #rrggbb"
    )]
    Colour {
        file: String,
        field: &'static str,
        value: String,
    },
    #[error("{file}: provider_darken: {value} is out of range; allowed 0 to 80")]
    Darken { file: String, value: u8 },
    #[error("{name}: no such theme file, and no built-in theme of that name (built-in: dark, light, projector)")]
    Unknown { name: String },
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
}

/// A theme file as written: every colour still a string.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: String,
    background: String,
    text: String,
    dim: String,
    border: String,
    focus_border: String,
    accent: String,
    cursor: String,
    cursor_background: String,
    good: String,
    bad: String,
    warning: String,
    ghost_offset: u8,
    provider_darken: u8,
    thick_lines: bool,
    large_labels: bool,
}

/// A theme file's syntax error for people: no internal type names.
fn theme_message(code: &ron::Error) -> String {
    const SHAPE: &str = "a theme file starts with `(` and its settings, `(name: \"…\", background: \"…\", …)`";
    match code {
        ron::Error::ExpectedDifferentStructName { found, .. } => {
            format!("this is not a theme file: it starts with `{found}`; {SHAPE}")
        }
        ron::Error::ExpectedNamedStructLike(_) | ron::Error::ExpectedStructLike => {
            format!("this is not a theme file: {SHAPE}")
        }
        other => other.to_string().replace("`RawTheme`", "the theme"),
    }
}

impl Theme {
    /// The dark theme (`assets/themes/dark.ron`), as a constant for tests.
    pub const COLOR: Theme = Theme {
        color: true,
        background: Color::Reset,
        text: Color::Reset,
        dim: Color::Gray,
        border: Color::DarkGray,
        focus_border: Color::Gray,
        accent: Color::Yellow,
        cursor: Color::White,
        cursor_background: Color::Rgb(48, 48, 48),
        good: Color::Rgb(0, 158, 115),
        bad: Color::Rgb(213, 94, 0),
        warning: Color::Yellow,
        ghost_offset: 20,
        provider_darken: 0,
        thick_lines: false,
        large_labels: false,
    };
    /// No colour at all (`NO_COLOR`).
    pub const MONO: Theme = Theme {
        color: false,
        ..Theme::COLOR
    };

    /// `NO_COLOR` set to anything non-empty turns colour off (no-color.org).
    pub fn from_env() -> Theme {
        Theme::COLOR.with_env()
    }

    /// This theme, without colour when `NO_COLOR` asks for none.
    pub fn with_env(self) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            color: self.color && !no_color,
            ..self
        }
    }

    /// Parses a theme file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Theme, ThemeError> {
        Theme::parse_named(text, file).map(|(_, t)| t)
    }

    /// Parses a theme file's text into its declared name and the theme.
    pub fn parse_named(text: &str, file: &str) -> Result<(String, Theme), ThemeError> {
        let raw: RawTheme = ron::Options::default().from_str(text).map_err(|e| ThemeError::Syntax {
            file: file.to_string(),
            line: e.span.start.line,
            col: e.span.start.col,
            message: crate::document::places::named_field(
                text,
                e.span.start.line,
                e.span.start.col,
                theme_message(&e.code),
            ),
        })?;
        let colour = |field: &'static str, value: &str| {
            value.parse::<Color>().map_err(|_| ThemeError::Colour {
                file: file.to_string(),
                field,
                value: value.to_string(),
            })
        };
        if raw.provider_darken > 80 {
            return Err(ThemeError::Darken {
                file: file.to_string(),
                value: raw.provider_darken,
            });
        }
        let theme = Theme {
            color: true,
            background: colour("background", &raw.background)?,
            text: colour("text", &raw.text)?,
            dim: colour("dim", &raw.dim)?,
            border: colour("border", &raw.border)?,
            focus_border: colour("focus_border", &raw.focus_border)?,
            accent: colour("accent", &raw.accent)?,
            cursor: colour("cursor", &raw.cursor)?,
            cursor_background: colour("cursor_background", &raw.cursor_background)?,
            good: colour("good", &raw.good)?,
            bad: colour("bad", &raw.bad)?,
            warning: colour("warning", &raw.warning)?,
            ghost_offset: raw.ghost_offset,
            provider_darken: raw.provider_darken,
            thick_lines: raw.thick_lines,
            large_labels: raw.large_labels,
        };
        Ok((raw.name, theme))
    }

    /// A built-in theme by name.
    pub fn built_in(name: &str) -> Option<Result<Theme, ThemeError>> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Theme::parse(text, &format!("assets/themes/{n}.ron")))
    }

    /// `--theme ARG`: a built-in name, else the path of a theme file.
    /// Returns the name to show (a file's declared name) and the theme.
    pub fn load(arg: &str) -> Result<(String, Theme), ThemeError> {
        if let Some(t) = Theme::built_in(arg) {
            return Ok((arg.to_string(), t?));
        }
        let path = Path::new(arg);
        if !path.exists() {
            return Err(ThemeError::Unknown { name: arg.to_string() });
        }
        // A theme is a few hundred bytes: a device, pipe or huge file is refused, never read whole.
        let io = |message: String| ThemeError::Io {
            file: arg.to_string(),
            message,
        };
        let bytes = crate::document::save::read_regular(path, MAX_THEME_BYTES, true).map_err(|e| match e {
            crate::document::save::ReadError::TooLarge(n) => io(format!(
                "is {n} bytes; a theme file may be at most {MAX_THEME_BYTES} bytes"
            )),
            e => io(e.to_string()),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| io("is not UTF-8 text".into()))?;
        Theme::parse_named(&text, arg)
    }

    /// The three built-in themes with their names, in cycling order.
    pub fn all_built_in() -> Vec<(String, Theme)> {
        BUILT_IN
            .iter()
            .filter_map(|(n, text)| Theme::parse(text, n).ok().map(|t| (n.to_string(), t)))
            .collect()
    }

    /// Same colours, whether or not colour is on (`NO_COLOR`).
    pub fn same_palette(&self, other: &Theme) -> bool {
        Theme { color: true, ..*self } == Theme { color: true, ..*other }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    /// True when the theme paints its own background (light themes).
    pub fn paints_background(&self) -> bool {
        self.color && self.background != Color::Reset
    }

    pub fn provider_color(&self, c: Rgb) -> Option<Color> {
        let d = |v: u8| (u16::from(v) * u16::from(100 - self.provider_darken.min(100)) / 100) as u8;
        let mut c = Rgb(d(c.0), d(c.1), d(c.2));
        // Themes that darken are for light backgrounds: every series stays
        // readable there, however light the provider's own colour.
        if self.provider_darken > 0 {
            c = c.readable_on_white(3.0);
        }
        self.color.then_some(Color::Rgb(c.0, c.1, c.2))
    }

    /// A provider's line, glyph and name.
    pub fn provider(&self, c: Rgb) -> Style {
        match self.provider_color(c) {
            Some(col) => Style::new().fg(col),
            None => Style::new(),
        }
    }

    /// A pinned baseline's ghost line: the provider's colour, faded towards the background.
    pub fn ghost(&self, c: Rgb) -> Style {
        if self.color {
            let off = u16::from(self.ghost_offset);
            let d = |v: u8| (u16::from(v) * 45 / 100 + off).min(255) as u8;
            Style::new().fg(Color::Rgb(d(c.0), d(c.1), d(c.2)))
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn text(&self) -> Style {
        Style::new()
    }

    pub fn dim(&self) -> Style {
        if !self.color {
            Style::new().add_modifier(Modifier::DIM)
        } else if self.paints_background() {
            // On a light background a faint grey would vanish: the colour alone says "secondary".
            Style::new().fg(self.dim)
        } else {
            Style::new().fg(self.dim).add_modifier(Modifier::DIM)
        }
    }

    pub fn border(&self) -> Style {
        self.fg(self.border)
    }

    pub fn focus_border(&self) -> Style {
        self.fg(self.focus_border)
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
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }

    /// The cursor quarter's column in charts.
    pub fn cursor(&self) -> Style {
        if self.color {
            Style::new().fg(self.cursor).bg(self.cursor_background)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn cursor_bg(&self) -> Option<Color> {
        self.color.then_some(self.cursor_background)
    }

    pub fn good(&self) -> Style {
        self.fg(self.good)
    }

    pub fn bad(&self) -> Style {
        self.fg(self.bad)
    }

    pub fn warning(&self) -> Style {
        self.fg(self.warning).add_modifier(Modifier::BOLD)
    }

    /// Gives every cell left at the terminal's default colours the theme's
    /// background and text colour (popups clear their area, so this runs last).
    pub fn paint(&self, buf: &mut ratatui::buffer::Buffer) {
        if !self.paints_background() {
            return;
        }
        for cell in &mut buf.content {
            if cell.bg == Color::Reset {
                cell.bg = self.background;
            }
            if cell.fg == Color::Reset {
                cell.fg = self.text;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dark_file_is_the_constant() {
        assert_eq!(Theme::built_in("dark"), Some(Ok(Theme::COLOR)));
        assert_eq!(Theme::all_built_in().len(), BUILT_IN.len());
    }
}
