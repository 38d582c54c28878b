//! Monte Carlo fan bands behind a chart's lines: p5 to p95 light, p25 to p75
//! darker, and the median as a dotted line.
//!
//! Every provider's bands tint the cells' background (in colour); the selected
//! provider's are also drawn as shading glyphs (`░`, `▒`) in empty cells, so
//! they read without colour too. Only percentiles of the scenario as it is now
//! reach here; the chart asks `App::fresh_fan`.

use crate::analysis::Kpi;
use crate::analysis::montecarlo::McResult;
use crate::sim::Metric;
use crate::sim::Rgb;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

/// Light shading: between p5 and p95.
pub const OUTER: &str = "░";
/// Darker shading: between p25 and p75.
pub const INNER: &str = "▒";

/// One provider's percentiles per quarter, in the chart's axis units
/// (log10 on the price chart); `None` where the axis cannot show them.
pub struct Fan {
    pub series: Vec<Vec<Option<[f64; 5]>>>,
}

impl Fan {
    /// The bands of `tab` from `mc`; `log` when the axis is log10.
    pub fn new(mc: &McResult, tab: Metric, log: bool) -> Fan {
        let kpi = Kpi::from(tab);
        let series = (0..mc.providers)
            .map(|i| {
                (0..mc.quarters)
                    .map(|t| {
                        let p = mc.get(t, i, kpi);
                        if log {
                            p.iter().all(|v| *v > 0.0 && v.is_finite()).then(|| p.map(f64::log10))
                        } else {
                            p.iter().all(|v| v.is_finite()).then_some(p)
                        }
                    })
                    .collect()
            })
            .collect();
        Fan { series }
    }

    /// Drops every quarter after `t`: the bands end where the lines do.
    pub fn cut_after(&mut self, t: u32) {
        for s in &mut self.series {
            s.iter_mut().skip(t as usize + 1).for_each(|q| *q = None);
        }
    }

    /// Every value the bands reach, for the y range.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.series.iter().flatten().flatten().flat_map(|p| [p[0], p[4]])
    }

    /// Provider `i`'s percentiles at fractional quarter `tf`, interpolated.
    fn at(&self, i: usize, tf: f64) -> Option<[f64; 5]> {
        let s = self.series.get(i)?;
        let last = s.len().checked_sub(1)?;
        let t0 = (tf.floor().max(0.0) as usize).min(last);
        let t1 = (t0 + 1).min(last);
        let (a, b) = (s[t0]?, s[t1]?);
        let f = (tf - t0 as f64).clamp(0.0, 1.0);
        Some(std::array::from_fn(|k| a[k] + (b[k] - a[k]) * f))
    }

    /// Paints the bands into `plot`, whose rows span `[lo, hi]` and whose
    /// columns span `n` quarters. `colors` are the providers' colours.
    #[allow(clippy::too_many_arguments)]
    pub fn paint(
        &self,
        buf: &mut Buffer,
        plot: Rect,
        lo: f64,
        hi: f64,
        n: u32,
        selected: usize,
        colors: &[Rgb],
        th: Theme,
    ) {
        if plot.is_empty() || n < 2 || hi <= lo {
            return;
        }
        let dots_y = f64::from(plot.height) * 4.0;
        let span_x = f64::from(plot.width) * 2.0 - 1.0;
        // Value at dot row `d` (the inverse of the chart's `to_y`).
        let value = |d: f64| hi - d / (dots_y - 1.0).max(1.0) * (hi - lo);
        for cx in 0..plot.width {
            let tf = (f64::from(cx) * 2.0 + 0.5) / span_x.max(1.0) * f64::from(n - 1);
            for cy in 0..plot.height {
                // The cell's value interval: its top and bottom dot rows.
                let top = value(f64::from(cy) * 4.0);
                let bottom = value(f64::from(cy) * 4.0 + 3.0);
                let overlaps = |a: f64, b: f64| b > a && a <= top && b >= bottom;
                let band = |i: usize| -> Option<bool> {
                    let p = self.at(i, tf)?;
                    if overlaps(p[1], p[3]) {
                        Some(true)
                    } else if overlaps(p[0], p[4]) {
                        Some(false)
                    } else {
                        None
                    }
                };
                // The selected provider's band wins, then the inner band of anyone.
                let order = std::iter::once(selected).chain((0..self.series.len()).filter(|&i| i != selected));
                let mut chosen: Option<(usize, bool)> = None;
                for i in order {
                    match (band(i), chosen) {
                        (Some(inner), None) => chosen = Some((i, inner)),
                        (Some(true), Some((c, false))) if c != selected => chosen = Some((i, true)),
                        _ => {}
                    }
                }
                let Some((i, inner)) = chosen else { continue };
                let Some(cell) = buf.cell_mut((plot.x + cx, plot.y + cy)) else {
                    continue;
                };
                let color = colors.get(i).copied();
                if let (true, Some(c)) = (th.color, color) {
                    cell.set_bg(tint(c, if inner { 0.34 } else { 0.17 }));
                }
                if i == selected && cell.symbol() == " " {
                    cell.set_symbol(if inner { INNER } else { OUTER });
                    let style = match (th.color, color) {
                        (true, Some(c)) => Style::new().fg(tint(c, 0.6)),
                        _ => Style::new().add_modifier(Modifier::DIM),
                    };
                    cell.set_style(style);
                }
            }
        }
    }
}

/// `c` darkened towards black: `k` = 1 keeps it, 0 is black.
fn tint(c: Rgb, k: f64) -> Color {
    let f = |v: u8| (f64::from(v) * k).round().clamp(0.0, 255.0) as u8;
    Color::Rgb(f(c.0), f(c.1), f(c.2))
}
