//! Standard places: the config file and what wins over it, a broken config
//! file, autosaves in the state folder whatever the working folder, and the
//! speaker notes private to the user. Every folder is a temporary one passed
//! in; nothing here reads or writes the real user's home.

use cloudstrat::document::Source;
use cloudstrat::document::places::{self, Asked, CONFIG_DIR_ENV, Places, STATE_DIR_ENV};
use cloudstrat::document::storage::Storage;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let h = Home {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(h.config()).unwrap();
        h
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn places(&self) -> Places {
        let (c, s, h) = (self.config(), self.state(), self.home());
        Places::with(move |k| -> Option<OsString> {
            match k {
                CONFIG_DIR_ENV => Some(c.clone().into()),
                STATE_DIR_ENV => Some(s.clone().into()),
                "HOME" => Some(h.clone().into()),
                _ => None,
            }
        })
    }

    fn write_config(&self, text: &str) {
        std::fs::write(self.config().join("config.ron"), text).unwrap();
    }

    /// The binary, headless, with every folder in this temporary home.
    fn cloudstrat(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
            .args(args)
            .current_dir(self.dir.path())
            .env(CONFIG_DIR_ENV, self.config())
            .env(STATE_DIR_ENV, self.state())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("XDG_STATE_HOME", self.dir.path().join("xdg-state"))
            .env_remove("CLOUDSTRAT_SAVES")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }
}

const CONFIG: &str = r#"// my settings
(
    theme: "light",
    saves_dir: "~/plans",
    scenario: "parity-shock",
)
"#;

#[test]
fn the_config_file_sets_theme_saves_and_scenario() {
    let h = Home::new();
    h.write_config(CONFIG);
    let s = places::settle(Asked::default(), &h.places());
    assert_eq!(s.theme.as_deref(), Some("light"));
    assert_eq!(s.saves_dir, h.home().join("plans"));
    assert_eq!(s.scenario, "parity-shock");
    assert_eq!(s.autosave_dir, Some(h.state()));
    assert_eq!(s.warning, None);
}

#[test]
fn flags_and_the_environment_win_over_the_config_file() {
    let h = Home::new();
    h.write_config(CONFIG);
    let flags = Asked {
        scenario: Some("no-parity"),
        theme: Some("projector"),
        saves_dir: Some(Path::new("/from/flag")),
        saves_env: Some(std::ffi::OsStr::new("/from/env")),
    };
    let s = places::settle(flags, &h.places());
    assert_eq!(
        (s.scenario.as_str(), s.theme.as_deref(), s.saves_dir.as_path()),
        ("no-parity", Some("projector"), Path::new("/from/flag"))
    );
    let env_only = Asked {
        saves_env: Some(std::ffi::OsStr::new("/from/env")),
        ..Asked::default()
    };
    let s = places::settle(env_only, &h.places());
    assert_eq!(
        s.saves_dir,
        PathBuf::from("/from/env"),
        "$CLOUDSTRAT_SAVES beats the file"
    );
    assert_eq!(
        s.theme.as_deref(),
        Some("light"),
        "the file still sets what nothing else does"
    );
}

#[test]
fn a_broken_config_file_is_named_with_line_and_column_and_the_defaults_apply() {
    let h = Home::new();
    h.write_config("(\n    theme: \"light\"\n    saves_dir: \"x\",\n)\n");
    let s = places::settle(Asked::default(), &h.places());
    let w = s.warning.expect("a warning");
    assert!(w.contains("config.ron:3:5:"), "{w}");
    assert!(w.contains("starting on the defaults"), "{w}");
    assert_eq!((s.theme, s.scenario.as_str()), (None, "default"));
    h.write_config("(\n    theme: \"light\",\n    saves_dir: 5,\n)\n");
    let w = places::settle(Asked::default(), &h.places())
        .warning
        .expect("a warning");
    assert!(w.contains("config.ron:3:15: saves_dir: quote it"), "{w}");
    h.write_config("(them: \"light\")");
    let w = places::settle(Asked::default(), &h.places()).warning.unwrap();
    assert!(
        w.contains("config.ron:1:2: unknown setting `them`; did you mean `theme`?"),
        "{w}"
    );
}

