//! `cloudstrat montecarlo`: percentiles over a scenario's uncertain inputs,
//! on one machine or as one shard of many (`--shard K/N`, merged by
//! `cloudstrat merge`). Thin: arguments, progress, the output's text.

use super::merge::{self, Partial, Shard};
use super::{warn, write_out};
use crate::analysis::montecarlo;
use crate::document::{CliError, resolve};
use crate::output::report::{self, McLabels};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug, clap::Args)]
pub struct McArgs {
    #[arg(value_parser = super::values::scenario(), hide_possible_values = true)]
    pub scenario: String,
    #[arg(long, default_value_t = 1000)]
    pub runs: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = McFormat::Csv)]
    pub format: McFormat,
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
pub enum McFormat {
    Csv,
    Json,
}

/// A worker pool of `threads` threads (every core when `None` or 0).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, CliError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Input(format!("cannot start worker threads: {e}")))
}

/// A progress bar on standard error for `total` items named `what`, redrawn
/// only when it grows a step. The bar is for people watching: it is drawn
/// only when standard error is a terminal, never into logs, pipes or files.
pub fn progress_bar(total: usize, what: &'static str) -> impl Fn(usize) + Sync {
    let shown = AtomicUsize::new(0);
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr());
    move |n: usize| {
        if !bar {
            return;
        }
        let width = 30;
        let filled = n.min(total) * width / total.max(1);
        if filled > shown.fetch_max(filled, Ordering::Relaxed) || n == total {
            // A full stderr only loses the progress bar.
            let _ = write!(
                std::io::stderr(),
                "\r[{}{}] {n}/{total} {what}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
        }
    }
}

/// Ends the progress bar's line, if one was drawn.
pub fn end_progress() {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        end_progress();
    }
}

/// The study's text in `format`.
pub fn text(labels: &McLabels, r: &montecarlo::McResult, seed: u64, format: McFormat) -> String {
    match format {
        McFormat::Csv => report::mc_csv(labels, r),
        McFormat::Json => report::mc_json(labels, r, seed),
    }
}

/// Warns about left-out samples; refuses a study in which every one was.
pub fn check_skipped(scenario: &str, r: &montecarlo::McResult) -> Result<(), CliError> {
    if r.skipped == r.runs {
        return Err(CliError::Input(format!(
            "{scenario}: every one of the {} samples broke a rule `cloudstrat check` enforces (such as initial shares adding up to more than 1); narrow the `uncertainty` ranges",
            r.runs
        )));
    }
    if r.skipped > 0 {
        warn(&format!(
            "cloudstrat: {} of {} samples broke a rule `cloudstrat check` enforces and were left out; the percentiles are over the other {}",
            r.skipped,
            r.runs,
            r.runs - r.skipped
        ));
    }
    Ok(())
}

pub fn cmd_montecarlo(a: &McArgs) -> Result<(), CliError> {
    let (sc, _) = resolve(&a.scenario)?;
    if a.runs == 0 || a.runs > 10_000_000 {
        return Err(CliError::Usage(format!("--runs {}: allowed 1 to 10000000", a.runs)));
    }
    let shard = a.shard.as_deref().map(Shard::parse).transpose()?;
    let pool = pool(a.threads)?;
    if sc.uncertainty.is_empty() {
        warn(&format!(
            "cloudstrat: {} has no uncertain inputs (no `uncertainty` section): every run is the same",
            a.scenario
        ));
    }
    montecarlo::check_memory(&sc, a.runs).map_err(|e| CliError::Input(format!("{}: {e}", a.scenario)))?;
    let cancel = AtomicBool::new(false);
    let labels = McLabels::of(&sc);
    if let Some(shard) = shard {
        let mine = montecarlo::shard_range(a.runs, shard.index, shard.count).len();
        let progress = progress_bar(mine, "runs");
        let part = pool
            .install(|| {
                montecarlo::monte_carlo_shard(&sc, a.runs, a.seed, shard.index, shard.count, &progress, &cancel)
            })
            .ok_or_else(|| CliError::Input("Monte Carlo cancelled".into()))?;
        end_progress();
        let doc = Partial::Montecarlo {
            fingerprint: merge::fingerprint(&sc),
            labels,
            format: a.format,
            part: Box::new(part),
        };
        return write_out(a.out.as_deref(), &merge::to_text(&doc)?);
    }
    let progress = progress_bar(a.runs, "runs");
    let result = pool
        .install(|| montecarlo::monte_carlo(&sc, a.runs, a.seed, &progress, &cancel))
        .ok_or_else(|| CliError::Input("Monte Carlo cancelled".into()))?;
    end_progress();
    check_skipped(&a.scenario, &result)?;
    write_out(a.out.as_deref(), &text(&labels, &result, a.seed, a.format))
}
