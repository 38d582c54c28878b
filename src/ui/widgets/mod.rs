//! Drawing: one widget per panel, each reading an `&App` and nothing else.

pub mod chart;
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
pub use dialog::{MessageWidget, NamePromptWidget, PickerWidget, QuestionWidget};
pub use events::EventLogWidget;
pub use footer::FooterWidget;
pub use header::HeaderWidget;
pub use jobs::JobStatusWidget;
pub use league::LeagueWidget;
pub use levers::LeverPanelWidget;
pub use optimum::OptimumWidget;
pub use overlay::{ConfirmQuitWidget, HelpWidget, TooSmallWidget};
pub use present::{BeatsWidget, PresentWidget, PromptWidget, big_text};
pub use tornado::TornadoWidget;
pub use waterfall::{WaterfallWidget, waterfall_steps};

use super::app::App;
use super::keymap::Mode;
use super::layout::ScreenLayout;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
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
    match app.mode() {
        Mode::Normal => {}
        Mode::Help => {
            if app.help_from() == Mode::Beats {
                BeatsWidget { app }.render(area, buf);
            }
            HelpWidget { app }.render(area, buf)
        }
        Mode::ConfirmQuit => ConfirmQuitWidget { app }.render(area, buf),
        Mode::Tornado => TornadoWidget { app }.render(area, buf),
        Mode::Optimum => OptimumWidget { app }.render(area, buf),
        Mode::Waterfall => WaterfallWidget { app }.render(area, buf),
        Mode::NamePrompt => NamePromptWidget { app }.render(area, buf),
        Mode::Picker => PickerWidget { app }.render(area, buf),
        Mode::Message => {
            // A broken file picked in the list: the message shows over the list.
            PickerWidget { app }.render(area, buf);
            MessageWidget { app }.render(area, buf);
        }
        Mode::ConfirmOverwrite | Mode::ConfirmOpen | Mode::Recover | Mode::Reload => {
            QuestionWidget { app }.render(area, buf)
        }
        Mode::Beats => BeatsWidget { app }.render(area, buf),
        Mode::Prompt => {
            if app.meeting().prompt.as_ref().is_some_and(|p| p.back_to == Mode::Beats) {
                BeatsWidget { app }.render(area, buf);
            }
            PromptWidget { app }.render(area, buf);
        }
        // Presentation mode is the screen itself, above.
        Mode::Present => {}
    }
}

/// Writes `text` at (x, y), clipped to `area`; returns the column after it.
fn put(buf: &mut Buffer, area: Rect, x: u16, y: u16, text: &str, style: Style) -> u16 {
    if y < area.y || y >= area.bottom() || x >= area.right() || x < area.x {
        return x;
    }
    let max = (area.right() - x) as usize;
    buf.set_stringn(x, y, text, max, style).0
}

pub use levers::value_text;
// Text by display width; `left` and `right` cut and pad to exactly `w` columns.
use crate::text::{fit_left as left, fit_right as right, truncate, wrap};
