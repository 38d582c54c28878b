//! Export: well-formed SVG charts with one series per provider, a report with the
//! story and the horizon league table, and an HTML file that needs nothing else.

use cloudstrat::document::presets::default_scenario;
use cloudstrat::output::export::{ExportFormat, export, svg_chart};
use cloudstrat::sim::{Beat, Metric, Scenario, simulate};

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
            assert!(svg.contains(&p.color.hex()), "{} lacks {}'s colour", kind.name(), p.id);
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
    let files = export(&sc, &run, ExportFormat::Markdown);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"report.md") && names.contains(&"run.csv"));
    assert_eq!(names.iter().filter(|n| n.ends_with(".svg")).count(), 6);
    let md = &files.iter().find(|(n, _)| n == "report.md").expect("report").1;
    // Angle brackets are escaped so Markdown shows them instead of reading HTML.
    let escaped = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    for beat in &sc.story {
        assert!(md.contains(&escaped(&beat.title)), "missing beat {}", beat.title);
        assert!(md.contains(&escaped(&beat.narration)));
    }
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
    let files = export(&sc, &run, ExportFormat::Html);
    assert_eq!(files.len(), 1);
    let html = &files[0].1;
    for reference in ["src=", "href=", "url(", "@import", "<link", "<script"] {
        assert!(!html.contains(reference), "HTML refers outside itself: {reference}");
    }
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(html.contains("2023: scarcity &lt;&amp;&gt;"), "titles are escaped");
    assert!(html.contains("Horizon, 2030 Q4"));
}
