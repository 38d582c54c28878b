//! "Did you mean": the known name nearest to one typed wrong, for the
//! messages about unknown keys, fields, presets, providers and KPIs.
//!
//! A name is near when it is spelled almost the same (Jaro–Winkler
//! similarity, from `strsim`), or when the typed text is one of its words or
//! a part of it (`parity` for `open_source_parity`).
//!
//! A leaf: it imports nothing from the crate, so every layer may use it.

/// Below this score a known name is not offered.
const THRESHOLD: f64 = 0.78;

/// How near `known` is to `typed`, from 0 (nothing alike) to 1 (the same
/// but for case).
fn score(typed: &str, known: &str) -> f64 {
    let t = typed.to_lowercase();
    let k = known.to_lowercase();
    if t == k {
        return 1.0;
    }
    let spelled = strsim::jaro_winkler(&t, &k);
    // Typed text that is a whole word of the name, or a good part of it.
    let words = |s: &str| -> Vec<String> {
        s.split(['_', '.', '-', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let typed_words = words(&t);
    let known_words = words(&k);
    let found = typed_words
        .iter()
        .filter(|w| w.len() >= 3 && known_words.iter().any(|k| k == *w || k.starts_with(w.as_str())))
        .count();
    let by_words = if typed_words.is_empty() {
        0.0
    } else {
        0.8 + 0.15 * found as f64 / typed_words.len() as f64 - 0.01 * known_words.len() as f64
    };
    let by_words = if found > 0 { by_words } else { 0.0 };
    let part = if t.len() >= 4 && k.contains(&t) { 0.85 } else { 0.0 };
    spelled.max(by_words).max(part)
}

/// The known name nearest to `typed`, if any is near enough.
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for k in known {
        let s = score(typed, k);
        if s >= THRESHOLD && best.is_none_or(|(_, b)| s > b) {
            best = Some((k, s));
        }
    }
    best.map(|(k, _)| k)
}

/// "; did you mean `NAME`?" for the nearest known name, or nothing.
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    nearest(typed, known).map_or_else(String::new, |k| format!("; did you mean `{k}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKET: [&str; 5] = [
        "open_source_parity",
        "price_ceiling_usd_per_mtok",
        "demand_growth",
        "adoption_midpoint",
        "parity_threshold_high",
    ];

    #[test]
    fn a_word_of_the_name_finds_it() {
        assert_eq!(
            nearest("parity", ["open_source_parity", "demand_growth"]),
            Some("open_source_parity")
        );
        assert_eq!(nearest("ceiling", MARKET), Some("price_ceiling_usd_per_mtok"));
    }

    #[test]
    fn a_misspelling_finds_the_name() {
        assert_eq!(nearest("open_sorce_parity", MARKET), Some("open_source_parity"));
        assert_eq!(
            nearest("parity-shok", ["default", "parity-shock", "no-parity"]),
            Some("parity-shock")
        );
        assert_eq!(nearest("hyperr", ["hyper", "eco", "lab", "neo", "open"]), Some("hyper"));
        assert_eq!(
            nearest("cumulative_proft", ["cumulative_profit", "share"]),
            Some("cumulative_profit")
        );
    }

    #[test]
    fn nothing_alike_offers_nothing() {
        assert_eq!(nearest("zzz", MARKET), None);
        assert_eq!(did_you_mean("qqqq", ["default", "parity-shock"]), "");
        assert_eq!(
            did_you_mean("defualt", ["default", "parity-shock"]),
            "; did you mean `default`?"
        );
    }
}
