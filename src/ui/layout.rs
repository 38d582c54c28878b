//! Where everything goes on screen, as plain rectangles.
//!
//! Drawing and mouse hit-testing both ask this module, so a click lands on
//! exactly what was drawn there. Everything is a pure function of the
//! terminal size and the app's state.

use super::app::{App, LeverView};
use crate::sim::Metric;
use ratatui::layout::{Constraint, Layout, Rect};

/// A `width` × `height` box in the middle of `area` (shrunk to fit): where
/// every popup, dialog and prompt goes.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// Below this size the dashboard shows a short message instead.
pub const MIN_WIDTH: u16 = 64;
pub const MIN_HEIGHT: u16 = 20;

/// Columns left of a chart's plot: y labels and the axis line.
pub const Y_LABEL_WIDTH: u16 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenLayout {
    pub header: Rect,
    pub levers: Rect,
    pub events: Rect,
    pub chart: Rect,
    pub league: Rect,
    pub footer: Rect,
}

impl ScreenLayout {
    /// `None` when the terminal is too small for a usable screen.
    pub fn compute(area: Rect, app: &App) -> Option<ScreenLayout> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let [header, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
        let providers = app.scenario().providers.len() as u16;
        // Borders, the header row, a row per provider and the unserved-demand row.
        let league_h = (providers + 4).min(body.height * 2 / 5).max(4);
        let [top, league] = Layout::vertical([Constraint::Min(0), Constraint::Length(league_h)]).areas(body);
        let left_w = (area.width * 3 / 10).clamp(30, 44);
        let [left, chart] = Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(top);
        let lever_h = lever_panel_height(app.lever_view(), left.height);
        let [levers, events] = Layout::vertical([Constraint::Length(lever_h), Constraint::Min(0)]).areas(left);
        Some(ScreenLayout {
            header,
            levers,
            events,
            chart,
            league,
            footer,
        })
    }
}

/// Inner rows the mission view needs: two headers and four levers, on two
/// lines each when roomy or one line each when not.
const MISSION_ROWS_TALL: u16 = 10;
const MISSION_ROWS_COMPACT: u16 = 6;
const DOC_ROWS: u16 = 3;

fn lever_panel_height(view: LeverView, left_h: u16) -> u16 {
    match view {
        LeverView::Mission => {
            if left_h >= MISSION_ROWS_TALL + 2 + DOC_ROWS + 6 {
                // Spare rows go to the description, up to five, the rest to the event log.
                let doc = (left_h - MISSION_ROWS_TALL - 2 - 10).clamp(DOC_ROWS, 5);
                MISSION_ROWS_TALL + 2 + doc
            } else if left_h >= MISSION_ROWS_TALL + 2 + 5 {
                MISSION_ROWS_TALL + 2
            } else {
                (MISSION_ROWS_COMPACT + 2).min(left_h)
            }
        }
        LeverView::All => {
            if left_h > 13 {
                left_h - 5
            } else {
                left_h
            }
        }
    }
}

/// One lever's clickable parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeverRow {
    /// Position in `App::levers()`.
    pub index: usize,
    /// The row with the lever's name and value.
    pub label: Rect,
    /// The slider bar (may share the label's row).
    pub slider: Rect,
}

/// What sits on each row of the lever panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeverPanelGeometry {
    /// The panel's inside, borders excluded.
    pub inner: Rect,
    /// One row per visible lever.
    pub rows: Vec<LeverRow>,
    /// Section headings: (row, true for the market, false for the provider).
    pub headers: Vec<(Rect, bool)>,
    /// Two-line form: name and value on one row, the slider below.
    pub tall: bool,
    /// Rows for the selected lever's description, if there is room.
    pub doc: Option<Rect>,
    /// Levers hidden above the visible rows (all-parameters view).
    pub scrolled: usize,
    /// Levers hidden below.
    pub more_below: usize,
}

/// Width of a one-line slider.
fn short_bar_width(inner_w: u16) -> u16 {
    (inner_w / 4).clamp(5, 14)
}

fn row(inner: Rect, dy: u16) -> Rect {
    Rect::new(inner.x, inner.y + dy, inner.width, 1)
}

fn short_slider(label: Rect) -> Rect {
    let w = short_bar_width(label.width).min(label.width);
    Rect::new(label.right() - w, label.y, w, 1)
}

