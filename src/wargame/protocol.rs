//! The war game's wire protocol, version [`PROTOCOL`]: one JSON object per
//! line over TCP, tagged by `type`, the same serde types at both ends. The
//! full description, with examples, is `docs/WARGAME.md`.
//!
//! Reading is bounded: a frame longer than the limit, or bytes that are not
//! a JSON object of a known type, are errors with a code the other end can
//! show; a connection that goes quiet is closed by a deadline, not waited on.

use super::rules::SeatView;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// The protocol version this program speaks.
pub const PROTOCOL: u32 = 1;
/// Longest line a player may send (a decision is a few hundred bytes).
pub const MAX_CLIENT_FRAME: usize = 64 * 1024;
/// Longest line the host may send (a state with 200 quarters × 64 providers
/// of results measures 2.9 MB).
pub const MAX_HOST_FRAME: usize = 16 * 1024 * 1024;

/// What a player sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// The first message: which seat, proven by its token.
    Hello {
        protocol: u32,
        seat: String,
        token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Seal decisions for `round` (the current one): key → value; keys left
    /// out keep the values in force.
    Submit {
        round: u32,
        decisions: BTreeMap<String, f64>,
    },
    /// Unseal: keep the last decisions unless submitting again.
    Withdraw { round: u32 },
    /// Keeps the connection from the idle timeout.
    Ping,
    /// Leaving (the seat stays the player's; rejoin with the same token).
    Bye,
}

/// What the host sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum HostMsg {
    /// The hello was accepted; a `state` follows.
    Welcome {
        protocol: u32,
        seat: String,
    },
    /// Everything the seat may see, sent after every change.
    State(Box<StateMsg>),
    /// A submit was sealed.
    Accepted {
        round: u32,
    },
    /// Something was refused. After a `fatal` error the host closes the connection.
    Error {
        code: ErrorCode,
        message: String,
        fatal: bool,
    },
    Pong,
    /// The host is ending the session (the game continues with `wargame resume`).
    Closing {
        message: String,
    },
}

/// The `state` message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateMsg {
    pub view: SeatView,
    /// The facilitator has paused the game: the clock stops, rounds do not resolve.
    pub paused: bool,
    /// Seconds the current round has run (the clock stops while paused).
    pub round_seconds: u64,
    /// Seconds allowed per round, if there is a limit.
    pub round_limit_seconds: Option<u64>,
    /// The results report of the last resolved round (what the room sees).
    pub report: String,
}

/// Why something was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The token does not belong to the seat.
    WrongToken,
    /// No such seat in this game (or it is a bot's).
    UnknownSeat,
    /// Another connection holds the seat.
    SeatTaken,
    /// The player speaks another protocol version.
    OldVersion,
    /// A line that is not a JSON message of this protocol.
    Malformed,
    /// A line longer than the limit.
    TooLarge,
    /// Nothing arrived in time.
    Idle,
    /// A message other than `hello` before `hello`.
    NotJoined,
    /// The rules refused it (a value out of range, not the current round, the game is over).
    Rejected,
    /// The host has as many connections as it takes.
    Full,
}

/// Why a frame could not be read.
#[derive(Debug)]
pub enum FrameError {
    /// The other end closed the connection (with `partial` bytes of an unfinished line).
    Closed {
        partial: usize,
    },
    TooLarge,
    /// The deadline passed with no whole line.
    Idle,
    Io(io::Error),
}

/// Reads newline-delimited frames from a stream with a read timeout set,
/// keeping an unfinished line across timeouts.
#[derive(Debug)]
pub struct FrameReader<R> {
    inner: R,
    buf: Vec<u8>,
    limit: usize,
}

impl<R: Read> FrameReader<R> {
    pub fn new(inner: R, limit: usize) -> FrameReader<R> {
        FrameReader {
            inner,
            buf: Vec::new(),
            limit,
        }
    }

    /// The next line (without its newline), waiting until `deadline`;
    /// `stop` is asked between reads so a shutting-down host is not held up.
    pub fn next_line(&mut self, deadline: Instant, stop: &dyn Fn() -> bool) -> Result<Vec<u8>, FrameError> {
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                if i > self.limit {
                    return Err(FrameError::TooLarge);
                }
                let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() > self.limit {
                return Err(FrameError::TooLarge);
            }
            if Instant::now() >= deadline || stop() {
                return Err(FrameError::Idle);
            }
            match self.inner.read(&mut chunk) {
                Ok(0) => {
                    return Err(FrameError::Closed {
                        partial: self.buf.len(),
                    });
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(FrameError::Io(e)),
            }
        }
    }
}

/// A message as one line of JSON, newline included.
pub fn encode<T: Serialize>(msg: &T) -> String {
    let mut s = serde_json::to_string(msg).unwrap_or_else(|e| {
        format!(r#"{{"type":"error","code":"malformed","message":"cannot encode: {e}","fatal":true}}"#)
    });
    s.push('\n');
    s
}

/// A line as a player's message, or the reason it is not one.
pub fn decode_client(line: &[u8]) -> Result<ClientMsg, String> {
    let text = std::str::from_utf8(line).map_err(|_| "the line is not UTF-8 text".to_string())?;
    serde_json::from_str(text).map_err(|e| format!("not a message of protocol {PROTOCOL}: {e}"))
}

/// How long a connection may wait before its `hello`.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a joined player may stay silent (players ping every [`PING_EVERY`]).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
pub const PING_EVERY: Duration = Duration::from_secs(15);
