//! Decision analysis in the dashboard: background jobs and the results they leave.
//!
//! A job (Monte Carlo, sensitivity, best response, attribution) runs off the
//! drawing thread through a [`JobRunner`] and reports over a channel; `App`
//! takes its news on `Action::PollJobs`, which the event loop sends every
//! ~100 ms while a job runs (and never otherwise, so an idle dashboard still
//! sleeps). Every result keeps the [`Request`] it answers — scenario,
//! provider, KPI, quarter, baseline — so the screen can tell a current result
//! from one that a lever change has made stale. The maths is `analysis`'s;
//! nothing here draws.

use crate::analysis::Kpi;
use crate::analysis::attribution::{self, Attribution};
use crate::analysis::montecarlo::{self, McResult};
use crate::analysis::optimize::{self, Optimum};
use crate::analysis::sensitivity::{self, Tornado};
use crate::sim::{MarketKey, Provider, ProviderKey, Scenario};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::time::Duration;

/// Samples in a dashboard Monte Carlo.
pub const MC_RUNS: usize = 2000;
/// How often the event loop looks at a running job.
pub const JOB_POLL: Duration = Duration::from_millis(100);
/// The levers the best-response search moves.
pub const OPTIMIZED_LEVERS: [ProviderKey; 2] = [ProviderKey::self_chip_volume, ProviderKey::ecosystem_lock_in];
/// KPIs the tornado and the waterfall cycle through with `k`, default first.
pub const PANEL_KPIS: [Kpi; 7] = [
    Kpi::CumulativeProfit,
    Kpi::Share,
    Kpi::CumulativeNetProfit,
    Kpi::Cash,
    Kpi::OperatingProfit,
    Kpi::Ecosystem,
    Kpi::Price,
];

/// A KPI's name for people: "cumulative profit".
pub fn kpi_label(k: Kpi) -> String {
    k.name().replace('_', " ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    MonteCarlo,
    Sensitivity,
    Optimize,
    Attribution,
}

impl JobKind {
    pub fn title(self) -> &'static str {
        match self {
            JobKind::MonteCarlo => "Monte Carlo",
            JobKind::Sensitivity => "sensitivity",
            JobKind::Optimize => "best response",
            JobKind::Attribution => "attribution",
        }
    }
}

/// Which state of the model a result belongs to: a number computed once per
/// simulation from everything that decides the outcome (not the file's
/// metadata nor the presentation beats, which a save or a story edit change
/// without changing any outcome). Two scenarios that simulate alike have the
/// same revision, so undoing a change makes a result current again, and
/// telling a current result from a stale one each frame compares two numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Revision(u64);

impl Revision {
    /// The revision of `sc`'s model: everything that decides the outcome,
    /// hashed field by field (floats by their bits), without formatting any
    /// of it. Computed after every change. The structs are destructured, so
    /// that a field added to one is a decision here.
    pub fn of(sc: &Scenario) -> Revision {
        use crate::sim::{Distribution, HardwareGen, Keyframe, Rgb, Uncertain};
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let Scenario {
            meta: _,
            start,
            quarters,
            seed,
            market,
            hardware,
            hardware_from,
            providers,
            keyframes,
            uncertainty,
            story: _,
            decisions: _,
        } = sc;
        fn float(h: &mut impl Hasher, v: f64) {
            h.write_u64(v.to_bits());
        }
        for &k in MarketKey::ALL {
            float(&mut h, market.get(k));
        }
        providers.len().hash(&mut h);
        for Provider {
            id,
            name,
            color: Rgb(r, g, b),
            pricing,
            params,
        } in providers
        {
            (id, name, (r, g, b), pricing.name()).hash(&mut h);
            for &k in ProviderKey::ALL {
                float(&mut h, params.get(k));
            }
        }
        (start, quarters, seed, hardware_from).hash(&mut h);
        hardware.len().hash(&mut h);
        for HardwareGen {
            name,
            available,
            bandwidth_tb_s,
            hbm_gb,
            tflops,
            power_kw,
            build_cost_usd,
        } in hardware
        {
            (name, available).hash(&mut h);
            for v in [bandwidth_tb_s, hbm_gb, tflops, power_kw, build_cost_usd] {
                float(&mut h, *v);
            }
        }
        keyframes.len().hash(&mut h);
        for &Keyframe { at, target, value } in keyframes {
            (at, target).hash(&mut h);
            float(&mut h, value);
        }
        uncertainty.len().hash(&mut h);
        for &Uncertain { target, at, dist } in uncertainty {
            (target, at).hash(&mut h);
            let (kind, values) = match dist {
                Distribution::Uniform { min, max } => (0u8, [min, max, 0.0, 0.0]),
                Distribution::Triangular { min, mode, max } => (1, [min, mode, max, 0.0]),
                Distribution::Normal { mean, sd, min, max } => (2, [mean, sd, min, max]),
                Distribution::Lognormal {
                    median,
                    sigma,
                    min,
                    max,
                } => (3, [median, sigma, min, max]),
            };
            kind.hash(&mut h);
            for v in values {
                float(&mut h, v);
            }
        }
        Revision(h.finish())
    }
}

