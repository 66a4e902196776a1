//! Distribution: the Erlang distribution protocol, EPMD, connections.
//! The user-facing docs (mapping, limits, examples) are on [`crate::node`].

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

    /// Decodes `bytes` (with the version byte) as a term.
    pub fn decode(bytes: &[u8]) -> Option<crate::Term> {
        super::etf::decode(bytes).ok()
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
