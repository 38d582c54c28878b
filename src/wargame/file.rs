//! The game file: RON text ⇄ a [`Game`] (or a recorded dashboard session).
//!
//! It holds the scenario as played, the seats with their tokens, every
//! resolved round's decisions and the results they gave, and the current
//! round's sealed decisions, so a game continues after a crash with nothing
//! lost. Loading replays the rounds through the rules and checks that each
//! gives the results the file recorded. Writing it is the shells' job,
//! through `document::save` (atomic, mode 0600: it holds the tokens).

use super::rules::{Game, Round, RuleError, SeatDecision, SeatKind, SeatResult, SeatSpec};
use crate::document::file::{LoadError, RawScenario, to_raw, validate_document_in};
use crate::sim::{ParamRef, Scenario};
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// What the first field of a game file says.
pub const FORMAT: &str = "cloudstrat-wargame";
/// Version of the game file's layout written by this program.
pub const VERSION: u32 = 1;
/// Largest game file read.
pub const MAX_GAME_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "wargame")]
pub struct RawGame {
    pub format: String,
    pub version: u32,
    pub saved: String,
    /// `game` (a war game) or `session` (a dashboard's recorded lever decisions).
    pub kind: FileKind,
    #[serde(default)]
    pub round_quarters: u32,
    /// Address the host listened on; absent for a hot-seat game.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(default)]
    pub seats: Vec<RawSeat>,
    #[serde(default)]
    pub rounds: Vec<RawRound>,
    /// The current round's sealed decisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<RawDecision>,
    /// A session's lever decisions, in the order they were made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<RawStep>,
    pub scenario: RawScenario,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Game,
    Session,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "seat")]
pub struct RawSeat {
    pub id: String,
    pub kind: SeatKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "round")]
pub struct RawRound {
    pub round: u32,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub forced: bool,
    pub decisions: Vec<RawDecision>,
    pub results: Vec<RawResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "decision")]
pub struct RawDecision {
    pub seat: String,
    #[serde(default = "yes")]
    pub submitted: bool,
    pub values: Vec<RawValue>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "value")]
pub struct RawValue {
    pub key: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "result")]
pub struct RawResult {
    pub seat: String,
    pub share: f64,
    pub cash_musd: f64,
    pub cumulative_net_profit_musd: f64,
    #[serde(default)]
    pub exited: bool,
}

impl RawResult {
    fn result(&self) -> SeatResult {
        SeatResult {
            share: self.share,
            cash_musd: self.cash_musd,
            cumulative_net_profit_musd: self.cumulative_net_profit_musd,
            exited: self.exited,
        }
    }
}

/// One lever decision of a dashboard session: `key` set to `value` from quarter `at` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "step")]
pub struct RawStep {
    pub at: String,
    pub key: String,
    pub value: f64,
}

/// A recorded dashboard session: the scenario it started from and its lever
/// decisions, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub scenario: Scenario,
    /// (quarter index, parameter, value).
    pub steps: Vec<(u32, ParamRef, f64)>,
}

impl Session {
    /// The scenario after the first `n` steps, as the dashboard set them.
    pub fn after(&self, n: usize) -> Scenario {
        let mut sc = self.scenario.clone();
        for &(at, r, v) in self.steps.iter().take(n) {
            sc.set_lever(r, at, v);
        }
        sc
    }
}

/// What a game file holds.
#[derive(Debug, Clone)]
pub enum GameFile {
    Game { game: Box<Game>, listen: Option<String> },
    Session(Box<Session>),
}

/// A problem with a game file: where, and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct GameFileError {
    pub file: String,
    pub message: String,
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn raw_decision(game: &Game, seat: usize, d: &SeatDecision) -> RawDecision {
    RawDecision {
        seat: game.seats[seat].id.clone(),
        submitted: d.submitted,
        values: game
            .keys
            .iter()
            .zip(&d.values)
            .map(|(k, &value)| RawValue {
                key: k.name().to_string(),
                value,
            })
            .collect(),
    }
}

