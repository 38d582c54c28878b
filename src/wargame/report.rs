//! A round's results report as text: the league table of the seats at the
//! round's last quarter, each seat's profit and loss and cash, the round's
//! events, and (for the facilitator and the debrief) every seat's decisions.
//! Pure: the replay prints it, the facilitator's screen and the hot-seat
//! results screen show the same lines.

use super::rules::{Game, SeatKind};
use crate::format::{musd, pct, usd_mtok};
use crate::sim::{EventKind, ParamRef, simulate};

/// Who reads the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The room: results only.
    Players,
    /// The facilitator and the debrief: results and every seat's decisions.
    Facilitator,
}

/// The report of resolved round `n` (1-based); empty if it was not resolved.
pub fn round_report(game: &Game, n: u32, audience: Audience) -> String {
    let Some(round) = n.checked_sub(1).and_then(|i| game.rounds.get(i as usize)) else {
        return String::new();
    };
    let sc = game.round_scenario(n);
    let run = simulate(&sc);
    let (from, to) = (round.from, round.to);
    let q = |t: u32| sc.quarter_at(t).label();
    let mut s = format!(
        "Round {n} of {}: {} to {}{}\n",
        game.round_count(),
        q(from),
        q(to),
        if round.forced {
            " (resolved before every seat had submitted)"
        } else {
            ""
        }
    );
    let kept: Vec<&str> = game
        .seats
        .iter()
        .zip(&round.decisions)
        .filter(|(_, d)| !d.submitted)
        .map(|(seat, _)| seat.id.as_str())
        .collect();
    if !kept.is_empty() {
        s.push_str(&format!("Kept their last decisions: {}\n", kept.join(", ")));
    }
    s.push_str(&format!(
        "\nLeague table at {}, ranked by net profit since the start\n",
        q(to)
    ));
    s.push_str(&format!(
        "{:>2}  {:<6} {:<14} {:<12} {:>7} {:>9} {:>9} {:>11} {:>11} {:>10}  {}\n",
        "#", "seat", "provider", "player", "share", "price", "unit cost", "round net", "total net", "cash", "status"
    ));
    let mut order: Vec<usize> = (0..game.seats.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&round.results[a], &round.results[b]);
        x.exited
            .cmp(&y.exited)
            .then(y.cumulative_net_profit_musd.total_cmp(&x.cumulative_net_profit_musd))
            .then(a.cmp(&b))
    });
    for (rank, &i) in order.iter().enumerate() {
        let seat = &game.seats[i];
        let p = seat.provider;
        let row = run.row(to, p);
        let round_net: f64 = (from..=to).map(|t| run.row(t, p).net_profit_musd).sum();
        let player = match (seat.kind, &seat.name) {
            (SeatKind::Bot, _) => "bot".to_string(),
            (SeatKind::Human, Some(n)) => crate::text::truncate(n, 12),
            (SeatKind::Human, None) => "-".to_string(),
        };
        s.push_str(&format!(
            "{:>2}  {:<6} {:<14} {:<12} {:>7} {:>9} {:>9} {:>11} {:>11} {:>10}  {}\n",
            rank + 1,
            seat.id,
            crate::text::truncate(&sc.providers[p].name, 14),
            player,
            pct(row.share),
            usd_mtok(row.price_usd_per_mtok),
            usd_mtok(row.cost_usd_per_mtok),
            musd(round_net),
            musd(round.results[i].cumulative_net_profit_musd),
            musd(row.cash_musd),
            if round.results[i].exited { "exited" } else { "active" }
        ));
    }
    let others: Vec<usize> = (0..sc.providers.len())
        .filter(|p| !game.seats.iter().any(|s| s.provider == *p))
        .collect();
    if !others.is_empty() {
        let names: Vec<String> = others
            .iter()
            .map(|&p| format!("{} {}", sc.providers[p].name, pct(run.row(to, p).share)))
            .collect();
        s.push_str(&format!("Not seated (the scenario plays them): {}\n", names.join(", ")));
    }
    s.push_str(&format!(
        "\nProfit and loss over the round ({})\n{:<6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
        if to == from {
            "1 quarter".to_string()
        } else {
            format!("{} quarters", to - from + 1)
        },
        "seat",
        "revenue",
        "gross pr.",
        "operating",
        "interest",
        "net",
        "capex"
    ));
    for &i in &order {
        let p = game.seats[i].provider;
        let sum = |f: fn(&crate::sim::ProviderQuarter) -> f64| (from..=to).map(|t| f(run.row(t, p))).sum::<f64>();
        s.push_str(&format!(
            "{:<6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
            game.seats[i].id,
            musd(sum(|r| r.revenue_musd)),
            musd(sum(|r| r.revenue_musd - r.cogs_musd)),
            musd(sum(|r| r.operating_profit_musd)),
            musd(sum(|r| r.interest_musd)),
            musd(sum(|r| r.net_profit_musd)),
            musd(sum(|r| r.capex_musd)),
        ));
    }
    let hidden = |target: ParamRef| {
        audience == Audience::Players
            && matches!(target, ParamRef::Provider(p, k)
                if game.keys.contains(&k) && game.seats.iter().any(|s| s.provider == p))
    };
    let events: Vec<String> = run
        .events
        .iter()
        .filter(|e| (from..=to).contains(&e.at))
        .filter(|e| !matches!(e.kind, EventKind::KeyframeApplied { target, .. } if hidden(target)))
        .map(|e| format!("{}  {}\n", q(e.at), e.message(&sc)))
        .collect();
    s.push_str("\nEvents this round\n");
    if events.is_empty() {
        s.push_str("(none)\n");
    }
    for e in events {
        s.push_str(&e);
    }
    if audience == Audience::Facilitator {
        s.push_str("\nDecisions (kept: the seat did not submit)\n");
        s.push_str(&format!("{:<22}", "decision"));
        for (seat, d) in game.seats.iter().zip(&round.decisions) {
            let id = if d.submitted {
                seat.id.clone()
            } else {
                format!("{} (kept)", seat.id)
            };
            s.push_str(&format!(" {id:>12}"));
        }
        s.push('\n');
        for (j, k) in game.keys.iter().enumerate() {
            s.push_str(&format!("{:<22}", crate::text::truncate(k.name(), 22)));
            for d in &round.decisions {
                s.push_str(&format!(" {:>12}", crate::format::sig3(d.values[j])));
            }
            s.push('\n');
        }
    }
    s
}

/// The final ranking after the last round, one line per seat.
pub fn final_ranking(game: &Game) -> String {
    let mut s = String::from("Final ranking (net profit since the start)\n");
    for (rank, &i) in game.ranking().iter().enumerate() {
        let seat = &game.seats[i];
        let Some(res) = game.rounds.last().and_then(|r| r.results.get(i)) else {
            continue;
        };
        s.push_str(&format!(
            "{:>2}. {:<6} {:<14} {:>11}  cash {:>10}{}\n",
            rank + 1,
            seat.id,
            game.scenario.providers[seat.provider].name,
            musd(res.cumulative_net_profit_musd),
            musd(res.cash_musd),
            if res.exited { "  exited" } else { "" }
        ));
    }
    s
}
