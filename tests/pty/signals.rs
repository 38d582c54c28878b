//! Signals in a real pseudo-terminal: a hang-up (the SSH connection or the
//! window closed) or a `kill` mid-work leaves an autosave of the unsaved work,
//! a terminal back in its normal state, and the exit status 128 + n.

use crate::common::Launch;
use std::path::Path;

/// The pid of the process whose parent is `parent` (Linux `/proc`).
fn child_of(parent: u32) -> Option<u32> {
    for e in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …: the name may hold spaces, so split after its ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1));
        if ppid.and_then(|p| p.parse::<u32>().ok()) == Some(parent) {
            return Some(pid);
        }
    }
    None
}

fn signal(pid: u32, name: &str) {
    let ok = std::process::Command::new("sh")
        .args(["-c", &format!("kill -{name} {pid}")])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill -{name} {pid}");
}

fn ends_with_autosave_and_restored_terminal(name: &str, number: i32) {
    if !Path::new("/proc/self/stat").exists() {
        eprintln!("skipped: needs /proc to find the dashboard's pid");
        return;
    }
    let script = "\"$CS\" --saves-dir saves default; echo \"EXIT=$?\"; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 60";
    let launch = Launch::shell(40, 120, script);
    let autosaves = launch.autosave_dir();
    let mut s = launch.start();
    s.wait_text("League table at 2023 Q1");
    s.wait_line(&["Open-source parity", " 30%"]);
    s.send("l");
    s.wait_text("[modified]");
    let sh = s.pid().expect("shell pid");
    let dashboard = child_of(sh).expect("the dashboard runs under the shell");
    signal(dashboard, name);
    s.wait_text("EXIT=");
    s.wait_text("icanon");
    let screen = s.parser.screen();
    let text = screen.contents();
    assert!(text.contains(&format!("EXIT={}", 128 + number)), "{text}");
    assert!(!screen.alternate_screen(), "back on the main screen:\n{text}");
    assert_eq!(
        screen.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse tracking off"
    );
    assert!(!screen.hide_cursor(), "cursor shown");
    assert!(
        text.contains("icanon echo") && !text.contains("-icanon"),
        "cooked mode again:\n{text}"
    );
    assert!(text.contains("your unsaved work was autosaved"), "{text}");
    let auto = autosaves.join("preset-default.ron");
    let doc = cloudstrat::document::file::load_document(&auto).unwrap_or_else(|e| panic!("{e}"));
    let parity = doc.scenario.base_value(cloudstrat::sim::ParamRef::PARITY);
    assert!(
        (parity - 0.31).abs() < 1e-9,
        "the change reached the autosave: {parity}"
    );
}

#[test]
fn a_hangup_autosaves_restores_the_terminal_and_exits_129() {
    ends_with_autosave_and_restored_terminal("HUP", 1);
}

#[test]
fn sigterm_autosaves_restores_the_terminal_and_exits_143() {
    ends_with_autosave_and_restored_terminal("TERM", 15);
}
