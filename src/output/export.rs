//! Export for slides and documents: a report (Markdown or one self-contained
//! HTML file), the run as CSV, and one SVG chart per chart tab.
//!
//! The report is built once as a list of blocks and rendered to either format,
//! so the two always say the same thing. Pure: returns file names and contents;
//! writing them is the caller's job.

use super::svg::{self, ChartOptions, Comparison};
use crate::format::musd;
use crate::output::report;
use crate::sim::{Metric, Run, Scenario};
use std::fmt::Write as _;

/// Output format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `report.md`, `run.csv` and one SVG per chart.
    Markdown,
    /// One `report.html` with the charts inline.
    Html,
    /// One `deck.html` that presents the story in a browser, offline.
    Slides,
    /// Each chart as PNG at 1920×1080 and at twice that.
    Png,
    /// `workbook.xlsx`: a sheet per metric with a native line chart.
    Xlsx,
}

enum Block {
    Heading(u8, String),
    Para(String),
    Table(Vec<String>, Vec<Vec<String>>),
    List(Vec<String>),
    Chart(Metric),
}

/// Every file of the export, as (file name, contents). With a baseline in
/// `cmp`, charts draw its ghost lines and the league tables gain Δ columns;
/// with Monte Carlo results, charts draw the fan bands.
pub fn export(sc: &Scenario, run: &Run, cmp: Comparison, format: ExportFormat) -> Vec<(String, Vec<u8>)> {
    let opt = report_chart_options(sc, cmp);
    let blocks = report_blocks(sc, run, cmp);
    match format {
        ExportFormat::Markdown => {
            let mut files = vec![
                ("report.md".to_string(), markdown(&blocks).into_bytes()),
                ("run.csv".to_string(), report::csv(sc, run).into_bytes()),
            ];
            for k in Metric::ALL {
                files.push((format!("{}.svg", k.name()), svg::chart(sc, run, k, &opt).into_bytes()));
            }
            files
        }
        ExportFormat::Html => vec![("report.html".to_string(), html(sc, run, &opt, &blocks).into_bytes())],
        ExportFormat::Slides => vec![("deck.html".to_string(), super::deck::deck(sc, run, cmp).into_bytes())],
        ExportFormat::Png => super::raster::pngs(sc, run, &opt),
        ExportFormat::Xlsx => vec![("workbook.xlsx".to_string(), super::workbook::workbook(sc, run, cmp))],
    }
}

/// The report's charts: the comparison, and the story's beats marked by number.
fn report_chart_options<'a>(sc: &Scenario, cmp: Comparison<'a>) -> ChartOptions<'a> {
    ChartOptions {
        compare: cmp,
        reveal: None,
        marks: sc
            .story
            .iter()
            .enumerate()
            .map(|(n, b)| (b.at, format!("{}", n + 1)))
            .collect(),
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
                sc.param_label(r),
                format!("`{}`", sc.key_name(r)),
                crate::format::num(sc.base_value(r)),
                r.spec().unit.label().to_string(),
                if kfs.is_empty() { "none".into() } else { kfs.join(", ") },
            ]
        })
        .collect()
}

/// The league table at `t`; with a baseline, Δ share, Δ cumulative profit and
/// Δ cash against it at the same quarter.
fn league_rows(sc: &Scenario, run: &Run, baseline: Option<&Run>, t: u32) -> Vec<Vec<String>> {
    let order = report::ranking(run, t);
    report::league_rows(sc, run, t)
        .into_iter()
        .zip(order)
        .map(|(row, i)| {
            let mut row = Vec::from(row);
            if let Some(b) = baseline.filter(|b| b.quarters == run.quarters && b.providers == run.providers) {
                let (now, then) = (run.row(t, i), b.row(t, i));
                row.push(crate::format::pts(now.share - then.share));
                row.push(signed_musd(run.cumulative_profit(i, t) - b.cumulative_profit(i, t)));
                row.push(signed_musd(now.cash_musd - then.cash_musd));
            }
            row
        })
        .chain(std::iter::once(unserved_row(run, baseline, t)))
        .collect()
}

