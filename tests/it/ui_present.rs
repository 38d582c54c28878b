//! Meeting mode: presentation screens in every theme, stepping through beats
//! (forward then back leaves no trace), the presenter lock, the story editor,
//! export from the dashboard, themes and speaker notes.

use cloudstrat::document::Source;
use cloudstrat::document::presets::{self, default_scenario};
use cloudstrat::sim::{ParamRef, Scenario};
use cloudstrat::ui::keymap::{self, Mode};
use cloudstrat::ui::{self, Action, App, MeetingAction as M, Metric, ScriptedEvents, Step, Theme, widgets};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::time::Duration;

fn app_for(sc: Scenario) -> App {
    App::new(sc, Source::Preset("default".into()), Theme::COLOR)
}

fn app() -> App {
    app_for(default_scenario())
}

/// Lets a glide between beats run to its end.
fn settle(a: &mut App) {
    for _ in 0..100 {
        if !a.gliding() {
            return;
        }
        a.update(Action::Meeting(M::Frame(Duration::ZERO)));
    }
    panic!("the glide never ended");
}

/// Everything stepping through beats may touch.
fn state(a: &App) -> (Scenario, u32, Metric, usize, Option<usize>, usize, usize) {
    (
        a.scenario().clone(),
        a.cursor(),
        a.tab(),
        a.provider(),
        a.presentation().and_then(|p| p.beat),
        a.can_undo(),
        a.can_redo(),
    )
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The screen as text, then the colours of a few telling cells, so snapshots show the theme too.
fn screen_with_colours(a: &App, width: u16, height: u16) -> String {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(a, area, &mut buf);
    let cell = |x: u16, y: u16| {
        let c = &buf[(x, y)];
        format!("fg {:?} bg {:?} {:?}", c.fg, c.bg, c.modifier)
    };
    format!(
        "{}\n--- colours\ntop bar: {}\ntitle: {}\nnarration: {}\nfigure label: {}\nchart border: {}\nfooter: {}",
        text(&buf),
        cell(2, 0),
        cell(2, 1),
        cell(2, 2),
        cell(3, 6),
        cell(0, height / 2 + 2),
        cell(width - 1, height - 1),
    )
}

#[test]
fn presentation_screens_in_every_theme() {
    for (name, theme) in Theme::all_built_in() {
        for (w, h) in [(120, 40), (80, 24)] {
            let mut a = app().with_named_theme(&name, theme);
            a.update(Action::Resize { width: w, height: h });
            a.update(Action::Meeting(M::Present));
            a.update(Action::Meeting(M::NextBeat));
            a.update(Action::Meeting(M::NextBeat));
            settle(&mut a);
            insta::assert_snapshot!(format!("present_beat3_{name}_{w}x{h}"), screen_with_colours(&a, w, h));
        }
    }
}

#[test]
fn first_beat_and_unlocked_screens() {
    let mut a = app();
    a.update(Action::Meeting(M::Present));
    insta::assert_snapshot!("present_beat1_120x40", screen_with_colours(&a, 120, 40));
    a.update(Action::Meeting(M::ToggleLock));
    a.update(Action::Meeting(M::Frame(Duration::from_secs(75))));
    insta::assert_snapshot!("present_unlocked_80x24", screen_with_colours(&a, 80, 24));
}

#[test]
fn presentation_widgets_survive_tiny_areas() {
    let mut a = app();
    a.update(Action::Meeting(M::Present));
    for (w, h) in [(0, 0), (1, 1), (10, 3), (47, 13), (48, 14), (60, 16)] {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        widgets::render_screen(&a, area, &mut buf);
    }
    a.update(Action::Meeting(M::Leave));
    a.update(Action::Meeting(M::OpenBeats));
    for (w, h) in [(0, 0), (1, 1), (10, 3), (64, 20)] {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        widgets::render_screen(&a, area, &mut buf);
    }
}

#[test]
fn stepping_forward_then_back_returns_the_same_state_in_every_preset() {
    for name in presets::names() {
        let Some(Ok(sc)) = presets::load(name) else {
            panic!("{name} does not load")
        };
        let n = sc.story.len();
        let mut a = app_for(sc);
        a.update(Action::Meeting(M::Present));
        for i in 0..n.saturating_sub(1) {
            let before = state(&a);
            a.update(Action::Meeting(M::NextBeat));
            settle(&mut a);
            assert_eq!(a.presentation().and_then(|p| p.beat), Some(i + 1), "{name}");
            a.update(Action::Meeting(M::PrevBeat));
            settle(&mut a);
            assert_eq!(state(&a), before, "{name}: beat {} and back", i + 2);
            a.update(Action::Meeting(M::NextBeat));
            settle(&mut a);
        }
    }
}

/// The default story, with lever changes on three beats: one on a lever
/// that already has a keyframe at that quarter, one at the first quarter
/// (a base value), and two changes of the same lever in one beat.
fn story_with_levers() -> Scenario {
    let mut sc = default_scenario();
    let parity_kf = sc
        .keyframes
        .iter()
        .find(|k| k.target == ParamRef::PARITY)
        .map(|k| k.at)
        .expect("the default scenario has a parity keyframe");
    sc.story[0].at = 0;
    sc.story[0].levers = vec![(ParamRef::CEILING, 40.0)];
    let b = sc
        .story
        .iter()
        .position(|b| b.at == parity_kf)
        .expect("a beat at the parity shock");
    sc.story[b].levers = vec![(ParamRef::PARITY, 0.6), (ParamRef::self_chip_volume(0), 25.0)];
    sc.story[b + 1].levers = vec![(ParamRef::lock_in(1), 0.2), (ParamRef::lock_in(1), 0.9)];
    sc
}

#[test]
fn beats_apply_their_lever_changes_and_stepping_back_undoes_them() {
    let sc = story_with_levers();
    let original = sc.clone();
    let mut a = app_for(sc.clone());
    a.update(Action::Meeting(M::Present));
    // The first beat, at the first quarter, sets the base value.
    assert_eq!(a.scenario().base_value(ParamRef::CEILING), 40.0);
    let mut states = vec![state(&a)];
    let mut runs = vec![a.run().clone()];
    for _ in 1..sc.story.len() {
        a.update(Action::Meeting(M::NextBeat));
        settle(&mut a);
        states.push(state(&a));
        runs.push(a.run().clone());
    }
    let b = sc
        .story
        .iter()
        .position(|b| b.levers.len() == 2 && b.levers[0].0 == ParamRef::PARITY)
        .unwrap_or(0);
    let at = sc.story[b].at;
    assert_eq!(a.scenario().value_at(ParamRef::PARITY, at), 0.6);
    assert_eq!(a.scenario().value_at(ParamRef::self_chip_volume(0), at), 25.0);
    assert_eq!(a.scenario().value_at(ParamRef::lock_in(1), sc.story[b + 1].at), 0.9);
    // Back to the first beat: every state on the way matches the way there.
    for i in (0..sc.story.len() - 1).rev() {
        a.update(Action::Meeting(M::PrevBeat));
        settle(&mut a);
        assert_eq!(state(&a), states[i], "back at beat {}", i + 1);
        assert_eq!(a.run(), &runs[i], "the run at beat {}", i + 1);
    }
    // Leaving undoes the first beat's change too: nothing to save.
    a.update(Action::Meeting(M::Leave));
    assert_eq!(a.scenario(), &original);
    assert!(!a.is_modified());
    assert_eq!(a.mode(), Mode::Normal);
}

#[test]
fn leaving_midway_restores_the_dashboard() {
    let mut a = app_for(story_with_levers());
    a.update(Action::StepForward);
    a.update(Action::ShowTab(Metric::Cash));
    a.update(Action::NextProvider);
    let before = state(&a);
    a.update(Action::Meeting(M::Present));
    for _ in 0..4 {
        a.update(Action::Meeting(M::NextBeat));
    }
    a.update(Action::Meeting(M::Leave));
    assert_eq!(state(&a), before);
    // Quitting from a presentation ends it first: no unsaved-changes prompt.
    a.update(Action::Meeting(M::Present));
    a.update(Action::Meeting(M::NextBeat));
    a.update(Action::Quit);
    assert!(a.should_quit());
}

#[test]
fn the_presenter_lock_stops_lever_changes_until_unlocked() {
    let mut a = app();
    a.update(Action::Meeting(M::Present));
    let before = a.scenario().clone();
    for action in [
        Action::Adjust(Step::Up),
        Action::Adjust(Step::BigDown),
        Action::SetLeverPosition {
            lever: 0,
            position: 1.0,
            drag: false,
        },
        Action::RemoveKeyframe,
        Action::Undo,
        Action::Redo,
    ] {
        a.update(action);
        assert_eq!(a.scenario(), &before, "{action:?} changed a lever while locked");
        assert!(a.status().is_some_and(|s| s.contains("locked")));
    }
    // Every key of the presentation's keymap, pressed while locked, leaves the levers alone.
    for b in keymap::keymap(Mode::Present) {
        if matches!(
            b.action,
            Action::Meeting(M::Leave) | Action::Quit | Action::Meeting(M::ToggleLock)
        ) {
            continue;
        }
        a.update(b.action);
        if a.mode() == Mode::Help {
            a.update(Action::Dismiss);
        }
        assert!(a.presenting());
        assert!(a.can_undo() == 0, "{:?} made an edit", b.action);
    }
    a.update(Action::Meeting(M::ToggleLock));
    assert!(a.presentation().is_some_and(|p| !p.locked));
    a.update(Action::Adjust(Step::Up));
    assert_eq!(a.can_undo(), 1);
}

#[test]
fn help_in_the_presentation_lists_its_keys_and_returns_to_it() {
    let mut a = app();
    a.update(Action::Meeting(M::Present));
    a.update(Action::ToggleHelp);
    assert_eq!(a.mode(), Mode::Help);
    for (w, h) in [(120, 40), (80, 24)] {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        widgets::render_screen(&a, area, &mut buf);
        let t = text(&buf);
        for b in keymap::keymap(Mode::Present) {
            assert!(t.contains(b.help), "{w}×{h}: help lacks `{}`\n{t}", b.help);
        }
    }
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::Present);
    assert!(a.presenting());
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(s: &str) -> Vec<Event> {
    s.chars().map(|c| key(KeyCode::Char(c))).collect()
}

fn run_keys(a: &mut App, events: Vec<Event>) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    ui::run_app(&mut t, a, &mut ScriptedEvents::new(events)).expect("loop");
    t
}

