//! One connection to another node: its framing, its control messages, and
//! the links, monitors and calls that cross it (so that losing it can give
//! every one of them `noconnection`).
//!
//! After the handshake every message is a 4-byte length (0 is a tick) and
//! `112` ("pass through", no atom cache), then the control message and, for
//! some, a payload, each an encoded term.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use super::etf::{self, DecodeError, Decoder, Encoder};
use super::handshake::Peer;
use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::{self, reasons, Envelope};
use crate::term::Term;

/// How often an idle connection sends a tick; four silent intervals and the
/// peer is taken for dead (Erlang's default `net_ticktime` of 60 s).
const TICK: Duration = Duration::from_secs(15);
/// The largest frame accepted; a bigger length prefix closes the connection.
pub(crate) const MAX_FRAME: u32 = 128 << 20;

mod op {
    pub(crate) const LINK: i64 = 1;
    pub(crate) const SEND: i64 = 2;
    pub(crate) const EXIT: i64 = 3;
    pub(crate) const UNLINK: i64 = 4;
    pub(crate) const NODE_LINK: i64 = 5;
    pub(crate) const REG_SEND: i64 = 6;
    pub(crate) const GROUP_LEADER: i64 = 7;
    pub(crate) const EXIT2: i64 = 8;
    pub(crate) const SEND_TT: i64 = 12;
    pub(crate) const EXIT_TT: i64 = 13;
    pub(crate) const REG_SEND_TT: i64 = 16;
    pub(crate) const EXIT2_TT: i64 = 18;
    pub(crate) const MONITOR_P: i64 = 19;
    pub(crate) const DEMONITOR_P: i64 = 20;
    pub(crate) const MONITOR_P_EXIT: i64 = 21;
    pub(crate) const SEND_SENDER: i64 = 22;
    pub(crate) const SEND_SENDER_TT: i64 = 23;
    pub(crate) const PAYLOAD_EXIT: i64 = 24;
    pub(crate) const PAYLOAD_EXIT_TT: i64 = 25;
    pub(crate) const PAYLOAD_EXIT2: i64 = 26;
    pub(crate) const PAYLOAD_EXIT2_TT: i64 = 27;
    pub(crate) const PAYLOAD_MONITOR_P_EXIT: i64 = 28;
    pub(crate) const SPAWN_REQUEST: i64 = 29;
    pub(crate) const SPAWN_REQUEST_TT: i64 = 30;
    pub(crate) const SPAWN_REPLY: i64 = 31;
    pub(crate) const SPAWN_REPLY_TT: i64 = 32;
    pub(crate) const UNLINK_ID: i64 = 35;
    pub(crate) const UNLINK_ID_ACK: i64 = 36;
}

/// A process on the peer: by pid, or by registered name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Dest {
    Pid(Pid),
    Name(String),
}

/// Where a connection is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Connecting,
    Up,
    Down(String),
}

/// Someone waiting for a `SPAWN_REPLY`.
pub(crate) struct SpawnWaiter {
    pub(crate) caller: Pid,
    pub(crate) tx: flume::Sender<Result<Pid, String>>,
}

#[derive(Default)]
struct State {
    closed: bool,
    /// (local, remote) pairs linked across this connection.
    links: HashSet<(Pid, Pid)>,
    /// Monitors local processes hold on remote ones: ref -> (watcher, target).
    out_monitors: HashMap<Ref, (Pid, Pid)>,
    /// Calls local processes made to remote ones, monitored under the
    /// call's ref: ref -> (caller, callee).
    out_calls: HashMap<Ref, (Pid, Dest)>,
    /// Monitors remote processes hold on local ones: ref -> (watcher,
    /// target, the name it was monitored by).
    in_monitors: HashMap<Ref, (Pid, Pid, Option<String>)>,
    /// Calls remote processes made to local ones, waiting for the reply:
    /// ref -> (the caller's tag, encoded as it sent it; caller).
    in_calls: HashMap<Ref, (Term, Pid)>,
    spawns: HashMap<Ref, SpawnWaiter>,
}

