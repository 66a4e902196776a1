//! This program as a node: starting it, its connections, and the
//! [`Remote`](crate::remote::Remote) that routes remote pids through them.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

use super::conn::{Conn, Dest, SpawnWaiter, Status};
use super::epmd;
use super::handshake::{self, flags, Admit, HandshakeError, Local};
use super::ids::{self, NodeId};
use crate::message::Message;
use crate::pid::{Pid, Ref};
use crate::process;
use crate::spawn::SpawnError;
use crate::term::Term;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const SPAWN_TIMEOUT: Duration = Duration::from_secs(30);

static NODE: OnceLock<Arc<Inner>> = OnceLock::new();

pub(crate) struct Inner {
    name: Arc<str>,
    cookie: String,
    creation: u32,
    hidden: bool,
    port: u16,
    epmd_port: u16,
    conns: Mutex<HashMap<Arc<str>, Arc<Conn>>>,
}

impl Inner {
    fn conns(&self) -> MutexGuard<'_, HashMap<Arc<str>, Arc<Conn>>> {
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn local(&self) -> Local<'_> {
        Local {
            name: &self.name,
            cookie: &self.cookie,
            creation: self.creation,
            flags: flags::OURS | if self.hidden { 0 } else { flags::PUBLISHED },
        }
    }
}

/// Why a node could not start or connect.
///
/// # Examples
///
/// ```
/// use actor::node::NodeError;
///
/// let err = actor::node::start("no_host", "cookie").unwrap_err();
/// assert_eq!(err, NodeError::InvalidName("no_host".into()));
/// assert!(err.to_string().contains("name@host"));
/// assert_eq!(actor::node::connect("a@localhost"), Err(NodeError::NotStarted));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeError {
    /// The name is not `name@host`.
    InvalidName(String),
    /// A node already runs in this program (one node per program).
    AlreadyStarted(String),
    /// No node runs in this program: call [`start`] first.
    NotStarted,
    /// No cookie was given and `~/.erlang.cookie` could not be read.
    NoCookie,
    /// EPMD could not be reached, started, or refused the name.
    Epmd(String),
    /// The listening socket could not be opened.
    Io(String),
    /// A connection to another node failed (a wrong cookie shows here).
    Connect {
        /// The node dialed.
        node: String,
        /// Why it failed.
        reason: String,
    },
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeError::InvalidName(n) => {
                write!(
                    f,
                    "`{n}` is not a node name: write `name@host`, such as `a@localhost`"
                )
            }
            NodeError::AlreadyStarted(n) => write!(f, "this program already runs node `{n}`"),
            NodeError::NotStarted => {
                f.write_str("no node runs in this program: call `actor::node::start` first")
            }
            NodeError::NoCookie => {
                f.write_str("no cookie given and `~/.erlang.cookie` could not be read")
            }
            NodeError::Epmd(e) => write!(f, "EPMD: {e}"),
            NodeError::Io(e) => write!(f, "could not listen for connections: {e}"),
            NodeError::Connect { node, reason } => {
                write!(f, "could not connect to `{node}`: {reason}")
            }
        }
    }
}

impl std::error::Error for NodeError {}

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
/// // an EPMD address of our own; the node serves EPMD there when none runs
/// let epmd_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// let name = format!("doc_builder{}@localhost", std::process::id());
/// let node = actor::node::Node::builder(&name)
///     .cookie("secret")
///     .hidden(false)
///     .port(0)
///     .epmd(SocketAddr::from((Ipv4Addr::LOCALHOST, epmd_port)))
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
}

