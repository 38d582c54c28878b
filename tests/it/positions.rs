//! Where a strategy file's errors point: every validation error names the line
//! and column of the value it is about, found in the text the user wrote, and a
//! file cut short says it looks truncated, at its end.
//!
//! Columns count characters (Unicode scalar values), not bytes and not screen
//! cells: `é`, `☁` and `🚀` before a value count one each. Lines end at `\n`,
//! so a CRLF file gives the same positions as the same file with LF endings.

use cloudstrat::document::file::{self, LoadError, Problem};
use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::{Keyframe, MarketKey, ParamRef, ProviderKey, Scenario};
use proptest::prelude::*;
use std::path::Path;

fn invalid_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/invalid")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn problems(text: &str) -> Vec<Problem> {
    match file::parse_document(text, "t.ron") {
        Err(LoadError::Invalid { problems, .. }) => problems,
        other => panic!("expected validation errors, got {other:?}"),
    }
}

/// Line and column (1-based, in characters) of byte offset `at`, counted
/// without the reader under test.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (1 + before.matches('\n').count(), 1 + before[start..].chars().count())
}

#[test]
fn the_crlf_fixture_really_has_crlf_endings() {
    // Git must not normalise it (see .gitattributes), or the test below tests nothing new.
    let text = invalid_fixture("out_of_range_crlf.ron");
    assert_eq!(
        text.matches("\r\n").count(),
        text.matches('\n').count(),
        "every line ends in CRLF"
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    let value = text.find("markup: 80.0").expect("value") + "markup: ".len();
    assert_eq!(p[0].at, Some(line_col(&text, value)));
    assert_eq!(p[0].at, Some((90, 25)));
    // Same positions as the same file with LF endings.
    assert_eq!(problems(&text.replace("\r\n", "\n"))[0].at, p[0].at);
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = invalid_fixture("out_of_range_after_non_ascii.ron");
    let line = text.lines().find(|l| l.contains("tflops: 0.5")).expect("the line");
    let byte_col = 1 + line.find("0.5,").expect("value");
    let char_col = 1 + line[..byte_col - 1].chars().count();
    assert!(
        byte_col > char_col,
        "the line has multi-byte characters before the value"
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "hardware[0].tflops");
    assert_eq!(p[0].at, Some((64, char_col)));
    assert_eq!(char_col, 101);
}

#[test]
fn a_value_after_a_multi_line_comment_is_placed_on_its_own_line() {
    let text = invalid_fixture("out_of_range_after_block_comment.ron");
    // The comment mentions the field (and a value out of range) too; the place is the real one.
    let at = text.find("open_source_parity: 1.7").expect("value") + "open_source_parity: ".len();
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].at, Some(line_col(&text, at)));
    assert_eq!(p[0].at, Some((15, 29)));
}

#[test]
fn a_parameter_left_out_points_at_its_section() {
    let text = invalid_fixture("missing_added_parameter.ron");
    let p = problems(&text);
    assert_eq!(p[0].path, "market.lock_in_cap");
    let market = text.find("market: (").expect("market") + "market: ".len();
    assert_eq!(p[0].at, Some(line_col(&text, market)));
}

#[test]
fn the_share_that_takes_the_sum_above_one_is_the_place() {
    let mut sc = default_scenario();
    let n = sc.providers.len();
    for p in &mut sc.providers {
        p.params.initial_share = 0.3;
    }
    let text = file::to_ron(&sc);
    let p = problems(&text);
    let sum = p
        .iter()
        .find(|p| p.path == "providers.*.initial_share")
        .expect("sum problem");
    // 0.3 + 0.3 + 0.3 + 0.3 > 1: the fourth provider's share.
    assert!(n >= 4);
    let fourth = text
        .match_indices("initial_share: 0.3")
        .nth(3)
        .map(|(i, _)| i + "initial_share: ".len())
        .expect("fourth share");
    assert_eq!(sum.at, Some(line_col(&text, fourth)));
}

