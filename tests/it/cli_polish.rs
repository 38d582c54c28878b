//! The command line's help for people who type a name wrong or want the
//! shell to type it: nearest-name suggestions, `--kpi` values in `--help`,
//! completion scripts, and a progress bar only on a terminal.

use std::process::{Command, Output};

fn cloudstrat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cloudstrat")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn an_unknown_key_suggests_the_nearest() {
    let o = cloudstrat(&["run", "default", "--set", "market.parity=0.5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("did you mean `market.open_source_parity`?"),
        "{}",
        err(&o)
    );
    let o = cloudstrat(&["run", "default", "--set", "providers.hyperr.self_chip_volume=5"]);
    assert!(
        err(&o).contains("did you mean `providers.hyper.self_chip_volume`?"),
        "{}",
        err(&o)
    );
    let o = cloudstrat(&["run", "default", "--set", "providers.hyper.self_chips=5"]);
    assert!(
        err(&o).contains("did you mean `providers.hyper.self_chip_volume`?"),
        "{}",
        err(&o)
    );
    let o = cloudstrat(&["run", "default", "--set", "parity=0.5"]);
    assert!(
        err(&o).contains("did you mean `market.open_source_parity`?"),
        "{}",
        err(&o)
    );
}

#[test]
fn unknown_presets_providers_and_kpis_suggest_the_nearest() {
    let o = cloudstrat(&["run", "parity-shok"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("did you mean `parity-shock`?"), "{}", err(&o));
    let o = cloudstrat(&["sensitivity", "default", "--provider", "hypr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("did you mean `hyper`?"), "{}", err(&o));
    let o = cloudstrat(&[
        "sensitivity",
        "default",
        "--provider",
        "neo",
        "--kpi",
        "cumulative_proft",
    ]);
    assert_eq!(o.status.code(), Some(2), "a usage error");
    assert!(err(&o).contains("cumulative_profit"), "{}", err(&o));
    let o = cloudstrat(&["optimize", "default", "--provider", "neo", "--levers", "lock_in"]);
    assert!(err(&o).contains("did you mean `ecosystem_lock_in`?"), "{}", err(&o));
}

#[test]
fn a_misspelt_field_gets_one_suggestion_not_the_whole_list() {
    let dir = tempfile::tempdir().unwrap();
    let text = cloudstrat::document::presets::text("default").unwrap().replacen(
        "open_source_parity:",
        "open_sorce_parity:",
        1,
    );
    let path = dir.path().join("typo.ron");
    std::fs::write(&path, text).unwrap();
    let o = cloudstrat(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(e.contains("unknown field `open_sorce_parity`"), "{e}");
    assert!(e.contains("did you mean `open_source_parity`?"), "{e}");
    assert!(!e.contains("price_ceiling_usd_per_mtok"), "no list of every field: {e}");
}

#[test]
fn kpis_are_listed_in_help() {
    let help = out(&cloudstrat(&["sensitivity", "--help"]));
    for k in cloudstrat::analysis::Kpi::ALL {
        assert!(help.contains(k.name()), "{} missing from\n{help}", k.name());
    }
}

#[test]
fn completions_offer_subcommands_presets_providers_and_kpis() {
    for shell in ["bash", "zsh", "fish"] {
        let o = cloudstrat(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", err(&o));
        let script = out(&o);
        for word in ["montecarlo", "hyper", "cumulative_net_profit", "saves-dir"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
        // Fish's generated script completes options only, not SCENARIO.
        if shell != "fish" {
            for word in ["parity-shock", "chips-at-scale"] {
                assert!(script.contains(word), "{shell} completion lacks the preset {word}");
            }
        }
    }
    let o = cloudstrat(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "an unknown shell is a usage error");
}

#[test]
fn the_progress_bar_stays_out_of_pipes_and_logs() {
    let o = cloudstrat(&["montecarlo", "default", "--runs", "20", "--seed", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        !err(&o).contains("runs"),
        "no bar when stderr is not a terminal: {:?}",
        err(&o)
    );
    assert!(!err(&o).contains('\r'));
}

#[test]
fn with_every_provider_gone_the_market_line_has_no_average_price_and_a_readable_ceiling() {
    let o = cloudstrat(&["run", "default", "--set", "market.price_ceiling_usd_per_mtok=0.001"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let market = text.lines().find(|l| l.starts_with("Market:")).expect("market line");
    assert!(market.contains("average price – (no provider active)"), "{market}");
    let ceiling = market
        .split("price ceiling $")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("ceiling");
    assert!(
        ceiling.trim_start_matches(['0', '.']).len() >= 2,
        "significant digits: {market}"
    );
    // With providers selling, the average is a price.
    let o = cloudstrat(&["run", "default"]);
    let text = out(&o);
    let market = text.lines().find(|l| l.starts_with("Market:")).expect("market line");
    assert!(market.contains("average price $"), "{market}");
}

#[test]
fn optimize_and_events_print_values_in_the_levers_unit() {
    let o = cloudstrat(&[
        "optimize",
        "default",
        "--provider",
        "neo",
        "--levers",
        "self_chip_volume",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let line = text
        .lines()
        .find(|l| l.contains("self_chip_volume ="))
        .expect("setting");
    assert!(line.contains("M/q") || line.contains("k/q"), "{line}");
    assert!(line.contains("to 10M/q)"), "{line}");
    let o = cloudstrat(&["run", "default", "--set", "market.open_source_parity@2025Q1=0.85"]);
    let text = out(&o);
    assert!(text.contains("Open-source parity set to 85%"), "{text}");
}

#[test]
fn a_set_value_out_of_a_floats_reach_is_refused_as_typed() {
    for (value, says) in [("1e-400", "too small"), ("1e400", "too large")] {
        let arg = format!("market.open_source_parity={value}");
        let o = cloudstrat(&["run", "default", "--set", &arg]);
        assert_eq!(o.status.code(), Some(1), "{value}");
        assert!(err(&o).contains(&format!("`{value}` is {says}")), "{}", err(&o));
    }
}
