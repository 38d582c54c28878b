//! A validated scenario: the model's input.
//!
//! This module owns the in-memory form of a strategy (parameters, providers,
//! hardware, lever keyframes) and the rules for changing levers. Reading and
//! writing files is `crate::document::file`'s job; running it is `engine`'s.

use super::params::{HardwareGen, MarketKey, MarketParams, PricingPolicy, ProviderKey, ProviderParams};
use super::quarter::Quarter;
use chrono::{DateTime, Utc};

/// Allowed horizon, in quarters.
pub const MIN_QUARTERS: u32 = 4;
pub const MAX_QUARTERS: u32 = 200;

/// A colour as red, green, blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses `#rrggbb`.
    pub fn parse(s: &str) -> Option<Rgb> {
        let h = s.strip_prefix('#')?;
        if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
        Some(Rgb(p(0)?, p(2)?, p(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG), 0 for black to 1 for white.
    pub fn luminance(self) -> f64 {
        let ch = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(self.0) + 0.7152 * ch(self.1) + 0.0722 * ch(self.2)
    }

    /// This colour darkened, in steps, until its contrast with white is at
    /// least `ratio` (3 reads as a line or large text from the back of a room).
    pub fn readable_on_white(self, ratio: f64) -> Rgb {
        let mut c = self;
        for _ in 0..40 {
            if 1.05 / (c.luminance() + 0.05) >= ratio {
                break;
            }
            let dim = |v: u8| (f64::from(v) * 0.9) as u8;
            c = Rgb(dim(c.0), dim(c.1), dim(c.2));
        }
        c
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    /// Short identifier used in keys: `providers.<id>.…`.
    pub id: String,
    pub name: String,
    pub color: Rgb,
    pub pricing: PricingPolicy,
    pub params: ProviderParams,
}

/// Addresses one numeric parameter of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamRef {
    Market(MarketKey),
    /// Provider index in `Scenario::providers`.
    Provider(usize, ProviderKey),
}

impl ParamRef {
    pub const PARITY: ParamRef = ParamRef::Market(MarketKey::open_source_parity);
    pub const CEILING: ParamRef = ParamRef::Market(MarketKey::price_ceiling_usd_per_mtok);

    pub fn self_chip_volume(provider: usize) -> ParamRef {
        ParamRef::Provider(provider, ProviderKey::self_chip_volume)
    }

    pub fn lock_in(provider: usize) -> ParamRef {
        ParamRef::Provider(provider, ProviderKey::ecosystem_lock_in)
    }

    pub fn spec(self) -> super::params::ParamSpec {
        match self {
            ParamRef::Market(k) => k.spec(),
            ParamRef::Provider(_, k) => k.spec(),
        }
    }

    /// The parameter's name for people: "Open-source parity", "Self-chip
    /// volume", "Min cash musd" (the four mission levers by their names in the
    /// dashboard, the others from their key).
    pub fn label(self) -> String {
        match self {
            ParamRef::Market(MarketKey::open_source_parity) => "Open-source parity".into(),
            ParamRef::Market(MarketKey::price_ceiling_usd_per_mtok) => "Price ceiling".into(),
            ParamRef::Provider(_, ProviderKey::self_chip_volume) => "Self-chip volume".into(),
            ParamRef::Provider(_, ProviderKey::ecosystem_lock_in) => "Ecosystem lock-in".into(),
            other => {
                let name = other.spec().name.replace('_', " ");
                let mut c = name.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => name,
                }
            }
        }
    }

    /// True for starting-position parameters, which cannot change mid-run.
    pub fn is_start_only(self) -> bool {
        matches!(self, ParamRef::Provider(_, k) if k.is_start_only())
    }
}

/// A parameter's base value (`at: None`) or its keyframe at quarter index
/// `at`: what an analysis moved, kept typed so nothing parses it back from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamAt {
    pub target: ParamRef,
    pub at: Option<u32>,
}

