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
use crate::ui::overlay::Overlay;
use std::path::{Path, PathBuf};

impl App {
    /// Builds the dashboard on a whole document: the scenario and its pinned baseline.
    pub fn with_document(mut self, doc: Document, source: Source) -> App {
        self.replace_document(doc, source, true);
        self
    }

    /// Saves through `storage` (folder, write hook, clock).
    pub fn with_storage(mut self, storage: Storage) -> App {
        self.doc.storage = storage;
        self
    }

    pub fn storage(&self) -> &Storage {
        &self.doc.storage
    }

    pub fn source(&self) -> &Source {
        &self.doc.source
    }

    /// The scenario the pinned baseline was taken from.
    pub fn pinned_scenario(&self) -> Option<&Scenario> {
        self.doc.pinned.as_ref()
    }

    pub fn files(&self) -> &crate::ui::files::FilesState {
        &self.doc.files
    }

    /// True when there is work the autosave has not written yet (or an
    /// autosave left over from work that is no longer unsaved).
    pub fn needs_autosave(&self) -> bool {
        if self.is_modified() {
            self.doc.files.autosaved.as_ref() != Some(&self.document_state())
        } else {
            self.doc.files.autosave_file.is_some()
        }
    }

    /// The file to watch for changes by other programs.
    pub fn watched_file(&self) -> Option<&Path> {
        match &self.doc.source {
            Source::File(p) => Some(p),
            Source::Preset(_) => None,
        }
    }

    fn document_state(&self) -> (Scenario, Option<file::RawBaseline>) {
        (
            self.doc.scenario.clone(),
            self.savable_baseline().map(file::to_raw_baseline),
        )
    }

    /// The pinned baseline as a file can hold it: only while it has the
    /// scenario's providers, in the same order (a baseline pinned before a
    /// provider was added or removed stays on screen, for comparing, but
    /// is not written).
    pub(super) fn savable_baseline(&self) -> Option<&Scenario> {
        let ids = |sc: &Scenario| sc.providers.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        self.doc.pinned.as_ref().filter(|b| ids(b) == ids(&self.doc.scenario))
    }

    fn show_message(&mut self, title: &str, body: String) {
        self.overlays.push(Overlay::Message(Message {
            title: title.into(),
            body,
        }));
        self.play.playing = false;
    }

    /// Esc: closes the top overlay, back to what it was opened over (from
    /// the overwrite question to the name, from a message to the picker).
    /// Closing a dialog drops what was waiting for it.
    pub(super) fn dismiss(&mut self) {
        match self.overlays.pop() {
            Some(Overlay::Help(_) | Overlay::Glossary | Overlay::ConfirmOverwrite(_) | Overlay::Message(_)) => {}
            _ => self.doc.files.pending = Then::Stay,
        }
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
        if let Some(p) = self.doc.files.autosave_file.take() {
            let _ = std::fs::remove_file(p);
        }
        self.doc.files.autosaved = None;
    }

    /// A name to offer in the prompt: the file's or the preset's.
    fn suggested_name(&self) -> String {
        match &self.doc.source {
            Source::Preset(p) => p.clone(),
            Source::File(p) => p.file_stem().unwrap_or_default().to_string_lossy().into_owned(),
        }
    }

    /// Saves to the file the work came from; a preset first asks for a name. Then does `then`.
    pub(super) fn save_then(&mut self, then: Then) {
        self.play.playing = false;
        match self.doc.source.clone() {
            Source::File(path) => {
                self.overlays.clear();
                if self.write_document(&path, false) {
                    self.continue_with(then);
                } else {
                    self.doc.files.pending = Then::Stay;
                }
            }
            Source::Preset(_) => {
                self.overlays
                    .set(Overlay::NamePrompt(NamePrompt::new(self.suggested_name(), then)));
            }
        }
    }

    pub(super) fn save_as(&mut self) {
        self.play.playing = false;
        self.overlays
            .set(Overlay::NamePrompt(NamePrompt::new(self.suggested_name(), Then::Stay)));
    }

    pub(super) fn submit_name(&mut self) {
        let Some(prompt) = self.overlays.name_prompt_mut() else {
            self.overlays.clear();
            return;
        };
        let name = match check_name(&prompt.text) {
            Ok(n) => n,
            Err(e) => {
                prompt.error = Some(e);
                return;
            }
        };
        let path = self.doc.storage.path_for(&name);
        if path.is_dir() {
            prompt.error = Some(format!("{} is a folder; choose another name", path.display()));
            return;
        }
        let same_file = matches!(&self.doc.source, Source::File(p) if *p == path);
        if path.exists() && !same_file {
            self.overlays.push(Overlay::ConfirmOverwrite(path));
            return;
        }
        self.save_as_path(path);
    }

