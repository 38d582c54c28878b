//! The real `cloudstrat` binary, run headless: subcommands, output formats,
//! `--set`, `--out`, and exit codes (0 success, 1 invalid input, 2 usage).

use cloudstrat::document::presets;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CSV_STABLE_COLUMNS: &str = "quarter,provider,status,share,price_usd_per_mtok,cost_usd_per_mtok,tokens_mtok,revenue_musd,gross_margin,operating_profit_musd,cash_musd,ecosystem,self_chip_share";

fn cloudstrat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cloudstrat")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// Runs and asserts the exit code, showing both streams when it differs.
fn expect_code(args: &[&str], code: i32) -> Output {
    let o = cloudstrat(args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "cloudstrat {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        args.join(" "),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn fixture(kind: &str, name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name)
        .display()
        .to_string()
}

/// CSV data rows (header excluded).
fn csv_rows(text: &str) -> Vec<&str> {
    text.lines().skip(1).filter(|l| !l.is_empty()).collect()
}

fn default_shape() -> (usize, u32) {
    let sc = presets::default_scenario();
    (sc.providers.len(), sc.quarters)
}

#[test]
fn run_default_prints_a_league_table() {
    let o = expect_code(&["run", "default"], 0);
    let out = stdout(&o);
    assert!(out.contains("League table at"), "{out}");
    let sc = presets::default_scenario();
    for p in &sc.providers {
        assert!(out.contains(&p.name), "{} missing from:\n{out}", p.name);
    }
    assert!(out.contains(&sc.meta.name), "{out}");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn run_csv_has_the_stable_header_and_one_row_per_provider_and_quarter() {
    let o = expect_code(&["run", "default", "--format", "csv"], 0);
    let out = stdout(&o);
    let header = out.lines().next().expect("header");
    assert!(header.starts_with(CSV_STABLE_COLUMNS), "{header}");
    assert!(
        header == CSV_STABLE_COLUMNS || header[CSV_STABLE_COLUMNS.len()..].starts_with(','),
        "{header}"
    );
    let (providers, quarters) = default_shape();
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), providers * quarters as usize);
    let columns = header.split(',').count();
    for row in &rows {
        assert_eq!(row.split(',').count(), columns, "{row}");
    }
    assert!(rows[0].starts_with("2023Q1,hyper,"), "{}", rows[0]);
    assert!(rows.last().expect("rows").starts_with("2030Q4,"), "{:?}", rows.last());
}

#[test]
fn run_json_parses_with_metadata_and_events() {
    let o = expect_code(&["run", "default", "--format", "json"], 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let sc = presets::default_scenario();
    assert_eq!(doc["name"], sc.meta.name.as_str());
    assert_eq!(doc["start"], "2023Q1");
    assert_eq!(doc["end"], "2030Q4");
    assert_eq!(doc["quarters"], 32);
    assert_eq!(doc["seed"], 42);
    assert_eq!(
        doc["providers"].as_array().expect("providers").len(),
        sc.providers.len()
    );
    assert_eq!(doc["providers"][0]["id"], "hyper");
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), sc.providers.len() * 32);
    let events = doc["events"].as_array().expect("events");
    assert!(!events.is_empty());
    for e in events {
        assert!(
            e["quarter"].is_string() && e["message"].is_string() && e["kind"].is_string(),
            "{e}"
        );
    }
    // The default's keyframes show up as events.
    assert!(
        events.iter().any(|e| e["kind"] == "keyframe_applied"
            && e["quarter"] == "2025Q1"
            && e["target"] == "market.open_source_parity"),
        "{events:?}"
    );
}

#[test]
fn out_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("run.csv");
    let p = path.to_str().expect("UTF-8 temp path");
    let o = expect_code(&["run", "default", "--format", "csv", "--out", p], 0);
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let written = std::fs::read_to_string(&path).expect("written");
    let direct = stdout(&expect_code(&["run", "default", "--format", "csv"], 0));
    assert_eq!(written, direct);

    // Overwrites an existing file.
    expect_code(&["run", "default", "--format", "json", "--out", p], 0);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("written")).expect("JSON");
    assert_eq!(json["quarters"], 32);
}

