//! Key bindings: one table per mode, from which key handling, the `?` help and
//! the footer hints are all generated, so they cannot disagree.

use super::action::{Action, Step};
use super::present::MeetingAction as M;
use crate::sim::Metric;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the keyboard is talking to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The dashboard itself.
    Normal,
    /// The `?` overlay.
    Help,
    /// "Unsaved changes: quit?"
    ConfirmQuit,
    /// The sensitivity tornado over the dashboard.
    Tornado,
    /// The best-response result, ready to apply.
    Optimum,
    /// The "why did it move" waterfall.
    Waterfall,
    /// Typing a name to save under.
    NamePrompt,
    /// "A file of that name exists: replace it?"
    ConfirmOverwrite,
    /// The list of saved strategies and presets.
    Picker,
    /// "Unsaved changes: save before opening another strategy?"
    ConfirmOpen,
    /// A message box (a file that cannot be opened or saved).
    Message,
    /// "Recover the autosaved work?"
    Recover,
    /// "The file changed on disk: reload it?"
    Reload,
    /// Presentation mode: full screen, one beat at a time.
    Present,
    /// The list of story beats.
    Beats,
    /// Typing a beat's title or narration.
    Prompt,
    /// Typing a lever's value.
    Value,
    /// The command palette.
    Palette,
    /// Choosing an archetype or a copy for a new provider.
    AddProvider,
    /// Typing a provider's name.
    ProviderName,
    /// "Remove this provider?"
    ConfirmRemove,
    /// The parameter view.
    Params,
}

/// A key with the modifiers that matter (Shift, Ctrl, Alt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn shift(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::SHIFT,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// The key as bindings spell it. Shift is dropped for characters (`H`
    /// already says it) and for BackTab, because terminals disagree on whether
    /// they report it.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers & (KeyModifiers::SHIFT | KeyModifiers::CONTROL | KeyModifiers::ALT);
        let mut code = ev.code;
        match code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    code = KeyCode::Char(c.to_ascii_lowercase());
                }
            }
            KeyCode::BackTab => mods.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        Key { code, mods }
    }

    /// How the key is written in the help and the footer.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            other => format!("{other:?}"),
        };
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            s.push_str("Shift-");
        }
        s.push_str(&base);
        s
    }
}

/// One row of a keymap: the keys, what they do, and how the help describes it.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// Footer label; bindings sharing a label are shown together ("↑↓ lever").
    pub hint: Option<&'static str>,
}

impl Binding {
    /// The keys, as the help shows them ("↑ k").
    pub fn keys_label(&self) -> String {
        self.keys.iter().map(Key::label).collect::<Vec<_>>().join(" ")
    }
}

const fn bind(keys: &'static [Key], action: Action, help: &'static str, hint: Option<&'static str>) -> Binding {
    Binding {
        keys,
        action,
        help,
        hint,
    }
}