/// A connection to one node, from the first attempt to its end. Messages
/// queue in `tx` while the handshake runs.
pub(crate) struct Conn {
    pub(crate) node: Arc<str>,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Vec<u8>>>>,
    state: Mutex<State>,
    status: watch::Sender<Status>,
    unlink_ids: AtomicU64,
    /// Whether this node dialed (rather than accepted) the connection.
    pub(crate) dialed: std::sync::atomic::AtomicBool,
}

/// The pid `SEND` gives as sender when the peer names none.
pub(crate) fn nobody() -> Pid {
    Pid::from_parts(0, 0)
}

fn frame(build: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut e = Encoder {
        buf: vec![0, 0, 0, 0, 112],
    };
    build(&mut e);
    let len = (e.buf.len() - 4) as u32;
    e.buf[..4].copy_from_slice(&len.to_be_bytes());
    e.buf
}

/// A control message without payload: `{Op, args...}` written by `args`.
fn ctrl(op: i64, arity: usize, args: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    frame(|e| {
        e.version();
        e.tuple(arity + 1);
        e.int(op);
        args(e);
    })
}

/// A control message followed by a payload.
fn ctrl_payload(
    op: i64,
    arity: usize,
    args: impl FnOnce(&mut Encoder),
    payload: impl FnOnce(&mut Encoder),
) -> Vec<u8> {
    frame(|e| {
        e.version();
        e.tuple(arity + 1);
        e.int(op);
        args(e);
        e.version();
        payload(e);
    })
}

fn dest(e: &mut Encoder, d: &Dest) {
    match d {
        Dest::Pid(p) => e.pid(*p),
        Dest::Name(n) => e.atom(n),
    }
}

/// Writes `t`; what Erlang cannot hold (a NaN or infinite float, a local
/// value) goes as the atom `undefined`, with a warning.
fn put(e: &mut Encoder, t: &Term) {
    let at = e.buf.len();
    if let Err(err) = e.term(t) {
        tracing::warn!("dist: {err}; sent `undefined` instead");
        e.buf.truncate(at);
        e.atom("undefined");
    }
}

/// `{'$actor_msg', Kind, Data}`: how kinds without an Erlang form travel.
const WRAP: &str = "$actor_msg";

fn body(e: &mut Encoder, kind: Kind, data: &Term) {
    if kind == Kind::Std {
        put(e, data);
    } else {
        e.tuple(3);
        e.atom(WRAP);
        e.atom(kind.name());
        put(e, data);
    }
}

fn unwrap_body(t: Term) -> (Kind, Term) {
    if let Term::Tuple(items) = &t {
        if let [Term::Atom(w), Term::Atom(k), _] = items.as_slice() {
            if w.as_str() == WRAP {
                if let Some(kind) = Kind::ALL.iter().find(|x| x.name() == k.as_str()) {
                    let Ok(mut items) = t.into_tuple() else {
                        unreachable!()
                    };
                    return (*kind, items.pop().unwrap_or_default());
                }
            }
        }
    }
    (Kind::Std, t)
}

