//! Strategy files on disk: every fixture in `tests/fixtures/valid` loads, every
//! fixture in `tests/fixtures/invalid` fails with the message its sibling
//! `.expected` file names, and saving is stable (save → load → save gives the
//! same bytes, and the default preset saves as its own asset).
//!
//! An `.expected` file holds one or more lines; each non-empty line must appear
//! somewhere in the error's text. Fixtures are parsed under their bare file name,
//! so an expected line can be a whole error line such as
//! `keyframes.ron:12:5: Expected comma`.

use cloudstrat::document::file::{self, LoadError};
use cloudstrat::document::presets;
use cloudstrat::sim::{ParamRef, Quarter, Scenario};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixture_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(kind)
}

/// The `.ron` files of one fixture folder, sorted by name.
fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = fixture_dir(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable fixture folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .expect("fixture has a file name")
        .to_string_lossy()
        .into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Lines of the `.expected` file next to `path`.
fn expected_lines(path: &Path) -> Vec<String> {
    let text = read(&path.with_extension("expected"));
    let lines: Vec<String> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    assert!(!lines.is_empty(), "{}: empty .expected file", path.display());
    lines
}

fn load_fixture(path: &Path) -> Result<Scenario, LoadError> {
    file::parse(&read(path), &name_of(path))
}

/// to_ron → parse → to_ron: the scenario survives and the text is identical.
fn assert_save_is_stable(sc: &Scenario, label: &str) {
    let first = file::to_ron(sc);
    let reloaded = file::parse(&first, label)
        .unwrap_or_else(|e| panic!("{label}: saved text does not load again:\n{e}\n--- saved text ---\n{first}"));
    assert_eq!(&reloaded, sc, "{label}: scenario changed by save → load");
    let second = file::to_ron(&reloaded);
    assert_eq!(first, second, "{label}: save → load → save changed the bytes");
}

#[test]
fn fixture_folders_are_populated() {
    assert!(fixtures("valid").len() >= 10, "valid fixtures missing");
    assert!(fixtures("invalid").len() >= 30, "invalid fixtures missing");
}

#[test]
fn valid_fixtures_load() {
    let mut failures = Vec::new();
    for path in fixtures("valid") {
        match load_fixture(&path) {
            Ok(sc) => assert!(sc.problems().is_empty(), "{}: {:?}", path.display(), sc.problems()),
            Err(e) => failures.push(format!("{e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "valid fixtures failed to load:\n{}",
        failures.join("\n")
    );
}

#[test]
fn valid_fixtures_load_from_disk() {
    for path in fixtures("valid") {
        let from_disk = file::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
        let from_text = load_fixture(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_disk, from_text, "{}", path.display());
    }
}

#[test]
fn invalid_fixtures_fail_with_the_expected_message() {
    let mut failures = Vec::new();
    for path in fixtures("invalid") {
        let name = name_of(&path);
        match load_fixture(&path) {
            Ok(_) => failures.push(format!("{name}: loaded, but should fail")),
            Err(e) => {
                let text = e.to_string();
                for want in expected_lines(&path) {
                    if !text.contains(&want) {
                        failures.push(format!("{name}: error does not contain `{want}`; it is:\n{text}\n"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn invalid_fixtures_fail_from_disk_too() {
    for path in fixtures("invalid") {
        let err = file::load_path(&path).expect_err(&name_of(&path));
        let shown = path.display().to_string();
        assert!(err.to_string().starts_with(&shown), "{err}");
    }
}

#[test]
fn every_invalid_fixture_has_an_expected_file_and_no_orphans() {
    let dir = fixture_dir("invalid");
    for entry in std::fs::read_dir(&dir).expect("invalid fixture folder") {
        let path = entry.expect("entry").path();
        match path.extension().and_then(|x| x.to_str()) {
            Some("ron") => assert!(
                path.with_extension("expected").is_file(),
                "{}: no .expected",
                path.display()
            ),
            Some("expected") => assert!(path.with_extension("ron").is_file(), "{}: no .ron", path.display()),
            _ => panic!("{}: unexpected file in fixtures", path.display()),
        }
    }
}

#[test]
fn syntax_errors_name_line_and_column() {
    for path in fixtures("invalid") {
        let name = name_of(&path);
        if !name.starts_with("syntax_") {
            continue;
        }
        match load_fixture(&path) {
            Err(LoadError::Syntax { line, col, .. }) => assert!(line >= 1 && col >= 1, "{name}: {line}:{col}"),
            other => panic!("{name}: expected a syntax error, got {other:?}"),
        }
    }
}

#[test]
fn missing_comma_points_at_the_next_field() {
    // `quarters: 16` lacks its comma; the parser notices at the start of `seed`.
    let path = fixture_dir("invalid").join("syntax_missing_comma.ron");
    let text = read(&path);
    let seed_line = 1 + text
        .lines()
        .position(|l| l.trim_start().starts_with("seed:"))
        .expect("seed line");
    match load_fixture(&path) {
        Err(LoadError::Syntax { line, col, .. }) => {
            assert_eq!(line, seed_line);
            assert_eq!(col, 5, "column of `seed` after four spaces of indent");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn every_problem_is_reported_on_its_own_line() {
    let path = fixture_dir("invalid").join("several_problems.ron");
    let text = load_fixture(&path).expect_err("several problems").to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for line in lines {
        assert!(line.starts_with("several_problems.ron:"), "{line}");
    }
}

#[test]
fn valid_fixtures_save_load_save_identically() {
    for path in fixtures("valid") {
        let sc = load_fixture(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_save_is_stable(&sc, &name_of(&path));
    }
}

#[test]
fn default_preset_save_load_save_identically() {
    assert_save_is_stable(&presets::default_scenario(), "preset:default");
}

/// The first line where two texts differ, for readable failures.
fn first_difference(saved: &str, expected: &str) -> Option<String> {
    if saved == expected {
        return None;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (saved.split('\n').collect(), expected.split('\n').collect());
    let i = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)).unwrap_or(0);
    Some(format!(
        "first difference at line {}:\n  saved:    {:?}\n  expected: {:?}",
        i + 1,
        a.get(i),
        b.get(i)
    ))
}

#[test]
fn default_preset_saves_as_its_asset_byte_for_byte() {
    let asset = include_str!("../../assets/scenarios/default.ron");
    let saved = file::to_ron(&presets::default_scenario());
    if let Some(diff) = first_difference(&saved, asset) {
        panic!("to_ron(default) differs from assets/scenarios/default.ron; {diff}");
    }
}

#[test]
fn every_preset_loads_and_saves_stably() {
    for name in presets::names() {
        let sc = presets::load(name)
            .expect("listed preset exists")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_save_is_stable(&sc, name);
    }
}

#[test]
fn canonical_fixtures_are_unchanged_by_saving() {
    // These fixtures are in the saved layout (`cloudstrat fmt`), so saving them
    // again gives the same bytes and a strategy in git only shows real changes.
    for name in ["max_providers_64.ron", "horizon_200_quarters.ron"] {
        let path = fixture_dir("valid").join(name);
        let text = read(&path);
        let sc = load_fixture(&path).unwrap_or_else(|e| panic!("{e}"));
        if let Some(diff) = first_difference(&file::to_ron(&sc), &text) {
            panic!("{name}: {diff}");
        }
    }
}

#[test]
fn uncertainty_fixture_keeps_every_input() {
    let sc = load_fixture(&fixture_dir("valid").join("uncertainty_inputs.ron")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.uncertainty.len(), 6);
    let on_keyframes = sc.uncertainty.iter().filter(|u| u.at.is_some()).count();
    assert_eq!(on_keyframes, 2);
    let labels: Vec<String> = sc.uncertainty.iter().map(|u| u.label(&sc)).collect();
    assert!(
        labels.contains(&"providers.hyper.self_chip_volume@2025Q3".to_string()),
        "{labels:?}"
    );
}

#[test]
fn author_is_optional_and_accepted_in_both_spellings() {
    let load = |name: &str| load_fixture(&fixture_dir("valid").join(name)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(load("author_set.ron").meta.author.as_deref(), Some("Ada Lovelace"));
    assert_eq!(load("author_some.ron").meta.author.as_deref(), Some("Grace Hopper"));
    assert_eq!(load("minimal_one_provider.ron").meta.author, None);
    assert_eq!(load("empty_keyframes.ron").meta.author, None);
    let saved = file::to_ron(&load("minimal_one_provider.ron"));
    assert!(!saved.contains("author"), "an absent author is not written:\n{saved}");
}

#[test]
fn keyframes_fixture_resolves_every_spelling_and_sorts() {
    let sc = load_fixture(&fixture_dir("valid").join("keyframes.ron")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.keyframes.len(), 6);
    let ats: Vec<u32> = sc.keyframes.iter().map(|k| k.at).collect();
    let mut sorted = ats.clone();
    sorted.sort();
    assert_eq!(ats, sorted);
    let q = |s: &str| sc.index_of(s.parse::<Quarter>().expect("quarter")).expect("inside");
    assert_eq!(sc.value_at(ParamRef::PARITY, 0), 0.5);
    assert_eq!(sc.value_at(ParamRef::PARITY, q("2025Q2")), 0.9);
    assert_eq!(sc.value_at(ParamRef::CEILING, q("2025Q2")), 20.0);
    let hyper = sc.provider_index("hyper").expect("hyper");
    assert_eq!(sc.value_at(ParamRef::lock_in(hyper), q("2025Q3")), 0.75);
    assert_eq!(sc.value_at(ParamRef::self_chip_volume(hyper), q("2025Q2")), 40.0);
}

#[test]
fn horizon_fixture_has_200_quarters() {
    let sc = load_fixture(&fixture_dir("valid").join("horizon_200_quarters.ron")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.quarters, 200);
    assert_eq!(sc.end().to_string(), "2072Q4");
    assert_eq!(sc.keyframes.last().map(|k| k.at), Some(199));
}

#[test]
fn max_providers_fixture_has_64_providers() {
    let sc = load_fixture(&fixture_dir("valid").join("max_providers_64.ron")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.providers.len(), 64);
}

#[test]
fn lever_changes_survive_a_save() {
    let mut sc = presets::default_scenario();
    let hyper = sc.provider_index("hyper").expect("hyper");
    sc.set_lever(ParamRef::PARITY, 5, 0.61);
    sc.set_lever(ParamRef::lock_in(hyper), 31, 0.9);
    sc.set_lever(ParamRef::CEILING, 0, 12.5);
    sc.set_whole_run(ParamRef::self_chip_volume(hyper), 7.25);
    let reloaded = file::parse(&file::to_ron(&sc), "edited").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reloaded, sc);
    assert_save_is_stable(&sc, "edited");
}

#[test]
fn removing_a_keyframe_keeps_the_saved_file_loadable() {
    // The default makes the parity keyframe at 2025Q1 uncertain. Setting parity
    // for the whole run drops that keyframe; the uncertainty entry must follow,
    // or the saved file names a keyframe that is not there and fails to load.
    let mut sc = presets::default_scenario();
    assert!(
        sc.uncertainty
            .iter()
            .any(|u| u.target == ParamRef::PARITY && u.at.is_some())
    );
    sc.set_whole_run(ParamRef::PARITY, 0.5);
    assert!(sc.problems().is_empty());
    file::parse(&file::to_ron(&sc), "whole-run").unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn load_path_rejects_directories_missing_files_and_non_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = file::load_path(dir.path()).expect_err("a directory");
    assert!(err.to_string().contains("is a directory"), "{err}");

    let missing = dir.path().join("nope.ron");
    let err = file::load_path(&missing).expect_err("missing");
    assert!(matches!(err, LoadError::Io { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&missing.display().to_string()), "{err}");

    let latin1 = dir.path().join("latin1.ron");
    std::fs::write(&latin1, b"(\n    version: 1,\n    name: \"Caf\xe9\",\n").expect("write");
    let err = file::load_path(&latin1).expect_err("not UTF-8");
    // `    name: "Caf` is 14 characters; the bad byte is the 15th.
    assert!(
        err.to_string().contains("latin1.ron:3:15: "),
        "names line and column: {err}"
    );
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}

/// The `LINE:COL` after `file:` at the start of an error message.
fn reported_place(message: &str, file: &str) -> Option<(usize, usize)> {
    let rest = message.strip_prefix(file)?.strip_prefix(':')?;
    let mut parts = rest.splitn(3, ':');
    let line = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    Some((line, col))
}

/// The text of line `line` before column `col` (1-based, in characters), and
/// the character at that column.
fn text_at(text: &str, line: usize, col: usize) -> (String, Option<char>) {
    let l = text.split('\n').nth(line - 1).unwrap_or("");
    (l.chars().take(col - 1).collect(), l.chars().nth(col - 1))
}

fn any_text() -> impl Strategy<Value = String> {
    // Any text at all, including quotes, backslashes, control characters and
    // characters outside the Basic Multilingual Plane.
    prop_oneof![
        any::<String>(),
        "[\"\\\\\n\t\r\u{0}\u{7f}\u{2028}\u{202e}é☁🚀a-z ]{0,24}"
    ]
}

/// Any text a file may hold: without control, invisible and direction-changing
/// characters (newlines and tabs only where `multi_line`).
fn text_strategy_for(multi_line: bool) -> impl Strategy<Value = String> {
    any_text().prop_map(move |s| {
        s.chars()
            .filter(|&c| !cloudstrat::document::clean::is_unsafe(c) && (multi_line || (c != '\n' && c != '\t')))
            .collect()
    })
}

fn text_strategy() -> impl Strategy<Value = String> {
    text_strategy_for(false)
}

/// A value in 0 to 1, with the awkward floats (subnormal, negative zero, the
/// neighbours of 1) well represented.
fn unit_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0f64..=1.0,
        Just(-0.0),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        Just(1.0 - f64::EPSILON / 2.0),
        Just(0.1 + 0.2),
        Just(1.0 / 3.0),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Text fields, seeds and in-range values of any kind come back exactly.
    #[test]
    fn arbitrary_edits_round_trip(
        name in text_strategy().prop_filter("a name has text", |s| !s.trim().is_empty()),
        description in text_strategy_for(true),
        author in proptest::option::of(text_strategy()),
        provider_name in text_strategy(),
        seed in any::<u64>(),
        parity in unit_value(),
        ceiling in 0.001f64..=1000.0,
        keyframes in proptest::collection::vec((0u32..32, unit_value()), 0..20),
    ) {
        let mut sc = presets::default_scenario();
        sc.meta.name = name;
        sc.meta.description = description;
        sc.meta.author = author;
        sc.providers[0].name = provider_name;
        sc.seed = seed;
        sc.set_lever(ParamRef::PARITY, 0, parity);
        sc.set_lever(ParamRef::CEILING, 3, ceiling);
        for (at, v) in keyframes {
            sc.set_lever(ParamRef::lock_in(1), at, v);
        }
        let first = file::to_ron(&sc);
        let reloaded = file::parse(&first, "prop").map_err(|e| TestCaseError::fail(format!("{e}\n{first}")))?;
        prop_assert_eq!(&reloaded, &sc);
        prop_assert_eq!(file::to_ron(&reloaded), first);
    }

    /// Text holding a control, invisible or direction-changing character is
    /// refused, naming the field, and the message itself holds none.
    #[test]
    fn control_characters_in_text_are_refused_by_field(
        text in any_text(),
        field in 0usize..3,
    ) {
        let mut sc = presets::default_scenario();
        let path = match field {
            0 => { sc.meta.name = format!("x{text}"); "name" }
            1 => { sc.providers[0].name = text.clone(); "providers[0].name" }
            _ => { sc.meta.description = text.clone(); "description" }
        };
        let multi = field == 2;
        let bad = text.chars().any(|c| cloudstrat::document::clean::is_unsafe(c) || (!multi && (c == '\n' || c == '\t')));
        let saved = file::to_ron(&sc);
        match file::parse(&saved, "prop") {
            Ok(_) => prop_assert!(!bad, "{text:?} was accepted"),
            Err(e) => {
                prop_assert!(bad, "{e}");
                let m = e.to_string();
                prop_assert!(m.contains(&format!(": {path}: holds the character U+")), "{m}");
                prop_assert!(!m.chars().any(|c| c.is_control() && c != '\n'), "{m:?}");
                // The place is the start of the field's value: its quote, or the `r` of a raw string.
                let (line, col) = reported_place(&m, "prop").expect("a place");
                let (before, at) = text_at(&saved, line, col);
                let field = path.rsplit('.').next().unwrap_or(path);
                prop_assert!(matches!(at, Some('"' | 'r')) && before.trim_start() == format!("{field}: "), "{m}: {before:?} {at:?}");
            }
        }
    }
}
