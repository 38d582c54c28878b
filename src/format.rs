//! Numbers as people read them: money, prices, percentages, points, compact
//! counts, and the round steps and labels of chart axes. One place, so the
//! dashboard, the command line and the exports write a figure the same way.
//!
//! A leaf: it imports nothing from the crate, so every layer may use it.

/// `v` with `decimals` digits after the point, never "-0.0": a value that
/// rounds to zero is written as zero, whatever its sign.
pub fn fixed(v: f64, decimals: usize) -> String {
    format!("{:.decimals$}", unsign_zero(v, decimals))
}

/// Like [`fixed`] with the sign always written: "+1.5", "-0.3", "+0.0".
pub fn signed(v: f64, decimals: usize) -> String {
    format!("{:+.decimals$}", unsign_zero(v, decimals))
}

/// A change in percentage points, signed: 0.012 → "+1.2 pts".
pub fn pts(d: f64) -> String {
    format!("{} pts", signed(d * 100.0, 1))
}

/// Zero (positive) when `v` rounds to zero at `decimals` digits, else `v`.
fn unsign_zero(v: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals.min(12) as i32);
    if (v * scale).round() == 0.0 { 0.0 } else { v }
}

/// A compact human number: 1234567 → "1.23M", 0.0123 → "0.0123".
pub fn num(v: f64) -> String {
    let v = unsign_zero(v, 3);
    let a = v.abs();
    if a >= 1e12 {
        format!("{:.2}T", v / 1e12)
    } else if a >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Three significant digits without trailing zeros ("1.5", "0.25", "120");
/// from ten thousand up, the compact form of [`num`].
pub fn sig3(v: f64) -> String {
    let v = unsign_zero(v, 6);
    let a = v.abs();
    if a >= 1e4 || a == 0.0 {
        return num(v);
    }
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = fixed(v, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Money in million USD, shown as $M or $B.
/// Sign first ("-$563M"); billions and trillions keep the text short at any size.
pub fn musd(v: f64) -> String {
    let a = v.abs();
    // No sign on what is written as zero ("$0M", never "-$0M").
    let sign = if v < 0.0 && a >= 0.5 { "-" } else { "" };
    if a >= 1e6 {
        format!("{sign}${:.1}T", a / 1e6)
    } else if a >= 1e5 {
        format!("{sign}${:.0}B", a / 1e3)
    } else if a >= 1e3 {
        format!("{sign}${:.1}B", a / 1e3)
    } else {
        format!("{sign}${a:.0}M")
    }
}

/// Price in USD per million tokens: "$22.7", "$5.54", "$0.012", and below
/// a cent two significant digits ("$0.00012"), so a tiny price or cap is
/// never written as "$0.000".
pub fn usd_mtok(v: f64) -> String {
    let a = v.abs();
    if a >= 10.0 {
        format!("${v:.1}")
    } else if a >= 0.1 {
        format!("${v:.2}")
    } else if a >= 0.01 || a == 0.0 || !a.is_finite() {
        format!("${v:.3}")
    } else {
        // Two significant digits, without zeros past the third decimal ("$0.001").
        let decimals = (1 - a.log10().floor() as i32).clamp(3, 15) as usize;
        let s = format!("{v:.decimals$}");
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        let mut frac = frac.to_string();
        while frac.len() > 3 && frac.ends_with('0') {
            frac.pop();
        }
        format!("${whole}.{frac}")
    }
}

/// A fraction as a percentage with one decimal: 0.123 → "12.3%".
pub fn pct(v: f64) -> String {
    format!("{}%", fixed(v * 100.0, 1))
}

/// A fraction as a whole percentage: 0.434 → "43%".
pub fn pct0(v: f64) -> String {
    format!("{}%", fixed(v * 100.0, 0))
}

/// A fraction as a percentage, whole when it is whole: 0.85 → "85%", 0.125 → "12.5%".
pub fn pct_trim(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", fixed(p, 0))
    } else {
        format!("{}%", fixed(p, 1))
    }
}

/// A round step near `raw`: 1, 2, or 5 times a power of ten, and 2.5 too
/// when `quarters` is set (finer choice for the few rows of a terminal chart).
pub fn nice_step(raw: f64, quarters: bool) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if quarters && f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Axis label of a fraction: 0.3 → "30%".
pub fn pct_axis(v: f64) -> String {
    pct0(v)
}

/// Axis label of money in million USD, short: "$150B", "-$50B", "$800M".
pub fn musd_axis(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 && a >= 0.05 { "-" } else { "" };
    let short = |x: f64, unit: &str| {
        if (x - x.round()).abs() < 0.05 {
            format!("{}{unit}", fixed(x, 0))
        } else {
            format!("{}{unit}", fixed(x, 1))
        }
    };
    let text = if a >= 1e6 {
        short(a / 1e6, "T")
    } else if a >= 1000.0 {
        short(a / 1000.0, "B")
    } else {
        short(a, "M")
    };
    format!("{sign}${text}")
}

/// Axis label of points (the ecosystem index): two decimals.
pub fn points_axis(v: f64) -> String {
    fixed(v, 2)
}

/// Axis label of a price on a log axis, given its base-10 logarithm: 1 → "$10", -1 → "$0.1".
pub fn log_price_axis(v: f64) -> String {
    let p = 10f64.powf(v);
    if p >= 1.0 { format!("${p:.0}") } else { format!("${p}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_short_with_the_sign_first() {
        assert_eq!(musd(-563.0), "-$563M");
        assert_eq!(musd(7_700.0), "$7.7B");
        assert_eq!(musd(150_000.0), "$150B");
        assert_eq!(musd(2_500_000.0), "$2.5T");
        assert_eq!(musd_axis(150_000.0), "$150B");
        assert_eq!(musd_axis(-50_000.0), "-$50B");
        assert_eq!(musd_axis(800.0), "$800M");
        assert_eq!(musd_axis(1_300.0), "$1.3B");
    }

    #[test]
    fn prices_percentages_and_counts() {
        assert_eq!(usd_mtok(22.7), "$22.7");
        assert_eq!(usd_mtok(5.54), "$5.54");
        assert_eq!(usd_mtok(0.012), "$0.012");
        assert_eq!(usd_mtok(0.00012), "$0.00012");
        assert_eq!(usd_mtok(0.0009), "$0.0009");
        assert_eq!(usd_mtok(0.00095), "$0.00095");
        assert_eq!(usd_mtok(0.001), "$0.001");
        assert_eq!(usd_mtok(0.0049), "$0.0049");
        assert_eq!(usd_mtok(0.0), "$0.000");
        assert_eq!(pct(0.236), "23.6%");
        assert_eq!(pct_trim(0.85), "85%");
        assert_eq!(pct_trim(0.125), "12.5%");
        assert_eq!(num(1_234_567.0), "1.23M");
        assert_eq!(num(0.0123), "0.012");
        assert_eq!(sig3(0.25), "0.25");
        assert_eq!(sig3(120.0), "120");
        assert_eq!(log_price_axis(1.0), "$10");
        assert_eq!(log_price_axis(-1.0), "$0.1");
    }

    #[test]
    fn nothing_is_ever_minus_zero() {
        for v in [-1e-9, -0.0004, -0.00049] {
            assert_eq!(pct(v), "0.0%");
            assert_eq!(pct0(v), "0%");
            assert!(!pct_trim(v).starts_with('-'));
            assert_eq!(musd(v * 1000.0), "$0M");
            assert_eq!(pts(v), "+0.0 pts");
            assert_eq!(fixed(v, 1), "0.0");
            assert_eq!(signed(v, 1), "+0.0");
            assert_eq!(num(v), "0");
            assert_eq!(sig3(-1e-12), "0");
            assert_eq!(pct_axis(v), "0%");
            assert_eq!(points_axis(v), "0.00");
            assert_eq!(musd_axis(-0.01), "$0M");
        }
        assert_eq!(pct(-0.0006), "-0.1%");
        assert_eq!(musd(-0.6), "-$1M");
        assert_eq!(pts(-0.012), "-1.2 pts");
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.7, false), 1.0);
        assert_eq!(nice_step(23.0, false), 50.0);
        assert_eq!(nice_step(23.0, true), 25.0);
        assert_eq!(nice_step(3.0, true), 5.0);
        assert_eq!(nice_step(f64::NAN, true), 1.0);
    }
}
