//! End to end: the real binary in a real pseudo-terminal. Each step sends
//! keys, then polls the screen until it shows what it should (or a generous
//! deadline passes); nothing here depends on how fast the machine is.

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
    fn start(rows: u16, cols: u16, env: &[(&str, &str)]) -> Session {
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
        for (k, v) in env {
            cmd.env(k, v);
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

#[test]
fn lever_step_baseline_help_and_quit_in_a_real_terminal() {
    let mut s = Session::start(40, 120, &[]);
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
    let mut s = Session::start(24, 80, &[("NO_COLOR", "1")]);
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
    let mut s = Session::start(40, 120, &[]);
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
