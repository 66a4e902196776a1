//! Control messages: what one node tells another after the handshake, as a
//! typed enum with [`Control::parse`] and [`Control::encode`]. Pure: no
//! connection state, no sockets, so the fuzz targets reach it whole.
//!
//! A frame is a 4-byte length (0 is a tick), the byte `112` ("pass
//! through": no atom cache), the control message (a tuple whose first
//! element says what it is) and, for some, a payload: each an encoded term
//! with its version byte. Trace tokens (the `*_TT` forms) are read and
//! dropped; this node writes the payload forms of exits, as the
//! `EXIT_PAYLOAD` flag it advertises obliges.

use std::fmt;

use super::etf::{self, DecodeError, EncodeError, Encoder};
use crate::pid::{Pid, Ref};
use crate::term::{Atom, Term};

/// The pass-through byte that starts every frame this node reads and writes.
const PASS_THROUGH: u8 = 112;

mod op {
    pub(super) const LINK: i64 = 1;
    pub(super) const SEND: i64 = 2;
    pub(super) const EXIT: i64 = 3;
    pub(super) const UNLINK: i64 = 4;
    pub(super) const NODE_LINK: i64 = 5;
    pub(super) const REG_SEND: i64 = 6;
    pub(super) const GROUP_LEADER: i64 = 7;
    pub(super) const EXIT2: i64 = 8;
    pub(super) const SEND_TT: i64 = 12;
    pub(super) const EXIT_TT: i64 = 13;
    pub(super) const REG_SEND_TT: i64 = 16;
    pub(super) const EXIT2_TT: i64 = 18;
    pub(super) const MONITOR_P: i64 = 19;
    pub(super) const DEMONITOR_P: i64 = 20;
    pub(super) const MONITOR_P_EXIT: i64 = 21;
    pub(super) const SEND_SENDER: i64 = 22;
    pub(super) const SEND_SENDER_TT: i64 = 23;
    pub(super) const PAYLOAD_EXIT: i64 = 24;
    pub(super) const PAYLOAD_EXIT_TT: i64 = 25;
    pub(super) const PAYLOAD_EXIT2: i64 = 26;
    pub(super) const PAYLOAD_EXIT2_TT: i64 = 27;
    pub(super) const PAYLOAD_MONITOR_P_EXIT: i64 = 28;
    pub(super) const SPAWN_REQUEST: i64 = 29;
    pub(super) const SPAWN_REQUEST_TT: i64 = 30;
    pub(super) const SPAWN_REPLY: i64 = 31;
    pub(super) const SPAWN_REPLY_TT: i64 = 32;
    pub(super) const ALIAS_SEND: i64 = 33;
    pub(super) const ALIAS_SEND_TT: i64 = 34;
    pub(super) const UNLINK_ID: i64 = 35;
    pub(super) const UNLINK_ID_ACK: i64 = 36;
}

/// A process on a node: by pid, or by registered name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Dest {
    Pid(Pid),
    Name(Atom),
}

/// The `SPAWN_REPLY` flag: the new process is linked to the requester.
pub(crate) const SPAWN_LINKED: i64 = 1;
/// The `SPAWN_REPLY` flag: the requester monitors the new process.
pub(crate) const SPAWN_MONITORED: i64 = 2;

