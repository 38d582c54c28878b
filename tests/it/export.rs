//! Export: well-formed SVG charts with one series per provider, a report with the
//! story and the horizon league table, and an HTML file that needs nothing else.

use cloudstrat::document::presets::default_scenario;
use cloudstrat::output::export::{ExportFormat, export, svg_chart};
use cloudstrat::output::svg::Comparison;
use cloudstrat::sim::{Beat, Metric, Scenario, simulate};

/// The files of a text export as text.
fn texts(files: Vec<(String, Vec<u8>)>) -> Vec<(String, String)> {
    files
        .into_iter()
        .map(|(n, b)| (n, String::from_utf8(b).expect("text")))
        .collect()
}

fn with_story() -> Scenario {
    let mut sc = default_scenario();
    sc.story = vec![
        Beat {
            at: 0,
            title: "2023: scarcity <&>".into(),
            narration: "Demand outruns capacity.".into(),
            notes: String::new(),
            chart: Metric::Share,
            focus: 2,
            levers: vec![],
        },
        Beat {
            at: 8,
            title: "2025: the parity shock".into(),
            narration: "Open models catch up.".into(),
            notes: String::new(),
            chart: Metric::PriceCost,
            focus: 3,
            levers: vec![(cloudstrat::sim::ParamRef::PARITY, 0.9)],
        },
    ];
    sc
}

#[test]
fn every_chart_is_well_formed_with_one_series_per_provider() {
    let sc = default_scenario();
    let run = simulate(&sc);
    for kind in Metric::ALL {
        let svg = svg_chart(&sc, &run, kind);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let series: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("series"))
            .filter_map(|n| n.attribute("data-provider"))
            .collect();
        let per_provider = if kind == Metric::PriceCost { 2 } else { 1 };
        assert_eq!(series.len(), sc.providers.len() * per_provider, "{}", kind.name());
        for p in &sc.providers {
            assert_eq!(series.iter().filter(|s| **s == p.id).count(), per_provider);
            let colour = cloudstrat::output::svg::on_white(p.color);
            assert!(svg.contains(&colour), "{} lacks {}'s colour", kind.name(), p.id);
            assert!(svg.contains(&p.name), "{} lacks {}'s legend", kind.name(), p.id);
        }
        for year in ["2023", "2030"] {
            assert!(svg.contains(&format!(">{year}</text>")), "x axis lacks {year}");
        }
    }
}

#[test]
fn the_markdown_export_has_the_report_the_csv_and_six_charts() {
    let sc = with_story();
    let run = simulate(&sc);
    let files = texts(export(&sc, &run, Comparison::default(), ExportFormat::Markdown));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"report.md") && names.contains(&"run.csv"));
    assert_eq!(names.iter().filter(|n| n.ends_with(".svg")).count(), 6);
    let md = &files.iter().find(|(n, _)| n == "report.md").expect("report").1;
    // Angle brackets are escaped so Markdown shows them instead of reading HTML.
    let escaped = cloudstrat::output::export::md_text;
    for beat in &sc.story {
        assert!(md.contains(&escaped(&beat.title)), "missing beat {}", beat.title);
        assert!(md.contains(&escaped(&beat.narration)));
    }
    assert!(md.contains("scarcity \\<\\&\\>"), "{md}");
    assert!(!md.contains("<&>"));
    assert!(md.contains("### Horizon, 2030 Q4"));
    let horizon = md.split("### Horizon, 2030 Q4").nth(1).expect("horizon table");
    for p in &sc.providers {
        assert!(horizon.contains(&p.name), "horizon table lacks {}", p.name);
    }
    let csv = &files.iter().find(|(n, _)| n == "run.csv").expect("csv").1;
    assert_eq!(csv, &cloudstrat::output::report::csv(&sc, &run));
}

#[test]
fn the_html_export_is_self_contained() {
    let sc = with_story();
    let run = simulate(&sc);
    let files = texts(export(&sc, &run, Comparison::default(), ExportFormat::Html));
    assert_eq!(files.len(), 1);
    let html = &files[0].1;
    for reference in ["src=", "href=", "url(", "@import", "<link", "<script"] {
        assert!(!html.contains(reference), "HTML refers outside itself: {reference}");
    }
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(html.contains("2023: scarcity &lt;&amp;&gt;"), "titles are escaped");
    assert!(html.contains("Horizon, 2030 Q4"));
}

