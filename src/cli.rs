//! The command line: argument parsing and the headless subcommands.
//!
//! Owns turning arguments into scenarios and runs into text; the simulation is
//! `sim`'s, file parsing `file`'s, and the dashboard `ui`'s.

use crate::file::{self, LoadError};
use crate::presets;
use crate::report;
use crate::sim::{self, Quarter, Scenario};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "cloudstrat",
    version,
    about = "Model the AI cloud market as ecosystem versus cost",
    long_about = "Model the AI cloud market as ecosystem versus cost.\n\nWithout a subcommand, opens the dashboard on SCENARIO (a strategy file or a preset name; default: the built-in `default`).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Strategy file or preset name to open in the dashboard.
    pub scenario: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and print or write the results.
    Run(RunArgs),
    /// Validate strategy files; exit 0 when all are valid, 1 otherwise.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the built-in scenarios.
    Presets,
    /// List every parameter key with its unit, range and meaning.
    Params {
        /// Scenario whose provider ids and values to show (default: `default`).
        scenario: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Strategy file or preset name.
    pub scenario: String,
    /// Simulate this many quarters instead of the scenario's horizon (4 to 200).
    #[arg(long)]
    pub quarters: Option<u32>,
    /// KEY=VALUE sets a parameter for the whole run; KEY@2026Q3=VALUE adds a keyframe.
    #[arg(long = "set", value_name = "KEY[@QUARTER]=VALUE")]
    pub sets: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// A failure that maps to an exit code: 1 for bad input, 2 for usage.
#[derive(Debug)]
pub enum CliError {
    Input(String),
    Usage(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 1,
            CliError::Usage(_) => 2,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CliError::Input(m) | CliError::Usage(m) => m,
        }
    }
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        CliError::Input(e.to_string())
    }
}

/// Where a scenario came from, so saving knows whether it may write back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Preset(String),
    File(PathBuf),
}

/// Loads SCENARIO: an existing path, else a preset name.
pub fn resolve(arg: &str) -> Result<(Scenario, Source), CliError> {
    let path = Path::new(arg);
    if path.exists() {
        return Ok((file::load_path(path)?, Source::File(path.to_path_buf())));
    }
    match presets::load(arg) {
        Some(r) => Ok((r?, Source::Preset(arg.to_string()))),
        None => Err(CliError::Input(format!(
            "{arg}: no such file, and no preset of that name (presets: {})",
            presets::names().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Applies `--set` arguments in order.
pub fn apply_sets(sc: &mut Scenario, sets: &[String]) -> Result<(), CliError> {
    for s in sets {
        let (lhs, value) = s
            .split_once('=')
            .ok_or_else(|| CliError::Input(format!("--set {s}: expected KEY=VALUE or KEY@QUARTER=VALUE")))?;
        let (key, at) = match lhs.split_once('@') {
            Some((k, q)) => (k.trim(), Some(q.trim())),
            None => (lhs.trim(), None),
        };
        let target = sc
            .parse_key(key)
            .map_err(|e| CliError::Input(format!("--set {s}: {e}")))?;
        let v: f64 = value
            .trim()
            .parse()
            .map_err(|_| CliError::Input(format!("--set {s}: `{}` is not a number", value.trim())))?;
        if let Some(m) = target.spec().check(v) {
            return Err(CliError::Input(format!("--set {s}: {key}: {m}")));
        }
        match at {
            None => sc.set_whole_run(target, v),
            Some(q) => {
                let q: Quarter = q.parse().map_err(|e| CliError::Input(format!("--set {s}: {e}")))?;
                let t = sc.index_of(q).ok_or_else(|| {
                    CliError::Input(format!(
                        "--set {s}: {q} is outside the horizon {} to {}",
                        sc.start,
                        sc.end()
                    ))
                })?;
                sc.set_lever(target, t, v);
            }
        }
    }
    Ok(())
}

fn write_out(out: Option<&Path>, text: &str) -> Result<(), CliError> {
    match out {
        Some(p) => crate::save::write_atomic(p, text.as_bytes())
            .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", p.display()))),
        None => {
            let mut o = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = o.write_all(text.as_bytes());
            Ok(())
        }
    }
}

pub fn cmd_run(a: &RunArgs) -> Result<(), CliError> {
    let (mut sc, _) = resolve(&a.scenario)?;
    if let Some(q) = a.quarters {
        if !(sim::scenario::MIN_QUARTERS..=sim::scenario::MAX_QUARTERS).contains(&q) {
            return Err(CliError::Input(format!(
                "--quarters {q}: out of range; allowed {} to {}",
                sim::scenario::MIN_QUARTERS,
                sim::scenario::MAX_QUARTERS
            )));
        }
        sc.quarters = q;
        sc.keyframes.retain(|k| k.at < q);
    }
    apply_sets(&mut sc, &a.sets)?;
    let problems = sc.problems();
    if !problems.is_empty() {
        let lines: Vec<String> = problems
            .iter()
            .map(|(p, m)| format!("{}: {p}: {m}", a.scenario))
            .collect();
        return Err(CliError::Input(lines.join("\n")));
    }
    let run = sim::simulate(&sc);
    let text = match a.format {
        Format::Table => report::table(&sc, &run),
        Format::Csv => report::csv(&sc, &run),
        Format::Json => report::json(&sc, &run),
    };
    write_out(a.out.as_deref(), &text)
}

pub fn cmd_check(files: &[PathBuf]) -> i32 {
    let mut bad = 0;
    let mut out = std::io::stdout().lock();
    for f in files {
        match file::load_path(f) {
            // As in `write_out`: a closed pipe (`| head`) must not turn into a panic.
            Ok(_) => {
                let _ = writeln!(out, "{}: ok", f.display());
            }
            Err(e) => {
                eprintln!("{e}");
                bad += 1;
            }
        }
    }
    if bad == 0 { 0 } else { 1 }
}

pub fn cmd_presets() -> Result<(), CliError> {
    let mut out = String::new();
    for name in presets::names() {
        match presets::load(name) {
            Some(Ok(sc)) => out.push_str(&format!(
                "{name:<14} {} ({} to {}): {}\n",
                sc.meta.name,
                sc.start,
                sc.end(),
                sc.meta.description
            )),
            Some(Err(e)) => out.push_str(&format!("{name:<14} (broken: {e})\n")),
            None => {}
        }
    }
    write_out(None, &out)
}

pub fn cmd_params(scenario: Option<&str>) -> Result<(), CliError> {
    let (sc, _) = resolve(scenario.unwrap_or("default"))?;
    let mut out = String::new();
    for &k in sim::MarketKey::ALL {
        let spec = k.spec();
        out.push_str(&format!(
            "market.{:<36} {:>12}  [{}]  {}\n",
            spec.name,
            report::num(sc.market.get(k)),
            spec.range_text(),
            spec.doc
        ));
    }
    for p in &sc.providers {
        for &k in sim::ProviderKey::ALL {
            let spec = k.spec();
            let key = format!("providers.{}.{}", p.id, spec.name);
            out.push_str(&format!(
                "{key:<43} {:>12}  [{}]  {}\n",
                report::num(p.params.get(k)),
                spec.range_text(),
                spec.doc
            ));
        }
    }
    write_out(None, &out)
}

/// No subcommand: the dashboard (until it exists, the league table).
pub fn cmd_open(scenario: Option<&str>) -> Result<(), CliError> {
    let (sc, _) = resolve(scenario.unwrap_or("default"))?;
    let run = sim::simulate(&sc);
    write_out(None, &report::table(&sc, &run))
}
