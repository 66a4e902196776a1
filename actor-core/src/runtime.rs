//! The embedded tokio runtime that runs every process.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime, RuntimeFlavor};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// How many threads may block in `.wait()` or `receive()` at once.
const BLOCKING_THREADS: usize = 100_000;

/// The runtime's handle, starting the runtime on first use.
///
/// Processes run as tasks on a multi-thread tokio runtime that the crate
/// owns; nothing needs to set it up. Its worker count is the number of cores,
/// or `ACTOR_WORKER_THREADS` when that environment variable is set. The
/// handle is useful to run plain tokio work beside the processes.
///
/// # Examples
///
/// ```
/// let answer = actor::runtime().block_on(async { 6 * 7 });
/// assert_eq!(answer, 42);
/// ```
pub fn runtime() -> &'static Handle {
    RUNTIME
        .get_or_init(|| {
            let workers = std::env::var("ACTOR_WORKER_THREADS")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or_else(|| {
                    std::thread::available_parallelism()
                        .map(|n| n.get())
                        .unwrap_or(2)
                });
            Builder::new_multi_thread()
                .worker_threads(workers)
                // Each process blocked in `.wait()` or `receive()` holds a
                // blocking thread (`block_in_place`): tokio's 512 would cap
                // how many may wait at once, and a capped pool stalls the
                // workers that hand over to it.
                .max_blocking_threads(BLOCKING_THREADS)
                .thread_name("actor-worker")
                .enable_all()
                .build()
                .expect("the actor runtime could not start: the OS refused its worker threads")
        })
        .handle()
}

/// Runs `f`, which blocks, without starving the runtime when called from
/// one of its worker threads (a `.wait()` inside a handler, for instance).
///
/// # Panics
///
/// On a current-thread runtime: blocking its only thread would stop every
/// task on it, the one that would answer included (tokio's
/// `block_in_place` refuses the same).
#[track_caller]
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() != RuntimeFlavor::CurrentThread => {
            tokio::task::block_in_place(f)
        }
        Ok(_) => panic!(
            "a blocking actor call (`.wait()`, `actor::receive*`) on a current-thread tokio \
             runtime would stop every task on it: use the async forms (`.await`, \
             `actor::recv*`) there, or a multi-thread runtime"
        ),
        Err(_) => f(),
    }
}
