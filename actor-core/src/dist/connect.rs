//! The running node's connections: starting to listen and registering with
//! EPMD, the table of connections by node name, dialing a node and
//! accepting one, and the [`Remote`](crate::remote::Remote) that routes
//! operations on remote pids to the right connection.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

use super::conn::{Conn, SpawnWaiter, Status};
use super::control::Dest;
use super::epmd::{self, EpmdStart};
use super::error::NodeError;
use super::handshake::{self, flags, Admit, HandshakeError, Local, Peer};
use super::ids::{self, NodeId};
use super::io;
use crate::message::Message;
use crate::pid::{Pid, Ref};
use crate::process;
use crate::remote::RemoteError;
use crate::term::{Atom, Term};

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

static NODE: OnceLock<Arc<Inner>> = OnceLock::new();

/// What a node starts with.
pub(crate) struct Config {
    pub(crate) name: String,
    pub(crate) cookie: String,
    pub(crate) hidden: bool,
    pub(crate) port: u16,
    pub(crate) epmd: SocketAddr,
    /// Whether `err` replies to remote callers exit their calls.
    pub(crate) err_exits: bool,
    /// What to do when no EPMD answers.
    pub(crate) epmd_start: EpmdStart,
}

/// The running node.
pub(crate) struct Inner {
    pub(crate) name: Arc<str>,
    cookie: String,
    /// Cookies for particular nodes (`erlang:set_cookie/2`).
    per_node_cookies: Mutex<HashMap<String, String>>,
    pub(crate) creation: u32,
    pub(crate) hidden: bool,
    pub(crate) port: u16,
    epmd_port: u16,
    err_exits: bool,
    conns: Mutex<HashMap<Arc<str>, Arc<Conn>>>,
    /// Processes told when a connection comes up or goes down.
    watchers: Mutex<Vec<Pid>>,
}

/// The running node, if any.
pub(crate) fn node() -> Option<&'static Arc<Inner>> {
    NODE.get()
}

