//! Decision analysis in the dashboard: the Monte Carlo job (start, progress,
//! cancel, completion, staleness), the tornado, best-response and waterfall
//! panels, applying an optimum as one undo step, and the keys. Jobs run on a
//! runner the test controls, so nothing here waits on the clock.

use cloudstrat::document::Source;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::ui::analysis::{JobKind, JobRunner, JobTask, MC_RUNS};
use cloudstrat::ui::keymap::{self, Mode, action_for_key, keymap};
use cloudstrat::ui::widgets::{self, JobStatusWidget, OptimumWidget, TornadoWidget, WaterfallWidget, waterfall_steps};
use cloudstrat::ui::{self, Action, App, Metric, ScriptedEvents, Step, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn app_with(runner: JobRunner) -> App {
    let mut a = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR).with_runner(runner);
    a.update(Action::Resize { width: 120, height: 40 });
    a
}

/// A runner that keeps the jobs for the test to run, report from or drop.
fn held() -> (JobRunner, Arc<Mutex<Vec<JobTask>>>) {
    let tasks: Arc<Mutex<Vec<JobTask>>> = Arc::default();
    let keep = Arc::clone(&tasks);
    let runner = JobRunner::new(move |t| keep.lock().expect("task list").push(t));
    (runner, tasks)
}

fn take_task(tasks: &Arc<Mutex<Vec<JobTask>>>) -> JobTask {
    tasks.lock().expect("task list").pop().expect("a job was started")
}

fn press(a: &mut App, code: KeyCode) {
    if let Some(act) = action_for_key(a.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
        a.update(act);
    }
}

fn text(a: &App, width: u16, height: u16) -> String {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(a, area, &mut buf);
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Event {
    key(KeyCode::Char(c))
}

/// Runs the dashboard through `events` with jobs run on the spot.
fn screen(width: u16, height: u16, events: Vec<Event>) -> (App, Terminal<TestBackend>) {
    let mut app =
        App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR).with_runner(JobRunner::inline());
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    ui::run_app(&mut terminal, &mut app, &mut ScriptedEvents::new(events)).expect("loop");
    (app, terminal)
}

fn check(name: &str, width: u16, height: u16, events: Vec<Event>) -> App {
    let (app, t) = screen(width, height, events);
    insta::assert_snapshot!(format!("{name}_{width}x{height}"), t.backend());
    app
}

/// Eight quarters in, the selected provider's self-chip volume up three big steps.
fn lever_change() -> Vec<Event> {
    let mut ev: Vec<Event> = (0..8).map(|_| ch('.')).collect();
    ev.extend([ch('j'), ch('j'), ch('L'), ch('L'), ch('L')]);
    ev
}

#[test]
fn monte_carlo_starts_reports_progress_and_cancels_with_esc() {
    let (runner, tasks) = held();
    let mut a = app_with(runner);
    a.update(Action::RunMonteCarlo);
    assert!(a.jobs_running());
    let job = a.analysis().job(JobKind::MonteCarlo).expect("job");
    assert_eq!((job.done, job.total), (0, MC_RUNS));
    assert!(text(&a, 120, 40).contains(&format!("0/{MC_RUNS} runs · Esc cancels")));

    let task = take_task(&tasks);
    task.report_progress(640);
    a.update(Action::PollJobs);
    assert_eq!(a.analysis().job(JobKind::MonteCarlo).map(|j| j.done), Some(640));
    let screen = text(&a, 120, 40);
    assert!(screen.contains(&format!("▰▰▰▱▱▱▱▱▱▱ 640/{MC_RUNS} runs")), "{screen}");
    assert!(text(&a, 80, 24).contains(&format!("640/{MC_RUNS}")));

    press(&mut a, KeyCode::Esc);
    assert!(task.is_cancelled(), "Esc sets the job's cancel flag");
    assert!(!a.jobs_running());
    assert_eq!(a.status(), Some("cancelled: Monte Carlo"));
    // The job stops early, and whatever it sends is never shown.
    task.run();
    a.update(Action::PollJobs);
    assert!(a.analysis().fan.is_none());
    assert!(!text(&a, 120, 40).contains("Esc cancels"));
}

