//! The command line: argument parsing and the headless subcommands.
//!
//! Owns turning arguments into scenarios and runs into text; the simulation is
//! `sim`'s, file parsing and loading `document`'s, the text forms `output`'s,
//! and the dashboard `ui`'s.

pub mod completions;
pub mod merge;
pub mod model;
pub mod montecarlo;
pub mod sweep;
pub mod values;
pub mod wargame;

pub use montecarlo::{McArgs, McFormat, cmd_montecarlo};

use crate::analysis::{attribution, optimize, sensitivity};
use crate::document::file;
use crate::document::presets;
use crate::document::{CliError, resolve, resolve_document};
use crate::output::export::ExportFormat;
use crate::output::report;
pub use crate::output::{print_out, warn};
use crate::sim::{self, Quarter, Scenario};
use clap::{Parser, Subcommand, ValueEnum};
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
    #[arg(value_parser = values::scenario(), hide_possible_values = true)]
    pub scenario: Option<String>,
    /// Colour theme: dark, light, projector, or the path of a theme file.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Folder the dashboard saves to and opens from (default: $CLOUDSTRAT_SAVES, else the config file's `saves_dir`, else `saves`).
    #[arg(long, value_name = "DIR")]
    pub saves_dir: Option<PathBuf>,
    /// Record the session's lever moves to this file when the dashboard ends (`cloudstrat replay FILE` plays them back).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
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
    /// Monte Carlo over the scenario's uncertain inputs: percentiles per quarter, provider and KPI.
    Montecarlo(McArgs),
    /// Tornado: how much each lever and uncertain input moves one provider's KPI.
    Sensitivity(SensArgs),
    /// Lever settings that maximize a provider's KPI, competitors fixed.
    Optimize(OptArgs),
    /// Split the KPI difference between two strategies among the levers that differ.
    Attribute(AttrArgs),
    /// Differences between two strategy files: levers and parameters, then outcomes at the horizon.
    Diff {
        #[arg(value_parser = values::scenario(), hide_possible_values = true)]
        a: String,
        #[arg(value_parser = values::scenario(), hide_possible_values = true)]
        b: String,
    },
    /// Write a report, the run as CSV and one SVG per chart into a folder.
    Export(ExportArgs),
    /// Present the scenario's story full screen, beat by beat.
    Present {
        /// Strategy file or preset name.
        #[arg(value_parser = values::scenario(), hide_possible_values = true)]
        scenario: String,
        /// Colour theme: dark, light, projector, or the path of a theme file.
        #[arg(long, value_name = "NAME")]
        theme: Option<String>,
    },
    /// Speaker notes: follow a presentation of SCENARIO from another terminal.
    Notes {
        /// The same strategy file or preset name the presenter opened.
        #[arg(value_parser = values::scenario(), hide_possible_values = true)]
        scenario: String,
    },
    /// Rewrite strategy files in the canonical layout (comments are not kept).
    Fmt {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compare a scenario's run with public observations of 2023 onwards.
    Backtest(model::BacktestArgs),
    /// Fit named parameters to the backtest observations and write a new strategy file.
    Calibrate(model::CalibrateArgs),
    /// Every combination of a grid of parameter values: one row per combination and provider.
    Sweep(sweep::SweepArgs),
    /// Combine the partial results of `montecarlo --shard` or `sweep --shard` into one output.
    Merge(merge::MergeArgs),
    /// A war game: seats steer providers round by round (hot-seat, or host/join across terminals).
    Wargame(wargame::WargameArgs),
    /// Step through a war game's rounds, or a recorded dashboard session's lever decisions.
    Replay(wargame::ReplayArgs),
    /// List every parameter key with its unit, range and meaning.
    Params {
        /// Scenario whose provider ids and values to show (default: `default`).
        #[arg(value_parser = values::scenario(), hide_possible_values = true)]
        scenario: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Strategy file or preset name.
    #[arg(value_parser = values::scenario(), hide_possible_values = true)]
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

#[derive(Debug, clap::Args)]
pub struct SensArgs {
    #[arg(value_parser = values::scenario(), hide_possible_values = true)]
    pub scenario: String,
    /// Provider id.
    #[arg(long, value_parser = values::provider(), hide_possible_values = true)]
    pub provider: String,
    /// What to measure.
    #[arg(long, value_enum, default_value = "cumulative_profit")]
    pub kpi: values::KpiArg,
    /// Quarter at which the KPI is measured (default: the last).
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long = "set", value_name = "KEY[@QUARTER]=VALUE")]
    pub sets: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct OptArgs {
    #[arg(value_parser = values::scenario(), hide_possible_values = true)]
    pub scenario: String,
    /// Provider id (not needed with --all).
    #[arg(long, required_unless_present = "all", value_parser = values::provider(), hide_possible_values = true)]
    pub provider: Option<String>,
    /// Comma-separated provider levers, e.g. self_chip_volume,ecosystem_lock_in.
    #[arg(long, default_value = "self_chip_volume,ecosystem_lock_in")]
    pub levers: String,
    /// What to measure.
    #[arg(long, value_enum, default_value = "cumulative_profit")]
    pub kpi: values::KpiArg,
    #[arg(long)]
    pub at: Option<String>,
    /// Iterate best responses for every provider.
    #[arg(long)]
    pub all: bool,
    /// Round limit for --all.
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    #[arg(long = "set", value_name = "KEY[@QUARTER]=VALUE")]
    pub sets: Vec<String>,
    /// Write the scenario with the optimized levers to this strategy file.
    #[arg(long)]
    pub save: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(value_parser = values::scenario(), hide_possible_values = true)]
    pub scenario: String,
    /// Folder to write into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// `md`: report.md, run.csv and SVG charts; `html`: one self-contained
    /// report.html; `slides`: a deck.html that presents itself in a browser;
    /// `png`: the charts at 1920×1080 and 3840×2160; `xlsx`: a workbook with a
    /// native chart per metric.
    #[arg(long, value_enum, default_value_t = ExportKind::Md)]
    pub format: ExportKind,
    #[arg(long = "set", value_name = "KEY[@QUARTER]=VALUE")]
    pub sets: Vec<String>,
    /// Also run a Monte Carlo of this many runs and draw its bands on the charts.
    #[arg(long, value_name = "N")]
    pub runs: Option<usize>,
    /// Compare with this strategy file or preset instead of the baseline pinned in the file.
    #[arg(long, value_name = "SCENARIO", conflicts_with = "no_baseline")]
    pub baseline: Option<String>,
    /// Leave out the baseline pinned in the strategy file.
    #[arg(long)]
    pub no_baseline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    Md,
    Html,
    Slides,
    Png,
    Xlsx,
}

