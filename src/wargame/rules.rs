//! The war game's rules, with no I/O: seats, rounds, sealed decisions,
//! resolution and what each seat may see.
//!
//! A game is a scenario plus the decisions made so far. Round `n` covers
//! `round_quarters` quarters; a seat's decisions for it are its decision
//! parameters (`Scenario::decision_keys`) from the round's first quarter on,
//! recorded as keyframes there (at the first quarter, as base values).
//! Resolving a round simulates the scenario with every decision so far and
//! reveals the results up to the round's last quarter. The engine is causal
//! (quarter `t` depends only on parameters in force up to `t`), so what was
//! revealed never changes later, and the results are by construction those
//! of running the same decisions through the engine directly.
//!
//! Tokens, clocks, sockets and screens are the shells' business
//! (`super::net`, `super::screens`, `crate::cli::wargame`); the game file is
//! `super::file`.

use crate::analysis::Kpi;
use crate::analysis::optimize::{optimize_from, set_from};
use crate::analysis::sensitivity::lever_range;
use crate::sim::{EventKind, ParamRef, ProviderKey, Run, Scenario, Status, simulate};
use serde::{Deserialize, Serialize};

/// What a seat is ranked by, and what a bot maximizes: net profit (after
/// interest) summed from the start, at the end of the game.
pub const SCORE: Kpi = Kpi::CumulativeNetProfit;

/// Who plays a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatKind {
    /// A person, at the shared terminal or their own.
    Human,
    /// The best-response search (`analysis::optimize`).
    Bot,
}

/// One seat: a provider of the scenario and who plays it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    /// The provider's id.
    pub id: String,
    /// The provider's index in the scenario.
    pub provider: usize,
    pub kind: SeatKind,
    /// The player's name, once known (from `--name` on joining).
    pub name: Option<String>,
    /// The secret a remote player joins with (empty in hot-seat games).
    pub token: String,
}

/// What the shells ask for when they set up a game.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatSpec {
    pub id: String,
    pub kind: SeatKind,
    pub token: String,
}

/// One seat's decisions in one round: a value per decision key, in the order
/// of `Game::keys`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatDecision {
    pub values: Vec<f64>,
    /// False when the seat did not submit and kept its last decisions.
    pub submitted: bool,
}

/// A seat's position at the end of a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatResult {
    pub share: f64,
    pub cash_musd: f64,
    /// Net profit summed from the start: the score.
    pub cumulative_net_profit_musd: f64,
    pub exited: bool,
}

/// A resolved round.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// 1-based.
    pub number: u32,
    /// First and last quarter index of the round.
    pub from: u32,
    pub to: u32,
    /// Per seat, in seat order.
    pub decisions: Vec<SeatDecision>,
    /// Resolved by the facilitator before every seat had submitted.
    pub forced: bool,
    /// Per seat, at quarter `to`.
    pub results: Vec<SeatResult>,
}

/// Why the rules refused something; the text is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("no provider `{id}` in this scenario; it has {known}")]
    UnknownSeat { id: String, known: String },
    #[error("seat `{0}` is listed twice")]
    DuplicateSeat(String),
    #[error("a war game needs at least one seat")]
    NoSeats,
    #[error("--round-quarters {got}: allowed 1 to {max} (the horizon)")]
    RoundQuarters { got: u32, max: u32 },
    #[error("the game is over")]
    Over,
    #[error("{key}: {message}")]
    Value { key: String, message: String },
    #[error("expected {expected} decision values, got {got}")]
    Count { expected: usize, got: usize },
    #[error("round {got} is not the current round ({current})")]
    WrongRound { got: u32, current: u32 },
    #[error("the scenario cannot be played: {0}")]
    Scenario(String),
}

/// A war game in progress (or finished).
#[derive(Debug, Clone)]
pub struct Game {
    /// The scenario as played: the seats' decision parameters have no
    /// keyframes after the start (the seats decide them).
    pub scenario: Scenario,
    /// Decision parameters, the same for every seat.
    pub keys: Vec<ProviderKey>,
    pub seats: Vec<Seat>,
    pub round_quarters: u32,
    /// Resolved rounds, in order.
    pub rounds: Vec<Round>,
    /// The current round's sealed decisions, per seat (bots fill theirs when
    /// the round opens).
    pub pending: Vec<Option<Vec<f64>>>,
    /// The run with every resolved decision (the whole horizon; only quarters
    /// up to `revealed_through` count).
    run: Run,
}

