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
use ratatui::widgets::{Block, Widget};

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

/// The lines of one run: (provider, values, dashed).
fn lines(run: &Run, tab: Metric) -> Vec<(usize, Vec<Option<f64>>, bool)> {
    let mut out = Vec::new();
    for i in 0..run.providers {
        out.push((i, series(run, i, tab, |r| tab.raw(r)), false));
        if tab == Metric::PriceCost {
            out.push((i, series(run, i, tab, |r| r.cost_usd_per_mtok), true));
        }
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
        let extra = extra.join("  ");
        let full: usize = sc
            .providers
            .iter()
            .map(|p| crate::text::width(&p.name) + 4)
            .sum::<usize>()
            + crate::text::width(&extra);
        let avail = area.width as usize;
        let name_w = if full <= avail {
            usize::MAX
        } else {
            let n = sc.providers.len().max(1);
            (avail.saturating_sub(crate::text::width(&extra) + 1) / n).saturating_sub(4)
        };
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
        let th = app.theme();
        let sc = app.scenario();
        let tab = app.tab();
        let run = app.run();
        let n = run.quarters;
        let plot = g.plot;
        if plot.width < 2 || plot.height < 1 || n == 0 {
            return;
        }
        let mut current = lines(run, tab);
        let mut ghosts = app.baseline().map(|b| lines(b, tab)).unwrap_or_default();
        // Presenting, the story unfolds: lines end at the cursor, on axes
        // that fit everything up to the beat being shown (so they change once
        // per beat, not with every frame of the cursor's glide).
        let reveal = app.reveal_until();
        let mask = |ls: &mut Vec<(usize, Vec<Option<f64>>, bool)>, upto: u32| {
            for (_, s, _) in ls.iter_mut() {
                s.iter_mut().skip(upto as usize + 1).for_each(|v| *v = None);
            }
        };
        // Baseline ghosts and Monte Carlo bands unfold with the current lines:
        // nothing past the beat's quarter may give the story away.
        let ax = axis(tab);
        let mut fan = app.fresh_fan().map(|mc| Fan::new(mc, tab, matches!(ax, Axis::Log10)));
        if let Some((_, beat_at)) = reveal {
            mask(&mut current, beat_at);
            mask(&mut ghosts, beat_at);
            if let Some(f) = fan.as_mut() {
                f.cut_after(beat_at);
            }
        }
        let mut observed = if app.shows_observations() {
            observations(sc, tab)
        } else {
            Vec::new()
        };
        if let Some((_, beat_at)) = reveal {
            observed.retain(|&(_, t, _)| t <= beat_at);
        }
        let all = current
            .iter()
            .chain(ghosts.iter())
            .flat_map(|(_, s, _)| s.iter().flatten().copied())
            .chain(fan.iter().flat_map(Fan::values))
            .chain(observed.iter().map(|&(_, _, v)| v));
        let (lo, hi, ticks) = y_range(all, ax, plot.height);
        if let Some((cursor, _)) = reveal {
            mask(&mut current, cursor);
            mask(&mut ghosts, cursor);
            if let Some(f) = fan.as_mut() {
                f.cut_after(cursor);
            }
        }

        let mut grid = DotGrid::new(plot.width, plot.height);
        let dots_y = grid.dots_y();
        let to_y = |v: f64| ((hi - v) / (hi - lo) * f64::from(dots_y - 1)).round() as i32;
        let to_x = |t: u32| quarter_dot_x(t, n, plot.width);

        // A zero line where values change sign; on a log axis 0 is $1, not zero.
        if !matches!(ax, Axis::Log10) && lo < 0.0 && hi > 0.0 {
            let y0 = to_y(0.0);
            grid.line((0, y0), (grid.dots_x() - 1, y0), th.dim(), 0);
        }
        let draw = |grid: &mut DotGrid, s: &[Option<f64>], dashed: bool, style, priority| {
            for t in 0..s.len().saturating_sub(1) {
                if let (Some(a), Some(b)) = (s[t], s[t + 1]) {
                    let p0 = (to_x(t as u32), to_y(a));
                    let p1 = (to_x(t as u32 + 1), to_y(b));
                    let p1 = if dashed {
                        ((p0.0 + p1.0) / 2, (p0.1 + p1.1) / 2)
                    } else {
                        p1
                    };
                    grid.line(p0, p1, style, priority);
                    if th.thick_lines {
                        // A second line one dot lower: reads from the back of the room.
                        grid.line((p0.0, p0.1 + 1), (p1.0, p1.1 + 1), style, priority);
                    }
                }
            }
            // A lone point (one quarter before an exit) still shows.
            for t in 0..s.len() {
                let alone =
                    s[t].is_some() && (t == 0 || s[t - 1].is_none()) && s.get(t + 1).is_none_or(|v| v.is_none());
                if let (true, Some(v)) = (alone, s[t]) {
                    grid.dot(to_x(t as u32), to_y(v), style, priority);
                }
            }
        };
        if let Some(fan) = &fan {
            let colors: Vec<_> = sc.providers.iter().map(|p| p.color).collect();
            fan.paint(buf, plot, lo, hi, n, app.provider(), &colors, th);
            // Medians: a dot at each quarter, under the lines.
            for (i, s) in fan.series.iter().enumerate() {
                let Some(p) = sc.providers.get(i) else { continue };
                for (t, q) in s.iter().enumerate() {
                    if let Some(q) = q {
                        grid.dot(to_x(t as u32), to_y(q[2]), th.provider(p.color), 1);
                    }
                }
            }
        }
        for (i, s, dashed) in &ghosts {
            if let Some(p) = sc.providers.get(*i) {
                draw(&mut grid, s, *dashed, th.ghost(p.color), 0);
            }
        }
        for (i, s, dashed) in &current {
            if let Some(p) = sc.providers.get(*i) {
                draw(&mut grid, s, *dashed, th.provider(p.color), if *dashed { 1 } else { 2 });
            }
        }
        grid.render(plot, buf);

        // The cursor quarter: a highlighted column.
        let cx = quarter_column(app.cursor(), n, plot);
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

        // Glyphs along each line, staggered so they rarely collide.
        let providers = run.providers.max(1) as u32;
        let cols_per_quarter = f64::from(plot.width) / f64::from(n.saturating_sub(1).max(1));
        let period = ((10.0 / cols_per_quarter).ceil() as u32).max(2);
        for (i, s, dashed) in &current {
            if *dashed {
                continue;
            }
            let Some(p) = sc.providers.get(*i) else { continue };
            let style = th.provider(p.color).add_modifier(Modifier::BOLD);
            let offset = (*i as u32 * period) / providers;
            for (t, v) in s.iter().enumerate() {
                let t = t as u32;
                let Some(v) = v else { continue };
                let cut_by_reveal = reveal.is_some_and(|(cursor, _)| t >= cursor);
                let exits_next = s.get(t as usize + 1).is_some_and(Option::is_none) && t + 1 < n && !cut_by_reveal;
                let mark = if exits_next {
                    theme::EXITED
                } else if t % period == offset % period {
                    theme::glyph(*i)
                } else {
                    continue;
                };
                let x = plot.x + (to_x(t) / 2) as u16;
                let y = plot.y + (to_y(*v) / 4).clamp(0, i32::from(plot.height) - 1) as u16;
                if let Some(c) = buf.cell_mut((x.min(plot.right() - 1), y)) {
                    c.set_symbol(mark);
                    c.set_style(style);
                }
            }
        }

        // The public record: a ring in the provider's colour at each observation.
        for &(i, t, v) in &observed {
            let Some(p) = sc.providers.get(i) else { continue };
            let x = plot.x + (to_x(t) / 2) as u16;
            let y = plot.y + (to_y(v) / 4).clamp(0, i32::from(plot.height) - 1) as u16;
            if let Some(c) = buf.cell_mut((x.min(plot.right() - 1), y)) {
                c.set_symbol(OBSERVED);
                c.set_style(th.provider(p.color).add_modifier(Modifier::BOLD));
            }
        }

        // Y axis: tick labels and the axis line.
        let lab = g.y_labels;
        if lab.width >= 2 {
            let axis_x = lab.right() - 1;
            for y in lab.top()..lab.bottom() {
                put(buf, lab, axis_x, y, "│", th.border());
            }
            let mut last_row = None;
            for &v in &ticks {
                let row = plot.y + (to_y(v) / 4).clamp(0, i32::from(plot.height) - 1) as u16;
                if last_row == Some(row) {
                    continue;
                }
                last_row = Some(row);
                let text = match ax {
                    Axis::Linear(f) => f(v),
                    Axis::Log10 => format::log_price_axis(v),
                };
                put(buf, lab, lab.x, row, &right(&text, (lab.width - 1) as usize), th.dim());
                put(buf, lab, axis_x, row, "┤", th.border());
            }
        }

        // X axis: quarter ticks, keyframes of the selected lever, the cursor.
        if let Some(axis_row) = g.axis {
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
                for t in sc.keyframe_quarters(r) {
                    if t < n {
                        put(
                            buf,
                            full,
                            quarter_column(t, n, plot),
                            axis_row.y,
                            theme::KEYFRAME,
                            th.accent(),
                        );
                    }
                }
            }
            put(buf, full, cx, axis_row.y, theme::CURSOR, th.accent());
        }
        if let Some(years) = g.years {
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
        let mut block = Block::bordered()
            .border_style(th.border())
            .title(Line::styled(title, th.title()));
        if tab == crate::sim::Metric::PriceCost {
            let note = binding_caps(app.scenario(), app.run(), app.cursor());
            block = block.title_bottom(Line::styled(note, th.dim()).right_aligned());
        }
        block.render(area, buf);
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
