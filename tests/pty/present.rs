//! End to end: `cloudstrat present` in a real pseudo-terminal, stepping
//! through every beat of the default story and quitting. Each step polls the
//! screen until it shows what it should, within a generous deadline.

use crate::common::{Launch, Session};

/// Speaker notes go into the test's own folder.
fn start(rows: u16, cols: u16, args: &[&str]) -> Session {
    Launch::new(rows, cols)
        .env_to_dir("CLOUDSTRAT_NOTES_DIR")
        .args(args)
        .start()
}

#[test]
fn present_default_steps_through_every_beat_and_quits() {
    let story = cloudstrat::document::presets::default_scenario().story;
    let n = story.len();
    assert!(n >= 4);
    let mut s = start(40, 120, &["present", "default"]);
    s.wait_line(&[&format!("beat 1 / {n}"), "levers locked"]);
    s.wait_text(&story[0].title);
    assert!(s.parser.screen().alternate_screen());
    for (i, beat) in story.iter().enumerate().skip(1) {
        // Each of the three next-beat keys in turn: n, Space, →.
        s.send(["n", " ", "\x1b[C"][i % 3]);
        s.wait_line(&[&format!("beat {} / {n}", i + 1)]);
        s.wait_text(&beat.title);
    }
    // Past the last beat it stays, and says so.
    s.send("n");
    s.wait_text("last beat");
    // Back one, with ←.
    s.send("\x1b[D");
    s.wait_line(&[&format!("beat {} / {n}", n - 1)]);
    // The lock: a lever key does nothing while locked.
    s.send("+");
    s.wait_text("levers are locked");
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!s.parser.screen().alternate_screen(), "left the alternate screen");
}

#[test]
fn presentation_from_the_dashboard_in_the_projector_theme() {
    let mut s = start(24, 80, &["--theme", "projector", "default"]);
    s.wait_text("League table at 2023 Q1");
    s.send("p");
    s.wait_text("beat 1 / 7");
    s.send("T");
    s.wait_text("theme: dark");
    s.send("p");
    s.wait_text("League table at 2023 Q1");
    s.send("q");
    assert!(s.wait_exit().success());
}
