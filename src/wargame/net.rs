//! Hosting a war game over TCP, and a player's connection to it.
//!
//! The host holds the only authoritative [`Game`], behind one mutex. Each
//! connection has a reader thread (read timeouts, so it never blocks for
//! long, and deadlines for the hello and for idleness) and a writer thread
//! fed by a bounded queue, so a player that stops reading loses its
//! connection instead of holding anyone up. A bad client gets an error line
//! and, if fatal, a closed connection; nothing it sends can stop the host
//! or the other players. The game file is written after every sealed
//! decision and every resolved round.
//!
//! [`Player`] is the other end: it connects, says hello and hands the host's
//! messages to whoever reads them (the player's screen, or a test).

use super::file as gamefile;
use super::protocol::{
    ClientMsg, ErrorCode, FrameError, FrameReader, HELLO_TIMEOUT, HostMsg, IDLE_TIMEOUT, MAX_CLIENT_FRAME,
    MAX_HOST_FRAME, PROTOCOL, StateMsg, decode_client, encode,
};
use super::report::{Audience, round_report};
use super::rules::{Game, SeatKind};
use std::collections::VecDeque;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Connections the host serves at once (seats plus ones still saying hello).
pub const MAX_CONNECTIONS: usize = 128;
/// Messages queued for a player before it counts as not reading.
const QUEUE: usize = 64;
/// How often blocked reads and the accept loop look up (for shutdown, deadlines).
const TICK: Duration = Duration::from_millis(100);
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// How the host treats connections.
#[derive(Debug, Clone)]
pub struct HostOptions {
    pub hello_timeout: Duration,
    pub idle_timeout: Duration,
    /// Round length; when it runs out the round resolves.
    pub round_limit: Option<Duration>,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            hello_timeout: HELLO_TIMEOUT,
            idle_timeout: IDLE_TIMEOUT,
            round_limit: None,
        }
    }
}

struct Conn {
    id: u64,
    tx: SyncSender<String>,
}

/// The host's state: the game and who is connected.
pub struct Shared {
    pub game: Game,
    pub path: PathBuf,
    pub listen: String,
    conns: Vec<Option<Conn>>,
    pub paused: bool,
    /// Time the current round has run before the clock's last start.
    ran: Duration,
    /// When the clock last started (`None` while paused).
    since: Option<Instant>,
    pub round_limit: Option<Duration>,
    /// What happened, newest last, for the facilitator.
    pub log: VecDeque<String>,
    /// Set when the game file could not be written.
    pub save_error: Option<String>,
    open: usize,
}

impl Shared {
    pub fn connected(&self, seat: usize) -> bool {
        self.conns.get(seat).is_some_and(Option::is_some)
    }

    /// How long the current round has run (the clock stops while paused).
    pub fn round_elapsed(&self) -> Duration {
        self.ran + self.since.map_or(Duration::ZERO, |s| s.elapsed())
    }

    pub fn note(&mut self, line: String) {
        if self.log.len() >= 200 {
            self.log.pop_front();
        }
        self.log
            .push_back(format!("{}  {}", chrono::Local::now().format("%H:%M:%S"), line));
    }

    fn save(&mut self) {
        let text = gamefile::game_to_ron(&self.game, Some(&self.listen));
        match gamefile::save(&self.path, &text) {
            Ok(()) => self.save_error = None,
            Err(e) => {
                let m = e.to_string();
                self.note(format!("NOT SAVED: {m}"));
                self.save_error = Some(m);
            }
        }
    }

    fn state_for(&self, seat: usize) -> String {
        let mut view = self.game.view(Some(seat));
        for (i, s) in view.seats.iter_mut().enumerate() {
            s.connected = s.bot || self.connected(i);
        }
        let mut report = self
            .game
            .rounds
            .last()
            .map(|r| round_report(&self.game, r.number, Audience::Players))
            .unwrap_or_default();
        if self.game.is_over() {
            report = format!("{}\n{report}", super::report::final_ranking(&self.game));
        }
        encode(&HostMsg::State(Box::new(StateMsg {
            view,
            paused: self.paused,
            round_seconds: self.round_elapsed().as_secs(),
            round_limit_seconds: self.round_limit.map(|d| d.as_secs()),
            report,
        })))
    }

