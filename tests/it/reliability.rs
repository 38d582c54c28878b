//! Nothing lost, nothing crashes, nobody else gets in: one regression test
//! per finding of the reliability and security review (issue 14), named for
//! what it pins. A second local user is simulated by links, pipes and
//! folders the test plants itself; tests that need root to hand a folder to
//! another user skip when not root.

use chrono::{TimeZone, Utc};
use cloudstrat::analysis::montecarlo;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::document::save::{self, WriteOptions};
use cloudstrat::document::storage::{Clock, FileStamp, Storage, check_name};
use cloudstrat::document::{Source, file, notes};
use cloudstrat::ui::keymap::Mode;
use cloudstrat::ui::{Action, App, Step, Theme};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

const DEFAULT_RON: &str = include_str!("../../assets/scenarios/default.ron");

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("valid time"))
}

fn storage(dir: &Path) -> Storage {
    Storage::new(dir.to_path_buf()).with_clock(clock())
}

fn file_app(path: &Path, saves: &Path) -> App {
    let doc = file::load_document(path).unwrap_or_else(|e| panic!("{e}"));
    App::new(doc.scenario.clone(), Source::File(path.into()), Theme::COLOR)
        .with_storage(storage(saves))
        .with_document(doc, Source::File(path.into()))
}

fn saved_plan(saves: &Path) -> PathBuf {
    std::fs::create_dir_all(saves).expect("saves folder");
    let path = saves.join("plan.ron");
    std::fs::write(&path, file::to_ron(&default_scenario())).expect("write plan");
    path
}

fn cloudstrat(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run cloudstrat")
}

fn sh(dir: &Path, script: &str) -> Output {
    Command::new("sh")
        .current_dir(dir)
        .env("CS", env!("CARGO_BIN_EXE_cloudstrat"))
        .args(["-c", script])
        .output()
        .expect("run sh")
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo").success();
    assert!(ok, "mkfifo {}", path.display());
}

fn is_root() -> bool {
    tempfile::tempfile()
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.uid() == 0)
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

// 1. Speaker notes.

fn presenting_app(notes_file: &Path) -> App {
    let mut a = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR)
        .with_notes_file(notes_file.to_path_buf());
    a.update(Action::Meeting(cloudstrat::ui::MeetingAction::Present));
    a
}

#[test]
fn speaker_notes_never_follow_a_link_planted_at_their_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("private.txt");
    std::fs::write(&victim, "the presenter's own file").expect("write");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let path = notes::notes_path_in(dir.path(), &Source::Preset("default".into()));
    std::os::unix::fs::symlink(&victim, &path).expect("plant link");
    let a = presenting_app(&path);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "the presenter's own file"
    );
    assert!(
        a.status().is_some_and(|s| s.contains("symbolic link")),
        "{:?}",
        a.status()
    );
}

#[test]
fn speaker_notes_are_private_and_refuse_pipes_devices_and_other_peoples_folders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = notes::notes_path_in(dir.path(), &Source::Preset("default".into()));
    let a = presenting_app(&path);
    assert!(
        a.status().is_none_or(|s| !s.contains("cannot write")),
        "{:?}",
        a.status()
    );
    assert_eq!(mode(&path), 0o600, "notes are the presenter's alone");
    assert!(notes::read(&path).is_some());
    notes::remove(&path);
    assert!(!path.exists(), "removed when the talk is over");

    // A pipe at the name is neither read (no hang) nor written.
    mkfifo(&path);
    assert!(notes::read(&path).is_none());
    let a = presenting_app(&path);
    assert!(
        a.status().is_some_and(|s| s.contains("not a regular file")),
        "{:?}",
        a.status()
    );
    std::fs::remove_file(&path).expect("remove fifo");

    // A link to an endless device is not read.
    std::os::unix::fs::symlink("/dev/zero", &path).expect("link");
    assert!(notes::read(&path).is_none());
    std::fs::remove_file(&path).expect("remove link");

    // A folder others may write to could hold planted files: refused.
    let uid = std::fs::metadata(dir.path()).expect("meta").uid();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let e = notes::check_private(&shared, uid).expect_err("shared folder");
    assert!(e.to_string().contains("written by others"), "{e}");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    notes::check_private(&shared, uid).expect("private folder");
    // A link in the folder's place is refused.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&shared, &link).expect("link");
    assert!(notes::check_private(&link, uid).is_err());
}

