//! Peer nodes (`actor::node::Peer`): child OS processes started as nodes
//! of this cluster and linked to the process that started them, the way
//! OTP's `peer` module starts them.
//!
//! In this program a *proxy* process stands for the peer: it owns the OS
//! child, is linked to the process that called `start` (or to a
//! supervisor) and to a *controller* process on the peer node. Whatever
//! ends the child breaks the connection, the proxy hears `noconnection`
//! from its link to the controller and exits with it. The controller, on
//! the other side, stops its node when the proxy goes or says `stop`.
//! The OS side (fork, death signal, sandbox, limits, reaping) is in `os`.

#[cfg(target_os = "linux")]
mod os;

use std::ffi::OsString;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::connect;
use crate::actor::Actor;
use crate::call::{self, CallError};
use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::lock;
use crate::spawn::{IntoSpawn, SpawnError, SpawnOpts};
use crate::supervisor::{ChildSpec, Shutdown};
use crate::term::Term;

/// The node name of the peer to run as.
const ENV_NODE: &str = "ACTOR_PEER_NODE";
/// Its cookie: fresh for every peer.
const ENV_COOKIE: &str = "ACTOR_PEER_COOKIE";
/// The node that started it.
const ENV_PARENT: &str = "ACTOR_PEER_PARENT";
/// The name the starting process waits under, on the parent node.
const ENV_READY: &str = "ACTOR_PEER_READY";
/// How long the peer's processes get to stop.
const ENV_STOP_MS: &str = "ACTOR_PEER_STOP_MS";

/// The exit status of a peer whose node could not start.
const EXIT_NODE_FAILED: i32 = 70;

/// A peer node: a child OS process started as a node of this cluster,
/// linked to the process that started it (Erlang's `peer:start_link/1`).
///
/// - **Linked.** [`pid`](Peer::pid) is a process on this node that stands
///   for the peer, linked to the process that called
///   [`start`](PeerBuilder::start). Whatever ends the child (a panic that
///   aborts, `abort()`, a segfault, SIGKILL, the OOM killer, a resource
///   limit) reaches it and every process linked to it or monitoring it as
///   the exit reason `noconnection`, and never harms this OS process.
///   When the starting process exits, the peer stops.
/// - **Never outlives this program.** The child gets SIGKILL when this
///   program ends, however it ends (`PR_SET_PDEATHSIG`), and also exits
///   when its stdin, a pipe from this program, closes.
/// - **A node like any other.** [`spawn_on`](crate::node::spawn_on)`(peer.node(), "Name")`,
///   [`spawn_link_on`](crate::node::spawn_link_on), calls, links, monitors
///   and `(name, node)` targets work across it. A Rust peer runs this
///   program's registered actors (the same binary has the same `#[actor]`
///   types). The peer connects with a fresh cookie that only this node
///   knows (Erlang's `erlang:set_cookie(Node, Cookie)`): it is part of
///   this program's cluster, not of every node sharing the default cookie.
/// - **Stopped cleanly** by [`stop`](Peer::stop): its processes get
///   `shutdown`, their `stop` hooks run, the OS child exits and is reaped.
///   Dropping a `Peer` stops nothing: the peer lives as long as the
///   process that started it (as in OTP), or until this program ends.
///
/// What runs in the child: this program again (the default; its `main`
/// calls [`peer_main`](crate::node::peer_main) first), an `erl` node
/// ([`PeerBuilder::erl`]), or any command ([`PeerBuilder::command`]).
/// The program must be a node already ([`start`](crate::node::start)):
/// the peer registers with its EPMD and connects to it.
///
/// Linux only: elsewhere [`start`](PeerBuilder::start) returns
/// [`PeerError::Unsupported`].
///
/// # Examples
///
/// A program that starts a copy of itself as a peer, calls an actor
/// there, and stops it. It needs [`peer_main`](crate::node::peer_main) in
/// `main` (see there for a test binary):
///
/// ```
/// use actor::prelude::*;
/// use actor::node::Peer;
///
/// fn main() {
///     actor::node::peer_main(); // in the peer: runs the node, never returns
///
/// #   // a private EPMD: parallel doc tests cannot disturb each other
/// #   let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// #   std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// #   std::env::set_var("ACTOR_EPMD", "in_process");
/// #   drop(free);
///     let me = format!("main{}@localhost", std::process::id());
///     actor::node::start(&me, "cookie").unwrap();
///     let peer = Peer::builder().name("worker").start().unwrap();
///     let echo = actor::spawn_on(peer.node(), "EchoActor").unwrap();
///     assert_eq!(msg!(std(1) >> echo).wait().unwrap().data, 1);
///     peer.stop().unwrap();
/// }
/// ```
pub struct Peer {
    node: String,
    pid: Pid,
    os_pid: u32,
    stop_timeout: Duration,
    #[cfg(target_os = "linux")]
    child: Arc<os::OsChild>,
}

