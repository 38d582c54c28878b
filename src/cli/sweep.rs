//! `cloudstrat sweep`: every combination of a grid of parameter values,
//! simulated in parallel, written as one tidy table (a row per combination
//! and provider) in CSV or JSON, with progress on standard error. With
//! `--shard K/N` only shard K's combinations are computed and a partial
//! result is written for `cloudstrat merge`.

use super::merge::{self, Partial, Shard};
use super::montecarlo::{end_progress, pool, progress_bar};
use super::{apply_sets, write_out};
use crate::analysis::Kpi;
use crate::analysis::montecarlo::shard_range;
use crate::analysis::sweep::{self, Axis, Grid};
use crate::document::{CliError, resolve};
use crate::float::FloatText;
use crate::sim::{Quarter, Scenario, Status};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// Most combinations one sweep may have.
pub const MAX_COMBINATIONS: usize = 10_000_000;
/// Most values on one axis.
pub const MAX_STEPS: usize = 100_000;

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Strategy file or preset name.
    #[arg(value_parser = super::values::scenario(), hide_possible_values = true)]
    pub scenario: String,
    /// KEY=LO:HI:N sweeps KEY over N evenly spaced values from LO to HI for the
    /// whole run; KEY@2026Q3=LO:HI:N sweeps a keyframe. Repeat for more axes.
    #[arg(long = "grid", value_name = "KEY[@QUARTER]=LO:HI:N", required = true)]
    pub grids: Vec<String>,
    /// KPIs to report, comma-separated or repeated (default: all).
    #[arg(long = "kpi", value_name = "KPI", value_enum, value_delimiter = ',')]
    pub kpis: Vec<super::values::KpiArg>,
    /// Quarter at which the KPIs are read (default: the last).
    #[arg(long)]
    pub at: Option<String>,
    /// KEY=VALUE or KEY@QUARTER=VALUE applied before the grid.
    #[arg(long = "set", value_name = "KEY[@QUARTER]=VALUE")]
    pub sets: Vec<String>,
    #[arg(long, value_enum, default_value_t = SweepFormat::Csv)]
    pub format: SweepFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Compute only shard K of N (1-based) and write a partial result for
    /// `cloudstrat merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepFormat {
    Csv,
    Json,
}

/// One provider's outcome as a partial result stores it (floats as bits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOutcome {
    pub exited: bool,
    pub exit_at: Option<u32>,
    pub values: Vec<u64>,
}

/// One combination: `None` when it broke a rule the file format enforces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCombination {
    pub combination: usize,
    pub providers: Option<Vec<StoredOutcome>>,
}

/// A sweep's numbers for a slice of its combinations, and everything its
/// output names. One machine's sweep is the single shard 1/1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPart {
    pub fingerprint: u64,
    pub shard: usize,
    pub shards: usize,
    pub combinations: usize,
    pub format: SweepFormat,
    pub name: String,
    pub at: String,
    pub quarters: Vec<String>,
    pub providers: Vec<String>,
    pub keys: Vec<String>,
    /// Each axis's values, as bits.
    pub axes: Vec<Vec<u64>>,
    pub kpis: Vec<String>,
    pub rows: Vec<StoredCombination>,
}

/// Parses `KEY[@QUARTER]=LO:HI:N` against `sc`.
pub fn parse_axis(sc: &Scenario, s: &str) -> Result<(String, Axis), CliError> {
    let usage = |m: String| CliError::Usage(format!("--grid {s}: {m}"));
    let (lhs, spec) = s
        .split_once('=')
        .ok_or_else(|| usage("expected KEY=LO:HI:N or KEY@QUARTER=LO:HI:N".into()))?;
    let (key, at) = match lhs.split_once('@') {
        Some((k, q)) => (k.trim(), Some(q.trim())),
        None => (lhs.trim(), None),
    };
    let target = sc.parse_key(key).map_err(|e| usage(e.to_string()))?;
    let parts: Vec<&str> = spec.split(':').map(str::trim).collect();
    let [lo, hi, n] = parts[..] else {
        return Err(usage("expected LO:HI:N, such as 0.2:0.9:8".into()));
    };
    let num = |x: &str| {
        x.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| usage(format!("`{x}` is not a number")))
    };
    let (lo, hi) = (num(lo)?, num(hi)?);
    let n: usize = n
        .parse()
        .ok()
        .filter(|n| (1..=MAX_STEPS).contains(n))
        .ok_or_else(|| usage(format!("N `{n}`: allowed 1 to {MAX_STEPS}")))?;
    for v in [lo, hi] {
        if let Some(m) = target.spec().check(v) {
            return Err(usage(format!("{key}: {m}")));
        }
    }
    let at = match at {
        None => None,
        Some(q) => {
            let q: Quarter = q.parse().map_err(|e| usage(format!("{e}")))?;
            let t = sc
                .index_of(q)
                .ok_or_else(|| usage(format!("{q} is outside the horizon {} to {}", sc.start, sc.end())))?;
            if target.is_start_only() && t > 0 {
                return Err(usage(format!(
                    "{key} describes the starting position and acts only at the start; sweep it without @QUARTER"
                )));
            }
            Some(t)
        }
    };
    Ok((lhs.trim().to_string(), Axis::spaced(target, at, lo, hi, n)))
}

