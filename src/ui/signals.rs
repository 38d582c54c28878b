//! Signals that end a terminal session: SIGTERM (shutdown, `kill`), SIGHUP
//! (the SSH connection or the terminal window closed), SIGINT and SIGQUIT
//! (sent from outside; in raw mode Ctrl-c and Ctrl-\ are keys).
//!
//! The handler only records which signal came ([`signal_hook`] does that
//! safely); the event loop sees it within one [`SIGNAL_POLL`] and ends
//! through the same path as a failure: a final autosave of unsaved work, the
//! terminal restored, then exit with 128 + the signal's number, as shells
//! expect. A second signal of the same kind while that happens ends the
//! process at once, the default way.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// The number of SIGHUP, also used for a terminal that hung up without one.
#[cfg(unix)]
pub const SIGHUP: i32 = signal_hook::consts::SIGHUP;
#[cfg(not(unix))]
pub const SIGHUP: i32 = 1;

/// How often a waiting loop looks for a signal.
pub const SIGNAL_POLL: Duration = Duration::from_millis(100);

#[cfg(unix)]
pub const HANDLED: [i32; 4] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
];
#[cfg(not(unix))]
pub const HANDLED: [i32; 0] = [];

/// The signal that ended the loop, carried in the loop's `io::Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signalled(pub i32);

impl std::fmt::Display for Signalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ended by signal {} ({})", self.0, name(self.0))
    }
}

impl std::error::Error for Signalled {}

impl Signalled {
    /// The exit status a shell expects after this signal.
    pub fn exit_code(self) -> i32 {
        128 + self.0
    }

    /// The signal an error from the event loop carries, if it carries one.
    pub fn of(e: &io::Error) -> Option<Signalled> {
        e.get_ref().and_then(|r| r.downcast_ref::<Signalled>()).copied()
    }

    pub fn into_error(self) -> io::Error {
        io::Error::new(io::ErrorKind::Interrupted, self)
    }
}

/// The signal's usual name.
pub fn name(sig: i32) -> &'static str {
    #[cfg(unix)]
    {
        use signal_hook::consts::*;
        match sig {
            SIGTERM => "SIGTERM",
            SIGHUP => "SIGHUP",
            SIGINT => "SIGINT",
            SIGQUIT => "SIGQUIT",
            _ => "signal",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = sig;
        "signal"
    }
}

/// The handlers, installed while a terminal session runs; dropping them puts
/// the default actions back.
pub struct Signals {
    came: Arc<AtomicUsize>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    pub fn install() -> io::Result<Signals> {
        let came = Arc::new(AtomicUsize::new(0));
        let twice = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for sig in HANDLED {
            // Registered first, so it sees the flag as the previous signal left it.
            ids.push(signal_hook::flag::register_conditional_default(
                sig,
                Arc::clone(&twice),
            )?);
            ids.push(signal_hook::flag::register(sig, Arc::clone(&twice))?);
            ids.push(signal_hook::flag::register_usize(sig, Arc::clone(&came), sig as usize)?);
        }
        Ok(Signals { came, ids })
    }

    /// The signal that came, if one did.
    pub fn pending(&self) -> Option<Signalled> {
        match self.came.load(Ordering::Relaxed) {
            0 => None,
            n => Some(Signalled(n as i32)),
        }
    }

    /// A shared view of [`Signals::pending`] for a loop that cannot hold `self`.
    pub fn watch(&self) -> SignalWatch {
        SignalWatch(Arc::clone(&self.came))
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Tells whether one of the handled signals came.
#[derive(Clone, Debug, Default)]
pub struct SignalWatch(Arc<AtomicUsize>);

impl SignalWatch {
    pub fn pending(&self) -> Option<Signalled> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            n => Some(Signalled(n as i32)),
        }
    }
}
