//! EPMD, the Erlang port mapper: a client (register a node, look a node's
//! port up), a small server for machines without Erlang, and the ways a
//! node starts one when none answers: the system's `epmd -daemon`, this
//! program run again as a detached EPMD, or a server inside the program.
//!
//! Every request is a 2-byte length and a body whose first byte says what
//! it is. A registration (`ALIVE2_REQ`) holds its connection open for the
//! node's life; the others are one question, one answer, and a close.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// EPMD's well-known port.
pub(crate) const DEFAULT_PORT: u16 = 4369;

const ALIVE2_X_RESP: u8 = 118;
const PORT2_RESP: u8 = 119;
const ALIVE2_REQ: u8 = 120;
const ALIVE2_RESP: u8 = 121;
const PORT_PLEASE2_REQ: u8 = 122;
const NAMES_REQ: u8 = 110;
/// `epmd -kill`.
const KILL_REQ: u8 = 107;

/// Node type byte: a normal (visible) node; hidden nodes say 72.
pub(crate) const NODE_TYPE_NORMAL: u8 = 77;
pub(crate) const NODE_TYPE_HIDDEN: u8 = 72;

/// What EPMD knows of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NodeEntry {
    pub(crate) port: u16,
    pub(crate) node_type: u8,
    pub(crate) protocol: u8,
    pub(crate) highest: u16,
    pub(crate) lowest: u16,
    pub(crate) extra: Vec<u8>,
}

fn request(body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(body.len() + 2);
    v.extend_from_slice(&(body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("epmd: {what}"))
}

/// Registers `alive` (the part of the node name before `@`) on `port`.
/// Returns the open registration and the node's creation.
pub(crate) async fn register(
    epmd: SocketAddr,
    alive: &str,
    port: u16,
    hidden: bool,
) -> io::Result<(TcpStream, u32)> {
    let mut s = TcpStream::connect(epmd).await?;
    s.set_nodelay(true)?;
    let mut body = vec![ALIVE2_REQ];
    body.extend_from_slice(&port.to_be_bytes());
    body.push(if hidden {
        NODE_TYPE_HIDDEN
    } else {
        NODE_TYPE_NORMAL
    });
    body.push(0); // TCP/IPv4
    body.extend_from_slice(&6u16.to_be_bytes()); // highest version
    body.extend_from_slice(&6u16.to_be_bytes()); // lowest version
    body.extend_from_slice(&(alive.len() as u16).to_be_bytes());
    body.extend_from_slice(alive.as_bytes());
    body.extend_from_slice(&0u16.to_be_bytes()); // no extra
    s.write_all(&request(&body)).await?;
    let tag = s.read_u8().await?;
    let result = s.read_u8().await?;
    let creation = match tag {
        ALIVE2_X_RESP => s.read_u32().await?,
        ALIVE2_RESP => s.read_u16().await? as u32,
        _ => return Err(bad("unexpected answer to ALIVE2_REQ")),
    };
    if result != 0 {
        return Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!("epmd refused to register `{alive}` (is the name taken?)"),
        ));
    }
    Ok((s, creation))
}

/// The port of node `alive` on the host whose EPMD is `epmd`; `None` when
/// EPMD does not know it.
pub(crate) async fn port_please(epmd: SocketAddr, alive: &str) -> io::Result<Option<NodeEntry>> {
    let mut s = TcpStream::connect(epmd).await?;
    let mut body = vec![PORT_PLEASE2_REQ];
    body.extend_from_slice(alive.as_bytes());
    s.write_all(&request(&body)).await?;
    if s.read_u8().await? != PORT2_RESP {
        return Err(bad("unexpected answer to PORT_PLEASE2_REQ"));
    }
    if s.read_u8().await? != 0 {
        return Ok(None);
    }
    let port = s.read_u16().await?;
    let node_type = s.read_u8().await?;
    let protocol = s.read_u8().await?;
    let highest = s.read_u16().await?;
    let lowest = s.read_u16().await?;
    let nlen = s.read_u16().await? as usize;
    let mut name = vec![0; nlen];
    s.read_exact(&mut name).await?;
    let elen = s.read_u16().await? as usize;
    let mut extra = vec![0; elen];
    s.read_exact(&mut extra).await?;
    Ok(Some(NodeEntry {
        port,
        node_type,
        protocol,
        highest,
        lowest,
        extra,
    }))
}

/// The registered names and ports, as EPMD lists them.
#[cfg(test)]
pub(crate) async fn names(epmd: SocketAddr) -> io::Result<Vec<(String, u16)>> {
    let mut s = TcpStream::connect(epmd).await?;
    s.write_all(&request(&[NAMES_REQ])).await?;
    let _epmd_port = s.read_u32().await?;
    let mut text = String::new();
    s.read_to_string(&mut text).await?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("name ")?;
            let (name, port) = rest.split_once(" at port ")?;
            Some((name.to_owned(), port.trim().parse().ok()?))
        })
        .collect())
}

