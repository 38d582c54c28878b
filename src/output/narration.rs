//! Live numbers in narration: a beat's text names figures as placeholders
//! (`{lab.price@2025Q1}`, `{neo.exit_quarter}`, `{market.unserved_share@beat}`)
//! and they are filled from the run on screen, in the screen's formats, so the
//! narration can never contradict the chart beside it.
//!
//! The forms:
//! - `{SUBJECT.METRIC}` or `{SUBJECT.METRIC@WHEN}`: a value. SUBJECT is a
//!   provider id or `market`; WHEN is a quarter (`2025Q1`), `beat` (the beat's
//!   quarter, the default), `start` or `end`.
//! - `{SUBJECT.METRIC@FROM..TO}`: the change between two quarters, in points
//!   for percentages.
//! - `{if SUBJECT.CONDITION@WHEN: text | other text}`: wording that depends on
//!   the run, e.g. `{if neo.exited@end: exits in {neo.exit_quarter@end} | is
//!   still standing}`. Either branch may hold placeholders; `| other text` may
//!   be left out.
//! - `{{` and `}}` are literal braces.
//!
//! Pure: parsing needs the scenario (for provider ids and the horizon),
//! filling also the run. [`check`] turns problems into lines and columns of
//! the strategy file, using the places `document::file` finds.

use crate::document::file::{Located, story_texts};
use crate::format::{musd, pct, usd_mtok};
use crate::sim::{EventKind, Run, Scenario, Status};

/// A placeholder that cannot be filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Character offset of the placeholder's `{` in the text.
    pub at: usize,
    pub message: String,
}

/// A figure typed into narration as a number, which will not follow the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedFigure {
    /// Character offset in the text.
    pub at: usize,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Beat,
    Start,
    End,
    At(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Market,
    Provider(usize),
}

/// How a value is written: the same forms as the dashboard's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Million USD as "$563M" or "$5.0B".
    Money,
    /// USD per million tokens, "$5.12".
    Price,
    /// A fraction written as a percentage, "20.4%"; changes in points.
    Percent,
    /// An index from 0 to 1, "0.62".
    Index,
    /// A whole number.
    Count,
    /// A number of thousands (accelerators): "13 thousand", "1.16 million".
    Thousands,
    /// Whole US dollars: "$67,620".
    Usd,
    /// Words: a name, a status, a quarter.
    Words,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Share,
    Price,
    UnitCost,
    OperatingProfit,
    CumulativeProfit,
    Revenue,
    Cash,
    Debt,
    GrossMargin,
    Ecosystem,
    SelfChipShare,
    Utilization,
    Fleet,
    SelfChipVolume,
    OwnChipUnitCost,
    Interest,
    Capex,
    Name,
    Status,
    ExitQuarter,
    AvgPrice,
    Ceiling,
    OpenModelCap,
    OpenPrice,
    Parity,
    UnservedShare,
    Adoption,
    MultimodalShare,
    Leader,
    Active,
    Exits,
    Hardware,
    TotalFleet,
}

/// Provider metrics: name in placeholders, what it is, how it is written.
const PROVIDER_METRICS: &[(&str, Metric, Form)] = &[
    ("share", Metric::Share, Form::Percent),
    ("price", Metric::Price, Form::Price),
    ("unit_cost", Metric::UnitCost, Form::Price),
    ("operating_profit", Metric::OperatingProfit, Form::Money),
    ("cumulative_profit", Metric::CumulativeProfit, Form::Money),
    ("revenue", Metric::Revenue, Form::Money),
    ("cash", Metric::Cash, Form::Money),
    ("debt", Metric::Debt, Form::Money),
    ("gross_margin", Metric::GrossMargin, Form::Percent),
    ("ecosystem", Metric::Ecosystem, Form::Index),
    ("self_chip_share", Metric::SelfChipShare, Form::Percent),
    ("utilization", Metric::Utilization, Form::Percent),
    ("fleet", Metric::Fleet, Form::Thousands),
    ("self_chip_volume", Metric::SelfChipVolume, Form::Thousands),
    ("own_chip_unit_cost", Metric::OwnChipUnitCost, Form::Usd),
    ("interest", Metric::Interest, Form::Money),
    ("capex", Metric::Capex, Form::Money),
    ("name", Metric::Name, Form::Words),
    ("status", Metric::Status, Form::Words),
    ("exit_quarter", Metric::ExitQuarter, Form::Words),
];

