//! The connection handshake, version 6 (OTP 23+): names, flags and
//! creations are exchanged, then each side proves it knows the cookie by
//! answering the other's challenge with `md5(cookie ++ challenge)`.
//!
//! Handshake messages are framed by a 2-byte length.

use std::fmt;
use std::io;

use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Distribution flags (the `DFLAG_*` constants of the protocol).
pub(crate) mod flags {
    pub(crate) const PUBLISHED: u64 = 0x1;
    pub(crate) const EXTENDED_REFERENCES: u64 = 0x4;
    pub(crate) const DIST_MONITOR: u64 = 0x8;
    pub(crate) const FUN_TAGS: u64 = 0x10;
    pub(crate) const DIST_MONITOR_NAME: u64 = 0x20;
    pub(crate) const NEW_FUN_TAGS: u64 = 0x80;
    pub(crate) const EXTENDED_PIDS_PORTS: u64 = 0x100;
    pub(crate) const EXPORT_PTR_TAG: u64 = 0x200;
    pub(crate) const BIT_BINARIES: u64 = 0x400;
    pub(crate) const NEW_FLOATS: u64 = 0x800;
    pub(crate) const UTF8_ATOMS: u64 = 0x10000;
    pub(crate) const MAP_TAG: u64 = 0x20000;
    pub(crate) const BIG_CREATION: u64 = 0x40000;
    pub(crate) const SEND_SENDER: u64 = 0x80000;
    pub(crate) const EXIT_PAYLOAD: u64 = 0x400000;
    pub(crate) const HANDSHAKE_23: u64 = 0x1000000;
    pub(crate) const UNLINK_ID: u64 = 0x2000000;
    pub(crate) const MANDATORY_25_DIGEST: u64 = 1 << 36;
    pub(crate) const SPAWN: u64 = 1 << 32;
    pub(crate) const V4_NC: u64 = 1 << 34;
    pub(crate) const ALIAS: u64 = 1 << 35;

    /// What this node implements. The fun, export and bit-string flags are
    /// mandatory for OTP 25+: such terms are decoded as errors (the message
    /// is dropped and logged), never misread.
    pub(crate) const OURS: u64 = EXTENDED_REFERENCES
        | DIST_MONITOR
        | FUN_TAGS
        | DIST_MONITOR_NAME
        | NEW_FUN_TAGS
        | EXTENDED_PIDS_PORTS
        | EXPORT_PTR_TAG
        | BIT_BINARIES
        | NEW_FLOATS
        | UTF8_ATOMS
        | MAP_TAG
        | BIG_CREATION
        | SEND_SENDER
        | EXIT_PAYLOAD
        | HANDSHAKE_23
        | UNLINK_ID
        | SPAWN
        | V4_NC
        | ALIAS
        | MANDATORY_25_DIGEST;

    /// What a peer must implement for our encoding to reach it intact.
    pub(crate) const REQUIRED: u64 = EXTENDED_REFERENCES
        | EXTENDED_PIDS_PORTS
        | UTF8_ATOMS
        | MAP_TAG
        | BIG_CREATION
        | NEW_FLOATS
        | HANDSHAKE_23
        | EXIT_PAYLOAD
        | UNLINK_ID
        | DIST_MONITOR
        | DIST_MONITOR_NAME
        | V4_NC;
}

/// Why a handshake failed.
#[derive(Debug)]
pub(crate) enum HandshakeError {
    Io(io::Error),
    /// The peer hung up after our challenge reply: the cookies differ.
    WrongCookie,
    /// The peer's challenge answer was wrong: the cookies differ.
    BadDigest,
    /// The peer said no (`nok`, `not_allowed`, ...).
    Refused(String),
    /// The peer is not the node we dialed.
    WrongName {
        expected: String,
        got: String,
    },
    /// The peer lacks flags we rely on.
    MissingFlags(u64),
    Protocol(&'static str),
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::Io(e) => write!(f, "I/O error during the handshake: {e}"),
            HandshakeError::WrongCookie => f.write_str(
                "the peer closed the connection after our challenge reply: the cookies differ",
            ),
            HandshakeError::BadDigest => {
                f.write_str("the peer answered our challenge wrongly: the cookies differ")
            }
            HandshakeError::Refused(s) => write!(f, "the peer refused the connection ({s})"),
            HandshakeError::WrongName { expected, got } => {
                write!(f, "dialed `{expected}` but `{got}` answered (names must match exactly)")
            }
            HandshakeError::MissingFlags(m) => write!(
                f,
                "the peer lacks distribution capabilities this node needs (flags {m:#x}; OTP 24+ is required)"
            ),
            HandshakeError::Protocol(what) => write!(f, "handshake protocol error: {what}"),
        }
    }
}