#[test]
fn a_notes_folder_owned_by_another_user_is_refused() {
    if !is_root() {
        eprintln!("skipped: handing a folder to another user needs root");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).expect("mkdir");
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).expect("chown");
    let e = notes::check_private(&theirs, 0).expect_err("not ours");
    assert!(e.to_string().contains("belongs to user 65534"), "{e}");
}

// 2. Migration.

#[test]
fn version_1_files_with_non_ascii_outside_strings_never_panic() {
    let v1 = std::fs::read_to_string("tests/fixtures/old/v1_default.ron").expect("fixture");
    // A raw string holding a quote is a valid file: it loads, with every provider migrated.
    let line = v1
        .lines()
        .find(|l| l.trim_start().starts_with("description:"))
        .expect("description");
    let raw = v1.replacen(line, "    description: r#\"a \"quote ü (params: (x\"#,", 1);
    let sc = file::parse(&raw, "raw.ron").unwrap_or_else(|e| panic!("{e}\n{raw}"));
    assert_eq!(sc.meta.description, "a \"quote ü (params: (x");
    assert!(sc.providers.iter().all(|p| p.params.serving_efficiency == 1.0));
    // Non-ASCII field names and character literals: errors, never a panic.
    for bad in [
        v1.replacen("name:", "naïve:", 1),
        v1.replacen("seed:", "c: 'é', seed:", 1),
        v1.replacen("seed:", "c: '\"', seed:", 1),
    ] {
        let e = file::parse(&bad, "bad.ron").expect_err("invalid");
        assert!(e.to_string().starts_with("bad.ron:"), "{e}");
    }
    // The picker lists such a file as broken instead of crashing.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("naive.ron"), v1.replacen("name:", "naïve:", 1)).expect("write");
    let listed = Storage::new(dir.path().to_path_buf()).list();
    assert!(listed[0].meta.is_err());
}

// 4. Signals: see tests/pty/signals.rs.

// 5. Backups.

#[test]
fn the_backup_is_the_previous_file_itself_linked_never_copied_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved_plan(dir.path());
    let first = std::fs::read_to_string(&path).expect("read");
    let first_inode = std::fs::metadata(&path).expect("meta").ino();
    let s = storage(dir.path());
    s.save(&path, "second").expect("save");
    let bak = Storage::backup_path(&path);
    assert_eq!(std::fs::read_to_string(&bak).expect("bak"), first);
    assert_eq!(
        std::fs::metadata(&bak).expect("meta").ino(),
        first_inode,
        "a link, not a copy"
    );
    s.save(&path, "third").expect("save");
    assert_eq!(std::fs::read_to_string(&bak).expect("bak"), "second");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "third");
}

#[test]
fn a_backup_link_planted_in_the_saves_folder_is_replaced_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved_plan(dir.path());
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "someone else's").expect("write");
    std::os::unix::fs::symlink(&victim, Storage::backup_path(&path)).expect("plant");
    storage(dir.path()).save(&path, "new").expect("save");
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "someone else's");
    let bak = std::fs::symlink_metadata(Storage::backup_path(&path)).expect("bak");
    assert!(bak.is_file(), "the backup is a regular file now");
}

#[test]
fn a_failing_disk_leaves_the_file_and_a_whole_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved_plan(dir.path());
    let s = storage(dir.path());
    s.save(&path, "second").expect("save");
    let failing = storage(dir.path()).with_write_hook(Arc::new(|_: &Path| {
        Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
    }));
    let e = failing.save(&path, "third").expect_err("full disk");
    assert!(e.message.contains("the disk is full"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "second");
    let bak = std::fs::read_to_string(Storage::backup_path(&path)).expect("bak");
    assert!(bak == "second" || bak.starts_with("("), "whole: {bak:?}");
    let temp: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(save::TEMP_SUFFIX))
        .collect();
    assert!(temp.is_empty(), "no temporary file left: {temp:?}");
}

