//! The dashboard's state and the one function that changes it.
//!
//! `App` owns the scenario being edited, its simulated run, the optional
//! pinned baseline, the cursor quarter, playback and the undo history.
//! `App::update` applies an [`Action`]; drawing lives in `widgets` and only
//! reads an `&App`.

use super::action::{Action, Step};
use super::analysis::{AnalysisState, JobRunner};
use super::keymap::Mode;
use super::overlay::{Overlay, Overlays};
use super::present::Meeting;
use super::scale::Scale;
use super::theme::Theme;
use crate::document::Source;
use crate::sim::Metric;
use crate::sim::{self, MarketKey, ParamRef, ProviderKey, Run, Scenario, Uncertain};
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::time::Duration;

mod analysis_actions;
mod controls;
pub use controls::range_in_unit;
mod file_ops;
mod meeting;

/// Playback speeds, in quarters per second.
pub const SPEEDS: [f64; 5] = [0.5, 1.0, 2.0, 4.0, 8.0];
const DEFAULT_SPEED: usize = 2;
/// Undo history kept, in lever changes.
const UNDO_LIMIT: usize = 500;

/// Which levers the lever panel lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeverView {
    /// Parity and price ceiling, then the selected provider's self-chip volume and lock-in.
    Mission,
    /// Every market parameter, then every parameter of the selected provider.
    All,
}

/// What a lever change can touch: the lever's base value, the keyframes, and
/// the uncertainty attached to keyframes (removing a keyframe drops its
/// uncertainty). Both lists are short, so whole copies keep undo exact.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LeverState {
    /// Base values of the levers changed (one, or several for an applied optimum).
    bases: Vec<(ParamRef, f64)>,
    /// `Some(t)`: only the keyframes at quarter `t` are captured (a change at the
    /// cursor touches nothing else); `None`: every keyframe of the levers (a
    /// whole-run change). Either way other keyframes are left alone on undo, so
    /// undo never brings back or drops changes made in between, such as those a
    /// presentation applied and removed.
    at: Option<u32>,
    keyframes: Vec<sim::Keyframe>,
    /// With their positions in the list: sampling draws in list order.
    uncertainty: Vec<(usize, Uncertain)>,
}

impl LeverState {
    /// Lever `r` as a change at quarter `at` can affect it.
    fn of(sc: &Scenario, r: ParamRef, at: u32) -> LeverState {
        LeverState::capture(sc, &[r], Some(at))
    }

    /// Levers `refs` in full, for whole-run changes.
    fn of_all(sc: &Scenario, refs: &[ParamRef]) -> LeverState {
        LeverState::capture(sc, refs, None)
    }

    fn covers(&self, refs: &[ParamRef], target: ParamRef, t: Option<u32>) -> bool {
        refs.contains(&target) && (self.at.is_none() || t == self.at)
    }

    fn capture(sc: &Scenario, refs: &[ParamRef], at: Option<u32>) -> LeverState {
        let mut st = LeverState {
            bases: refs.iter().map(|&r| (r, sc.base_value(r))).collect(),
            at,
            keyframes: Vec::new(),
            uncertainty: Vec::new(),
        };
        st.keyframes = sc
            .keyframes
            .iter()
            .filter(|k| st.covers(refs, k.target, Some(k.at)))
            .copied()
            .collect();
        st.uncertainty = sc
            .uncertainty
            .iter()
            .enumerate()
            .filter(|(_, u)| st.covers(refs, u.target, u.at))
            .map(|(i, u)| (i, *u))
            .collect();
        st
    }

    fn restore(&self, sc: &mut Scenario) {
        let refs: Vec<ParamRef> = self.bases.iter().map(|&(r, _)| r).collect();
        for &(r, v) in &self.bases {
            sc.set_base_value(r, v);
        }
        sc.keyframes.retain(|k| !self.covers(&refs, k.target, Some(k.at)));
        sc.keyframes.extend(self.keyframes.iter().copied());
        sc.sort_keyframes();
        sc.uncertainty.retain(|u| !self.covers(&refs, u.target, u.at));
        for &(i, u) in &self.uncertainty {
            let i = i.min(sc.uncertainty.len());
            sc.uncertainty.insert(i, u);
        }
    }
}