impl Inner {
    fn conns(&self) -> MutexGuard<'_, HashMap<Arc<str>, Arc<Conn>>> {
        process::lock(&self.conns)
    }

    fn local(&self) -> Local<'_> {
        Local {
            name: &self.name,
            cookie: &self.cookie,
            per_node: process::lock(&self.per_node_cookies)
                .iter()
                .map(|(n, c)| (n.clone(), c.clone()))
                .collect(),
            creation: self.creation,
            flags: flags::OURS | if self.hidden { 0 } else { flags::PUBLISHED },
        }
    }

    /// The connection to `node`, dialing it if there is none; `None` for
    /// this node itself.
    pub(crate) fn conn_for(self: &Arc<Self>, node: &str) -> Option<Arc<Conn>> {
        if node == &*self.name {
            return None;
        }
        let mut conns = self.conns();
        if let Some(c) = conns.get(node) {
            return Some(c.clone());
        }
        let c = Conn::new(Arc::from(node), self.err_exits);
        c.dialed.store(true, Ordering::Relaxed);
        conns.insert(c.node.clone(), c.clone());
        drop(conns);
        let (inner, conn) = (self.clone(), c.clone());
        crate::runtime::runtime().spawn(async move { inner.dial(conn).await });
        Some(c)
    }

    /// Uses `cookie` with `node` from now on, instead of this node's own
    /// (Erlang's `erlang:set_cookie(Node, Cookie)`); `None` goes back to it.
    pub(crate) fn set_cookie_for(&self, node: &str, cookie: Option<String>) {
        let mut cookies = process::lock(&self.per_node_cookies);
        match cookie {
            Some(c) => cookies.insert(node.to_owned(), c),
            None => cookies.remove(node),
        };
    }

    /// The port of the EPMD this node registered with.
    pub(crate) fn epmd_port(&self) -> u16 {
        self.epmd_port
    }

    /// The connection to `node` if one exists or is being made.
    pub(crate) fn existing(&self, node: &str) -> Option<Arc<Conn>> {
        self.conns().get(node).cloned()
    }

    /// Ends `conn` (its links and monitors hear `noconnection`) and takes
    /// it out of the table.
    pub(crate) fn close(&self, conn: &Conn, why: String) {
        let was_up = conn.fail(why);
        {
            let mut conns = self.conns();
            if conns
                .get(&conn.node)
                .is_some_and(|c| std::ptr::eq(&**c, conn))
            {
                conns.remove(&conn.node);
            }
        }
        if was_up {
            self.tell_watchers("nodedown", &conn.node);
        }
    }

    /// Starts (or stops) telling `pid` when connections come up and go
    /// down: `{nodeup, Node}` and `{nodedown, Node}` `info` messages.
    pub(crate) fn monitor_nodes(&self, pid: Pid, on: bool) {
        let mut w = process::lock(&self.watchers);
        w.retain(|p| *p != pid);
        if on {
            w.push(pid);
        }
    }

    fn tell_watchers(&self, what: &'static str, node: &str) {
        let watchers = process::lock(&self.watchers).clone();
        let mut gone = Vec::new();
        for pid in watchers {
            let msg = Message {
                kind: crate::message::Kind::Info,
                data: Term::tuple([Term::atom(what), Term::Atom(Atom::from(node))]),
                reference: None,
                from: pid,
            };
            if process::deliver(pid, process::Envelope::Msg(msg)).is_err() {
                gone.push(pid);
            }
        }
        if !gone.is_empty() {
            process::lock(&self.watchers).retain(|p| !gone.contains(p));
        }
    }

    /// Whether the connection to `node` is up with a visible (published)
    /// node.
    pub(crate) fn is_visible_peer(&self, node: &str) -> bool {
        self.existing(node)
            .is_some_and(|c| c.status() == Status::Up && c.peer_has(flags::PUBLISHED))
    }

    /// The nodes with a connection up, sorted.
    pub(crate) fn nodes(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .conns()
            .values()
            .filter(|c| c.status() == Status::Up)
            .map(|c| c.node.to_string())
            .collect();
        v.sort();
        v
    }

    /// Runs a handshaken connection until it ends.
    fn run(self: &Arc<Self>, conn: Arc<Conn>, stream: TcpStream, peer: Peer) {
        let Some(queue) = conn.start(peer.flags) else {
            tracing::debug!("dist: a connection to {} was dropped", conn.node);
            return;
        };
        tracing::debug!(
            "dist: connected to {} (creation {}, flags {:#x})",
            peer.name,
            peer.creation,
            peer.flags
        );
        self.tell_watchers("nodeup", &conn.node);
        let inner = self.clone();
        tokio::spawn(async move {
            let why = io::run(&conn, stream, queue).await;
            match &why {
                Ok(()) => tracing::info!("dist: connection to {} closed", conn.node),
                Err(e) => tracing::warn!("dist: connection to {} closed: {e}", conn.node),
            }
            inner.close(
                &conn,
                why.err().unwrap_or_else(|| "closed by the peer".into()),
            );
        });
    }

    async fn accept_loop(self: Arc<Self>, listener: TcpListener) {
        loop {
            match listener.accept().await {
                Ok((stream, addr)) => {
                    let inner = self.clone();
                    tokio::spawn(async move {
                        if let Err(e) = inner.accept(stream).await {
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

    async fn accept(self: &Arc<Self>, mut stream: TcpStream) -> Result<(), HandshakeError> {
        stream.set_nodelay(true)?;
        let mut mine: Option<(Arc<Conn>, bool)> = None;
        let mut replaced: Option<Arc<Conn>> = None;
        let admit = |peer: &str| {
            let mut conns = self.conns();
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
                    if *self.name > *peer {
                        Admit::Nok
                    } else {
                        // The peer's dial wins and ours is abandoned: from
                        // here the connection is this accept's (our dial
                        // answers `false` if the peer asks it `alive`).
                        c.dialed.store(false, Ordering::Relaxed);
                        mine = Some((c, false));
                        Admit::OkSimultaneous
                    }
                }
                _ => {
                    let c = Conn::new(Arc::from(peer), self.err_exits);
                    conns.insert(Arc::from(peer), c.clone());
                    mine = Some((c, true));
                    Admit::Ok
                }
            }
        };
        let local = self.local();
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
                    self.close(&c, e.to_string());
                }
                return Err(e);
            }
        };
        let conn = match (mine, replaced) {
            (Some((c, _)), _) => c,
            (None, Some(old)) => {
                self.close(
                    &old,
                    "replaced by a new connection from the same node".into(),
                );
                let c = Conn::new(Arc::from(peer.name.as_str()), self.err_exits);
                self.conns().insert(c.node.clone(), c.clone());
                c
            }
            (None, None) => return Err(HandshakeError::Protocol("no connection slot")),
        };
        self.run(conn, stream, peer);
        Ok(())
    }

    async fn dial(self: Arc<Self>, conn: Arc<Conn>) {
        let result = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.handshake(&conn))
            .await
            .unwrap_or_else(|_| Err(DialError::Other("the handshake timed out".into())));
        match result {
            Ok((stream, peer)) => self.run(conn, stream, peer),
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
                    self.close(&conn, "simultaneous connect never completed".into());
                }
            }
            Err(e) => {
                tracing::warn!("dist: could not connect to {}: {e}", conn.node);
                self.close(&conn, e.to_string());
            }
        }
    }

    /// Finds `node` through its host's EPMD and shakes hands with it.
    async fn handshake(&self, conn: &Conn) -> Result<(TcpStream, Peer), DialError> {
        let node: &str = &conn.node;
        let Some((alive, host)) = node.split_once('@') else {
            return Err(format!("`{node}` is not a node name (`name@host`)").into());
        };
        let epmd_addrs = resolve(host, self.epmd_port).await?;
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
        let still_dialing =
            || conn.status() == Status::Connecting && conn.dialed.load(Ordering::Relaxed);
        match handshake::initiate(&mut stream, &self.local(), node, still_dialing).await {
            Ok(peer) => Ok((stream, peer)),
            Err(HandshakeError::Refused(s)) if s.starts_with("nok") => Err(DialError::Simultaneous),
            Err(e) => Err(e.to_string().into()),
        }
    }
}

