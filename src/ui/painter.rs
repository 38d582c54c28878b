//! Puts the dashboard's frames on the terminal. Each frame is drawn into a
//! buffer of the painter's own, compared with the frame before and only the
//! cells that changed are sent, in the order and with the wide-character
//! handling of ratatui's own `Buffer::diff` (tested against it), but with
//! each cell's cheap fields compared first and no display width looked up for
//! a cell that did not change. The painter holds only what the terminal shows:
//! drawing still reads an `&App` and changes nothing.

use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType};
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// The last frame sent and the one being drawn.
#[derive(Debug, Default)]
pub struct Painter {
    shown: Buffer,
    next: Buffer,
    updates: Vec<(u16, u16, usize)>,
}

impl Painter {
    pub fn new() -> Painter {
        Painter::default()
    }

    /// Draws a frame with `render` and sends what changed. A terminal of a
    /// new size is cleared first and drawn whole.
    pub fn draw<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        render: impl FnOnce(Rect, &mut Buffer),
    ) -> Result<(), B::Error> {
        let size = terminal.size()?;
        let area = Rect::new(0, 0, size.width, size.height);
        if self.next.area != area {
            terminal.backend_mut().clear_region(ClearType::All)?;
            self.shown = Buffer::empty(area);
            self.next = Buffer::empty(area);
        } else {
            self.next.reset();
        }
        render(area, &mut self.next);
        diff(&self.shown, &self.next, &mut self.updates);
        let cells = &self.next.content;
        let updates = self.updates.iter().map(|&(x, y, i)| (x, y, &cells[i]));
        terminal.backend_mut().draw(updates)?;
        terminal.hide_cursor()?;
        terminal.backend_mut().flush()?;
        std::mem::swap(&mut self.shown, &mut self.next);
        Ok(())
    }

    /// Leaves `terminal` knowing what its screen shows, so that drawing on it
    /// with `Terminal::draw` afterwards sends the right difference.
    pub fn hand_over<B: Backend>(&self, terminal: &mut Terminal<B>) {
        if self.shown.area.is_empty() {
            return;
        }
        terminal.current_buffer_mut().clone_from(&self.shown);
        terminal.swap_buffers();
    }
}

/// Modifiers that show on a blank cell (as ratatui counts them).
const VISIBLE_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK)
    .union(Modifier::CROSSED_OUT);

/// `a == b`, the cheap fields first and short symbols compared in place.
fn same(a: &Cell, b: &Cell) -> bool {
    #[allow(deprecated)]
    let skip = a.skip == b.skip;
    if !(a.fg == b.fg
        && a.bg == b.bg
        && a.modifier == b.modifier
        && a.underline_color == b.underline_color
        && a.diff_option == b.diff_option
        && skip)
    {
        return false;
    }
    let (x, y) = (a.symbol().as_bytes(), b.symbol().as_bytes());
    x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p == q)
}

fn is_skip(cell: &Cell) -> bool {
    #[allow(deprecated)]
    let skip = cell.skip;
    matches!(cell.diff_option, CellDiffOption::Skip) || (skip && matches!(cell.diff_option, CellDiffOption::None))
}

/// A cell's width in columns, as ratatui measures it.
fn width(cell: &Cell) -> usize {
    match cell.diff_option {
        CellDiffOption::ForcedWidth(w) => usize::from(w.get()),
        _ => {
            let s = cell.symbol();
            if s.len() == 1 {
                1
            } else {
                let marks = s.chars().filter(|c| matches!(c, '\u{FF9E}' | '\u{FF9F}')).count();
                (UnicodeWidthStr::width(s) + marks).min(usize::from(u16::MAX))
            }
        }
    }
}

/// The cells to send to turn `prev` into `next`, as (x, y, index into
/// `next`): what ratatui's `Buffer::diff` yields, computed again.
fn diff(prev: &Buffer, next: &Buffer, out: &mut Vec<(u16, u16, usize)>) {
    out.clear();
    let (p, n) = (&prev.content, &next.content);
    let len = p.len().min(n.len());
    let w = usize::from(next.area.width.max(1));
    let (ax, ay) = (usize::from(next.area.x), usize::from(next.area.y));
    let at = |i: usize| ((i % w + ax) as u16, (i / w + ay) as u16, i);
    let mut i = 0;
    while i < len {
        let (cur, old) = (&n[i], &p[i]);
        // The common case first: an unchanged cell of one byte is one column.
        if cur.diff_option == CellDiffOption::None && same(cur, old) && cur.symbol().len() == 1 && !is_skip(cur) {
            i += 1;
            continue;
        }
        let here = i;
        i += 1;
        match cur.diff_option {
            CellDiffOption::Skip => {}
            _ if is_skip(cur) => {}
            CellDiffOption::ForcedWidth(fw) => {
                i = i.saturating_add(usize::from(fw.get()).saturating_sub(1));
                if !same(cur, old) {
                    out.push(at(here));
                }
            }
            CellDiffOption::None | CellDiffOption::AlwaysUpdate => {
                let cw = width(cur);
                if matches!(cur.diff_option, CellDiffOption::None) && same(cur, old) {
                    i += cw.saturating_sub(1);
                    continue;
                }
                let pw = width(old);
                let vs16 = cw > 1 && cur.symbol().chars().any(|c| c == '\u{FE0F}');
                out.push(at(here));
                if vs16 {
                    i = trailing(p, n, here + 1, (here + cw).min(len), false, len, &at, out);
                } else if cw > 1 {
                    i += cw - 1;
                } else if pw > cw && (old.bg != Color::Reset || old.modifier.intersects(VISIBLE_ON_BLANK)) {
                    i = trailing(p, n, here + 1, here + pw, true, len, &at, out);
                }
            }
        }
    }
}

