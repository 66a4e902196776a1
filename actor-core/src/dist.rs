//! Distribution: this program as an Erlang node. It speaks the Erlang
//! distribution protocol (version 6, OTP 23+ handshake; OTP 24+ peers) and
//! finds other nodes through EPMD, so Rust nodes talk to each other and to
//! real Erlang/OTP nodes.
//!
//! How Rust messages look to Erlang:
//!
//! | Rust                                   | Erlang                                   |
//! |----------------------------------------|------------------------------------------|
//! | `std` call (`>>`)                      | `gen_server:call`: `{'$gen_call', {From, Tag}, Req}`, reply `{Tag, Reply}` |
//! | `std` send (`>`)                       | `gen_server:cast`: `{'$gen_cast', Req}`  |
//! | `info` send                            | a plain message (`handle_info`)          |
//! | other kinds                            | `{'$actor_msg', Kind, Data}`             |
//! | `link`, exits, `monitor`, `Down`       | `LINK`, `EXIT`, `MONITOR_P`, `MONITOR_P_EXIT` |
//! | lost connection                        | `noconnection` to links and monitors     |
//! | `spawn_on(node, "Name")`               | `SPAWN_REQUEST` / `SPAWN_REPLY`          |
//!
//! Terms map as `etf` describes; pids and refs keep every bit across a round
//! trip through another node.

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