/// The game file's text for `game`.
pub fn game_to_ron(game: &Game, listen: Option<&str>) -> String {
    let sc = &game.scenario;
    let raw = RawGame {
        format: FORMAT.into(),
        version: VERSION,
        saved: now_text(),
        kind: FileKind::Game,
        round_quarters: game.round_quarters,
        listen: listen.map(str::to_string),
        seats: game
            .seats
            .iter()
            .map(|s| RawSeat {
                id: s.id.clone(),
                kind: s.kind,
                name: s.name.clone(),
                token: s.token.clone(),
            })
            .collect(),
        rounds: game
            .rounds
            .iter()
            .map(|r| RawRound {
                round: r.number,
                from: sc.quarter_at(r.from).to_string(),
                to: sc.quarter_at(r.to).to_string(),
                forced: r.forced,
                decisions: r
                    .decisions
                    .iter()
                    .enumerate()
                    .map(|(i, d)| raw_decision(game, i, d))
                    .collect(),
                results: r
                    .results
                    .iter()
                    .enumerate()
                    .map(|(i, res)| RawResult {
                        seat: game.seats[i].id.clone(),
                        share: res.share,
                        cash_musd: res.cash_musd,
                        cumulative_net_profit_musd: res.cumulative_net_profit_musd,
                        exited: res.exited,
                    })
                    .collect(),
            })
            .collect(),
        pending: game
            .pending
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.as_ref().map(|values| {
                    raw_decision(
                        game,
                        i,
                        &SeatDecision {
                            values: values.clone(),
                            submitted: true,
                        },
                    )
                })
            })
            .collect(),
        steps: Vec::new(),
        scenario: to_raw(sc),
    };
    to_text(&raw)
}

/// The file's text for a recorded dashboard session.
pub fn session_to_ron(session: &Session) -> String {
    let sc = &session.scenario;
    let raw = RawGame {
        format: FORMAT.into(),
        version: VERSION,
        saved: now_text(),
        kind: FileKind::Session,
        round_quarters: 0,
        listen: None,
        seats: Vec::new(),
        rounds: Vec::new(),
        pending: Vec::new(),
        steps: session
            .steps
            .iter()
            .map(|&(at, r, value)| RawStep {
                at: sc.quarter_at(at).to_string(),
                key: sc.key_name(r),
                value,
            })
            .collect(),
        scenario: to_raw(sc),
    };
    to_text(&raw)
}

fn to_text(raw: &RawGame) -> String {
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .struct_names(false)
        .escape_strings(false);
    let mut s =
        ron::ser::to_string_pretty(raw, config).unwrap_or_else(|e| format!("// could not serialize game: {e}\n"));
    s.push('\n');
    s
}

/// Parses a game file's text. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<GameFile, GameFileError> {
    let err = |message: String| GameFileError {
        file: file.to_string(),
        message,
    };
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let text = text.trim_start_matches('\u{feff}');
    let raw: RawGame = options.from_str(text).map_err(|e| {
        err(format!(
            "{}:{}: {} (is this a game file written by `cloudstrat wargame`?)",
            e.span.start.line, e.span.start.col, e.code
        ))
    })?;
    if raw.format != FORMAT {
        return Err(err(format!("format: `{}` is not `{FORMAT}`", raw.format)));
    }
    if raw.version != VERSION {
        return Err(err(format!(
            "version: game file version {}; this program reads version {VERSION}",
            raw.version
        )));
    }
    let doc = validate_document_in(raw.scenario.clone(), file, text, "scenario").map_err(|e| match e {
        // One line per problem, each with the place of its value in the game file.
        LoadError::Invalid { problems, .. } => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| {
                    let at = p.at.map(|(line, col)| format!("{line}:{col}: ")).unwrap_or_default();
                    format!(
                        "{at}scenario.{}: {}",
                        crate::document::clean::for_message(&p.path),
                        crate::document::clean::for_message(&p.message)
                    )
                })
                .collect();
            err(lines.join(&format!("\n{}: ", crate::document::clean::for_terminal(file))))
        }
        other => err(format!("scenario: {other}")),
    })?;
    let sc = doc.scenario;
    match raw.kind {
        FileKind::Session => {
            let mut steps = Vec::new();
            for (i, s) in raw.steps.iter().enumerate() {
                let path = format!("steps[{i}]");
                let r = sc.parse_key(&s.key).map_err(|e| err(format!("{path}.key: {e}")))?;
                let q = s.at.parse().map_err(|e| err(format!("{path}.at: {e}")))?;
                let at = sc.index_of(q).ok_or_else(|| {
                    err(format!(
                        "{path}.at: {q} is outside the horizon {} to {}",
                        sc.start,
                        sc.end()
                    ))
                })?;
                if let Some(m) = r.spec().check(s.value) {
                    return Err(err(format!("{path}.value: {m}")));
                }
                steps.push((at, r, s.value));
            }
            Ok(GameFile::Session(Box::new(Session { scenario: sc, steps })))
        }
        FileKind::Game => {
            let specs: Vec<SeatSpec> = raw
                .seats
                .iter()
                .map(|s| SeatSpec {
                    id: s.id.clone(),
                    kind: s.kind,
                    token: s.token.clone(),
                })
                .collect();
            let mut game =
                Game::unopened(sc, &specs, raw.round_quarters).map_err(|e: RuleError| err(format!("seats: {e}")))?;
            for (seat, s) in game.seats.iter_mut().zip(&raw.seats) {
                seat.name = s.name.clone();
            }
            for (i, r) in raw.rounds.iter().enumerate() {
                let path = format!("rounds[{i}]");
                if r.round != i as u32 + 1 {
                    return Err(err(format!(
                        "{path}.round: {} where round {} was expected",
                        r.round,
                        i + 1
                    )));
                }
                let decisions = seat_decisions(&game, &r.decisions, &path).map_err(err)?;
                for (seat, d) in decisions.iter().enumerate() {
                    match d {
                        Some(d) if d.submitted => game.submit(seat, d.values.clone()),
                        _ => Ok(()),
                    }
                    .map_err(|e| err(format!("{path}.decisions: {e}")))?;
                }
                // A seat that did not submit kept what was in force; a file
                // that says otherwise was edited.
                for (seat, d) in decisions.iter().enumerate() {
                    if let Some(d) = d
                        && !d.submitted
                        && d.values != game.in_force(seat)
                    {
                        return Err(err(format!(
                            "{path}.decisions: seat `{}` did not submit, so it keeps its last decisions, but the file records others",
                            game.seats[seat].id
                        )));
                    }
                }
                game.resolve_only(r.forced).map_err(|e| err(format!("{path}: {e}")))?;
                let got: &Round = game.rounds.last().ok_or_else(|| err(format!("{path}: not resolved")))?;
                for res in &r.results {
                    let seat = game
                        .seat_index(&res.seat)
                        .ok_or_else(|| err(format!("{path}.results: no seat `{}`", res.seat)))?;
                    if got.results[seat] != res.result() {
                        return Err(err(format!(
                            "{path}: the recorded results of seat `{}` differ from what its decisions give now (the model changed since the game was played?)",
                            res.seat
                        )));
                    }
                }
            }
            if !game.is_over() {
                let pending = seat_decisions(&game, &raw.pending, "pending").map_err(err)?;
                for (seat, d) in pending.into_iter().enumerate() {
                    if let Some(d) = d {
                        game.submit(seat, d.values).map_err(|e| err(format!("pending: {e}")))?;
                    }
                }
            }
            game.fill_bots();
            Ok(GameFile::Game {
                game: Box::new(game),
                listen: raw.listen,
            })
        }
    }
}

