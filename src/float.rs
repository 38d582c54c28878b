//! Floats as machine-readable text, fast: the shortest digits that read back
//! as the same number, laid out exactly as Rust's `{}` lays them out (never
//! an exponent, `1` for 1.0, `-0` for −0.0, `NaN`, `inf`), so CSV files keep
//! their bytes while costing a fraction of `format!`. The digits come from
//! `zmij` (the shortest-digit algorithm `serde_json` writes JSON with); this
//! module only places the decimal point.
//!
//! A leaf: it imports nothing from the crate, so every layer may use it.

/// A reusable buffer for [`FloatText::format`].
pub struct FloatText {
    digits: zmij::Buffer,
    out: String,
}

impl Default for FloatText {
    fn default() -> Self {
        FloatText::new()
    }
}

impl FloatText {
    pub fn new() -> FloatText {
        FloatText {
            digits: zmij::Buffer::new(),
            out: String::with_capacity(32),
        }
    }

    /// `v` as `format!("{v}")` writes it.
    pub fn format(&mut self, v: f64) -> &str {
        self.out.clear();
        write(&mut self.digits, v, &mut self.out);
        &self.out
    }

    /// Appends `v` as `format!("{v}")` writes it.
    pub fn push(&mut self, s: &mut String, v: f64) {
        write(&mut self.digits, v, s);
    }
}

/// Appends `v` as `format!("{v}")` writes it to `out`.
fn write(digits: &mut zmij::Buffer, v: f64, out: &mut String) {
    if !v.is_finite() {
        out.push_str(if v.is_nan() {
            "NaN"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    let text = digits.format_finite(v);
    match as_written(text, v) {
        Some(t) => out.push_str(t),
        None => lay_out(text, v, out),
    }
}

/// `zmij`'s text of `v` cut to what Rust writes, in the common case where
/// that is a cut: plain decimal (no exponent) whose only trailing zero is
/// that of a whole number's ".0", and either too few significant digits or
/// too many fractional bits to lie halfway between two shortest forms (see
/// [`lay_out`]). `None` for anything else, which [`lay_out`] handles.
fn as_written(text: &str, v: f64) -> Option<&str> {
    let bytes = text.as_bytes();
    // zmij writes an exponent outside 1e-5 to 1e16; inside a margin of
    // that there is none to look for.
    let plain = (1e-4..1e15).contains(&v.abs()) || v == 0.0;
    if !plain && bytes.iter().any(|&b| b | 0x20 == b'e') {
        return None;
    }
    let cut = match text.strip_suffix(".0") {
        Some(whole) => whole,
        None if bytes.last() == Some(&b'0') => return None,
        None => text,
    };
    if fractional_bits(v) >= MIDPOINT_FRACTIONAL_BITS {
        return Some(cut);
    }
    // Digits counted from the first non-zero one, zeros between it and the
    // point included: never fewer than the significant digits.
    let significant = cut
        .bytes()
        .skip_while(|&b| matches!(b, b'-' | b'0' | b'.'))
        .filter(u8::is_ascii_digit)
        .count();
    (significant < 16).then_some(cut)
}

/// With this many fractional bits or more a value is never exactly halfway
/// between two shortest forms (see [`halfway_above`]).
const MIDPOINT_FRACTIONAL_BITS: i32 = 25;

/// `(m, e)` with `|v| = m × 2^e` exactly: the significand with its implicit
/// bit, and the exponent of its last bit.
fn mantissa_exponent(v: f64) -> (u64, i32) {
    let bits = v.abs().to_bits();
    let (frac, exp) = (bits & ((1 << 52) - 1), (bits >> 52) as i32);
    if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    }
}

/// `k` such that `|v|` is an odd integer times 2^−k (k ≤ 0 for even integers).
fn fractional_bits(v: f64) -> i32 {
    let (m, e) = mantissa_exponent(v);
    if m == 0 {
        return 0;
    }
    -(e + m.trailing_zeros() as i32)
}

/// Rewrites a shortest-digit form of `v` with an optional exponent ("1.5e-7",
/// "2e+21", "0.001234", "12.0") as plain decimal into `out`.
///
/// When `v` lies exactly halfway between two shortest candidates, `zmij`
/// takes the one with the even last digit and Rust the one further from
/// zero; this takes Rust's.
fn lay_out(text: &str, v: f64, out: &mut String) {
    let bytes = text.as_bytes();
    let (negative, bytes) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let (mantissa, exp) = match bytes.iter().position(|&b| b == b'e' || b == b'E') {
        Some(at) => (&bytes[..at], parse_exponent(&bytes[at + 1..])),
        None => (bytes, 0),
    };
    // The digits (at most 17 significant, plus a carry) and where the decimal
    // point falls among them.
    let mut buf = [0u8; 40];
    let mut len = 0;
    let mut point = 0i32;
    let mut seen_point = false;
    for &b in mantissa {
        if b == b'.' {
            seen_point = true;
            continue;
        }
        if len == 0 && b == b'0' {
            // A leading zero: after the point it moves the point left.
            if seen_point {
                point -= 1;
            }
            continue;
        }
        if len < buf.len() - 1 {
            buf[len] = b;
            len += 1;
        }
        if !seen_point {
            point += 1;
        }
    }
    point += exp;
    while len > 0 && buf[len - 1] == b'0' {
        len -= 1;
    }
    if len >= 16 && halfway_above(v, &buf[..len], point) {
        // Add one unit in the last place, carrying.
        let mut k = len;
        loop {
            if k == 0 {
                buf.copy_within(0..len, 1);
                buf[0] = b'1';
                len += 1;
                point += 1;
                break;
            }
            k -= 1;
            if buf[k] == b'9' {
                buf[k] = b'0';
            } else {
                buf[k] += 1;
                break;
            }
        }
        while len > 0 && buf[len - 1] == b'0' {
            len -= 1;
        }
    }
    let digits = std::str::from_utf8(&buf[..len]).unwrap_or_default();
    if negative {
        out.push('-');
    }
    if digits.is_empty() {
        out.push('0');
        return;
    }
    let n = digits.len() as i32;
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(digits);
    } else if point >= n {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (point - n) as usize));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
}

