//! The chart panel: tabs, one line per provider over the whole horizon, the
//! baseline's ghosts, the cursor quarter, the selected lever's keyframes on
//! the time axis, and a legend.

use super::fan::Fan;
use super::plot::DotGrid;
use super::{put, right, truncate};
use crate::format::{self, nice_step};
use crate::sim::Metric;
use crate::sim::metric::series_until_exit;
use crate::sim::{ProviderQuarter, Run};
use crate::ui::app::App;
use crate::ui::layout::{self, ChartGeometry, quarter_column, quarter_dot_x};
use crate::ui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Widget;

pub struct ChartWidget<'a> {
    pub app: &'a App,
}

/// How a tab's y axis is scaled and labelled.
#[derive(Clone, Copy)]
enum Axis {
    /// From zero (or below, if values go negative), labelled by `fmt`.
    Linear(fn(f64) -> String),
    /// Decades, for prices that fall a hundredfold.
    Log10,
}

fn axis(tab: Metric) -> Axis {
    match tab {
        Metric::Share | Metric::SelfChipShare => Axis::Linear(format::pct_axis),
        Metric::PriceCost => Axis::Log10,
        Metric::OperatingProfit | Metric::Cash => Axis::Linear(format::musd_axis),
        Metric::Ecosystem => Axis::Linear(format::points_axis),
    }
}

/// One provider's values over the run, ending where every chart ends an
/// exiting provider's line (see [`series_until_exit`]); `None` also where a
/// log axis cannot show the value.
fn series(run: &Run, i: usize, tab: Metric, f: impl Fn(&ProviderQuarter) -> f64) -> Vec<Option<f64>> {
    series_until_exit(run, i, f)
        .into_iter()
        .map(|v| match axis(tab) {
            Axis::Log10 => v.filter(|v| *v > 0.0 && v.is_finite()).map(f64::log10),
            Axis::Linear(_) => v.filter(|v| v.is_finite()),
        })
        .collect()
}

/// Whose line a series is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Whose {
    Provider(usize),
    /// The share of demand nobody served (share chart only).
    Unserved,
}

/// One line on the chart.
struct Series {
    whose: Whose,
    values: Vec<Option<f64>>,
    dashed: bool,
}

impl Series {
    fn cut_after(&mut self, t: u32) {
        self.values.iter_mut().skip(t as usize + 1).for_each(|v| *v = None);
    }
}

/// The lines of one run: a line per provider (and a dashed cost line on the
/// price chart), and the unserved share on the share chart.
fn lines(run: &Run, tab: Metric) -> Vec<Series> {
    let mut out = Vec::new();
    for i in 0..run.providers {
        let whose = Whose::Provider(i);
        out.push(Series {
            whose,
            values: series(run, i, tab, |r| tab.raw(r)),
            dashed: false,
        });
        if tab == Metric::PriceCost {
            out.push(Series {
                whose,
                values: series(run, i, tab, |r| r.cost_usd_per_mtok),
                dashed: true,
            });
        }
    }
    if let Some(values) = tab.unserved(run) {
        // This chart's share axis is in fractions, like the providers' lines.
        let values = values.into_iter().map(|v| v.map(|v| v / 100.0)).collect();
        out.push(Series {
            whose: Whose::Unserved,
            values,
            dashed: true,
        });
    }
    out
}

/// Y range and tick values for the visible data.
fn y_range(values: impl Iterator<Item = f64>, ax: Axis, rows: u16) -> (f64, f64, Vec<f64>) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    match ax {
        Axis::Log10 => {
            if !lo.is_finite() {
                (lo, hi) = (-1.0, 2.0);
            }
            let lo = lo.floor();
            let hi = hi.ceil().max(lo + 1.0);
            let every = ((hi - lo) / f64::from(rows.max(1) / 2).max(1.0)).ceil().max(1.0);
            let ticks = (0..=((hi - lo) / every) as i32)
                .map(|k| lo + f64::from(k) * every)
                .collect();
            (lo, hi, ticks)
        }
        Axis::Linear(_) => {
            if !lo.is_finite() {
                (lo, hi) = (0.0, 1.0);
            }
            lo = lo.min(0.0);
            hi = hi.max(0.0);
            let intervals = f64::from((rows / 3).clamp(1, 5));
            let raw = if hi > lo {
                (hi - lo) / intervals
            } else {
                hi.abs().max(1.0) / intervals
            };
            let step = nice_step(raw, true);
            let lo = (lo / step).floor() * step;
            let mut hi = (hi / step).ceil() * step;
            if hi <= lo {
                hi = lo + step;
            }
            let n = ((hi - lo) / step).round() as i32;
            let ticks = (0..=n).map(|k| lo + f64::from(k) * step).collect();
            (lo, hi, ticks)
        }
    }
}

