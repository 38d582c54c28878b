//! The war game's terminal screens: a seat's decision screen (hot-seat and a
//! remote player's own terminal), the hot-seat cover that hides the other
//! seats' decisions, the results report with charts to the current quarter,
//! and the facilitator's view on the host.
//!
//! State changes only in the `key` methods; the `draw` functions read their
//! state and a [`SeatView`] (what the rules let the viewer see) and never
//! change anything. Like the dashboard (`crate::ui`), the screens run on any
//! ratatui backend, so tests drive them with scripted keys on a
//! `TestBackend`.

use super::report::{Audience, final_ranking, round_report};
use super::rules::{Game, SeatKind, SeatView};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Wrap};

/// The decisions being edited on a seat's screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Editor {
    pub values: Vec<f64>,
    pub selected: usize,
    /// A number being typed for the selected decision.
    pub typing: Option<String>,
    /// The last thing worth saying (a refused value, "submitted").
    pub message: String,
}

/// What a key on the decision screen asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum EditorOutcome {
    Nothing,
    /// Seal these decisions.
    Submit(Vec<f64>),
    /// Leave without sealing.
    Leave,
}

impl Editor {
    pub fn new(values: Vec<f64>) -> Editor {
        Editor {
            values,
            selected: 0,
            typing: None,
            message: String::new(),
        }
    }

    /// The editor for `view`'s own seat: what it sealed, else what is in force.
    pub fn for_view(view: &SeatView) -> Editor {
        let values = view
            .you
            .as_ref()
            .map(|y| y.sealed.clone().unwrap_or_else(|| y.in_force.clone()))
            .unwrap_or_default();
        Editor::new(values)
    }

    fn step(&mut self, view: &SeatView, dir: f64, big: bool) {
        let i = self.selected;
        let Some(v) = self.values.get(i).copied() else { return };
        let (lo, hi) = view
            .you
            .as_ref()
            .and_then(|y| y.ranges.get(i).copied())
            .unwrap_or((0.0, 1.0));
        let Some(key) = view.keys.get(i) else { return };
        // A fraction moves by a point (5 with Shift); anything else in
        // proportion to its value (5 %, 25 % with Shift), at least a
        // thousandth of the slider's range, so a value at 0 can still move.
        let step = if key.max <= 1.0 {
            if big { 0.05 } else { 0.01 }
        } else {
            let share = if big { 0.25 } else { 0.05 };
            (v.abs() * share).max((hi - lo) / 1000.0)
        };
        let next = (v + dir * step).clamp(key.min.max(lo.min(v)), key.max.min(hi.max(v)));
        self.values[i] = round_sig(next);
    }

    pub fn key(&mut self, k: &KeyEvent, view: &SeatView) -> EditorOutcome {
        let big = k.modifiers.contains(KeyModifiers::SHIFT);
        if let Some(buf) = &mut self.typing {
            match k.code {
                KeyCode::Char(c) if (c.is_ascii_digit() || c == '.' || c == '-' || c == 'e') && buf.len() < 24 => {
                    buf.push(c)
                }
                KeyCode::Backspace => {
                    buf.pop();
                }
                KeyCode::Esc => self.typing = None,
                KeyCode::Enter => {
                    let text = buf.clone();
                    self.typing = None;
                    let Some(key) = view.keys.get(self.selected) else {
                        return EditorOutcome::Nothing;
                    };
                    match text.trim().parse::<f64>() {
                        Ok(v) if v.is_finite() && v >= key.min && v <= key.max => {
                            self.values[self.selected] = v;
                            self.message = String::new();
                        }
                        Ok(_) => {
                            self.message = format!(
                                "{}: {text} is out of range; allowed {} to {}",
                                key.key, key.min, key.max
                            )
                        }
                        Err(_) => self.message = format!("{}: `{text}` is not a number", key.key),
                    }
                }
                _ => {}
            }
            return EditorOutcome::Nothing;
        }
        let n = self.values.len().max(1);
        match k.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = (self.selected + n - 1) % n,
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1) % n,
            KeyCode::Left | KeyCode::Char('h') => self.step(view, -1.0, big),
            KeyCode::Right | KeyCode::Char('l') => self.step(view, 1.0, big),
            KeyCode::Char(c) if c.is_ascii_digit() || c == '.' => self.typing = Some(c.to_string()),
            KeyCode::Char('z') => {
                if let (Some(y), Some(v)) = (&view.you, self.values.get_mut(self.selected)) {
                    *v = y.in_force.get(self.selected).copied().unwrap_or(*v);
                }
            }
            // Only `s` seals: an Enter meant to confirm a number or leave a
            // report must not seal a round's decisions (the last seal resolves it).
            KeyCode::Char('s') => return EditorOutcome::Submit(self.values.clone()),
            KeyCode::Enter => self.message = "press s to seal these decisions".into(),
            KeyCode::Esc => return EditorOutcome::Leave,
            _ => {}
        }
        EditorOutcome::Nothing
    }
}