impl From<io::Error> for HandshakeError {
    fn from(e: io::Error) -> Self {
        HandshakeError::Io(e)
    }
}

/// This side of a handshake.
pub(crate) struct Local<'a> {
    pub(crate) name: &'a str,
    pub(crate) cookie: &'a str,
    /// Cookies for particular nodes (Erlang's `erlang:set_cookie/2`),
    /// used instead of `cookie` with those nodes.
    pub(crate) per_node: Vec<(String, String)>,
    pub(crate) creation: u32,
    pub(crate) flags: u64,
}

impl Local<'_> {
    /// The cookie to prove and expect with `node`.
    pub(crate) fn cookie_for(&self, node: &str) -> &str {
        self.per_node
            .iter()
            .find(|(n, _)| n == node)
            .map_or(self.cookie, |(_, c)| c.as_str())
    }
}

/// The other side, once the handshake succeeded.
#[derive(Clone, Debug)]
pub(crate) struct Peer {
    pub(crate) name: String,
    pub(crate) flags: u64,
    pub(crate) creation: u32,
}

pub(crate) fn digest(cookie: &str, challenge: u32) -> [u8; 16] {
    let mut h = Md5::new();
    h.update(cookie.as_bytes());
    h.update(challenge.to_string().as_bytes());
    h.finalize().into()
}

fn challenge() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0xc4a1);
    h.finish() as u32
}

async fn write_msg<W: AsyncWrite + Unpin>(w: &mut W, body: &[u8]) -> io::Result<()> {
    let mut v = Vec::with_capacity(body.len() + 2);
    v.extend_from_slice(&(body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    w.write_all(&v).await
}

async fn read_msg<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Vec<u8>> {
    let len = r.read_u16().await? as usize;
    let mut v = vec![0; len];
    r.read_exact(&mut v).await?;
    Ok(v)
}

/// Reads `N` flags, challenge, creation, name as in `send_name`/`send_challenge`.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], HandshakeError> {
        if self.0.len() < n {
            return Err(HandshakeError::Protocol("short handshake message"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u16(&mut self) -> Result<u16, HandshakeError> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into().expect("2")))
    }
    fn u32(&mut self) -> Result<u32, HandshakeError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn u64(&mut self) -> Result<u64, HandshakeError> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().expect("8")))
    }
    fn name(&mut self) -> Result<String, HandshakeError> {
        let n = self.u16()? as usize;
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| HandshakeError::Protocol("node name is not UTF-8"))
    }
}

fn check_flags(flags: u64) -> Result<(), HandshakeError> {
    let missing = flags::REQUIRED & !flags;
    if missing != 0 {
        return Err(HandshakeError::MissingFlags(missing));
    }
    Ok(())
}

fn eof_is_cookie(e: io::Error) -> HandshakeError {
    if e.kind() == io::ErrorKind::UnexpectedEof || e.kind() == io::ErrorKind::ConnectionReset {
        HandshakeError::WrongCookie
    } else {
        HandshakeError::Io(e)
    }
}

