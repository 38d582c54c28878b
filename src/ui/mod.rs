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
pub mod depth;
pub mod files;
pub mod frames;
pub mod fuzzy;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod overlay;
pub mod paramdoc;
pub mod present;
pub mod scale;
pub mod signals;
pub mod theme;
pub mod typed;
pub mod widgets;

pub use crate::sim::Metric;
pub use action::{Action, Step};
pub use app::App;
pub use keymap::Mode;
pub use present::MeetingAction;
pub use theme::Theme;

use crate::document::Source;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend};
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
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

    /// True when no event will ever come again (a script that ran out), so
    /// the loop ends instead of waiting for timers.
    fn is_exhausted(&self) -> bool {
        false
    }

    /// An event that has already arrived, without waiting; `Ok(None)` when
    /// none is queued. The loop takes queued events as one batch (a paste, a
    /// held key), re-simulating and drawing once. A source that does not
    /// batch (the default) has none.
    fn queued(&mut self) -> io::Result<Option<Event>> {
        Ok(None)
    }
}

/// The terminal's events. Without a timeout it waits until a key or mouse
/// event arrives, looking every [`signals::SIGNAL_POLL`] for a signal, which
/// ends the wait with an error carrying [`signals::Signalled`]. A terminal
/// that hung up (the SSH connection or the window closed) ends it the same
/// way, as SIGHUP: the terminal is watched for that before crossterm reads
/// it, since a hung-up terminal reads as endless end-of-file, on which
/// crossterm would spin.
#[derive(Default)]
pub struct TerminalEvents {
    pub signals: signals::SignalWatch,
    /// The terminal had bytes crossterm did not take (it reads only on a new
    /// edge of readiness): wait for a hang-up only, not for input, or every
    /// wait would end at once.
    stale: bool,
}

impl TerminalEvents {
    pub fn new(signals: signals::SignalWatch) -> TerminalEvents {
        TerminalEvents { signals, stale: false }
    }

    /// Waits up to `wait` for the terminal to have input (when `input`) or
    /// to hang up; true when it has input.
    fn wait_for_input(wait: Duration, input: bool) -> io::Result<bool> {
        #[cfg(unix)]
        {
            use rustix::event::{PollFd, PollFlags, Timespec, poll};
            use std::io::IsTerminal;
            let stdin = io::stdin();
            let tty;
            let fd = if stdin.is_terminal() {
                std::os::fd::AsFd::as_fd(&stdin)
            } else {
                tty = std::fs::File::open("/dev/tty")?;
                std::os::fd::AsFd::as_fd(&tty)
            };
            let events = if input { PollFlags::IN } else { PollFlags::empty() };
            let mut fds = [PollFd::from_borrowed_fd(fd, events)];
            let timeout = Timespec {
                tv_sec: wait.as_secs() as i64,
                tv_nsec: i64::from(wait.subsec_nanos()),
            };
            match poll(&mut fds, Some(&timeout)) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
            let gone = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
            if fds[0].revents().intersects(gone) {
                return Err(signals::Signalled(signals::SIGHUP).into_error());
            }
            Ok(fds[0].revents().contains(PollFlags::IN))
        }
        #[cfg(not(unix))]
        {
            let _ = (wait, input);
            Ok(false)
        }
    }
}