#[test]
fn adding_a_beat_asks_for_a_title_and_marks_the_scenario_modified() {
    let mut a = app();
    let n = a.scenario().story.len();
    let mut ev = typed("...3");
    ev.push(key(KeyCode::Tab));
    ev.extend(typed("aDemand outruns fleets"));
    ev.push(key(KeyCode::Backspace));
    ev.extend(typed("s"));
    let t = run_keys(&mut a, ev);
    assert_eq!(a.mode(), Mode::Prompt);
    insta::assert_snapshot!("beat_title_prompt_120x40", t.backend());
    run_keys(&mut a, vec![key(KeyCode::Enter)]);
    assert_eq!(a.mode(), Mode::Normal);
    let story = &a.scenario().story;
    assert_eq!(story.len(), n + 1);
    let b = story
        .iter()
        .find(|b| b.title == "Demand outruns fleets")
        .expect("the new beat");
    assert_eq!(b.at, 3);
    assert_eq!(b.chart, cloudstrat::sim::Metric::OperatingProfit);
    assert_eq!(b.focus, 1);
    assert!(a.is_modified());
    assert!(
        story.windows(2).all(|w| w[0].at <= w[1].at),
        "beats stay in quarter order"
    );
    // An empty title is refused; Esc cancels.
    let mut a = app();
    run_keys(&mut a, vec![key(KeyCode::Char('a')), key(KeyCode::Enter)]);
    assert_eq!(a.mode(), Mode::Prompt);
    run_keys(&mut a, vec![key(KeyCode::Esc)]);
    assert_eq!(a.mode(), Mode::Normal);
    assert!(!a.is_modified());
}