#[test]
fn stale_temp_files_from_killed_saves_are_cleaned_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let auto = dir.path().join(".autosave");
    std::fs::create_dir_all(&auto).expect("mkdir");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let stale = [
        dir.path().join(".cloudstrat-abc123.tmp"),
        dir.path().join(".tmpAbC123"),
        auto.join(".cloudstrat-x1y2z3.tmp"),
    ];
    for p in &stale {
        std::fs::write(p, "half").expect("write");
        std::fs::File::options()
            .write(true)
            .open(p)
            .expect("open")
            .set_modified(old)
            .expect("mtime");
    }
    // A write in progress right now, and the user's own files, stay.
    let fresh = dir.path().join(".cloudstrat-fresh1.tmp");
    std::fs::write(&fresh, "in progress").expect("write");
    let own = dir.path().join("notes.tmp");
    std::fs::write(&own, "mine").expect("write");
    std::fs::File::options()
        .write(true)
        .open(&own)
        .expect("open")
        .set_modified(old)
        .expect("mtime");
    assert_eq!(storage(dir.path()).clean_stale_temp_files(), 3);
    assert!(stale.iter().all(|p| !p.exists()));
    assert!(fresh.exists() && own.exists());
}

// 6. Monte Carlo memory.

#[test]
fn a_monte_carlo_beyond_the_memory_budget_is_refused_before_it_starts() {
    let mut sc = default_scenario();
    // The largest valid file (64 providers, 200 quarters) fits.
    while sc.providers.len() < 64 {
        let mut p = sc.providers[1].clone();
        p.id = format!("p{}", sc.providers.len());
        p.params.initial_share = 0.0;
        sc.providers.push(p);
    }
    sc.set_quarters(200);
    montecarlo::check_memory(&sc, 10_000_000).expect("the largest valid file fits");
    assert!(montecarlo::memory_needed(&sc, 1000) < montecarlo::MEMORY_BUDGET);
    // Beyond it (a scenario no file can hold), a clear refusal.
    sc.quarters = 2000;
    let e = montecarlo::check_memory(&sc, 1000).expect_err("too large");
    assert!(
        e.contains("2000 quarters × 64 providers") && e.contains("1024 MiB"),
        "{e}"
    );
}

// 7. Lost update, shared autosave.

#[test]
fn a_save_over_another_dashboards_save_asks_instead_of_overwriting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved_plan(dir.path());
    let mut a = file_app(&path, dir.path());
    let mut b = file_app(&path, dir.path());
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::Save);
    assert!(!a.is_modified());
    let a_saved = std::fs::read_to_string(&path).expect("read");
    // B saves right after, before any disk check ran.
    b.update(Action::Adjust(Step::BigDown));
    b.update(Action::Save);
    assert_eq!(b.mode(), Mode::Reload, "asks: reload or keep");
    assert!(b.is_modified(), "B's work is still unsaved");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        a_saved,
        "A's save is intact"
    );
    assert!(b.status().is_some_and(|s| s.contains("not saved")), "{:?}", b.status());
    // Keeping B's version and saving again overwrites, knowingly.
    b.update(Action::Dismiss);
    b.update(Action::Save);
    assert!(!b.is_modified());
    assert_ne!(std::fs::read_to_string(&path).expect("read"), a_saved);
}

