//! How many colours the terminal shows. Themes and providers are 24-bit
//! colours; a terminal that does not say it shows them (`COLORTERM` is
//! `truecolor` or `24bit` where it does) gets each one as the nearest of the
//! xterm 256-colour palette instead, at the last moment: a [`Backend`] that
//! wraps the real one and changes only the colours of the cells it draws.
//! The widgets, the snapshots and `NO_COLOR` know nothing of it.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::Color;
use std::ffi::OsStr;

/// True when `COLORTERM` announces 24-bit colour.
pub fn truecolor(colorterm: Option<&OsStr>) -> bool {
    colorterm
        .and_then(OsStr::to_str)
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "truecolor" | "24bit"))
}

/// The six levels of each channel in the xterm colour cube (indices 16 to 231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The xterm 256-colour index nearest to an RGB colour: the nearest of the
/// colour cube and of the 24 greys (indices 232 to 255).
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| -> usize {
        CUBE.iter()
            .enumerate()
            .min_by_key(|&(_, &c)| (i32::from(c) - i32::from(v)).abs())
            .map_or(0, |(i, _)| i)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (CUBE[ri], CUBE[gi], CUBE[bi]);
    let dist = |(x, y, z): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(x, r) + d(y, g) + d(z, b)
    };
    let avg = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    // Greys are 8, 18, …, 238.
    let grey_i = ((i32::from(avg) - 8 + 5) / 10).clamp(0, 23);
    let grey_v = (8 + grey_i * 10) as u8;
    let cube_index = 16 + 36 * ri + 6 * gi + bi;
    if dist((grey_v, grey_v, grey_v)) < dist(cube) {
        232 + grey_i as u8
    } else {
        cube_index as u8
    }
}

/// `c` as the terminal can show it.
pub fn reduce(c: Color) -> Color {
    match c {
        Color::Rgb(r, g, b) => Color::Indexed(nearest_256(r, g, b)),
        other => other,
    }
}

/// A backend that draws 24-bit colours as their nearest 256-colour index
/// when `truecolor` is false, and passes everything else through.
#[derive(Debug)]
pub struct DepthBackend<B> {
    inner: B,
    truecolor: bool,
}

impl<B> DepthBackend<B> {
    pub fn new(inner: B, truecolor: bool) -> DepthBackend<B> {
        DepthBackend { inner, truecolor }
    }
}

impl<B: Backend> Backend for DepthBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        if self.truecolor {
            return self.inner.draw(content);
        }
        let cells: Vec<(u16, u16, Cell)> = content
            .map(|(x, y, c)| {
                let mut c = c.clone();
                c.fg = reduce(c.fg);
                c.bg = reduce(c.bg);
                c.underline_color = reduce(c.underline_color);
                (x, y, c)
            })
            .collect();
        self.inner.draw(cells.iter().map(|(x, y, c)| (*x, *y, c)))
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;

    #[test]
    fn only_truecolor_or_24bit_announce_24_bit_colour() {
        assert!(truecolor(Some(OsStr::new("truecolor"))));
        assert!(truecolor(Some(OsStr::new("24bit"))));
        assert!(!truecolor(Some(OsStr::new(""))));
        assert!(!truecolor(Some(OsStr::new("yes"))));
        assert!(!truecolor(None));
    }

    #[test]
    fn colours_map_to_the_nearest_of_the_palette() {
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(255, 255, 255), 231);
        assert_eq!(nearest_256(255, 0, 0), 196);
        // Okabe–Ito blue and orange stay blue and orange.
        assert_eq!(nearest_256(0, 114, 178), 16 + 6 + 3);
        assert_eq!(nearest_256(230, 159, 0), 16 + 36 * 4 + 6 * 3);
        // A mid grey is a grey, not a cube colour.
        assert_eq!(nearest_256(128, 128, 128), 244);
        assert_eq!(reduce(Color::Yellow), Color::Yellow);
    }

    #[test]
    fn without_truecolor_the_cells_drawn_carry_indexed_colours() {
        let mut b = DepthBackend::new(TestBackend::new(2, 1), false);
        let mut cell = Cell::default();
        cell.set_symbol("x").set_fg(Color::Rgb(255, 0, 0)).set_bg(Color::Reset);
        b.draw([(0u16, 0u16, &cell)].into_iter()).unwrap();
        let shown = &b.inner.buffer()[(0, 0)];
        assert_eq!(shown.fg, Color::Indexed(196));
        assert_eq!(shown.bg, Color::Reset);
        let mut t = DepthBackend::new(TestBackend::new(2, 1), true);
        t.draw([(0u16, 0u16, &cell)].into_iter()).unwrap();
        assert_eq!(t.inner.buffer()[(0, 0)].fg, Color::Rgb(255, 0, 0));
    }
}