/// The trailing cells after a wide character, from `from` to `end`: all of
/// them when `force`, else those whose symbol changed. Returns where the
/// scan resumes.
#[allow(clippy::too_many_arguments)]
fn trailing(
    p: &[Cell],
    n: &[Cell],
    from: usize,
    end: usize,
    force: bool,
    len: usize,
    at: &impl Fn(usize) -> (u16, u16, usize),
    out: &mut Vec<(u16, u16, usize)>,
) -> usize {
    let (mut j, mut end) = (from, end);
    // (ratatui's own loop would read past the last cell here; this one stops.)
    while j < end.min(len) {
        let k = j;
        j += width(&n[k]).max(1);
        end = end.max(j).min(len);
        if !is_skip(&n[k]) && (force || p[k].symbol() != n[k].symbol()) {
            out.push(at(k));
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    /// A buffer of pseudo-random cells: narrow, wide, emoji with VS16,
    /// styled, skipped and forced-width ones, as `seed` picks them.
    fn random(area: Rect, seed: u64, density: u64) -> Buffer {
        let mut buf = Buffer::empty(area);
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 33
        };
        let symbols = ["a", "b", " ", "─", "⣿", "界", "😀", "❤\u{fe0f}", "é", "ﾞ"];
        let styles = [
            Style::new(),
            Style::new().fg(Color::Red),
            Style::new().bg(Color::Blue),
            Style::new().add_modifier(Modifier::REVERSED),
        ];
        for y in area.top()..area.bottom() {
            let mut x = area.left();
            while x < area.right() {
                if next() % 100 >= density {
                    x += 1;
                    continue;
                }
                let sym = symbols[(next() % symbols.len() as u64) as usize];
                let style = styles[(next() % styles.len() as u64) as usize];
                let w = UnicodeWidthStr::width(sym).max(1) as u16;
                if x + w > area.right() {
                    break;
                }
                buf.set_string(x, y, sym, style);
                match next() % 40 {
                    0 => {
                        buf[(x, y)].set_diff_option(CellDiffOption::Skip);
                    }
                    1 => {
                        buf[(x, y)].set_diff_option(CellDiffOption::AlwaysUpdate);
                    }
                    2 => {
                        buf[(x, y)].set_diff_option(CellDiffOption::ForcedWidth(std::num::NonZeroU16::MIN));
                    }
                    _ => {}
                }
                x += w;
            }
        }
        buf
    }

    #[test]
    fn the_cells_sent_are_those_ratatui_sends() {
        let area = Rect::new(3, 2, 23, 7);
        let mut out = Vec::new();
        for seed in 0..400u64 {
            let prev = random(area, seed, 10 + seed % 90);
            let next = if seed % 5 == 0 {
                prev.clone()
            } else {
                random(area, seed * 7 + 1, 10 + (seed * 3) % 90)
            };
            diff(&prev, &next, &mut out);
            let ours: Vec<(u16, u16, &Cell)> = out.iter().map(|&(x, y, i)| (x, y, &next.content[i])).collect();
            assert_eq!(ours, prev.diff(&next), "seed {seed}");
        }
    }

    #[test]
    fn the_terminal_shows_what_ratatui_would_show_it_and_a_new_size_redraws() {
        use ratatui::backend::TestBackend;
        let mut ours = Terminal::new(TestBackend::new(12, 3)).expect("test terminal");
        let mut theirs = Terminal::new(TestBackend::new(12, 3)).expect("test terminal");
        let mut painter = Painter::new();
        let words = ["hello", "help", "界 wide", "x", "😀😀 ok", "", "a界b"];
        for (k, word) in words.iter().enumerate() {
            if k == 5 {
                ours.backend_mut().resize(8, 2);
                theirs.backend_mut().resize(8, 2);
            }
            let draw = |area: Rect, buf: &mut Buffer| {
                buf.set_string(area.x + 1, area.y + 1, word, Style::new().fg(Color::Green));
            };
            painter.draw(&mut ours, draw).expect("draw");
            theirs.draw(|f| draw(f.area(), f.buffer_mut())).expect("draw");
            assert_eq!(ours.backend().buffer(), theirs.backend().buffer(), "{word}");
        }
        // Handed back, the terminal draws on from what the painter showed.
        painter.hand_over(&mut ours);
        for t in [&mut ours, &mut theirs] {
            t.draw(|f| f.buffer_mut().set_string(0, 0, "z", Style::new()))
                .expect("draw");
        }
        assert_eq!(ours.backend().buffer(), theirs.backend().buffer());
    }
}
