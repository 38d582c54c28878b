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
use std::path::PathBuf;

/// One overlay and its data.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The `?` help, with the text typed to search it.
    Help(String),
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
}

impl Overlay {
    /// The keymap this overlay answers to.
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Help(_) => Mode::Help,
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
    pub fn iter(&self) -> impl Iterator<Item = &Overlay> {
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