#[derive(Debug, clap::Args)]
pub struct AttrArgs {
    /// The baseline strategy.
    #[arg(value_parser = values::scenario(), hide_possible_values = true)]
    pub base: String,
    /// The strategy to explain.
    #[arg(value_parser = values::scenario(), hide_possible_values = true)]
    pub current: String,
    #[arg(long, value_parser = values::provider(), hide_possible_values = true)]
    pub provider: String,
    /// What to measure.
    #[arg(long, value_enum, default_value = "cumulative_profit")]
    pub kpi: values::KpiArg,
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
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
        let v = values::number(value).map_err(|e| CliError::Input(format!("--set {s}: {e}")))?;
        if let Some(m) = target.spec().check(v) {
            return Err(CliError::Input(format!("--set {s}: {key}: {m}")));
        }
        // A value the user fixes is no longer uncertain: a Monte Carlo (`export
        // --runs`) keeps it instead of drawing over it.
        match at {
            None => {
                sc.set_whole_run(target, v);
                sc.uncertainty.retain(|u| u.target != target);
            }
            Some(q) => {
                let q: Quarter = q.parse().map_err(|e| CliError::Input(format!("--set {s}: {e}")))?;
                let t = sc.index_of(q).ok_or_else(|| {
                    CliError::Input(format!(
                        "--set {s}: {q} is outside the horizon {} to {}",
                        sc.start,
                        sc.end()
                    ))
                })?;
                if target.is_start_only() && t > 0 {
                    return Err(CliError::Input(format!(
                        "--set {s}: {key} describes the starting position and acts only at the start; set it without @QUARTER"
                    )));
                }
                sc.set_lever(target, t, v);
                let fixed = if t == 0 { None } else { Some(t) };
                sc.uncertainty.retain(|u| !(u.target == target && u.at == fixed));
            }
        }
    }
    // Each value is in its range, but together they may break a rule (initial
    // shares above 1). The scenario loaded without problems, so the flags did it:
    // they are named, as there is no place in a file to point at.
    let problems = sc.problems();
    if !sets.is_empty() && !problems.is_empty() {
        let flags: Vec<String> = sets.iter().map(|s| format!("--set {s}")).collect();
        let flags = flags.join(" ");
        let lines: Vec<String> = problems.iter().map(|(p, m)| format!("{flags}: {p}: {m}")).collect();
        return Err(CliError::Input(lines.join("\n")));
    }
    Ok(())
}