#[test]
fn beats_can_be_edited_reordered_and_deleted() {
    let mut a = app();
    let original = a.scenario().story.clone();
    // Edit the second beat's title and narration.
    let mut ev = typed("Bj");
    ev.push(key(KeyCode::Char('e')));
    ev.extend((0..40).map(|_| key(KeyCode::Backspace)));
    ev.extend(typed("Reseller in trouble"));
    ev.push(key(KeyCode::Enter));
    ev.push(key(KeyCode::Char('n')));
    ev.extend((0..1000).map(|_| key(KeyCode::Backspace)));
    ev.extend(typed("Short narration."));
    ev.push(key(KeyCode::Enter));
    let t = run_keys(&mut a, ev);
    assert_eq!(a.mode(), Mode::Beats);
    insta::assert_snapshot!("beats_list_120x40", t.backend());
    let story = &a.scenario().story;
    assert_eq!(story[1].title, "Reseller in trouble");
    assert_eq!(story[1].narration, "Short narration.");
    assert_eq!(story[1].at, original[1].at);
    assert!(a.is_modified());
    // Move it up: it takes the first beat's quarter, and the first takes its.
    run_keys(&mut a, typed("K"));
    let story = &a.scenario().story;
    assert_eq!(story[0].title, "Reseller in trouble");
    assert_eq!((story[0].at, story[1].at), (original[0].at, original[1].at));
    assert_eq!(story[1].title, original[0].title);
    run_keys(&mut a, typed("J"));
    assert_eq!(a.scenario().story[1].title, "Reseller in trouble");
    // Delete it.
    run_keys(&mut a, typed("d"));
    let story = &a.scenario().story;
    assert_eq!(story.len(), original.len() - 1);
    assert!(story.iter().all(|b| b.title != "Reseller in trouble"));
    // Adding from the list comes back to the list.
    let mut ev = typed("aFrom the list");
    ev.push(key(KeyCode::Enter));
    run_keys(&mut a, ev);
    assert_eq!(a.mode(), Mode::Beats);
    assert!(a.scenario().story.iter().any(|b| b.title == "From the list"));
    // The edited story survives a save and a load.
    let text = cloudstrat::document::file::to_ron(a.scenario());
    let back = cloudstrat::document::file::parse(&text, "saved.ron").expect("the saved story loads");
    assert_eq!(back.story, a.scenario().story);
}