const NORMAL: &[Binding] = &[
    bind(
        &[Key::ch('?')],
        Action::ToggleHelp,
        "show or hide this help",
        Some("help"),
    ),
    bind(
        &[Key::ch('q'), Key::ctrl('c')],
        Action::Quit,
        "quit (asks if unsaved)",
        Some("quit"),
    ),
    bind(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        Action::PrevLever,
        "select the lever above",
        Some("lever"),
    ),
    bind(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        Action::NextLever,
        "select the lever below",
        Some("lever"),
    ),
    bind(
        &[Key::plain(KeyCode::Left), Key::ch('h')],
        Action::Adjust(Step::Down),
        "decrease the lever",
        Some("adjust"),
    ),
    bind(
        &[Key::plain(KeyCode::Right), Key::ch('l')],
        Action::Adjust(Step::Up),
        "increase the lever",
        Some("adjust"),
    ),
    bind(
        &[Key::shift(KeyCode::Left), Key::ch('H')],
        Action::Adjust(Step::BigDown),
        "decrease by a big step",
        None,
    ),
    bind(
        &[Key::shift(KeyCode::Right), Key::ch('L')],
        Action::Adjust(Step::BigUp),
        "increase by a big step",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::Tab)],
        Action::NextProvider,
        "next provider",
        Some("provider"),
    ),
    bind(
        &[Key::plain(KeyCode::BackTab)],
        Action::PrevProvider,
        "previous provider",
        None,
    ),
    bind(&[Key::ch(',')], Action::StepBack, "one quarter back", Some("quarter")),
    bind(
        &[Key::ch('.')],
        Action::StepForward,
        "one quarter forward",
        Some("quarter"),
    ),
    bind(
        &[Key::plain(KeyCode::Home)],
        Action::FirstQuarter,
        "first quarter",
        None,
    ),
    bind(&[Key::plain(KeyCode::End)], Action::LastQuarter, "last quarter", None),
    bind(&[Key::ch(' ')], Action::TogglePlay, "play or pause", Some("play")),
    bind(&[Key::ch('[')], Action::Slower, "play slower", None),
    bind(&[Key::ch(']')], Action::Faster, "play faster", None),
    bind(
        &[Key::ch('1')],
        Action::ShowTab(Metric::Share),
        "chart: market share",
        Some("chart"),
    ),
    bind(
        &[Key::ch('2')],
        Action::ShowTab(Metric::PriceCost),
        "chart: price vs unit cost",
        Some("chart"),
    ),
    bind(
        &[Key::ch('3')],
        Action::ShowTab(Metric::OperatingProfit),
        "chart: operating profit",
        Some("chart"),
    ),
    bind(
        &[Key::ch('4')],
        Action::ShowTab(Metric::Cash),
        "chart: cash",
        Some("chart"),
    ),
    bind(
        &[Key::ch('5')],
        Action::ShowTab(Metric::Ecosystem),
        "chart: ecosystem strength",
        Some("chart"),
    ),
    bind(
        &[Key::ch('6')],
        Action::ShowTab(Metric::SelfChipShare),
        "chart: own-silicon share",
        Some("chart"),
    ),
    bind(
        &[Key::ch('b')],
        Action::ToggleBaseline,
        "pin or unpin the baseline",
        Some("baseline"),
    ),
    bind(
        &[Key::ch('v')],
        Action::ToggleObservations,
        "history on the charts",
        None,
    ),
    bind(&[Key::ch('u')], Action::Undo, "undo a lever change", Some("undo")),
    bind(
        &[Key::ctrl('r')],
        Action::Redo,
        "redo an undone change",
        Some("redo an undone change"),
    ),
    bind(
        &[Key::ch('P')],
        Action::OpenParams,
        "parameters by section",
        Some("params"),
    ),
    bind(
        &[Key::plain(KeyCode::Delete)],
        Action::RemoveKeyframe,
        "remove keyframe at cursor",
        None,
    ),
    bind(
        &[Key::ch('='), Key::plain(KeyCode::Enter)],
        Action::EditValue,
        "type the lever's value",
        Some("type value"),
    ),
    bind(
        &[Key::ch(':'), Key::ctrl('p')],
        Action::OpenPalette,
        "find any action or lever",
        Some("find"),
    ),
    bind(
        &[Key::ch('p')],
        Action::Meeting(M::Present),
        "present the story",
        Some("present"),
    ),
    bind(
        &[Key::ch('a')],
        Action::Meeting(M::AddBeat),
        "add a beat at the cursor",
        None,
    ),
    bind(
        &[Key::ch('B')],
        Action::Meeting(M::OpenBeats),
        "list and edit story beats",
        Some("beats"),
    ),
    bind(
        &[Key::ch('T')],
        Action::Meeting(M::CycleTheme),
        "next colour theme",
        None,
    ),
    bind(
        &[Key::ch('x')],
        Action::Meeting(M::Export),
        "export report and charts",
        Some("export"),
    ),
    bind(&[Key::ctrl('s')], Action::Save, "save (names a new file)", Some("save")),
    bind(&[Key::ch('S')], Action::SaveAs, "save under a new name", None),
    bind(
        &[Key::ctrl('o')],
        Action::OpenPicker,
        "open a strategy or preset",
        Some("open"),
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::ScrollLog(3),
        "event log: older",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::ScrollLog(-3),
        "event log: newer",
        None,
    ),
    bind(
        &[Key::ch('m')],
        Action::RunMonteCarlo,
        "Monte Carlo fan bands",
        Some("analyse"),
    ),
    bind(
        &[Key::ch('t')],
        Action::ShowSensitivity,
        "sensitivity tornado",
        Some("analyse"),
    ),
    bind(
        &[Key::ch('o')],
        Action::ShowOptimum,
        "best chip volume, lock-in",
        Some("analyse"),
    ),
    bind(
        &[Key::ch('w')],
        Action::ShowAttribution,
        "why it moved vs baseline",
        Some("analyse"),
    ),
    bind(
        &[Key::plain(KeyCode::Esc)],
        Action::CancelJobs,
        "cancel a running analysis",
        None,
    ),
];

