//! Meeting mode's state: the presentation (which beat is on screen, the
//! cursor's glide between beats, the presenter lock, the clock) and the
//! story editor (beat list selection and the text prompt).
//!
//! A beat's lever changes become keyframes at its quarter when the beat is
//! reached. Each change keeps what it replaced, so stepping back restores
//! exactly the scenario as it was: the changes are not on the undo history,
//! which belongs to the presenter's own edits. `App` wires these to keys
//! (see `app/meeting.rs`); nothing here draws or does I/O.

use crate::sim::{Beat, Keyframe, Metric, ParamRef, Scenario};
use std::path::PathBuf;
use std::time::Duration;

/// Frames the cursor takes to glide from one beat's quarter to the next.
pub const GLIDE_FRAMES: u32 = 8;
/// Time between glide frames.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(100);

/// Requests specific to meeting mode; wrapped by `Action::Meeting`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeetingAction {
    /// Enter presentation mode at the first beat.
    Present,
    /// Leave presentation mode; the beats' lever changes are undone.
    Leave,
    /// Go to the next beat.
    NextBeat,
    /// Go back to the previous beat.
    PrevBeat,
    /// Go to the first beat.
    FirstBeat,
    /// Go to the last beat.
    LastBeat,
    /// Blank the audience's screen, or bring it back.
    ToggleBlank,
    /// Lock or unlock the levers while presenting.
    ToggleLock,
    /// The presentation's timer: time since presenting began.
    Frame(Duration),
    /// Switch to the next colour theme.
    CycleTheme,
    /// Write the export of the scenario on screen.
    Export,
    /// Add a beat at the cursor quarter (asks for its title).
    AddBeat,
    /// Open the list of beats.
    OpenBeats,
    /// Select the beat above in the list.
    SelectPrev,
    /// Select the beat below in the list.
    SelectNext,
    /// Show the selected beat's quarter, chart and provider in the dashboard.
    GoToBeat,
    /// Edit the selected beat's title.
    EditTitle,
    /// Edit the selected beat's narration.
    EditNarration,
    /// Move the selected beat one place up.
    MoveUp,
    /// Move the selected beat one place down.
    MoveDown,
    /// Move the selected beat to the cursor quarter.
    MoveToCursor,
    /// Delete the selected beat.
    DeleteBeat,
    /// A character typed into the prompt.
    TypeChar(char),
    /// Delete the character before the prompt's cursor.
    DeleteChar,
    /// Accept the prompt's text.
    SubmitText,
    /// Close the prompt without changing anything.
    CancelText,
}

/// What a change of one lever by a beat replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct LeverChange {
    target: ParamRef,
    at: u32,
    base_before: f64,
    keyframe_before: Option<f64>,
}

/// Applies `beat`'s lever changes to `sc` as keyframes at its quarter;
/// returns what they replaced, for [`undo_beat`].
pub fn apply_beat(sc: &mut Scenario, beat: &Beat) -> Vec<LeverChange> {
    let at = beat.at.min(sc.quarters.saturating_sub(1));
    beat.levers
        .iter()
        .map(|&(target, value)| {
            let change = LeverChange {
                target,
                at,
                base_before: sc.base_value(target),
                keyframe_before: sc
                    .keyframes
                    .iter()
                    .find(|k| k.target == target && k.at == at)
                    .map(|k| k.value),
            };
            sc.set_lever(target, at, value);
            change
        })
        .collect()
}

/// Puts back what [`apply_beat`] replaced, last change first.
pub fn undo_beat(sc: &mut Scenario, changes: &[LeverChange]) {
    for c in changes.iter().rev() {
        sc.set_base_value(c.target, c.base_before);
        let existing = sc.keyframes.iter().position(|k| k.target == c.target && k.at == c.at);
        match (existing, c.keyframe_before) {
            (Some(i), Some(v)) => sc.keyframes[i].value = v,
            (Some(i), None) => {
                sc.keyframes.remove(i);
            }
            (None, Some(v)) => {
                sc.keyframes.push(Keyframe {
                    at: c.at,
                    target: c.target,
                    value: v,
                });
                sc.sort_keyframes();
            }
            (None, None) => {}
        }
    }
}