impl fmt::Debug for NodeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeBuilder")
            .field("name", &self.name)
            .field("cookie", &self.cookie.as_ref().map(|_| "…"))
            .field("hidden", &self.hidden)
            .field("port", &self.port)
            .field("epmd", &self.epmd)
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
    /// another port. Where none answers, the node serves EPMD there itself.
    pub fn epmd(mut self, addr: SocketAddr) -> Self {
        self.epmd = Some(addr);
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
        if let Some(n) = NODE.get() {
            return Err(NodeError::AlreadyStarted(n.name.to_string()));
        }
        let cookie = match self.cookie.clone() {
            Some(c) => c,
            None => read_cookie().ok_or(NodeError::NoCookie)?,
        };
        let inner = block_on(setup(self, cookie))?;
        Ok(Node { inner })
    }
}

fn read_cookie() -> Option<String> {
    let home = std::env::var_os("HOME")?;
    let text = std::fs::read_to_string(std::path::Path::new(&home).join(".erlang.cookie")).ok()?;
    Some(text.trim().to_owned())
}

fn default_epmd() -> SocketAddr {
    let port = std::env::var("ERL_EPMD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(epmd::DEFAULT_PORT);
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

async fn setup(b: NodeBuilder, cookie: String) -> Result<Arc<Inner>, NodeError> {
    let (alive, _) = b.name.split_once('@').expect("checked");
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, b.port))
        .await
        .map_err(|e| NodeError::Io(e.to_string()))?;
    let port = listener
        .local_addr()
        .map_err(|e| NodeError::Io(e.to_string()))?
        .port();
    let epmd_addr = b.epmd.unwrap_or_else(default_epmd);
    let (registration, creation) = register(epmd_addr, alive, port, b.hidden).await?;
    let inner = Arc::new(Inner {
        name: Arc::from(b.name.as_str()),
        cookie,
        creation,
        hidden: b.hidden,
        port,
        epmd_port: epmd_addr.port(),
        conns: Mutex::new(HashMap::new()),
    });
    if NODE.set(inner.clone()).is_err() {
        return Err(NodeError::AlreadyStarted(
            NODE.get().map(|n| n.name.to_string()).unwrap_or_default(),
        ));
    }
    crate::remote::install(Box::new(DistRemote(inner.clone())));
    tokio::spawn(accept_loop(listener, inner.clone()));
    let name = inner.name.clone();
    tokio::spawn(async move {
        let mut registration = registration;
        let mut sink = [0u8; 16];
        while let Ok(n) = registration.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
        tracing::warn!("dist: EPMD dropped the registration of {name}: new peers cannot find it");
    });
    tracing::info!(
        "dist: node {} up on port {port} (creation {creation})",
        inner.name
    );
    Ok(inner)
}

/// Registers with EPMD at `addr`, serving EPMD there first when nobody does.
async fn register(
    addr: SocketAddr,
    alive: &str,
    port: u16,
    hidden: bool,
) -> Result<(TcpStream, u32), NodeError> {
    match epmd::register(addr, alive, port, hidden).await {
        Ok(r) => return Ok(r),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
        Err(e) => return Err(NodeError::Epmd(e.to_string())),
    }
    let bind = if addr.ip().is_loopback() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), addr.port())
    } else {
        addr
    };
    match TcpListener::bind(bind).await {
        Ok(l) => {
            tracing::info!("dist: no EPMD answered at {addr}; serving EPMD in-process");
            epmd::Server::spawn(l);
        }
        // Someone else started one meanwhile: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
        Err(e) => {
            return Err(NodeError::Epmd(format!(
                "could not start EPMD on {bind}: {e}"
            )))
        }
    }
    epmd::register(addr, alive, port, hidden)
        .await
        .map_err(|e| NodeError::Epmd(e.to_string()))
}