#[test]
fn monte_carlo_completes_on_a_thread_and_the_loop_stops_polling() {
    let (done_tx, done_rx) = mpsc::channel();
    let runner = JobRunner::new(move |task| {
        let done = done_tx.clone();
        std::thread::spawn(move || {
            task.run();
            let _ = done.send(());
        });
    });
    let mut a = app_with(runner);
    a.update(Action::RunMonteCarlo);
    done_rx
        .recv_timeout(Duration::from_secs(300))
        .expect("the Monte Carlo finishes");
    a.update(Action::PollJobs);
    assert!(!a.jobs_running());
    let mc = a.fresh_fan().expect("bands of the current scenario");
    assert_eq!(mc.runs, MC_RUNS);
    assert!(a.status().is_some_and(|s| s.starts_with("Monte Carlo done")));
}

#[test]
fn fan_bands_after_a_monte_carlo() {
    let app = check("fan_bands", 120, 40, vec![ch('m')]);
    assert!(app.fresh_fan().is_some());
    check("fan_bands", 80, 24, vec![ch('m'), ch('2')]);
}

#[test]
fn bands_go_stale_with_a_lever_change_and_come_back_with_undo() {
    let mut ev = vec![ch('m')];
    ev.extend(lever_change());
    let (mut app, t) = screen(120, 40, ev);
    assert!(app.fresh_fan().is_none() && app.fan_stale());
    let shown: String = t.backend().buffer().content().iter().map(|c| c.symbol()).collect();
    assert!(shown.contains("bands hidden: levers changed since the Monte Carlo · m reruns"));
    assert!(!shown.contains('▒'), "no band of another scenario is drawn");
    insta::assert_snapshot!("fan_stale_120x40", t.backend());
    for _ in 0..3 {
        app.update(Action::Undo);
    }
    assert!(
        app.fresh_fan().is_some(),
        "undo brings back the scenario the bands belong to"
    );
}

#[test]
fn fan_bands_are_tinted_in_the_providers_colours() {
    let (app, t) = screen(120, 40, vec![ch('m')]);
    let buf = t.backend().buffer();
    let tinted = buf
        .content()
        .iter()
        .filter(|c| matches!(c.bg, ratatui::style::Color::Rgb(..)))
        .count();
    assert!(tinted > 50, "only {tinted} tinted cells");
    // Without colour the bands are shading glyphs only.
    let mut mono =
        App::new(default_scenario(), Source::Preset("default".into()), Theme::MONO).with_runner(JobRunner::inline());
    mono.update(Action::RunMonteCarlo);
    mono.update(Action::PollJobs);
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&mono, area, &mut buf);
    assert!(buf.content().iter().all(|c| c.bg == ratatui::style::Color::Reset));
    assert!(buf.content().iter().any(|c| c.symbol() == "▒"));
    assert!(app.fresh_fan().is_some());
}

#[test]
fn every_chart_tab_draws_bands() {
    let mut a = app_with(JobRunner::inline());
    a.update(Action::RunMonteCarlo);
    a.update(Action::PollJobs);
    for tab in Metric::ALL {
        a.update(Action::ShowTab(tab));
        let s = text(&a, 120, 40);
        assert!(s.contains('░') || s.contains('▒'), "{tab:?}: no band\n{s}");
    }
}

#[test]
fn tornado_panel() {
    let app = check("tornado", 120, 40, vec![ch('t')]);
    assert_eq!(app.mode(), Mode::Tornado);
    let t = &app.current_tornado().expect("tornado").value;
    assert!(t.bars.windows(2).all(|w| w[0].swing >= w[1].swing), "sorted by swing");
    check("tornado", 80, 24, vec![ch('t')]);
}

#[test]
fn tornado_follows_provider_and_kpi_and_closes() {
    let mut a = app_with(JobRunner::inline());
    a.update(Action::ShowSensitivity);
    a.update(Action::PollJobs);
    let first = a.current_tornado().expect("tornado").request.clone();
    press(&mut a, KeyCode::Tab);
    a.update(Action::PollJobs);
    let second = a
        .current_tornado()
        .expect("tornado of the next provider")
        .request
        .clone();
    assert_eq!(second.provider, first.provider + 1);
    press(&mut a, KeyCode::Char('k'));
    a.update(Action::PollJobs);
    assert_ne!(a.current_tornado().expect("tornado").request.kpi, first.kpi);
    assert!(text(&a, 120, 40).contains("share of"));
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.mode(), Mode::Normal);
}