    pub(super) fn confirm_overwrite(&mut self) {
        match self.overlays.pop() {
            Some(Overlay::ConfirmOverwrite(path)) => self.save_as_path(path),
            _ => self.overlays.clear(),
        }
    }

    /// Writes a new file for the work from the prompt, then does what the prompt was for.
    fn save_as_path(&mut self, path: PathBuf) {
        let then = self.overlays.name_prompt().map(|p| p.then.clone()).unwrap_or_default();
        self.overlays.clear();
        if self.write_document(&path, true) {
            self.continue_with(then);
        }
    }

    /// Writes the work to `path`. `new_file` stamps it as created now. On
    /// success the work is clean and `path` is its file; on failure a dialog
    /// says why and nothing else changes.
    fn write_document(&mut self, path: &Path, new_file: bool) -> bool {
        let mut sc = self.doc.scenario.clone();
        let now = self.doc.storage.now();
        sc.meta.modified = now;
        if new_file {
            sc.meta.created = now;
        }
        let text = file::to_ron_document(&sc, self.savable_baseline());
        // Saving over the open file: right before it is replaced, it must still
        // be the file that was opened or last saved here (not another
        // dashboard's or program's save since).
        let result = match &self.doc.source {
            Source::File(open) if open == path => self.doc.storage.save_over(path, &text, self.doc.files.disk),
            _ => self.doc.storage.save(path, &text),
        };
        match result {
            Err(e) if e.changed_on_disk => {
                self.doc.files.disk = FileStamp::of(path);
                self.overlays.set(Overlay::Reload);
                self.play.playing = false;
                self.status = Some(format!(
                    "not saved: {} was changed on disk since it was opened here; r loads that version, k keeps yours (Ctrl-s then overwrites it)",
                    path.display()
                ));
                false
            }
            Ok(()) => {
                self.doc.scenario.meta = sc.meta;
                if let Some(p) = &mut self.doc.pinned {
                    p.meta = self.doc.scenario.meta.clone();
                }
                self.doc.clean = self.doc.scenario.clone();
                self.doc.clean_baseline = self.savable_baseline().map(file::to_raw_baseline);
                self.discard_autosave_file();
                self.doc.source = Source::File(path.to_path_buf());
                self.doc.files.disk = FileStamp::of(path);
                self.status = Some(if self.doc.pinned.is_some() && self.savable_baseline().is_none() {
                    format!(
                        "saved to {}; the baseline has other providers, so it stays on screen only",
                        path.display()
                    )
                } else {
                    format!("saved to {}", path.display())
                });
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
        self.play.playing = false;
        let mut picker = Picker::read(&self.doc.storage);
        picker.selected = picker
            .entries
            .iter()
            .position(|e| e.source == self.doc.source)
            .unwrap_or(0);
        self.overlays.set(Overlay::Picker(picker));
    }

    pub(super) fn picker_move(&mut self, by: i32) {
        if let Some(p) = self.overlays.picker_mut() {
            p.move_by(by);
        }
    }

    /// Enter in the picker: a broken file says why; unsaved work asks first.
    pub(super) fn open_selected(&mut self) {
        let Some(entry) = self.overlays.picker().and_then(|p| p.selected()).cloned() else {
            return;
        };
        if let Some(e) = entry.broken {
            // The list stays open under the message, to pick another.
            self.overlays.push(Overlay::Message(Message {
                title: "Cannot open".into(),
                body: e,
            }));
            return;
        }
        self.open_or_ask(entry.source);
    }

    /// Opens `source`, first asking about unsaved work.
    pub(super) fn open_or_ask(&mut self, source: Source) {
        if self.is_modified() {
            self.doc.files.pending = Then::Open(source);
            self.overlays.set(Overlay::ConfirmOpen);
        } else {
            self.overlays.clear();
            self.open_source(source);
        }
    }

    pub(super) fn discard_then_continue(&mut self) {
        let then = std::mem::take(&mut self.doc.files.pending);
        self.discard_autosave_file();
        self.overlays.clear();
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
        match &self.doc.source {
            Source::File(p) => p.display().to_string(),
            Source::Preset(p) => format!("preset {p}"),
        }
    }

    /// Puts `doc` on screen as the clean state of `source`. `fresh` starts
    /// the view over (a different strategy); otherwise cursor and provider stay.
    fn replace_document(&mut self, doc: Document, source: Source, fresh: bool) {
        self.doc.files.disk = match &source {
            Source::File(p) => FileStamp::of(p),
            Source::Preset(_) => None,
        };
        self.doc.source = source;
        self.doc.clean = doc.scenario.clone();
        self.doc.clean_baseline = doc.baseline.as_ref().map(file::to_raw_baseline);
        self.set_work(doc);
        if fresh {
            self.view.cursor = 0;
            self.view.provider = 0;
            self.view.lever = 0;
        }
        self.doc.files.autosaved = None;
        self.doc.files.autosave_file = None;
    }

    /// Shows `doc` as the work, clearing history that belonged to the previous one.
    fn set_work(&mut self, doc: Document) {
        // At start-up the run on screen is already this scenario's: simulate once.
        if doc.scenario != self.doc.scenario {
            self.run = sim::simulate(&doc.scenario);
        }
        self.baseline = doc.baseline.as_ref().map(sim::simulate);
        self.doc.pinned = doc.baseline;
        self.doc.scenario = doc.scenario;
        self.note_revisions();
        self.history.undo.clear();
        self.history.undo_truncated = false;
        self.history.redo.clear();
        self.view.drag = None;
        self.play.playing = false;
        self.view.cursor = self.view.cursor.min(self.run.last());
        self.view.provider = self
            .view
            .provider
            .min(self.doc.scenario.providers.len().saturating_sub(1));
        let n = self.levers().len();
        self.view.lever = self.view.lever.min(n.saturating_sub(1));
        self.view.log_scroll = 0;
    }

    /// Offers an autosave of the current document that is newer than its file.
    pub(super) fn find_autosave(&mut self) {
        let Some(found) = self.doc.storage.find_autosave(&self.doc.source) else {
            // Work left from another document is recovered by opening it; say so.
            let n = self.doc.storage.other_autosaves(&self.doc.source);
            if n > 0 {
                self.status = Some(format!(
                    "{n} autosave{} of unsaved work in {}: open the same file or preset (Ctrl-o) to recover",
                    if n == 1 { "" } else { "s" },
                    self.doc
                        .storage
                        .dir()
                        .join(crate::document::storage::AUTOSAVE_DIR)
                        .display()
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
                self.overlays.set(Overlay::Recover(Box::new(Recovery {
                    path: found.path,
                    document,
                    written,
                })));
                self.play.playing = false;
            }
            Err(e) => self.show_message(
                "Autosave not usable",
                format!("{e}\n\nThe autosave is left where it is; the file opens as saved."),
            ),
        }
    }

    pub(super) fn recover_autosave(&mut self) {
        let Some(Overlay::Recover(r)) = self.overlays.pop() else {
            self.overlays.clear();
            return;
        };
        self.overlays.clear();
        self.set_work(r.document);
        // Still unsaved: the autosave stays until the work is saved or discarded.
        self.doc.files.autosaved = Some(self.document_state());
        self.doc.files.autosave_file = Some(r.path);
        self.status = Some("recovered the autosaved work; Ctrl-s saves it".into());
    }

    pub(super) fn discard_autosave(&mut self) {
        if let Some(Overlay::Recover(r)) = self.overlays.pop() {
            let _ = std::fs::remove_file(r.path);
        }
        self.overlays.clear();
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
        match self.doc.storage.write_autosave_to(
            &self.doc.source,
            &self.doc.scenario,
            self.savable_baseline(),
            self.doc.files.autosave_file.as_deref(),
        ) {
            Ok(path) => {
                self.doc.files.autosaved = Some(self.document_state());
                self.doc.files.autosave_file = Some(path);
            }
            Err(e) => {
                // Remember the attempt, so a failing disk is not retried in a tight loop.
                self.doc.files.autosaved = Some(self.document_state());
                self.status = Some(format!("autosave failed: {e}"));
            }
        }
    }

    /// Notices a change to the open file by another program and offers to reload it.
    pub(super) fn check_disk(&mut self) {
        if self.mode() != Mode::Normal {
            return;
        }
        let Source::File(path) = &self.doc.source else { return };
        let now = FileStamp::of(path);
        if now == self.doc.files.disk {
            return;
        }
        self.doc.files.disk = now;
        if now.is_none() {
            self.status = Some(format!(
                "{} was removed from disk; Ctrl-s writes it again",
                path.display()
            ));
        } else {
            self.overlays.set(Overlay::Reload);
            self.play.playing = false;
        }
    }

    pub(super) fn reload_from_disk(&mut self) {
        self.overlays.clear();
        let source = self.doc.source.clone();
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