/// The exponent after `e`: an optional sign and decimal digits.
fn parse_exponent(b: &[u8]) -> i32 {
    let (sign, digits) = match b.split_first() {
        Some((b'-', rest)) => (-1, rest),
        Some((b'+', rest)) => (1, rest),
        _ => (1, b),
    };
    sign * digits.iter().take_while(|d| d.is_ascii_digit()).fold(0i32, |acc, &d| {
        acc.saturating_mul(10).saturating_add(i32::from(d - b'0'))
    })
}

/// True when `|v|` is exactly `0.digits × 10^point` plus half a unit in the
/// last digit's place. Only values whose exact decimal expansion is short can
/// be; for any other the integers below overflow or differ.
fn halfway_above(v: f64, digits: &[u8], point: i32) -> bool {
    // |v| = m × 2^e exactly.
    let (m, e) = mantissa_exponent(v);
    // With k fractional bits (m made odd), |v| = m × 5^k / 10^k has at least
    // 0.699 k + 1 significant digits; a midpoint has at most 18 (17 + the 5),
    // so a value with 25 or more fractional bits is never one. Most are not.
    let k = -(e + m.trailing_zeros() as i32);
    if k >= MIDPOINT_FRACTIONAL_BITS {
        return false;
    }
    let d = digits
        .iter()
        .try_fold(0u64, |acc, &b| acc.checked_mul(10)?.checked_add(u64::from(b - b'0')));
    let Some(p) = d.and_then(|d| d.checked_mul(10)?.checked_add(5)) else {
        return false;
    };
    // The midpoint is p × 10^q.
    let q = point - digits.len() as i32 - 1;
    let (m, p) = (u128::from(m), u128::from(p));
    let pow = |base: u128, n: i32| -> Option<u128> { base.checked_pow(u32::try_from(n).ok()?) };
    if q >= 0 {
        // m × 2^(e−q) = p × 5^q
        let rhs = pow(5, q).and_then(|f| p.checked_mul(f));
        let a = e - q;
        let lhs = if a >= 0 {
            pow(2, a).and_then(|f| m.checked_mul(f))
        } else {
            // m = rhs × 2^−a
            return rhs.and_then(|r| pow(2, -a).and_then(|f| r.checked_mul(f))) == Some(m);
        };
        lhs.is_some() && lhs == rhs
    } else {
        let r = -q;
        let b = e + r;
        if b >= 0 {
            // m × 2^b × 5^r = p
            pow(2, b)
                .and_then(|f| m.checked_mul(f))
                .and_then(|x| pow(5, r).and_then(|f| x.checked_mul(f)))
                == Some(p)
        } else {
            // m × 5^r = p × 2^−b
            let lhs = pow(5, r).and_then(|f| m.checked_mul(f));
            let rhs = pow(2, -b).and_then(|f| p.checked_mul(f));
            lhs.is_some() && lhs == rhs
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(v: f64) {
        let mut f = FloatText::new();
        assert_eq!(f.format(v), format!("{v}"), "bits {:#x}", v.to_bits());
    }

    #[test]
    fn writes_what_display_writes() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            1.5e-7,
            123456.789,
            1e21,
            1e22,
            2.5e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.001234,
            100.0,
            1234.5,
            0.05,
            29.999999999999996,
            // Exactly halfway between two shortest forms.
            f64::from_bits(0x4302_f5a9_40e2_7caa),
            f64::from_bits(0x4302_f5a9_40e2_7cae),
            -f64::from_bits(0x4302_f5a9_40e2_7caa),
            9007199254740993.0,
            // Plain decimal as zmij writes it: whole numbers, a trailing
            // zero before the point, long fractions, and short binary
            // fractions with 16 or more digits (which may be halfway).
            12.0,
            -120.0,
            1e15,
            123456789012345.0,
            1234567890123456.0,
            0.00001,
            0.000012345678901234567,
            16.270332916557155,
            8628179.435072204,
            0.5,
            0.125,
            1125899906842624.5,
            562949953421312.0 + 0.25,
            -(562949953421312.0 + 0.75),
            4503599627370495.5,
        ] {
            same(v);
        }
    }

    #[test]
    fn writes_what_display_writes_for_many_values() {
        // Every exponent and scattered mantissas (a fixed generator), plus
        // values of the scale a run produces.
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            same(f64::from_bits(s));
            let x = (s >> 11) as f64 / (1u64 << 53) as f64;
            same(x * 1e6);
            same((x - 0.5) * 1e-3);
            // Few fractional bits and 16 or more digits: the values that can
            // lie halfway, next to ones that cannot.
            same((s >> 9) as f64 / 8.0);
            same(-((s >> 12) as f64) / 2.0);
            same(x * 1e15);
        }
    }
}