impl EventSource for TerminalEvents {
    fn next_event(&mut self, timeout: Option<Duration>) -> io::Result<Option<Event>> {
        let until = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(sig) = self.signals.pending() {
                return Err(sig.into_error());
            }
            // Input (or a resize crossterm noticed), once the terminal is known to be there.
            let readable = Self::wait_for_input(Duration::ZERO, true)?;
            if event::poll(Duration::ZERO)? {
                self.stale = false;
                return event::read().map(Some);
            }
            self.stale = readable;
            if until.is_some_and(|u| Instant::now() >= u) {
                return Ok(None);
            }
            let slice = match until {
                None => signals::SIGNAL_POLL,
                Some(u) => u.saturating_duration_since(Instant::now()).min(signals::SIGNAL_POLL),
            };
            Self::wait_for_input(slice, !self.stale)?;
        }
    }

    fn queued(&mut self) -> io::Result<Option<Event>> {
        Self::wait_for_input(Duration::ZERO, false)?;
        if event::poll(Duration::ZERO)? {
            event::read().map(Some)
        } else {
            Ok(None)
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

    fn is_exhausted(&self) -> bool {
        self.0.is_empty()
    }
}

/// Unsaved work is autosaved this long after it last reached the disk.
pub const AUTOSAVE_INTERVAL: Duration = Duration::from_secs(30);
/// How often the open file is checked for changes by other programs while
/// the dashboard waits for input (one `stat`; it also runs after every event).
pub const DISK_CHECK_INTERVAL: Duration = Duration::from_secs(2);
/// Most queued events handled as one batch before the screen is drawn again.
pub const MAX_BATCH_EVENTS: usize = 4096;
/// Longest a batch of queued events may take before the screen is drawn again.
pub const MAX_BATCH_TIME: Duration = Duration::from_millis(100);

/// Draws, waits for an event, updates; until the app quits or the events run out.
///
/// The wait has a timeout only when something is due: the next playback
/// tick, the autosave of unsaved work, a look at the open file on disk, or
/// news from a background analysis (every ~100 ms, only while one runs),
/// or, while presenting, the clock's next second or a glide's next frame.
/// Paused, with nothing unsaved, no file open and no analysis running, it
/// blocks until input.
pub fn run_app<B: Backend>(terminal: &mut Terminal<B>, app: &mut App, events: &mut impl EventSource) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut frames = frames::Frames::new();
    let result = run_frames(terminal, app, events, &mut frames);
    frames.hand_back(terminal);
    result
}