/// The revisions of the scenario on screen and of the pinned baseline, as of the last simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revisions {
    pub scenario: Revision,
    pub baseline: Option<Revision>,
}

impl Revisions {
    pub fn of(sc: &Scenario, baseline: Option<&Scenario>) -> Revisions {
        Revisions {
            scenario: Revision::of(sc),
            baseline: baseline.map(Revision::of),
        }
    }
}

/// Everything an analysis result depends on, and the scenarios its job computes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub kind: JobKind,
    pub scenario: Scenario,
    /// The pinned baseline's scenario (attribution only).
    pub baseline: Option<Scenario>,
    /// The revisions of `scenario` and `baseline`.
    pub revision: Revision,
    pub baseline_revision: Option<Revision>,
    pub provider: usize,
    pub kpi: Kpi,
    /// Quarter index the KPI is measured at.
    pub quarter: u32,
}

/// True when two scenarios simulate alike: everything but the file's metadata
/// and the presentation beats, which a save or a story edit change without
/// changing any outcome.
pub fn same_model(a: &Scenario, b: &Scenario) -> bool {
    a.start == b.start
        && a.quarters == b.quarters
        && a.seed == b.seed
        && a.market == b.market
        && a.hardware == b.hardware
        && a.hardware_from == b.hardware_from
        && a.providers == b.providers
        && a.keyframes == b.keyframes
        && a.uncertainty == b.uncertainty
}

/// A question as the dashboard asks it now, borrowing its scenario (copied
/// only when a job starts) and carrying its revisions, which are all that
/// checking a result's freshness every frame compares.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub kind: JobKind,
    pub scenario: &'a Scenario,
    pub baseline: Option<&'a Scenario>,
    pub revision: Revision,
    pub baseline_revision: Option<Revision>,
    pub provider: usize,
    pub kpi: Kpi,
    pub quarter: u32,
}

impl Asked<'_> {
    /// The request to start a job for this question.
    pub fn to_request(&self) -> Request {
        Request {
            kind: self.kind,
            scenario: self.scenario.clone(),
            baseline: self.baseline.cloned(),
            revision: self.revision,
            baseline_revision: self.baseline_revision,
            provider: self.provider,
            kpi: self.kpi,
            quarter: self.quarter,
        }
    }
}

impl Request {
    /// The request as a question.
    pub fn asked(&self) -> Asked<'_> {
        Asked {
            kind: self.kind,
            scenario: &self.scenario,
            baseline: self.baseline.as_ref(),
            revision: self.revision,
            baseline_revision: self.baseline_revision,
            provider: self.provider,
            kpi: self.kpi,
            quarter: self.quarter,
        }
    }

    /// True when a result computed for `self` answers `other`.
    pub fn answers(&self, other: &Request) -> bool {
        self.answers_asked(&other.asked())
    }

    /// True when a result computed for `self` answers the question `q`.
    pub fn answers_asked(&self, q: &Asked<'_>) -> bool {
        self.kind == q.kind
            && self.provider == q.provider
            && self.kpi == q.kpi
            && self.quarter == q.quarter
            && self.revision == q.revision
            && self.baseline_revision == q.baseline_revision
    }
}