impl Conn {
    pub(crate) fn new(node: Arc<str>) -> Arc<Conn> {
        let (tx, rx) = mpsc::unbounded_channel();
        Arc::new(Conn {
            node,
            tx,
            rx: Mutex::new(Some(rx)),
            state: Mutex::new(State::default()),
            status: watch::channel(Status::Connecting).0,
            unlink_ids: AtomicU64::new(1),
            dialed: Default::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    pub(crate) fn watch(&self) -> watch::Receiver<Status> {
        self.status.subscribe()
    }

    fn push(&self, frame: Vec<u8>) {
        let _ = self.tx.send(frame);
    }

    /// Starts the reader and writer on a handshaken stream.
    pub(crate) fn attach(self: &Arc<Self>, stream: TcpStream, peer: Peer) {
        if matches!(self.status(), Status::Down(_)) {
            tracing::debug!(
                "dist: a connection to {} ended before it started",
                self.node
            );
            return;
        }
        let Some(rx) = self.rx.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            tracing::debug!("dist: a second connection to {} was dropped", self.node);
            return;
        };
        tracing::debug!(
            "dist: connected to {} (creation {}, flags {:#x})",
            peer.name,
            peer.creation,
            peer.flags
        );
        let (r, w) = stream.into_split();
        let _ = self.status.send_replace(Status::Up);
        let status = self.status.subscribe();
        tokio::spawn(writer(w, rx, status));
        let me = self.clone();
        tokio::spawn(async move {
            let why = reader(&me, r).await;
            match &why {
                Ok(()) => tracing::info!("dist: connection to {} closed", me.node),
                Err(e) => tracing::warn!("dist: connection to {} closed: {e}", me.node),
            }
            me.fail(why.err().unwrap_or_else(|| "closed by the peer".into()));
        });
    }

    /// Ends the connection: every link, monitor, call and spawn across it
    /// hears `noconnection`.
    pub(crate) fn fail(self: &Arc<Self>, why: String) {
        let st = {
            let mut st = self.lock();
            if st.closed {
                return;
            }
            st.closed = true;
            std::mem::take(&mut *st)
        };
        let _ = self.status.send_replace(Status::Down(why));
        super::node::forget(self);
        let nc = reasons::noconnection;
        for (local, remote) in st.links {
            process::deliver_remote_exit(local, remote, nc());
        }
        for (r, (watcher, target)) in st.out_monitors {
            process::deliver_down(watcher, target, r, nc());
        }
        for (r, (caller, _)) in st.out_calls {
            process::forget_monitor(caller, r);
            process::send_call_failed(caller, r, nc());
        }
        for (r, (_, target, _)) in st.in_monitors {
            process::remove_watcher(target, r);
        }
        for (_, w) in st.spawns {
            let _ = w.tx.send(Err("noconnection".into()));
        }
    }

    // ---- outgoing -------------------------------------------------------

    /// Sends `msg` to `to` on the peer. `false` if the connection is gone.
    pub(crate) fn send(&self, to: Dest, msg: Message) -> bool {
        let from = msg.from;
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        if let Some(r) = msg.reference {
            if let Some((tag, _caller)) = st.in_calls.remove(&r) {
                drop(st);
                // A reply: `{Tag, Reply}`, as gen_server:reply sends it.
                self.push(send_frame(from, &to, |e| {
                    e.tuple(2);
                    put(e, &tag);
                    body(e, msg.kind, &msg.data);
                }));
                return true;
            }
            // A call: monitor the callee for its duration, as gen_server:call.
            st.out_calls.insert(r, (from, to.clone()));
            drop(st);
            self.push(ctrl(op::MONITOR_P, 3, |e| {
                e.pid(from);
                dest(e, &to);
                e.reference(r);
            }));
            self.push(send_frame(from, &to, |e| {
                e.tuple(3);
                e.atom("$gen_call");
                e.tuple(2);
                e.pid(from);
                e.reference(r);
                body(e, msg.kind, &msg.data);
            }));
            return true;
        }
        drop(st);
        self.push(send_frame(from, &to, |e| match msg.kind {
            Kind::Std => {
                e.tuple(2);
                e.atom("$gen_cast");
                put(e, &msg.data);
            }
            Kind::Info => put(e, &msg.data),
            kind => body(e, kind, &msg.data),
        }));
        true
    }

    pub(crate) fn exit2(&self, to: Pid, from: Pid, reason: &Term) {
        self.push(ctrl_payload(
            op::PAYLOAD_EXIT2,
            2,
            |e| {
                e.pid(from);
                e.pid(to);
            },
            |e| put(e, reason),
        ));
    }

    pub(crate) fn link_exit(&self, to: Pid, from: Pid, reason: &Term) {
        let had = self.lock().links.remove(&(from, to));
        if had {
            self.push(exit_frame(from, to, reason));
        }
    }

    /// `false` if the connection is gone.
    pub(crate) fn link(&self, from: Pid, to: Pid) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        st.links.insert((from, to));
        drop(st);
        self.push(ctrl(op::LINK, 2, |e| {
            e.pid(from);
            e.pid(to);
        }));
        true
    }

    pub(crate) fn unlink(&self, from: Pid, to: Pid) {
        self.lock().links.remove(&(from, to));
        let id = self.unlink_ids.fetch_add(1, Ordering::Relaxed);
        self.push(ctrl(op::UNLINK_ID, 3, |e| {
            e.int(id as i64);
            e.pid(from);
            e.pid(to);
        }));
    }

    /// `false` if the connection is gone.
    pub(crate) fn monitor(&self, watcher: Pid, target: Pid, r: Ref) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        st.out_monitors.insert(r, (watcher, target));
        drop(st);
        self.push(ctrl(op::MONITOR_P, 3, |e| {
            e.pid(watcher);
            e.pid(target);
            e.reference(r);
        }));
        true
    }

