//! Strategy files: RON text ⇄ `Scenario`.
//!
//! Loading is two-stage: the text is parsed into `RawScenario` (exactly what the
//! file says, unknown fields rejected), then validated into a `Scenario` with
//! errors that name the field path and the allowed range. Writing goes back
//! through `RawScenario`, so save → load → save gives identical bytes.
//! Reading the disk lives in `load_path`; everything else here is pure.

use super::locate::{self, Layout};
use crate::sim::params::{
    HARDWARE_RANGES, HardwareGen, MarketKey, MarketParams, PricingPolicy, ProviderKey, ProviderParams,
};
use crate::sim::scenario::{Keyframe, MAX_QUARTERS, MIN_QUARTERS, Meta, Provider, Rgb, Scenario};
use crate::sim::{Beat, Distribution, Metric, Quarter, Uncertain};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// Schema version written by this program.
pub const CURRENT_VERSION: u32 = 3;
/// Largest strategy file accepted.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

// The serde names of the raw structs are what parse errors show ("missing field
// `version` in `scenario`"), so they are the words a reader of the file knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "scenario")]
pub struct RawScenario {
    pub version: u32,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub created: String,
    pub modified: String,
    pub start: String,
    pub quarters: u32,
    pub seed: u64,
    pub market: MarketParams,
    pub hardware: Vec<HardwareGen>,
    pub providers: Vec<RawProvider>,
    #[serde(default)]
    pub keyframes: Vec<RawKeyframe>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertainty: Vec<RawUncertain>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub story: Vec<RawBeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<RawBaseline>,
    /// Provider parameters a war-game seat decides besides its levers
    /// (`docs/WARGAME.md`); absent means the default list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<Vec<String>>,
}

/// The baseline pinned in the dashboard when the file was saved: the same
/// scenario with its own lever values and keyframes. Everything else (start,
/// horizon, seed, hardware, provider ids) is the scenario's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "baseline")]
pub struct RawBaseline {
    pub market: MarketParams,
    /// The scenario's providers, in the same order.
    pub providers: Vec<RawBaselineProvider>,
    #[serde(default)]
    pub keyframes: Vec<RawKeyframe>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "baseline_provider")]
pub struct RawBaselineProvider {
    pub id: String,
    pub params: ProviderParams,
}

/// Everything a strategy file holds: the scenario and, if one was pinned, the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub scenario: Scenario,
    /// The baseline as a whole scenario (the file's scenario with the
    /// baseline's levers and keyframes), ready to simulate.
    pub baseline: Option<Scenario>,
}

/// A story beat as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBeat {
    pub at: String,
    pub title: String,
    pub narration: String,
    /// Private speaker notes, shown only in `cloudstrat notes`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    pub chart: Metric,
    /// Provider id.
    pub focus: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levers: Vec<RawLever>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLever {
    pub key: String,
    pub value: f64,
}

/// `key` is a parameter key, optionally with `@QUARTER` to make that keyframe's value uncertain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "uncertain")]
pub struct RawUncertain {
    pub key: String,
    pub dist: Distribution,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "provider")]
pub struct RawProvider {
    pub id: String,
    pub name: String,
    pub color: String,
    pub pricing: PricingPolicy,
    pub params: ProviderParams,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "keyframe")]
pub struct RawKeyframe {
    pub at: String,
    pub key: String,
    pub value: f64,
}

/// Only the version, read first so a newer file gets a version message rather
/// than a list of unknown fields.
#[derive(Deserialize)]
struct VersionProbe {
    version: u32,
}

/// A problem with one strategy file.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    Io {
        file: String,
        message: String,
    },
    TooLarge {
        file: String,
        bytes: u64,
    },
    Syntax {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
    Version {
        file: String,
        found: u32,
        /// Line and column of the version number.
        at: Option<(usize, usize)>,
    },
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
    /// Placeholders in story text that the scenario cannot fill.
    Narration {
        file: String,
        problems: Vec<Located>,
    },
}

/// A problem validation found in a strategy file: the field, what is wrong
/// and, when it can be found in the text, where the value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Field path, e.g. `providers[2].color` or `market.open_source_parity`.
    pub path: String,
    pub message: String,
    /// Line and column (1-based; the column counts characters) of the value,
    /// or of the nearest enclosing value when the field is not written.
    pub at: Option<(usize, usize)>,
}

impl Problem {
    fn new(path: String, message: String) -> Problem {
        Problem {
            path,
            message,
            at: None,
        }
    }
}

/// `:LINE:COL` after a file name, or nothing.
fn place_text(at: Option<(usize, usize)>) -> String {
    at.map(|(line, col)| format!(":{line}:{col}")).unwrap_or_default()
}

/// A problem at a place in a strategy file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub line: usize,
    pub col: usize,
    /// Field path, e.g. `story[2].narration`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: {}", self.line, self.col, self.path, self.message)
    }
}