/// Dials: we are node A, the initiator, connecting to `peer_name`.
/// `still_dialing` says, when the peer answers that it is connected to us
/// already (`alive`), whether we still want this connection: not when the
/// peer's own simultaneous dial has given us one meanwhile.
pub(crate) async fn initiate<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    me: &Local<'_>,
    peer_name: &str,
    still_dialing: impl Fn() -> bool,
) -> Result<Peer, HandshakeError> {
    let mut m = vec![b'N'];
    m.extend_from_slice(&me.flags.to_be_bytes());
    m.extend_from_slice(&me.creation.to_be_bytes());
    m.extend_from_slice(&(me.name.len() as u16).to_be_bytes());
    m.extend_from_slice(me.name.as_bytes());
    write_msg(s, &m).await?;

    let status = read_msg(s).await?;
    match status.as_slice() {
        b"sok" | b"sok_simultaneous" => {}
        b"salive" => {
            // The peer thinks we are connected. When it was about a
            // connection we lost, we are not: say so and carry on (the
            // peer replaces it). When its own dial connected us while ours
            // was under way, keep that one: replacing it would cut a
            // connection both sides already use.
            if !still_dialing() {
                write_msg(s, b"sfalse").await?;
                return Err(HandshakeError::Refused(
                    "nok: connected meanwhile by the peer's own dial".into(),
                ));
            }
            write_msg(s, b"strue").await?;
        }
        other => {
            let text = String::from_utf8_lossy(other.strip_prefix(b"s").unwrap_or(other));
            return Err(HandshakeError::Refused(text.into_owned()));
        }
    }

    let ch = read_msg(s).await?;
    let mut r = Reader(&ch);
    if r.take(1)? != b"N" {
        return Err(HandshakeError::Protocol("expected a version 6 challenge"));
    }
    let flags = r.u64()?;
    let their_challenge = r.u32()?;
    let creation = r.u32()?;
    let name = r.name()?;
    if name != peer_name {
        return Err(HandshakeError::WrongName {
            expected: peer_name.to_owned(),
            got: name,
        });
    }
    check_flags(flags)?;

    let ours = challenge();
    let mut reply = vec![b'r'];
    reply.extend_from_slice(&ours.to_be_bytes());
    reply.extend_from_slice(&digest(me.cookie_for(peer_name), their_challenge));
    write_msg(s, &reply).await?;

    let ack = read_msg(s).await.map_err(eof_is_cookie)?;
    if ack.len() != 17 || ack[0] != b'a' {
        return Err(HandshakeError::Protocol("expected a challenge ack"));
    }
    if ack[1..] != digest(me.cookie_for(peer_name), ours) {
        return Err(HandshakeError::BadDigest);
    }
    Ok(Peer {
        name,
        flags,
        creation,
    })
}

/// What the acceptor says once it knows who is dialing.
pub(crate) enum Admit {
    Ok,
    OkSimultaneous,
    /// We have a connection attempt of our own that wins.
    Nok,
    /// We think we are connected already: ask the dialer.
    Alive,
}

