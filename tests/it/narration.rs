//! Live numbers in narration: every preset's story is written with
//! placeholders, `check` points at a bad placeholder by line and column and
//! warns about figures typed into the prose.

use cloudstrat::document::file;
use cloudstrat::document::presets;
use cloudstrat::output::narration;
use cloudstrat::sim::simulate;
use std::path::PathBuf;

fn minimal() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/minimal_one_provider.ron");
    std::fs::read_to_string(path).expect("fixture")
}

/// The minimal fixture with one story beat whose narration is `narration` (RON-escaped already).
fn with_narration(narration: &str) -> String {
    let text = minimal();
    let end = text.rfind(')').expect("closing paren");
    format!(
        "{}    story: [\n        (\n            at: \"2024Q2\",\n            title: \"One\",\n            narration: \"{narration}\",\n            chart: share,\n            focus: \"solo\",\n        ),\n    ],\n)\n",
        &text[..end]
    )
}

#[test]
fn every_preset_narration_is_live_and_fills_completely() {
    for name in presets::names() {
        let sc = presets::load(name).expect("listed").expect("loads");
        let run = simulate(&sc);
        assert!(!sc.story.is_empty(), "{name} has a story");
        for (i, b) in sc.story.iter().enumerate() {
            assert!(
                narration::has_placeholders(&b.narration),
                "{name} beat {}: no live numbers",
                i + 1
            );
            let typed = narration::typed_figures(&b.narration);
            assert!(typed.is_empty(), "{name} beat {}: typed figures {typed:?}", i + 1);
            let filled = narration::fill(&b.narration, &sc, &run, b.at);
            assert!(
                !filled.contains('{') && !filled.contains('}'),
                "{name} beat {}: {filled}",
                i + 1
            );
            assert!(
                !filled.contains("  ") && !filled.contains(" ,") && !filled.contains(" ."),
                "{name} beat {}: {filled}",
                i + 1
            );
        }
    }
}

#[test]
fn unknown_placeholders_are_rejected_with_line_and_column() {
    // An escaped quote before the placeholder: the column counts what is written in the file.
    let text = with_narration(r#"Solo \"charges\" {solo.prise@2024Q2}; {acme.share} and {solo.share@2031Q1}."#);
    let line = text.lines().position(|l| l.contains("narration:")).expect("line") + 1;
    let col = text
        .lines()
        .nth(line - 1)
        .expect("line")
        .find("{solo.prise")
        .expect("col")
        + 1;
    let sc = file::parse(&text, "mine.ron").expect("the file itself is valid");
    let problems = narration::check(&text, &sc);
    assert_eq!(problems.len(), 3, "{problems:?}");
    let msg = file::LoadError::Narration {
        file: "mine.ron".into(),
        problems,
    }
    .to_string();
    assert!(
        msg.contains(&format!(
            "mine.ron:{line}:{col}: story[0].narration: `{{solo.prise@2024Q2}}`: unknown metric `prise`"
        )),
        "{msg}"
    );
    assert!(
        msg.contains("unknown provider `acme`; this scenario has solo (or `market`)"),
        "{msg}"
    );
    assert!(
        msg.contains("quarter 2031Q1 is outside the horizon 2024Q1 to 2024Q4"),
        "{msg}"
    );
}

#[test]
fn check_rejects_bad_placeholders_and_warns_on_typed_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, with_narration("Price {solo.prise}.")).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(["check", &bad.display().to_string()])
        .output()
        .expect("run check");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.ron:") && stderr.contains(": story[0].narration: `{solo.prise}`"),
        "{stderr}"
    );

    let typed = dir.path().join("typed.ron");
    std::fs::write(
        &typed,
        with_narration("Solo charges $5.12 and serves 8% of tokens, {solo.share} now."),
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(["check", &typed.display().to_string()])
        .output()
        .expect("run check");
    assert_eq!(out.status.code(), Some(0), "typed figures warn but pass");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: story[0].narration: `$5.12` is typed in"),
        "{stderr}"
    );
    assert!(stderr.contains("`8%` is typed in"), "{stderr}");
    assert!(!stderr.contains("{solo.share}` is typed"), "{stderr}");
}

#[test]
fn notes_survive_save_and_load_and_their_placeholders_are_checked() {
    let mut sc = presets::default_scenario();
    sc.story[0].notes = "Ask about {lab.price@beat}.".into();
    let text = file::to_ron(&sc);
    let back = file::parse(&text, "x.ron").expect("loads");
    assert_eq!(back.story[0].notes, sc.story[0].notes);
    assert_eq!(file::to_ron(&back), text, "save → load → save is identical");
    sc.story[0].notes = "Ask about {lab.nope}.".into();
    let text = file::to_ron(&sc);
    let problems = narration::check(&text, &sc);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "story[0].notes");
    assert!(problems[0].message.contains("`{lab.nope}`"), "{problems:?}");
}
