//! The war game: rules driven without sockets, the game file, bots, replay,
//! and (in `wargame_net`) games over loopback.

use cloudstrat::analysis::optimize::optimize_from;
use cloudstrat::cli::wargame::run_hotseat;
use cloudstrat::document::presets;
use cloudstrat::sim::{EventKind, ParamRef, ProviderKey, Scenario, simulate};
use cloudstrat::ui::ScriptedEvents;
use cloudstrat::wargame::file::{GameFile, Session, game_to_ron, parse, session_to_ron};
use cloudstrat::wargame::report::{Audience, round_report};
use cloudstrat::wargame::screens::{HotSeat, Stage};
use cloudstrat::wargame::{Game, SeatKind, SeatSpec};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

pub fn scenario() -> Scenario {
    presets::load("default").unwrap().unwrap()
}

pub fn humans(ids: &[&str]) -> Vec<SeatSpec> {
    ids.iter()
        .map(|id| SeatSpec {
            id: (*id).into(),
            kind: SeatKind::Human,
            token: format!("token-{id}"),
        })
        .collect()
}

/// The same decisions put straight into the scenario as `--set KEY@QUARTER=VALUE` would.
fn direct(sc: &Scenario, game: &Game) -> Scenario {
    let mut out = sc.clone();
    for seat in &game.seats {
        for &k in &game.keys {
            let r = ParamRef::Provider(seat.provider, k);
            out.keyframes.retain(|kf| !(kf.target == r && kf.at > 0));
        }
    }
    for round in &game.rounds {
        for (seat, d) in game.seats.iter().zip(&round.decisions) {
            for (&k, &v) in game.keys.iter().zip(&d.values) {
                out.set_lever(ParamRef::Provider(seat.provider, k), round.from, v);
            }
        }
    }
    out
}

