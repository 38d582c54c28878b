//! The league table at the cursor quarter: providers ranked by share, with
//! the change since the previous quarter and, when pinned, against the baseline,
//! then the market's unserved demand as a row of its own (in the title when
//! there is no room for it), so the shares and the unserved part add up to
//! all of demand.

use super::{left, put, right};
use crate::output::report;
use crate::sim::{ProviderQuarter, Status};
use crate::ui::app::App;
use crate::ui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

pub struct LeagueWidget<'a> {
    pub app: &'a App,
}

/// A column: header, width, and how important it is (0 = always shown).
struct Column {
    header: &'static str,
    width: usize,
    priority: u8,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rank,
    Provider,
    Share,
    ShareDeltaQ,
    Price,
    Cost,
    Margin,
    Cash,
    Debt,
    NetCash,
    CashDeltaQ,
    Status,
    ShareDeltaBase,
    CashDeltaBase,
    OwnChip,
    NetCum,
}

const fn col(header: &'static str, width: usize, priority: u8, kind: Kind) -> Column {
    Column {
        header,
        width,
        priority,
        kind,
    }
}

/// Share change in percentage points, with an arrow so the sign reads without colour.
fn pp_delta(d: f64) -> String {
    let pp = d * 100.0;
    if pp.abs() < 0.05 {
        "·0.0".into()
    } else if pp > 0.0 {
        format!("▲{pp:.1}")
    } else {
        format!("▼{:.1}", -pp)
    }
}

fn money_delta(d: f64) -> String {
    if d.abs() < 0.5 {
        "·$0M".into()
    } else if d > 0.0 {
        format!("▲{}", crate::format::musd(d))
    } else {
        format!("▼{}", crate::format::musd(-d))
    }
}

fn delta_style(th: Theme, d: f64) -> Style {
    if d > 1e-9 {
        th.good()
    } else if d < -1e-9 {
        th.bad()
    } else {
        th.dim()
    }
}

impl Widget for LeagueWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let app = self.app;
        let th = app.theme();
        let sc = app.scenario();
        let t = app.cursor();
        let unserved = app.run().market.get(t as usize).map_or(0.0, |m| m.unserved_share());
        // The unserved row needs the header, every provider and itself inside the borders.
        let row_fits = area.height as usize >= sc.providers.len() + 4;
        let title = if row_fits {
            format!(" League table at {} ", sc.quarter_at(t).label())
        } else {
            format!(
                " League table at {} · unserved {} ",
                sc.quarter_at(t).label(),
                crate::format::pct(unserved)
            )
        };
        let note = if app.baseline().is_some() {
            " Δq: since last quarter · Δbase: against the baseline "
        } else {
            " Δq: since last quarter "
        };
        super::bordered(
            buf,
            area,
            th.border(),
            &Line::styled(title, th.title()),
            Some(&Line::styled(note, th.dim()).right_aligned()),
        );
        let inner = crate::ui::layout::inner(area);
        if inner.is_empty() {
            return;
        }
        let cols = columns(app.baseline().is_some(), inner.width as usize);
        let mut x = inner.x;
        for c in &cols {
            let text = if matches!(c.kind, Kind::Provider) {
                left(c.header, c.width)
            } else {
                right(c.header, c.width)
            };
            x = put(
                buf,
                inner,
                x,
                inner.y,
                &text,
                th.title().add_modifier(Modifier::UNDERLINED),
            );
            x = put(buf, inner, x, inner.y, " ", th.text());
        }
        for (rank, i) in report::ranking(app.run(), t).into_iter().enumerate() {
            let y = inner.y + 1 + rank as u16;
            if y >= inner.bottom() {
                break;
            }
            let mut x = inner.x;
            for c in &cols {
                let Some((text, style)) = self.cell(c, rank, i) else {
                    continue;
                };
                x = put(buf, inner, x, y, &text, style);
                x = put(buf, inner, x, y, " ", th.text());
            }
        }
        if row_fits {
            let y = inner.y + 1 + sc.providers.len() as u16;
            unserved_row(buf, inner, y, &cols, unserved, th);
        }
    }
}

/// The columns that fit `width`, the least important dropped first; the
/// provider column takes what is left over, up to a point.
fn columns(baseline: bool, width: usize) -> Vec<Column> {
    let mut cols = vec![
        col("#", 2, 0, Kind::Rank),
        col("Provider", 14, 0, Kind::Provider),
        col("Share", 6, 0, Kind::Share),
        col("Δq", 6, 1, Kind::ShareDeltaQ),
        col("Price", 7, 1, Kind::Price),
        col("Cost", 7, 1, Kind::Cost),
        col("Margin", 6, 2, Kind::Margin),
        col("Cash", 7, 1, Kind::Cash),
        col("Debt", 7, 2, Kind::Debt),
        col("Net cash", 8, 3, Kind::NetCash),
        col("Cash Δq", 8, 5, Kind::CashDeltaQ),
        col("Status", 6, 4, Kind::Status),
        col("Own chip", 8, 6, Kind::OwnChip),
        col("Net cum.", 8, 7, Kind::NetCum),
    ];
    if baseline {
        cols.insert(4, col("Δbase", 6, 1, Kind::ShareDeltaBase));
        cols.insert(12, col("Cash Δbase", 10, 2, Kind::CashDeltaBase));
    }
    let used = |cols: &[Column]| cols.iter().map(|c| c.width + 1).sum::<usize>();
    while used(&cols) > width {
        let Some(worst) = cols.iter().map(|c| c.priority).max().filter(|&p| p > 0) else {
            break;
        };
        if let Some(pos) = cols.iter().rposition(|c| c.priority == worst) {
            cols.remove(pos);
        }
    }
    let spare = width.saturating_sub(used(&cols));
    if let Some(c) = cols.iter_mut().find(|c| c.kind == Kind::Provider) {
        c.width += spare.min(8);
    }
    cols
}