#[test]
fn a_duplicate_id_points_at_the_second_one_and_its_parameters_at_their_own() {
    let mut sc = default_scenario();
    let id = sc.providers[0].id.clone();
    sc.providers[2].id = id.clone();
    sc.providers[2].params.markup = 77.0;
    let text = file::to_ron(&sc);
    let p = problems(&text);
    let second_id = text
        .match_indices(&format!("id: \"{id}\""))
        .nth(1)
        .map(|(i, _)| i + "id: ".len())
        .expect("second id");
    let dup = p.iter().find(|p| p.path == "providers[2].id").expect("duplicate");
    assert_eq!(dup.at, Some(line_col(&text, second_id)), "{p:?}");
    let markup = p
        .iter()
        .find(|p| p.path == format!("providers.{id}.markup"))
        .expect("markup");
    let at = text.find("markup: 77.0").expect("value") + "markup: ".len();
    assert_eq!(markup.at, Some(line_col(&text, at)), "{p:?}");
}

#[test]
fn errors_after_a_set_flag_name_the_flag_not_a_place() {
    let mut sc = default_scenario();
    let err =
        cloudstrat::cli::apply_sets(&mut sc, &["market.open_source_parity=1.7".to_string()]).expect_err("out of range");
    assert_eq!(
        err.message(),
        "--set market.open_source_parity=1.7: market.open_source_parity: 1.7 is out of range; allowed 0 to 1"
    );
}

/// Which value of a scenario is pushed out of its range.
#[derive(Debug, Clone)]
enum Target {
    Market(MarketKey),
    Provider(usize, ProviderKey),
    Hardware(usize, usize),
    Keyframe(usize),
    BaselineMarket(MarketKey),
    /// A lever change of a story beat, added to the beat's list.
    StoryLever(usize, MarketKey),
}

/// A value outside `[min, max]` that no other number of the file will equal.
fn outside(min: f64, max: f64, above: bool, tag: u32) -> f64 {
    let odd = 1000.0 + f64::from(tag) / 1024.0 + 0.001953125;
    if above {
        max + odd * max.abs().max(1.0)
    } else {
        min - odd
    }
}

fn scenario_and_target() -> impl Strategy<Value = (Scenario, Option<Scenario>, Target, bool)> {
    let market = MarketKey::ALL.to_vec();
    let provider = ProviderKey::ALL.to_vec();
    (
        proptest::sample::subsequence(market.clone(), 0..=8),
        prop::collection::vec(0.0..=1.0f64, 8),
        0usize..5,
        proptest::sample::subsequence(provider.clone(), 0..=8),
        prop::collection::vec(0.0..=1.0f64, 8),
        prop::collection::vec((1u32..40, proptest::sample::select(market.clone()), 0.0..=1.0f64), 0..5),
        any::<bool>(),
        (
            0usize..6,
            proptest::sample::select(market),
            proptest::sample::select(provider),
            0usize..5,
        ),
        any::<bool>(),
    )
        .prop_map(
            |(mkeys, mfrac, pi, pkeys, pfrac, kfs, with_baseline, (kind, mk, pk, n), crlf)| {
                let mut sc = default_scenario();
                let at = |spec: cloudstrat::sim::ParamSpec, f: f64| spec.min + (spec.max - spec.min) * f;
                for (k, f) in mkeys.into_iter().zip(mfrac) {
                    sc.market.set(k, at(k.spec(), f));
                }
                sc.market.multimodal_share_start = sc.market.multimodal_share_start.min(sc.market.multimodal_share_max);
                let pi = pi % sc.providers.len();
                for (k, f) in pkeys.into_iter().zip(pfrac) {
                    if k != ProviderKey::initial_share {
                        sc.providers[pi].params.set(k, at(k.spec(), f));
                    }
                }
                for (q, k, f) in kfs {
                    let q = 1 + q % (sc.quarters - 1);
                    let target = ParamRef::Market(k);
                    if !target.is_start_only() && !sc.keyframes.iter().any(|x| x.at == q && x.target == target) {
                        sc.keyframes.push(Keyframe {
                            at: q,
                            target,
                            value: at(k.spec(), f),
                        });
                    }
                }
                sc.sort_keyframes();
                let mut base = with_baseline.then(|| sc.clone());
                if let Some(b) = base.as_mut() {
                    b.market.open_source_parity = 0.25;
                }
                let target = match kind {
                    0 => Target::Market(mk),
                    1 => Target::Provider(n % sc.providers.len(), pk),
                    2 => Target::Hardware(n % sc.hardware.len(), n),
                    3 if !sc.keyframes.is_empty() => Target::Keyframe(n % sc.keyframes.len()),
                    4 if !sc.story.is_empty() => Target::StoryLever(n % sc.story.len(), mk),
                    _ if base.is_some() => Target::BaselineMarket(mk),
                    _ => Target::Market(mk),
                };
                (sc, base, target, crlf)
            },
        )
}

