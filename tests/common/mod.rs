//! Shared by the end-to-end tests: the real binary in a real pseudo-terminal,
//! its output fed to a terminal emulator. Each step sends keys, then polls the
//! screen until it shows what it should (or a generous deadline passes);
//! nothing here depends on how fast the machine is.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

pub const DEADLINE: Duration = Duration::from_secs(60);

/// How to start `cloudstrat`: terminal size, arguments and environment. It
/// always runs in an empty temporary folder, so nothing can touch the
/// repository's saves.
pub struct Launch {
    rows: u16,
    cols: u16,
    cmd: CommandBuilder,
    dir: tempfile::TempDir,
}

/// A home of the session's own inside its temporary folder: the config
/// file, autosaves and notes never touch the real user's.
fn own_home(cmd: &mut CommandBuilder, dir: &std::path::Path) {
    let home = dir.join("home");
    cmd.env("HOME", &home);
    cmd.env("XDG_CONFIG_HOME", home.join(".config"));
    cmd.env("XDG_STATE_HOME", home.join(".local/state"));
    cmd.env("XDG_DATA_HOME", home.join(".local/share"));
    for k in ["CLOUDSTRAT_CONFIG_DIR", "CLOUDSTRAT_STATE_DIR", "CLOUDSTRAT_SAVES"] {
        cmd.env_remove(k);
    }
}

impl Launch {
    pub fn new(rows: u16, cols: u16) -> Launch {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cloudstrat"));
        cmd.cwd(dir.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        own_home(&mut cmd, dir.path());
        Launch { rows, cols, cmd, dir }
    }

    /// Where this session's autosaves go: the state folder of its own home.
    pub fn autosave_dir(&self) -> std::path::PathBuf {
        autosave_dir_in(self.dir.path())
    }

    /// A shell in the pseudo-terminal running `script`, with `$CS` naming the
    /// binary: to see what the terminal is like after `cloudstrat` ends.
    pub fn shell(rows: u16, cols: u16, script: &str) -> Launch {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", script]);
        cmd.cwd(dir.path());
        cmd.env("CS", env!("CARGO_BIN_EXE_cloudstrat"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        own_home(&mut cmd, dir.path());
        Launch { rows, cols, cmd, dir }
    }

    /// The session's own temporary folder (the working folder).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn args(mut self, args: &[&str]) -> Launch {
        for a in args {
            self.cmd.arg(a);
        }
        self
    }

    pub fn envs(mut self, env: &[(&str, &str)]) -> Launch {
        for (k, v) in env {
            self.cmd.env(k, v);
        }
        self
    }

    pub fn env_remove(mut self, key: &str) -> Launch {
        self.cmd.env_remove(key);
        self
    }

    /// Sets `key` to the session's own temporary folder.
    pub fn env_to_dir(mut self, key: &str) -> Launch {
        self.cmd.env(key, self.dir.path());
        self
    }

    pub fn start(self) -> Session {
        let Launch { rows, cols, cmd, dir } = self;
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
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
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a terminal at least 1×1");
        Session {
            parser: vt100::Parser::new(size(rows), size(cols), 0),
            output: rx,
            writer,
            child,
            _master: pty.master,
            _dir: dir,
        }
    }
}

/// A running `cloudstrat` in a pseudo-terminal; killed on drop if still running.
pub struct Session {
    pub parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    _dir: tempfile::TempDir,
}

/// The autosave folder of a session whose temporary folder is `dir`.
pub fn autosave_dir_in(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("home/.local/state/cloudstrat/autosave")
}

impl Session {
    /// Where this session's autosaves go.
    pub fn autosave_dir(&self) -> std::path::PathBuf {
        autosave_dir_in(self._dir.path())
    }

    /// The process id of what the session started.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    pub fn screen_text(&self) -> String {
        self.parser.screen().contents()
    }

    /// Feeds output to the terminal emulator until `done` holds for the screen.
    pub fn wait_for(&mut self, what: &str, done: impl Fn(&vt100::Screen) -> bool) {
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

    pub fn wait_text(&mut self, text: &str) {
        let t = text.to_string();
        self.wait_for(&format!("`{text}`"), move |s| s.contents().contains(&t));
    }

    /// Waits for a line that holds all of `parts`.
    pub fn wait_line(&mut self, parts: &[&str]) {
        let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        self.wait_for(&format!("a line with {parts:?}"), move |s| {
            s.contents()
                .lines()
                .any(|l| parts.iter().all(|p| l.contains(p.as_str())))
        });
    }

    pub fn wait_gone(&mut self, text: &str) {
        let t = text.to_string();
        self.wait_for(&format!("`{text}` to go"), move |s| !s.contents().contains(&t));
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Waits for the process to end, reading the rest of its output.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
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