    pub(crate) fn demonitor(&self, watcher: Pid, target: Pid, r: Ref) {
        if self.lock().out_monitors.remove(&r).is_some() {
            self.push(ctrl(op::DEMONITOR_P, 3, |e| {
                e.pid(watcher);
                e.pid(target);
                e.reference(r);
            }));
        }
    }

    /// The local `target`, monitored by the remote `watcher`, exited.
    pub(crate) fn down(&self, watcher: Pid, target: Pid, r: Ref, reason: &Term) {
        let Some((_, _, name)) = self.lock().in_monitors.remove(&r) else {
            return;
        };
        let from = match name {
            Some(n) => Dest::Name(n),
            None => Dest::Pid(target),
        };
        self.push(monitor_exit_frame(&from, watcher, r, reason));
    }

    pub(crate) fn call_failed(&self, r: Ref) {
        self.lock().in_calls.remove(&r);
    }

    /// Sends a spawn request; the reply goes to `waiter`.
    pub(crate) fn spawn_request(
        &self,
        module: &str,
        function: &str,
        link: bool,
        waiter: SpawnWaiter,
    ) -> bool {
        let r = Ref::new();
        let caller = waiter.caller;
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        st.spawns.insert(r, waiter);
        drop(st);
        self.push(ctrl_payload(
            op::SPAWN_REQUEST,
            5,
            |e| {
                e.reference(r);
                e.pid(caller);
                e.pid(caller);
                e.tuple(3);
                e.atom(module);
                e.atom(function);
                e.int(0);
                if link {
                    e.list_header(1);
                    e.atom("link");
                }
                e.nil();
            },
            |e| e.nil(),
        ));
        true
    }

    // ---- incoming -------------------------------------------------------

