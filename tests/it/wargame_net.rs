//! War games over loopback: several players as threads, drop and rejoin, a
//! host stopped and resumed from its file, and hostile clients that must not
//! disturb anyone else.

use super::wargame::{humans, scenario};
use cloudstrat::sim::{ParamRef, simulate};
use cloudstrat::wargame::Game;
use cloudstrat::wargame::file::{GameFile, load};
use cloudstrat::wargame::net::{Host, HostOptions, Player, PlayerError, lock};
use cloudstrat::wargame::protocol::{ClientMsg, ErrorCode, HostMsg, MAX_CLIENT_FRAME, StateMsg};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn host(game: Game, dir: &std::path::Path, options: HostOptions) -> Host {
    Host::start(game, &dir.join("game.ron"), "127.0.0.1:0", options).unwrap()
}

fn join(h: &Host, seat: &str) -> Player {
    Player::join(&h.addr.to_string(), seat, &format!("token-{seat}"), Some(seat)).unwrap()
}

/// The next state whose last revealed quarter is `t` (states before it are skipped).
fn state_through(p: &mut Player, t: Option<u32>) -> StateMsg {
    match p
        .wait_for(WAIT, |m| matches!(m, HostMsg::State(s) if s.view.revealed_through == t))
        .unwrap()
    {
        HostMsg::State(s) => *s,
        _ => unreachable!(),
    }
}

/// The decisions a player makes in round `n`: its markup and lock-in move with the round.
fn decisions(seat: usize, n: u32) -> BTreeMap<String, f64> {
    BTreeMap::from([
        ("markup".to_string(), 0.3 + 0.1 * f64::from(n) + 0.05 * seat as f64),
        ("ecosystem_lock_in".to_string(), 0.1 * f64::from(n)),
    ])
}

fn submit(p: &mut Player, round: u32, d: BTreeMap<String, f64>) {
    p.send(&ClientMsg::Submit { round, decisions: d }).unwrap();
    p.wait_for(WAIT, |m| matches!(m, HostMsg::Accepted { .. })).unwrap();
}

#[test]
fn players_in_threads_play_a_game_whose_results_are_the_engines() {
    let dir = tempfile::tempdir().unwrap();
    let ids = ["hyper", "eco", "neo"];
    let sc = scenario();
    let h = host(
        Game::new(sc.clone(), &humans(&ids), 8).unwrap(),
        dir.path(),
        HostOptions::default(),
    );
    let addr = h.addr.to_string();
    let threads: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let addr = addr.clone();
            let id = id.to_string();
            std::thread::spawn(move || {
                let mut p = Player::join(&addr, &id, &format!("token-{id}"), Some(&id)).unwrap();
                let mut last = None;
                for n in 1..=4u32 {
                    let s = state_through(&mut p, last);
                    // Before resolution a player sees its own sealed decisions only.
                    assert!(s.view.you.as_ref().unwrap().id == id);
                    submit(&mut p, n, decisions(i, n));
                    last = Some(n * 8 - 1);
                }
                let s = state_through(&mut p, Some(31));
                assert_eq!(s.view.round, None);
                s
            })
        })
        .collect();
    let finals: Vec<StateMsg> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    // The same decisions straight through the engine.
    let mut direct = sc.clone();
    for (i, id) in ids.iter().enumerate() {
        let p = direct.provider_index(id).unwrap();
        for k in direct.decision_keys() {
            let r = ParamRef::Provider(p, k);
            direct.keyframes.retain(|kf| !(kf.target == r && kf.at > 0));
        }
        for n in 1..=4u32 {
            for (key, v) in decisions(i, n) {
                let r = direct.parse_key(&format!("providers.{id}.{key}")).unwrap();
                direct.set_lever(r, (n - 1) * 8, v);
            }
        }
    }
    let run = simulate(&direct);
    for s in &finals {
        assert_eq!(s.view.rows.len(), 32);
        for t in 0..32u32 {
            for (p, o) in s.view.rows[t as usize].iter().enumerate() {
                assert_eq!(o.share, run.row(t, p).share, "quarter {t}, provider {p}");
                assert_eq!(o.cash_musd, run.row(t, p).cash_musd);
                assert_eq!(o.net_profit_musd, run.row(t, p).net_profit_musd);
            }
        }
    }
    let g = &lock(&h.shared).game;
    assert!(g.is_over() && g.rounds.iter().all(|r| !r.forced));
}

