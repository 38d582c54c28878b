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
    assert_eq!(
        lines.next(),
        Some("quarter,provider,kpi,p5,p25,p50,p75,p95,samples,exit_share")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 32 * 5 * cloudstrat::analysis::Kpi::ALL.len());
    for r in rows {
        let cols: Vec<&str> = r.split(',').collect();
        let p: Vec<f64> = cols[3..8].iter().map(|x| x.parse().expect("number")).collect();
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "{r}");
        let samples: u32 = cols[8].parse().expect("samples");
        let exit: f64 = cols[9].parse().expect("exit share");
        assert!(samples <= 300 && (0.0..=1.0).contains(&exit), "{r}");
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

/// Writes `args` + `--out FILE` and returns the file's text.
fn run_to_file(dir: &std::path::Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let mut all: Vec<&str> = args.to_vec();
    let p = path.to_str().expect("path").to_string();
    all.push("--out");
    all.push(&p);
    let o = cloudstrat(&all);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(&path).expect("output")
}

#[test]
fn montecarlo_shards_merge_into_the_single_machine_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for format in ["csv", "json"] {
        let base = [
            "montecarlo",
            "default",
            "--runs",
            "700",
            "--seed",
            "4",
            "--format",
            format,
        ];
        let whole = run_to_file(d, &format!("whole.{format}"), &base);
        // Three shards, each with another thread count, merged in another order.
        let mut parts = Vec::new();
        for (k, threads) in [("3/3", "1"), ("1/3", "2"), ("2/3", "1")] {
            let name = format!("part-{}.{format}.json", &k[..1]);
            let mut args = base.to_vec();
            args.extend(["--shard", k, "--threads", threads]);
            run_to_file(d, &name, &args);
            parts.push(d.join(name).to_str().expect("path").to_string());
        }
        let mut merge: Vec<&str> = vec!["merge"];
        merge.extend(parts.iter().map(String::as_str));
        let merged = run_to_file(d, &format!("merged.{format}"), &merge);
        assert_eq!(merged, whole, "{format}: merged shards differ from one machine's run");
    }
    // A missing shard and a repeated one are refused, naming the shard.
    let p1 = d.join("part-1.csv.json");
    let p2 = d.join("part-2.csv.json");
    let o = cloudstrat(&["merge", p1.to_str().expect("p"), p2.to_str().expect("p")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shard 3 of 3 is missing"));
    let o = cloudstrat(&["merge", p1.to_str().expect("p"), p1.to_str().expect("p")]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("given twice"));
    let bad = cloudstrat(&["montecarlo", "default", "--shard", "4/3"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn sweep_writes_one_row_per_combination_and_provider_and_shards_merge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let base = [
        "sweep",
        "default",
        "--grid",
        "market.open_source_parity=0.2:0.9:3",
        "--grid",
        "providers.hyper.self_chip_volume=0:200:2",
        "--kpi",
        "cumulative_profit,share,price",
    ];
    let whole = run_to_file(d, "sweep.csv", &base);
    let mut lines = whole.lines();
    assert_eq!(
        lines.next(),
        Some(
            "combination,market.open_source_parity,providers.hyper.self_chip_volume,provider,status,exit_quarter,cumulative_profit,share,price"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 * 2 * 5);
    // The first axis varies slowest; both ends of each axis are included.
    assert_eq!(rows[0][..3], ["0", "0.2", "0"]);
    assert_eq!(rows[5][..3], ["1", "0.2", "200"]);
    assert_eq!(rows[29][..3], ["5", "0.9", "200"]);
    // Each row is the run of its combination.
    let one = cloudstrat(&[
        "run",
        "default",
        "--set",
        "market.open_source_parity=0.9",
        "--set",
        "providers.hyper.self_chip_volume=200",
        "--format",
        "csv",
    ]);
    let run = stdout(&one);
    let hyper_last = run.lines().rfind(|l| l.contains(",hyper,")).expect("hyper row");
    let share = hyper_last.split(',').nth(3).expect("share");
    let hyper = rows.iter().find(|r| r[0] == "5" && r[3] == "hyper").expect("row");
    assert_eq!(hyper[7], share);
    for format in ["csv", "json"] {
        let mut args = base.to_vec();
        args.extend(["--format", format]);
        let whole = run_to_file(d, &format!("whole-sweep.{format}"), &args);
        let mut parts = Vec::new();
        for k in ["2/4", "4/4", "1/4", "3/4"] {
            let name = format!("sweep-{}.{format}.json", &k[..1]);
            let mut a = args.clone();
            a.extend(["--shard", k]);
            run_to_file(d, &name, &a);
            parts.push(d.join(name).to_str().expect("path").to_string());
        }
        let mut merge: Vec<&str> = vec!["merge"];
        merge.extend(parts.iter().map(String::as_str));
        assert_eq!(
            run_to_file(d, &format!("merged-sweep.{format}"), &merge),
            whole,
            "{format}"
        );
    }
    let bad = cloudstrat(&["sweep", "default", "--grid", "market.open_source_parity=0:2:3"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("market.open_source_parity"));
}

#[test]
fn sweep_refuses_one_parameter_swept_twice() {
    let g = "market.open_source_parity=0:1:3";
    let o = cloudstrat(&["sweep", "default", "--grid", g, "--grid", g, "--kpi", "share"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already swept"));
    let o = cloudstrat(&[
        "sweep",
        "default",
        "--grid",
        g,
        "--grid",
        "market.open_source_parity@2026Q1=0:1:2",
        "--kpi",
        "share",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // Keyframes at two quarters are two parameters' worth of decisions.
    let o = cloudstrat(&[
        "sweep",
        "default",
        "--grid",
        "market.open_source_parity@2026Q1=0:1:2",
        "--grid",
        "market.open_source_parity@2027Q1=0:1:2",
        "--kpi",
        "share",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