    /// Handles one frame. An `Err` closes the connection.
    pub(crate) fn handle_frame(self: &Arc<Self>, buf: &[u8]) -> Result<(), String> {
        let Some((&112, rest)) = buf.split_first() else {
            return Err("frame does not start with the pass-through byte 112".into());
        };
        let mut d = Decoder::new(rest);
        let control = d
            .version()
            .and_then(|()| d.term())
            .map_err(|e| format!("bad control message: {e}"))?;
        let payload = &rest[d.pos()..];
        let Term::Tuple(items) = &control else {
            return Err(format!("control message is not a tuple: {control:?}"));
        };
        let Some(Term::Int(code)) = items.first() else {
            return Err(format!("control message without an operation: {items:?}"));
        };
        let bad = || format!("malformed control message {items:?}");
        let pid = |i: usize| match items.get(i) {
            Some(Term::Pid(p)) => Ok(*p),
            _ => Err(bad()),
        };
        let reference = |i: usize| match items.get(i) {
            Some(Term::Ref(r)) => Ok(*r),
            _ => Err(bad()),
        };
        let reason = |i: usize| -> Result<Term, String> {
            if payload.is_empty() {
                items.get(i).cloned().ok_or_else(bad)
            } else {
                payload_term(payload)
            }
        };
        match *code {
            op::SEND | op::SEND_TT => self.deliver_payload(nobody(), Dest::Pid(pid(2)?), payload),
            op::SEND_SENDER | op::SEND_SENDER_TT => {
                self.deliver_payload(pid(1)?, Dest::Pid(pid(2)?), payload)
            }
            op::REG_SEND | op::REG_SEND_TT => {
                let Some(Term::Atom(name)) = items.get(3) else {
                    return Err(bad());
                };
                self.deliver_payload(pid(1)?, Dest::Name(name.as_str().to_owned()), payload)
            }
            op::LINK => {
                let (from, to) = (pid(1)?, pid(2)?);
                if process::add_link(to, from) {
                    self.lock().links.insert((to, from));
                } else {
                    self.push(exit_frame(to, from, &reasons::noproc()));
                }
            }
            op::UNLINK => {
                let (from, to) = (pid(1)?, pid(2)?);
                self.lock().links.remove(&(to, from));
                process::remove_link(to, from);
            }
            op::UNLINK_ID => {
                let (from, to) = (pid(2)?, pid(3)?);
                let id = items.get(1).cloned().ok_or_else(bad)?;
                self.lock().links.remove(&(to, from));
                process::remove_link(to, from);
                self.push(ctrl(op::UNLINK_ID_ACK, 3, |e| {
                    put(e, &id);
                    e.pid(to);
                    e.pid(from);
                }));
            }
            op::UNLINK_ID_ACK | op::NODE_LINK | op::GROUP_LEADER => {}
            op::EXIT | op::EXIT_TT | op::PAYLOAD_EXIT | op::PAYLOAD_EXIT_TT => {
                let (from, to) = (pid(1)?, pid(2)?);
                let why = match *code {
                    op::EXIT => reason(3)?,
                    op::EXIT_TT => reason(4)?,
                    _ => payload_term(payload)?,
                };
                self.lock().links.remove(&(to, from));
                process::deliver_remote_exit(to, from, why);
            }
            op::EXIT2 | op::EXIT2_TT | op::PAYLOAD_EXIT2 | op::PAYLOAD_EXIT2_TT => {
                let (from, to) = (pid(1)?, pid(2)?);
                let why = match *code {
                    op::EXIT2 => reason(3)?,
                    op::EXIT2_TT => reason(4)?,
                    _ => payload_term(payload)?,
                };
                if to.is_local() {
                    process::signal_exit(to, from, why);
                }
            }
            op::MONITOR_P => {
                let (watcher, r) = (pid(1)?, reference(3)?);
                let (target, name) = match items.get(2) {
                    Some(Term::Pid(p)) => (Some(*p), None),
                    Some(Term::Atom(a)) => (crate::registry::whereis(a.as_str()), Some(a.as_str())),
                    _ => return Err(bad()),
                };
                let ok =
                    target.is_some_and(|t| t.is_local() && process::add_watcher(t, watcher, r));
                match (ok, target) {
                    (true, Some(t)) => {
                        self.lock()
                            .in_monitors
                            .insert(r, (watcher, t, name.map(str::to_owned)));
                    }
                    _ => {
                        let from = match (name, target) {
                            (Some(n), _) => Dest::Name(n.to_owned()),
                            (None, Some(t)) => Dest::Pid(t),
                            (None, None) => return Err(bad()),
                        };
                        self.push(monitor_exit_frame(&from, watcher, r, &reasons::noproc()));
                    }
                }
            }
            op::DEMONITOR_P => {
                let r = reference(3)?;
                if let Some((_, target, _)) = self.lock().in_monitors.remove(&r) {
                    process::remove_watcher(target, r);
                }
            }
            op::MONITOR_P_EXIT | op::PAYLOAD_MONITOR_P_EXIT => {
                let (to, r) = (pid(2)?, reference(3)?);
                let why = if *code == op::MONITOR_P_EXIT {
                    reason(4)?
                } else {
                    payload_term(payload)?
                };
                let (call, mon) = {
                    let mut st = self.lock();
                    (st.out_calls.remove(&r), st.out_monitors.remove(&r))
                };
                if let Some((caller, _)) = call {
                    process::send_call_failed(caller, r, why);
                } else if let Some((watcher, target)) = mon {
                    process::deliver_down(watcher, target, r, why);
                } else {
                    tracing::debug!("dist: DOWN for unknown monitor {r:?} of {to:?}");
                }
            }
            op::SPAWN_REQUEST | op::SPAWN_REQUEST_TT => {
                let (req, from) = (reference(1)?, pid(2)?);
                let Some(Term::Tuple(mfa)) = items.get(4) else {
                    return Err(bad());
                };
                let Some(Term::Atom(module)) = mfa.first() else {
                    return Err(bad());
                };
                let opts = match items.get(5) {
                    Some(Term::List(o)) => o.clone(),
                    _ => return Err(bad()),
                };
                let args = payload_term(payload)?;
                self.spawn_for(req, from, module.as_str(), args, &opts);
            }
            op::SPAWN_REPLY | op::SPAWN_REPLY_TT => {
                let req = reference(1)?;
                let flags = match items.get(3) {
                    Some(Term::Int(f)) => *f,
                    _ => 0,
                };
                let result = items.get(4).cloned().ok_or_else(bad)?;
                let Some(w) = self.lock().spawns.remove(&req) else {
                    return Ok(());
                };
                let outcome = match result {
                    Term::Pid(p) => {
                        if flags & 1 != 0 {
                            if process::add_link(w.caller, p) {
                                self.lock().links.insert((w.caller, p));
                            } else {
                                self.push(exit_frame(w.caller, p, &reasons::noproc()));
                            }
                        }
                        Ok(p)
                    }
                    other => Err(format!("{other:?}")),
                };
                let _ = w.tx.send(outcome);
            }
            other => return Err(format!("unknown control message {other}: {items:?}")),
        }
        Ok(())
    }

