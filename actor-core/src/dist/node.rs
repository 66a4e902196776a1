//! The public face of distribution (`actor::node`): starting this program
//! as a node, its connections by name, and spawning on other nodes. The
//! machinery is in `connect` (the table of connections), `conn` (one
//! connection) and below.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::conn::{SpawnWaiter, Status};
use super::connect::{self, Config, Inner};
pub use super::epmd::EpmdStart;
pub use super::error::NodeError;
use crate::pid::Pid;
use crate::process;
use crate::spawn::SpawnError;
use crate::term::Term;

const SPAWN_TIMEOUT: Duration = Duration::from_secs(30);

/// The running node: this program as a member of an Erlang cluster.
///
/// There is at most one per program; it lives until the program ends.
///
/// # Examples
///
/// ```
/// use actor::node::{Node, NodeError};
///
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let name = format!("doc_node{}@localhost", std::process::id());
/// let node = Node::builder(&name).cookie("secret").start().unwrap();
/// assert_eq!(node.name(), name);
/// assert_eq!(actor::node::name(), Some(name.as_str()));
/// assert!(node.is_hidden());
/// assert_ne!(node.port(), 0);
/// let _incarnation = node.creation();
/// // a second node in the same program is refused
/// let err = actor::node::start("other@localhost", "secret").unwrap_err();
/// assert_eq!(err, NodeError::AlreadyStarted(name));
/// ```
#[derive(Clone)]
pub struct Node {
    inner: Arc<Inner>,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.inner.name)
            .field("creation", &self.inner.creation)
            .field("port", &self.inner.port)
            .field("hidden", &self.inner.hidden)
            .finish()
    }
}

impl Node {
    /// A builder for a node named `name` (`name@host`).
    pub fn builder(name: impl Into<String>) -> NodeBuilder {
        NodeBuilder {
            name: name.into(),
            cookie: None,
            hidden: true,
            port: 0,
            epmd: None,
            handler_errors: HandlerErrors::Reply,
            epmd_start: None,
        }
    }

    /// The node's full name, such as `a@localhost`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The creation EPMD gave this incarnation; it changes on restart.
    pub fn creation(&self) -> u32 {
        self.inner.creation
    }

    /// The port the node listens on for other nodes.
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// Whether the node is hidden (not part of other nodes' `nodes()`).
    pub fn is_hidden(&self) -> bool {
        self.inner.hidden
    }
}

/// Options for starting a node: cookie, hidden or visible, port, EPMD.
///
/// # Examples
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr, TcpListener};
///
/// use actor::node::EpmdStart;
///
/// // an EPMD address of our own; the node serves EPMD there when none runs
/// let epmd_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// let name = format!("doc_builder{}@localhost", std::process::id());
/// let node = actor::node::Node::builder(&name)
///     .cookie("secret")
///     .hidden(false)
///     .port(0)
///     .epmd(SocketAddr::from((Ipv4Addr::LOCALHOST, epmd_port)))
///     .epmd_start(EpmdStart::InProcess)
///     .start()
///     .unwrap();
/// assert!(!node.is_hidden());
/// ```
#[derive(Clone)]
pub struct NodeBuilder {
    name: String,
    cookie: Option<String>,
    hidden: bool,
    port: u16,
    epmd: Option<SocketAddr>,
    handler_errors: HandlerErrors,
    epmd_start: Option<EpmdStart>,
}

/// How a handler's `Err` (an `err` reply) reaches a caller on another
/// node. See [`NodeBuilder::handler_errors`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandlerErrors {
    /// As a reply value (the default): `gen_server:call` returns
    /// `{'$actor_msg', err, Reason}`, a Rust caller gets a reply of kind
    /// `err`, exactly as from a local actor.
    Reply,
    /// As an exit of the call, as if the server had crashed (it has not):
    /// `gen_server:call` exits with `{Reason, {gen_server, call, …}}`, a
    /// Rust caller gets [`CallError::Exit(Reason)`](crate::CallError::Exit).
    Exit,
}

