//! One chart as a standalone SVG document, ready for a slide: a line per
//! provider in its colour with a marker shape each (so lines differ without
//! colour), the pinned baseline as faint ghost lines, Monte Carlo fan bands,
//! exits marked where they happen, optional beat marks, axes with one unit
//! and one precision, and a legend whose long names are shortened (the full
//! name stays in the SVG `<title>`).
//!
//! Pure: a string from a scenario, its run and what to compare it with.

use crate::analysis::Kpi;
use crate::analysis::montecarlo::McResult;
use crate::sim::{Metric, Rgb, Run, Scenario, Status};
use std::fmt::Write as _;

/// What a chart shows beside the run itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Comparison<'a> {
    /// The pinned baseline's run, drawn as ghost lines.
    pub baseline: Option<&'a Run>,
    /// Monte Carlo percentiles of the run's scenario, drawn as fan bands.
    pub fan: Option<&'a McResult>,
}

/// How one chart is drawn.
#[derive(Debug, Clone, Default)]
pub struct ChartOptions<'a> {
    pub compare: Comparison<'a>,
    /// Draw only up to this quarter (a beat's slide tells no more than the beat).
    pub reveal: Option<u32>,
    /// Vertical marks with a short label: beats or events, at quarter indices.
    pub marks: Vec<(u32, String)>,
}

pub const W: f64 = 960.0;
pub const H: f64 = 540.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 210.0;
const TOP: f64 = 66.0;
const BOTTOM: f64 = 56.0;
/// Legend names longer than this many characters are shortened with "…".
const LEGEND_CHARS: usize = 18;

/// Round tick step for about `ticks` steps over `span` (see `format::nice_step`).
fn nice_step(span: f64, ticks: f64) -> f64 {
    crate::format::nice_step((span / ticks).max(1e-12), false)
}

/// A linear y axis: (bottom, top, step). Zero is included when the data
/// reaches near it (within a tenth of its span). Each end sits on a whole
/// step when that leaves little empty; otherwise just past the data, so no
/// more than about a tenth of the plot is empty. Ticks are the whole steps
/// inside the range.
pub fn linear_axis(lo: f64, hi: f64) -> (f64, f64, f64) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if hi - lo < 1e-9 {
        (lo, hi) = (lo - 0.5_f64.max(lo.abs() * 0.1), hi + 0.5_f64.max(hi.abs() * 0.1));
    }
    let span = hi - lo;
    if lo > 0.0 && lo <= 0.1 * span.max(hi) {
        lo = 0.0;
    }
    if hi < 0.0 && -hi <= 0.1 * span.max(-lo) {
        hi = 0.0;
    }
    let span = hi - lo;
    let step = nice_step(span, 6.0);
    let aligned_lo = (lo / step + 1e-9).floor() * step;
    let aligned_hi = (hi / step - 1e-9).ceil() * step;
    let bottom = if lo - aligned_lo <= 0.05 * span {
        aligned_lo
    } else {
        lo - 0.02 * span
    };
    let top = if aligned_hi - hi <= 0.05 * span {
        aligned_hi
    } else {
        hi + 0.02 * span
    };
    (bottom, top, step)
}

/// The whole steps from `lo` to `hi`, snapped so that 0 is exactly 0.
fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|k| k as f64 * step)
        .map(|v| if v.abs() < step * 1e-6 { 0.0 } else { v })
        .collect()
}

/// Digits after the point that `step` needs.
fn decimals(step: f64) -> usize {
    (0..4)
        .find(|&d| ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() < 1e-6)
        .unwrap_or(4)
}