/// What a finished job hands back.
#[derive(Debug)]
pub enum Outcome {
    /// `None`: cancelled.
    MonteCarlo(Option<McResult>),
    Sensitivity(Tornado),
    Optimize(Optimum),
    Attribution(Attribution),
}

#[derive(Debug)]
enum JobMsg {
    Progress(usize),
    Finished(Outcome),
    Failed(String),
}

type Work = Box<dyn FnOnce(&(dyn Fn(usize) + Sync), &AtomicBool) -> Outcome + Send>;

/// A job ready to run, handed to a [`JobRunner`]. Running it computes the
/// result and sends it to the dashboard.
pub struct JobTask {
    kind: JobKind,
    work: Work,
    tx: Sender<JobMsg>,
    cancel: Arc<AtomicBool>,
}

impl fmt::Debug for JobTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobTask")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl JobTask {
    pub fn kind(&self) -> JobKind {
        self.kind
    }

    /// Computes the result on the calling thread and sends it. If the
    /// dashboard has gone or cancelled the job, the result is dropped.
    pub fn run(self) {
        let tx = self.tx.clone();
        let progress = move |n: usize| {
            let _ = tx.send(JobMsg::Progress(n));
        };
        let outcome = (self.work)(&progress, &self.cancel);
        let _ = self.tx.send(JobMsg::Finished(outcome));
    }

    /// Reports `done` finished samples, as a running Monte Carlo does.
    pub fn report_progress(&self, done: usize) {
        let _ = self.tx.send(JobMsg::Progress(done));
    }

    /// True once the dashboard asked the job to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Where jobs run: a new thread each (the dashboard), on the spot (tests that
/// want the result before the next poll), or wherever a test puts them.
#[derive(Clone)]
pub struct JobRunner(Arc<dyn Fn(JobTask) + Send + Sync>);

impl fmt::Debug for JobRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JobRunner")
    }
}

impl JobRunner {
    pub fn new(run: impl Fn(JobTask) + Send + Sync + 'static) -> JobRunner {
        JobRunner(Arc::new(run))
    }

    /// Each job on its own thread; the sampling inside uses rayon's pool.
    pub fn threads() -> JobRunner {
        JobRunner::new(|task: JobTask| {
            let tx = task.tx.clone();
            let name = format!("cloudstrat {}", task.kind.title());
            if let Err(e) = std::thread::Builder::new().name(name).spawn(move || task.run()) {
                let _ = tx.send(JobMsg::Failed(format!("cannot start a thread: {e}")));
            }
        })
    }

    /// Runs each job to the end before returning; its news waits for the next poll.
    pub fn inline() -> JobRunner {
        JobRunner::new(JobTask::run)
    }

    fn run(&self, task: JobTask) {
        (self.0)(task)
    }
}

/// A job in flight.
#[derive(Debug)]
pub struct Job {
    pub request: Request,
    /// Samples finished so far, and in all (0 when the job cannot tell).
    pub done: usize,
    pub total: usize,
    rx: Receiver<JobMsg>,
    cancel: Arc<AtomicBool>,
}

/// A finished analysis and the request it answers.
#[derive(Debug, Clone)]
pub struct Computed<T> {
    pub request: Request,
    pub value: T,
}

/// What a poll found.
#[derive(Debug, Clone, PartialEq)]
pub enum JobNews {
    Finished(JobKind),
    Cancelled(JobKind),
    Failed(JobKind, String),
}

/// Running jobs and the latest result of each kind.
#[derive(Debug)]
pub struct AnalysisState {
    jobs: Vec<Job>,
    /// The revisions of the scenario on screen and its baseline, noted at
    /// every simulation and every pin (see [`Revision`]).
    pub revisions: Revisions,
    pub fan: Option<Computed<McResult>>,
    pub tornado: Option<Computed<Tornado>>,
    pub optimum: Option<Computed<Optimum>>,
    pub attribution: Option<Computed<Attribution>>,
    /// KPI of the tornado and the waterfall.
    pub kpi: Kpi,
}

impl Default for AnalysisState {
    fn default() -> Self {
        AnalysisState {
            jobs: Vec::new(),
            revisions: Revisions {
                scenario: Revision(0),
                baseline: None,
            },
            fan: None,
            tornado: None,
            optimum: None,
            attribution: None,
            kpi: PANEL_KPIS[0],
        }
    }
}

