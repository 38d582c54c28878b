//! Everything the dashboard can be asked to do.
//!
//! Keys and mouse events are translated into an [`Action`] (see `keymap` and
//! `input`); `App::update` is the only place that acts on one. Nothing here
//! knows about terminals.

/// One step of a lever: small or big, down or up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Down,
    Up,
    BigDown,
    BigUp,
}

/// The six chart tabs, in key order `1` to `6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartTab {
    Share,
    PriceCost,
    Profit,
    Cash,
    Ecosystem,
    OwnSilicon,
}

impl ChartTab {
    pub const ALL: [ChartTab; 6] = [
        ChartTab::Share,
        ChartTab::PriceCost,
        ChartTab::Profit,
        ChartTab::Cash,
        ChartTab::Ecosystem,
        ChartTab::OwnSilicon,
    ];

    /// The full title, used in the chart's border and in the help.
    pub fn title(self) -> &'static str {
        match self {
            ChartTab::Share => "Market share",
            ChartTab::PriceCost => "Price vs unit cost",
            ChartTab::Profit => "Operating profit",
            ChartTab::Cash => "Cash",
            ChartTab::Ecosystem => "Ecosystem strength",
            ChartTab::OwnSilicon => "Own-silicon share",
        }
    }

    /// A label for the tab bar on medium-width screens.
    pub fn medium(self) -> &'static str {
        match self {
            ChartTab::Share => "Share",
            ChartTab::PriceCost => "Price & cost",
            ChartTab::Profit => "Profit",
            ChartTab::Cash => "Cash",
            ChartTab::Ecosystem => "Ecosystem",
            ChartTab::OwnSilicon => "Own silicon",
        }
    }

    /// A one-word label for the tab bar on narrow screens.
    pub fn short(self) -> &'static str {
        match self {
            ChartTab::Share => "Share",
            ChartTab::PriceCost => "Price",
            ChartTab::Profit => "Profit",
            ChartTab::Cash => "Cash",
            ChartTab::Ecosystem => "Eco",
            ChartTab::OwnSilicon => "Chips",
        }
    }

    /// What the y axis measures.
    pub fn unit(self) -> &'static str {
        match self {
            ChartTab::Share => "% of tokens served",
            ChartTab::PriceCost => "USD per million tokens, log scale",
            ChartTab::Profit => "USD per quarter",
            ChartTab::Cash => "USD",
            ChartTab::Ecosystem => "index, 0 to 1",
            ChartTab::OwnSilicon => "% of fleet",
        }
    }

    /// The unit, abbreviated for narrow charts.
    pub fn unit_short(self) -> &'static str {
        match self {
            ChartTab::Share => "% of tokens",
            ChartTab::PriceCost => "$/Mtok, log",
            ChartTab::Profit => "$/quarter",
            ChartTab::Cash => "$",
            ChartTab::Ecosystem => "0 to 1",
            ChartTab::OwnSilicon => "% of fleet",
        }
    }

    /// 1-based number shown on the tab and used as its key.
    pub fn number(self) -> usize {
        ChartTab::ALL.iter().position(|&t| t == self).unwrap_or(0) + 1
    }
}

/// A request to change the dashboard's state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Open the key help, or close it when open.
    ToggleHelp,
    /// Close the open overlay or prompt.
    Dismiss,
    /// Quit; asks first when there are unsaved changes.
    Quit,
    /// Quit without saving (answer to the unsaved-changes prompt).
    QuitDiscard,
    /// Save the scenario, then quit.
    SaveAndQuit,
    /// Save the scenario to its file; a preset or new scenario asks for a name first.
    Save,
    /// Save under a new name in the saves folder.
    SaveAs,
    /// List the saved strategies and presets, to open one.
    OpenPicker,
    /// Move the picker's selection by this many rows.
    PickerMove(i32),
    /// Open the strategy selected in the picker (asks first about unsaved work).
    OpenSelected,
    /// Type a character into the name prompt.
    TypeChar(char),
    /// Delete the last character of the name prompt.
    DeleteChar,
    /// Save under the name typed in the prompt.
    SubmitName,
    /// Replace the existing file of that name (answer to the overwrite question).
    ConfirmOverwrite,
    /// Save the unsaved work, then go on (open the other strategy).
    SaveThenContinue,
    /// Drop the unsaved work and go on.
    DiscardThenContinue,
    /// Look for autosaved work of this strategy newer than its file, and offer it.
    FindAutosave,
    /// Put the autosaved work on screen (still unsaved).
    RecoverAutosave,
    /// Delete the autosave and keep the strategy as saved.
    DiscardAutosave,
    /// Write unsaved work to the autosave folder (the autosave timer fired).
    Autosave,
    /// See whether another program changed the open file.
    CheckDisk,
    /// Load the open file again, as another program left it.
    ReloadFromDisk,
    /// Keep the version on screen rather than the one changed on disk.
    KeepMine,
    /// Select the lever above.
    PrevLever,
    /// Select the lever below.
    NextLever,
    /// Select the lever at this position in the lever list.
    SelectLever(usize),
    /// Move the selected lever by one step from the cursor quarter on.
    Adjust(Step),
    /// Set a lever from a slider position (0 = left end, 1 = right end);
    /// `drag` continues a drag, which undo treats as one change.
    SetLeverPosition { lever: usize, position: f64, drag: bool },
    /// The mouse button was released: a slider drag, if any, ends.
    EndDrag,
    /// Remove the selected lever's keyframe at the cursor quarter.
    RemoveKeyframe,
    /// Switch between the four mission levers and every parameter.
    ToggleAllParams,
    /// Show the next provider's levers.
    NextProvider,
    /// Show the previous provider's levers.
    PrevProvider,
    /// Move the cursor one quarter back.
    StepBack,
    /// Move the cursor one quarter forward.
    StepForward,
    /// Move the cursor to the first quarter.
    FirstQuarter,
    /// Move the cursor to the last quarter.
    LastQuarter,
    /// Move the cursor to this quarter index.
    SetCursor(u32),
    /// Start or pause playback.
    TogglePlay,
    /// Play back faster.
    Faster,
    /// Play back slower.
    Slower,
    /// Playback timer fired: advance one quarter.
    Tick,
    /// Show a chart tab.
    ShowTab(ChartTab),
    /// Pin the current run as the baseline, or unpin it.
    ToggleBaseline,
    /// Undo the last lever change.
    Undo,
    /// Redo the last undone lever change.
    Redo,
    /// Scroll the event log towards older events (positive) or newer (negative).
    ScrollLog(i32),
    /// The terminal now has this size.
    Resize { width: u16, height: u16 },
    /// Start a Monte Carlo of the current scenario in the background; its bands fan out in the charts.
    RunMonteCarlo,
    /// Stop the analyses running in the background.
    CancelJobs,
    /// Take progress and results from background analyses (sent by the loop while one runs).
    PollJobs,
    /// Open the sensitivity tornado of the selected provider.
    ShowSensitivity,
    /// Open the best lever settings of the selected provider, competitors fixed.
    ShowOptimum,
    /// Apply the shown optimum for the whole run, as one undoable change.
    ApplyOptimum,
    /// Open "why did it move": the change since the baseline, split among the levers.
    ShowAttribution,
    /// Measure the open tornado or waterfall with the next KPI.
    NextAnalysisKpi,
    /// Presentation, story beats, themes and export (see `present`).
    Meeting(super::present::MeetingAction),
}
