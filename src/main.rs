#![forbid(unsafe_code)]
//! The `cloudstrat` binary: parses the command line and hands off.

use clap::Parser;
use cloudstrat::cli::{self, Cli, Command};

fn main() {
    let args = Cli::parse();
    let result = match &args.command {
        Some(Command::Run(a)) => cli::cmd_run(a),
        Some(Command::Check { files }) => std::process::exit(cli::cmd_check(files)),
        Some(Command::Presets) => cli::cmd_presets(),
        Some(Command::Fmt { files }) => cli::cmd_fmt(files),
        Some(Command::Montecarlo(a)) => cli::cmd_montecarlo(a),
        Some(Command::Sensitivity(a)) => cli::cmd_sensitivity(a),
        Some(Command::Optimize(a)) => cli::cmd_optimize(a),
        Some(Command::Attribute(a)) => cli::cmd_attribute(a),
        Some(Command::Export(a)) => cli::cmd_export(a),
        Some(Command::Diff { a, b }) => cli::cmd_diff(a, b),
        Some(Command::Backtest(a)) => cli::model::cmd_backtest(a),
        Some(Command::Calibrate(a)) => cli::model::cmd_calibrate(a),
        Some(Command::Sweep(a)) => cli::sweep::cmd_sweep(a),
        Some(Command::Merge(a)) => cli::merge::cmd_merge(a),
        Some(Command::Wargame(a)) => cli::wargame::cmd_wargame(a),
        Some(Command::Replay(a)) => cli::wargame::cmd_replay(a),
        Some(Command::Params { scenario }) => cli::cmd_params(scenario.as_deref()),
        Some(Command::Present { scenario, theme }) => {
            cli::cmd_dashboard(Some(scenario), args.saves_dir.as_deref(), theme.as_deref(), true)
        }
        Some(Command::Completions { shell }) => cli::completions::cmd_completions(*shell),
        Some(Command::Notes { scenario }) => cloudstrat::document::notes::cmd_notes(scenario),
        None => cli::cmd_dashboard_recording(
            args.scenario.as_deref(),
            args.saves_dir.as_deref(),
            args.theme.as_deref(),
            false,
            args.record.as_deref(),
        ),
    };
    if let Err(e) = result {
        cli::warn(&format!("cloudstrat: {}", e.message()));
        std::process::exit(e.exit_code());
    }
}