/// Decisions by seat, in seat order; every key must be one of the game's.
fn seat_decisions(game: &Game, raw: &[RawDecision], path: &str) -> Result<Vec<Option<SeatDecision>>, String> {
    let mut out: Vec<Option<SeatDecision>> = vec![None; game.seats.len()];
    for (j, d) in raw.iter().enumerate() {
        let seat = game
            .seat_index(&d.seat)
            .ok_or_else(|| format!("{path}.decisions[{j}].seat: no seat `{}` in this game", d.seat))?;
        let named: Vec<(String, f64)> = d.values.iter().map(|v| (v.key.clone(), v.value)).collect();
        let values = game
            .values_from_names(seat, &named)
            .map_err(|e| format!("{path}.decisions[{j}]: {e}"))?;
        out[seat] = Some(SeatDecision {
            values,
            submitted: d.submitted,
        });
    }
    Ok(out)
}

/// Reads and parses a game file from disk.
pub fn load(path: &std::path::Path) -> Result<GameFile, GameFileError> {
    let file = path.display().to_string();
    let bytes = crate::document::save::read_regular(path, MAX_GAME_BYTES, true).map_err(|e| GameFileError {
        file: file.clone(),
        message: match e {
            crate::document::save::ReadError::Io(e) => e.to_string(),
            crate::document::save::ReadError::NotRegular => "is not a regular file".into(),
            crate::document::save::ReadError::TooLarge(n) => {
                format!("file is {n} bytes; game files may be at most {MAX_GAME_BYTES}")
            }
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|_| GameFileError {
        file: file.clone(),
        message: "is not UTF-8 text".into(),
    })?;
    parse(&text, &file)
}

/// Writes the game file atomically, readable by its owner only (it holds the
/// seats' tokens), through the project's one write path.
pub fn save(path: &std::path::Path, text: &str) -> Result<(), GameFileError> {
    crate::document::save::write_file(
        path,
        text.as_bytes(),
        &crate::document::save::WriteOptions::document().private(),
    )
    .map_err(|e| GameFileError {
        file: path.display().to_string(),
        message: format!("cannot write: {e}"),
    })
}
