//! The best response of the selected provider: the self-chip volume and
//! lock-in that maximize its cumulative profit with every competitor's
//! strategy fixed, the gain over the current settings, and how to apply it.

use super::panel;
use super::{left, put, right, truncate, value_text, wrap};
use crate::ui::analysis::{JobKind, kpi_label};
use crate::ui::app::{App, lever_label};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct OptimumWidget<'a> {
    pub app: &'a App,
}

impl Widget for OptimumWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let inner = panel::frame(app, area, buf, " Best response ", 84, 14);
        if inner.is_empty() {
            return;
        }
        let Some(c) = app.current_optimum() else {
            panel::placeholder(app, buf, inner, JobKind::Optimize, "o");
            return;
        };
        let (req, o) = (&c.request, &c.value);
        let w = inner.width as usize;
        let mut y = inner.y;
        let mut line = |buf: &mut Buffer, text: &str, style| {
            put(buf, inner, inner.x, y, &truncate(text, w), style);
            y += 1;
        };
        line(
            buf,
            &format!(
                "{}, competitors fixed",
                panel::subject(sc, req.provider, req.kpi, req.quarter)
            ),
            th.title(),
        );
        line(buf, "", th.text());
        let name_w = 20usize.min(w / 2);
        let col_w = (w.saturating_sub(name_w) / 2).min(18);
        line(
            buf,
            &format!(
                "{}{}{}",
                left("lever", name_w),
                right("now", col_w),
                right("best", col_w)
            ),
            th.dim(),
        );
        for (r, (_, best)) in o.refs.iter().zip(&o.settings) {
            let now = sc.value_at(*r, req.quarter);
            let keyframed = sc.keyframe_quarters(*r).next().is_some();
            let now = format!("{}{}", value_text(*r, now), if keyframed { " (keyframed)" } else { "" });
            line(
                buf,
                &format!(
                    "{}{}{}",
                    left(&lever_label(*r), name_w),
                    right(&now, col_w),
                    right(&value_text(*r, *best), col_w)
                ),
                th.text(),
            );
        }
        line(buf, "", th.text());
        let gain = o.gain();
        let pct = if o.start.abs() > f64::EPSILON {
            format!(" ({}%)", crate::format::signed(gain / o.start.abs() * 100.0, 0))
        } else {
            String::new()
        };
        let result = format!(
            "{}: {} now → {} at the optimum, gain {}{pct}",
            kpi_label(o.kpi),
            panel::kpi_value(o.kpi, o.start),
            panel::kpi_value(o.kpi, o.best),
            panel::kpi_change(o.kpi, gain)
        );
        for l in wrap(&result, w) {
            line(buf, &l, if gain > 0.0 { th.good() } else { th.text() });
        }
        line(buf, "", th.text());
        let note = if gain > 0.0 {
            "Enter sets these levers for the whole run (their keyframes go) as one change; u undoes it."
        } else {
            "The current settings are already the best found: nothing to gain."
        };
        for l in wrap(note, w) {
            line(buf, &l, th.dim());
        }
    }
}