/// Starts the node: listens, registers with EPMD (starting one in-process
/// if none answers), and routes remote pids from now on.
pub(crate) async fn start(cfg: Config) -> Result<Arc<Inner>, NodeError> {
    let (alive, _) = cfg
        .name
        .split_once('@')
        .ok_or_else(|| NodeError::InvalidName(cfg.name.clone()))?;
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, cfg.port))
        .await
        .map_err(|e| NodeError::Io(e.to_string()))?;
    let port = listener
        .local_addr()
        .map_err(|e| NodeError::Io(e.to_string()))?
        .port();
    let (registration, creation) =
        register(cfg.epmd, alive, port, cfg.hidden, cfg.epmd_start).await?;
    let inner = Arc::new(Inner {
        name: Arc::from(cfg.name.as_str()),
        cookie: cfg.cookie,
        per_node_cookies: Mutex::new(HashMap::new()),
        creation,
        hidden: cfg.hidden,
        port,
        epmd_port: cfg.epmd.port(),
        err_exits: cfg.err_exits,
        conns: Mutex::new(HashMap::new()),
        watchers: Mutex::new(Vec::new()),
    });
    if NODE.set(inner.clone()).is_err() {
        return Err(NodeError::AlreadyStarted(
            NODE.get().map(|n| n.name.to_string()).unwrap_or_default(),
        ));
    }
    ids::set_local(NodeId {
        name: inner.name.clone(),
        creation,
    });
    crate::remote::install(Box::new(DistRemote(inner.clone())));
    tokio::spawn(inner.clone().accept_loop(listener));
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