impl fmt::Debug for NodeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeBuilder")
            .field("name", &self.name)
            .field("cookie", &self.cookie.as_ref().map(|_| "…"))
            .field("hidden", &self.hidden)
            .field("port", &self.port)
            .field("epmd", &self.epmd)
            .field("handler_errors", &self.handler_errors)
            .field("epmd_start", &self.epmd_start)
            .finish()
    }
}

impl NodeBuilder {
    /// The shared secret every connection proves. Without one, the node
    /// reads `~/.erlang.cookie` as Erlang does.
    pub fn cookie(mut self, cookie: impl Into<String>) -> Self {
        self.cookie = Some(cookie.into());
        self
    }

    /// Hidden (the default) or visible: a visible node joins the peers'
    /// `nodes()` and their global name space.
    pub fn hidden(mut self, hidden: bool) -> Self {
        self.hidden = hidden;
        self
    }

    /// The port to listen on; 0 (the default) lets the OS choose.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Where EPMD listens: `127.0.0.1:4369` unless `ERL_EPMD_PORT` says
    /// another port. Where none answers, the node starts one there (see
    /// [`epmd_start`](NodeBuilder::epmd_start)).
    pub fn epmd(mut self, addr: SocketAddr) -> Self {
        self.epmd = Some(addr);
        self
    }

    /// What to do when no EPMD answers: start a standalone EPMD that
    /// outlives this program ([`EpmdStart::Standalone`], the default, as
    /// `erl` does), serve one inside this program
    /// ([`EpmdStart::InProcess`]: it ends with the program), or fail
    /// ([`EpmdStart::Never`]). Without this, `ACTOR_EPMD`
    /// (`standalone`, `in_process`, `never`) chooses.
    pub fn epmd_start(mut self, how: EpmdStart) -> Self {
        self.epmd_start = Some(how);
        self
    }

    /// How a handler's `Err` answers a caller on another node:
    /// [`HandlerErrors::Reply`] (the default) sends the `err` reply as a
    /// value, `{'$actor_msg', err, Reason}` to Erlang code;
    /// [`HandlerErrors::Exit`] makes the call exit with the reason, the
    /// way `gen_server:call` exits when its server crashes, while the actor
    /// goes on. Callers on this node always get the `err` reply.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::node::{HandlerErrors, Node};
    ///
    /// let builder = Node::builder("a@localhost").handler_errors(HandlerErrors::Exit);
    /// assert!(format!("{builder:?}").contains("Exit"));
    /// ```
    pub fn handler_errors(mut self, form: HandlerErrors) -> Self {
        self.handler_errors = form;
        self
    }

    /// Starts the node: listens, registers with EPMD (starting one
    /// in-process if none answers), and routes remote pids from now on.
    pub fn start(self) -> Result<Node, NodeError> {
        let Some((alive, host)) = self.name.split_once('@') else {
            return Err(NodeError::InvalidName(self.name));
        };
        if alive.is_empty() || host.is_empty() || host.contains('@') {
            return Err(NodeError::InvalidName(self.name));
        }
        if let Some(n) = connect::node() {
            return Err(NodeError::AlreadyStarted(n.name.to_string()));
        }
        let cookie = match self.cookie.clone() {
            Some(c) => c,
            None => read_cookie().ok_or(NodeError::NoCookie)?,
        };
        let cfg = Config {
            name: self.name,
            cookie,
            hidden: self.hidden,
            port: self.port,
            epmd: self.epmd.unwrap_or_else(connect::default_epmd),
            err_exits: self.handler_errors == HandlerErrors::Exit,
            epmd_start: self.epmd_start.unwrap_or_else(EpmdStart::from_env),
        };
        let inner = block_on(connect::start(cfg))?;
        super::system::start();
        Ok(Node { inner })
    }
}

