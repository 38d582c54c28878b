//! Text forms of a run: the league table, CSV and JSON. Pure functions from a
//! scenario and its run to a string; writing them out is the caller's job.

// The number formats moved to `crate::format`; these names stay for callers
// written against `report`.
pub use crate::format::{musd, num, pct, usd_mtok};
use crate::sim::{Run, Scenario, Status};
use serde::Serialize;

/// The CSV header; the first thirteen columns are a stable interface.
pub const CSV_HEADER: &str = "quarter,provider,status,share,price_usd_per_mtok,cost_usd_per_mtok,tokens_mtok,revenue_musd,gross_margin,operating_profit_musd,cash_musd,ecosystem,self_chip_share,debt_musd,capex_musd,capacity_mtok,utilization,fleet_k,net_profit_musd,interest_musd,cap_usd_per_mtok,price_limit";

/// Providers ranked by share at quarter `t` (active first), as indices.
pub fn ranking(run: &Run, t: u32) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..run.providers).collect();
    idx.sort_by(|&a, &b| {
        let (ra, rb) = (run.row(t, a), run.row(t, b));
        (rb.status == Status::Active)
            .cmp(&(ra.status == Status::Active))
            .then(rb.share.total_cmp(&ra.share))
            .then(a.cmp(&b))
    });
    idx
}

/// Header of `league_rows`.
pub const LEAGUE_HEADER: [&str; 13] = [
    "#",
    "provider",
    "share",
    "price",
    "unit cost",
    "gross margin",
    "cum. profit",
    "cum. net profit",
    "cash",
    "debt",
    "net cash",
    "own chip",
    "status",
];

/// The league table at quarter `t` as text cells, ranked: rank, provider, share,
/// price, unit cost, gross margin, cumulative operating profit, cumulative net
/// profit, cash, debt, net cash, own-silicon share, status. An exited
/// provider's price, cost and margin are "–": it sells nothing.
pub fn league_rows(sc: &Scenario, run: &Run, t: u32) -> Vec<[String; 13]> {
    ranking(run, t)
        .into_iter()
        .enumerate()
        .map(|(rank, i)| {
            let r = run.row(t, i);
            let selling = r.status == Status::Active;
            let or_dash = |text: String| if selling { text } else { "–".to_string() };
            [
                (rank + 1).to_string(),
                sc.providers[i].name.clone(),
                pct(r.share),
                or_dash(usd_mtok(r.price_usd_per_mtok)),
                or_dash(usd_mtok(r.cost_usd_per_mtok)),
                or_dash(pct(r.gross_margin)),
                musd(run.cumulative_profit(i, t)),
                musd(run.cumulative_net_profit(i, t)),
                musd(r.cash_musd),
                musd(r.debt_musd),
                musd(r.cash_musd - r.debt_musd),
                pct(r.self_chip_share),
                r.status.name().to_string(),
            ]
        })
        .collect()
}

/// The league table at the horizon, a market summary and the event log.
pub fn table(sc: &Scenario, run: &Run) -> String {
    let t = run.last();
    let mut s = format!(
        "{}\n{} to {} ({} quarters), seed {}\n\n",
        sc.meta.name,
        sc.start,
        sc.end(),
        run.quarters,
        sc.seed
    );
    s.push_str(&format!("League table at {}\n", run.quarter(t).label()));
    let line = |c: &[&str]| {
        let text = format!(
            "{:>2}  {:<14} {:>7} {:>9} {:>9} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}  {}",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12]
        );
        format!("{}\n", text.trim_end())
    };
    s.push_str(&line(&[
        "#",
        "provider",
        "share",
        "price",
        "cost",
        "margin",
        "cum.profit",
        "cum.net",
        "cash",
        "debt",
        "net cash",
        "own chip",
        "status",
    ]));
    for row in league_rows(sc, run, t) {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        s.push_str(&line(&cells));
    }
    let unserved = pct(run.market[t as usize].unserved_share());
    s.push_str(&line(&[
        "", "unserved", &unserved, "", "", "", "", "", "", "", "", "", "",
    ]));
    let mq = &run.market[t as usize];
    // With nobody selling there is no average price (the engine keeps a reference one).
    let selling = run.quarter_rows(t).iter().any(|r| r.status == Status::Active);
    let average = if selling {
        format!("{}/Mtok", usd_mtok(mq.avg_price_usd_per_mtok))
    } else {
        "– (no provider active)".to_string()
    };
    s.push_str(&format!(
        "\nMarket: demand {} Mtok/quarter, average price {average}, price ceiling {}/Mtok, open-model cap {}/Mtok, parity {}\n",
        num(mq.demand_mtok),
        usd_mtok(mq.price_ceiling_usd_per_mtok),
        usd_mtok(mq.open_model_cap_usd_per_mtok),
        crate::format::pct0(mq.open_source_parity)
    ));
    s.push_str(
        "\nShares of demand; prices in USD per million tokens; money per quarter; net cash is cash less debt.\n",
    );
    if !run.events.is_empty() {
        s.push_str("\nEvents\n");
        for e in &run.events {
            s.push_str(&format!("{}  {}\n", run.quarter(e.at), e.message(sc)));
        }
    }
    s
}

