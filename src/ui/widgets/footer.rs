//! The bottom line: a status message, then key hints from the keymap.

use super::put;
use crate::ui::app::App;
use crate::ui::keymap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct FooterWidget<'a> {
    pub app: &'a App,
}

impl Widget for FooterWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let th = self.app.theme();
        let mut x = area.x;
        if let Some(msg) = self.app.status() {
            x = put(buf, area, x, area.y, &format!(" {msg} "), th.selected());
            x = put(buf, area, x, area.y, " ", th.text());
        }
        let mode = self.app.mode();
        for (keys, label) in keymap::hints(mode) {
            // What ←→ will really do, given the lever's keyframes and the cursor.
            let label = if mode == keymap::Mode::Normal && label == "adjust" {
                self.app.adjust_hint()
            } else {
                label.to_string()
            };
            let w = (keys.chars().count() + label.chars().count() + 3) as u16;
            if x + w > area.right() {
                break;
            }
            x = put(buf, area, x, area.y, " ", th.text());
            x = put(buf, area, x, area.y, &keys, th.title());
            x = put(buf, area, x, area.y, &format!(" {label} "), th.dim());
        }
    }
}