/// Keys of the analysis panels: provider and KPI re-run the analysis.
const PANEL_PROVIDER: [Binding; 2] = [
    bind(
        &[Key::plain(KeyCode::Tab)],
        Action::NextProvider,
        "next provider",
        Some("provider"),
    ),
    bind(
        &[Key::plain(KeyCode::BackTab)],
        Action::PrevProvider,
        "previous provider",
        None,
    ),
];

const TORNADO: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Esc), Key::ch('q'), Key::ch('t')],
        Action::Dismiss,
        "close the tornado",
        Some("close"),
    ),
    PANEL_PROVIDER[0],
    PANEL_PROVIDER[1],
    bind(&[Key::ch('k')], Action::NextAnalysisKpi, "next KPI", Some("KPI")),
];

const OPTIMUM: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::ApplyOptimum,
        "apply for the whole run (u undoes)",
        Some("apply"),
    ),
    bind(
        &[Key::plain(KeyCode::Esc), Key::ch('q'), Key::ch('o')],
        Action::Dismiss,
        "close without applying",
        Some("close"),
    ),
    PANEL_PROVIDER[0],
    PANEL_PROVIDER[1],
];

const WATERFALL: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Esc), Key::ch('q'), Key::ch('w')],
        Action::Dismiss,
        "close the waterfall",
        Some("close"),
    ),
    PANEL_PROVIDER[0],
    PANEL_PROVIDER[1],
    bind(&[Key::ch('k')], Action::NextAnalysisKpi, "next KPI", Some("KPI")),
];

const HELP: &[Binding] = &[
    bind(
        &[Key::ch('?'), Key::plain(KeyCode::Esc)],
        Action::Dismiss,
        "close the help",
        Some("close"),
    ),
    bind(
        &[Key::plain(KeyCode::Tab)],
        Action::HelpPage,
        "what you see on screen, or the keys",
        Some("what you see / keys"),
    ),
    bind(
        &[Key::plain(KeyCode::Backspace)],
        Action::DeleteChar,
        "type to search; delete a character",
        None,
    ),
];

const VALUE: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::SubmitValue,
        "apply the value",
        Some("apply"),
    ),
    bind(
        &[Key::plain(KeyCode::Backspace)],
        Action::DeleteChar,
        "delete a character",
        None,
    ),
    bind(&[Key::plain(KeyCode::Esc)], Action::Dismiss, "cancel", Some("cancel")),
];

const PALETTE: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::PaletteRun,
        "run or open the selected entry",
        Some("run"),
    ),
    bind(
        &[Key::plain(KeyCode::Up), Key::ctrl('p'), Key::ctrl('k')],
        Action::PaletteMove(-1),
        "previous entry",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::Down), Key::ctrl('n'), Key::ctrl('j')],
        Action::PaletteMove(1),
        "next entry",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PaletteMove(-10),
        "ten entries up",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PaletteMove(10),
        "ten entries down",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::Backspace)],
        Action::DeleteChar,
        "delete a character",
        None,
    ),
    bind(&[Key::plain(KeyCode::Esc)], Action::Dismiss, "close", Some("close")),
];

const ADD_PROVIDER: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        Action::TemplateMove(-1),
        "previous entry",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        Action::TemplateMove(1),
        "next entry",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::TemplateChosen,
        "start from this one, then name it",
        Some("choose"),
    ),
    bind(
        &[Key::plain(KeyCode::Esc), Key::ch('q')],
        Action::Dismiss,
        "cancel",
        Some("cancel"),
    ),
];

const PROVIDER_NAME: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::SubmitProviderName,
        "accept the name",
        Some("accept"),
    ),
    bind(
        &[Key::plain(KeyCode::Backspace)],
        Action::DeleteChar,
        "delete a character",
        None,
    ),
    bind(&[Key::plain(KeyCode::Esc)], Action::Dismiss, "cancel", Some("cancel")),
];

const PARAMS: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::EditParam,
        "type the selected parameter's value",
        Some("edit"),
    ),
    bind(
        &[Key::plain(KeyCode::Up)],
        Action::ParamsMove(-1),
        "previous parameter",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::Down)],
        Action::ParamsMove(1),
        "next parameter",
        Some("select"),
    ),
    bind(&[Key::plain(KeyCode::PageUp)], Action::ParamsMove(-10), "ten up", None),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::ParamsMove(10),
        "ten down",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::Tab)],
        Action::NextProvider,
        "next provider's parameters",
        Some("provider"),
    ),
    bind(
        &[Key::plain(KeyCode::BackTab)],
        Action::PrevProvider,
        "previous provider's parameters",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::Backspace)],
        Action::DeleteChar,
        "type to search; delete a character",
        None,
    ),
    bind(&[Key::plain(KeyCode::Esc)], Action::Dismiss, "close", Some("close")),
];