const HARDWARE_FIELDS: [&str; 5] = ["bandwidth_tb_s", "hbm_gb", "tflops", "power_kw", "build_cost_usd"];

/// Pushes the target out of range; returns the value and the path the error names.
fn push_out(sc: &mut Scenario, base: Option<&mut Scenario>, target: &Target, above: bool, tag: u32) -> (f64, String) {
    match *target {
        Target::Market(k) => {
            let v = outside(k.spec().min, k.spec().max, above, tag);
            sc.market.set(k, v);
            (v, format!("market.{}", k.name()))
        }
        Target::Provider(i, k) => {
            let v = outside(k.spec().min, k.spec().max, above, tag);
            sc.providers[i].params.set(k, v);
            (v, format!("providers.{}.{}", sc.providers[i].id, k.name()))
        }
        Target::Hardware(i, f) => {
            let field = HARDWARE_FIELDS[f % HARDWARE_FIELDS.len()];
            let (_, min, max, _) = cloudstrat::sim::params::HARDWARE_RANGES
                .iter()
                .copied()
                .find(|r| r.0 == field)
                .expect("a hardware field");
            let v = outside(min, max, above, tag);
            let g = &mut sc.hardware[i];
            match field {
                "bandwidth_tb_s" => g.bandwidth_tb_s = v,
                "hbm_gb" => g.hbm_gb = v,
                "tflops" => g.tflops = v,
                "power_kw" => g.power_kw = v,
                _ => g.build_cost_usd = v,
            }
            (v, format!("hardware[{i}].{field}"))
        }
        Target::Keyframe(j) => {
            let spec = sc.keyframes[j].target.spec();
            let v = outside(spec.min, spec.max, above, tag);
            sc.keyframes[j].value = v;
            (v, format!("keyframes[{j}].value"))
        }
        Target::StoryLever(b, k) => {
            let v = outside(k.spec().min, k.spec().max, above, tag);
            // After a lever in range, so the one out of range is second in a nested list.
            let levers = &mut sc.story[b].levers;
            levers.push((ParamRef::Market(k), k.spec().min));
            levers.push((ParamRef::Market(k), v));
            (v, format!("story[{b}].levers[{}].value", levers.len() - 1))
        }
        Target::BaselineMarket(k) => {
            let v = outside(k.spec().min, k.spec().max, above, tag);
            let b = base.expect("a baseline");
            b.market.set(k, v);
            (v, format!("baseline.market.{}", k.name()))
        }
    }
}

/// Byte offsets of every number written as `name: NUMBER` that equals `v`.
fn written_at(text: &str, v: f64) -> Vec<usize> {
    text.match_indices(": ")
        .map(|(i, _)| i + 2)
        .filter(|&start| {
            let token: String = text[start..]
                .chars()
                .take_while(|c| !matches!(c, ',' | ')' | '\n' | '\r' | ' '))
                .collect();
            token.parse::<f64>().is_ok_and(|x| x == v)
        })
        .collect()
}

