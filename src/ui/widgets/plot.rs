//! A braille dot grid for line charts: two dots across and four down per
//! cell. Each cell keeps the style of the highest-priority line through it,
//! so current lines draw over baseline ghosts without erasing their dots.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Bit of each dot in a braille cell, indexed [row][column].
const BITS: [[u8; 2]; 4] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]];

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    bits: u8,
    priority: u8,
    style: Style,
}

pub struct DotGrid {
    width: u16,
    height: u16,
    cells: Vec<Cell>,
}

impl DotGrid {
    pub fn new(width: u16, height: u16) -> DotGrid {
        DotGrid {
            width,
            height,
            cells: vec![Cell::default(); usize::from(width) * usize::from(height)],
        }
    }

    /// Dots across.
    pub fn dots_x(&self) -> i32 {
        i32::from(self.width) * 2
    }

    /// Dots down.
    pub fn dots_y(&self) -> i32 {
        i32::from(self.height) * 4
    }

    /// Sets the dot at (x, y), origin top left; dots outside are ignored.
    pub fn dot(&mut self, x: i32, y: i32, style: Style, priority: u8) {
        if x < 0 || y < 0 || x >= self.dots_x() || y >= self.dots_y() {
            return;
        }
        let (cx, cy) = ((x / 2) as usize, (y / 4) as usize);
        let cell = &mut self.cells[cy * usize::from(self.width) + cx];
        cell.bits |= BITS[(y % 4) as usize][(x % 2) as usize];
        if priority >= cell.priority {
            cell.priority = priority;
            cell.style = style;
        }
    }

    /// A straight line between two dots (Bresenham), clipped to the grid.
    pub fn line(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), style: Style, priority: u8) {
        // Far outside the grid (a wild value): clamp so the loop stays short.
        let lim = |v: i32, max: i32| v.clamp(-max, 2 * max);
        let (mut x, mut y) = (lim(x0, self.dots_x()), lim(y0, self.dots_y()));
        let (x1, y1) = (lim(x1, self.dots_x()), lim(y1, self.dots_y()));
        let dx = (x1 - x).abs();
        let dy = -(y1 - y).abs();
        let sx = if x < x1 { 1 } else { -1 };
        let sy = if y < y1 { 1 } else { -1 };
        let mut err = dx + dy;
        loop {
            self.dot(x, y, style, priority);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// Copies the non-empty cells into `buf` at `area`'s top left.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        for cy in 0..self.height.min(area.height) {
            for cx in 0..self.width.min(area.width) {
                let cell = self.cells[usize::from(cy) * usize::from(self.width) + usize::from(cx)];
                if cell.bits == 0 {
                    continue;
                }
                let ch = char::from_u32(0x2800 + u32::from(cell.bits)).unwrap_or(' ');
                if let Some(c) = buf.cell_mut((area.x + cx, area.y + cy)) {
                    c.set_char(ch);
                    c.set_style(cell.style);
                }
            }
        }
    }
}