/// Three significant digits, so stepped values stay readable.
fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powi(v.abs().log10().floor() as i32 - 2);
    (v / mag).round() * mag
}

fn color(hex: &str) -> Color {
    match crate::sim::Rgb::parse(hex) {
        Some(c) if std::env::var_os("NO_COLOR").is_none() => Color::Rgb(c.0, c.1, c.2),
        _ => Color::Reset,
    }
}

fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

/// The title line: game, round, and who is looking.
fn title_line(view: &SeatView, who: &str) -> Line<'static> {
    let round = match (view.round, &view.round_from, &view.round_to) {
        (Some(n), Some(a), Some(b)) => format!("round {n} of {}: {a} to {b}", view.rounds),
        _ => "game over".to_string(),
    };
    Line::from(vec![
        Span::styled("cloudstrat war game", bold()),
        Span::raw(format!("  {round}  {who}  ·  {}", view.scenario)),
    ])
}

/// A seat's decision screen: its decisions on the left, the public results
/// (league table, charts, events) on the right.
pub fn draw_seat(frame: &mut Frame, view: &SeatView, editor: &Editor, banner: &str) {
    let area = frame.area();
    let [top, body, foot] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let who = view
        .you
        .as_ref()
        .and_then(|y| {
            let s = view.seats.iter().find(|s| s.id == y.id)?;
            let p = view.providers.get(s.provider)?;
            Some(format!("seat {} ({})", y.id, p.name))
        })
        .unwrap_or_default();
    frame.render_widget(Paragraph::new(title_line(view, &who)), top);
    let [left, right] = Layout::horizontal([Constraint::Percentage(46), Constraint::Percentage(54)]).areas(body);
    draw_decisions(frame, left, view, editor);
    draw_public(frame, right, view);
    let keys = "↑↓ select  ←→ change (Shift: more)  type a number + Enter  z undo  s seal  Esc leave";
    let msg = if editor.message.is_empty() {
        banner
    } else {
        editor.message.as_str()
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(msg.to_string()),
            Line::from(keys).style(Style::default().add_modifier(Modifier::DIM)),
        ]),
        foot,
    );
}

