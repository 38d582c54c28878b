//! What the analysis panels share: a centred, bordered popup with the mode's
//! key hints on its bottom edge, input names for people, a placeholder while
//! the analysis computes, and one-cell-per-step bar scales.

use super::{put, truncate};
use crate::analysis::Kpi;
use crate::sim::{ParamAt, ParamRef, Scenario};
use crate::ui::analysis::{JobKind, kpi_label};
use crate::ui::app::{App, lever_label};
use crate::ui::keymap;
use crate::ui::layout;
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Widget};

/// Draws the popup frame, `width` × `height` at most, centred in `area`;
/// returns the writable inside (empty when there is no room).
pub fn frame(app: &App, area: Rect, buf: &mut Buffer, title: &str, width: u16, height: u16) -> Rect {
    // Keep the header and the footer's status line in view when there is room.
    let area = if area.height >= 12 {
        Rect::new(area.x, area.y + 1, area.width, area.height - 2)
    } else {
        area
    };
    let w = width.min(area.width);
    let h = height.min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let th = app.theme();
    Clear.render(popup, buf);
    let hints: Vec<String> = keymap::hints(app.mode())
        .iter()
        .map(|(k, l)| format!("{k} {l}"))
        .collect();
    let hints = format!(" {} ", hints.join(" · "));
    let title = truncate(title, popup.width.saturating_sub(2) as usize);
    let mut block = Block::bordered()
        .border_style(th.focus_border())
        .title(Line::styled(title, th.title()));
    if hints.chars().count() + 2 <= popup.width as usize {
        block = block.title_bottom(Line::styled(hints, th.dim()).right_aligned());
    }
    block.render(popup, buf);
    layout::inner(popup).inner(Margin::new(1, 0))
}

/// The provider's name, or its index when the scenario has no such provider.
pub fn provider_name(sc: &Scenario, i: usize) -> String {
    sc.providers
        .get(i)
        .map_or_else(|| format!("provider {i}"), |p| p.name.clone())
}

/// "cumulative profit of Hyperscaler at 2030 Q4 (horizon)".
pub fn subject(sc: &Scenario, provider: usize, kpi: Kpi, t: u32) -> String {
    let when = if kpi.is_cumulative() { "to" } else { "at" };
    format!(
        "{} of {} {when} {} (horizon)",
        kpi_label(kpi),
        provider_name(sc, provider),
        sc.quarter_at(t).label()
    )
}

/// An input's name for people: "hyper: Ecosystem lock-in", "Open-source parity from 2025Q1".
pub fn input_label(sc: &Scenario, p: ParamAt) -> String {
    let mut s = match p.target {
        r @ ParamRef::Provider(i, _) => {
            let id = sc.providers.get(i).map_or("?", |p| p.id.as_str());
            format!("{id}: {}", lever_label(r))
        }
        r => lever_label(r),
    };
    if let Some(t) = p.at {
        s.push_str(&format!(" from {}", sc.quarter_at(t)));
    }
    s
}

/// An input's value with its unit.
pub fn input_value(p: ParamAt, v: f64) -> String {
    super::value_text(p.target, v)
}

/// A KPI value with its unit, the sign in front: "−$16.9B", "12.5%".
pub fn kpi_value(k: Kpi, v: f64) -> String {
    if v < 0.0 {
        format!("−{}", crate::output::report::kpi_text(k, -v))
    } else {
        crate::output::report::kpi_text(k, v)
    }
}

/// A change in a KPI, always signed: "+$1.2B", "−$927M".
pub fn kpi_change(k: Kpi, v: f64) -> String {
    if v < 0.0 {
        kpi_value(k, v)
    } else {
        format!("+{}", kpi_value(k, v))
    }
}

/// Shown while the panel's analysis runs, or when it has no result.
pub fn placeholder(app: &App, buf: &mut Buffer, inner: Rect, kind: JobKind, key: &str) {
    let th = app.theme();
    let req = app.analysis_asked(kind);
    let text = if app.analysis().computing(&req) {
        format!(
            "computing the {} of {}…",
            kind.title(),
            provider_name(app.scenario(), req.provider)
        )
    } else {
        format!(
            "no {} for the scenario as it is: press {key} to compute it",
            kind.title()
        )
    };
    put(
        buf,
        inner,
        inner.x,
        inner.y,
        &truncate(&text, inner.width as usize),
        th.dim(),
    );
}

/// Maps values onto `width` cells between `lo` and `hi`.
#[derive(Debug, Clone, Copy)]
pub struct BarScale {
    pub lo: f64,
    pub hi: f64,
    pub width: u16,
}

impl BarScale {
    /// A scale covering `values`, never empty.
    pub fn covering(values: impl Iterator<Item = f64>, width: u16) -> BarScale {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            (lo, hi) = (lo - 1.0, hi + 1.0);
        }
        BarScale { lo, hi, width }
    }

    /// The cell of `v`, 0 to width − 1.
    pub fn cell(&self, v: f64) -> u16 {
        if self.width == 0 {
            return 0;
        }
        let f = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        ((f * f64::from(self.width - 1)).round() as u16).min(self.width - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::presets::default_scenario;

    #[test]
    fn input_names_read_as_levers() {
        let sc = default_scenario();
        let id = &sc.providers[0].id;
        let lock_in = ParamAt::base(ParamRef::lock_in(0));
        assert_eq!(input_label(&sc, lock_in), format!("{id}: Ecosystem lock-in"));
        let parity = ParamAt {
            target: ParamRef::PARITY,
            at: sc.index_of("2025Q1".parse().unwrap()),
        };
        assert_eq!(input_label(&sc, parity), "Open-source parity from 2025Q1");
    }

    #[test]
    fn a_flat_scale_still_has_width() {
        let s = BarScale::covering([5.0, 5.0].into_iter(), 10);
        assert!(s.hi > s.lo);
        assert_eq!(s.cell(f64::NAN), 0);
        assert_eq!(BarScale::covering(std::iter::empty(), 0).cell(3.0), 0);
    }
}