/// The check of [`a_file_cut_short_says_it_ends_early`] for one cut.
fn assert_cut_says_truncated(text: &str, cut: usize) {
    let short = &text[..cut];
    match file::parse_document(short, "cut.ron") {
        Err(LoadError::Syntax { line, col, message, .. }) => {
            assert!(
                message.starts_with("truncated? the file ends "),
                "cut at {cut}: {message}"
            );
            assert_eq!(
                (line, col),
                line_col(short, short.trim_end().len()),
                "cut at {cut}: {message}"
            );
        }
        other => panic!("cut at {cut}: {other:?}"),
    }
}

#[test]
fn a_file_cut_just_after_a_bracket_colon_or_comma_says_it_is_truncated() {
    // Where a parser is most likely to report the error somewhere else: before
    // the white space after `field:` or `[`, or expecting the next field.
    let text = file::to_ron(&default_scenario());
    let last = text.rfind(')').expect("closing paren");
    for (i, c) in text[..last].char_indices() {
        if matches!(c, '(' | '[' | ':' | ',') {
            assert_cut_says_truncated(&text, i + 1);
            // And with the white space after it.
            let next = text[i + 1..]
                .find(|c: char| !c.is_whitespace())
                .map_or(last, |k| i + 1 + k);
            assert_cut_says_truncated(&text, next.min(last));
        }
    }
    let half = "(version: 2, name: \"half a file\",\n  quarters: [";
    assert_cut_says_truncated(half, half.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// A random valid scenario, written by the program's own writer with one
    /// value pushed out of range: the error about that value points at it.
    #[test]
    fn the_place_of_an_out_of_range_value_is_where_it_is_written(
        (mut sc, mut base, target, crlf) in scenario_and_target(),
        above in any::<bool>(),
        tag in 0u32..1024,
    ) {
        let clean = file::to_ron_document(&sc, base.as_ref());
        prop_assume!(file::parse_document(&clean, "t.ron").is_ok());
        let (v, path) = push_out(&mut sc, base.as_mut(), &target, above, tag);
        let mut text = file::to_ron_document(&sc, base.as_ref());
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let found = written_at(&text, v);
        prop_assert_eq!(found.len(), 1, "{} written once", v);
        let p = problems(&text);
        let problem = p.iter().find(|p| p.path == path);
        prop_assert!(problem.is_some(), "no problem at {}: {:?}", path, p);
        let problem = problem.expect("checked");
        prop_assert_eq!(problem.at, Some(line_col(&text, found[0])), "{:?}", problem);
        let shown = LoadError::Invalid { file: "t.ron".into(), problems: vec![problem.clone()] }.to_string();
        let (line, col) = line_col(&text, found[0]);
        let expected_start = format!("t.ron:{line}:{col}: {path}: ");
        prop_assert!(shown.starts_with(&expected_start), "{}", shown);
        // Every problem of the file has a place.
        prop_assert!(p.iter().all(|p| p.at.is_some()), "{:?}", p);
    }

    /// A file cut anywhere before its end says it ends early, at the end of what is left.
    #[test]
    fn a_file_cut_short_says_it_ends_early(cut in 1usize..19000) {
        let text = file::to_ron(&default_scenario());
        let last = text.rfind(')').expect("closing paren");
        let cut = (1..=cut.min(last)).rev().find(|&k| text.is_char_boundary(k)).expect("boundary");
        let short = &text[..cut];
        match file::parse_document(short, "cut.ron") {
            Err(LoadError::Syntax { line, col, message, .. }) => {
                prop_assert!(message.starts_with("truncated? the file ends "), "{}", message);
                let end = short.trim_end().len();
                prop_assert_eq!((line, col), line_col(short, end), "{}", message);
            }
            other => prop_assert!(false, "cut at {}: {:?}", cut, other),
        }
    }
}
