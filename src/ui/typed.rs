//! A value typed into the dashboard's `=` input: the text read in the
//! parameter's unit ([`crate::sim::Unit::parse`]) and checked against its
//! range, with messages that say what to type instead.

use crate::sim::ParamRef;

/// The value typed for `r`, or why the text is not one.
pub fn read(r: ParamRef, text: &str) -> Result<f64, String> {
    let spec = r.spec();
    let unit = spec.unit;
    let t = text.trim();
    let range = crate::ui::app::range_in_unit(r);
    if let Some(problem) = comma_problem(t) {
        return Err(problem);
    }
    let v = match unit.parse(t) {
        Ok(v) => v,
        Err(_) if overflows(t) => return Err(format!("{t} is too large; allowed {range}")),
        Err(e) => return Err(e),
    };
    if spec.check(v).is_none() {
        return Ok(v);
    }
    if v < 0.0 && spec.min >= 0.0 {
        return Err(format!(
            "{t}: {} cannot be negative; allowed {range}",
            crate::ui::app::lever_label(r)
        ));
    }
    // The value as the unit shows it, unless that rounds onto the bound it
    // passes ("$0.001 is outside $0.001 …"): then as typed.
    let bound = if v < spec.min { spec.min } else { spec.max };
    let shown = unit.format(v);
    let shown = if shown == unit.format(bound) {
        t.to_string()
    } else {
        shown
    };
    Err(format!("{shown} is outside {range}"))
}

/// Why commas in `t` are not thousands groups ("1,5"), if they are not:
/// each comma must follow one to three digits before the first comma and
/// be followed by exactly three digits, all before any decimal point.
fn comma_problem(t: &str) -> Option<String> {
    if !t.contains(',') {
        return None;
    }
    let start = t.find(|c: char| c.is_ascii_digit() || c == ',')?;
    let number: String = t[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, ',' | '.'))
        .collect();
    let (whole, fraction) = number.split_once('.').unwrap_or((&number, ""));
    let mut groups = whole.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
    let grouped = first_ok && groups.all(|g| g.len() == 3) && !fraction.contains(',');
    // Any comma outside the number ("1 ,000", "5,k") is not a group either.
    let all_in_number = t.matches(',').count() == number.matches(',').count();
    if grouped && all_in_number {
        return None;
    }
    let decimal = if t.matches(',').count() == 1 && !t.contains('.') {
        format!(" ({})", t.replace(',', "."))
    } else {
        String::new()
    };
    Some(format!(
        "{t:?}: type a decimal point{decimal}; a comma only groups thousands (1,000)"
    ))
}

/// True when the number in `t` is written correctly but too large for a
/// floating-point value ("1e400").
fn overflows(t: &str) -> bool {
    let digits: String = t
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        .collect();
    digits.parse::<f64>().is_ok_and(|v| v.is_infinite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_comma_is_refused_and_thousands_groups_are_read() {
        let r = ParamRef::CEILING;
        let e = read(r, "1,5").expect_err("a decimal comma");
        assert!(e.contains("decimal point (1.5)"), "{e}");
        assert!(read(r, "1,50").is_err());
        assert!(read(r, "1,0000").is_err());
        assert!(read(r, "1000,5").is_err());
        assert!(read(r, "1.000,5").is_err());
        assert_eq!(read(r, "1,000"), Ok(1000.0));
        let chips = ParamRef::self_chip_volume(0);
        assert_eq!(read(chips, "1,234.5"), Ok(1234.5));
        assert_eq!(read(chips, "2,500"), Ok(2500.0));
    }

    #[test]
    fn out_of_range_messages_never_contradict_themselves() {
        let r = ParamRef::CEILING;
        let e = read(r, "0.0009").expect_err("below the minimum");
        let (shown, range) = e.split_once(" is outside ").expect("outside");
        assert!(!range.starts_with(shown), "{e}");
        let e = read(r, "-1").expect_err("negative");
        assert!(e.contains("cannot be negative") && !e.contains("$-1"), "{e}");
        let e = read(r, "1e400").expect_err("too large");
        assert!(e.contains("too large"), "{e}");
        assert!(read(r, "lots").is_err_and(|e| e.contains("not a number")));
    }
}