/// [`run_app`]'s loop, drawing through `frames`.
fn run_frames<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut impl EventSource,
    frames: &mut frames::Frames,
) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut next_tick: Option<Instant> = None;
    let mut next_autosave: Option<Instant> = None;
    let mut next_disk_check: Option<Instant> = None;
    let mut next_job_poll: Option<Instant> = None;
    let mut next_frame: Option<Instant> = None;
    // When the presentation began: its clock and glide frames are timed from here.
    let mut presenting_since: Option<Instant> = None;
    loop {
        let size = terminal.size().map_err(io::Error::other)?;
        let v = app.viewport();
        if (v.width, v.height) != (size.width, size.height) {
            app.update(Action::Resize {
                width: size.width,
                height: size.height,
            });
        }
        frames
            .draw(terminal, |area, buf| widgets::render_screen(app, area, buf))
            .map_err(io::Error::other)?;
        if app.should_quit() {
            return Ok(());
        }
        let now = Instant::now();
        if app.playing() {
            next_tick.get_or_insert_with(|| now + app.tick_interval());
        } else {
            next_tick = None;
        }
        if app.needs_autosave() {
            next_autosave.get_or_insert_with(|| now + AUTOSAVE_INTERVAL);
        } else {
            next_autosave = None;
        }
        if app.watched_file().is_some() {
            next_disk_check.get_or_insert_with(|| now + DISK_CHECK_INTERVAL);
        } else {
            next_disk_check = None;
        }
        if app.jobs_running() {
            next_job_poll.get_or_insert_with(|| now + analysis::JOB_POLL);
        } else {
            next_job_poll = None;
        }
        match (app.presenting(), presenting_since) {
            (true, None) => presenting_since = Some(now),
            (false, _) => {
                presenting_since = None;
                next_frame = None;
            }
            (true, Some(_)) => {}
        }
        if let Some(since) = presenting_since {
            let wait = app.frame_wait(now - since).unwrap_or(present::FRAME_INTERVAL);
            next_frame.get_or_insert_with(|| now + wait);
        }
        let wake = [next_tick, next_autosave, next_disk_check, next_job_poll, next_frame]
            .into_iter()
            .flatten()
            .min();
        match events.next_event(wake.map(|w| w.saturating_duration_since(now)))? {
            Some(ev) => {
                // What is already queued behind this event (a paste, a held
                // key) is handled with it: one simulation, one frame.
                app.begin_batch();
                let started = Instant::now();
                let mut ev = Some(ev);
                let mut handled = 0;
                while let Some(e) = ev.take() {
                    if let Some(action) = input::action_for_event(app, &e) {
                        app.update(action);
                    }
                    handled += 1;
                    if app.should_quit() || handled >= MAX_BATCH_EVENTS || started.elapsed() >= MAX_BATCH_TIME {
                        break;
                    }
                    ev = events.queued()?;
                }
                app.end_batch();
                app.update(Action::CheckDisk);
                if app.jobs_running() {
                    app.update(Action::PollJobs);
                }
                // Input never holds back the autosave: due is due, however busy the keyboard.
                let now = Instant::now();
                if next_autosave.is_some_and(|t| t <= now) {
                    next_autosave = None;
                    app.update(Action::Autosave);
                }
                if next_disk_check.is_some_and(|t| t <= now) {
                    next_disk_check = None;
                }
                // A key may have started a glide: time the next frame afresh.
                next_frame = None;
            }
            None if wake.is_none() => return Ok(()),
            None => {
                let now = Instant::now();
                let exhausted = events.is_exhausted();
                // A script that ran out plays to the end at once, without waiting.
                if next_tick.is_some_and(|t| t <= now || exhausted) {
                    next_tick = None;
                    app.update(Action::Tick);
                }
                if next_autosave.is_some_and(|t| t <= now) {
                    next_autosave = None;
                    app.update(Action::Autosave);
                }
                if next_disk_check.is_some_and(|t| t <= now) {
                    next_disk_check = None;
                    app.update(Action::CheckDisk);
                }
                if next_job_poll.is_some_and(|t| t <= now || exhausted) {
                    next_job_poll = None;
                    app.update(Action::PollJobs);
                }
                if let Some(since) = presenting_since
                    && next_frame.is_some_and(|t| t <= now || exhausted)
                {
                    next_frame = None;
                    app.update(Action::Meeting(present::MeetingAction::Frame(now - since)));
                }
                if exhausted && !app.playing() && !app.jobs_running() && !app.gliding() {
                    return Ok(());
                }
            }
        }
    }
}

/// Puts the terminal back: mouse off, main screen, cooked mode, cursor shown.
/// Safe to call more than once.
pub fn restore_terminal() -> io::Result<()> {
    let mut out = io::stdout();
    let a = execute!(
        out,
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
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

/// What the dashboard draws into: standard output behind a buffer that holds
/// a whole frame, so that a frame reaches the terminal in one write when
/// ratatui flushes it at the end of each draw (standard output's own buffer
/// would send it a kilobyte at a time, waking the terminal for each).
pub type Screen = io::BufWriter<Stdout>;

/// Bytes the screen's buffer holds: more than a full 200×60 frame in colour.
const SCREEN_BUFFER: usize = 256 << 10;

/// The real terminal, drawing in 256 colours unless `COLORTERM` announces 24-bit colour.
fn enter_terminal() -> io::Result<Terminal<depth::DepthBackend<CrosstermBackend<Screen>>>> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    let truecolor = depth::truecolor(std::env::var_os("COLORTERM").as_deref());
    let screen = io::BufWriter::with_capacity(SCREEN_BUFFER, io::stdout());
    Terminal::new(depth::DepthBackend::new(CrosstermBackend::new(screen), truecolor))
}

/// Runs `f` on the real terminal, set up as the dashboard sets it up and
/// restored afterwards (also on an error or a panic); signals and a hang-up
/// end the wait for an event with an error carrying [`signals::Signalled`].
/// The other full-screen views (the war game's) start here.
pub fn with_terminal<T>(
    f: impl FnOnce(&mut Terminal<depth::DepthBackend<CrosstermBackend<Screen>>>, &mut TerminalEvents) -> io::Result<T>,
) -> io::Result<T> {
    install_panic_hook();
    let signals = signals::Signals::install()?;
    let _guard = TerminalGuard;
    let mut terminal = enter_terminal()?;
    terminal.backend_mut().clear_region(ClearType::All)?;
    let mut events = TerminalEvents::new(signals.watch());
    f(&mut terminal, &mut events)
}

/// How the dashboard starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A theme and the name to show for it (default: dark).
    pub theme: Option<(String, Theme)>,
    /// Start in presentation mode.
    pub present: bool,
    /// Shown in the status line at the start (a config file that was not used).
    pub notice: Option<String>,
    /// Write the session's lever moves here when the dashboard ends (`--record`).
    pub record: Option<std::path::PathBuf>,
}

