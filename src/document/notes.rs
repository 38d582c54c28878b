//! Speaker notes: the presenting dashboard publishes the current beat (its
//! narration with live numbers, the presenter's private notes, the next
//! beat's title and the clock) to a small JSON file, and `cloudstrat notes`
//! follows it in a second terminal. The private notes appear only here: the
//! audience's screen never shows them.
//!
//! A file rather than a socket: it needs no port, survives either side
//! restarting, and the presenter writes it atomically (temporary file and
//! rename), so the follower never reads half of it. The follower reads it
//! every 250 ms while waiting for a key, so it sleeps between looks. The file
//! is named after the scenario, so both sides find it from the same SCENARIO
//! argument, and lives in a folder only the user can change
//! ([`private_dir`]: `CLOUDSTRAT_NOTES_DIR`, else `$XDG_RUNTIME_DIR/cloudstrat`,
//! else a 0700 folder of the user's own in the temporary folder, its owner and
//! permissions checked). The file is mode 0600, written through the one write
//! path (never through a link), read only if it is a regular file under
//! [`MAX_NOTES_BYTES`], and removed when the dashboard ends.

use crate::document::{CliError, Source};
use crate::text::wrap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the follower looks at the file.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What the presenter publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notes {
    pub scenario: String,
    /// False once the presenter has left presentation mode.
    pub presenting: bool,
    /// 1-based number of the beat on screen; 0 when the story is empty.
    pub beat: usize,
    pub beats: usize,
    pub quarter: String,
    pub title: String,
    /// The narration as the audience sees it, placeholders filled.
    pub narration: String,
    /// The presenter's private notes for this beat.
    #[serde(default)]
    pub notes: String,
    pub next_title: Option<String>,
    /// When the presentation began and when this beat came on screen, in
    /// milliseconds since 1970 (0 when unknown): the follower runs the clocks.
    #[serde(default)]
    pub started_unix_ms: u64,
    #[serde(default)]
    pub beat_started_unix_ms: u64,
}

/// Milliseconds since 1970 by the system clock (0 if it is set before 1970).
pub fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Minutes and seconds, or hours too past the hour.
pub fn clock(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }
}

impl Notes {
    /// "elapsed 04:12 · this beat 00:45 · 01:24 a beat so far", at `now_unix_ms`;
    /// `None` when the presenter published no clock.
    pub fn timing(&self, now_unix_ms: u64) -> Option<String> {
        if self.started_unix_ms == 0 {
            return None;
        }
        let secs = |from: u64| now_unix_ms.saturating_sub(from) / 1000;
        let mut s = format!(
            "elapsed {} · this beat {}",
            clock(secs(self.started_unix_ms)),
            clock(secs(self.beat_started_unix_ms.max(self.started_unix_ms)))
        );
        // Pace: the beats already finished, on average.
        if self.beat > 1 {
            let done = self.beat_started_unix_ms.saturating_sub(self.started_unix_ms) / 1000;
            s.push_str(&format!(" · {} a beat so far", clock(done / (self.beat as u64 - 1))));
        }
        Some(s)
    }
}

/// The notes file for a scenario, in `dir`.
pub fn notes_path_in(dir: &Path, source: &Source) -> PathBuf {
    let key = match source {
        Source::Preset(name) => format!("preset-{}", sanitize(name)),
        Source::File(p) => {
            let full = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            let stem = full
                .file_stem()
                .map_or_else(String::new, |s| sanitize(&s.to_string_lossy()));
            // Two strategy files of the same name in different folders get different notes.
            format!("{stem}-{:016x}", super::fnv1a(full.to_string_lossy().as_bytes()))
        }
    };
    dir.join(format!("cloudstrat-notes-{key}.json"))
}

/// The notes file for a scenario, in the user's private runtime folder.
pub fn notes_path(source: &Source) -> std::io::Result<PathBuf> {
    Ok(notes_path_in(&private_dir()?, source))
}

/// Largest notes file read.
pub const MAX_NOTES_BYTES: u64 = 256 * 1024;