/// One control message, with its payload.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Control {
    /// `from` links itself to `to`.
    Link { from: Pid, to: Pid },
    /// A message to a pid; `from` is `None` in the old `SEND` form.
    Send {
        from: Option<Pid>,
        to: Pid,
        msg: Term,
    },
    /// A message to a registered name.
    RegSend { from: Pid, to: Atom, msg: Term },
    /// A message to a process alias (OTP 24+).
    AliasSend { from: Pid, alias: Ref, msg: Term },
    /// The linked `from` exited.
    Exit { from: Pid, to: Pid, reason: Term },
    /// `erlang:exit(To, Reason)` from `from`.
    Exit2 { from: Pid, to: Pid, reason: Term },
    /// The old unlink, without an id.
    Unlink { from: Pid, to: Pid },
    /// An unlink that wants an acknowledgement.
    UnlinkId { id: Term, from: Pid, to: Pid },
    /// The acknowledgement of an [`Control::UnlinkId`].
    UnlinkIdAck { id: Term, from: Pid, to: Pid },
    /// Unused by OTP; read and ignored.
    NodeLink,
    /// Sets `to`'s group leader.
    GroupLeader { from: Pid, to: Pid },
    /// `from` monitors `to` under `reference`.
    MonitorP { from: Pid, to: Dest, reference: Ref },
    /// `from` drops its monitor `reference` on `to`.
    DemonitorP { from: Pid, to: Dest, reference: Ref },
    /// The monitored `from` exited: the watcher `to` gets a `DOWN`.
    MonitorPExit {
        from: Dest,
        to: Pid,
        reference: Ref,
        reason: Term,
    },
    /// `spawn_request/5`: run `module:function(args...)` as a new process.
    SpawnRequest {
        req: Ref,
        from: Pid,
        group_leader: Pid,
        module: Atom,
        function: Atom,
        arity: i64,
        opts: Term,
        args: Term,
    },
    /// The answer to a [`Control::SpawnRequest`]: a pid, or an error atom.
    SpawnReply {
        req: Ref,
        to: Pid,
        flags: i64,
        result: Term,
    },
}

/// Why a frame is not a control message.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ParseError {
    /// The frame does not start with the pass-through byte.
    NotPassThrough(Option<u8>),
    /// The control message does not decode.
    Control(DecodeError),
    /// The control message is not a known operation with the right fields.
    Malformed(String),
    /// The control message is fine but its payload does not decode; the
    /// control is given with `Nil` where the payload would go.
    Payload(Box<Control>, DecodeError),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::NotPassThrough(b) => write!(
                f,
                "frame does not start with the pass-through byte 112 (found {b:?})"
            ),
            ParseError::Control(e) => write!(f, "bad control message: {e}"),
            ParseError::Malformed(what) => write!(f, "malformed control message: {what}"),
            ParseError::Payload(c, e) => write!(f, "bad payload of {}: {e}", c.name()),
        }
    }
}

impl std::error::Error for ParseError {}

/// The fields of a decoded control tuple, read by position.
struct Fields {
    op: i64,
    items: Vec<Term>,
}

impl Fields {
    fn bad(&self) -> ParseError {
        ParseError::Malformed(format!("{}", Term::Tuple(self.items.clone())))
    }

    fn pid(&self, i: usize) -> Result<Pid, ParseError> {
        match self.items.get(i) {
            Some(Term::Pid(p)) => Ok(*p),
            _ => Err(self.bad()),
        }
    }

    fn reference(&self, i: usize) -> Result<Ref, ParseError> {
        match self.items.get(i) {
            Some(Term::Ref(r)) => Ok(*r),
            _ => Err(self.bad()),
        }
    }

    fn atom(&self, i: usize) -> Result<Atom, ParseError> {
        self.items
            .get(i)
            .and_then(atom_of)
            .ok_or_else(|| self.bad())
    }

    fn int(&self, i: usize) -> Result<i64, ParseError> {
        self.items
            .get(i)
            .and_then(Term::as_int)
            .ok_or_else(|| self.bad())
    }

    /// A pid or a registered name.
    fn dest(&self, i: usize) -> Result<Dest, ParseError> {
        match self.items.get(i) {
            Some(Term::Pid(p)) => Ok(Dest::Pid(*p)),
            Some(t) => atom_of(t).map(Dest::Name).ok_or_else(|| self.bad()),
            None => Err(self.bad()),
        }
    }

    fn take(&mut self, i: usize) -> Result<Term, ParseError> {
        match self.items.get_mut(i) {
            Some(t) => Ok(std::mem::take(t)),
            None => Err(self.bad()),
        }
    }
}

/// An atom as the decoder gives it: `true`, `false` and `undefined` come
/// as `Bool` and `Nil`.
pub(crate) fn atom_of(t: &Term) -> Option<Atom> {
    match t {
        Term::Atom(a) => Some(a.clone()),
        Term::Bool(b) => Some(Atom::from_static(if *b { "true" } else { "false" })),
        Term::Nil => Some(Atom::from_static("undefined")),
        _ => None,
    }
}

