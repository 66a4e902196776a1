//! The observer: a live page of the running system, and its JSON API
//! (feature `observer`). Erlang's `observer`, in a browser.
//!
//! [`serve`] starts an HTTP server on the actor runtime and returns at
//! once. Its page shows, refreshed every second:
//!
//! - every process, sortable by mailbox length (the default, so a flooded
//!   mailbox is the first row), messages handled and memory, with a filter;
//! - the supervision trees (OTP supervisors and the seed's `Supervisor`),
//!   folding;
//! - this node and the nodes connected to it;
//! - for a selected process: its links, monitors, parent, and its recent
//!   state (mailbox length and messages handled per second over the last
//!   minute); a button to kill it when actions are allowed.
//!
//! The same data as JSON:
//!
//! | route | answer |
//! |---|---|
//! | `GET /api/processes` | an array of process objects (below), largest mailbox first; `?sort=mailbox_len\|handled\|memory\|name\|actor\|pid`, `&order=asc\|desc`, `&limit=N`, `&q=text` (pid, name or actor contains it); the header `x-total-count` gives the matches before `limit`; `x-process-count`, `x-messages-queued`, `x-messages-handled` and `x-memory-total` sum over all processes |
//! | `GET /api/process/{pid}` | one process object; `404` with `{"error": …}` for an unknown or malformed pid |
//! | `GET /api/tree` | an array of supervision trees: nodes with `pid`, `id` (the child's id in its supervisor), `name`, `actor`, `kind` (`supervisor` or `worker`), `state` (`running`, `restarting`, `stopped`), `restart`, `mailbox_len`, `error` (a supervisor that did not answer) and `children` |
//! | `GET /api/nodes` | `{"node": name or null, "connected": [names]}` |
//! | `GET /api/observer` | `{"actions": bool, "version": …, "pid": the observer's own process}` |
//! | `POST /api/process/{pid}/kill` | kills the process, when actions are allowed (`403` otherwise); needs the header `x-requested-by: actor-observer` |
//!
//! A process object has `pid` (the UUID, as `Pid`'s `Display` prints it),
//! `name`, `actor`, `mailbox_len`, `handled`, `memory` (bytes, an estimate:
//! see [`ProcessInfo::memory`](crate::ProcessInfo::memory)), `links`,
//! `monitors`, `monitored_by` (pids), `trap_exit`, `parent`, `thread` and
//! `supervisor` (whether it is one).
//!
//! # Safety by default
//!
//! - It listens on loopback only: [`serve`] refuses any other address
//!   unless [`Builder::allow_remote`] says otherwise, and it answers only
//!   requests whose `Host` is a loopback name or address (so a web page
//!   elsewhere cannot reach it through DNS rebinding).
//! - It is read-only: killing a process from the page needs
//!   [`Builder::allow_actions`], and the page says whether actions are on.
//!   An action request must carry a header a cross-site form cannot set.
//!
//! # How it runs
//!
//! The server runs on the actor runtime's threads. Listing processes needs
//! no process of its own; asking supervisors for their children and
//! killing a process do, so the observer spawns one, which shows in the
//! process table (its pid is in `/api/observer`). It asks supervisors from
//! a few short-lived helper processes (its children), and gives up on (and
//! kills) a helper whose supervisor has not answered within two seconds,
//! so a busy supervisor shows as an `error` in its tree instead of
//! stalling the page or the other trees.
//!
//! # Examples
//!
//! ```
//! let observer = actor::observer::serve("127.0.0.1:0").unwrap();
//! println!("open {}", observer.url());
//! assert!(observer.local_addr().ip().is_loopback());
//! assert!(!observer.actions_allowed());
//! observer.stop();
//! ```
//!
//! With actions, and a non-loopback address refused:
//!
//! ```
//! use actor::observer::{Observer, ObserverError};
//!
//! let observer = Observer::builder().allow_actions(true).serve("127.0.0.1:0").unwrap();
//! assert!(observer.actions_allowed());
//! observer.stop();
//!
//! let refused = actor::observer::serve("0.0.0.0:0").unwrap_err();
//! assert!(matches!(refused, ObserverError::NotLoopback(_)));
//! ```
//!
//! `cargo run --features observer --example observer -- 127.0.0.1:8080`
//! runs a small system (a supervision tree, a flooded mailbox, a worker
//! that keeps crashing) and serves it.

