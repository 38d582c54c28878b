//! `cloudstrat wargame …` and `cloudstrat replay`: setting up a war game from
//! the command line, the hot-seat loop, hosting and joining over TCP,
//! resuming from the game file, exporting a round's report, and replaying a
//! game or a recorded dashboard session. The rules are `crate::wargame::rules`,
//! the screens `crate::wargame::screens`, the network `crate::wargame::net`.

use super::ExportKind;
use crate::document::{CliError, resolve};
use crate::output::export::ExportFormat;
use crate::ui::EventSource;
use crate::wargame::file::{self as gamefile, GameFile};
use crate::wargame::report::{Audience, final_ranking, round_report};
use crate::wargame::screens::{Effect, HotSeat};
use crate::wargame::{Game, SeatKind, SeatSpec};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, KeyEventKind};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct WargameArgs {
    #[command(subcommand)]
    pub command: Option<WargameCommand>,
    #[command(flatten)]
    pub setup: SetupArgs,
}

#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    /// Strategy file or preset name to play.
    pub scenario: Option<String>,
    /// Comma-separated provider ids played by people, e.g. hyper,eco,neo.
    #[arg(long, value_delimiter = ',')]
    pub seats: Vec<String>,
    /// Provider ids played by the best-response search (repeatable or comma-separated).
    #[arg(long = "bot", value_delimiter = ',')]
    pub bots: Vec<String>,
    /// Quarters per round (default 4: a year a round).
    #[arg(long, default_value_t = 4)]
    pub round_quarters: u32,
    /// The game file, written after every round and every sealed decision
    /// (default: <saves>/wargames/<scenario>-<time>.ron).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum WargameCommand {
    /// Host a game for players in other terminals; prints one join token per seat.
    Host(HostArgs),
    /// Join a hosted game as one seat, in this terminal.
    Join(JoinArgs),
    /// Continue a game from its game file (hot-seat, or hosting again).
    Resume(ResumeArgs),
    /// Export the report of one round of a game, as `cloudstrat export` does.
    Export(GameExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct HostArgs {
    #[command(flatten)]
    pub setup: SetupArgs,
    /// Address to listen on. Anything but loopback lets other machines
    /// connect: tokens are the only protection (no TLS; use SSH).
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub listen: String,
    /// Minutes per round; when the time is up the round resolves (seats that
    /// did not submit keep their last decisions). Default: no limit.
    #[arg(long)]
    pub round_minutes: Option<f64>,
}

#[derive(Debug, clap::Args)]
pub struct JoinArgs {
    /// The host's address, HOST:PORT.
    pub address: String,
    /// The provider id of your seat.
    #[arg(long)]
    pub seat: String,
    /// The token the host printed for your seat.
    #[arg(long)]
    pub token: String,
    /// Your name, shown to the others.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The game file.
    pub game: PathBuf,
    /// Host on this address instead of the one in the file (a hosted game only).
    #[arg(long)]
    pub listen: Option<String>,
    /// Minutes per round when hosting (see `wargame host`).
    #[arg(long)]
    pub round_minutes: Option<f64>,
}

#[derive(Debug, clap::Args)]
pub struct GameExportArgs {
    /// The game file.
    pub game: PathBuf,
    /// The round whose report to export (default: the last resolved).
    #[arg(long)]
    pub round: Option<u32>,
    /// Folder to write into.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = ExportKind::Md)]
    pub format: ExportKind,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A game file, or a dashboard session recorded with `--record`.
    pub game: PathBuf,
    /// Print only this round (or session step).
    #[arg(long)]
    pub round: Option<u32>,
}

pub fn export_format(k: ExportKind) -> ExportFormat {
    match k {
        ExportKind::Md => ExportFormat::Markdown,
        ExportKind::Html => ExportFormat::Html,
        ExportKind::Slides => ExportFormat::Slides,
        ExportKind::Png => ExportFormat::Png,
        ExportKind::Xlsx => ExportFormat::Xlsx,
    }
}

/// 32 hexadecimal digits from the system's random source.
pub fn new_token() -> Result<String, CliError> {
    use std::io::Read;
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(|e| CliError::Input(format!("cannot draw a join token from /dev/urandom: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The game the setup arguments describe, with fresh tokens.
pub fn new_game(setup: &SetupArgs) -> Result<(Game, String), CliError> {
    let arg = setup
        .scenario
        .as_deref()
        .ok_or_else(|| CliError::Usage("wargame: name a SCENARIO (a strategy file or preset)".into()))?;
    let (sc, _) = resolve(arg)?;
    let mut specs: Vec<SeatSpec> = Vec::new();
    for id in setup.seats.iter().chain(&setup.bots) {
        let id = id.trim();
        if id.is_empty() || specs.iter().any(|s| s.id == id) {
            continue;
        }
        let kind = if setup.bots.iter().any(|b| b.trim() == id) {
            SeatKind::Bot
        } else {
            SeatKind::Human
        };
        specs.push(SeatSpec {
            id: id.to_string(),
            kind,
            token: new_token()?,
        });
    }
    if specs.is_empty() {
        return Err(CliError::Usage(
            "wargame: --seats names no seat; give provider ids, e.g. --seats hyper,eco,neo".into(),
        ));
    }
    let game = Game::new(sc, &specs, setup.round_quarters).map_err(|e| CliError::Usage(format!("wargame: {e}")))?;
    Ok((game, arg.to_string()))
}

/// Where the game file goes when `--out` is not given.
pub fn default_game_path(scenario_arg: &str) -> PathBuf {
    let env = std::env::var_os(crate::document::storage::SAVES_ENV);
    let dir = crate::document::storage::saves_dir(None, env.as_deref()).join("wargames");
    let stem: String = Path::new(scenario_arg)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "game".into())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' })
        .collect();
    dir.join(format!("{stem}-{}.ron", chrono::Utc::now().format("%Y%m%d-%H%M%S")))
}

/// Writes the game file; the folder is made if missing.
pub fn save_game(path: &Path, game: &Game, listen: Option<&str>) -> Result<(), CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Input(format!("{}: cannot create folder: {e}", dir.display())))?;
    }
    gamefile::save(path, &gamefile::game_to_ron(game, listen)).map_err(|e| CliError::Input(e.to_string()))
}

/// Writes round `n`'s report as `cloudstrat export` writes a scenario: the
/// scenario with every decision up to the round, cut at its last quarter.
pub fn export_round(game: &Game, n: u32, dir: &Path, format: ExportFormat) -> Result<Vec<PathBuf>, CliError> {
    if n == 0 || n as usize > game.rounds.len() {
        return Err(CliError::Usage(format!(
            "--round {n}: the game has {} resolved round(s)",
            game.rounds.len()
        )));
    }
    let mut sc = game.round_scenario(n);
    sc.meta.name = format!("{}: war game, round {n}", sc.meta.name);
    let round = &game.rounds[n as usize - 1];
    let mut order: Vec<usize> = (0..game.seats.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&round.results[a], &round.results[b]);
        x.exited
            .cmp(&y.exited)
            .then(y.cumulative_net_profit_musd.total_cmp(&x.cumulative_net_profit_musd))
    });
    let ranked: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(rank, &i)| {
            format!(
                "{}. {} {}",
                rank + 1,
                game.seats[i].id,
                crate::format::musd(round.results[i].cumulative_net_profit_musd)
            )
        })
        .collect();
    sc.meta.description = format!(
        "War game, round {n} of {} ({} to {}), ranked by net profit since the start: {}. Each seat's decisions are its keyframes below; round-report.txt has the round's full report.",
        game.round_count(),
        sc.quarter_at(round.from).label(),
        sc.quarter_at(round.to).label(),
        ranked.join(", ")
    );
    let mut written = crate::output::write_export(&sc, dir, crate::output::svg::Comparison::default(), format)?;
    let text_path = dir.join("round-report.txt");
    crate::document::save::write_atomic(&text_path, round_report(game, n, Audience::Facilitator).as_bytes())
        .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", text_path.display())))?;
    written.push(text_path);
    Ok(written)
}