/// One row per provider per quarter.
pub fn csv(sc: &Scenario, run: &Run) -> String {
    // A row is about 330 bytes: one allocation for the whole file.
    let mut s = String::with_capacity(CSV_HEADER.len() + 1 + run.rows.len() * 384);
    s.push_str(CSV_HEADER);
    s.push('\n');
    let mut f = crate::float::FloatText::new();
    for t in 0..run.quarters {
        let quarter = run.quarter(t).to_string();
        for (i, p) in sc.providers.iter().enumerate() {
            let r = run.row(t, i);
            s.push_str(&quarter);
            s.push(',');
            s.push_str(&p.id);
            s.push(',');
            s.push_str(r.status.name());
            for v in [
                r.share,
                r.price_usd_per_mtok,
                r.cost_usd_per_mtok,
                r.tokens_mtok,
                r.revenue_musd,
                r.gross_margin,
                r.operating_profit_musd,
                r.cash_musd,
                r.ecosystem,
                r.self_chip_share,
                r.debt_musd,
                r.capex_musd,
                r.capacity_mtok,
                r.utilization,
                r.fleet_k,
                r.net_profit_musd,
                r.interest_musd,
                r.cap_usd_per_mtok,
            ] {
                s.push(',');
                f.push(&mut s, v);
            }
            s.push(',');
            s.push_str(r.price_limit.key());
            s.push('\n');
        }
    }
    s
}

#[derive(Serialize)]
struct JsonRow<'a> {
    quarter: String,
    provider: &'a str,
    #[serde(flatten)]
    row: &'a crate::sim::ProviderQuarter,
}

#[derive(Serialize)]
struct JsonEvent {
    quarter: String,
    message: String,
    #[serde(flatten)]
    event: crate::sim::Event,
}

#[derive(Serialize)]
struct JsonMarket<'a> {
    quarter: String,
    #[serde(flatten)]
    market: &'a crate::sim::MarketQuarter,
}

#[derive(Serialize)]
struct JsonRun<'a> {
    name: &'a str,
    description: &'a str,
    author: Option<&'a str>,
    created: String,
    modified: String,
    start: String,
    end: String,
    quarters: u32,
    seed: u64,
    providers: Vec<JsonProvider<'a>>,
    rows: Vec<JsonRow<'a>>,
    market: Vec<JsonMarket<'a>>,
    events: Vec<JsonEvent>,
}

#[derive(Serialize)]
struct JsonProvider<'a> {
    id: &'a str,
    name: &'a str,
    color: String,
}

