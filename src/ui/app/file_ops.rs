//! The dashboard's file operations: save, save as, open, autosave and
//! recovery, and reloading a file another program changed.
//!
//! A child of `app` so it can work on the whole `App`; `App::update` calls in
//! here for the file actions. The rule throughout: the work on screen is only
//! replaced after what replaces it has loaded, and is only marked clean after
//! it has reached the disk.

use super::App;
use crate::document::Source;
use crate::document::file::{self, Document};
use crate::document::presets;
use crate::document::storage::{FileStamp, Storage, check_name};
use crate::sim::{self, Scenario};
use crate::ui::files::{Message, NamePrompt, Picker, Recovery, Then};
use crate::ui::keymap::Mode;
use std::path::{Path, PathBuf};

impl App {
    /// Builds the dashboard on a whole document: the scenario and its pinned baseline.
    pub fn with_document(mut self, doc: Document, source: Source) -> App {
        self.replace_document(doc, source, true);
        self
    }

    /// Saves through `storage` (folder, write hook, clock).
    pub fn with_storage(mut self, storage: Storage) -> App {
        self.storage = storage;
        self
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The scenario the pinned baseline was taken from.
    pub fn pinned_scenario(&self) -> Option<&Scenario> {
        self.pinned.as_ref()
    }

    pub fn files(&self) -> &crate::ui::files::FilesState {
        &self.files
    }

    /// True when there is work the autosave has not written yet (or an
    /// autosave left over from work that is no longer unsaved).
    pub fn needs_autosave(&self) -> bool {
        if self.is_modified() {
            self.files.autosaved.as_ref() != Some(&self.document_state())
        } else {
            self.files.autosave_file.is_some()
        }
    }

    /// The file to watch for changes by other programs.
    pub fn watched_file(&self) -> Option<&Path> {
        match &self.source {
            Source::File(p) => Some(p),
            Source::Preset(_) => None,
        }
    }

    fn document_state(&self) -> (Scenario, Option<file::RawBaseline>) {
        (self.scenario.clone(), self.pinned.as_ref().map(file::to_raw_baseline))
    }

    fn show_message(&mut self, title: &str, body: String) {
        self.files.message = Some(Message {
            title: title.into(),
            body,
        });
        self.mode = Mode::Message;
        self.playing = false;
    }

    /// Esc: closes what is open; from the overwrite question, back to the name.
    pub(super) fn dismiss(&mut self) {
        self.mode = match self.mode {
            Mode::ConfirmOverwrite => {
                self.files.overwrite = None;
                Mode::NamePrompt
            }
            Mode::Message if self.files.picker.is_some() => {
                self.files.message = None;
                Mode::Picker
            }
            _ => {
                self.files.prompt = None;
                self.files.picker = None;
                self.files.message = None;
                self.files.overwrite = None;
                self.files.pending = Then::Stay;
                Mode::Normal
            }
        };
    }

    pub(super) fn quit_now(&mut self) {
        if !self.is_modified() {
            // Work that was undone back to the saved state needs no autosave.
            self.discard_autosave_file();
        }
        self.quit = true;
    }

    /// Removes the autosave this dashboard wrote or recovered (the work is
    /// saved or given up). Another dashboard's autosave of the same document
    /// is its own and stays.
    pub(super) fn discard_autosave_file(&mut self) {
        if let Some(p) = self.files.autosave_file.take() {
            let _ = std::fs::remove_file(p);
        }
        self.files.autosaved = None;
    }

    /// A name to offer in the prompt: the file's or the preset's.
    fn suggested_name(&self) -> String {
        match &self.source {
            Source::Preset(p) => p.clone(),
            Source::File(p) => p.file_stem().unwrap_or_default().to_string_lossy().into_owned(),
        }
    }

    /// Saves to the file the work came from; a preset first asks for a name. Then does `then`.
    pub(super) fn save_then(&mut self, then: Then) {
        self.playing = false;
        match self.source.clone() {
            Source::File(path) => {
                self.mode = Mode::Normal;
                if self.write_document(&path, false) {
                    self.continue_with(then);
                } else {
                    self.files.pending = Then::Stay;
                }
            }
            Source::Preset(_) => {
                self.files.prompt = Some(NamePrompt::new(self.suggested_name(), then));
                self.mode = Mode::NamePrompt;
            }
        }
    }

    pub(super) fn save_as(&mut self) {
        self.playing = false;
        self.files.prompt = Some(NamePrompt::new(self.suggested_name(), Then::Stay));
        self.mode = Mode::NamePrompt;
    }

    pub(super) fn type_char(&mut self, c: char) {
        if let Some(p) = &mut self.files.prompt {
            p.type_char(c);
        }
    }

    pub(super) fn delete_char(&mut self) {
        if let Some(p) = &mut self.files.prompt {
            p.delete_char();
        }
    }

    pub(super) fn submit_name(&mut self) {
        let Some(prompt) = &mut self.files.prompt else {
            self.mode = Mode::Normal;
            return;
        };
        let name = match check_name(&prompt.text) {
            Ok(n) => n,
            Err(e) => {
                prompt.error = Some(e);
                return;
            }
        };
        let path = self.storage.path_for(&name);
        if path.is_dir() {
            prompt.error = Some(format!("{} is a folder; choose another name", path.display()));
            return;
        }
        let same_file = matches!(&self.source, Source::File(p) if *p == path);
        if path.exists() && !same_file {
            self.files.overwrite = Some(path);
            self.mode = Mode::ConfirmOverwrite;
            return;
        }
        self.save_as_path(path);
    }

    pub(super) fn confirm_overwrite(&mut self) {
        match self.files.overwrite.take() {
            Some(path) => self.save_as_path(path),
            None => self.mode = Mode::Normal,
        }
    }

    /// Writes a new file for the work from the prompt, then does what the prompt was for.
    fn save_as_path(&mut self, path: PathBuf) {
        let then = self.files.prompt.take().map(|p| p.then).unwrap_or_default();
        self.mode = Mode::Normal;
        if self.write_document(&path, true) {
            self.continue_with(then);
        }
    }

    /// Writes the work to `path`. `new_file` stamps it as created now. On
    /// success the work is clean and `path` is its file; on failure a dialog
    /// says why and nothing else changes.
    fn write_document(&mut self, path: &Path, new_file: bool) -> bool {
        let mut sc = self.scenario.clone();
        let now = self.storage.now();
        sc.meta.modified = now;
        if new_file {
            sc.meta.created = now;
        }
        let text = file::to_ron_document(&sc, self.pinned.as_ref());
        // Saving over the open file: right before it is replaced, it must still
        // be the file that was opened or last saved here (not another
        // dashboard's or program's save since).
        let result = match &self.source {
            Source::File(open) if open == path => self.storage.save_over(path, &text, self.files.disk),
            _ => self.storage.save(path, &text),
        };
        match result {
            Err(e) if e.changed_on_disk => {
                self.files.disk = FileStamp::of(path);
                self.mode = Mode::Reload;
                self.playing = false;
                self.status = Some(format!(
                    "not saved: {} was changed on disk since it was opened here; r loads that version, k keeps yours (Ctrl-s then overwrites it)",
                    path.display()
                ));
                false
            }
            Ok(()) => {
                self.scenario.meta = sc.meta;
                if let Some(p) = &mut self.pinned {
                    p.meta = self.scenario.meta.clone();
                }
                self.clean = self.scenario.clone();
                self.clean_baseline = self.pinned.as_ref().map(file::to_raw_baseline);
                self.discard_autosave_file();
                self.source = Source::File(path.to_path_buf());
                self.files.disk = FileStamp::of(path);
                self.status = Some(format!("saved to {}", path.display()));
                true
            }
            Err(e) => {
                self.show_message(
                    "Not saved",
                    format!(
                        "{e}\n\nYour changes are still on screen, not saved. Free some space or fix the folder and press Ctrl-s again, or press S to save under another name."
                    ),
                );
                false
            }
        }
    }

    fn continue_with(&mut self, then: Then) {
        match then {
            Then::Stay => {}
            Then::Quit => self.quit_now(),
            Then::Open(source) => self.open_source(source),
        }
    }

    pub(super) fn open_picker(&mut self) {
        self.playing = false;
        let mut picker = Picker::read(&self.storage);
        picker.selected = picker.entries.iter().position(|e| e.source == self.source).unwrap_or(0);
        self.files.picker = Some(picker);
        self.mode = Mode::Picker;
    }

    pub(super) fn picker_move(&mut self, by: i32) {
        if let Some(p) = &mut self.files.picker {
            p.move_by(by);
        }
    }

    /// Enter in the picker: a broken file says why; unsaved work asks first.
    pub(super) fn open_selected(&mut self) {
        let Some(entry) = self.files.picker.as_ref().and_then(|p| p.selected()).cloned() else {
            return;
        };
        if let Some(e) = entry.broken {
            // The list stays open under the message, to pick another.
            self.files.message = Some(Message {
                title: "Cannot open".into(),
                body: e,
            });
            self.mode = Mode::Message;
            return;
        }
        self.files.picker = None;
        if self.is_modified() {
            self.files.pending = Then::Open(entry.source);
            self.mode = Mode::ConfirmOpen;
        } else {
            self.mode = Mode::Normal;
            self.open_source(entry.source);
        }
    }

    pub(super) fn discard_then_continue(&mut self) {
        let then = std::mem::take(&mut self.files.pending);
        self.discard_autosave_file();
        self.mode = Mode::Normal;
        self.continue_with(then);
    }

    fn load(source: &Source) -> Result<Document, String> {
        match source {
            Source::File(p) => file::load_document(p).map_err(|e| e.to_string()),
            Source::Preset(name) => match presets::load(name) {
                Some(r) => r
                    .map(|scenario| Document {
                        scenario,
                        baseline: None,
                    })
                    .map_err(|e| e.to_string()),
                None => Err(format!("no preset named {name}")),
            },
        }
    }

    /// Opens another strategy. If it does not load, a dialog shows the error
    /// and the current work stays as it is.
    pub(super) fn open_source(&mut self, source: Source) {
        match Self::load(&source) {
            Ok(doc) => {
                self.replace_document(doc, source, true);
                self.status = Some(format!("opened {}", self.describe_source()));
                self.find_autosave();
            }
            Err(e) => self.show_message("Cannot open", e),
        }
    }

    fn describe_source(&self) -> String {
        match &self.source {
            Source::File(p) => p.display().to_string(),
            Source::Preset(p) => format!("preset {p}"),
        }
    }

    /// Puts `doc` on screen as the clean state of `source`. `fresh` starts
    /// the view over (a different strategy); otherwise cursor and provider stay.
    fn replace_document(&mut self, doc: Document, source: Source, fresh: bool) {
        self.files.disk = match &source {
            Source::File(p) => FileStamp::of(p),
            Source::Preset(_) => None,
        };
        self.source = source;
        self.clean = doc.scenario.clone();
        self.clean_baseline = doc.baseline.as_ref().map(file::to_raw_baseline);
        self.set_work(doc);
        if fresh {
            self.cursor = 0;
            self.provider = 0;
            self.lever = 0;
        }
        self.files.autosaved = None;
        self.files.autosave_file = None;
    }

    /// Shows `doc` as the work, clearing history that belonged to the previous one.
    fn set_work(&mut self, doc: Document) {
        // At start-up the run on screen is already this scenario's: simulate once.
        if doc.scenario != self.scenario {
            self.run = sim::simulate(&doc.scenario);
        }
        self.baseline = doc.baseline.as_ref().map(sim::simulate);
        self.pinned = doc.baseline;
        self.scenario = doc.scenario;
        self.note_revisions();
        self.undo.clear();
        self.undo_truncated = false;
        self.redo.clear();
        self.drag = None;
        self.playing = false;
        self.cursor = self.cursor.min(self.run.last());
        self.provider = self.provider.min(self.scenario.providers.len().saturating_sub(1));
        let n = self.levers().len();
        self.lever = self.lever.min(n.saturating_sub(1));
        self.log_scroll = 0;
    }

    /// Offers an autosave of the current document that is newer than its file.
    pub(super) fn find_autosave(&mut self) {
        let Some(found) = self.storage.find_autosave(&self.source) else {
            // Work left from another document is recovered by opening it; say so.
            let n = self.storage.other_autosaves(&self.source);
            if n > 0 {
                self.status = Some(format!(
                    "{n} autosave{} of unsaved work in {}: open the same file or preset (Ctrl-o) to recover",
                    if n == 1 { "" } else { "s" },
                    self.storage.autosave_dir().display()
                ));
            }
            return;
        };
        match found.document {
            Ok(document) => {
                let written = std::fs::metadata(&found.path)
                    .and_then(|m| m.modified())
                    .ok()
                    .map(chrono::DateTime::<chrono::Utc>::from);
                self.files.recovery = Some(Recovery {
                    path: found.path,
                    document,
                    written,
                });
                self.mode = Mode::Recover;
                self.playing = false;
            }
            Err(e) => self.show_message(
                "Autosave not usable",
                format!("{e}\n\nThe autosave is left where it is; the file opens as saved."),
            ),
        }
    }

    pub(super) fn recover_autosave(&mut self) {
        self.mode = Mode::Normal;
        let Some(r) = self.files.recovery.take() else { return };
        self.set_work(r.document);
        // Still unsaved: the autosave stays until the work is saved or discarded.
        self.files.autosaved = Some(self.document_state());
        self.files.autosave_file = Some(r.path);
        self.status = Some("recovered the autosaved work; Ctrl-s saves it".into());
    }

    pub(super) fn discard_autosave(&mut self) {
        self.mode = Mode::Normal;
        if let Some(r) = self.files.recovery.take() {
            let _ = std::fs::remove_file(r.path);
        }
        self.status = Some("autosave discarded".into());
    }

    /// Writes unsaved work to the autosave folder; removes a stale autosave when there is none.
    pub(super) fn autosave(&mut self) {
        if !self.needs_autosave() {
            return;
        }
        if !self.is_modified() {
            self.discard_autosave_file();
            return;
        }
        match self.storage.write_autosave_to(
            &self.source,
            &self.scenario,
            self.pinned.as_ref(),
            self.files.autosave_file.as_deref(),
        ) {
            Ok(path) => {
                self.files.autosaved = Some(self.document_state());
                self.files.autosave_file = Some(path);
            }
            Err(e) => {
                // Remember the attempt, so a failing disk is not retried in a tight loop.
                self.files.autosaved = Some(self.document_state());
                self.status = Some(format!("autosave failed: {e}"));
            }
        }
    }

    /// Notices a change to the open file by another program and offers to reload it.
    pub(super) fn check_disk(&mut self) {
        if self.mode != Mode::Normal {
            return;
        }
        let Source::File(path) = &self.source else { return };
        let now = FileStamp::of(path);
        if now == self.files.disk {
            return;
        }
        self.files.disk = now;
        if now.is_none() {
            self.status = Some(format!(
                "{} was removed from disk; Ctrl-s writes it again",
                path.display()
            ));
        } else {
            self.mode = Mode::Reload;
            self.playing = false;
        }
    }

    pub(super) fn reload_from_disk(&mut self) {
        self.mode = Mode::Normal;
        let source = self.source.clone();
        match Self::load(&source) {
            Ok(doc) => {
                self.discard_autosave_file();
                self.replace_document(doc, source, false);
                self.status = Some(format!("reloaded {}", self.describe_source()));
            }
            Err(e) => self.show_message("Cannot reload", e),
        }
    }
}