impl Game {
    /// A new game, before round 1. Bots decide round 1 at once.
    pub fn new(scenario: Scenario, seats: &[SeatSpec], round_quarters: u32) -> Result<Game, RuleError> {
        let mut g = Game::unopened(scenario, seats, round_quarters)?;
        g.fill_bots();
        Ok(g)
    }

    /// [`Game::new`] without the bots' first decisions (a game file being
    /// read brings them).
    pub fn unopened(mut scenario: Scenario, seats: &[SeatSpec], round_quarters: u32) -> Result<Game, RuleError> {
        if seats.is_empty() {
            return Err(RuleError::NoSeats);
        }
        if let Some((p, m)) = scenario.problems().first() {
            return Err(RuleError::Scenario(format!("{p}: {m}")));
        }
        if round_quarters == 0 || round_quarters > scenario.quarters {
            return Err(RuleError::RoundQuarters {
                got: round_quarters,
                max: scenario.quarters,
            });
        }
        let keys = scenario.decision_keys();
        let mut out: Vec<Seat> = Vec::new();
        for s in seats {
            let provider = scenario.provider_index(&s.id).ok_or_else(|| RuleError::UnknownSeat {
                id: s.id.clone(),
                known: provider_list(&scenario),
            })?;
            if out.iter().any(|o| o.id == s.id) {
                return Err(RuleError::DuplicateSeat(s.id.clone()));
            }
            // The seat decides these from now on: the scenario's own script
            // for them after the start no longer applies.
            for &k in &keys {
                let r = ParamRef::Provider(provider, k);
                scenario.keyframes.retain(|kf| !(kf.target == r && kf.at > 0));
            }
            out.push(Seat {
                id: s.id.clone(),
                provider,
                kind: s.kind,
                name: None,
                token: s.token.clone(),
            });
        }
        let run = simulate(&scenario);
        Ok(Game {
            pending: vec![None; out.len()],
            scenario,
            keys,
            seats: out,
            round_quarters,
            rounds: Vec::new(),
            run,
        })
    }

    /// The game as it stood after its first `rounds` rounds (for the replay).
    pub fn through(&self, rounds: usize) -> Game {
        let mut g = self.clone();
        g.rounds.truncate(rounds);
        g.pending = vec![None; g.seats.len()];
        g.run = simulate(&g.resolved_scenario());
        g
    }

    pub fn round_count(&self) -> u32 {
        self.scenario.quarters.div_ceil(self.round_quarters)
    }

    /// The round to be decided next (1-based), or `None` when the game is over.
    pub fn current_round(&self) -> Option<u32> {
        let n = self.rounds.len() as u32 + 1;
        (n <= self.round_count()).then_some(n)
    }

    pub fn is_over(&self) -> bool {
        self.current_round().is_none()
    }

    /// First and last quarter index of round `n` (1-based).
    pub fn span(&self, n: u32) -> (u32, u32) {
        let from = (n.max(1) - 1) * self.round_quarters;
        let to = (from + self.round_quarters).min(self.scenario.quarters) - 1;
        (from, to)
    }

    /// The last quarter whose results are public, if a round was resolved.
    pub fn revealed_through(&self) -> Option<u32> {
        self.rounds.last().map(|r| r.to)
    }

    pub fn seat_index(&self, id: &str) -> Option<usize> {
        self.seats.iter().position(|s| s.id == id)
    }

    /// The run with every resolved decision; only quarters up to
    /// [`Game::revealed_through`] are results of the game so far.
    pub fn run(&self) -> &Run {
        &self.run
    }

    /// The scenario with every resolved round's decisions as keyframes.
    pub fn resolved_scenario(&self) -> Scenario {
        self.scenario_through(self.rounds.len())
    }

    /// The scenario with the decisions of the first `rounds` rounds.
    pub fn scenario_through(&self, rounds: usize) -> Scenario {
        let mut sc = self.scenario.clone();
        for round in self.rounds.iter().take(rounds) {
            for (seat, d) in self.seats.iter().zip(&round.decisions) {
                for (&k, &v) in self.keys.iter().zip(&d.values) {
                    let r = ParamRef::Provider(seat.provider, k);
                    // A value that does not change is not a keyframe.
                    if round.from == 0 || sc.value_at(r, round.from) != v {
                        set_from(&mut sc, r, round.from, v);
                    }
                }
            }
        }
        sc
    }

