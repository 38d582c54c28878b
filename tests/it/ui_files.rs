//! Strategy files from the dashboard, driven through its event loop on a
//! `TestBackend`: save and save as, the open picker, failed writes, autosave
//! and recovery, files changed on disk. Every test works in its own temporary
//! saves folder with a fixed clock, so saved bytes can be compared.

use chrono::{TimeZone, Utc};
use cloudstrat::document::Source;
use cloudstrat::document::file;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::document::storage::{Clock, Storage};
use cloudstrat::ui::keymap::Mode;
use cloudstrat::ui::{self, Action, App, ScriptedEvents, Step, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("valid time"))
}

fn storage(dir: &Path) -> Storage {
    Storage::new(dir.to_path_buf()).with_clock(clock())
}

fn preset_app(saves: &Path) -> App {
    App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR).with_storage(storage(saves))
}

fn file_app(path: &Path, storage: Storage) -> App {
    let doc = file::load_document(path).unwrap_or_else(|e| panic!("{e}"));
    App::new(doc.scenario.clone(), Source::File(path.into()), Theme::COLOR)
        .with_storage(storage)
        .with_document(doc, Source::File(path.into()))
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
fn ch(c: char) -> Event {
    key(KeyCode::Char(c))
}
fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}
fn typed(s: &str) -> Vec<Event> {
    s.chars().map(ch).collect()
}

fn drive(app: &mut App, width: u16, height: u16, events: Vec<Event>) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    ui::run_app(&mut t, app, &mut ScriptedEvents::new(events)).expect("loop");
    t
}

/// Pins the baseline, then raises the hyperscaler's self-chip volume at 2025 Q1 (a keyframe).
fn baseline_and_keyframe() -> Vec<Event> {
    let mut ev = vec![ch('b')];
    ev.extend((0..8).map(|_| ch('.')));
    ev.extend([ch('j'), ch('j'), ch('L'), ch('L')]);
    ev
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn set_mtime(p: &Path, t: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(p)
        .and_then(|f| f.set_modified(t))
        .expect("set mtime");
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000 + secs)
}

/// Saves the default preset with a keyframe and a baseline as `saves/plan.ron`.
fn saved_plan(saves: &Path) -> (PathBuf, App) {
    let mut a = preset_app(saves);
    let mut ev = baseline_and_keyframe();
    ev.push(ctrl('s'));
    ev.extend(typed("plan"));
    ev.push(key(KeyCode::Enter));
    drive(&mut a, 120, 40, ev);
    let path = saves.join("plan.ron");
    assert!(path.is_file(), "{:?} {:?}", a.mode(), a.overlays().message());
    (path, a)
}

#[test]
fn save_open_save_is_byte_identical_with_keyframes_and_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let (path, first) = saved_plan(&saves);
    assert_eq!(first.mode(), Mode::Normal);
    assert!(!first.is_modified());
    assert_eq!(first.source(), &Source::File(path.clone()));
    let saved = read(&path);
    assert!(saved.contains("baseline: Some("), "{saved}");
    assert!(saved.contains("providers.hyper.self_chip_volume"), "{saved}");
    assert!(saved.contains("created: \"2026-03-01T12:00:00Z\""), "{saved}");

    // A fresh dashboard opens it from the picker (saves come first, newest on top) and saves again.
    let mut second = preset_app(&saves);
    drive(
        &mut second,
        120,
        40,
        vec![ctrl('o'), key(KeyCode::Home), key(KeyCode::Enter), ctrl('s')],
    );
    assert_eq!(second.source(), &Source::File(path.clone()));
    assert_eq!(second.scenario(), first.scenario());
    assert_eq!(second.scenario().keyframes, first.scenario().keyframes);
    assert_eq!(second.baseline(), first.baseline(), "the baseline is pinned again");
    assert!(second.baseline().is_some());
    assert!(!second.is_modified());
    assert_eq!(read(&path), saved, "save, open, save gives the same bytes");
    assert_eq!(read(&saves.join("plan.ron.bak")), saved, "the previous version is kept");
    // The file reproduces the screen's run.
    let doc = file::load_document(&path).expect("loads");
    assert_eq!(&cloudstrat::sim::simulate(&doc.scenario), first.run());
}

