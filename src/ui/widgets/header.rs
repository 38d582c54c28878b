//! The top line: scenario, modified marker, cursor quarter, playback, baseline.

use super::{put, truncate};
use crate::ui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct HeaderWidget<'a> {
    pub app: &'a App,
}

impl Widget for HeaderWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let t = app.cursor();
        let play = if app.playing() { "▶ playing" } else { "⏸ paused" };
        let speed = app.speed();
        let speed = if speed < 1.0 {
            format!("{speed} q/s")
        } else {
            format!("{speed:.0} q/s")
        };
        let quarter = sc.quarter_at(t).label();
        let right = format!(
            " {quarter} ({}/{}) │ {play} {speed}{} ",
            t + 1,
            app.run().quarters,
            if app.baseline().is_some() {
                " │ ◧ baseline"
            } else {
                ""
            }
        );
        let right_w = right.chars().count() as u16;
        buf.set_style(area, th.title());
        let mut x = put(buf, area, area.x, area.y, " cloudstrat │ ", th.title());
        let modified = if app.is_modified() { " [modified]" } else { "" };
        let room = area
            .width
            .saturating_sub(x - area.x + right_w + modified.chars().count() as u16 + 1);
        x = put(buf, area, x, area.y, &truncate(&sc.meta.name, room as usize), th.text());
        put(buf, area, x, area.y, modified, th.accent());
        if right_w <= area.width {
            let rx = area.right() - right_w;
            put(buf, area, rx, area.y, &right, th.title());
            // The quarter itself stands out: it is what every panel below shows.
            put(buf, area, rx + 1, area.y, &quarter, th.selected());
        }
    }
}