fn draw_decisions(frame: &mut Frame, area: Rect, view: &SeatView, editor: &Editor) {
    let sealed = view.you.as_ref().and_then(|y| y.sealed.as_ref());
    let title = match (view.round, sealed) {
        (Some(n), Some(_)) => format!(" Your decisions for round {n} (sealed; you may change them) "),
        (Some(n), None) => format!(" Your decisions for round {n} "),
        (None, _) => " Your decisions ".into(),
    };
    let mut lines = Vec::new();
    // Name, value and the "changed" mark on one line: the name gets what is left.
    let name_w = (area.width.saturating_sub(2 + 2 + 9 + 2) as usize).clamp(8, 24);
    for (i, k) in view.keys.iter().enumerate() {
        let v = editor.values.get(i).copied().unwrap_or(f64::NAN);
        let was = view.you.as_ref().and_then(|y| y.in_force.get(i)).copied();
        let mark = if i == editor.selected { "▶ " } else { "  " };
        let shown = match (&editor.typing, i == editor.selected) {
            (Some(t), true) => format!("{t}▏"),
            _ => crate::format::sig3(v),
        };
        let changed = was.is_some_and(|w| w != v);
        let style = if i == editor.selected { bold() } else { Style::default() };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{mark}{:<name_w$}", crate::text::truncate(&k.key, name_w)),
                style,
            ),
            Span::styled(
                format!("{shown:>9}"),
                if changed { style.fg(Color::Yellow) } else { style },
            ),
            Span::raw(if changed { " •" } else { "" }),
        ]));
        if i == editor.selected {
            let range = view
                .you
                .as_ref()
                .and_then(|y| y.ranges.get(i))
                .map(|(a, b)| format!("slider {} to {}", crate::format::sig3(*a), crate::format::sig3(*b)))
                .unwrap_or_default();
            let last = was
                .map(|w| format!("in force {}; ", crate::format::sig3(w)))
                .unwrap_or_default();
            let unit = if k.unit.is_empty() {
                String::new()
            } else {
                format!("{}; ", k.unit)
            };
            lines.push(
                Line::from(format!("    {unit}{last}{range}")).style(Style::default().add_modifier(Modifier::DIM)),
            );
            lines.push(Line::from(format!("    {}", k.doc)).style(Style::default().add_modifier(Modifier::DIM)));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from("• changed from the value in force"));
    lines.push(Line::from(
        "Others' decisions stay sealed; everyone's results show after the round.",
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}

/// League table, charts of share and cash to the last resolved quarter, and events.
fn draw_public(frame: &mut Frame, area: Rect, view: &SeatView) {
    let [table, charts, events] = Layout::vertical([
        Constraint::Length(view.seats.len() as u16 + 3),
        Constraint::Min(6),
        Constraint::Length(6),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(league_lines(view)).block(Block::default().borders(Borders::ALL).title(
            match view.revealed_through {
                Some(t) => format!(" League at quarter {} ", quarter_label(view, t)),
                None => " League: the starting line (no round resolved yet) ".to_string(),
            },
        )),
        table,
    );
    let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    draw_chart(frame, a, view, "Share", |o| o.share * 100.0);
    draw_chart(frame, b, view, "Cash ($M)", |o| o.cash_musd);
    let lines: Vec<Line> = view
        .events
        .iter()
        .rev()
        .take(events.height.saturating_sub(2) as usize)
        .map(|(q, t)| Line::from(format!("{q}  {}", crate::document::clean::for_terminal(t))))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Events (latest first) ")),
        events,
    );
}

fn quarter_label(view: &SeatView, t: u32) -> String {
    view.start
        .parse::<crate::sim::Quarter>()
        .map(|q| q.offset(i64::from(t)).label())
        .unwrap_or_else(|_| t.to_string())
}

/// One line per seat, ranked by score.
pub fn league_lines(view: &SeatView) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(format!(
            "{:>2} {:<6} {:<12} {:>7} {:>9} {:>11}  {}",
            "#", "seat", "player", "share", "cash", "total net", "round"
        ))
        .style(bold()),
    ];
    let order: Vec<usize> = if view.ranking.is_empty() {
        (0..view.seats.len()).collect()
    } else {
        view.ranking.clone()
    };
    for (rank, &i) in order.iter().enumerate() {
        let Some(s) = view.seats.get(i) else { continue };
        let res = view.results.get(i);
        let player = if s.bot {
            "bot".to_string()
        } else {
            s.name.as_deref().map_or_else(
                || "-".into(),
                |n| crate::text::truncate(&crate::document::clean::for_terminal(n), 12),
            )
        };
        let status = match (view.round, s.submitted) {
            (None, _) => "",
            (Some(_), true) => "submitted",
            (Some(_), false) if !s.connected && !s.bot => "away",
            (Some(_), false) => "deciding",
        };
        let c = view.providers.get(s.provider).map_or(Color::Reset, |p| color(&p.color));
        out.push(Line::from(vec![
            Span::styled(format!("{:>2} {:<6}", rank + 1, s.id), Style::default().fg(c)),
            Span::raw(format!(
                " {:<12} {:>7} {:>9} {:>11}  {status}",
                player,
                res.map_or_else(|| "-".into(), |r| crate::format::pct(r.share)),
                res.map_or_else(|| "-".into(), |r| crate::format::musd(r.cash_musd)),
                res.map_or_else(|| "-".into(), |r| crate::format::musd(r.cumulative_net_profit_musd)),
            )),
        ]));
    }
    out
}

fn draw_chart(frame: &mut Frame, area: Rect, view: &SeatView, title: &str, f: impl Fn(&super::rules::Outcome) -> f64) {
    let n = view.rows.len();
    let series: Vec<(Color, Vec<(f64, f64)>)> = view
        .seats
        .iter()
        .map(|s| {
            let c = view.providers.get(s.provider).map_or(Color::Reset, |p| color(&p.color));
            let pts = view
                .rows
                .iter()
                .enumerate()
                .filter_map(|(t, row)| row.get(s.provider).map(|o| (t as f64, f(o))))
                .collect();
            (c, pts)
        })
        .collect();
    let (mut lo, mut hi) = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, y)| y))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    lo = lo.min(0.0);
    if hi <= lo {
        hi = lo + 1.0;
    }
    let sets: Vec<Dataset> = series
        .iter()
        .map(|(c, p)| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(*c))
                .data(p)
        })
        .collect();
    let first = view.start.clone();
    let last = view
        .revealed_through
        .map(|t| quarter_label(view, t))
        .unwrap_or_default();
    let chart = Chart::new(sets)
        .block(Block::default().borders(Borders::ALL).title(format!(" {title} ")))
        .x_axis(
            Axis::default()
                .bounds([0.0, (n.max(2) - 1) as f64])
                .labels([Span::raw(first), Span::raw(last)]),
        )
        .y_axis(
            Axis::default()
                .bounds([lo, hi])
                .labels([Span::raw(crate::format::sig3(lo)), Span::raw(crate::format::sig3(hi))]),
        );
    frame.render_widget(chart, area);
}