/// Writes `text` to `--out` (through the one write path; a path the user
/// named may be a link or a device such as `/dev/null`) or to standard output.
pub fn write_out(out: Option<&Path>, text: &str) -> Result<(), CliError> {
    match out {
        Some(p) => {
            crate::document::save::write_file(p, text.as_bytes(), &crate::document::save::WriteOptions::output())
                .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", p.display())))
        }
        None => print_out(text),
    }
}

pub fn cmd_run(a: &RunArgs) -> Result<(), CliError> {
    let (mut sc, _) = resolve(&a.scenario)?;
    if let Some(q) = a.quarters {
        if !(sim::scenario::MIN_QUARTERS..=sim::scenario::MAX_QUARTERS).contains(&q) {
            return Err(CliError::Usage(format!(
                "--quarters {q}: out of range; allowed {} to {}",
                sim::scenario::MIN_QUARTERS,
                sim::scenario::MAX_QUARTERS
            )));
        }
        sc.set_quarters(q);
    }
    apply_sets(&mut sc, &a.sets)?;
    let problems = sc.problems();
    if !problems.is_empty() {
        // Only `--quarters` is left to have broken a rule (the horizon past 2500).
        let flag = a.quarters.map(|q| format!(" with --quarters {q}")).unwrap_or_default();
        let lines: Vec<String> = problems
            .iter()
            .map(|(p, m)| format!("{}{flag}: {p}: {m}", a.scenario))
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
    for f in files {
        match file::load_path(f) {
            Ok(sc) => {
                // Loading succeeded, so the text is readable. Placeholders the
                // scenario cannot fill fail the check; figures typed into the
                // narration are worth a warning only.
                let text = crate::document::save::read_regular(f, file::MAX_FILE_BYTES, true)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let problems = crate::output::narration::check(&text, &sc);
                if !problems.is_empty() {
                    warn(
                        &file::LoadError::Narration {
                            file: f.display().to_string(),
                            problems,
                        }
                        .to_string(),
                    );
                    bad += 1;
                    continue;
                }
                if let Err(e) = print_out(&format!(
                    "{}: ok\n",
                    crate::document::clean::for_terminal(&f.display().to_string())
                )) {
                    warn(&format!("cloudstrat: {}", e.message()));
                    return 1;
                }
                let layout = crate::document::locate::Layout::of(text.strip_prefix('\u{feff}').unwrap_or(&text));
                for (i, label, lo, hi, v) in crate::sim::uncertainty::outside_their_value(&sc) {
                    let place = layout
                        .find(&format!("uncertainty[{i}].dist"))
                        .filter(|p| p.exact)
                        .map(|p| format!(":{}:{}", p.place.0, p.place.1))
                        .unwrap_or_default();
                    warn(&format!(
                        "{}{place}: warning: uncertainty[{i}] ({label}) draws from {lo} to {hi}, which leaves out the value in force, {v}",
                        f.display()
                    ));
                }
                for w in crate::output::narration::warnings(&text, &sc) {
                    warn(&format!(
                        "{}:{}:{}: warning: {}: {}",
                        f.display(),
                        w.line,
                        w.col,
                        w.path,
                        w.message
                    ));
                }
            }
            Err(e) => {
                warn(&e.to_string());
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
            Some(Ok(sc)) => {
                // Names often state their horizon already; say it only when they don't.
                let span = format!("{} to {}", sc.start, sc.end());
                let horizon = if sc.meta.name.contains(&span) {
                    String::new()
                } else {
                    format!(" ({span})")
                };
                out.push_str(&format!(
                    "{name:<20} {}{horizon}: {}\n",
                    sc.meta.name, sc.meta.description
                ));
            }
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
            crate::format::num(sc.market.get(k)),
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
                crate::format::num(p.params.get(k)),
                spec.range_text(),
                spec.doc
            ));
        }
    }
    write_out(None, &out)
}

/// The dashboard in a theme, optionally presenting from the start (`cloudstrat present`).
/// Flags win over `$CLOUDSTRAT_SAVES`, which wins over the config file
/// (`document::places`); a broken config file is reported and skipped.
pub fn cmd_dashboard(
    scenario: Option<&str>,
    saves_dir: Option<&Path>,
    theme: Option<&str>,
    present: bool,
) -> Result<(), CliError> {
    cmd_dashboard_recording(scenario, saves_dir, theme, present, None)
}