/// Where EPMD listens unless the builder says otherwise: `127.0.0.1:4369`,
/// or the port `ERL_EPMD_PORT` names.
pub(crate) fn default_epmd() -> SocketAddr {
    let port = std::env::var("ERL_EPMD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(epmd::DEFAULT_PORT);
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

/// Registers with EPMD at `addr`, starting one there first as `start`
/// says when nobody answers.
async fn register(
    addr: SocketAddr,
    alive: &str,
    port: u16,
    hidden: bool,
    start: EpmdStart,
) -> Result<(TcpStream, u32), NodeError> {
    match epmd::register(addr, alive, port, hidden).await {
        Ok(r) => return Ok(r),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
        Err(e) => return Err(NodeError::Epmd(e.to_string())),
    }
    let start = match start {
        EpmdStart::Standalone => match epmd::start_standalone(addr.port()) {
            Ok(what) => {
                tracing::info!("dist: no EPMD answered at {addr}; started {what}");
                // It may take a moment to listen.
                for _ in 0..60 {
                    match epmd::register(addr, alive, port, hidden).await {
                        Ok(r) => return Ok(r),
                        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(e) => return Err(NodeError::Epmd(e.to_string())),
                    }
                }
                return Err(NodeError::Epmd(format!(
                    "started {what}, but nothing answers at {addr}"
                )));
            }
            Err(e) => {
                tracing::warn!(
                    "dist: no EPMD answered at {addr} and none could be started ({e}); serving EPMD in-process"
                );
                EpmdStart::InProcess
            }
        },
        other => other,
    };
    if start == EpmdStart::Never {
        return Err(NodeError::Epmd(format!(
            "no EPMD answers at {addr} (and this node was built to start none)"
        )));
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

/// Sends a spawn request to `node` for `module:function()`; the answer
/// comes on the waiter's channel. `false` when the node is unreachable.
pub(crate) fn spawn_request(
    inner: &Arc<Inner>,
    node: &str,
    module: &str,
    function: &str,
    link: bool,
    waiter: SpawnWaiter,
) -> bool {
    inner
        .conn_for(node)
        .is_some_and(|c| c.spawn_request(module, function, link, waiter))
}

/// Routes operations on remote pids through the connections.
struct DistRemote(Arc<Inner>);

impl DistRemote {
    /// The connection for the node of the remote `pid`, dialing if needed.
    fn to(&self, pid: Pid) -> Option<Arc<Conn>> {
        let node = ids::pid_node(pid)?;
        self.0.conn_for(&node.name)
    }

    fn existing_to(&self, pid: Pid) -> Option<Arc<Conn>> {
        self.0.existing(&ids::pid_node(pid)?.name)
    }
}

impl crate::remote::Remote for DistRemote {
    fn send(&self, to: Pid, msg: Message) -> Result<(), RemoteError> {
        self.to(to)
            .ok_or(RemoteError::Unreachable)?
            .send(Dest::Pid(to), msg)
    }

    fn send_named(&self, name: &str, node: &str, msg: Message) -> Result<(), RemoteError> {
        self.0
            .conn_for(node)
            .ok_or(RemoteError::Unreachable)?
            .send(Dest::Name(Atom::from(name)), msg)
    }

    fn call(&self, to: Pid, msg: Message) -> Result<(), RemoteError> {
        self.to(to)
            .ok_or(RemoteError::Unreachable)?
            .call(Dest::Pid(to), msg)
    }

    fn call_named(&self, name: &str, node: &str, msg: Message) -> Result<(), RemoteError> {
        self.0
            .conn_for(node)
            .ok_or(RemoteError::Unreachable)?
            .call(Dest::Name(Atom::from(name)), msg)
    }

    fn exit(&self, to: Pid, from: Pid, reason: Term) {
        if let Some(c) = self.to(to) {
            c.exit2(to, from, reason);
        }
    }

    fn link_exit(&self, to: Pid, from: Pid, reason: Term) {
        if let Some(c) = self.existing_to(to) {
            c.link_exit(to, from, reason);
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
            c.down(watcher, target, reference, reason);
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