impl ParamAt {
    /// The parameter's base value.
    pub fn base(target: ParamRef) -> ParamAt {
        ParamAt { target, at: None }
    }
}

/// From quarter `at` (index from the start) on, `target` takes `value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keyframe {
    pub at: u32,
    pub target: ParamRef,
    pub value: f64,
}

/// Who wrote the strategy and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub name: String,
    pub description: String,
    pub author: Option<String>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub meta: Meta,
    pub start: Quarter,
    pub quarters: u32,
    pub seed: u64,
    pub market: MarketParams,
    pub hardware: Vec<HardwareGen>,
    /// Quarter index at which each hardware generation becomes available
    /// (parallel to `hardware`; negative = before the start).
    pub hardware_from: Vec<i64>,
    pub providers: Vec<Provider>,
    /// Sorted by quarter, then target; at most one per (quarter, target).
    pub keyframes: Vec<Keyframe>,
    /// Inputs drawn from distributions in Monte Carlo studies; a plain run uses
    /// the base values and keyframes.
    pub uncertainty: Vec<super::uncertainty::Uncertain>,
    /// Presentation beats, in quarter order.
    pub story: Vec<super::story::Beat>,
    /// Provider parameters a war-game seat decides each round besides its two
    /// levers; `None` (not written in the file) means [`DEFAULT_DECISIONS`].
    pub decisions: Option<Vec<ProviderKey>>,
}

/// What a war-game seat decides when the scenario does not say: markup, the
/// pricing policy's strength, ecosystem investment and capacity headroom.
/// (The pricing policy itself is a provider's fixed kind; keyframes change
/// numbers only.)
pub const DEFAULT_DECISIONS: [ProviderKey; 4] = [
    ProviderKey::markup,
    ProviderKey::policy_strength,
    ProviderKey::ecosystem_invest_musd,
    ProviderKey::capacity_headroom,
];

/// A `--set`-style key that does not name a parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("unknown key `{0}`; keys look like market.<param> or providers.<id>.<param> (see `cloudstrat params`){1}")]
    Malformed(String, String),
    #[error("unknown market parameter `{0}`{1}")]
    UnknownMarket(String, String),
    #[error("unknown provider `{id}` in `{key}`; this scenario has {known}{hint}")]
    UnknownProvider {
        key: String,
        id: String,
        known: String,
        hint: String,
    },
    #[error("unknown provider parameter `{0}`{1}")]
    UnknownProviderParam(String, String),
}

impl Scenario {
    pub fn end(&self) -> Quarter {
        self.start.offset(i64::from(self.quarters) - 1)
    }

    pub fn quarter_at(&self, t: u32) -> Quarter {
        self.start.offset(i64::from(t))
    }

    /// Index of `q` within the horizon, if it falls inside it.
    pub fn index_of(&self, q: Quarter) -> Option<u32> {
        let i = self.start.quarters_until(q);
        (0..i64::from(self.quarters)).contains(&i).then_some(i as u32)
    }