const CONFIRM_REMOVE: &[Binding] = &[
    bind(
        &[Key::ch('y')],
        Action::ConfirmRemove,
        "remove it (u undoes)",
        Some("remove"),
    ),
    bind(
        &[Key::ch('n'), Key::plain(KeyCode::Esc), Key::ch('q')],
        Action::Dismiss,
        "keep it",
        Some("keep"),
    ),
];

const CONFIRM_QUIT: &[Binding] = &[
    bind(
        &[Key::ch('s'), Key::ch('y'), Key::plain(KeyCode::Enter)],
        Action::SaveAndQuit,
        "save, then quit",
        Some("save and quit"),
    ),
    // Discarding takes a key of its own that no other question uses, so a
    // repeated `q` or a reflexive `y` can never throw work away.
    bind(
        &[Key::ch('d')],
        Action::QuitDiscard,
        "discard the changes and quit",
        Some("discard and quit"),
    ),
    bind(
        &[Key::ch('c'), Key::ch('n'), Key::ch('q'), Key::plain(KeyCode::Esc)],
        Action::Dismiss,
        "cancel, keep working",
        Some("cancel"),
    ),
];

const NAME_PROMPT: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::SubmitName,
        "save under this name",
        Some("save"),
    ),
    bind(
        &[Key::plain(KeyCode::Backspace)],
        Action::DeleteChar,
        "delete a character",
        None,
    ),
    bind(&[Key::plain(KeyCode::Esc)], Action::Dismiss, "cancel", Some("cancel")),
];

const CONFIRM_OVERWRITE: &[Binding] = &[
    bind(
        &[Key::ch('y')],
        Action::ConfirmOverwrite,
        "replace it (the old one is kept as .bak)",
        Some("replace"),
    ),
    bind(
        &[Key::ch('n'), Key::plain(KeyCode::Esc)],
        Action::Dismiss,
        "choose another name",
        Some("another name"),
    ),
];

const PICKER: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        Action::PickerMove(-1),
        "previous entry",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        Action::PickerMove(1),
        "next entry",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::PageUp)],
        Action::PickerMove(-10),
        "ten entries up",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::PageDown)],
        Action::PickerMove(10),
        "ten entries down",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::Home)],
        Action::PickerMove(i32::MIN),
        "first entry",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::End)],
        Action::PickerMove(i32::MAX),
        "last entry",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::OpenSelected,
        "open the selected strategy",
        Some("open"),
    ),
    bind(
        &[Key::plain(KeyCode::Esc), Key::ch('q')],
        Action::Dismiss,
        "cancel",
        Some("cancel"),
    ),
];

const CONFIRM_OPEN: &[Binding] = &[
    bind(
        &[Key::ch('s')],
        Action::SaveThenContinue,
        "save, then open",
        Some("save first"),
    ),
    bind(
        &[Key::ch('d')],
        Action::DiscardThenContinue,
        "open, discarding the changes",
        Some("discard"),
    ),
    bind(
        &[Key::ch('n'), Key::plain(KeyCode::Esc)],
        Action::Dismiss,
        "keep working",
        Some("cancel"),
    ),
];

const MESSAGE: &[Binding] = &[bind(
    &[Key::plain(KeyCode::Enter), Key::plain(KeyCode::Esc), Key::ch('q')],
    Action::Dismiss,
    "close",
    Some("close"),
)];

const RECOVER: &[Binding] = &[
    bind(
        &[Key::ch('r')],
        Action::RecoverAutosave,
        "recover the autosaved work",
        Some("recover"),
    ),
    bind(
        &[Key::ch('d')],
        Action::DiscardAutosave,
        "discard it, open as saved",
        Some("discard"),
    ),
];

const RELOAD: &[Binding] = &[
    bind(
        &[Key::ch('r')],
        Action::ReloadFromDisk,
        "reload it (unsaved changes here are lost)",
        Some("reload"),
    ),
    bind(
        &[Key::ch('k'), Key::plain(KeyCode::Esc)],
        Action::KeepMine,
        "keep the version on screen",
        Some("keep mine"),
    ),
];

