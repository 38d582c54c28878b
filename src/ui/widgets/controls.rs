//! The strategist's overlays: the typed-value input, the command palette,
//! the list of archetypes and copies for a new provider, the provider-name
//! field and the remove question. Key lines come from the keymap.

use super::dialog::{choices, field, popup, question_box};
use super::{left, put, truncate};
use crate::ui::app::{App, lever_label};
use crate::ui::keymap::Mode;
use crate::ui::overlay::{NameFor, Overlay};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

/// The field on row `y`, the error under it if any, and the mode's keys on
/// the last row: the bottom of every typed-input overlay.
fn input_rows(app: &App, buf: &mut Buffer, inner: Rect, y: u16, text: &str, error: Option<&str>, mode: Mode) {
    let th = app.theme();
    field(app, buf, inner, y, text, th.title());
    if let Some(e) = error {
        put(buf, inner, inner.x, y + 1, &truncate(e, inner.width as usize), th.bad());
    }
    put(
        buf,
        inner,
        inner.x,
        inner.bottom().saturating_sub(1),
        &truncate(&choices(mode).join("   "), inner.width as usize),
        th.dim(),
    );
}

/// `=`: the lever, its value now, the unit to type in and the range.
pub struct ValueInputWidget<'a> {
    pub app: &'a App,
}

impl Widget for ValueInputWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(Overlay::Value(v)) = app.overlays().top() else {
            return;
        };
        if area.is_empty() {
            return;
        }
        let th = app.theme();
        let r = v.target;
        let spec = r.spec();
        let sc = app.scenario();
        let who = match r {
            crate::sim::ParamRef::Provider(i, _) => sc.providers.get(i).map(|p| format!(" · {}", p.name)),
            crate::sim::ParamRef::Market(_) => None,
        }
        .unwrap_or_default();
        let title = format!("{}{who}", lever_label(r));
        let inner = popup(app, area, buf, 64, 9, &title);
        if inner.height < 4 {
            return;
        }
        let q = sc.quarter_at(app.cursor()).label();
        let applies = if app.cursor() == 0 || r.is_start_only() {
            "for the whole run".to_string()
        } else {
            format!("from {q} on (a keyframe)")
        };
        let lines = [
            format!("Now {}; applies {applies}.", spec.unit.format(app.in_force(r))),
            format!(
                "Type in {}; allowed {}.",
                spec.unit.typed_as(),
                crate::ui::app::range_in_unit(r)
            ),
        ];
        for (i, l) in lines.iter().enumerate() {
            put(
                buf,
                inner,
                inner.x,
                inner.y + i as u16,
                &truncate(l, inner.width as usize),
                th.text(),
            );
        }
        input_rows(app, buf, inner, inner.y + 3, &v.text, v.error.as_deref(), Mode::Value);
    }
}

/// `:` / Ctrl-p: the search field and the matching entries, best first.
pub struct PaletteWidget<'a> {
    pub app: &'a App,
}

impl Widget for PaletteWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(Overlay::Palette(p)) = app.overlays().top() else {
            return;
        };
        if area.is_empty() {
            return;
        }
        let th = app.theme();
        let w = area.width.saturating_sub(4).clamp(40, 100);
        let h = area.height.saturating_sub(2).clamp(8, 24);
        let title = format!("Find · {} of {}", p.shown.len(), p.entries.len());
        let inner = popup(app, area, buf, w, h, &title);
        if inner.height < 3 {
            return;
        }
        field(app, buf, inner, inner.y, &p.query, app.theme().title());
        let rows = inner.height.saturating_sub(2) as usize;
        // Keep the selection in view.
        let first = p.selected.saturating_sub(rows.saturating_sub(1));
        let kind_w = 10;
        let key_w = 12;
        for (row, &i) in p.shown.iter().skip(first).take(rows).enumerate() {
            let Some(e) = p.entries.get(i) else { continue };
            let y = inner.y + 1 + row as u16;
            let selected = first + row == p.selected;
            let style = if selected { th.selected() } else { th.text() };
            let x = put(buf, inner, inner.x, y, if selected { "▸" } else { " " }, th.accent());
            let x = put(buf, inner, x, y, &left(e.kind, kind_w), th.dim());
            let label_w = (inner.right().saturating_sub(x) as usize).saturating_sub(key_w + 1);
            let x = put(buf, inner, x, y, &left(&e.label, label_w), style);
            put(buf, inner, x + 1, y, &truncate(&e.keys, key_w), th.title());
        }
        if p.shown.is_empty() {
            put(
                buf,
                inner,
                inner.x,
                inner.y + 1,
                "nothing matches: Backspace widens the search",
                th.dim(),
            );
        }
        put(
            buf,
            inner,
            inner.x,
            inner.bottom().saturating_sub(1),
            &truncate("Enter runs or opens it · ↑↓ select · Esc closes", inner.width as usize),
            th.dim(),
        );
    }
}