/// Labels for one axis: one unit and one precision for every tick.
pub fn tick_labels(kind: Metric, ticks: &[f64], step: f64) -> Vec<String> {
    match kind {
        Metric::OperatingProfit | Metric::Cash => {
            let top = ticks.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let (div, unit) = if top >= 1e6 {
                (1e6, "T")
            } else if top >= 1e3 {
                (1e3, "B")
            } else {
                (1.0, "M")
            };
            let d = decimals(step / div);
            ticks
                .iter()
                .map(|v| {
                    let sign = if *v < 0.0 { "-" } else { "" };
                    format!("{sign}${:.d$}{unit}", v.abs() / div)
                })
                .collect()
        }
        // Decades: each written with the digits it needs ($0.01, $0.1, $1, $10).
        Metric::PriceCost => ticks
            .iter()
            .map(|v| {
                let d = if *v >= 1.0 { 0 } else { (-v.log10()).round() as usize };
                format!("${v:.d$}")
            })
            .collect(),
        Metric::Share | Metric::SelfChipShare => {
            let d = decimals(step);
            ticks.iter().map(|v| format!("{v:.d$}%")).collect()
        }
        Metric::Ecosystem => {
            let d = decimals(step).max(1);
            ticks.iter().map(|v| format!("{v:.d$}")).collect()
        }
    }
}

/// The Monte Carlo KPI a chart's main lines show.
pub fn chart_kpi(kind: Metric) -> Kpi {
    Kpi::from(kind)
}

/// Escapes text for XML and HTML. Characters XML does not allow (controls
/// other than tab and newline, and the ones `document::clean` deems unsafe)
/// are dropped, so the SVG stays valid whatever a name holds.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if crate::document::clean::is_unsafe(c) || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `s` cut to `max` columns with "…" when longer: display width, so a CJK
/// name (two columns a character) is cut about where it fills the legend.
fn ellipsize(s: &str, max: usize) -> String {
    crate::text::truncate(s, max)
}

/// A provider colour dark enough to read on white from the back of a room
/// (contrast at least 3:1).
pub fn on_white(c: Rgb) -> String {
    c.readable_on_white(3.0).hex()
}

struct Series {
    provider: usize,
    values: Vec<Option<f64>>,
    dashed: bool,
}

fn series_of(run: &Run, kind: Metric, providers: usize) -> Vec<Series> {
    let mut out = Vec::new();
    for i in 0..providers.min(run.providers) {
        out.push(Series {
            provider: i,
            values: crate::sim::metric::values_until_exit(run, i, |r| Some(kind.value(r))),
            dashed: false,
        });
        if kind.second(run.row(0, i)).is_some() {
            out.push(Series {
                provider: i,
                values: crate::sim::metric::values_until_exit(run, i, |r| kind.second(r)),
                dashed: true,
            });
        }
    }
    out
}

/// Percentile bands per provider: p5, p25, p50, p75, p95.
type Bands = Vec<Vec<Option<[f64; 5]>>>;

/// What one chart draws, in the chart's units (shares in per cent), cut to the reveal.
struct Data {
    current: Vec<Series>,
    ghosts: Vec<Series>,
    bands: Bands,
    /// The share of demand nobody served (share chart, when there is a shortage).
    unserved: Option<Vec<Option<f64>>>,
}