/// The cursor moving between two quarters over a few frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glide {
    pub from: u32,
    pub to: u32,
    pub frame: u32,
    pub frames: u32,
}

impl Glide {
    /// One quarter per frame for short distances, [`GLIDE_FRAMES`] frames for long ones.
    pub fn new(from: u32, to: u32) -> Glide {
        Glide {
            from,
            to,
            frame: 0,
            frames: from.abs_diff(to).clamp(1, GLIDE_FRAMES),
        }
    }

    /// Advances one frame; returns the cursor quarter and whether the glide is over.
    pub fn advance(&mut self) -> (u32, bool) {
        self.frame = (self.frame + 1).min(self.frames);
        let span = i64::from(self.to) - i64::from(self.from);
        let pos = i64::from(self.from) + span * i64::from(self.frame) / i64::from(self.frames.max(1));
        (pos.max(0) as u32, self.frame >= self.frames)
    }
}

/// Everything about the presentation on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    /// The beat on screen; `None` when the story has no beats.
    pub beat: Option<usize>,
    /// Changes made by each beat reached so far, in order: entry `i` is beat `i`'s.
    pub applied: Vec<Vec<LeverChange>>,
    pub glide: Option<Glide>,
    /// True while stray keys may not change a lever.
    pub locked: bool,
    /// True while the screen is blanked (nothing but the background).
    pub blank: bool,
    /// Time since the presentation began, as the loop last reported it.
    pub elapsed: Duration,
    /// `elapsed` when the beat on screen came up.
    pub beat_started: Duration,
    /// The dashboard's chart, provider and cursor before presenting, restored on leaving.
    pub before: (Metric, usize, u32),
}

impl Presentation {
    /// Time until the loop should next report: a glide frame, or the clock's next second.
    pub fn wait(&self, elapsed: Duration) -> Duration {
        if self.glide.is_some() {
            FRAME_INTERVAL
        } else {
            Duration::from_millis(1000 - u64::from(elapsed.subsec_millis())).max(Duration::from_millis(1))
        }
    }
}

/// What the text prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptFor {
    /// Title of a new beat at this quarter.
    NewBeat(u32),
    /// Title of beat `i`.
    Title(usize),
    /// Narration of beat `i`.
    Narration(usize),
}

impl PromptFor {
    pub fn label(self) -> &'static str {
        match self {
            PromptFor::NewBeat(_) => "New beat: title",
            PromptFor::Title(_) => "Beat title",
            PromptFor::Narration(_) => "Narration",
        }
    }
}

/// A one-line text prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub purpose: PromptFor,
    pub text: String,
}

/// Meeting mode's part of the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub presentation: Option<Presentation>,
    /// Selected row of the beat list.
    pub selected_beat: usize,
    /// The themes `T` cycles through, with their names.
    pub themes: Vec<(String, super::Theme)>,
    pub theme_index: usize,
    /// Where `x` writes exports (one sub-folder per scenario); by default the
    /// saves folder's `exports/`.
    pub export_dir: Option<PathBuf>,
    /// Where the presenter publishes the speaker notes, if anywhere.
    pub notes_file: Option<PathBuf>,
}

impl Meeting {
    pub fn new(theme: super::Theme) -> Meeting {
        let mut themes = super::Theme::all_built_in();
        let theme_index = match themes.iter().position(|(_, t)| t.same_palette(&theme)) {
            Some(i) => i,
            None => {
                themes.push(("custom".into(), theme));
                themes.len() - 1
            }
        };
        Meeting {
            presentation: None,
            selected_beat: 0,
            themes,
            theme_index,
            export_dir: None,
            notes_file: None,
        }
    }

    pub fn theme_name(&self) -> &str {
        self.themes.get(self.theme_index).map_or("custom", |(n, _)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glide_ends_on_its_target() {
        for (from, to) in [(0, 31), (31, 0), (5, 6), (7, 7), (3, 10)] {
            let mut g = Glide::new(from, to);
            let mut last = (from, false);
            for _ in 0..GLIDE_FRAMES {
                last = g.advance();
                if last.1 {
                    break;
                }
            }
            assert_eq!(last, (to, true), "{from} -> {to}");
        }
    }
}