#[test]
fn resolving_a_round_reveals_only_up_to_its_last_quarter_and_matches_the_engine() {
    let sc = scenario();
    let mut g = Game::new(sc.clone(), &humans(&["hyper", "eco", "neo"]), 4).unwrap();
    assert_eq!(g.round_count(), 8);
    assert_eq!(g.view(Some(0)).rows.len(), 0, "nothing is public before round 1");
    let mut v = g.in_force(2);
    let markup = g.keys.iter().position(|&k| k == ProviderKey::markup).unwrap();
    v[markup] = 0.9;
    g.submit(2, v).unwrap();
    // Another seat sees that neo has submitted, not what.
    let seen = g.view(Some(0));
    assert!(seen.seats[2].submitted);
    assert!(seen.you.as_ref().unwrap().sealed.is_none());
    assert_eq!(g.view(Some(2)).you.unwrap().sealed.unwrap()[markup], 0.9);
    g.resolve(true).unwrap();
    let view = g.view(Some(0));
    assert_eq!(view.revealed_through, Some(3));
    assert_eq!(view.rows.len(), 4);
    let expect = simulate(&direct(&sc, &g));
    for t in 0..4 {
        for (p, o) in view.rows[t as usize].iter().enumerate() {
            assert_eq!(o.share, expect.row(t, p).share);
            assert_eq!(o.cash_musd, expect.row(t, p).cash_musd);
        }
    }
    assert!(!g.rounds[0].decisions[0].submitted && g.rounds[0].decisions[2].submitted);
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn keys(text: &str) -> Vec<Event> {
    text.chars().map(|c| key(KeyCode::Char(c))).collect()
}

fn screen(t: &Terminal<TestBackend>) -> String {
    format!("{}", t.backend())
}

/// Runs the hot-seat loop over `events`, returning the screen at the end.
fn play(hot: &mut HotSeat, t: &mut Terminal<TestBackend>, path: &std::path::Path, events: Vec<Event>) -> String {
    run_hotseat(t, hot, &mut ScriptedEvents::new(events), path)
        .unwrap()
        .unwrap();
    screen(t)
}

#[test]
fn a_whole_hot_seat_game_driven_by_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("game.ron");
    let mut specs = humans(&["hyper", "neo"]);
    specs.push(SeatSpec {
        id: "lab".into(),
        kind: SeatKind::Bot,
        token: String::new(),
    });
    let sc = scenario();
    let game = Game::new(sc.clone(), &specs, 8).unwrap();
    let markup = game.keys.iter().position(|&k| k == ProviderKey::markup).unwrap();
    let mut hot = HotSeat::new(game);
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    assert!(matches!(hot.stage, Stage::Cover(0)));
    for round in 1..=4u32 {
        // hyper: select markup, type a value of its own, submit.
        let mut ev = vec![key(KeyCode::Enter), key(KeyCode::Down), key(KeyCode::Down)];
        ev.extend(keys(&format!("0.{}7", round)));
        ev.push(key(KeyCode::Enter));
        let s = play(&mut hot, &mut t, &path, ev);
        assert!(s.contains(&format!("0.{}7", round)), "hyper sees its own typing:\n{s}");
        let s = play(&mut hot, &mut t, &path, vec![key(KeyCode::Char('s'))]);
        assert!(s.contains("Pass the keyboard to seat neo"), "{s}");
        assert!(
            !s.contains(&format!("0.{}7", round)),
            "the cover hides hyper's decision:\n{s}"
        );
        // neo: opens its screen, which does not show hyper's decision either.
        let s = play(&mut hot, &mut t, &path, vec![key(KeyCode::Enter)]);
        assert!(
            s.contains("seat neo (NeoCloud)") && !s.contains(&format!("0.{}7", round)),
            "{s}"
        );
        // neo raises its lock-in a step and submits; the facilitator resolves.
        let s = play(
            &mut hot,
            &mut t,
            &path,
            vec![
                key(KeyCode::Down),
                key(KeyCode::Right),
                key(KeyCode::Enter),
                key(KeyCode::Char('s')),
            ],
        );
        assert!(s.contains("press Enter to resolve"), "{s}");
        let s = play(&mut hot, &mut t, &path, vec![key(KeyCode::Enter)]);
        assert!(
            s.contains(&format!("Round {round} of 4")) && s.contains("League table at"),
            "{s}"
        );
        assert_eq!(hot.game.rounds.len(), round as usize);
        assert_eq!(
            hot.game.rounds[round as usize - 1].decisions[0].values[markup],
            format!("0.{round}7").parse::<f64>().unwrap()
        );
        if round < 4 {
            play(&mut hot, &mut t, &path, vec![key(KeyCode::Enter)]);
        }
    }
    assert!(hot.game.is_over());
    let s = screen(&t);
    assert!(s.contains("Final ranking") && s.contains("the game is over"), "{s}");
    // The file written after the last round holds the whole game, and its
    // results are the engine's for the same decisions.
    let GameFile::Game { game, .. } = cloudstrat::wargame::file::load(&path).unwrap() else {
        panic!("not a game")
    };
    assert_eq!(game.rounds, hot.game.rounds);
    let run = simulate(&direct(&sc, &game));
    for (i, seat) in game.seats.iter().enumerate() {
        let last = game.rounds.last().unwrap();
        assert_eq!(last.results[i].cash_musd, run.row(31, seat.provider).cash_musd);
        assert_eq!(
            last.results[i].cumulative_net_profit_musd,
            run.cumulative_net_profit(seat.provider, 31)
        );
    }
    // A round's report exports like `cloudstrat export`.
    let s = play(&mut hot, &mut t, &path, vec![key(KeyCode::Char('x'))]);
    assert!(s.contains("round 4 exported to"), "{s}");
    let report = std::fs::read_to_string(dir.path().join("game-exports/round-4/report.md")).unwrap();
    assert!(report.contains("round 4"), "{report}");
    let text = std::fs::read_to_string(dir.path().join("game-exports/round-4/round-report.txt")).unwrap();
    assert_eq!(text, round_report(&hot.game, 4, Audience::Facilitator));
}

#[test]
fn a_seat_that_does_not_submit_keeps_its_last_decisions() {
    let mut g = Game::new(scenario(), &humans(&["eco", "open"]), 4).unwrap();
    let mut v = g.in_force(0);
    v[1] = 0.9;
    g.submit(0, v.clone()).unwrap();
    g.resolve(false).unwrap();
    // Round 2: eco does not submit; the facilitator forces the round.
    g.resolve(true).unwrap();
    assert!(g.rounds[1].forced);
    assert!(!g.rounds[1].decisions[0].submitted);
    assert_eq!(g.rounds[1].decisions[0].values, v);
    // Values outside a parameter's range are refused, whole.
    let mut bad = g.in_force(1);
    bad[1] = 1.5;
    let e = g.submit(1, bad).unwrap_err().to_string();
    assert!(e.contains("ecosystem_lock_in") && e.contains("0 to 1"), "{e}");
    assert!(!g.submitted(1));
}

