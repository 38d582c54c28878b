//! The sensitivity tornado: for the selected provider and KPI, each lever and
//! uncertain input moved alone to the low and high ends of its range, as bars
//! around the base value, largest swing first.

use super::panel::{self, BarScale};
use super::{left, put, right, truncate};
use crate::ui::analysis::JobKind;
use crate::ui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct TornadoWidget<'a> {
    pub app: &'a App,
}

/// Rows above the bars: subject, legend, column heads.
const HEAD_ROWS: u16 = 3;

impl Widget for TornadoWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let current = app.current_tornado();
        let bars = current.map_or(0, |c| c.value.bars.len()) as u16;
        let inner = panel::frame(app, area, buf, " Sensitivity ", 112, bars + HEAD_ROWS + 3);
        if inner.is_empty() {
            return;
        }
        let Some(c) = current else {
            panel::placeholder(app, buf, inner, JobKind::Sensitivity, "t");
            return;
        };
        let (req, t) = (&c.request, &c.value);
        let w = inner.width as usize;
        let head = format!(
            "{}: {}",
            panel::subject(sc, req.provider, req.kpi, req.quarter),
            panel::kpi_value(req.kpi, t.base)
        );
        put(buf, inner, inner.x, inner.y, &truncate(&head, w), th.title());
        put(
            buf,
            inner,
            inner.x,
            inner.y + 1,
            &truncate(
                "each input alone at the low and high end of its range · ░ low end  █ high end  │ base",
                w,
            ),
            th.dim(),
        );
        // Columns: name, input range, bar, KPI range. Narrow panels drop the input range.
        let range_text = |b: &crate::analysis::sensitivity::Bar| {
            format!(
                "{} … {}",
                panel::input_value(b.param, b.low_input),
                panel::input_value(b.param, b.high_input)
            )
        };
        let kpi_text = |v: f64| panel::kpi_value(req.kpi, v);
        let widest = |f: &dyn Fn(&crate::analysis::sensitivity::Bar) -> usize| t.bars.iter().map(f).max().unwrap_or(0);
        let kpi_w = widest(&|b| kpi_text(b.low).chars().count() + kpi_text(b.high).chars().count() + 3).clamp(14, 21);
        let name_w = (w * 3 / 10).clamp(10, 30);
        let mut in_w = widest(&|b| range_text(b).chars().count()).clamp(10, if w >= 100 { 24 } else { 15 });
        if w < name_w + in_w + kpi_w + 3 + 10 {
            in_w = 0;
        }
        let gaps = if in_w > 0 { 3 } else { 2 };
        let bar_w = w.saturating_sub(name_w + in_w + kpi_w + gaps);
        let x_in = inner.x + name_w as u16 + 1;
        let x_bar = x_in + in_w as u16 + u16::from(in_w > 0);
        let x_kpi = x_bar + bar_w as u16 + 1;
        let y0 = inner.y + 2;
        put(buf, inner, inner.x, y0, &left("input", name_w), th.dim());
        if in_w > 0 {
            put(buf, inner, x_in, y0, &right("low … high", in_w), th.dim());
        }
        put(buf, inner, x_kpi, y0, &right("KPI low … high", kpi_w), th.dim());

        let scale = BarScale::covering(
            t.bars.iter().flat_map(|b| [b.low, b.high]).chain([t.base]),
            bar_w as u16,
        );
        let style = sc
            .providers
            .get(req.provider)
            .map_or(th.text(), |p| th.provider(p.color));
        let rows = inner.height.saturating_sub(HEAD_ROWS) as usize;
        let shown = if t.bars.len() > rows {
            rows.saturating_sub(1)
        } else {
            t.bars.len()
        };
        for (n, b) in t.bars.iter().take(shown).enumerate() {
            let y = y0 + 1 + n as u16;
            put(
                buf,
                inner,
                inner.x,
                y,
                &left(&panel::input_label(sc, b.param), name_w),
                th.text(),
            );
            if in_w > 0 {
                put(buf, inner, x_in, y, &right(&range_text(b), in_w), th.dim());
            }
            if bar_w > 0 {
                let (base, lo, hi) = (scale.cell(t.base), scale.cell(b.low), scale.cell(b.high));
                for cx in 0..bar_w as u16 {
                    let between = |end: u16| (cx > base && cx <= end) || (cx < base && cx >= end);
                    let (glyph, st) = if cx == base {
                        ("│", th.text())
                    } else if between(hi) {
                        ("█", style)
                    } else if between(lo) {
                        ("░", style)
                    } else {
                        continue;
                    };
                    put(buf, inner, x_bar + cx, y, glyph, st);
                }
            }
            let outcome = format!("{} … {}", kpi_text(b.low), kpi_text(b.high));
            put(buf, inner, x_kpi, y, &right(&outcome, kpi_w), th.text());
        }
        if shown < t.bars.len() {
            let more = format!("+{} more inputs with smaller swings", t.bars.len() - shown);
            put(
                buf,
                inner,
                inner.x,
                y0 + 1 + shown as u16,
                &truncate(&more, w),
                th.dim(),
            );
        }
    }
}