/// A full-screen text with a title, scrolled, and a footer of keys.
pub fn draw_text(frame: &mut Frame, title: Line, text: &str, scroll: u16, footer: &str) {
    let [top, body, foot] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(frame.area());
    frame.render_widget(Paragraph::new(title), top);
    let clean = crate::document::clean::for_terminal(text);
    frame.render_widget(
        Paragraph::new(clean)
            .scroll((scroll, 0))
            .block(Block::default().borders(Borders::ALL)),
        body,
    );
    frame.render_widget(
        Paragraph::new(footer.to_string()).style(Style::default().add_modifier(Modifier::DIM)),
        foot,
    );
}

/// A results screen: the round's report above, charts of share and cash below.
pub fn draw_results(frame: &mut Frame, view: &SeatView, report: &str, scroll: u16, footer: &str) {
    let [top, body, charts, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(8),
        Constraint::Length(12),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let shown = match (view.revealed_through, view.round) {
        (Some(t), Some(n)) => format!(
            "results to {}; next: round {n} of {}",
            quarter_label(view, t),
            view.rounds
        ),
        (Some(_), None) => "final results: the game is over".to_string(),
        (None, _) => String::new(),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("cloudstrat war game", bold()),
            Span::raw(format!("  {shown}  ·  {}", view.scenario)),
        ])),
        top,
    );
    frame.render_widget(
        Paragraph::new(crate::document::clean::for_terminal(report))
            .scroll((scroll, 0))
            .block(Block::default().borders(Borders::ALL)),
        body,
    );
    let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    draw_chart(frame, a, view, "Share (%)", |o| o.share * 100.0);
    draw_chart(frame, b, view, "Cash ($M)", |o| o.cash_musd);
    frame.render_widget(
        Paragraph::new(footer.to_string()).style(Style::default().add_modifier(Modifier::DIM)),
        foot,
    );
}

/// Where a hot-seat game is.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The keyboard passes to this seat; nothing private shows.
    Cover(usize),
    /// This seat enters its decisions.
    Decide(usize, Editor),
    /// Every human seat has had its turn; the facilitator resolves.
    Ready,
    /// The report of this round (1-based).
    Results(u32),
}

/// What the shell must do after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write the game file (a decision was sealed or a round resolved).
    Save,
    /// Export round `n`'s report.
    Export(u32),
    Quit,
}

/// A hot-seat game: one terminal, seats in turn.
#[derive(Debug, Clone)]
pub struct HotSeat {
    pub game: Game,
    pub stage: Stage,
    pub scroll: u16,
    pub status: String,
}

impl HotSeat {
    pub fn new(game: Game) -> HotSeat {
        let mut h = HotSeat {
            game,
            stage: Stage::Ready,
            scroll: 0,
            status: String::new(),
        };
        h.stage = if h.game.is_over() {
            Stage::Results(h.game.rounds.len() as u32)
        } else {
            h.next_seat(None)
        };
        h
    }

    /// The game as seat `viewer` (or the room) may see it; everyone is at the one terminal.
    pub fn view(&self, viewer: Option<usize>) -> SeatView {
        let mut v = self.game.view(viewer);
        v.seats.iter_mut().for_each(|s| s.connected = true);
        v
    }

    /// The next human seat after `after` that has not sealed, else `Ready`.
    fn next_seat(&self, after: Option<usize>) -> Stage {
        let start = after.map_or(0, |a| a + 1);
        (start..self.game.seats.len())
            .find(|&i| self.game.seats[i].kind == SeatKind::Human && !self.game.submitted(i))
            .map_or(Stage::Ready, Stage::Cover)
    }

    fn resolve(&mut self, forced: bool, out: &mut Vec<Effect>) {
        match self.game.resolve(forced) {
            Ok(r) => {
                let n = r.number;
                self.stage = Stage::Results(n);
                self.scroll = 0;
                self.status = format!("round {n} resolved");
                out.push(Effect::Save);
            }
            Err(e) => self.status = e.to_string(),
        }
    }