#[test]
fn two_dashboards_on_one_file_keep_separate_autosaves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved_plan(dir.path());
    let mut a = file_app(&path, dir.path());
    let mut b = file_app(&path, dir.path());
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::Autosave);
    b.update(Action::Adjust(Step::BigDown));
    b.update(Action::Autosave);
    let (pa, pb) = (
        a.files().autosave_file.clone().expect("A autosaved"),
        b.files().autosave_file.clone().expect("B autosaved"),
    );
    assert_ne!(pa, pb);
    let la = file::load_document(&pa).expect("A's autosave");
    let lb = file::load_document(&pb).expect("B's autosave");
    assert_eq!(&la.scenario, a.scenario());
    assert_eq!(&lb.scenario, b.scenario());
    // A saves: its autosave goes, B's stays for B.
    a.update(Action::Save);
    assert!(!pa.exists() && pb.exists());
}

// 8. Permissions.

#[test]
fn new_files_follow_the_umask_and_read_only_files_are_not_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = sh(
        dir.path(),
        "umask 077 && \"$CS\" run default --format csv --out private.csv",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mode(&dir.path().join("private.csv")), 0o600);
    let out = sh(
        dir.path(),
        "umask 022 && \"$CS\" run default --format csv --out shared.csv",
    );
    assert!(out.status.success());
    assert_eq!(mode(&dir.path().join("shared.csv")), 0o644);

    let path = saved_plan(dir.path());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = std::fs::read_to_string(&path).expect("read");
    let out = cloudstrat(dir.path(), &["fmt", "plan.ron"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"), "{out:?}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
    let mut a = file_app(&path, dir.path());
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::Save);
    assert_eq!(a.mode(), Mode::Message);
    assert!(a.overlays().message().is_some_and(|m| m.body.contains("read-only")));
    assert!(a.is_modified());
    assert_eq!(mode(&path), 0o444);
}

// 9. Output errors.

#[test]
fn a_full_disk_behind_stdout_exits_1_and_a_full_stderr_never_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    let out = sh(dir.path(), "\"$CS\" run default > /dev/full");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
    // A closed pipe is not an error.
    let out = sh(
        dir.path(),
        "\"$CS\" run default | head -c 10 >/dev/null; echo ${PIPESTATUS:-0}",
    );
    assert!(out.status.success());
    std::fs::write(dir.path().join("bad.ron"), "(").expect("write");
    let out = sh(dir.path(), "\"$CS\" check bad.ron 2>/dev/full");
    assert_eq!(out.status.code(), Some(1), "exit 1, not a panic: {out:?}");
    let out = sh(dir.path(), "\"$CS\" run default --out /dev/full");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

// 10. Saving through a replaced file.

#[test]
fn a_file_replaced_by_a_device_link_or_a_pipe_is_not_saved_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved_plan(dir.path());
    let mut a = file_app(&path, dir.path());
    a.update(Action::Adjust(Step::BigUp));
    std::fs::remove_file(&path).expect("remove");
    std::os::unix::fs::symlink("/dev/null", &path).expect("link");
    a.update(Action::Save);
    assert!(a.is_modified(), "not marked saved");
    assert!(a.overlays().message().is_some_and(|m| m.body.contains("symbolic link")));
    a.update(Action::Dismiss);
    std::fs::remove_file(&path).expect("remove");
    mkfifo(&path);
    a.update(Action::Save);
    assert!(a.is_modified());
    assert!(
        a.overlays()
            .message()
            .is_some_and(|m| m.body.contains("not a regular file"))
    );
    a.update(Action::Dismiss);
    // Reloading the pipe is refused at once too.
    a.update(Action::ReloadFromDisk);
    assert!(a.is_modified());
}

// 11. Exports.

#[test]
fn exports_stay_in_the_saves_folder_one_folder_per_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    std::fs::create_dir_all(&saves).expect("mkdir");
    let dots = saves.join("....ron");
    std::fs::write(&dots, file::to_ron(&default_scenario())).expect("write");
    let a = file_app(&dots, &saves);
    let folder = a.export_folder();
    assert!(folder.starts_with(saves.join("exports")), "{}", folder.display());
    assert_ne!(folder, saves.join("exports"));
    let elsewhere = dir.path().join("other");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let twin = elsewhere.join("plan.ron");
    std::fs::write(&twin, file::to_ron(&default_scenario())).expect("write");
    let plan = saved_plan(&saves);
    let (x, y) = (
        file_app(&plan, &saves).export_folder(),
        file_app(&twin, &saves).export_folder(),
    );
    assert_ne!(x, y, "two plan.ron never share an export folder");
    assert!(x.starts_with(saves.join("exports")) && y.starts_with(saves.join("exports")));
}