/// One undoable change.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Edit {
    /// Levers changed: only what the change touched is kept, so undo leaves
    /// changes made in between (a presentation's) alone.
    Lever {
        target: ParamRef,
        at: u32,
        before: LeverState,
        after: LeverState,
        /// Says what it was when the lever and quarter do not (a reset).
        what: Option<String>,
    },
    /// The scenario as a whole changed (a provider added, renamed,
    /// recoloured or removed; every lever reset): both states, whole.
    Whole {
        before: Box<Scenario>,
        after: Box<Scenario>,
        what: String,
    },
}

/// The dashboard.
#[derive(Debug)]
pub struct App {
    doc: Doc,
    run: Run,
    baseline: Option<Run>,
    view: View,
    play: Playback,
    history: History,
    /// What is open over the dashboard, top last.
    overlays: Overlays,
    status: Option<String>,
    quit: bool,
    analysis: AnalysisState,
    runner: JobRunner,
    /// Presentation, story editor, themes and export.
    meeting: Meeting,
    /// Queued input handled as one batch simulates once, at its end.
    batch: SimBatch,
    /// Every lever move, for `--record` (a session `cloudstrat replay` plays back).
    lever_log: LeverLog,
}

/// The lever moves of a session: the scenario before the first, then each
/// move as (quarter, lever, value); a slider drag is one move.
#[derive(Debug, Clone, Default)]
pub struct LeverLog {
    pub start: Option<Scenario>,
    pub steps: Vec<(u32, ParamRef, f64)>,
}

/// The strategy being edited, where it lives, and what it was when last
/// loaded or saved.
#[derive(Debug)]
struct Doc {
    scenario: Scenario,
    /// The scenario as last loaded or saved, to tell whether there is unsaved work.
    clean: Scenario,
    source: Source,
    storage: crate::document::storage::Storage,
    /// The scenario the baseline run came from, saved with the file.
    pinned: Option<Scenario>,
    /// The baseline section as last loaded or saved.
    clean_baseline: Option<crate::document::file::RawBaseline>,
    files: super::files::FilesState,
}

/// What the screen is looking at: cursor quarter, provider, lever, chart,
/// theme and size.
#[derive(Debug)]
struct View {
    cursor: u32,
    provider: usize,
    lever_view: LeverView,
    lever: usize,
    tab: Metric,
    log_scroll: usize,
    /// The backtest observations drawn as points on the charts (`v`).
    observations: bool,
    /// Lever whose slider is being dragged with the mouse.
    drag: Option<usize>,
    theme: Theme,
    viewport: Rect,
}

/// Playback of the quarters.
#[derive(Debug)]
struct Playback {
    playing: bool,
    speed: usize,
}

/// Undo and redo.
#[derive(Debug, Default)]
struct History {
    undo: Vec<Edit>,
    /// True once the oldest changes have been dropped to keep `UNDO_LIMIT`.
    undo_truncated: bool,
    redo: Vec<Edit>,
    /// The lever and quarter of the key presses going on now: further presses
    /// on it join the same undo step, any other action ends it.
    gesture: Option<(ParamRef, u32)>,
}

/// While a batch of queued input is handled, re-simulation waits for its end.
#[derive(Debug, Clone, Copy, Default)]
struct SimBatch {
    open: bool,
    pending: bool,
}

impl App {
    /// Simulates the whole horizon of `scenario`; the dashboard starts paused at the first quarter.
    pub fn new(scenario: Scenario, source: Source, theme: Theme) -> App {
        let run = sim::simulate(&scenario);
        let mut app = App {
            doc: Doc {
                clean: scenario.clone(),
                scenario,
                source,
                storage: crate::document::storage::Storage::new(PathBuf::from("saves")),
                pinned: None,
                clean_baseline: None,
                files: super::files::FilesState::default(),
            },
            run,
            baseline: None,
            view: View {
                cursor: 0,
                provider: 0,
                lever_view: LeverView::Mission,
                lever: 0,
                tab: Metric::Share,
                log_scroll: 0,
                observations: false,
                drag: None,
                theme,
                viewport: Rect::default(),
            },
            play: Playback {
                playing: false,
                speed: DEFAULT_SPEED,
            },
            history: History::default(),
            overlays: Overlays::default(),
            status: None,
            quit: false,
            analysis: AnalysisState::default(),
            runner: JobRunner::threads(),
            meeting: Meeting::new(theme),
            batch: SimBatch::default(),
            lever_log: LeverLog::default(),
        };
        app.note_revisions();
        app
    }