/// Opens the dashboard on a strategy file's whole content, saving into
/// `storage`'s folder, in a theme and optionally presenting from the start.
/// Offers to recover an autosave first; speaker notes are published for
/// `cloudstrat notes`. If the loop fails or panics, unsaved work is autosaved
/// before the error goes on.
pub fn run_document_with(
    doc: crate::document::file::Document,
    source: Source,
    storage: crate::document::storage::Storage,
    options: &Options,
) -> io::Result<()> {
    let scenario = doc.scenario.clone();
    storage.clean_stale_temp_files();
    let notes = crate::document::notes::notes_path(&source);
    let mut app = App::new(scenario, source.clone(), Theme::from_env())
        .with_storage(storage)
        .with_document(doc, source);
    let notes = match notes {
        Ok(path) => {
            app = app.with_notes_file(path.clone());
            Some(path)
        }
        Err(e) => {
            app = app.with_status(format!("speaker notes are off: {e}"));
            None
        }
    };
    if let Some((name, theme)) = &options.theme {
        app = app.with_named_theme(name, *theme);
    }
    app.update(Action::FindAutosave);
    if let (Some(notice), None) = (&options.notice, app.status()) {
        app = app.with_status(notice.clone());
    }
    if options.present && app.mode() == Mode::Normal {
        app.update(Action::Meeting(present::MeetingAction::Present));
    }
    install_panic_hook();
    let signals = signals::Signals::install()?;
    let _guard = TerminalGuard;
    let mut terminal = enter_terminal()?;
    // Not `terminal.clear()`: that asks the terminal where its cursor is, and
    // a bare pseudo-terminal never answers.
    terminal.backend_mut().clear_region(ClearType::All)?;
    let mut events = TerminalEvents::new(signals.watch());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_app(&mut terminal, &mut app, &mut events)
    }));
    let failed = !matches!(result, Ok(Ok(())));
    let mut said = None;
    if failed && app.is_modified() {
        app.update(Action::Autosave);
        said = app
            .files()
            .autosave_file
            .as_ref()
            .map(|p| format!("cloudstrat: your unsaved work was autosaved to {}", p.display()));
    }
    let mut record_failed = None;
    if let Some(path) = &options.record {
        let log = app.lever_log();
        let session = crate::wargame::file::Session {
            scenario: log.start.clone().unwrap_or_else(|| app.scenario().clone()),
            steps: log.steps.clone(),
        };
        if let Err(e) = crate::wargame::file::save(path, &crate::wargame::file::session_to_ron(&session)) {
            record_failed = Some(format!("cloudstrat: the session was not recorded: {e}"));
        }
    }
    // The talk is over: the speaker notes go.
    if let Some(path) = &notes {
        crate::document::notes::remove(path);
    }
    let signalled = match &result {
        Ok(Err(e)) => signals::Signalled::of(e),
        _ => None,
    };
    if failed {
        let _ = restore_terminal();
        if let Some(line) = &said {
            crate::output::warn(line);
        }
    }
    // Said on every exit path, after the terminal is back, so it is seen.
    if let Some(line) = &record_failed {
        let _ = restore_terminal();
        crate::output::warn(line);
    }
    if let Some(sig) = signalled {
        crate::output::warn(&format!("cloudstrat: {sig}"));
        drop(signals);
        std::process::exit(sig.exit_code());
    }
    match result {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