// 12. Themes and other user-named reads.

#[test]
fn a_theme_that_is_a_device_pipe_or_huge_file_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("theme.fifo");
    mkfifo(&fifo);
    let huge = dir.path().join("huge.ron");
    std::fs::write(&huge, vec![b' '; 1 << 20]).expect("write");
    for t in [
        "/dev/zero",
        fifo.to_str().expect("utf-8"),
        huge.to_str().expect("utf-8"),
    ] {
        let e = cloudstrat::ui::Theme::load(t).expect_err(t).to_string();
        assert!(e.contains("not a regular file") || e.contains("at most"), "{t}: {e}");
    }
    let e = file::load_path(&fifo).expect_err("fifo").to_string();
    assert!(e.contains("not a regular file"), "{e}");
}

// 13. Scenarios that analysis builds.

#[test]
fn optimizing_initial_shares_saves_only_a_file_check_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cloudstrat(
        dir.path(),
        &[
            "optimize",
            "default",
            "--provider",
            "hyper",
            "--levers",
            "initial_share",
            "--save",
            "o.ron",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("broke a rule"), "{text}");
    let check = cloudstrat(dir.path(), &["check", "o.ron"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn monte_carlo_samples_that_break_a_rule_are_skipped_and_counted() {
    use cloudstrat::sim::{Distribution, ParamRef, ProviderKey, Uncertain};
    let mut sc = default_scenario();
    sc.uncertainty.clear();
    // Shares sum to 1 today; an uncertain hyperscaler share above its value breaks the sum.
    let hyper = sc.provider_index("hyper").expect("hyper");
    let v = sc.providers[hyper].params.initial_share;
    sc.uncertainty.push(Uncertain {
        target: ParamRef::Provider(hyper, ProviderKey::initial_share),
        at: None,
        dist: Distribution::Uniform {
            min: 0.0,
            max: (v * 2.0).min(1.0),
        },
    });
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let r = montecarlo::monte_carlo(&sc, 200, 3, &|_| {}, &cancel).expect("not cancelled");
    let total: f64 = sc.providers.iter().map(|p| p.params.initial_share).sum();
    if total > 1.0 - v {
        assert!(r.skipped > 0 && r.skipped < 200, "{}", r.skipped);
    }
    assert!(
        r.pct
            .iter()
            .zip(&r.samples)
            .all(|(p, n)| *n == 0 || p.iter().all(|x| x.is_finite()))
    );
}

// 14. Long names.

#[test]
fn a_file_with_a_long_legal_name_still_autosaves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saves = dir.path().join("saves");
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    let long = other.join(format!("{}.ron", "é".repeat(125)));
    std::fs::write(&long, file::to_ron(&default_scenario())).expect("a 254-byte name");
    let mut a = file_app(&long, &saves);
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::Autosave);
    let auto = a.files().autosave_file.clone().expect("autosaved");
    assert!(auto.exists(), "{:?}", a.status());
    // The save prompt counts bytes, not characters.
    let e = check_name(&"🙂".repeat(50)).expect_err("200 bytes");
    assert!(e.contains("bytes"), "{e}");
}

// 15. Escapes from files.

#[test]
fn escape_sequences_from_files_reach_no_terminal_svg_or_markdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evil = DEFAULT_RON.replacen("name: \"", "name: \"\\u{1b}]0;owned\\u{7}\\u{1b}[31m", 1);
    std::fs::write(dir.path().join("evil.ron"), &evil).expect("write");
    for args in [
        &["check", "evil.ron"][..],
        &["run", "evil.ron"],
        &["diff", "evil.ron", "default"],
    ] {
        let out = cloudstrat(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            !out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b),
            "{args:?}: {out:?}"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("name: holds the character U+001B"));
    }
    // Whatever a name holds, the SVG is XML and Markdown shows beat titles as text.
    let mut sc = default_scenario();
    sc.meta.name = "a\u{1b}[2J\u{0}b".into();
    sc.story[0].title = "![x](http://tracker/p.png) [click](javascript:alert(1)) <b>".into();
    let run = cloudstrat::sim::simulate(&sc);
    for (name, bytes) in cloudstrat::output::export::export(
        &sc,
        &run,
        cloudstrat::output::svg::Comparison::default(),
        cloudstrat::output::export::ExportFormat::Markdown,
    ) {
        let text = String::from_utf8(bytes).expect("text");
        assert!(!text.contains('\u{1b}') && !text.contains('\u{0}'), "{name}");
        if name.ends_with(".svg") {
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        if name == "report.md" {
            assert!(
                !text.contains("![x](") && !text.contains("[click](") && !text.contains("<b>"),
                "{text}"
            );
        }
    }
}