impl LeagueWidget<'_> {
    /// Column `c` of provider `i`'s row, ranked `rank` (from 0).
    fn cell(&self, c: &Column, rank: usize, i: usize) -> Option<(String, Style)> {
        let app = self.app;
        let th = app.theme();
        let run = app.run();
        let t = app.cursor();
        let p = app.scenario().providers.get(i)?;
        let r: &ProviderQuarter = run.row(t, i);
        let exited = r.status == Status::Exited;
        let row_style = if exited { th.dim() } else { th.text() };
        let pr = t.checked_sub(1).map(|q| run.row(q, i));
        // The baseline may have other providers (one added or removed since): match by id.
        let br = app.baseline().zip(app.pinned_scenario()).and_then(|(b, bs)| {
            let j = bs.provider_index(&p.id)?;
            (t < b.quarters && j < b.providers).then(|| b.row(t, j))
        });
        let w = c.width;
        let delta = |d: Option<f64>, text: fn(f64) -> String| match d {
            Some(d) => (right(&text(d), w), delta_style(th, d)),
            None => (right("–", w), th.dim()),
        };
        let plain = |text: String| (right(&text, w), row_style);
        use crate::format::{musd, pct, pct0, usd_mtok};
        Some(match c.kind {
            Kind::Rank => plain((rank + 1).to_string()),
            Kind::Provider => {
                let mark = if exited { theme::EXITED } else { theme::glyph(i) };
                let selected = i == app.provider();
                let sel = if selected { "▸" } else { " " };
                let style = th.provider(p.color);
                let style = if selected {
                    style.add_modifier(Modifier::BOLD)
                } else {
                    style
                };
                (left(&format!("{sel}{mark} {}", p.name), w), style)
            }
            Kind::Share => plain(pct(r.share)),
            Kind::ShareDeltaQ => delta(pr.map(|pr| r.share - pr.share), pp_delta),
            Kind::ShareDeltaBase => delta(br.map(|br| r.share - br.share), pp_delta),
            // An exited provider sells nothing: no price, cost or margin.
            Kind::Price | Kind::Cost | Kind::Margin if exited => (right("–", w), th.dim()),
            Kind::Price => plain(usd_mtok(r.price_usd_per_mtok)),
            Kind::Cost => plain(usd_mtok(r.cost_usd_per_mtok)),
            Kind::Margin => plain(pct0(r.gross_margin)),
            Kind::Cash => plain(musd(r.cash_musd)),
            Kind::Debt => plain(musd(r.debt_musd)),
            Kind::NetCash => {
                let net = r.cash_musd - r.debt_musd;
                let style = if net < -0.5 && !exited { th.bad() } else { row_style };
                (right(&musd(net), w), style)
            }
            Kind::NetCum => plain(musd(run.cumulative_net_profit(i, t))),
            Kind::CashDeltaQ => delta(pr.map(|pr| r.cash_musd - pr.cash_musd), money_delta),
            Kind::CashDeltaBase => delta(br.map(|br| r.cash_musd - br.cash_musd), money_delta),
            Kind::Status => {
                let style = if exited { th.bad() } else { row_style };
                (right(r.status.name(), w), style)
            }
            Kind::OwnChip => plain(pct(r.self_chip_share)),
        })
    }
}

/// The market's row under the providers: the share of demand nobody served.
fn unserved_row(buf: &mut Buffer, inner: Rect, y: u16, cols: &[Column], unserved: f64, th: Theme) {
    if y >= inner.bottom() {
        return;
    }
    let style = if unserved >= 0.0005 { th.bad() } else { th.dim() };
    let mut x = inner.x;
    for c in cols {
        let text = match c.kind {
            Kind::Provider => left(&format!("  {UNSERVED}"), c.width),
            Kind::Share => right(&crate::format::pct(unserved), c.width),
            _ => " ".repeat(c.width),
        };
        x = put(buf, inner, x, y, &text, style);
        x = put(buf, inner, x, y, " ", th.text());
    }
}

/// The name of the market's unserved demand, in the league table and the share chart's legend.
pub const UNSERVED: &str = "Unserved demand";