/// `+`: what the new provider starts as.
pub struct TemplatesWidget<'a> {
    pub app: &'a App,
}

impl Widget for TemplatesWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(Overlay::AddProvider(t)) = app.overlays().top() else {
            return;
        };
        let th = app.theme();
        let h = (t.entries.len() as u16 + 5).min(area.height);
        let inner = popup(app, area, buf, 56, h, "Add a provider");
        if inner.height < 3 {
            return;
        }
        put(
            buf,
            inner,
            inner.x,
            inner.y,
            "Start from an archetype or a copy:",
            th.text(),
        );
        let rows = inner.height.saturating_sub(3) as usize;
        let first = t.selected.saturating_sub(rows.saturating_sub(1));
        for (row, (label, _)) in t.entries.iter().enumerate().skip(first).take(rows) {
            let y = inner.y + 1 + (row - first) as u16;
            let selected = row == t.selected;
            let x = put(buf, inner, inner.x, y, if selected { "▸ " } else { "  " }, th.accent());
            put(
                buf,
                inner,
                x,
                y,
                &truncate(label, inner.width as usize - 2),
                if selected { th.selected() } else { th.text() },
            );
        }
        put(
            buf,
            inner,
            inner.x,
            inner.bottom().saturating_sub(1),
            &truncate(&choices(Mode::AddProvider).join("   "), inner.width as usize),
            th.dim(),
        );
    }
}

/// The provider-name field (a new provider, or a rename).
pub struct ProviderNameWidget<'a> {
    pub app: &'a App,
}

impl Widget for ProviderNameWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(Overlay::ProviderName(n)) = app.overlays().top() else {
            return;
        };
        let th = app.theme();
        let intro = match &n.purpose {
            NameFor::Add(p) => format!("New provider, starting as {} with 5% of first-quarter demand:", p.name),
            NameFor::Rename(i) => format!(
                "New name for {}:",
                app.scenario().providers.get(*i).map_or("?", |p| p.name.as_str())
            ),
        };
        let inner = popup(app, area, buf, 64, 8, "Provider name");
        if inner.height < 4 {
            return;
        }
        put(
            buf,
            inner,
            inner.x,
            inner.y,
            &truncate(&intro, inner.width as usize),
            th.text(),
        );
        input_rows(
            app,
            buf,
            inner,
            inner.y + 2,
            &n.text,
            n.error.as_deref(),
            Mode::ProviderName,
        );
    }
}

/// `-`: "Remove this provider?"
pub struct ConfirmRemoveWidget<'a> {
    pub app: &'a App,
}

impl Widget for ConfirmRemoveWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(Overlay::ConfirmRemove(i)) = app.overlays().top() else {
            return;
        };
        let name = app.scenario().providers.get(*i).map_or("?", |p| p.name.as_str());
        let text = format!(
            "Remove {name}? Its first-quarter share goes to the others in proportion, and its keyframes with it. u undoes."
        );
        question_box(area, buf, app, "Remove provider", &text, Mode::ConfirmRemove);
    }
}