#[test]
fn a_panel_says_it_is_computing_until_the_result_comes() {
    let (runner, tasks) = held();
    let mut a = app_with(runner);
    a.update(Action::ShowSensitivity);
    assert!(text(&a, 120, 40).contains("computing the sensitivity of"));
    take_task(&tasks).run();
    a.update(Action::PollJobs);
    assert!(text(&a, 120, 40).contains("each input alone"));
}

#[test]
fn optimum_panel() {
    let app = check("optimum", 120, 40, vec![ch('o')]);
    assert_eq!(app.mode(), Mode::Optimum);
    check("optimum", 80, 24, vec![ch('o')]);
}

#[test]
fn applying_the_optimum_is_one_undo_step() {
    let mut a = app_with(JobRunner::inline());
    // A keyframe of a lever the optimum replaces, so undo has something to bring back.
    for _ in 0..4 {
        a.update(Action::StepForward);
    }
    a.update(Action::NextLever);
    a.update(Action::NextLever);
    a.update(Action::Adjust(Step::BigUp));
    let before = a.scenario().clone();
    let undo_before = a.can_undo();
    a.update(Action::ShowOptimum);
    a.update(Action::PollJobs);
    let o = a.current_optimum().expect("optimum").value.clone();
    assert!(o.gain() > 0.0, "the default scenario has room to gain");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.mode(), Mode::Normal);
    assert_eq!(a.can_undo(), undo_before + 1, "one step");
    for (r, (_, v)) in o.refs.iter().zip(&o.settings) {
        assert_eq!(a.scenario().base_value(*r), *v);
        assert_eq!(a.scenario().keyframe_quarters(*r).count(), 0, "set for the whole run");
    }
    assert!(a.status().is_some_and(|s| s.contains("u undoes")));
    press(&mut a, KeyCode::Char('u'));
    assert_eq!(a.scenario(), &before, "undo restores the exact scenario");
    assert_eq!(a.run(), &cloudstrat::sim::simulate(&before));
    a.update(Action::Redo);
    for (r, (_, v)) in o.refs.iter().zip(&o.settings) {
        assert_eq!(a.scenario().base_value(*r), *v);
    }
}

#[test]
fn a_stale_optimum_is_not_applied() {
    let (runner, tasks) = held();
    let mut a = app_with(runner);
    a.update(Action::ShowOptimum);
    take_task(&tasks).run();
    a.update(Action::Dismiss);
    a.update(Action::Adjust(Step::Up));
    a.update(Action::PollJobs);
    let changed = a.scenario().clone();
    a.update(Action::ApplyOptimum);
    assert_eq!(a.scenario(), &changed);
    assert!(a.status().is_some_and(|s| s.starts_with("no optimum")));
}

fn waterfall_events() -> Vec<Event> {
    // Pin, then change two levers of the first provider and one market lever.
    let mut ev = vec![ch('b')];
    ev.extend(lever_change());
    ev.extend([ch('j'), ch('L'), ch('L'), ch('k'), ch('k'), ch('k'), ch('H'), ch('w')]);
    ev
}

#[test]
fn waterfall_panel() {
    let app = check("waterfall", 120, 40, waterfall_events());
    assert_eq!(app.mode(), Mode::Waterfall);
    check("waterfall", 80, 24, waterfall_events());
}