const MARKET_METRICS: &[(&str, Metric, Form)] = &[
    ("price", Metric::AvgPrice, Form::Price),
    ("ceiling", Metric::Ceiling, Form::Price),
    ("open_model_cap", Metric::OpenModelCap, Form::Price),
    ("open_price", Metric::OpenPrice, Form::Price),
    ("parity", Metric::Parity, Form::Percent),
    ("unserved_share", Metric::UnservedShare, Form::Percent),
    ("adoption", Metric::Adoption, Form::Percent),
    ("multimodal_share", Metric::MultimodalShare, Form::Percent),
    ("leader", Metric::Leader, Form::Words),
    ("active", Metric::Active, Form::Count),
    ("exits", Metric::Exits, Form::Count),
    ("hardware", Metric::Hardware, Form::Words),
    ("fleet", Metric::TotalFleet, Form::Thousands),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    Exited,
    Active,
    Leads,
    Profitable,
    BelowCost,
    PriceWar,
    Shortage,
}

const PROVIDER_CONDITIONS: &[(&str, Condition)] = &[
    ("exited", Condition::Exited),
    ("active", Condition::Active),
    ("leads", Condition::Leads),
    ("profitable", Condition::Profitable),
    ("below_cost", Condition::BelowCost),
];

const MARKET_CONDITIONS: &[(&str, Condition)] =
    &[("price_war", Condition::PriceWar), ("shortage", Condition::Shortage)];

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Value {
        subject: Subject,
        metric: Metric,
        form: Form,
        when: When,
        /// Set for a change: the value at `to` minus the value at `when`.
        to: Option<When>,
    },
    If {
        subject: Subject,
        condition: Condition,
        when: When,
        then: Vec<Piece>,
        otherwise: Vec<Piece>,
    },
}