/// An EPMD server.
#[derive(Default)]
pub(crate) struct Server {
    nodes: Mutex<HashMap<String, NodeEntry>>,
    creation: Mutex<u32>,
    /// The port it listens on, which `epmd -names` prints.
    port: u16,
    /// Whether `epmd -kill` ends it (a standalone EPMD; never one inside a
    /// program that does other things).
    killable: bool,
}

impl Server {
    /// Serves EPMD on `listener` until the program ends.
    pub(crate) fn spawn(listener: TcpListener) {
        Server::spawn_with(listener, false);
    }

    fn spawn_with(listener: TcpListener, killable: bool) {
        let port = listener.local_addr().map_or(DEFAULT_PORT, |a| a.port());
        let server = Arc::new(Server {
            port,
            killable,
            ..Server::default()
        });
        *server.creation.lock().unwrap_or_else(|e| e.into_inner()) = seed_creation();
        tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((s, _)) => {
                        let server = server.clone();
                        tokio::spawn(async move {
                            if let Err(e) = server.serve(s).await {
                                tracing::debug!("epmd: connection ended: {e}");
                            }
                        });
                    }
                    Err(e) => {
                        tracing::warn!("epmd: accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                }
            }
        });
    }

    async fn serve(&self, mut s: TcpStream) -> io::Result<()> {
        let len = s.read_u16().await? as usize;
        if len == 0 {
            return Err(bad("empty request"));
        }
        let mut body = vec![0; len];
        s.read_exact(&mut body).await?;
        match body[0] {
            ALIVE2_REQ => self.alive(s, &body[1..]).await,
            PORT_PLEASE2_REQ => {
                let name = String::from_utf8_lossy(&body[1..]).into_owned();
                let entry = self.lock().get(&name).cloned();
                let mut out = vec![PORT2_RESP];
                match entry {
                    Some(e) => {
                        out.push(0);
                        out.extend_from_slice(&e.port.to_be_bytes());
                        out.push(e.node_type);
                        out.push(e.protocol);
                        out.extend_from_slice(&e.highest.to_be_bytes());
                        out.extend_from_slice(&e.lowest.to_be_bytes());
                        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
                        out.extend_from_slice(name.as_bytes());
                        out.extend_from_slice(&(e.extra.len() as u16).to_be_bytes());
                        out.extend_from_slice(&e.extra);
                    }
                    None => out.push(1),
                }
                s.write_all(&out).await
            }
            KILL_REQ if self.killable => {
                s.write_all(b"OK").await?;
                s.shutdown().await?;
                tracing::info!("epmd: killed by request");
                std::process::exit(0);
            }
            NAMES_REQ => {
                let mut out = (self.port as u32).to_be_bytes().to_vec();
                let mut nodes: Vec<_> = self
                    .lock()
                    .iter()
                    .map(|(n, e)| (n.clone(), e.port))
                    .collect();
                nodes.sort();
                for (name, port) in nodes {
                    out.extend_from_slice(format!("name {name} at port {port}\n").as_bytes());
                }
                s.write_all(&out).await
            }
            other => Err(bad(&format!("unsupported request {other}"))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, NodeEntry>> {
        self.nodes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A registration: answers, then holds the name until the connection
    /// closes.
    async fn alive(&self, mut s: TcpStream, b: &[u8]) -> io::Result<()> {
        let parse = || -> Option<(String, NodeEntry)> {
            let port = u16::from_be_bytes(b.get(0..2)?.try_into().ok()?);
            let node_type = *b.get(2)?;
            let protocol = *b.get(3)?;
            let highest = u16::from_be_bytes(b.get(4..6)?.try_into().ok()?);
            let lowest = u16::from_be_bytes(b.get(6..8)?.try_into().ok()?);
            let nlen = u16::from_be_bytes(b.get(8..10)?.try_into().ok()?) as usize;
            let name = std::str::from_utf8(b.get(10..10 + nlen)?).ok()?.to_owned();
            let rest = b.get(10 + nlen..)?;
            let elen = u16::from_be_bytes(rest.get(0..2)?.try_into().ok()?) as usize;
            let extra = rest.get(2..2 + elen)?.to_vec();
            Some((
                name,
                NodeEntry {
                    port,
                    node_type,
                    protocol,
                    highest,
                    lowest,
                    extra,
                },
            ))
        };
        let Some((name, entry)) = parse() else {
            return Err(bad("malformed ALIVE2_REQ"));
        };
        let taken = {
            let mut nodes = self.lock();
            if nodes.contains_key(&name) {
                true
            } else {
                nodes.insert(name.clone(), entry);
                false
            }
        };
        let creation = {
            let mut c = self.creation.lock().unwrap_or_else(|e| e.into_inner());
            *c = c.wrapping_add(1).max(4);
            *c
        };
        let mut out = vec![ALIVE2_X_RESP, u8::from(taken)];
        out.extend_from_slice(&creation.to_be_bytes());
        s.write_all(&out).await?;
        if taken {
            return Ok(());
        }
        // Held until the node goes away.
        let mut sink = [0u8; 64];
        while let Ok(n) = s.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
        self.lock().remove(&name);
        Ok(())
    }
}

/// What a node does when no EPMD answers where it looks for one.
///
/// # Examples
///
/// ```
/// use actor::node::{EpmdStart, Node};
///
/// // a node for a test: its EPMD ends with the program
/// let b = Node::builder("a@localhost").epmd_start(EpmdStart::InProcess);
/// assert!(format!("{b:?}").contains("InProcess"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EpmdStart {
    /// Starts an EPMD that outlives this program, as `erl` does: the
    /// system's `epmd -daemon` when it is installed, else (on Linux) this
    /// program run again as a detached EPMD. Other nodes on the host stay
    /// reachable by name after this program ends. The default.
    Standalone,
    /// Serves EPMD inside this program: it ends with the program, and the
    /// nodes registered with it become unreachable by name. For tests, and
    /// for hosts that run this one node.
    InProcess,
    /// Starts none: the node does not start ([`NodeError::Epmd`](crate::node::NodeError::Epmd)).
    Never,
}

impl EpmdStart {
    /// The default: `ACTOR_EPMD` (`standalone`, `in_process` or `never`)
    /// when it is set, else [`EpmdStart::Standalone`].
    pub(crate) fn from_env() -> EpmdStart {
        match std::env::var("ACTOR_EPMD").as_deref() {
            Err(_) | Ok("standalone") => EpmdStart::Standalone,
            Ok("in_process") => EpmdStart::InProcess,
            Ok("never") => EpmdStart::Never,
            Ok(other) => {
                tracing::warn!(
                    "ACTOR_EPMD={other} is not one of standalone, in_process, never: using standalone"
                );
                EpmdStart::Standalone
            }
        }
    }
}

/// The environment variable that makes this program an EPMD daemon (see
/// [`start_standalone`]).
const DAEMON_VAR: &str = "ACTOR_RUN_AS_EPMD_DAEMON";

/// Starts an EPMD that outlives this program, listening on `port` of every
/// interface: the system's `epmd` when one is on the `PATH`, else this
/// program again, detached, which serves EPMD from before its `main` (see
/// [`DAEMON_ENTRY`]). Returns once it is started, not once it listens.
pub(crate) fn start_standalone(port: u16) -> io::Result<&'static str> {
    use std::process::{Command, Stdio};
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("epmd"))
            .find(|p| p.is_file())
    });
    if let Some(epmd) = on_path {
        let status = Command::new(&epmd)
            .args(["-daemon", "-port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !status.success() {
            return Err(io::Error::other(format!(
                "`{} -daemon` failed ({status})",
                epmd.display()
            )));
        }
        return Ok("the system's epmd");
    }
    if !cfg!(target_os = "linux") {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "no `epmd` on the PATH, and this platform cannot run this program as one",
        ));
    }
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(std::env::current_exe()?)
        .env(DAEMON_VAR, port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a terminal's Ctrl-C for this program
        // does not reach it.
        .process_group(0)
        .spawn()?;
    // Reaped if it ever ends while this program runs.
    std::thread::spawn(move || child.wait());
    Ok("this program as a detached EPMD")
}

