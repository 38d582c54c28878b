//! End to end in a pseudo-terminal: change a lever, Ctrl-s, type a name,
//! Enter; the file exists, `cloudstrat check` accepts it, and `cloudstrat run`
//! on it gives the numbers the dashboard showed. The saves folder is a
//! temporary one, passed with `--saves-dir`.

use crate::common::{Launch, Session};

/// The saves folder comes from `--saves-dir` only, never the environment.
fn start(rows: u16, cols: u16, args: &[&str]) -> Session {
    Launch::new(rows, cols)
        .env_remove(cloudstrat::document::storage::SAVES_ENV)
        .args(args)
        .start()
}

fn cloudstrat(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cloudstrat"))
        .args(args)
        .output()
        .expect("run cloudstrat")
}

/// Provider name → share text ("41.4%") from league-table lines.
fn shares(text: &str) -> Vec<(String, String)> {
    let names = ["Hyperscaler", "EcoCloud", "FrontierLab", "NeoCloud", "OpenHost"];
    let mut out = Vec::new();
    for line in text.lines() {
        for n in names {
            if let Some(i) = line.find(n) {
                let rest = &line[i + n.len()..];
                if let Some(share) = rest.split_whitespace().find(|w| w.ends_with('%')) {
                    out.push((n.to_string(), share.to_string()));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn change_save_as_a_name_then_check_and_run_reproduce_it() {
    let saves_root = tempfile::tempdir().expect("tempdir");
    let saves = saves_root.path().join("saves");
    let saves_arg = saves.display().to_string();
    let mut s = start(40, 120, &["--saves-dir", &saves_arg]);
    s.wait_text("League table at 2023 Q1");
    s.wait_line(&["Open-source parity", " 30%"]);
    s.send("l");
    s.wait_line(&["Open-source parity", " 31%"]);
    s.wait_text("[modified]");
    // Ctrl-s on a preset asks for a name; typing replaces the suggestion.
    s.send("\x13");
    s.wait_text("Save as");
    s.send("e2e plan");
    s.wait_text("> e2e plan");
    s.send("\r");
    s.wait_text("saved to");
    s.wait_gone("[modified]");
    let file = saves.join("e2e plan.ron");
    assert!(file.is_file(), "{}", s.screen_text());

    // `cloudstrat check` accepts the file and `cloudstrat run` computes the shares
    // the dashboard must show at the horizon.
    let file_arg = file.display().to_string();
    let check = cloudstrat(&["check", &file_arg]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let run = cloudstrat(&["run", &file_arg]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let expected = shares(&String::from_utf8_lossy(&run.stdout));
    assert_eq!(expected.len(), 5);

    // The dashboard's numbers at the horizon; the frame may arrive in pieces, so
    // wait for the whole table rather than reading the first partial screen.
    s.send("\x1b[F");
    s.wait_for("the league table at 2030 Q4 with the CLI's shares", move |screen| {
        let text = screen.contents();
        text.find("League table at 2030 Q4")
            .is_some_and(|i| shares(&text[i..]) == expected)
    });

    // Saved: quitting does not ask.
    s.send("q");
    assert!(s.wait_exit().success());
    let autosaves = std::fs::read_dir(s.autosave_dir()).map_or(0, |d| d.count());
    assert_eq!(autosaves, 0, "nothing left to recover");
}

#[test]
fn a_broken_file_in_the_saves_folder_shows_as_broken_in_the_picker() {
    let saves_root = tempfile::tempdir().expect("tempdir");
    let saves = saves_root.path().join("saves");
    std::fs::create_dir_all(&saves).expect("mkdir");
    std::fs::write(saves.join("half.ron"), "(version: 2,").expect("write");
    let saves_arg = saves.display().to_string();
    let mut s = start(40, 120, &["--saves-dir", &saves_arg]);
    s.wait_text("League table at 2023 Q1");
    s.send("\x0f");
    s.wait_text("Open a strategy");
    s.wait_line(&["half", "broken"]);
    s.wait_line(&["parity-shock", "preset"]);
    s.send("\x1b");
    s.wait_gone("Open a strategy");
    s.send("q");
    assert!(s.wait_exit().success());
}