impl ChartWidget<'_> {
    pub(super) fn legend(&self, buf: &mut Buffer, area: Rect) {
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let mut extra = Vec::new();
        if app.tab() == Metric::PriceCost {
            extra.push("dashed=cost");
        }
        if app.baseline().is_some() {
            extra.push("dim=baseline");
        }
        let avail = area.width as usize;
        let names_w = |extra: &[&str]| -> usize {
            let extra = extra.join("  ");
            let full: usize = sc
                .providers
                .iter()
                .map(|p| crate::text::width(&p.name) + 4)
                .sum::<usize>()
                + crate::text::width(&extra);
            if full <= avail {
                usize::MAX
            } else {
                let n = sc.providers.len().max(1);
                (avail.saturating_sub(crate::text::width(&extra) + 1) / n).saturating_sub(4)
            }
        };
        // The unserved line's key, unless it would cut the names to stubs
        // (the league table's title still gives the unserved share).
        if app.tab().unserved(app.run()).is_some() {
            let mut with = extra.clone();
            with.push("╌unserved");
            if names_w(&with) >= 4 {
                extra = with;
            }
        }
        let name_w = names_w(&extra);
        let extra = extra.join("  ");
        let mut x = area.x;
        for (i, p) in sc.providers.iter().enumerate() {
            let style = th.provider(p.color);
            x = put(
                buf,
                area,
                x,
                area.y,
                theme::glyph(i),
                style.add_modifier(Modifier::BOLD),
            );
            if name_w > 0 {
                x = put(buf, area, x + 1, area.y, &truncate(&p.name, name_w), style);
            }
            x += 2;
        }
        put(buf, area, x, area.y, &extra, th.dim());
    }

    pub(super) fn plot(&self, buf: &mut Buffer, g: &ChartGeometry) {
        let app = self.app;
        let n = app.run().quarters;
        let plot = g.plot;
        if plot.width < 2 || plot.height < 1 || n == 0 {
            return;
        }
        let scene = self.scene(plot.height);
        let grid = DotGrid::new(plot.width, plot.height);
        let map = Mapper {
            lo: scene.lo,
            hi: scene.hi,
            dots_y: grid.dots_y(),
            n,
            plot,
        };
        self.draw_lines(buf, grid, &scene, &map);
        let cx = quarter_column(app.cursor(), n, plot);
        self.draw_cursor_column(buf, plot, cx);
        self.draw_glyphs(buf, &scene, &map);
        self.draw_observed(buf, &scene, &map);
        self.draw_y_axis(buf, g.y_labels, &scene, &map);
        if let Some(axis_row) = g.axis {
            self.draw_x_axis(buf, plot, axis_row, cx);
        }
        if let Some(years) = g.years {
            self.draw_years(buf, plot, years, cx);
        }
    }

    /// Everything the plot shows, cut to what a presentation may reveal, and the y range.
    fn scene(&self, rows: u16) -> Scene {
        let app = self.app;
        let tab = app.tab();
        let mut current = lines(app.run(), tab);
        let mut ghosts = app.baseline().map(|b| lines(b, tab)).unwrap_or_default();
        // A baseline's provider is drawn in the colour of the provider of the
        // same id now; one that is gone has no ghost.
        if let Some(pinned) = app.pinned_scenario() {
            let sc = app.scenario();
            ghosts.retain_mut(|s| match s.whose {
                Whose::Provider(j) => {
                    let now = pinned.providers.get(j).and_then(|p| sc.provider_index(&p.id));
                    now.map(|i| s.whose = Whose::Provider(i)).is_some()
                }
                Whose::Unserved => true,
            });
        }
        // Presenting, the story unfolds: lines end at the cursor, on axes
        // that fit everything up to the beat being shown (so they change once
        // per beat, not with every frame of the cursor's glide).
        let reveal = app.reveal_until();
        // Baseline ghosts and Monte Carlo bands unfold with the current lines:
        // nothing past the beat's quarter may give the story away.
        let ax = axis(tab);
        let mut fan = app.fresh_fan().map(|mc| Fan::new(mc, tab, matches!(ax, Axis::Log10)));
        let cut = |current: &mut Vec<Series>, ghosts: &mut Vec<Series>, fan: &mut Option<Fan>, t: u32| {
            current.iter_mut().chain(ghosts.iter_mut()).for_each(|s| s.cut_after(t));
            if let Some(f) = fan.as_mut() {
                f.cut_after(t);
            }
        };
        let mut observed = if app.shows_observations() {
            observations(app.scenario(), tab)
        } else {
            Vec::new()
        };
        if let Some((_, beat_at)) = reveal {
            cut(&mut current, &mut ghosts, &mut fan, beat_at);
            observed.retain(|&(_, t, _)| t <= beat_at);
        }
        let all = current
            .iter()
            .chain(ghosts.iter())
            .flat_map(|s| s.values.iter().flatten().copied())
            .chain(fan.iter().flat_map(Fan::values))
            .chain(observed.iter().map(|&(_, _, v)| v));
        let (lo, hi, ticks) = y_range(all, ax, rows);
        if let Some((cursor, _)) = reveal {
            cut(&mut current, &mut ghosts, &mut fan, cursor);
        }
        Scene {
            current,
            ghosts,
            fan,
            observed,
            lo,
            hi,
            ticks,
            axis: ax,
            reveal: reveal.map(|(cursor, _)| cursor),
        }
    }

    /// Bands, medians, ghosts and lines, in that order from the back.
    fn draw_lines(&self, buf: &mut Buffer, mut grid: DotGrid, scene: &Scene, map: &Mapper) {
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        // A zero line where values change sign; on a log axis 0 is $1, not zero.
        if !matches!(scene.axis, Axis::Log10) && scene.lo < 0.0 && scene.hi > 0.0 {
            let y0 = map.to_y(0.0);
            grid.line((0, y0), (grid.dots_x() - 1, y0), th.dim(), 0);
        }
        if let Some(fan) = &scene.fan {
            let colors: Vec<_> = sc.providers.iter().map(|p| p.color).collect();
            fan.paint(buf, map.plot, map.lo, map.hi, map.n, app.provider(), &colors, th);
            // Medians: a dot at each quarter, under the lines.
            for (i, s) in fan.series.iter().enumerate() {
                let Some(p) = sc.providers.get(i) else { continue };
                for (t, q) in s.iter().enumerate() {
                    if let Some(q) = q {
                        grid.dot(map.to_x(t as u32), map.to_y(q[2]), th.provider(p.color), 1);
                    }
                }
            }
        }
        let style_of = |whose: Whose, ghost: bool| match whose {
            Whose::Provider(i) => sc
                .providers
                .get(i)
                .map(|p| if ghost { th.ghost(p.color) } else { th.provider(p.color) }),
            Whose::Unserved => Some(if ghost { th.dim() } else { th.bad() }),
        };
        for s in &scene.ghosts {
            if let Some(style) = style_of(s.whose, true) {
                draw_series(&mut grid, map, s, style, 0, th.thick_lines);
            }
        }
        for s in &scene.current {
            if let Some(style) = style_of(s.whose, false) {
                draw_series(&mut grid, map, s, style, if s.dashed { 1 } else { 2 }, th.thick_lines);
            }
        }
        grid.render(map.plot, buf);
    }

    /// The cursor quarter: a highlighted column.
    fn draw_cursor_column(&self, buf: &mut Buffer, plot: Rect, cx: u16) {
        let th = self.app.theme();
        for y in plot.top()..plot.bottom() {
            if let Some(c) = buf.cell_mut((cx, y)) {
                if matches!(c.symbol(), " " | super::fan::OUTER | super::fan::INNER) {
                    c.set_symbol("│");
                    c.set_style(th.dim());
                }
                if let Some(bg) = th.cursor_bg() {
                    c.set_bg(bg);
                }
            }
        }
    }

    /// Glyphs along each provider's line, staggered so they rarely collide,
    /// and the exit mark where a line ends.
    fn draw_glyphs(&self, buf: &mut Buffer, scene: &Scene, map: &Mapper) {
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let n = map.n;
        let plot = map.plot;
        let providers = app.run().providers.max(1) as u32;
        let cols_per_quarter = f64::from(plot.width) / f64::from(n.saturating_sub(1).max(1));
        let period = ((10.0 / cols_per_quarter).ceil() as u32).max(2);
        for s in scene.current.iter().filter(|s| !s.dashed) {
            let Whose::Provider(i) = s.whose else { continue };
            let Some(p) = sc.providers.get(i) else { continue };
            let style = th.provider(p.color).add_modifier(Modifier::BOLD);
            let offset = (i as u32 * period) / providers;
            for (t, v) in s.values.iter().enumerate() {
                let t = t as u32;
                let Some(v) = v else { continue };
                let cut_by_reveal = scene.reveal.is_some_and(|cursor| t >= cursor);
                let exits_next =
                    s.values.get(t as usize + 1).is_some_and(Option::is_none) && t + 1 < n && !cut_by_reveal;
                let mark = if exits_next {
                    theme::EXITED
                } else if t % period == offset % period {
                    theme::glyph(i)
                } else {
                    continue;
                };
                if let Some(c) = buf.cell_mut(map.cell(t, *v)) {
                    c.set_symbol(mark);
                    c.set_style(style);
                }
            }
        }
    }

    /// The public record: a ring in the provider's colour at each observation.
    fn draw_observed(&self, buf: &mut Buffer, scene: &Scene, map: &Mapper) {
        let th = self.app.theme();
        let sc = self.app.scenario();
        for &(i, t, v) in &scene.observed {
            let Some(p) = sc.providers.get(i) else { continue };
            if let Some(c) = buf.cell_mut(map.cell(t, v)) {
                c.set_symbol(OBSERVED);
                c.set_style(th.provider(p.color).add_modifier(Modifier::BOLD));
            }
        }
    }

    /// Y axis: tick labels and the axis line.
    fn draw_y_axis(&self, buf: &mut Buffer, lab: Rect, scene: &Scene, map: &Mapper) {
        let th = self.app.theme();
        if lab.width < 2 {
            return;
        }
        let axis_x = lab.right() - 1;
        for y in lab.top()..lab.bottom() {
            put(buf, lab, axis_x, y, "│", th.border());
        }
        let mut last_row = None;
        for &v in &scene.ticks {
            let row = map.row(v);
            if last_row == Some(row) {
                continue;
            }
            last_row = Some(row);
            let text = match scene.axis {
                Axis::Linear(f) => f(v),
                Axis::Log10 => format::log_price_axis(v),
            };
            put(buf, lab, lab.x, row, &right(&text, (lab.width - 1) as usize), th.dim());
            put(buf, lab, axis_x, row, "┤", th.border());
        }
    }

    /// X axis: quarter ticks, keyframes of the selected lever, the cursor.
    fn draw_x_axis(&self, buf: &mut Buffer, plot: Rect, axis_row: Rect, cx: u16) {
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let n = app.run().quarters;
        let corner = plot.x.saturating_sub(1);
        let full = Rect::new(corner, axis_row.y, plot.width + 1, 1);
        put(buf, full, corner, axis_row.y, "└", th.border());
        put(
            buf,
            full,
            plot.x,
            axis_row.y,
            &"─".repeat(plot.width as usize),
            th.border(),
        );
        for t in 0..n {
            if sc.quarter_at(t).q() == 1 {
                put(buf, full, quarter_column(t, n, plot), axis_row.y, "┴", th.border());
            }
        }
        if let Some(r) = app.selected_ref() {
            for t in sc.keyframe_quarters(r).filter(|&t| t < n) {
                let x = quarter_column(t, n, plot);
                put(buf, full, x, axis_row.y, theme::KEYFRAME, th.accent());
            }
        }
        put(buf, full, cx, axis_row.y, theme::CURSOR, th.accent());
    }

    /// Years under their first quarters, and the cursor quarter under its column.
    fn draw_years(&self, buf: &mut Buffer, plot: Rect, years: Rect, cx: u16) {
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let n = app.run().quarters;
        let row = Rect::new(plot.x, years.y, plot.width, 1);
        // The cursor quarter, under its column and kept inside the plot; years make way.
        let cursor_label = sc.quarter_at(app.cursor()).label();
        let cw = cursor_label.chars().count() as u16;
        let cl_x = cx
            .saturating_sub(cw / 2)
            .clamp(plot.x, plot.right().saturating_sub(cw).max(plot.x));
        let mut free_from = plot.x;
        for t in 0..n {
            let q = sc.quarter_at(t);
            if q.q() != 1 {
                continue;
            }
            let x = quarter_column(t, n, plot);
            let label = q.year().to_string();
            let end = x + label.len() as u16;
            let clashes = x <= cl_x + cw && end + 1 > cl_x;
            if x >= free_from && end <= plot.right() && !clashes {
                put(buf, row, x, years.y, &label, th.dim());
                free_from = end + 1;
            }
        }
        put(buf, row, cl_x, years.y, &cursor_label, th.selected());
    }
}