fn read_cookie() -> Option<String> {
    let home = std::env::var_os("HOME")?;
    let text = std::fs::read_to_string(std::path::Path::new(&home).join(".erlang.cookie")).ok()?;
    Some(text.trim().to_owned())
}

/// Runs `f` on the runtime and waits for it, from sync code anywhere.
fn block_on<F>(f: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = flume::bounded(1);
    crate::runtime::runtime().spawn(async move {
        let _ = tx.send(f.await);
    });
    crate::runtime::blocking(|| rx.recv().expect("the node task ended without an answer"))
}

/// Starts this program as the node `name` (`name@host`) with `cookie`:
/// hidden, on a port the OS picks, registered with the local EPMD (started
/// in-process when none answers). See [`Node::builder`] for the options.
///
/// # Examples
///
/// ```
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let name = format!("doc_start{}@localhost", std::process::id());
/// let node = actor::node::start(&name, "secret").unwrap();
/// println!("{} listens on {}", node.name(), node.port());
/// assert_eq!(actor::node::current().unwrap().name(), name);
/// ```
pub fn start(name: &str, cookie: &str) -> Result<Node, NodeError> {
    Node::builder(name).cookie(cookie).start()
}

/// This node's name, or `None` when no node runs: Erlang's `node()`.
///
/// # Examples
///
/// ```
/// assert_eq!(actor::node::name(), None);
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let name = format!("doc_name{}@localhost", std::process::id());
/// actor::node::start(&name, "secret").unwrap();
/// assert_eq!(actor::node::name(), Some(name.as_str()));
/// ```
pub fn name() -> Option<&'static str> {
    connect::node().map(|n| &*n.name)
}

/// The running node, if any.
///
/// # Examples
///
/// ```
/// assert!(actor::node::current().is_none());
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let name = format!("doc_current{}@localhost", std::process::id());
/// let started = actor::node::start(&name, "secret").unwrap();
/// assert_eq!(actor::node::current().unwrap().port(), started.port());
/// ```
pub fn current() -> Option<Node> {
    connect::node().map(|inner| Node {
        inner: inner.clone(),
    })
}

/// Connects to `node` and waits for the handshake: Erlang's
/// `net_kernel:connect_node/1`. Sending to a node connects on its own; this
/// reports why a connection fails (a wrong cookie, an unknown name, ...).
///
/// # Examples
///
/// ```
/// use actor::node::NodeError;
///
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let me = format!("doc_connect{}@localhost", std::process::id());
/// actor::node::start(&me, "secret").unwrap();
/// assert_eq!(actor::node::connect(&me), Ok(())); // this node itself
/// let err = actor::node::connect("nobody_here@localhost").unwrap_err();
/// assert!(matches!(err, NodeError::Connect { .. }), "{err}");
/// assert!(actor::node::nodes().is_empty());
/// ```
pub fn connect(node: &str) -> Result<(), NodeError> {
    let inner = connect::node().ok_or(NodeError::NotStarted)?;
    let Some(conn) = inner.conn_for(node) else {
        return Ok(());
    };
    let node = node.to_owned();
    block_on(async move {
        let mut watch = conn.watch();
        loop {
            match watch.borrow_and_update().clone() {
                Status::Up => return Ok(()),
                Status::Down(reason) => return Err(NodeError::Connect { node, reason }),
                Status::Connecting => {}
            }
            if watch.changed().await.is_err() {
                return Err(NodeError::Connect {
                    node,
                    reason: "the connection went away".into(),
                });
            }
        }
    })
}

/// Closes the connection to `node`; its links and monitors get
/// `noconnection`. Returns whether there was one: Erlang's
/// `erlang:disconnect_node/1`.
///
/// # Examples
///
/// ```
/// // no node, or no connection to that node: nothing to close
/// assert!(!actor::node::disconnect("elsewhere@localhost"));
/// ```
pub fn disconnect(node: &str) -> bool {
    let Some(inner) = connect::node() else {
        return false;
    };
    match inner.existing(node) {
        Some(c) => {
            inner.close(&c, "disconnected".into());
            true
        }
        None => false,
    }
}