mod collector;
mod http;
mod view;

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::{Pid, SpawnError};

use self::collector::Collector;

/// How long [`Observer::stop`] waits for open requests to finish.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves the observer on `addr`, read-only, loopback only: the short form
/// of [`Observer::builder()`]`.serve(addr)`.
///
/// Returns once the server listens; it runs until [`Observer::stop`] (or
/// the program's end). Port `0` picks a free port:
/// [`Observer::local_addr`] tells which.
///
/// # Errors
///
/// [`ObserverError::NotLoopback`] for an address other machines could
/// reach; [`ObserverError::Bind`] when the address cannot be listened on
/// (a port in use, say); [`ObserverError::Resolve`] when it does not
/// resolve.
///
/// # Examples
///
/// ```
/// let observer = actor::observer::serve("127.0.0.1:0").unwrap();
/// let taken = actor::observer::serve(observer.local_addr()).unwrap_err();
/// assert!(taken.to_string().contains("in use"), "{taken}");
/// observer.stop();
/// ```
pub fn serve(addr: impl ToSocketAddrs) -> Result<Observer, ObserverError> {
    Observer::builder().serve(addr)
}

/// Options for an observer: [`Observer::builder()`], then
/// [`serve`](Builder::serve).
///
/// # Examples
///
/// ```
/// use actor::observer::Observer;
///
/// let observer = Observer::builder()
///     .allow_actions(true) // the page may kill processes
///     .serve("127.0.0.1:0")
///     .unwrap();
/// assert!(observer.actions_allowed());
/// observer.stop();
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `.serve(addr)`"]
pub struct Builder {
    allow_actions: bool,
    allow_remote: bool,
}

impl Builder {
    /// Lets the page (and `POST /api/process/{pid}/kill`) kill processes.
    /// Off by default: the observer is read-only.
    pub fn allow_actions(mut self, allow: bool) -> Builder {
        self.allow_actions = allow;
        self
    }

    /// Lets the observer listen on an address other than loopback and
    /// answer any `Host`. Off by default. Anyone who can reach the port
    /// sees every process (and kills them, with
    /// [`allow_actions`](Builder::allow_actions)): put it behind
    /// something that authenticates.
    pub fn allow_remote(mut self, allow: bool) -> Builder {
        self.allow_remote = allow;
        self
    }

    /// Starts serving on `addr` (see [`serve`]).
    ///
    /// # Errors
    ///
    /// As [`serve`]'s; [`ObserverError::Spawn`] if the observer's process
    /// cannot start.
    pub fn serve(self, addr: impl ToSocketAddrs) -> Result<Observer, ObserverError> {
        let addrs: Vec<SocketAddr> = addr
            .to_socket_addrs()
            .map_err(ObserverError::Resolve)?
            .collect();
        if addrs.is_empty() {
            return Err(ObserverError::Resolve(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the address resolved to nothing",
            )));
        }
        if !self.allow_remote {
            if let Some(remote) = addrs.iter().find(|a| !a.ip().is_loopback()) {
                return Err(ObserverError::NotLoopback(*remote));
            }
        }
        let listener = TcpListener::bind(&addrs[..]).map_err(|source| ObserverError::Bind {
            addr: addrs[0],
            source,
        })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ObserverError::Bind {
                addr: addrs[0],
                source,
            })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| ObserverError::Bind {
                addr: local_addr,
                source,
            })?;
        let collector = Collector::start().map_err(ObserverError::Spawn)?;
        let shared = Arc::new(http::Shared {
            allow_actions: self.allow_actions,
            allow_remote: self.allow_remote,
            collector,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let runtime = crate::runtime();
        let listener = {
            let _enter = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(|source| ObserverError::Bind {
                addr: local_addr,
                source,
            })?
        };
        let app = http::router(shared.clone());
        let server = runtime.spawn(async move {
            let graceful = axum::serve(listener, app).with_graceful_shutdown(async move {
                // A dropped handle (`Err`) leaves the server running.
                if stopped.await.is_err() {
                    std::future::pending::<()>().await;
                }
            });
            if let Err(e) = graceful.await {
                tracing::warn!("observer on {local_addr}: the server stopped: {e}");
            }
        });
        if self.allow_remote && self.allow_actions && !local_addr.ip().is_loopback() {
            tracing::warn!(
                "observer on {local_addr}: anyone who can reach this address can kill processes"
            );
        }
        tracing::info!("observer serving on http://{local_addr}/");
        Ok(Observer {
            local_addr,
            shared,
            stop: Some(stop),
            server: Some(server),
        })
    }
}