/// The run with the scenario's metadata and the events.
pub fn json(sc: &Scenario, run: &Run) -> String {
    let doc = JsonRun {
        name: &sc.meta.name,
        description: &sc.meta.description,
        author: sc.meta.author.as_deref(),
        created: sc.meta.created.to_rfc3339(),
        modified: sc.meta.modified.to_rfc3339(),
        start: sc.start.to_string(),
        end: sc.end().to_string(),
        quarters: run.quarters,
        seed: sc.seed,
        providers: sc
            .providers
            .iter()
            .map(|p| JsonProvider {
                id: &p.id,
                name: &p.name,
                color: p.color.hex(),
            })
            .collect(),
        rows: (0..run.quarters)
            .flat_map(|t| {
                sc.providers.iter().enumerate().map(move |(i, p)| JsonRow {
                    quarter: run.quarter(t).to_string(),
                    provider: &p.id,
                    row: run.row(t, i),
                })
            })
            .collect(),
        market: run
            .market
            .iter()
            .enumerate()
            .map(|(t, m)| JsonMarket {
                quarter: run.quarter(t as u32).to_string(),
                market: m,
            })
            .collect(),
        events: run
            .events
            .iter()
            .map(|e| JsonEvent {
                quarter: run.quarter(e.at).to_string(),
                message: e.message(sc),
                event: *e,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// What the Monte Carlo outputs name besides the numbers: the scenario's
/// name, quarter labels, provider ids and uncertain inputs. A partial result
/// of a sharded study carries them, so that merging needs no scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct McLabels {
    pub name: String,
    pub quarters: Vec<String>,
    pub providers: Vec<String>,
    pub uncertain: Vec<String>,
}

impl McLabels {
    pub fn of(sc: &Scenario) -> McLabels {
        McLabels {
            name: sc.meta.name.clone(),
            quarters: (0..sc.quarters).map(|t| sc.quarter_at(t).to_string()).collect(),
            providers: sc.providers.iter().map(|p| p.id.clone()).collect(),
            uncertain: sc.uncertainty.iter().map(|u| u.label(sc)).collect(),
        }
    }
}

/// Monte Carlo percentiles as CSV: one row per quarter, provider and KPI,
/// with the samples the percentiles rest on and the share of runs in which
/// the provider has exited by that quarter.
pub fn mc_csv(l: &McLabels, r: &crate::analysis::montecarlo::McResult) -> String {
    let mut s = String::with_capacity(r.pct.len() * 96);
    s.push_str("quarter,provider,kpi,p5,p25,p50,p75,p95,samples,exit_share\n");
    let mut f = crate::float::FloatText::new();
    for (t, quarter) in (0..r.quarters).zip(&l.quarters) {
        for (i, id) in l.providers.iter().enumerate() {
            let exit = r.exit_share(t, i);
            for k in crate::analysis::Kpi::ALL {
                let v = r.get(t, i, k);
                s.push_str(quarter);
                s.push(',');
                s.push_str(id);
                s.push(',');
                s.push_str(k.name());
                for x in v {
                    s.push(',');
                    s.push_str(f.format(x));
                }
                s.push(',');
                s.push_str(&r.samples_at(t, i, k).to_string());
                s.push(',');
                s.push_str(f.format(exit));
                s.push('\n');
            }
        }
    }
    s
}

#[derive(Serialize)]
struct McRow<'a> {
    quarter: String,
    provider: &'a str,
    kpi: &'static str,
    p5: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
    samples: u32,
    exit_share: f64,
}

/// Monte Carlo percentiles as JSON, with the study's metadata.
pub fn mc_json(l: &McLabels, r: &crate::analysis::montecarlo::McResult, seed: u64) -> String {
    let mut rows = Vec::new();
    for (t, quarter) in (0..r.quarters).zip(&l.quarters) {
        for (i, id) in l.providers.iter().enumerate() {
            for k in crate::analysis::Kpi::ALL {
                let [p5, p25, p50, p75, p95] = r.get(t, i, k);
                rows.push(McRow {
                    quarter: quarter.clone(),
                    provider: id,
                    kpi: k.name(),
                    p5,
                    p25,
                    p50,
                    p75,
                    p95,
                    samples: r.samples_at(t, i, k),
                    exit_share: r.exit_share(t, i),
                });
            }
        }
    }
    let doc = serde_json::json!({
        "name": l.name,
        "runs": r.runs,
        "skipped": r.skipped,
        "seed": seed,
        "uncertain": l.uncertain,
        "percentiles": rows,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// A KPI value in its unit: "$63.7B", "$0.42", "12.5%".
pub fn kpi_text(k: crate::analysis::Kpi, v: f64) -> String {
    use crate::analysis::Kpi;
    match k {
        Kpi::CumulativeProfit | Kpi::Cash | Kpi::OperatingProfit | Kpi::CumulativeNetProfit | Kpi::NetProfit => musd(v),
        Kpi::Price | Kpi::Cost => usd_mtok(v),
        Kpi::Share | Kpi::Ecosystem | Kpi::SelfChipShare | Kpi::GrossMargin => pct(v),
    }
}

/// A tornado bar of `width` cells over `[lo, hi]`: `░` from the base to the
/// outcome with the input low, `█` from the base to the outcome with it high,
/// `│` at the base.
fn tornado_bar(low: f64, high: f64, base: f64, lo: f64, hi: f64, width: usize) -> String {
    let span = (hi - lo).max(1e-12);
    let pos = |x: f64| {
        (((x - lo) / span) * (width - 1) as f64)
            .round()
            .clamp(0.0, (width - 1) as f64) as usize
    };
    let (b, l, h) = (pos(base), pos(low), pos(high));
    (0..width)
        .map(|c| {
            if c == b {
                '│'
            } else if (c > b && c <= h) || (c < b && c >= h) {
                '█'
            } else if (c > b && c <= l) || (c < b && c >= l) {
                '░'
            } else {
                ' '
            }
        })
        .collect()
}

/// A tornado chart in text: each input's low and high outcome around the base.
pub fn tornado(t: &crate::analysis::sensitivity::Tornado) -> String {
    let mut s = format!(
        "Sensitivity of {} of {} at {} (base {})\nOne input at a time at each end of its range, sorted by swing. ░ input low, █ input high, │ base.\n\n",
        t.kpi,
        t.provider,
        t.quarter,
        kpi_text(t.kpi, t.base)
    );
    let lo = t.bars.iter().flat_map(|b| [b.low, b.high]).fold(t.base, f64::min);
    let hi = t.bars.iter().flat_map(|b| [b.low, b.high]).fold(t.base, f64::max);
    let name_w = t.bars.iter().map(|b| b.input.chars().count()).max().unwrap_or(5).max(5);
    s.push_str(&format!(
        "{:<name_w$}  {:>9} {:>9}  {:>10} {:>10}  {:>10}\n",
        "input", "low", "high", "KPI at low", "at high", "swing"
    ));
    for b in &t.bars {
        s.push_str(&format!(
            "{:<name_w$}  {:>9} {:>9}  {:>10} {:>10}  {:>10}  {}\n",
            b.input,
            num(b.low_input),
            num(b.high_input),
            kpi_text(t.kpi, b.low),
            kpi_text(t.kpi, b.high),
            kpi_text(t.kpi, b.swing),
            tornado_bar(b.low, b.high, t.base, lo, hi, 32),
        ));
    }
    for (input, why) in &t.skipped {
        s.push_str(&format!(
            "{input}: left out, an end of its range breaks a rule `check` enforces ({why})\n"
        ));
    }
    s
}

pub fn optimum(o: &crate::analysis::optimize::Optimum) -> String {
    let mut s = format!("Best response of {} for {}\n", o.provider, o.kpi);
    for (i, ((k, v), (lo, hi))) in o.settings.iter().zip(&o.ranges).enumerate() {
        // In the lever's unit, as the dashboard shows it ("3.38M/q", "85%").
        let shown = |x: f64| o.refs.get(i).map_or_else(|| num(x), |r| r.spec().unit.format(x));
        s.push_str(&format!(
            "  {k} = {}   (searched {} to {})\n",
            shown(*v),
            shown(*lo),
            shown(*hi)
        ));
    }
    s.push_str(&format!(
        "{}: {} at the current settings, {} at the optimum (gain {})\n",
        o.kpi,
        kpi_text(o.kpi, o.start),
        kpi_text(o.kpi, o.best),
        kpi_text(o.kpi, o.gain())
    ));
    if o.skipped > 0 {
        s.push_str(&format!(
            "{} points of the search broke a rule `check` enforces (such as initial shares above 1) and were not considered\n",
            o.skipped
        ));
    }
    s
}

pub fn equilibrium(e: &crate::analysis::optimize::Equilibrium) -> String {
    let mut s = if e.converged {
        format!(
            "Best responses converged after {} round(s): no provider wants to move.\n\n",
            e.rounds
        )
    } else {
        format!(
            "Best responses did not converge within {} round(s); the last round's responses:\n\n",
            e.rounds
        )
    };
    for o in &e.optima {
        s.push_str(&optimum(o));
        s.push('\n');
    }
    s
}

pub fn attribution(a: &crate::analysis::attribution::Attribution, kpi: crate::analysis::Kpi) -> String {
    if a.parts.is_empty() {
        return format!(
            "{kpi}: {} in both; no lever or parameter differs between the two strategies\n",
            kpi_text(kpi, a.base)
        );
    }
    let mut s = format!(
        "{kpi}: {} in the baseline, {} now, change {} ({} attribution)\n",
        kpi_text(kpi, a.base),
        kpi_text(kpi, a.current),
        kpi_text(kpi, a.current - a.base),
        a.method
    );
    let mut acc = a.base;
    for p in &a.parts {
        let (k, v) = (&p.key, p.contribution);
        acc += v;
        s.push_str(&format!(
            "  {k:<45} {:>+12}   running {}\n",
            kpi_text(kpi, v),
            kpi_text(kpi, acc)
        ));
    }
    s
}

fn keyframe_text(sc: &Scenario, r: crate::sim::ParamRef) -> String {
    let kf: Vec<String> = sc
        .keyframes
        .iter()
        .filter(|k| k.target == r)
        .map(|k| format!("{}: {}", sc.quarter_at(k.at), num(k.value)))
        .collect();
    if kf.is_empty() { "-".into() } else { kf.join(", ") }
}

/// A diff row when parameter `ra` of `a` and `rb` of `b` differ in base value or keyframes.
fn compare_row(
    a: &Scenario,
    b: &Scenario,
    key: String,
    ra: Option<crate::sim::ParamRef>,
    rb: Option<crate::sim::ParamRef>,
) -> Option<[String; 5]> {
    let exact = |sc: &Scenario, r: crate::sim::ParamRef| {
        let kf: Vec<(u32, f64)> = sc
            .keyframes
            .iter()
            .filter(|k| k.target == r)
            .map(|k| (k.at, k.value))
            .collect();
        (sc.base_value(r), kf)
    };
    if ra.map(|r| exact(a, r)) == rb.map(|r| exact(b, r)) {
        return None;
    }
    let (x, xk) = ra.map_or(("absent".into(), String::new()), |r| {
        (num(a.base_value(r)), keyframe_text(a, r))
    });
    let (y, yk) = rb.map_or(("absent".into(), String::new()), |r| {
        (num(b.base_value(r)), keyframe_text(b, r))
    });
    Some([key, x, xk, y, yk])
}

/// Differences between two strategies: settings first, then outcomes at each
/// one's horizon for every provider id they share.
pub fn diff(name_a: &str, a: &Scenario, name_b: &str, b: &Scenario) -> String {
    use crate::sim::{MarketKey, ParamRef, ProviderKey};
    let mut s = format!("A: {name_a} ({})\nB: {name_b} ({})\n\n", a.meta.name, b.meta.name);
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut general = |what: &str, x: String, y: String| {
        if x != y {
            rows.push([what.to_string(), x, String::new(), y, String::new()]);
        }
    };
    general("start", a.start.to_string(), b.start.to_string());
    general("quarters", a.quarters.to_string(), b.quarters.to_string());
    general("seed", a.seed.to_string(), b.seed.to_string());
    for &k in MarketKey::ALL {
        let r = Some(ParamRef::Market(k));
        rows.extend(compare_row(a, b, format!("market.{}", k.name()), r, r));
    }
    let mut ids: Vec<&str> = a.providers.iter().map(|p| p.id.as_str()).collect();
    ids.extend(
        b.providers
            .iter()
            .map(|p| p.id.as_str())
            .filter(|id| a.provider_index(id).is_none()),
    );
    for id in &ids {
        let (ia, ib) = (a.provider_index(id), b.provider_index(id));
        for &k in ProviderKey::ALL {
            rows.extend(compare_row(
                a,
                b,
                format!("providers.{id}.{}", k.name()),
                ia.map(|i| ParamRef::Provider(i, k)),
                ib.map(|i| ParamRef::Provider(i, k)),
            ));
        }
        if let (Some(ia), Some(ib)) = (ia, ib) {
            let (pa, pb) = (&a.providers[ia], &b.providers[ib]);
            if pa.pricing != pb.pricing {
                rows.push([
                    format!("providers.{id}.pricing"),
                    pa.pricing.name().into(),
                    String::new(),
                    pb.pricing.name().into(),
                    String::new(),
                ]);
            }
        }
    }
    if a.hardware != b.hardware {
        rows.push([
            "hardware".into(),
            format!("{} generations", a.hardware.len()),
            String::new(),
            format!("{} generations (differ)", b.hardware.len()),
            String::new(),
        ]);
    }
    s.push_str("Settings that differ\n");
    if rows.is_empty() {
        s.push_str("  none: the two strategies have the same levers and parameters\n");
    } else {
        let w = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0);
        s.push_str(&format!(
            "  {:<w$}  {:>10} {:<24} {:>10} {}\n",
            "key", "A", "keyframes (A)", "B", "keyframes (B)"
        ));
        for r in &rows {
            s.push_str(&format!(
                "  {:<w$}  {:>10} {:<24} {:>10} {}\n",
                r[0], r[1], r[2], r[3], r[4]
            ));
        }
    }
    let (ra, rb) = (crate::sim::simulate(a), crate::sim::simulate(b));
    let (ta, tb) = (ra.last(), rb.last());
    s.push_str(&format!(
        "\nOutcomes at the horizon (A: {}, B: {})\n",
        ra.quarter(ta),
        rb.quarter(tb)
    ));
    s.push_str(&format!(
        "  {:<14} {:>8} {:>8} {:>9}   {:>10} {:>10} {:>10}   {:>9} {:>9} {:>9}   {}\n",
        "provider",
        "share A",
        "share B",
        "change",
        "cum.prof A",
        "cum.prof B",
        "change",
        "cash A",
        "cash B",
        "change",
        "status A / B"
    ));
    for id in &ids {
        let (ia, ib) = (a.provider_index(id), b.provider_index(id));
        let get = |run: &Run, i: Option<usize>, t: u32| {
            i.map(|i| {
                (
                    run.row(t, i).share,
                    run.cumulative_profit(i, t),
                    run.row(t, i).cash_musd,
                    run.row(t, i).status.name(),
                )
            })
        };
        let (x, y) = (get(&ra, ia, ta), get(&rb, ib, tb));
        let cell = |v: Option<f64>, f: fn(f64) -> String| v.map_or_else(|| "-".to_string(), f);
        let delta = |p: Option<f64>, q: Option<f64>, f: fn(f64) -> String| match (p, q) {
            (Some(p), Some(q)) => {
                let t = f(q - p);
                if q >= p {
                    format!("+{}", t.trim_start_matches('+'))
                } else {
                    t
                }
            }
            _ => "-".into(),
        };
        let pp = |v: f64| format!("{:.1}pt", v * 100.0);
        s.push_str(&format!(
            "  {:<14} {:>8} {:>8} {:>9}   {:>10} {:>10} {:>10}   {:>9} {:>9} {:>9}   {} / {}\n",
            id,
            cell(x.map(|v| v.0), pct),
            cell(y.map(|v| v.0), pct),
            delta(x.map(|v| v.0), y.map(|v| v.0), pp),
            cell(x.map(|v| v.1), musd),
            cell(y.map(|v| v.1), musd),
            delta(x.map(|v| v.1), y.map(|v| v.1), musd),
            cell(x.map(|v| v.2), musd),
            cell(y.map(|v| v.2), musd),
            delta(x.map(|v| v.2), y.map(|v| v.2), musd),
            x.map_or("-", |v| v.3),
            y.map_or("-", |v| v.3),
        ));
    }
    s
}
