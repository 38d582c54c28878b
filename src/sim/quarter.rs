//! Calendar quarters ("2025Q1"): parsing, display and arithmetic.
//!
//! The engine counts time as a quarter index from the scenario's start; this type
//! converts between that index and the calendar quarter people read and type.

use std::fmt;
use std::str::FromStr;

/// A calendar quarter, e.g. 2025 Q1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    /// 1 to 4.
    q: u8,
}

impl Quarter {
    pub const MIN_YEAR: i32 = 1900;
    /// 2023 Q1, the default start.
    pub const DEFAULT_START: Quarter = Quarter { year: 2023, q: 1 };
    pub const MAX_YEAR: i32 = 2500;

    /// Builds a quarter; `None` when `q` is not 1 to 4 or the year is out of range.
    pub fn new(year: i32, q: u8) -> Option<Self> {
        ((1..=4).contains(&q) && (Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year)).then_some(Self { year, q })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn q(self) -> u8 {
        self.q
    }

    fn ordinal(self) -> i64 {
        i64::from(self.year) * 4 + i64::from(self.q) - 1
    }

    /// The quarter `n` quarters later (or earlier when negative).
    pub fn offset(self, n: i64) -> Self {
        let o = self.ordinal() + n;
        Self {
            year: o.div_euclid(4) as i32,
            q: (o.rem_euclid(4) + 1) as u8,
        }
    }

    /// Number of quarters from `self` to `other` (negative when `other` is earlier).
    pub fn quarters_until(self, other: Quarter) -> i64 {
        other.ordinal() - self.ordinal()
    }

    /// Fractional year, e.g. 2025Q1 → 2025.0, 2025Q3 → 2025.5 (chart x axes).
    pub fn as_year_f64(self) -> f64 {
        f64::from(self.year) + f64::from(self.q - 1) * 0.25
    }

    /// Human form used on screen: "2025 Q1".
    pub fn label(self) -> String {
        format!("{} Q{}", self.year, self.q)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

/// Why a quarter string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a quarter; write it like 2025Q1 (year {min} to {max}, quarter 1 to 4)", min = Quarter::MIN_YEAR, max = Quarter::MAX_YEAR)]
pub struct ParseQuarterError(pub String);

impl FromStr for Quarter {
    type Err = ParseQuarterError;

    /// Accepts `2025Q1`, `2025q1`, `2025-Q1` and `2025 Q1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseQuarterError(s.to_string());
        let t = s.trim();
        let (y, q) = t.split_once(['Q', 'q']).ok_or_else(err)?;
        let y = y.trim_end_matches(['-', ' ']);
        if y.is_empty() || !y.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let q: u8 = q.parse().map_err(|_| err())?;
        Quarter::new(year, q).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let q: Quarter = "2025Q1".parse().unwrap();
        assert_eq!(q.to_string(), "2025Q1");
        assert_eq!(q.label(), "2025 Q1");
        assert_eq!("2025-q3".parse::<Quarter>().unwrap().to_string(), "2025Q3");
        for bad in ["", "2025", "2025Q5", "2025Q0", "Q1", "abcdQ1", "2025Q12", "99999Q1"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }

    #[test]
    fn arithmetic() {
        let q = Quarter::new(2023, 1).unwrap();
        assert_eq!(q.offset(31).to_string(), "2030Q4");
        assert_eq!(q.offset(-1).to_string(), "2022Q4");
        assert_eq!(q.quarters_until(q.offset(9)), 9);
        assert_eq!(q.offset(2).as_year_f64(), 2023.5);
    }
}