impl Data {
    fn gather(sc: &Scenario, run: &Run, kind: Metric, opt: &ChartOptions) -> Data {
        let n = sc.providers.len();
        let log = kind.log_scale();
        let cut = |values: &mut Vec<Option<f64>>| {
            if let Some(r) = opt.reveal {
                values.iter_mut().skip(r as usize + 1).for_each(|v| *v = None);
            }
        };
        let mut current = series_of(run, kind, n);
        let mut ghosts = opt.compare.baseline.map(|b| series_of(b, kind, n)).unwrap_or_default();
        current
            .iter_mut()
            .chain(ghosts.iter_mut())
            .for_each(|s| cut(&mut s.values));
        let mut unserved = kind.unserved(run);
        if let Some(u) = unserved.as_mut() {
            cut(u);
        }
        let scale = if kind.percent() { 100.0 } else { 1.0 };
        let bands = opt
            .compare
            .fan
            .filter(|mc| mc.quarters == run.quarters && mc.providers == n)
            .map(|mc| {
                (0..n)
                    .map(|i| {
                        (0..mc.quarters)
                            .map(|t| {
                                let p = mc.get(t, i, chart_kpi(kind)).map(|v| v * scale);
                                let shown = opt.reveal.is_none_or(|r| t <= r);
                                (shown && p.iter().all(|v| v.is_finite() && (!log || *v > 0.0))).then_some(p)
                            })
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Data {
            current,
            ghosts,
            bands,
            unserved,
        }
    }

    /// Every value drawn, for the axis.
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.current
            .iter()
            .chain(&self.ghosts)
            .flat_map(|s| s.values.iter().flatten().copied())
            .chain(self.unserved.iter().flatten().flatten().copied())
            .chain(self.bands.iter().flatten().flatten().flat_map(|p| [p[0], p[4]]))
    }
}

/// The y axis and the mapping from quarters and values to the page.
struct Frame {
    log: bool,
    /// Bottom and top in axis units (decades on a log axis).
    ylo: f64,
    yhi: f64,
    ticks: Vec<f64>,
    labels: Vec<String>,
    /// First and last quarter as fractional years.
    x0: f64,
    x1: f64,
}

impl Frame {
    fn fit(run: &Run, kind: Metric, data: &Data) -> Frame {
        let log = kind.log_scale();
        let values = data.values().filter(|v| v.is_finite() && (!log || *v > 0.0));
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let (ylo, yhi, ticks, labels) = if log {
            let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (1.0, 10.0) };
            let (a, b) = (lo.log10().floor(), hi.log10().ceil().max(lo.log10().floor() + 1.0));
            let t: Vec<f64> = (a as i32..=b as i32).map(|e| 10f64.powi(e)).collect();
            let labels = tick_labels(kind, &t, 1.0);
            (a, b, t, labels)
        } else {
            let (mut a, mut b, step) = linear_axis(lo, hi);
            if kind.percent() {
                a = a.max(0.0);
                b = b.min(100.0);
            }
            let t = ticks(a, b, step);
            let labels = tick_labels(kind, &t, step);
            (a, b, t, labels)
        };
        let x0 = run.quarter(0).as_year_f64();
        let x1 = run.quarter(run.last()).as_year_f64().max(x0 + 0.25);
        Frame {
            log,
            ylo,
            yhi,
            ticks,
            labels,
            x0,
            x1,
        }
    }

    fn px(&self, run: &Run, t: u32) -> f64 {
        self.year_x(run.quarter(t).as_year_f64())
    }

    fn year_x(&self, year: f64) -> f64 {
        LEFT + (year - self.x0) / (self.x1 - self.x0) * (W - LEFT - RIGHT)
    }

    fn py(&self, y: f64) -> f64 {
        let v = if self.log { y.max(1e-9).log10() } else { y };
        TOP + (1.0 - (v - self.ylo) / (self.yhi - self.ylo).max(1e-12)) * (H - TOP - BOTTOM)
    }

    /// A polyline's points, skipping what the axis cannot show.
    fn points(&self, run: &Run, values: &[Option<f64>]) -> String {
        values
            .iter()
            .enumerate()
            .filter_map(|(t, v)| v.filter(|x| !self.log || *x > 0.0).map(|v| (t, v)))
            .fold(String::new(), |mut s, (t, v)| {
                if !s.is_empty() {
                    s.push(' ');
                }
                let _ = write!(s, "{},{}", Tenths(self.px(run, t as u32)), Tenths(self.py(v)));
                s
            })
    }
}

/// One chart as a standalone SVG document.
pub fn chart(sc: &Scenario, run: &Run, kind: Metric, opt: &ChartOptions) -> String {
    let data = Data::gather(sc, run, kind, opt);
    let f = Frame::fit(run, kind, &data);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"15\">"
    );
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"30\" font-size=\"21\" font-weight=\"bold\" fill=\"#111\">{} — {}</text>",
        xml_escape(kind.title()),
        xml_escape(&ellipsize(&sc.meta.name, 48))
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"52\" fill=\"#444\">{}</text>",
        xml_escape(kind.unit())
    );
    grid(&mut s, &f);
    bands(&mut s, sc, run, &f, &data.bands);
    lines(&mut s, sc, run, &f, &data);
    exits(&mut s, sc, run, &f, &data.current);
    marks(&mut s, run, &f, &opt.marks);
    legend(&mut s, sc, kind, &data);
    s.push_str("</svg>\n");
    s
}