/// The league table's last row: the share of demand nobody served.
fn unserved_row(run: &Run, baseline: Option<&Run>, t: u32) -> Vec<String> {
    let width = report::LEAGUE_HEADER.len() + if baseline.is_some() { 3 } else { 0 };
    let mut row = vec![String::new(); width];
    row[1] = "Unserved demand".into();
    row[2] = report::pct(run.market[t as usize].unserved_share());
    row
}

fn signed_musd(v: f64) -> String {
    if v > 0.0 { format!("+{}", musd(v)) } else { musd(v) }
}

fn report_blocks(sc: &Scenario, run: &Run, cmp: Comparison) -> Vec<Block> {
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
            "key".into(),
            "value at start".into(),
            "unit".into(),
            "keyframes".into(),
        ],
        lever_rows(sc),
    ));
    let mut header: Vec<String> = report::LEAGUE_HEADER.iter().map(|s| s.to_string()).collect();
    b.push(Block::Heading(2, "League tables".into()));
    let mut about = "Share of demand, price and unit cost in USD per million tokens, gross margin of the quarter, operating profit summed from the start, cash, debt and net cash (cash less debt) at the quarter's end; the last row is the demand nobody served.".to_string();
    if cmp.baseline.is_some() {
        header.extend(["Δ share".into(), "Δ cum. profit".into(), "Δ cash".into()]);
        about.push_str(" Δ columns compare with the pinned baseline at the same quarter.");
    }
    if let Some(mc) = cmp.fan {
        about.push_str(&format!(
            " Charts show Monte Carlo bands from {} runs: p5 to p95 light, p25 to p75 darker.",
            mc.runs
        ));
    }
    b.push(Block::Para(about));
    let last = run.last();
    for t in (0..run.quarters).filter(|&t| run.quarter(t).q() == 4 && t != last) {
        b.push(Block::Heading(3, format!("End of {}", run.quarter(t).year())));
        b.push(Block::Table(header.clone(), league_rows(sc, run, cmp.baseline, t)));
    }
    b.push(Block::Heading(3, format!("Horizon, {}", run.quarter(last).label())));
    b.push(Block::Table(header, league_rows(sc, run, cmp.baseline, last)));
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
                    .map(|(r, v)| format!("{} = {}", sc.param_label(*r), crate::format::num(*v)))
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

/// A table cell's text: inline syntax escaped (block syntax means nothing in a cell).
fn md_cell(s: &str) -> String {
    md_inline(s)
}

/// Text that Markdown renders exactly as written, on one line. Every ASCII
/// punctuation character that CommonMark (with GFM tables and strikethrough)
/// reads as inline syntax anywhere is backslash-escaped: emphasis `*` `_`,
/// links `[` `]` `!`, code `` ` ``, raw HTML and autolinks `<` `>`, entities
/// `&`, strikethrough `~`, table cells `|`, headings `#` and the backslash
/// itself. Characters that are syntax only at the start of a block (`-` `+`
/// `=` and `1.` or `1)`) are escaped there. Line breaks become spaces, so no
/// line of the text can start a block of its own.
pub fn md_text(s: &str) -> String {
    let mut out = md_inline(s);
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    let after = out[digits..].chars().nth(1);
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else if digits > 0 && out[digits..].starts_with(['.', ')']) && after.is_none_or(|c| c == ' ') {
        out.insert(digits, '\\');
    }
    out
}

fn md_inline(s: &str) -> String {
    // Control characters are dropped (they become U+FFFD first).
    let clean = crate::document::clean::for_terminal(s).replace('\u{FFFD}', "");
    let flat: String = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len() + 8);
    for c in flat.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '|' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
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

pub use super::svg::xml_escape;

fn html(sc: &Scenario, run: &Run, opt: &ChartOptions, blocks: &[Block]) -> String {
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
                let svg = svg::chart(sc, run, *k, opt);
                // The inline copy drops the XML declaration.
                let body = svg.split_once("?>\n").map_or(svg.as_str(), |(_, b)| b);
                let _ = writeln!(s, "<figure>\n{body}</figure>");
            }
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// One chart as a standalone SVG document (no comparison, the whole horizon).
pub fn svg_chart(sc: &Scenario, run: &Run, kind: Metric) -> String {
    svg::chart(sc, run, kind, &ChartOptions::default())
}