/// The default scenario with parity pushed to 95 % from 2025Q1, against the
/// default as the baseline: the meeting's what-if.
fn what_if() -> (Scenario, cloudstrat::sim::Run, cloudstrat::sim::Run) {
    let base = cloudstrat::document::presets::default_scenario();
    let mut sc = base.clone();
    let t = sc.index_of("2025Q1".parse().expect("quarter")).expect("in horizon");
    sc.set_lever(cloudstrat::sim::ParamRef::PARITY, t, 0.95);
    let (run, baseline) = (simulate(&sc), simulate(&base));
    (sc, run, baseline)
}

fn tick_values(doc: &roxmltree::Document) -> Vec<f64> {
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("tick"))
        .filter_map(|n| n.attribute("data-value")?.parse().ok())
        .collect()
}

#[test]
fn exported_charts_carry_the_baseline_bands_and_exits_with_sensible_axes() {
    let (sc, run, baseline) = what_if();
    let mc =
        cloudstrat::analysis::montecarlo::monte_carlo(&sc, 24, 1, &|_| {}, &std::sync::atomic::AtomicBool::new(false))
            .expect("not cancelled");
    let opt = cloudstrat::output::svg::ChartOptions {
        compare: Comparison {
            baseline: Some(&baseline),
            fan: Some(&mc),
        },
        ..Default::default()
    };
    let exits: Vec<usize> = (0..run.providers)
        .filter(|&i| run.row(run.last(), i).status == cloudstrat::sim::Status::Exited)
        .collect();
    for kind in Metric::ALL {
        let svg = cloudstrat::output::svg::chart(&sc, &run, kind, &opt);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let count = |class: &str| {
            doc.descendants()
                .filter(|n| n.attribute("class") == Some(class))
                .count()
        };
        let per_provider = if kind == Metric::PriceCost { 2 } else { 1 };
        assert_eq!(
            count("baseline"),
            sc.providers.len() * per_provider,
            "{}: ghosts",
            kind.name()
        );
        assert_eq!(
            count("band"),
            sc.providers.len() * 2,
            "{}: two bands per provider",
            kind.name()
        );
        assert_eq!(count("exit"), exits.len(), "{}: exit marks", kind.name());
        // Every name is kept whole in a <title>, even where the legend shortens it.
        for p in &sc.providers {
            assert!(
                doc.descendants()
                    .any(|n| n.has_tag_name("title") && n.text() == Some(p.name.as_str()))
            );
        }
        if kind.log_scale() {
            continue;
        }
        // Ticks: evenly spaced, covering the data with at most about a tenth to spare,
        // and starting at zero when the data come near it.
        let ticks = tick_values(&doc);
        let step = ticks[1] - ticks[0];
        assert!(
            ticks.windows(2).all(|w| ((w[1] - w[0]) - step).abs() < step * 1e-6),
            "{}: {ticks:?}",
            kind.name()
        );
        let scale = if matches!(kind, Metric::Share | Metric::SelfChipShare) {
            100.0
        } else {
            1.0
        };
        let kpi = cloudstrat::output::svg::chart_kpi(kind);
        let values: Vec<f64> = [&run, &baseline]
            .iter()
            .flat_map(|r| (0..sc.providers.len()).flat_map(move |i| kind.series(r, i).into_iter().flatten()))
            .chain((0..mc.quarters).flat_map(|t| {
                let mc = &mc;
                (0..mc.providers).flat_map(move |i| {
                    let p = mc.get(t, i, kpi);
                    [p[0] * scale, p[4] * scale]
                })
            }))
            .collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let axis = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("y-axis"))
            .expect("y axis");
        let bound = |a: &str| {
            axis.attribute(a)
                .and_then(|v| v.parse::<f64>().ok())
                .expect("axis bounds")
        };
        let (bottom, top) = (bound("data-min"), bound("data-max"));
        assert!(
            bottom <= lo + 1e-9 && top >= hi - 1e-9,
            "{}: {bottom}..{top} vs {lo}..{hi}",
            kind.name()
        );
        assert!(
            ticks.iter().all(|t| (bottom - 1e-9..=top + 1e-9).contains(t)),
            "{}: {ticks:?}",
            kind.name()
        );
        let near_zero = lo >= 0.0 && lo <= 0.1 * hi;
        let shown_lo = if near_zero { 0.0 } else { lo };
        if near_zero || (lo < 0.0 && hi > 0.0) {
            assert!(ticks.contains(&0.0), "{}: a $0 line: {ticks:?}", kind.name());
        }
        let waste = 1.0 - (hi - shown_lo) / (top - bottom);
        assert!(
            waste <= 0.1 + 1e-9,
            "{}: {:.0}% of the plot is empty: {bottom}..{top}",
            kind.name(),
            waste * 100.0
        );
        // One unit and one precision per axis.
        let labels: Vec<String> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("tick"))
            .filter_map(|n| n.text().map(str::to_string))
            .collect();
        let unit = |l: &str| l.chars().filter(|c| c.is_alphabetic() || *c == '%').collect::<String>();
        let decimals = |l: &str| {
            l.split('.')
                .nth(1)
                .map_or(0, |d| d.chars().filter(char::is_ascii_digit).count())
        };
        assert!(labels.iter().all(|l| unit(l) == unit(&labels[0])), "{labels:?}");
        assert!(labels.iter().all(|l| decimals(l) == decimals(&labels[0])), "{labels:?}");
    }
}

