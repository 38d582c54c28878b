//! End to end: war games with the real binary in pseudo-terminals: a whole
//! hot-seat game, then a hosted game with a player joining from a second
//! terminal.

use crate::common::Launch;
use std::time::{Duration, Instant};

#[test]
fn a_hot_seat_game_from_start_to_final_ranking_then_its_replay() {
    let l = Launch::new(40, 120).args(&[
        "wargame",
        "default",
        "--seats",
        "hyper,neo",
        "--round-quarters",
        "16",
        "--out",
        "game.ron",
    ]);
    let dir = l.dir().to_path_buf();
    let mut s = l.start();
    for round in 1..=2 {
        s.wait_text("Pass the keyboard to seat hyper");
        s.send("\r");
        s.wait_text("seat hyper (Hyperscaler)");
        // Markup for hyper: down twice, type a value of the round's, Enter, seal.
        s.send(&format!("\x1b[B\x1b[B0.{}\r", 9 - round));
        s.wait_text(" •");
        s.send("s");
        s.wait_text("Pass the keyboard to seat neo");
        s.send("\r");
        s.wait_text("seat neo (NeoCloud)");
        s.send("s");
        s.wait_text("press Enter to resolve");
        s.send("\r");
        s.wait_text(&format!("Round {round} of 2"));
        if round == 1 {
            s.send("\r");
        }
    }
    s.wait_text("Final ranking");
    s.send("q");
    assert!(s.wait_exit().success());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(["replay", dir.join("game.ron").to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("Round 1 of 2") && text.contains("Round 2 of 2") && text.contains("Final ranking"),
        "{text}"
    );
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The join token of `seat`, from the host's game file.
fn token(path: &std::path::Path, seat: &str) -> String {
    let start = Instant::now();
    loop {
        if let Ok(cloudstrat::wargame::file::GameFile::Game { game, .. }) = cloudstrat::wargame::file::load(path) {
            return game.seats.iter().find(|s| s.id == seat).unwrap().token.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no game file at {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_hosted_game_with_a_player_in_its_own_terminal() {
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let l = Launch::new(40, 120).args(&[
        "wargame",
        "host",
        "default",
        "--seats",
        "hyper,neo",
        "--bot",
        "lab",
        "--round-quarters",
        "16",
        "--listen",
        &addr,
        "--out",
        "game.ron",
    ]);
    let path = l.dir().join("game.ron");
    let mut host = l.start();
    host.wait_text("cloudstrat war game, facilitator");
    let hyper = token(&path, "hyper");
    let mut p = Launch::new(40, 120)
        .args(&[
            "wargame", "join", &addr, "--seat", "hyper", "--token", &hyper, "--name", "Ann",
        ])
        .start();
    p.wait_text("seat hyper (Hyperscaler)");
    host.wait_line(&["hyper", "Ann", "connected", "pending"]);
    // The other seat plays from a program; the bot has already decided.
    let mut neo = cloudstrat::wargame::net::Player::join(&addr, "neo", &token(&path, "neo"), None).unwrap();
    p.send("s");
    host.wait_line(&["hyper", "Ann", "connected", "submitted"]);
    neo.send(&cloudstrat::wargame::protocol::ClientMsg::Submit {
        round: 1,
        decisions: Default::default(),
    })
    .unwrap();
    // All in: the round resolves; the player sees the report, the facilitator too.
    p.wait_text("Round 1 of 2");
    host.wait_text("round 1 resolved");
    host.wait_text("Report of round 1 of 2");
    p.send("\r");
    p.wait_text("Your decisions for round 2");
    // The facilitator forces round 2 and ends the session.
    host.send("r");
    host.wait_text("Final ranking");
    host.send("qq");
    assert!(host.wait_exit().success());
    p.send("q");
    assert!(p.wait_exit().success());
}