    /// Round `n`'s scenario cut at its last quarter: what its report shows
    /// and exports (nothing after the round exists in it).
    pub fn round_scenario(&self, n: u32) -> Scenario {
        let mut sc = self.scenario_through(n as usize);
        let (_, to) = self.span(n);
        sc.set_quarters(to + 1);
        sc
    }

    /// The values of seat `seat`'s decision parameters in force at the start
    /// of the current round: what it keeps if it does not submit.
    pub fn in_force(&self, seat: usize) -> Vec<f64> {
        let sc = self.resolved_scenario();
        let from = self
            .current_round()
            .map_or(self.scenario.quarters - 1, |n| self.span(n).0);
        let p = self.seats.get(seat).map_or(0, |s| s.provider);
        self.keys
            .iter()
            .map(|&k| sc.value_at(ParamRef::Provider(p, k), from))
            .collect()
    }

    /// The range a seat's slider moves in for decision `k` (the analysis's
    /// lever range; a submitted value need only be inside the parameter's
    /// allowed range).
    pub fn decision_range(&self, seat: usize, k: ProviderKey) -> (f64, f64) {
        let p = self.seats.get(seat).map_or(0, |s| s.provider);
        lever_range(&self.scenario, ParamRef::Provider(p, k))
    }

    /// Seals seat `seat`'s decisions for the current round (replacing any it
    /// sealed before).
    pub fn submit(&mut self, seat: usize, values: Vec<f64>) -> Result<(), RuleError> {
        if self.is_over() {
            return Err(RuleError::Over);
        }
        self.check_values(&values)?;
        if let Some(p) = self.pending.get_mut(seat) {
            *p = Some(values);
        }
        Ok(())
    }

    /// Decision values by key name, as a client sends them: every key must be
    /// a decision and every value in its range; keys left out keep the values
    /// in force.
    pub fn values_from_names(&self, seat: usize, named: &[(String, f64)]) -> Result<Vec<f64>, RuleError> {
        let mut values = self.in_force(seat);
        for (name, v) in named {
            let i = self
                .keys
                .iter()
                .position(|k| k.name() == name)
                .ok_or_else(|| RuleError::Value {
                    key: name.clone(),
                    message: format!(
                        "not a decision of this game; the decisions are {}",
                        self.keys.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                    ),
                })?;
            values[i] = *v;
        }
        self.check_values(&values)?;
        Ok(values)
    }

    fn check_values(&self, values: &[f64]) -> Result<(), RuleError> {
        if values.len() != self.keys.len() {
            return Err(RuleError::Count {
                expected: self.keys.len(),
                got: values.len(),
            });
        }
        for (k, &v) in self.keys.iter().zip(values) {
            if let Some(m) = k.spec().check(v) {
                return Err(RuleError::Value {
                    key: k.name().to_string(),
                    message: m,
                });
            }
        }
        Ok(())
    }

    /// Withdraws a seat's sealed decisions (it will keep its last ones unless it submits again).
    pub fn withdraw(&mut self, seat: usize) {
        if let Some(p) = self.pending.get_mut(seat) {
            *p = None;
        }
    }

    pub fn submitted(&self, seat: usize) -> bool {
        self.pending.get(seat).is_some_and(Option::is_some)
    }

    pub fn all_submitted(&self) -> bool {
        !self.is_over() && self.pending.iter().all(Option::is_some)
    }

    /// Resolves the current round: a seat that did not submit keeps its last
    /// decisions. `forced` records that the facilitator did not wait for
    /// everyone. Bots then decide the next round.
    pub fn resolve(&mut self, forced: bool) -> Result<&Round, RuleError> {
        self.resolve_only(forced)?;
        self.fill_bots();
        self.rounds.last().ok_or(RuleError::Over)
    }

    /// [`Game::resolve`] without the bots' next decisions.
    pub fn resolve_only(&mut self, forced: bool) -> Result<(), RuleError> {
        let n = self.current_round().ok_or(RuleError::Over)?;
        let (from, to) = self.span(n);
        let decisions: Vec<SeatDecision> = (0..self.seats.len())
            .map(|i| match self.pending[i].clone() {
                Some(values) => SeatDecision {
                    values,
                    submitted: true,
                },
                None => SeatDecision {
                    values: self.in_force(i),
                    submitted: false,
                },
            })
            .collect();
        self.rounds.push(Round {
            number: n,
            from,
            to,
            decisions,
            forced,
            results: Vec::new(),
        });
        self.run = simulate(&self.resolved_scenario());
        let results = self.results_at(to);
        if let Some(r) = self.rounds.last_mut() {
            r.results = results;
        }
        self.pending = vec![None; self.seats.len()];
        Ok(())
    }