impl fmt::Debug for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer")
            .field("node", &self.node)
            .field("pid", &self.pid)
            .field("os_pid", &self.os_pid)
            .finish()
    }
}

impl Peer {
    /// A builder for a peer: this program again, a generated name, no
    /// sandbox, no limits, a 30 s start timeout.
    pub fn builder() -> PeerBuilder {
        PeerBuilder {
            name: None,
            program: Program::CurrentExe,
            args: Vec::new(),
            env: Vec::new(),
            sandbox: None,
            limits: Limits::default(),
            start_timeout: Duration::from_secs(30),
            stop_timeout: Duration::from_secs(5),
        }
    }

    /// The peer's node name, for [`spawn_on`](crate::node::spawn_on) and
    /// `(name, node)` targets.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The process on this node that stands for the peer: link to it or
    /// monitor it to hear `noconnection` when the peer goes. It traps
    /// exits, as a gen_server does: an exit signal from the process that
    /// started it (say `shutdown` from a supervisor) stops the peer
    /// cleanly and it exits with that reason; exits of other linked
    /// processes are ignored; [`kill`](crate::kill) ends it at once, and
    /// the peer, which hears of it through its link, stops itself.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The child's OS process id.
    pub fn os_pid(&self) -> u32 {
        self.os_pid
    }

    /// Stops the peer cleanly and waits for the child to be reaped: its
    /// processes get the exit reason `shutdown` and their `stop` hooks run
    /// ([`shutdown`](crate::shutdown) on that node; `init:stop()` on an
    /// `erl` peer). A peer that does not exit within the stop timeout
    /// ([`PeerBuilder::stop_timeout`]) is killed:
    /// [`PeerError::Killed`]. One that was gone already gives
    /// [`PeerError::Down`] with the reason its process exited with.
    ///
    /// The process standing for the peer exits `normal`, so the caller,
    /// linked to it, lives on.
    pub fn stop(self) -> Result<(), PeerError> {
        let answer = call::call(self.pid, Kind::Info, Ok(Term::atom("stop")), None)
            .timeout(self.stop_timeout + Duration::from_secs(10))
            .wait();
        let result = match answer {
            Ok(m) if m.data.is_atom("ok") => Ok(()),
            Ok(m) if m.data.is_atom("killed") => Err(PeerError::Killed {
                node: self.node.clone(),
                after: self.stop_timeout,
            }),
            Ok(m) => Err(PeerError::Down {
                node: self.node.clone(),
                reason: m.data,
            }),
            Err(CallError::Exit(reason)) => Err(PeerError::Down {
                node: self.node.clone(),
                reason,
            }),
            Err(CallError::NoProcess) => Err(PeerError::Down {
                node: self.node.clone(),
                reason: Term::atom("noproc"),
            }),
            Err(other) => Err(PeerError::Down {
                node: self.node.clone(),
                reason: Term::from(other.to_string()),
            }),
        };
        #[cfg(target_os = "linux")]
        self.child.kill_and_reap();
        result
    }
}

/// What runs in the child.
#[derive(Clone, Debug)]
enum Program {
    CurrentExe,
    Erl,
    Command(PathBuf),
}

/// Options for a [`Peer`]: what runs, its name, sandbox and limits.
///
/// A builder can be started many times ([`start`](PeerBuilder::start)
/// takes `&self`), and [`child_spec`](PeerBuilder::child_spec) makes it a
/// supervisor's child.
///
/// # Examples
///
/// ```
/// use actor::node::{Limits, Peer, Sandbox};
/// use std::time::Duration;
///
/// let builder = Peer::builder()
///     .name("worker")
///     .sandbox(Sandbox::new().read_only("/etc/ssl").writable("/tmp"))
///     .limits(Limits::new().memory(512 << 20).cpu_time(Duration::from_secs(60)).open_files(256))
///     .start_timeout(Duration::from_secs(10));
/// // not a node yet: a clear error, nothing started
/// let err = builder.start().unwrap_err();
/// assert!(err.to_string().contains("actor::node::start"), "{err}");
/// ```
#[derive(Clone, Debug)]
pub struct PeerBuilder {
    name: Option<String>,
    program: Program,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    sandbox: Option<Sandbox>,
    limits: Limits,
    start_timeout: Duration,
    stop_timeout: Duration,
}

impl PeerBuilder {
    /// The peer's node name: `name@host`, or just `name` for this node's
    /// host. Without one, every start makes a fresh name
    /// (`peer<N>_<os pid>`). A supervised peer keeps the name across
    /// restarts when it has one.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Runs this program again (the default), with the arguments given by
    /// [`arg`](PeerBuilder::arg). Its `main` must call
    /// [`peer_main`](crate::node::peer_main) first.
    pub fn current_exe(mut self) -> Self {
        self.program = Program::CurrentExe;
        self
    }