/// The user's private folder for runtime files: `CLOUDSTRAT_NOTES_DIR` if set,
/// else `$XDG_RUNTIME_DIR/cloudstrat`, else `cloudstrat-<uid>` in the
/// temporary folder. Created 0700 when missing; refused (with the reason)
/// when it is a link, not the user's own, or writable by anyone else, since
/// then another user could plant or swap the files in it.
pub fn private_dir() -> std::io::Result<PathBuf> {
    private_dir_with(|k| std::env::var_os(k), &std::env::temp_dir())
}

/// [`private_dir`] when environment variable `k` is `var(k)` and the
/// temporary folder is `temp`: tests pass folders of their own.
pub fn private_dir_with(var: impl Fn(&str) -> Option<std::ffi::OsString>, temp: &Path) -> std::io::Result<PathBuf> {
    let uid = own_uid()?;
    let dir = match var("CLOUDSTRAT_NOTES_DIR").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => match var("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
            Some(run) => PathBuf::from(run).join("cloudstrat"),
            None => temp.join(format!("cloudstrat-{uid}")),
        },
    };
    if std::fs::symlink_metadata(&dir).is_err() {
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&dir)?;
    }
    check_private(&dir, uid)?;
    Ok(dir)
}

/// The user id this process runs as: the owner of a file it creates.
fn own_uid() -> std::io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(tempfile::tempfile()?.metadata()?.uid())
    }
    #[cfg(not(unix))]
    Ok(0)
}

