//! The file dialogs drawn over the dashboard: the name prompt, the open
//! picker, message boxes and the questions (overwrite, unsaved work before
//! opening, recover an autosave, reload a file changed on disk). Their key
//! lines come from the keymap, like the footer's.

use super::{left, put, truncate, wrap};
use crate::document::Source;
use crate::ui::app::App;
use crate::ui::files::PickerEntry;
use crate::ui::keymap::{self, Mode};
use crate::ui::layout;
use crate::ui::layout::centered;
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Widget};

/// "keys  what they do" for every binding of `mode`.
pub(super) fn choices(mode: Mode) -> Vec<String> {
    keymap::keymap(mode)
        .iter()
        .filter(|b| b.hint.is_some())
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            format!("{:<7} {}", keys.join("/"), b.help)
        })
        .collect()
}

/// A bordered box of `lines` (text, style) followed by the mode's choices.
pub(super) fn question_box(area: Rect, buf: &mut Buffer, app: &App, title: &str, text: &str, mode: Mode) {
    if area.is_empty() {
        return;
    }
    let th = app.theme();
    let max_w = area.width.saturating_sub(4).clamp(20, 96);
    let choices = choices(mode);
    let widest = text
        .split('\n')
        .map(|l| l.chars().count())
        .chain(choices.iter().map(|c| c.chars().count()))
        .max()
        .unwrap_or(0) as u16;
    let w = (widest + 4).clamp(36, max_w);
    let body = wrap(text, w.saturating_sub(4) as usize);
    let h = (body.len() + choices.len() + 3) as u16;
    let popup = centered(area, w, h.min(area.height));
    Clear.render(popup, buf);
    Block::bordered()
        .border_style(th.accent())
        .title(Line::styled(format!(" {title} "), th.title()))
        .render(popup, buf);
    let inner = layout::inner(popup).inner(Margin::new(1, 0));
    if inner.is_empty() {
        return;
    }
    // Choices stay visible at the bottom even when the text is too long for the screen.
    let text_rows = (inner.height as usize).saturating_sub(choices.len() + 1);
    for (i, line) in body.iter().take(text_rows).enumerate() {
        put(buf, inner, inner.x, inner.y + i as u16, line, th.text());
    }
    let cy = inner.y + body.len().min(text_rows) as u16 + 1;
    for (i, c) in choices.iter().enumerate() {
        put(
            buf,
            inner,
            inner.x,
            cy + i as u16,
            &truncate(c, inner.width as usize),
            th.title(),
        );
    }
}

fn short_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// A bordered popup of up to `w` × `h` cells titled `title`, centred in
/// `area` over what is below; returns its inner area.
pub(super) fn popup(app: &App, area: Rect, buf: &mut Buffer, w: u16, h: u16, title: &str) -> Rect {
    let th = app.theme();
    let p = centered(area, w, h);
    Clear.render(p, buf);
    Block::bordered()
        .border_style(th.focus_border())
        .title(Line::styled(format!(" {title} "), th.title()))
        .render(p, buf);
    layout::inner(p).inner(Margin::new(1, 0))
}

/// A text field on row `y`: "> text█", showing the end of a text longer than the box.
pub(super) fn field(app: &App, buf: &mut Buffer, inner: Rect, y: u16, text: &str, style: Style) {
    let th = app.theme();
    let room = (inner.width as usize).saturating_sub(3);
    let chars: Vec<char> = text.chars().collect();
    let shown: String = chars[chars.len().saturating_sub(room)..].iter().collect();
    let x = put(buf, inner, inner.x, y, "> ", th.dim());
    let x = put(buf, inner, x, y, &shown, style);
    put(buf, inner, x, y, "█", th.text());
}

/// The name prompt of Ctrl-s and S.
pub struct NamePromptWidget<'a> {
    pub app: &'a App,
}