fn work_for(req: &Request) -> Work {
    let sc = req.scenario.clone();
    let (i, kpi, t) = (req.provider, req.kpi, req.quarter);
    match req.kind {
        JobKind::MonteCarlo => Box::new(move |progress, cancel| {
            Outcome::MonteCarlo(montecarlo::monte_carlo(&sc, MC_RUNS, sc.seed, progress, cancel))
        }),
        JobKind::Sensitivity => Box::new(move |_, _| Outcome::Sensitivity(sensitivity::sensitivity(&sc, i, kpi, t))),
        JobKind::Optimize => {
            Box::new(move |_, _| Outcome::Optimize(optimize::optimize(&sc, i, &OPTIMIZED_LEVERS, kpi, t)))
        }
        JobKind::Attribution => {
            let base = req.baseline.clone().unwrap_or_else(|| sc.clone());
            Box::new(move |_, _| Outcome::Attribution(attribution::attribute(&base, &sc, i, kpi, t)))
        }
    }
}

impl AnalysisState {
    /// Starts `request` with `runner`, replacing any job of the same kind.
    pub fn start(&mut self, runner: &JobRunner, request: Request) {
        self.cancel_kind(request.kind);
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let task = JobTask {
            kind: request.kind,
            work: work_for(&request),
            tx,
            cancel: Arc::clone(&cancel),
        };
        let total = if request.kind == JobKind::MonteCarlo {
            MC_RUNS
        } else {
            0
        };
        self.jobs.push(Job {
            request,
            done: 0,
            total,
            rx,
            cancel,
        });
        runner.run(task);
    }

    pub fn running(&self) -> bool {
        !self.jobs.is_empty()
    }

    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    pub fn job(&self, kind: JobKind) -> Option<&Job> {
        self.jobs.iter().find(|j| j.request.kind == kind)
    }

    /// True when a job already computing `request` runs.
    pub fn computing(&self, q: &Asked<'_>) -> bool {
        self.jobs.iter().any(|j| j.request.answers_asked(q))
    }

    /// Asks the jobs of `kind` to stop and forgets them: their results, if they
    /// still come, are never shown.
    fn cancel_kind(&mut self, kind: JobKind) -> bool {
        let before = self.jobs.len();
        self.jobs.retain(|j| {
            let hit = j.request.kind == kind;
            if hit {
                j.cancel.store(true, Ordering::Relaxed);
            }
            !hit
        });
        before != self.jobs.len()
    }

    /// Stops every running job; returns the kinds stopped.
    pub fn cancel_all(&mut self) -> Vec<JobKind> {
        let kinds: Vec<JobKind> = self.jobs.iter().map(|j| j.request.kind).collect();
        for k in &kinds {
            self.cancel_kind(*k);
        }
        kinds
    }