#[test]
fn with_a_baseline_the_report_has_delta_columns() {
    let (sc, run, baseline) = what_if();
    let cmp = Comparison {
        baseline: Some(&baseline),
        fan: None,
    };
    let md = &texts(export(&sc, &run, cmp, ExportFormat::Markdown))[0].1;
    assert!(md.contains("| Δ share | Δ cum. profit | Δ cash |"), "{md}");
    let plain = &texts(export(&sc, &run, Comparison::default(), ExportFormat::Markdown))[0].1;
    assert!(!plain.contains("Δ share"));
}

#[test]
fn the_deck_has_one_slide_per_beat_and_refers_to_nothing_outside() {
    let mut sc = cloudstrat::document::presets::default_scenario();
    sc.story[1].notes = "PRIVATE: keep it short".into();
    let run = simulate(&sc);
    let files = texts(export(&sc, &run, Comparison::default(), ExportFormat::Slides));
    assert_eq!(files.len(), 1);
    let (name, html) = &files[0];
    assert_eq!(name, "deck.html");
    assert_eq!(html.matches("<section class=\"slide\"").count(), sc.story.len());
    assert_eq!(html.matches("<svg").count(), sc.story.len());
    for reference in [
        "http:", "https:", "src=", "href=", "url(", "@import", "<link", "<iframe",
    ] {
        assert!(!html.contains(reference), "the deck refers outside itself: {reference}");
    }
    for (b, beat) in sc.story.iter().enumerate() {
        let filled = cloudstrat::output::narration::fill(&beat.narration, &sc, &run, beat.at);
        assert!(
            html.contains(&cloudstrat::output::svg::xml_escape(&filled)),
            "beat {}",
            b + 1
        );
    }
    // Notes are in the page for the presenter view, hidden from the slides.
    assert!(html.contains("<aside class=\"notes\">PRIVATE: keep it short</aside>"));
    assert!(html.contains("aside.notes{display:none}"));
    // The presenter view: a second window, or a panel where pop-ups are blocked.
    assert!(html.contains("window.open") && html.contains("presenter-panel"));
    for key in ["PageDown", "PageUp", "ArrowRight", "Home", "End"] {
        assert!(html.contains(key), "the deck does not handle {key}");
    }
}

