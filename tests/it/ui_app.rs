//! What the dashboard does with actions and events: lever changes and
//! keyframes, undo and redo, baseline, playback, mouse, quitting and saving.

use cloudstrat::document::Source;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::{self, ParamRef};
use cloudstrat::ui::keymap::Mode;
use cloudstrat::ui::layout::{self, ScreenLayout};
use cloudstrat::ui::{self, Action, App, Metric, ScriptedEvents, Step, Theme, input};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

fn app() -> App {
    let mut a = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    a.update(Action::Resize { width: 120, height: 40 });
    a
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(a: &mut App, column: u16, row: u16) {
    let ev = mouse(MouseEventKind::Down(MouseButton::Left), column, row);
    if let Some(act) = input::action_for_event(a, &ev) {
        a.update(act);
    }
}

#[test]
fn starts_paused_at_the_first_quarter_with_the_whole_run_simulated() {
    let a = app();
    assert!(!a.playing());
    assert_eq!(a.cursor(), 0);
    assert_eq!(a.run().quarters, a.scenario().quarters);
    assert_eq!(a.run(), &sim::simulate(a.scenario()));
    assert!(!a.is_modified());
}

#[test]
fn a_change_at_the_first_quarter_sets_the_base_value() {
    let mut a = app();
    let before = a.run().clone();
    a.update(Action::Adjust(Step::Up));
    assert_eq!(a.scenario().market.open_source_parity, 0.31);
    assert!(a.scenario().keyframe_quarters(ParamRef::PARITY).all(|t| t != 0));
    assert_ne!(a.run(), &before, "re-simulated at once");
    assert_eq!(a.run(), &sim::simulate(a.scenario()));
    assert!(a.is_modified());
}

#[test]
fn a_change_later_adds_a_keyframe_there_and_leaves_earlier_quarters_alone() {
    let mut a = app();
    for _ in 0..5 {
        a.update(Action::StepForward);
    }
    let r = ParamRef::lock_in(0);
    a.update(Action::NextLever);
    a.update(Action::NextLever);
    a.update(Action::NextLever);
    assert_eq!(a.selected_ref(), Some(r));
    let before = a.run().clone();
    a.update(Action::Adjust(Step::BigUp));
    assert!(a.scenario().keyframe_quarters(r).any(|t| t == 5));
    assert_eq!(a.scenario().base_value(r), 0.5);
    assert_eq!(a.value(r), 0.55);
    for t in 0..5 {
        assert_eq!(before.quarter_rows(t), a.run().quarter_rows(t), "quarter {t} changed");
    }
    assert_ne!(before.quarter_rows(6), a.run().quarter_rows(6));
}

#[test]
fn undo_and_redo_every_lever_change() {
    let mut a = app();
    let original = a.scenario().clone();
    a.update(Action::Adjust(Step::Up));
    a.update(Action::StepForward);
    a.update(Action::NextLever);
    a.update(Action::Adjust(Step::BigDown));
    a.update(Action::NextProvider);
    a.update(Action::NextLever);
    a.update(Action::Adjust(Step::BigUp));
    let changed = a.scenario().clone();
    let run = a.run().clone();
    for _ in 0..3 {
        a.update(Action::Undo);
    }
    assert_eq!(a.scenario(), &original);
    assert!(!a.is_modified());
    assert_eq!(a.run(), &sim::simulate(&original));
    a.update(Action::Undo);
    assert_eq!(a.status(), Some("nothing to undo"));
    for _ in 0..3 {
        a.update(Action::Redo);
    }
    assert_eq!(a.scenario(), &changed);
    assert_eq!(a.run(), &run);
    a.update(Action::Undo);
    a.update(Action::Adjust(Step::Up));
    assert_eq!(a.can_redo(), 0, "a new change clears the redo history");
}

#[test]
fn removing_a_keyframe_is_undoable() {
    let mut a = app();
    // The default scenario sets parity to 85% at 2025 Q1 (quarter 8).
    for _ in 0..8 {
        a.update(Action::StepForward);
    }
    assert!(a.scenario().keyframe_quarters(ParamRef::PARITY).any(|t| t == 8));
    a.update(Action::RemoveKeyframe);
    assert!(!a.scenario().keyframe_quarters(ParamRef::PARITY).any(|t| t == 8));
    a.update(Action::Undo);
    assert!(a.scenario().keyframe_quarters(ParamRef::PARITY).any(|t| t == 8));
    assert!(!a.is_modified());
}

#[test]
fn levers_stay_in_range() {
    let mut a = app();
    for _ in 0..200 {
        a.update(Action::Adjust(Step::BigUp));
    }
    assert_eq!(a.scenario().market.open_source_parity, 1.0);
    for _ in 0..200 {
        a.update(Action::Adjust(Step::BigDown));
    }
    assert_eq!(a.scenario().market.open_source_parity, 0.0);
    assert!(a.scenario().problems().is_empty());
}

#[test]
fn providers_cycle_and_the_levers_follow() {
    let mut a = app();
    let n = a.scenario().providers.len();
    a.update(Action::PrevProvider);
    assert_eq!(a.provider(), n - 1);
    assert_eq!(a.levers()[2], ParamRef::self_chip_volume(n - 1));
    a.update(Action::NextProvider);
    assert_eq!(a.provider(), 0);
}

#[test]
fn all_parameters_view_reaches_every_parameter() {
    let mut a = app();
    a.update(Action::ToggleAllParams);
    let levers = a.levers();
    assert_eq!(
        levers.len(),
        cloudstrat::sim::MarketKey::ALL.len() + cloudstrat::sim::ProviderKey::ALL.len()
    );
    assert_eq!(a.selected_ref(), Some(ParamRef::PARITY), "selection is kept");
    a.update(Action::PrevLever);
    assert_eq!(a.selected_lever(), levers.len() - 1);
}

#[test]
fn baseline_pins_the_current_run() {
    let mut a = app();
    a.update(Action::ToggleBaseline);
    let pinned = a.run().clone();
    a.update(Action::Adjust(Step::BigUp));
    assert_eq!(a.baseline(), Some(&pinned));
    assert_ne!(a.run(), &pinned);
    a.update(Action::ToggleBaseline);
    assert!(a.baseline().is_none());
}

#[test]
fn playback_advances_and_stops_at_the_end() {
    let mut a = app();
    a.update(Action::Tick);
    assert_eq!(a.cursor(), 0, "paused: ticks do nothing");
    a.update(Action::TogglePlay);
    assert!(a.playing());
    a.update(Action::Tick);
    assert_eq!(a.cursor(), 1);
    let slow = a.tick_interval();
    a.update(Action::Faster);
    assert!(a.tick_interval() < slow);
    for _ in 0..100 {
        a.update(Action::Tick);
    }
    assert_eq!(a.cursor(), a.run().last());
    assert!(!a.playing());
    a.update(Action::TogglePlay);
    assert_eq!(a.cursor(), 0, "playing from the end starts again");
}

#[test]
fn the_loop_plays_to_the_end_with_a_scripted_source() {
    let mut a = app();
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let space = Event::Key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
    ui::run_app(&mut t, &mut a, &mut ScriptedEvents::new([space])).unwrap();
    assert_eq!(a.cursor(), a.run().last());
    assert!(!a.playing());
}

#[test]
fn quit_asks_first_when_there_are_unsaved_changes() {
    let mut a = app();
    a.update(Action::Quit);
    assert!(a.should_quit(), "nothing to lose: quits at once");
    let mut a = app();
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Quit);
    assert!(!a.should_quit());
    assert_eq!(a.mode(), Mode::ConfirmQuit);
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::Normal);
    a.update(Action::Quit);
    a.update(Action::QuitDiscard);
    assert!(a.should_quit());
}