#[test]
fn a_player_who_drops_rejoins_with_its_token_and_finds_everything() {
    let dir = tempfile::tempdir().unwrap();
    let h = host(
        Game::new(scenario(), &humans(&["eco", "open"]), 8).unwrap(),
        dir.path(),
        HostOptions::default(),
    );
    let mut eco = join(&h, "eco");
    let mut open = join(&h, "open");
    submit(&mut eco, 1, decisions(0, 1));
    submit(&mut open, 1, decisions(1, 1));
    state_through(&mut eco, Some(7));
    submit(&mut eco, 2, decisions(0, 2));
    drop(eco);
    // The seat is freed as soon as the host sees the connection end.
    let mut again = None;
    for _ in 0..50 {
        match Player::join(&h.addr.to_string(), "eco", "token-eco", Some("eco")) {
            Ok(p) => {
                again = Some(p);
                break;
            }
            Err(PlayerError::Refused {
                code: ErrorCode::SeatTaken,
                ..
            }) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("{e}"),
        }
    }
    let mut eco = again.expect("eco gets its seat back");
    let s = state_through(&mut eco, Some(7));
    let you = s.view.you.unwrap();
    let markup = s.view.keys.iter().position(|k| k.key == "markup").unwrap();
    assert_eq!(
        you.sealed.unwrap()[markup],
        decisions(0, 2)["markup"],
        "its sealed decisions"
    );
    assert_eq!(you.history[0][markup], decisions(0, 1)["markup"], "its past decisions");
    assert_eq!(s.view.rows.len(), 8, "the results so far");
    assert_eq!(lock(&h.shared).game.seats[0].name.as_deref(), Some("eco"));
    // Submitting again, then open submitting, resolves round 2.
    submit(&mut open, 2, decisions(1, 2));
    state_through(&mut eco, Some(15));
}

#[test]
fn a_host_stopped_between_rounds_resumes_from_its_file_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("game.ron");
    let h = host(
        Game::new(scenario(), &humans(&["hyper", "lab"]), 8).unwrap(),
        dir.path(),
        HostOptions::default(),
    );
    let mut a = join(&h, "hyper");
    let mut b = join(&h, "lab");
    submit(&mut a, 1, decisions(0, 1));
    submit(&mut b, 1, decisions(1, 1));
    state_through(&mut a, Some(7));
    submit(&mut a, 2, decisions(0, 2)); // sealed, not resolved
    let before = lock(&h.shared).game.clone();
    // The host goes away without a word (what a crash leaves is the file written after the last change).
    std::mem::forget(h);
    let GameFile::Game { game, listen } = load(&path).unwrap() else {
        panic!()
    };
    assert_eq!(listen.as_deref(), Some("127.0.0.1:0"));
    assert_eq!(game.rounds, before.rounds);
    assert_eq!(game.pending, before.pending, "hyper's sealed round-2 decisions survive");
    let h = Host::start(*game, &path, "127.0.0.1:0", HostOptions::default()).unwrap();
    let mut b = join(&h, "lab");
    let s = state_through(&mut b, Some(7));
    assert!(s.view.seats[0].submitted && !s.view.seats[1].submitted);
    submit(&mut b, 2, decisions(1, 2));
    let s = state_through(&mut b, Some(15));
    assert_eq!(s.view.rows.len(), 16);
}