    pub fn key(&mut self, k: &KeyEvent) -> Vec<Effect> {
        let mut out = Vec::new();
        let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c {
            return vec![Effect::Quit];
        }
        let decider = match &self.stage {
            Stage::Decide(seat, _) => Some(self.view(Some(*seat))),
            _ => None,
        };
        match &mut self.stage {
            Stage::Cover(seat) => {
                let seat = *seat;
                match k.code {
                    KeyCode::Enter => {
                        let view = self.view(Some(seat));
                        self.stage = Stage::Decide(seat, Editor::for_view(&view));
                    }
                    KeyCode::Tab => self.stage = self.next_seat(Some(seat)),
                    KeyCode::Char('R') => self.resolve(true, &mut out),
                    KeyCode::Char('q') => out.push(Effect::Quit),
                    _ => {}
                }
            }
            Stage::Decide(seat, editor) => {
                let seat = *seat;
                let Some(view) = decider else { return out };
                match editor.key(k, &view) {
                    EditorOutcome::Nothing => {}
                    EditorOutcome::Leave => self.stage = Stage::Cover(seat),
                    EditorOutcome::Submit(values) => match self.game.submit(seat, values) {
                        Ok(()) => {
                            out.push(Effect::Save);
                            self.status = format!("{} sealed its decisions", self.game.seats[seat].id);
                            self.stage = self.next_seat(Some(seat));
                        }
                        Err(e) => editor.message = e.to_string(),
                    },
                }
            }
            Stage::Ready => match k.code {
                KeyCode::Enter | KeyCode::Char('r') | KeyCode::Char('R') => {
                    let forced = !self.game.all_submitted();
                    self.resolve(forced, &mut out);
                }
                KeyCode::Char('q') => out.push(Effect::Quit),
                _ => {
                    if let Some(first) =
                        (0..self.game.seats.len()).find(|&i| self.game.seats[i].kind == SeatKind::Human)
                        && k.code == KeyCode::Backspace
                    {
                        self.stage = Stage::Cover(first);
                    }
                }
            },
            Stage::Results(n) => {
                let n = *n;
                match k.code {
                    KeyCode::Enter | KeyCode::Char(' ') if !self.game.is_over() => {
                        self.scroll = 0;
                        self.stage = self.next_seat(None);
                    }
                    KeyCode::Left if n > 1 => {
                        self.stage = Stage::Results(n - 1);
                        self.scroll = 0;
                    }
                    KeyCode::Right if (n as usize) < self.game.rounds.len() => {
                        self.stage = Stage::Results(n + 1);
                        self.scroll = 0;
                    }
                    KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
                    KeyCode::Down => self.scroll = self.scroll.saturating_add(1),
                    KeyCode::Char('x') => out.push(Effect::Export(n)),
                    KeyCode::Char('q') => out.push(Effect::Quit),
                    _ => {}
                }
            }
        }
        out
    }

    pub fn draw(&self, frame: &mut Frame) {
        let g = &self.game;
        match &self.stage {
            Stage::Cover(seat) => {
                let s = &g.seats[*seat];
                let name = &g.scenario.providers[s.provider].name;
                let view = self.view(None);
                let mut text = format!(
                    "\n   Pass the keyboard to seat {} ({name}).\n\n   Press Enter when only that seat can see the screen.\n\n",
                    s.id
                );
                for l in league_lines(&view) {
                    let t: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                    text.push_str(&format!("   {t}\n"));
                }
                draw_text(
                    frame,
                    title_line(&view, ""),
                    &text,
                    0,
                    &format!(
                        "Enter: decide  Tab: skip this seat (keeps its last decisions)  R: resolve now  q: quit   {}",
                        self.status
                    ),
                );
            }
            Stage::Decide(seat, editor) => draw_seat(frame, &self.view(Some(*seat)), editor, &self.status),
            Stage::Ready => {
                let view = self.view(None);
                let mut text = String::from(
                    "\n   Every seat has had its turn. Facilitator: press Enter to resolve the round.\n\n",
                );
                for l in league_lines(&view) {
                    let t: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                    text.push_str(&format!("   {t}\n"));
                }
                draw_text(
                    frame,
                    title_line(&view, ""),
                    &text,
                    0,
                    "Enter: resolve  Backspace: back to the first seat  q: quit",
                );
            }
            Stage::Results(n) => {
                let view = self.view(None);
                let mut report = round_report(g, *n, Audience::Players);
                if g.is_over() && *n as usize == g.rounds.len() {
                    report = format!("{}\n{report}", final_ranking(g));
                }
                let next = if g.is_over() {
                    "the game is over"
                } else {
                    "Enter: next round"
                };
                draw_results(
                    frame,
                    &view,
                    &report,
                    self.scroll,
                    &format!(
                        "{next}  ←→ other rounds  ↑↓ scroll  x: export this report  q: quit   {}",
                        self.status
                    ),
                );
            }
        }
    }
}

