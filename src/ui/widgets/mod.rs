//! Drawing: one widget per panel, each reading an `&App` and nothing else.

pub mod chart;
mod controls;
mod dialog;
mod events;
mod fan;
mod footer;
mod header;
mod jobs;
mod league;
mod levers;
mod optimum;
mod overlay;
mod panel;
mod plot;
mod present;
mod tornado;
mod waterfall;

pub use chart::ChartWidget;
pub use controls::{
    ConfirmRemoveWidget, PaletteWidget, ParamsWidget, ProviderNameWidget, TemplatesWidget, ValueInputWidget,
};
pub use dialog::{MessageWidget, NamePromptWidget, PickerWidget, QuestionWidget};
pub use events::EventLogWidget;
pub use footer::FooterWidget;
pub use header::HeaderWidget;
pub use jobs::JobStatusWidget;
pub use league::LeagueWidget;
pub use levers::LeverPanelWidget;
pub use optimum::OptimumWidget;
pub use overlay::{CHARTS_LINE, ConfirmQuitWidget, GlossaryWidget, HelpWidget, TooSmallWidget};
pub use present::{BeatsWidget, PresentWidget, PromptWidget, big_text};
pub use tornado::TornadoWidget;
pub use waterfall::{WaterfallWidget, waterfall_steps};

use super::app::App;
use super::layout::ScreenLayout;
use super::overlay::Overlay;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    render_screen(app, area, frame.buffer_mut());
}

/// Draws the whole screen into `buf` (what [`render`] does, without a `Frame`).
pub fn render_screen(app: &App, area: Rect, buf: &mut Buffer) {
    draw_screen(app, area, buf);
    app.theme().paint(buf);
}

fn draw_screen(app: &App, area: Rect, buf: &mut Buffer) {
    if app.presenting() {
        PresentWidget { app }.render(area, buf);
    } else {
        let Some(l) = ScreenLayout::compute(area, app) else {
            TooSmallWidget { app }.render(area, buf);
            return;
        };
        HeaderWidget { app }.render(l.header, buf);
        LeverPanelWidget { app }.render(l.levers, buf);
        EventLogWidget { app }.render(l.events, buf);
        ChartWidget { app }.render(l.chart, buf);
        JobStatusWidget { app }.render(l.chart, buf);
        LeagueWidget { app }.render(l.league, buf);
        FooterWidget { app }.render(l.footer, buf);
    }
    // The overlays from the bottom up: a message over the picker, the help
    // over the beat list, each drawn over what it was opened on.
    for o in app.overlays().iter() {
        draw_overlay(app, o, area, buf);
    }
}

fn draw_overlay(app: &App, o: &Overlay, area: Rect, buf: &mut Buffer) {
    match o {
        Overlay::Help(_) => HelpWidget { app }.render(area, buf),
        Overlay::Glossary => GlossaryWidget { app }.render(area, buf),
        Overlay::ConfirmQuit => ConfirmQuitWidget { app }.render(area, buf),
        Overlay::Tornado => TornadoWidget { app }.render(area, buf),
        Overlay::Optimum => OptimumWidget { app }.render(area, buf),
        Overlay::Waterfall => WaterfallWidget { app }.render(area, buf),
        Overlay::NamePrompt(_) => NamePromptWidget { app }.render(area, buf),
        Overlay::Picker(_) => PickerWidget { app }.render(area, buf),
        Overlay::Message(_) => MessageWidget { app }.render(area, buf),
        Overlay::ConfirmOverwrite(_) | Overlay::ConfirmOpen | Overlay::Recover(_) | Overlay::Reload => {
            QuestionWidget { app }.render(area, buf)
        }
        Overlay::Beats => BeatsWidget { app }.render(area, buf),
        Overlay::Prompt(_) => PromptWidget { app }.render(area, buf),
        Overlay::Value(_) => ValueInputWidget { app }.render(area, buf),
        Overlay::Palette(_) => PaletteWidget { app }.render(area, buf),
        Overlay::AddProvider(_) => TemplatesWidget { app }.render(area, buf),
        Overlay::ProviderName(_) => ProviderNameWidget { app }.render(area, buf),
        Overlay::ConfirmRemove(_) => ConfirmRemoveWidget { app }.render(area, buf),
        Overlay::Params { .. } => ParamsWidget { app }.render(area, buf),
        // Presentation mode is the screen itself, above.
        Overlay::Present => {}
    }
}

/// Writes `text` at (x, y), clipped to `area`; returns the column after it.
fn put(buf: &mut Buffer, area: Rect, x: u16, y: u16, text: &str, style: Style) -> u16 {
    if y < area.y || y >= area.bottom() || x >= area.right() || x < area.x {
        return x;
    }
    let max = (area.right() - x) as usize;
    if text.chars().all(one_cell) {
        return put_cells(buf, x, y, text, max, style);
    }
    buf.set_stringn(x, y, text, max, style).0
}

/// True for a character that is a whole grapheme and one column wide
/// wherever it stands: printable ASCII and the box-drawing, block, shape,
/// arrow, braille and punctuation characters the dashboard draws with
/// (none of them combines with its neighbours).
pub(crate) fn one_cell(c: char) -> bool {
    matches!(c, ' '..='~' | '·' | '–' | '—' | '•' | '…' | '←'..='⇿' | '─'..='◼' | '⠀'..='⣿' | '✚')
}