/// What one frame of the plot shows.
struct Scene {
    current: Vec<Series>,
    ghosts: Vec<Series>,
    fan: Option<Fan>,
    observed: Vec<(usize, u32, f64)>,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    axis: Axis,
    /// Presenting: the cursor quarter the lines stop at.
    reveal: Option<u32>,
}

/// From quarters and values to braille dots and screen cells.
struct Mapper {
    lo: f64,
    hi: f64,
    dots_y: i32,
    n: u32,
    plot: Rect,
}

impl Mapper {
    fn to_y(&self, v: f64) -> i32 {
        ((self.hi - v) / (self.hi - self.lo) * f64::from(self.dots_y - 1)).round() as i32
    }

    fn to_x(&self, t: u32) -> i32 {
        quarter_dot_x(t, self.n, self.plot.width)
    }

    /// The screen row of value `v`.
    fn row(&self, v: f64) -> u16 {
        self.plot.y + (self.to_y(v) / 4).clamp(0, i32::from(self.plot.height) - 1) as u16
    }

    /// The screen cell of value `v` at quarter `t`.
    fn cell(&self, t: u32, v: f64) -> (u16, u16) {
        let x = self.plot.x + (self.to_x(t) / 2) as u16;
        (x.min(self.plot.right() - 1), self.row(v))
    }
}