/// `dir` is a real folder (not a link), owned by `uid`, that nobody else may write to.
pub fn check_private(dir: &Path, uid: u32) -> std::io::Result<()> {
    let m = std::fs::symlink_metadata(dir)?;
    let refuse = |why: String| {
        std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "{} {why}; speaker notes are kept only in a folder of your own",
                dir.display()
            ),
        )
    };
    if !m.is_dir() {
        return Err(refuse("is not a folder (a link?)".into()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if m.uid() != uid {
            return Err(refuse(format!("belongs to user {} (you are {uid})", m.uid())));
        }
        if m.mode() & 0o022 != 0 {
            return Err(refuse(format!(
                "can be written by others (mode {:o})",
                m.mode() & 0o777
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = uid;
    Ok(())
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}

/// Writes the notes atomically, mode 0600, never through a link.
pub fn write(path: &Path, notes: &Notes) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(notes).map_err(std::io::Error::other)?;
    crate::document::save::write_file(
        path,
        text.as_bytes(),
        &crate::document::save::WriteOptions::document().private(),
    )
}

/// The notes in the file, if it is a regular file (not a link, pipe or
/// device) of at most [`MAX_NOTES_BYTES`] that holds notes.
pub fn read(path: &Path) -> Option<Notes> {
    let bytes = crate::document::save::read_regular(path, MAX_NOTES_BYTES, false).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Removes the notes file when the talk is over. Only a regular file is
/// removed; a missing one is fine.
pub fn remove(path: &Path) {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        let _ = std::fs::remove_file(path);
    }
}

/// The speaker-notes screen: the current beat's narration large, the next one below.
pub struct NotesWidget<'a> {
    pub notes: Option<&'a Notes>,
    /// Shown when there are no notes yet.
    pub waiting_for: &'a str,
    /// The time the clocks are read at, in milliseconds since 1970.
    pub now_unix_ms: u64,
}

impl Widget for NotesWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().add_modifier(Modifier::DIM);
        let w = area.width as usize;
        let mut lines: Vec<(String, Style)> = Vec::new();
        match self.notes {
            None => {
                lines.push(("Speaker notes".into(), bold));
                lines.push((String::new(), dim));
                for l in wrap(
                    &format!(
                        "Waiting for a presentation of {}: run `cloudstrat present {}` (or press p in its dashboard) in another terminal.",
                        self.waiting_for, self.waiting_for
                    ),
                    w,
                ) {
                    lines.push((l, dim));
                }
            }
            Some(n) => {
                let state = if n.presenting { "" } else { " (presentation ended)" };
                lines.push((
                    format!("{} · beat {} / {} · {}{state}", n.scenario, n.beat, n.beats, n.quarter),
                    dim,
                ));
                if let Some(t) = n.timing(self.now_unix_ms) {
                    lines.push((t, bold));
                }
                lines.push((String::new(), dim));
                lines.push((n.title.clone(), bold));
                for l in wrap(&n.narration, w) {
                    lines.push((l, Style::new()));
                }
                lines.push((String::new(), dim));
                lines.push(("Your notes".into(), bold.add_modifier(Modifier::UNDERLINED)));
                if n.notes.trim().is_empty() {
                    lines.push(("(none for this beat)".into(), dim));
                }
                for l in wrap(&n.notes, w) {
                    lines.push((l, Style::new()));
                }
                lines.push((String::new(), dim));
                match &n.next_title {
                    Some(t) => lines.push((format!("Next: {t}"), bold.add_modifier(Modifier::DIM))),
                    None => lines.push(("Next: (last beat)".into(), dim)),
                }
            }
        }
        lines.push((String::new(), dim));
        lines.push(("q quits".into(), dim));
        for (i, (text, style)) in lines.iter().take(area.height as usize).enumerate() {
            buf.set_stringn(area.x, area.y + i as u16, text, w, *style);
        }
    }
}

/// `cloudstrat notes SCENARIO`: follows the presenter until `q`. Without a
/// terminal (piped), prints the current notes once.
pub fn cmd_notes(scenario: &str) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let (_, source) = crate::document::resolve(scenario)?;
    let path = notes_path(&source).map_err(|e| CliError::Input(format!("notes: {e}")))?;
    if !std::io::stdout().is_terminal() {
        let text = match read(&path) {
            Some(n) => crate::document::clean::for_terminal(&plain(&n, now_unix_ms())).into_owned(),
            None => format!(
                "no presentation of {scenario} yet ({} does not exist)\n",
                path.display()
            ),
        };
        return crate::output::print_out(&text);
    }
    follow(&path, scenario).map_err(|e| CliError::Input(format!("notes: {e}")))
}

/// The notes as plain text, clocks read at `now_unix_ms`.
pub fn plain(n: &Notes, now_unix_ms: u64) -> String {
    let mut s = format!("{} · beat {} / {} · {}\n", n.scenario, n.beat, n.beats, n.quarter);
    if let Some(t) = n.timing(now_unix_ms) {
        s.push_str(&t);
        s.push('\n');
    }
    s.push_str(&format!("\n{}\n{}\n\n", n.title, n.narration));
    if !n.notes.trim().is_empty() {
        s.push_str(&format!("Your notes:\n{}\n\n", n.notes));
    }
    match &n.next_title {
        Some(t) => s.push_str(&format!("Next: {t}\n")),
        None => s.push_str("Next: (last beat)\n"),
    }
    s
}

fn follow(path: &Path, scenario: &str) -> std::io::Result<()> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use ratatui::crossterm::execute;
    use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
    struct Guard;
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = execute!(
                std::io::stdout(),
                LeaveAlternateScreen,
                ratatui::crossterm::cursor::Show
            );
            let _ = disable_raw_mode();
        }
    }
    let signals = crate::ui::signals::Signals::install()?;
    enable_raw_mode()?;
    let guard = Guard;
    execute!(std::io::stdout(), EnterAlternateScreen)?;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))?;
    // Not `terminal.clear()`, which asks the terminal where its cursor is.
    ratatui::backend::Backend::clear_region(terminal.backend_mut(), ratatui::backend::ClearType::All)?;
    let mut shown: Option<(Option<Notes>, u64)> = None;
    loop {
        let notes = read(path);
        let now = now_unix_ms();
        // Redrawn when the notes change and when the clocks pass a second.
        let key = (notes, now / 1000);
        if shown.as_ref() != Some(&key) {
            terminal.draw(|f| {
                let area = f.area();
                NotesWidget {
                    notes: key.0.as_ref(),
                    waiting_for: scenario,
                    now_unix_ms: now,
                }
                .render(area, f.buffer_mut());
            })?;
            shown = Some(key);
        }
        if let Some(sig) = signals.pending() {
            // The terminal is put back before the process ends with the shell's code for the signal.
            drop(guard);
            drop(signals);
            std::process::exit(sig.exit_code());
        }
        // Waiting for a key doubles as the pause between looks at the file.
        if event::poll(POLL_INTERVAL)? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
                    if matches!(k.code, KeyCode::Char('q') | KeyCode::Esc) || ctrl_c {
                        return Ok(());
                    }
                }
                Event::Resize(..) => {
                    terminal.autoresize()?;
                    shown = None;
                }
                _ => {}
            }
        }
    }
}
