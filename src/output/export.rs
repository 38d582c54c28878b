//! Export for slides and documents: a report (Markdown or one self-contained
//! HTML file), the run as CSV, and one SVG chart per chart tab.
//!
//! The report is built once as a list of blocks and rendered to either format,
//! so the two always say the same thing. Pure: returns file names and contents;
//! writing them is the caller's job.

use crate::format::nice_step;
use crate::format::{musd, usd_mtok};
use crate::output::report;
use crate::sim::metric::series_until_exit;
use crate::sim::{Metric, Run, Scenario};
use std::fmt::Write as _;

/// Output format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `report.md`, `run.csv` and one SVG per chart.
    Markdown,
    /// One `report.html` with the charts inline.
    Html,
}

enum Block {
    Heading(u8, String),
    Para(String),
    Table(Vec<String>, Vec<Vec<String>>),
    List(Vec<String>),
    Chart(Metric),
}

/// Every file of the export, as (file name, contents).
pub fn export(sc: &Scenario, run: &Run, format: ExportFormat) -> Vec<(String, String)> {
    let blocks = report_blocks(sc, run);
    match format {
        ExportFormat::Markdown => {
            let mut files = vec![
                ("report.md".to_string(), markdown(&blocks)),
                ("run.csv".to_string(), report::csv(sc, run)),
            ];
            for k in Metric::ALL {
                files.push((format!("{}.svg", k.name()), svg_chart(sc, run, k)));
            }
            files
        }
        ExportFormat::Html => vec![("report.html".to_string(), html(sc, run, &blocks))],
    }
}

fn lever_rows(sc: &Scenario) -> Vec<Vec<String>> {
    let mut refs = vec![crate::sim::ParamRef::PARITY, crate::sim::ParamRef::CEILING];
    for i in 0..sc.providers.len() {
        refs.push(crate::sim::ParamRef::self_chip_volume(i));
        refs.push(crate::sim::ParamRef::lock_in(i));
    }
    refs.into_iter()
        .map(|r| {
            let kfs: Vec<String> = sc
                .keyframes
                .iter()
                .filter(|k| k.target == r)
                .map(|k| format!("{}: {}", sc.quarter_at(k.at), crate::format::num(k.value)))
                .collect();
            vec![
                sc.key_name(r),
                crate::format::num(sc.base_value(r)),
                r.spec().unit.to_string(),
                if kfs.is_empty() { "none".into() } else { kfs.join(", ") },
            ]
        })
        .collect()
}

fn league_rows(sc: &Scenario, run: &Run, t: u32) -> Vec<Vec<String>> {
    report::league_rows(sc, run, t).into_iter().map(Vec::from).collect()
}