/// The folder a round's report is exported to from the game's screens.
pub fn round_export_dir(game_path: &Path, n: u32) -> PathBuf {
    let stem = game_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    game_path
        .with_file_name(format!("{stem}-exports"))
        .join(format!("round-{n}"))
}

pub fn cmd_wargame(a: &WargameArgs) -> Result<(), CliError> {
    match &a.command {
        Some(WargameCommand::Host(h)) => cmd_host(h),
        Some(WargameCommand::Join(j)) => cmd_join(j),
        Some(WargameCommand::Resume(r)) => cmd_resume(r),
        Some(WargameCommand::Export(e)) => cmd_game_export(e),
        None => {
            let (game, arg) = new_game(&a.setup)?;
            let path = a.setup.out.clone().unwrap_or_else(|| default_game_path(&arg));
            save_game(&path, &game, None)?;
            run_hotseat_terminal(game, &path)
        }
    }
}

fn load_game(path: &Path) -> Result<(Game, Option<String>), CliError> {
    match gamefile::load(path).map_err(|e| CliError::Input(e.to_string()))? {
        GameFile::Game { game, listen } => Ok((*game, listen)),
        GameFile::Session(_) => Err(CliError::Input(format!(
            "{}: this is a recorded dashboard session, not a war game; `cloudstrat replay` plays it back",
            path.display()
        ))),
    }
}

