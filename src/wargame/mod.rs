//! The war game: several people (or bots) each steer a provider, round by
//! round, with sealed decisions and a results report after each round.
//!
//! - `rules`: the game itself, pure (no I/O, no clock): seats, rounds,
//!   decisions, resolution through the engine, what each seat may see.
//! - `report`: a round's results report and the final ranking as text.
//! - `file`: the game file (RON), read back by replaying its rounds.
//! - `protocol`: the versioned newline-delimited JSON spoken between host and
//!   players (`docs/WARGAME.md`), with its frame limits.
//! - `net`: the host (authoritative state, one thread per connection, read
//!   timeouts) and the player's connection.
//! - `screens`: the terminal screens (hot-seat, facilitator, player, replay).
//!
//! The command line that starts them is `crate::cli::wargame`.

pub mod file;
pub mod net;
pub mod protocol;
pub mod report;
pub mod rules;
pub mod screens;

pub use rules::{Game, Round, RuleError, SCORE, SeatKind, SeatSpec, SeatView};
