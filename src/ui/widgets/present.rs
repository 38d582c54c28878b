//! Meeting mode's screens: the full-screen presentation (one large chart,
//! headline figures in big digits, the beat's title and narration, progress,
//! clock and lock), the beat list and the text prompt.

use super::chart::ChartWidget;
use super::levers::value_text;
use super::{put, truncate, wrap};
use crate::sim::{Run, Status};
use crate::ui::app::{App, lever_label};
use crate::ui::keymap::{self, Mode};
use crate::ui::layout;
use crate::ui::layout::centered;
use crate::ui::present::PromptFor;
use crate::ui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Widget};

/// Below this size the presentation shows a short message instead.
pub const PRESENT_MIN_WIDTH: u16 = 48;
pub const PRESENT_MIN_HEIGHT: u16 = 14;

/// Glyphs of the big digits: three pixels wide (one for the point), five tall.
fn glyph_rows(c: char) -> Option<&'static [&'static str; 5]> {
    Some(match c {
        '0' => &["###", "#.#", "#.#", "#.#", "###"],
        '1' => &[".#.", "##.", ".#.", ".#.", "###"],
        '2' => &["###", "..#", "###", "#..", "###"],
        '3' => &["###", "..#", "###", "..#", "###"],
        '4' => &["#.#", "#.#", "###", "..#", "..#"],
        '5' => &["###", "#..", "###", "..#", "###"],
        '6' => &["###", "#..", "###", "#.#", "###"],
        '7' => &["###", "..#", "..#", "..#", "..#"],
        '8' => &["###", "#.#", "###", "#.#", "###"],
        '9' => &["###", "#.#", "###", "..#", "###"],
        '.' => &[".", ".", ".", ".", "#"],
        '%' => &["#.#", "..#", ".#.", "#..", "#.#"],
        '$' => &[".##", "##.", ".#.", ".##", "##."],
        '-' => &["...", "...", "###", "...", "..."],
        '+' => &["...", ".#.", "###", ".#.", "..."],
        'B' => &["##.", "#.#", "##.", "#.#", "##."],
        'M' => &["#.#", "###", "###", "#.#", "#.#"],
        'K' | 'k' => &["#.#", "#.#", "##.", "#.#", "#.#"],
        'T' => &["###", ".#.", ".#.", ".#.", ".#."],
        ' ' => &["..", "..", "..", "..", ".."],
        _ => return None,
    })
}

/// `text` in big digits: three rows of half blocks, or five of full blocks
/// when `tall`. `None` if a character has no big form.
pub fn big_text(text: &str, tall: bool) -> Option<Vec<String>> {
    let glyphs: Vec<&[&str; 5]> = text.chars().map(glyph_rows).collect::<Option<_>>()?;
    let pixel = |g: &[&str; 5], row: usize, col: usize| g[row].as_bytes().get(col) == Some(&b'#');
    let rows = if tall { 5 } else { 3 };
    let mut out = vec![String::new(); rows];
    for (n, g) in glyphs.iter().enumerate() {
        let w = g[0].len();
        for (r, line) in out.iter_mut().enumerate() {
            if n > 0 {
                line.push(' ');
            }
            for col in 0..w {
                let ch = if tall {
                    if pixel(g, r, col) { '█' } else { ' ' }
                } else {
                    let top = pixel(g, 2 * r, col);
                    let bottom = 2 * r + 1 < 5 && pixel(g, 2 * r + 1, col);
                    match (top, bottom) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    }
                };
                line.push(ch);
            }
        }
    }
    Some(out)
}

fn price(v: f64) -> String {
    if v >= 10.0 {
        format!("${v:.1}")
    } else {
        format!("${v:.2}")
    }
}

/// One headline figure: what, its value now, and how it moved since the previous beat.
struct Figure {
    label: String,
    value: String,
    change: Option<(String, Style)>,
}

