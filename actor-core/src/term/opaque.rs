//! `Opaque`: Erlang terms a Rust node carries but does not take apart
//! (funs, ports, old-style references), kept in their external encoding.

use std::fmt;

/// What an [`Opaque`] term is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OpaqueKind {
    /// A fun (`fun M:F/A` or a closure).
    Fun,
    /// A port.
    Port,
    /// A reference in the old encoding (`REFERENCE_EXT`).
    Reference,
}

/// An Erlang term this program carries without taking it apart: a fun, a
/// port, or an old-style reference, from another node.
///
/// It keeps its exact external encoding, so it goes back to any node
/// unchanged: an Erlang fun received, stored and sent on is still the same
/// fun where it lands. It sorts where Erlang sorts its kind (funs after
/// references, ports before pids) and, within a kind, by its encoding.
/// Rust code cannot call it; it can only keep it, compare it and pass it on.
///
/// # Examples
///
/// A fun `fun erlang:node/0`, as an Erlang node sends it:
///
/// ```
/// use actor::{OpaqueKind, Term};
///
/// let t = actor::__dist_fuzz::decode(&[
///     131, 113, 100, 0, 6, b'e', b'r', b'l', b'a', b'n', b'g',
///     100, 0, 4, b'n', b'o', b'd', b'e', 97, 0,
/// ])
/// .unwrap();
/// let Term::Opaque(fun) = &t else { panic!() };
/// assert_eq!(fun.kind(), OpaqueKind::Fun);
/// assert_eq!(t.to_string(), "fun erlang:node/0");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Opaque {
    kind: OpaqueKind,
    /// The term's external encoding, from its tag on (no version byte).
    encoded: Box<[u8]>,
}

impl Opaque {
    /// A term of `kind` whose external encoding (from its tag on) is
    /// `encoded`. The distribution decoder makes these; the encoding is
    /// not checked here.
    #[cfg_attr(not(feature = "dist"), allow(dead_code))]
    pub(crate) fn new(kind: OpaqueKind, encoded: &[u8]) -> Opaque {
        Opaque {
            kind,
            encoded: encoded.into(),
        }
    }

    /// What the term is.
    pub fn kind(&self) -> OpaqueKind {
        self.kind
    }

    /// Its external term format encoding, from its tag on (without the
    /// version byte 131).
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }
}

/// A small reader for what `Display` shows of an encoding.
struct Peek<'a>(&'a [u8]);

impl<'a> Peek<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn atom(&mut self) -> Option<&'a str> {
        let n = match self.take(1)?[0] {
            100 | 118 => u16::from_be_bytes(self.take(2)?.try_into().ok()?) as usize,
            115 | 119 => self.take(1)?[0] as usize,
            _ => return None,
        };
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn small_int(&mut self) -> Option<u32> {
        match self.take(1)?[0] {
            97 => Some(u32::from(self.take(1)?[0])),
            98 => self.u32(),
            _ => None,
        }
    }
}

impl fmt::Display for Opaque {
    /// As Erlang prints them where the encoding says enough: `fun m:f/1`,
    /// `#Fun<m.3.1234>`, `#Port<node.7>`, `#Ref<node.1>`; else the kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = Peek(&self.encoded);
        let tag = p.take(1).map(|t| t[0]);
        let shown = match tag {
            // EXPORT_EXT: Module Function Arity
            Some(113) => (|| {
                let (m, fun, a) = (p.atom()?, p.atom()?, p.small_int()?);
                Some(format!("fun {m}:{fun}/{a}"))
            })(),
            // NEW_FUN_EXT: Size Arity Uniq Index NumFree Module ...
            Some(112) => (|| {
                p.take(4 + 1 + 16)?;
                let index = p.u32()?;
                p.take(4)?;
                let module = p.atom()?;
                Some(format!("#Fun<{module}.{index}>"))
            })(),
            // NEW_PORT_EXT, V4_PORT_EXT, PORT_EXT: Node Id ...
            Some(89) | Some(102) => (|| Some(format!("#Port<{}.{}>", p.atom()?, p.u32()?)))(),
            Some(120) => (|| {
                let node = p.atom()?;
                let id = u64::from_be_bytes(p.take(8)?.try_into().ok()?);
                Some(format!("#Port<{node}.{id}>"))
            })(),
            // REFERENCE_EXT: Node Id Creation
            Some(101) => (|| Some(format!("#Ref<{}.{}>", p.atom()?, p.u32()?)))(),
            _ => None,
        };
        match shown {
            Some(s) => f.write_str(&s),
            None => write!(f, "#{:?}<>", self.kind),
        }
    }
}

impl fmt::Debug for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_what_the_encoding_says() {
        let export = Opaque::new(OpaqueKind::Fun, &[113, 115, 1, b'm', 115, 1, b'f', 97, 2]);
        assert_eq!(export.to_string(), "fun m:f/2");
        let port = Opaque::new(
            OpaqueKind::Port,
            &[89, 119, 1, b'n', 0, 0, 0, 7, 0, 0, 0, 1],
        );
        assert_eq!(format!("{port:?}"), "#Port<n.7>");
        assert_eq!(Opaque::new(OpaqueKind::Fun, &[112]).to_string(), "#Fun<>");
        assert!(export < port, "funs sort before ports");
    }
}