impl fmt::Display for LoadError {
    /// What is quoted from the file is shown safely: control characters
    /// replaced and long values elided ([`crate::document::clean::for_message`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::document::clean::{for_message, for_terminal};
        match self {
            LoadError::Io { file, message } => write!(f, "{}: {}", for_terminal(file), for_message(message)),
            LoadError::TooLarge { file, bytes } => write!(
                f,
                "{}: file is {bytes} bytes; strategy files may be at most {MAX_FILE_BYTES} bytes (1 MiB)",
                for_terminal(file)
            ),
            LoadError::Syntax {
                file,
                line,
                col,
                message,
            } => write!(f, "{}:{line}:{col}: {}", for_terminal(file), for_message(message)),
            LoadError::Version { file, found: 0, at } => write!(
                f,
                "{}{}: version: 0 is not a schema version; this program reads versions 1 to {CURRENT_VERSION}",
                for_terminal(file),
                place_text(*at)
            ),
            LoadError::Version { file, found, at } => write!(
                f,
                "{}{}: version: file has schema version {found}; this program reads versions 1 to {CURRENT_VERSION} (a newer cloudstrat wrote it; update to open it)",
                for_terminal(file),
                place_text(*at)
            ),
            LoadError::Invalid { file, problems } => {
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(
                        f,
                        "{}{}: {}: {}",
                        for_terminal(file),
                        place_text(p.at),
                        for_message(&p.path),
                        for_message(&p.message)
                    )?;
                }
                Ok(())
            }
            LoadError::Narration { file, problems } => {
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{file}:{p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// How strategy files are read: standard RON, except that an optional field may
/// also be written without `Some(…)` (`author: "Ada"`), as people write it by hand.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Parses and validates strategy-file text. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Scenario, LoadError> {
    parse_document(text, file).map(|d| d.scenario)
}

/// Like [`parse`], keeping the baseline section too.
pub fn parse_document(text: &str, file: &str) -> Result<Document, LoadError> {
    // A byte-order mark, as some Windows editors write, is not part of the text.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            file: file.into(),
            bytes: text.len() as u64,
        });
    }
    // A file of the current version is parsed once; only when that fails or
    // finds an older version is the version read on its own (to refuse an
    // unknown one before its syntax, or to migrate an old one).
    let first = ron_options().from_str::<RawScenario>(text);
    let (mut raw, version) = match first {
        Ok(raw) if raw.version == CURRENT_VERSION => (raw, Some(CURRENT_VERSION)),
        first => {
            let version = ron_options().from_str::<VersionProbe>(text).map(|p| p.version).ok();
            if let Some(found) = version.filter(|&v| v == 0 || v > CURRENT_VERSION) {
                return Err(LoadError::Version {
                    file: file.into(),
                    found,
                    at: Layout::of(text).find("version").filter(|f| f.exact).map(|f| f.place),
                });
            }
            // Older files are rewritten into the current schema first (same line numbers).
            let parsed = match version {
                Some(v) if v < CURRENT_VERSION => {
                    let migrated = crate::document::migrate::migrate(text, v);
                    ron_options()
                        .from_str::<RawScenario>(&migrated)
                        .map_err(|e| syntax_error(&e, &migrated, file))
                }
                _ => first.map_err(|e| syntax_error(&e, text, file)),
            };
            (parsed?, version)
        }
    };
    // Validation errors are placed in the text the user wrote (a migrated
    // file's added fields are not in it, and are not what an error is about).
    let owners = ProviderOwners::of(&raw);
    let placed = |e: LoadError| place_problems(e, text, "", &owners);
    fill_added_parameters(&mut raw, version.unwrap_or(CURRENT_VERSION), file).map_err(placed)?;
    if let Err(problems) = text_problems(&raw) {
        return Err(placed(invalid(file, problems)));
    }
    raw.version = CURRENT_VERSION;
    validate_document(raw, file).map_err(placed)
}

fn invalid(file: &str, problems: Vec<(String, String)>) -> LoadError {
    LoadError::Invalid {
        file: file.into(),
        problems: problems.into_iter().map(|(p, m)| Problem::new(p, m)).collect(),
    }
}

/// The providers of a file and of its baseline section, by position: what
/// turns a parameter's path such as `providers.solo.markup` into the place
/// `providers[0].params.markup` in the text.
struct ProviderOwners {
    scenario: Vec<(String, ProviderParams)>,
    baseline: Vec<(String, ProviderParams)>,
}

impl ProviderOwners {
    fn of(raw: &RawScenario) -> ProviderOwners {
        ProviderOwners {
            scenario: raw.providers.iter().map(|p| (p.id.clone(), p.params.clone())).collect(),
            baseline: raw.baseline.as_ref().map_or_else(Vec::new, |b| {
                b.providers.iter().map(|p| (p.id.clone(), p.params.clone())).collect()
            }),
        }
    }

