//! The tokio runtime that runs every process: one the crate starts on first
//! use, or one the program already has.

use std::fmt;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, RuntimeFlavor};

/// The runtime processes run on, once chosen.
enum Chosen {
    /// Started by the crate, and kept for the program's life.
    Owned(tokio::runtime::Runtime),
    /// The program's own (`RuntimeBuilder::handle`).
    Borrowed(Handle),
}

impl Chosen {
    fn handle(&self) -> &Handle {
        match self {
            Chosen::Owned(rt) => rt.handle(),
            Chosen::Borrowed(h) => h,
        }
    }
}

static RUNTIME: OnceLock<Chosen> = OnceLock::new();

/// How many threads may block in `.wait()` or `receive()` at once, unless
/// the builder says otherwise.
const BLOCKING_THREADS: usize = 100_000;

/// The environment variable that sets the worker count of the crate's own
/// runtime.
const WORKERS_VAR: &str = "ACTOR_WORKER_THREADS";

/// The runtime's handle, starting the runtime on first use.
///
/// Processes run as tasks on a multi-thread tokio runtime. Unless the
/// program chose one with [`Runtime::builder`] before its first actor call,
/// the crate starts its own on first use: as many worker threads as cores,
/// or `ACTOR_WORKER_THREADS` when that environment variable is set. The
/// handle runs plain tokio work beside the processes.
///
/// # Panics
///
/// When `ACTOR_WORKER_THREADS` is not a positive number, or the OS refuses
/// the runtime's threads: the first actor call has nowhere to run.
///
/// # Examples
///
/// ```
/// // A plain thread blocking on work for the runtime. (Inside an async
/// // runtime of the program's own, `.await` instead.)
/// let answer = actor::runtime().block_on(async { 6 * 7 });
/// assert_eq!(answer, 42);
/// ```
#[track_caller]
pub fn runtime() -> &'static Handle {
    RUNTIME
        .get_or_init(|| match RuntimeBuilder::default().build() {
            Ok(chosen) => chosen,
            Err(e) => panic!("the actor runtime could not start: {e}"),
        })
        .handle()
}

/// Chooses the runtime processes run on: [`Runtime::builder`].
///
/// # Examples
///
/// Processes on the program's own runtime, so one runtime serves both:
///
/// ```
/// let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
/// actor::Runtime::builder().handle(rt.handle().clone()).start().unwrap();
/// rt.block_on(async {
///     let echo = actor::spawn("EchoActor").unwrap();
///     let reply = actor::msg!(std("hi") >> echo).await.unwrap();
///     assert_eq!(reply.data, "hi");
/// });
/// // Too late to choose again.
/// assert!(actor::Runtime::builder().worker_threads(4).start().is_err());
/// ```
#[derive(Debug)]
pub struct Runtime {
    _private: (),
}

impl Runtime {
    /// A builder for the runtime: call [`RuntimeBuilder::start`] before the
    /// first actor call (a spawn, a send, `actor::pid()`, ...).
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }
}

/// Configures the runtime processes run on; made by [`Runtime::builder`].
#[derive(Debug, Default)]
#[must_use = "nothing is configured until `start` is called"]
pub struct RuntimeBuilder {
    worker_threads: Option<usize>,
    max_blocking_threads: Option<usize>,
    handle: Option<Handle>,
}

impl RuntimeBuilder {
    /// How many worker threads the crate's own runtime has (by default
    /// `ACTOR_WORKER_THREADS`, else the number of cores).
    pub fn worker_threads(mut self, n: usize) -> RuntimeBuilder {
        self.worker_threads = Some(n);
        self
    }

    /// How many threads processes may block at once in `.wait()` or a
    /// blocking receive (each holds one; by default 100 000). For the
    /// crate's own runtime only: a program's runtime keeps its setting.
    pub fn max_blocking_threads(mut self, n: usize) -> RuntimeBuilder {
        self.max_blocking_threads = Some(n);
        self
    }

