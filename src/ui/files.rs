//! State of the dashboard's file dialogs: the name prompt, the open picker,
//! messages (each carried by its overlay, `ui::overlay`), and what to do once
//! a save or a discard has happened.
//!
//! The disk work is `storage`'s; the transitions between these states are in
//! `app::file_ops`; the drawing is `widgets::dialog`'s.

use crate::document::Source;
use crate::document::file::{Document, RawBaseline};
use crate::document::presets;
use crate::document::storage::{FileStamp, Storage};
use crate::sim::Scenario;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// What happens once the work is saved (or knowingly discarded).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Then {
    #[default]
    Stay,
    Quit,
    Open(Source),
}

/// The "save as" text field. A suggested name is shown selected: the first
/// key typed replaces it, Backspace clears it, Enter accepts it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamePrompt {
    pub text: String,
    pub suggested: bool,
    /// Why the last name was refused.
    pub error: Option<String>,
    pub then: Then,
}

impl NamePrompt {
    pub fn new(suggestion: String, then: Then) -> NamePrompt {
        NamePrompt {
            suggested: !suggestion.is_empty(),
            text: suggestion,
            error: None,
            then,
        }
    }

    pub fn type_char(&mut self, c: char) {
        if self.suggested {
            self.text.clear();
            self.suggested = false;
        }
        if self.text.chars().count() < 200 {
            self.text.push(c);
        }
        self.error = None;
    }

    pub fn delete_char(&mut self) {
        if self.suggested {
            self.text.clear();
            self.suggested = false;
        } else {
            self.text.pop();
        }
        self.error = None;
    }
}

/// One strategy the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct PickerEntry {
    pub source: Source,
    /// File name without `.ron`, or the preset's name.
    pub label: String,
    pub name: String,
    pub description: String,
    pub modified: Option<DateTime<Utc>>,
    /// Why the file does not load, exactly as `cloudstrat check` says it.
    pub broken: Option<String>,
}

impl PickerEntry {
    pub fn is_preset(&self) -> bool {
        matches!(self.source, Source::Preset(_))
    }
}

/// The Ctrl-o list: the saves folder, newest first, then the built-in presets.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub entries: Vec<PickerEntry>,
    pub selected: usize,
    /// The saves folder listed, to say where the files come from.
    pub folder: PathBuf,
}

impl Picker {
    pub fn read(storage: &Storage) -> Picker {
        let mut entries: Vec<PickerEntry> = storage
            .list()
            .into_iter()
            .map(|f| {
                let (name, description, modified, broken) = match f.meta {
                    Ok(m) => (m.name, m.description, Some(m.modified), None),
                    Err(e) => (String::new(), String::new(), None, Some(e)),
                };
                PickerEntry {
                    source: Source::File(f.path),
                    label: f.stem,
                    name,
                    description,
                    modified,
                    broken,
                }
            })
            .collect();
        for p in presets::names() {
            let (name, description, modified, broken) = match presets::load(p) {
                Some(Ok(sc)) => (sc.meta.name, sc.meta.description, Some(sc.meta.modified), None),
                Some(Err(e)) => (String::new(), String::new(), None, Some(e.to_string())),
                None => continue,
            };
            entries.push(PickerEntry {
                source: Source::Preset(p.to_string()),
                label: p.to_string(),
                name,
                description,
                modified,
                broken,
            });
        }
        Picker {
            entries,
            selected: 0,
            folder: storage.dir().to_path_buf(),
        }
    }

    pub fn selected(&self) -> Option<&PickerEntry> {
        self.entries.get(self.selected)
    }

    /// Moves the selection by `by` rows, stopping at the ends.
    pub fn move_by(&mut self, by: i32) {
        let last = self.entries.len().saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + i64::from(by)).clamp(0, last) as usize;
    }
}

/// A message in a box, closed with Enter or Esc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
}

/// An autosave offered for recovery.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    pub path: PathBuf,
    pub document: Document,
    /// When the autosave was written, as the file system says.
    pub written: Option<DateTime<Utc>>,
}

/// Everything about files the dashboard keeps between events.
#[derive(Debug, Default)]
pub struct FilesState {
    /// What to do after the save-or-discard question.
    pub pending: Then,
    /// The open file as last read or written, to notice changes by others.
    pub disk: Option<FileStamp>,
    /// The state last autosaved, to write only when something changed.
    pub autosaved: Option<(Scenario, Option<RawBaseline>)>,
    /// The autosave file this session wrote or recovered, to remove once the work is safe.
    pub autosave_file: Option<PathBuf>,
}