#[test]
fn moving_a_beat_to_the_cursor_keeps_quarter_order() {
    let mut a = app();
    a.update(Action::LastQuarter);
    a.update(Action::Meeting(M::OpenBeats));
    let first = a.scenario().story[0].title.clone();
    a.update(Action::Meeting(M::MoveToCursor));
    let story = &a.scenario().story;
    assert_eq!(story.last().map(|b| b.title.as_str()), Some(first.as_str()));
    assert_eq!(a.meeting().selected_beat, story.len() - 1);
    assert!(story.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn export_from_the_dashboard_writes_the_files_and_says_where() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut a = app().with_export_dir(dir.path().to_path_buf());
    // A lever change first: the export is of the scenario as on screen.
    a.update(Action::Adjust(Step::BigUp));
    run_keys(&mut a, typed("x"));
    let folder = dir.path().join("preset-default");
    let status = a.status().unwrap_or_default().to_string();
    assert!(status.contains(&folder.display().to_string()), "{status}");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("export folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.contains(&"report.md".to_string()) && names.contains(&"run.csv".to_string()),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|n| n.ends_with(".svg")).count(), 6, "{names:?}");
    let report = std::fs::read_to_string(folder.join("report.md")).expect("report");
    for b in &a.scenario().story {
        assert!(report.contains(&b.title));
    }
    let parity = cloudstrat::format::num(a.scenario().base_value(ParamRef::PARITY));
    assert!(
        report.contains(&parity),
        "the report shows the changed lever ({parity})"
    );
    // Delete is still "remove keyframe"; x is export.
    assert_eq!(
        keymap::action_for_key(Mode::Normal, &KeyEvent::new(KeyCode::Delete, KeyModifiers::NONE)),
        Some(Action::RemoveKeyframe)
    );
}

#[test]
fn an_export_that_cannot_be_written_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a folder").expect("write");
    let mut a = app().with_export_dir(blocker);
    a.update(Action::Meeting(M::Export));
    assert!(
        a.status().is_some_and(|s| s.starts_with("export failed")),
        "{:?}",
        a.status()
    );
}

#[test]
fn key_changes_p_presents_and_shift_p_shows_all_parameters() {
    let k = |c: char| keymap::action_for_key(Mode::Normal, &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    assert_eq!(k('p'), Some(Action::Meeting(M::Present)));
    assert_eq!(k('P'), Some(Action::OpenParams));
    assert_eq!(k('x'), Some(Action::Meeting(M::Export)));
    assert_eq!(k('T'), Some(Action::Meeting(M::CycleTheme)));
    let pk = |code: KeyCode| keymap::action_for_key(Mode::Present, &KeyEvent::new(code, KeyModifiers::NONE));
    for code in [KeyCode::Right, KeyCode::Char('n'), KeyCode::Char(' ')] {
        assert_eq!(pk(code), Some(Action::Meeting(M::NextBeat)));
    }
    for code in [KeyCode::Left, KeyCode::Backspace] {
        assert_eq!(pk(code), Some(Action::Meeting(M::PrevBeat)));
    }
    for code in [KeyCode::Char('p'), KeyCode::Esc] {
        assert_eq!(pk(code), Some(Action::Meeting(M::Leave)));
    }
    assert_eq!(pk(KeyCode::Char('L')), Some(Action::Meeting(M::ToggleLock)));
    // In the prompt, letters are text, even those bound elsewhere.
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(keymap::action_for_key(Mode::Prompt, &q), None);
    assert_eq!(
        keymap::typed_char(Mode::Prompt, &q),
        Some(Action::Meeting(M::TypeChar('q')))
    );
}

#[test]
fn a_scripted_presentation_ends_when_the_script_does() {
    let mut a = app();
    let mut ev = typed("p");
    ev.extend((0..10).map(|_| key(KeyCode::Right)));
    let t = run_keys(&mut a, ev);
    assert!(a.presenting());
    assert!(!a.gliding(), "the last glide ran to its end");
    let last = a.scenario().story.last().map(|b| b.at).unwrap_or_default();
    assert_eq!(a.cursor(), last);
    assert!(text(t.backend().buffer()).contains("beat 7 / 7"));
}

#[test]
fn the_clock_counts_and_glides_move_the_cursor_frame_by_frame() {
    let mut a = app();
    a.update(Action::Meeting(M::Present));
    a.update(Action::Meeting(M::Frame(Duration::from_secs(125))));
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    assert!(text(&buf).contains("02:05"));
    let from = a.cursor();
    a.update(Action::Meeting(M::NextBeat));
    let to = a.scenario().story[1].at;
    assert!(a.gliding());
    assert_eq!(a.cursor(), from, "the cursor glides, it does not jump");
    let mut seen = vec![a.cursor()];
    while a.gliding() {
        a.update(Action::Meeting(M::Frame(Duration::from_secs(126))));
        seen.push(a.cursor());
    }
    assert_eq!(a.cursor(), to);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert!(seen.len() > 2);
    // The timer only runs while presenting.
    assert!(a.frame_wait(Duration::ZERO).is_some());
    a.update(Action::Meeting(M::Leave));
    assert!(a.frame_wait(Duration::ZERO).is_none());
}

#[test]
fn themes_cycle_and_keep_no_color() {
    let mut a = app();
    assert_eq!(a.meeting().theme_name(), "dark");
    a.update(Action::Meeting(M::CycleTheme));
    assert_eq!(a.meeting().theme_name(), "light");
    assert!(a.theme().paints_background());
    a.update(Action::Meeting(M::CycleTheme));
    assert_eq!(a.meeting().theme_name(), "projector");
    assert!(a.theme().thick_lines && a.theme().large_labels);
    a.update(Action::Meeting(M::CycleTheme));
    assert_eq!(a.theme(), Theme::COLOR);
    let mut mono = App::new(default_scenario(), Source::Preset("default".into()), Theme::MONO);
    mono.update(Action::Meeting(M::CycleTheme));
    assert!(!mono.theme().color, "NO_COLOR stays in force");
    // A light theme paints every cell.
    let mut light = app();
    light.update(Action::Meeting(M::CycleTheme));
    let area = Rect::new(0, 0, 80, 24);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&light, area, &mut buf);
    assert!(buf.content.iter().all(|c| c.bg != ratatui::style::Color::Reset));
}

#[test]
fn bad_theme_files_are_named_with_what_is_wrong() {
    let good = cloudstrat::ui::theme::BUILT_IN[1].1;
    let cases = [
        (
            good.replace("\"#fafafa\"", "\"blurple\""),
            "mine.ron: background: `blurple` is not a colour",
        ),
        (
            good.replace("provider_darken: 25", "provider_darken: 90"),
            "mine.ron: provider_darken: 90 is out of range; allowed 0 to 80",
        ),
        (
            good.replace("thick_lines: false,", "thick_lines: false, sparkle: true,"),
            "mine.ron:",
        ),
        (good.replace("large_labels: false,", ""), "mine.ron:"),
        ("(name: \"x\"".to_string(), "mine.ron:1:"),
        ("(name: 5)".to_string(), "mine.ron:1:7: name: Expected string"),
        (
            "root:x:0:0:root:/root:/bin/bash\n".to_string(),
            "mine.ron:1:1: this is not a theme file: it starts with `root`",
        ),
    ];
    for (text, expected) in cases {
        let e = Theme::parse(&text, "mine.ron").expect_err(expected).to_string();
        assert!(e.starts_with(expected), "`{e}` should start with `{expected}`");
    }
    let e = Theme::load("no-such-theme").expect_err("unknown").to_string();
    assert!(e.contains("built-in: dark, light, projector"), "{e}");
    // A theme file of one's own loads by path.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("boardroom.ron");
    std::fs::write(&path, good.replace("name: \"light\"", "name: \"boardroom\"")).expect("write");
    let (name, t) = Theme::load(&path.display().to_string()).expect("loads");
    assert_eq!(name, "boardroom");
    assert!(t.paints_background());
}

#[test]
fn speaker_notes_follow_the_beats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = cloudstrat::document::notes::notes_path_in(dir.path(), &Source::Preset("default".into()));
    let mut sc = default_scenario();
    sc.story[0].notes = "Pause here; ask who has priced a GPU hour lately.".into();
    let mut a = app_for(sc).with_notes_file(path.clone());
    let story = a.scenario().story.clone();
    assert!(cloudstrat::document::notes::read(&path).is_none());
    a.update(Action::Meeting(M::Present));
    let n = cloudstrat::document::notes::read(&path).expect("notes written on entering");
    assert_eq!((n.beat, n.beats, n.presenting), (1, story.len(), true));
    let filled = cloudstrat::output::narration::fill(&story[0].narration, a.scenario(), a.run(), story[0].at);
    assert_eq!(n.narration, filled);
    assert_eq!(n.notes, story[0].notes);
    assert_eq!(n.next_title.as_deref(), Some(story[1].title.as_str()));
    assert!(n.started_unix_ms > 0 && n.beat_started_unix_ms >= n.started_unix_ms);
    a.update(Action::Meeting(M::NextBeat));
    let n = cloudstrat::document::notes::read(&path).expect("notes");
    assert_eq!(n.title, story[1].title);
    assert_eq!(n.next_title.as_deref(), Some(story[2].title.as_str()));
    a.update(Action::Meeting(M::Leave));
    let n = cloudstrat::document::notes::read(&path).expect("notes");
    assert!(!n.presenting);
    // The follower's screen, its clocks at fixed times: 4:10 into the
    // presentation, 1:05 into the second beat.
    let n = cloudstrat::document::notes::Notes {
        started_unix_ms: 1_000_000,
        beat_started_unix_ms: 1_185_000,
        ..n
    };
    let area = Rect::new(0, 0, 80, 24);
    let mut buf = Buffer::empty(area);
    ratatui::widgets::Widget::render(
        cloudstrat::document::notes::NotesWidget {
            notes: Some(&n),
            waiting_for: "default",
            now_unix_ms: 1_250_000,
        },
        area,
        &mut buf,
    );
    let screen = text(&buf);
    assert!(
        screen.contains("elapsed 04:10 · this beat 01:05 · 03:05 a beat so far"),
        "{screen}"
    );
    insta::assert_snapshot!("speaker_notes_80x24", screen);
}