    /// Runs an Erlang node: `erl` from the `PATH`, hidden, with no shell,
    /// the name and the fresh cookie, this node's EPMD, and a small
    /// controller (`-eval`) that reports to this node and stops the node
    /// (`init:stop()`) when asked or when the process standing for it
    /// exits. [`arg`](PeerBuilder::arg) adds `erl` arguments (`-pa Dir`,
    /// say).
    pub fn erl(mut self) -> Self {
        self.program = Program::Erl;
        self
    }

    /// Runs `program` (searched on the `PATH` without a `/`). It learns
    /// what to be from the environment: `ACTOR_PEER_NODE` (its node name),
    /// `ACTOR_PEER_COOKIE`, `ACTOR_PEER_PARENT` (this node),
    /// `ACTOR_PEER_READY` (the name to send `{peer_up, ControllerPid}` to
    /// on the parent once up) and `ERL_EPMD_PORT`. A Rust program built on
    /// this crate only has to call [`peer_main`](crate::node::peer_main).
    pub fn command(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = Program::Command(program.into());
        self
    }

    /// Adds an argument for the program.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments for the program.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs the child in its own mount namespace (Linux): it sees the
    /// [`Sandbox`]'s paths and nothing else of this program's file tree.
    /// Where the kernel refuses, [`start`](PeerBuilder::start) fails with
    /// [`PeerError::Sandbox`]; it never starts unsandboxed.
    pub fn sandbox(mut self, sandbox: Sandbox) -> Self {
        self.sandbox = Some(sandbox);
        self
    }

    /// Runs the child under resource [`Limits`] (`setrlimit`).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How long the child has to join (default 30 s); after that it is
    /// killed and [`start`](PeerBuilder::start) fails with
    /// [`PeerError::Timeout`].
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = timeout;
        self
    }

    /// How long a clean stop may take (default 5 s) before the child is
    /// killed.
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.stop_timeout = timeout;
        self
    }

    /// Starts the peer and waits until it has joined: the child runs, its
    /// node registers with this node's EPMD and connects here. The process
    /// standing for it ([`Peer::pid`]) is linked to the caller.
    ///
    /// On any failure the child is killed and reaped before this returns:
    /// a program that cannot run ([`PeerError::Spawn`]), a sandbox or limit
    /// the kernel refuses ([`PeerError::Sandbox`], [`PeerError::Limits`]),
    /// a child that exits before it joins ([`PeerError::Exited`]) or does
    /// not join in time ([`PeerError::Timeout`]).
    ///
    /// Blocking (from a handler, it blocks that process only). From a
    /// plain tokio task that is not a process, wrap it in
    /// [`scope`](crate::scope): the link needs a process.
    pub fn start(&self) -> Result<Peer, PeerError> {
        let outcome = Arc::new(Mutex::new(None));
        let proxy = Proxy::new(self.clone(), Some(outcome.clone()));
        let started = crate::spawn::start_link(proxy).wait();
        let taken = lock(&outcome).take();
        match (started, taken) {
            (Ok(pid), Some(Ok(info))) => Ok(Peer {
                node: info.node,
                pid,
                os_pid: info.os_pid,
                stop_timeout: self.stop_timeout,
                #[cfg(target_os = "linux")]
                child: info.child,
            }),
            (_, Some(Err(e))) => Err(e),
            (Err(e), _) => Err(PeerError::Down {
                node: self.name.clone().unwrap_or_default(),
                reason: match e {
                    SpawnError::StartFailed(r) => r,
                    other => Term::from(other.to_string()),
                },
            }),
            (Ok(_), None) => unreachable!("a started proxy has reported"),
        }
    }

    /// A supervisor child that is this peer: the child process is the one
    /// standing for the peer ([`Peer::pid`]). When the peer dies (exit
    /// reason `noconnection`), the supervisor restarts it by its strategy,
    /// intensity and backoff; a failed start is a failed (re)start. A
    /// supervisor's `shutdown` stops it cleanly, with the stop timeout
    /// plus a second before it is killed.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::node::Peer;
    /// use actor::supervisor::{ChildType, SupervisorSpec};
    ///
    /// let spec = Peer::builder().name("worker").child_spec("worker");
    /// assert_eq!((spec.id(), spec.child_type()), ("worker", ChildType::Worker));
    /// let _tree = SupervisorSpec::one_for_one().child(spec);
    /// ```
    pub fn child_spec(&self, id: impl Into<String>) -> ChildSpec {
        let builder = self.clone();
        ChildSpec::worker_fn(id, move || Proxy::new(builder.clone(), None)).shutdown(
            Shutdown::Timeout(self.stop_timeout + Duration::from_secs(1)),
        )
    }
}