#[test]
fn waterfall_parts_add_up_to_the_total_shown() {
    let (app, t) = screen(120, 40, waterfall_events());
    let a = &app.current_attribution().expect("attribution").value;
    assert!(a.parts.len() >= 3, "{:?}", a.parts);
    let steps = waterfall_steps(a);
    assert_eq!(steps.first().map(|s| s.end), Some(a.base));
    assert_eq!(steps.last().map(|s| s.end), Some(a.current));
    for w in steps[1..steps.len() - 1].windows(2) {
        assert_eq!(w[0].end, w[1].start, "each step starts where the last ended");
    }
    let last_part = &steps[steps.len() - 2];
    let tol = 1e-9 * a.current.abs().max(1.0);
    assert!(
        (last_part.end - a.current).abs() < tol,
        "{} vs {}",
        last_part.end,
        a.current
    );
    let sum: f64 = a.parts.iter().map(|p| p.contribution).sum();
    assert!((sum - (a.current - a.base)).abs() < tol);
    // The screen states the same total in the heading and under the steps.
    let shown: Vec<String> = (0..40)
        .map(|y| {
            (0..120)
                .map(|x| t.backend().buffer()[(x, y)].symbol().to_string())
                .collect()
        })
        .collect();
    let heading = shown
        .iter()
        .find(|l| l.contains("baseline") && l.contains("→ now"))
        .expect("heading");
    let diff = heading
        .rsplit_once('(')
        .and_then(|(_, d)| d.split_once(')'))
        .map(|(d, _)| d.to_string())
        .expect("difference in brackets");
    assert!(
        shown
            .iter()
            .any(|l| l.contains(&format!("parts add up to {diff} = now − baseline"))),
        "{diff}"
    );
}

#[test]
fn waterfall_without_a_baseline_says_how_to_pin_one() {
    let mut a = app_with(JobRunner::inline());
    press(&mut a, KeyCode::Char('w'));
    assert_eq!(a.mode(), Mode::Normal);
    assert!(a.status().is_some_and(|s| s.contains("press b to pin")));
    // Pinned but unchanged: nothing to explain.
    a.update(Action::ToggleBaseline);
    press(&mut a, KeyCode::Char('w'));
    a.update(Action::PollJobs);
    assert_eq!(a.mode(), Mode::Waterfall);
    assert!(text(&a, 120, 40).contains("No lever differs from the baseline"));
}

#[test]
fn analysis_keys_and_help() {
    let n = |c| action_for_key(Mode::Normal, &KeyEvent::new(c, KeyModifiers::NONE));
    assert_eq!(n(KeyCode::Char('m')), Some(Action::RunMonteCarlo));
    assert_eq!(n(KeyCode::Char('t')), Some(Action::ShowSensitivity));
    assert_eq!(n(KeyCode::Char('o')), Some(Action::ShowOptimum));
    assert_eq!(n(KeyCode::Char('w')), Some(Action::ShowAttribution));
    assert_eq!(n(KeyCode::Esc), Some(Action::CancelJobs));
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(action_for_key(Mode::Optimum, &enter), Some(Action::ApplyOptimum));
    assert_eq!(action_for_key(Mode::Tornado, &enter), None);
    for mode in [Mode::Tornado, Mode::Optimum, Mode::Waterfall] {
        let keys: Vec<_> = keymap(mode).iter().flat_map(|b| b.keys.iter()).collect();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[..i].contains(k), "{mode:?}: {} bound twice", k.label());
        }
        assert!(keymap::hints(mode).iter().any(|(_, l)| *l == "close"));
    }
    for (w, h) in [(120, 40), (80, 24)] {
        let mut a = app_with(JobRunner::inline());
        a.update(Action::ToggleHelp);
        let s = text(&a, w, h);
        for help in [
            "Monte Carlo fan bands",
            "sensitivity tornado",
            "best chip volume, lock-in",
            "why it moved vs baseline",
        ] {
            assert!(s.contains(help), "{w}×{h}: help lacks {help}\n{s}");
        }
    }
}