    /// Delivers the payload of a send to a local process.
    fn deliver_payload(&self, sender: Pid, to: Dest, payload: &[u8]) {
        let target = match &to {
            Dest::Pid(p) => Some(*p),
            Dest::Name(n) => crate::registry::whereis(n),
        };
        let (msg, is_call) = match self.decode_message(sender, target, payload) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("dist: dropped a message from {} to {to:?}: {e}", self.node);
                return;
            }
        };
        if let Some(t) = target {
            let env = if is_call {
                Envelope::Call(msg)
            } else {
                Envelope::Msg(msg)
            };
            let _ = process::deliver(t, env);
        }
    }

    fn decode_message(
        &self,
        sender: Pid,
        target: Option<Pid>,
        payload: &[u8],
    ) -> Result<(Message, bool), DecodeError> {
        if let Some((caller, tag, r, req)) = gen_call(payload)? {
            let (kind, data) = unwrap_body(req);
            self.lock().in_calls.insert(r, (tag, caller));
            let m = Message {
                kind,
                data,
                reference: Some(r),
                from: caller,
            };
            return Ok((m, true));
        }
        let t = etf::decode(payload)?;
        if let Term::Tuple(items) = &t {
            match items.as_slice() {
                [Term::Atom(a), _] if a.as_str() == "$gen_cast" => {
                    let Ok(mut items) = t.into_tuple() else {
                        unreachable!()
                    };
                    let (kind, data) = unwrap_body(items.pop().unwrap_or_default());
                    return Ok((
                        Message {
                            kind,
                            data,
                            reference: None,
                            from: sender,
                        },
                        false,
                    ));
                }
                [Term::Ref(r), _] => {
                    let r = *r;
                    let call = {
                        let mut st = self.lock();
                        match st.out_calls.get(&r) {
                            Some((caller, _)) if Some(*caller) == target => st.out_calls.remove(&r),
                            _ => None,
                        }
                    };
                    if let Some((caller, callee)) = call {
                        process::forget_monitor(caller, r);
                        self.push(ctrl(op::DEMONITOR_P, 3, |e| {
                            e.pid(caller);
                            dest(e, &callee);
                            e.reference(r);
                        }));
                        let Ok(mut items) = t.into_tuple() else {
                            unreachable!()
                        };
                        let (kind, data) = unwrap_body(items.pop().unwrap_or_default());
                        return Ok((
                            Message {
                                kind,
                                data,
                                reference: Some(r),
                                from: sender,
                            },
                            false,
                        ));
                    }
                }
                [Term::Atom(w), Term::Atom(_), _] if w.as_str() == WRAP => {
                    let (kind, data) = unwrap_body(t);
                    return Ok((
                        Message {
                            kind,
                            data,
                            reference: None,
                            from: sender,
                        },
                        false,
                    ));
                }
                _ => {}
            }
        }
        Ok((
            Message {
                kind: Kind::Info,
                data: t,
                reference: None,
                from: sender,
            },
            false,
        ))
    }

    /// Answers a `SPAWN_REQUEST`: starts the registered actor named by the
    /// module, with the argument list as its `init` arguments.
    fn spawn_for(&self, req: Ref, from: Pid, module: &str, args: Term, opts: &[Term]) {
        let args = match args.into_list() {
            Ok(mut v) if v.len() <= 1 => v.pop().unwrap_or_default(),
            other => other.map_or_else(|t| t, Term::List),
        };
        let has = |o: &str| {
            opts.iter().any(|t| match t {
                Term::Atom(a) => a.as_str() == o,
                Term::Tuple(v) => matches!(v.first(), Some(Term::Atom(a)) if a.as_str() == o),
                _ => false,
            })
        };
        let reply = |flags: i64, result: &dyn Fn(&mut Encoder)| {
            ctrl(op::SPAWN_REPLY, 4, |e| {
                e.reference(req);
                e.pid(from);
                e.int(flags);
                result(e);
            })
        };
        match crate::spawn::spawn_registered(module, args, Default::default()) {
            Ok((pid, _)) => {
                let mut flags = 0;
                if has("link") && process::add_link(pid, from) {
                    self.lock().links.insert((pid, from));
                    flags |= 1;
                }
                if has("monitor") && process::add_watcher(pid, from, req) {
                    self.lock().in_monitors.insert(req, (from, pid, None));
                    flags |= 2;
                }
                self.push(reply(flags, &|e| e.pid(pid)));
            }
            Err(e) => {
                tracing::warn!("dist: {} asked to spawn `{module}`: {e}", self.node);
                self.push(reply(0, &|e| e.atom("undef")));
            }
        }
    }
}