fn figures(app: &App, th: &Theme) -> Vec<Figure> {
    let run: &Run = app.run();
    let sc = app.scenario();
    let i = app.provider();
    let name = sc.providers.get(i).map_or("", |p| p.name.as_str());
    let t = app.cursor();
    if run.quarters == 0 || i >= run.providers {
        return Vec::new();
    }
    let now = run.row(t, i);
    let beat = app.presentation().and_then(|p| p.beat);
    let prev_at = beat
        .filter(|&b| b > 0)
        .and_then(|b| sc.story.get(b - 1))
        .map(|b| b.at.min(run.last()));
    let then = prev_at.map(|at| run.row(at, i));
    let since = match beat {
        Some(b) if b > 0 => format!("since beat {b}"),
        _ => "first beat".to_string(),
    };
    let exited = now.status == Status::Exited;
    let trend = |d: f64, up_is_good: bool| -> (&'static str, Style) {
        if d.abs() < 1e-9 {
            ("=", th.dim())
        } else if (d > 0.0) == up_is_good {
            (if d > 0.0 { "▲" } else { "▼" }, th.good())
        } else {
            (if d > 0.0 { "▲" } else { "▼" }, th.bad())
        }
    };
    let mut out = Vec::new();
    let value = |s: String| if exited { "exited".to_string() } else { s };
    // Share.
    let change = then.map(|r| {
        let d = (now.share - r.share) * 100.0;
        let (arrow, style) = trend(d, true);
        (format!("{arrow} {} pts {since}", crate::format::signed(d, 1)), style)
    });
    out.push(Figure {
        label: format!("{name} · share"),
        value: value(crate::format::pct(now.share)),
        change,
    });
    // Price: neither good nor bad in itself.
    let change = then.map(|r| {
        let d = now.price_usd_per_mtok - r.price_usd_per_mtok;
        let rel = if r.price_usd_per_mtok > 0.0 {
            format!(" ({}%)", crate::format::signed(d / r.price_usd_per_mtok * 100.0, 0))
        } else {
            String::new()
        };
        let arrow = if d.abs() < 1e-9 {
            "="
        } else if d > 0.0 {
            "▲"
        } else {
            "▼"
        };
        let sign = if d < 0.0 { "-" } else { "+" };
        (format!("{arrow} {sign}${:.2}{rel} {since}", d.abs()), th.dim())
    });
    out.push(Figure {
        label: format!("{name} · price/Mtok"),
        value: value(price(now.price_usd_per_mtok)),
        change,
    });
    // Cash.
    let change = then.map(|r| {
        let d = now.cash_musd - r.cash_musd;
        let (arrow, style) = trend(d, true);
        let sign = if d < 0.0 { "" } else { "+" };
        (format!("{arrow} {sign}{} {since}", crate::format::musd(d)), style)
    });
    out.push(Figure {
        label: format!("{name} · cash"),
        value: value(crate::format::musd(now.cash_musd)),
        change,
    });
    if beat.is_none_or(|b| b == 0) || exited {
        let note = if exited {
            let quarter = (0..=t)
                .find(|&q| run.row(q, i).status == Status::Exited)
                .map_or_else(String::new, |q| format!(" in {}", sc.quarter_at(q).label()));
            format!("exited{quarter}")
        } else {
            since.clone()
        };
        for f in &mut out {
            f.change = Some((note.clone(), th.dim()));
        }
    }
    out
}

fn clock(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }
}

/// Presentation mode, full screen.
pub struct PresentWidget<'a> {
    pub app: &'a App,
}