    /// Starts a batch of queued input (a paste, a held key): lever changes in
    /// it re-simulate once, at [`App::end_batch`], instead of once per key.
    pub fn begin_batch(&mut self) {
        self.batch.open = true;
    }

    /// Ends the batch, simulating the scenario once if anything changed it.
    pub fn end_batch(&mut self) {
        let pending = self.batch.pending;
        self.batch = SimBatch::default();
        if pending {
            self.resimulate();
        }
    }

    /// Where presets are saved (default `saves/`).
    pub fn with_save_dir(mut self, dir: PathBuf) -> App {
        self.doc.storage = crate::document::storage::Storage::new(dir);
        self
    }

    pub fn scenario(&self) -> &Scenario {
        &self.doc.scenario
    }
    pub fn run(&self) -> &Run {
        &self.run
    }
    pub fn baseline(&self) -> Option<&Run> {
        self.baseline.as_ref()
    }
    /// Whether the charts show the backtest's observations.
    pub fn shows_observations(&self) -> bool {
        self.view.observations
    }
    pub fn cursor(&self) -> u32 {
        self.view.cursor
    }
    /// Index of the provider whose levers are shown.
    pub fn provider(&self) -> usize {
        self.view.provider
    }
    pub fn lever_view(&self) -> LeverView {
        self.view.lever_view
    }
    /// Position of the selected lever in [`App::levers`].
    pub fn selected_lever(&self) -> usize {
        self.view.lever
    }
    pub fn tab(&self) -> Metric {
        self.view.tab
    }
    /// The keymap in force: the top overlay's, or the dashboard's.
    pub fn mode(&self) -> Mode {
        self.overlays.mode()
    }