#[test]
fn an_interrupted_save_leaves_the_old_file_and_the_work_unsaved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let (path, _) = saved_plan(&saves);
    let before = read(&path);
    let failing = storage(&saves).with_write_hook(Arc::new(|_tmp: &Path| {
        Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "injected failure"))
    }));
    let mut a = file_app(&path, failing);
    a.update(Action::Adjust(Step::BigUp));
    let changed = a.scenario().clone();
    a.update(Action::Save);
    assert_eq!(a.mode(), Mode::Message);
    let msg = &a.overlays().message().expect("message").body;
    assert!(
        msg.contains("the disk is full") && msg.contains("injected failure"),
        "{msg}"
    );
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert_eq!(read(&path), before, "the old file is intact");
    assert!(a.is_modified(), "still unsaved");
    assert_eq!(a.scenario(), &changed, "the work stays on screen");
    assert_eq!(
        names_in(&saves),
        ["plan.ron", "plan.ron.bak"],
        "no temporary file is left"
    );
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::Normal);
    // Quitting still asks.
    a.update(Action::Quit);
    assert_eq!(a.mode(), Mode::ConfirmQuit);
    a.update(Action::SaveAndQuit);
    assert!(!a.should_quit(), "a failed save does not quit");
    assert_eq!(a.mode(), Mode::Message);
}

#[test]
fn a_folder_that_cannot_be_created_gives_a_message_and_keeps_the_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The saves folder's parent is a regular file: no write can succeed, even as root.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").expect("write");
    let mut a = preset_app(&blocker.join("saves"));
    let mut ev = vec![ch('l'), ctrl('s')];
    ev.extend(typed("plan"));
    ev.push(key(KeyCode::Enter));
    drive(&mut a, 120, 40, ev);
    assert_eq!(a.mode(), Mode::Message);
    let msg = &a.overlays().message().expect("message").body;
    assert!(msg.starts_with("cannot save to "), "{msg}");
    assert!(msg.contains("Your changes are still on screen"), "{msg}");
    assert!(a.is_modified());
    assert_eq!(a.source(), &Source::Preset("default".into()));
}

#[test]
fn names_with_separators_are_refused_and_existing_files_need_a_yes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let (path, _) = saved_plan(&saves);
    let mut a = preset_app(&saves);
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Save);
    assert_eq!(a.mode(), Mode::NamePrompt);
    for c in "../x".chars() {
        a.update(Action::TypeChar(c));
    }
    a.update(Action::SubmitName);
    assert_eq!(a.mode(), Mode::NamePrompt);
    assert!(a.overlays().name_prompt().and_then(|p| p.error.as_deref()).is_some());
    for _ in 0..4 {
        a.update(Action::DeleteChar);
    }
    for c in "plan".chars() {
        a.update(Action::TypeChar(c));
    }
    a.update(Action::SubmitName);
    assert_eq!(a.mode(), Mode::ConfirmOverwrite);
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::NamePrompt, "no: back to the name");
    a.update(Action::SubmitName);
    a.update(Action::ConfirmOverwrite);
    assert_eq!(a.mode(), Mode::Normal);
    assert!(!a.is_modified());
    assert_eq!(file::load_path(&path).expect("loads"), *a.scenario());
    // A folder of that name is in the way: said in the prompt.
    std::fs::create_dir(saves.join("dir")).expect("mkdir");
    std::fs::create_dir(saves.join("dir.ron")).expect("mkdir");
    a.update(Action::SaveAs);
    for c in "dir".chars() {
        a.update(Action::TypeChar(c));
    }
    a.update(Action::SubmitName);
    assert_eq!(a.mode(), Mode::NamePrompt);
    let err = a
        .overlays()
        .name_prompt()
        .and_then(|p| p.error.clone())
        .unwrap_or_default();
    assert!(err.contains("is a folder"), "{err}");
}

