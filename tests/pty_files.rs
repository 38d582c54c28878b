//! End to end in a pseudo-terminal: change a lever, Ctrl-s, type a name,
//! Enter; the file exists, `cloudstrat check` accepts it, and `cloudstrat run`
//! on it gives the numbers the dashboard showed. The saves folder is a
//! temporary one, passed with `--saves-dir`.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

struct Session {
    parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    _dir: tempfile::TempDir,
}

impl Session {
    fn start(rows: u16, cols: u16, args: &[&str]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        // Run in an empty folder, so nothing can touch the repository's saves.
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cloudstrat"));
        cmd.cwd(dir.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove(cloudstrat::storage::SAVES_ENV);
        for a in args {
            cmd.arg(a);
        }
        let child = pty.slave.spawn_command(cmd).expect("start cloudstrat");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Session {
            parser: vt100::Parser::new(rows, cols, 0),
            output: rx,
            writer,
            child,
            _master: pty.master,
            _dir: dir,
        }
    }

    fn screen_text(&self) -> String {
        self.parser.screen().contents()
    }

    /// Feeds output to the terminal emulator until `done` holds for the screen.
    fn wait_for(&mut self, what: &str, done: impl Fn(&vt100::Screen) -> bool) {
        let start = Instant::now();
        loop {
            while let Ok(bytes) = self.output.try_recv() {
                self.parser.process(&bytes);
            }
            if done(self.parser.screen()) {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting for {what}; screen:\n{}",
                self.screen_text()
            );
            if let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(50)) {
                self.parser.process(&bytes);
            }
        }
    }

    fn wait_text(&mut self, text: &str) {
        let t = text.to_string();
        self.wait_for(&format!("`{text}`"), move |s| s.contents().contains(&t));
    }

    /// Waits for a line that holds all of `parts`.
    fn wait_line(&mut self, parts: &[&str]) {
        let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        self.wait_for(&format!("a line with {parts:?}"), move |s| {
            s.contents()
                .lines()
                .any(|l| parts.iter().all(|p| l.contains(p.as_str())))
        });
    }

    fn wait_gone(&mut self, text: &str) {
        let t = text.to_string();
        self.wait_for(&format!("`{text}` to go"), move |s| !s.contents().contains(&t));
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Waits for the process to end, reading the rest of its output.
    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                // Drain what it wrote before exiting.
                while let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(200)) {
                    self.parser.process(&bytes);
                }
                return status;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "cloudstrat did not exit:\n{}",
                self.screen_text()
            );
            if let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(50)) {
                self.parser.process(&bytes);
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
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
    let mut s = Session::start(40, 120, &["--saves-dir", &saves_arg]);
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
    assert!(!saves.join(".autosave").join("e2e plan.ron").exists());
}

#[test]
fn a_broken_file_in_the_saves_folder_shows_as_broken_in_the_picker() {
    let saves_root = tempfile::tempdir().expect("tempdir");
    let saves = saves_root.path().join("saves");
    std::fs::create_dir_all(&saves).expect("mkdir");
    std::fs::write(saves.join("half.ron"), "(version: 2,").expect("write");
    let saves_arg = saves.display().to_string();
    let mut s = Session::start(40, 120, &["--saves-dir", &saves_arg]);
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