/// The file system a sandboxed peer sees (Linux mount namespaces): the
/// program itself, the system's shared libraries (`/lib`, `/lib64`,
/// `/usr/lib`, `/usr/lib64` where they exist) and `/etc/hosts`, all
/// read-only; the paths added with [`read_only`](Sandbox::read_only); and
/// one [`writable`](Sandbox::writable) directory, its working directory.
/// Nothing else: no `/home`, `/proc`, `/dev` or `/tmp` (unless given).
/// Each path appears at the same place as outside, and the root around
/// them is read-only: the writable directory is the one place to write.
///
/// The child enters a new mount namespace (`unshare(CLONE_NEWNS)`; where
/// that is not permitted, inside a new user namespace mapped to this
/// user), builds a fresh root on a tmpfs from bind mounts and
/// `pivot_root`s into it before it runs the program. `erl` needs its
/// installation too: bind `/usr/lib/erlang` (or wherever it lives), `/bin`
/// and `/usr/bin`.
///
/// # Examples
///
/// ```
/// use actor::node::Sandbox;
///
/// let sandbox = Sandbox::new().read_only("/usr/share/zoneinfo").writable("/var/tmp/job");
/// assert!(format!("{sandbox:?}").contains("zoneinfo"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Sandbox {
    read_only: Vec<PathBuf>,
    writable: Option<PathBuf>,
}

impl Sandbox {
    /// The program and the system libraries only.
    pub fn new() -> Sandbox {
        Sandbox::default()
    }

    /// Shows `path` (absolute; a file or a directory, with what is mounted
    /// under it) read-only.
    pub fn read_only(mut self, path: impl Into<PathBuf>) -> Sandbox {
        self.read_only.push(path.into());
        self
    }

    /// Shows `dir` (absolute) writable, as the peer's working directory.
    /// One only: a second call replaces the first.
    pub fn writable(mut self, dir: impl Into<PathBuf>) -> Sandbox {
        self.writable = Some(dir.into());
        self
    }
}

/// Resource limits for a peer (`setrlimit` in the child before it runs
/// the program; Linux). A child that goes past one dies (an allocation
/// that fails aborts a Rust program; the CPU limit sends `SIGXCPU`, then
/// `SIGKILL`), and the peer's process exits `noconnection`.
///
/// # Examples
///
/// ```
/// use actor::node::Limits;
/// use std::time::Duration;
///
/// let limits = Limits::new().memory(256 << 20).cpu_time(Duration::from_secs(5)).open_files(64);
/// assert_eq!(limits.memory_limit(), Some(256 << 20));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    memory: Option<u64>,
    cpu_time: Option<Duration>,
    open_files: Option<u64>,
}

impl Limits {
    /// No limits.
    pub fn new() -> Limits {
        Limits::default()
    }

    /// The address space, in bytes (`RLIMIT_AS`): all the memory the child
    /// maps, its threads' stacks and the runtime included, so leave room
    /// (a Rust peer needs some tens of MiB to run).
    pub fn memory(mut self, bytes: u64) -> Limits {
        self.memory = Some(bytes);
        self
    }

    /// CPU time, in whole seconds, at least one (`RLIMIT_CPU`).
    pub fn cpu_time(mut self, time: Duration) -> Limits {
        self.cpu_time = Some(time);
        self
    }

    /// Open file descriptors (`RLIMIT_NOFILE`): sockets included.
    pub fn open_files(mut self, n: u64) -> Limits {
        self.open_files = Some(n);
        self
    }

    /// The memory limit, if any.
    pub fn memory_limit(&self) -> Option<u64> {
        self.memory
    }
}

