//! Why did it move: the difference in the selected provider's KPI between the
//! pinned baseline and the current run, split into each changed lever's
//! contribution and drawn as a waterfall — the baseline, one step per lever
//! (largest first), then the current value.

use super::panel::{self, BarScale};
use super::{left, put, right, truncate};
use crate::analysis::attribution::Attribution;
use crate::sim::{ParamAt, ParamRef};
use crate::ui::analysis::JobKind;
use crate::ui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct WaterfallWidget<'a> {
    pub app: &'a App,
}

/// One row of the waterfall: a total (baseline, current) drawn from the
/// axis, or a lever's step from `start` to `end`.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallStep {
    /// The lever; `None` for the totals.
    pub param: Option<ParamRef>,
    pub start: f64,
    pub end: f64,
    pub total: bool,
}

/// The rows drawn: baseline, each part by size (each starting where the
/// previous ended), current.
pub fn waterfall_steps(a: &Attribution) -> Vec<WaterfallStep> {
    let mut parts = a.parts.clone();
    parts.sort_by(|x, y| {
        y.contribution
            .abs()
            .total_cmp(&x.contribution.abs())
            .then_with(|| x.key.cmp(&y.key))
    });
    let mut out = vec![WaterfallStep {
        param: None,
        start: a.base,
        end: a.base,
        total: true,
    }];
    let mut at = a.base;
    for p in parts {
        let c = p.contribution;
        out.push(WaterfallStep {
            param: Some(p.param),
            start: at,
            end: at + c,
            total: false,
        });
        at += c;
    }
    out.push(WaterfallStep {
        param: None,
        start: a.current,
        end: a.current,
        total: true,
    });
    out
}

use panel::{kpi_change as signed, kpi_value as kpi_text};

/// Rows above the steps: subject, totals, method.
const HEAD_ROWS: u16 = 3;

impl Widget for WaterfallWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let current = app.current_attribution();
        let steps = current.map(|c| waterfall_steps(&c.value)).unwrap_or_default();
        let inner = panel::frame(
            app,
            area,
            buf,
            " Why did it move ",
            104,
            steps.len() as u16 + HEAD_ROWS + 4,
        );
        if inner.is_empty() {
            return;
        }
        let Some(c) = current else {
            panel::placeholder(app, buf, inner, JobKind::Attribution, "w");
            return;
        };
        let (req, a) = (&c.request, &c.value);
        let k = req.kpi;
        let w = inner.width as usize;
        let diff = a.current - a.base;
        let subject = panel::subject(sc, req.provider, k, req.quarter);
        put(buf, inner, inner.x, inner.y, &truncate(&subject, w), th.title());
        let head = format!(
            "baseline {} → now {} ({})",
            kpi_text(k, a.base),
            kpi_text(k, a.current),
            signed(k, diff)
        );
        put(buf, inner, inner.x, inner.y + 1, &truncate(&head, w), th.title());
        if a.parts.is_empty() {
            let text = "No lever differs from the baseline: nothing to explain. Change a lever, then press w again.";
            put(buf, inner, inner.x, inner.y + 3, &truncate(text, w), th.dim());
            return;
        }
        let method = match a.method {
            "shapley" => {
                "each changed lever's share (Shapley: its effect averaged over every order of applying the changes)"
            }
            _ => "each changed lever's effect, applied one after another in key order",
        };
        put(buf, inner, inner.x, inner.y + 2, &truncate(method, w), th.dim());

        let name_w = (w * 3 / 10).clamp(10, 32);
        let val_w = 12usize;
        let bar_w = w.saturating_sub(name_w + val_w + 2);
        let x_val = inner.x + name_w as u16 + 1;
        let x_bar = x_val + val_w as u16 + 1;
        // The scale always includes zero, so a bar's length is proportional to the
        // value it stands for and a small change never looks like a large one.
        let scale = BarScale::covering(steps.iter().flat_map(|s| [s.start, s.end]).chain([0.0]), bar_w as u16);
        let rows = inner.height.saturating_sub(HEAD_ROWS + 1) as usize;
        let last = steps.len() - 1;
        // Keep the current total visible when the parts do not all fit.
        let shown_parts = if steps.len() > rows {
            rows.saturating_sub(3)
        } else {
            last - 1
        };
        let mut y = inner.y + HEAD_ROWS;
        for (n, s) in steps.iter().enumerate() {
            if n != 0 && n != last && n > shown_parts {
                if n == shown_parts + 1 {
                    let more = format!("+{} smaller parts", last - 1 - shown_parts);
                    put(buf, inner, inner.x, y, &truncate(&more, w), th.dim());
                    y += 1;
                }
                continue;
            }
            let (label, value, style) = if s.total {
                let label = if n == 0 { "baseline" } else { "now" };
                (label.to_string(), kpi_text(k, s.end), th.title())
            } else {
                let label = s
                    .param
                    .map_or_else(String::new, |r| panel::input_label(sc, ParamAt::base(r)));
                (label, signed(k, s.end - s.start), th.text())
            };
            put(buf, inner, inner.x, y, &left(&label, name_w), style);
            put(buf, inner, x_val, y, &right(&value, val_w), style);
            if bar_w > 0 {
                let (from, to) = if s.total {
                    (0, scale.cell(s.end))
                } else {
                    let (a, b) = (scale.cell(s.start), scale.cell(s.end));
                    (a.min(b), a.max(b))
                };
                let (glyph, st) = match (s.total, s.end >= s.start) {
                    (true, _) => ("█", th.dim()),
                    (false, true) => ("█", th.good()),
                    (false, false) => ("▒", th.bad()),
                };
                for cx in from..=to {
                    put(buf, inner, x_bar + cx, y, glyph, st);
                }
            }
            y += 1;
        }
        let sum: f64 = a.parts.iter().map(|p| p.contribution).sum();
        let parts = match a.parts.len() {
            1 => "1 part".to_string(),
            n => format!("{n} parts add up to"),
        };
        let total = format!(
            "{parts} {} = now − baseline · █ raised it, ▒ lowered it · bars from {}",
            signed(k, sum),
            kpi_text(k, scale.lo)
        );
        put(buf, inner, inner.x, y, &truncate(&total, w), th.dim());
    }
}