/// What `Buffer::set_stringn` does for text of [`one_cell`] characters only,
/// without its grapheme segmentation: one character per cell, at most `max`
/// cells and never beyond the buffer's right edge.
fn put_cells(buf: &mut Buffer, x: u16, y: u16, text: &str, max: usize, style: Style) -> u16 {
    let room = buf.area.right().saturating_sub(x);
    let room = usize::from(room).min(max);
    let mut at = x;
    for c in text.chars().take(room) {
        if let Some(cell) = buf.cell_mut((at, y)) {
            cell.set_char(c).set_style(style);
        }
        at += 1;
    }
    at
}

/// Draws what `Block::bordered().border_style(border).title(top)` with
/// `.title_bottom(bottom.right_aligned())` draws, cell for cell, without
/// first restyling every cell inside (the block's empty style changes
/// nothing there, but visiting them was a tenth of a frame).
fn bordered(buf: &mut Buffer, area: Rect, border: Style, top: &Line<'_>, bottom: Option<&Line<'_>>) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let (left, right) = (area.left(), area.right() - 1);
    let (top_y, bottom_y) = (area.top(), area.bottom() - 1);
    let mut mark = |x: u16, y: u16, symbol: &str| {
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.set_symbol(symbol).set_style(border);
        }
    };
    // The block's order: left, top, right and bottom sides, then the corners.
    for y in top_y..=bottom_y {
        mark(left, y, "│");
    }
    for x in left..=right {
        mark(x, top_y, "─");
    }
    for y in top_y..=bottom_y {
        mark(right, y, "│");
    }
    for x in left..=right {
        mark(x, bottom_y, "─");
    }
    mark(right, bottom_y, "┘");
    mark(right, top_y, "┐");
    mark(left, bottom_y, "└");
    mark(left, top_y, "┌");
    let inside = |y: u16| Rect::new(area.x.saturating_add(1), y, area.width.saturating_sub(2), 1);
    let width = |l: &Line<'_>| l.width().min(usize::from(u16::MAX)) as u16;
    let titles = inside(top_y);
    if !titles.is_empty() {
        let w = width(top);
        top.render(
            Rect {
                width: w.min(titles.width),
                ..titles
            },
            buf,
        );
    }
    if let Some(line) = bottom {
        let titles = inside(bottom_y);
        if !titles.is_empty() {
            let w = width(line);
            let at = Rect {
                x: titles.right().saturating_sub(w).max(titles.left()),
                width: w.min(titles.width),
                ..titles
            };
            line.render(at, buf);
        }
    }
}

pub use levers::value_text;
// Text by display width; `left` and `right` cut and pad to exactly `w` columns.
use crate::text::{fit_left as left, fit_right as right, truncate, wrap};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cell_text_is_written_as_ratatui_writes_it() {
        let every: String = (' '..='\u{2fff}').filter(|&c| one_cell(c)).collect();
        assert!(every.chars().count() > 500, "{}", every.chars().count());
        for c in every.chars() {
            assert_eq!(unicode_width::UnicodeWidthChar::width(c), Some(1), "{c:?}");
        }
        let area = Rect::new(2, 1, 40, 3);
        let chunks: Vec<String> = every
            .chars()
            .collect::<Vec<_>>()
            .chunks(37)
            .map(|c| c.iter().collect())
            .collect();
        for text in chunks
            .iter()
            .map(String::as_str)
            .chain(["", "a", "│ ▸ 30% ·", "x".repeat(80).as_str()])
        {
            for (x, max) in [(2, 40), (10, 5), (41, 1), (30, 100)] {
                let style = Style::new().fg(ratatui::style::Color::Red);
                let mut fast = Buffer::empty(area);
                let mut slow = Buffer::empty(area);
                let end = put_cells(&mut fast, x, 2, text, max, style);
                let (slow_end, _) = slow.set_stringn(x, 2, text, max, style);
                assert_eq!((end, &fast), (slow_end, &slow), "{text:?} at {x}, max {max}");
            }
        }
    }

    #[test]
    fn a_bordered_panel_is_the_block_ratatui_draws() {
        use ratatui::widgets::Block;
        let border = Style::new().fg(ratatui::style::Color::Blue);
        let title = Line::styled(
            " Market share · share of demand ",
            Style::new().fg(ratatui::style::Color::Yellow),
        );
        let note = Line::styled(
            " Δq: since last quarter ",
            Style::new().add_modifier(ratatui::style::Modifier::DIM),
        )
        .right_aligned();
        let screen = Rect::new(0, 0, 60, 12);
        for area in [
            Rect::new(0, 0, 60, 12),
            Rect::new(3, 2, 40, 6),
            Rect::new(5, 5, 20, 3),
            Rect::new(1, 1, 2, 2),
            Rect::new(1, 1, 1, 1),
            Rect::new(50, 10, 30, 5),
            Rect::new(7, 3, 0, 4),
        ] {
            for with_note in [false, true] {
                let mut ours = Buffer::empty(screen);
                let mut theirs = Buffer::empty(screen);
                bordered(&mut ours, area, border, &title, with_note.then_some(&note));
                let mut block = Block::bordered().border_style(border).title(title.clone());
                if with_note {
                    block = block.title_bottom(note.clone());
                }
                block.render(area, &mut theirs);
                assert_eq!(ours, theirs, "{area:?}, note {with_note}");
            }
        }
    }
}