pub fn lever_panel(area: Rect, app: &App) -> LeverPanelGeometry {
    let inner = inner(area);
    let levers = app.levers();
    let market_count = levers
        .iter()
        .take_while(|r| matches!(r, crate::sim::ParamRef::Market(_)))
        .count();
    let mut g = LeverPanelGeometry {
        inner,
        rows: Vec::new(),
        headers: Vec::new(),
        tall: false,
        doc: None,
        scrolled: 0,
        more_below: 0,
    };
    if inner.width < 4 || inner.height == 0 {
        return g;
    }
    // Items in order: a header before each section, then its levers.
    #[derive(Clone, Copy)]
    enum Item {
        Header(bool),
        Lever(usize),
    }
    let mut items = vec![Item::Header(true)];
    items.extend((0..market_count).map(Item::Lever));
    items.push(Item::Header(false));
    items.extend((market_count..levers.len()).map(Item::Lever));

    let tall = app.lever_view() == LeverView::Mission && inner.height >= MISSION_ROWS_TALL;
    g.tall = tall;
    let item_h = |it: &Item| match it {
        Item::Lever(_) if tall => 2,
        _ => 1,
    };
    let needed: u16 = items.iter().map(item_h).sum();
    let doc_rows = if inner.height >= needed + DOC_ROWS {
        inner.height - needed
    } else if app.lever_view() == LeverView::All && inner.height >= 12 {
        2
    } else {
        0
    };
    let visible = inner.height - doc_rows;
    // Scroll so the selected lever stays in view, roughly centred.
    let sel_item = items
        .iter()
        .position(|it| matches!(it, Item::Lever(i) if *i == app.selected_lever()))
        .unwrap_or(0);
    let first = if needed <= visible {
        0
    } else {
        let max_first = items.len().saturating_sub(visible as usize);
        sel_item.saturating_sub(visible as usize / 2).min(max_first)
    };
    let mut y = 0u16;
    for (n, it) in items.iter().enumerate().skip(first) {
        let h = item_h(it);
        if y + h > visible {
            g.more_below = items[n..].iter().filter(|i| matches!(i, Item::Lever(_))).count();
            break;
        }
        match *it {
            Item::Header(market) => g.headers.push((row(inner, y), market)),
            Item::Lever(index) => {
                let label = row(inner, y);
                let slider = if tall {
                    let r = row(inner, y + 1);
                    // Room on the right for the keyframe marker.
                    Rect::new(r.x + 2, r.y, r.width.saturating_sub(5), 1)
                } else {
                    short_slider(label)
                };
                g.rows.push(LeverRow { index, label, slider });
            }
        }
        y += h;
    }
    g.scrolled = items[..first].iter().filter(|i| matches!(i, Item::Lever(_))).count();
    if doc_rows > 0 {
        g.doc = Some(Rect::new(inner.x, inner.y + visible, inner.width, doc_rows));
    }
    g
}

/// A bordered block's inside.
pub fn inner(area: Rect) -> Rect {
    Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// The parts of the chart panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartGeometry {
    pub tabs: Vec<(Metric, Rect)>,
    /// Which tab labels fit: 0 full titles, 1 medium, 2 short.
    pub tab_form: u8,
    /// Where the lines are drawn.
    pub plot: Rect,
    /// Left of the plot: tick labels.
    pub y_labels: Rect,
    /// Below the plot: axis line with cursor and keyframe marks.
    pub axis: Option<Rect>,
    /// Below the axis: years.
    pub years: Option<Rect>,
    pub legend: Option<Rect>,
}

/// Tab labels as drawn: "1 Market share" (form 0), "1 Share" (form 2).
pub fn tab_label(tab: Metric, form: u8) -> String {
    let name = match form {
        0 => tab.title(),
        1 => tab.medium(),
        _ => tab.short(),
    };
    format!("{} {name}", tab.number())
}

pub fn chart(area: Rect) -> ChartGeometry {
    let inner = inner(area);
    let width_of = |form| -> u16 {
        Metric::ALL
            .iter()
            .map(|&t| tab_label(t, form).chars().count() as u16 + 1)
            .sum()
    };
    let tab_form = (0..2).find(|&f| width_of(f) <= inner.width).unwrap_or(2);
    let mut tabs = Vec::new();
    let mut x = inner.x;
    if inner.height > 0 {
        for &t in &Metric::ALL {
            let w = tab_label(t, tab_form).chars().count() as u16 + 1;
            let w = w.min(inner.right().saturating_sub(x));
            if w == 0 {
                break;
            }
            tabs.push((t, Rect::new(x, inner.y, w, 1)));
            x += w;
        }
    }
    let below_tabs = Rect::new(
        inner.x,
        inner.y.saturating_add(1),
        inner.width,
        inner.height.saturating_sub(1),
    );
    let (rows_for_plot, axis, years, legend) = if below_tabs.height >= 5 {
        let b = below_tabs.bottom();
        (
            below_tabs.height - 3,
            Some(Rect::new(below_tabs.x, b - 3, below_tabs.width, 1)),
            Some(Rect::new(below_tabs.x, b - 2, below_tabs.width, 1)),
            Some(Rect::new(below_tabs.x, b - 1, below_tabs.width, 1)),
        )
    } else {
        (below_tabs.height, None, None, None)
    };
    let label_w = Y_LABEL_WIDTH.min(below_tabs.width);
    let plot = Rect::new(
        below_tabs.x + label_w,
        below_tabs.y,
        below_tabs.width - label_w,
        rows_for_plot,
    );
    let y_labels = Rect::new(below_tabs.x, below_tabs.y, label_w, rows_for_plot);
    ChartGeometry {
        tabs,
        tab_form,
        plot,
        y_labels,
        axis,
        years,
        legend,
    }
}

/// The braille dot column (0 to 2w-1) of quarter `t` of `n` in a plot `w` cells wide.
pub fn quarter_dot_x(t: u32, n: u32, w: u16) -> i32 {
    let span = i32::from(w) * 2 - 1;
    if n <= 1 || span <= 0 {
        return 0;
    }
    ((f64::from(t) / f64::from(n - 1)) * f64::from(span)).round() as i32
}

/// The screen column of quarter `t` in `plot`.
pub fn quarter_column(t: u32, n: u32, plot: Rect) -> u16 {
    plot.x + (quarter_dot_x(t, n, plot.width) / 2) as u16
}

/// The quarter drawn nearest to screen column `x` of `plot`.
pub fn column_quarter(x: u16, n: u32, plot: Rect) -> u32 {
    if n <= 1 || plot.width == 0 {
        return 0;
    }
    let span = f64::from(plot.width) * 2.0 - 1.0;
    let dot = f64::from(x.saturating_sub(plot.x)) * 2.0 + 0.5;
    let t = (dot / span.max(1.0) * f64::from(n - 1)).round();
    (t.max(0.0) as u32).min(n - 1)
}
