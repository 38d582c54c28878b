//! Things drawn over the dashboard: the key help, the quit prompt, and the
//! message shown instead of the dashboard when the terminal is too small.

use super::{left, put, truncate};
use crate::ui::app::App;
use crate::ui::keymap::{self, Mode};
use crate::ui::layout::centered;
use crate::ui::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Widget};

/// Every binding of the dashboard's keymap, in one or two columns.
pub struct HelpWidget<'a> {
    pub app: &'a App,
}

const HELP_NOTE: &str = "Lever changes apply from the cursor quarter on (a keyframe, ◇); at the first quarter they change the base value. ←→ step from the value in force at the cursor (for the indexed price ceiling, the cap in force, not the value set), so ← always lowers what binds. Mouse: click a lever or its slider, drag the slider, click a tab or a quarter, scroll the event log.";

const PRESENT_NOTE: &str = "Presenting: each beat moves the cursor to its quarter, shows its chart and provider, and applies its lever changes; going back undoes them. Levers stay locked until L unlocks them.";
const BEATS_NOTE: &str = "Beats are kept in quarter order and saved with the strategy (Ctrl-s in the dashboard).";

/// The line that stands for the six chart keys in the unsearched help.
pub const CHARTS_LINE: (&str, &str) = ("1-6", "the six chart tabs");

fn collapse_charts(entries: &mut Vec<(String, &str)>, mode: Mode) {
    let charts: Vec<usize> = keymap::keymap(mode)
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b.action, crate::ui::Action::ShowTab(_)))
        .map(|(i, _)| i)
        .collect();
    // Unsearched, the entries are the keymap's, in its order.
    if charts.len() < 2 || charts.iter().any(|&i| i >= entries.len()) {
        return;
    }
    let Some(&first) = charts.first() else { return };
    for &i in charts.iter().rev() {
        entries.remove(i);
    }
    entries.insert(first, (CHARTS_LINE.0.to_string(), CHARTS_LINE.1));
}

impl Widget for HelpWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let th = self.app.theme();
        let all: Vec<(String, &str)> = keymap::keymap(self.app.help_from())
            .iter()
            .map(|b| (b.keys_label(), b.help))
            .collect();
        // Typing searches the keys and what they do.
        let query = self.app.overlays().help_query().unwrap_or("");
        let hay: Vec<String> = all.iter().map(|(k, d)| format!("{d} {k}")).collect();
        let mut entries: Vec<(String, &str)> = crate::ui::fuzzy::rank(query, &hay)
            .into_iter()
            .filter_map(|i| all.get(i).cloned())
            .collect();
        // Unsearched, the six chart keys take one line, so that the whole
        // help fits an 80×24 terminal.
        if query.is_empty() {
            collapse_charts(&mut entries, self.app.help_from());
        }
        let key_w = entries.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        let desc_w = entries.iter().map(|(_, d)| d.chars().count()).max().unwrap_or(0);
        let entry_w = key_w + 2 + desc_w;
        // One column when it fits the height, else two.
        let note_text = match self.app.help_from() {
            _ if !query.is_empty() && entries.is_empty() => "No key matches: Backspace widens the search.",
            _ if !query.is_empty() => "",
            Mode::Present => PRESENT_NOTE,
            Mode::Beats => BEATS_NOTE,
            _ => HELP_NOTE,
        };
        let wrapped = |w: u16| super::wrap(note_text, w.saturating_sub(4) as usize);
        let one_w = ((entry_w + 4) as u16).max(64).min(area.width);
        let one_h = entries.len() as u16 + wrapped(one_w).len().min(4) as u16 + 3;
        let two_cols = one_h > area.height;
        let w = if two_cols { area.width } else { one_w };
        let mut note = wrapped(w);
        let body_rows = if two_cols {
            entries.len().div_ceil(2)
        } else {
            entries.len()
        } as u16;
        // The keys come first: on a short screen the note shrinks, then goes.
        let note_room = area.height.saturating_sub(body_rows + 3) as usize;
        if note.len() > note_room.min(4) {
            note.truncate(note_room.min(4));
            if let Some(last) = note.last_mut() {
                *last = truncate(&format!("{last} …"), w.saturating_sub(4) as usize);
            }
        }
        let note_rows = note.len() as u16;
        let gap = u16::from(note_rows > 0);
        let popup = centered(area, w, body_rows + note_rows + 2 + gap);
        Clear.render(popup, buf);
        Block::bordered()
            .border_style(th.focus_border())
            .title(Line::styled(
                if query.is_empty() {
                    " Keys · type to search · Tab: what you see ".to_string()
                } else {
                    format!(" Keys matching “{query}” ")
                },
                th.title(),
            ))
            .title_bottom(Line::styled(" ? or Esc closes ", th.dim()).right_aligned())
            .render(popup, buf);
        let inner = layout::inner(popup).inner(ratatui::layout::Margin::new(1, 0));
        if inner.is_empty() {
            return;
        }
        for (i, line) in note.iter().take(note_rows as usize).enumerate() {
            put(buf, inner, inner.x, inner.y + i as u16, line, th.dim());
        }
        let body_y = inner.y + note_rows + gap;
        let per_col = if two_cols {
            entries.len().div_ceil(2)
        } else {
            entries.len()
        };
        let col_w = if two_cols {
            (inner.width.saturating_sub(3)) / 2
        } else {
            inner.width
        };
        for (n, (keys, help)) in entries.iter().enumerate() {
            let (col, row) = (n / per_col.max(1), n % per_col.max(1));
            let x = inner.x + col as u16 * (col_w + 3);
            let y = body_y + row as u16;
            let cell = Rect::new(x, y, col_w, 1).intersection(inner);
            if cell.is_empty() {
                continue;
            }
            let kw = key_w.min(cell.width as usize / 2);
            let nx = put(buf, cell, x, y, &left(keys, kw), th.title());
            put(
                buf,
                cell,
                nx + 2,
                y,
                &truncate(help, (cell.width as usize).saturating_sub(kw + 2)),
                th.text(),
            );
        }
    }
}