/// One series as braille lines (dashed: every other half segment), doubled
/// one dot lower for thick lines; a lone point still shows as a dot.
fn draw_series(grid: &mut DotGrid, map: &Mapper, s: &Series, style: ratatui::style::Style, priority: u8, thick: bool) {
    let v = &s.values;
    for t in 0..v.len().saturating_sub(1) {
        if let (Some(a), Some(b)) = (v[t], v[t + 1]) {
            let p0 = (map.to_x(t as u32), map.to_y(a));
            let p1 = (map.to_x(t as u32 + 1), map.to_y(b));
            let p1 = if s.dashed {
                ((p0.0 + p1.0) / 2, (p0.1 + p1.1) / 2)
            } else {
                p1
            };
            grid.line(p0, p1, style, priority);
            if thick {
                // A second line one dot lower: reads from the back of the room.
                grid.line((p0.0, p0.1 + 1), (p1.0, p1.1 + 1), style, priority);
            }
        }
    }
    // A lone point (one quarter before an exit) still shows.
    for t in 0..v.len() {
        let alone = v[t].is_some() && (t == 0 || v[t - 1].is_none()) && v.get(t + 1).is_none_or(|x| x.is_none());
        if let (true, Some(x)) = (alone, v[t]) {
            grid.dot(map.to_x(t as u32), map.to_y(x), style, priority);
        }
    }
}

