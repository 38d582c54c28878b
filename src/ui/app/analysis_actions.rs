//! `App`'s handlers for the decision-analysis actions: starting, polling and
//! cancelling background jobs, opening the analysis panels, and applying an
//! optimum as one undoable change. The jobs and their results live in
//! `ui::analysis`; the panels are drawn by `widgets`.

use super::{App, LeverState, lever_label};
use crate::analysis::Kpi;
use crate::analysis::attribution::Attribution;
use crate::analysis::montecarlo::McResult;
use crate::analysis::optimize::Optimum;
use crate::analysis::sensitivity::Tornado;
use crate::sim::Scenario;
use crate::ui::analysis::{
    AnalysisState, Computed, JobKind, JobNews, JobRunner, MC_RUNS, PANEL_KPIS, Request, same_model,
};
use crate::ui::analysis::{Asked, Revision, Revisions};
use crate::ui::keymap::Mode;
use crate::ui::overlay::Overlay;

fn panel_kind(mode: Mode) -> Option<JobKind> {
    match mode {
        Mode::Tornado => Some(JobKind::Sensitivity),
        Mode::Optimum => Some(JobKind::Optimize),
        Mode::Waterfall => Some(JobKind::Attribution),
        Mode::Normal
        | Mode::Help
        | Mode::ConfirmQuit
        | Mode::NamePrompt
        | Mode::ConfirmOverwrite
        | Mode::Picker
        | Mode::ConfirmOpen
        | Mode::Message
        | Mode::Recover
        | Mode::Reload
        | Mode::Present
        | Mode::Beats
        | Mode::Prompt
        | Mode::Value
        | Mode::Palette
        | Mode::AddProvider
        | Mode::ProviderName
        | Mode::ConfirmRemove
        | Mode::Params => None,
    }
}

/// Why two scenarios cannot be compared lever by lever, if they cannot.
fn incomparable(base: &Scenario, cur: &Scenario) -> Option<&'static str> {
    let same_providers = base.providers.len() == cur.providers.len()
        && base.providers.iter().zip(&cur.providers).all(|(a, b)| a.id == b.id);
    (!same_providers || base.start != cur.start || base.quarters != cur.quarters)
        .then_some("the baseline has other providers or another horizon: press b twice to pin this run instead")
}

impl App {
    /// Where background analyses run (default: a thread each).
    pub fn with_runner(mut self, runner: JobRunner) -> App {
        self.runner = runner;
        self
    }

    pub fn analysis(&self) -> &AnalysisState {
        &self.analysis
    }

    /// True while a background analysis runs: the loop then polls it.
    pub fn jobs_running(&self) -> bool {
        self.analysis.running()
    }

    /// The quarter analyses measure at: the horizon.
    pub fn analysis_quarter(&self) -> u32 {
        self.run.last()
    }