/// A raw connection that sends `bytes` and returns what the host answered
/// (its first line), if anything.
fn raw(h: &Host, bytes: &[u8]) -> (TcpStream, String) {
    let mut s = TcpStream::connect(h.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(bytes).unwrap();
    let mut line = String::new();
    let _ = BufReader::new(s.try_clone().unwrap()).read_line(&mut line);
    (s, line)
}

fn code_of(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(v["type"], "error", "{line}");
    v["code"].as_str().unwrap().to_string()
}

#[test]
fn hostile_clients_get_clear_errors_and_disturb_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let options = HostOptions {
        hello_timeout: Duration::from_millis(500),
        ..HostOptions::default()
    };
    let h = host(
        Game::new(scenario(), &humans(&["hyper", "neo"]), 8).unwrap(),
        dir.path(),
        options,
    );
    let mut good = join(&h, "hyper");
    // A client that connects and sends nothing, kept open throughout.
    let silent = TcpStream::connect(h.addr).unwrap();
    let hello = |seat: &str, token: &str, protocol: u32| {
        format!(r#"{{"type":"hello","protocol":{protocol},"seat":"{seat}","token":"{token}"}}"#) + "\n"
    };
    let (_, l) = raw(&h, hello("neo", "guess", 1).as_bytes());
    assert_eq!(code_of(&l), "wrong_token", "{l}");
    assert!(l.contains("wrong token for seat `neo`"), "{l}");
    let (_, l) = raw(&h, hello("zeta", "x", 1).as_bytes());
    assert_eq!(code_of(&l), "unknown_seat");
    assert!(l.contains("hyper, neo"), "names the seats: {l}");
    let (_, l) = raw(&h, hello("hyper", "token-hyper", 1).as_bytes());
    assert_eq!(code_of(&l), "seat_taken");
    let (_, l) = raw(&h, hello("neo", "token-neo", 0).as_bytes());
    assert_eq!(code_of(&l), "old_version");
    assert!(l.contains("protocol 1"), "{l}");
    let (_, l) = raw(&h, b"{\"type\":\"hello\", this is not json\n");
    assert_eq!(code_of(&l), "malformed");
    let (_, l) = raw(&h, b"{\"type\":\"submit\",\"round\":1,\"decisions\":{}}\n");
    assert_eq!(code_of(&l), "not_joined");
    let mut big = vec![b'x'; MAX_CLIENT_FRAME + 10];
    big.push(b'\n');
    let (_, l) = raw(&h, &big);
    assert_eq!(code_of(&l), "too_large");
    // Truncated JSON: half a hello, then the connection closes.
    {
        let mut s = TcpStream::connect(h.addr).unwrap();
        s.write_all(br#"{"type":"hello","protocol":1,"se"#).unwrap();
    }
    // A joined player that sends garbage gets an error and keeps its seat.
    good.send(&ClientMsg::Ping).unwrap();
    good.wait_for(WAIT, |m| matches!(m, HostMsg::Pong)).unwrap();
    // The silent client is shut out after the hello timeout.
    silent.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut line = String::new();
    BufReader::new(silent.try_clone().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(code_of(&line), "idle");
    // Through all of it the game went on: neo joins properly and the round resolves.
    let mut neo = join(&h, "neo");
    submit(&mut good, 1, decisions(0, 1));
    submit(&mut neo, 1, decisions(1, 1));
    let s = state_through(&mut good, Some(7));
    assert_eq!(s.view.rows.len(), 8);
    // A value out of range is refused, the seat's state unchanged.
    neo.send(&ClientMsg::Submit {
        round: 2,
        decisions: BTreeMap::from([("ecosystem_lock_in".to_string(), 7.0)]),
    })
    .unwrap();
    match neo.wait_for(WAIT, |m| matches!(m, HostMsg::Error { .. })).unwrap() {
        HostMsg::Error { code, message, fatal } => {
            assert_eq!(code, ErrorCode::Rejected);
            assert!(
                message.contains("ecosystem_lock_in") && message.contains("0 to 1"),
                "{message}"
            );
            assert!(!fatal);
        }
        _ => unreachable!(),
    }
    assert!(!lock(&h.shared).game.submitted(1));
    let log = lock(&h.shared).log.iter().cloned().collect::<Vec<_>>().join("\n");
    assert!(log.contains("closed in the middle of a message"), "{log}");
}

#[test]
fn the_facilitator_forces_a_round_and_pauses() {
    let dir = tempfile::tempdir().unwrap();
    let h = host(
        Game::new(scenario(), &humans(&["hyper", "neo"]), 8).unwrap(),
        dir.path(),
        HostOptions::default(),
    );
    let mut a = join(&h, "hyper");
    submit(&mut a, 1, decisions(0, 1));
    lock(&h.shared).set_paused(true);
    let mut b = join(&h, "neo");
    submit(&mut b, 1, decisions(1, 1));
    // Paused: everyone has submitted, yet nothing resolves.
    let s = state_through(&mut b, None);
    assert!(s.paused);
    assert!(lock(&h.shared).game.rounds.is_empty());
    lock(&h.shared).set_paused(false);
    state_through(&mut a, Some(7));
    // Round 2: neo does not submit; the facilitator forces it.
    submit(&mut a, 2, decisions(0, 2));
    lock(&h.shared).resolve(true);
    let s = state_through(&mut b, Some(15));
    let g = &lock(&h.shared).game;
    assert!(g.rounds[1].forced && !g.rounds[1].decisions[1].submitted);
    assert!(s.report.contains("Kept their last decisions: neo"), "{}", s.report);
}

/// Starts the real binary hosting headless; returns it, its address and the seats' tokens.
fn spawn_host(args: &[&str]) -> (std::process::Child, String, BTreeMap<String, String>) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut addr = String::new();
    let mut tokens = BTreeMap::new();
    for line in out.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("war game hosted on ") {
            addr = rest.split(';').next().unwrap().to_string();
        }
        if line.starts_with("seat ") {
            let words: Vec<&str> = line.split_whitespace().collect();
            tokens.insert(words[1].to_string(), words.last().unwrap().to_string());
            if tokens.len() == 2 {
                break;
            }
        }
    }
    (child, addr, tokens)
}

#[test]
fn a_host_process_killed_between_rounds_is_resumed_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.ron");
    let p = path.to_str().unwrap();
    let (mut child, addr, tokens) = spawn_host(&[
        "wargame",
        "host",
        "default",
        "--seats",
        "hyper,neo",
        "--round-quarters",
        "8",
        "--listen",
        "127.0.0.1:0",
        "--out",
        p,
    ]);
    let mut a = Player::join(&addr, "hyper", &tokens["hyper"], Some("Ann")).unwrap();
    let mut b = Player::join(&addr, "neo", &tokens["neo"], None).unwrap();
    submit(&mut a, 1, decisions(0, 1));
    submit(&mut b, 1, decisions(1, 1));
    let round1 = state_through(&mut a, Some(7));
    submit(&mut b, 2, decisions(1, 2));
    child.kill().unwrap(); // SIGKILL: no chance to save anything more
    child.wait().unwrap();
    let (mut child, addr, _) = spawn_host(&["wargame", "resume", p, "--listen", "127.0.0.1:0"]);
    let mut a = Player::join(&addr, "hyper", &tokens["hyper"], None).unwrap();
    let s = state_through(&mut a, Some(7));
    assert_eq!(s.view.rows, round1.view.rows, "round 1's results");
    assert!(s.view.seats[1].submitted, "neo's sealed round-2 decisions");
    assert_eq!(s.view.seats[0].name.as_deref(), Some("Ann"));
    submit(&mut a, 2, decisions(0, 2));
    state_through(&mut a, Some(15));
    child.kill().unwrap();
    child.wait().unwrap();
}