#[test]
fn the_program_says_what_is_wrong_with_the_config_file_and_still_runs() {
    let h = Home::new();
    h.write_config("(\n  scenario: 12,\n)");
    // Headless (standard output is no terminal) the dashboard prints the run instead.
    let o = h.cloudstrat(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("config.ron:2:12: scenario: quote it"),
        "the setting is named: {err}"
    );
    assert!(err.contains("starting on the defaults"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("League table at 2030 Q4"));
    h.write_config(CONFIG);
    let o = h.cloudstrat(&[]);
    let out = String::from_utf8_lossy(&o.stdout);
    let shock = cloudstrat::document::presets::load("parity-shock").unwrap().unwrap();
    assert!(
        out.starts_with(&shock.meta.name),
        "the config file's scenario opens: {out}"
    );
    let o = h.cloudstrat(&["no-parity"]);
    let nope = cloudstrat::document::presets::load("no-parity").unwrap().unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with(&nope.meta.name),
        "the argument wins"
    );
    assert!(!h.home().join("plans").exists(), "a headless run writes nothing");
}

#[test]
fn an_autosave_in_the_state_folder_is_found_from_any_saves_folder() {
    let h = Home::new();
    let sc = cloudstrat::document::presets::default_scenario();
    let here = Storage::new(h.dir.path().join("a/saves")).with_autosave_dir(h.state());
    let there = Storage::new(h.dir.path().join("b/saves")).with_autosave_dir(h.state());
    let source = Source::Preset("default".into());
    let written = here.write_autosave(&source, &sc, None).unwrap();
    assert!(written.starts_with(h.state()), "{}", written.display());
    let found = there.find_autosave(&source).expect("offered back from another folder");
    assert_eq!(found.path, written);
    // A file's autosave carries its path, so plan.ron from two folders never meet.
    let a = here.autosave_path(&Source::File(h.dir.path().join("a/saves/plan.ron")));
    let b = there.autosave_path(&Source::File(h.dir.path().join("b/saves/plan.ron")));
    assert_ne!(a, b);
}

#[cfg(unix)]
#[test]
fn speaker_notes_are_private_to_the_user() {
    use cloudstrat::document::notes;
    use std::os::unix::fs::PermissionsExt;
    let h = Home::new();
    let run = h.dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    let r = run.clone();
    let dir = notes::private_dir_with(
        move |k| (k == "XDG_RUNTIME_DIR").then(|| r.clone().into()),
        h.dir.path(),
    )
    .unwrap();
    assert_eq!(dir, run.join("cloudstrat"), "the runtime folder");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    // No runtime folder: a private folder of the user's own in the temporary folder.
    let temp = h.dir.path().join("tmp");
    std::fs::create_dir(&temp).unwrap();
    let fallback = notes::private_dir_with(|_| None, &temp).unwrap();
    assert!(
        fallback.starts_with(&temp) && mode(&fallback) == 0o700,
        "{}",
        fallback.display()
    );
    let path = notes::notes_path_in(&dir, &Source::Preset("default".into()));
    let n = notes::Notes {
        scenario: "default".into(),
        presenting: true,
        beat: 1,
        beats: 3,
        quarter: "2025 Q1".into(),
        title: "t".into(),
        narration: "n".into(),
        notes: "private".into(),
        next_title: None,
        started_unix_ms: 0,
        beat_started_unix_ms: 0,
    };
    notes::write(&path, &n).unwrap();
    assert_eq!(mode(&path), 0o600, "only the user may read the speaker notes");
    assert_eq!(notes::read(&path), Some(n));
}
