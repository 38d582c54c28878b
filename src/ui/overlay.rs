//! What is open over the dashboard: a stack of overlays, each carrying its
//! own data (the name typed so far, the picker's list, the message's text).
//!
//! The top of the stack decides the keymap (its [`Mode`]); closing an overlay
//! pops it, which is the one way back (a message over the picker returns to
//! the picker, the help returns to whatever it was opened over); drawing
//! walks the stack from the bottom up. An empty stack is the dashboard itself.

use super::files::{Message, NamePrompt, Picker, Recovery};
use super::keymap::Mode;
use super::present::Prompt;
use crate::document::Source;
use crate::sim::{Metric, ParamRef, Provider};
use std::path::PathBuf;

/// One overlay and its data.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The `?` help, with the text typed to search it.
    Help(String),
    /// The help's other page: what the screen shows ("In force at", ◇, Δq).
    Glossary,
    ConfirmQuit,
    Tornado,
    Optimum,
    Waterfall,
    NamePrompt(NamePrompt),
    /// The existing file a save would replace.
    ConfirmOverwrite(PathBuf),
    Picker(Picker),
    ConfirmOpen,
    Message(Message),
    Recover(Box<Recovery>),
    Reload,
    Present,
    Beats,
    Prompt(Prompt),
    /// Typing a lever's value.
    Value(ValueInput),
    Palette(Palette),
    /// Choosing what a new provider starts as.
    AddProvider(Templates),
    /// Typing a provider's name.
    ProviderName(ProviderName),
    /// "Remove this provider?"
    ConfirmRemove(usize),
    /// Every parameter by model section: the search typed, and the row selected.
    Params {
        query: String,
        selected: usize,
    },
}

/// The typed-value input of one lever.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueInput {
    pub target: ParamRef,
    pub text: String,
    /// Why the last value was refused.
    pub error: Option<String>,
}

/// What a palette entry does.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Action(super::Action),
    /// Jump to a parameter and type its value.
    Param(ParamRef),
    Open(Source),
    Tab(Metric),
    Provider(usize),
    Beat(usize),
}

/// One entry of the palette.
#[derive(Debug, Clone, PartialEq)]
pub struct PaletteEntry {
    /// What kind of thing it is: "action", "parameter", "open", "chart", "provider", "beat".
    pub kind: &'static str,
    pub label: String,
    /// Its key, for actions ("Ctrl-s").
    pub keys: String,
    pub command: Command,
}

impl PaletteEntry {
    /// The text the search matches against.
    pub fn haystack(&self) -> String {
        format!("{} {} {}", self.label, self.kind, self.keys)
    }
}

/// The command palette: every entry, the search, and what it matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    pub query: String,
    pub entries: Vec<PaletteEntry>,
    /// Indices into `entries` that match the query, best first.
    pub shown: Vec<usize>,
    /// Position in `shown`.
    pub selected: usize,
}

impl Palette {
    pub fn new(entries: Vec<PaletteEntry>) -> Palette {
        let shown = (0..entries.len()).collect();
        Palette {
            query: String::new(),
            entries,
            shown,
            selected: 0,
        }
    }

    /// Re-matches after the query changed; the best match is selected.
    pub fn refilter(&mut self) {
        let hay: Vec<String> = self.entries.iter().map(PaletteEntry::haystack).collect();
        self.shown = super::fuzzy::rank(&self.query, &hay);
        self.selected = 0;
    }

    pub fn selected(&self) -> Option<&PaletteEntry> {
        self.shown.get(self.selected).and_then(|&i| self.entries.get(i))
    }

    pub fn move_by(&mut self, by: i32) {
        let last = self.shown.len().saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + i64::from(by)).clamp(0, last) as usize;
    }
}

/// The archetypes and copies a new provider can start from.
#[derive(Debug, Clone, PartialEq)]
pub struct Templates {
    pub entries: Vec<(String, Provider)>,
    pub selected: usize,
}

