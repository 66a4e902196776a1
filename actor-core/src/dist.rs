//! Distribution: the Erlang distribution protocol, EPMD, connections.
//! The user-facing docs (mapping, limits, examples) are on [`crate::node`].

mod conn;
mod connect;
mod control;
mod epmd;
mod error;
mod etf;
mod gen;
mod handshake;
mod ids;
mod io;
pub(crate) mod node;
pub(crate) mod peer;
mod rpc;
mod sys;
mod system;

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
                // Floats Erlang cannot hold do not encode: nothing to compare.
                let Ok(bytes) = super::etf::encode(&t) else {
                    return true;
                };
                let again = super::etf::decode(&bytes).expect("an encoded term decodes");
                assert_eq!(
                    super::etf::encode(&again).ok(),
                    Some(bytes),
                    "a decoded term must round-trip"
                );
                true
            }
            Err(_) => false,
        }
    }

    /// Encodes `t` (with the version byte), as this node sends it; `None`
    /// for what Erlang cannot hold.
    pub fn encode(t: &crate::Term) -> Option<Vec<u8>> {
        super::etf::encode(t).ok()
    }

    /// Decodes `bytes` (with the version byte) as a term.
    pub fn decode(bytes: &[u8]) -> Option<crate::Term> {
        super::etf::decode(bytes).ok()
    }

    /// Reads `bytes` as the body of a distribution frame (from the
    /// pass-through byte on); never panics. A frame that parses is encoded
    /// again and must parse to itself. Nothing is delivered.
    pub fn decode_frame(bytes: &[u8]) -> bool {
        match super::control::Control::parse(bytes) {
            Ok(c) => {
                // A payload Erlang cannot hold does not encode.
                if let Ok(frame) = c.encode() {
                    let again = super::control::Control::parse(&frame[4..])
                        .expect("an encoded control message parses");
                    assert_eq!(again, c, "a parsed control message must round-trip");
                }
                true
            }
            Err(_) => false,
        }
    }
}