/// A running observer: where it listens, and [`stop`](Observer::stop).
///
/// Dropping it leaves the server running (as dropping a thread's
/// `JoinHandle` leaves the thread), until the program ends.
#[derive(Debug)]
pub struct Observer {
    local_addr: SocketAddr,
    shared: Arc<http::Shared>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Observer {
    /// Options: actions, non-loopback addresses.
    ///
    /// # Examples
    ///
    /// ```
    /// let observer = actor::observer::Observer::builder().serve("localhost:0").unwrap();
    /// assert!(observer.url().starts_with("http://"));
    /// observer.stop();
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The address it listens on (with the port chosen, for port `0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The page's address: `http://IP:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.local_addr)
    }

    /// Whether the page may kill processes ([`Builder::allow_actions`]).
    pub fn actions_allowed(&self) -> bool {
        self.shared.allow_actions
    }

    /// The observer's own process (it asks supervisors for their children
    /// and carries out actions).
    pub fn pid(&self) -> Pid {
        self.shared.collector.pid()
    }

    /// Stops serving: closes the listener, lets open requests finish (for
    /// up to five seconds), and ends the observer's process. The port is
    /// free again when it returns.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.shared.collector.stop();
        if let Some(server) = self.server.take() {
            wait_for(server);
        }
    }
}

/// Waits, without stalling the runtime if called from inside it, for the
/// server task to end; aborts it after [`STOP_TIMEOUT`].
fn wait_for(server: tokio::task::JoinHandle<()>) {
    use tokio::runtime::{Handle, RuntimeFlavor};
    let abort = server.abort_handle();
    let wait = async move {
        if tokio::time::timeout(STOP_TIMEOUT, server).await.is_err() {
            abort.abort();
        }
    };
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| h.block_on(wait));
        }
        // On a current-thread runtime, blocking would stop the server's
        // own progress: the stop signal is sent, the task ends by itself.
        Ok(_) => {}
        Err(_) => crate::runtime().block_on(wait),
    }
}

/// Why the observer could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum ObserverError {
    /// The address did not resolve.
    Resolve(io::Error),
    /// The address is not loopback, and [`Builder::allow_remote`] is off.
    NotLoopback(SocketAddr),
    /// The address could not be listened on: a port in use, a port that
    /// needs privileges, an address of no interface here.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the OS said.
        source: io::Error,
    },
    /// The observer's own process could not start.
    Spawn(SpawnError),
}

impl fmt::Display for ObserverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObserverError::Resolve(e) => write!(f, "the observer's address does not resolve: {e}"),
            ObserverError::NotLoopback(addr) => write!(
                f,
                "the observer listens on loopback only, not {addr}: use 127.0.0.1 or [::1], \
                 or `Observer::builder().allow_remote(true)` to expose it"
            ),
            ObserverError::Bind { addr, source } if source.kind() == io::ErrorKind::AddrInUse => {
                write!(
                    f,
                    "the observer cannot listen on {addr}: the address is in use \
                     (another program, or another observer, serves there; port 0 picks a free one)"
                )
            }
            ObserverError::Bind { addr, source } => {
                write!(f, "the observer cannot listen on {addr}: {source}")
            }
            ObserverError::Spawn(e) => write!(f, "the observer's process did not start: {e}"),
        }
    }
}

impl std::error::Error for ObserverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ObserverError::Resolve(e) | ObserverError::Bind { source: e, .. } => Some(e),
            ObserverError::Spawn(e) => Some(e),
            ObserverError::NotLoopback(_) => None,
        }
    }
}