#[test]
fn an_autosave_newer_than_its_file_is_offered_and_restores_that_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let (path, _) = saved_plan(&saves);
    let mut a = file_app(&path, storage(&saves));
    assert!(!a.needs_autosave(), "nothing unsaved, nothing to autosave");
    a.update(Action::LastQuarter);
    a.update(Action::Adjust(Step::BigDown));
    a.update(Action::ToggleBaseline); // unpin
    a.update(Action::ToggleBaseline); // pin the changed run
    assert!(a.needs_autosave());
    a.update(Action::Autosave);
    assert!(!a.needs_autosave(), "written; nothing new to write");
    let auto = saves.join(".autosave/plan.ron");
    assert!(auto.is_file());
    let work = (a.scenario().clone(), a.pinned_scenario().cloned());
    // The program dies here. Make sure the file is older than the autosave.
    set_mtime(&path, at(0));
    set_mtime(&auto, at(60));

    let mut b = file_app(&path, storage(&saves));
    b.update(Action::FindAutosave);
    assert_eq!(b.mode(), Mode::Recover);
    b.update(Action::RecoverAutosave);
    assert_eq!(b.mode(), Mode::Normal);
    assert_eq!(b.scenario(), &work.0, "exactly the autosaved scenario");
    assert_eq!(
        b.pinned_scenario().map(file::to_raw_baseline),
        work.1.as_ref().map(file::to_raw_baseline),
        "and its baseline"
    );
    assert!(b.is_modified(), "recovered work is still unsaved");
    assert!(auto.is_file(), "kept until saved");
    b.update(Action::Save);
    assert!(!b.is_modified());
    assert!(!auto.exists(), "removed once saved");

    // An autosave older than its file is not offered.
    let mut c = file_app(&path, storage(&saves));
    c.update(Action::Adjust(Step::Up));
    c.update(Action::Autosave);
    set_mtime(&auto, at(0));
    set_mtime(&path, at(60));
    let mut d = file_app(&path, storage(&saves));
    d.update(Action::FindAutosave);
    assert_eq!(d.mode(), Mode::Normal);
}

#[test]
fn discarding_removes_the_autosave() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let mut a = preset_app(&saves);
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Autosave);
    let auto = saves.join(".autosave/preset-default.ron");
    assert!(auto.is_file());
    let mut b = preset_app(&saves);
    b.update(Action::FindAutosave);
    assert_eq!(
        b.mode(),
        Mode::Recover,
        "any autosave of a preset is newer than the preset"
    );
    b.update(Action::DiscardAutosave);
    assert!(!auto.exists());
    assert_eq!(b.scenario(), &default_scenario());

    a.update(Action::Quit);
    a.update(Action::QuitDiscard);
    assert!(a.should_quit());
}

#[test]
fn the_loop_autosaves_nothing_and_ends_when_the_script_ends() {
    // Unsaved work sets a 30-second timer; a finished script must still end the loop at once.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = preset_app(&dir.path().join("saves"));
    drive(&mut a, 80, 24, vec![ch('l')]);
    assert!(a.is_modified());
    assert!(a.needs_autosave());
}

fn write_broken(saves: &Path) -> PathBuf {
    let p = saves.join("broken.ron");
    std::fs::write(&p, "(version: 2, name: \"half a file\",\n  quarters: [").expect("write");
    p
}

