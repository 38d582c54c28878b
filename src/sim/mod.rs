//! The simulation core: parameters, scenarios, the quarterly engine and its output.
//! No terminal code and no I/O live here; everything is deterministic for a
//! scenario and its seed.

pub mod engine;
pub mod levers;
pub mod metric;
pub mod params;
pub mod quarter;
pub mod roster;
pub mod run;
pub mod scenario;
pub mod story;
pub mod uncertainty;
pub mod unit;

pub use engine::simulate;
pub use metric::Metric;
/// The name a story beat's chart had before it became the one [`Metric`].
pub use metric::Metric as ChartKind;
pub use params::{HardwareGen, MarketKey, MarketParams, ParamSpec, PricingPolicy, ProviderKey, ProviderParams};
pub use quarter::Quarter;
pub use run::{Event, EventKind, MarketQuarter, PriceLimit, ProviderQuarter, Run, Status};
pub use scenario::{Keyframe, Meta, ParamAt, ParamRef, Provider, Rgb, Scenario};
pub use story::Beat;
pub use uncertainty::{Distribution, Uncertain, sample_scenario};
pub use unit::Unit;