// 16. Error clarity.

#[test]
fn errors_accept_a_bom_name_integer_fields_show_sums_and_elide_long_values() {
    let bom = format!("\u{FEFF}{DEFAULT_RON}");
    file::parse(&bom, "bom.ron").unwrap_or_else(|e| panic!("{e}"));
    let big = DEFAULT_RON.replacen("quarters: 32,", "quarters: 99999999999,", 1);
    let e = file::parse(&big, "big.ron").expect_err("overflow").to_string();
    assert!(
        e.contains("quarters: Integer is out of bounds; allowed a whole number of quarters, 4 to 200"),
        "{e}"
    );
    let mut sc = default_scenario();
    let total: f64 = sc.providers.iter().map(|p| p.params.initial_share).sum();
    sc.providers[0].params.initial_share += 1.0 - total + 1e-7;
    let e = file::parse(&file::to_ron(&sc), "sum.ron").expect_err("sum").to_string();
    assert!(e.contains("add up to 1.0000001"), "{e}");
    let long = DEFAULT_RON.replacen("id: \"hyper\"", &format!("id: \"{}\"", "h".repeat(200_000)), 1);
    let e = file::parse(&long, "long.ron").expect_err("long id").to_string();
    assert!(
        e.len() < 2_000 && e.contains("characters left out"),
        "{} bytes",
        e.len()
    );
}

// 17. Save names.

#[test]
fn save_names_are_portable_and_cannot_hide_characters() {
    for bad in [
        "CON",
        "nul",
        "COM1",
        "a*b",
        "a?b",
        "a<b>",
        "a|b",
        "a\"b",
        "plan.",
        "pay\u{200B}roll",
        "x\u{202E}gpj",
    ] {
        assert!(check_name(bad).is_err(), "{bad:?}");
    }
    assert!(check_name("Q3 plan – v2").is_ok());
}

// 18. Input floods: a batch of queued lever keys simulates once and ends on the right run.

struct Flood(std::collections::VecDeque<ratatui::crossterm::event::Event>);

impl cloudstrat::ui::EventSource for Flood {
    fn next_event(
        &mut self,
        _: Option<std::time::Duration>,
    ) -> std::io::Result<Option<ratatui::crossterm::event::Event>> {
        Ok(self.0.pop_front())
    }
    fn is_exhausted(&self) -> bool {
        self.0.is_empty()
    }
    fn queued(&mut self) -> std::io::Result<Option<ratatui::crossterm::event::Event>> {
        Ok(self.0.pop_front())
    }
}