    /// Runs processes on the program's own runtime instead of starting one.
    /// It must be a multi-thread runtime (blocking calls inside processes
    /// hand its worker over, which a current-thread runtime cannot do), and
    /// it must outlive the processes: when it shuts down, they end with it
    /// (exit reason `killed`).
    pub fn handle(mut self, handle: Handle) -> RuntimeBuilder {
        self.handle = Some(handle);
        self
    }

    /// Makes the choice. An error when the runtime was chosen already (by
    /// an earlier `start`, or by a first actor call), or when the settings
    /// cannot work.
    pub fn start(self) -> Result<(), RuntimeError> {
        if RUNTIME.get().is_some() {
            return Err(RuntimeError::AlreadyStarted);
        }
        let chosen = self.build()?;
        RUNTIME
            .set(chosen)
            .map_err(|_| RuntimeError::AlreadyStarted)
    }

    fn build(self) -> Result<Chosen, RuntimeError> {
        if let Some(handle) = self.handle {
            if self.worker_threads.is_some() || self.max_blocking_threads.is_some() {
                return Err(RuntimeError::Conflict);
            }
            if handle.runtime_flavor() == RuntimeFlavor::CurrentThread {
                return Err(RuntimeError::CurrentThread);
            }
            return Ok(Chosen::Borrowed(handle));
        }
        let workers = match self.worker_threads {
            Some(0) => return Err(RuntimeError::NoWorkers),
            Some(n) => n,
            None => match std::env::var(WORKERS_VAR) {
                Ok(v) => match v.trim().parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => {
                        return Err(RuntimeError::BadEnv {
                            name: WORKERS_VAR,
                            value: v,
                        })
                    }
                },
                Err(std::env::VarError::NotUnicode(v)) => {
                    return Err(RuntimeError::BadEnv {
                        name: WORKERS_VAR,
                        value: v.to_string_lossy().into_owned(),
                    })
                }
                Err(std::env::VarError::NotPresent) => std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2),
            },
        };
        Builder::new_multi_thread()
            .worker_threads(workers)
            // Each process blocked in `.wait()` or `receive()` holds a
            // blocking thread (`block_in_place`): tokio's 512 would cap how
            // many may wait at once, and a capped pool stalls the workers
            // that hand over to it.
            .max_blocking_threads(self.max_blocking_threads.unwrap_or(BLOCKING_THREADS))
            .thread_name("actor-worker")
            .enable_all()
            .build()
            .map(Chosen::Owned)
            .map_err(RuntimeError::Io)
    }
}

/// Why [`RuntimeBuilder::start`] refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The runtime was chosen already: by an earlier `start`, or by the
    /// first actor call, which starts the crate's own.
    AlreadyStarted,
    /// Zero worker threads.
    NoWorkers,
    /// The handle is to a current-thread runtime.
    CurrentThread,
    /// Thread settings given together with a handle (they configure the
    /// crate's own runtime, which a handle replaces).
    Conflict,
    /// An environment variable does not hold what it should.
    BadEnv {
        /// The variable.
        name: &'static str,
        /// What it holds.
        value: String,
    },
    /// The OS refused the runtime's threads.
    Io(std::io::Error),
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuntimeError::AlreadyStarted => f.write_str(
                "the actor runtime is chosen already: configure it before the first actor call",
            ),
            RuntimeError::NoWorkers => f.write_str("the actor runtime needs at least one worker thread"),
            RuntimeError::CurrentThread => f.write_str(
                "processes need a multi-thread tokio runtime; the handle is to a current-thread one",
            ),
            RuntimeError::Conflict => f.write_str(
                "thread settings configure the crate's own runtime: give them, or a handle, not both",
            ),
            RuntimeError::BadEnv { name, value } => {
                write!(f, "{name}=`{value}` is not a positive number of worker threads")
            }
            RuntimeError::Io(e) => write!(f, "the OS refused the runtime's threads: {e}"),
        }
    }
}

impl std::error::Error for RuntimeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RuntimeError::Io(e) => Some(e),
            _ => None,
        }
    }
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