/// What a typed provider name is for.
#[derive(Debug, Clone, PartialEq)]
pub enum NameFor {
    /// A new provider from this template.
    Add(Box<Provider>),
    /// Provider `i`'s new name.
    Rename(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderName {
    pub purpose: NameFor,
    pub text: String,
    pub error: Option<String>,
}

impl Overlay {
    /// The keymap this overlay answers to.
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Help(_) | Overlay::Glossary => Mode::Help,
            Overlay::ConfirmQuit => Mode::ConfirmQuit,
            Overlay::Tornado => Mode::Tornado,
            Overlay::Optimum => Mode::Optimum,
            Overlay::Waterfall => Mode::Waterfall,
            Overlay::NamePrompt(_) => Mode::NamePrompt,
            Overlay::ConfirmOverwrite(_) => Mode::ConfirmOverwrite,
            Overlay::Picker(_) => Mode::Picker,
            Overlay::ConfirmOpen => Mode::ConfirmOpen,
            Overlay::Message(_) => Mode::Message,
            Overlay::Recover(_) => Mode::Recover,
            Overlay::Reload => Mode::Reload,
            Overlay::Present => Mode::Present,
            Overlay::Beats => Mode::Beats,
            Overlay::Prompt(_) => Mode::Prompt,
            Overlay::Value(_) => Mode::Value,
            Overlay::Palette(_) => Mode::Palette,
            Overlay::AddProvider(_) => Mode::AddProvider,
            Overlay::ProviderName(_) => Mode::ProviderName,
            Overlay::ConfirmRemove(_) => Mode::ConfirmRemove,
            Overlay::Params { .. } => Mode::Params,
        }
    }
}

/// The overlays open, bottom first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlays(Vec<Overlay>);

impl Overlays {
    /// The mode of the top overlay; [`Mode::Normal`] when none is open.
    pub fn mode(&self) -> Mode {
        self.0.last().map_or(Mode::Normal, Overlay::mode)
    }

    /// The mode under the top overlay (what the help was opened over).
    pub fn mode_below(&self) -> Mode {
        let n = self.0.len();
        if n >= 2 { self.0[n - 2].mode() } else { Mode::Normal }
    }

    pub fn top(&self) -> Option<&Overlay> {
        self.0.last()
    }

    pub fn top_mut(&mut self) -> Option<&mut Overlay> {
        self.0.last_mut()
    }

    /// Opens `o` over what is open.
    pub fn push(&mut self, o: Overlay) {
        self.0.push(o);
    }

    /// Closes the top overlay and returns it.
    pub fn pop(&mut self) -> Option<Overlay> {
        self.0.pop()
    }

    /// Closes everything and opens `o` alone.
    pub fn set(&mut self, o: Overlay) {
        self.0.clear();
        self.0.push(o);
    }

    /// Closes everything: back to the dashboard.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Bottom first, the order they are drawn in.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Overlay> {
        self.0.iter()
    }

    pub fn contains(&self, mode: Mode) -> bool {
        self.0.iter().any(|o| o.mode() == mode)
    }

    pub fn name_prompt(&self) -> Option<&NamePrompt> {
        self.0.iter().rev().find_map(|o| match o {
            Overlay::NamePrompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn name_prompt_mut(&mut self) -> Option<&mut NamePrompt> {
        self.0.iter_mut().rev().find_map(|o| match o {
            Overlay::NamePrompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn picker(&self) -> Option<&Picker> {
        self.0.iter().rev().find_map(|o| match o {
            Overlay::Picker(p) => Some(p),
            _ => None,
        })
    }

    pub fn picker_mut(&mut self) -> Option<&mut Picker> {
        self.0.iter_mut().rev().find_map(|o| match o {
            Overlay::Picker(p) => Some(p),
            _ => None,
        })
    }

    pub fn message(&self) -> Option<&Message> {
        self.0.iter().rev().find_map(|o| match o {
            Overlay::Message(m) => Some(m),
            _ => None,
        })
    }

    pub fn recovery(&self) -> Option<&Recovery> {
        self.0.iter().rev().find_map(|o| match o {
            Overlay::Recover(r) => Some(r.as_ref()),
            _ => None,
        })
    }

    pub fn overwrite(&self) -> Option<&PathBuf> {
        self.0.iter().rev().find_map(|o| match o {
            Overlay::ConfirmOverwrite(p) => Some(p),
            _ => None,
        })
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        self.0.iter().rev().find_map(|o| match o {
            Overlay::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn prompt_mut(&mut self) -> Option<&mut Prompt> {
        self.0.iter_mut().rev().find_map(|o| match o {
            Overlay::Prompt(p) => Some(p),
            _ => None,
        })
    }

    /// The help's search text, when the help is on top.
    pub fn help_query(&self) -> Option<&str> {
        match self.0.last() {
            Some(Overlay::Help(q)) => Some(q),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_returns_to_what_was_under() {
        let mut s = Overlays::default();
        assert_eq!(s.mode(), Mode::Normal);
        s.push(Overlay::Beats);
        s.push(Overlay::Help(String::new()));
        assert_eq!((s.mode(), s.mode_below()), (Mode::Help, Mode::Beats));
        s.pop();
        assert_eq!(s.mode(), Mode::Beats);
        s.set(Overlay::ConfirmQuit);
        assert_eq!((s.mode(), s.mode_below()), (Mode::ConfirmQuit, Mode::Normal));
        s.clear();
        assert_eq!(s.mode(), Mode::Normal);
    }
}
