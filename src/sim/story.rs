//! Story beats: the steps of a presentation, stored in the strategy file.
//! Plain data; stepping through them is the dashboard's job.

use super::metric::Metric;
use super::scenario::ParamRef;

/// One step of a story: where to be, what to show and what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Beat {
    /// Quarter index from the start.
    pub at: u32,
    pub title: String,
    pub narration: String,
    /// The presenter's private notes: shown in `cloudstrat notes`, never to the audience.
    pub notes: String,
    pub chart: Metric,
    /// Provider index whose figures are headlined.
    pub focus: usize,
    /// Lever values set (as keyframes at `at`) when the beat is reached.
    pub levers: Vec<(ParamRef, f64)>,
}