impl Widget for NamePromptWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(p) = self.app.overlays().name_prompt() else {
            return;
        };
        if area.is_empty() {
            return;
        }
        let th = self.app.theme();
        let folder = self.app.storage().dir().display().to_string();
        let intro = format!("Saves to <name>.ron in {folder}");
        let w = (area.width.saturating_sub(4)).clamp(20, 72);
        let inner = popup(self.app, area, buf, w, 8, "Save as");
        if inner.is_empty() {
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
        let field_style = if p.suggested { th.selected() } else { th.title() };
        field(self.app, buf, inner, inner.y + 2, &p.text, field_style);
        let (note, style) = match &p.error {
            Some(e) => (e.clone(), th.bad()),
            None if p.suggested => ("type to replace the suggestion".to_string(), th.dim()),
            None => (String::new(), th.dim()),
        };
        put(
            buf,
            inner,
            inner.x,
            inner.y + 3,
            &truncate(&note, inner.width as usize),
            style,
        );
        let keys: Vec<String> = choices(Mode::NamePrompt);
        put(
            buf,
            inner,
            inner.x,
            inner.y + 5,
            &truncate(&keys.join("   "), inner.width as usize),
            th.title(),
        );
    }
}

/// The Ctrl-o list of saved strategies and presets.
pub struct PickerWidget<'a> {
    pub app: &'a App,
}

impl PickerWidget<'_> {
    fn row(e: &PickerEntry, widths: (usize, usize, usize, usize)) -> String {
        let (label_w, kind_w, date_w, rest_w) = widths;
        let kind = if e.is_preset() { "preset" } else { "saved" };
        let date = e.modified.as_ref().map(short_time).unwrap_or_default();
        let rest = match &e.broken {
            // The path is the row's own; the error after it says what is wrong.
            Some(err) => {
                let first = err.lines().next().unwrap_or_default();
                let what = match &e.source {
                    Source::File(p) => first.strip_prefix(p.display().to_string().as_str()).unwrap_or(first),
                    Source::Preset(_) => first,
                };
                format!("⚠ broken: {}", what.trim_start_matches(':').trim_start())
            }
            None if e.description.is_empty() => e.name.clone(),
            None => format!("{} · {}", e.name, e.description),
        };
        format!(
            "{}  {}  {}  {}",
            left(&e.label, label_w),
            left(kind, kind_w),
            left(&date, date_w),
            left(&rest, rest_w)
        )
    }
}