    /// The parameters a war-game seat decides each round: its two levers
    /// (self-chip volume, lock-in), then the scenario's decisions in order.
    pub fn decision_keys(&self) -> Vec<ProviderKey> {
        let mut out = vec![ProviderKey::self_chip_volume, ProviderKey::ecosystem_lock_in];
        let listed = self.decisions.as_deref().unwrap_or(&DEFAULT_DECISIONS);
        for &k in listed {
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out
    }

    pub fn provider_index(&self, id: &str) -> Option<usize> {
        self.providers.iter().position(|p| p.id == id)
    }

    /// Parses `market.x` or `providers.<id>.x`. An unknown name is answered
    /// with the nearest known one ("did you mean `market.open_source_parity`?").
    pub fn parse_key(&self, key: &str) -> Result<ParamRef, KeyError> {
        if let Some(rest) = key.strip_prefix("market.") {
            return MarketKey::from_name(rest).map(ParamRef::Market).ok_or_else(|| {
                let hint = crate::suggest::nearest(rest, MarketKey::ALL.iter().map(|k| k.name()))
                    .map_or_else(String::new, |k| format!("; did you mean `market.{k}`?"));
                KeyError::UnknownMarket(key.to_string(), hint)
            });
        }
        let Some((id, param)) = key.strip_prefix("providers.").and_then(|rest| rest.rsplit_once('.')) else {
            return Err(KeyError::Malformed(key.to_string(), self.key_hint(key)));
        };
        let ids = || self.providers.iter().map(|p| p.id.as_str());
        let i = self.provider_index(id).ok_or_else(|| KeyError::UnknownProvider {
            key: key.to_string(),
            id: id.to_string(),
            known: ids().collect::<Vec<_>>().join(", "),
            hint: crate::suggest::nearest(id, ids()).map_or_else(String::new, |near| {
                format!("; did you mean `providers.{near}.{param}`?")
            }),
        })?;
        ProviderKey::from_name(param)
            .map(|k| ParamRef::Provider(i, k))
            .ok_or_else(|| {
                let hint = crate::suggest::nearest(param, ProviderKey::ALL.iter().map(|k| k.name()))
                    .map_or_else(String::new, |k| format!("; did you mean `providers.{id}.{k}`?"));
                KeyError::UnknownProviderParam(key.to_string(), hint)
            })
    }

    /// Every key of this scenario, as `cloudstrat params` lists them.
    pub fn all_keys(&self) -> Vec<String> {
        let market = MarketKey::ALL.iter().map(|&k| ParamRef::Market(k));
        let providers =
            (0..self.providers.len()).flat_map(|i| ProviderKey::ALL.iter().map(move |&k| ParamRef::Provider(i, k)));
        market.chain(providers).map(|r| self.key_name(r)).collect()
    }

    /// "; did you mean `KEY`?" for a key that is not even shaped like one.
    fn key_hint(&self, key: &str) -> String {
        let keys = self.all_keys();
        let last = key.rsplit('.').next().unwrap_or(key);
        // The whole key, else its last part against each key's last part.
        crate::suggest::nearest(key, keys.iter().map(String::as_str))
            .or_else(|| {
                let near = crate::suggest::nearest(last, keys.iter().filter_map(|k| k.rsplit('.').next()))?;
                keys.iter()
                    .find(|k| k.ends_with(&format!(".{near}")))
                    .map(String::as_str)
            })
            .map_or_else(String::new, |k| format!("; did you mean `{k}`?"))
    }

    /// The key text for a parameter, as written in files and on the command line.
    pub fn key_name(&self, r: ParamRef) -> String {
        match r {
            ParamRef::Market(k) => format!("market.{}", k.name()),
            ParamRef::Provider(i, k) => {
                let id = self.providers.get(i).map_or("?", |p| p.id.as_str());
                format!("providers.{id}.{}", k.name())
            }
        }
    }

    /// A parameter's name for people, with its provider's name: "Open-source
    /// parity", "Hyperscaler: Self-chip volume". The event log and exports
    /// use it; files and the command line use [`Scenario::key_name`].
    pub fn param_label(&self, r: ParamRef) -> String {
        match r {
            ParamRef::Market(_) => r.label(),
            ParamRef::Provider(i, _) => {
                let name = self.providers.get(i).map_or("?", |p| p.name.as_str());
                format!("{name}: {}", r.label())
            }
        }
    }

    /// `market.open_source_parity` or, for a keyframe, `market.open_source_parity@2025Q1`.
    pub fn param_at_key(&self, p: ParamAt) -> String {
        match p.at {
            None => self.key_name(p.target),
            Some(t) => format!("{}@{}", self.key_name(p.target), self.quarter_at(t)),
        }
    }

    /// The value before any keyframe.
    pub fn base_value(&self, r: ParamRef) -> f64 {
        match r {
            ParamRef::Market(k) => self.market.get(k),
            ParamRef::Provider(i, k) => self.providers.get(i).map_or(0.0, |p| p.params.get(k)),
        }
    }

    pub fn set_base_value(&mut self, r: ParamRef, v: f64) {
        match r {
            ParamRef::Market(k) => self.market.set(k, v),
            ParamRef::Provider(i, k) => {
                if let Some(p) = self.providers.get_mut(i) {
                    p.params.set(k, v);
                }
            }
        }
    }

    /// The value in force at quarter `t`: the latest keyframe at or before `t`, else the base.
    pub fn value_at(&self, r: ParamRef, t: u32) -> f64 {
        self.keyframes
            .iter()
            .rfind(|k| k.target == r && k.at <= t)
            .map_or_else(|| self.base_value(r), |k| k.value)
    }

    /// Sets `r` to `v` from quarter `t` on until its next keyframe. At quarter 0
    /// this changes the base value. Returns the value it replaced.
    pub fn set_lever(&mut self, r: ParamRef, t: u32, v: f64) -> f64 {
        // A starting-position parameter only acts at the start: set it there.
        let t = if r.is_start_only() { 0 } else { t };
        let old = self.value_at(r, t);
        if t == 0 {
            self.set_base_value(r, v);
            self.keyframes.retain(|k| !(k.target == r && k.at == 0));
        } else if let Some(k) = self.keyframes.iter_mut().find(|k| k.target == r && k.at == t) {
            k.value = v;
        } else {
            self.keyframes.push(Keyframe {
                at: t,
                target: r,
                value: v,
            });
            self.sort_keyframes();
        }
        old
    }

    /// Sets `r` to `v` for the whole run, dropping its keyframes.
    pub fn set_whole_run(&mut self, r: ParamRef, v: f64) {
        self.keyframes.retain(|k| k.target != r);
        self.set_base_value(r, v);
        self.drop_dangling();
    }

    /// Removes the keyframe of `r` at `t`, if any.
    pub fn remove_keyframe(&mut self, r: ParamRef, t: u32) -> bool {
        let n = self.keyframes.len();
        self.keyframes.retain(|k| !(k.target == r && k.at == t));
        self.drop_dangling();
        n != self.keyframes.len()
    }

    /// Shortens or lengthens the horizon; keyframes, uncertain keyframe values and
    /// story beats past the new end are dropped.
    pub fn set_quarters(&mut self, quarters: u32) {
        self.quarters = quarters;
        self.keyframes.retain(|k| k.at < quarters);
        self.story.retain(|b| b.at < quarters);
        self.drop_dangling();
    }

    /// Forgets uncertainty about keyframes that no longer exist.
    fn drop_dangling(&mut self) {
        let keyframes = &self.keyframes;
        self.uncertainty.retain(|u| {
            u.at.is_none_or(|t| keyframes.iter().any(|k| k.target == u.target && k.at == t))
        });
    }

    pub fn sort_keyframes(&mut self) {
        self.keyframes
            .sort_by(|a, b| a.at.cmp(&b.at).then(a.target.cmp(&b.target)));
    }

    /// Quarters at which `r` has a keyframe.
    pub fn keyframe_quarters(&self, r: ParamRef) -> impl Iterator<Item = u32> + '_ {
        self.keyframes.iter().filter(move |k| k.target == r).map(|k| k.at)
    }