#[test]
fn the_notes_command_prints_the_current_notes_without_a_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = cloudstrat::document::notes::notes_path_in(dir.path(), &Source::Preset("default".into()));
    let mut a = app().with_notes_file(path);
    a.update(Action::Meeting(M::Present));
    a.update(Action::Meeting(M::NextBeat));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(["notes", "default"])
        .env("CLOUDSTRAT_NOTES_DIR", dir.path())
        .output()
        .expect("run cloudstrat notes");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let story = &a.scenario().story;
    let filled = cloudstrat::output::narration::fill(&story[1].narration, a.scenario(), a.run(), story[1].at);
    assert!(stdout.contains(&filled), "{stdout}");
    assert!(stdout.contains(&format!("Next: {}", story[2].title)), "{stdout}");
    // Before anyone presents: says so.
    let empty = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(["notes", "default"])
        .env("CLOUDSTRAT_NOTES_DIR", empty.path())
        .output()
        .expect("run cloudstrat notes");
    assert!(String::from_utf8_lossy(&out.stdout).contains("no presentation of default yet"));
}

#[test]
fn a_bad_theme_on_the_command_line_is_a_clear_error() {
    for args in [
        &["--theme", "neon", "default"][..],
        &["present", "default", "--theme", "neon"][..],
    ] {
        // A home of its own: no config file of the real user's is read.
        let home = tempfile::tempdir().expect("temp dir");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
            .args(args)
            .env("CLOUDSTRAT_CONFIG_DIR", home.path())
            .env("CLOUDSTRAT_STATE_DIR", home.path())
            .output()
            .expect("run cloudstrat");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--theme: neon: no such theme file"), "{err}");
    }
}