fn names<T>(table: &[(&str, T)]) -> String {
    table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

fn metric_names(table: &[(&str, Metric, Form)]) -> String {
    table.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(", ")
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    sc: &'a Scenario,
    problems: Vec<Problem>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek2(&self) -> Option<char> {
        self.chars.get(self.pos + 1).copied()
    }

    fn problem(&mut self, at: usize, message: String) {
        self.problems.push(Problem { at, message });
    }

    /// Text and placeholders up to the end, or (inside a branch) up to `|` or `}`.
    fn pieces(&mut self, in_branch: bool) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            match c {
                '{' if self.peek2() == Some('{') => {
                    text.push('{');
                    self.pos += 2;
                }
                '}' if self.peek2() == Some('}') => {
                    text.push('}');
                    self.pos += 2;
                }
                '{' => {
                    if !text.is_empty() {
                        out.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    out.extend(self.placeholder());
                }
                '}' | '|' if in_branch => break,
                '}' => {
                    let at = self.pos;
                    self.problem(at, "a `}` without its `{`; write `}}` for a brace".into());
                    text.push('}');
                    self.pos += 1;
                }
                _ => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        if !text.is_empty() {
            out.push(Piece::Text(text));
        }
        out
    }

    /// A placeholder starting at the `{` under the cursor. On a problem, its
    /// text is kept as written.
    fn placeholder(&mut self) -> Option<Piece> {
        let start = self.pos;
        self.pos += 1;
        let rest: String = self.chars[self.pos..].iter().take(3).collect();
        if rest == "if " {
            return self.conditional(start);
        }
        let body_start = self.pos;
        while let Some(c) = self.peek() {
            if c == '}' || c == '{' {
                break;
            }
            self.pos += 1;
        }
        let body: String = self.chars[body_start..self.pos].iter().collect();
        if self.peek() != Some('}') {
            self.problem(
                start,
                format!("`{{{body}` is not closed; end the placeholder with `}}` (or write `{{{{` for a brace)"),
            );
            return Some(Piece::Text(format!("{{{body}")));
        }
        self.pos += 1;
        match self.value(&body) {
            Ok(p) => Some(p),
            Err(m) => {
                self.problem(start, format!("`{{{body}}}`: {m}"));
                Some(Piece::Text(format!("{{{body}}}")))
            }
        }
    }

    fn conditional(&mut self, start: usize) -> Option<Piece> {
        self.pos += 3;
        let cond_start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, ':' | '{' | '}' | '|') {
                break;
            }
            self.pos += 1;
        }
        let cond: String = self.chars[cond_start..self.pos].iter().collect();
        if self.peek() != Some(':') {
            self.problem(
                start,
                format!("`{{if {cond}` needs a `:` before its text, e.g. {{if neo.exited@end: exits | stays}}"),
            );
            return Some(Piece::Text(format!("{{if {cond}")));
        }
        self.pos += 1;
        let parsed = self.condition(&cond);
        let then = trim_branch(self.pieces(true));
        let mut otherwise = Vec::new();
        if self.peek() == Some('|') {
            self.pos += 1;
            otherwise = trim_branch(self.pieces(true));
        }
        if self.peek() != Some('}') {
            self.problem(start, format!("`{{if {cond}:` is not closed; end it with `}}`"));
            return None;
        }
        self.pos += 1;
        match parsed {
            Ok((subject, condition, when)) => Some(Piece::If {
                subject,
                condition,
                when,
                then,
                otherwise,
            }),
            Err(m) => {
                self.problem(start, format!("`{{if {cond}:`: {m}"));
                None
            }
        }
    }

    fn subject(&self, s: &str) -> Result<Subject, String> {
        if s == "market" {
            return Ok(Subject::Market);
        }
        self.sc.provider_index(s).map(Subject::Provider).ok_or_else(|| {
            let ids: Vec<&str> = self.sc.providers.iter().map(|p| p.id.as_str()).collect();
            let near = crate::suggest::did_you_mean(s, ids.iter().copied().chain(["market"]));
            format!(
                "unknown provider `{s}`{near}; this scenario has {} (or `market`)",
                ids.join(", ")
            )
        })
    }

    fn when(&self, s: &str) -> Result<When, String> {
        match s {
            "beat" => Ok(When::Beat),
            "start" => Ok(When::Start),
            "end" => Ok(When::End),
            _ => {
                let q = s.parse::<crate::sim::Quarter>().map_err(|_| {
                    format!("`{s}` is not a quarter; write a quarter like 2025Q1, or beat, start or end")
                })?;
                self.sc.index_of(q).map(When::At).ok_or_else(|| {
                    format!(
                        "quarter {q} is outside the horizon {} to {}",
                        self.sc.start,
                        self.sc.end()
                    )
                })
            }
        }
    }

    /// Splits `subject.name@when` (the `@when` optional).
    fn reference<'s>(&self, body: &'s str) -> Result<(Subject, &'s str, Option<&'s str>), String> {
        let body = body.trim();
        let (head, when) = match body.split_once('@') {
            Some((h, w)) => (h.trim(), Some(w.trim())),
            None => (body, None),
        };
        let Some((subject, name)) = head.split_once('.') else {
            return Err("a placeholder looks like {provider.metric@quarter}, e.g. {lab.price@2025Q1}".into());
        };
        Ok((self.subject(subject.trim())?, name.trim(), when))
    }

    fn value(&self, body: &str) -> Result<Piece, String> {
        let (subject, name, when) = self.reference(body)?;
        let table = match subject {
            Subject::Market => MARKET_METRICS,
            Subject::Provider(_) => PROVIDER_METRICS,
        };
        let Some(&(_, metric, form)) = table.iter().find(|(n, _, _)| *n == name) else {
            let whose = if subject == Subject::Market {
                "the market"
            } else {
                "a provider"
            };
            return Err(format!(
                "unknown metric `{name}` for {whose}{}; metrics are {}",
                crate::suggest::did_you_mean(name, table.iter().map(|(n, _, _)| *n)),
                metric_names(table)
            ));
        };
        let (when, to) = match when {
            None => (When::Beat, None),
            Some(w) => match w.split_once("..") {
                Some((a, b)) => (self.when(a.trim())?, Some(self.when(b.trim())?)),
                None => (self.when(w)?, None),
            },
        };
        if to.is_some() && matches!(form, Form::Words) {
            return Err(format!("`{name}` is words, so it has no change between two quarters"));
        }
        Ok(Piece::Value {
            subject,
            metric,
            form,
            when,
            to,
        })
    }

    fn condition(&self, body: &str) -> Result<(Subject, Condition, When), String> {
        let (subject, name, when) = self.reference(body)?;
        let table = match subject {
            Subject::Market => MARKET_CONDITIONS,
            Subject::Provider(_) => PROVIDER_CONDITIONS,
        };
        let Some(&(_, condition)) = table.iter().find(|(n, _)| *n == name) else {
            let whose = if subject == Subject::Market {
                "the market"
            } else {
                "a provider"
            };
            return Err(format!(
                "unknown condition `{name}` for {whose}{}; conditions are {}",
                crate::suggest::did_you_mean(name, table.iter().map(|(n, _)| *n)),
                names(table)
            ));
        };
        let when = match when {
            None => When::Beat,
            Some(w) if w.contains("..") => return Err("a condition is read at one quarter, not a range".into()),
            Some(w) => self.when(w)?,
        };
        Ok((subject, condition, when))
    }
}

