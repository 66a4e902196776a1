//! Stopping the actor system: every process gets exit reason `shutdown`,
//! supervision trees first, and what outlives the timeout is killed
//! (Erlang's `init:stop/0`).

use std::time::{Duration, Instant};

use std::sync::Arc;

use crate::process::{self, reasons, Proc};
use crate::term::Term;

/// What [`shutdown`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Shutdown {
    /// Processes that exited within the timeout (their `stop` hooks ran).
    pub stopped: usize,
    /// Processes still alive at the timeout, killed.
    pub killed: usize,
}

/// Stops every local process but the caller, and waits up to `timeout`:
/// supervision trees from the top (each supervisor stops its children in
/// reverse start order, as it does on `supervisor::stop`), then everything
/// else. Every process gets exit reason `shutdown` — trapping or not, an
/// actor runs its `stop(shutdown)` hook — and what is still alive at the
/// timeout is killed. A plain thread's process ends at once (the thread
/// carries on as a fresh process if it uses actors again).
///
/// Blocking: from async code, use [`shutdown_async`]. New processes may be
/// spawned afterwards.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// #[derive(Default)]
/// struct Tidy(Arc<Mutex<Vec<String>>>);
///
/// #[actor]
/// impl Tidy {
///     fn death(&mut self) {} // traps exits: only a shutdown stops it
///     fn stop(&mut self, reason: Term) {
///         self.0.lock().unwrap().push(reason.to_string());
///     }
/// }
///
/// let log = Arc::new(Mutex::new(Vec::new()));
/// actor::spawn(Tidy(log.clone())).unwrap();
/// let done = actor::shutdown(Duration::from_secs(5));
/// assert_eq!(done.killed, 0);
/// assert!(done.stopped >= 1);
/// assert_eq!(*log.lock().unwrap(), ["shutdown"]);
/// ```
pub fn shutdown(timeout: Duration) -> Shutdown {
    let mut run = Run::new(timeout);
    crate::runtime::blocking(|| loop {
        if let Some(done) = run.step() {
            return done;
        }
        std::thread::sleep(POLL);
    })
}

/// [`shutdown`] for async code: the same, waiting without blocking the
/// thread.
///
/// # Examples
///
/// ```
/// # actor::runtime().block_on(async {
/// let echo = actor::spawn("EchoActor").unwrap();
/// let done = actor::shutdown_async(std::time::Duration::from_secs(5)).await;
/// assert!(done.stopped >= 1 && !actor::is_alive(echo));
/// # });
/// ```
pub async fn shutdown_async(timeout: Duration) -> Shutdown {
    let mut run = Run::new(timeout);
    loop {
        if let Some(done) = run.step() {
            return done;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// How often the waits look.
const POLL: Duration = Duration::from_millis(1);
/// How long a kill may take to land.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// One shutdown, stepped by a driver that sleeps between steps.
struct Run {
    /// Every local process but the caller's, still alive at the last look.
    left: Vec<Arc<Proc>>,
    phase: Phase,
    deadline: Instant,
    stopped: usize,
    killed: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The supervision trees' roots were asked to stop; waiting for the
    /// trees.
    Trees,
    /// Everything else was asked too; waiting for all.
    Rest,
    /// The timeout passed: what was left was killed; waiting for the kills
    /// to land (up to `KILL_WAIT`).
    Killed,
}

impl Run {
    /// Takes the census and stops the supervision trees' roots.
    fn new(timeout: Duration) -> Run {
        let me = process::current_pid();
        let left: Vec<Arc<Proc>> = process::all()
            .into_iter()
            .filter(|&p| p != me)
            .filter_map(process::lookup)
            .filter(|p| !p.is_dead())
            .collect();
        let run = Run {
            left,
            phase: Phase::Trees,
            deadline: Instant::now() + timeout,
            stopped: 0,
            killed: 0,
        };
        for root in run.roots() {
            stop(root);
        }
        run
    }

    /// The supervisors that no supervisor in the census supervises.
    fn roots(&self) -> impl Iterator<Item = &Arc<Proc>> {
        self.left.iter().filter(|p| {
            is_supervisor(p)
                && p.parent()
                    .and_then(|parent| self.left.iter().find(|q| q.pid == parent))
                    .is_none_or(|parent| !is_supervisor(parent))
        })
    }

    /// Looks again; what the shutdown did once it is over.
    fn step(&mut self) -> Option<Shutdown> {
        let before = self.left.len();
        self.left.retain(|p| !p.is_dead());
        if self.phase != Phase::Killed {
            self.stopped += before - self.left.len();
        }
        let now = Instant::now();
        match self.phase {
            Phase::Trees if now < self.deadline => {
                if !self.left.iter().any(|p| in_a_tree(p)) {
                    self.left.iter().for_each(stop);
                    self.phase = Phase::Rest;
                }
            }
            Phase::Rest if now < self.deadline => {}
            Phase::Trees | Phase::Rest => {
                self.killed = self.left.len();
                for p in &self.left {
                    p.request_exit(reasons::killed());
                }
                self.phase = Phase::Killed;
                self.deadline = now + KILL_WAIT;
            }
            Phase::Killed if now < self.deadline => {}
            Phase::Killed => return Some(self.done()),
        }
        self.left.is_empty().then(|| self.done())
    }

    fn done(&self) -> Shutdown {
        Shutdown {
            stopped: self.stopped,
            killed: self.killed,
        }
    }
}

/// Whether `p` is a supervisor or has one above it.
fn in_a_tree(p: &Proc) -> bool {
    if is_supervisor(p) {
        return true;
    }
    let mut parent = p.parent();
    // Parents are followed through the table; a tree deeper than this is
    // not worth waiting for separately.
    for _ in 0..64 {
        let Some(q) = parent.and_then(process::lookup) else {
            return false;
        };
        if is_supervisor(&q) {
            return true;
        }
        parent = q.parent();
    }
    false
}

fn is_supervisor(p: &Proc) -> bool {
    p.actor() == Some(crate::supervisor::server_type())
}

/// Asks `p` to exit with `shutdown`, whether it traps exits or not (a
/// supervisor then stops its children first; an actor runs `stop`).
fn stop(p: &Arc<Proc>) {
    if !p.is_dead() {
        p.request_exit(Term::atom("shutdown"));
    }
}
