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

/// A request to change the dashboard's state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Open the key help, or close it when open.
    ToggleHelp,
    /// In the help: between the keys and what the screen shows.
    HelpPage,
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
    ShowTab(crate::sim::Metric),
    /// Pin the current run as the baseline, or unpin it.
    ToggleBaseline,
    /// Show or hide the backtest's public observations on the charts.
    ToggleObservations,
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
    /// Type a value for the selected lever: opens the input with its unit and range.
    EditValue,
    /// Apply the typed value, as a slider move would (a bad value says why and changes nothing).
    SubmitValue,
    /// Put the selected lever back to the file's value, keyframes included.
    ResetLever,
    /// Remove every keyframe of the selected lever; its base value stays.
    ClearKeyframes,
    /// Put every lever and parameter back to the file's values.
    ResetAll,
    /// Open the command palette (find an action, parameter, file, chart, provider or beat).
    OpenPalette,
    /// Move the palette's selection by this many rows.
    PaletteMove(i32),
    /// Run the palette's selected entry.
    PaletteRun,
    /// Add a provider: choose an archetype or a copy of one on screen.
    AddProvider,
    /// Move in the list of archetypes and copies.
    TemplateMove(i32),
    /// Take the selected archetype or copy, then name it.
    TemplateChosen,
    /// Rename the selected provider.
    RenameProvider,
    /// Give the selected provider the next free colour.
    RecolourProvider,
    /// Remove the selected provider (asks first).
    RemoveProvider,
    /// Yes, remove it.
    ConfirmRemove,
    /// Accept the provider name typed.
    SubmitProviderName,
    /// Open the parameter view: every parameter by model section, searchable.
    OpenParams,
    /// Move the parameter view's selection by this many rows.
    ParamsMove(i32),
    /// Type a value for the parameter selected in the parameter view.
    EditParam,
    /// A key that does nothing here: the status line says so and where to look.
    UnknownKey(char),
}
