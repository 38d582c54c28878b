//! End to end: the real binary in a real pseudo-terminal. Each step sends
//! keys, then polls the screen until it shows what it should (or a generous
//! deadline passes); nothing here depends on how fast the machine is.

use crate::common::{Launch, Session};

fn start(rows: u16, cols: u16, env: &[(&str, &str)]) -> Session {
    Launch::new(rows, cols).envs(env).start()
}

#[test]
fn lever_step_baseline_help_and_quit_in_a_real_terminal() {
    let mut s = start(40, 120, &[]);
    s.wait_text("League table at 2023 Q1");
    assert!(
        s.parser.screen().alternate_screen(),
        "the dashboard uses the alternate screen"
    );
    s.wait_line(&["Open-source parity", " 30%"]);
    assert!(!s.screen_text().contains("[modified]"));

    // A lever change: parity up one step, applied to the whole run from the first quarter.
    s.send("l");
    s.wait_line(&["Open-source parity", " 31%"]);
    s.wait_text("[modified]");

    // A step: the cursor quarter moves, and the panels follow it.
    s.send(".");
    s.wait_text("League table at 2023 Q2");
    s.wait_text("2023 Q2 (2/32)");

    // The baseline: pinned, shown in the header and as deltas in the table.
    s.send("b");
    s.wait_text("◧ baseline");
    s.wait_text("Δbase");

    // Help: every binding listed, closed again with ?.
    s.send("?");
    s.wait_text("show or hide this help");
    s.wait_text("pin or unpin the baseline");
    s.send("?");
    s.wait_gone("show or hide this help");

    // Quit: unsaved changes make it ask; a second q cancels, d discards and quits.
    s.send("q");
    s.wait_text("Unsaved changes");
    s.send("q");
    s.wait_gone("Unsaved changes");
    s.send("q");
    s.wait_text("Unsaved changes");
    s.send("d");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!s.parser.screen().alternate_screen(), "left the alternate screen");
}

#[test]
fn no_color_in_a_real_terminal() {
    let mut s = start(24, 80, &[("NO_COLOR", "1")]);
    s.wait_text("League table at 2023 Q1");
    let screen = s.parser.screen().clone();
    for row in 0..24 {
        for col in 0..80 {
            if let Some(cell) = screen.cell(row, col) {
                assert_eq!(cell.fgcolor(), vt100::Color::Default, "coloured cell at {row},{col}");
                assert_eq!(cell.bgcolor(), vt100::Color::Default, "coloured cell at {row},{col}");
            }
        }
    }
    s.send("q");
    assert!(s.wait_exit().success());
    assert!(!s.parser.screen().alternate_screen());
}

#[test]
fn monte_carlo_and_tornado_in_a_real_terminal() {
    let mut s = start(40, 120, &[]);
    s.wait_text("League table at 2023 Q1");
    // The Monte Carlo runs on a thread; the loop wakes to show its end.
    s.send("m");
    s.wait_text("fan of Hyperscaler");
    s.wait_text("Monte Carlo done");
    // A lever change hides the bands of the old scenario.
    s.send("l");
    s.wait_text("bands hidden: levers changed");
    s.send("t");
    s.wait_text("each input alone at the low and high end");
    s.send("t");
    s.wait_gone("each input alone");
    s.send("q");
    s.wait_text("Unsaved changes");
    s.send("d");
    assert!(s.wait_exit().success());
}

#[test]
fn what_if_loop_with_a_typed_value_and_a_provider_of_ones_own() {
    // Pause at 2025 Q1, parity to exactly 95 %, add a provider called Us,
    // pin a baseline, compare, undo; at 80×24.
    let mut s = start(24, 80, &[]);
    s.wait_text("League table at 2023 Q1");
    s.send("........");
    s.wait_text("2025 Q1 (9/32)");
    s.send("=");
    s.wait_text("Type in %; allowed 0% to 100%.");
    s.send("95\r");
    s.wait_line(&["Parity", "95%"]);
    // Ctrl-p opens the palette too.
    s.send("\x10");
    s.wait_text("Find ·");
    s.send("add a provider");
    s.wait_text("add a provider (archetype or copy)");
    s.send("\r");
    s.wait_text("Start from an archetype or a copy");
    s.send("\r");
    s.wait_text("Provider name");
    s.send("Us\r");
    s.wait_line(&["Us", "Tab: next"]);
    s.send("b");
    s.wait_text("◧ baseline");
    s.wait_text("Δbase");
    s.send("u");
    s.wait_text("undone: provider Us added");
    // A pinned baseline alone is no unsaved work, but parity at 95 % is.
    s.send("q");
    s.wait_text("Unsaved changes");
    s.send("d");
    assert!(s.wait_exit().success());
}