/// Branch text loses the spaces around `:` and `|`, so `{if x: a | b}` reads "a" or "b".
fn trim_branch(mut pieces: Vec<Piece>) -> Vec<Piece> {
    if let Some(Piece::Text(t)) = pieces.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Piece::Text(t)) = pieces.last_mut() {
        *t = t.trim_end().to_string();
    }
    pieces
}

fn parse(text: &str, sc: &Scenario) -> (Vec<Piece>, Vec<Problem>) {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        sc,
        problems: Vec::new(),
    };
    let pieces = p.pieces(false);
    (pieces, p.problems)
}

/// Every placeholder in `text` that `sc` cannot fill, with why.
pub fn problems(text: &str, sc: &Scenario) -> Vec<Problem> {
    parse(text, sc).1
}

/// True when `text` has at least one placeholder.
pub fn has_placeholders(text: &str) -> bool {
    text.replace("{{", "").contains('{')
}

/// `text` with its placeholders filled from `run` (the run of `sc`), `beat_at`
/// being the quarter `@beat` means. A placeholder that cannot be filled stays
/// as written.
pub fn fill(text: &str, sc: &Scenario, run: &Run, beat_at: u32) -> String {
    if !text.contains('{') && !text.contains('}') {
        return text.to_string();
    }
    let (pieces, _) = parse(text, sc);
    let ctx = Ctx { sc, run, beat_at };
    let mut out = String::with_capacity(text.len());
    ctx.render(&pieces, &mut out);
    out
}

struct Ctx<'a> {
    sc: &'a Scenario,
    run: &'a Run,
    beat_at: u32,
}

