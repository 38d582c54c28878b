//! Fuzzy search for the command palette and the help: `nucleo-matcher`'s
//! scoring (the matcher of the helix editor), smart case, best match first.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Indices of the `items` that match `query`, best first (ties keep their
/// order); every index, in order, when the query is blank.
pub fn rank(query: &str, items: &[String]) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..items.len()).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(usize, u32)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            pattern
                .score(Utf32Str::new(s, &mut buf), &mut matcher)
                .map(|sc| (i, sc))
        })
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_the_closest_first_and_drops_the_rest() {
        let items: Vec<String> = [
            "save under a new name",
            "open-source parity",
            "pin or unpin the baseline",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(rank("parity", &items), vec![1]);
        assert_eq!(rank("basln", &items), vec![2]);
        assert_eq!(rank("", &items), vec![0, 1, 2]);
        assert!(rank("zzzz", &items).is_empty());
    }
}