fn cmd_resume(r: &ResumeArgs) -> Result<(), CliError> {
    let (game, listen) = load_game(&r.game)?;
    match r.listen.clone().or(listen) {
        Some(addr) => host_game(game, &r.game, &addr, r.round_minutes),
        None => run_hotseat_terminal(game, &r.game),
    }
}

fn cmd_game_export(a: &GameExportArgs) -> Result<(), CliError> {
    let (game, _) = load_game(&a.game)?;
    let n = a.round.unwrap_or(game.rounds.len() as u32);
    let written = export_round(&game, n, &a.out, export_format(a.format))?;
    let list: String = written.iter().map(|p| format!("{}\n", p.display())).collect();
    super::write_out(None, &list)
}

fn run_hotseat_terminal(game: Game, path: &Path) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(CliError::Usage(format!(
            "a hot-seat game needs a terminal; the game file is {} (`cloudstrat wargame resume` continues it)",
            path.display()
        )));
    }
    let mut hot = HotSeat::new(game);
    let result = crate::ui::with_terminal(|terminal, events| run_hotseat(terminal, &mut hot, events, path));
    crate::output::warn(&format!("cloudstrat: the game is saved in {}", path.display()));
    match result {
        Ok(r) => r,
        Err(e) => Err(terminal_ended("wargame", e)),
    }
}

/// The error of a terminal session that ended badly. A signal ends the
/// process with 128 + its number, as the dashboard does.
fn terminal_ended(what: &str, e: std::io::Error) -> CliError {
    if let Some(sig) = crate::ui::signals::Signalled::of(&e) {
        crate::output::warn(&format!("cloudstrat: {sig}"));
        std::process::exit(sig.exit_code());
    }
    CliError::Input(format!("{what}: {e}"))
}

/// The hot-seat loop: draw, wait for a key, apply it; the game file is
/// written after every sealed decision and every round. Runs until `q` or
/// the events run out.
pub fn run_hotseat<B: Backend>(
    terminal: &mut Terminal<B>,
    hot: &mut HotSeat,
    events: &mut impl EventSource,
    path: &Path,
) -> std::io::Result<Result<(), CliError>>
where
    B::Error: Send + Sync + 'static,
{
    loop {
        terminal
            .draw(|f| hot.draw(f))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let Some(ev) = events.next_event(None)? else {
            return Ok(Ok(()));
        };
        let Event::Key(k) = ev else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        for effect in hot.key(&k) {
            match effect {
                Effect::Save => {
                    if let Err(e) = save_game(path, &hot.game, None) {
                        hot.status = format!("NOT SAVED: {}", e.message());
                    }
                }
                Effect::Export(n) => {
                    let dir = round_export_dir(path, n);
                    hot.status = match export_round(&hot.game, n, &dir, ExportFormat::Markdown) {
                        Ok(_) => format!("round {n} exported to {}", dir.display()),
                        Err(e) => format!("export failed: {}", e.message()),
                    };
                }
                Effect::Quit => return Ok(Ok(())),
            }
        }
    }
}

/// `cloudstrat replay GAME.ron`: every round's report (or every step of a
/// recorded session), recomputed from the decisions; loading already checked
/// that each round gives the results the file recorded.
pub fn cmd_replay(a: &ReplayArgs) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let file = gamefile::load(&a.game).map_err(|e| CliError::Input(e.to_string()))?;
    let text = replay_text(&file, a.round)?;
    if !std::io::stdout().is_terminal() {
        return super::write_out(None, &text);
    }
    let mut screen = crate::wargame::screens::ReplayScreen::new(file, a.round.unwrap_or(1));
    crate::ui::with_terminal(|terminal, events| run_replay(terminal, &mut screen, events))
        .map_err(|e| CliError::Input(format!("replay: {e}")))
}