#[test]
fn png_charts_decode_at_slide_size() {
    let sc = cloudstrat::document::presets::default_scenario();
    let run = simulate(&sc);
    let files = export(&sc, &run, Comparison::default(), ExportFormat::Png);
    assert_eq!(files.len(), 12, "{:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
    for (name, bytes) in &files {
        let img = resvg::tiny_skia::Pixmap::decode_png(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = if name.contains("@2x") {
            (3840, 2160)
        } else {
            (1920, 1080)
        };
        assert_eq!((img.width(), img.height()), want, "{name}");
        // Drawn, not blank: some pixels are neither white nor transparent.
        assert!(
            img.pixels().iter().any(|p| p.red() < 200 && p.alpha() > 0),
            "{name} is empty"
        );
    }
}

#[test]
fn the_workbook_opens_with_a_sheet_and_a_chart_per_metric() {
    use calamine::Reader;
    let (sc, run, baseline) = what_if();
    let cmp = Comparison {
        baseline: Some(&baseline),
        fan: None,
    };
    let files = export(&sc, &run, cmp, ExportFormat::Xlsx);
    let (name, bytes) = &files[0];
    assert_eq!(name, "workbook.xlsx");
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).expect("calamine opens it");
    let names = wb.sheet_names();
    assert_eq!(names.len(), Metric::ALL.len() + 1, "{names:?}");
    assert_eq!(names.last().map(String::as_str), Some("League table"));
    // Wide form: a row per quarter, a column per provider, then the baseline's.
    let share = wb.worksheet_range("Market share").expect("share sheet");
    assert_eq!(
        share.get_value((0, 1)).map(|v| v.to_string()),
        Some(sc.providers[0].name.clone())
    );
    assert_eq!(
        share.get_value((1, 0)).map(|v| v.to_string()),
        Some(sc.start.to_string())
    );
    let v = share
        .get_value((1, 1))
        .and_then(calamine::DataType::as_f64)
        .expect("a number");
    assert!((v - run.row(0, 0).share * 100.0).abs() < 1e-9);
    assert_eq!(share.height() as u32, run.quarters + 1);
    let header: Vec<String> = (0..share.width())
        .filter_map(|c| share.get_value((0, c as u32)).map(|v| v.to_string()))
        .collect();
    assert!(header.iter().any(|h| h.ends_with("(baseline)")), "{header:?}");
    // One native chart on each metric sheet.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("a zip");
    let charts = (0..zip.len())
        .filter(|&k| {
            zip.by_index(k)
                .is_ok_and(|f| f.name().is_ok_and(|n| n.starts_with("xl/charts/chart")))
        })
        .count();
    assert_eq!(charts, Metric::ALL.len());
    for sheet in 1..=Metric::ALL.len() {
        let rels = format!("xl/worksheets/_rels/sheet{sheet}.xml.rels");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(&rels).expect("sheet has a drawing"), &mut text).expect("utf-8");
        assert!(text.contains("drawing"), "{rels}: {text}");
    }
}

#[test]
fn markdown_shows_hostile_text_as_written() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut sc = cloudstrat::document::presets::default_scenario();
    let description =
        "# Not a heading: *Hyper*scaler* and _under_ [draft](x) <b>bold</b> &amp; `tick` ~~gone~~ | pipe \\ back";
    sc.meta.description = description.into();
    sc.providers[0].name = "Hyper*scaler*".into();
    sc.providers[1].name = "1. Eco [Cloud]".into();
    sc.story.truncate(1);
    sc.story[0].title = "- not a list".into();
    let run = simulate(&sc);
    let md = texts(export(&sc, &run, Comparison::default(), ExportFormat::Markdown))
        .remove(0)
        .1;
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    // Each block's visible text, and any inline syntax that was read.
    let mut blocks: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut syntax = Vec::new();
    let mut headings = 0;
    for ev in Parser::new_ext(&md, opts) {
        match ev {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::List(_)) => {
                syntax.push(format!("{ev:?}"));
            }
            Event::Html(h) | Event::InlineHtml(h) => syntax.push(h.to_string()),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell | TagEnd::Item) => {
                blocks.push(std::mem::take(&mut text));
            }
            _ => {}
        }
    }
    // The report's own lists and headings are expected; nothing from the text.
    let ours = md.lines().filter(|l| l.starts_with('#')).count();
    assert_eq!(headings, ours);
    assert!(syntax.iter().all(|s| s.starts_with("Start(List")), "{syntax:?}");
    for want in [description, "Hyper*scaler*", "1. Eco [Cloud]"] {
        assert!(
            blocks.iter().any(|b| b == want),
            "`{want}` is not shown as written in\n{blocks:#?}"
        );
    }
    assert!(blocks.iter().any(|b| b.contains("- not a list")), "{blocks:#?}");
}