#[test]
fn results_once_revealed_never_change_and_others_decisions_stay_out_of_the_log() {
    let mut g = Game::new(scenario(), &humans(&["hyper", "eco", "neo"]), 4).unwrap();
    g.resolve(true).unwrap();
    let before = g.view(Some(1)).rows.clone();
    let mut v = g.in_force(0);
    v[0] = 75.0; // hyper's self-chip volume, from round 2
    g.submit(0, v).unwrap();
    g.resolve(true).unwrap();
    let after = g.view(Some(1));
    assert_eq!(&after.rows[..4], &before[..]);
    let hyper_chips = ParamRef::self_chip_volume(g.seats[0].provider);
    let line = g
        .run()
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::KeyframeApplied { target, .. } if target == hyper_chips))
        .map(|e| e.message(&g.resolved_scenario()))
        .expect("hyper's decision is applied as a keyframe in round 2");
    let leaked = |view: &cloudstrat::wargame::SeatView| view.events.iter().any(|(_, t)| *t == line);
    assert!(
        !leaked(&after),
        "eco must not read hyper's decision in the log: {:?}",
        after.events
    );
    assert!(leaked(&g.view(Some(0))), "hyper sees its own decision applied");
    let report = round_report(&g, 2, Audience::Players);
    assert!(!report.contains(&line), "{report}");
    assert!(round_report(&g, 2, Audience::Facilitator).contains(&line));
    assert!(round_report(&g, 2, Audience::Facilitator).contains("Decisions"));
}

#[test]
fn a_bot_seat_decides_what_the_best_response_search_finds() {
    let specs = vec![
        SeatSpec {
            id: "neo".into(),
            kind: SeatKind::Bot,
            token: String::new(),
        },
        humans(&["hyper"]).remove(0),
    ];
    let mut g = Game::new(scenario(), &specs, 8).unwrap();
    g.resolve(true).unwrap();
    // Round 2, from quarter 8, every other seat holding what is in force.
    let sc = g.resolved_scenario();
    let o = optimize_from(
        &sc,
        g.seats[0].provider,
        &g.keys,
        cloudstrat::wargame::SCORE,
        sc.quarters - 1,
        8,
    );
    let expect: Vec<f64> = o.settings.iter().map(|(_, v)| *v).collect();
    assert_eq!(g.pending[0].as_ref(), Some(&expect));
    assert!(!g.all_submitted() && g.submitted(0));
    // Its decision is never worse for it than keeping what it had.
    assert!(o.best >= o.start);
}

#[test]
fn the_game_file_brings_back_everything_and_replay_reproduces_every_round() {
    let mut g = Game::new(scenario(), &humans(&["hyper", "lab"]), 8).unwrap();
    g.seats[1].name = Some("Ann".into());
    let mut v = g.in_force(0);
    v[2] = 0.4;
    g.submit(0, v).unwrap();
    g.resolve(false).unwrap();
    g.resolve(true).unwrap();
    let mut sealed = g.in_force(1);
    sealed[3] = 0.2;
    g.submit(1, sealed.clone()).unwrap();
    let text = game_to_ron(&g, Some("127.0.0.1:7000"));
    let GameFile::Game { game: back, listen } = parse(&text, "g.ron").unwrap() else {
        panic!()
    };
    assert_eq!(listen.as_deref(), Some("127.0.0.1:7000"));
    assert_eq!(back.rounds, g.rounds);
    assert_eq!(back.pending, g.pending, "a sealed decision survives a crash");
    assert_eq!(back.seats, g.seats, "names and tokens come back");
    let replay = cloudstrat::cli::wargame::replay_text(
        &GameFile::Game {
            game: back,
            listen: None,
        },
        None,
    )
    .unwrap();
    for n in 1..=2 {
        assert!(
            replay.contains(&round_report(&g, n, Audience::Facilitator)),
            "round {n}"
        );
    }
    // A file whose recorded results were edited is caught.
    let edited = text.replacen("cash_musd: ", "cash_musd: 1", 1);
    let e = parse(&edited, "g.ron").unwrap_err().to_string();
    assert!(e.contains("differ from what its decisions give"), "{e}");
    // A scenario value out of range names its place in the game file.
    let parity = text.find("open_source_parity: ").expect("parity") + "open_source_parity: ".len();
    let end = parity + text[parity..].find(',').expect("comma");
    let broken = format!("{}1.7{}", &text[..parity], &text[end..]);
    let e = parse(&broken, "g.ron").unwrap_err().to_string();
    let before = &broken[..parity];
    let line = 1 + before.matches('\n').count();
    let col = 1 + before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count();
    assert_eq!(
        e,
        format!("g.ron: {line}:{col}: scenario.market.open_source_parity: 1.7 is out of range; allowed 0 to 1")
    );
    // Malformed files name the place.
    let e = parse("(format: \"cloudstrat-wargame\", version: 1,", "g.ron")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("g.ron:"), "{e}");
}

