//! The self-presenting deck: one HTML file, no external references, one
//! slide per beat (title, narration with live numbers, the beat's chart as
//! inline SVG, the focus provider's figures and how they moved since the last
//! beat). Arrow keys, PageDown/PageUp (clickers), Home/End and `b` work as in
//! the terminal presentation; `s` opens a presenter view with the private
//! notes, the next beat's title and the clocks, which the audience never sees.
//!
//! Pure: the file's text from a scenario, its run and the comparison.

use super::narration;
use super::svg::{self, ChartOptions, Comparison, xml_escape};
use crate::format::{musd, pct, usd_mtok};
use crate::sim::{Run, Scenario, Status};
use std::fmt::Write as _;

const STYLE: &str = "
html,body{margin:0;height:100%;background:#fff;color:#111;font-family:'DejaVu Sans',Arial,Helvetica,sans-serif}
body.blank section.slide.active{visibility:hidden}
section.slide{display:none;box-sizing:border-box;width:100vw;height:100vh;padding:2.2vh 3vw;flex-direction:column}
section.slide.active{display:flex}
.top{display:flex;justify-content:space-between;color:#666;font-size:1.6vh}
h2{margin:.8vh 0 .6vh;font-size:4.2vh}
.narration{font-size:2.3vh;line-height:1.35;margin:0 0 1.2vh;max-width:95vw}
.figures{display:flex;gap:4vw;margin-bottom:1vh}
.figure .label{font-size:1.7vh;color:#444}
.figure .value{font-size:4.6vh;font-weight:bold}
.figure .change{font-size:1.7vh}
.up{color:#0a7d32}.down{color:#b3261e}.same{color:#666}
.chart{flex:1;min-height:0;display:flex;justify-content:center}
.chart svg{height:100%;width:auto;max-width:100%}
aside.notes{display:none}
#presenter-panel{display:none}
body.presenter #presenter-panel{display:block;position:fixed;right:1vw;bottom:1vh;width:34vw;max-height:60vh;overflow:auto;background:#111;color:#eee;padding:1.2vh 1vw;font-size:1.8vh;border-left:4px solid #f0b400}
body.presenter #presenter-panel #clock{font-size:2.6vh;font-weight:bold}
body.presenter #presenter-panel #narration{display:none}
@media print{section.slide{display:flex;page-break-after:always;height:auto;min-height:100vh}}
";

struct Figure {
    label: String,
    value: String,
    change: Option<(String, &'static str)>,
}

fn figures(sc: &Scenario, run: &Run, i: usize, at: u32, prev: Option<(usize, u32)>) -> Vec<Figure> {
    if i >= run.providers || run.quarters == 0 {
        return Vec::new();
    }
    let at = at.min(run.last());
    let now = run.row(at, i);
    let name = &sc.providers[i].name;
    let exited = now.status == Status::Exited;
    let then = prev.map(|(b, t)| (b, run.row(t.min(run.last()), i)));
    let arrow = |d: f64, up_is_good: Option<bool>| -> &'static str {
        match up_is_good {
            _ if d.abs() < 1e-9 => "same",
            Some(true) if d > 0.0 => "up",
            Some(true) => "down",
            Some(false) if d > 0.0 => "down",
            Some(false) => "up",
            None => "same",
        }
    };
    let since = |b: usize| format!("since beat {}", b + 1);
    let value = |s: String| if exited { "exited".to_string() } else { s };
    vec![
        Figure {
            label: format!("{name} · share"),
            value: value(pct(now.share)),
            change: then.map(|(b, r)| {
                let d = (now.share - r.share) * 100.0;
                (
                    format!("{} pts {}", crate::format::signed(d, 1), since(b)),
                    arrow(d, Some(true)),
                )
            }),
        },
        Figure {
            label: format!("{name} · price per million tokens"),
            value: value(usd_mtok(now.price_usd_per_mtok)),
            change: then.map(|(b, r)| {
                let d = now.price_usd_per_mtok - r.price_usd_per_mtok;
                let sign = if d < 0.0 { "-" } else { "+" };
                (format!("{sign}{} {}", usd_mtok(d.abs()), since(b)), arrow(d, None))
            }),
        },
        Figure {
            label: format!("{name} · cash"),
            value: value(musd(now.cash_musd)),
            change: then.map(|(b, r)| {
                let d = now.cash_musd - r.cash_musd;
                let sign = if d > 0.0 { "+" } else { "" };
                (format!("{sign}{} {}", musd(d), since(b)), arrow(d, Some(true)))
            }),
        },
    ]
}

/// The deck as one HTML file.
pub fn deck(sc: &Scenario, run: &Run, cmp: Comparison) -> String {
    let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(s, "<title>{}</title>", xml_escape(&sc.meta.name));
    let _ = writeln!(s, "<style>{STYLE}</style>\n</head>\n<body>");
    let runs = narration::beat_runs(sc, run);
    if sc.story.is_empty() {
        let _ = writeln!(
            s,
            "<p style=\"margin:3em\">{} has no story beats: add them in the dashboard (a at a quarter, B to edit) and export again.</p>",
            xml_escape(&sc.meta.name)
        );
    }
    for (n, (beat, beat_run)) in sc.story.iter().zip(&runs).enumerate() {
        let at = beat.at.min(beat_run.last());
        // Beats use the baseline and bands only when they belong to this run's scenario.
        let same = |r: &Run| r.quarters == beat_run.quarters && r.providers == beat_run.providers;
        let opt = ChartOptions {
            compare: Comparison {
                baseline: cmp.baseline.filter(|b| same(b)),
                // The bands are of the scenario's own run: shown until a beat changes a lever.
                fan: cmp.fan.filter(|_| beat_run == run),
            },
            reveal: Some(at),
            marks: vec![(at, sc.quarter_at(at).label())],
        };
        let chart = svg::chart(sc, beat_run, beat.chart, &opt);
        // Inline: no XML declaration and no namespace URL (HTML knows <svg>).
        let chart = chart.split_once("?>\n").map_or(chart.as_str(), |(_, b)| b);
        let chart = chart.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
        let prev = n.checked_sub(1).and_then(|p| sc.story.get(p).map(|b| (p, b.at)));
        let _ = writeln!(
            s,
            "<section class=\"slide\" id=\"beat-{}\" data-quarter=\"{}\">",
            n + 1,
            sc.quarter_at(beat.at)
        );
        let _ = writeln!(
            s,
            "<div class=\"top\"><span>{}</span><span>beat {} / {} · {}</span></div>",
            xml_escape(&sc.meta.name),
            n + 1,
            sc.story.len(),
            sc.quarter_at(beat.at).label()
        );
        let _ = writeln!(s, "<h2>{}</h2>", xml_escape(&beat.title));
        let _ = writeln!(
            s,
            "<p class=\"narration\">{}</p>",
            xml_escape(&narration::fill(&beat.narration, sc, beat_run, beat.at))
        );
        s.push_str("<div class=\"figures\">\n");
        for f in figures(sc, beat_run, beat.focus, beat.at, prev) {
            let _ = write!(
                s,
                "<div class=\"figure\"><div class=\"label\">{}</div><div class=\"value\">{}</div>",
                xml_escape(&f.label),
                xml_escape(&f.value)
            );
            match f.change {
                Some((text, class)) => {
                    let _ = writeln!(s, "<div class=\"change {class}\">{}</div></div>", xml_escape(&text));
                }
                None => s.push_str("<div class=\"change same\">first beat</div></div>\n"),
            }
        }
        s.push_str("</div>\n");
        let _ = writeln!(s, "<div class=\"chart\">{chart}</div>");
        let _ = writeln!(
            s,
            "<aside class=\"notes\">{}</aside>",
            xml_escape(&narration::fill(&beat.notes, sc, beat_run, beat.at))
        );
        s.push_str("</section>\n");
    }
    let _ = writeln!(s, "<script>\n{}</script>", include_str!("deck.js"));
    s.push_str("</body>\n</html>\n");
    s
}