/// A send to `to`: `SEND_SENDER` to a pid, `REG_SEND` to a name.
fn send_frame(from: Pid, to: &Dest, payload: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    match to {
        Dest::Pid(p) => ctrl_payload(
            op::SEND_SENDER,
            2,
            |e| {
                e.pid(from);
                e.pid(*p);
            },
            payload,
        ),
        Dest::Name(n) => ctrl_payload(
            op::REG_SEND,
            3,
            |e| {
                e.pid(from);
                e.atom("");
                e.atom(n);
            },
            payload,
        ),
    }
}

fn exit_frame(from: Pid, to: Pid, reason: &Term) -> Vec<u8> {
    ctrl_payload(
        op::PAYLOAD_EXIT,
        2,
        |e| {
            e.pid(from);
            e.pid(to);
        },
        |e| put(e, reason),
    )
}

fn monitor_exit_frame(from: &Dest, watcher: Pid, r: Ref, reason: &Term) -> Vec<u8> {
    ctrl_payload(
        op::PAYLOAD_MONITOR_P_EXIT,
        3,
        |e| {
            dest(e, from);
            e.pid(watcher);
            e.reference(r);
        },
        |e| put(e, reason),
    )
}

fn payload_term(payload: &[u8]) -> Result<Term, String> {
    etf::decode(payload).map_err(|e| format!("bad payload: {e}"))
}

