//! Partial results of sharded studies and `cloudstrat merge`, which combines
//! them into exactly the output one machine gives.
//!
//! `--shard K/N` on `montecarlo` or `sweep` computes only shard K's slice of
//! the work and writes a partial result: a JSON document that names its kind,
//! the study (a fingerprint of the scenario and its arguments), the labels the
//! output needs and the shard's numbers (floats as their bits, so nothing is
//! lost in text). `merge` checks that the parts are the N shards of one study,
//! each once, and writes the output.

use super::montecarlo::{self as mc_cmd, McFormat};
use super::sweep::{self as sweep_cmd, SweepFormat, SweepPart};
use super::write_out;
use crate::analysis::montecarlo::{self, McPartial};
use crate::document::CliError;
use crate::output::report::McLabels;
use crate::sim::Scenario;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Marks a partial result, with the version of its layout.
const MAGIC: &str = "cloudstrat partial result 1";

/// Shard `index` (0-based) of `count`, written `K/N` with K from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard, CliError> {
        let bad = || {
            CliError::Usage(format!(
                "--shard {s}: expected K/N with 1 ≤ K ≤ N ≤ 100000, such as 3/8"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || k > n || n > 100_000 {
            return Err(bad());
        }
        Ok(Shard { index: k - 1, count: n })
    }
}

/// What one shard wrote.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Partial {
    Montecarlo {
        fingerprint: u64,
        labels: McLabels,
        format: McFormat,
        part: Box<McPartial>,
    },
    Sweep(Box<SweepPart>),
}

#[derive(Deserialize)]
struct Envelope {
    cloudstrat: String,
    #[serde(flatten)]
    partial: Partial,
}

/// A fingerprint of a scenario as the file format writes it.
pub fn fingerprint(sc: &Scenario) -> u64 {
    crate::document::fnv1a(crate::document::file::to_ron(sc).as_bytes())
}

#[derive(Serialize)]
struct EnvelopeRef<'a> {
    cloudstrat: &'a str,
    #[serde(flatten)]
    partial: &'a Partial,
}

pub fn to_text(p: &Partial) -> Result<String, CliError> {
    let env = EnvelopeRef {
        cloudstrat: MAGIC,
        partial: p,
    };
    let mut s =
        serde_json::to_string(&env).map_err(|e| CliError::Input(format!("cannot write the partial result: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// Reads one partial result, naming the file in any error.
fn read(path: &Path) -> Result<Partial, CliError> {
    let bytes = crate::document::save::read_regular(path, 4 << 30, true)
        .map_err(|e| CliError::Input(format!("{}: cannot read: {e}", path.display())))?;
    let env: Envelope = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Input(format!(
            "{}: not a partial result of `cloudstrat montecarlo --shard` or `sweep --shard` (line {}, column {}: {e})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    if env.cloudstrat != MAGIC {
        return Err(CliError::Input(format!(
            "{}: written by another version of cloudstrat (`{}`); merge parts written by one version",
            path.display(),
            env.cloudstrat
        )));
    }
    Ok(env.partial)
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The partial results, one per shard, in any order.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format (default: the one the shards were asked for).
    #[arg(long, value_name = "csv|json")]
    pub format: Option<String>,
}

pub fn cmd_merge(a: &MergeArgs) -> Result<(), CliError> {
    let parts = a.parts.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
    let format = a.format.as_deref();
    let text = match parts.first() {
        Some(Partial::Montecarlo { .. }) => merge_montecarlo(parts, format)?,
        Some(Partial::Sweep(_)) => merge_sweep(parts, format)?,
        None => return Err(CliError::Usage("merge: name at least one partial result".into())),
    };
    write_out(a.out.as_deref(), &text)
}

fn mixed() -> CliError {
    CliError::Input("the partial results mix a Monte Carlo and a sweep; merge the shards of one study".into())
}

fn merge_montecarlo(parts: Vec<Partial>, format: Option<&str>) -> Result<String, CliError> {
    let mut first: Option<(u64, McLabels, McFormat)> = None;
    let mut shards = Vec::new();
    for p in parts {
        let Partial::Montecarlo {
            fingerprint,
            labels,
            format,
            part,
        } = p
        else {
            return Err(mixed());
        };
        match &first {
            None => first = Some((fingerprint, labels, format)),
            Some((f, ..)) if *f != fingerprint => {
                return Err(CliError::Input(format!(
                    "shard {} of {} was computed from another scenario",
                    part.shard + 1,
                    part.shards
                )));
            }
            Some(_) => {}
        }
        shards.push(*part);
    }
    let (_, labels, asked) = first.ok_or_else(|| CliError::Usage("merge: no partial results".into()))?;
    let format = match format {
        None => asked,
        Some(f) => McFormat::from_str(f, true).map_err(|_| CliError::Usage(format!("--format {f}: csv or json")))?,
    };
    let seed = shards.first().map_or(0, |p| p.seed);
    let result = montecarlo::merge(&shards).map_err(CliError::Input)?;
    mc_cmd::check_skipped(&labels.name, &result)?;
    Ok(mc_cmd::text(&labels, &result, seed, format))
}

fn merge_sweep(parts: Vec<Partial>, format: Option<&str>) -> Result<String, CliError> {
    let sweeps = parts
        .into_iter()
        .map(|p| match p {
            Partial::Sweep(s) => Ok(*s),
            Partial::Montecarlo { .. } => Err(mixed()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let format = match format {
        None => None,
        Some(f) => {
            Some(SweepFormat::from_str(f, true).map_err(|_| CliError::Usage(format!("--format {f}: csv or json")))?)
        }
    };
    sweep_cmd::merge(sweeps, format)
}

use clap::ValueEnum as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_written_k_of_n_from_one() {
        assert_eq!(Shard::parse("1/4").ok(), Some(Shard { index: 0, count: 4 }));
        assert_eq!(Shard::parse("4/4").ok(), Some(Shard { index: 3, count: 4 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "1/100001"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
