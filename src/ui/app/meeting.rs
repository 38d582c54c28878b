//! Meeting mode on the dashboard: presenting, stepping through beats, the
//! presenter lock, themes, the story editor and export. The state is
//! `present`'s; this is where actions change it.

use super::App;
use crate::document::notes::Notes;
use crate::output::export::ExportFormat;
use crate::sim::Beat;
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::overlay::Overlay;
use crate::ui::present::{Glide, Meeting, MeetingAction, Presentation, Prompt, PromptFor, apply_beat, undo_beat};
use crate::ui::theme::Theme;
use std::path::PathBuf;
use std::time::Duration;

impl App {
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }

    pub fn presentation(&self) -> Option<&Presentation> {
        self.meeting.presentation.as_ref()
    }

    pub fn presenting(&self) -> bool {
        self.meeting.presentation.is_some()
    }

    /// True while the cursor glides between beats.
    pub fn gliding(&self) -> bool {
        self.presentation().is_some_and(|p| p.glide.is_some())
    }

    /// While presenting: (cursor, the shown beat's quarter or the cursor if later).
    /// Charts draw lines up to the first and scale to the second.
    pub fn reveal_until(&self) -> Option<(u32, u32)> {
        let p = self.presentation()?;
        let beat_at = p
            .beat
            .and_then(|b| self.doc.scenario.story.get(b))
            .map_or(self.view.cursor, |b| b.at.min(self.run.last()));
        Some((self.view.cursor, beat_at.max(self.view.cursor)))
    }

    /// How long the loop may wait before reporting the time, while presenting.
    pub fn frame_wait(&self, elapsed: Duration) -> Option<Duration> {
        self.presentation().map(|p| p.wait(elapsed))
    }

    /// The mode `?` was pressed in: the help lists its keys.
    /// The keymap the help describes: the one of what it was opened over.
    pub fn help_from(&self) -> Mode {
        self.overlays.mode_below()
    }

    /// Where `x` writes exports (default: `exports/` in the saves folder, one folder per scenario).
    pub fn with_export_dir(mut self, dir: PathBuf) -> App {
        self.meeting.export_dir = Some(dir);
        self
    }

    /// Publishes speaker notes to `path` while presenting.
    pub fn with_notes_file(mut self, path: PathBuf) -> App {
        self.meeting.notes_file = Some(path);
        self
    }

    /// Starts in `theme`, shown as `name` (a built-in of that name is replaced).
    pub fn with_named_theme(mut self, name: &str, theme: Theme) -> App {
        let theme = Theme {
            color: self.view.theme.color,
            ..theme
        };
        let themes = &mut self.meeting.themes;
        self.meeting.theme_index = match themes.iter().position(|(n, _)| n == name) {
            Some(i) => {
                themes[i].1 = theme;
                i
            }
            None => {
                themes.push((name.to_string(), theme));
                themes.len() - 1
            }
        };
        self.view.theme = theme;
        self
    }

    /// The folder `x` writes the current scenario's export into: one per
    /// document, named through the same rules as saved files, inside the
    /// saves folder's `exports/` (or the folder given to [`App::with_export_dir`]).
    pub fn export_folder(&self) -> PathBuf {
        let own = self.doc.storage.export_dir(&self.doc.source);
        match &self.meeting.export_dir {
            Some(dir) => own.file_name().map_or_else(|| dir.clone(), |name| dir.join(name)),
            None => own,
        }
    }

    /// True when the presenter lock stops `action`: it would change a lever.
    pub(super) fn locked_out(&self, action: &Action) -> bool {
        let lever_change = matches!(
            action,
            Action::Adjust(_) | Action::SetLeverPosition { .. } | Action::RemoveKeyframe | Action::Undo | Action::Redo
        );
        lever_change && self.presentation().is_some_and(|p| p.locked)
    }

    pub(super) fn meeting_update(&mut self, action: MeetingAction) {
        match action {
            MeetingAction::Present => self.start_presenting(),
            MeetingAction::Leave => self.stop_presenting(),
            MeetingAction::NextBeat => self.next_beat(),
            MeetingAction::PrevBeat => self.prev_beat(),
            MeetingAction::FirstBeat => {
                while self.presentation().and_then(|p| p.beat).is_some_and(|b| b > 0) {
                    self.prev_beat();
                }
            }
            MeetingAction::LastBeat => {
                let last = self.doc.scenario.story.len().saturating_sub(1);
                while self.presentation().and_then(|p| p.beat).is_some_and(|b| b < last) {
                    self.next_beat();
                }
            }
            MeetingAction::ToggleBlank => {
                if let Some(p) = self.meeting.presentation.as_mut() {
                    p.blank = !p.blank;
                }
            }
            MeetingAction::ToggleLock => {
                if let Some(p) = self.meeting.presentation.as_mut() {
                    p.locked = !p.locked;
                    self.status = Some(if p.locked {
                        "levers locked".into()
                    } else {
                        "levers unlocked: + and - change the selected lever, [ and ] select; L locks".into()
                    });
                }
            }
            MeetingAction::Frame(elapsed) => self.frame(elapsed),
            MeetingAction::CycleTheme => {
                let m = &mut self.meeting;
                m.theme_index = (m.theme_index + 1) % m.themes.len().max(1);
                if let Some((name, t)) = m.themes.get(m.theme_index) {
                    self.view.theme = Theme {
                        color: self.view.theme.color,
                        ..*t
                    };
                    self.status = Some(format!("theme: {name}"));
                }
            }
            MeetingAction::Export => self.export(),
            MeetingAction::AddBeat => {
                self.play.playing = false;
                self.open_prompt(PromptFor::NewBeat(self.view.cursor), String::new());
            }
            MeetingAction::OpenBeats => {
                self.play.playing = false;
                let n = self.doc.scenario.story.len();
                self.meeting.selected_beat = self.meeting.selected_beat.min(n.saturating_sub(1));
                self.overlays.set(Overlay::Beats);
            }
            MeetingAction::SelectPrev => {
                self.meeting.selected_beat = self.meeting.selected_beat.saturating_sub(1);
            }
            MeetingAction::SelectNext => {
                let n = self.doc.scenario.story.len();
                self.meeting.selected_beat = (self.meeting.selected_beat + 1).min(n.saturating_sub(1));
            }
            MeetingAction::GoToBeat => {
                if let Some(b) = self.doc.scenario.story.get(self.meeting.selected_beat) {
                    let (at, tab, focus) = (b.at, b.chart, b.focus);
                    self.set_cursor(at);
                    self.view.tab = tab;
                    if focus < self.doc.scenario.providers.len() {
                        self.view.provider = focus;
                    }
                    self.overlays.clear();
                }
            }
            MeetingAction::EditTitle => {
                let i = self.meeting.selected_beat;
                if let Some(b) = self.doc.scenario.story.get(i) {
                    let text = b.title.clone();
                    self.open_prompt(PromptFor::Title(i), text);
                }
            }
            MeetingAction::EditNarration => {
                let i = self.meeting.selected_beat;
                if let Some(b) = self.doc.scenario.story.get(i) {
                    let text = b.narration.clone();
                    self.open_prompt(PromptFor::Narration(i), text);
                }
            }
            MeetingAction::MoveUp => self.move_beat(false),
            MeetingAction::MoveDown => self.move_beat(true),
            MeetingAction::MoveToCursor => {
                let i = self.meeting.selected_beat;
                if i < self.doc.scenario.story.len() {
                    let mut b = self.doc.scenario.story.remove(i);
                    b.at = self.view.cursor;
                    let label = self.doc.scenario.quarter_at(b.at).label();
                    self.meeting.selected_beat = self.insert_beat(b);
                    self.status = Some(format!("beat moved to {label}"));
                }
            }
            MeetingAction::DeleteBeat => {
                let i = self.meeting.selected_beat;
                if i < self.doc.scenario.story.len() {
                    let b = self.doc.scenario.story.remove(i);
                    let n = self.doc.scenario.story.len();
                    self.meeting.selected_beat = i.min(n.saturating_sub(1));
                    self.status = Some(format!("deleted beat “{}”", b.title));
                }
            }
            MeetingAction::TypeChar(c) => {
                if let Some(p) = self.overlays.prompt_mut()
                    && !c.is_control()
                {
                    p.text.push(c);
                }
            }
            MeetingAction::DeleteChar => {
                if let Some(p) = self.overlays.prompt_mut() {
                    p.text.pop();
                }
            }
            MeetingAction::SubmitText => self.submit_prompt(),
            MeetingAction::CancelText => {
                if self.mode() == Mode::Prompt {
                    self.overlays.pop();
                }
            }
        }
    }

    /// Opens the text prompt over what is open (the beat list, or the dashboard).
    fn open_prompt(&mut self, purpose: PromptFor, text: String) {
        self.overlays.push(Overlay::Prompt(Prompt { purpose, text }));
    }

    /// Enter in the prompt: a refused text keeps the prompt open; an accepted
    /// one closes it, back to what it was opened over.
    fn submit_prompt(&mut self) {
        let Some(Overlay::Prompt(p)) = self.overlays.pop() else {
            self.overlays.clear();
            return;
        };
        let text = p.text.trim().to_string();
        match p.purpose {
            PromptFor::NewBeat(at) => {
                if text.is_empty() {
                    self.status = Some("a beat needs a title (Esc cancels)".into());
                    self.overlays.push(Overlay::Prompt(p));
                    return;
                }
                let beat = Beat {
                    at,
                    title: text,
                    narration: String::new(),
                    notes: String::new(),
                    chart: self.view.tab,
                    focus: self.view.provider,
                    levers: Vec::new(),
                };
                let label = self.doc.scenario.quarter_at(at).label();
                self.meeting.selected_beat = self.insert_beat(beat);
                self.status = Some(format!(
                    "beat {} of {} added at {label}; B lists the beats (n there edits the narration)",
                    self.meeting.selected_beat + 1,
                    self.doc.scenario.story.len()
                ));
            }
            PromptFor::Title(i) => {
                if text.is_empty() {
                    self.status = Some("a beat needs a title (Esc cancels)".into());
                    self.overlays.push(Overlay::Prompt(p));
                    return;
                }
                if let Some(b) = self.doc.scenario.story.get_mut(i) {
                    b.title = text;
                }
            }
            PromptFor::Narration(i) => {
                // A placeholder the scenario cannot fill would make the saved file fail to load.
                if let Some(problem) = crate::output::narration::problems(&text, &self.doc.scenario)
                    .into_iter()
                    .next()
                {
                    self.status = Some(format!("narration: {} (Esc cancels)", problem.message));
                    self.overlays.push(Overlay::Prompt(p));
                    return;
                }
                if let Some(b) = self.doc.scenario.story.get_mut(i) {
                    b.narration = text;
                }
            }
        }
    }

    /// Inserts `beat` after every beat at or before its quarter; returns its index.
    fn insert_beat(&mut self, beat: Beat) -> usize {
        let i = self.doc.scenario.story.partition_point(|b| b.at <= beat.at);
        self.doc.scenario.story.insert(i, beat);
        i
    }

    /// Swaps the selected beat with its neighbour. Beats stay in quarter order,
    /// so when the two are at different quarters they exchange quarters too.
    fn move_beat(&mut self, down: bool) {
        let i = self.meeting.selected_beat;
        let n = self.doc.scenario.story.len();
        let j = if down { i + 1 } else { i.wrapping_sub(1) };
        if i >= n || j >= n {
            return;
        }
        let story = &mut self.doc.scenario.story;
        let (at_i, at_j) = (story[i].at, story[j].at);
        story.swap(i, j);
        story[i].at = at_i;
        story[j].at = at_j;
        self.meeting.selected_beat = j;
        self.status = Some(format!(
            "beat moved {}: now at {}",
            if down { "down" } else { "up" },
            self.doc.scenario.quarter_at(at_j).label()
        ));
    }

    fn export(&mut self) {
        let dir = self.export_folder();
        self.status = Some(
            match crate::output::write_export(
                &self.doc.scenario,
                &dir,
                crate::output::svg::Comparison {
                    // Exports compare provider by provider in order: only with the same providers.
                    baseline: self.baseline().filter(|_| {
                        let ids =
                            |sc: &crate::sim::Scenario| sc.providers.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
                        self.pinned_scenario()
                            .is_some_and(|b| ids(b) == ids(&self.doc.scenario))
                    }),
                    fan: self.fresh_fan(),
                },
                ExportFormat::Markdown,
            ) {
                Ok(files) => format!("exported {} files to {}", files.len(), dir.display()),
                Err(e) => format!("export failed: {}", e.message()),
            },
        );
    }

    fn start_presenting(&mut self) {
        if self.presenting() {
            return;
        }
        self.play.playing = false;
        let mut p = Presentation {
            beat: None,
            applied: Vec::new(),
            glide: None,
            locked: true,
            blank: false,
            elapsed: Duration::ZERO,
            beat_started: Duration::ZERO,
            before: (self.view.tab, self.view.provider, self.view.cursor),
        };
        if let Some(first) = self.doc.scenario.story.first().cloned() {
            p.beat = Some(0);
            p.applied.push(apply_beat(&mut self.doc.scenario, &first));
            self.show_beat(&first);
            self.resimulate();
            self.set_cursor(first.at);
        } else {
            self.status = Some("this story has no beats yet: a adds one in the dashboard".into());
        }
        self.meeting.presentation = Some(p);
        self.overlays.set(Overlay::Present);
        self.publish_notes();
    }

    /// Leaves the presentation: every beat's lever changes are undone and the
    /// dashboard's chart, provider and cursor come back.
    fn stop_presenting(&mut self) {
        let Some(p) = self.meeting.presentation.take() else {
            return;
        };
        for changes in p.applied.iter().rev() {
            undo_beat(&mut self.doc.scenario, changes);
        }
        if !p.applied.iter().all(Vec::is_empty) {
            self.resimulate();
        }
        let (tab, provider, cursor) = p.before;
        self.view.tab = tab;
        self.view.provider = provider.min(self.doc.scenario.providers.len().saturating_sub(1));
        self.set_cursor(cursor);
        self.overlays.clear();
        self.publish_notes_ended();
    }

    fn show_beat(&mut self, beat: &Beat) {
        self.view.tab = beat.chart;
        if beat.focus < self.doc.scenario.providers.len() {
            self.view.provider = beat.focus;
        }
    }

    /// Ends a glide at once (a second key press while moving).
    fn finish_glide(&mut self) {
        if let Some(g) = self.meeting.presentation.as_mut().and_then(|p| p.glide.take()) {
            self.set_cursor(g.to);
        }
    }

    fn glide_to(&mut self, at: u32) {
        let to = at.min(self.run.last());
        let from = self.view.cursor;
        if let Some(p) = self.meeting.presentation.as_mut() {
            p.glide = (from != to).then(|| Glide::new(from, to));
        }
    }

    fn next_beat(&mut self) {
        self.finish_glide();
        if let Some(p) = self.meeting.presentation.as_mut() {
            p.blank = false;
        }
        let Some(p) = self.meeting.presentation.as_ref() else {
            return;
        };
        let next = p.beat.map_or(0, |b| b + 1);
        let Some(beat) = self.doc.scenario.story.get(next).cloned() else {
            self.status = Some(if self.doc.scenario.story.is_empty() {
                "this story has no beats yet".into()
            } else {
                "last beat: p or Esc ends the presentation".into()
            });
            return;
        };
        let changes = apply_beat(&mut self.doc.scenario, &beat);
        let changed = !changes.is_empty();
        if let Some(p) = self.meeting.presentation.as_mut() {
            p.applied.push(changes);
            p.beat = Some(next);
            p.beat_started = p.elapsed;
        }
        if changed {
            self.resimulate();
        }
        self.show_beat(&beat);
        self.glide_to(beat.at);
        self.publish_notes();
    }

    fn prev_beat(&mut self) {
        self.finish_glide();
        if let Some(p) = self.meeting.presentation.as_mut() {
            p.blank = false;
        }
        let Some(p) = self.meeting.presentation.as_mut() else {
            return;
        };
        let Some(current) = p.beat.filter(|&b| b > 0) else {
            self.status = Some("first beat".into());
            return;
        };
        let changes = p.applied.pop().unwrap_or_default();
        p.beat = Some(current - 1);
        p.beat_started = p.elapsed;
        undo_beat(&mut self.doc.scenario, &changes);
        if !changes.is_empty() {
            self.resimulate();
        }
        if let Some(beat) = self.doc.scenario.story.get(current - 1).cloned() {
            self.show_beat(&beat);
            self.glide_to(beat.at);
        }
        self.publish_notes();
    }

    fn frame(&mut self, elapsed: Duration) {
        let Some(p) = self.meeting.presentation.as_mut() else {
            return;
        };
        p.elapsed = elapsed;
        let Some(g) = p.glide.as_mut() else { return };
        let (at, done) = g.advance();
        if done {
            p.glide = None;
        }
        self.set_cursor(at);
    }

    /// The speaker notes for the beat on screen.
    pub fn notes(&self) -> Option<Notes> {
        let p = self.presentation()?;
        let story = &self.doc.scenario.story;
        let current = p.beat.and_then(|b| story.get(b));
        let next = p.beat.map_or(0, |b| b + 1);
        let fill = |text: &str, at: u32| crate::output::narration::fill(text, &self.doc.scenario, &self.run, at);
        Some(Notes {
            scenario: self.doc.scenario.meta.name.clone(),
            presenting: true,
            beat: p.beat.map_or(0, |b| b + 1),
            beats: story.len(),
            quarter: current.map_or_else(String::new, |b| self.doc.scenario.quarter_at(b.at).label()),
            title: current.map_or_else(|| "(no beats)".into(), |b| b.title.clone()),
            narration: current.map_or_else(String::new, |b| fill(&b.narration, b.at)),
            notes: current.map_or_else(String::new, |b| fill(&b.notes, b.at)),
            next_title: story.get(next).map(|b| b.title.clone()),
            started_unix_ms: 0,
            beat_started_unix_ms: 0,
        })
    }

    fn publish_notes(&mut self) {
        if let (Some(path), Some(mut notes), Some(p)) =
            (self.meeting.notes_file.clone(), self.notes(), self.presentation())
        {
            // The presentation's clock, anchored to the wall clock for the follower.
            let now = crate::document::notes::now_unix_ms();
            notes.started_unix_ms = now.saturating_sub(p.elapsed.as_millis() as u64).max(1);
            notes.beat_started_unix_ms = notes.started_unix_ms + p.beat_started.as_millis() as u64;
            self.write_notes(&path, &notes);
        }
    }

    /// Marks the published notes as ended, so the follower says so.
    fn publish_notes_ended(&mut self) {
        let Some(path) = self.meeting.notes_file.clone() else {
            return;
        };
        if let Some(mut notes) = crate::document::notes::read(&path) {
            notes.presenting = false;
            self.write_notes(&path, &notes);
        }
    }

    fn write_notes(&mut self, path: &std::path::Path, notes: &Notes) {
        if let Err(e) = crate::document::notes::write(path, notes) {
            self.status = Some(format!("speaker notes: cannot write {}: {e}", path.display()));
        }
    }
}