/// The y grid with its labels, the years, and the plot's frame.
fn grid(s: &mut String, f: &Frame) {
    let (axis_lo, axis_hi) = if f.log {
        (10f64.powf(f.ylo), 10f64.powf(f.yhi))
    } else {
        (f.ylo, f.yhi)
    };
    let _ = writeln!(
        s,
        "<g class=\"y-axis\" data-min=\"{axis_lo}\" data-max=\"{axis_hi}\" stroke=\"#dddddd\">"
    );
    for (v, label) in f.ticks.iter().zip(&f.labels) {
        let y = f.py(*v);
        let stroke = if *v == 0.0 && !f.log { " stroke=\"#888888\"" } else { "" };
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"{stroke}/>",
            W - RIGHT
        );
        let _ = writeln!(
            s,
            "<text class=\"tick\" data-value=\"{v}\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">{}</text>",
            LEFT - 8.0,
            y + 5.0,
            xml_escape(label)
        );
    }
    s.push_str("</g>\n<g class=\"x-axis\" stroke=\"#dddddd\">\n");
    for year in (f.x0.ceil() as i32)..=(f.x1.floor() as i32) {
        let x = f.year_x(f64::from(year));
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>",
            H - BOTTOM
        );
        let _ = writeln!(
            s,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">{year}</text>",
            H - BOTTOM + 22.0
        );
    }
    s.push_str("</g>\n");
    let _ = writeln!(
        s,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#333\"/>",
        W - LEFT - RIGHT,
        H - TOP - BOTTOM
    );
}

/// Fan bands under everything: p5–p95 light, p25–p75 darker.
fn bands(s: &mut String, sc: &Scenario, run: &Run, f: &Frame, bands: &Bands) {
    for (i, b) in bands.iter().enumerate() {
        let color = on_white(sc.providers[i].color);
        for (lo_k, hi_k, opacity) in [(0, 4, 0.10), (1, 3, 0.20)] {
            let pts: Vec<(u32, [f64; 5])> = b
                .iter()
                .enumerate()
                .filter_map(|(t, p)| p.map(|p| (t as u32, p)))
                .collect();
            if pts.len() < 2 {
                continue;
            }
            let upper = pts
                .iter()
                .map(|(t, p)| format!("{:.1},{:.1}", f.px(run, *t), f.py(p[hi_k])));
            let lower = pts
                .iter()
                .rev()
                .map(|(t, p)| format!("{:.1},{:.1}", f.px(run, *t), f.py(p[lo_k])));
            let _ = writeln!(
                s,
                "<polygon class=\"band\" data-provider=\"{}\" fill=\"{color}\" fill-opacity=\"{opacity}\" stroke=\"none\" points=\"{}\"/>",
                xml_escape(&sc.providers[i].id),
                upper.chain(lower).collect::<Vec<_>>().join(" ")
            );
        }
    }
}