#[test]
fn a_recorded_session_replays_step_by_step() {
    let sc = scenario();
    let neo = sc.provider_index("neo").unwrap();
    let session = Session {
        scenario: sc.clone(),
        steps: vec![(8, ParamRef::PARITY, 0.9), (0, ParamRef::lock_in(neo), 0.4)],
    };
    let text = session_to_ron(&session);
    let GameFile::Session(back) = parse(&text, "s.ron").unwrap() else {
        panic!()
    };
    assert_eq!(*back, session);
    let out = cloudstrat::cli::wargame::replay_text(&GameFile::Session(back.clone()), None).unwrap();
    assert!(
        out.contains("Step 1 of 2: market.open_source_parity") && out.contains("Step 2 of 2"),
        "{out}"
    );
    let mut direct = sc.clone();
    direct.set_lever(ParamRef::PARITY, 8, 0.9);
    direct.set_lever(ParamRef::lock_in(neo), 0, 0.4);
    assert_eq!(simulate(&back.after(2)), simulate(&direct));
}

#[test]
fn a_scenario_can_name_its_decisions_and_old_files_get_the_default_list() {
    let sc = scenario();
    assert_eq!(sc.decisions, None);
    assert_eq!(
        sc.decision_keys(),
        vec![
            ProviderKey::self_chip_volume,
            ProviderKey::ecosystem_lock_in,
            ProviderKey::markup,
            ProviderKey::policy_strength,
            ProviderKey::ecosystem_invest_musd,
            ProviderKey::capacity_headroom
        ]
    );
    let text = cloudstrat::document::file::to_ron(&sc);
    assert!(!text.contains("decisions"), "not written when not set");
    let mut named = sc.clone();
    named.decisions = Some(vec![ProviderKey::markup, ProviderKey::rented_fraction]);
    let text = cloudstrat::document::file::to_ron(&named);
    let back = cloudstrat::document::file::parse(&text, "d.ron").unwrap();
    assert_eq!(back.decisions, named.decisions);
    assert_eq!(cloudstrat::document::file::to_ron(&back), text);
    let bad = text.replace("\"rented_fraction\"", "\"initial_share\"");
    let e = cloudstrat::document::file::parse(&bad, "d.ron")
        .unwrap_err()
        .to_string();
    assert!(e.contains("decisions[1]") && e.contains("starting position"), "{e}");
    let bad = text.replace("\"rented_fraction\"", "\"mark_up\"");
    let e = cloudstrat::document::file::parse(&bad, "d.ron")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("decisions[1]") && e.contains("not a provider parameter"),
        "{e}"
    );
}

