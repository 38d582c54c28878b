//! Whole screens of the real dashboard, driven through its event loop on a
//! `TestBackend`, as insta snapshots at 120×40 and 80×24.

use cloudstrat::document::Source;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::ui::{self, App, ScriptedEvents, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Event {
    key(KeyCode::Char(c))
}

/// Runs the dashboard on the default scenario through `events`, returning the final screen.
fn screen(width: u16, height: u16, events: Vec<Event>) -> (App, Terminal<TestBackend>) {
    let mut app = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    ui::run_app(&mut terminal, &mut app, &mut ScriptedEvents::new(events)).expect("loop");
    (app, terminal)
}

/// Moves to 2025 Q1 (eight quarters in), selects the hyperscaler's self-chip
/// volume and raises it by three big steps.
fn lever_change() -> Vec<Event> {
    let mut ev: Vec<Event> = (0..8).map(|_| ch('.')).collect();
    ev.extend([ch('j'), ch('j'), ch('L'), ch('L'), ch('L')]);
    ev
}

fn check(name: &str, width: u16, height: u16, events: Vec<Event>) {
    let (_, t) = screen(width, height, events);
    insta::assert_snapshot!(format!("{name}_{width}x{height}"), t.backend());
}

#[test]
fn at_start() {
    check("start", 120, 40, vec![]);
    check("start", 80, 24, vec![]);
}

#[test]
fn after_a_lever_change() {
    check("lever_change", 120, 40, lever_change());
    check("lever_change", 80, 24, lever_change());
}

#[test]
fn with_a_pinned_baseline() {
    let mut ev = vec![ch('b')];
    ev.extend(lever_change());
    ev.push(ch('2'));
    check("baseline", 120, 40, ev.clone());
    check("baseline", 80, 24, ev);
}

#[test]
fn with_the_help_overlay() {
    check("help", 120, 40, vec![ch('?')]);
    check("help", 80, 24, vec![ch('?')]);
}

#[test]
fn in_a_tiny_terminal() {
    check("tiny", 40, 10, vec![]);
    check("tiny", 1, 1, vec![]);
}

#[test]
fn all_parameters_view() {
    let ev = vec![
        ch('P'),
        key(KeyCode::Down),
        key(KeyCode::Down),
        key(KeyCode::Down),
        ch('3'),
    ];
    check("all_params", 120, 40, ev.clone());
    check("all_params", 80, 24, ev);
}

#[test]
fn quit_prompt_after_changes() {
    let mut ev = lever_change();
    ev.push(ch('q'));
    let (app, t) = screen(80, 24, ev);
    assert!(!app.should_quit(), "unsaved changes must be confirmed");
    insta::assert_snapshot!("quit_prompt_80x24", t.backend());
}

#[test]
fn observations_appear_on_the_share_and_price_charts_and_go_away() {
    let count = |t: &Terminal<TestBackend>| {
        t.backend()
            .buffer()
            .content()
            .iter()
            .filter(|c| c.symbol() == cloudstrat::ui::widgets::chart::OBSERVED)
            .count()
    };
    let (_, plain) = screen(120, 40, vec![]);
    assert_eq!(count(&plain), 0);
    let (app, shown) = screen(120, 40, vec![ch('v')]);
    assert!(app.shows_observations());
    // Eight share observations of two providers, some sharing a cell at most.
    assert!(count(&shown) >= 6, "{}", count(&shown));
    let (_, price) = screen(120, 40, vec![ch('v'), ch('2')]);
    assert!(count(&price) >= 2);
    let (_, hidden) = screen(120, 40, vec![ch('v'), ch('v')]);
    assert_eq!(count(&hidden), 0);
    insta::assert_snapshot!("observations_120x40", shown.backend());
}

#[test]
fn the_price_chart_says_which_cap_binds() {
    let (_, t) = screen(120, 40, vec![ch('2')]);
    let text: String = t.backend().buffer().content().iter().map(|c| c.symbol()).collect();
    assert!(text.contains("no cap binds") || text.contains("caps at"), "{text}");
}

/// The price ceiling selected at 2024 Q3, where its indexed cap is far below
/// the $60 set at the start: the headline is the cap in force, and `←` lowers it.
#[test]
fn the_ceiling_lever_shows_and_steps_the_cap_in_force() {
    let mut ev = vec![ch('j')];
    ev.extend((0..6).map(|_| ch('.')));
    check("ceiling_in_force", 120, 40, ev.clone());
    ev.push(key(KeyCode::Left));
    check("ceiling_lowered", 120, 40, ev);
}

/// `?` then Tab: what the screen's marks and numbers mean.
#[test]
fn the_help_explains_what_you_see() {
    let ev = vec![ch('?'), key(KeyCode::Tab)];
    check("what_you_see", 120, 40, ev.clone());
    check("what_you_see", 80, 24, ev);
}