#[test]
fn a_click_closes_a_panel() {
    let mut a = app_with(JobRunner::inline());
    a.update(Action::ShowSensitivity);
    let ev = Event::Mouse(ratatui::crossterm::event::MouseEvent {
        kind: ratatui::crossterm::event::MouseEventKind::Down(ratatui::crossterm::event::MouseButton::Left),
        column: 3,
        row: 3,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(ui::input::action_for_event(&a, &ev), Some(Action::Dismiss));
}

/// Apps with every analysis state: running job, fan, stale fan, each panel.
fn states() -> Vec<App> {
    let (runner, tasks) = held();
    let mut running = app_with(runner);
    running.update(Action::RunMonteCarlo);
    running.update(Action::ShowSensitivity);
    drop(tasks);
    let mut out = vec![running];
    let mut fan = app_with(JobRunner::inline());
    fan.update(Action::RunMonteCarlo);
    fan.update(Action::PollJobs);
    let mut stale = app_with(JobRunner::inline());
    stale.update(Action::RunMonteCarlo);
    stale.update(Action::PollJobs);
    stale.update(Action::Adjust(Step::Up));
    out.extend([fan, stale]);
    for act in [Action::ShowSensitivity, Action::ShowOptimum, Action::ShowAttribution] {
        let mut a = app_with(JobRunner::inline());
        a.update(Action::ToggleBaseline);
        a.update(Action::Adjust(Step::BigUp));
        a.update(Action::NextLever);
        a.update(Action::Adjust(Step::BigUp));
        a.update(act);
        a.update(Action::PollJobs);
        out.push(a);
    }
    out
}

fn render_all(a: &App, area: Rect) {
    let mut buf = Buffer::empty(area);
    TornadoWidget { app: a }.render(area, &mut buf);
    OptimumWidget { app: a }.render(area, &mut buf);
    WaterfallWidget { app: a }.render(area, &mut buf);
    JobStatusWidget { app: a }.render(area, &mut buf);
    widgets::ChartWidget { app: a }.render(area, &mut buf);
}

#[test]
fn analysis_widgets_render_into_any_area() {
    for a in states() {
        for area in [Rect::new(0, 0, 0, 0), Rect::new(0, 0, 1, 1), Rect::new(3, 2, 1, 1)] {
            render_all(&a, area);
        }
        for w in 0..14 {
            for h in 0..14 {
                render_all(&a, Rect::new(0, 0, w, h));
            }
        }
        for w in (0..=130).step_by(13) {
            for h in (0..=45).step_by(5) {
                let area = Rect::new(0, 0, w, h);
                let mut buf = Buffer::empty(area);
                widgets::render_screen(&a, area, &mut buf);
            }
        }
    }
}

/// The rightmost column of `text` holding a chart dot or a band shade.
fn rightmost_plotted(text: &str) -> usize {
    text.lines()
        .filter_map(|l| {
            l.chars()
                .enumerate()
                .filter(|(_, c)| ('\u{2801}'..='\u{28ff}').contains(c) || *c == '░' || *c == '▒')
                .map(|(x, _)| x)
                .last()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn presenting_reveals_baseline_ghosts_and_bands_only_up_to_the_beat() {
    let plain = {
        let mut a = app_with(JobRunner::inline());
        a.update(Action::Meeting(cloudstrat::ui::MeetingAction::Present));
        a
    };
    let mut a = app_with(JobRunner::inline());
    // A baseline, a different current run, and fresh Monte Carlo bands of it.
    a.update(Action::ToggleBaseline);
    for _ in 0..4 {
        a.update(Action::Adjust(Step::BigUp));
    }
    a.update(Action::RunMonteCarlo);
    a.update(Action::PollJobs);
    assert!(a.fresh_fan().is_some() && a.baseline().is_some());
    // On the dashboard the ghosts and bands cover the whole horizon...
    let dashboard = text(&a, 120, 40);
    assert!(rightmost_plotted(&dashboard) > 100, "{dashboard}");
    a.update(Action::Meeting(cloudstrat::ui::MeetingAction::Present));
    let mut plain = plain;
    for beat in 0..3 {
        let (with, without) = (text(&a, 120, 40), text(&plain, 120, 40));
        // ...presenting, they stop where the current lines stop.
        assert!(
            rightmost_plotted(&with) <= rightmost_plotted(&without) + 1,
            "beat {}: something is drawn past the beat's quarter:\n{with}",
            beat + 1
        );
        if beat == 1 {
            insta::assert_snapshot!("present_no_spoilers_beat2_120x40", with);
        }
        for app in [&mut a, &mut plain] {
            app.update(Action::Meeting(cloudstrat::ui::MeetingAction::NextBeat));
            for _ in 0..20 {
                app.update(Action::Meeting(cloudstrat::ui::MeetingAction::Frame(Duration::ZERO)));
            }
        }
    }
}