/// The replay's loop: a round (or step) a screen until `q`.
pub fn run_replay<B: Backend>(
    terminal: &mut Terminal<B>,
    screen: &mut crate::wargame::screens::ReplayScreen,
    events: &mut impl EventSource,
) -> std::io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    loop {
        terminal
            .draw(|f| screen.draw(f))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let Some(ev) = events.next_event(None)? else {
            return Ok(());
        };
        if let Event::Key(k) = ev
            && k.kind != KeyEventKind::Release
            && !screen.key(&k)
        {
            return Ok(());
        }
    }
}

/// The replay's text; `only` picks one round or step.
pub fn replay_text(file: &GameFile, only: Option<u32>) -> Result<String, CliError> {
    let mut out = String::new();
    match file {
        GameFile::Game { game, .. } => {
            let n = game.rounds.len() as u32;
            if let Some(r) = only
                && (r == 0 || r > n)
            {
                return Err(CliError::Usage(format!(
                    "--round {r}: the game has {n} resolved round(s)"
                )));
            }
            out.push_str(&format!(
                "{}: war game, {} seat(s), {} quarter(s) a round, {n} of {} round(s) played\n\n",
                game.scenario.meta.name,
                game.seats.len(),
                game.round_quarters,
                game.round_count()
            ));
            for r in 1..=n {
                if only.is_some_and(|o| o != r) {
                    continue;
                }
                out.push_str(&round_report(game, r, Audience::Facilitator));
                out.push('\n');
            }
            if game.is_over() && only.is_none() {
                out.push_str(&final_ranking(game));
            }
        }
        GameFile::Session(s) => {
            let n = s.steps.len() as u32;
            if let Some(r) = only
                && (r == 0 || r > n)
            {
                return Err(CliError::Usage(format!("--round {r}: the session has {n} step(s)")));
            }
            out.push_str(&format!(
                "{}: recorded session, {n} lever decision(s)\n\n",
                s.scenario.meta.name
            ));
            for (i, &(at, r, v)) in s.steps.iter().enumerate() {
                let step = i as u32 + 1;
                if only.is_some_and(|o| o != step) {
                    continue;
                }
                let sc = s.after(i + 1);
                let run = crate::sim::simulate(&sc);
                out.push_str(&format!(
                    "Step {step} of {n}: {} = {} from {}\n",
                    sc.key_name(r),
                    crate::format::num(v),
                    sc.quarter_at(at)
                ));
                out.push_str(&crate::output::report::table(&sc, &run));
                out.push('\n');
            }
        }
    }
    Ok(out)
}

fn round_limit(minutes: Option<f64>) -> Result<Option<std::time::Duration>, CliError> {
    match minutes {
        None => Ok(None),
        Some(m) if m.is_finite() && m > 0.0 && m <= 24.0 * 60.0 => {
            Ok(Some(std::time::Duration::from_secs_f64(m * 60.0)))
        }
        Some(m) => Err(CliError::Usage(format!(
            "--round-minutes {m}: allowed more than 0 up to 1440"
        ))),
    }
}

fn cmd_host(h: &HostArgs) -> Result<(), CliError> {
    let (game, arg) = new_game(&h.setup)?;
    let path = h.setup.out.clone().unwrap_or_else(|| default_game_path(&arg));
    host_game(game, &path, &h.listen, h.round_minutes)
}

/// The address is loopback (or names this machine only).
fn is_loopback(listen: &str) -> bool {
    use std::net::ToSocketAddrs;
    listen
        .to_socket_addrs()
        .map(|mut a| a.all(|a| a.ip().is_loopback()))
        .unwrap_or(false)
}