    /// Sends every connected player its state; one that is not reading is dropped.
    pub fn broadcast(&mut self) {
        for seat in 0..self.conns.len() {
            if self.conns[seat].is_none() {
                continue;
            }
            let line = self.state_for(seat);
            let full = match &self.conns[seat] {
                Some(c) => matches!(c.tx.try_send(line), Err(TrySendError::Full(_))),
                None => false,
            };
            if full {
                self.conns[seat] = None;
                let id = self.game.seats[seat].id.clone();
                self.note(format!("{id} dropped: not reading its messages"));
            }
        }
    }

    fn restart_clock(&mut self) {
        self.ran = Duration::ZERO;
        self.since = (!self.paused).then(Instant::now);
    }

    /// Resolves the current round (forced: not everyone submitted), saves, tells everyone.
    pub fn resolve(&mut self, forced: bool) {
        let kept: Vec<String> = (0..self.game.seats.len())
            .filter(|&i| !self.game.submitted(i))
            .map(|i| self.game.seats[i].id.clone())
            .collect();
        match self.game.resolve(forced) {
            Ok(r) => {
                let n = r.number;
                if kept.is_empty() {
                    self.note(format!("round {n} resolved"));
                } else {
                    self.note(format!(
                        "round {n} resolved; kept their last decisions: {}",
                        kept.join(", ")
                    ));
                }
                self.restart_clock();
                self.save();
                self.broadcast();
            }
            Err(e) => self.note(format!("cannot resolve: {e}")),
        }
    }

    pub fn set_paused(&mut self, paused: bool) {
        if paused == self.paused {
            return;
        }
        self.paused = paused;
        if paused {
            self.ran = self.round_elapsed();
            self.since = None;
            self.note("paused".into());
        } else {
            self.since = Some(Instant::now());
            self.note("resumed".into());
            if self.game.all_submitted() {
                self.resolve(false);
                return;
            }
        }
        self.broadcast();
    }

    /// Resolves when the round's time is up; the facilitator's loop calls it.
    pub fn tick(&mut self) {
        if let Some(limit) = self.round_limit
            && !self.paused
            && !self.game.is_over()
            && self.round_elapsed() >= limit
        {
            self.note("time is up".into());
            let forced = !self.game.all_submitted();
            self.resolve(forced);
        }
    }

    /// Tells every player the session ends and lets go of them.
    pub fn close_all(&mut self, message: &str) {
        for c in self.conns.iter_mut() {
            if let Some(c) = c.take() {
                let _ = c.tx.try_send(encode(&HostMsg::Closing {
                    message: message.to_string(),
                }));
            }
        }
    }
}

/// A running host.
pub struct Host {
    pub shared: Arc<Mutex<Shared>>,
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
}

/// Locks the host's state; a thread that panicked while holding it left the
/// game as it was between two changes, so it is used as it is.
pub fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

impl Host {
    /// Listens on `listen` and serves `game`, writing the game file to `path`.
    pub fn start(game: Game, path: &Path, listen: &str, options: HostOptions) -> std::io::Result<Host> {
        let listener = TcpListener::bind(listen)?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let seats = game.seats.len();
        let mut shared = Shared {
            game,
            path: path.to_path_buf(),
            listen: listen.to_string(),
            conns: (0..seats).map(|_| None).collect(),
            paused: false,
            ran: Duration::ZERO,
            since: Some(Instant::now()),
            round_limit: options.round_limit,
            log: VecDeque::new(),
            save_error: None,
            open: 0,
        };
        shared.note(format!("listening on {addr}"));
        shared.save();
        let shared = Arc::new(Mutex::new(shared));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let shared = shared.clone();
            let stop = stop.clone();
            std::thread::spawn(move || accept_loop(&listener, &shared, &stop, &options))
        };
        Ok(Host {
            shared,
            addr,
            stop,
            accept: Some(accept),
        })
    }

    /// Ends the session: players are told, threads wind down, the file is saved.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        {
            let mut s = lock(&self.shared);
            s.save();
            s.close_all("the host ended the session; it continues when the facilitator resumes the game");
        }
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if self.accept.is_some() {
            self.shutdown();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Mutex<Shared>>, stop: &Arc<AtomicBool>, options: &HostOptions) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                {
                    let mut s = lock(shared);
                    if s.open >= MAX_CONNECTIONS {
                        drop(s);
                        refuse(stream, ErrorCode::Full, "the host has as many connections as it takes");
                        continue;
                    }
                    s.open += 1;
                }
                let id = NEXT.fetch_add(1, Ordering::SeqCst);
                let shared = shared.clone();
                let stop = stop.clone();
                let options = options.clone();
                std::thread::spawn(move || {
                    serve(stream, peer, id, &shared, &stop, &options);
                    lock(&shared).open -= 1;
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(TICK),
            Err(_) => std::thread::sleep(TICK),
        }
    }
}