/// Regression: undoing a lever change made while presenting once restored every
/// keyframe as it was at that moment, bringing back the beats' own lever changes
/// after the presentation had removed them.
#[test]
fn undo_after_a_presentation_does_not_bring_back_beat_levers() {
    let sc = story_with_levers();
    let original = sc.clone();
    let mut a = app_for(sc.clone());
    a.update(Action::Meeting(M::Present));
    for _ in 0..sc.story.len() - 1 {
        a.update(Action::Meeting(M::NextBeat));
        settle(&mut a);
    }
    a.update(Action::Meeting(M::ToggleLock));
    a.update(Action::Adjust(Step::Up));
    assert_eq!(a.can_undo(), 1);
    a.update(Action::Meeting(M::Leave));
    a.update(Action::Undo);
    assert_eq!(a.scenario(), &original, "undo left beat levers or the edit behind");
    assert!(!a.is_modified());
}

#[test]
fn private_notes_show_in_the_notes_view_and_never_on_the_presentation() {
    let mut sc = default_scenario();
    for (i, b) in sc.story.iter_mut().enumerate() {
        b.notes = format!("PRIVATE {i}: mention the {{lab.price@beat}} price only if asked.");
    }
    let n = sc.story.len();
    let mut a = app_for(sc);
    a.update(Action::Resize { width: 120, height: 40 });
    a.update(Action::Meeting(M::Present));
    for step in 0..n {
        settle(&mut a);
        for (w, h) in [(120, 40), (80, 24)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            widgets::render_screen(&a, area, &mut buf);
            let screen = text(&buf);
            assert!(
                !screen.contains("PRIVATE"),
                "beat {}: the audience sees a note:\n{screen}",
                step + 1
            );
        }
        let notes = a.notes().expect("presenting");
        assert!(
            notes.notes.starts_with(&format!("PRIVATE {step}: mention the $")),
            "{}",
            notes.notes
        );
        if step == 0 {
            insta::assert_snapshot!(
                "present_beat1_with_private_notes_120x40",
                screen_with_colours(&a, 120, 40)
            );
            let area = Rect::new(0, 0, 80, 24);
            let mut buf = Buffer::empty(area);
            ratatui::widgets::Widget::render(
                cloudstrat::document::notes::NotesWidget {
                    notes: Some(&notes),
                    waiting_for: "default",
                    now_unix_ms: 0,
                },
                area,
                &mut buf,
            );
            let view = text(&buf);
            assert!(view.contains("PRIVATE 0"), "{view}");
            insta::assert_snapshot!("speaker_notes_private_80x24", view);
        }
        a.update(Action::Meeting(M::NextBeat));
    }
}