impl PresentWidget<'_> {
    fn top_bar(&self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let th = app.theme();
        let Some(p) = app.presentation() else { return };
        let sc = app.scenario();
        buf.set_style(area, th.title());
        let progress = match p.beat {
            Some(b) => format!("beat {} / {}", b + 1, sc.story.len()),
            None => "no beats".into(),
        };
        let quarter = sc.quarter_at(app.cursor()).label();
        let lock = if p.locked {
            "levers locked".to_string()
        } else {
            match app.selected_ref() {
                Some(r) => format!("UNLOCKED: {} {}", lever_label(r), value_text(r, app.in_force(r))),
                None => "UNLOCKED".into(),
            }
        };
        let clock = clock(p.elapsed.as_secs());
        let right = format!(" {progress} │ {quarter} │ {clock} │ {lock} ");
        let right_w = crate::text::width(&right) as u16;
        let left_room = area.width.saturating_sub(right_w + 1) as usize;
        put(
            buf,
            area,
            area.x,
            area.y,
            &truncate(&format!(" ▶ {}", sc.meta.name), left_room),
            th.title(),
        );
        if right_w <= area.width {
            let mut x = area.right() - right_w;
            x = put(buf, area, x, area.y, &format!(" {progress} "), th.selected());
            x = put(buf, area, x, area.y, &format!("│ {quarter} │ {clock} │ "), th.title());
            let lock_style = if p.locked { th.dim() } else { th.warning() };
            put(buf, area, x, area.y, &format!("{lock} "), lock_style);
        } else {
            let short = format!(" {progress} ");
            let w = crate::text::width(&short) as u16;
            put(buf, area, area.right().saturating_sub(w), area.y, &short, th.selected());
        }
    }

    fn figures(&self, area: Rect, buf: &mut Buffer, tall: bool) {
        let app = self.app;
        let th = app.theme();
        let figs = figures(app, &th);
        if figs.is_empty() || area.height == 0 {
            return;
        }
        let color = app
            .scenario()
            .providers
            .get(app.provider())
            .map_or(th.text(), |p| th.provider(p.color));
        let col_w = area.width / figs.len() as u16;
        let big_rows: u16 = if tall { 5 } else { 3 };
        let label_style = if th.large_labels {
            color.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            color.add_modifier(Modifier::BOLD)
        };
        for (n, f) in figs.iter().enumerate() {
            let col = Rect::new(area.x + n as u16 * col_w, area.y, col_w.saturating_sub(2), area.height);
            if col.width == 0 {
                continue;
            }
            let glyph = theme::glyph(app.provider());
            put(
                buf,
                col,
                col.x,
                col.y,
                &truncate(&format!("{glyph} {}", f.label), col.width as usize),
                label_style,
            );
            let lines = big_text(&f.value, tall).filter(|l| {
                l.first().is_some_and(|r| r.chars().count() <= col.width as usize) && area.height >= big_rows + 2
            });
            let below = match lines {
                Some(lines) => {
                    for (r, line) in lines.iter().enumerate() {
                        put(
                            buf,
                            col,
                            col.x,
                            col.y + 1 + r as u16,
                            line,
                            color.add_modifier(Modifier::BOLD),
                        );
                    }
                    col.y + 1 + big_rows
                }
                None => {
                    put(buf, col, col.x, col.y + 1, &f.value, th.title());
                    col.y + 2
                }
            };
            if let Some((text, style)) = &f.change {
                put(buf, col, col.x, below, &truncate(text, col.width as usize), *style);
            }
        }
    }

    fn chart(&self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let th = app.theme();
        let tab = app.tab();
        let mut title = format!(" {} · {} ", tab.title(), tab.unit());
        if title.chars().count() + 4 > area.width as usize {
            title = format!(" {} · {} ", tab.title(), tab.unit_short());
        }
        let title_style = if th.large_labels {
            th.title().add_modifier(Modifier::UNDERLINED)
        } else {
            th.title()
        };
        Block::bordered()
            .border_style(th.border())
            .title(Line::styled(title, title_style))
            .render(area, buf);
        // The dashboard's chart geometry, without the tab row: one chart, no tabs.
        let mut g = layout::chart(area);
        g.tabs.clear();
        if g.plot.height > 0 || g.axis.is_some() {
            g.plot.y = g.plot.y.saturating_sub(1);
            g.plot.height += 1;
            g.y_labels.y = g.y_labels.y.saturating_sub(1);
            g.y_labels.height += 1;
        }
        let chart = ChartWidget { app };
        chart.plot(buf, &g);
        if let Some(legend) = g.legend {
            chart.legend(buf, legend);
        }
    }
}