impl Widget for PickerWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(p) = self.app.overlays().picker() else { return };
        if area.is_empty() {
            return;
        }
        let th = self.app.theme();
        let w = area.width.saturating_sub(4).clamp(20, 120);
        // Border, two heading rows, the list, a gap and three rows of details.
        let h = (p.entries.len().max(1) as u16 + 8).min(area.height.saturating_sub(2));
        let popup = centered(area, w, h);
        Clear.render(popup, buf);
        let saved = p.entries.iter().filter(|e| !e.is_preset()).count();
        Block::bordered()
            .border_style(th.focus_border())
            .title(Line::styled(" Open a strategy ", th.title()))
            .title_bottom(Line::styled(" Enter opens · Esc cancels ", th.dim()).right_aligned())
            .render(popup, buf);
        let inner = layout::inner(popup).inner(Margin::new(1, 0));
        if inner.is_empty() {
            return;
        }
        let width = inner.width as usize;
        let head = format!("{} · {saved} saved, newest first, then the presets", p.folder.display());
        put(buf, inner, inner.x, inner.y, &truncate(&head, width), th.dim());
        // Columns: file name, kind, date, then name and description (or the error).
        let label_w = p
            .entries
            .iter()
            .map(|e| e.label.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(8, 24)
            .min(width / 4);
        let (kind_w, date_w) = (6, 16);
        let rest_w = width.saturating_sub(label_w + kind_w + date_w + 6);
        let widths = (label_w, kind_w, date_w, rest_w);
        let header = format!(
            "{}  {}  {}  {}",
            left("file", label_w),
            left("", kind_w),
            left("modified", date_w),
            left("name · description", rest_w)
        );
        put(buf, inner, inner.x, inner.y + 1, &truncate(&header, width), th.title());
        // The selected entry's details below the list take three rows.
        let detail_rows: u16 = 3;
        let list = Rect::new(
            inner.x,
            inner.y + 2,
            inner.width,
            inner.height.saturating_sub(3 + detail_rows),
        );
        let rows = list.height as usize;
        let first = if rows == 0 {
            p.selected
        } else {
            (p.selected + 1).saturating_sub(rows)
        };
        for (i, e) in p.entries.iter().enumerate().skip(first).take(rows) {
            let y = list.y + (i - first) as u16;
            let style: Style = if i == p.selected {
                th.selected()
            } else if e.broken.is_some() {
                th.bad()
            } else if e.is_preset() {
                th.dim()
            } else {
                th.text()
            };
            put(buf, list, list.x, y, &truncate(&Self::row(e, widths), width), style);
        }
        if p.entries.is_empty() {
            put(buf, list, list.x, list.y, "nothing to open", th.dim());
        }
        let Some(sel) = p.selected() else { return };
        let detail = match (&sel.broken, &sel.source) {
            (Some(err), _) => format!("Does not load: {err}"),
            (None, Source::File(path)) => format!(
                "{}: {}{}",
                path.file_name().unwrap_or_default().to_string_lossy(),
                sel.description,
                sel.modified
                    .as_ref()
                    .map(|t| format!(" (modified {})", short_time(t)))
                    .unwrap_or_default()
            ),
            (None, Source::Preset(name)) => format!("Built-in preset {name}: {}", sel.description),
        };
        let dy = inner.bottom().saturating_sub(detail_rows);
        let style = if sel.broken.is_some() { th.bad() } else { th.text() };
        for (i, line) in wrap(&detail, width).iter().take(detail_rows as usize).enumerate() {
            put(buf, inner, inner.x, dy + i as u16, line, style);
        }
    }
}

/// A message box: a file that cannot be opened or saved, an unusable autosave.
pub struct MessageWidget<'a> {
    pub app: &'a App,
}

impl Widget for MessageWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if let Some(m) = self.app.overlays().message() {
            question_box(area, buf, self.app, &m.title, &m.body, Mode::Message);
        }
    }
}

/// The questions: overwrite, save before opening, recover, reload.
pub struct QuestionWidget<'a> {
    pub app: &'a App,
}

impl Widget for QuestionWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let f = app.files();
        let (title, text) = match app.mode() {
            Mode::ConfirmOverwrite => (
                "Replace?",
                format!(
                    "{} already exists. Replace it with this strategy?",
                    app.overlays()
                        .overwrite()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            ),
            Mode::ConfirmOpen => {
                let target = match &f.pending {
                    crate::ui::files::Then::Open(Source::File(p)) => p.display().to_string(),
                    crate::ui::files::Then::Open(Source::Preset(p)) => format!("preset {p}"),
                    _ => String::new(),
                };
                (
                    "Unsaved changes",
                    format!("Unsaved changes. Save them before opening {target}?"),
                )
            }
            Mode::Recover => {
                let when = app
                    .overlays()
                    .recovery()
                    .and_then(|r| r.written.as_ref())
                    .map(|t| format!(" on {} UTC", short_time(t)))
                    .unwrap_or_default();
                // A preset opened as it is has never been saved by anyone.
                let since = match app.source() {
                    Source::File(_) => ", after its last save",
                    Source::Preset(_) => "; it has never been saved",
                };
                (
                    "Recover unsaved work?",
                    format!(
                        "Unsaved work on {} was autosaved{when}{since}. Recover it?",
                        app.scenario().meta.name
                    ),
                )
            }
            Mode::Reload => (
                "Changed on disk",
                format!(
                    "{} was changed by another program. Reload it?",
                    app.watched_file().map(|p| p.display().to_string()).unwrap_or_default()
                ),
            ),
            _ => return,
        };
        question_box(area, buf, app, title, &text, app.mode());
    }
}