/// Reads `{'$gen_call', {From, Tag}, Request}`. `Ok(None)` when the
/// payload is something else.
#[allow(clippy::type_complexity)]
pub(crate) fn gen_call(payload: &[u8]) -> Result<Option<(Pid, Term, Ref, Term)>, DecodeError> {
    let t = etf::decode(payload)?;
    let Ok(mut items) = t.into_tuple() else {
        return Ok(None);
    };
    if items.len() != 3 || !items[0].is_atom("$gen_call") {
        return Ok(None);
    }
    let request = items.pop().unwrap_or_default();
    let Ok(mut from) = items.pop().unwrap_or_default().into_tuple() else {
        return Ok(None);
    };
    let (Some(tag), Some(Term::Pid(caller)), None) = (from.pop(), from.pop(), from.pop()) else {
        return Ok(None);
    };
    let r = tag_ref(&tag);
    Ok(Some((caller, tag, r, request)))
}

/// The ref inside a call tag: the tag itself, or the `Ref` of OTP 24+'s
/// `[alias | Ref]`; a fresh ref for any other tag.
fn tag_ref(tag: &Term) -> Ref {
    match tag {
        Term::Ref(r) => *r,
        Term::ImproperList(l) => match (l.items(), l.tail()) {
            ([a], Term::Ref(r)) if a.is_atom("alias") => *r,
            _ => Ref::new(),
        },
        _ => Ref::new(),
    }
}

async fn writer(
    mut w: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
    mut status: watch::Receiver<Status>,
) {
    let mut tick = tokio::time::interval(TICK);
    tick.tick().await;
    let mut wrote = false;
    let mut buf = Vec::new();
    if matches!(*status.borrow_and_update(), Status::Down(_)) {
        return;
    }
    loop {
        tokio::select! {
            f = rx.recv() => {
                let Some(f) = f else { break };
                buf.clear();
                buf.extend_from_slice(&f);
                while buf.len() < 64 * 1024 {
                    match rx.try_recv() {
                        Ok(more) => buf.extend_from_slice(&more),
                        Err(_) => break,
                    }
                }
                if w.write_all(&buf).await.is_err() {
                    break;
                }
                wrote = true;
            }
            _ = tick.tick() => {
                if !wrote && w.write_all(&[0, 0, 0, 0]).await.is_err() {
                    break;
                }
                wrote = false;
            }
            r = status.changed() => {
                if r.is_err() || matches!(*status.borrow(), Status::Down(_)) {
                    break;
                }
            }
        }
    }
    let _ = w.shutdown().await;
}

async fn reader(conn: &Arc<Conn>, mut r: OwnedReadHalf) -> Result<(), String> {
    let silence = TICK * 4;
    let mut buf = Vec::new();
    loop {
        let len = match tokio::time::timeout(silence, r.read_u32()).await {
            Err(_) => return Err("no tick from the peer for 60 s".into()),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Ok(Err(e)) => return Err(e.to_string()),
            Ok(Ok(n)) => n,
        };
        if len == 0 {
            continue;
        }
        if len > MAX_FRAME {
            return Err(format!(
                "frame length {len} exceeds the limit of {MAX_FRAME} bytes"
            ));
        }
        buf.resize(len as usize, 0);
        match tokio::time::timeout(silence, r.read_exact(&mut buf)).await {
            Err(_) => return Err("the peer stalled inside a frame".into()),
            Ok(Err(e)) => return Err(format!("truncated frame: {e}")),
            Ok(Ok(_)) => {}
        }
        conn.handle_frame(&buf)?;
    }
}