#[test]
fn a_flood_of_lever_keys_is_one_batch_that_ends_on_the_right_run() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let up = Event::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
    let mut flooded = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    let mut one_by_one = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("backend");
    cloudstrat::ui::run_app(&mut t, &mut flooded, &mut Flood(vec![up.clone(); 300].into())).expect("loop");
    cloudstrat::ui::run_app(
        &mut t,
        &mut one_by_one,
        &mut cloudstrat::ui::ScriptedEvents::new(vec![up; 300]),
    )
    .expect("loop");
    assert!(flooded.is_modified());
    assert_eq!(flooded.scenario(), one_by_one.scenario());
    assert_eq!(
        flooded.run(),
        &cloudstrat::sim::simulate(flooded.scenario()),
        "simulated after the batch"
    );
}

// The write path itself.

#[test]
fn documents_are_never_written_through_links_devices_or_pipes_but_output_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let e = save::write_atomic(&fifo, b"x").expect_err("pipe");
    assert!(e.to_string().contains("not a regular file"), "{e}");
    save::write_file(Path::new("/dev/null"), b"x", &WriteOptions::output()).expect("output into a device");
    let long = dir.path().join("x".repeat(255));
    let e = save::write_atomic(&long, b"x").expect_err("name too long");
    assert!(e.to_string().contains("bytes"), "{e}");
    let stamp = FileStamp::of(&saved_plan(dir.path()));
    assert!(stamp.is_some());
}

// Fuzzing: mutated presets through the loader, the engine and the binary.

/// Byte spans of the numbers written after a space in `text`.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 1;
    while i < b.len() {
        if (b[i].is_ascii_digit() || b[i] == b'-') && b[i - 1] == b' ' {
            let s = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'-') {
                i += 1;
            }
            spans.push((s, i));
        }
        i += 1;
    }
    spans
}

/// Values a careless or hostile user might type over a number.
fn replacement(original: f64) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        (0.0f64..=2.0).prop_map(move |k| format!("{:?}", original * k)),
        (0.0f64..=1.0).prop_map(|v| format!("{v:?}")),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e-300".to_string()),
        Just("1e300".to_string()),
        Just("4294967296".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("0.9999999999999999".to_string()),
    ]
}

/// A preset with one to three numbers replaced.
fn mutated_preset() -> impl proptest::strategy::Strategy<Value = (String, String)> {
    use proptest::prelude::*;
    let names: Vec<&'static str> = cloudstrat::document::presets::names().collect();
    proptest::sample::select(names).prop_flat_map(|name| {
        let text = cloudstrat::document::presets::text(name)
            .unwrap_or_default()
            .to_string();
        let spans = number_spans(&text);
        let swaps = proptest::collection::vec(
            proptest::sample::select(spans).prop_flat_map({
                let text = text.clone();
                move |(s, e)| {
                    let original = text[s..e].parse::<f64>().unwrap_or(1.0);
                    replacement(original).prop_map(move |r| (s, e, r))
                }
            }),
            1..4,
        );
        swaps.prop_map(move |mut swaps| {
            swaps.sort_by_key(|s| std::cmp::Reverse(s.0));
            swaps.dedup_by_key(|s| s.0);
            let mut t = text.clone();
            for (s, e, r) in swaps {
                t.replace_range(s..e, &r);
            }
            (name.to_string(), t)
        })
    })
}

/// The engine's invariants on a run of a valid file.
fn engine_problems(run: &cloudstrat::sim::Run) -> Vec<String> {
    let mut out = Vec::new();
    for t in 0..run.quarters {
        for (i, r) in run.quarter_rows(t).iter().enumerate() {
            let costs = [
                ("cost_usd_per_mtok", r.cost_usd_per_mtok),
                ("cogs_musd", r.cogs_musd),
                ("opex_musd", r.opex_musd),
            ];
            for (name, v) in costs {
                if !v.is_finite() || v < 0.0 {
                    out.push(format!("quarter {t}, provider {i}: {name} = {v}"));
                }
            }
            for (name, v) in [("share", r.share), ("self_chip_share", r.self_chip_share)] {
                if !(0.0..=1.0).contains(&v) {
                    out.push(format!("quarter {t}, provider {i}: {name} = {v}"));
                }
            }
            if !r.price_usd_per_mtok.is_finite() {
                out.push(format!("quarter {t}, provider {i}: price = {}", r.price_usd_per_mtok));
            }
        }
    }
    out
}