fn report_blocks(sc: &Scenario, run: &Run) -> Vec<Block> {
    let mut b = vec![Block::Heading(1, sc.meta.name.clone())];
    if !sc.meta.description.is_empty() {
        b.push(Block::Para(sc.meta.description.clone()));
    }
    let mut facts = vec![
        format!(
            "Horizon: {} to {} ({} quarters), seed {}",
            sc.start,
            sc.end(),
            sc.quarters,
            sc.seed
        ),
        format!(
            "Providers: {}",
            sc.providers
                .iter()
                .map(|p| format!("{} ({})", p.name, p.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!(
            "Created {}, modified {}",
            sc.meta.created.format("%Y-%m-%d %H:%M UTC"),
            sc.meta.modified.format("%Y-%m-%d %H:%M UTC")
        ),
    ];
    if let Some(a) = &sc.meta.author {
        facts.insert(0, format!("Author: {a}"));
    }
    b.push(Block::List(facts));
    b.push(Block::Heading(2, "Lever settings".into()));
    b.push(Block::Table(
        vec![
            "lever".into(),
            "value at start".into(),
            "unit".into(),
            "keyframes".into(),
        ],
        lever_rows(sc),
    ));
    let header: Vec<String> = report::LEAGUE_HEADER.iter().map(|s| s.to_string()).collect();
    b.push(Block::Heading(2, "League tables".into()));
    b.push(Block::Para(
        "Share of tokens served, price and unit cost in USD per million tokens, gross margin of the quarter, operating profit summed from the start, cash at the quarter's end.".into(),
    ));
    let last = run.last();
    for t in (0..run.quarters).filter(|&t| run.quarter(t).q() == 4 && t != last) {
        b.push(Block::Heading(3, format!("End of {}", run.quarter(t).year())));
        b.push(Block::Table(header.clone(), league_rows(sc, run, t)));
    }
    b.push(Block::Heading(3, format!("Horizon, {}", run.quarter(last).label())));
    b.push(Block::Table(header, league_rows(sc, run, last)));
    b.push(Block::Heading(2, "Events".into()));
    if run.events.is_empty() {
        b.push(Block::Para("No events.".into()));
    } else {
        b.push(Block::List(
            run.events
                .iter()
                .map(|e| format!("{}: {}", run.quarter(e.at), e.message(sc)))
                .collect(),
        ));
    }
    if !sc.story.is_empty() {
        b.push(Block::Heading(2, "Story".into()));
        let runs = super::narration::beat_runs(sc, run);
        for (n, (beat, beat_run)) in sc.story.iter().zip(&runs).enumerate() {
            b.push(Block::Heading(
                3,
                format!("{}. {} ({})", n + 1, beat.title, sc.quarter_at(beat.at).label()),
            ));
            b.push(Block::Para(super::narration::fill(
                &beat.narration,
                sc,
                beat_run,
                beat.at,
            )));
            let focus = sc.providers.get(beat.focus).map_or("", |p| p.name.as_str());
            let mut meta = format!("Chart: {}; focus: {focus}", beat.chart.title());
            if !beat.levers.is_empty() {
                let set: Vec<String> = beat
                    .levers
                    .iter()
                    .map(|(r, v)| format!("{} = {}", sc.key_name(*r), crate::format::num(*v)))
                    .collect();
                let _ = write!(meta, "; sets {}", set.join(", "));
            }
            b.push(Block::Para(meta));
        }
    }
    b.push(Block::Heading(2, "Charts".into()));
    for k in Metric::ALL {
        b.push(Block::Chart(k));
    }
    b
}

fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|").replace('\n', " ")
}

/// Text that Markdown renders as written: angle brackets would otherwise pass
/// through as raw HTML, brackets and backticks make links, images and code
/// (`![x](http://…)`, `[x](javascript:…)`), and a line starting with `#`, `>`,
/// `-`, `+` or `=` would become a heading, quote or list. Control characters
/// are dropped.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut line_start = true;
    for c in crate::document::clean::for_terminal(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '[' | ']' | '`' | '*' | '_' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '\u{FFFD}' => {}
            _ => out.push(c),
        }
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

fn markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(s, "{} {}\n", "#".repeat(usize::from(*level)), md_text(text));
            }
            Block::Para(text) => {
                let _ = writeln!(s, "{}\n", md_text(text));
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(s, "- {}", md_text(i));
                }
                s.push('\n');
            }
            Block::Table(header, rows) => {
                let _ = writeln!(
                    s,
                    "| {} |",
                    header.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | ")
                );
                let _ = writeln!(s, "|{}|", header.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
                for r in rows {
                    let _ = writeln!(
                        s,
                        "| {} |",
                        r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
                s.push('\n');
            }
            Block::Chart(k) => {
                let _ = writeln!(s, "![{}]({}.svg)\n", k.title(), k.name());
            }
        }
    }
    s
}

/// Escapes text for XML and HTML. Characters XML does not allow (controls
/// other than tab and newline, and the ones [`crate::clean`] deems unsafe)
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

