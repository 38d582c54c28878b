//! The interactive dashboard.
//!
//! Keys and mouse events go through a per-mode keymap (`keymap`, `input`) to
//! an [`Action`]; [`App::update`] is the only place state changes; `widgets`
//! draws an `&App` and never changes it. The loop in [`run_app`] is generic
//! over the ratatui backend, so tests run the real dashboard on a
//! `TestBackend`. Terminal set-up and restoring (on quit, error and panic)
//! live here too; the simulation is `sim`'s.

pub mod action;
pub mod app;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod present;
pub mod scale;
pub mod theme;
pub mod widgets;

pub use action::{Action, ChartTab, Step};
pub use app::App;
pub use keymap::Mode;
pub use present::MeetingAction;
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

    /// True when no event will ever come again (a script that has run out),
    /// so a loop kept awake only by the presentation clock may end.
    fn exhausted(&self) -> bool {
        false
    }
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

    fn exhausted(&self) -> bool {
        self.0.is_empty()
    }
}

/// Draws, waits for an event, updates; until the app quits or the events run out.
pub fn run_app<B: Backend>(terminal: &mut Terminal<B>, app: &mut App, events: &mut impl EventSource) -> io::Result<()> {
    let mut next_tick: Option<Instant> = None;
    // When the presentation began: its clock and glide frames are timed from here.
    let mut presenting_since: Option<Instant> = None;
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
        if app.presenting() {
            presenting_since.get_or_insert_with(Instant::now);
        } else {
            presenting_since = None;
        }
        // Only playback and a presentation (clock, glides) need a timer;
        // otherwise wait for input indefinitely.
        let timeout = if app.playing() {
            let deadline = *next_tick.get_or_insert_with(|| Instant::now() + app.tick_interval());
            Some(deadline.saturating_duration_since(Instant::now()))
        } else {
            next_tick = None;
            presenting_since.and_then(|since| app.frame_wait(since.elapsed()))
        };
        match events.next_event(timeout)? {
            Some(ev) => {
                if let Some(action) = input::action_for_event(app, &ev) {
                    app.update(action);
                }
            }
            None if timeout.is_some() => match presenting_since {
                Some(since) if !app.playing() => {
                    app.update(Action::Meeting(present::MeetingAction::Frame(since.elapsed())));
                    if !app.gliding() && events.exhausted() {
                        terminal.draw(|f| widgets::render(app, f))?;
                        return Ok(());
                    }
                }
                _ => {
                    next_tick = None;
                    app.update(Action::Tick);
                }
            },
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
    run_with(scenario, source, &Options::default())
}

/// How the dashboard starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A theme and the name to show for it (default: dark).
    pub theme: Option<(String, Theme)>,
    /// Start in presentation mode.
    pub present: bool,
}

/// Opens the dashboard as `options` say; speaker notes are published for `cloudstrat notes`.
pub fn run_with(scenario: Scenario, source: Source, options: &Options) -> io::Result<()> {
    let notes = crate::notes::notes_path(&source);
    let mut app = App::new(scenario, source, Theme::from_env()).with_notes_file(notes);
    if let Some((name, theme)) = &options.theme {
        app = app.with_named_theme(name, *theme);
    }
    if options.present {
        app.update(Action::Meeting(present::MeetingAction::Present));
    }
    install_panic_hook();
    let _guard = TerminalGuard;
    let mut terminal = enter_terminal()?;
    terminal.clear()?;
    run_app(&mut terminal, &mut app, &mut TerminalEvents)
}
