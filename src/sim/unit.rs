//! The unit of every parameter, as a type: what the parameter table, the
//! strategy-file errors, `cloudstrat params`, `docs/MODEL.md` and the
//! dashboard's value texts and typed input all read, instead of matching on
//! unit text.

use crate::format::{self, sig3};

/// What a parameter's number measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A fraction from 0 to 1 with no unit of its own (parity, lock-in, a
    /// utilization); shown and typed as a percentage.
    Fraction,
    /// A plain number: a weight, an exponent, an elasticity.
    Number,
    /// A share of something named ("share of enterprises", "share per
    /// year"); shown and typed as a percentage. Holds its full label.
    Share(&'static str),
    /// A multiple of something named ("× per year", "× open price"). Holds its full label.
    Times(&'static str),
    /// USD per million tokens.
    UsdPerMtok,
    /// Million USD.
    Musd,
    MusdPerQuarter,
    MusdPerYear,
    MusdPerGeneration,
    Usd,
    UsdPerAccelerator,
    UsdPerAcceleratorHour,
    UsdPerKw,
    UsdPerKwh,
    /// Thousand accelerators deployed per quarter.
    KAcceleratorsPerQuarter,
    KAccelerators,
    KUnits,
    MtokPerQuarter,
    BillionParams,
    Bytes,
    Gigabytes,
    Sequences,
    LogUnits,
    Years,
    Quarters,
    QuartersFromStart,
    PerQuarter,
    PerYear,
    PerQuarterPerShare,
    Ratio,
}

impl Unit {
    /// How documents and errors spell the unit ("" for a fraction or a plain number).
    pub fn label(self) -> &'static str {
        match self {
            Unit::Fraction | Unit::Number => "",
            Unit::Share(s) | Unit::Times(s) => s,
            Unit::UsdPerMtok => "USD per million tokens",
            Unit::Musd => "million USD",
            Unit::MusdPerQuarter => "million USD per quarter",
            Unit::MusdPerYear => "million USD per year",
            Unit::MusdPerGeneration => "million USD per generation",
            Unit::Usd => "USD",
            Unit::UsdPerAccelerator => "USD per accelerator",
            Unit::UsdPerAcceleratorHour => "USD per accelerator-hour",
            Unit::UsdPerKw => "USD per kW",
            Unit::UsdPerKwh => "USD per kWh",
            Unit::KAcceleratorsPerQuarter => "thousand accelerators per quarter",
            Unit::KAccelerators => "thousand accelerators",
            Unit::KUnits => "thousand units",
            Unit::MtokPerQuarter => "million tokens per quarter",
            Unit::BillionParams => "billion parameters",
            Unit::Bytes => "bytes",
            Unit::Gigabytes => "GB",
            Unit::Sequences => "sequences",
            Unit::LogUnits => "log-units",
            Unit::Years => "years",
            Unit::Quarters => "quarters",
            Unit::QuartersFromStart => "quarters from start",
            Unit::PerQuarter => "per quarter",
            Unit::PerYear => "per year",
            Unit::PerQuarterPerShare => "per quarter per unit share",
            Unit::Ratio => "ratio",
        }
    }

    /// True when values are shown and typed as percentages (0.95 is "95%").
    pub fn is_percent(self) -> bool {
        matches!(self, Unit::Fraction | Unit::Share(_))
    }

    /// A value with a short unit, as the lever panel shows it: "85%",
    /// "$60.0/Mtok", "15k/q", "$1.2B/q".
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Fraction | Unit::Share(_) => format::pct_trim(v),
            Unit::UsdPerMtok => format!("{}/Mtok", format::usd_mtok(v)),
            // Thousands of accelerators: a million and up reads as M, not "kk".
            Unit::KAcceleratorsPerQuarter if v.abs() >= 1000.0 => format!("{}M/q", sig3(v / 1000.0)),
            Unit::KAcceleratorsPerQuarter => format!("{}k/q", sig3(v)),
            Unit::KAccelerators | Unit::KUnits if v.abs() >= 1e6 => format!("{}B", sig3(v / 1e6)),
            Unit::KAccelerators | Unit::KUnits if v.abs() >= 1000.0 => format!("{}M", sig3(v / 1000.0)),
            Unit::KAccelerators | Unit::KUnits => format!("{}k", sig3(v)),
            Unit::Musd => format::musd(v),
            Unit::MusdPerQuarter => format!("{}/q", format::musd(v)),
            Unit::MusdPerYear => format!("{}/yr", format::musd(v)),
            Unit::MusdPerGeneration => format!("{}/gen", format::musd(v)),
            Unit::Usd | Unit::UsdPerAccelerator => format!("${}", sig3(v)),
            Unit::UsdPerAcceleratorHour => format!("${}/h", sig3(v)),
            Unit::UsdPerKw => format!("${}/kW", sig3(v)),
            Unit::UsdPerKwh => format!("${}/kWh", sig3(v)),
            Unit::Times(_) => format!("{}×", sig3(v)),
            Unit::Gigabytes => format!("{} GB", sig3(v)),
            Unit::Bytes => format!("{} B", sig3(v)),
            Unit::Years => format!("{} yr", sig3(v)),
            Unit::Quarters | Unit::QuartersFromStart => format!("{} q", sig3(v)),
            Unit::BillionParams => format!("{}B", sig3(v)),
            Unit::PerQuarter => format!("{}/q", sig3(v)),
            Unit::PerYear => format!("{}/yr", sig3(v)),
            _ => sig3(v),
        }
    }

    /// What a typed value is written in, for the input prompt: "%", "USD per million tokens".
    pub fn typed_as(self) -> &'static str {
        if self.is_percent() { "%" } else { self.label() }
    }

    /// The value meant by typed text: a number in the unit the prompt
    /// names (percent for fractions and shares), optionally followed by
    /// that unit's short sign (`%`, `$` before, `k`/`M` for thousands and
    /// millions). `Err` says what was wrong.
    pub fn parse(self, text: &str) -> Result<f64, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("type a number".into());
        }
        let mut s = t.trim_start_matches('$').trim().replace(['_', ','], "");
        // Percent units divide by 100 (exact: 95 / 100 is 0.95); k and M multiply.
        let mut divide = 1.0;
        let mut multiply = 1.0;
        if self.is_percent() {
            s = s.trim_end_matches('%').trim().to_string();
            divide = 100.0;
        } else if let Some(rest) = s.strip_suffix(['k', 'K']) {
            s = rest.trim().to_string();
            multiply = 1e3;
        } else if let Some(rest) = s.strip_suffix('M') {
            s = rest.trim().to_string();
            multiply = 1e6;
        }
        // A unit counted in thousands typed with k or M: "15k" chips is 15 of the unit.
        if multiply > 1.0 && matches!(self, Unit::KAcceleratorsPerQuarter | Unit::KAccelerators | Unit::KUnits) {
            multiply /= 1e3;
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v * multiply / divide),
            _ => Err(format!("{t:?} is not a number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_units_read_and_type_as_percent() {
        assert_eq!(Unit::Fraction.format(0.95), "95%");
        assert_eq!(Unit::Fraction.parse("95"), Ok(0.95));
        assert_eq!(Unit::Fraction.parse(" 95 % "), Ok(0.95));
        assert!(Unit::Fraction.parse("lots").is_err());
        assert!(Unit::Fraction.parse("").is_err());
    }

    #[test]
    fn chip_volumes_read_in_thousands_then_millions() {
        let u = Unit::KAcceleratorsPerQuarter;
        assert_eq!(u.format(15.0), "15k/q");
        assert_eq!(u.format(16000.0), "16M/q");
        assert_eq!(u.parse("2500"), Ok(2500.0));
        assert_eq!(u.parse("2.5M"), Ok(2500.0));
        assert_eq!(u.parse("15k"), Ok(15.0));
    }

    #[test]
    fn money_and_prices() {
        assert_eq!(Unit::UsdPerMtok.format(60.0), "$60.0/Mtok");
        assert_eq!(Unit::UsdPerMtok.parse("$1.5"), Ok(1.5));
        assert_eq!(Unit::MusdPerQuarter.format(1200.0), "$1.2B/q");
        assert!(Unit::UsdPerMtok.parse("inf").is_err());
    }
}