#[test]
fn a_dashboard_session_records_its_lever_moves_and_replays_them() {
    use cloudstrat::document::Source;
    use cloudstrat::ui::{Action, App, Step, Theme};
    let mut a = App::new(scenario(), Source::Preset("default".into()), Theme::COLOR);
    a.update(Action::Resize { width: 120, height: 40 });
    a.update(Action::Adjust(Step::Up)); // parity, whole run
    a.update(Action::Adjust(Step::Up)); // the same gesture: one move
    a.update(Action::SetCursor(9));
    a.update(Action::NextLever);
    a.update(Action::Adjust(Step::BigDown)); // the next lever, from quarter 9
    let log = a.lever_log();
    assert_eq!(log.steps.len(), 2, "{:?}", log.steps);
    assert_eq!(log.steps[1].0, 9);
    let session = Session {
        scenario: log.start.clone().unwrap(),
        steps: log.steps.clone(),
    };
    let GameFile::Session(back) = parse(&session_to_ron(&session), "s.ron").unwrap() else {
        panic!()
    };
    assert_eq!(simulate(&back.after(2)), simulate(a.scenario()));
    assert_ne!(simulate(&back.after(1)), simulate(a.scenario()));
}

#[test]
fn the_replay_screen_steps_round_by_round() {
    let mut g = Game::new(scenario(), &humans(&["hyper", "eco"]), 8).unwrap();
    for _ in 0..4 {
        g.resolve(true).unwrap();
    }
    let file = GameFile::Game {
        game: Box::new(g.clone()),
        listen: None,
    };
    let mut replay = cloudstrat::wargame::screens::ReplayScreen::new(file, 1);
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    for n in 1..=4u32 {
        t.draw(|f| replay.draw(f)).unwrap();
        let s = screen(&t);
        assert!(s.contains(&format!("Round {n} of 4")), "{s}");
        let (_, to) = g.span(n);
        assert!(
            s.contains(&format!("League table at {}", g.scenario.quarter_at(to).label())),
            "{s}"
        );
        assert!(replay.key(&KeyEvent::new(KeyCode::Right, KeyModifiers::NONE)));
    }
    let s = screen(&t);
    assert!(s.contains("Final ranking"), "{s}");
    assert!(!replay.key(&KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)));
}

/// A hot-seat game after one resolved round, at each of its stages.
fn stages() -> Vec<(&'static str, HotSeat)> {
    let mut g = Game::new(scenario(), &humans(&["hyper", "neo"]), 8).unwrap();
    let mut v = g.in_force(0);
    v[2] = 0.8;
    g.submit(0, v).unwrap();
    g.resolve(false).unwrap();
    let mut cover = HotSeat::new(g);
    cover.stage = Stage::Cover(1);
    let mut decide = cover.clone();
    decide.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    decide.key(&KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    let mut ready = cover.clone();
    ready.stage = Stage::Ready;
    let mut results = cover.clone();
    results.stage = Stage::Results(1);
    vec![
        ("cover", cover),
        ("decide", decide),
        ("ready", ready),
        ("results", results),
    ]
}

#[test]
fn snapshots_of_the_hot_seat_screens() {
    for (name, hot) in stages() {
        for (w, h) in [(120, 40), (80, 24)] {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| hot.draw(f)).unwrap();
            insta::assert_snapshot!(format!("wargame_{name}_{w}x{h}"), t.backend());
        }
    }
}

#[test]
fn every_war_game_screen_draws_in_tiny_terminals() {
    use cloudstrat::wargame::net::{Host, HostOptions, lock};
    use cloudstrat::wargame::protocol::StateMsg;
    use cloudstrat::wargame::screens::{Facilitator, PlayerScreen, ReplayScreen};
    let dir = tempfile::tempdir().unwrap();
    let g = stages().remove(0).1.game;
    let host = Host::start(
        g.clone(),
        &dir.path().join("g.ron"),
        "127.0.0.1:0",
        HostOptions::default(),
    )
    .unwrap();
    let mut player = PlayerScreen::new();
    player.update(StateMsg {
        view: g.view(Some(0)),
        paused: true,
        round_seconds: 5,
        round_limit_seconds: Some(60),
        report: round_report(&g, 1, Audience::Players),
    });
    let replay = ReplayScreen::new(
        GameFile::Game {
            game: Box::new(g.clone()),
            listen: None,
        },
        1,
    );
    for (w, h) in [(1, 1), (2, 2), (20, 5), (40, 12)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        for (_, hot) in stages() {
            t.draw(|f| hot.draw(f)).unwrap();
        }
        t.draw(|f| Facilitator::default().draw(f, &lock(&host.shared))).unwrap();
        t.draw(|f| player.draw(f)).unwrap();
        t.draw(|f| replay.draw(f)).unwrap();
    }
}