    /// Each seat's position before round 1: its starting share and cash.
    fn starting_line(&self) -> Vec<SeatResult> {
        self.seats
            .iter()
            .map(|s| {
                let p = &self.scenario.providers[s.provider].params;
                SeatResult {
                    share: p.initial_share,
                    cash_musd: p.initial_cash_musd,
                    cumulative_net_profit_musd: 0.0,
                    exited: false,
                }
            })
            .collect()
    }

    fn results_at(&self, t: u32) -> Vec<SeatResult> {
        self.seats
            .iter()
            .map(|s| {
                let row = self.run.row(t, s.provider);
                SeatResult {
                    share: row.share,
                    cash_musd: row.cash_musd,
                    cumulative_net_profit_musd: self.run.cumulative_net_profit(s.provider, t),
                    exited: row.status == Status::Exited,
                }
            })
            .collect()
    }

    /// What the best-response search decides for bot seat `seat` in the
    /// current round: its decision parameters from the round's first quarter
    /// on that maximize its score at the end of the game, every other seat
    /// keeping the decisions in force (a bot never sees sealed decisions).
    pub fn bot_decision(&self, seat: usize) -> Vec<f64> {
        let Some(n) = self.current_round() else {
            return self.in_force(seat);
        };
        let (from, _) = self.span(n);
        let sc = self.resolved_scenario();
        let p = self.seats.get(seat).map_or(0, |s| s.provider);
        let o = optimize_from(&sc, p, &self.keys, SCORE, sc.quarters - 1, from);
        o.settings.iter().map(|(_, v)| *v).collect()
    }

    /// Bots seal their decisions for the current round.
    pub fn fill_bots(&mut self) {
        if self.is_over() {
            return;
        }
        for i in 0..self.seats.len() {
            if self.seats[i].kind == SeatKind::Bot && self.pending[i].is_none() {
                self.pending[i] = Some(self.bot_decision(i));
            }
        }
    }

    /// Seats ranked by score at the last revealed quarter (standing seats
    /// first), as seat indices.
    pub fn ranking(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.seats.len()).collect();
        if let Some(r) = self.rounds.last() {
            idx.sort_by(|&a, &b| {
                let (x, y) = (&r.results[a], &r.results[b]);
                x.exited
                    .cmp(&y.exited)
                    .then(y.cumulative_net_profit_musd.total_cmp(&x.cumulative_net_profit_musd))
                    .then(a.cmp(&b))
            });
        }
        idx
    }

    /// What `viewer` may see: its own sealed and past decisions, everyone's
    /// results up to the last resolved quarter, and whether each seat has
    /// submitted. `None` is the shared screen (hot-seat cover, facilitator's
    /// room display): nobody's decisions.
    pub fn view(&self, viewer: Option<usize>) -> SeatView {
        let sc = &self.scenario;
        let revealed = self.revealed_through();
        let mut rows = Vec::new();
        if let Some(last) = revealed {
            for t in 0..=last {
                rows.push(
                    self.run
                        .quarter_rows(t)
                        .iter()
                        .map(|r| Outcome {
                            share: r.share,
                            price_usd_per_mtok: r.price_usd_per_mtok,
                            cost_usd_per_mtok: r.cost_usd_per_mtok,
                            revenue_musd: r.revenue_musd,
                            operating_profit_musd: r.operating_profit_musd,
                            net_profit_musd: r.net_profit_musd,
                            cash_musd: r.cash_musd,
                            ecosystem: r.ecosystem,
                            self_chip_share: r.self_chip_share,
                            exited: r.status == Status::Exited,
                        })
                        .collect(),
                );
            }
        }
        let own_provider = viewer.and_then(|v| self.seats.get(v)).map(|s| s.provider);
        let hidden = |target: ParamRef| match target {
            // Another seat's decision shows in the log as a keyframe: private.
            ParamRef::Provider(p, k) => {
                Some(p) != own_provider && self.keys.contains(&k) && self.seats.iter().any(|s| s.provider == p)
            }
            ParamRef::Market(_) => false,
        };
        let events = revealed.map_or_else(Vec::new, |last| {
            let resolved = self.resolved_scenario();
            self.run
                .events_until(last)
                .filter(|e| !matches!(e.kind, EventKind::KeyframeApplied { target, .. } if hidden(target)))
                .map(|e| (sc.quarter_at(e.at).label(), e.message(&resolved)))
                .collect()
        });
        let round = self.current_round();
        let you = viewer.and_then(|v| {
            let seat = self.seats.get(v)?;
            Some(YourSeat {
                id: seat.id.clone(),
                in_force: self.in_force(v),
                sealed: self.pending.get(v).cloned().flatten(),
                ranges: self.keys.iter().map(|&k| self.decision_range(v, k)).collect(),
                history: self.rounds.iter().map(|r| r.decisions[v].values.clone()).collect(),
            })
        });
        SeatView {
            scenario: sc.meta.name.clone(),
            start: sc.start.label(),
            quarters: sc.quarters,
            round_quarters: self.round_quarters,
            rounds: self.round_count(),
            round,
            round_from: round.map(|n| sc.quarter_at(self.span(n).0).label()),
            round_to: round.map(|n| sc.quarter_at(self.span(n).1).label()),
            providers: sc
                .providers
                .iter()
                .map(|p| ProviderInfo {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    color: p.color.hex(),
                })
                .collect(),
            keys: self
                .keys
                .iter()
                .map(|k| {
                    let s = k.spec();
                    KeyInfo {
                        key: s.name.to_string(),
                        unit: s.unit.label().to_string(),
                        min: s.min,
                        max: s.max,
                        doc: s.doc.to_string(),
                    }
                })
                .collect(),
            seats: self
                .seats
                .iter()
                .enumerate()
                .map(|(i, s)| SeatStatus {
                    id: s.id.clone(),
                    provider: s.provider,
                    name: s.name.clone(),
                    bot: s.kind == SeatKind::Bot,
                    submitted: self.submitted(i),
                    connected: s.kind == SeatKind::Bot,
                })
                .collect(),
            you,
            revealed_through: revealed,
            rows,
            events,
            ranking: self.ranking(),
            results: self
                .rounds
                .last()
                .map_or_else(|| self.starting_line(), |r| r.results.clone()),
        }
    }
}