impl Widget for PresentWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        if area.width < PRESENT_MIN_WIDTH || area.height < PRESENT_MIN_HEIGHT {
            let text = format!(
                "Terminal too small ({}×{}) to present; it needs {PRESENT_MIN_WIDTH}×{PRESENT_MIN_HEIGHT}. Esc leaves.",
                area.width, area.height
            );
            for (i, line) in wrap(&text, area.width as usize).iter().enumerate() {
                put(buf, area, area.x, area.y + i as u16, line, th.text());
            }
            return;
        }
        let Some(p) = app.presentation() else { return };
        if p.blank {
            // Blanked: the theme's background and nothing else, as slide software does.
            buf.set_style(area, th.text());
            return;
        }
        let sc = app.scenario();
        let beat = p.beat.and_then(|b| sc.story.get(b));
        let mut y = area.y;
        self.top_bar(Rect::new(area.x, y, area.width, 1), buf);
        y += 1;
        let inner_w = area.width.saturating_sub(2);
        // Title and narration.
        let (title, narration) = match beat {
            Some(b) => (
                b.title.clone(),
                crate::output::narration::fill(&b.narration, sc, app.run(), b.at),
            ),
            None => (
                "No story beats yet".to_string(),
                "Leave with p or Esc, move the cursor to a quarter and press a to add a beat; B lists and edits them."
                    .to_string(),
            ),
        };
        let title_style = if th.large_labels {
            th.accent().add_modifier(Modifier::UNDERLINED)
        } else {
            th.accent()
        };
        put(
            buf,
            area,
            area.x + 1,
            y,
            &truncate(&title, inner_w as usize),
            title_style,
        );
        y += 1;
        let max_narration: usize = match area.height {
            h if h >= 36 => 5,
            h if h >= 28 => 4,
            _ => 3,
        };
        let mut lines = wrap(&narration, inner_w as usize);
        if lines.len() > max_narration {
            lines.truncate(max_narration);
            if let Some(last) = lines.last_mut() {
                *last = truncate(&format!("{last} …"), inner_w as usize);
                if !last.ends_with('…') {
                    last.push('…');
                }
            }
        }
        for line in &lines {
            put(buf, area, area.x + 1, y, line, th.text());
            y += 1;
        }
        y += u16::from(area.height >= 30);
        // Headline figures.
        let tall = th.large_labels && area.height >= 30;
        let fig_h: u16 = if tall { 7 } else { 5 };
        let footer_y = area.bottom() - 1;
        if footer_y > y + fig_h + 6 {
            self.figures(Rect::new(area.x + 1, y, inner_w, fig_h), buf, tall);
            y += fig_h;
        }
        let chart_area = Rect::new(area.x, y, area.width, footer_y.saturating_sub(y));
        if chart_area.height >= 4 {
            self.chart(chart_area, buf);
        }
        // Footer: status, else key hints.
        let footer = Rect::new(area.x, footer_y, area.width, 1);
        let mut x = footer.x;
        if let Some(msg) = app.status() {
            x = put(buf, footer, x, footer.y, &format!(" {msg} "), th.selected());
        }
        for (keys, label) in keymap::hints(Mode::Present) {
            let w = (keys.chars().count() + label.chars().count() + 3) as u16;
            if x + w > footer.right() {
                break;
            }
            x = put(buf, footer, x, footer.y, " ", th.text());
            x = put(buf, footer, x, footer.y, &keys, th.title());
            x = put(buf, footer, x, footer.y, &format!(" {label} "), th.dim());
        }
    }
}

/// The story's beats, one per row, with the selected one's narration below.
pub struct BeatsWidget<'a> {
    pub app: &'a App,
}