const PRESENT: &[Binding] = &[
    bind(
        &[Key::ch('?')],
        Action::ToggleHelp,
        "show or hide this help",
        Some("help"),
    ),
    // Presentation remotes ("clickers") send PageDown and PageUp, and a
    // blank-screen button that sends `b` or `.`, as slide software expects.
    bind(
        &[
            Key::plain(KeyCode::Right),
            Key::ch('n'),
            Key::ch(' '),
            Key::plain(KeyCode::PageDown),
        ],
        Action::Meeting(M::NextBeat),
        "next beat",
        Some("beat"),
    ),
    bind(
        &[
            Key::plain(KeyCode::Left),
            Key::plain(KeyCode::Backspace),
            Key::plain(KeyCode::PageUp),
        ],
        Action::Meeting(M::PrevBeat),
        "previous beat",
        Some("beat"),
    ),
    bind(
        &[Key::plain(KeyCode::Home)],
        Action::Meeting(M::FirstBeat),
        "first beat",
        None,
    ),
    bind(
        &[Key::plain(KeyCode::End)],
        Action::Meeting(M::LastBeat),
        "last beat",
        None,
    ),
    bind(
        &[Key::ch('b'), Key::ch('.')],
        Action::Meeting(M::ToggleBlank),
        "blank the screen, or bring it back",
        Some("blank"),
    ),
    bind(
        &[Key::ch('p'), Key::plain(KeyCode::Esc)],
        Action::Meeting(M::Leave),
        "leave the presentation",
        Some("leave"),
    ),
    bind(
        &[Key::ch('L')],
        Action::Meeting(M::ToggleLock),
        "lock or unlock the levers",
        Some("lock"),
    ),
    bind(
        &[Key::ch('T')],
        Action::Meeting(M::CycleTheme),
        "next colour theme",
        Some("theme"),
    ),
    bind(
        &[Key::ch('+'), Key::ch('=')],
        Action::Adjust(Step::Up),
        "unlocked: increase the selected lever",
        None,
    ),
    bind(
        &[Key::ch('-')],
        Action::Adjust(Step::Down),
        "unlocked: decrease the selected lever",
        None,
    ),
    bind(&[Key::ch('[')], Action::PrevLever, "select the previous lever", None),
    bind(&[Key::ch(']')], Action::NextLever, "select the next lever", None),
    bind(&[Key::ch('u')], Action::Undo, "unlocked: undo a lever change", None),
    bind(
        &[Key::ch('q'), Key::ctrl('c')],
        Action::Quit,
        "quit (ends the presentation first)",
        Some("quit"),
    ),
];

const BEATS: &[Binding] = &[
    bind(
        &[Key::ch('?')],
        Action::ToggleHelp,
        "show or hide this help",
        Some("help"),
    ),
    bind(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        Action::Meeting(M::SelectPrev),
        "select the beat above",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        Action::Meeting(M::SelectNext),
        "select the beat below",
        Some("select"),
    ),
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::Meeting(M::GoToBeat),
        "show the beat in the dashboard",
        Some("show"),
    ),
    bind(
        &[Key::ch('e')],
        Action::Meeting(M::EditTitle),
        "edit the title",
        Some("title"),
    ),
    bind(
        &[Key::ch('n')],
        Action::Meeting(M::EditNarration),
        "edit the narration",
        Some("narration"),
    ),
    bind(
        &[Key::shift(KeyCode::Up), Key::ch('K')],
        Action::Meeting(M::MoveUp),
        "move the beat up (takes the earlier quarter)",
        Some("move"),
    ),
    bind(
        &[Key::shift(KeyCode::Down), Key::ch('J')],
        Action::Meeting(M::MoveDown),
        "move the beat down (takes the later quarter)",
        Some("move"),
    ),
    bind(
        &[Key::ch('m')],
        Action::Meeting(M::MoveToCursor),
        "move the beat to the cursor quarter",
        None,
    ),
    bind(
        &[Key::ch('a')],
        Action::Meeting(M::AddBeat),
        "add a beat at the cursor",
        Some("add"),
    ),
    bind(
        &[Key::ch('d'), Key::plain(KeyCode::Delete)],
        Action::Meeting(M::DeleteBeat),
        "delete the beat",
        Some("delete"),
    ),
    bind(
        &[Key::plain(KeyCode::Esc), Key::ch('B'), Key::ch('q')],
        Action::Dismiss,
        "close the list",
        Some("close"),
    ),
];