/// The glyph of a public observation on a chart.
pub const OBSERVED: &str = "◎";

/// The backtest observations that are points of `tab`'s lines: (provider,
/// quarter index, value on the chart's scale). Shares go on the share chart,
/// prices on the price chart; the others are not plotted series.
fn observations(sc: &crate::sim::Scenario, tab: Metric) -> Vec<(usize, u32, f64)> {
    use crate::analysis::backtest::{Measure, builtin};
    builtin()
        .into_iter()
        .filter_map(|o| {
            let (id, v) = match (&o.measure, tab) {
                (Measure::Share { provider }, Metric::Share) => (provider.clone(), o.value),
                (Measure::Price { provider }, Metric::PriceCost) => (provider.clone(), o.value.log10()),
                _ => return None,
            };
            let t = sc.index_of(o.at.parse().ok()?)?;
            Some((sc.provider_index(&id)?, t, v))
        })
        .collect()
}

/// Which cap set each capped provider's price at quarter `t`, for the price
/// chart's bottom border: " caps at 2025 Q1: FrontierLab open-model cap ".
fn binding_caps(sc: &crate::sim::Scenario, run: &crate::sim::Run, t: u32) -> String {
    let t = t.min(run.last());
    let capped: Vec<String> = (0..sc.providers.len())
        .filter_map(|i| {
            let r = run.row(t, i);
            (r.status == crate::sim::Status::Active && r.price_limit.is_cap())
                .then(|| format!("{} {}", sc.providers[i].name, r.price_limit.name()))
        })
        .collect();
    if capped.is_empty() {
        format!(" {}: no cap binds ", run.quarter(t).label())
    } else {
        format!(" caps at {}: {} ", run.quarter(t).label(), capped.join(" · "))
    }
}

