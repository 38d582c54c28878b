//! The command line's model-checking commands: `backtest` (a run against the
//! public record) and `calibrate` (fit parameters to it). Thin: parsing
//! arguments, calling `analysis`, printing.

use crate::analysis::backtest::{self, Backtest};
use crate::analysis::calibrate;
use crate::cli::write_out;
use crate::document::{CliError, resolve_document};
use crate::sim::{self, ParamRef};
use clap::ValueEnum;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BacktestFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// Strategy file or preset name (default: the built-in `default`).
    #[arg(value_parser = super::values::scenario(), hide_possible_values = true)]
    pub scenario: Option<String>,
    #[arg(long, value_enum, default_value_t = BacktestFormat::Table)]
    pub format: BacktestFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Strategy file or preset name.
    #[arg(value_parser = super::values::scenario(), hide_possible_values = true)]
    pub scenario: String,
    /// Comma-separated parameter keys, e.g. market.usage_growth_per_year,providers.neo.markup.
    #[arg(long, required = true)]
    pub params: String,
    /// Write the calibrated strategy file here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn value_text(v: f64) -> String {
    if v.abs() >= 1e5 || (v != 0.0 && v.abs() < 1e-3) {
        format!("{v:.4e}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn error_text(log: bool, e: f64) -> String {
    if log {
        format!("×{e:.2}")
    } else {
        format!("{:.1} pts", e * 100.0)
    }
}

fn number_text(log: bool, v: f64) -> String {
    if log { value_text(v) } else { crate::format::pct(v) }
}

/// The comparison as a table, one line per observation, then the score.
pub fn table(b: &Backtest) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<42} {:>7} {:>10} {:>10} {:>10} {:>10}  result",
        "series", "quarter", "observed", "model", "error", "threshold"
    );
    for c in &b.comparisons {
        let (model, error, result) = match (c.model, c.error, c.pass) {
            (Some(m), Some(e), Some(p)) => (
                number_text(c.log, m),
                error_text(c.log, e),
                if p { "pass" } else { "FAIL" },
            ),
            _ => ("–".to_string(), "–".to_string(), "not covered"),
        };
        let _ = writeln!(
            s,
            "{} {:>7} {:>10} {:>10} {:>10} {:>10}  {result}",
            crate::text::fit_left(&c.series, 42),
            c.at,
            number_text(c.log, c.observed),
            model,
            error,
            error_text(c.log, c.tolerance),
        );
    }
    let _ = writeln!(
        s,
        "\n{} of {} covered observations within their thresholds; score {} (root mean square of error / threshold; 1 = at the thresholds)",
        b.passed,
        b.covered,
        b.score.map_or("–".to_string(), |x| format!("{x:.2}"))
    );
    s
}

fn csv(b: &Backtest) -> String {
    let mut s = String::from("series,quarter,observed,model,error,threshold,scale,pass,source\n");
    let q = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    for c in &b.comparisons {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{}",
            q(&c.series),
            c.at,
            c.observed,
            opt(c.model),
            opt(c.error),
            c.tolerance,
            if c.log { "factor" } else { "difference" },
            c.pass.map_or(String::new(), |p| p.to_string()),
            q(&c.source)
        );
    }
    s
}

pub fn cmd_backtest(a: &BacktestArgs) -> Result<(), CliError> {
    let (doc, _) = resolve_document(a.scenario.as_deref().unwrap_or("default"))?;
    let sc = doc.scenario;
    let run = sim::simulate(&sc);
    let b = backtest::evaluate(&sc, &run, &backtest::builtin());
    let text = match a.format {
        BacktestFormat::Table => table(&b),
        BacktestFormat::Csv => csv(&b),
        BacktestFormat::Json => {
            serde_json::to_string_pretty(&b).map_err(|e| CliError::Input(format!("cannot write JSON: {e}")))? + "\n"
        }
    };
    write_out(a.out.as_deref(), &text)
}

pub fn cmd_calibrate(a: &CalibrateArgs) -> Result<(), CliError> {
    let (doc, _) = resolve_document(&a.scenario)?;
    let sc = doc.scenario;
    let mut keys: Vec<ParamRef> = Vec::new();
    for k in a.params.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let key = sc
            .parse_key(k)
            .map_err(|e| CliError::Usage(format!("--params: {k}: {e}")))?;
        calibrate::check_key(&sc, key).map_err(|e| CliError::Usage(format!("--params: {e}")))?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        return Err(CliError::Usage("--params: name at least one parameter key".into()));
    }
    let observations = backtest::builtin();
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |done: usize, total: usize| {
        if interactive && (done.is_multiple_of(20) || done == total) {
            eprint!("\rcalibrating: {done}/{total} runs");
        }
    };
    let c = calibrate::calibrate(&sc, &keys, &observations, &progress);
    if interactive {
        eprintln!();
    }
    let before = backtest::evaluate(&sc, &sim::simulate(&sc), &observations);
    let after = backtest::evaluate(&c.scenario, &sim::simulate(&c.scenario), &observations);
    let mut s = String::new();
    let score = |b: &Backtest| b.score.map_or("–".to_string(), |x| format!("{x:.3}"));
    let _ = writeln!(
        s,
        "Backtest score {} → {} ({} → {} of {} observations within thresholds; {} runs)",
        score(&before),
        score(&after),
        before.passed,
        after.passed,
        after.covered,
        c.evaluations
    );
    for f in &c.fitted {
        let _ = writeln!(
            s,
            "  {:<48} {:>12} → {:<12} (range {} to {})",
            sc.key_name(f.key),
            value_text(f.before),
            value_text(f.after),
            value_text(f.min),
            value_text(f.max)
        );
    }
    if let Some(out) = &a.out {
        let mut cal = c.scenario.clone();
        cal.meta.modified = chrono::Utc::now();
        let text = crate::document::file::to_ron_document(&cal, doc.baseline.as_ref());
        // A strategy file: written as one, never through a link or into a device.
        crate::document::save::write_atomic(out, text.as_bytes())
            .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", out.display())))?;
        let _ = writeln!(s, "Wrote {}", out.display());
    }
    write_out(None, &s)
}