/// Why a peer could not start or stop cleanly.
///
/// # Examples
///
/// ```
/// use actor::node::{Peer, PeerError};
///
/// // this program is not a node
/// let err = Peer::builder().start().unwrap_err();
/// assert!(matches!(err, PeerError::NotANode));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum PeerError {
    /// This program is not a node: call [`start`](crate::node::start)
    /// first.
    NotANode,
    /// The name is not `name` or `name@host`.
    InvalidName(String),
    /// Peers need Linux (or the platform refused something they need).
    Unsupported(String),
    /// The program could not be run.
    Spawn {
        /// What was run.
        program: String,
        /// Why not.
        source: io::Error,
    },
    /// The kernel refused the sandbox: the peer did not start (never
    /// unsandboxed).
    Sandbox {
        /// The step that failed.
        step: String,
        /// Why.
        source: io::Error,
    },
    /// A resource limit could not be set: the peer did not start.
    Limits {
        /// The step that failed.
        step: String,
        /// Why.
        source: io::Error,
    },
    /// The child exited before its node joined.
    Exited {
        /// The peer's node name.
        node: String,
        /// How it exited (`exit status 70`, `killed by SIGABRT`).
        status: String,
        /// The last lines it wrote to stderr (passed on to this program's
        /// stderr as they came), which usually say why.
        stderr: Vec<String>,
    },
    /// The child did not join within the start timeout; it was killed.
    Timeout {
        /// The peer's node name.
        node: String,
        /// The timeout.
        after: Duration,
    },
    /// [`Peer::stop`]: the peer did not stop within the stop timeout; it
    /// was killed.
    Killed {
        /// The peer's node name.
        node: String,
        /// The timeout.
        after: Duration,
    },
    /// [`Peer::stop`]: the peer was gone already; its process exited with
    /// `reason` (`noconnection` when the child died).
    Down {
        /// The peer's node name.
        node: String,
        /// The exit reason.
        reason: Term,
    },
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerError::NotANode => f.write_str(
                "this program is not a node: call `actor::node::start` before starting a peer",
            ),
            PeerError::InvalidName(n) => {
                write!(f, "`{n}` is not a peer name: write `name` or `name@host`")
            }
            PeerError::Unsupported(why) => write!(f, "peer nodes are not supported here: {why}"),
            PeerError::Spawn { program, source } => {
                write!(f, "could not run the peer program {program}: {source}")
            }
            PeerError::Sandbox { step, source } => write!(
                f,
                "the sandbox was refused ({step}: {source}); the peer was not started"
            ),
            PeerError::Limits { step, source } => write!(
                f,
                "a resource limit was refused ({step}: {source}); the peer was not started"
            ),
            PeerError::Exited {
                node,
                status,
                stderr,
            } => {
                write!(f, "peer `{node}` exited ({status}) before it joined")?;
                match stderr.last() {
                    Some(line) => write!(f, "; its stderr ended with: {line}"),
                    None => f.write_str("; it wrote nothing to stderr"),
                }
            }
            PeerError::Timeout { node, after } => {
                write!(
                    f,
                    "peer `{node}` did not join within {after:?}; it was killed"
                )
            }
            PeerError::Killed { node, after } => {
                write!(
                    f,
                    "peer `{node}` did not stop within {after:?}; it was killed"
                )
            }
            PeerError::Down { node, reason } => {
                write!(f, "peer `{node}` was down already: {reason}")
            }
        }
    }
}

