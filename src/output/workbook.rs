//! The Excel workbook: one sheet per chart metric in wide form (a row per
//! quarter, a column per provider, then the baseline's columns when one is
//! pinned) with a native line chart on each, so finance teams can restyle it
//! in their house template; then the league table at the horizon.
//!
//! Pure: the file's bytes from a scenario, its run and the comparison.

use super::report;
use super::svg::Comparison;
use crate::sim::{Metric, Run, Scenario, Status};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLine, ChartLineDashType, ChartType, Color, Format, Workbook, XlsxError,
};

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect()
}

/// The number format of a metric's cells and its unit in the header.
fn number_format(kind: Metric) -> (&'static str, &'static str) {
    match kind {
        Metric::Share | Metric::SelfChipShare => ("0.0", "%"),
        Metric::PriceCost => ("$0.000", "USD per million tokens"),
        Metric::OperatingProfit | Metric::Cash => ("#,##0", "million USD"),
        Metric::Ecosystem => ("0.00", "index 0 to 1"),
    }
}

/// Column headers and values (one per quarter, `None` after an exit) of one metric.
fn columns(sc: &Scenario, run: &Run, kind: Metric, suffix: &str) -> Vec<(String, usize, bool, Vec<Option<f64>>)> {
    let mut out = Vec::new();
    for (i, p) in sc.providers.iter().enumerate().take(run.providers) {
        let mut gone = false;
        let mut main = Vec::new();
        let mut second = Vec::new();
        for t in 0..run.quarters {
            let r = run.row(t, i);
            let shown = !gone;
            gone |= r.status == Status::Exited;
            main.push(shown.then(|| kind.value(r)));
            second.push(if shown { kind.second(r) } else { None });
        }
        out.push((format!("{}{suffix}", p.name), i, false, main));
        if second.iter().any(Option::is_some) {
            out.push((format!("{} unit cost{suffix}", p.name), i, true, second));
        }
    }
    out
}

fn build(sc: &Scenario, run: &Run, cmp: Comparison) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for kind in Metric::ALL {
        let (num, unit) = number_format(kind);
        let cell = Format::new().set_num_format(num);
        let mut cols = columns(sc, run, kind, "");
        let baseline = cmp
            .baseline
            .filter(|b| b.quarters == run.quarters && b.providers == run.providers);
        if let Some(b) = baseline {
            cols.extend(columns(sc, b, kind, " (baseline)"));
        }
        let name = sheet_name(kind.title());
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        ws.write_string_with_format(0, 0, "quarter", &bold)?;
        ws.set_column_width(0, 10)?;
        for t in 0..run.quarters {
            ws.write_string(t + 1, 0, run.quarter(t).to_string())?;
        }
        for (c, (header, _, _, values)) in cols.iter().enumerate() {
            let col = c as u16 + 1;
            ws.write_string_with_format(0, col, header, &bold)?;
            ws.set_column_width(col, header.chars().count().clamp(10, 28) as f64)?;
            for (t, v) in values.iter().enumerate() {
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    ws.write_number_with_format(t as u32 + 1, col, v, &cell)?;
                }
            }
        }
        let note_col = cols.len() as u16 + 2;
        ws.write_string(0, note_col, format!("{}: {unit}", kind.title()))?;
        let mut chart = Chart::new(ChartType::Line);
        chart.title().set_name(&format!("{} — {}", kind.title(), sc.meta.name));
        chart.y_axis().set_name(unit);
        if kind.log_scale() {
            chart.y_axis().set_log_base(10);
        }
        let last = run.quarters;
        for (c, (header, i, dashed, _)) in cols.iter().enumerate() {
            let col = c as u16 + 1;
            let color = sc.providers[*i].color;
            let mut line = ChartLine::new();
            line.set_color(Color::RGB(
                (u32::from(color.0) << 16) | (u32::from(color.1) << 8) | u32::from(color.2),
            ))
            .set_width(if header.ends_with("(baseline)") { 1.25 } else { 2.25 });
            if *dashed {
                line.set_dash_type(ChartLineDashType::Dash);
            }
            if header.ends_with("(baseline)") {
                line.set_transparency(55);
            }
            chart
                .add_series()
                .set_name((name.as_str(), 0, col))
                .set_categories((name.as_str(), 1, 0, last, 0))
                .set_values((name.as_str(), 1, col, last, col))
                .set_format(ChartFormat::new().set_line(&line));
        }
        chart.set_width(960).set_height(540);
        ws.insert_chart(1, note_col, &chart)?;
    }
    // The league table at the horizon, with Δ columns against the baseline.
    let t = run.last();
    let ws = wb.add_worksheet();
    ws.set_name("League table")?;
    let mut header: Vec<String> = report::LEAGUE_HEADER.iter().map(|s| s.to_string()).collect();
    let baseline = cmp
        .baseline
        .filter(|b| b.quarters == run.quarters && b.providers == run.providers);
    if baseline.is_some() {
        header.extend([
            "Δ share (pts)".into(),
            "Δ cum. profit ($M)".into(),
            "Δ cash ($M)".into(),
        ]);
    }
    ws.write_string_with_format(0, 0, format!("League table at {}", run.quarter(t).label()), &bold)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, h, &bold)?;
        ws.set_column_width(c as u16, h.chars().count().clamp(8, 20) as f64)?;
    }
    for (r, (row, i)) in report::league_rows(sc, run, t)
        .into_iter()
        .zip(report::ranking(run, t))
        .enumerate()
    {
        let y = r as u32 + 2;
        for (c, v) in row.iter().enumerate() {
            ws.write_string(y, c as u16, v)?;
        }
        if let Some(b) = baseline {
            let (now, then) = (run.row(t, i), b.row(t, i));
            let n = row.len() as u16;
            ws.write_number(y, n, (now.share - then.share) * 100.0)?;
            ws.write_number(y, n + 1, run.cumulative_profit(i, t) - b.cumulative_profit(i, t))?;
            ws.write_number(y, n + 2, now.cash_musd - then.cash_musd)?;
        }
    }
    wb.save_to_buffer()
}

/// The workbook's bytes (an `.xlsx` file). A writing error, which only a bug
/// could cause, becomes a workbook with the error in its first cell.
pub fn workbook(sc: &Scenario, run: &Run, cmp: Comparison) -> Vec<u8> {
    build(sc, run, cmp).unwrap_or_else(|e| {
        let mut wb = Workbook::new();
        let _ = wb
            .add_worksheet()
            .write_string(0, 0, format!("could not write the workbook: {e}"));
        wb.save_to_buffer().unwrap_or_default()
    })
}