/// The facilitator's view on the host: what it is looking at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facilitator {
    /// The round whose report shows (0: the latest).
    pub round: u32,
    pub scroll: u16,
    pub show_tokens: bool,
    /// `q` was pressed once: the next `q` ends the session.
    pub quitting: bool,
    pub status: String,
}

/// What the facilitator asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacilitatorAction {
    Resolve,
    TogglePause,
    Export(u32),
    Quit,
}

impl Facilitator {
    pub fn key(&mut self, k: &KeyEvent, resolved: u32) -> Option<FacilitatorAction> {
        let shown = if self.round == 0 { resolved } else { self.round };
        if k.code != KeyCode::Char('q') {
            self.quitting = false;
        }
        match k.code {
            KeyCode::Char('r') | KeyCode::Char('R') => return Some(FacilitatorAction::Resolve),
            KeyCode::Char('p') | KeyCode::Char(' ') => return Some(FacilitatorAction::TogglePause),
            KeyCode::Char('x') if shown > 0 => return Some(FacilitatorAction::Export(shown)),
            KeyCode::Char('k') => self.show_tokens = !self.show_tokens,
            KeyCode::Left if shown > 1 => {
                self.round = shown - 1;
                self.scroll = 0;
            }
            KeyCode::Right if shown < resolved => {
                self.round = if shown + 1 == resolved { 0 } else { shown + 1 };
                self.scroll = 0;
            }
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::Down => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Char('q') if self.quitting => return Some(FacilitatorAction::Quit),
            KeyCode::Char('q') => {
                self.quitting = true;
                self.status = "press q again to end the session (the game file keeps everything)".into();
            }
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => return Some(FacilitatorAction::Quit),
            _ => {}
        }
        None
    }

    /// Seat status, clock, the log, and the report of the round chosen.
    pub fn draw(&self, frame: &mut Frame, host: &super::net::Shared) {
        let g = &host.game;
        let view = g.view(None);
        let resolved = g.rounds.len() as u32;
        let token_lines = if self.show_tokens {
            g.seats.iter().filter(|s| s.kind == SeatKind::Human).count()
        } else {
            0
        };
        let [top, seats, log, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length((g.seats.len() + token_lines) as u16 + 3),
            Constraint::Length(6),
            Constraint::Min(4),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        let elapsed = host.round_elapsed().as_secs();
        let clock = match host.round_limit {
            Some(l) => {
                let left = l.as_secs().saturating_sub(elapsed);
                format!("{:02}:{:02} left", left / 60, left % 60)
            }
            None => format!("{:02}:{:02} into the round", elapsed / 60, elapsed % 60),
        };
        let mut head = vec![
            Span::styled("cloudstrat war game, facilitator", bold()),
            Span::raw(match view.round {
                Some(n) => format!("  round {n} of {}  {clock}", view.rounds),
                None => "  game over".into(),
            }),
        ];
        if host.paused {
            head.push(Span::styled("  PAUSED", bold().fg(Color::Yellow)));
        }
        head.push(Span::raw(format!("  host {}  ·  {}", host.listen, view.scenario)));
        frame.render_widget(Paragraph::new(Line::from(head)), top);
        let mut lines = vec![
            Line::from(format!(
                "{:<6} {:<14} {:<14} {:<14} {}",
                "seat", "provider", "player", "connection", "this round"
            ))
            .style(bold()),
        ];
        for (i, s) in g.seats.iter().enumerate() {
            let c = color(&g.scenario.providers[s.provider].color.hex());
            let conn = match s.kind {
                SeatKind::Bot => "bot",
                SeatKind::Human if host.connected(i) => "connected",
                SeatKind::Human => "not connected",
            };
            let round = if g.is_over() {
                "-"
            } else if g.submitted(i) {
                "submitted"
            } else {
                "pending"
            };
            let player = s.name.as_deref().unwrap_or("-");
            lines.push(Line::from(vec![
                Span::styled(format!("{:<6}", s.id), Style::default().fg(c)),
                Span::raw(format!(
                    " {:<14} {:<14} {:<14} {round}",
                    crate::text::truncate(&g.scenario.providers[s.provider].name, 14),
                    crate::text::truncate(player, 14),
                    conn
                )),
            ]));
            if self.show_tokens && s.kind == SeatKind::Human {
                lines.push(Line::from(format!(
                    "       cloudstrat wargame join {} --seat {} --token {}",
                    host.listen, s.id, s.token
                )));
            }
        }
        frame.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Seats ")),
            seats,
        );
        let log_lines: Vec<Line> = host
            .log
            .iter()
            .rev()
            .take(log.height.saturating_sub(2) as usize)
            .rev()
            .map(|l| Line::from(crate::document::clean::for_terminal(l).into_owned()))
            .collect();
        frame.render_widget(
            Paragraph::new(log_lines).block(Block::default().borders(Borders::ALL).title(" Log ")),
            log,
        );
        let shown = if self.round == 0 { resolved } else { self.round };
        let text = if shown == 0 {
            "No round resolved yet. The round resolves when every seat has submitted, or when you press r.".to_string()
        } else {
            let mut t = round_report(g, shown, Audience::Facilitator);
            if g.is_over() && shown == resolved {
                t = format!("{}\n{t}", final_ranking(g));
            }
            t
        };
        frame.render_widget(
            Paragraph::new(crate::document::clean::for_terminal(&text).into_owned())
                .scroll((self.scroll, 0))
                .block(Block::default().borders(Borders::ALL).title(if shown == 0 {
                    " Report ".to_string()
                } else {
                    format!(" Report of round {shown} of {} ", g.round_count())
                })),
            body,
        );
        let keys = "r resolve now  p pause  x export report  ←→ round  ↑↓ scroll  k join commands  q quit";
        let status = if let Some(e) = &host.save_error {
            format!("NOT SAVED: {e}")
        } else {
            self.status.clone()
        };
        frame.render_widget(
            Paragraph::new(format!("{keys}   {status}")).style(Style::default().add_modifier(Modifier::DIM)),
            foot,
        );
    }
}