/// Hosts `game`: prints the join commands, then runs the facilitator's view
/// (or, without a terminal, serves headless, logging to standard error,
/// until the game is over or a signal ends it).
pub fn host_game(game: Game, path: &Path, listen: &str, minutes: Option<f64>) -> Result<(), CliError> {
    use crate::wargame::net::{Host, HostOptions, lock};
    use std::io::IsTerminal;
    let options = HostOptions {
        round_limit: round_limit(minutes)?,
        ..HostOptions::default()
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Input(format!("{}: cannot create folder: {e}", dir.display())))?;
    }
    let host = Host::start(game, path, listen, options)
        .map_err(|e| CliError::Input(format!("--listen {listen}: cannot listen: {e}")))?;
    if !is_loopback(listen) {
        crate::output::warn(&format!(
            "cloudstrat: warning: listening on {listen}, reachable from other machines; the join tokens are the only protection and nothing is encrypted (players far away: use an SSH tunnel to a loopback host)"
        ));
    }
    let mut text = format!("war game hosted on {}; game file {}\n", host.addr, path.display());
    {
        let s = lock(&host.shared);
        for seat in s.game.seats.iter().filter(|s| s.kind == SeatKind::Human) {
            text.push_str(&format!(
                "seat {:<6} cloudstrat wargame join {} --seat {} --token {}\n",
                seat.id, host.addr, seat.id, seat.token
            ));
        }
    }
    super::write_out(None, &text)?;
    if !std::io::stdout().is_terminal() {
        return serve_headless(host);
    }
    let mut fac = crate::wargame::screens::Facilitator::default();
    let result = crate::ui::with_terminal(|terminal, events| run_facilitator(terminal, &host, &mut fac, events, path));
    host.stop();
    crate::output::warn(&format!("cloudstrat: the game is saved in {}", path.display()));
    match result {
        Ok(()) => Ok(()),
        Err(e) => Err(terminal_ended("wargame host", e)),
    }
}

fn serve_headless(host: crate::wargame::net::Host) -> Result<(), CliError> {
    use crate::wargame::net::lock;
    let signals = crate::ui::signals::Signals::install().map_err(|e| CliError::Input(format!("signals: {e}")))?;
    let mut printed = 0;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let over = {
            let mut s = lock(&host.shared);
            s.tick();
            let lines: Vec<String> = s.log.iter().skip(printed.min(s.log.len())).cloned().collect();
            printed = s.log.len();
            for l in lines {
                crate::output::warn(&l);
            }
            s.game.is_over()
        };
        if over {
            // Let the last states reach the players.
            std::thread::sleep(std::time::Duration::from_millis(500));
            host.stop();
            return Ok(());
        }
        if let Some(sig) = signals.pending() {
            host.stop();
            crate::output::warn(&format!("cloudstrat: {sig}"));
            std::process::exit(sig.exit_code());
        }
    }
}

/// The facilitator's loop: redraws a few times a second (the clock, players
/// coming and going), applies keys.
pub fn run_facilitator<B: Backend>(
    terminal: &mut Terminal<B>,
    host: &crate::wargame::net::Host,
    fac: &mut crate::wargame::screens::Facilitator,
    events: &mut impl EventSource,
    path: &Path,
) -> std::io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    use crate::wargame::net::lock;
    use crate::wargame::screens::FacilitatorAction;
    loop {
        {
            let mut s = lock(&host.shared);
            s.tick();
            terminal
                .draw(|f| fac.draw(f, &s))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        if events.is_exhausted() {
            return Ok(());
        }
        let Some(ev) = events.next_event(Some(std::time::Duration::from_millis(250)))? else {
            continue;
        };
        let Event::Key(k) = ev else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        let mut s = lock(&host.shared);
        let resolved = s.game.rounds.len() as u32;
        match fac.key(&k, resolved) {
            Some(FacilitatorAction::Resolve) => {
                let forced = !s.game.all_submitted();
                s.resolve(forced);
                fac.round = 0;
            }
            Some(FacilitatorAction::TogglePause) => {
                let p = !s.paused;
                s.set_paused(p);
            }
            Some(FacilitatorAction::Export(n)) => {
                let dir = round_export_dir(path, n);
                fac.status = match export_round(&s.game, n, &dir, ExportFormat::Markdown) {
                    Ok(_) => format!("round {n} exported to {}", dir.display()),
                    Err(e) => format!("export failed: {}", e.message()),
                };
            }
            Some(FacilitatorAction::Quit) => return Ok(()),
            None => {}
        }
    }
}

