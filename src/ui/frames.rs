//! Frames to the terminal: each frame is drawn into a buffer kept here and
//! compared with the previous one here, and only the cells that changed go
//! to the backend. This is what `Terminal::draw` does, with the same cells
//! sent in the same order (a test holds it to ratatui's own comparison), but
//! cheaper: ratatui measures the display width of every cell, and most cells
//! hold one narrow character whose width needs no lookup.

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

/// The last frame sent and the one being drawn.
#[derive(Debug)]
pub struct Frames {
    /// `None` until the first frame, which goes through ratatui: it knows
    /// what the terminal shows already.
    last: Option<Buffer>,
    next: Buffer,
}

impl Default for Frames {
    fn default() -> Self {
        Frames::new()
    }
}

impl Frames {
    pub fn new() -> Frames {
        Frames {
            last: None,
            next: Buffer::empty(Rect::ZERO),
        }
    }

    /// Draws one frame with `render` and sends what changed. A terminal
    /// that changed size is cleared first and drawn in full, as
    /// `Terminal::draw` does; the cursor stays hidden.
    pub fn draw<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        render: impl FnOnce(Rect, &mut Buffer),
    ) -> Result<(), B::Error> {
        let Some(last) = self.last.as_mut() else {
            let done = terminal.draw(|f| {
                let area = f.area();
                render(area, f.buffer_mut());
            })?;
            self.next = Buffer::empty(done.buffer.area);
            self.last = Some(done.buffer.clone());
            return Ok(());
        };
        terminal.autoresize()?;
        let area = terminal.get_frame().area();
        if area != last.area {
            // What the terminal shows is blank: the resize cleared it.
            *last = Buffer::empty(area);
            self.next = Buffer::empty(area);
        }
        render(area, &mut self.next);
        terminal.backend_mut().draw(changes(last, &self.next).into_iter())?;
        terminal.hide_cursor()?;
        std::mem::swap(last, &mut self.next);
        self.next.reset();
        terminal.backend_mut().flush()
    }

    /// Tells `terminal` which frame it shows, so that drawing through it
    /// afterwards (`Terminal::draw`) compares with that frame.
    pub fn hand_back<B: Backend>(self, terminal: &mut Terminal<B>) {
        if let Some(mut last) = self.last
            && last.area == terminal.get_frame().area()
        {
            std::mem::swap(terminal.current_buffer_mut(), &mut last);
            terminal.swap_buffers();
        }
    }

    /// The frame last sent.
    pub fn last(&self) -> Option<&Buffer> {
        self.last.as_ref()
    }
}

/// Modifiers that show on a blank cell, so a wide character's trailing
/// columns must be redrawn when it gives way to a narrow one.
const SHOWS_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK)
    .union(Modifier::CROSSED_OUT);

/// True for a cell the comparison passes over.
#[allow(deprecated)] // `skip` is still honoured by ratatui's comparison.
fn passed_over(c: &Cell) -> bool {
    match c.diff_option {
        CellDiffOption::Skip => true,
        CellDiffOption::None => c.skip,
        _ => false,
    }
}

/// `a == b`, comparing the cheap fields first and short symbols byte by
/// byte (most cells are equal, so every field is usually compared).
fn same(a: &Cell, b: &Cell) -> bool {
    same_style(a, b) && same_text(a.symbol().as_bytes(), b.symbol().as_bytes())
}

/// [`same`] but for the symbol.
#[allow(deprecated)] // `skip` is part of a cell's equality.
fn same_style(a: &Cell, b: &Cell) -> bool {
    same_color(a.fg, b.fg)
        && same_color(a.bg, b.bg)
        && a.modifier == b.modifier
        && same_color(a.underline_color, b.underline_color)
        && a.diff_option == b.diff_option
        && a.skip == b.skip
}

/// `a == b`, with the themes' 24-bit colours and the default compared inline.
fn same_color(a: Color, b: Color) -> bool {
    match (a, b) {
        (Color::Rgb(r, g, b), Color::Rgb(x, y, z)) => (r, g, b) == (x, y, z),
        (Color::Reset, Color::Reset) => true,
        (Color::Rgb(..) | Color::Reset, _) | (_, Color::Rgb(..) | Color::Reset) => false,
        _ => a == b,
    }
}

#[inline]
fn same_text(a: &[u8], b: &[u8]) -> bool {
    match (a, b) {
        ([x], [y]) => x == y,
        ([x0, x1, x2], [y0, y1, y2]) => (x0, x1, x2) == (y0, y1, y2),
        _ => a == b,
    }
}

/// Columns a cell takes: ASCII and the one-column characters the dashboard
/// draws with are counted without a lookup.
fn columns(c: &Cell) -> usize {
    if let CellDiffOption::ForcedWidth(w) = c.diff_option {
        return usize::from(w.get());
    }
    let s = c.symbol();
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) if super::widgets::one_cell(ch) => 1,
        _ => usize::from(s.cell_width()),
    }
}