fn provider_list(sc: &Scenario) -> String {
    sc.providers
        .iter()
        .map(|p| p.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything one screen of the game may show, as data (what the host sends
/// a player, what the hot-seat screens draw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatView {
    pub scenario: String,
    pub start: String,
    pub quarters: u32,
    pub round_quarters: u32,
    pub rounds: u32,
    /// The round being decided; `None` when the game is over.
    pub round: Option<u32>,
    pub round_from: Option<String>,
    pub round_to: Option<String>,
    pub providers: Vec<ProviderInfo>,
    /// The decision parameters, in the order of every value list.
    pub keys: Vec<KeyInfo>,
    pub seats: Vec<SeatStatus>,
    /// The viewer's own seat, if the view is a seat's.
    pub you: Option<YourSeat>,
    /// Last quarter index with public results.
    pub revealed_through: Option<u32>,
    /// Per quarter up to `revealed_through`, per provider.
    pub rows: Vec<Vec<Outcome>>,
    /// (quarter, text) up to `revealed_through`; other seats' decisions left out.
    pub events: Vec<(String, String)>,
    /// Seat indices by score at the last resolved round.
    pub ranking: Vec<usize>,
    /// Per seat, at the last resolved round.
    pub results: Vec<SeatResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub key: String,
    pub unit: String,
    /// The parameter's allowed range.
    pub min: f64,
    pub max: f64,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatStatus {
    pub id: String,
    /// Index of the seat's provider in `SeatView::providers`.
    pub provider: usize,
    pub name: Option<String>,
    pub bot: bool,
    pub submitted: bool,
    /// A player's terminal is connected (the host fills this in; bots always are).
    pub connected: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YourSeat {
    pub id: String,
    /// The values it keeps if it does not submit.
    pub in_force: Vec<f64>,
    /// What it sealed for the current round, if anything.
    pub sealed: Option<Vec<f64>>,
    /// The range its sliders move in.
    pub ranges: Vec<(f64, f64)>,
    /// Its decisions in each resolved round.
    pub history: Vec<Vec<f64>>,
}

/// One provider's public results in one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub share: f64,
    pub price_usd_per_mtok: f64,
    pub cost_usd_per_mtok: f64,
    pub revenue_musd: f64,
    pub operating_profit_musd: f64,
    pub net_profit_musd: f64,
    pub cash_musd: f64,
    pub ecosystem: f64,
    pub self_chip_share: f64,
    pub exited: bool,
}