#[test]
fn narration_numbers_follow_a_lever_change() {
    let mut sc = default_scenario();
    sc.story[0].narration =
        "FrontierLab charges {lab.price@2025Q1}; {market.unserved_share@2025Q1} goes unserved.".into();
    let lab = sc.provider_index("lab").expect("lab");
    let t = sc.index_of("2025Q1".parse().expect("quarter")).expect("in horizon");
    let mut a = app_for(sc);
    let shown = |a: &App| {
        let r = a.run().row(t, lab);
        let m = &a.run().market[t as usize];
        format!(
            "FrontierLab charges {}; {} goes unserved.",
            cloudstrat::format::usd_mtok(r.price_usd_per_mtok),
            cloudstrat::format::pct((m.demand_mtok - m.served_mtok).max(0.0) / m.demand_mtok)
        )
    };
    a.update(Action::Meeting(M::Present));
    let before = a.notes().expect("presenting").narration;
    assert_eq!(before, shown(&a));
    a.update(Action::Meeting(M::Leave));
    // Parity to 95 % from 2025Q1, as in the meeting: the narration's figures move with the run.
    a.update(Action::SetCursor(t));
    assert_eq!(a.selected_ref(), Some(ParamRef::PARITY));
    for _ in 0..20 {
        if a.value(ParamRef::PARITY) >= 0.95 - 1e-9 {
            break;
        }
        a.update(Action::Adjust(cloudstrat::ui::Step::BigUp));
    }
    assert!(a.value(ParamRef::PARITY) >= 0.95 - 1e-9);
    a.update(Action::Meeting(M::Present));
    let after = a.notes().expect("presenting").narration;
    assert_ne!(before, after, "the narration did not follow the lever");
    assert_eq!(after, shown(&a));
    // The audience's screen says the same.
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    let price = cloudstrat::format::usd_mtok(a.run().row(t, lab).price_usd_per_mtok);
    assert!(
        text(&buf).contains(&format!("FrontierLab charges {price};")),
        "{}",
        text(&buf)
    );
}

#[test]
fn a_narration_with_a_bad_placeholder_keeps_the_prompt_open() {
    let mut a = app();
    let mut ev = typed("Bn");
    ev.extend((0..1000).map(|_| key(KeyCode::Backspace)));
    ev.extend(typed("Price {lab.prise}."));
    ev.push(key(KeyCode::Enter));
    run_keys(&mut a, ev);
    assert_eq!(a.mode(), Mode::Prompt, "nothing typed is lost");
    assert!(
        a.status().is_some_and(|s| s.contains("unknown metric `prise`")),
        "{:?}",
        a.status()
    );
    let mut ev: Vec<Event> = (0..7).map(|_| key(KeyCode::Backspace)).collect();
    ev.extend(typed("price@beat}."));
    ev.push(key(KeyCode::Enter));
    run_keys(&mut a, ev);
    assert_eq!(a.mode(), Mode::Beats);
    assert_eq!(a.scenario().story[0].narration, "Price {lab.price@beat}.");
}