/// The nodes this node is connected to, sorted: Erlang's `nodes(connected)`.
///
/// # Examples
///
/// ```
/// // nothing connected yet (or no node at all)
/// assert!(actor::node::nodes().is_empty());
/// ```
pub fn nodes() -> Vec<String> {
    connect::node().map(|n| n.nodes()).unwrap_or_default()
}

/// Starts (`true`) or stops telling the calling process when connections
/// to other nodes come up and go down: `info` messages `{nodeup, Node}`
/// and `{nodedown, Node}`, as Erlang's `net_kernel:monitor_nodes/1` sends
/// (for hidden connections too). Nothing happens when no node runs.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let me = format!("doc_monitor_nodes{}@localhost", std::process::id());
/// actor::node::start(&me, "cookie").unwrap();
/// actor::node::monitor_nodes(true);
/// // no other node here: nothing comes
/// assert!(actor::receive_timeout(std::time::Duration::from_millis(50)).is_none());
/// actor::node::monitor_nodes(false);
/// ```
pub fn monitor_nodes(on: bool) {
    if let Some(inner) = connect::node() {
        inner.monitor_nodes(process::current_pid(), on);
    }
}

/// Makes the Rust function `f` callable from other nodes as
/// `module:function`: `rpc:call(Node, Module, Function, Args)`,
/// `erpc:call/4`, `rpc:multicall`, `rpc:cast/4` and `spawn/4` run it, with
/// the argument list as a `Vec`. `Ok(value)` is the call's result;
/// `Err(reason)` raises `error:Reason` in the caller (`rpc:call` gives
/// `{badrpc, {'EXIT', {Reason, Stack}}}`), and so does a panic, with
/// `{panic, "message"}`. Registering the same name again replaces it.
///
/// A Rust node runs no Erlang code: any other function is `undef` there, as
/// on an Erlang node without that module, except `erlang:node/0`,
/// `registered/0`, `processes/0`, `whereis/1` and `is_process_alive/1`,
/// which every node answers.
///
/// `f` runs in a process of its own (so it may call actors with `.wait()`),
/// one per call.
///
/// # Examples
///
/// The `rex` server answers `rpc`'s old-style calls; asked from this node
/// itself, it shows what another node sees:
///
/// ```
/// use actor::prelude::*;
///
/// actor::node::register_function("calc", "add", |args| match args.as_slice() {
///     [Term::Int(a), Term::Int(b)] => Ok(Term::Int(a + b)),
///     _ => Err(Term::atom("badarg")),
/// });
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let me = format!("doc_rpc{}@localhost", std::process::id());
/// actor::node::start(&me, "cookie").unwrap();
///
/// // what `rpc:call(Node, calc, add, [1, 2])` gets
/// let call = |m: &'static str, f: &'static str, args: Vec<Term>| {
///     let req = Term::tuple([Term::atom("call"), Term::atom(m), Term::atom(f), Term::List(args), Term::Pid(actor::pid())]);
///     msg!(std(req) >> ("rex", me.as_str())).wait().unwrap().data
/// };
/// assert_eq!(call("calc", "add", vec![1.into(), 2.into()]), Term::Int(3));
/// let undef = call("calc", "sub", vec![]);
/// assert_eq!(undef.to_string(), "{badrpc, {'EXIT', {undef, [{calc, sub, [], []}]}}}");
/// ```
pub fn register_function<F>(module: &str, function: &str, f: F)
where
    F: Fn(Vec<Term>) -> Result<Term, Term> + Send + Sync + 'static,
{
    super::rpc::register(module, function, Arc::new(f));
}

