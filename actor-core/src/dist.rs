//! Distribution: this program as an Erlang node, the public API in
//! [`actor::node`](crate::node). It speaks the Erlang distribution protocol
//! (version 6, the OTP 23+ handshake) and finds other nodes through EPMD, so
//! Rust nodes talk to each other and to real Erlang/OTP nodes with the same
//! code. Where no EPMD answers, the first node on the machine serves one
//! in-process.
//!
//! Remote pids are ordinary [`Pid`](crate::Pid)s: `msg!` sends and calls,
//! [`link`](crate::link), [`monitor`](crate::monitor) and
//! [`exit`](crate::exit) work on them unchanged, and `(name, node)` is a
//! `msg!` target for a name registered on another node.
//!
//! # How Rust maps onto Erlang
//!
//! | Rust                                      | Erlang                                   |
//! |-------------------------------------------|------------------------------------------|
//! | `msg!(std(x) >> pid)`, a `std` call       | `gen_server:call`: `{'$gen_call', {From, Tag}, X}`, answered by `{Tag, Reply}` (`gen_server:reply`) |
//! | `msg!(std(x) > pid)`, a `std` send        | `gen_server:cast`: `{'$gen_cast', X}`    |
//! | `msg!(info(x) > pid)`, an `info` send     | the plain message `X` (`Pid ! X`, `handle_info`) |
//! | a call of another kind                    | `{'$gen_call', {From, Tag}, {'$actor_msg', Kind, X}}` |
//! | a send of another kind (`err`, `reload`, …) | `{'$actor_msg', Kind, X}`              |
//! | `(name, node)` target                     | `{Name, Node}` (`REG_SEND`)              |
//! | [`link`](crate::link) / [`unlink`](crate::unlink) | `LINK` / `UNLINK_ID`             |
//! | exit of a linked process (`death`)        | `EXIT` with the reason                   |
//! | [`exit`](crate::exit), [`kill`](crate::kill) | `EXIT2` (`erlang:exit/2`)             |
//! | [`monitor`](crate::monitor), a `down` message | `MONITOR_P`, `DEMONITOR_P`, `MONITOR_P_EXIT` |
//! | lost connection                           | `noconnection` to every link and monitor across it, and to pending calls |
//! | [`spawn_on`](crate::node::spawn_on), [`spawn_link_on`](crate::node::spawn_link_on) | `SPAWN_REQUEST` / `SPAWN_REPLY` (`erlang:spawn/4`, `spawn_link/4`) |
//!
//! Incoming, the same table read right to left: a `gen_server:call` from
//! Erlang reaches a Rust actor as a `std` call (its return value is the
//! reply), a cast as a `std` send, and any other message as `info`. A call
//! from Rust fails as `gen_server:call` does: [`CallError::NoProcess`]
//! for a missing process or name, [`CallError::Exit`] with the reason when
//! the callee dies, and with `noconnection` when the node goes away.
//!
//! [`CallError::NoProcess`]: crate::CallError::NoProcess
//! [`CallError::Exit`]: crate::CallError::Exit
//!
//! Terms map as `etf` describes (`Str` is a UTF-8 binary, `Nil` is
//! `undefined`, maps are maps); pids and refs keep every bit across a round
//! trip through another node.
//!
//! # Known limits
//!
//! - Peers must run OTP 24 or later (Rust nodes qualify): an older node is
//!   refused in the handshake with an error that says so.
//! - Terms with no [`Term`](crate::Term) counterpart — funs, ports, bit
//!   strings, improper lists, old-style references, integers beyond `i64`
//!   — are never misread: the message that carries them is dropped, the
//!   connection stays up, and a warning is logged (`tracing`).
//! - One node per program; it runs until the program ends (Erlang's
//!   `net_kernel:stop/0` has no counterpart). A program that is not a node
//!   refuses remote spawns and cannot reach remote pids.
//! - Only what the advertised flags promise is implemented: no atom cache
//!   and no fragmented messages (every frame is sent and read whole).
//!
//! # Examples
//!
//! One node per doc test: a second node would need a second program (see
//! `examples/two_nodes.rs` and `tests/dist.rs`). A node is its own peer for
//! `spawn_on` and `(name, node)` targets, which run locally:
//!
//! ```
//! use actor::prelude::*;
//!
//! # // a private EPMD: parallel doc tests cannot disturb each other
//! # let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! # std::env::set_var("ERL_EPMD_PORT", free.local_addr().unwrap().port().to_string());
//! # drop(free);
//! let me = format!("dist_doc{}@localhost", std::process::id());
//! actor::node::start(&me, "cookie").unwrap();
//!
//! let echo = actor::spawn_on(&me, "EchoActor").unwrap();
//! actor::register("echo", echo).unwrap();
//! let reply = msg!(std { hi: "there" } >> ("echo", me.as_str())).wait().unwrap();
//! assert_eq!(reply.data["hi"], "there");
//! ```

mod conn;
mod epmd;
mod etf;
mod handshake;
mod ids;
pub(crate) mod node;

#[doc(hidden)]
pub mod fuzz {
    //! Entry points for the fuzz targets: decode untrusted bytes as a frame
    //! or a term. Not a stable API.

    /// Decodes `bytes` as an encoded term; never panics. A term that
    /// decodes is encoded again and must decode to itself.
    pub fn decode_term(bytes: &[u8]) -> bool {
        match super::etf::decode(bytes) {
            Ok(t) => {
                // Compared as bytes: a NaN float is not equal to itself.
                let bytes = super::etf::encode(&t);
                let again = super::etf::decode(&bytes).expect("an encoded term decodes");
                assert_eq!(
                    super::etf::encode(&again),
                    bytes,
                    "a decoded term must round-trip"
                );
                true
            }
            Err(_) => false,
        }
    }

    /// Decodes `bytes` as the body of a distribution frame (control message
    /// and payload); never panics. Nothing is delivered: the frame is only
    /// parsed.
    pub fn decode_frame(bytes: &[u8]) -> bool {
        let Some((&112, rest)) = bytes.split_first() else {
            return false;
        };
        let mut d = super::etf::Decoder::new(rest);
        if d.version().and_then(|()| d.term()).is_err() {
            return false;
        }
        let payload = &rest[d.pos()..];
        if payload.is_empty() {
            return true;
        }
        let _ = super::conn::gen_call(payload);
        super::etf::decode(payload).is_ok()
    }
}