/// Baseline ghosts (thin and faint, behind), the unserved share, then the
/// current lines with a marker every fourth quarter.
fn lines(s: &mut String, sc: &Scenario, run: &Run, f: &Frame, data: &Data) {
    for g in &data.ghosts {
        let p = &sc.providers[g.provider];
        let dash = if g.dashed { " stroke-dasharray=\"6 4\"" } else { "" };
        let _ = writeln!(
            s,
            "<g class=\"baseline\" data-provider=\"{}\"><title>{} (baseline)</title><polyline fill=\"none\" stroke=\"{}\" stroke-opacity=\"0.4\" stroke-width=\"2\"{dash} points=\"{}\"/></g>",
            xml_escape(&p.id),
            xml_escape(&p.name),
            on_white(p.color),
            f.points(run, &g.values)
        );
    }
    if let Some(u) = &data.unserved {
        let _ = writeln!(
            s,
            "<g class=\"unserved\"><title>{UNSERVED_LABEL}</title><polyline fill=\"none\" stroke=\"{UNSERVED_COLOR}\" stroke-width=\"2.5\" stroke-dasharray=\"2 4\" points=\"{}\"/></g>",
            f.points(run, u)
        );
    }
    for c in &data.current {
        let p = &sc.providers[c.provider];
        let color = on_white(p.color);
        let dash = if c.dashed { " stroke-dasharray=\"7 5\"" } else { "" };
        let label = if c.dashed {
            format!("{} unit cost", p.name)
        } else {
            p.name.clone()
        };
        let _ = writeln!(
            s,
            "<g class=\"series\" data-provider=\"{}\"><title>{}</title><polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"3\"{dash} points=\"{}\"/>",
            xml_escape(&p.id),
            xml_escape(&label),
            f.points(run, &c.values)
        );
        if !c.dashed {
            for (t, v) in c.values.iter().enumerate().filter(|(t, _)| t % 4 == 0) {
                if let Some(v) = v.filter(|x| !f.log || *x > 0.0) {
                    s.push_str(&marker(c.provider, f.px(run, t as u32), f.py(v), &color));
                }
            }
        }
        s.push_str("</g>\n");
    }
}

/// Exits: a cross where the line ends, and when.
fn exits(s: &mut String, sc: &Scenario, run: &Run, f: &Frame, current: &[Series]) {
    for c in current.iter().filter(|c| !c.dashed) {
        let last = c.values.iter().rposition(Option::is_some);
        let exited = last.filter(|&t| run.row(t as u32, c.provider).status == Status::Exited);
        if let (Some(t), Some(Some(v))) = (exited, exited.map(|t| c.values[t])) {
            let p = &sc.providers[c.provider];
            let (x, y) = (f.px(run, t as u32), f.py(v));
            // Near the right edge the label goes to the left of the cross.
            let (tx, anchor) = if x > W - RIGHT - 110.0 {
                (x - 9.0, "end")
            } else {
                (x + 9.0, "start")
            };
            let q = run.quarter(t as u32);
            let _ = writeln!(
                s,
                "<g class=\"exit\" data-provider=\"{}\" data-quarter=\"{}\"><title>{} exits in {}</title><path d=\"M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}\" stroke=\"#111\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"13\" fill=\"#111\">exits {}</text></g>",
                xml_escape(&p.id),
                q,
                xml_escape(&p.name),
                q.label(),
                x - 7.0,
                y - 7.0,
                x + 7.0,
                y + 7.0,
                x - 7.0,
                y + 7.0,
                x + 7.0,
                y - 7.0,
                tx,
                y - 9.0,
                q.label()
            );
        }
    }
}

/// Beat or event marks: a dotted vertical line with a short label.
fn marks(s: &mut String, run: &Run, f: &Frame, marks: &[(u32, String)]) {
    for (t, label) in marks {
        if *t >= run.quarters {
            continue;
        }
        let x = f.px(run, *t);
        let (tx, anchor) = if x > W - RIGHT - 60.0 {
            (x - 3.0, "end")
        } else {
            (x + 3.0, "start")
        };
        let _ = writeln!(
            s,
            "<g class=\"mark\"><line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#777\" stroke-dasharray=\"3 4\"/><text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"13\" fill=\"#333\">{}</text></g>",
            H - BOTTOM,
            TOP + 14.0,
            xml_escape(label)
        );
    }
}