/// The help's "What you see" page: the marks and numbers of the screen.
pub struct GlossaryWidget<'a> {
    pub app: &'a App,
}

/// (what is on screen, what it means), in the order the eye meets them.
pub const WHAT_YOU_SEE: [(&str, &str); 7] = [
    (
        "In force at",
        "Under the price-ceiling lever: the cap that binds at the cursor quarter. The ceiling is indexed: the value set holds at its quarter (the start or a keyframe), then follows the cost of serving (MODEL.md §5). The lever shows the cap in force; ←→ and = start from it.",
    ),
    (
        "◇  ◇1 ◇2",
        "Keyframes: ◇ before a value, one at the cursor quarter; ◇2 right of a slider, the lever has two; ◇ on the time axis, where they are. A change at a later quarter adds one, Del removes it.",
    ),
    (
        "←→ add ◇ here",
        "The footer says what ←→ do at the cursor: set the whole run or the base value, add or move a keyframe here; \"until 2025 Q1\": where the next keyframe takes over.",
    ),
    (
        "Δq  Δbase",
        "League table: the share's change since last quarter and against the pinned baseline (b), in points; Cash Δq and Cash Δbase in money.",
    ),
    (
        "caps at …",
        "The price chart's bottom line: which cap set each capped provider's price at the cursor (the price ceiling or the open-model cap), or \"no cap binds\".",
    ),
    (
        "dashed=cost",
        "Price chart: a provider's dashed line is its unit cost, the solid one its price; dim lines, the pinned baseline.",
    ),
    (
        "╌unserved",
        "Share chart: the demand no provider served, so the lines add up to all of demand.",
    ),
];

impl Widget for GlossaryWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let th = self.app.theme();
        let w = area.width.min(100);
        let term_w = WHAT_YOU_SEE.iter().map(|(t, _)| t.chars().count()).max().unwrap_or(0) + 2;
        let text_w = (w as usize).saturating_sub(term_w + 4).max(10);
        let mut rows: Vec<(&str, String)> = Vec::new();
        for (term, text) in WHAT_YOU_SEE {
            for (i, line) in super::wrap(text, text_w).into_iter().enumerate() {
                rows.push((if i == 0 { term } else { "" }, line));
            }
        }
        let room = area.height.saturating_sub(2) as usize;
        if rows.len() > room {
            rows.truncate(room);
            if let Some((_, last)) = rows.last_mut() {
                *last = truncate(&format!("{last} …"), text_w);
            }
        }
        let popup = centered(area, w, rows.len() as u16 + 2);
        Clear.render(popup, buf);
        Block::bordered()
            .border_style(th.focus_border())
            .title(Line::styled(" What you see · Tab: the keys ", th.title()))
            .title_bottom(Line::styled(" ? or Esc closes ", th.dim()).right_aligned())
            .render(popup, buf);
        let inner = layout::inner(popup).inner(ratatui::layout::Margin::new(1, 0));
        for (i, (term, line)) in rows.iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.bottom() {
                break;
            }
            let x = put(buf, inner, inner.x, y, &left(term, term_w), th.title());
            put(buf, inner, x, y, line, th.text());
        }
    }
}

/// "Unsaved changes: save, quit or cancel?"
pub struct ConfirmQuitWidget<'a> {
    pub app: &'a App,
}

impl Widget for ConfirmQuitWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let th = self.app.theme();
        let question = format!(
            "Unsaved changes. Save them to {} before quitting?",
            self.app.save_path().display()
        );
        let keys: Vec<(String, &str)> = keymap::keymap(Mode::ConfirmQuit)
            .iter()
            .map(|b| (b.keys.iter().map(|k| k.label()).collect::<Vec<_>>().join("/"), b.help))
            .collect();
        let key_w = keys.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        let choices: Vec<String> = keys.iter().map(|(k, help)| format!("{k:<key_w$}  {help}")).collect();
        let w = choices
            .iter()
            .map(|c| c.chars().count())
            .chain([question.chars().count()])
            .max()
            .unwrap_or(0) as u16
            + 4;
        let popup = centered(area, w.max(30), choices.len() as u16 + 4);
        Clear.render(popup, buf);
        Block::bordered()
            .border_style(th.accent())
            .title(Line::styled(" Quit ", th.title()))
            .render(popup, buf);
        let inner = layout::inner(popup).inner(ratatui::layout::Margin::new(1, 0));
        put(
            buf,
            inner,
            inner.x,
            inner.y,
            &truncate(&question, inner.width as usize),
            th.title(),
        );
        for (i, c) in choices.iter().enumerate() {
            put(
                buf,
                inner,
                inner.x,
                inner.y + 1 + i as u16,
                &truncate(c, inner.width as usize),
                th.text(),
            );
        }
    }
}

/// Shown instead of the dashboard below the minimum size.
pub struct TooSmallWidget<'a> {
    pub app: &'a App,
}

impl Widget for TooSmallWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let th = self.app.theme();
        let text = format!(
            "Terminal too small ({}×{}). cloudstrat needs {MIN_WIDTH}×{MIN_HEIGHT}. Enlarge the window, or press q to quit.",
            area.width, area.height
        );
        let lines = super::wrap(&text, area.width as usize);
        let top = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
        for (i, line) in lines.iter().enumerate() {
            let y = top + i as u16;
            let x = area.x + area.width.saturating_sub(line.chars().count() as u16) / 2;
            put(buf, area, x, y, line, th.text());
        }
    }
}