#[test]
fn the_picker_lists_metadata_and_shows_broken_files_as_broken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let (plan, _) = saved_plan(&saves);
    let broken = write_broken(&saves);
    std::fs::write(saves.join("notes.txt"), "not a strategy").expect("write");
    set_mtime(&plan, at(0));
    set_mtime(&broken, at(60));
    let mut a = preset_app(&saves);
    a.update(Action::OpenPicker);
    assert_eq!(a.mode(), Mode::Picker);
    let p = a.overlays().picker().expect("picker");
    let labels: Vec<&str> = p.entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(&labels[..2], ["broken", "plan"], "newest first");
    assert_eq!(labels.len(), 2 + cloudstrat::document::presets::names().count());
    let expected = file::load_path(&broken).expect_err("broken").to_string();
    assert_eq!(p.entries[0].broken.as_deref(), Some(expected.as_str()));
    let planned = &p.entries[1];
    assert_eq!(planned.name, default_scenario().meta.name);
    assert_eq!(planned.description, default_scenario().meta.description);
    assert_eq!(planned.modified, Some(clock()()));
    // Opening the broken one says why, exactly as `cloudstrat check`, and changes nothing.
    let before = a.scenario().clone();
    a.update(Action::PickerMove(i32::MIN));
    a.update(Action::OpenSelected);
    assert_eq!(a.mode(), Mode::Message);
    assert_eq!(a.overlays().message().map(|m| m.body.as_str()), Some(expected.as_str()));
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::Picker, "back to the list");
    a.update(Action::Dismiss);
    assert_eq!(a.scenario(), &before);
    assert_eq!(a.source(), &Source::Preset("default".into()));
}

#[test]
fn opening_with_unsaved_changes_asks_save_discard_or_cancel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let (plan, _) = saved_plan(&saves);
    let mut a = preset_app(&saves);
    a.update(Action::Adjust(Step::Up));
    let work = a.scenario().clone();
    a.update(Action::OpenPicker);
    a.update(Action::PickerMove(i32::MIN));
    a.update(Action::OpenSelected);
    assert_eq!(a.mode(), Mode::ConfirmOpen);
    a.update(Action::Dismiss);
    assert_eq!(a.scenario(), &work, "cancel keeps the work");
    a.update(Action::OpenPicker);
    a.update(Action::PickerMove(i32::MIN));
    a.update(Action::OpenSelected);
    // Save first: the preset needs a name, then the other file opens.
    a.update(Action::SaveThenContinue);
    assert_eq!(a.mode(), Mode::NamePrompt);
    for c in "mine".chars() {
        a.update(Action::TypeChar(c));
    }
    a.update(Action::SubmitName);
    assert_eq!(a.source(), &Source::File(plan.clone()));
    let mine = file::load_path(&saves.join("mine.ron")).expect("saved");
    assert_eq!(mine.keyframes, work.keyframes);
    assert_eq!(mine.market, work.market);
    // Discard: opens at once.
    a.update(Action::Adjust(Step::Up));
    a.update(Action::OpenPicker);
    let preset = a
        .overlays()
        .picker()
        .and_then(|p| {
            p.entries
                .iter()
                .position(|e| e.source == Source::Preset("no-parity".into()))
        })
        .expect("preset listed");
    a.update(Action::PickerMove(i32::MIN));
    a.update(Action::PickerMove(preset as i32));
    a.update(Action::OpenSelected);
    a.update(Action::DiscardThenContinue);
    assert_eq!(a.source(), &Source::Preset("no-parity".into()));
    assert!(!a.is_modified());
}

#[test]
fn files_that_cannot_be_opened_leave_the_screen_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    std::fs::create_dir_all(&saves).expect("mkdir");
    let text = file::to_ron(&default_scenario());
    let cases = [
        ("newer", text.replace("version: 3,", "version: 9,")),
        ("range", text.replace("quarters: 32,", "quarters: 999,")),
        ("large", format!("//{}\n{text}", "x".repeat(1024 * 1024))),
    ];
    for (name, body) in &cases {
        std::fs::write(saves.join(format!("{name}.ron")), body).expect("write");
    }
    let mut a = preset_app(&saves);
    a.update(Action::Adjust(Step::Up));
    let work = a.scenario().clone();
    for (name, _) in &cases {
        let path = saves.join(format!("{name}.ron"));
        let expected = file::load_path(&path).expect_err("refused").to_string();
        a.update(Action::OpenPicker);
        let i = a
            .overlays()
            .picker()
            .and_then(|p| p.entries.iter().position(|e| e.label == *name))
            .expect("listed");
        a.update(Action::PickerMove(i32::MIN));
        a.update(Action::PickerMove(i as i32));
        a.update(Action::OpenSelected);
        assert_eq!(a.mode(), Mode::Message, "{name}");
        assert_eq!(a.overlays().message().map(|m| m.body.clone()), Some(expected));
        a.update(Action::Dismiss);
        a.update(Action::Dismiss);
        assert_eq!(a.scenario(), &work);
        assert!(a.is_modified());
    }
}