impl Control {
    /// Reads a frame's body (after the length, from the byte `112` on).
    pub(crate) fn parse(frame: &[u8]) -> Result<Control, ParseError> {
        let rest = match frame.split_first() {
            Some((&PASS_THROUGH, rest)) => rest,
            other => return Err(ParseError::NotPassThrough(other.map(|(b, _)| *b))),
        };
        let mut d = etf::Decoder::new(rest);
        let control = d
            .version()
            .and_then(|()| d.term())
            .map_err(ParseError::Control)?;
        let payload = &rest[d.pos()..];
        let items = match control.into_tuple() {
            Ok(items) => items,
            Err(t) => return Err(ParseError::Malformed(format!("not a tuple: {t}"))),
        };
        let op = match items.first().and_then(Term::as_int) {
            Some(op) => op,
            None => {
                return Err(ParseError::Malformed(format!(
                    "no operation: {}",
                    Term::Tuple(items)
                )))
            }
        };
        let mut f = Fields { op, items };
        let (control, wants_payload) = f.control()?;
        if !wants_payload {
            if !payload.is_empty() {
                return Err(ParseError::Malformed(format!(
                    "{} has bytes after it",
                    control.name()
                )));
            }
            return Ok(control);
        }
        match etf::decode(payload) {
            Ok(t) => Ok(control.with_payload(t)),
            Err(e) => Err(ParseError::Payload(Box::new(control), e)),
        }
    }

    /// Puts the payload in its place.
    pub(crate) fn with_payload(mut self, t: Term) -> Control {
        match &mut self {
            Control::Send { msg, .. }
            | Control::RegSend { msg, .. }
            | Control::AliasSend { msg, .. } => *msg = t,
            Control::Exit { reason, .. }
            | Control::Exit2 { reason, .. }
            | Control::MonitorPExit { reason, .. } => *reason = t,
            Control::SpawnRequest { args, .. } => *args = t,
            _ => {}
        }
        self
    }

