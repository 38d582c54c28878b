//! The event log: what the engine reported up to the cursor quarter, newest first.

use super::{put, truncate};
use crate::sim::EventKind;
use crate::ui::app::App;
use crate::ui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

pub struct EventLogWidget<'a> {
    pub app: &'a App,
}

impl Widget for EventLogWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let run = app.run();
        let events: Vec<_> = run.events_until(app.cursor()).collect();
        let title = format!(" Events to {} ", sc.quarter_at(app.cursor()).label());
        let scroll = app.log_scroll().min(events.len().saturating_sub(1));
        let newer = (scroll > 0).then(|| Line::styled(format!(" ↑{scroll} newer "), th.dim()).right_aligned());
        super::bordered(buf, area, th.border(), &Line::styled(title, th.title()), newer.as_ref());
        let inner = crate::ui::layout::inner(area);
        if inner.is_empty() {
            return;
        }
        if events.is_empty() {
            put(buf, inner, inner.x, inner.y, "(none yet)", th.dim());
            return;
        }
        // Each event on as many rows as its message needs, indented under the quarter.
        let indent = 9u16;
        let text_w = inner.width.saturating_sub(indent) as usize;
        let mut y = inner.y;
        for e in events.iter().rev().skip(scroll) {
            if y >= inner.bottom() {
                break;
            }
            let (mark, style) = match e.kind {
                EventKind::ProviderExited { .. } => (theme::EXITED, th.bad()),
                EventKind::KeyframeApplied { .. } => (theme::KEYFRAME, th.accent()),
                EventKind::CeilingBelowCost { .. } | EventKind::PriceWarStarted { .. } => ("!", th.warning()),
                _ => ("·", th.text()),
            };
            let x = put(buf, inner, inner.x, y, &run.quarter(e.at).to_string(), th.dim());
            put(buf, inner, x + 1, y, mark, style);
            let mut lines = if text_w >= 12 {
                super::wrap(&e.message(sc), text_w)
            } else {
                vec![e.message(sc)]
            };
            if lines.is_empty() {
                lines.push(String::new());
            }
            for line in lines {
                if y >= inner.bottom() {
                    break;
                }
                put(buf, inner, inner.x + indent, y, &truncate(&line, text_w), th.text());
                y += 1;
            }
        }
    }
}
