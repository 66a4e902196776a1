//! One connection to another node: the links, monitors, calls and spawns
//! that cross it (so that losing it can give every one of them
//! `noconnection`), the control messages this node sends, and what it does
//! with each control message that arrives.
//!
//! The socket is not here (`io` reads and writes it); frames leave through
//! a queue, which holds them while the handshake runs.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{mpsc, watch};

use super::control::{Control, Dest, ParseError, SPAWN_LINKED, SPAWN_MONITORED};
use super::etf::{self, DecodeError, EncodeError};
use super::gen::{self, Incoming};
use super::handshake::flags;
use super::{rpc, sys};
use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::{self, reasons, Envelope};
use crate::remote::RemoteError;
use crate::term::{Atom, Term, TermError};

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

/// A call a remote process made to a local one, waiting for its reply.
struct InCall {
    /// The caller's tag, sent back with the reply.
    tag: Term,
}

/// What crosses the connection, so that its end can be told to all.
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
    in_monitors: HashMap<Ref, (Pid, Pid, Option<Atom>)>,
    /// Calls remote processes made to local ones, by the reference the
    /// local process answers with.
    in_calls: HashMap<Ref, InCall>,
    spawns: HashMap<Ref, SpawnWaiter>,
}

/// A connection to one node, from the first attempt to its end.
pub(crate) struct Conn {
    pub(crate) node: Arc<str>,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Vec<u8>>>>,
    state: Mutex<State>,
    status: watch::Sender<Status>,
    unlink_ids: AtomicU64,
    /// Whether this node dialed (rather than accepted) the connection.
    pub(crate) dialed: AtomicBool,
    /// The peer's distribution flags, once the handshake is done.
    peer_flags: AtomicU64,
    /// Whether an `err` reply exits the remote call rather than answer it.
    err_exits: bool,
}

/// The pid `SEND` gives as sender when the peer names none.
pub(crate) fn nobody() -> Pid {
    Pid::from_parts(0, 0)
}