    /// The name of the operation, for messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Control::Link { .. } => "LINK",
            Control::Send { .. } => "SEND",
            Control::RegSend { .. } => "REG_SEND",
            Control::AliasSend { .. } => "ALIAS_SEND",
            Control::Exit { .. } => "EXIT",
            Control::Exit2 { .. } => "EXIT2",
            Control::Unlink { .. } => "UNLINK",
            Control::UnlinkId { .. } => "UNLINK_ID",
            Control::UnlinkIdAck { .. } => "UNLINK_ID_ACK",
            Control::NodeLink => "NODE_LINK",
            Control::GroupLeader { .. } => "GROUP_LEADER",
            Control::MonitorP { .. } => "MONITOR_P",
            Control::DemonitorP { .. } => "DEMONITOR_P",
            Control::MonitorPExit { .. } => "MONITOR_P_EXIT",
            Control::SpawnRequest { .. } => "SPAWN_REQUEST",
            Control::SpawnReply { .. } => "SPAWN_REPLY",
        }
    }

    /// Writes the whole frame: length, `112`, control message, payload.
    /// Fails only for a term Erlang cannot hold.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut e = Encoder {
            buf: vec![0, 0, 0, 0, PASS_THROUGH],
        };
        e.version();
        if let Some(payload) = self.write(&mut e)? {
            e.version();
            e.term(payload)?;
        }
        let len = (e.buf.len() - 4) as u32;
        e.buf[..4].copy_from_slice(&len.to_be_bytes());
        Ok(e.buf)
    }

    /// Writes the control tuple; gives the payload, if there is one.
    fn write<'a>(&'a self, e: &mut Encoder) -> Result<Option<&'a Term>, EncodeError> {
        fn head(e: &mut Encoder, op: i64, fields: usize) {
            e.tuple(fields + 1);
            e.int(op);
        }
        fn dest(e: &mut Encoder, d: &Dest) {
            match d {
                Dest::Pid(p) => e.pid(*p),
                Dest::Name(n) => e.atom(n.as_str()),
            }
        }
        Ok(match self {
            Control::Link { from, to } => {
                head(e, op::LINK, 2);
                e.pid(*from);
                e.pid(*to);
                None
            }
            Control::Send {
                from: None,
                to,
                msg,
            } => {
                head(e, op::SEND, 2);
                e.atom("");
                e.pid(*to);
                Some(msg)
            }
            Control::Send {
                from: Some(from),
                to,
                msg,
            } => {
                head(e, op::SEND_SENDER, 2);
                e.pid(*from);
                e.pid(*to);
                Some(msg)
            }
            Control::RegSend { from, to, msg } => {
                head(e, op::REG_SEND, 3);
                e.pid(*from);
                e.atom("");
                e.atom(to.as_str());
                Some(msg)
            }
            Control::AliasSend { from, alias, msg } => {
                head(e, op::ALIAS_SEND, 2);
                e.pid(*from);
                e.reference(*alias);
                Some(msg)
            }
            Control::Exit { from, to, reason } | Control::Exit2 { from, to, reason } => {
                let code = match self {
                    Control::Exit { .. } => op::PAYLOAD_EXIT,
                    _ => op::PAYLOAD_EXIT2,
                };
                head(e, code, 2);
                e.pid(*from);
                e.pid(*to);
                Some(reason)
            }
            Control::Unlink { from, to } => {
                head(e, op::UNLINK, 2);
                e.pid(*from);
                e.pid(*to);
                None
            }
            Control::UnlinkId { id, from, to } | Control::UnlinkIdAck { id, from, to } => {
                let code = match self {
                    Control::UnlinkId { .. } => op::UNLINK_ID,
                    _ => op::UNLINK_ID_ACK,
                };
                head(e, code, 3);
                e.term(id)?;
                e.pid(*from);
                e.pid(*to);
                None
            }
            Control::NodeLink => {
                head(e, op::NODE_LINK, 0);
                None
            }
            Control::GroupLeader { from, to } => {
                head(e, op::GROUP_LEADER, 2);
                e.pid(*from);
                e.pid(*to);
                None
            }
            Control::MonitorP {
                from,
                to,
                reference,
            }
            | Control::DemonitorP {
                from,
                to,
                reference,
            } => {
                let code = match self {
                    Control::MonitorP { .. } => op::MONITOR_P,
                    _ => op::DEMONITOR_P,
                };
                head(e, code, 3);
                e.pid(*from);
                dest(e, to);
                e.reference(*reference);
                None
            }
            Control::MonitorPExit {
                from,
                to,
                reference,
                reason,
            } => {
                head(e, op::PAYLOAD_MONITOR_P_EXIT, 3);
                dest(e, from);
                e.pid(*to);
                e.reference(*reference);
                Some(reason)
            }
            Control::SpawnRequest {
                req,
                from,
                group_leader,
                module,
                function,
                arity,
                opts,
                args,
            } => {
                head(e, op::SPAWN_REQUEST, 5);
                e.reference(*req);
                e.pid(*from);
                e.pid(*group_leader);
                e.tuple(3);
                e.atom(module.as_str());
                e.atom(function.as_str());
                e.int(*arity);
                e.term(opts)?;
                Some(args)
            }
            Control::SpawnReply {
                req,
                to,
                flags,
                result,
            } => {
                head(e, op::SPAWN_REPLY, 4);
                e.reference(*req);
                e.pid(*to);
                e.int(*flags);
                e.term(result)?;
                None
            }
        })
    }
}