/// The cells of `next` to send, with their places, when the terminal shows
/// `last`: every cell that differs, and around wide characters the trailing
/// columns a terminal may leave stale (the rules of ratatui's
/// `Buffer::diff`).
pub fn changes<'a>(last: &Buffer, next: &'a Buffer) -> Vec<(u16, u16, &'a Cell)> {
    let (old, new) = (&last.content, &next.content);
    let len = old.len().min(new.len());
    let width = usize::from(next.area.width.max(1));
    let place = |i: usize| ((i % width) as u16 + next.area.x, (i / width) as u16 + next.area.y);
    let mut out = Vec::new();
    let mut i = 0;
    while i < len {
        let (n, o) = (&new[i], &old[i]);
        if passed_over(n) {
            i += 1;
            continue;
        }
        if let CellDiffOption::ForcedWidth(w) = n.diff_option {
            if !same(n, o) {
                let (x, y) = place(i);
                out.push((x, y, n));
            }
            i += usize::from(w.get()).max(1);
            continue;
        }
        let text = n.symbol();
        if n.diff_option == CellDiffOption::None
            && same_style(n, o)
            && same_text(text.as_bytes(), o.symbol().as_bytes())
        {
            // An ASCII symbol is one column wide.
            i += if text.len() == 1 { 1 } else { columns(n).max(1) };
            continue;
        }
        let w = columns(n);
        let (x, y) = place(i);
        out.push((x, y, n));
        if w > 1 && n.symbol().contains('\u{FE0F}') {
            // An emoji shown as a picture: its trailing columns are sent
            // where their text changed.
            i = trailing(new, old, i + 1, (i + w).min(len), len, false, &place, &mut out);
        } else if w > 1 {
            i += w;
        } else if columns(o) > w && (o.bg != Color::Reset || o.modifier.intersects(SHOWS_ON_BLANK)) {
            // A wide character with a visible style gave way to a narrow
            // one: its trailing columns are all sent again.
            i = trailing(new, old, i + 1, i + columns(o), len, true, &place, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Sends the trailing cells from `from` to `end` (stepping over wide ones,
/// which may push `end` on, never beyond `len`): all of them when `all`,
/// else those whose symbol changed. Returns where the comparison goes on.
#[allow(clippy::too_many_arguments)]
fn trailing<'a>(
    new: &'a [Cell],
    old: &[Cell],
    from: usize,
    mut end: usize,
    len: usize,
    all: bool,
    place: &impl Fn(usize) -> (u16, u16),
    out: &mut Vec<(u16, u16, &'a Cell)>,
) -> usize {
    let mut j = from;
    while j < end && j < len {
        let c = &new[j];
        let at = j;
        j += columns(c).max(1);
        end = end.max(j).min(len);
        if !passed_over(c) && (all || old[at].symbol() != c.symbol()) {
            let (x, y) = place(at);
            out.push((x, y, c));
        }
    }
    end.max(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;
    use std::num::NonZeroU16;

    /// A buffer of `w`×`h` cells filled from a fixed generator: narrow and
    /// wide characters, emoji with and without VS16, box and braille
    /// characters, styles that show on blanks, skipped and forced cells.
    fn buffer(seed: &mut u64, w: u16, h: u16, sparse: bool) -> Buffer {
        const SYMBOLS: [&str; 14] = [
            " ",
            "a",
            "Z",
            "─",
            "│",
            "⣿",
            "⠁",
            "·",
            "世",
            "界",
            "❤\u{FE0F}",
            "👍",
            "e\u{301}",
            "ﾊﾞ",
        ];
        let mut next = || {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (*seed >> 33) as usize
        };
        let mut b = Buffer::empty(Rect::new(3, 2, w, h));
        for y in 0..h {
            for x in 0..w {
                if sparse && next() % 4 != 0 {
                    continue;
                }
                let mut sym = SYMBOLS[next() % SYMBOLS.len()];
                if (x + 1, y + 1) == (w, h) && sym.cell_width() > 1 {
                    // ratatui's comparison indexes past the end after a
                    // wide last cell; a frame never ends with one.
                    sym = "a";
                }
                let mut style = Style::new();
                match next() % 6 {
                    0 => style = style.bg(Color::Blue),
                    1 => style = style.add_modifier(Modifier::REVERSED),
                    2 => style = style.fg(Color::Rgb(1, 2, 3)),
                    _ => {}
                }
                if let Some(c) = b.cell_mut((3 + x, 2 + y)) {
                    c.set_symbol(sym).set_style(style);
                    match next() % 40 {
                        0 => {
                            c.set_diff_option(CellDiffOption::Skip);
                        }
                        1 => {
                            c.set_diff_option(CellDiffOption::AlwaysUpdate);
                        }
                        2 if (x + 1, y + 1) != (w, h) => {
                            c.set_diff_option(CellDiffOption::ForcedWidth(
                                NonZeroU16::new(1 + (next() % 3) as u16).unwrap_or(NonZeroU16::MIN),
                            ));
                        }
                        #[allow(deprecated)]
                        3 => c.skip = true,
                        _ => {}
                    }
                }
            }
        }
        b
    }

    /// A [`buffer`] of `area`'s size placed at `area`.
    fn buffer_at(seed: &mut u64, area: Rect, sparse: bool) -> Buffer {
        let b = buffer(seed, area.width, area.height, sparse);
        Buffer {
            area,
            content: b.content,
        }
    }

    #[test]
    fn the_cells_sent_are_those_ratatui_sends() {
        let mut seed = 7;
        for round in 0..3000 {
            let (w, h) = (1 + (round % 13) as u16, 1 + (round % 5) as u16);
            let last = buffer(&mut seed, w, h, round % 3 == 0);
            let next = buffer(&mut seed, w, h, round % 2 == 0);
            assert_eq!(changes(&last, &next), last.diff(&next), "round {round}");
            for (a, b) in [(Color::Reset, Color::Reset), (Color::Rgb(1, 2, 3), Color::Indexed(1))]
                .into_iter()
                .chain([Color::Rgb(1, 2, 3), Color::Rgb(1, 2, 4), Color::Blue, Color::Indexed(4)].map(|c| (c, c)))
                .chain([(Color::Blue, Color::Indexed(4)), (Color::Indexed(4), Color::Indexed(5))])
                .chain([(Color::Reset, Color::Black), (Color::Rgb(0, 0, 0), Color::Black)])
            {
                assert_eq!(same_color(a, b), a == b, "{a:?} {b:?}");
                assert_eq!(same_color(b, a), a == b, "{b:?} {a:?}");
            }
            for (a, b) in last
                .content
                .iter()
                .zip(&next.content)
                .chain(next.content.iter().zip(&next.content))
            {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
            // The same frame again: nothing to send but what always is.
            assert_eq!(changes(&next, &next), next.diff(&next), "round {round}, unchanged");
        }
    }

    #[test]
    fn a_frame_is_what_terminal_draw_sends() {
        use ratatui::backend::TestBackend;
        let mut seed = 11;
        let mut theirs = Terminal::new(TestBackend::new(30, 8)).unwrap();
        let mut ours = Terminal::new(TestBackend::new(30, 8)).unwrap();
        let mut frames = Frames::new();
        for round in 0..40 {
            if round == 20 {
                theirs.backend_mut().resize(24, 6);
                ours.backend_mut().resize(24, 6);
            }
            let area = theirs.size().map(|s| Rect::new(0, 0, s.width, s.height)).unwrap();
            let frame = buffer_at(&mut seed, area, round % 2 == 0);
            theirs.draw(|f| f.buffer_mut().merge(&frame)).unwrap();
            frames.draw(&mut ours, |_, buf| buf.merge(&frame)).unwrap();
            assert_eq!(ours.backend().buffer(), theirs.backend().buffer(), "round {round}");
            assert_eq!(frames.last(), Some(&frame), "round {round}");
        }
        // Drawing through ratatui afterwards compares with the frame shown.
        frames.hand_back(&mut ours);
        for round in 0..3 {
            let area = theirs.size().map(|s| Rect::new(0, 0, s.width, s.height)).unwrap();
            let frame = buffer_at(&mut seed, area, true);
            theirs.draw(|f| f.buffer_mut().merge(&frame)).unwrap();
            ours.draw(|f| f.buffer_mut().merge(&frame)).unwrap();
            assert_eq!(
                ours.backend().buffer(),
                theirs.backend().buffer(),
                "after, round {round}"
            );
        }
    }

    #[test]
    fn the_first_frame_compares_with_what_ratatui_drew_before() {
        use ratatui::backend::TestBackend;
        let mut seed = 5;
        let mut theirs = Terminal::new(TestBackend::new(20, 6)).unwrap();
        let mut ours = Terminal::new(TestBackend::new(20, 6)).unwrap();
        let area = Rect::new(0, 0, 20, 6);
        let before = buffer_at(&mut seed, area, false);
        theirs.draw(|f| f.buffer_mut().merge(&before)).unwrap();
        ours.draw(|f| f.buffer_mut().merge(&before)).unwrap();
        let mut frames = Frames::new();
        for round in 0..4 {
            let frame = buffer_at(&mut seed, area, true);
            theirs.draw(|f| f.buffer_mut().merge(&frame)).unwrap();
            frames.draw(&mut ours, |_, buf| buf.merge(&frame)).unwrap();
            assert_eq!(ours.backend().buffer(), theirs.backend().buffer(), "round {round}");
        }
    }
}