impl std::error::Error for PeerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PeerError::Spawn { source, .. }
            | PeerError::Sandbox { source, .. }
            | PeerError::Limits { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What a started proxy tells [`PeerBuilder::start`].
struct Started {
    node: String,
    os_pid: u32,
    controller: Pid,
    #[cfg(target_os = "linux")]
    child: Arc<os::OsChild>,
}

type Outcome = Arc<Mutex<Option<Result<Started, PeerError>>>>;

/// The process standing for a peer on this node.
struct Proxy {
    builder: PeerBuilder,
    /// The process that started it (the caller of `start`, a supervisor):
    /// its exit stops the peer, as a gen_server's parent's does.
    parent: Option<Pid>,
    /// Where `start` reports, for [`PeerBuilder::start`].
    outcome: Option<Outcome>,
    running: Option<Running>,
}

/// A peer that has joined.
struct Running {
    node: String,
    controller: Pid,
    #[cfg(target_os = "linux")]
    child: Arc<os::OsChild>,
}

impl Proxy {
    fn new(builder: PeerBuilder, outcome: Option<Outcome>) -> Proxy {
        Proxy {
            builder,
            parent: None,
            outcome,
            running: None,
        }
    }

    fn report(&self, result: Result<Started, PeerError>) -> Result<(), Term> {
        let reason = match &result {
            Ok(_) => None,
            Err(e) => Some(Term::tuple([
                Term::atom("peer_start_failed"),
                Term::from(e.to_string()),
            ])),
        };
        if let Some(slot) = &self.outcome {
            *lock(slot) = Some(result);
        }
        reason.map_or(Ok(()), Err)
    }

    /// Stops the peer: asks its controller, waits up to the stop timeout,
    /// then kills it. `ok`, or `killed` when it had to be killed.
    async fn stop_peer(&mut self) -> Term {
        let Some(run) = self.running.take() else {
            return Term::atom("ok");
        };
        call::send(run.controller, Kind::Info, Term::atom("stop"), None);
        #[cfg(target_os = "linux")]
        {
            let child = run.child.clone();
            let timeout = self.builder.stop_timeout;
            let exited = tokio::task::spawn_blocking(move || child.wait_timeout(timeout))
                .await
                .ok()
                .flatten();
            let clean = exited.is_some();
            let child = run.child.clone();
            let _ = tokio::task::spawn_blocking(move || child.kill_and_reap()).await;
            forget_cookie(&run.node);
            if clean {
                Term::atom("ok")
            } else {
                Term::atom("killed")
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            forget_cookie(&run.node);
            Term::atom("ok")
        }
    }

    /// Kills the child (it may hang on without its connection) and waits
    /// until it is reaped.
    async fn kill_peer(&mut self) {
        if let Some(run) = self.running.take() {
            #[cfg(target_os = "linux")]
            {
                let child = run.child.clone();
                let _ = tokio::task::spawn_blocking(move || child.kill_and_reap()).await;
            }
            forget_cookie(&run.node);
        }
    }

    #[cfg(target_os = "linux")]
    async fn launch(&self) -> Result<Started, PeerError> {
        let inner = connect::node().ok_or(PeerError::NotANode)?;
        let node = peer_name(self.builder.name.as_deref(), &inner.name)?;
        let cookie = fresh_cookie();
        let ready = format!(
            "actor_peer_ready_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let me = crate::process::current_pid();
        crate::registry::register(ready.clone(), me)
            .map_err(|e| PeerError::Unsupported(format!("cannot register `{ready}`: {e}")))?;
        inner.set_cookie_for(&node, Some(cookie.clone()));
        let result = self.launch_as(inner, &node, &cookie, &ready).await;
        crate::registry::unregister(&ready);
        if result.is_err() {
            inner.set_cookie_for(&node, None);
        }
        result
    }

    #[cfg(target_os = "linux")]
    async fn launch_as(
        &self,
        inner: &Arc<connect::Inner>,
        node: &str,
        cookie: &str,
        ready: &str,
    ) -> Result<Started, PeerError> {
        let b = &self.builder;
        let mut env: Vec<(OsString, OsString)> = vec![
            (ENV_NODE.into(), node.into()),
            (ENV_COOKIE.into(), cookie.into()),
            (ENV_PARENT.into(), inner.name.to_string().into()),
            (ENV_READY.into(), ready.into()),
            (
                ENV_STOP_MS.into(),
                b.stop_timeout.as_millis().to_string().into(),
            ),
            ("ERL_EPMD_PORT".into(), inner.epmd_port().to_string().into()),
            // A peer never starts an EPMD of its own: it uses this one.
            ("ACTOR_EPMD".into(), "never".into()),
        ];
        env.extend(b.env.iter().cloned());
        let (program, args) = match &b.program {
            Program::CurrentExe => {
                let exe = std::env::current_exe().map_err(|source| PeerError::Spawn {
                    program: "this program (std::env::current_exe)".into(),
                    source,
                })?;
                (exe, b.args.clone())
            }
            Program::Command(p) => (p.clone(), b.args.clone()),
            Program::Erl => {
                let mut args: Vec<OsString> = vec![
                    if node.split('@').nth(1).is_some_and(|h| h.contains('.')) {
                        "-name".into()
                    } else {
                        "-sname".into()
                    },
                    node.into(),
                    "-setcookie".into(),
                    cookie.into(),
                    "-hidden".into(),
                    "-noshell".into(),
                    "-eval".into(),
                    ERL_CONTROLLER.into(),
                ];
                args.extend(b.args.iter().cloned());
                ("erl".into(), args)
            }
        };
        let shown = program.display().to_string();
        let child = os::spawn(os::Spec {
            program,
            args,
            env,
            sandbox: b.sandbox.clone(),
            limits: b.limits,
        })
        .await?;
        let deadline = Instant::now() + b.start_timeout;
        let controller = loop {
            let up = crate::mailbox::recv_match_timeout(
                |m| peer_up(m).is_some(),
                Duration::from_millis(20),
            )
            .await;
            if let Some(pid) = up.as_ref().and_then(peer_up) {
                break pid;
            }
            if let Some(status) = child.status() {
                let c = child.clone();
                let stderr =
                    tokio::task::spawn_blocking(move || c.stderr_tail(Duration::from_millis(500)))
                        .await
                        .unwrap_or_default();
                return Err(PeerError::Exited {
                    node: node.to_owned(),
                    status: format!("{}, running {shown}", os::describe(status)),
                    stderr,
                });
            }
            if Instant::now() >= deadline {
                let c = child.clone();
                let _ = tokio::task::spawn_blocking(move || c.kill_and_reap()).await;
                return Err(PeerError::Timeout {
                    node: node.to_owned(),
                    after: b.start_timeout,
                });
            }
        };
        crate::process::link(controller);
        Ok(Started {
            node: node.to_owned(),
            os_pid: child.id(),
            controller,
            child,
        })
    }

    #[cfg(not(target_os = "linux"))]
    async fn launch(&self) -> Result<Started, PeerError> {
        Err(PeerError::Unsupported(
            "peer nodes need Linux (the parent-death signal, mount namespaces)".into(),
        ))
    }
}

/// The controller pid in a `{peer_up, Pid}` message.
fn peer_up(m: &Message) -> Option<Pid> {
    match &m.data {
        Term::Tuple(items) if items.len() == 2 && items[0].is_atom("peer_up") => items[1].as_pid(),
        _ => None,
    }
}

/// After the child is reaped: its connection goes now (not when the
/// reader notices), and its cookie with it.
fn forget_cookie(node: &str) {
    if let Some(inner) = connect::node() {
        super::node::disconnect(node);
        inner.set_cookie_for(node, None);
    }
}

/// The controller an `erl` peer runs (`-eval`): it reports to the parent
/// node, stops the node when told to or when the proxy exits, and halts
/// the node when stdin closes (the parent is gone).
const ERL_CONTROLLER: &str = "Parent = list_to_atom(os:getenv(\"ACTOR_PEER_PARENT\")), \
    Ready = list_to_atom(os:getenv(\"ACTOR_PEER_READY\")), \
    spawn(fun() -> process_flag(trap_exit, true), \
        {Ready, Parent} ! {peer_up, self()}, \
        receive _ -> init:stop() end end), \
    spawn(fun() -> Watch = fun(F) -> case io:get_line('') of \
        eof -> erlang:halt(0); {error, _} -> erlang:halt(0); _ -> F(F) end end, \
        Watch(Watch) end).";

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// `name@host` for the peer: `name` alone takes this node's host.
fn peer_name(name: Option<&str>, this: &str) -> Result<String, PeerError> {
    let host = this.split_once('@').map_or("localhost", |(_, h)| h);
    let name = match name {
        Some(n) if n.contains('@') => n.to_owned(),
        Some(n) => format!("{n}@{host}"),
        None => format!(
            "peer{}_{}@{host}",
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::process::id()
        ),
    };
    match name.split_once('@') {
        Some((a, h)) if !a.is_empty() && !h.is_empty() && !h.contains('@') && name != this => {
            Ok(name)
        }
        _ => Err(PeerError::InvalidName(name)),
    }
}

/// 128 random bits as hex, from the OS-seeded hasher keys.
fn fresh_cookie() -> String {
    let mut out = String::new();
    for i in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

impl Actor for Proxy {
    const TRAP_EXIT: bool = true;

    async fn start(&mut self) -> Result<(), Term> {
        self.parent =
            crate::info::process_info(crate::process::current_pid()).and_then(|i| i.parent);
        let result = self.launch().await;
        let result = result.inspect(|s| {
            self.running = Some(Running {
                node: s.node.clone(),
                controller: s.controller,
                #[cfg(target_os = "linux")]
                child: s.child.clone(),
            });
        });
        self.report(result)
    }

    async fn handle(&mut self, msg: Message) {
        let controller = self.running.as_ref().map(|r| r.controller);
        match msg.kind {
            Kind::Death if Some(msg.from) == controller => {
                // The peer is gone (or its controller is): `noconnection`.
                self.kill_peer().await;
                crate::process::exit_self(msg.data["reason"].clone());
            }
            Kind::Death if self.parent.is_none_or(|p| p == msg.from) => {
                // The parent (the starter, a supervisor) exits: stop with it.
                self.stop_peer().await;
                crate::process::exit_self(msg.data["reason"].clone());
            }
            Kind::Info if msg.data.is_atom("stop") => {
                let answer = self.stop_peer().await;
                if msg.reference.is_some() {
                    call::send(msg.from, Kind::Info, answer, msg.reference);
                }
                crate::process::exit_self(Term::atom("normal"));
            }
            _ => {}
        }
    }

    async fn stop(&mut self, _reason: Term) {
        self.kill_peer().await;
    }
}

impl IntoSpawn for Proxy {
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError> {
        Ok(crate::spawn::spawn_actor(self, opts))
    }
}

/// Turns this program into a peer node when a [`Peer`] started it, and
/// returns at once otherwise: call it first thing in `main`.
///
/// In a program started by [`PeerBuilder::start`] (the environment says
/// so: `ACTOR_PEER_NODE` and friends), it starts the node with the name
/// and fresh cookie it was given, registered with the parent's EPMD,
/// reports to the parent, and runs until one of these, then exits the
/// program (it never returns):
///
/// - [`Peer::stop`], or the exit of the process standing for the peer:
///   every process gets `shutdown` ([`shutdown`](crate::shutdown), with
///   the stop timeout), `stop` hooks run, and the program exits 0;
/// - the parent's death: its stdin, a pipe from the parent, closes (and
///   the kernel's parent-death signal kills it anyway).
///
/// A node that cannot start prints why on stderr and exits with status
/// 70: the parent's `start` fails with [`PeerError::Exited`].
///
/// In a test binary, whose `main` libtest owns, give the call a test of
/// its own and start peers with that test's name as arguments: the child
/// runs that one test, which never returns (a normal run of it returns at
/// once):
///
/// ```
/// #[test]
/// fn peer_node() {
///     actor::node::peer_main();
/// }
///
/// // in the tests:
/// let builder = actor::node::Peer::builder()
///     .args(["--exact", "peer_node", "--nocapture"]);
/// # let _ = builder;
/// ```
///
/// # Examples
///
/// ```
/// fn main() {
///     actor::node::peer_main(); // a peer: never returns
///     println!("not a peer: the program goes on");
/// }
/// ```
// The examples show a `main` and a test binary: that is the point.
#[allow(clippy::test_attr_in_doctest, clippy::needless_doctest_main)]
pub fn peer_main() {
    let Ok(node) = std::env::var(ENV_NODE) else {
        return;
    };
    run_peer(node)
}

fn run_peer(node: String) -> ! {
    // The parent holds the only write end of our stdin: EOF means it is gone.
    let watcher = std::thread::Builder::new()
        .name("actor-peer-stdin".into())
        .spawn(|| {
            use std::io::Read;
            let mut buf = [0u8; 256];
            let mut stdin = std::io::stdin();
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            std::process::exit(0);
        });
    if let Err(e) = watcher {
        eprintln!("actor peer `{node}`: cannot watch stdin: {e}");
        std::process::exit(EXIT_NODE_FAILED);
    }
    let var = |key: &str| std::env::var(key).unwrap_or_default();
    let (cookie, parent, ready) = (var(ENV_COOKIE), var(ENV_PARENT), var(ENV_READY));
    let stop_timeout = Duration::from_millis(var(ENV_STOP_MS).parse().unwrap_or(5_000));
    let started = super::node::Node::builder(&node)
        .cookie(cookie)
        .epmd(connect::default_epmd())
        .epmd_start(super::epmd::EpmdStart::Never)
        .start();
    if let Err(e) = started {
        eprintln!("actor peer `{node}`: the node did not start: {e}");
        std::process::exit(EXIT_NODE_FAILED);
    }
    let (tx, rx) = flume::bounded::<()>(1);
    let parent_node = parent.clone();
    let controller = crate::spawn::spawn(move |mut inbox: crate::spawn::Inbox| async move {
        inbox.trap_exit(true);
        let up = Term::tuple([Term::atom("peer_up"), Term::Pid(inbox.pid())]);
        call::send((ready.as_str(), parent_node.as_str()), Kind::Info, up, None);
        loop {
            let m = inbox.recv().await;
            // `stop`, or the exit of the process standing for us (its
            // link), or the loss of the connection to the parent.
            if m.kind == Kind::Death || (m.kind == Kind::Info && m.data.is_atom("stop")) {
                break;
            }
        }
        let _ = tx.send(());
    });
    if let Err(e) = controller {
        eprintln!("actor peer `{node}`: cannot start its controller: {e}");
        std::process::exit(EXIT_NODE_FAILED);
    }
    let _ = rx.recv();
    crate::shutdown::shutdown(stop_timeout);
    // What the stopped processes sent (exit signals, messages from `stop`
    // hooks) is queued on the connection to the parent: a call answered
    // over the same connection comes back after all of it has gone.
    let me = crate::process::current_pid();
    let ask = Term::tuple([
        Term::atom("call"),
        Term::atom("erlang"),
        Term::atom("node"),
        Term::List(Vec::new()),
        Term::Pid(me),
    ]);
    let _ = call::call(("rex", parent.as_str()), Kind::Std, Ok(ask), None)
        .timeout(Duration::from_secs(1))
        .wait();
    std::process::exit(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_names_take_this_nodes_host() {
        let this = "app@example.org";
        assert_eq!(peer_name(Some("w"), this).unwrap(), "w@example.org");
        assert_eq!(peer_name(Some("w@h"), this).unwrap(), "w@h");
        let generated = peer_name(None, this).unwrap();
        assert!(generated.starts_with("peer") && generated.ends_with("@example.org"));
        assert_ne!(
            generated,
            peer_name(None, this).unwrap(),
            "fresh every time"
        );
        for bad in ["@h", "w@", "a@b@c", "app@example.org"] {
            let err = peer_name(Some(bad), this).unwrap_err();
            assert!(matches!(err, PeerError::InvalidName(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn cookies_are_fresh() {
        let (a, b) = (fresh_cookie(), fresh_cookie());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn peer_up_is_a_tuple_with_a_pid() {
        let pid = crate::process::current_pid();
        let msg = |data: Term| Message {
            kind: Kind::Info,
            data,
            reference: None,
            from: pid,
        };
        let up = msg(Term::tuple([Term::atom("peer_up"), Term::Pid(pid)]));
        assert_eq!(peer_up(&up), Some(pid));
        assert_eq!(peer_up(&msg(Term::atom("peer_up"))), None);
        let not_a_pid = msg(Term::tuple([Term::atom("peer_up"), Term::from(1)]));
        assert_eq!(peer_up(&not_a_pid), None);
    }
}
