//! The interactive dashboard.
//!
//! Keys and mouse events go through a per-mode keymap (`keymap`, `input`) to
//! an [`Action`]; [`App::update`] is the only place state changes; `widgets`
//! draws an `&App` and never changes it. The loop in [`run_app`] is generic
//! over the ratatui backend, so tests run the real dashboard on a
//! `TestBackend`. Terminal set-up and restoring (on quit, error and panic)
//! live here too; the simulation is `sim`'s.

pub mod action;
pub mod analysis;
pub mod app;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod scale;
pub mod theme;
pub mod widgets;

pub use action::{Action, ChartTab, Step};
pub use app::App;
pub use keymap::Mode;
pub use theme::Theme;

use crate::cli::Source;
use crate::sim::Scenario;
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use std::collections::VecDeque;
use std::io::{self, Stdout};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Where the loop gets its events from.
pub trait EventSource {
    /// The next event, waiting at most `timeout` (forever when `None`).
    /// `Ok(None)` means the timeout passed, or, with no timeout, that no
    /// event will ever come.
    fn next_event(&mut self, timeout: Option<Duration>) -> io::Result<Option<Event>>;
}

/// The terminal's events. Without a timeout it blocks: paused, the
/// dashboard sleeps until a key or mouse event arrives.
pub struct TerminalEvents;

impl EventSource for TerminalEvents {
    fn next_event(&mut self, timeout: Option<Duration>) -> io::Result<Option<Event>> {
        match timeout {
            None => event::read().map(Some),
            Some(t) => {
                if event::poll(t)? {
                    event::read().map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }
}

/// A fixed list of events, for tests and benchmarks. Once empty, a timeout
/// passes at once, so playback runs to the end without waiting.
#[derive(Debug, Default)]
pub struct ScriptedEvents(pub VecDeque<Event>);

impl ScriptedEvents {
    pub fn new(events: impl IntoIterator<Item = Event>) -> Self {
        ScriptedEvents(events.into_iter().collect())
    }
}

impl EventSource for ScriptedEvents {
    fn next_event(&mut self, _timeout: Option<Duration>) -> io::Result<Option<Event>> {
        Ok(self.0.pop_front())
    }
}

/// Draws, waits for an event, updates; until the app quits or the events run out.
pub fn run_app<B: Backend>(terminal: &mut Terminal<B>, app: &mut App, events: &mut impl EventSource) -> io::Result<()> {
    let mut next_tick: Option<Instant> = None;
    loop {
        let size = terminal.size()?;
        let v = app.viewport();
        if (v.width, v.height) != (size.width, size.height) {
            app.update(Action::Resize {
                width: size.width,
                height: size.height,
            });
        }
        terminal.draw(|f| widgets::render(app, f))?;
        if app.should_quit() {
            return Ok(());
        }
        // Only playback and background analyses need a timer; otherwise wait
        // for input indefinitely.
        let play_wait = if app.playing() {
            let deadline = *next_tick.get_or_insert_with(|| Instant::now() + app.tick_interval());
            Some(deadline.saturating_duration_since(Instant::now()))
        } else {
            next_tick = None;
            None
        };
        let job_wait = app.jobs_running().then_some(analysis::JOB_POLL);
        let (timeout, tick_due) = match (play_wait, job_wait) {
            (Some(p), Some(j)) if j < p => (Some(j), false),
            (Some(p), _) => (Some(p), true),
            (None, j) => (j, false),
        };
        match events.next_event(timeout)? {
            Some(ev) => {
                if let Some(action) = input::action_for_event(app, &ev) {
                    app.update(action);
                }
                if app.jobs_running() {
                    app.update(Action::PollJobs);
                }
            }
            None if timeout.is_some() => {
                if app.jobs_running() {
                    app.update(Action::PollJobs);
                }
                if tick_due {
                    next_tick = None;
                    app.update(Action::Tick);
                }
            }
            None => return Ok(()),
        }
    }
}

/// Puts the terminal back: mouse off, main screen, cooked mode, cursor shown.
/// Safe to call more than once.
pub fn restore_terminal() -> io::Result<()> {
    let mut out = io::stdout();
    let a = execute!(out, DisableMouseCapture, LeaveAlternateScreen, crossterm::cursor::Show);
    let b = disable_raw_mode();
    a.and(b)
}

/// Restores the terminal when dropped, so early returns and errors restore it too.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore_terminal();
    }
}

static PANIC_HOOK: Once = Once::new();

/// A panic restores the terminal before the message is printed, so the
/// message is readable and the shell usable.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore_terminal();
            previous(info);
        }));
    });
}

fn enter_terminal() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Opens the dashboard on `scenario` in the current terminal until the user quits.
pub fn run(scenario: Scenario, source: Source) -> io::Result<()> {
    let mut app = App::new(scenario, source, Theme::from_env());
    install_panic_hook();
    let _guard = TerminalGuard;
    let mut terminal = enter_terminal()?;
    terminal.clear()?;
    run_app(&mut terminal, &mut app, &mut TerminalEvents)
}