#[test]
fn out_to_a_missing_folder_is_an_input_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("no/such/folder/run.csv");
    let o = expect_code(&["run", "default", "--out", path.to_str().expect("UTF-8")], 1);
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("folder/run.csv: cannot write: the folder "),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).trim_end().ends_with("does not exist"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains(".cloudstrat-"),
        "no temporary file name: {}",
        stderr(&o)
    );
}

#[test]
fn set_parity_changes_the_output() {
    let base = stdout(&expect_code(&["run", "default", "--format", "csv"], 0));
    let changed = stdout(&expect_code(
        &[
            "run",
            "default",
            "--format",
            "csv",
            "--set",
            "market.open_source_parity=0.9",
        ],
        0,
    ));
    assert_ne!(base, changed);
    assert_eq!(csv_rows(&base).len(), csv_rows(&changed).len());
}

#[test]
fn set_at_a_quarter_applies_from_that_quarter_on() {
    let base = stdout(&expect_code(&["run", "default", "--format", "csv"], 0));
    let o = expect_code(
        &[
            "run",
            "default",
            "--format",
            "csv",
            "--set",
            "providers.hyper.self_chip_volume@2026Q3=50",
        ],
        0,
    );
    let changed = stdout(&o);
    assert_ne!(base, changed);
    // Quarter labels sort like the quarters they name within one century.
    let before = |text: &str| -> Vec<String> {
        csv_rows(text)
            .into_iter()
            .filter(|r| r[..6] < *"2026Q3")
            .map(String::from)
            .collect()
    };
    assert_eq!(before(&base), before(&changed), "rows before 2026Q3 are untouched");
    assert!(!before(&base).is_empty());
}

#[test]
fn set_accepts_several_assignments_and_spellings() {
    expect_code(
        &[
            "run",
            "default",
            "--set",
            "market.price_ceiling_usd_per_mtok=25",
            "--set",
            " providers.eco.ecosystem_lock_in @ 2024-Q2 = 0.9 ",
            "--set",
            "providers.neo.markup@2023Q1=0.4",
        ],
        0,
    );
}

#[test]
fn bad_set_arguments_exit_1_naming_the_key() {
    for (set, needle) in [
        ("market.no_such_param=1", "market.no_such_param"),
        ("providers.nobody.markup=1", "nobody"),
        ("providers.hyper.no_such_param=1", "providers.hyper.no_such_param"),
        ("open_source_parity=0.5", "open_source_parity"),
        ("market.open_source_parity=1.5", "market.open_source_parity"),
        ("market.open_source_parity=NaN", "market.open_source_parity"),
        ("market.open_source_parity=inf", "market.open_source_parity"),
        ("market.open_source_parity=lots", "market.open_source_parity"),
        ("market.open_source_parity", "market.open_source_parity"),
        ("market.open_source_parity@2026Q5=0.5", "2026Q5"),
        ("market.open_source_parity@soon=0.5", "soon"),
        ("market.open_source_parity@2040Q1=0.5", "2040Q1"),
        ("market.open_source_parity@2022Q4=0.5", "2022Q4"),
        (
            "providers.hyper.self_chip_volume@2026Q3=-5",
            "providers.hyper.self_chip_volume",
        ),
    ] {
        let o = expect_code(&["run", "default", "--set", set], 1);
        let err = stderr(&o);
        let key = set.split(['@', '=']).next().unwrap_or(set);
        assert!(err.contains(needle) && err.contains(key), "--set {set}: {err}");
        assert!(stdout(&o).is_empty(), "--set {set}: printed output");
    }
}