    /// The path in the file's structure of a problem's path: parameter
    /// paths name a provider by id (`providers.solo.markup`), the text lists
    /// providers (`providers[0].params.markup`). `None` when there is no
    /// such provider.
    fn text_path(&self, path: &str) -> Option<String> {
        let (prefix, rest, list) = match path.strip_prefix("baseline.") {
            Some(rest) => ("baseline.", rest, &self.baseline),
            None => ("", path, &self.scenario),
        };
        if rest == "providers.*.initial_share" {
            // The share that takes the sum above 1.
            let mut sum = 0.0;
            let i = list.iter().position(|(_, p)| {
                sum += p.initial_share;
                sum > 1.0 + 1e-9
            });
            return Some(match i {
                Some(i) => format!("{prefix}providers[{i}].params.initial_share"),
                None => format!("{prefix}providers"),
            });
        }
        let Some((id, key)) = rest.strip_prefix("providers.").and_then(|r| r.rsplit_once('.')) else {
            return Some(path.to_string());
        };
        let k = ProviderKey::from_name(key)?;
        // With two providers of one id, the one whose value is out of range.
        let same_id = || list.iter().enumerate().filter(|(_, (pid, _))| pid == id);
        let (i, _) = same_id()
            .find(|(_, (_, p))| k.spec().check(p.get(k)).is_some())
            .or_else(|| same_id().next())?;
        Some(format!("{prefix}providers[{i}].params.{key}"))
    }
}

/// Each problem of an `Invalid` error with the place of its value in `text`,
/// where the scenario is the value at field path `within` (empty: the whole text).
fn place_problems(e: LoadError, text: &str, within: &str, owners: &ProviderOwners) -> LoadError {
    let LoadError::Invalid { file, mut problems } = e else {
        return e;
    };
    let layout = Layout::of(text);
    for p in &mut problems {
        p.at = owners
            .text_path(&p.path)
            .map(|path| {
                if within.is_empty() {
                    path
                } else {
                    format!("{within}.{path}")
                }
            })
            .and_then(|path| layout.find(&path))
            .map(|f| f.place);
        too_large_as_typed(p, text);
    }
    LoadError::Invalid { file, problems }
}

/// A number written too large for a float (`1e309`) reads back as infinite:
/// the problem quotes it as written rather than as `inf`.
fn too_large_as_typed(p: &mut Problem, text: &str) {
    let Some((line, col)) = p.at else { return };
    let Some(rest) = ["inf is not a number", "-inf is not a number"]
        .iter()
        .find_map(|s| p.message.strip_prefix(s))
    else {
        return;
    };
    let Some(written) = text.lines().nth(line.saturating_sub(1)).map(|l| {
        l.chars()
            .skip(col.saturating_sub(1))
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'))
            .collect::<String>()
    }) else {
        return;
    };
    if written.chars().any(|c| c.is_ascii_digit()) {
        p.message = format!("{written} is too large for a number{rest}");
    }
}

/// [`validate_document`] for a scenario written as the value of field
/// `within` of a larger file's `text` (a game file's `scenario`): each problem
/// gets the place of its value in that text.
pub fn validate_document_in(raw: RawScenario, file: &str, text: &str, within: &str) -> Result<Document, LoadError> {
    let owners = ProviderOwners::of(&raw);
    validate_document(raw, file).map_err(|e| place_problems(e, text, within, &owners))
}

fn syntax_error(e: &ron::error::SpannedError, text: &str, file: &str) -> LoadError {
    let at = (e.span.start.line, e.span.start.col);
    // A file cut off part way (a copy that stopped, an editor that crashed)
    // makes the parser stumble on its last, partial token, often with an
    // "unknown field" for half a name. When the stumble is there and a
    // bracket, string or comment is still open, the truth is that the file ends early.
    if let Some(cut) = locate::cut_short(text).filter(|c| at >= c.last_token) {
        let (line, col) = cut.opened;
        let of = if cut.path.is_empty() {
            String::new()
        } else {
            format!(" of {}", cut.path)
        };
        let message = match cut.open.as_str() {
            "string" => {
                format!("truncated? the file ends inside the string{of} that starts at line {line}, column {col}")
            }
            "comment" => {
                format!("truncated? the file ends inside the comment that starts at line {line}, column {col}")
            }
            bracket => {
                format!("truncated? the file ends before `{bracket}`{of} at line {line}, column {col} is closed")
            }
        };
        return LoadError::Syntax {
            file: file.into(),
            line: cut.end.0,
            col: cut.end.1,
            message,
        };
    }
    LoadError::Syntax {
        file: file.into(),
        line: e.span.start.line,
        col: e.span.start.col,
        message: syntax_message(e, text),
    }
}