/// A remote player's screen: its decisions, or the report of the round just resolved.
#[derive(Debug, Clone)]
pub struct PlayerScreen {
    pub state: Option<super::protocol::StateMsg>,
    pub editor: Editor,
    /// The round the editor's values are for.
    editor_round: Option<u32>,
    /// Showing the report of the last resolved round.
    pub results: bool,
    rounds_seen: usize,
    pub status: String,
}

/// What the player asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerAction {
    Submit { round: u32, values: Vec<f64> },
    Quit,
}

impl Default for PlayerScreen {
    fn default() -> Self {
        PlayerScreen::new()
    }
}

impl PlayerScreen {
    pub fn new() -> PlayerScreen {
        PlayerScreen {
            state: None,
            editor: Editor::new(Vec::new()),
            editor_round: None,
            results: false,
            rounds_seen: 0,
            status: "connecting…".into(),
        }
    }

    /// A new state from the host.
    pub fn update(&mut self, state: super::protocol::StateMsg) {
        let resolved = state.view.revealed_through.map_or(0, |_| {
            state
                .view
                .revealed_through
                .map_or(0, |t| (t / state.view.round_quarters.max(1)) as usize + 1)
        });
        if resolved > self.rounds_seen {
            self.results = self.rounds_seen > 0 || self.state.is_some();
            self.rounds_seen = resolved;
        }
        if self.editor_round != state.view.round || self.editor.values.is_empty() {
            let selected = self.editor.selected;
            self.editor = Editor::for_view(&state.view);
            self.editor.selected = selected.min(self.editor.values.len().saturating_sub(1));
            self.editor_round = state.view.round;
        }
        self.status = if state.paused {
            "the facilitator has paused the game".into()
        } else {
            String::new()
        };
        self.state = Some(state);
    }

