//! The optional `baseline` section of strategy files: written only when a
//! baseline is pinned, validated like the scenario, and round-tripped exactly.

use cloudstrat::document::file::{self, LoadError};
use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::ParamRef;
use proptest::prelude::*;

fn with_baseline() -> String {
    let sc = default_scenario();
    let mut base = sc.clone();
    base.market.open_source_parity = 0.4;
    base.set_lever(ParamRef::lock_in(1), 5, 0.9);
    file::to_ron_document(&sc, Some(&base))
}

#[test]
fn a_document_with_a_baseline_round_trips_byte_for_byte() {
    let text = with_baseline();
    assert!(text.contains("baseline: Some("));
    let doc = file::parse_document(&text, "doc").unwrap_or_else(|e| panic!("{e}"));
    let base = doc.baseline.as_ref().expect("baseline");
    assert_eq!(base.market.open_source_parity, 0.4);
    assert_eq!(file::to_ron_document(&doc.scenario, doc.baseline.as_ref()), text);
    // Without a baseline the section is not written at all.
    assert!(!file::to_ron(&doc.scenario).contains("baseline"));
    // `parse` reads the scenario and leaves the baseline aside.
    assert_eq!(file::parse(&text, "doc").expect("parses"), doc.scenario);
}

fn placed_problems(text: &str) -> Vec<file::Problem> {
    match file::parse_document(text, "doc") {
        Err(LoadError::Invalid { problems, .. }) => problems,
        other => panic!("expected validation errors, got {other:?}"),
    }
}

fn problems(text: &str) -> Vec<(String, String)> {
    placed_problems(text).into_iter().map(|p| (p.path, p.message)).collect()
}

/// Line and column (1-based, in characters) of byte offset `at` of `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (1 + before.matches('\n').count(), 1 + before[start..].chars().count())
}

#[test]
fn baseline_errors_name_their_place() {
    let text = with_baseline();
    let i = text.find("baseline: Some(").expect("section");
    let (head, tail) = text.split_at(i);
    let out_of_range = format!(
        "{head}{}",
        tail.replacen("open_source_parity: 0.4", "open_source_parity: 7.0", 1)
    );
    let p = problems(&out_of_range);
    assert!(
        p.iter()
            .any(|(path, m)| path == "baseline.market.open_source_parity" && m.contains("out of range")),
        "{p:?}"
    );
    // The place is the baseline's value, not the scenario's parity above it.
    let seven = out_of_range.find("open_source_parity: 7.0").expect("edited") + "open_source_parity: ".len();
    let placed = placed_problems(&out_of_range);
    assert_eq!(
        placed
            .iter()
            .find(|p| p.path == "baseline.market.open_source_parity")
            .and_then(|p| p.at),
        Some(line_col(&out_of_range, seven)),
        "{placed:?}"
    );
    let wrong_id = format!("{head}{}", tail.replacen("id: \"eco\"", "id: \"nobody\"", 1));
    let p = problems(&wrong_id);
    assert!(p.iter().any(|(path, _)| path == "baseline.providers"), "{p:?}");
    let late = format!("{head}{}", tail.replacen("at: \"2024Q2\"", "at: \"2099Q1\"", 1));
    let p = problems(&late);
    assert!(
        p.iter().any(|(path, _)| path.starts_with("baseline.keyframes[")),
        "{p:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn mangled_baseline_sections_never_panic(cut in 0usize..4000, junk in "[ -~]{0,12}") {
        let text = with_baseline();
        let i = text.find("baseline: Some(").expect("section");
        let at = (i + cut).min(text.len());
        let at = (0..=at).rev().find(|&k| text.is_char_boundary(k)).unwrap_or(0);
        let mangled = format!("{}{junk}{}", &text[..at], &text[at..]);
        if let Ok(doc) = file::parse_document(&mangled, "mangled") {
            let again = file::to_ron_document(&doc.scenario, doc.baseline.as_ref());
            prop_assert_eq!(file::parse_document(&again, "again").ok(), Some(doc));
        }
    }
}