#[test]
fn a_file_changed_on_disk_is_offered_for_reload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let (path, _) = saved_plan(&saves);
    let mut a = file_app(&path, storage(&saves));
    a.update(Action::CheckDisk);
    assert_eq!(a.mode(), Mode::Normal, "unchanged: nothing to say");
    // Another program raises parity in the file.
    let mut other = file::load_document(&path).expect("loads");
    other.scenario.market.open_source_parity = 0.5;
    std::fs::write(&path, file::to_ron_document(&other.scenario, other.baseline.as_ref())).expect("write");
    set_mtime(&path, at(120));
    a.update(Action::CheckDisk);
    assert_eq!(a.mode(), Mode::Reload);
    a.update(Action::KeepMine);
    a.update(Action::CheckDisk);
    assert_eq!(a.mode(), Mode::Normal, "asked once per change");
    set_mtime(&path, at(180));
    a.update(Action::CheckDisk);
    a.update(Action::ReloadFromDisk);
    assert_eq!(a.scenario().market.open_source_parity, 0.5);
    assert!(!a.is_modified());
}

/// The screen as text, with the temporary folder's path replaced by `$SAVES`
/// (padded, so the borders stay where they were).
fn screen_text(t: &Terminal<TestBackend>, saves: &Path) -> String {
    let p = saves.display().to_string();
    let placeholder = "$SAVES";
    format!("{}", t.backend())
        .lines()
        .map(|l| {
            let pad = " ".repeat(p.chars().count().saturating_sub(placeholder.len()));
            l.replace(&p, &format!("{placeholder}{pad}"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn snapshots_of_the_file_dialogs() {
    for (w, h) in [(120u16, 40u16), (80, 24)] {
        // A path of fixed length, so wrapped lines fall the same way on every machine.
        let dir = tempfile::Builder::new()
            .prefix("cs-snap")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let saves = dir.path().join("saves");
        let (plan, _) = saved_plan(&saves);
        let broken = write_broken(&saves);
        set_mtime(&plan, at(0));
        set_mtime(&broken, at(60));

        let mut a = preset_app(&saves);
        let t = drive(&mut a, w, h, vec![ctrl('o'), key(KeyCode::Down)]);
        insta::assert_snapshot!(format!("picker_{w}x{h}"), screen_text(&t, &saves));

        let mut a = preset_app(&saves);
        let t = drive(&mut a, w, h, vec![ch('l'), ctrl('s')]);
        insta::assert_snapshot!(format!("name_prompt_{w}x{h}"), screen_text(&t, &saves));

        let mut a = preset_app(&saves);
        let t = drive(
            &mut a,
            w,
            h,
            vec![ch('l'), ctrl('s'), ch('p'), ch('l'), ch('a'), ch('n')],
        );
        insta::assert_snapshot!(format!("overwrite_{w}x{h}"), {
            let mut a = a;
            a.update(Action::SubmitName);
            let mut t = t;
            t.draw(|f| cloudstrat::ui::widgets::render(&a, f)).expect("draw");
            screen_text(&t, &saves)
        });

        let mut a = preset_app(&saves);
        let t = drive(&mut a, w, h, vec![ctrl('o'), key(KeyCode::Home), key(KeyCode::Enter)]);
        let text = screen_text(&t, &saves);
        assert!(text.contains("Cannot open"), "{text}");
        insta::assert_snapshot!(format!("broken_message_{w}x{h}"), text);

        let mut a = file_app(&plan, storage(&saves));
        a.update(Action::Adjust(Step::Up));
        a.update(Action::Autosave);
        let auto = saves.join(".autosave/plan.ron");
        set_mtime(&auto, at(600));
        let mut b = file_app(&plan, storage(&saves));
        b.update(Action::FindAutosave);
        let t = drive(&mut b, w, h, vec![]);
        insta::assert_snapshot!(format!("recover_{w}x{h}"), screen_text(&t, &saves));
    }
}

#[test]
fn autosaves_of_other_documents_are_pointed_out_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = preset_app(dir.path());
    a.update(Action::FindAutosave);
    assert!(a.status().is_none(), "nothing to point out: {:?}", a.status());
    std::fs::create_dir_all(dir.path().join(".autosave")).expect("dir");
    std::fs::write(dir.path().join(".autosave").join("plan.ron"), "x").expect("write");
    let mut a = preset_app(dir.path());
    a.update(Action::FindAutosave);
    assert_eq!(
        a.mode(),
        cloudstrat::ui::keymap::Mode::Normal,
        "another document's autosave is not offered here"
    );
    assert!(
        a.status()
            .is_some_and(|s| s.contains("1 autosave") && s.contains("Ctrl-o")),
        "{:?}",
        a.status()
    );
}

#[test]
fn opening_a_file_with_a_value_out_of_range_shows_where_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    std::fs::create_dir_all(&saves).expect("saves");
    let text = cloudstrat::document::presets::text("default")
        .expect("default")
        .replacen("open_source_parity: 0.3,", "open_source_parity: 1.7,", 1);
    let line = 1 + text
        .lines()
        .position(|l| l.contains("open_source_parity: 1.7"))
        .expect("edited");
    std::fs::write(saves.join("lead.ron"), &text).expect("write");
    let mut a = preset_app(&saves);
    let t = drive(
        &mut a,
        120,
        40,
        vec![ctrl('o'), key(KeyCode::Home), key(KeyCode::Enter)],
    );
    let message = a.overlays().message().expect("a message");
    assert_eq!(message.title, "Cannot open");
    let want = format!("lead.ron:{line}:29: market.open_source_parity: 1.7 is out of range; allowed 0 to 1");
    assert!(message.body.ends_with(&want), "{}", message.body);
    // The dialog shows it whole: the place and the range.
    let screen = screen_text(&t, &saves);
    assert!(
        screen.contains(&format!(
            "lead.ron:{line}:29: market.open_source_parity: 1.7 is out of range"
        )),
        "{screen}"
    );
    assert!(screen.contains("allowed 0 to 1"), "{screen}");
}

/// The recovery question's words, the text wrapped in the box joined up.
fn recovery_words(a: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    t.draw(|f| ui::widgets::render(a, f)).expect("draw");
    let cells: String = t.backend().buffer().content().iter().map(|c| c.symbol()).collect();
    cells.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn recovering_a_never_saved_preset_does_not_speak_of_its_last_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let mut a = preset_app(&saves);
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Autosave);
    let mut b = preset_app(&saves);
    b.update(Action::FindAutosave);
    assert_eq!(b.mode(), Mode::Recover);
    let words = recovery_words(&b);
    assert!(!words.contains("after its last save"), "{words}");
    assert!(words.contains("never been saved"), "{words}");
    // A saved file's autosave is newer than its last save.
    let (path, _) = saved_plan(&saves);
    let mut c = file_app(&path, storage(&saves));
    c.update(Action::Adjust(Step::Up));
    c.update(Action::Autosave);
    set_mtime(&path, at(0));
    set_mtime(&saves.join(".autosave/plan.ron"), at(60));
    let mut d = file_app(&path, storage(&saves));
    d.update(Action::FindAutosave);
    assert_eq!(d.mode(), Mode::Recover);
    assert!(recovery_words(&d).contains("after its last save"));
}