impl Conn {
    pub(crate) fn new(node: Arc<str>, err_exits: bool) -> Arc<Conn> {
        let (tx, rx) = mpsc::unbounded_channel();
        Arc::new(Conn {
            node,
            tx,
            rx: Mutex::new(Some(rx)),
            state: Mutex::new(State::default()),
            status: watch::channel(Status::Connecting).0,
            unlink_ids: AtomicU64::new(1),
            dialed: Default::default(),
            peer_flags: AtomicU64::new(0),
            err_exits,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        process::lock(&self.state)
    }

    pub(crate) fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    pub(crate) fn watch(&self) -> watch::Receiver<Status> {
        self.status.subscribe()
    }

    /// The queue of frames to write, for the one writer the connection
    /// gets, to a peer with the distribution flags `peer_flags`; marks the
    /// connection up. `None` when it ended before it started, or already
    /// has a writer.
    pub(crate) fn start(&self, peer_flags: u64) -> Option<mpsc::UnboundedReceiver<Vec<u8>>> {
        if matches!(self.status(), Status::Down(_)) {
            return None;
        }
        let rx = process::lock(&self.rx).take()?;
        self.peer_flags.store(peer_flags, Ordering::Relaxed);
        let _ = self.status.send_replace(Status::Up);
        Some(rx)
    }

    /// Whether the peer advertised the distribution flag `flag`.
    pub(crate) fn peer_has(&self, flag: u64) -> bool {
        self.peer_flags.load(Ordering::Relaxed) & flag != 0
    }

    fn push(&self, frame: Vec<u8>) {
        let _ = self.tx.send(frame);
    }

    /// Queues a control message this node built; one whose payload Erlang
    /// cannot hold is dropped with a warning.
    fn push_control(&self, c: Control) {
        match c.encode() {
            Ok(frame) => self.push(frame),
            Err(e) => tracing::warn!("dist: {} to {} not sent: {e}", c.name(), self.node),
        }
    }

    /// Ends the connection: every link, monitor, call and spawn across it
    /// hears `noconnection`. Only the first call acts; it says whether the
    /// connection was up.
    pub(crate) fn fail(&self, why: String) -> bool {
        let st = {
            let mut st = self.lock();
            if st.closed {
                return false;
            }
            // What the connection held, and a state that stays closed: a
            // link, monitor or call made from here on is refused.
            let held = std::mem::take(&mut *st);
            st.closed = true;
            held
        };
        let was = self.status.send_replace(Status::Down(why));
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
        was == Status::Up
    }

    // ---- outgoing -------------------------------------------------------

    /// Sends `msg` to `to` on the peer: a plain send, or, with a reference,
    /// the reply to a call the peer's process made. A reply to a call that
    /// no longer waits (its caller timed out, or made it on a connection
    /// that is gone) is dropped, as OTP drops a reply to an inactive alias.
    pub(crate) fn send(&self, to: Dest, msg: Message) -> Result<(), RemoteError> {
        let from = msg.from;
        let Some(r) = msg.reference else {
            if self.lock().closed {
                return Err(RemoteError::Unreachable);
            }
            let frame = send_to(from, to, gen::send(msg.kind, msg.data)).encode();
            return self.push_encoded(frame, "a message");
        };
        let call = {
            let mut st = self.lock();
            if st.closed {
                return Err(RemoteError::Unreachable);
            }
            st.in_calls.remove(&r)
        };
        let Some(call) = call else {
            tracing::debug!(
                "dist: a reply to {to:?} on {} was dropped: that call no longer waits",
                self.node
            );
            return Ok(());
        };
        // The exit form: the caller's monitor says the call is over, as
        // when a server dies. (A caller that monitors under another
        // reference than its tag's gets the reply instead.)
        let msg = if msg.kind == Kind::Err && self.err_exits {
            match self.fail_call(r, wire_reason(msg.data)) {
                Ok(()) => return Ok(()),
                Err(data) => Message { data, ..msg },
            }
        } else {
            msg
        };
        let alias = gen::alias(&call.tag).filter(|_| self.peer_has(flags::ALIAS));
        let reply = gen::reply(call.tag, msg.kind, msg.data);
        let frame = match alias {
            Some(alias) => Control::AliasSend {
                from,
                alias,
                msg: reply,
            },
            None => send_to(from, to, reply),
        }
        .encode();
        let sent = self.push_encoded(frame, "a reply");
        if let Err(RemoteError::Unencodable(e)) = &sent {
            // The caller hears of it as of an exit, not by timing out.
            let _ = self.fail_call(r, Term::from(e.clone()));
        }
        sent
    }

    /// Sends the call request `msg` (its reference set) to `to`, monitoring
    /// the callee for the call's duration, as `gen_server:call` does.
    pub(crate) fn call(&self, to: Dest, msg: Message) -> Result<(), RemoteError> {
        let (from, r) = (msg.from, msg.reference.unwrap_or_default());
        let frame = send_to(from, to.clone(), gen::call(from, r, msg.kind, msg.data))
            .encode()
            .map_err(|e| unencodable(&e))?;
        {
            let mut st = self.lock();
            if st.closed {
                return Err(RemoteError::Unreachable);
            }
            st.out_calls.insert(r, (from, to.clone()));
        }
        self.push_control(Control::MonitorP {
            from,
            to,
            reference: r,
        });
        self.push(frame);
        Ok(())
    }

    /// Queues a frame of something a local process sent; one that did not
    /// encode is an error for the sender and a warning in the log.
    fn push_encoded(
        &self,
        frame: Result<Vec<u8>, EncodeError>,
        what: &str,
    ) -> Result<(), RemoteError> {
        match frame {
            Ok(frame) => {
                self.push(frame);
                Ok(())
            }
            Err(e) => {
                tracing::warn!("dist: {what} to {} was not sent: {e}", self.node);
                Err(unencodable(&e))
            }
        }
    }

    /// Ends the remote call `r` with `reason`, as if its callee had
    /// exited: the `DOWN` of the caller's monitor. The reason back when
    /// the caller monitors under another reference.
    fn fail_call(&self, r: Ref, reason: Term) -> Result<(), Term> {
        let Some((watcher, target, name)) = self.lock().in_monitors.remove(&r) else {
            return Err(reason);
        };
        process::remove_watcher(target, r);
        self.push_control(Control::MonitorPExit {
            from: name.map_or(Dest::Pid(target), Dest::Name),
            to: watcher,
            reference: r,
            reason,
        });
        Ok(())
    }

    pub(crate) fn exit2(&self, to: Pid, from: Pid, reason: Term) {
        self.push_control(Control::Exit2 {
            from,
            to,
            reason: wire_reason(reason),
        });
    }

    pub(crate) fn link_exit(&self, to: Pid, from: Pid, reason: Term) {
        let had = self.lock().links.remove(&(from, to));
        if had {
            self.push_control(Control::Exit {
                from,
                to,
                reason: wire_reason(reason),
            });
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
        self.push_control(Control::Link { from, to });
        true
    }

    pub(crate) fn unlink(&self, from: Pid, to: Pid) {
        self.lock().links.remove(&(from, to));
        let id = self.unlink_ids.fetch_add(1, Ordering::Relaxed);
        self.push_control(Control::UnlinkId {
            id: Term::from(id),
            from,
            to,
        });
    }

    /// `false` if the connection is gone.
    pub(crate) fn monitor(&self, watcher: Pid, target: Pid, r: Ref) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        st.out_monitors.insert(r, (watcher, target));
        drop(st);
        self.push_control(Control::MonitorP {
            from: watcher,
            to: Dest::Pid(target),
            reference: r,
        });
        true
    }

    pub(crate) fn demonitor(&self, watcher: Pid, target: Pid, r: Ref) {
        if self.lock().out_monitors.remove(&r).is_some() {
            self.push_control(Control::DemonitorP {
                from: watcher,
                to: Dest::Pid(target),
                reference: r,
            });
        }
    }

    /// The local `target`, monitored by the remote `watcher`, exited.
    pub(crate) fn down(&self, watcher: Pid, target: Pid, r: Ref, reason: Term) {
        let mon = {
            let mut st = self.lock();
            // A call monitored under its tag's reference (every
            // gen_server:call) is over too: nothing will answer it.
            st.in_calls.remove(&r);
            st.in_monitors.remove(&r)
        };
        let Some((_, _, name)) = mon else {
            return;
        };
        let from = match name {
            Some(n) => Dest::Name(n),
            None => Dest::Pid(target),
        };
        self.push_control(Control::MonitorPExit {
            from,
            to: watcher,
            reference: r,
            reason: wire_reason(reason),
        });
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
        let opts = if link {
            Term::list([Term::atom("link")])
        } else {
            Term::List(vec![])
        };
        self.push_control(Control::SpawnRequest {
            req: r,
            from: caller,
            group_leader: caller,
            module: Atom::from(module),
            function: Atom::from(function),
            arity: 0,
            opts,
            args: Term::List(vec![]),
        });
        true
    }

    // ---- incoming -------------------------------------------------------

    /// Handles one frame. An `Err` closes the connection: a frame that is
    /// not a control message this node reads (bad framing, a control tuple
    /// that does not decode or is not a known operation).
    ///
    /// A control message that reads but whose payload does not decode
    /// (bytes no Erlang node writes: every term decodes here) concerns one
    /// process, not the connection, so the connection stays; OTP would
    /// close it, taking down every link and monitor across it for one bad
    /// term. What happens to the one signal:
    ///
    /// - a message (`SEND`, `REG_SEND`, `ALIAS_SEND`) is dropped with a
    ///   warning, as a message to a process that is gone is;
    /// - an exit (`EXIT`, `EXIT2`, `MONITOR_P_EXIT`, with or without trace
    ///   tokens) still acts, with the reason `{undecodable_reason, "why"}`:
    ///   the sender did exit (or did send the signal), and dropping it would
    ///   leave a linked process running, a monitor never firing and a call
    ///   waiting out its timeout. The real reason was not `normal` or
    ///   `kill` (those decode), so neither is this one;
    /// - a `SPAWN_REQUEST` is refused with `badarg` in its `SPAWN_REPLY`,
    ///   so the requester (`spawn/4` waits without a timeout) hears of it.
    pub(crate) fn handle_frame(self: &Arc<Self>, frame: &[u8]) -> Result<(), String> {
        match Control::parse(frame) {
            Ok(c) => self.apply(c),
            Err(ParseError::Payload(c, e)) => {
                self.undecodable_payload(*c, e);
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Acts on the control message `c` whose payload did not decode, as
    /// [`Conn::handle_frame`] says.
    fn undecodable_payload(self: &Arc<Self>, c: Control, e: DecodeError) {
        let name = c.name();
        match c {
            Control::Exit { .. } | Control::Exit2 { .. } | Control::MonitorPExit { .. } => {
                tracing::warn!(
                    "dist: the reason of {name} from {} does not decode ({e}): \
                     delivered as `undecodable_reason`",
                    self.node
                );
                let reason = Term::Tuple(vec![
                    Term::atom("undecodable_reason"),
                    Term::Str(e.to_string()),
                ]);
                // `apply` fails only for spawn options, which this is not.
                let _ = self.apply(c.with_payload(reason));
            }
            Control::SpawnRequest { req, from, .. } => {
                tracing::warn!(
                    "dist: the arguments of SPAWN_REQUEST from {} do not decode ({e}): \
                     refused with `badarg`",
                    self.node
                );
                self.push_control(Control::SpawnReply {
                    req,
                    to: from,
                    flags: 0,
                    result: Term::atom("badarg"),
                });
            }
            Control::Send { .. } | Control::RegSend { .. } | Control::AliasSend { .. } => {
                tracing::warn!("dist: dropped a message from {}: {e}", self.node);
            }
            // No other control message has a payload.
            _ => tracing::warn!("dist: dropped a {name} from {}: {e}", self.node),
        }
    }

    /// Acts on one control message from the peer.
    fn apply(self: &Arc<Self>, c: Control) -> Result<(), String> {
        match c {
            Control::Send { from, to, msg } => {
                self.deliver(from.unwrap_or_else(nobody), Dest::Pid(to), msg)
            }
            Control::RegSend { from, to, msg } => self.deliver(from, Dest::Name(to), msg),
            Control::AliasSend { .. } => {
                // No process of this node makes aliases: nothing can be
                // waiting on one.
                tracing::debug!("dist: {} sent to an alias this node never made", self.node);
            }
            Control::Link { from, to } => {
                if process::add_link(to, from) {
                    self.lock().links.insert((to, from));
                } else {
                    self.push_control(Control::Exit {
                        from: to,
                        to: from,
                        reason: reasons::noproc(),
                    });
                }
            }
            Control::Unlink { from, to } => {
                self.lock().links.remove(&(to, from));
                process::remove_link(to, from);
            }
            Control::UnlinkId { id, from, to } => {
                self.lock().links.remove(&(to, from));
                process::remove_link(to, from);
                self.push_control(Control::UnlinkIdAck {
                    id,
                    from: to,
                    to: from,
                });
            }
            Control::UnlinkIdAck { .. } | Control::NodeLink | Control::GroupLeader { .. } => {}
            Control::Exit { from, to, reason } => {
                self.lock().links.remove(&(to, from));
                process::deliver_remote_exit(to, from, reason);
            }
            Control::Exit2 { from, to, reason } => {
                if to.is_local() {
                    process::signal_exit(to, from, reason);
                }
            }
            Control::MonitorP {
                from: watcher,
                to,
                reference: r,
            } => {
                let (target, name) = match &to {
                    Dest::Pid(p) => (Some(*p), None),
                    Dest::Name(a) => (crate::registry::whereis(a.as_str()), Some(a.clone())),
                };
                let ok =
                    target.is_some_and(|t| t.is_local() && process::add_watcher(t, watcher, r));
                match (ok, target) {
                    (true, Some(t)) => {
                        self.lock().in_monitors.insert(r, (watcher, t, name));
                    }
                    _ => self.push_control(Control::MonitorPExit {
                        from: to,
                        to: watcher,
                        reference: r,
                        reason: reasons::noproc(),
                    }),
                }
            }
            Control::DemonitorP { reference: r, .. } => {
                let (mon, call) = {
                    let mut st = self.lock();
                    (st.in_monitors.remove(&r), st.in_calls.remove(&r))
                };
                if let Some((_, target, _)) = mon {
                    process::remove_watcher(target, r);
                    // A caller that stops watching its callee gave up on
                    // its call (gen_server:call does so at its timeout): the
                    // callee owes it nothing, and a reply is dropped here.
                    if call.is_some() {
                        let _ = process::deliver(target, Envelope::CallDropped { reference: r });
                    }
                }
            }
            Control::MonitorPExit {
                to,
                reference: r,
                reason,
                ..
            } => {
                let (call, mon) = {
                    let mut st = self.lock();
                    (st.out_calls.remove(&r), st.out_monitors.remove(&r))
                };
                if let Some((caller, _)) = call {
                    process::send_call_failed(caller, r, reason);
                } else if let Some((watcher, target)) = mon {
                    process::deliver_down(watcher, target, r, reason);
                } else {
                    tracing::debug!("dist: DOWN for unknown monitor {r:?} of {to:?}");
                }
            }
            Control::SpawnRequest {
                req,
                from,
                module,
                function,
                opts,
                args,
                ..
            } => {
                let opts = match opts.into_list() {
                    Ok(o) => o,
                    Err(t) => return Err(format!("spawn options are not a list: {t}")),
                };
                self.spawn_for(req, from, module, function, args, &opts);
            }
            Control::SpawnReply {
                req, flags, result, ..
            } => {
                let Some(w) = self.lock().spawns.remove(&req) else {
                    return Ok(());
                };
                let outcome = match result {
                    Term::Pid(p) => {
                        if flags & SPAWN_LINKED != 0 {
                            if process::add_link(w.caller, p) {
                                self.lock().links.insert((w.caller, p));
                            } else {
                                self.push_control(Control::Exit {
                                    from: w.caller,
                                    to: p,
                                    reason: reasons::noproc(),
                                });
                            }
                        }
                        Ok(p)
                    }
                    other => Err(format!("{other:?}")),
                };
                let _ = w.tx.send(outcome);
            }
        }
        Ok(())
    }

    /// Delivers a message from the peer's `sender` to a local process.
    fn deliver(&self, sender: Pid, to: Dest, msg: Term) {
        let target = match &to {
            Dest::Pid(p) => Some(*p),
            Dest::Name(n) => crate::registry::whereis(n.as_str()),
        };
        let Some(target) = target else {
            tracing::debug!("dist: {} sent to {to:?}, which is not here", self.node);
            return;
        };
        let env = match gen::classify(msg) {
            Incoming::Call {
                from,
                tag,
                kind,
                data,
            } => {
                let r = gen::tag_ref(&tag).unwrap_or_default();
                self.lock().in_calls.insert(r, InCall { tag });
                Envelope::Call(Message {
                    kind,
                    data,
                    reference: Some(r),
                    from,
                })
            }
            Incoming::Cast { kind, data } | Incoming::Wrapped { kind, data } => {
                Envelope::Msg(Message {
                    kind,
                    data,
                    reference: None,
                    from: sender,
                })
            }
            Incoming::Reply { reference, message } => {
                let call = {
                    let mut st = self.lock();
                    match st.out_calls.get(&reference) {
                        Some((caller, _)) if *caller == target => st.out_calls.remove(&reference),
                        _ => None,
                    }
                };
                match call {
                    Some((caller, callee)) => {
                        process::forget_monitor(caller, reference);
                        self.push_control(Control::DemonitorP {
                            from: caller,
                            to: callee,
                            reference,
                        });
                        let (kind, data) = gen::reply_body(message);
                        Envelope::Msg(Message {
                            kind,
                            data,
                            reference: Some(reference),
                            from: sender,
                        })
                    }
                    None => info(sender, message),
                }
            }
            Incoming::System { from, tag, request } => {
                let r = gen::tag_ref(&tag).unwrap_or_default();
                self.lock().in_calls.insert(r, InCall { tag });
                sys::request(target, from, r, request);
                return;
            }
            Incoming::Plain(t) => info(sender, t),
        };
        let _ = process::deliver(target, env);
    }

    /// Answers a `SPAWN_REQUEST` for `module:function(args...)`: an actor
    /// registered under the module's name starts with the arguments as its
    /// `init` argument; anything else runs as a function (see `rpc`), in a
    /// process that ends as an Erlang process would, an unknown function
    /// with `{undef, …}`.
    fn spawn_for(
        self: &Arc<Self>,
        req: Ref,
        from: Pid,
        module: Atom,
        function: Atom,
        args: Term,
        opts: &[Term],
    ) {
        let has = |o: &str| {
            opts.iter().any(|t| match t {
                Term::Atom(a) => a.as_str() == o,
                Term::Tuple(v) => matches!(v.first(), Some(Term::Atom(a)) if a.as_str() == o),
                _ => false,
            })
        };
        let (link, monitor) = (has("link"), has("monitor"));
        let reply = |flags: i64, pid: Pid| Control::SpawnReply {
            req,
            to: from,
            flags,
            result: Term::Pid(pid),
        };
        let args = match args.into_list() {
            Ok(args) => args,
            Err(t) => vec![t],
        };
        let init = match args.as_slice() {
            [] => Term::Nil,
            [one] => one.clone(),
            _ => Term::List(args.clone()),
        };
        // An actor whose `init` failed: like an Erlang process that crashes
        // at once, its pid exits with that reason (below).
        let mut crashed = None;
        match crate::spawn::spawn_registered(module.as_str(), init, Default::default()) {
            Ok((pid, _)) => {
                let mut flags = 0;
                if link && process::add_link(pid, from) {
                    self.lock().links.insert((pid, from));
                    flags |= SPAWN_LINKED;
                }
                if monitor && process::add_watcher(pid, from, req) {
                    self.lock().in_monitors.insert(req, (from, pid, None));
                    flags |= SPAWN_MONITORED;
                }
                self.push_control(reply(flags, pid));
                return;
            }
            Err(crate::spawn::SpawnError::StartFailed(reason)) => crashed = Some(reason),
            Err(_) => {}
        }
        // A function: its process is held until the reply has gone, so the
        // requester hears of its end after its start. The link and monitor
        // are the requester's alone: the exit travels from here.
        let conn = self.clone();
        let (go, held) = flume::bounded::<()>(1);
        let spawned = crate::spawn::spawn(move |_inbox: crate::spawn::Inbox| async move {
            if held.recv_async().await.is_err() {
                return;
            }
            let me = process::current_pid();
            let reason = match crashed {
                Some(reason) => reason,
                None => rpc::run(&conn.node, &module, &function, args),
            };
            if monitor {
                conn.push_control(Control::MonitorPExit {
                    from: Dest::Pid(me),
                    to: from,
                    reference: req,
                    reason: wire_reason(reason.clone()),
                });
            }
            if link && !reason.is_atom("normal") {
                conn.push_control(Control::Exit {
                    from: me,
                    to: from,
                    reason: wire_reason(reason),
                });
            }
        });
        match spawned {
            Ok(pid) => {
                let flags =
                    if link { SPAWN_LINKED } else { 0 } | if monitor { SPAWN_MONITORED } else { 0 };
                self.push_control(reply(flags, pid));
                let _ = go.send(());
            }
            Err(e) => {
                tracing::warn!("dist: could not start a process for {}: {e}", self.node);
                self.push_control(Control::SpawnReply {
                    req,
                    to: from,
                    flags: 0,
                    result: Term::atom("system_limit"),
                });
            }
        }
    }
}

/// The error a local sender gets for what did not encode.
fn unencodable(e: &EncodeError) -> RemoteError {
    RemoteError::Unencodable(TermError::new(e.to_string()))
}

/// An exit reason as it can travel: one Erlang cannot hold (a NaN, a
/// local value) goes as `{unencodable_reason, "…"}`, so the signal still
/// arrives and is still not `normal`.
fn wire_reason(reason: Term) -> Term {
    match etf::check(&reason) {
        Ok(()) => reason,
        Err(e) => {
            tracing::warn!("dist: an exit reason {e}; sent as `unencodable_reason`");
            Term::Tuple(vec![
                Term::atom("unencodable_reason"),
                Term::Str(format!("{reason:?}")),
            ])
        }
    }
}

/// An `info` message.
fn info(from: Pid, data: Term) -> Envelope {
    Envelope::Msg(Message {
        kind: Kind::Info,
        data,
        reference: None,
        from,
    })
}

/// A send to `to`: `SEND_SENDER` to a pid, `REG_SEND` to a name.
fn send_to(from: Pid, to: Dest, msg: Term) -> Control {
    match to {
        Dest::Pid(to) => Control::Send {
            from: Some(from),
            to,
            msg,
        },
        Dest::Name(to) => Control::RegSend { from, to, msg },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_connection_stays_closed() {
        // Seen in tests/dist.rs: a dial that fails before the call that
        // started it is recorded left that call waiting until its timeout,
        // because failing reset the state, `closed` included.
        let conn = Conn::new(Arc::from("gone@localhost"), false);
        // It never came up, so failing it says it was not up.
        assert!(!conn.fail("no node".into()));
        let (a, b) = (Pid::from_parts(1, 1), Pid::from_parts(2, 2));
        let call = Message {
            kind: crate::message::Kind::Std,
            data: Term::from(1),
            reference: Some(Ref::default()),
            from: a,
        };
        assert!(matches!(
            conn.call(Dest::Name(Atom::from("x")), call),
            Err(RemoteError::Unreachable)
        ));
        assert!(!conn.link(a, b));
        assert!(!conn.monitor(a, b, Ref::default()));
        conn.fail("again".into());
        assert_eq!(
            conn.status(),
            Status::Down("no node".into()),
            "only the first fail acts"
        );
    }
}
