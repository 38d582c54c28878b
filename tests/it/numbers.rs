//! The numbers a strategist reads: the unserved part of demand in the league
//! table and on the share chart, debt and net cash, a dash where an exited
//! provider has no price, no "-0.0" anywhere, the open file in the header,
//! and levers by their names for people in the event log and exports.

use cloudstrat::document::Source;
use cloudstrat::document::presets::{self, default_scenario};
use cloudstrat::output::export::{ExportFormat, export};
use cloudstrat::output::report;
use cloudstrat::output::svg::Comparison;
use cloudstrat::sim::{self, Metric, Scenario, Status};
use cloudstrat::ui::{self, Action, App, ScriptedEvents, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;

/// The default scenario with NeoCloud given no credit line: it exits.
fn with_an_exit() -> (Scenario, usize, u32) {
    let mut sc = default_scenario();
    let key = sc.parse_key("providers.neo.credit_line_musd").unwrap();
    sc.set_whole_run(key, 0.0);
    let run = sim::simulate(&sc);
    let neo = sc.provider_index("neo").unwrap();
    let exit = (0..run.quarters)
        .find(|&t| run.row(t, neo).status == Status::Exited)
        .expect("neo exits");
    (sc, neo, exit)
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    ui::run_app(&mut t, app, &mut ScriptedEvents::new([])).unwrap();
    t
}

fn text_of(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

#[test]
fn the_league_table_shows_unserved_demand_debt_net_cash_and_dashes_for_an_exit() {
    let (sc, _, exit) = with_an_exit();
    // 2023 Q2 has a shortage; NeoCloud is gone by then or soon after.
    let at = exit.max(1);
    let mut app = App::new(sc, Source::File(PathBuf::from("/plans/my-plan.ron")), Theme::COLOR);
    app.update(Action::SetCursor(at));
    let t = draw(&mut app, 120, 40);
    insta::assert_snapshot!("league_unserved_debt_120x40", t.backend());
    let screen = text_of(&t);
    assert!(screen.contains("Unserved demand"), "{screen}");
    assert!(screen.contains("Debt") && screen.contains("Net cash"), "{screen}");
    assert!(screen.contains("my-plan.ron [saved]"), "{screen}");
    let neo_row = screen
        .lines()
        .find(|l| l.contains("NeoCloud") && l.contains("exited"))
        .expect("neo's row");
    assert!(neo_row.contains('–'), "{neo_row}");
    assert!(!neo_row.contains("$0.000"), "{neo_row}");
}

#[test]
fn at_80_columns_the_unserved_share_is_in_the_title_and_debt_stays() {
    let mut app = App::new(
        default_scenario(),
        Source::File(PathBuf::from("plan.ron")),
        Theme::COLOR,
    );
    app.update(Action::SetCursor(1));
    let t = draw(&mut app, 80, 24);
    insta::assert_snapshot!("league_unserved_debt_80x24", t.backend());
    let screen = text_of(&t);
    assert!(screen.contains("unserved 13.3%"), "{screen}");
    assert!(screen.contains("Debt"), "{screen}");
    assert!(screen.contains("plan.ron [saved]"), "{screen}");
}

#[test]
fn the_header_names_the_file_and_says_when_it_is_modified() {
    let mut app = App::new(
        default_scenario(),
        Source::File(PathBuf::from("/x/q3 plan.ron")),
        Theme::COLOR,
    );
    let first = text_of(&draw(&mut app, 120, 40));
    assert!(first.lines().next().unwrap().contains("q3 plan.ron [saved]"), "{first}");
    app.update(Action::Adjust(ui::Step::Up));
    let after = text_of(&draw(&mut app, 120, 40));
    let top = after.lines().next().unwrap();
    assert!(top.contains("q3 plan.ron [modified]"), "{top}");
    insta::assert_snapshot!("header_modified_file_120x40", top);
    let mut preset = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    let top = text_of(&draw(&mut preset, 80, 24)).lines().next().unwrap().to_string();
    assert!(top.contains("default [unsaved]"), "{top}");
    // Narrow, with a baseline pinned and a long file name: the name and state still show whole.
    let mut long = App::new(
        default_scenario(),
        Source::File(PathBuf::from("strategy-q3.ron")),
        Theme::COLOR,
    );
    long.update(Action::Adjust(ui::Step::Up));
    long.update(Action::ToggleBaseline);
    let top = text_of(&draw(&mut long, 80, 24)).lines().next().unwrap().to_string();
    assert!(
        top.contains("strategy-q3.ron [modified]") && top.contains("baseline"),
        "{top}"
    );
}

#[test]
fn shares_and_the_unserved_part_add_up_to_all_of_demand() {
    for name in presets::names() {
        let sc = presets::load(name).unwrap().unwrap();
        let run = sim::simulate(&sc);
        for t in 0..run.quarters {
            let served: f64 = run.quarter_rows(t).iter().map(|r| r.share).sum();
            let unserved = run.market[t as usize].unserved_share();
            assert!(
                (served + unserved - 1.0).abs() < 1e-6,
                "{name} at {t}: {served} + {unserved}"
            );
        }
    }
    let sc = default_scenario();
    let run = sim::simulate(&sc);
    let line = Metric::Share
        .unserved(&run)
        .expect("the default run has a shortage in 2023 Q2");
    assert!((line[1].unwrap() - 13.3).abs() < 0.1, "{:?}", line[1]);
    assert_eq!(Metric::Cash.unserved(&run), None);
    let svg = cloudstrat::output::svg::chart(&sc, &run, Metric::Share, &Default::default());
    assert!(
        svg.contains("class=\"unserved\"") && svg.contains(">unserved<"),
        "the SVG draws and names it"
    );
    assert!(svg.contains("share of demand"));
}

/// Text that a sign in front of a zero would make: "-0.0", "-0%", "-$0M", "−0.0".
fn minus_zero(s: &str) -> Option<String> {
    let bad = ["-0.0", "-0%", "-$0M", "−0.0", "−$0M", "-0 ", "+-"];
    s.lines()
        .find(|l| {
            bad.iter().any(|b| {
                l.match_indices(b).any(|(i, _)| {
                    // "-0.05" is a real number; "-0.0" followed by a non-digit, or "-0.00…0" is not.
                    let rest = &l[i + b.len()..];
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    digits.chars().all(|c| c == '0')
                })
            })
        })
        .map(str::to_string)
}

#[test]
fn no_figure_is_ever_minus_zero_on_screen_or_in_exports() {
    for name in ["default", "parity-shock", "slow-adoption"] {
        let sc = presets::load(name).unwrap().unwrap();
        let run = sim::simulate(&sc);
        if let Some(l) = minus_zero(&report::table(&sc, &run)) {
            panic!("{name}: run table: {l}");
        }
        for format in [ExportFormat::Markdown, ExportFormat::Html, ExportFormat::Slides] {
            for (file, bytes) in export(&sc, &run, Comparison::default(), format) {
                let text = file.ends_with(".md") || file.ends_with(".html") || file.ends_with(".svg");
                if text && let Some(l) = minus_zero(&String::from_utf8_lossy(&bytes)) {
                    panic!("{name}: {file}: {l}");
                }
            }
        }
        let mut app = App::new(sc.clone(), Source::Preset(name.into()), Theme::COLOR);
        app.update(Action::ToggleBaseline);
        for t in (0..run.quarters).step_by(3) {
            app.update(Action::SetCursor(t));
            for tab in Metric::ALL {
                app.update(Action::ShowTab(tab));
                let screen = text_of(&draw(&mut app, 120, 40));
                if let Some(l) = minus_zero(&screen) {
                    panic!("{name} at {t} on {tab:?}: {l}");
                }
            }
        }
    }
}

#[test]
fn the_event_log_and_exports_name_levers_for_people() {
    let mut sc = default_scenario();
    let key = sc.parse_key("providers.hyper.self_chip_volume").unwrap();
    sc.set_lever(key, 6, 90.0);
    let run = sim::simulate(&sc);
    let messages: Vec<String> = run.events.iter().map(|e| e.message(&sc)).collect();
    let set = messages
        .iter()
        .find(|m| m.contains("set to 90"))
        .unwrap_or_else(|| panic!("{messages:?}"));
    assert!(set.starts_with("Hyperscaler: Self-chip volume set to 90"), "{set}");
    assert!(messages.iter().all(|m| !m.contains("providers.")), "{messages:?}");
    let md: String = export(&sc, &run, Comparison::default(), ExportFormat::Markdown)
        .into_iter()
        .filter(|(f, _)| f.ends_with(".md"))
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(
        md.contains("| Hyperscaler: Self-chip volume |"),
        "the lever table names it for people"
    );
    assert!(
        md.contains("Hyperscaler: Self-chip volume set to 90"),
        "so does the event list"
    );
    assert!(
        md.contains("Unserved demand"),
        "and the league table has the unserved row"
    );
    let mut app = App::new(sc, Source::Preset("default".into()), Theme::COLOR);
    app.update(Action::SetCursor(6));
    let screen = text_of(&draw(&mut app, 120, 40));
    assert!(screen.contains("Hyperscaler: Self-chip"), "{screen}");
    assert!(!screen.contains("providers.hyper"), "{screen}");
}

#[test]
fn a_baseline_with_other_providers_compares_by_id_and_never_panics() {
    let mut app = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    app.update(Action::ToggleBaseline);
    app.update(Action::AddProvider);
    app.update(Action::TemplateChosen);
    for c in "Us".chars() {
        app.update(Action::TypeChar(c));
    }
    app.update(Action::SubmitProviderName);
    assert_eq!(app.scenario().providers.len(), 6);
    app.update(Action::LastQuarter);
    let screen = text_of(&draw(&mut app, 120, 40));
    let us = screen
        .lines()
        .find(|l| l.contains("★ Us") && l.contains("active"))
        .expect("our row");
    // Δq, then Δbase: no baseline row for a provider the baseline does not have.
    let cells: Vec<&str> = us.split_whitespace().collect();
    assert!(cells.iter().filter(|c| **c == "–").count() >= 1, "{us}");
    // Removing a provider the baseline has: the others still compare with their own.
    while app.scenario().providers[app.provider()].id != "eco" {
        app.update(Action::NextProvider);
    }
    app.update(Action::RemoveProvider);
    app.update(Action::ConfirmRemove);
    assert!(app.scenario().provider_index("eco").is_none());
    for tab in Metric::ALL {
        app.update(Action::ShowTab(tab));
        let _ = draw(&mut app, 120, 40);
        let _ = draw(&mut app, 80, 24);
    }
    let screen = text_of(&draw(&mut app, 120, 40));
    let neo = screen
        .lines()
        .find(|l| l.contains("NeoCloud") && l.contains("active"))
        .expect("neo's row");
    assert!(!neo.contains("▼100") && !neo.contains("▲100"), "{neo}");
}
