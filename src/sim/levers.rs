//! The one range of each mission lever: the bounds the slider spans, `--set`
//! and strategy files are checked against, and the sensitivity tornado and
//! the optimizer search. The parameter table (`params`) takes these four
//! parameters' bounds from here; `docs/MODEL.md` "Lever ranges" gives the
//! same numbers with where each bound comes from (a test keeps them equal).

/// A lever's allowed range and where its bounds come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeverRange {
    /// The parameter's key in its table (`open_source_parity`, ...).
    pub key: &'static str,
    pub min: f64,
    pub max: f64,
    /// Where the bounds come from, for people (MODEL.md says the same).
    pub source: &'static str,
}

/// Open-source parity: a fraction by definition (§4).
pub const PARITY: LeverRange = LeverRange {
    key: "open_source_parity",
    min: 0.0,
    max: 1.0,
    source: "definition: 0 = open models far behind, 1 = parity (§4)",
};

/// The price ceiling, USD per million tokens.
pub const CEILING: LeverRange = LeverRange {
    key: "price_ceiling_usd_per_mtok",
    min: 0.001,
    max: 1000.0,
    source: "estimate: low end a tenth of the model's 2030 prices (~$0.01), binding even then; high end over 10× the highest list price seen ($75 output, Claude 3 Opus 2024), never binding",
};

/// Own-silicon accelerators deployed per quarter, in thousands.
pub const CHIP_VOLUME: LeverRange = LeverRange {
    key: "self_chip_volume",
    min: 0.0,
    max: 10000.0,
    source: "estimate: 0 = no programme; 10 million a quarter is twice the largest best response the model finds (1.9-2.8 million a quarter from optimize --all, up to 5 million in a hand sweep), against Google's ~0.5-0.75 million TPUs a quarter in 2025-26 (BofA, low confidence)",
};

/// Ecosystem lock-in: a fraction by definition (§6).
pub const LOCK_IN: LeverRange = LeverRange {
    key: "ecosystem_lock_in",
    min: 0.0,
    max: 1.0,
    source: "definition: share of last quarter's customers held whatever the prices (§6)",
};

/// The four, in the order the lever panel lists them.
pub const LEVER_RANGES: [LeverRange; 4] = [PARITY, CEILING, CHIP_VOLUME, LOCK_IN];