fn refuse(mut stream: TcpStream, code: ErrorCode, message: &str) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.write_all(
        encode(&HostMsg::Error {
            code,
            message: message.into(),
            fatal: true,
        })
        .as_bytes(),
    );
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Writes queued lines to the player until the queue closes or a write fails.
fn writer(mut stream: TcpStream, rx: Receiver<String>) {
    for line in rx {
        if stream.write_all(line.as_bytes()).and_then(|()| stream.flush()).is_err() {
            break;
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// One connection, from hello to goodbye.
fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    shared: &Arc<Mutex<Shared>>,
    stop: &AtomicBool,
    options: &HostOptions,
) {
    if stream.set_nonblocking(false).is_err()
        || stream.set_read_timeout(Some(TICK)).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let Ok(write_half) = stream.try_clone() else { return };
    let (tx, rx) = sync_channel::<String>(QUEUE);
    let writer_thread = std::thread::spawn(move || writer(write_half, rx));
    let send = |msg: &HostMsg| {
        let _ = tx.try_send(encode(msg));
    };
    let error = |code: ErrorCode, message: String, fatal: bool| {
        let _ = tx.try_send(encode(&HostMsg::Error { code, message, fatal }));
    };
    let mut reader = FrameReader::new(&stream, MAX_CLIENT_FRAME);
    let stopped = || stop.load(Ordering::SeqCst);
    let mut seat: Option<usize> = None;
    let mut deadline = Instant::now() + options.hello_timeout;
    loop {
        let line = match reader.next_line(deadline, &stopped) {
            Ok(line) => line,
            Err(FrameError::Idle) => {
                if !stopped() {
                    let what = if seat.is_some() {
                        format!("nothing arrived for {} s", options.idle_timeout.as_secs())
                    } else {
                        format!("no hello within {} s", options.hello_timeout.as_secs())
                    };
                    error(ErrorCode::Idle, format!("{what}; closing the connection"), true);
                    lock(shared).note(format!("{peer}: {what}; closed"));
                }
                break;
            }
            Err(FrameError::TooLarge) => {
                error(
                    ErrorCode::TooLarge,
                    format!("a line longer than {MAX_CLIENT_FRAME} bytes; closing the connection"),
                    true,
                );
                lock(shared).note(format!("{peer}: sent a line over {MAX_CLIENT_FRAME} bytes; closed"));
                break;
            }
            Err(FrameError::Closed { partial }) => {
                if partial > 0 {
                    lock(shared).note(format!("{peer}: closed in the middle of a message ({partial} bytes)"));
                }
                break;
            }
            Err(FrameError::Io(_)) => break,
        };
        deadline = Instant::now() + options.idle_timeout;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let msg = match decode_client(&line) {
            Ok(m) => m,
            Err(why) => {
                // Not fatal: a player's typo costs one error line.
                error(ErrorCode::Malformed, why, false);
                continue;
            }
        };
        match (msg, seat) {
            (
                ClientMsg::Hello {
                    protocol,
                    seat: want,
                    token,
                    name,
                },
                None,
            ) => match hello(shared, protocol, &want, &token, name, id, &tx) {
                Ok(i) => {
                    seat = Some(i);
                    let mut s = lock(shared);
                    let who = s.game.seats[i]
                        .name
                        .clone()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default();
                    s.note(format!("{want}{who} joined from {peer}"));
                    s.broadcast();
                }
                Err((code, message)) => {
                    lock(shared).note(format!("{peer}: refused: {message}"));
                    error(code, message, true);
                    break;
                }
            },
            (ClientMsg::Hello { .. }, Some(_)) => error(ErrorCode::Rejected, "already joined".into(), false),
            (ClientMsg::Ping, _) => send(&HostMsg::Pong),
            (ClientMsg::Bye, _) => break,
            (_, None) => {
                error(ErrorCode::NotJoined, "send hello first".into(), true);
                break;
            }
            (ClientMsg::Submit { round, decisions }, Some(i)) => {
                let mut s = lock(shared);
                let named: Vec<(String, f64)> = decisions.into_iter().collect();
                let result = match s.game.current_round() {
                    None => Err("the game is over".to_string()),
                    Some(n) if n != round => Err(format!("round {round} is not the current round ({n})")),
                    Some(_) => s
                        .game
                        .values_from_names(i, &named)
                        .and_then(|v| s.game.submit(i, v))
                        .map_err(|e| e.to_string()),
                };
                match result {
                    Ok(()) => {
                        // On disk before the player hears it was accepted.
                        s.save();
                        send(&HostMsg::Accepted { round });
                        let id = s.game.seats[i].id.clone();
                        s.note(format!("{id} submitted"));
                        if s.game.all_submitted() && !s.paused {
                            s.resolve(false);
                        } else {
                            s.broadcast();
                        }
                    }
                    Err(m) => error(ErrorCode::Rejected, m, false),
                }
            }
            (ClientMsg::Withdraw { round }, Some(i)) => {
                let mut s = lock(shared);
                if s.game.current_round() == Some(round) {
                    s.game.withdraw(i);
                    s.save();
                    s.broadcast();
                } else {
                    error(
                        ErrorCode::Rejected,
                        format!("round {round} is not the current round"),
                        false,
                    );
                }
            }
        }
    }
    if let Some(i) = seat {
        let mut s = lock(shared);
        if s.conns.get(i).and_then(|c| c.as_ref()).is_some_and(|c| c.id == id) {
            s.conns[i] = None;
            let sid = s.game.seats[i].id.clone();
            s.note(format!("{sid} left"));
            s.broadcast();
        }
    }
    drop(tx);
    let _ = stream.shutdown(std::net::Shutdown::Read);
    let _ = writer_thread.join();
}

fn hello(
    shared: &Mutex<Shared>,
    protocol: u32,
    want: &str,
    token: &str,
    name: Option<String>,
    id: u64,
    tx: &SyncSender<String>,
) -> Result<usize, (ErrorCode, String)> {
    if protocol != PROTOCOL {
        return Err((
            ErrorCode::OldVersion,
            format!(
                "this host speaks protocol {PROTOCOL}, the player {protocol}; use the same cloudstrat version as the host"
            ),
        ));
    }
    let mut s = lock(shared);
    let humans: Vec<String> = s
        .game
        .seats
        .iter()
        .filter(|x| x.kind == SeatKind::Human)
        .map(|x| x.id.clone())
        .collect();
    let i = match s.game.seat_index(want) {
        Some(i) if s.game.seats[i].kind == SeatKind::Human => i,
        _ => {
            return Err((
                ErrorCode::UnknownSeat,
                format!(
                    "no seat `{want}` for a player in this game; the seats are {}",
                    humans.join(", ")
                ),
            ));
        }
    };
    if !constant_time_eq(s.game.seats[i].token.as_bytes(), token.as_bytes()) {
        return Err((ErrorCode::WrongToken, format!("wrong token for seat `{want}`")));
    }
    if s.connected(i) {
        return Err((
            ErrorCode::SeatTaken,
            format!(
                "seat `{want}` is taken by another connection; if that was you, it is freed when that connection ends or times out"
            ),
        ));
    }
    if let Some(n) = name
        .map(|n| crate::document::clean::for_terminal(&n).into_owned())
        .filter(|n| !n.trim().is_empty())
    {
        s.game.seats[i].name = Some(crate::text::truncate(n.trim(), 40));
        s.save();
    }
    // The welcome goes first, before any state another thread may send.
    let _ = tx.try_send(encode(&HostMsg::Welcome {
        protocol: PROTOCOL,
        seat: want.to_string(),
    }));
    s.conns[i] = Some(Conn { id, tx: tx.clone() });
    Ok(i)
}

/// Compares tokens without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A player's connection to a host.
pub struct Player {
    stream: TcpStream,
    reader: FrameReader<TcpStream>,
}

/// Why the connection to the host failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlayerError {
    #[error("cannot connect to {0}")]
    Connect(String),
    #[error("the host refused: {message}")]
    Refused { code: ErrorCode, message: String },
    #[error("the host closed the connection")]
    Closed,
    #[error("the host sent something that is not a message of protocol {PROTOCOL}: {0}")]
    Garbled(String),
    #[error("nothing from the host in time")]
    Timeout,
}

impl Player {
    /// Connects and says hello; returns once the host welcomed the seat.
    pub fn join(address: &str, seat: &str, token: &str, name: Option<&str>) -> Result<Player, PlayerError> {
        let addrs: Vec<SocketAddr> = address
            .to_socket_addrs()
            .map_err(|e| PlayerError::Connect(format!("{address}: {e}")))?
            .collect();
        let stream = addrs
            .iter()
            .find_map(|a| TcpStream::connect_timeout(a, Duration::from_secs(5)).ok())
            .ok_or_else(|| PlayerError::Connect(format!("{address}: no host answers there")))?;
        let _ = stream.set_read_timeout(Some(TICK));
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        let read_half = stream.try_clone().map_err(|e| PlayerError::Connect(e.to_string()))?;
        let mut p = Player {
            stream,
            reader: FrameReader::new(read_half, MAX_HOST_FRAME),
        };
        p.send(&ClientMsg::Hello {
            protocol: PROTOCOL,
            seat: seat.to_string(),
            token: token.to_string(),
            name: name.map(str::to_string),
        })?;
        match p.next(Duration::from_secs(10))? {
            HostMsg::Welcome { .. } => Ok(p),
            HostMsg::Error { code, message, .. } => Err(PlayerError::Refused { code, message }),
            other => Err(PlayerError::Garbled(format!("{other:?}"))),
        }
    }

    pub fn send(&mut self, msg: &ClientMsg) -> Result<(), PlayerError> {
        self.stream
            .write_all(encode(msg).as_bytes())
            .map_err(|_| PlayerError::Closed)
    }

    /// The next message from the host, waiting at most `wait`.
    pub fn next(&mut self, wait: Duration) -> Result<HostMsg, PlayerError> {
        match self.reader.next_line(Instant::now() + wait, &|| false) {
            Ok(line) => serde_json::from_slice(&line).map_err(|e| PlayerError::Garbled(e.to_string())),
            Err(FrameError::Idle) => Err(PlayerError::Timeout),
            Err(FrameError::TooLarge) => Err(PlayerError::Garbled("a message over the size limit".into())),
            Err(_) => Err(PlayerError::Closed),
        }
    }

    /// Messages until one that `want` accepts (states in between are skipped).
    pub fn wait_for(&mut self, wait: Duration, want: impl Fn(&HostMsg) -> bool) -> Result<HostMsg, PlayerError> {
        let until = Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(PlayerError::Timeout);
            }
            let m = self.next(left)?;
            if want(&m) {
                return Ok(m);
            }
        }
    }
}

/// The sending half of a player's connection, once its reading half runs on a thread.
pub struct PlayerSender {
    stream: TcpStream,
}

impl PlayerSender {
    pub fn send(&mut self, msg: &ClientMsg) -> Result<(), PlayerError> {
        self.stream
            .write_all(encode(msg).as_bytes())
            .map_err(|_| PlayerError::Closed)
    }
}

impl Player {
    /// Moves reading to a thread that forwards every message (and, last, why
    /// the connection ended) to the returned receiver.
    pub fn split(self) -> (PlayerSender, Receiver<Result<HostMsg, PlayerError>>) {
        let (tx, rx) = sync_channel(256);
        let Player { stream, mut reader } = self;
        std::thread::spawn(move || {
            loop {
                let m = match reader.next_line(Instant::now() + Duration::from_secs(3600), &|| false) {
                    Ok(line) => {
                        serde_json::from_slice::<HostMsg>(&line).map_err(|e| PlayerError::Garbled(e.to_string()))
                    }
                    Err(FrameError::Idle) => continue,
                    Err(_) => Err(PlayerError::Closed),
                };
                let end = m.is_err();
                if tx.send(m).is_err() || end {
                    break;
                }
            }
        });
        (PlayerSender { stream }, rx)
    }
}