impl Ctx<'_> {
    fn quarter(&self, w: When) -> u32 {
        let last = self.run.quarters.saturating_sub(1);
        match w {
            When::Beat => self.beat_at.min(last),
            When::Start => 0,
            When::End => last,
            When::At(t) => t.min(last),
        }
    }

    fn render(&self, pieces: &[Piece], out: &mut String) {
        for p in pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Value {
                    subject,
                    metric,
                    form,
                    when,
                    to,
                } => {
                    if self.run.quarters == 0 {
                        out.push('?');
                        continue;
                    }
                    let a = self.quarter(*when);
                    match to {
                        None => out.push_str(&self.value_text(*subject, *metric, *form, a)),
                        Some(to) => {
                            let b = self.quarter(*to);
                            let d = self.number(*subject, *metric, b) - self.number(*subject, *metric, a);
                            out.push_str(&change_text(d, *form));
                        }
                    }
                }
                Piece::If {
                    subject,
                    condition,
                    when,
                    then,
                    otherwise,
                } => {
                    let holds = self.run.quarters > 0 && self.holds(*subject, *condition, self.quarter(*when));
                    self.render(if holds { then } else { otherwise }, out);
                }
            }
        }
    }

    /// The quarter provider `i` exits in, if it has exited by quarter `t`.
    fn exit_at(&self, i: usize, t: u32) -> Option<u32> {
        (0..=t).find(|&q| self.run.row(q, i).status == Status::Exited)
    }

    fn number(&self, subject: Subject, metric: Metric, t: u32) -> f64 {
        let run = self.run;
        let m = &run.market[t as usize];
        match subject {
            Subject::Provider(i) => {
                let r = run.row(t, i);
                match metric {
                    Metric::Share => r.share,
                    Metric::Price => r.price_usd_per_mtok,
                    Metric::UnitCost => r.cost_usd_per_mtok,
                    Metric::OperatingProfit => r.operating_profit_musd,
                    Metric::CumulativeProfit => run.cumulative_profit(i, t),
                    Metric::Revenue => r.revenue_musd,
                    Metric::Cash => r.cash_musd,
                    Metric::Debt => r.debt_musd,
                    Metric::GrossMargin => r.gross_margin,
                    Metric::Ecosystem => r.ecosystem,
                    Metric::SelfChipShare => r.self_chip_share,
                    Metric::Utilization => r.utilization,
                    Metric::Fleet => r.fleet_k,
                    Metric::SelfChipVolume => self.sc.value_at(crate::sim::ParamRef::self_chip_volume(i), t),
                    Metric::OwnChipUnitCost => r.own_chip_unit_cost_usd,
                    Metric::Interest => r.interest_musd,
                    Metric::Capex => r.capex_musd,
                    _ => 0.0,
                }
            }
            Subject::Market => match metric {
                Metric::AvgPrice => m.avg_price_usd_per_mtok,
                Metric::Ceiling => m.price_ceiling_usd_per_mtok,
                Metric::OpenModelCap => m.open_model_cap_usd_per_mtok,
                Metric::OpenPrice => m.open_host_price_usd_per_mtok,
                Metric::Parity => m.open_source_parity,
                Metric::UnservedShare => unserved(run, t),
                Metric::Adoption => m.adoption,
                Metric::MultimodalShare => m.multimodal_share,
                Metric::Active => run
                    .quarter_rows(t)
                    .iter()
                    .filter(|r| r.status == Status::Active)
                    .count() as f64,
                Metric::Exits => run
                    .quarter_rows(t)
                    .iter()
                    .filter(|r| r.status == Status::Exited)
                    .count() as f64,
                Metric::TotalFleet => run.quarter_rows(t).iter().map(|r| r.fleet_k).sum(),
                _ => 0.0,
            },
        }
    }

    fn value_text(&self, subject: Subject, metric: Metric, form: Form, t: u32) -> String {
        let run = self.run;
        match (subject, metric) {
            (Subject::Provider(i), Metric::Name) => return self.sc.providers[i].name.clone(),
            (Subject::Provider(i), Metric::Status) => return run.row(t, i).status.name().to_string(),
            (Subject::Provider(i), Metric::ExitQuarter) => {
                return self
                    .exit_at(i, t)
                    .map_or_else(|| "no exit".to_string(), |q| run.quarter(q).label());
            }
            (Subject::Market, Metric::Leader) => {
                return super::report::ranking(run, t)
                    .first()
                    .map_or_else(String::new, |&i| self.sc.providers[i].name.clone());
            }
            (Subject::Market, Metric::Hardware) => {
                let g = run.market[t as usize].hardware_gen;
                return self.sc.hardware.get(g).map_or_else(String::new, |h| h.name.clone());
            }
            _ => {}
        }
        if let Subject::Provider(i) = subject {
            // The dashboard shows an exited provider's prices and ratios as "exited".
            let ratio = matches!(
                metric,
                Metric::Price
                    | Metric::UnitCost
                    | Metric::GrossMargin
                    | Metric::Ecosystem
                    | Metric::SelfChipShare
                    | Metric::Utilization
            );
            if ratio && run.row(t, i).status == Status::Exited {
                return "exited".into();
            }
        }
        value_text(self.number(subject, metric, t), form)
    }

    fn holds(&self, subject: Subject, condition: Condition, t: u32) -> bool {
        let run = self.run;
        match subject {
            Subject::Provider(i) => {
                let r = run.row(t, i);
                match condition {
                    Condition::Exited => r.status == Status::Exited,
                    Condition::Active => r.status == Status::Active,
                    Condition::Leads => super::report::ranking(run, t).first() == Some(&i),
                    Condition::Profitable => r.status == Status::Active && r.operating_profit_musd > 0.0,
                    Condition::BelowCost => r.status == Status::Active && r.price_usd_per_mtok < r.cost_usd_per_mtok,
                    Condition::PriceWar | Condition::Shortage => false,
                }
            }
            Subject::Market => match condition {
                Condition::PriceWar => run.market[t as usize].price_war,
                Condition::Shortage => run
                    .events_until(t)
                    .filter_map(|e| match e.kind {
                        EventKind::CapacityShortage { .. } => Some(true),
                        EventKind::ShortageEnded => Some(false),
                        _ => None,
                    })
                    .last()
                    .unwrap_or(false),
                _ => false,
            },
        }
    }
}

