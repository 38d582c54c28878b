//! The chart's bottom edge, on the right: a running analysis's progress
//! ("Monte Carlo ▰▰▰▱▱ 640/2000 · Esc cancels"), what the fan bands show, or
//! that they are hidden because a lever changed since they were computed.

use super::put;
use crate::ui::analysis::{JobKind, MC_RUNS};
use crate::ui::app::App;
use crate::ui::widgets::fan::{INNER, OUTER};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct JobStatusWidget<'a> {
    pub app: &'a App,
}

fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("{}{}", "▰".repeat(filled), "▱".repeat(width - filled))
}

impl JobStatusWidget<'_> {
    /// Versions of the message, longest first; the widest that fits is drawn.
    fn messages(&self) -> (Vec<String>, bool) {
        let app = self.app;
        if let Some(job) = app.analysis().job(JobKind::MonteCarlo) {
            let (d, n) = (job.done, job.total);
            return (
                vec![
                    format!(" Monte Carlo {} {d}/{n} runs · Esc cancels ", progress_bar(d, n, 10)),
                    format!(" Monte Carlo {} {d}/{n} · Esc cancels ", progress_bar(d, n, 5)),
                    format!(" MC {d}/{n} · Esc "),
                ],
                false,
            );
        }
        if let Some(job) = app.analysis().jobs().first() {
            let t = job.request.kind.title();
            return (vec![format!(" computing {t}… "), " computing… ".into()], false);
        }
        if app.fresh_fan().is_some() {
            let name = app
                .scenario()
                .providers
                .get(app.provider())
                .map_or("", |p| p.name.as_str());
            return (
                vec![
                    format!(" fan of {name}: {OUTER} p5–p95 {INNER} p25–p75 ⋯ median · {MC_RUNS} runs "),
                    format!(" {OUTER} p5–p95 {INNER} p25–p75 ⋯ median "),
                    format!(" {OUTER}{INNER} fan "),
                ],
                false,
            );
        }
        if app.fan_stale() {
            return (
                vec![
                    " bands hidden: levers changed since the Monte Carlo · m reruns ".into(),
                    " bands stale: levers changed · m reruns ".into(),
                    " bands stale · m ".into(),
                ],
                true,
            );
        }
        (Vec::new(), false)
    }
}

impl Widget for JobStatusWidget<'_> {
    /// `area` is the chart panel; the message sits on its bottom border.
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < 4 || area.height < 2 {
            return;
        }
        let th = self.app.theme();
        let (messages, warn) = self.messages();
        let room = area.width as usize - 2;
        let Some(msg) = messages.iter().find(|m| m.chars().count() <= room) else {
            return;
        };
        let w = msg.chars().count() as u16;
        let y = area.bottom() - 1;
        let x = area.right() - 1 - w;
        put(buf, area, x, y, msg, if warn { th.warning() } else { th.dim() });
    }
}
