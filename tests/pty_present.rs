//! End to end: `cloudstrat present` in a real pseudo-terminal, stepping
//! through every beat of the default story and quitting. Each step polls the
//! screen until it shows what it should, within a generous deadline.

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
        // Speaker notes go into the test's own folder.
        cmd.env("CLOUDSTRAT_NOTES_DIR", dir.path());
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
fn present_default_steps_through_every_beat_and_quits() {
    let story = cloudstrat::presets::default_scenario().story;
    let n = story.len();
    assert!(n >= 4);
    let mut s = Session::start(40, 120, &["present", "default"]);
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
    let mut s = Session::start(24, 80, &["--theme", "projector", "default"]);
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
