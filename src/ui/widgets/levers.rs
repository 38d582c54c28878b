//! The lever panel: the four mission levers, or every parameter, each with its
//! value at the cursor quarter, unit and slider.

use super::{left, put, right, truncate, wrap};
use crate::sim::ParamRef;
use crate::ui::app::{App, LeverView, lever_label};
use crate::ui::layout::{self, LeverRow};
use crate::ui::scale::Scale;
use crate::ui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

pub struct LeverPanelWidget<'a> {
    pub app: &'a App,
}

/// A value with a short unit: "85%", "$60.0/Mtok", "15k/q".
pub fn value_text(r: ParamRef, v: f64) -> String {
    r.spec().unit.format(v)
}

/// Mission lever names for one-line rows.
fn short_label(r: ParamRef) -> String {
    use crate::sim::{MarketKey, ProviderKey};
    match r {
        ParamRef::Market(MarketKey::open_source_parity) => "Parity".into(),
        ParamRef::Market(MarketKey::price_ceiling_usd_per_mtok) => "Ceiling".into(),
        ParamRef::Provider(_, ProviderKey::self_chip_volume) => "Self-chips".into(),
        ParamRef::Provider(_, ProviderKey::ecosystem_lock_in) => "Lock-in".into(),
        other => lever_label(other),
    }
}

fn slider(buf: &mut Buffer, area: Rect, position: f64, th: Theme, selected: bool) {
    if area.width < 3 {
        return;
    }
    let inner_w = area.width - 2;
    let filled = ((position * f64::from(inner_w)).round() as u16).min(inner_w);
    let fill_style = if selected { th.accent() } else { th.text() };
    let mut x = put(buf, area, area.x, area.y, "▕", th.dim());
    x = put(buf, area, x, area.y, &"█".repeat(filled as usize), fill_style);
    x = put(buf, area, x, area.y, &"░".repeat((inner_w - filled) as usize), th.dim());
    put(buf, area, x, area.y, "▏", th.dim());
}

impl LeverPanelWidget<'_> {
    fn lever(&self, buf: &mut Buffer, row: &LeverRow, levers: &[ParamRef], tall: bool) {
        let app = self.app;
        let th = app.theme();
        let Some(&r) = levers.get(row.index) else { return };
        let sc = app.scenario();
        let selected = row.index == app.selected_lever();
        // What binds at the cursor: for an indexed price ceiling, the cap in force.
        let v = app.in_force(r);
        let has_key_here = app.cursor() > 0 && sc.keyframe_quarters(r).any(|t| t == app.cursor());
        let name = match app.lever_view() {
            LeverView::Mission if tall => lever_label(r),
            LeverView::Mission => short_label(r),
            LeverView::All => crate::ui::paramdoc::label(r),
        };
        let value = value_text(r, v);
        let mark = if has_key_here { theme::KEYFRAME } else { " " };
        let label = row.label;
        let name_style = if selected { th.selected() } else { th.text() };
        let x = put(
            buf,
            label,
            label.x,
            label.y,
            if selected { "▸" } else { " " },
            th.accent(),
        );
        let value_w = value.chars().count() as u16;
        let end = if tall {
            label.right()
        } else {
            row.slider.x.saturating_sub(1)
        };
        let name_w = end.saturating_sub(x + value_w + 2) as usize;
        let x = put(buf, label, x, label.y, &left(&name, name_w), name_style);
        let x = put(buf, label, x, label.y, mark, th.accent());
        put(buf, label, x + 1, label.y, &right(&value, value_w as usize), th.title());
        let pos = Scale::for_spec(&r.spec()).position(v);
        slider(buf, row.slider, pos, th, selected);
        let n = sc.keyframe_quarters(r).count();
        if tall && n > 0 {
            // Right of the slider: how many keyframes this lever has.
            let s = row.slider;
            let rest = Rect::new(s.right(), s.y, label.right().saturating_sub(s.right()), 1);
            put(
                buf,
                rest,
                s.right() + 1,
                s.y,
                &format!("{}{n}", theme::KEYFRAME),
                th.accent(),
            );
        }
    }

    fn doc(&self, buf: &mut Buffer, area: Rect, r: ParamRef) {
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let keyed = sc.keyframe_quarters(r).next().is_some();
        let what = if app.cursor() > 0 && sc.keyframe_quarters(r).any(|t| t == app.cursor()) {
            format!("←→ {} · = types", app.adjust_hint())
        } else if keyed {
            format!("←→ {} · = types · :reset", app.adjust_hint())
        } else {
            format!("←→ {} · = types a value", app.adjust_hint())
        };
        put(
            buf,
            area,
            area.x,
            area.y,
            &truncate(&what, area.width as usize),
            th.accent(),
        );
        let spec = r.spec();
        let range = crate::ui::app::range_in_unit(r);
        let mut text = format!("{} Range {range}.", spec.doc);
        if r == ParamRef::CEILING {
            text = format!("{} {text}", ceiling_note(app));
        }
        for (i, line) in wrap(&text, area.width as usize)
            .into_iter()
            .enumerate()
            .take(area.height as usize - 1)
        {
            put(buf, area, area.x, area.y + 1 + i as u16, &line, th.dim());
        }
    }
}

