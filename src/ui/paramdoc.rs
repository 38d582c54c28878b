//! What the parameter view says about each parameter, read from
//! `docs/MODEL.md` (compiled in, so the view and the document cannot
//! disagree): the mechanism section (§1–§10) that first names it, and the
//! source of its default from the Parameters tables. Human labels come from
//! the key, without its unit suffix.

use crate::sim::{MarketKey, ParamRef, ProviderKey};
use std::collections::HashMap;
use std::sync::OnceLock;

const MODEL_MD: &str = include_str!("../../docs/MODEL.md");

/// One parameter as the document describes it.
#[derive(Debug, Clone, Default)]
struct Entry {
    /// Index into [`sections`] of the first mechanism section naming it.
    section: Option<usize>,
    source: String,
}

struct Doc {
    /// "§1 Demand", "§2 Hardware and unit cost", ...
    sections: Vec<String>,
    /// By table key: `market.price_elasticity`, `providers.<id>.markup`.
    entries: HashMap<String, Entry>,
}

fn doc() -> &'static Doc {
    static DOC: OnceLock<Doc> = OnceLock::new();
    DOC.get_or_init(|| parse(MODEL_MD))
}

/// The key the document's tables use for `r`.
fn doc_key(r: ParamRef) -> String {
    match r {
        ParamRef::Market(k) => format!("market.{}", k.name()),
        ParamRef::Provider(_, k) => format!("providers.<id>.{}", k.name()),
    }
}

fn parse(text: &str) -> Doc {
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            if let Some(done) = current.take() {
                sections.push(done);
            }
            if title.starts_with('§') {
                current = Some((title.trim().to_string(), String::new()));
            }
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    if let Some(done) = current.take() {
        sections.push(done);
    }
    let mut entries: HashMap<String, Entry> = HashMap::new();
    // Sources: the last cell of each Parameters table row.
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        let Some(key) = cells.first().map(|k| k.trim_matches('`')) else {
            continue;
        };
        if !(key.starts_with("market.") || key.starts_with("providers.<id>.")) || cells.len() < 6 {
            continue;
        }
        let source = cells.last().map(|s| s.replace("**", "")).unwrap_or_default();
        entries.entry(key.to_string()).or_default().source = source;
    }
    let all = MarketKey::ALL
        .iter()
        .map(|&k| ParamRef::Market(k))
        .chain(ProviderKey::ALL.iter().map(|&k| ParamRef::Provider(0, k)));
    for r in all {
        let name = r.spec().name;
        let key = doc_key(r);
        // The full key, or the name as a whole word (`overhead = overhead_musd`).
        let section = sections
            .iter()
            .position(|(_, body)| body.contains(&key) || contains_word(body, name));
        entries.entry(key).or_default().section = section;
    }
    Doc {
        sections: sections.into_iter().map(|(t, _)| t).collect(),
        entries,
    }
}

/// True when `name` stands in `text` as an identifier of its own.
fn contains_word(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back().is_none_or(|c| !ident(c));
        let after = text[i + name.len()..].chars().next().is_none_or(|c| !ident(c));
        before && after
    })
}

/// The group of a parameter no mechanism section names.
const STARTING: &str = "Starting position";

/// The mechanism section that first names `r` ("§1 Demand"); the starting
/// position for the few only the parameter tables describe.
pub fn section(r: ParamRef) -> &'static str {
    let d = doc();
    d.entries
        .get(&doc_key(r))
        .and_then(|e| e.section)
        .and_then(|i| d.sections.get(i))
        .map_or(STARTING, String::as_str)
}

/// The order of groups: §1 first, the starting position last.
pub fn section_rank(r: ParamRef) -> usize {
    let d = doc();
    d.entries
        .get(&doc_key(r))
        .and_then(|e| e.section)
        .unwrap_or(d.sections.len())
}

/// Where the default comes from, as the Parameters table says.
pub fn source(r: ParamRef) -> &'static str {
    doc().entries.get(&doc_key(r)).map_or("", |e| e.source.as_str())
}

/// A name for people: "Price ceiling", "Demand at full adoption", "Overhead".
pub fn label(r: ParamRef) -> String {
    match r {
        ParamRef::Market(MarketKey::open_source_parity) => return "Open-source parity".into(),
        ParamRef::Market(MarketKey::price_ceiling_usd_per_mtok) => return "Price ceiling".into(),
        ParamRef::Provider(_, ProviderKey::self_chip_volume) => return "Self-chip volume".into(),
        ParamRef::Provider(_, ProviderKey::ecosystem_lock_in) => return "Ecosystem lock-in".into(),
        ParamRef::Market(MarketKey::active_params_b) => return "Active parameters".into(),
        ParamRef::Provider(_, ProviderKey::model_rnd_musd) => return "Model R&D".into(),
        ParamRef::Provider(_, ProviderKey::pue) => return "PUE".into(),
        ParamRef::Market(MarketKey::kv_gb_per_sequence) => return "KV cache per sequence".into(),
        ParamRef::Provider(_, ProviderKey::own_chip_nre_musd) => return "Own-chip design (NRE)".into(),
        _ => {}
    }
    let mut name = r.spec().name;
    for suffix in [
        "_usd_per_mtok",
        "_usd_per_accel_hour",
        "_usd_per_kwh",
        "_usd_per_kw",
        "_musd_per_year",
        "_musd",
        "_usd",
        "_mtok",
        "_quarters",
        "_years",
        "_per_year",
        "_per_quarter",
        "_k",
    ] {
        if let Some(rest) = name.strip_suffix(suffix) {
            name = rest;
            break;
        }
    }
    let words = name
        .replace("own_chip", "own-chip")
        .replace("lock_in", "lock-in")
        .replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_a_section_a_source_and_a_label() {
        let all = MarketKey::ALL
            .iter()
            .map(|&k| ParamRef::Market(k))
            .chain(ProviderKey::ALL.iter().map(|&k| ParamRef::Provider(0, k)));
        for r in all {
            assert!(
                section(r).starts_with('§') || r.is_start_only(),
                "{} has no MODEL.md section",
                r.spec().name
            );
            assert!(!source(r).is_empty(), "{} has no source", r.spec().name);
            assert!(!label(r).contains('_'), "{}", label(r));
        }
        assert_eq!(section(ParamRef::Market(MarketKey::price_elasticity)), "§1 Demand");
        assert_eq!(
            label(ParamRef::Market(MarketKey::demand_at_full_adoption_mtok)),
            "Demand at full adoption"
        );
        assert_eq!(label(ParamRef::Provider(0, ProviderKey::overhead_musd)), "Overhead");
    }
}