#[test]
fn out_of_range_set_names_the_allowed_range() {
    let o = expect_code(&["run", "default", "--set", "market.open_source_parity=1.5"], 1);
    let err = stderr(&o);
    assert!(err.contains("allowed 0 to 1"), "{err}");
}

#[test]
fn unknown_provider_lists_the_known_ones() {
    let o = expect_code(&["run", "default", "--set", "providers.nobody.markup=1"], 1);
    let err = stderr(&o);
    for id in ["hyper", "eco", "lab", "neo", "open"] {
        assert!(err.contains(id), "{err}");
    }
}

#[test]
fn set_that_breaks_a_consistency_rule_is_an_input_error() {
    // Each share is in range, but together they exceed 1.
    let o = expect_code(&["run", "default", "--set", "providers.hyper.initial_share=0.9"], 1);
    // No place in a file is to blame: the flag is named.
    assert!(
        stderr(&o)
            .contains("--set providers.hyper.initial_share=0.9: providers.*.initial_share: initial shares add up to"),
        "{}",
        stderr(&o)
    );
    // Every command that takes --set refuses it the same way.
    let o = expect_code(
        &[
            "sensitivity",
            "default",
            "--provider",
            "hyper",
            "--set",
            "providers.hyper.initial_share=0.9",
        ],
        1,
    );
    assert!(
        stderr(&o).contains("--set providers.hyper.initial_share=0.9: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn quarters_limits_the_horizon() {
    let o = expect_code(&["run", "default", "--format", "csv", "--quarters", "8"], 0);
    let out = stdout(&o);
    let rows = csv_rows(&out);
    let (providers, _) = default_shape();
    assert_eq!(rows.len(), providers * 8);
    let quarters: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[..6]).collect();
    assert_eq!(quarters.len(), 8);
    assert_eq!(quarters.iter().next_back(), Some(&"2024Q4"));
}

#[test]
fn quarters_out_of_range_is_a_usage_error() {
    for q in ["3", "201"] {
        let o = expect_code(&["run", "default", "--quarters", q], 2);
        assert!(stderr(&o).contains("--quarters"), "{}", stderr(&o));
    }
    // Not a number at all is a usage error.
    expect_code(&["run", "default", "--quarters", "many"], 2);
}

#[test]
fn run_accepts_a_strategy_file() {
    let path = fixture("valid", "four_providers_all_policies.ron");
    let o = expect_code(&["run", &path, "--format", "csv"], 0);
    let out = stdout(&o);
    let sc = cloudstrat::document::file::load_path(Path::new(&path)).expect("fixture loads");
    assert_eq!(csv_rows(&out).len(), sc.providers.len() * sc.quarters as usize);
}

#[test]
fn run_rejects_an_invalid_file_or_unknown_name() {
    let path = fixture("invalid", "out_of_range_market.ron");
    let o = expect_code(&["run", &path], 1);
    assert!(
        stderr(&o).contains(&format!("{path}:11:29: market.open_source_parity: 1.5 is out of range")),
        "{}",
        stderr(&o)
    );
    let o = expect_code(&["run", "no-such-preset-or-file"], 1);
    let err = stderr(&o);
    assert!(
        err.contains("no-such-preset-or-file") && err.contains("default"),
        "{err}"
    );
}

#[test]
fn check_accepts_every_valid_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("valid fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    let args: Vec<String> = std::iter::once("check".to_string())
        .chain(files.iter().map(|p| p.display().to_string()))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = expect_code(&args, 0);
    assert_eq!(stdout(&o).lines().count(), files.len());
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn check_reports_syntax_errors_with_line_and_column() {
    let path = fixture("invalid", "syntax_missing_comma.ron");
    let o = expect_code(&["check", &path], 1);
    let err = stderr(&o);
    let line = err.lines().next().expect("an error line");
    let rest = line
        .strip_prefix(&format!("{path}:"))
        .unwrap_or_else(|| panic!("{line}"));
    let mut parts = rest.splitn(3, ':');
    let ln: usize = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    let col: usize = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(ln > 1 && col >= 1, "{line}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn check_reports_invalid_values_with_field_paths() {
    let path = fixture("invalid", "several_problems.ron");
    let o = expect_code(&["check", &path], 1);
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    for line in &lines {
        assert!(line.starts_with(&format!("{path}:")), "{line}");
    }
    // Each names the line and column of its value.
    assert!(
        err.contains(&format!("{path}:11:29: market.open_source_parity: ")),
        "{err}"
    );
    assert!(err.contains(&format!("{path}:8:15: quarters: ")), "{err}");
}

#[test]
fn check_of_mixed_files_reports_each_and_exits_1() {
    let good = fixture("valid", "minimal_one_provider.ron");
    let bad = fixture("invalid", "duplicate_provider_id.ron");
    let o = expect_code(&["check", &good, &bad, &good], 1);
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    assert!(stdout(&o).contains(&format!("{good}: ok")));
    assert!(
        stderr(&o).contains(&format!("{bad}:110:17: providers[1].id: duplicate provider id `hyper`")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_of_a_missing_file_or_folder_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.ron");
    let o = expect_code(&["check", missing.to_str().expect("UTF-8")], 1);
    assert!(stderr(&o).contains("missing.ron"), "{}", stderr(&o));
    let o = expect_code(&["check", dir.path().to_str().expect("UTF-8")], 1);
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
}

#[test]
fn presets_lists_default() {
    let o = expect_code(&["presets"], 0);
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.split_whitespace().next() == Some("default")),
        "{out}"
    );
}

#[test]
fn params_lists_every_key() {
    let o = expect_code(&["params"], 0);
    let out = stdout(&o);
    for key in [
        "market.open_source_parity",
        "market.price_ceiling_usd_per_mtok",
        "providers.hyper.self_chip_volume",
    ] {
        assert!(out.lines().any(|l| l.starts_with(key)), "{key} missing");
    }
    let sc = presets::default_scenario();
    let expected = cloudstrat::sim::MarketKey::ALL.len() + sc.providers.len() * cloudstrat::sim::ProviderKey::ALL.len();
    assert_eq!(out.lines().count(), expected);
    let o = expect_code(&["params", &fixture("valid", "minimal_one_provider.ron")], 0);
    assert!(stdout(&o).contains("providers.solo.markup"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["run"][..],
        &["run", "default", "--format", "xml"],
        &["run", "default", "--no-such-flag"],
        &["check"],
        &["presets", "extra"],
        &["run", "default", "--quarters"],
    ] {
        let o = expect_code(args, 2);
        assert!(!stderr(&o).is_empty(), "{args:?}");
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let o = expect_code(&["--help"], 0);
    assert!(stdout(&o).contains("run"));
    let o = expect_code(&["--version"], 0);
    assert!(stdout(&o).contains(env!("CARGO_PKG_VERSION")));
    expect_code(&["run", "--help"], 0);
}

#[test]
fn same_input_gives_the_same_output() {
    let a = stdout(&expect_code(&["run", "default", "--format", "csv"], 0));
    let b = stdout(&expect_code(&["run", "default", "--format", "csv"], 0));
    assert_eq!(a, b);
}

/// Runs with standard output closed by the reader before the program is done writing.
fn run_into_closed_pipe(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn cloudstrat");
    // More output than a pipe buffers, so the writer meets the closed end.
    drop(child.stdout.take());
    child.wait_with_output().expect("wait")
}

#[test]
fn check_into_a_closed_pipe_does_not_panic() {
    let good = fixture("valid", "minimal_one_provider.ron");
    let mut args = vec!["check"];
    args.extend(std::iter::repeat_n(good.as_str(), 1500));
    let o = run_into_closed_pipe(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn run_into_a_closed_pipe_does_not_panic() {
    let many = fixture("valid", "max_providers_64.ron");
    let o = run_into_closed_pipe(&["run", &many, "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn out_to_a_bare_file_name_writes_into_the_working_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(["run", "default", "--format", "csv", "--out", "run.csv"])
        .current_dir(dir.path())
        .output()
        .expect("run cloudstrat");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(dir.path().join("run.csv")).expect("written");
    assert!(written.starts_with(CSV_STABLE_COLUMNS));
}

#[test]
fn check_of_an_oversized_file_exits_1_with_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.ron");
    std::fs::write(&path, vec![b' '; 2 * 1024 * 1024]).expect("write");
    let p = path.to_str().expect("UTF-8");
    let o = expect_code(&["check", p], 1);
    assert!(
        stderr(&o).starts_with(&format!("{p}: file is 2097152 bytes")),
        "{}",
        stderr(&o)
    );
    let o = expect_code(&["run", p], 1);
    assert!(stderr(&o).contains("1 MiB"), "{}", stderr(&o));
}

#[test]
fn fmt_rewrites_a_file_in_the_saved_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hand.ron");
    let original = std::fs::read_to_string(fixture("valid", "comments_and_layout.ron")).expect("fixture");
    std::fs::write(&path, &original).expect("write");
    let p = path.to_str().expect("UTF-8");
    let o = expect_code(&["fmt", p], 0);
    // The fixture's comments are gone from the canonical form: fmt says so
    // and keeps the hand-written version beside it.
    assert!(stderr(&o).contains("comments are not kept"), "{}", stderr(&o));
    let backup = dir.path().join("hand.ron.bak");
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), original);
    let formatted = std::fs::read_to_string(&path).expect("formatted");
    assert_ne!(formatted, original);
    let before = cloudstrat::document::file::parse(&original, "before").expect("loads");
    let after = cloudstrat::document::file::parse(&formatted, "after").expect("loads");
    assert_eq!(before, after);
    assert_eq!(formatted, cloudstrat::document::file::to_ron(&after));
    // A second pass changes nothing.
    expect_code(&["fmt", p], 0);
    assert_eq!(std::fs::read_to_string(&path).expect("formatted"), formatted);
}

#[test]
fn fmt_leaves_an_invalid_file_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.ron");
    let original = std::fs::read_to_string(fixture("invalid", "syntax_missing_comma.ron")).expect("fixture");
    std::fs::write(&path, &original).expect("write");
    let p = path.to_str().expect("UTF-8");
    let o = expect_code(&["fmt", p], 1);
    assert!(stderr(&o).contains(&format!("{p}:9:5:")), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).expect("still there"), original);
}

#[cfg(unix)]
#[test]
fn calibrate_writes_its_strategy_file_never_through_a_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "ORIGINAL").expect("write");
    let link = dir.path().join("cal.ron");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let o = expect_code(
        &[
            "calibrate",
            "default",
            "--params",
            "market.price_sensitivity",
            "--out",
            link.to_str().expect("UTF-8"),
        ],
        1,
    );
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "ORIGINAL");
}

#[test]
fn check_warns_of_an_uncertainty_that_leaves_out_the_value_at_its_place() {
    // The default's vendor margin is drawn from 0.65 to 0.78; a value in force of 0.5 is outside.
    let text = cloudstrat::document::presets::text("default")
        .expect("default")
        .replacen("vendor_gross_margin: 0.74,", "vendor_gross_margin: 0.5,", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("margin.ron");
    std::fs::write(&path, &text).expect("write");
    let path = path.display().to_string();
    let o = expect_code(&["check", &path], 0);
    let dist = 1 + text
        .lines()
        .position(|l| l.trim_start().starts_with("dist: triangular("))
        .expect("the first distribution");
    assert!(
        stderr(&o).contains(&format!(
            "{path}:{dist}:19: warning: uncertainty[0] (market.vendor_gross_margin)"
        )),
        "{}",
        stderr(&o)
    );
}