#[test]
fn save_writes_a_strategy_file_that_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app().with_save_dir(dir.path().to_path_buf());
    a.update(Action::StepForward);
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::Save);
    // A preset asks for a name, suggesting its own.
    assert_eq!(a.mode(), Mode::NamePrompt);
    a.update(Action::SubmitName);
    let path = dir.path().join("default.ron");
    assert_eq!(a.save_path(), path);
    assert!(!a.is_modified(), "{:?}", a.status());
    let loaded = cloudstrat::document::file::load_path(&path).unwrap();
    assert_eq!(loaded.keyframes, a.scenario().keyframes);
    assert_eq!(loaded.market, a.scenario().market);
    a.update(Action::Quit);
    assert!(a.should_quit());
}

#[test]
fn save_and_quit_from_the_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app().with_save_dir(dir.path().join("nested"));
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Quit);
    a.update(Action::SaveAndQuit);
    assert_eq!(a.mode(), Mode::NamePrompt, "a preset needs a name first");
    assert!(!a.should_quit());
    a.update(Action::SubmitName);
    assert!(a.should_quit());
    assert!(dir.path().join("nested/default.ron").exists());
}

#[test]
fn clicking_a_lever_selects_it_and_its_slider_sets_it() {
    let mut a = app();
    let l = ScreenLayout::compute(a.viewport(), &a).unwrap();
    let g = layout::lever_panel(l.levers, &a);
    let lock_in = g.rows.iter().find(|r| r.index == 3).unwrap();
    click(&mut a, lock_in.label.x + 3, lock_in.label.y);
    assert_eq!(a.selected_lever(), 3);
    assert!(!a.is_modified(), "clicking a name only selects");
    // The right end of the slider is the top of the range.
    let s = lock_in.slider;
    click(&mut a, s.right() - 1, s.y);
    assert_eq!(a.scenario().base_value(ParamRef::lock_in(0)), 1.0);
    // Dragging to the left end, through the middle, is one undoable change.
    let drag = |kind, x| mouse(kind, x, s.y);
    for ev in [
        drag(MouseEventKind::Down(MouseButton::Left), s.x + s.width / 2),
        drag(MouseEventKind::Drag(MouseButton::Left), s.x + 2),
        drag(MouseEventKind::Drag(MouseButton::Left), s.x),
        drag(MouseEventKind::Up(MouseButton::Left), s.x),
    ] {
        if let Some(act) = input::action_for_event(&a, &ev) {
            a.update(act);
        }
    }
    assert_eq!(a.scenario().base_value(ParamRef::lock_in(0)), 0.0);
    assert_eq!(a.dragging(), None);
    a.update(Action::Undo);
    assert_eq!(a.scenario().base_value(ParamRef::lock_in(0)), 1.0);
}