impl Widget for ChartWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let tab = app.tab();
        let mut title = format!(" {} · {} ", tab.title(), tab.unit());
        if title.chars().count() + 4 > area.width as usize {
            title = format!(" {} · {} ", tab.title(), tab.unit_short());
        }
        let note = (tab == crate::sim::Metric::PriceCost)
            .then(|| Line::styled(binding_caps(app.scenario(), app.run(), app.cursor()), th.dim()).right_aligned());
        super::bordered(buf, area, th.border(), &Line::styled(title, th.title()), note.as_ref());
        let g = layout::chart(area);
        for &(t, r) in &g.tabs {
            let style = if t == tab { th.selected() } else { th.dim() };
            put(buf, r, r.x, r.y, &layout::tab_label(t, g.tab_form), style);
        }
        self.plot(buf, &g);
        if let Some(legend) = g.legend {
            self.legend(buf, legend);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_data() {
        let (lo, hi, ticks) = y_range([0.05, 0.42].into_iter(), Axis::Linear(format::pct_axis), 12);
        assert_eq!(lo, 0.0);
        assert!(hi >= 0.42);
        assert_eq!(ticks.first().copied(), Some(0.0));
        let (lo, hi, _) = y_range([-120.0, 300.0].into_iter(), Axis::Linear(format::musd_axis), 12);
        assert_eq!(format::musd_axis(-50_000.0), "-$50B");
        assert_eq!(format::musd_axis(2_500.0), "$2.5B");
        assert_eq!(format::musd_axis(0.0), "$0M");
        assert!(lo <= -120.0 && hi >= 300.0);
        let (lo, hi, _) = y_range([0.05f64.log10(), 60f64.log10()].into_iter(), Axis::Log10, 12);
        assert_eq!((lo, hi), (-2.0, 2.0));
        let (lo, hi, _) = y_range(std::iter::empty(), Axis::Linear(format::pct_axis), 0);
        assert!(hi > lo);
    }

    #[test]
    fn an_exiting_line_ends_at_its_exit_quarter_as_in_the_svg_and_stories() {
        let mut sc = crate::document::presets::default_scenario();
        let key = sc.parse_key("providers.neo.credit_line_musd").expect("a provider key");
        sc.set_whole_run(key, 0.0);
        let run = crate::sim::simulate(&sc);
        let neo = sc.provider_index("neo").expect("neo");
        let exit = (0..run.quarters)
            .find(|&t| run.row(t, neo).status == crate::sim::Status::Exited)
            .expect("neo exits") as usize;
        for m in Metric::ALL {
            let screen = series(&run, neo, m, |r| m.raw(r));
            let shown = screen.iter().rposition(Option::is_some);
            assert_eq!(shown, Some(exit), "{m:?} on screen");
            assert_eq!(
                m.series(&run, neo).iter().rposition(Option::is_some),
                Some(exit),
                "{m:?} in exports"
            );
        }
    }
}
