//! Every built-in preset loads, is written in the canonical format (so saving it
//! unchanged gives the same bytes) and runs.

use cloudstrat::document::{file, presets};

#[test]
fn presets_are_canonical_and_valid() {
    for (name, text) in presets::PRESETS {
        let sc = match file::parse(text, name) {
            Ok(sc) => sc,
            Err(e) => panic!("{e}"),
        };
        let again = file::to_ron(&sc);
        if again != *text {
            let line = again.lines().zip(text.lines()).position(|(a, b)| a != b);
            panic!("preset {name} is not in canonical form; first differing line: {line:?}\n{again}");
        }
    }
}

#[test]
fn there_are_at_least_five_presets_with_default_first() {
    let names: Vec<_> = presets::names().collect();
    assert_eq!(names.first(), Some(&"default"));
    assert!(names.len() >= 5, "{names:?}");
}