/// What any run must be, whatever the engine's rounding: numbers, not NaN or infinity.
fn non_finite(run: &cloudstrat::sim::Run) -> Vec<String> {
    let mut out = Vec::new();
    for t in 0..run.quarters {
        for (i, r) in run.quarter_rows(t).iter().enumerate() {
            for (name, v) in [
                ("cost_usd_per_mtok", r.cost_usd_per_mtok),
                ("price_usd_per_mtok", r.price_usd_per_mtok),
                ("share", r.share),
                ("cash_musd", r.cash_musd),
            ] {
                if !v.is_finite() {
                    out.push(format!("quarter {t}, provider {i}: {name} = {v}"));
                }
            }
        }
    }
    out
}

fn load_and_simulate(
    name: &str,
    text: &str,
) -> Result<Option<cloudstrat::sim::Run>, proptest::test_runner::TestCaseError> {
    let loaded = std::panic::catch_unwind(|| file::parse(text, name))
        .map_err(|_| proptest::test_runner::TestCaseError::fail(format!("loader panicked on\n{text}")))?;
    match loaded {
        Ok(sc) => std::panic::catch_unwind(|| cloudstrat::sim::simulate(&sc))
            .map(Some)
            .map_err(|_| proptest::test_runner::TestCaseError::fail(format!("engine panicked on\n{text}"))),
        Err(_) => Ok(None),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..Default::default() })]

    /// A mutated preset is accepted or refused, never a panic; what is
    /// accepted simulates to numbers, never NaN or infinity.
    #[test]
    fn mutated_presets_load_or_fail_cleanly_and_simulate_to_numbers((name, text) in mutated_preset()) {
        if let Some(run) = load_and_simulate(&name, &text)? {
            let problems = non_finite(&run);
            proptest::prop_assert!(problems.is_empty(), "{name}: {problems:?}\n{text}");
        }
    }

    /// The engine's invariants (costs ≥ 0, shares in [0, 1]) on mutated presets
    /// (finding 3).
    #[test]
    fn mutated_presets_keep_costs_non_negative_and_shares_in_range((name, text) in mutated_preset()) {
        if let Some(run) = load_and_simulate(&name, &text)? {
            let problems = engine_problems(&run);
            proptest::prop_assert!(problems.is_empty(), "{name}: {problems:?}\n{text}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, failure_persistence: None, ..Default::default() })]

    /// Through the binary: `check` and `run` exit 0 or 1, never with a panic's 101.
    #[test]
    fn mutated_presets_through_the_binary_exit_0_or_1((name, text) in mutated_preset()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(format!("{name}.ron"));
        std::fs::write(&path, &text).expect("write");
        for cmd in ["check", "run"] {
            let out = cloudstrat(dir.path(), &[cmd, &format!("{name}.ron")]);
            let code = out.status.code();
            proptest::prop_assert!(matches!(code, Some(0 | 1)), "{cmd} {name}: {code:?}\n{}", String::from_utf8_lossy(&out.stderr));
            proptest::prop_assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        }
    }
}

/// Finding 3, the engine's part: from a valid file with two legal values
/// changed, rounding residue after a fleet retired made a unit cost negative
/// (the fix, clamps and snapping, is in `sim::engine`).
#[test]
fn rounding_residue_never_makes_a_cost_negative() {
    let text = cloudstrat::document::presets::text("chips-at-scale")
        .expect("preset")
        .replacen("vendor_gross_margin: 0.74,", "vendor_gross_margin: 0.7,", 1)
        .replacen("min_cash_musd: 1500.0,", "min_cash_musd: 100000.0,", 1);
    let sc = file::parse(&text, "residue.ron").unwrap_or_else(|e| panic!("{e}"));
    let problems = engine_problems(&cloudstrat::sim::simulate(&sc));
    assert!(problems.is_empty(), "{problems:?}");
}