/// Accepts: we are node B. `admit` decides, from the dialer's name, whether
/// to go on.
pub(crate) async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    me: &Local<'_>,
    admit: impl FnOnce(&str) -> Admit,
) -> Result<Peer, HandshakeError> {
    let first = read_msg(s).await?;
    let mut r = Reader(&first);
    match r.take(1)? {
        b"N" => {}
        b"n" => {
            write_msg(s, b"snot_allowed").await?;
            return Err(HandshakeError::MissingFlags(flags::HANDSHAKE_23));
        }
        _ => return Err(HandshakeError::Protocol("expected send_name")),
    }
    let flags = r.u64()?;
    let creation = r.u32()?;
    let name = r.name()?;
    if let Err(e) = check_flags(flags) {
        write_msg(s, b"snot_allowed").await?;
        return Err(e);
    }
    match admit(&name) {
        Admit::Ok => write_msg(s, b"sok").await?,
        Admit::OkSimultaneous => write_msg(s, b"sok_simultaneous").await?,
        Admit::Nok => {
            write_msg(s, b"snok").await?;
            return Err(HandshakeError::Refused("nok: simultaneous connect".into()));
        }
        Admit::Alive => {
            write_msg(s, b"salive").await?;
            if read_msg(s).await? != b"strue" {
                return Err(HandshakeError::Refused(
                    "the dialer kept its old connection".into(),
                ));
            }
        }
    }

    let ours = challenge();
    let mut m = vec![b'N'];
    m.extend_from_slice(&me.flags.to_be_bytes());
    m.extend_from_slice(&ours.to_be_bytes());
    m.extend_from_slice(&me.creation.to_be_bytes());
    m.extend_from_slice(&(me.name.len() as u16).to_be_bytes());
    m.extend_from_slice(me.name.as_bytes());
    write_msg(s, &m).await?;

    let reply = read_msg(s).await?;
    if reply.len() != 21 || reply[0] != b'r' {
        return Err(HandshakeError::Protocol("expected a challenge reply"));
    }
    let their_challenge = u32::from_be_bytes(reply[1..5].try_into().expect("4"));
    if reply[5..] != digest(me.cookie_for(&name), ours) {
        return Err(HandshakeError::BadDigest);
    }
    let mut ack = vec![b'a'];
    ack.extend_from_slice(&digest(me.cookie_for(&name), their_challenge));
    write_msg(s, &ack).await?;
    Ok(Peer {
        name,
        flags,
        creation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(name: &'static str, cookie: &'static str, creation: u32) -> Local<'static> {
        Local {
            name,
            cookie,
            per_node: Vec::new(),
            creation,
            flags: flags::OURS,
        }
    }

    #[test]
    fn digest_matches_erlang() {
        // erlang:md5("cookie" ++ integer_to_list(42))
        assert_eq!(
            digest("cookie", 42),
            <[u8; 16]>::from(Md5::digest(b"cookie42"))
        );
    }

    #[test]
    fn both_sides_agree_and_cookies_matter() {
        crate::runtime::runtime().block_on(async {
            let (mut a, mut b) = tokio::io::duplex(1024);
            let la = local("a@localhost", "c", 1);
            let lb = local("b@localhost", "c", 2);
            let (pa, pb) = tokio::join!(
                initiate(&mut a, &la, "b@localhost", || true),
                accept(&mut b, &lb, |_| Admit::Ok)
            );
            assert_eq!(pa.unwrap().creation, 2);
            assert_eq!(pb.unwrap().name, "a@localhost");

            let (mut a, mut b) = tokio::io::duplex(1024);
            let lb = local("b@localhost", "other", 2);
            let (pa, pb) = tokio::join!(initiate(&mut a, &la, "b@localhost", || true), async {
                let r = accept(&mut b, &lb, |_| Admit::Ok).await;
                drop(b);
                r
            });
            assert!(matches!(pb, Err(HandshakeError::BadDigest)));
            assert!(matches!(pa, Err(HandshakeError::WrongCookie)), "{pa:?}");

            // a cookie for one node only: `a` proves "other" to `b` alone
            let (mut a, mut b) = tokio::io::duplex(1024);
            let la = Local {
                per_node: vec![("b@localhost".into(), "other".into())],
                ..la
            };
            let (pa, pb) = tokio::join!(
                initiate(&mut a, &la, "b@localhost", || true),
                accept(&mut b, &lb, |_| Admit::Ok)
            );
            assert_eq!(pa.unwrap().creation, 2);
            assert_eq!(pb.unwrap().name, "a@localhost");
            // and expects it from `b` when `b` dials
            let (mut a, mut b) = tokio::io::duplex(1024);
            let (pb, pa) = tokio::join!(
                initiate(&mut b, &lb, "a@localhost", || true),
                accept(&mut a, &la, |_| Admit::Ok)
            );
            assert_eq!(pb.unwrap().creation, 1);
            assert_eq!(pa.unwrap().name, "b@localhost");
        });
    }

    #[test]
    fn an_alive_peer_keeps_its_connection_when_ours_came_meanwhile() {
        crate::runtime::runtime().block_on(async {
            let (la, lb) = (local("a@localhost", "c", 1), local("b@localhost", "c", 1));
            // a lost connection: the dialer still wants this one
            let (mut a, mut b) = tokio::io::duplex(1024);
            let (pa, pb) = tokio::join!(
                initiate(&mut a, &la, "b@localhost", || true),
                accept(&mut b, &lb, |_| Admit::Alive)
            );
            assert!(pa.is_ok() && pb.is_ok(), "{pa:?} {pb:?}");
            // the peer's own dial connected us meanwhile: keep that one
            let (mut a, mut b) = tokio::io::duplex(1024);
            let (pa, pb) = tokio::join!(
                initiate(&mut a, &la, "b@localhost", || false),
                accept(&mut b, &lb, |_| Admit::Alive)
            );
            assert!(
                matches!(&pa, Err(HandshakeError::Refused(why)) if why.starts_with("nok")),
                "{pa:?}"
            );
            assert!(matches!(pb, Err(HandshakeError::Refused(_))), "{pb:?}");
        });
    }
}