#[test]
fn clicker_keys_step_jump_and_blank() {
    let mut a = app();
    let n = a.scenario().story.len();
    a.update(Action::Meeting(M::Present));
    let beat = |a: &App| a.presentation().and_then(|p| p.beat);
    let press = |a: &mut App, code: KeyCode| {
        let act = keymap::action_for_key(a.mode(), &KeyEvent::new(code, KeyModifiers::NONE))
            .unwrap_or_else(|| panic!("{code:?} does nothing while presenting"));
        a.update(act);
        settle(a);
    };
    press(&mut a, KeyCode::PageDown);
    press(&mut a, KeyCode::PageDown);
    assert_eq!(beat(&a), Some(2));
    press(&mut a, KeyCode::PageUp);
    assert_eq!(beat(&a), Some(1));
    press(&mut a, KeyCode::End);
    assert_eq!(beat(&a), Some(n - 1));
    assert_eq!(a.cursor(), a.scenario().story[n - 1].at.min(a.run().last()));
    press(&mut a, KeyCode::Home);
    assert_eq!(beat(&a), Some(0));
    assert_eq!(a.cursor(), a.scenario().story[0].at);
    // Stepping to the first and last beat by jumps leaves what stepping one by one leaves.
    let mut stepped = app();
    stepped.update(Action::Meeting(M::Present));
    assert_eq!(a.scenario(), stepped.scenario());
    // Blank: nothing on screen but the background, until pressed again.
    press(&mut a, KeyCode::Char('b'));
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    assert!(text(&buf).trim().is_empty(), "{}", text(&buf));
    press(&mut a, KeyCode::Char('.'));
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    assert!(text(&buf).contains(&a.scenario().story[0].title));
    // A clicker's next button also brings the screen back.
    press(&mut a, KeyCode::Char('b'));
    press(&mut a, KeyCode::PageDown);
    assert!(!a.presentation().expect("presenting").blank);
    // The footer and the help say so.
    let keys: Vec<String> = keymap::hints(Mode::Present)
        .into_iter()
        .map(|(k, l)| format!("{k} {l}"))
        .collect();
    assert!(keys.iter().any(|k| k == "b blank"), "{keys:?}");
    a.update(Action::ToggleHelp);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    let help = text(&buf);
    for want in [
        "PgDn",
        "PgUp",
        "Home",
        "End",
        "first beat",
        "last beat",
        "blank the screen",
    ] {
        assert!(help.contains(want), "help lacks {want}:\n{help}");
    }
    let helps: Vec<&str> = keymap::keymap(Mode::Present).iter().map(|b| b.help).collect();
    assert!(
        helps.contains(&"first beat") && helps.contains(&"last beat"),
        "{helps:?}"
    );
}

#[test]
fn japanese_and_emoji_narration_wraps_without_loss() {
    let narration = "オープンモデルが追いつくと、閉じたモデルの価格上限は一四半期で大きく下がります。🚀 顧客はエコシステムで選びます。";
    let mut sc = default_scenario();
    sc.story[0].narration = narration.into();
    sc.story[0].notes = "価格の話は短く。質問があれば{lab.price@beat}を伝える。".into();
    let mut a = app_for(sc);
    a.update(Action::Meeting(M::Present));
    let notes = a.notes().expect("presenting");
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    // The notes window at 40 columns: every character of the narration is on screen.
    let area = Rect::new(0, 0, 40, 30);
    let mut buf = Buffer::empty(area);
    ratatui::widgets::Widget::render(
        cloudstrat::document::notes::NotesWidget {
            notes: Some(&notes),
            waiting_for: "default",
            now_unix_ms: 0,
        },
        area,
        &mut buf,
    );
    // Wide characters take two cells; the second cell of each is blank.
    let screen = squeeze(&text(&buf));
    assert!(
        screen.contains(&squeeze(narration)),
        "narration lost in the notes window:\n{}",
        text(&buf)
    );
    assert!(screen.contains(&squeeze(&notes.notes)), "notes lost:\n{}", text(&buf));
    // Every line fits its 40 columns.
    for y in 0..area.height {
        let (mut x, mut w) = (0, 0);
        while x < area.width {
            let cw = cloudstrat::text::width(buf[(x, y)].symbol()).max(1);
            w += cw;
            x += cw as u16;
        }
        assert!(w <= 40, "row {y} is {w} columns wide");
    }
    // The presentation at 120 columns shows it whole too.
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    assert!(squeeze(&text(&buf)).contains(&squeeze(narration)), "{}", text(&buf));
}

#[test]
fn every_series_is_readable_in_the_projector_theme() {
    let (_, projector) = Theme::all_built_in()
        .into_iter()
        .find(|(n, _)| n == "projector")
        .expect("projector theme");
    let mut colours: Vec<cloudstrat::sim::Rgb> = presets::names()
        .filter_map(|n| presets::load(n).and_then(Result::ok))
        .flat_map(|sc| sc.providers.into_iter().map(|p| p.color))
        .collect();
    // Colours a user might pick that are too light for white as they are.
    colours.extend([
        cloudstrat::sim::Rgb(255, 255, 0),
        cloudstrat::sim::Rgb(170, 255, 170),
        cloudstrat::sim::Rgb(255, 200, 220),
    ]);
    for c in colours {
        let Some(ratatui::style::Color::Rgb(r, g, b)) = projector.provider_color(c) else {
            panic!("the projector theme draws in colour");
        };
        let lum = cloudstrat::sim::Rgb(r, g, b).luminance();
        let contrast = 1.05 / (lum + 0.05);
        assert!(contrast >= 3.0, "{} is {contrast:.2}:1 on white", c.hex());
    }
}