impl Fields {
    /// The control message these fields spell, with `Nil` for its payload;
    /// whether a payload follows.
    fn control(&mut self) -> Result<(Control, bool), ParseError> {
        let f = self;
        let nil = Term::Nil;
        Ok(match f.op {
            op::LINK => (
                Control::Link {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                },
                false,
            ),
            op::SEND | op::SEND_TT => (
                Control::Send {
                    from: None,
                    to: f.pid(2)?,
                    msg: nil,
                },
                true,
            ),
            op::SEND_SENDER | op::SEND_SENDER_TT => (
                Control::Send {
                    from: Some(f.pid(1)?),
                    to: f.pid(2)?,
                    msg: nil,
                },
                true,
            ),
            op::REG_SEND | op::REG_SEND_TT => (
                Control::RegSend {
                    from: f.pid(1)?,
                    to: f.atom(3)?,
                    msg: nil,
                },
                true,
            ),
            op::ALIAS_SEND | op::ALIAS_SEND_TT => (
                Control::AliasSend {
                    from: f.pid(1)?,
                    alias: f.reference(2)?,
                    msg: nil,
                },
                true,
            ),
            op::EXIT | op::EXIT_TT => (
                Control::Exit {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: f.take(if f.op == op::EXIT { 3 } else { 4 })?,
                },
                false,
            ),
            op::PAYLOAD_EXIT | op::PAYLOAD_EXIT_TT => (
                Control::Exit {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: nil,
                },
                true,
            ),
            op::EXIT2 | op::EXIT2_TT => (
                Control::Exit2 {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: f.take(if f.op == op::EXIT2 { 3 } else { 4 })?,
                },
                false,
            ),
            op::PAYLOAD_EXIT2 | op::PAYLOAD_EXIT2_TT => (
                Control::Exit2 {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: nil,
                },
                true,
            ),
            op::UNLINK => (
                Control::Unlink {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                },
                false,
            ),
            op::UNLINK_ID => (
                Control::UnlinkId {
                    id: f.take(1)?,
                    from: f.pid(2)?,
                    to: f.pid(3)?,
                },
                false,
            ),
            op::UNLINK_ID_ACK => (
                Control::UnlinkIdAck {
                    id: f.take(1)?,
                    from: f.pid(2)?,
                    to: f.pid(3)?,
                },
                false,
            ),
            op::NODE_LINK => (Control::NodeLink, false),
            op::GROUP_LEADER => (
                Control::GroupLeader {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                },
                false,
            ),
            op::MONITOR_P => (
                Control::MonitorP {
                    from: f.pid(1)?,
                    to: f.dest(2)?,
                    reference: f.reference(3)?,
                },
                false,
            ),
            op::DEMONITOR_P => (
                Control::DemonitorP {
                    from: f.pid(1)?,
                    to: f.dest(2)?,
                    reference: f.reference(3)?,
                },
                false,
            ),
            op::MONITOR_P_EXIT => (
                Control::MonitorPExit {
                    from: f.dest(1)?,
                    to: f.pid(2)?,
                    reference: f.reference(3)?,
                    reason: f.take(4)?,
                },
                false,
            ),
            op::PAYLOAD_MONITOR_P_EXIT => (
                Control::MonitorPExit {
                    from: f.dest(1)?,
                    to: f.pid(2)?,
                    reference: f.reference(3)?,
                    reason: nil,
                },
                true,
            ),
            op::SPAWN_REQUEST | op::SPAWN_REQUEST_TT => {
                let (module, function, arity) = match f.items.get(4) {
                    Some(Term::Tuple(mfa)) if mfa.len() == 3 => (
                        atom_of(&mfa[0]).ok_or_else(|| f.bad())?,
                        atom_of(&mfa[1]).ok_or_else(|| f.bad())?,
                        mfa[2].as_int().ok_or_else(|| f.bad())?,
                    ),
                    _ => return Err(f.bad()),
                };
                (
                    Control::SpawnRequest {
                        req: f.reference(1)?,
                        from: f.pid(2)?,
                        group_leader: f.pid(3)?,
                        module,
                        function,
                        arity,
                        opts: f.take(5)?,
                        args: nil,
                    },
                    true,
                )
            }
            op::SPAWN_REPLY | op::SPAWN_REPLY_TT => (
                Control::SpawnReply {
                    req: f.reference(1)?,
                    to: f.pid(2)?,
                    flags: f.int(3)?,
                    result: f.take(4)?,
                },
                false,
            ),
            other => return Err(ParseError::Malformed(format!("unknown operation {other}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(c: Control) {
        let frame = c.encode().unwrap();
        assert_eq!(
            u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize,
            frame.len() - 4
        );
        assert_eq!(Control::parse(&frame[4..]).unwrap(), c);
    }

    #[test]
    fn every_control_round_trips() {
        let (a, b) = (Pid::local(1), Pid::local(2));
        let r = Ref::new();
        let msg = Term::tuple([
            Term::atom("hi"),
            Term::improper_list(vec![1.into()], 2.into()),
        ]);
        for c in [
            Control::Link { from: a, to: b },
            Control::Send {
                from: None,
                to: b,
                msg: msg.clone(),
            },
            Control::Send {
                from: Some(a),
                to: b,
                msg: msg.clone(),
            },
            Control::RegSend {
                from: a,
                to: Atom::from("net_kernel"),
                msg: msg.clone(),
            },
            Control::AliasSend {
                from: a,
                alias: r,
                msg: msg.clone(),
            },
            Control::Exit {
                from: a,
                to: b,
                reason: msg.clone(),
            },
            Control::Exit2 {
                from: a,
                to: b,
                reason: Term::atom("kill"),
            },
            Control::Unlink { from: a, to: b },
            Control::UnlinkId {
                id: Term::from(u64::MAX),
                from: a,
                to: b,
            },
            Control::UnlinkIdAck {
                id: Term::Int(3),
                from: a,
                to: b,
            },
            Control::NodeLink,
            Control::GroupLeader { from: a, to: b },
            Control::MonitorP {
                from: a,
                to: Dest::Name(Atom::from("rex")),
                reference: r,
            },
            Control::DemonitorP {
                from: a,
                to: Dest::Pid(b),
                reference: r,
            },
            Control::MonitorPExit {
                from: Dest::Pid(b),
                to: a,
                reference: r,
                reason: Term::atom("noproc"),
            },
            Control::SpawnRequest {
                req: r,
                from: a,
                group_leader: a,
                module: Atom::from("erpc"),
                function: Atom::from("execute_call"),
                arity: 4,
                opts: Term::list([Term::atom("monitor")]),
                args: Term::list([Term::Ref(r), Term::atom("m")]),
            },
            Control::SpawnReply {
                req: r,
                to: a,
                flags: SPAWN_LINKED | SPAWN_MONITORED,
                result: Term::Pid(b),
            },
        ] {
            round(c);
        }
    }

    #[test]
    fn bad_frames_are_errors() {
        assert_eq!(Control::parse(&[]), Err(ParseError::NotPassThrough(None)));
        assert_eq!(
            Control::parse(&[113]),
            Err(ParseError::NotPassThrough(Some(113)))
        );
        assert!(matches!(
            Control::parse(&[112, 131]),
            Err(ParseError::Control(_))
        ));
        // {99}: no such operation
        assert!(matches!(
            Control::parse(&[112, 131, 104, 1, 97, 99]),
            Err(ParseError::Malformed(_))
        ));
        // {1, 5, 6}: LINK of two integers
        assert!(matches!(
            Control::parse(&[112, 131, 104, 3, 97, 1, 97, 5, 97, 6]),
            Err(ParseError::Malformed(_))
        ));
        // a SEND_SENDER whose payload is cut short
        let mut frame = Control::Send {
            from: Some(Pid::local(1)),
            to: Pid::local(2),
            msg: Term::from("hello"),
        }
        .encode()
        .unwrap();
        frame.truncate(frame.len() - 2);
        match Control::parse(&frame[4..]) {
            Err(ParseError::Payload(c, DecodeError::Truncated)) => {
                assert_eq!(c.name(), "SEND")
            }
            other => panic!("{other:?}"),
        }
        // a LINK with bytes after it
        let mut frame = Control::Link {
            from: Pid::local(1),
            to: Pid::local(2),
        }
        .encode()
        .unwrap();
        frame.push(0);
        assert!(matches!(
            Control::parse(&frame[4..]),
            Err(ParseError::Malformed(_))
        ));
    }

    #[test]
    fn unencodable_payloads_are_refused() {
        let c = Control::Send {
            from: Some(Pid::local(1)),
            to: Pid::local(2),
            msg: Term::Float(f64::NAN),
        };
        assert!(matches!(c.encode(), Err(EncodeError::Float(_))));
    }
}