fn unserved(run: &Run, t: u32) -> f64 {
    run.market[t as usize].unserved_share()
}

fn value_text(v: f64, form: Form) -> String {
    match form {
        Form::Money => musd(v),
        Form::Price => usd_mtok(v),
        Form::Percent => pct(v),
        Form::Index => format!("{v:.2}"),
        Form::Count => format!("{v:.0}"),
        Form::Thousands => thousands(v),
        Form::Usd => usd(v),
        Form::Words => String::new(),
    }
}

fn thousands(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{:.2} million", v / 1000.0)
    } else {
        format!("{v:.0} thousand")
    }
}

/// Whole dollars with thousands separators.
fn usd(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if v < 0.0 { "-" } else { "" })
}

/// A change between two quarters, signed: "+4.2 pts", "-$563M", "+$0.12".
fn change_text(d: f64, form: Form) -> String {
    let sign = if d > 0.0 { "+" } else { "" };
    match form {
        Form::Percent => crate::format::pts(d),
        Form::Money => format!("{sign}{}", musd(d)),
        Form::Price => {
            let s = usd_mtok(d.abs());
            if d < 0.0 { format!("-{s}") } else { format!("+{s}") }
        }
        Form::Index => crate::format::signed(d, 2),
        Form::Count => crate::format::signed(d, 0),
        Form::Thousands => format!("{sign}{}", thousands(d)),
        Form::Usd => format!("{sign}{}", usd(d)),
        Form::Words => String::new(),
    }
}

/// The run on screen at each beat of a presentation of `sc`: beat `k`'s run
/// has the lever changes of beats `0..=k` applied, as presenting does. `run`
/// is `sc`'s own run, reused until a beat changes a lever.
pub fn beat_runs(sc: &Scenario, run: &Run) -> Vec<Run> {
    let mut presented = sc.clone();
    let mut current = run.clone();
    let mut out = Vec::with_capacity(sc.story.len());
    for beat in &sc.story {
        if !beat.levers.is_empty() {
            let at = beat.at.min(sc.quarters.saturating_sub(1));
            for &(target, value) in &beat.levers {
                presented.set_lever(target, at, value);
            }
            current = crate::sim::simulate(&presented);
        }
        out.push(current.clone());
    }
    out
}