const PROMPT: &[Binding] = &[
    bind(
        &[Key::plain(KeyCode::Enter)],
        Action::Meeting(M::SubmitText),
        "accept",
        Some("accept"),
    ),
    bind(
        &[Key::plain(KeyCode::Esc)],
        Action::Meeting(M::CancelText),
        "cancel",
        Some("cancel"),
    ),
    bind(
        &[Key::plain(KeyCode::Backspace)],
        Action::Meeting(M::DeleteChar),
        "delete a character",
        None,
    ),
];

/// Actions the dashboard reaches through the command palette only (`:`),
/// with what the palette calls them: keys for them would not leave room for
/// the whole help on an 80×24 terminal.
pub const PALETTE_ONLY: &[(Action, &str)] = &[
    (
        Action::ToggleAllParams,
        "lever panel: every parameter or the mission levers",
    ),
    (Action::ResetLever, "reset the lever to the file's value"),
    (Action::ClearKeyframes, "clear the lever's keyframes"),
    (Action::ResetAll, "reset all levers to the file's values"),
    (Action::AddProvider, "add a provider (archetype or copy)"),
    (Action::RenameProvider, "rename the provider"),
    (Action::RecolourProvider, "recolour the provider"),
    (Action::RemoveProvider, "remove the provider"),
];

/// The bindings active in `mode`, in the order the help lists them.
pub fn keymap(mode: Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => NORMAL,
        Mode::Help => HELP,
        Mode::ConfirmQuit => CONFIRM_QUIT,
        Mode::Tornado => TORNADO,
        Mode::Optimum => OPTIMUM,
        Mode::Waterfall => WATERFALL,
        Mode::NamePrompt => NAME_PROMPT,
        Mode::ConfirmOverwrite => CONFIRM_OVERWRITE,
        Mode::Picker => PICKER,
        Mode::ConfirmOpen => CONFIRM_OPEN,
        Mode::Message => MESSAGE,
        Mode::Recover => RECOVER,
        Mode::Reload => RELOAD,
        Mode::Present => PRESENT,
        Mode::Beats => BEATS,
        Mode::Prompt => PROMPT,
        Mode::Value => VALUE,
        Mode::Palette => PALETTE,
        Mode::AddProvider => ADD_PROVIDER,
        Mode::ProviderName => PROVIDER_NAME,
        Mode::ConfirmRemove => CONFIRM_REMOVE,
        Mode::Params => PARAMS,
    }
}

/// The action bound to a key press in `mode`, if any. Key releases are ignored.
pub fn action_for_key(mode: Mode, ev: &KeyEvent) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let key = Key::from_event(ev);
    keymap(mode).iter().find(|b| b.keys.contains(&key)).map(|b| b.action)
}

/// The modes with a text field, where unbound printable keys type.
pub fn types_text(mode: Mode) -> bool {
    matches!(
        mode,
        Mode::NamePrompt | Mode::Prompt | Mode::Value | Mode::Palette | Mode::Help | Mode::ProviderName | Mode::Params
    )
}

/// What a key types into a text field: printable characters without Ctrl or Alt.
pub fn typed_char(mode: Mode, ev: &KeyEvent) -> Option<Action> {
    if !types_text(mode) || ev.kind == KeyEventKind::Release {
        return None;
    }
    match ev.code {
        // Control, invisible and direction-changing characters are never typed:
        // the file loader refuses them, so a name holding one would be saved
        // into a file that cannot be opened again.
        KeyCode::Char(c)
            if !crate::document::clean::is_unsafe(c)
                && !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(if mode == Mode::Prompt {
                Action::Meeting(M::TypeChar(c))
            } else {
                Action::TypeChar(c)
            })
        }
        _ => None,
    }
}

/// Footer hints for `mode`: (keys, label), bindings with the same label merged.
pub fn hints(mode: Mode) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for b in keymap(mode) {
        let Some(label) = b.hint else { continue };
        let Some(first) = b.keys.first() else { continue };
        let key = first.label();
        match out.iter_mut().find(|(_, l)| *l == label) {
            Some((keys, _)) => {
                let is_digit = |s: &str| s.len() == 1 && s.bytes().all(|b| b.is_ascii_digit());
                match keys.chars().next() {
                    // Consecutive tab numbers become a range: "1-6".
                    Some(first) if first.is_ascii_digit() && is_digit(&key) => *keys = format!("{first}-{key}"),
                    // Single-character keys run together: "↑↓", ",.".
                    _ if key.chars().count() == 1 => keys.push_str(&key),
                    _ => {
                        keys.push('/');
                        keys.push_str(&key);
                    }
                }
            }
            None => out.push((key, label)),
        }
    }
    out
}