    /// What is open over the dashboard, bottom first.
    pub fn overlays(&self) -> &Overlays {
        &self.overlays
    }
    pub fn playing(&self) -> bool {
        self.play.playing
    }
    /// Playback speed in quarters per second.
    pub fn speed(&self) -> f64 {
        SPEEDS[self.play.speed.min(SPEEDS.len() - 1)]
    }
    pub fn tick_interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.speed())
    }
    pub fn log_scroll(&self) -> usize {
        self.view.log_scroll
    }
    pub fn dragging(&self) -> Option<usize> {
        self.view.drag
    }
    /// Starts with `message` in the status line.
    pub fn with_status(mut self, message: String) -> App {
        self.status = Some(message);
        self
    }

    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }
    pub fn theme(&self) -> Theme {
        self.view.theme
    }
    /// The terminal's size as last reported.
    pub fn viewport(&self) -> Rect {
        self.view.viewport
    }
    pub fn should_quit(&self) -> bool {
        self.quit
    }
    /// True when the scenario differs from the file it was loaded from or
    /// last saved to. A baseline counts only once it is in the file: pinning
    /// one on a file without a baseline is not an unsaved change (a save
    /// writes it all the same); changing or unpinning the file's baseline is.
    pub fn is_modified(&self) -> bool {
        let baseline_changed = self.doc.clean_baseline.is_some()
            && self.savable_baseline().map(crate::document::file::to_raw_baseline) != self.doc.clean_baseline;
        self.doc.scenario != self.doc.clean || baseline_changed
    }
    pub fn can_undo(&self) -> usize {
        self.history.undo.len()
    }
    pub fn can_redo(&self) -> usize {
        self.history.redo.len()
    }

    /// The levers the panel lists, in order.
    pub fn levers(&self) -> Vec<ParamRef> {
        let p = self.view.provider;
        match self.view.lever_view {
            LeverView::Mission => vec![
                ParamRef::PARITY,
                ParamRef::CEILING,
                ParamRef::self_chip_volume(p),
                ParamRef::lock_in(p),
            ],
            LeverView::All => MarketKey::ALL
                .iter()
                .map(|&k| ParamRef::Market(k))
                .chain(ProviderKey::ALL.iter().map(|&k| ParamRef::Provider(p, k)))
                .collect(),
        }
    }

    pub fn selected_ref(&self) -> Option<ParamRef> {
        self.levers().get(self.view.lever).copied()
    }

    /// A lever's value in force at the cursor quarter.
    pub fn value(&self, r: ParamRef) -> f64 {
        self.doc.scenario.value_at(r, self.view.cursor)
    }

    /// The value in force at the cursor quarter, as the lever panel shows it
    /// and as `←`/`→` step from it: the value set there, except for the price
    /// ceiling past the quarter it was set, whose cap in force follows the
    /// cost of serving (MODEL.md §5) and is the run's.
    pub fn in_force(&self, r: ParamRef) -> f64 {
        let t = self.view.cursor;
        let set = self.value(r);
        if !self.follows_run(r) {
            return set;
        }
        self.ceiling_at(t).filter(|v| v.is_finite()).unwrap_or(set)
    }

    /// The price ceiling in force at quarter `t` in the current run.
    fn ceiling_at(&self, t: u32) -> Option<f64> {
        self.run.market.get(t as usize).map(|m| m.price_ceiling_usd_per_mtok)
    }

    /// The quarter where the value in force at the cursor was set: the
    /// lever's latest keyframe at or before the cursor, else the first quarter.
    pub fn set_at(&self, r: ParamRef) -> u32 {
        let t = self.view.cursor;
        self.doc
            .scenario
            .keyframe_quarters(r)
            .filter(|&k| k <= t)
            .max()
            .unwrap_or(0)
    }

    /// True when `r`'s value in force at the cursor is the run's rather than
    /// the one set: the price ceiling after the quarter it was set.
    fn follows_run(&self, r: ParamRef) -> bool {
        r == ParamRef::CEILING && self.view.cursor > 0 && self.set_at(r) != self.view.cursor
    }

    /// Applies one action. Every state change goes through here.
    pub fn update(&mut self, action: Action) {
        if !passive(&action) {
            self.status = None;
            if !matches!(action, Action::Adjust(_)) {
                self.history.gesture = None;
            }
        }
        if self.locked_out(&action) {
            self.status = Some("levers are locked while presenting: L unlocks".into());
            return;
        }
        match action {
            Action::ToggleHelp => self.toggle_help(),
            Action::HelpPage => self.help_page(),
            Action::Dismiss => self.dismiss(),
            Action::Quit => self.quit(),
            Action::QuitDiscard => self.quit_discarding(),
            Action::SaveAndQuit => self.save_then(super::files::Then::Quit),
            Action::Save => self.save_then(super::files::Then::Stay),
            Action::SaveAs => self.save_as(),
            Action::OpenPicker => self.open_picker(),
            Action::PickerMove(by) => self.picker_move(by),
            Action::OpenSelected => self.open_selected(),
            Action::TypeChar(c) => self.type_char(c),
            Action::DeleteChar => self.delete_char(),
            Action::SubmitName => self.submit_name(),
            Action::ConfirmOverwrite => self.confirm_overwrite(),
            Action::SaveThenContinue => self.save_then_continue(),
            Action::DiscardThenContinue => self.discard_then_continue(),
            Action::FindAutosave => self.find_autosave(),
            Action::RecoverAutosave => self.recover_autosave(),
            Action::DiscardAutosave => self.discard_autosave(),
            Action::Autosave => self.autosave(),
            Action::CheckDisk => self.check_disk(),
            Action::ReloadFromDisk => self.reload_from_disk(),
            Action::KeepMine => self.overlays.clear(),
            Action::PrevLever => self.move_lever(-1),
            Action::NextLever => self.move_lever(1),
            Action::SelectLever(i) => self.select_lever(i),
            Action::Adjust(step) => self.adjust(step),
            Action::SetLeverPosition { lever, position, drag } => self.set_position(lever, position, drag),
            Action::EndDrag => self.view.drag = None,
            Action::RemoveKeyframe => self.remove_keyframe(),
            Action::ToggleAllParams => self.toggle_all_params(),
            Action::NextProvider => self.move_provider(1),
            Action::PrevProvider => self.move_provider(-1),
            Action::StepBack => self.set_cursor(self.view.cursor.saturating_sub(1)),
            Action::StepForward => self.set_cursor(self.view.cursor.saturating_add(1)),
            Action::FirstQuarter => self.set_cursor(0),
            Action::LastQuarter => self.set_cursor(self.run.last()),
            Action::SetCursor(t) => self.set_cursor(t),
            Action::TogglePlay => self.toggle_play(),
            Action::Faster => self.play.speed = (self.play.speed + 1).min(SPEEDS.len() - 1),
            Action::Slower => self.play.speed = self.play.speed.saturating_sub(1),
            Action::Tick => self.tick(),
            Action::ShowTab(tab) => self.view.tab = tab,
            Action::ToggleObservations => self.toggle_observations(),
            Action::ToggleBaseline => self.toggle_baseline(),
            Action::Undo => self.undo(),
            Action::Redo => self.redo(),
            Action::ScrollLog(n) => self.scroll_log(n),
            Action::Resize { width, height } => self.view.viewport = Rect::new(0, 0, width, height),
            Action::RunMonteCarlo => self.run_monte_carlo(),
            Action::CancelJobs => self.cancel_jobs(),
            Action::PollJobs => self.poll_jobs(),
            Action::ShowSensitivity => self.open_analysis(Mode::Tornado),
            Action::ShowOptimum => self.open_analysis(Mode::Optimum),
            Action::ApplyOptimum => self.apply_optimum(),
            Action::ShowAttribution => self.open_analysis(Mode::Waterfall),
            Action::NextAnalysisKpi => self.next_analysis_kpi(),
            Action::Meeting(m) => self.meeting_update(m),
            Action::EditValue => self.edit_value(),
            Action::SubmitValue => self.submit_value(),
            Action::ResetLever => self.reset_lever(),
            Action::ClearKeyframes => self.clear_keyframes(),
            Action::ResetAll => self.reset_all(),
            Action::OpenPalette => self.open_palette(),
            Action::PaletteMove(by) => self.palette_move(by),
            Action::PaletteRun => self.palette_run(),
            Action::AddProvider => self.add_provider(),
            Action::TemplateMove(by) => self.template_move(by),
            Action::TemplateChosen => self.template_chosen(),
            Action::RenameProvider => self.rename_provider(),
            Action::RecolourProvider => self.recolour_provider(),
            Action::RemoveProvider => self.remove_provider(),
            Action::ConfirmRemove => self.confirm_remove(),
            Action::SubmitProviderName => self.submit_provider_name(),
            Action::OpenParams => self.open_params(),
            Action::ParamsMove(by) => self.params_move(by),
            Action::EditParam => self.edit_param(),
            Action::UnknownKey(c) => {
                self.status = Some(format!("{c} does nothing here: ? lists the keys, : finds any command"))
            }
        }
    }

    fn save_then_continue(&mut self) {
        let then = std::mem::take(&mut self.doc.files.pending);
        self.save_then(then);
    }

    fn select_lever(&mut self, i: usize) {
        if i < self.levers().len() {
            self.view.lever = i;
        }
    }

    fn quit_discarding(&mut self) {
        self.discard_autosave_file();
        self.quit_now();
    }

    fn toggle_help(&mut self) {
        if self.mode() == Mode::Help {
            self.overlays.pop();
        } else {
            self.overlays.push(Overlay::Help(String::new()));
        }
    }

    /// Tab in the help: the keys, or what the screen shows.
    fn help_page(&mut self) {
        let next = match self.overlays.top() {
            Some(Overlay::Help(_)) => Overlay::Glossary,
            Some(Overlay::Glossary) => Overlay::Help(String::new()),
            _ => return,
        };
        self.overlays.pop();
        self.overlays.push(next);
    }

    fn quit(&mut self) {
        // Quitting from a presentation first ends it, undoing its beats' lever changes.
        self.meeting_update(super::present::MeetingAction::Leave);
        if self.is_modified() {
            self.overlays.set(Overlay::ConfirmQuit);
            self.play.playing = false;
        } else {
            self.quit_now();
        }
    }

    fn move_lever(&mut self, by: i64) {
        let n = self.levers().len().max(1) as i64;
        self.view.lever = (self.view.lever as i64 + by).rem_euclid(n) as usize;
    }

    fn move_provider(&mut self, by: i64) {
        let n = self.doc.scenario.providers.len().max(1) as i64;
        self.view.provider = (self.view.provider as i64 + by).rem_euclid(n) as usize;
        self.refresh_analysis_panel();
    }

    fn toggle_all_params(&mut self) {
        let selected = self.selected_ref();
        self.view.lever_view = match self.view.lever_view {
            LeverView::Mission => LeverView::All,
            LeverView::All => LeverView::Mission,
        };
        self.view.lever = selected
            .and_then(|r| self.levers().iter().position(|&l| l == r))
            .unwrap_or(0);
    }

    fn toggle_play(&mut self) {
        if !self.play.playing && self.view.cursor >= self.run.last() {
            self.view.cursor = 0;
        }
        self.play.playing = !self.play.playing;
    }

    fn tick(&mut self) {
        if self.play.playing {
            self.set_cursor(self.view.cursor + 1);
            if self.view.cursor >= self.run.last() {
                self.play.playing = false;
            }
        }
    }

    fn toggle_observations(&mut self) {
        self.view.observations = !self.view.observations;
        self.status = Some(if self.view.observations {
            "◎ observed history on the share and price charts (all: cloudstrat backtest)".into()
        } else {
            "observations hidden".into()
        });
    }

    fn toggle_baseline(&mut self) {
        let in_file = self.doc.clean_baseline.is_some();
        if self.baseline.take().is_some() {
            self.doc.pinned = None;
            self.status = Some(if in_file {
                "baseline unpinned (the file's baseline goes at the next save)".into()
            } else {
                "baseline unpinned".into()
            });
        } else {
            self.baseline = Some(self.run.clone());
            self.doc.pinned = Some(self.doc.scenario.clone());
            self.status = Some("baseline pinned: ghost lines show this run (saved with the file at Ctrl-s)".into());
        }
        self.note_revisions();
    }

    fn scroll_log(&mut self, n: i32) {
        let len = self.run.events_until(self.view.cursor).count();
        let to = (self.view.log_scroll as i64 + i64::from(n)).clamp(0, len.saturating_sub(1) as i64);
        self.view.log_scroll = to as usize;
    }

    fn set_cursor(&mut self, t: u32) {
        self.view.cursor = t.min(self.run.last());
        let len = self.run.events_until(self.view.cursor).count();
        self.view.log_scroll = self.view.log_scroll.min(len.saturating_sub(1));
    }

    fn adjust(&mut self, step: Step) {
        let Some(r) = self.selected_ref() else { return };
        // A step writes the cursor's quarter (the base value at the first), so
        // it starts from the value in force there: `←` always lowers what binds.
        if self.follows_run(r) && self.batch.pending {
            self.simulate_now();
        }
        let old = self.in_force(r);
        let scale = Scale::for_spec(&r.spec());
        let mut new = scale.step(old, step);
        // A value in force off the grid ($13.04) may lie next to a round one
        // ($13.0): a step goes on to one that reads differently.
        let unit = r.spec().unit;
        if unit.format(new) == unit.format(old) {
            new = scale.step(new, step);
        }
        if new == old {
            self.status = Some(format!("{} is at the end of its range", lever_label(r)));
            return;
        }
        // Presses on one lever at one quarter, with nothing else between, are one undo step.
        let at = self.view.cursor;
        let coalesce = self.history.gesture == Some((r, at));
        self.apply_lever(r, new, coalesce);
        self.history.gesture = Some((r, at));
    }

    fn set_position(&mut self, lever: usize, position: f64, drag: bool) {
        let Some(r) = self.levers().get(lever).copied() else {
            return;
        };
        self.view.lever = lever;
        let continuing = drag && self.view.drag == Some(lever);
        self.view.drag = Some(lever);
        let new = Scale::for_spec(&r.spec()).value_at(position);
        if new != self.in_force(r) {
            self.apply_lever(r, new, continuing);
        }
    }

    /// Sets `r` to `v` from the cursor quarter on, records it for undo and re-simulates.
    /// `coalesce` folds it into the previous change of the same lever (a slider drag).
    fn apply_lever(&mut self, r: ParamRef, v: f64, coalesce: bool) {
        let at = self.view.cursor;
        let before = LeverState::of(&self.doc.scenario, r, at);
        let log = &mut self.lever_log;
        log.start.get_or_insert_with(|| self.doc.scenario.clone());
        match log.steps.last_mut() {
            Some(last) if coalesce && last.0 == at && last.1 == r => last.2 = v,
            _ => log.steps.push((at, r, v)),
        }
        self.doc.scenario.set_lever(r, at, v);
        let after = LeverState::of(&self.doc.scenario, r, at);
        self.record(r, at, before, after, coalesce);
    }

    /// The lever moves so far (see [`LeverLog`]).
    pub fn lever_log(&self) -> &LeverLog {
        &self.lever_log
    }

    fn remove_keyframe(&mut self) {
        let Some(r) = self.selected_ref() else { return };
        let at = self.view.cursor;
        let label = lever_label(r);
        if at == 0 {
            self.status = Some(format!(
                "{label}: the first quarter holds the base value, not a keyframe"
            ));
            return;
        }
        let before = LeverState::of(&self.doc.scenario, r, at);
        if self.doc.scenario.remove_keyframe(r, at) {
            let after = LeverState::of(&self.doc.scenario, r, at);
            self.record(r, at, before, after, false);
            self.status = Some(format!(
                "{label}: keyframe at {} removed",
                self.doc.scenario.quarter_at(at).label()
            ));
        } else {
            self.status = Some(format!(
                "{label} has no keyframe at {}",
                self.doc.scenario.quarter_at(at).label()
            ));
        }
    }

    fn record(&mut self, target: ParamRef, at: u32, before: LeverState, after: LeverState, coalesce: bool) {
        match self.history.undo.last_mut() {
            Some(Edit::Lever {
                target: t,
                at: a,
                after: last_after,
                what: None,
                ..
            }) if coalesce && *t == target && *a == at => *last_after = after,
            _ => self.push_edit(Edit::Lever {
                target,
                at,
                before,
                after,
                what: None,
            }),
        }
        self.history.redo.clear();
        self.resimulate();
    }

    /// Records a change that says itself (a reset, a provider edit) and re-simulates.
    pub(super) fn push_edit(&mut self, e: Edit) {
        self.history.undo.push(e);
        if self.history.undo.len() > UNDO_LIMIT {
            self.history.undo.remove(0);
            self.history.undo_truncated = true;
        }
        self.history.redo.clear();
        self.resimulate();
    }

    /// Undoes (`forward` false) or redoes an edit and re-simulates; says what
    /// changed, with a price-ceiling change at a later quarter told by its
    /// caps in force.
    fn replay(&mut self, e: &Edit, forward: bool) -> String {
        let cap = self.ceiling_edit_cap(e);
        let what = self.apply_edit(e, forward);
        let what = self.in_force_change(e, cap).unwrap_or(what);
        // A ceiling change's message has simulated already.
        if cap.is_none() {
            self.resimulate();
        }
        what
    }

    fn undo(&mut self) {
        match self.history.undo.pop() {
            Some(e) => {
                let what = self.replay(&e, false);
                self.status = Some(format!("undone: {what}"));
                self.history.redo.push(e);
            }
            None if self.history.undo_truncated => {
                self.status = Some(format!(
                    "nothing more to undo: only the last {UNDO_LIMIT} changes are kept"
                ));
            }
            None => self.status = Some("nothing to undo".into()),
        }
    }

    fn redo(&mut self) {
        match self.history.redo.pop() {
            Some(e) => {
                let what = self.replay(&e, true);
                self.status = Some(format!("redone: {what}"));
                self.history.undo.push(e);
            }
            None => self.status = Some("nothing to redo".into()),
        }
    }

    /// For a price-ceiling change at a later quarter: the cap in force there
    /// now, before the change is undone or redone (the set value alone may not bind).
    fn ceiling_edit_cap(&mut self, e: &Edit) -> Option<f64> {
        let Edit::Lever {
            target, at, what: None, ..
        } = e
        else {
            return None;
        };
        if *target != ParamRef::CEILING || *at == 0 {
            return None;
        }
        if self.batch.pending {
            self.simulate_now();
        }
        self.ceiling_at(*at)
    }

    /// "Price ceiling at 2024 Q3, $12.0/Mtok → $13.0/Mtok": the caps in force
    /// before (`from`) and after an undone or redone ceiling change.
    fn in_force_change(&mut self, e: &Edit, from: Option<f64>) -> Option<String> {
        let from = from?;
        let Edit::Lever { target, at, .. } = e else {
            return None;
        };
        self.simulate_now();
        let to = self.ceiling_at(*at)?;
        let unit = target.spec().unit;
        Some(format!(
            "{} at {}, {} → {} in force",
            lever_label(*target),
            self.doc.scenario.quarter_at(*at).label(),
            unit.format(from),
            unit.format(to)
        ))
    }

    /// Puts the scenario in the state before (`forward` false) or after
    /// the change; says what changed, with the lever's value from → to.
    fn apply_edit(&mut self, e: &Edit, forward: bool) -> String {
        match e {
            Edit::Lever {
                target,
                at,
                before,
                after,
                what,
            } => {
                let from = self.doc.scenario.value_at(*target, *at);
                if forward { after } else { before }.restore(&mut self.doc.scenario);
                let to = self.doc.scenario.value_at(*target, *at);
                if let Some(w) = what {
                    return w.clone();
                }
                if after.bases.len() > 1 {
                    let names: Vec<String> = after.bases.iter().map(|&(r, _)| lever_label(r)).collect();
                    return format!("{} for the whole run", names.join(" and "));
                }
                let unit = target.spec().unit;
                format!(
                    "{} at {}, {} → {}",
                    lever_label(*target),
                    self.doc.scenario.quarter_at(*at).label(),
                    unit.format(from),
                    unit.format(to)
                )
            }
            Edit::Whole { before, after, what } => {
                self.doc.scenario = if forward { after } else { before }.as_ref().clone();
                let n = self.doc.scenario.providers.len();
                self.view.provider = self.view.provider.min(n.saturating_sub(1));
                self.view.lever = self.view.lever.min(self.levers().len().saturating_sub(1));
                what.clone()
            }
        }
    }

    /// Simulates now, even inside a batch (a value in force is needed).
    fn simulate_now(&mut self) {
        let open = self.batch.open;
        self.batch = SimBatch::default();
        self.resimulate();
        self.batch.open = open;
    }

    fn resimulate(&mut self) {
        if self.batch.open {
            self.batch.pending = true;
            return;
        }
        self.run = sim::simulate(&self.doc.scenario);
        self.view.cursor = self.view.cursor.min(self.run.last());
        self.note_revisions();
    }

    /// Where `Save` writes: the file the scenario came from, or (suggested) `saves/<preset>.ron`.
    pub fn save_path(&self) -> PathBuf {
        match &self.doc.source {
            Source::File(p) => p.clone(),
            Source::Preset(name) => self.doc.storage.path_for(name),
        }
    }
}

/// Actions that are not the user's doing (timers, the terminal, a drag
/// going on): they leave the status line and the key gesture alone.
fn passive(action: &Action) -> bool {
    matches!(
        action,
        Action::Tick
            | Action::PollJobs
            | Action::Resize { .. }
            | Action::EndDrag
            | Action::SetLeverPosition { drag: true, .. }
            | Action::Autosave
            | Action::CheckDisk
            | Action::Meeting(super::present::MeetingAction::Frame(_))
    )
}

/// A lever's name for people: "Open-source parity", "Self-chip volume", "PUE".
pub fn lever_label(r: ParamRef) -> String {
    super::paramdoc::label(r)
}