/// Spawns the actor registered as `name` on `node` and returns its pid:
/// a `SPAWN_REQUEST`, as Erlang's `spawn(Node, Module, Function, Args)`.
///
/// On a Rust node `name` is any name [`spawn`](fn@crate::spawn) accepts. On an
/// Erlang node, `"module:function"` spawns `module:function()`; a plain
/// `"name"` asks for `name:start()`.
///
/// The call waits for the other node's answer. A program that is not a
/// node, or an unreachable node, gives a [`SpawnError`] that says which. A
/// name the other node does not have gives a pid, as Erlang's `spawn/4`
/// does, of a process that exits at once with `{undef, [{M, F, Args, []}]}`;
/// so does an actor whose `init` panics, with `{panic, Text}`. Only
/// [`spawn_link_on`] tells why: the process is usually gone before a
/// monitor set after `spawn_on` returns, and that monitor sees `noproc`.
///
/// # Examples
///
/// Another node is another program (see `examples/two_nodes.rs`); a node
/// asked to spawn on itself spawns locally:
///
/// ```
/// use actor::prelude::*;
///
/// assert!(actor::spawn_on("b@localhost", "EchoActor").is_err()); // not a node yet
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let me = format!("doc_spawn_on{}@localhost", std::process::id());
/// actor::node::start(&me, "secret").unwrap();
/// let echo = actor::spawn_on(&me, "EchoActor").unwrap();
/// assert_eq!(msg!(std(7) >> echo).wait().unwrap().data, 7);
/// ```
pub fn spawn_on(node: &str, name: &str) -> Result<Pid, SpawnError> {
    spawn_remote(node, name, false)
}

/// Like [`spawn_on`], and links the new process to the caller before it
/// runs: Erlang's `spawn_link/4`. When the node goes away, the caller gets
/// an exit signal with the reason `noconnection`.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// # // a private EPMD: parallel doc tests cannot disturb each other
/// # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
/// # std::env::set_var("ACTOR_EPMD", "in_process");
/// # drop(free);
/// let me = format!("doc_spawn_link_on{}@localhost", std::process::id());
/// actor::node::start(&me, "secret").unwrap();
/// let echo = actor::spawn_link_on(&me, "EchoActor").unwrap();
/// actor::kill(echo);
/// // the main thread traps exits: the link's signal arrives as a message
/// let death = actor::receive_match_timeout(
///     |m| m.kind == Kind::Death && m.from == echo,
///     Duration::from_secs(5),
/// )
/// .unwrap();
/// assert_eq!(death.data["reason"], Term::atom("killed"));
/// ```
pub fn spawn_link_on(node: &str, name: &str) -> Result<Pid, SpawnError> {
    spawn_remote(node, name, true)
}

fn spawn_remote(node: &str, name: &str, link: bool) -> Result<Pid, SpawnError> {
    let Some(inner) = connect::node() else {
        return Err(SpawnError::Remote(
            "this program is not a node: call `actor::node::start` first".into(),
        ));
    };
    if node == &*inner.name {
        return if link {
            crate::spawn::spawn_link(name)
        } else {
            crate::spawn::spawn(name)
        };
    }
    let (module, function) = match name.split_once(':') {
        Some((m, f)) if !name.contains("::") => (m, f),
        _ => (name, "start"),
    };
    let me = process::current();
    let (tx, rx) = flume::bounded(1);
    let waiter = SpawnWaiter { caller: me.pid, tx };
    if !connect::spawn_request(inner, node, module, function, link, waiter) {
        return Err(SpawnError::Remote(format!("`{node}`: noconnection")));
    }
    match crate::runtime::blocking(|| rx.recv_timeout(SPAWN_TIMEOUT)) {
        Ok(Ok(pid)) => Ok(pid),
        Ok(Err(why)) => Err(SpawnError::Remote(format!(
            "`{node}` did not spawn `{name}`: {why}"
        ))),
        Err(_) => Err(SpawnError::Remote(format!(
            "`{node}` did not answer the spawn request"
        ))),
    }
}