/// The legend: each provider with its line and marker, then keys for the
/// cost lines, the unserved share, the baseline and the bands.
fn legend(s: &mut String, sc: &Scenario, kind: Metric, data: &Data) {
    let lx = W - RIGHT + 16.0;
    let mut row = 0.0;
    for (i, p) in sc.providers.iter().enumerate() {
        let y = TOP + 10.0 + row * 26.0;
        row += 1.0;
        let color = on_white(p.color);
        let _ = writeln!(
            s,
            "<g class=\"legend\"><title>{}</title><line x1=\"{lx}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"3\"/>",
            xml_escape(&p.name),
            lx + 30.0
        );
        s.push_str(&marker(i, lx + 15.0, y, &color));
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#111\">{}</text></g>",
            lx + 38.0,
            y + 5.0,
            xml_escape(&ellipsize(&p.name, LEGEND_CHARS))
        );
    }
    let mut key = |s: &mut String, line: &str, text: &str| {
        let y = TOP + 10.0 + row * 26.0;
        row += 1.0;
        let _ = writeln!(
            s,
            "<g class=\"legend\"><line x1=\"{lx}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" {line}/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#111\">{text}</text></g>",
            lx + 30.0,
            lx + 38.0,
            y + 5.0
        );
    };
    if kind == Metric::PriceCost {
        key(
            s,
            "stroke=\"#555\" stroke-width=\"3\" stroke-dasharray=\"7 5\"",
            "unit cost",
        );
    }
    if data.unserved.is_some() {
        let line = format!("stroke=\"{UNSERVED_COLOR}\" stroke-width=\"2.5\" stroke-dasharray=\"2 4\"");
        key(s, &line, "unserved");
    }
    if !data.ghosts.is_empty() {
        key(
            s,
            "stroke=\"#555\" stroke-opacity=\"0.4\" stroke-width=\"2\"",
            "baseline",
        );
    }
    if !data.bands.is_empty() {
        key(
            s,
            "stroke=\"#555\" stroke-opacity=\"0.3\" stroke-width=\"10\"",
            "p5–p95, p25–p75",
        );
    }
}

/// The unserved share's line: dark red, dotted, apart from every provider's colour.
const UNSERVED_COLOR: &str = "#8b1a1a";
const UNSERVED_LABEL: &str = "Unserved demand";

/// A marker whose shape depends on the provider index.
fn marker(i: usize, x: f64, y: f64, color: &str) -> String {
    let r = 5.0;
    let (tx, ty) = (Tenths(x), Tenths(y));
    match i % 6 {
        0 => format!("<circle cx=\"{tx}\" cy=\"{ty}\" r=\"{r}\" fill=\"{color}\"/>\n"),
        1 => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\"/>\n",
            Tenths(x - r),
            Tenths(y - r),
            2.0 * r,
            2.0 * r
        ),
        2 => format!(
            "<polygon points=\"{tx},{} {},{} {},{}\" fill=\"{color}\"/>\n",
            Tenths(y - r),
            Tenths(x - r),
            Tenths(y + r),
            Tenths(x + r),
            Tenths(y + r),
        ),
        3 => format!(
            "<polygon points=\"{tx},{} {},{ty} {tx},{} {},{ty}\" fill=\"{color}\"/>\n",
            Tenths(y - r),
            Tenths(x + r),
            Tenths(y + r),
            Tenths(x - r),
        ),
        4 => format!(
            "<path d=\"M{},{} L{},{} M{},{} L{},{}\" stroke=\"{color}\" stroke-width=\"3\"/>\n",
            Tenths(x - r),
            Tenths(y - r),
            Tenths(x + r),
            Tenths(y + r),
            Tenths(x - r),
            Tenths(y + r),
            Tenths(x + r),
            Tenths(y - r),
        ),
        _ => format!(
            "<circle cx=\"{tx}\" cy=\"{ty}\" r=\"{r}\" fill=\"#ffffff\" stroke=\"{color}\" stroke-width=\"2.5\"/>\n"
        ),
    }
}