/// [`cmd_dashboard`] that, with `record`, writes the session's lever moves
/// there when it ends (`--record`, played back by `cloudstrat replay`).
pub fn cmd_dashboard_recording(
    scenario: Option<&str>,
    saves_dir: Option<&Path>,
    theme: Option<&str>,
    present: bool,
    record: Option<&Path>,
) -> Result<(), CliError> {
    use crate::document::places::{self, Places};
    use std::io::IsTerminal;
    let env = std::env::var_os(crate::document::storage::SAVES_ENV);
    let asked = places::Asked {
        scenario,
        theme,
        saves_dir,
        saves_env: env.as_deref(),
    };
    let places = Places::from_env();
    let mut settings = places::settle(asked, &places);
    let (doc, source) = resolve_document(&settings.scenario)?;
    let theme = match (theme, settings.theme.as_deref()) {
        (Some(t), _) => Some(crate::ui::Theme::load(t).map_err(|e| CliError::Input(format!("--theme: {e}")))?),
        (None, Some(t)) => match crate::ui::Theme::load(t) {
            Ok(t) => Some(t),
            Err(e) => {
                settings.warning = Some(format!("config file: theme: {e}; starting in the default theme"));
                None
            }
        },
        (None, None) => None,
    };
    if let Some(w) = &settings.warning {
        warn(&format!("cloudstrat: {w}"));
    }
    if !std::io::stdout().is_terminal() {
        let run = sim::simulate(&doc.scenario);
        return write_out(None, &report::table(&doc.scenario, &run));
    }
    let mut storage = crate::document::storage::Storage::new(settings.saves_dir);
    if let Some(dir) = settings.autosave_dir {
        storage = storage.with_autosave_dir(dir);
    }
    let options = crate::ui::Options {
        theme,
        present,
        notice: settings.warning.map(|w| places::with_tilde(&w, &places)),
        record: record.map(Path::to_path_buf),
    };
    crate::ui::run_document_with(doc, source, storage, &options).map_err(|e| CliError::Input(format!("dashboard: {e}")))
}

pub fn cmd_fmt(files: &[PathBuf]) -> Result<(), CliError> {
    for f in files {
        let doc = file::load_document(f)?;
        let text = file::to_ron_document(&doc.scenario, doc.baseline.as_ref());
        let before = std::fs::read_to_string(f).unwrap_or_default();
        // The canonical form has no comments: the previous version is kept.
        let options = crate::document::save::WriteOptions::document().with_backup();
        crate::document::save::write_file(f, text.as_bytes(), &options)
            .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", f.display())))?;
        if before.contains("//") || before.contains("/*") {
            warn(&format!(
                "{}: comments are not kept in the canonical form; the previous version is {}",
                f.display(),
                crate::document::save::backup_path(f).display()
            ));
        }
    }
    Ok(())
}