impl Widget for BeatsWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let story = &sc.story;
        let sel = app.meeting().selected_beat;
        let w = area.width.saturating_sub(4).min(100);
        let narration_rows: u16 = 4;
        let h = (story.len().max(1) as u16 + narration_rows + 4).min(area.height.saturating_sub(2));
        let popup = centered(area, w, h);
        Clear.render(popup, buf);
        Block::bordered()
            .border_style(th.focus_border())
            .title(Line::styled(format!(" Story beats ({}) ", story.len()), th.title()))
            .title_bottom(Line::styled(" ? keys · Esc closes ", th.dim()).right_aligned())
            .render(popup, buf);
        let inner = layout::inner(popup).inner(ratatui::layout::Margin::new(1, 0));
        if inner.is_empty() {
            return;
        }
        if story.is_empty() {
            put(
                buf,
                inner,
                inner.x,
                inner.y,
                "No beats yet: a adds one at the cursor quarter.",
                th.dim(),
            );
            return;
        }
        let list_rows = inner.height.saturating_sub(narration_rows + 1).max(1) as usize;
        let first = sel.saturating_sub(list_rows.saturating_sub(1));
        for (row, (i, b)) in story.iter().enumerate().skip(first).take(list_rows).enumerate() {
            let provider = sc.providers.get(b.focus).map_or("?", |p| p.name.as_str());
            let levers = if b.levers.is_empty() {
                String::new()
            } else {
                format!(" ({} lever changes)", b.levers.len())
            };
            let text = format!(
                "{:>2}  {:<8} {:<13} {:<12} {}{levers}",
                i + 1,
                sc.quarter_at(b.at).label(),
                truncate(b.chart.medium(), 13),
                truncate(provider, 12),
                b.title
            );
            let style = if i == sel { th.selected() } else { th.text() };
            let line = format!(
                "{:<width$}",
                truncate(&text, inner.width as usize),
                width = inner.width as usize
            );
            put(buf, inner, inner.x, inner.y + row as u16, &line, style);
        }
        if let Some(b) = story.get(sel) {
            let y0 = inner.bottom().saturating_sub(narration_rows);
            let text = if b.narration.is_empty() {
                "(no narration: n adds it)".to_string()
            } else {
                b.narration.clone()
            };
            for (k, line) in wrap(&text, inner.width as usize)
                .iter()
                .take(narration_rows as usize)
                .enumerate()
            {
                put(buf, inner, inner.x, y0 + k as u16, line, th.dim());
            }
        }
    }
}

/// The one-line text prompt for a beat's title or narration.
pub struct PromptWidget<'a> {
    pub app: &'a App,
}

impl Widget for PromptWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let Some(p) = app.overlays().prompt() else { return };
        let label = match p.purpose {
            PromptFor::NewBeat(at) => format!(" {} (at {}) ", p.purpose.label(), app.scenario().quarter_at(at).label()),
            _ => format!(" {} ", p.purpose.label()),
        };
        let popup = centered(area, area.width.saturating_sub(4).min(90), 3);
        Clear.render(popup, buf);
        Block::bordered()
            .border_style(th.accent())
            .title(Line::styled(label, th.title()))
            .title_bottom(Line::styled(" Enter accepts · Esc cancels ", th.dim()).right_aligned())
            .render(popup, buf);
        let inner = layout::inner(popup).inner(ratatui::layout::Margin::new(1, 0));
        if inner.is_empty() {
            return;
        }
        // Long text scrolls: the end, where one types, stays in view.
        let room = inner.width.saturating_sub(1) as usize;
        let chars: Vec<char> = p.text.chars().collect();
        let shown: String = chars[chars.len().saturating_sub(room)..].iter().collect();
        let x = put(buf, inner, inner.x, inner.y, &shown, th.text());
        put(buf, inner, x, inner.y, "▏", th.accent());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_digits_have_even_rows() {
        for tall in [false, true] {
            let lines = big_text("$41.3%-+BMKT 0123456789", tall).expect("every character has a glyph");
            assert_eq!(lines.len(), if tall { 5 } else { 3 });
            let w = lines[0].chars().count();
            assert!(lines.iter().all(|l| l.chars().count() == w));
        }
        assert!(big_text("exited", false).is_none());
    }
}