fn cmd_join(j: &JoinArgs) -> Result<(), CliError> {
    use crate::wargame::net::{Player, PlayerError};
    use std::io::IsTerminal;
    let player = Player::join(&j.address, &j.seat, &j.token, j.name.as_deref()).map_err(|e| match e {
        PlayerError::Refused { message, .. } => CliError::Input(format!("wargame join: the host refused: {message}")),
        e => CliError::Input(format!("wargame join: {e}")),
    })?;
    if !std::io::stdout().is_terminal() {
        return Err(CliError::Usage("wargame join needs a terminal".into()));
    }
    let result = crate::ui::with_terminal(|terminal, events| run_player(terminal, player, j, events));
    match result {
        Ok(r) => r,
        Err(e) => Err(terminal_ended("wargame join", e)),
    }
}

/// The player's loop: the host's messages arrive on a thread; keys are
/// applied here. A lost connection is retried every two seconds with the
/// same token, so a player who drops gets its seat back.
pub fn run_player<B: Backend>(
    terminal: &mut Terminal<B>,
    player: crate::wargame::net::Player,
    j: &JoinArgs,
    events: &mut impl EventSource,
) -> std::io::Result<Result<(), CliError>>
where
    B::Error: Send + Sync + 'static,
{
    use crate::wargame::net::{Player, PlayerError};
    use crate::wargame::protocol::{ClientMsg, HostMsg, PING_EVERY};
    use crate::wargame::screens::{PlayerAction, PlayerScreen};
    use std::time::{Duration, Instant};
    let mut screen = PlayerScreen::new();
    let (mut tx, mut rx) = player.split();
    let mut connected = true;
    let mut last_ping = Instant::now();
    let mut next_try = Instant::now();
    let mut done = false;
    loop {
        while let Ok(m) = rx.try_recv() {
            match m {
                Ok(HostMsg::State(s)) => screen.update(*s),
                Ok(HostMsg::Accepted { round }) => {
                    screen.editor.message = format!("round {round}: your decisions are sealed")
                }
                Ok(HostMsg::Error { message, .. }) => screen.editor.message = format!("host: {message}"),
                Ok(HostMsg::Closing { message }) => {
                    let over = screen.state.as_ref().is_some_and(|s| s.view.round.is_none());
                    if over {
                        // Nothing left to play: no reconnecting.
                        screen.status = "the game is over and the host has ended the session".into();
                        done = true;
                    } else {
                        screen.status = format!("{message}; trying to reconnect");
                    }
                    connected = false;
                }
                Ok(_) => {}
                Err(e) => {
                    if connected && !done {
                        screen.status = format!("{e}; reconnecting…");
                    }
                    connected = false;
                }
            }
        }
        if !connected && !done && Instant::now() >= next_try {
            next_try = Instant::now() + Duration::from_secs(2);
            match Player::join(&j.address, &j.seat, &j.token, j.name.as_deref()) {
                Ok(p) => {
                    (tx, rx) = p.split();
                    connected = true;
                    screen.status = "reconnected".into();
                }
                Err(PlayerError::Refused { message, code })
                    if code != crate::wargame::protocol::ErrorCode::SeatTaken =>
                {
                    return Ok(Err(CliError::Input(format!(
                        "wargame join: the host refused: {message}"
                    ))));
                }
                Err(_) => {}
            }
        }
        if connected && last_ping.elapsed() >= PING_EVERY {
            last_ping = Instant::now();
            let _ = tx.send(&ClientMsg::Ping);
        }
        terminal
            .draw(|f| screen.draw(f))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        if events.is_exhausted() {
            return Ok(Ok(()));
        }
        let Some(ev) = events.next_event(Some(Duration::from_millis(200)))? else {
            continue;
        };
        let Event::Key(k) = ev else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        match screen.key(&k) {
            Some(PlayerAction::Quit) => {
                let _ = tx.send(&ClientMsg::Bye);
                return Ok(Ok(()));
            }
            Some(PlayerAction::Submit { round, values }) => {
                let decisions = screen
                    .state
                    .as_ref()
                    .map(|s| s.view.keys.iter().map(|k| k.key.clone()).zip(values).collect())
                    .unwrap_or_default();
                if tx.send(&ClientMsg::Submit { round, decisions }).is_err() {
                    screen.editor.message = "not sent: the connection is down; it is being retried".into();
                }
            }
            None => {}
        }
    }
}