    pub fn key(&mut self, k: &KeyEvent) -> Option<PlayerAction> {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(PlayerAction::Quit);
        }
        let state = self.state.as_ref()?;
        if self.results || state.view.round.is_none() {
            match k.code {
                KeyCode::Enter | KeyCode::Esc | KeyCode::Char(' ') => self.results = false,
                KeyCode::Char('q') => return Some(PlayerAction::Quit),
                _ => {}
            }
            return None;
        }
        if self.editor.typing.is_none() && k.code == KeyCode::Char('q') {
            return Some(PlayerAction::Quit);
        }
        if self.editor.typing.is_none() && k.code == KeyCode::Char('v') {
            self.results = true;
            return None;
        }
        match self.editor.key(k, &state.view) {
            EditorOutcome::Submit(values) => state.view.round.map(|round| PlayerAction::Submit { round, values }),
            EditorOutcome::Leave | EditorOutcome::Nothing => None,
        }
    }

    pub fn draw(&self, frame: &mut Frame) {
        let Some(state) = &self.state else {
            draw_text(
                frame,
                Line::from("cloudstrat war game"),
                &format!("\n   {}", self.status),
                0,
                "q: quit",
            );
            return;
        };
        let view = &state.view;
        let clock = match state.round_limit_seconds {
            Some(l) => {
                let left = l.saturating_sub(state.round_seconds);
                format!("{:02}:{:02} left in the round", left / 60, left % 60)
            }
            None => String::new(),
        };
        if self.results || view.round.is_none() {
            let next = if view.round.is_none() {
                "the game is over  q: quit"
            } else {
                "Enter: back to your decisions  q: quit"
            };
            draw_results(frame, view, &state.report, 0, &format!("{next}   {}", self.status));
            return;
        }
        let sealed = view.you.as_ref().is_some_and(|y| y.sealed.is_some());
        let waiting = view.seats.iter().filter(|s| !s.submitted).count();
        let banner = if !self.status.is_empty() {
            self.status.clone()
        } else if sealed {
            format!("sealed; waiting for {waiting} seat(s)  {clock}   (v: last round's report  q: quit)")
        } else {
            format!("{clock}   (v: last round's report  q: quit)")
        };
        draw_seat(frame, view, &self.editor, &banner);
    }
}

/// `cloudstrat replay` in a terminal: one round (or session step) at a time.
#[derive(Debug, Clone)]
pub struct ReplayScreen {
    file: super::file::GameFile,
    /// 1-based round or step.
    pub at: u32,
    pub scroll: u16,
    /// The view and text of `at`, computed when it changes.
    shown: (Option<SeatView>, String),
}

impl ReplayScreen {
    pub fn new(file: super::file::GameFile, at: u32) -> ReplayScreen {
        let mut r = ReplayScreen {
            file,
            at,
            scroll: 0,
            shown: (None, String::new()),
        };
        r.at = at.clamp(1, r.count().max(1));
        r.refresh();
        r
    }

    fn count(&self) -> u32 {
        match &self.file {
            super::file::GameFile::Game { game, .. } => game.rounds.len() as u32,
            super::file::GameFile::Session(s) => s.steps.len() as u32,
        }
    }

    fn refresh(&mut self) {
        let n = self.at;
        self.shown = match &self.file {
            super::file::GameFile::Game { game, .. } => {
                let g = game.through(n as usize);
                let mut text = round_report(game, n, Audience::Facilitator);
                if game.is_over() && n as usize == game.rounds.len() {
                    text = format!("{}\n{text}", final_ranking(game));
                }
                (Some(g.view(None)), text)
            }
            super::file::GameFile::Session(s) => {
                let text = match s.steps.get(n.max(1) as usize - 1) {
                    Some(&(at, r, v)) => {
                        let sc = s.after(n as usize);
                        let run = crate::sim::simulate(&sc);
                        format!(
                            "Step {n} of {}: {} = {} from {}\n\n{}",
                            s.steps.len(),
                            sc.key_name(r),
                            crate::format::num(v),
                            sc.quarter_at(at).label(),
                            crate::output::report::table(&sc, &run)
                        )
                    }
                    None => "The session recorded no lever moves.".into(),
                };
                (None, text)
            }
        };
    }

    /// False when the replay should end.
    pub fn key(&mut self, k: &KeyEvent) -> bool {
        let last = self.count().max(1);
        let before = self.at;
        match k.code {
            KeyCode::Right | KeyCode::Char('n') | KeyCode::Char(' ') | KeyCode::PageDown => {
                self.at = (self.at + 1).min(last)
            }
            KeyCode::Left | KeyCode::Char('p') | KeyCode::Backspace | KeyCode::PageUp => {
                self.at = self.at.saturating_sub(1).max(1)
            }
            KeyCode::Home => self.at = 1,
            KeyCode::End => self.at = last,
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::Down => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Char('q') | KeyCode::Esc => return false,
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => return false,
            _ => {}
        }
        if self.at != before {
            self.scroll = 0;
            self.refresh();
        }
        true
    }

    pub fn draw(&self, frame: &mut Frame) {
        let what = if matches!(self.file, super::file::GameFile::Game { .. }) {
            "round"
        } else {
            "step"
        };
        let footer = format!(
            "replay: {what} {} of {}   ←→ {what}s  Home/End  ↑↓ scroll  q quit",
            self.at,
            self.count()
        );
        match &self.shown {
            (Some(view), text) => draw_results(frame, view, text, self.scroll, &footer),
            (None, text) => draw_text(
                frame,
                Line::from(Span::styled("cloudstrat replay", bold())),
                text,
                self.scroll,
                &footer,
            ),
        }
    }
}
