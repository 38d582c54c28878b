//! The analysis, export and diff subcommands, run as a user would.

use std::process::{Command, Output};

fn cloudstrat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(args)
        .output()
        .expect("run cloudstrat")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn montecarlo_writes_ordered_percentiles_and_the_seed_decides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    for (path, threads) in [(&a, "1"), (&b, "2")] {
        let o = cloudstrat(
            &[
                "montecarlo",
                "default",
                "--runs",
                "300",
                "--seed",
                "5",
                "--threads",
                threads,
                "--out",
            ]
            .iter()
            .copied()
            .chain([path.to_str().expect("path")])
            .collect::<Vec<_>>(),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let text = std::fs::read_to_string(&a).expect("csv");
    assert_eq!(
        text,
        std::fs::read_to_string(&b).expect("csv"),
        "thread count changed the output"
    );
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("quarter,provider,kpi,p5,p25,p50,p75,p95"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 32 * 5 * cloudstrat::analysis::Kpi::ALL.len());
    for r in rows {
        let p: Vec<f64> = r.split(',').skip(3).map(|x| x.parse().expect("number")).collect();
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "{r}");
    }
    let json = cloudstrat(&["montecarlo", "default", "--runs", "50", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["runs"], 50);
    assert!(v["uncertain"].as_array().is_some_and(|u| !u.is_empty()));
}

#[test]
fn sensitivity_prints_a_sorted_tornado() {
    let o = cloudstrat(&[
        "sensitivity",
        "default",
        "--provider",
        "neo",
        "--kpi",
        "share",
        "--at",
        "2026Q1",
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("Sensitivity of share of neo at 2026Q1"));
    assert!(text.contains("providers.neo.ecosystem_lock_in"));
    // Arguments that name nothing in the scenario are usage errors (exit 2).
    let bad = cloudstrat(&["sensitivity", "default", "--provider", "nobody"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nobody"));
    let bad = cloudstrat(&["sensitivity", "default", "--provider", "neo", "--kpi", "happiness"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn optimize_reports_the_gain_and_can_save_the_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("best.ron");
    let o = cloudstrat(&[
        "optimize",
        "default",
        "--provider",
        "hyper",
        "--levers",
        "ecosystem_lock_in",
        "--save",
        out.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("gain"));
    let check = cloudstrat(&["check", out.to_str().expect("path")]);
    assert!(check.status.success());
    let all = cloudstrat(&[
        "optimize",
        "default",
        "--all",
        "--levers",
        "ecosystem_lock_in",
        "--rounds",
        "2",
    ]);
    assert!(all.status.success());
    let text = stdout(&all);
    assert!(text.contains("converged") || text.contains("did not converge"));
}

#[test]
fn export_writes_every_file_and_html_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = cloudstrat(&["export", "default", "--out", dir.path().to_str().expect("path")]);
    assert!(o.status.success());
    for f in [
        "report.md",
        "run.csv",
        "share.svg",
        "price_cost.svg",
        "operating_profit.svg",
        "cash.svg",
        "ecosystem.svg",
        "self_chip_share.svg",
    ] {
        let len = std::fs::metadata(dir.path().join(f)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 500, "{f} is missing or nearly empty");
    }
    let o = cloudstrat(&[
        "export",
        "default",
        "--out",
        dir.path().to_str().expect("path"),
        "--format",
        "html",
    ]);
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(dir.path().join("report.html"))
            .expect("html")
            .contains("<svg")
    );
}

#[test]
fn diff_lists_settings_and_outcomes() {
    let o = cloudstrat(&["diff", "default", "parity-shock"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("market.open_source_parity"));
    assert!(text.contains("2024Q1: 0.980"));
    for id in ["hyper", "eco", "lab", "neo", "open"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(id)),
            "no outcome row for {id}"
        );
    }
    let same = cloudstrat(&["diff", "default", "default"]);
    assert!(stdout(&same).contains("none: the two strategies have the same levers and parameters"));
}

#[test]
fn attribute_splits_the_difference() {
    let o = cloudstrat(&["attribute", "default", "parity-shock", "--provider", "lab"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("market.open_source_parity"));
}