/// One parameter's row: label, value at the cursor, unit (when wide), range, source.
fn param_row(app: &App, buf: &mut Buffer, inner: Rect, y: u16, r: crate::sim::ParamRef, sel: bool) {
    let th = app.theme();
    let (label_w, value_w, unit_w, range_w) = if inner.width >= 110 {
        (30, 12, 26, 20)
    } else {
        (24, 11, 0, 16)
    };
    let spec = r.spec();
    let style = if sel { th.selected() } else { th.text() };
    // Provider parameters are marked, market ones not.
    let who = if matches!(r, crate::sim::ParamRef::Provider(..)) {
        "· "
    } else {
        "  "
    };
    let x = put(buf, inner, inner.x, y, if sel { "▸" } else { " " }, th.accent());
    let x = put(buf, inner, x, y, who, th.dim());
    let x = put(buf, inner, x, y, &left(&crate::ui::paramdoc::label(r), label_w), style);
    let value = super::right(&spec.unit.format(app.in_force(r)), value_w);
    let x = put(buf, inner, x + 1, y, &value, th.title());
    let x = if unit_w > 0 {
        put(buf, inner, x + 2, y, &left(spec.unit.label(), unit_w), th.dim())
    } else {
        x + 1
    };
    let range = left(&crate::ui::app::range_in_unit(r), range_w);
    let x = put(buf, inner, x + 1, y, &range, th.dim());
    let rest = inner.right().saturating_sub(x + 1) as usize;
    put(
        buf,
        inner,
        x + 1,
        y,
        &truncate(crate::ui::paramdoc::source(r), rest),
        th.dim(),
    );
}

/// A row of the parameter view: a section header, or a parameter (its position in the list).
type ViewRow = (Option<&'static str>, Option<(usize, crate::sim::ParamRef)>);

/// `P`: every parameter by `docs/MODEL.md` section, with label, value at the
/// cursor, unit, range and source; the selected one's meaning and source in full.
pub struct ParamsWidget<'a> {
    pub app: &'a App,
}

impl Widget for ParamsWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        // Drawn under a value input opened from it, too.
        let Some((query, selected)) = app.overlays().iter().rev().find_map(|o| match o {
            Overlay::Params { query, selected } => Some((query, selected)),
            _ => None,
        }) else {
            return;
        };
        if area.width < 40 || area.height < 12 {
            return;
        }
        let th = app.theme();
        let list = app.param_list(query);
        let who = app
            .scenario()
            .providers
            .get(app.provider())
            .map_or("", |p| p.name.as_str());
        let q = app.scenario().quarter_at(app.cursor()).label();
        let title = format!("Parameters · market and {who} · values at {q} · {} shown", list.len());
        let inner = popup(app, area, buf, area.width, area.height, &title);
        if inner.height < 8 {
            return;
        }
        field(app, buf, inner, inner.y, query, app.theme().title());
        let detail_h = 4u16;
        let rows = inner.height.saturating_sub(detail_h + 3) as usize;
        // Rows: a header where the section changes (unsearched), then parameters.
        let searched = !query.trim().is_empty();
        let mut lines: Vec<ViewRow> = Vec::new();
        let mut last = "";
        for (i, &r) in list.iter().enumerate() {
            let s = crate::ui::paramdoc::section(r);
            if !searched && s != last {
                lines.push((Some(s), None));
                last = s;
            }
            lines.push((None, Some((i, r))));
        }
        let at = lines
            .iter()
            .position(|(_, p)| p.is_some_and(|(i, _)| i == *selected))
            .unwrap_or(0);
        let first = at.saturating_sub(rows.saturating_sub(2));
        for (row, (header, p)) in lines.iter().skip(first).take(rows).enumerate() {
            let y = inner.y + 2 + row as u16;
            match (header, p) {
                (Some(h), _) => {
                    put(buf, inner, inner.x, y, h, th.title());
                }
                (None, Some((i, r))) => param_row(app, buf, inner, y, *r, *i == *selected),
                (None, None) => {}
            }
        }
        if let Some(&r) = list.get(*selected) {
            let y = inner.bottom().saturating_sub(detail_h + 1);
            let key = app.scenario().key_name(r);
            let mut text = format!(
                "{key} ({}): {} Source: {}",
                crate::ui::paramdoc::section(r),
                r.spec().doc,
                crate::ui::paramdoc::source(r)
            );
            if r == crate::sim::ParamRef::CEILING {
                text = format!("{} {text}", super::levers::ceiling_note(app));
            }
            for (i, l) in super::wrap(&text, inner.width as usize)
                .into_iter()
                .take(detail_h as usize)
                .enumerate()
            {
                put(
                    buf,
                    inner,
                    inner.x,
                    y + i as u16,
                    &l,
                    if i == 0 { th.text() } else { th.dim() },
                );
            }
        }
        put(
            buf,
            inner,
            inner.x,
            inner.bottom().saturating_sub(1),
            &truncate(
                "type to search · ↑↓ select · Enter types a value · Tab next provider · Esc closes",
                inner.width as usize,
            ),
            th.dim(),
        );
    }
}