async fn accept_loop(listener: TcpListener, inner: Arc<Inner>) {
    loop {
        match listener.accept().await {
            Ok((stream, addr)) => {
                let inner = inner.clone();
                tokio::spawn(async move {
                    if let Err(e) = accept_one(stream, &inner).await {
                        tracing::warn!("dist: refused a connection from {addr}: {e}");
                    }
                });
            }
            Err(e) => {
                tracing::warn!("dist: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn accept_one(mut stream: TcpStream, inner: &Arc<Inner>) -> Result<(), HandshakeError> {
    stream.set_nodelay(true)?;
    let mut mine: Option<(Arc<Conn>, bool)> = None;
    let mut replaced: Option<Arc<Conn>> = None;
    let admit = |peer: &str| {
        let mut conns = inner.conns();
        let fresh = |conns: &mut HashMap<Arc<str>, Arc<Conn>>| {
            let c = Conn::new(Arc::from(peer));
            conns.insert(Arc::from(peer), c.clone());
            c
        };
        match conns.get(peer).map(|c| (c.clone(), c.status())) {
            Some((c, Status::Up)) => {
                replaced = Some(c);
                Admit::Alive
            }
            // Another handshake of the same peer, still finishing: the
            // peer says whether the new one replaces it.
            Some((c, Status::Connecting)) if !c.dialed.load(Ordering::Relaxed) => {
                replaced = Some(c);
                Admit::Alive
            }
            Some((c, Status::Connecting)) => {
                if *inner.name > *peer {
                    Admit::Nok
                } else {
                    mine = Some((c, false));
                    Admit::OkSimultaneous
                }
            }
            _ => {
                mine = Some((fresh(&mut conns), true));
                Admit::Ok
            }
        }
    };
    let local = inner.local();
    let result = tokio::time::timeout(
        HANDSHAKE_TIMEOUT,
        handshake::accept(&mut stream, &local, admit),
    )
    .await
    .unwrap_or(Err(HandshakeError::Protocol("timed out")));
    let peer = match result {
        Ok(p) => p,
        Err(e) => {
            if let Some((c, true)) = mine {
                c.fail(e.to_string());
            }
            return Err(e);
        }
    };
    let conn = match (mine, replaced) {
        (Some((c, _)), _) => c,
        (None, Some(old)) => {
            old.fail("replaced by a new connection from the same node".into());
            let c = Conn::new(Arc::from(peer.name.as_str()));
            inner.conns().insert(c.node.clone(), c.clone());
            c
        }
        (None, None) => return Err(HandshakeError::Protocol("no connection slot")),
    };
    conn.attach(stream, peer);
    Ok(())
}

/// The connection to `node`, dialing it if there is none.
fn conn_for(inner: &Arc<Inner>, node: &str) -> Option<Arc<Conn>> {
    if node == &*inner.name {
        return None;
    }
    let mut conns = inner.conns();
    if let Some(c) = conns.get(node) {
        return Some(c.clone());
    }
    let c = Conn::new(Arc::from(node));
    c.dialed.store(true, Ordering::Relaxed);
    conns.insert(c.node.clone(), c.clone());
    drop(conns);
    let (inner2, c2) = (inner.clone(), c.clone());
    crate::runtime::runtime().spawn(async move { dial(inner2, c2).await });
    Some(c)
}

/// The connection to `node` if one exists or is being made.
fn existing(inner: &Inner, node: &str) -> Option<Arc<Conn>> {
    inner.conns().get(node).cloned()
}

/// Takes a finished connection out of the table.
pub(crate) fn forget(conn: &Arc<Conn>) {
    if let Some(inner) = NODE.get() {
        let mut conns = inner.conns();
        if conns.get(&conn.node).is_some_and(|c| Arc::ptr_eq(c, conn)) {
            conns.remove(&conn.node);
        }
    }
}

async fn dial(inner: Arc<Inner>, conn: Arc<Conn>) {
    let result = tokio::time::timeout(HANDSHAKE_TIMEOUT, dial_inner(&inner, &conn.node))
        .await
        .unwrap_or_else(|_| Err(DialError::Other("the handshake timed out".into())));
    match result {
        Ok((stream, peer)) => conn.attach(stream, peer),
        Err(DialError::Simultaneous) => {
            // The peer's own attempt wins; it arrives through accept.
            let mut watch = conn.watch();
            let up = tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
                loop {
                    if *watch.borrow_and_update() != Status::Connecting {
                        return;
                    }
                    if watch.changed().await.is_err() {
                        return;
                    }
                }
            })
            .await;
            if up.is_err() {
                conn.fail("simultaneous connect never completed".into());
            }
        }
        Err(e) => {
            tracing::warn!("dist: could not connect to {}: {e}", conn.node);
            conn.fail(e.to_string());
        }
    }
}

enum DialError {
    Simultaneous,
    Other(String),
}

impl fmt::Display for DialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DialError::Simultaneous => f.write_str("simultaneous connect"),
            DialError::Other(s) => f.write_str(s),
        }
    }
}