    /// What an analysis of `kind` would answer now.
    pub fn analysis_asked(&self, kind: JobKind) -> Asked<'_> {
        let (provider, kpi) = match kind {
            // Bands cover every provider and KPI at once.
            JobKind::MonteCarlo => (0, Kpi::CumulativeProfit),
            JobKind::Optimize => (self.view.provider, Kpi::CumulativeProfit),
            JobKind::Sensitivity | JobKind::Attribution => (self.view.provider, self.analysis.kpi),
        };
        let attribution = kind == JobKind::Attribution;
        Asked {
            kind,
            scenario: &self.doc.scenario,
            baseline: self.doc.pinned.as_ref().filter(|_| attribution),
            revision: self.analysis.revisions.scenario,
            baseline_revision: self.analysis.revisions.baseline.filter(|_| attribution),
            provider,
            kpi,
            quarter: self.analysis_quarter(),
        }
    }

    /// Notes the revisions of the scenario and the baseline, after either changed.
    pub(super) fn note_revisions(&mut self) {
        self.analysis.revisions = Revisions::of(&self.doc.scenario, self.doc.pinned.as_ref());
    }

    /// The revision of the model on screen, as the analyses see it.
    pub fn revision(&self) -> Revision {
        self.analysis.revisions.scenario
    }

    /// The request that starts an analysis of `kind` now.
    pub fn analysis_request(&self, kind: JobKind) -> Request {
        self.analysis_asked(kind).to_request()
    }

    /// The Monte Carlo percentiles, if they were computed for the scenario as it is now.
    pub fn fresh_fan(&self) -> Option<&McResult> {
        let q = self.analysis_asked(JobKind::MonteCarlo);
        self.analysis
            .fan
            .as_ref()
            .filter(|c| c.request.answers_asked(&q))
            .map(|c| &c.value)
    }

    /// True when bands exist but belong to an earlier state of the scenario.
    pub fn fan_stale(&self) -> bool {
        self.analysis.fan.is_some() && self.fresh_fan().is_none()
    }

    fn fresh<'a, T>(&self, slot: &'a Option<Computed<T>>, kind: JobKind) -> Option<&'a Computed<T>> {
        let q = self.analysis_asked(kind);
        slot.as_ref().filter(|c| c.request.answers_asked(&q))
    }

    /// The tornado of the selected provider and KPI for the current scenario.
    pub fn current_tornado(&self) -> Option<&Computed<Tornado>> {
        self.fresh(&self.analysis.tornado, JobKind::Sensitivity)
    }

    pub fn current_optimum(&self) -> Option<&Computed<Optimum>> {
        self.fresh(&self.analysis.optimum, JobKind::Optimize)
    }

    pub fn current_attribution(&self) -> Option<&Computed<Attribution>> {
        self.fresh(&self.analysis.attribution, JobKind::Attribution)
    }

    pub(super) fn run_monte_carlo(&mut self) {
        let req = self.analysis_request(JobKind::MonteCarlo);
        if self.fresh_fan().is_some() {
            self.status = Some(format!(
                "the bands are current ({MC_RUNS} runs of this scenario); change a lever to need new ones"
            ));
        } else if self.analysis.computing(&req.asked()) {
            self.status = Some("a Monte Carlo of this scenario is running; Esc cancels it".into());
        } else {
            self.analysis.start(&self.runner, req);
            self.status = Some(format!("Monte Carlo of {MC_RUNS} runs started; Esc cancels"));
        }
    }

    pub(super) fn cancel_jobs(&mut self) {
        let kinds = self.analysis.cancel_all();
        if !kinds.is_empty() {
            let names: Vec<&str> = kinds.iter().map(|k| k.title()).collect();
            self.status = Some(format!("cancelled: {}", names.join(", ")));
        }
    }

    pub(super) fn poll_jobs(&mut self) {
        for news in self.analysis.poll() {
            match news {
                JobNews::Finished(JobKind::MonteCarlo) => {
                    self.status = Some(if self.fresh_fan().is_some() {
                        format!("Monte Carlo done: {MC_RUNS} runs; bands show p5–p95 and p25–p75")
                    } else {
                        "Monte Carlo done, but levers changed meanwhile: press m for current bands".into()
                    });
                }
                JobNews::Finished(_) => {}
                JobNews::Cancelled(kind) => self.status = Some(format!("{} cancelled", kind.title())),
                JobNews::Failed(kind, e) => self.status = Some(format!("{} failed: {e}", kind.title())),
            }
        }
    }

    /// Opens the panel of `mode` and computes its analysis unless a current one exists.
    pub(super) fn open_analysis(&mut self, mode: Mode) {
        let Some(kind) = panel_kind(mode) else { return };
        if kind == JobKind::Attribution {
            let problem = match &self.doc.pinned {
                None => Some(
                    "no baseline pinned: press b to pin this run, change levers, then w shows what moved the result",
                ),
                Some(base) => incomparable(base, &self.doc.scenario),
            };
            if let Some(p) = problem {
                self.status = Some(p.into());
                return;
            }
        }
        self.overlays.set(match mode {
            Mode::Tornado => Overlay::Tornado,
            Mode::Optimum => Overlay::Optimum,
            _ => Overlay::Waterfall,
        });
        self.play.playing = false;
        self.request_analysis(kind);
    }

    /// With a panel open, recomputes it for the provider or KPI now selected.
    pub(super) fn refresh_analysis_panel(&mut self) {
        if let Some(kind) = panel_kind(self.mode()) {
            self.request_analysis(kind);
        }
    }

    fn request_analysis(&mut self, kind: JobKind) {
        let have = match kind {
            JobKind::Sensitivity => self.current_tornado().is_some(),
            JobKind::Optimize => self.current_optimum().is_some(),
            JobKind::Attribution => self.current_attribution().is_some(),
            JobKind::MonteCarlo => self.fresh_fan().is_some(),
        };
        let req = self.analysis_request(kind);
        if !have && !self.analysis.computing(&req.asked()) {
            self.analysis.start(&self.runner, req);
        }
    }

    pub(super) fn next_analysis_kpi(&mut self) {
        let i = PANEL_KPIS
            .iter()
            .position(|&k| k == self.analysis.kpi)
            .map_or(0, |i| i + 1);
        self.analysis.kpi = PANEL_KPIS[i % PANEL_KPIS.len()];
        self.refresh_analysis_panel();
    }

    /// Sets the optimized levers for the whole run, as one change that `u` undoes.
    pub(super) fn apply_optimum(&mut self) {
        let Some(o) = self.current_optimum().map(|c| c.value.clone()) else {
            self.status = Some("no optimum for the scenario as it is: wait for the search, or press o".into());
            return;
        };
        let Some(&target) = o.refs.first() else { return };
        let mut next = self.doc.scenario.clone();
        o.apply(&mut next);
        self.overlays.clear();
        if same_model(&next, &self.doc.scenario) {
            self.status = Some("already at the optimum: nothing to apply".into());
            return;
        }
        let before = LeverState::of_all(&self.doc.scenario, &o.refs);
        self.doc.scenario = next;
        let after = LeverState::of_all(&self.doc.scenario, &o.refs);
        self.record(target, 0, before, after, false);
        let name = self
            .doc
            .scenario
            .providers
            .get(self.view.provider)
            .map_or("?", |p| p.name.as_str());
        let set: Vec<String> = o
            .refs
            .iter()
            .map(|&r| {
                format!(
                    "{} {}",
                    lever_label(r).to_lowercase(),
                    crate::ui::widgets::value_text(r, self.doc.scenario.base_value(r))
                )
            })
            .collect();
        self.status = Some(format!("{name}: {} for the whole run; u undoes", set.join(", ")));
    }
}