    /// Takes every message the jobs have sent: progress, results, failures.
    pub fn poll(&mut self) -> Vec<JobNews> {
        let mut news = Vec::new();
        let mut finished = Vec::new();
        for (n, job) in self.jobs.iter_mut().enumerate() {
            loop {
                match job.rx.try_recv() {
                    Ok(JobMsg::Progress(d)) => job.done = job.done.max(d),
                    Ok(JobMsg::Finished(outcome)) => {
                        finished.push((n, Ok(outcome)));
                        break;
                    }
                    Ok(JobMsg::Failed(e)) => {
                        finished.push((n, Err(e)));
                        break;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        finished.push((n, Err("the job stopped without a result".to_string())));
                        break;
                    }
                }
            }
        }
        // Remove from the back so earlier indices stay valid.
        for (n, result) in finished.into_iter().rev() {
            let job = self.jobs.remove(n);
            let kind = job.request.kind;
            let request = job.request;
            news.push(match result {
                Ok(Outcome::MonteCarlo(Some(value))) => {
                    self.fan = Some(Computed { request, value });
                    JobNews::Finished(kind)
                }
                Ok(Outcome::MonteCarlo(None)) => JobNews::Cancelled(kind),
                Ok(Outcome::Sensitivity(value)) => {
                    self.tornado = Some(Computed { request, value });
                    JobNews::Finished(kind)
                }
                Ok(Outcome::Optimize(value)) => {
                    self.optimum = Some(Computed { request, value });
                    JobNews::Finished(kind)
                }
                Ok(Outcome::Attribution(value)) => {
                    self.attribution = Some(Computed { request, value });
                    JobNews::Finished(kind)
                }
                Err(e) => JobNews::Failed(kind, e),
            });
        }
        news.reverse();
        news
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::presets::default_scenario;

    #[test]
    fn every_part_of_the_model_moves_the_revision_and_nothing_else_does() {
        use crate::sim::{Distribution, PricingPolicy};
        let base = default_scenario();
        let r = Revision::of(&base);
        assert_eq!(Revision::of(&base.clone()), r);
        type Change = (&'static str, fn(&mut Scenario));
        let changes: Vec<Change> = vec![
            ("market", |s| s.market.open_source_parity += 0.01),
            ("provider param", |s| s.providers[1].params.self_chip_volume += 1.0),
            ("provider name", |s| s.providers[0].name.push('x')),
            ("provider colour", |s| s.providers[0].color.2 ^= 1),
            ("pricing", |s| s.providers[0].pricing = PricingPolicy::Undercut),
            ("seed", |s| s.seed += 1),
            ("quarters", |s| s.quarters += 1),
            ("hardware", |s| s.hardware[0].tflops += 1.0),
            ("hardware name", |s| s.hardware[0].name.push('x')),
            ("hardware_from", |s| s.hardware_from[0] += 1),
            ("keyframe", |s| s.keyframes[0].value += 0.01),
            ("keyframe at", |s| s.keyframes[0].at += 1),
            ("uncertainty", |s| {
                if let Distribution::Triangular { mode, .. } = &mut s.uncertainty[0].dist {
                    *mode += 0.01;
                } else {
                    s.uncertainty[0].dist = Distribution::Uniform { min: 0.0, max: 1.0 };
                }
            }),
            ("uncertainty at", |s| s.uncertainty[0].at = Some(3)),
        ];
        for (what, change) in changes {
            let mut s = base.clone();
            change(&mut s);
            assert_ne!(Revision::of(&s), r, "{what}");
        }
        let mut s = base.clone();
        s.meta.name.push('x');
        s.story.clear();
        assert_eq!(Revision::of(&s), r, "metadata and story");
    }

    fn request(kind: JobKind, sc: &Scenario) -> Request {
        Request {
            kind,
            scenario: sc.clone(),
            baseline: None,
            revision: Revision::of(sc),
            baseline_revision: None,
            provider: 0,
            kpi: Kpi::CumulativeProfit,
            quarter: sc.quarters - 1,
        }
    }

    #[test]
    fn metadata_does_not_make_a_result_stale_but_a_lever_does() {
        let sc = default_scenario();
        let mut saved = sc.clone();
        saved.meta.modified = chrono::Utc::now();
        saved.meta.name.push_str(" (copy)");
        let r = request(JobKind::Sensitivity, &sc);
        assert!(r.answers(&request(JobKind::Sensitivity, &saved)));
        let mut moved = sc.clone();
        moved.market.open_source_parity += 0.01;
        assert!(!r.answers(&request(JobKind::Sensitivity, &moved)));
        assert!(!r.answers(&request(JobKind::Optimize, &sc)));
    }

    #[test]
    fn an_inline_job_is_ready_at_the_next_poll() {
        let sc = default_scenario();
        let mut st = AnalysisState::default();
        st.start(&JobRunner::inline(), request(JobKind::Sensitivity, &sc));
        assert!(st.running());
        assert_eq!(st.poll(), vec![JobNews::Finished(JobKind::Sensitivity)]);
        assert!(!st.running());
        assert!(st.tornado.is_some());
    }

    #[test]
    fn a_job_dropped_by_its_runner_is_reported_failed() {
        let sc = default_scenario();
        let mut st = AnalysisState::default();
        st.start(&JobRunner::new(drop), request(JobKind::Optimize, &sc));
        assert!(matches!(st.poll().as_slice(), [JobNews::Failed(JobKind::Optimize, _)]));
        assert!(!st.running());
    }
}