#[test]
fn clicking_a_tab_shows_it_and_clicking_the_plot_moves_the_cursor() {
    let mut a = app();
    let l = ScreenLayout::compute(a.viewport(), &a).unwrap();
    let g = layout::chart(l.chart);
    let (tab, r) = g.tabs[3];
    assert_eq!(tab, Metric::Cash);
    click(&mut a, r.x + 1, r.y);
    assert_eq!(a.tab(), Metric::Cash);
    click(&mut a, g.plot.right() - 1, g.plot.y + 2);
    assert_eq!(a.cursor(), a.run().last());
    click(&mut a, g.plot.x, g.plot.y + 2);
    assert_eq!(a.cursor(), 0);
}

#[test]
fn scrolling_the_event_log() {
    let mut a = app();
    a.update(Action::LastQuarter);
    let l = ScreenLayout::compute(a.viewport(), &a).unwrap();
    let ev = mouse(MouseEventKind::ScrollDown, l.events.x + 2, l.events.y + 2);
    let act = input::action_for_event(&a, &ev);
    assert_eq!(act, Some(Action::ScrollLog(1)));
    a.update(Action::ScrollLog(1));
    assert_eq!(a.log_scroll(), 1);
    a.update(Action::ScrollLog(-5));
    assert_eq!(a.log_scroll(), 0);
    a.update(Action::ScrollLog(10_000));
    assert_eq!(a.log_scroll(), a.run().events.len() - 1);
}

#[test]
fn help_is_an_overlay_with_its_own_keys() {
    let mut a = app();
    a.update(Action::ToggleHelp);
    assert_eq!(a.mode(), Mode::Help);
    let ev = Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    let act = input::action_for_event(&a, &ev).unwrap();
    a.update(act);
    assert_eq!(a.mode(), Mode::Normal);
}

#[test]
fn undoing_a_keyframe_removal_brings_back_its_uncertainty() {
    let mut sc = default_scenario();
    sc.uncertainty.push(sim::Uncertain {
        target: ParamRef::PARITY,
        at: Some(8),
        dist: sim::Distribution::Uniform { min: 0.7, max: 0.95 },
    });
    let original = sc.clone();
    let mut a = App::new(sc, Source::Preset("default".into()), Theme::COLOR);
    for _ in 0..8 {
        a.update(Action::StepForward);
    }
    a.update(Action::RemoveKeyframe);
    assert!(
        !a.scenario().uncertainty.iter().any(|u| u.at == Some(8)),
        "the engine drops uncertainty of a removed keyframe"
    );
    a.update(Action::Undo);
    assert_eq!(a.scenario(), &original);
    a.update(Action::Redo);
    a.update(Action::Undo);
    assert_eq!(a.scenario(), &original);
}

/// Regression: keys used to change levers unseen while only "terminal too
/// small" was on screen.
#[test]
fn a_too_small_terminal_ignores_everything_but_quit() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let mut a = cloudstrat::ui::App::new(
        cloudstrat::document::presets::default_scenario(),
        cloudstrat::document::Source::Preset("default".into()),
        cloudstrat::ui::Theme::COLOR,
    );
    a.update(cloudstrat::ui::Action::Resize { width: 40, height: 10 });
    let key = |c: KeyCode, m: KeyModifiers| Event::Key(KeyEvent::new(c, m));
    assert_eq!(
        cloudstrat::ui::input::action_for_event(&a, &key(KeyCode::Right, KeyModifiers::SHIFT)),
        None
    );
    assert_eq!(
        cloudstrat::ui::input::action_for_event(&a, &key(KeyCode::Char('p'), KeyModifiers::NONE)),
        None
    );
    assert_eq!(
        cloudstrat::ui::input::action_for_event(&a, &key(KeyCode::Char('q'), KeyModifiers::NONE)),
        Some(cloudstrat::ui::Action::Quit)
    );
    a.update(cloudstrat::ui::Action::Resize { width: 120, height: 40 });
    assert!(cloudstrat::ui::input::action_for_event(&a, &key(KeyCode::Right, KeyModifiers::NONE)).is_some());
}

#[test]
fn undo_says_when_older_changes_were_dropped() {
    let mut a = cloudstrat::ui::App::new(
        cloudstrat::document::presets::default_scenario(),
        cloudstrat::document::Source::Preset("default".into()),
        cloudstrat::ui::Theme::COLOR,
    );
    for i in 0..501 {
        let step = if i % 2 == 0 { Step::Up } else { Step::Down };
        a.update(Action::Adjust(step));
        // Another action between presses: each press is an undo step of its own.
        a.update(Action::ShowTab(Metric::Share));
    }
    for _ in 0..500 {
        a.update(Action::Undo);
    }
    a.update(Action::Undo);
    assert!(
        a.status().is_some_and(|s| s.contains("only the last 500")),
        "{:?}",
        a.status()
    );
}