/// Money and percentage figures typed into `text` outside placeholders
/// ("$5.12", "8%", "8 %"): they stay the same when the run changes.
pub fn typed_figures(text: &str) -> Vec<TypedFigure> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '{' if chars.get(i + 1) == Some(&'{') => i += 2,
            '}' if chars.get(i + 1) == Some(&'}') => i += 2,
            '{' => {
                depth += 1;
                i += 1;
            }
            '}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            '$' if chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.' || chars[j] == ',') {
                    j += 1;
                }
                if j < chars.len() && matches!(chars[j], 'k' | 'K' | 'M' | 'B' | 'T') {
                    j += 1;
                }
                let figure: String = chars[i..j].iter().collect();
                if depth == 0 {
                    out.push(TypedFigure {
                        at: i,
                        text: figure.trim_end_matches(['.', ',']).to_string(),
                    });
                }
                i = j;
            }
            d if d.is_ascii_digit() => {
                let mut j = i;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                let mut k = j;
                if chars.get(k) == Some(&' ') {
                    k += 1;
                }
                if chars.get(k) == Some(&'%') && depth == 0 {
                    out.push(TypedFigure {
                        at: i,
                        text: chars[i..=k].iter().collect(),
                    });
                    j = k + 1;
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}

/// Placeholders in the story's narration and notes that `sc` (loaded from
/// strategy-file `text`) cannot fill.
pub fn check(text: &str, sc: &Scenario) -> Vec<Located> {
    let mut out = Vec::new();
    for st in story_texts(text, sc) {
        for p in problems(st.value, sc) {
            let (line, col) = st.place(p.at);
            out.push(Located {
                line,
                col,
                path: st.path.clone(),
                message: p.message,
            });
        }
    }
    out.sort_by_key(|p| (p.line, p.col));
    out
}

/// Money and percentage figures typed into the narration of valid strategy-file
/// text: they will not follow the run, so `check` warns about them.
pub fn warnings(text: &str, sc: &Scenario) -> Vec<Located> {
    let mut out = Vec::new();
    for st in story_texts(text, sc) {
        if !st.path.ends_with(".narration") {
            continue;
        }
        for f in typed_figures(st.value) {
            let (line, col) = st.place(f.at);
            out.push(Located {
                line,
                col,
                path: st.path.clone(),
                message: format!(
                    "`{}` is typed in and will not follow the run; write a placeholder such as {{lab.price@2025Q1}} or {{market.unserved_share@beat}}",
                    f.text
                ),
            });
        }
    }
    out.sort_by_key(|p| (p.line, p.col));
    out
}

/// One line per placeholder form, for help texts and error messages.
pub fn reference() -> String {
    format!(
        "{{provider.metric@quarter}} with metrics {}; {{market.metric@quarter}} with {}; quarter is 2025Q1, beat, start or end, or FROM..TO for a change; {{if provider.condition@quarter: text | other text}} with {} (market: {})",
        metric_names(PROVIDER_METRICS),
        metric_names(MARKET_METRICS),
        names(PROVIDER_CONDITIONS),
        names(MARKET_CONDITIONS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> Scenario {
        crate::document::presets::load("default")
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the default preset loads"))
    }

    #[test]
    fn values_are_filled_in_the_screen_formats() {
        let sc = default();
        let run = crate::sim::simulate(&sc);
        let t = sc.index_of("2025Q1".parse().unwrap_or(sc.start)).unwrap_or(0);
        let lab = sc.provider_index("lab").unwrap_or(0);
        let text = fill(
            "{lab.price@2025Q1} and {lab.share@2025Q1}, {lab.cash@end}",
            &sc,
            &run,
            0,
        );
        let want = format!(
            "{} and {}, {}",
            usd_mtok(run.row(t, lab).price_usd_per_mtok),
            pct(run.row(t, lab).share),
            musd(run.row(run.last(), lab).cash_musd)
        );
        assert_eq!(text, want);
    }

    #[test]
    fn beat_is_the_default_quarter() {
        let sc = default();
        let run = crate::sim::simulate(&sc);
        let eco = sc.provider_index("eco").unwrap_or(0);
        assert_eq!(fill("{eco.share}", &sc, &run, 7), pct(run.row(7, eco).share));
        assert_eq!(fill("{eco.share@beat}", &sc, &run, 7), pct(run.row(7, eco).share));
    }

    #[test]
    fn changes_are_signed_and_percentages_change_in_points() {
        let sc = default();
        let run = crate::sim::simulate(&sc);
        let eco = sc.provider_index("eco").unwrap_or(0);
        let d = (run.row(run.last(), eco).share - run.row(0, eco).share) * 100.0;
        assert_eq!(fill("{eco.share@start..end}", &sc, &run, 0), format!("{d:+.1} pts"));
        assert_eq!(change_text(-563.0, Form::Money), "-$563M");
        assert_eq!(change_text(1200.0, Form::Money), "+$1.2B");
        assert_eq!(change_text(-4.85, Form::Price), "-$4.85");
        assert_eq!(value_text(67620.4, Form::Usd), "$67,620");
        assert_eq!(value_text(1160.0, Form::Thousands), "1.16 million");
        assert_eq!(value_text(13.2, Form::Thousands), "13 thousand");
    }

    #[test]
    fn conditions_choose_their_wording() {
        let sc = default();
        let run = crate::sim::simulate(&sc);
        let text = "NeoCloud {if neo.exited@end: exits in {neo.exit_quarter@end} | is still standing}.";
        let neo = sc.provider_index("neo").unwrap_or(0);
        let exit = (0..run.quarters).find(|&t| run.row(t, neo).status == Status::Exited);
        let want = match exit {
            Some(t) => format!("NeoCloud exits in {}.", run.quarter(t).label()),
            None => "NeoCloud is still standing.".to_string(),
        };
        assert_eq!(fill(text, &sc, &run, 0), want);
        // At the start nobody has exited.
        assert_eq!(fill("{if neo.exited@start: gone | here}", &sc, &run, 0), "here");
        assert_eq!(fill("{if neo.active@start: here}", &sc, &run, 0), "here");
        assert_eq!(fill("{if neo.exited@start: gone}", &sc, &run, 0), "");
    }

    #[test]
    fn braces_can_be_written_doubled() {
        let sc = default();
        let run = crate::sim::simulate(&sc);
        assert_eq!(fill("a {{literal}} brace", &sc, &run, 0), "a {literal} brace");
        assert!(problems("a {{literal}} brace", &sc).is_empty());
    }

    #[test]
    fn unknown_names_are_problems_at_their_brace() {
        let sc = default();
        let cases = [
            ("Price {acme.price@2025Q1}.", 6, "unknown provider `acme`"),
            (
                "Price {lab.prise}.",
                6,
                "unknown metric `prise` for a provider; did you mean `price`?",
            ),
            ("x {lab.price@2040Q1}", 2, "outside the horizon"),
            ("x {lab.price@soon}", 2, "not a quarter"),
            ("x {lab.price", 2, "not closed"),
            ("x {if lab.gone@end: a | b}", 2, "unknown condition `gone`"),
            ("x {lab.name@start..end}", 2, "no change"),
            ("ü {price}", 2, "looks like"),
        ];
        for (text, at, want) in cases {
            let p = problems(text, &sc);
            assert_eq!(p.len(), 1, "{text}: {p:?}");
            assert_eq!(p[0].at, at, "{text}");
            assert!(p[0].message.contains(want), "{text}: {}", p[0].message);
        }
        // A bad placeholder is left as written rather than dropped.
        let run = crate::sim::simulate(&sc);
        assert_eq!(fill("Price {lab.prise}.", &sc, &run, 0), "Price {lab.prise}.");
    }

    #[test]
    fn typed_figures_are_found_outside_placeholders() {
        let found: Vec<String> =
            typed_figures("It costs $5.12, 8% go unserved, {lab.share} and 85 % parity; $M is a unit.")
                .into_iter()
                .map(|f| f.text)
                .collect();
        assert_eq!(found, ["$5.12", "8%", "85 %"]);
        assert!(typed_figures("{if lab.leads@end: {lab.share@end} | none}").is_empty());
        assert_eq!(typed_figures("$2.86B of debt")[0].text, "$2.86B");
    }
}
