//! Values of command-line options that clap knows by name, so `--help`
//! lists them, a misspelling gets clap's "a similar value exists", and shell
//! completions offer them: the KPIs as a value enum, and the built-in
//! presets and the default scenario's provider ids for SCENARIO and
//! `--provider` (which also take any file or id, so these only suggest).

use crate::analysis::Kpi;
use clap::ValueEnum;
use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};

/// `--kpi`: one of [`Kpi::ALL`], by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KpiArg(pub Kpi);

const KPI_ARGS: [KpiArg; Kpi::ALL.len()] = {
    let mut out = [KpiArg(Kpi::ALL[0]); Kpi::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = KpiArg(Kpi::ALL[i]);
        i += 1;
    }
    out
};

/// What a KPI measures, for `--help`.
fn kpi_help(k: Kpi) -> &'static str {
    match k {
        Kpi::CumulativeProfit => "operating profit summed from the start, million USD",
        Kpi::CumulativeNetProfit => "net profit (after interest) summed from the start, million USD",
        Kpi::NetProfit => "net profit in the quarter, million USD",
        Kpi::Share => "share of demand",
        Kpi::Cash => "cash at the quarter's end, million USD",
        Kpi::Price => "price, USD per million tokens",
        Kpi::Cost => "unit cost, USD per million tokens",
        Kpi::OperatingProfit => "operating profit in the quarter, million USD",
        Kpi::Ecosystem => "ecosystem strength, 0 to 1",
        Kpi::SelfChipShare => "share of the fleet on own silicon",
        Kpi::GrossMargin => "gross margin in the quarter, a fraction of revenue",
    }
}

impl ValueEnum for KpiArg {
    fn value_variants<'a>() -> &'a [Self] {
        &KPI_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()).help(kpi_help(self.0)))
    }
}

/// A text argument that takes anything, with known names to suggest: shell
/// completions offer them, `--help` does not list them as the only choices.
#[derive(Clone)]
pub struct Suggested {
    names: fn() -> Vec<&'static str>,
}

impl TypedValueParser for Suggested {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.names)().into_iter().map(PossibleValue::new)))
    }
}

/// SCENARIO: a strategy file, or one of the built-in presets it suggests.
pub fn scenario() -> Suggested {
    Suggested {
        names: || crate::document::presets::names().collect(),
    }
}

/// `--provider`: any id; it suggests the default scenario's.
pub fn provider() -> Suggested {
    Suggested {
        names: || PROVIDER_IDS.to_vec(),
    }
}

/// The provider ids of the built-in default scenario (a test keeps them in step).
pub const PROVIDER_IDS: [&str; 5] = ["hyper", "eco", "lab", "neo", "open"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kpi_is_a_value_and_the_provider_ids_are_the_default_scenarios() {
        let names: Vec<String> = KpiArg::value_variants()
            .iter()
            .filter_map(|k| k.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        assert_eq!(names, Kpi::ALL.map(|k| k.name().to_string()));
        let sc = crate::document::presets::default_scenario();
        let ids: Vec<&str> = sc.providers.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, PROVIDER_IDS);
    }
}

/// A number typed on the command line (`--set KEY=VALUE`): refused, with the
/// text as typed, when it is not a number, too large for one (`1e400`) or so
/// small it would silently read as zero (`1e-400`).
pub fn number(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let v: f64 = t.parse().map_err(|_| format!("`{t}` is not a number"))?;
    if v.is_infinite() && !t.to_ascii_lowercase().contains("inf") {
        return Err(format!("`{t}` is too large for a number"));
    }
    let nonzero_digit = t
        .split(['e', 'E'])
        .next()
        .is_some_and(|m| m.chars().any(|c| c.is_ascii_digit() && c != '0'));
    if v == 0.0 && nonzero_digit {
        return Err(format!("`{t}` is too small for a number: it would read as 0"));
    }
    Ok(v)
}

#[cfg(test)]
mod number_tests {
    use super::number;

    #[test]
    fn numbers_out_of_a_floats_reach_are_refused_as_typed() {
        assert_eq!(number(" 0.85 "), Ok(0.85));
        assert_eq!(number("0"), Ok(0.0));
        assert_eq!(number("0e-400"), Ok(0.0));
        assert!(number("1e-400").is_err_and(|e| e.contains("`1e-400` is too small")));
        assert!(number("1e400").is_err_and(|e| e.contains("`1e400` is too large")));
        assert!(number("lots").is_err_and(|e| e.contains("`lots` is not a number")));
    }
}