fn provider_arg(sc: &Scenario, id: &str) -> Result<usize, CliError> {
    sc.provider_index(id).ok_or_else(|| {
        CliError::Usage(format!(
            "--provider {id}: no such provider{}; this scenario has {}",
            crate::suggest::did_you_mean(id, sc.providers.iter().map(|p| p.id.as_str())),
            sc.providers
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

fn quarter_arg(sc: &Scenario, at: Option<&str>) -> Result<u32, CliError> {
    match at {
        None => Ok(sc.quarters - 1),
        Some(q) => {
            let q: Quarter = q.parse().map_err(|e| CliError::Usage(format!("--at: {e}")))?;
            sc.index_of(q)
                .ok_or_else(|| CliError::Usage(format!("--at {q}: outside the horizon {} to {}", sc.start, sc.end())))
        }
    }
}

fn load_with_sets(arg: &str, sets: &[String]) -> Result<Scenario, CliError> {
    let (mut sc, _) = resolve(arg)?;
    apply_sets(&mut sc, sets)?;
    Ok(sc)
}

pub fn cmd_sensitivity(a: &SensArgs) -> Result<(), CliError> {
    let sc = load_with_sets(&a.scenario, &a.sets)?;
    let i = provider_arg(&sc, &a.provider)?;
    let kpi = a.kpi.0;
    let t = quarter_arg(&sc, a.at.as_deref())?;
    let tornado = sensitivity::sensitivity(&sc, i, kpi, t);
    write_out(None, &report::tornado(&tornado))
}

pub fn cmd_optimize(a: &OptArgs) -> Result<(), CliError> {
    let sc = load_with_sets(&a.scenario, &a.sets)?;
    let kpi = a.kpi.0;
    let t = quarter_arg(&sc, a.at.as_deref())?;
    let levers = a
        .levers
        .split(',')
        .map(|l| {
            crate::sim::ProviderKey::from_name(l.trim()).ok_or_else(|| {
                CliError::Usage(format!(
                    "--levers: `{}` is not a provider parameter{}",
                    l.trim(),
                    crate::suggest::did_you_mean(l.trim(), crate::sim::ProviderKey::ALL.iter().map(|k| k.name()))
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if a.rounds == 0 {
        return Err(CliError::Usage("--rounds 0: allowed 1 or more".into()));
    }
    let (text, result) = if a.all {
        let eq = optimize::best_responses(&sc, &levers, kpi, t, a.rounds);
        (report::equilibrium(&eq), eq.scenario)
    } else {
        let id = a.provider.as_deref().unwrap_or_default();
        let i = provider_arg(&sc, id)?;
        let o = optimize::optimize(&sc, i, &levers, kpi, t);
        let mut out = sc.clone();
        o.apply(&mut out);
        (report::optimum(&o), out)
    };
    if let Some(path) = &a.save {
        // Only a scenario `check` accepts is written (the search never picks another; this makes sure).
        if let Some((p, m)) = result.problems().first() {
            return Err(CliError::Input(format!(
                "{}: not written: the optimized scenario breaks a rule: {p}: {m}",
                path.display()
            )));
        }
        crate::document::save::write_atomic(path, file::to_ron(&result).as_bytes())
            .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", path.display())))?;
    }
    write_out(None, &text)
}

pub fn cmd_attribute(a: &AttrArgs) -> Result<(), CliError> {
    let (base, _) = resolve(&a.base)?;
    let (cur, _) = resolve(&a.current)?;
    let same = base.providers.len() == cur.providers.len()
        && base.providers.iter().zip(&cur.providers).all(|(x, y)| x.id == y.id)
        && base.quarters == cur.quarters
        && base.start == cur.start;
    if !same {
        return Err(CliError::Input(
            "the two strategies must have the same providers, start and horizon to be compared lever by lever".into(),
        ));
    }
    let i = provider_arg(&cur, &a.provider)?;
    let kpi = a.kpi.0;
    let t = quarter_arg(&cur, a.at.as_deref())?;
    let at = attribution::attribute(&base, &cur, i, kpi, t);
    write_out(None, &report::attribution(&at, kpi))
}

pub fn cmd_export(a: &ExportArgs) -> Result<(), CliError> {
    let (doc, _) = crate::document::resolve_document(&a.scenario)?;
    let mut sc = doc.scenario;
    apply_sets(&mut sc, &a.sets)?;
    let format = match a.format {
        ExportKind::Md => ExportFormat::Markdown,
        ExportKind::Html => ExportFormat::Html,
        ExportKind::Slides => ExportFormat::Slides,
        ExportKind::Png => ExportFormat::Png,
        ExportKind::Xlsx => ExportFormat::Xlsx,
    };
    // The baseline pinned in the file is the comparison the slides carry.
    let pinned = match &a.baseline {
        Some(other) => Some(resolve(other)?.0),
        None => doc.baseline.filter(|_| !a.no_baseline),
    };
    let baseline = match pinned.map(|b| sim::simulate(&b)) {
        Some(b) if b.quarters != sc.quarters || b.providers != sc.providers.len() => {
            return Err(CliError::Input(
                "the baseline must have the same providers and horizon as the scenario to be drawn beside it".into(),
            ));
        }
        b => b,
    };
    let fan = match a.runs {
        None => None,
        Some(0) | Some(10_000_001..) => {
            return Err(CliError::Usage("--runs: allowed 1 to 10000000".into()));
        }
        Some(runs) => {
            let cancel = std::sync::atomic::AtomicBool::new(false);
            crate::analysis::montecarlo::monte_carlo(&sc, runs, 1, &|_| {}, &cancel)
        }
    };
    let cmp = crate::output::svg::Comparison {
        baseline: baseline.as_ref(),
        fan: fan.as_ref(),
    };
    let written = crate::output::write_export(&sc, &a.out, cmp, format)?;
    let list: String = written.iter().map(|p| format!("{}\n", p.display())).collect();
    write_out(None, &list)
}

pub fn cmd_diff(a: &str, b: &str) -> Result<(), CliError> {
    let (sa, _) = resolve(a)?;
    let (sb, _) = resolve(b)?;
    write_out(None, &report::diff(a, &sa, b, &sb))
}