/// Runs before `main` in every program that links this crate: in the
/// process [`start_standalone`] starts, it serves EPMD until killed and
/// never returns; anywhere else it does nothing.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static DAEMON_ENTRY: extern "C" fn() = daemon_entry;

#[cfg(target_os = "linux")]
extern "C" fn daemon_entry() {
    let Some(port) = std::env::var(DAEMON_VAR)
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
    else {
        return;
    };
    let served = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|rt| {
            rt.block_on(async {
                let l = TcpListener::bind((std::net::Ipv4Addr::UNSPECIFIED, port)).await?;
                Server::spawn_with(l, true);
                std::future::pending::<io::Result<()>>().await
            })
        });
    // Only a port already taken (or no runtime) ends up here.
    std::process::exit(i32::from(served.is_err()));
}

/// A creation start point that differs between runs, as EPMD's does.
fn seed_creation() -> u32 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ d.as_secs() as u32)
        .unwrap_or(1);
    (t % 0x7fff_0000).max(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_look_up_and_list() {
        crate::runtime::runtime().block_on(async {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            Server::spawn(l);
            let (reg, c1) = register(addr, "a", 1234, true).await.unwrap();
            let e = port_please(addr, "a").await.unwrap().unwrap();
            assert_eq!(
                (e.port, e.node_type, e.highest),
                (1234, NODE_TYPE_HIDDEN, 6)
            );
            assert_eq!(port_please(addr, "b").await.unwrap(), None);
            assert!(register(addr, "a", 99, false).await.is_err());
            assert_eq!(names(addr).await.unwrap(), vec![("a".to_owned(), 1234)]);
            drop(reg);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            assert_eq!(port_please(addr, "a").await.unwrap(), None);
            let (_reg, c2) = register(addr, "a", 1234, true).await.unwrap();
            assert_ne!(c1, c2);
        });
    }
}