fn kpis(asked: &[super::values::KpiArg]) -> Vec<Kpi> {
    if asked.is_empty() {
        return Kpi::ALL.to_vec();
    }
    asked.iter().map(|k| k.0).collect()
}

pub fn cmd_sweep(a: &SweepArgs) -> Result<(), CliError> {
    let (mut sc, _) = resolve(&a.scenario)?;
    apply_sets(&mut sc, &a.sets)?;
    let mut keys = Vec::new();
    let mut axes = Vec::new();
    for g in &a.grids {
        let (k, axis) = parse_axis(&sc, g)?;
        // A whole-run value replaces every keyframe of its parameter, so two axes
        // on one parameter can only be keyframes at different quarters.
        if axes
            .iter()
            .any(|x: &Axis| x.target == axis.target && (x.at == axis.at || x.at.is_none() || axis.at.is_none()))
        {
            return Err(CliError::Usage(format!(
                "--grid {g}: {k} is already swept by another --grid; one parameter can be swept once, or as keyframes at different quarters"
            )));
        }
        keys.push(k);
        axes.push(axis);
    }
    let grid = Grid { axes };
    let total = grid.len();
    if total > MAX_COMBINATIONS {
        return Err(CliError::Usage(format!(
            "--grid: {total} combinations; at most {MAX_COMBINATIONS}"
        )));
    }
    let kpis = kpis(&a.kpis);
    let t = match &a.at {
        None => sc.quarters - 1,
        Some(q) => {
            let q: Quarter = q.parse().map_err(|e| CliError::Usage(format!("--at: {e}")))?;
            sc.index_of(q)
                .ok_or_else(|| CliError::Usage(format!("--at {q}: outside the horizon {} to {}", sc.start, sc.end())))?
        }
    };
    let shard = a
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()?
        .unwrap_or(Shard { index: 0, count: 1 });
    let range = shard_range(total, shard.index, shard.count);
    let pool = pool(a.threads)?;
    let progress = progress_bar(range.len(), "combinations");
    let cancel = AtomicBool::new(false);
    let start = range.start;
    let outcomes = pool
        .install(|| sweep::sweep(&sc, &grid, &kpis, t, range, &progress, &cancel))
        .ok_or_else(|| CliError::Input("sweep cancelled".into()))?;
    end_progress();
    let rows = outcomes
        .into_iter()
        .enumerate()
        .map(|(j, o)| StoredCombination {
            combination: start + j,
            providers: o.map(|ps| {
                ps.into_iter()
                    .map(|p| StoredOutcome {
                        exited: p.status == Status::Exited,
                        exit_at: p.exit_at,
                        values: p.values.iter().map(|v| v.to_bits()).collect(),
                    })
                    .collect()
            }),
        })
        .collect();
    let study = format!(
        "{} {:?} {:?} {t}",
        merge::fingerprint(&sc),
        grid.axes
            .iter()
            .map(|a| a.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        kpis
    );
    let part = SweepPart {
        fingerprint: crate::document::fnv1a(study.as_bytes()),
        shard: shard.index,
        shards: shard.count,
        combinations: total,
        format: a.format,
        name: sc.meta.name.clone(),
        at: sc.quarter_at(t).to_string(),
        quarters: (0..sc.quarters).map(|q| sc.quarter_at(q).to_string()).collect(),
        providers: sc.providers.iter().map(|p| p.id.clone()).collect(),
        keys,
        axes: grid
            .axes
            .iter()
            .map(|a| a.values.iter().map(|v| v.to_bits()).collect())
            .collect(),
        kpis: kpis.iter().map(|k| k.name().to_string()).collect(),
        rows,
    };
    let text = if a.shard.is_some() {
        merge::to_text(&Partial::Sweep(Box::new(part)))?
    } else {
        write(&part, a.format)
    };
    write_out(a.out.as_deref(), &text)
}

/// Combines the shards of one sweep into the output one machine gives.
pub fn merge(mut parts: Vec<SweepPart>, format: Option<SweepFormat>) -> Result<String, CliError> {
    let Some(first) = parts.first() else {
        return Err(CliError::Usage("merge: no partial results".into()));
    };
    let (shards, fingerprint) = (first.shards, first.fingerprint);
    let mut seen = vec![false; shards];
    for p in &parts {
        if p.fingerprint != fingerprint || p.shards != shards || p.combinations != first.combinations {
            return Err(CliError::Input(format!(
                "sweep shard {} of {} belongs to another sweep (scenario, grid, KPIs or shard count differ)",
                p.shard + 1,
                p.shards
            )));
        }
        match seen.get_mut(p.shard) {
            Some(s) if !*s => *s = true,
            Some(_) => {
                return Err(CliError::Input(format!(
                    "sweep shard {} of {shards} is given twice",
                    p.shard + 1
                )));
            }
            None => {
                return Err(CliError::Input(format!(
                    "sweep shard {} is beyond the {shards} shards",
                    p.shard + 1
                )));
            }
        }
        if p.rows.len() != shard_range(p.combinations, p.shard, shards).len() {
            return Err(CliError::Input(format!(
                "sweep shard {} of {shards} is incomplete",
                p.shard + 1
            )));
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(CliError::Input(format!(
            "sweep shard {} of {shards} is missing",
            missing + 1
        )));
    }
    parts.sort_by_key(|p| p.shard);
    let mut all = parts.remove(0);
    for p in parts {
        all.rows.extend(p.rows);
    }
    let format = format.unwrap_or(all.format);
    Ok(write(&all, format))
}

fn write(p: &SweepPart, format: SweepFormat) -> String {
    match format {
        SweepFormat::Csv => csv(p),
        SweepFormat::Json => json(p),
    }
}

/// The axes' values of combination `c`.
fn point(p: &SweepPart, c: usize) -> Vec<f64> {
    let mut rest = c;
    let mut out = vec![0.0; p.axes.len()];
    for (k, a) in p.axes.iter().enumerate().rev() {
        let n = a.len().max(1);
        out[k] = a.get(rest % n).map_or(f64::NAN, |&b| f64::from_bits(b));
        rest /= n;
    }
    out
}

fn csv(p: &SweepPart) -> String {
    let mut s = String::with_capacity(p.rows.len() * p.providers.len() * (40 + 20 * p.kpis.len()));
    s.push_str("combination");
    for k in &p.keys {
        s.push(',');
        s.push_str(k);
    }
    s.push_str(",provider,status,exit_quarter");
    for k in &p.kpis {
        s.push(',');
        s.push_str(k);
    }
    s.push('\n');
    let mut f = FloatText::new();
    for row in &p.rows {
        let values = point(p, row.combination);
        for (i, id) in p.providers.iter().enumerate() {
            s.push_str(&row.combination.to_string());
            for v in &values {
                s.push(',');
                f.push(&mut s, *v);
            }
            s.push(',');
            s.push_str(id);
            match row.providers.as_ref().and_then(|ps| ps.get(i)) {
                None => {
                    s.push_str(",invalid,");
                    for _ in &p.kpis {
                        s.push(',');
                    }
                }
                Some(o) => {
                    s.push_str(if o.exited { ",exited," } else { ",active," });
                    if let Some(q) = o.exit_at.and_then(|q| p.quarters.get(q as usize)) {
                        s.push_str(q);
                    }
                    for &b in &o.values {
                        s.push(',');
                        let v = f64::from_bits(b);
                        if !v.is_nan() {
                            f.push(&mut s, v);
                        }
                    }
                }
            }
            s.push('\n');
        }
    }
    s
}

fn json(p: &SweepPart) -> String {
    let rows: Vec<serde_json::Value> = p
        .rows
        .iter()
        .flat_map(|row| {
            let values = point(p, row.combination);
            let grid: serde_json::Map<String, serde_json::Value> = p
                .keys
                .iter()
                .cloned()
                .zip(values.iter().map(|v| serde_json::json!(v)))
                .collect();
            p.providers.iter().enumerate().map(move |(i, id)| {
                let o = row.providers.as_ref().and_then(|ps| ps.get(i));
                let kpis: serde_json::Map<String, serde_json::Value> = match o {
                    None => p.kpis.iter().map(|k| (k.clone(), serde_json::Value::Null)).collect(),
                    Some(o) => p
                        .kpis
                        .iter()
                        .cloned()
                        .zip(o.values.iter().map(|&b| serde_json::json!(f64::from_bits(b))))
                        .collect(),
                };
                serde_json::json!({
                    "combination": row.combination,
                    "grid": grid,
                    "provider": id,
                    "status": match o { None => "invalid", Some(o) if o.exited => "exited", Some(_) => "active" },
                    "exit_quarter": o.and_then(|o| o.exit_at).and_then(|q| p.quarters.get(q as usize)),
                    "kpis": kpis,
                })
            })
        })
        .collect();
    let doc = serde_json::json!({
        "name": p.name,
        "at": p.at,
        "combinations": p.combinations,
        "grid": p.keys.iter().zip(&p.axes).map(|(k, a)| serde_json::json!({
            "key": k,
            "values": a.iter().map(|&b| f64::from_bits(b)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "kpis": p.kpis,
        "rows": rows,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
