//! The top line: scenario, the file it is in (or the preset it came from)
//! and whether it is saved, cursor quarter, playback, baseline.

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
        let baseline = if app.baseline().is_some() {
            " │ ◧ baseline"
        } else {
            ""
        };
        let full = format!(
            " {quarter} ({}/{}) │ {play} {speed}{baseline} ",
            t + 1,
            app.run().quarters
        );
        let (_, short_file, state) = file_state(app);
        // On a narrow screen the quarter's count goes before the file's name would.
        let needed = 14 + crate::text::width(&short_file) + state.len() + 4;
        let right = if usize::from(area.width) >= crate::text::width(&full) + needed {
            full
        } else {
            format!(" {quarter} │ {play} {speed}{baseline} ")
        };
        let right_w = right.chars().count() as u16;
        buf.set_style(area, th.title());
        let mut x = put(buf, area, area.x, area.y, " cloudstrat │ ", th.title());
        let (file, short, state) = file_state(app);
        let state = format!(" [{state}]");
        let fixed = x - area.x + right_w + crate::text::width(&state) as u16 + 1;
        // The file and its state stay; the scenario's name gives way first,
        // keeping a few letters (a preset's file part shortens to make room).
        let room = area.width.saturating_sub(fixed) as usize;
        let file = if crate::text::width(&file) + 3 + 12 <= room {
            file
        } else {
            short
        };
        // The name needs " · " and at least four columns; without it the file has the room.
        let with_name = crate::text::width(&file) + 3 + 4 <= room;
        let file = truncate(&file, if with_name { room - 3 } else { room });
        let room = room.saturating_sub(crate::text::width(&file) + 3);
        if with_name {
            x = put(buf, area, x, area.y, &truncate(&sc.meta.name, room), th.text());
            x = put(buf, area, x, area.y, " · ", th.dim());
        }
        x = put(buf, area, x, area.y, &file, th.dim());
        let state_style = if app.is_modified() { th.accent() } else { th.dim() };
        put(buf, area, x, area.y, &state, state_style);
        if right_w <= area.width {
            let rx = area.right() - right_w;
            put(buf, area, rx, area.y, &right, th.title());
            // The quarter itself stands out: it is what every panel below shows.
            put(buf, area, rx + 1, area.y, &quarter, th.selected());
        }
    }
}

/// The open file's name (or "preset NAME"), a shorter form of it for narrow
/// screens, and whether the work on screen is in it: "saved", "modified", or
/// for an untouched preset "unsaved".
pub fn file_state(app: &App) -> (String, String, &'static str) {
    let modified = app.is_modified();
    match app.source() {
        crate::document::Source::File(p) => {
            let name = p
                .file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
            let name = crate::document::clean::one_line(&name);
            (name.clone(), name, if modified { "modified" } else { "saved" })
        }
        crate::document::Source::Preset(name) => (
            format!("preset {name}"),
            crate::document::clean::one_line(name),
            if modified { "modified" } else { "unsaved" },
        ),
    }
}
