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
pub use overlay::{CHARTS_LINE, ConfirmQuitWidget, HelpWidget, TooSmallWidget};
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
    buf.set_stringn(x, y, text, max, style).0
}

pub use levers::value_text;
// Text by display width; `left` and `right` cut and pad to exactly `w` columns.
use crate::text::{fit_left as left, fit_right as right, truncate, wrap};