/// The price ceiling at the cursor: the cap in force, and the value set
/// where it was set (the headline shows the one in force; MODEL.md §5).
pub fn ceiling_note(app: &App) -> String {
    let r = ParamRef::CEILING;
    let sc = app.scenario();
    let here = sc.quarter_at(app.cursor()).label();
    let set_at = app.set_at(r);
    let set = value_text(r, app.value(r));
    let in_force = value_text(r, app.in_force(r));
    let k = app.value(ParamRef::Market(crate::sim::MarketKey::price_ceiling_indexation));
    match (set_at == app.cursor(), k > 0.0) {
        (_, false) => format!("In force at {here}: {in_force}, fixed in dollars (indexation 0)."),
        (true, true) => format!("In force at {here}: {in_force}, set here; indexed to the cost of serving after."),
        (false, true) => format!(
            "In force at {here}: {in_force}; set to {set} at {}, indexed to the cost of serving since.",
            sc.quarter_at(set_at).label()
        ),
    }
}

impl Widget for LeverPanelWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let levers = app.levers();
        let g = layout::lever_panel(area, app);
        let title = match app.lever_view() {
            LeverView::Mission => " Levers ".to_string(),
            LeverView::All => format!(" All parameters {}/{} ", app.selected_lever() + 1, levers.len()),
        };
        let hint = match app.lever_view() {
            LeverView::Mission => " P: all parameters ",
            LeverView::All => " P: by section ",
        };
        super::bordered(
            buf,
            area,
            th.focus_border(),
            &Line::styled(title, th.title()),
            Some(&Line::styled(hint, th.dim()).right_aligned()),
        );
        let provider = app.scenario().providers.get(app.provider());
        for &(row, market) in &g.headers {
            if market {
                let more = if g.scrolled > 0 {
                    format!("  ↑{} more", g.scrolled)
                } else {
                    String::new()
                };
                let x = put(buf, row, row.x, row.y, "Market", th.title());
                put(buf, row, x, row.y, &more, th.dim());
            } else if let Some(p) = provider {
                let style = th.provider(p.color).add_modifier(ratatui::style::Modifier::BOLD);
                let x = put(buf, row, row.x, row.y, theme::glyph(app.provider()), style);
                let x = put(buf, row, x + 1, row.y, &p.name, style);
                let hint = "  Tab: next";
                if row.right().saturating_sub(x) >= hint.chars().count() as u16 {
                    put(buf, row, x, row.y, hint, th.dim());
                }
            }
        }
        for row in &g.rows {
            self.lever(buf, row, &levers, g.tall);
        }
        if g.more_below > 0
            && let Some(last) = g.rows.last()
        {
            let s = format!(" ↓{} more ", g.more_below);
            let y = area.bottom() - 1;
            let w = s.chars().count() as u16;
            if area.width > w + 2 && y > last.label.y {
                put(buf, area, area.x + 1, y, &s, th.dim());
            }
        }
        if let (Some(doc), Some(r)) = (g.doc, app.selected_ref())
            && doc.height > 0
        {
            self.doc(buf, doc, r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chip_volumes_read_in_thousands_then_millions() {
        let r = ParamRef::self_chip_volume(0);
        assert_eq!(value_text(r, 15.0), "15k/q");
        assert_eq!(value_text(r, 999.0), "999k/q");
        assert_eq!(value_text(r, 16000.0), "16M/q");
        assert_eq!(value_text(r, 100000.0), "100M/q");
    }
}