    /// The multimodal share starts above its maximum (a rule of [`Scenario::problems`]).
    fn multimodal_start_above_max(&self) -> bool {
        self.market.multimodal_share_start > self.market.multimodal_share_max
    }

    /// The providers' initial shares, summed in file order, when they add up
    /// to more than 1 (a rule of [`Scenario::problems`]).
    fn initial_shares_above_one(&self) -> Option<f64> {
        let share = self.providers.iter().fold(0.0, |s, p| s + p.params.initial_share);
        (share > 1.0 + 1e-9).then_some(share)
    }

    /// The rules of [`Scenario::problems`] that relate parameter values to one
    /// another hold: what a sample whose values are each in range can still break.
    pub(crate) fn related_values_hold(&self) -> bool {
        !self.multimodal_start_above_max() && self.initial_shares_above_one().is_none()
    }

    /// Every range or consistency problem, as (field path, message).
    /// An empty list means the scenario can be simulated.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let last_year = self.start.offset(i64::from(self.quarters.max(1)) - 1).year();
        if last_year > Quarter::MAX_YEAR {
            out.push((
                "quarters".into(),
                format!(
                    "the horizon from {} would end in {last_year}; quarters run to {} Q4 at the latest",
                    self.start,
                    Quarter::MAX_YEAR
                ),
            ));
        }
        if !(MIN_QUARTERS..=MAX_QUARTERS).contains(&self.quarters) {
            out.push((
                "quarters".into(),
                format!(
                    "{} is out of range; allowed {MIN_QUARTERS} to {MAX_QUARTERS}",
                    self.quarters
                ),
            ));
        }
        for (k, m) in self.market.problems() {
            out.push((format!("market.{}", k.name()), m));
        }
        if self.multimodal_start_above_max() {
            out.push((
                "market.multimodal_share_start".into(),
                format!(
                    "{} is above market.multimodal_share_max ({})",
                    self.market.multimodal_share_start, self.market.multimodal_share_max
                ),
            ));
        }
        if self.providers.is_empty() {
            out.push(("providers".into(), "at least one provider is required".into()));
        }
        if self.providers.len() > 64 {
            out.push((
                "providers".into(),
                format!("{} providers; allowed 1 to 64", self.providers.len()),
            ));
        }
        for (i, p) in self.providers.iter().enumerate() {
            for (k, m) in p.params.problems() {
                out.push((format!("providers.{}.{}", p.id, k.name()), m));
            }
            if self.providers[..i].iter().any(|q| q.id == p.id) {
                out.push((
                    format!("providers[{i}].id"),
                    format!("duplicate provider id `{}`", p.id),
                ));
            }
        }
        if let Some(share) = self.initial_shares_above_one() {
            // Enough digits to show why the sum fails: 1.0000001, not 1.000.
            let shown = (3..17)
                .map(|digits| format!("{share:.digits$}"))
                .find(|t| t.parse::<f64>().is_ok_and(|r| r > 1.0))
                .unwrap_or_else(|| format!("{share}"));
            out.push((
                "providers.*.initial_share".into(),
                format!("initial shares add up to {shown}; allowed at most 1"),
            ));
        }
        if self.hardware.is_empty() {
            out.push(("hardware".into(), "at least one hardware generation is required".into()));
        } else if self.hardware_from.first().is_some_and(|&f| f > 0) {
            out.push((
                "hardware[0].available".into(),
                format!(
                    "the first generation must be available by the start quarter {}",
                    self.start
                ),
            ));
        }
        for (i, w) in self.hardware_from.windows(2).enumerate() {
            if w[1] < w[0] {
                out.push((
                    format!("hardware[{}].available", i + 1),
                    "generations must be listed in order of availability".into(),
                ));
            }
        }
        for k in &self.keyframes {
            if k.at > 0 && k.target.is_start_only() {
                out.push((
                    format!("keyframes: {} at {}", self.key_name(k.target), self.quarter_at(k.at)),
                    "a starting-position parameter acts only at the start; set it without a quarter".into(),
                ));
            }
            if k.at >= self.quarters {
                out.push((
                    format!("keyframes: {} at {}", self.key_name(k.target), self.quarter_at(k.at)),
                    format!("quarter is outside the horizon {} to {}", self.start, self.end()),
                ));
            }
            if let Some(m) = k.target.spec().check(k.value) {
                out.push((
                    format!("keyframes: {} at {}", self.key_name(k.target), self.quarter_at(k.at)),
                    m,
                ));
            }
        }
        out
    }
}