/// A coordinate as `{:.1}` writes it, without the exact-decimal machinery
/// `{:.1}` runs for every number: a value of ordinary size that is not within
/// a millionth of a tie is rounded from its tenfold, which cannot then round
/// the other way; any other goes to `{:.1}`.
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        let scaled = (v * 10.0).abs();
        let frac = scaled - scaled.floor();
        if !(scaled < 1e9 && (frac - 0.5).abs() > 1e-6) {
            return write!(f, "{v:.1}");
        }
        let n = scaled.round() as u64;
        let mut digits = [0u8; 24];
        let mut at = digits.len();
        let mut rest = n / 10;
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        at -= 1;
        digits[at] = b'.';
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if v.is_sign_negative() {
            at -= 1;
            digits[at] = b'-';
        }
        f.write_str(std::str::from_utf8(&digits[at..]).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_are_what_the_format_writes() {
        let mut s: u64 = 0x2545_f491_4f6c_dd1d;
        let mut values = vec![
            0.0,
            -0.0,
            0.05,
            0.15,
            0.25,
            -0.05,
            -0.04,
            0.04,
            1.45,
            2.55,
            999.95,
            1e9,
            -1e12,
            1e300,
            123.45,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            5e-324,
            0.95,
            9.95,
            99.95,
        ];
        for _ in 0..100_000 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let x = (s >> 11) as f64 / (1u64 << 53) as f64;
            values.push((x - 0.3) * 2000.0);
            values.push(((s >> 40) as f64) / 20.0 - 4000.0);
            values.push(f64::from_bits(s));
        }
        for v in values {
            assert_eq!(Tenths(v).to_string(), format!("{v:.1}"), "bits {:#x}", v.to_bits());
        }
    }

    #[test]
    fn axes_include_zero_near_the_data_and_waste_little() {
        // Cash from about $0 to $48B: starts at $0 with no negative tick.
        let (lo, hi, step) = linear_axis(-120.0, 48_000.0);
        assert!(lo <= -120.0 && lo > -step && hi >= 48_000.0, "{lo} {hi} {step}");
        assert!(1.0 - 48_120.0 / (hi - lo) <= 0.1, "{lo} {hi}");
        assert!(ticks(lo, hi, step).contains(&0.0));
        let (lo, _, _) = linear_axis(300.0, 48_000.0);
        assert_eq!(lo, 0.0);
        // Far from zero: no zero.
        let (lo, hi, _) = linear_axis(0.62, 0.71);
        assert!(lo > 0.5 && hi < 0.8, "{lo} {hi}");
    }

    #[test]
    fn one_unit_and_one_precision_per_axis() {
        let t = ticks(0.0, 5000.0, 1000.0);
        assert_eq!(
            tick_labels(Metric::Cash, &t, 1000.0),
            ["$0B", "$1B", "$2B", "$3B", "$4B", "$5B"]
        );
        let t = ticks(-500.0, 1500.0, 500.0);
        assert_eq!(
            tick_labels(Metric::OperatingProfit, &t, 500.0),
            ["-$0.5B", "$0.0B", "$0.5B", "$1.0B", "$1.5B"]
        );
        let t: Vec<f64> = (-2..=2).map(|e| 10f64.powi(e)).collect();
        assert_eq!(
            tick_labels(Metric::PriceCost, &t, 1.0),
            ["$0.01", "$0.1", "$1", "$10", "$100"]
        );
    }

    #[test]
    fn long_names_are_shortened_and_colours_darkened_for_white() {
        assert_eq!(
            ellipsize("Hyperscaler International Holdings", 18),
            "Hyperscaler Inter…"
        );
        assert_eq!(ellipsize("EcoCloud", 18), "EcoCloud");
        assert_eq!(on_white(Rgb(255, 255, 0)).len(), 7);
        assert_ne!(on_white(Rgb(255, 255, 0)), "#ffff00");
        assert_eq!(on_white(Rgb(31, 119, 180)), "#1f77b4");
    }
}