/// Parameters added in schema version 3 are absent from older files: they get
/// the built-in default scenario's values. In a version-3 file an absent one is
/// an error naming it.
fn fill_added_parameters(raw: &mut RawScenario, version: u32, file: &str) -> Result<(), LoadError> {
    let mut markets = vec![("market", &mut raw.market)];
    if let Some(b) = raw.baseline.as_mut() {
        markets.push(("baseline.market", &mut b.market));
    }
    let mut problems = Vec::new();
    for (path, m) in markets {
        for k in MarketKey::ADDED_IN_V3 {
            if !m.get(k).is_nan() {
                continue;
            }
            if version < 3 {
                m.set(k, default_market_value(k));
            } else {
                problems.push((
                    format!("{path}.{}", k.name()),
                    format!("missing; every version-3 file sets it ({})", k.spec().range_text()),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(invalid(file, problems))
    }
}

/// The built-in default scenario's value of a market parameter.
fn default_market_value(k: MarketKey) -> f64 {
    static DEFAULT: std::sync::OnceLock<Option<MarketParams>> = std::sync::OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            let text = super::presets::text("default")?;
            ron_options().from_str::<RawScenario>(text).ok().map(|r| r.market)
        })
        .as_ref()
        .map_or(f64::NAN, |m| m.get(k))
}

/// The whole-number fields of a strategy file and what they allow.
const INTEGER_FIELDS: [(&str, &str); 3] = [
    ("version", "a schema version, 1 to 3"),
    ("quarters", "a whole number of quarters, 4 to 200"),
    ("seed", "a whole number from 0 to 18446744073709551615"),
];

/// The parser's message, with the field and its range where the parser only
/// says that a whole number does not fit.
fn syntax_message(e: &ron::error::SpannedError, text: &str) -> String {
    // An unknown name: the nearest known one instead of the whole list
    // (a market has more than fifty fields).
    if let ron::Error::NoSuchStructField { expected, found, outer }
    | ron::Error::NoSuchEnumVariant { expected, found, outer } = &e.code
    {
        let what = if matches!(e.code, ron::Error::NoSuchStructField { .. }) {
            "field"
        } else {
            "variant"
        };
        let place = match (outer, what) {
            (Some(o), "variant") => format!(" in enum `{o}`"),
            (Some(o), _) => format!(" in `{o}`"),
            (None, _) => String::new(),
        };
        let hint = match crate::suggest::nearest(found, expected.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None if expected.len() <= 8 => {
                let names: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
                format!("expected one of {}", names.join(", "))
            }
            None => "`cloudstrat params` lists the parameters".to_string(),
        };
        return format!("unknown {what} `{found}`{place}; {hint}");
    }
    let message = e.code.to_string();
    let integer = matches!(
        e.code,
        ron::Error::IntegerOutOfBounds | ron::Error::ExpectedInteger | ron::Error::InvalidIntegerDigit { .. }
    );
    if !integer {
        return message;
    }
    // The field is the last `name:` before the error on its line.
    let line = text.lines().nth(e.span.start.line.saturating_sub(1)).unwrap_or("");
    let before: String = line.chars().take(e.span.start.col.saturating_sub(1)).collect();
    let field = before
        .rsplit_once(':')
        .map(|(lhs, _)| lhs.trim().rsplit([' ', '(', ',']).next().unwrap_or("").to_string());
    match field.and_then(|f| INTEGER_FIELDS.iter().find(|(n, _)| *n == f)) {
        Some((name, allowed)) => format!("{name}: {message}; allowed {allowed}"),
        None => message,
    }
}

/// The file's free text (names, description, beat titles and narration)
/// holds no control, invisible or direction-changing characters.
fn text_problems(raw: &RawScenario) -> Result<(), Vec<(String, String)>> {
    let mut texts: Vec<(String, &str, bool)> = vec![
        ("name".into(), raw.name.as_str(), false),
        ("description".into(), raw.description.as_str(), true),
    ];
    if let Some(a) = &raw.author {
        texts.push(("author".into(), a, false));
    }
    for (i, p) in raw.providers.iter().enumerate() {
        texts.push((format!("providers[{i}].name"), &p.name, false));
    }
    for (i, b) in raw.story.iter().enumerate() {
        texts.push((format!("story[{i}].title"), &b.title, false));
        texts.push((format!("story[{i}].narration"), &b.narration, true));
    }
    let problems: Vec<(String, String)> = texts
        .into_iter()
        .filter_map(|(path, text, multi)| crate::document::clean::control_problem(text, multi).map(|m| (path, m)))
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Reads a file (at most 1 MiB) and parses it.
pub fn load_path(path: &Path) -> Result<Scenario, LoadError> {
    load_document(path).map(|d| d.scenario)
}

/// Like [`load_path`], keeping the baseline section too.
pub fn load_document(path: &Path) -> Result<Document, LoadError> {
    let file = path.display().to_string();
    let io = |e: std::io::Error| LoadError::Io {
        file: file.clone(),
        message: e.to_string(),
    };
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(LoadError::Io {
            file,
            message: "is a directory, not a strategy file".into(),
        });
    }
    let bytes = crate::document::save::read_regular(path, MAX_FILE_BYTES, true).map_err(|e| match e {
        crate::document::save::ReadError::Io(e) => io(e),
        crate::document::save::ReadError::NotRegular => LoadError::Io {
            file: file.clone(),
            message: "is not a regular file (a pipe or device?)".into(),
        },
        crate::document::save::ReadError::TooLarge(bytes) => LoadError::TooLarge {
            file: file.clone(),
            bytes,
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        // The text before the first bad byte is valid, so it can be counted in characters.
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        LoadError::Syntax {
            file: file.clone(),
            line: 1 + valid.iter().filter(|&&b| b == b'\n').count(),
            col: 1 + String::from_utf8_lossy(&valid[line_start..]).chars().count(),
            message: "file is not UTF-8 text".into(),
        }
    })?;
    parse_document(&text, &file)
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

/// Stage two: raw → validated for a whole file, baseline included,
/// collecting every problem.
pub fn validate_document(raw: RawScenario, file: &str) -> Result<Document, LoadError> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut bad = |path: &str, msg: String| problems.push((path.to_string(), msg));

    let (created, modified, start_q) = validate_header(&raw, &mut bad);
    let hardware_from = validate_hardware(&raw, start_q, &mut bad);
    let providers = validate_providers(&raw, &mut bad);
    let mut scenario = Scenario {
        meta: Meta {
            name: raw.name,
            description: raw.description,
            author: raw.author,
            created: created.unwrap_or_default(),
            modified: modified.unwrap_or_default(),
        },
        start: start_q,
        quarters: raw.quarters,
        seed: raw.seed,
        market: raw.market,
        hardware: raw.hardware,
        hardware_from,
        providers,
        keyframes: Vec::new(),
        uncertainty: Vec::new(),
        story: Vec::new(),
        decisions: None,
    };
    scenario.decisions = raw.decisions.as_deref().map(|d| validate_decisions(d, &mut bad));
    scenario.keyframes = validate_keyframes(&raw.keyframes, &scenario, "", &mut bad);
    scenario.sort_keyframes();
    scenario.uncertainty = validate_uncertainty(&raw.uncertainty, &scenario, &mut bad);
    scenario.story = validate_story(&raw.story, &scenario, &mut bad);
    let baseline = raw.baseline.as_ref().map(|b| validate_baseline(b, &scenario, &mut bad));
    for (path, msg) in scenario.problems() {
        // Keyframe problems were reported above with their index.
        if !path.starts_with("keyframes") && !problems.iter().any(|(p, _)| *p == path) {
            problems.push((path, msg));
        }
    }
    if problems.is_empty() {
        Ok(Document { scenario, baseline })
    } else {
        Err(invalid(file, problems))
    }
}

/// The war-game decisions: provider parameter names that can change after
/// the start, each once.
fn validate_decisions(raw: &[String], bad: &mut impl FnMut(&str, String)) -> Vec<ProviderKey> {
    let mut out = Vec::new();
    for (i, name) in raw.iter().enumerate() {
        let path = format!("decisions[{i}]");
        match ProviderKey::from_name(name) {
            None => bad(
                &path,
                format!("`{name}` is not a provider parameter (see `cloudstrat params`)"),
            ),
            Some(k) if k.is_start_only() => bad(
                &path,
                format!("`{name}` describes the starting position and cannot be decided round by round"),
            ),
            Some(k) if out.contains(&k) => bad(&path, format!("`{name}` is listed twice")),
            Some(k) => out.push(k),
        }
    }
    out
}

/// The file's timestamps, start and horizon, and its name: the parts every
/// other section is checked against.
fn validate_header(
    raw: &RawScenario,
    bad: &mut impl FnMut(&str, String),
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>, Quarter) {
    let created = parse_time(&raw.created);
    if created.is_none() {
        bad(
            "created",
            format!(
                "`{}` is not a timestamp; write it like 2026-01-31T09:00:00Z",
                raw.created
            ),
        );
    }
    let modified = parse_time(&raw.modified);
    if modified.is_none() {
        bad(
            "modified",
            format!(
                "`{}` is not a timestamp; write it like 2026-01-31T09:00:00Z",
                raw.modified
            ),
        );
    }
    let start = raw.start.parse::<Quarter>();
    if let Err(e) = &start {
        bad("start", e.to_string());
    }
    if !(MIN_QUARTERS..=MAX_QUARTERS).contains(&raw.quarters) {
        bad(
            "quarters",
            format!(
                "{} is out of range; allowed {MIN_QUARTERS} to {MAX_QUARTERS}",
                raw.quarters
            ),
        );
    }
    if raw.name.trim().is_empty() {
        bad("name", "must not be empty".into());
    }
    (created, modified, start.unwrap_or(Quarter::DEFAULT_START))
}

/// Each hardware generation's ranges; returns when each becomes available,
/// in quarters from `start_q`.
fn validate_hardware(raw: &RawScenario, start_q: Quarter, bad: &mut impl FnMut(&str, String)) -> Vec<i64> {
    let mut hardware_from = Vec::with_capacity(raw.hardware.len());
    for (i, g) in raw.hardware.iter().enumerate() {
        match g.available.parse::<Quarter>() {
            Ok(q) => hardware_from.push(start_q.quarters_until(q)),
            Err(e) => {
                bad(&format!("hardware[{i}].available"), e.to_string());
                hardware_from.push(0);
            }
        }
        for (field, min, max, unit) in HARDWARE_RANGES {
            let v = g.field(field);
            if !v.is_finite() {
                bad(
                    &format!("hardware[{i}].{field}"),
                    format!("{v} is not a number; allowed {min} to {max} ({unit})"),
                );
            } else if v < min || v > max {
                bad(
                    &format!("hardware[{i}].{field}"),
                    format!("{v} is out of range; allowed {min} to {max} ({unit})"),
                );
            }
        }
    }
    hardware_from
}

/// Providers' ids and colours (their parameters were range-checked on parsing).
fn validate_providers(raw: &RawScenario, bad: &mut impl FnMut(&str, String)) -> Vec<Provider> {
    let mut providers = Vec::with_capacity(raw.providers.len());
    for (i, p) in raw.providers.iter().enumerate() {
        let valid_id = !p.id.is_empty()
            && p.id.len() <= 32
            && p.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid_id {
            bad(
                &format!("providers[{i}].id"),
                format!(
                    "`{}` is not a valid id; use 1 to 32 lowercase letters, digits, `_` or `-`",
                    p.id
                ),
            );
        }
        let color = Rgb::parse(&p.color).unwrap_or_else(|| {
            bad(
                &format!("providers[{i}].color"),
                format!("`{}` is not a colour; write it like #1f77b4", p.color),
            );
            Rgb(200, 200, 200)
        });
        providers.push(Provider {
            id: p.id.clone(),
            name: p.name.clone(),
            color,
            pricing: p.pricing,
            params: p.params.clone(),
        });
    }
    providers
}

/// The `uncertainty` section: known keys, existing keyframes, distributions
/// inside the parameter's allowed range, nothing uncertain twice.
fn validate_uncertainty(raw: &[RawUncertain], sc: &Scenario, bad: &mut impl FnMut(&str, String)) -> Vec<Uncertain> {
    let mut out: Vec<Uncertain> = Vec::new();
    for (i, u) in raw.iter().enumerate() {
        let path = format!("uncertainty[{i}]");
        let (key, at) = match u.key.split_once('@') {
            Some((k, q)) => (k, Some(q)),
            None => (u.key.as_str(), None),
        };
        let target = match sc.parse_key(key) {
            Ok(r) => r,
            Err(e) => {
                bad(&format!("{path}.key"), e.to_string());
                continue;
            }
        };
        let at = match at.map(|q| q.parse::<Quarter>()) {
            None => None,
            Some(Ok(q)) => match sc.index_of(q).filter(|t| sc.keyframe_quarters(target).any(|k| k == *t)) {
                Some(t) => Some(t),
                None => {
                    bad(&format!("{path}.key"), format!("{key} has no keyframe at {q}"));
                    continue;
                }
            },
            Some(Err(e)) => {
                bad(&format!("{path}.key"), e.to_string());
                continue;
            }
        };
        if let Some(m) = u.dist.problem() {
            bad(&format!("{path}.dist"), m);
            continue;
        }
        let spec = target.spec();
        let (lo, hi) = u.dist.bounds();
        if lo < spec.min || hi > spec.max {
            bad(
                &format!("{path}.dist"),
                format!(
                    "bounds {lo} to {hi} leave the allowed range of {key}: {}",
                    spec.range_text()
                ),
            );
            continue;
        }
        if out.iter().any(|x| x.target == target && x.at == at) {
            bad(&format!("{path}.key"), format!("{} is uncertain twice", u.key));
            continue;
        }
        out.push(Uncertain {
            target,
            at,
            dist: u.dist,
        });
    }
    out
}

/// The `story` section: beats inside the horizon and in quarter order, a
/// known focus provider, a title, valid lever changes.
fn validate_story(raw: &[RawBeat], sc: &Scenario, bad: &mut impl FnMut(&str, String)) -> Vec<Beat> {
    let mut out: Vec<Beat> = Vec::new();
    for (i, b) in raw.iter().enumerate() {
        let path = format!("story[{i}]");
        let at = match b.at.parse::<Quarter>() {
            Ok(q) => match sc.index_of(q) {
                Some(t) => t,
                None => {
                    bad(
                        &format!("{path}.at"),
                        format!("{q} is outside the horizon {} to {}", sc.start, sc.end()),
                    );
                    continue;
                }
            },
            Err(e) => {
                bad(&format!("{path}.at"), e.to_string());
                continue;
            }
        };
        let Some(focus) = sc.provider_index(&b.focus) else {
            bad(
                &format!("{path}.focus"),
                format!("no provider `{}` in this scenario", b.focus),
            );
            continue;
        };
        if b.title.trim().is_empty() {
            bad(&format!("{path}.title"), "must not be empty".into());
        }
        let mut levers = Vec::new();
        for (j, l) in b.levers.iter().enumerate() {
            match sc.parse_key(&l.key) {
                Ok(r) => match r.spec().check(l.value) {
                    Some(m) => bad(&format!("{path}.levers[{j}].value"), format!("{}: {m}", l.key)),
                    None => levers.push((r, l.value)),
                },
                Err(e) => bad(&format!("{path}.levers[{j}].key"), e.to_string()),
            }
        }
        if out.last().is_some_and(|prev: &Beat| prev.at > at) {
            bad(&format!("{path}.at"), "beats must be listed in quarter order".into());
        }
        out.push(Beat {
            at,
            title: b.title.clone(),
            narration: b.narration.clone(),
            notes: b.notes.clone(),
            chart: b.chart,
            focus,
            levers,
        });
    }
    out
}

/// Validates keyframes against `sc`'s horizon and keys; `prefix` goes before
/// `keyframes[i]` in error paths. The result is sorted.
fn validate_keyframes(
    raw: &[RawKeyframe],
    sc: &Scenario,
    prefix: &str,
    bad: &mut impl FnMut(&str, String),
) -> Vec<Keyframe> {
    let mut out: Vec<Keyframe> = Vec::new();
    for (i, k) in raw.iter().enumerate() {
        let path = format!("{prefix}keyframes[{i}]");
        let at = match k.at.parse::<Quarter>() {
            Ok(q) => match sc.index_of(q) {
                Some(t) => Some(t),
                None => {
                    bad(
                        &format!("{path}.at"),
                        format!("{q} is outside the horizon {} to {}", sc.start, sc.end()),
                    );
                    None
                }
            },
            Err(e) => {
                bad(&format!("{path}.at"), e.to_string());
                None
            }
        };
        let target = match sc.parse_key(&k.key) {
            Ok(r) => Some(r),
            Err(e) => {
                bad(&format!("{path}.key"), e.to_string());
                None
            }
        };
        if let Some(target) = target {
            if let Some(m) = target.spec().check(k.value) {
                bad(&format!("{path}.value"), format!("{}: {m}", k.key));
            }
            if let Some(at) = at {
                if at > 0 && target.is_start_only() {
                    bad(
                        &format!("{path}.key"),
                        format!(
                            "{} describes the starting position and acts only at the start; it cannot be keyframed",
                            k.key
                        ),
                    );
                }
                if out.iter().any(|x| x.at == at && x.target == target) {
                    bad(&path, format!("a second keyframe for {} at {}", k.key, k.at));
                }
                out.push(Keyframe {
                    at,
                    target,
                    value: k.value,
                });
            }
        }
    }
    let mut sorted = sc.clone();
    sorted.keyframes = out;
    sorted.sort_keyframes();
    sorted.keyframes
}

/// The baseline section as a scenario: `sc` with the baseline's levers and
/// keyframes. Problems are reported under `baseline.`.
fn validate_baseline(b: &RawBaseline, sc: &Scenario, bad: &mut impl FnMut(&str, String)) -> Scenario {
    let mut base = sc.clone();
    base.uncertainty.clear();
    base.story.clear();
    base.market = b.market.clone();
    let ids: Vec<&str> = sc.providers.iter().map(|p| p.id.as_str()).collect();
    let same = b.providers.len() == ids.len() && b.providers.iter().zip(&ids).all(|(p, id)| p.id == *id);
    if same {
        for (p, bp) in base.providers.iter_mut().zip(&b.providers) {
            p.params = bp.params.clone();
        }
    } else {
        bad(
            "baseline.providers",
            format!(
                "must list the scenario's providers in the same order: {}",
                ids.join(", ")
            ),
        );
    }
    base.keyframes = validate_keyframes(&b.keyframes, &base, "baseline.", bad);
    // Report only what the baseline adds: the shared parts are reported once, for the scenario.
    let shared = sc.problems();
    for (path, msg) in base.problems() {
        if !path.starts_with("keyframes") && !shared.contains(&(path.clone(), msg.clone())) {
            bad(&format!("baseline.{path}"), msg);
        }
    }
    base
}

fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn raw_keyframes(sc: &Scenario) -> Vec<RawKeyframe> {
    sc.keyframes
        .iter()
        .map(|k| RawKeyframe {
            at: sc.quarter_at(k.at).to_string(),
            key: sc.key_name(k.target),
            value: k.value,
        })
        .collect()
}

/// The baseline section for a pinned baseline scenario.
pub fn to_raw_baseline(base: &Scenario) -> RawBaseline {
    RawBaseline {
        market: base.market.clone(),
        providers: base
            .providers
            .iter()
            .map(|p| RawBaselineProvider {
                id: p.id.clone(),
                params: p.params.clone(),
            })
            .collect(),
        keyframes: raw_keyframes(base),
    }
}

/// The raw form of a scenario, as it is written to disk.
pub fn to_raw(sc: &Scenario) -> RawScenario {
    RawScenario {
        baseline: None,
        decisions: sc
            .decisions
            .as_ref()
            .map(|d| d.iter().map(|k| k.name().to_string()).collect()),
        version: CURRENT_VERSION,
        name: sc.meta.name.clone(),
        description: sc.meta.description.clone(),
        author: sc.meta.author.clone(),
        created: time_text(&sc.meta.created),
        modified: time_text(&sc.meta.modified),
        start: sc.start.to_string(),
        quarters: sc.quarters,
        seed: sc.seed,
        market: sc.market.clone(),
        hardware: sc.hardware.clone(),
        providers: sc
            .providers
            .iter()
            .map(|p| RawProvider {
                id: p.id.clone(),
                name: p.name.clone(),
                color: p.color.hex(),
                pricing: p.pricing,
                params: p.params.clone(),
            })
            .collect(),
        keyframes: raw_keyframes(sc),
        uncertainty: sc
            .uncertainty
            .iter()
            .map(|u| RawUncertain {
                key: u.label(sc),
                dist: u.dist,
            })
            .collect(),
        story: sc
            .story
            .iter()
            .map(|b| RawBeat {
                at: sc.quarter_at(b.at).to_string(),
                title: b.title.clone(),
                narration: b.narration.clone(),
                notes: b.notes.clone(),
                chart: b.chart,
                focus: sc.providers.get(b.focus).map_or_else(String::new, |p| p.id.clone()),
                levers: b
                    .levers
                    .iter()
                    .map(|&(r, value)| RawLever {
                        key: sc.key_name(r),
                        value,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Strategy-file text for a scenario.
pub fn to_ron(sc: &Scenario) -> String {
    to_ron_document(sc, None)
}

/// Strategy-file text for a scenario and the baseline pinned with it.
pub fn to_ron_document(sc: &Scenario, baseline: Option<&Scenario>) -> String {
    let mut raw = to_raw(sc);
    raw.baseline = baseline.map(to_raw_baseline);
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .struct_names(false)
        .escape_strings(false);
    let mut s =
        ron::ser::to_string_pretty(&raw, config).unwrap_or_else(|e| format!("// could not serialize scenario: {e}\n"));
    s.push('\n');
    s
}

/// A string literal in strategy-file text: its value and where each of its
/// characters was written.
struct Literal {
    value: String,
    /// Line and column (1-based) of each character of `value`, then of the closing quote.
    places: Vec<(usize, usize)>,
}

/// The string values of every `field: "…"` in `text`, in file order. A small
/// scan of RON's lexical layer (comments, strings, identifiers): enough to
/// point at a character of a story text, which serde's errors cannot.
fn string_fields(text: &str, field: &str) -> Vec<Literal> {
    let chars: Vec<char> = text.chars().collect();
    let mut places = Vec::with_capacity(chars.len() + 1);
    let (mut line, mut col) = (1, 1);
    for &c in &chars {
        places.push((line, col));
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    places.push((line, col));
    let mut out = Vec::new();
    let mut i = 0;
    let mut want_literal = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i = super::migrate::block_comment_end(|k| chars.get(k).copied(), i);
        } else if c == '"' || (c == 'r' && matches!(chars.get(i + 1), Some('"' | '#'))) {
            let (lit, next) = string_literal(&chars, &places, i);
            if want_literal {
                out.push(lit);
            }
            want_literal = false;
            i = next;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let ident: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            want_literal = ident == field && chars.get(j) == Some(&':');
            if want_literal {
                i = j + 1;
            }
        } else {
            if !c.is_whitespace() {
                want_literal = false;
            }
            i += 1;
        }
    }
    out
}

/// Reads the string literal starting at `chars[i]`; returns it and the index after it.
fn string_literal(chars: &[char], places: &[(usize, usize)], mut i: usize) -> (Literal, usize) {
    let mut lit = Literal {
        value: String::new(),
        places: Vec::new(),
    };
    if chars[i] == 'r' {
        i += 1;
        let mut hashes = 0;
        while chars.get(i) == Some(&'#') {
            hashes += 1;
            i += 1;
        }
        i += 1;
        while i < chars.len() {
            if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                lit.places.push(places[i]);
                return (lit, i + 1 + hashes);
            }
            lit.value.push(chars[i]);
            lit.places.push(places[i]);
            i += 1;
        }
        lit.places.push(places[chars.len()]);
        return (lit, i);
    }
    i += 1;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                lit.places.push(places[i]);
                return (lit, i + 1);
            }
            '\\' => {
                let at = places[i];
                let (c, len) = match chars.get(i + 1) {
                    Some('n') => ('\n', 2),
                    Some('t') => ('\t', 2),
                    Some('r') => ('\r', 2),
                    Some('0') => ('\0', 2),
                    Some('u') if chars.get(i + 2) == Some(&'{') => {
                        let end = (i + 3..chars.len())
                            .find(|&k| chars[k] == '}')
                            .unwrap_or(chars.len() - 1);
                        let hex: String = chars[i + 3..end].iter().collect();
                        let c = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('?');
                        (c, end + 1 - i)
                    }
                    Some('u') => {
                        let hex: String = chars.iter().skip(i + 2).take(4).collect();
                        let c = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('?');
                        (c, 6)
                    }
                    Some('x') => {
                        let hex: String = chars.iter().skip(i + 2).take(2).collect();
                        let c = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('?');
                        (c, 4)
                    }
                    Some(&c) => (c, 2),
                    None => ('\\', 1),
                };
                lit.value.push(c);
                lit.places.push(at);
                i += len;
            }
            c => {
                lit.value.push(c);
                lit.places.push(places[i]);
                i += 1;
            }
        }
    }
    lit.places.push(places[chars.len()]);
    (lit, i)
}

/// One story text of a scenario and where it was written in the file.
pub struct StoryText<'a> {
    /// Field path, e.g. `story[2].narration`.
    pub path: String,
    pub value: &'a str,
    literal: Option<Literal>,
}

impl StoryText<'_> {
    /// Line and column (1-based) in the file of character `at` of the value.
    pub fn place(&self, at: usize) -> (usize, usize) {
        self.literal
            .as_ref()
            .and_then(|l| l.places.get(at).or(l.places.last()))
            .copied()
            .unwrap_or((1, 1))
    }
}

/// The story texts (narration and notes) of `sc`, loaded from `text`, with
/// where each was written.
pub fn story_texts<'a>(text: &str, sc: &'a Scenario) -> Vec<StoryText<'a>> {
    let mut out = Vec::new();
    for (field, get) in [
        ("narration", (|b: &Beat| b.narration.as_str()) as fn(&Beat) -> &str),
        ("notes", |b: &Beat| b.notes.as_str()),
    ] {
        let mut literals = string_fields(text, field).into_iter();
        for (i, b) in sc.story.iter().enumerate() {
            let value = get(b);
            if value.is_empty() {
                continue;
            }
            // Beats are in file order, so each text is the next literal with its value.
            let literal = literals.by_ref().find(|l| l.value == value);
            out.push(StoryText {
                path: format!("story[{i}].{field}"),
                value,
                literal,
            });
        }
    }
    out
}