impl From<String> for DialError {
    fn from(s: String) -> Self {
        DialError::Other(s)
    }
}

async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let mut addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve host `{host}`: {e}"))?
        .collect();
    // Erlang listens on IPv4 by default: try those first.
    addrs.sort_by_key(|a| !a.is_ipv4());
    Ok(addrs)
}

async fn connect_any(addrs: &[SocketAddr]) -> std::io::Result<TcpStream> {
    let mut last = None;
    for a in addrs {
        match TcpStream::connect(a).await {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no address")))
}

async fn dial_inner(inner: &Inner, node: &str) -> Result<(TcpStream, handshake::Peer), DialError> {
    let Some((alive, host)) = node.split_once('@') else {
        return Err(format!("`{node}` is not a node name (`name@host`)").into());
    };
    let epmd_addrs = resolve(host, inner.epmd_port).await?;
    let mut entry = None;
    for a in &epmd_addrs {
        match epmd::port_please(*a, alive).await {
            Ok(e) => {
                entry = e;
                break;
            }
            Err(e) => tracing::debug!("dist: EPMD at {a}: {e}"),
        }
    }
    let Some(entry) = entry else {
        return Err(format!("no node `{alive}` is registered with EPMD on `{host}`").into());
    };
    if entry.highest < 6 {
        return Err(format!(
            "`{node}` speaks distribution version {} only",
            entry.highest
        )
        .into());
    }
    let addrs: Vec<SocketAddr> = epmd_addrs
        .iter()
        .map(|a| SocketAddr::new(a.ip(), entry.port))
        .collect();
    let mut stream = connect_any(&addrs)
        .await
        .map_err(|e| format!("cannot reach `{node}` on port {}: {e}", entry.port))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    match handshake::initiate(&mut stream, &inner.local(), node).await {
        Ok(peer) => Ok((stream, peer)),
        Err(HandshakeError::Refused(s)) if s.starts_with("nok") => Err(DialError::Simultaneous),
        Err(e) => Err(e.to_string().into()),
    }
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

/// This node's name and creation, for encoding local pids and refs.
pub(crate) fn local_id() -> Option<NodeId> {
    NODE.get().map(|n| NodeId {
        name: n.name.clone(),
        creation: n.creation,
    })
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
/// # drop(free);
/// let name = format!("doc_name{}@localhost", std::process::id());
/// actor::node::start(&name, "secret").unwrap();
/// assert_eq!(actor::node::name(), Some(name.as_str()));
/// ```
pub fn name() -> Option<&'static str> {
    NODE.get().map(|n| &*n.name)
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
/// # drop(free);
/// let name = format!("doc_current{}@localhost", std::process::id());
/// let started = actor::node::start(&name, "secret").unwrap();
/// assert_eq!(actor::node::current().unwrap().port(), started.port());
/// ```
pub fn current() -> Option<Node> {
    NODE.get().map(|inner| Node {
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
/// # drop(free);
/// let me = format!("doc_connect{}@localhost", std::process::id());
/// actor::node::start(&me, "secret").unwrap();
/// assert_eq!(actor::node::connect(&me), Ok(())); // this node itself
/// let err = actor::node::connect("nobody_here@localhost").unwrap_err();
/// assert!(matches!(err, NodeError::Connect { .. }), "{err}");
/// assert!(actor::node::nodes().is_empty());
/// ```
pub fn connect(node: &str) -> Result<(), NodeError> {
    let inner = NODE.get().ok_or(NodeError::NotStarted)?;
    let Some(conn) = conn_for(inner, node) else {
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
    let Some(inner) = NODE.get() else {
        return false;
    };
    match existing(inner, node) {
        Some(c) => {
            c.fail("disconnected".into());
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
    let Some(inner) = NODE.get() else {
        return Vec::new();
    };
    let mut v: Vec<String> = inner
        .conns()
        .values()
        .filter(|c| c.status() == Status::Up)
        .map(|c| c.node.to_string())
        .collect();
    v.sort();
    v
}

/// Spawns the actor registered as `name` on `node` and returns its pid:
/// a `SPAWN_REQUEST`, as Erlang's `spawn(Node, Module, Function, Args)`.
///
/// On a Rust node `name` is any name [`spawn`](fn@crate::spawn) accepts. On an
/// Erlang node, `"module:function"` spawns `module:function()`; a plain
/// `"name"` asks for `name:start()`.
///
/// The call waits for the other node's answer. A program that is not a
/// node, an unreachable node, or a name the other node cannot spawn give a
/// [`SpawnError`] that says which.
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
    let Some(inner) = NODE.get() else {
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
    let conn = conn_for(inner, node).ok_or_else(|| SpawnError::Remote("no connection".into()))?;
    let (tx, rx) = flume::bounded(1);
    let waiter = SpawnWaiter { caller: me.pid, tx };
    if !conn.spawn_request(module, function, link, waiter) {
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

/// Routes operations on remote pids through the connections.
struct DistRemote(Arc<Inner>);

impl DistRemote {
    /// The connection for the node of the remote `pid`, dialing if needed.
    fn to(&self, pid: Pid) -> Option<Arc<Conn>> {
        let node = ids::pid_node(pid)?;
        conn_for(&self.0, &node.name)
    }

    fn existing_to(&self, pid: Pid) -> Option<Arc<Conn>> {
        existing(&self.0, &ids::pid_node(pid)?.name)
    }
}

impl crate::remote::Remote for DistRemote {
    fn send(&self, to: Pid, msg: Message) -> bool {
        self.to(to).is_some_and(|c| c.send(Dest::Pid(to), msg))
    }

    fn send_named(&self, name: &str, node: &str, msg: Message) -> bool {
        conn_for(&self.0, node).is_some_and(|c| c.send(Dest::Name(name.to_owned()), msg))
    }

    fn exit(&self, to: Pid, from: Pid, reason: Term) {
        if let Some(c) = self.to(to) {
            c.exit2(to, from, &reason);
        }
    }

    fn link_exit(&self, to: Pid, from: Pid, reason: Term) {
        if let Some(c) = self.existing_to(to) {
            c.link_exit(to, from, &reason);
        }
    }

    fn link(&self, from: Pid, to: Pid) -> bool {
        self.to(to).is_some_and(|c| c.link(from, to))
    }

    fn unlink(&self, from: Pid, to: Pid) {
        if let Some(c) = self.existing_to(to) {
            c.unlink(from, to);
        }
    }

    fn monitor(&self, watcher: Pid, target: Pid, reference: Ref) -> bool {
        self.to(target)
            .is_some_and(|c| c.monitor(watcher, target, reference))
    }

    fn demonitor(&self, watcher: Pid, target: Pid, reference: Ref) {
        if let Some(c) = self.existing_to(target) {
            c.demonitor(watcher, target, reference);
        }
    }

    fn down(&self, watcher: Pid, target: Pid, reference: Ref, reason: Term) {
        if let Some(c) = self.existing_to(watcher) {
            c.down(watcher, target, reference, &reason);
        }
    }

    fn call_failed(&self, caller: Pid, reference: Ref, _reason: Term) {
        if let Some(c) = self.existing_to(caller) {
            c.call_failed(reference);
        }
    }

    fn node_name(&self) -> &str {
        &self.0.name
    }
}