fn html(sc: &Scenario, run: &Run, blocks: &[Block]) -> String {
    let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(s, "<title>{}</title>", xml_escape(&sc.meta.name));
    s.push_str(
        "<style>\nbody{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#111}\n\
         table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:right}\n\
         td:nth-child(2),th:nth-child(2),td:first-child{text-align:left}\nsvg{max-width:100%;height:auto}\n</style>\n</head>\n<body>\n",
    );
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(s, "<h{level}>{}</h{level}>", xml_escape(text));
            }
            Block::Para(text) => {
                let _ = writeln!(s, "<p>{}</p>", xml_escape(text));
            }
            Block::List(items) => {
                s.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(s, "<li>{}</li>", xml_escape(i));
                }
                s.push_str("</ul>\n");
            }
            Block::Table(header, rows) => {
                s.push_str("<table>\n<tr>");
                for h in header {
                    let _ = write!(s, "<th>{}</th>", xml_escape(h));
                }
                s.push_str("</tr>\n");
                for r in rows {
                    s.push_str("<tr>");
                    for c in r {
                        let _ = write!(s, "<td>{}</td>", xml_escape(c));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</table>\n");
            }
            Block::Chart(k) => {
                let svg = svg_chart(sc, run, *k);
                // The inline copy drops the XML declaration.
                let body = svg.split_once("?>\n").map_or(svg.as_str(), |(_, b)| b);
                let _ = writeln!(s, "<figure>\n{body}</figure>");
            }
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}

const W: f64 = 960.0;
const H: f64 = 540.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 60.0;

fn tick_label(v: f64, kind: Metric) -> String {
    match kind {
        Metric::OperatingProfit | Metric::Cash => musd(v),
        Metric::PriceCost => usd_mtok(v),
        Metric::Share | Metric::SelfChipShare => format!("{v:.0}%"),
        Metric::Ecosystem => format!("{v:.1}"),
    }
}

/// One chart as a standalone SVG document: a line per provider in its colour, a
/// marker shape per provider (so lines differ without colour), axes in years and
/// in the chart's unit, and a legend.
pub fn svg_chart(sc: &Scenario, run: &Run, kind: Metric) -> String {
    let n = sc.providers.len();
    let mut series: Vec<(usize, Vec<Option<f64>>, bool)> = Vec::new();
    for i in 0..n {
        series.push((i, kind.series(run, i), false));
        if kind.second(run.row(0, i)).is_some() {
            // Every row has the second value when the first has one.
            let cost = series_until_exit(run, i, |r| kind.second(r).unwrap_or_default());
            series.push((i, cost, true));
        }
    }
    let log = kind.log_scale();
    let vals = series
        .iter()
        .flat_map(|(_, v, _)| v.iter().flatten().copied())
        .filter(|v| !log || *v > 0.0);
    let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let tf = |v: f64| if log { v.max(1e-9).log10() } else { v };
    let (mut ylo, mut yhi) = if log {
        (tf(lo).floor(), tf(hi).ceil().max(tf(lo).floor() + 1.0))
    } else {
        let lo = lo.min(0.0);
        let step = nice_step(((hi - lo).max(1e-9) / 5.0).max(1e-12), false);
        ((lo / step).floor() * step, (hi / step).ceil() * step)
    };
    if yhi <= ylo {
        yhi = ylo + 1.0;
    }
    if matches!(kind, Metric::Share | Metric::SelfChipShare) {
        (ylo, yhi) = (0.0, yhi.clamp(10.0, 100.0));
    }
    let x0 = run.quarter(0).as_year_f64();
    let x1 = run.quarter(run.last()).as_year_f64().max(x0 + 0.25);
    let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    let py = |y: f64| TOP + (1.0 - (tf(y) - ylo) / (yhi - ylo)) * (H - TOP - BOTTOM);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"14\">"
    );
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"30\" font-size=\"20\" font-weight=\"bold\">{} — {}</text>",
        xml_escape(kind.title()),
        xml_escape(&sc.meta.name)
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"50\" fill=\"#444\">{}</text>",
        xml_escape(kind.unit())
    );
    // Y grid and labels.
    s.push_str("<g class=\"y-axis\" stroke=\"#dddddd\">\n");
    let yticks: Vec<f64> = if log {
        (ylo as i32..=yhi as i32).map(|e| 10f64.powi(e)).collect()
    } else {
        let step = nice_step(((yhi - ylo) / 5.0).max(1e-12), false);
        let mut v = ylo;
        let mut out = Vec::new();
        while v <= yhi + step * 1e-9 {
            out.push(v);
            v += step;
        }
        out
    };
    for v in &yticks {
        let y = py(*v);
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
            W - RIGHT
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">{}</text>",
            LEFT - 8.0,
            y + 5.0,
            xml_escape(&tick_label(*v, kind))
        );
    }
    s.push_str("</g>\n<g class=\"x-axis\" stroke=\"#dddddd\">\n");
    for year in (x0.ceil() as i32)..=(x1.floor() as i32) {
        let x = px(f64::from(year));
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
    // One series per provider (and a dashed cost line on the price chart).
    for (i, values, dashed) in &series {
        let p = &sc.providers[*i];
        let color = p.color.hex();
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .filter_map(|(t, v)| v.filter(|x| !log || *x > 0.0).map(|v| (t, v)))
            .map(|(t, v)| format!("{:.1},{:.1}", px(run.quarter(t as u32).as_year_f64()), py(v)))
            .collect();
        let dash = if *dashed { " stroke-dasharray=\"6 4\"" } else { "" };
        let label = if *dashed {
            format!("{} unit cost", p.name)
        } else {
            p.name.clone()
        };
        let _ = writeln!(
            s,
            "<g class=\"series\" data-provider=\"{}\"><title>{}</title><polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\"{dash} points=\"{}\"/>",
            xml_escape(&p.id),
            xml_escape(&label),
            points.join(" ")
        );
        if !*dashed {
            for (t, v) in values.iter().enumerate().filter(|(t, _)| t % 4 == 0) {
                if let Some(v) = v.filter(|x| !log || *x > 0.0) {
                    s.push_str(&marker(*i, px(run.quarter(t as u32).as_year_f64()), py(v), &color));
                }
            }
        }
        s.push_str("</g>\n");
    }
    // Legend.
    for (row, p) in sc.providers.iter().enumerate() {
        let y = TOP + 10.0 + row as f64 * 26.0;
        let x = W - RIGHT + 20.0;
        let color = p.color.hex();
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"2.5\"/>",
            x + 30.0
        );
        s.push_str(&marker(row, x + 15.0, y, &color));
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 38.0,
            y + 5.0,
            xml_escape(&p.name)
        );
    }
    if kind == Metric::PriceCost {
        let y = TOP + 10.0 + n as f64 * 26.0;
        let x = W - RIGHT + 20.0;
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#555\" stroke-width=\"2.5\" stroke-dasharray=\"6 4\"/>",
            x + 30.0
        );
        let _ = writeln!(s, "<text x=\"{:.1}\" y=\"{:.1}\">unit cost</text>", x + 38.0, y + 5.0);
    }
    s.push_str("</svg>\n");
    s
}

/// A marker whose shape depends on the provider index.
fn marker(i: usize, x: f64, y: f64, color: &str) -> String {
    let r = 5.0;
    match i % 6 {
        0 => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"{color}\"/>\n"),
        1 => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{}\" height=\"{}\" fill=\"{color}\"/>\n",
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        2 => format!(
            "<polygon points=\"{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{color}\"/>\n",
            y - r,
            x - r,
            y + r,
            x + r,
            y + r
        ),
        3 => format!(
            "<polygon points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\" fill=\"{color}\"/>\n",
            y - r,
            x + r,
            y + r,
            x - r
        ),
        4 => format!(
            "<path d=\"M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}\" stroke=\"{color}\" stroke-width=\"3\"/>\n",
            x - r,
            y - r,
            x + r,
            y + r,
            x - r,
            y + r,
            x + r,
            y - r
        ),
        _ => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"#ffffff\" stroke=\"{color}\" stroke-width=\"2.5\"/>\n"
        ),
    }
}
