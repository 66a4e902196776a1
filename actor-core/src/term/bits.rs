//! `BitString`: a binary whose length is not a whole number of bytes.

use std::cmp::Ordering;
use std::fmt;

/// A bit string: bytes and a length in bits that is not a multiple of 8
/// (Erlang's `<<1, 2:3>>`). A whole number of bytes is a binary
/// ([`Term::Bytes`](super::Term::Bytes)), which
/// [`Term::bit_string`](super::Term::bit_string) gives for such lengths.
///
/// The bits of the last byte beyond the length are always zero. Bit
/// strings compare bit by bit with each other and with binaries, as in
/// Erlang (a prefix first).
///
/// # Examples
///
/// ```
/// use actor::{BitString, Term};
///
/// // <<1, 2:3>>: eleven bits
/// let b = BitString::new(vec![1, 0b0100_0000], 11).unwrap();
/// assert_eq!((b.bytes(), b.bit_len()), (&[1u8, 0x40][..], 11));
/// assert_eq!(Term::BitStr(b.clone()).to_string(), "<<1,2:3>>");
/// assert!(BitString::new(vec![1], 9).is_none()); // 9 bits need 2 bytes
/// assert_eq!(Term::bit_string(vec![7], 8), Some(Term::bytes(vec![7])));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BitString {
    bytes: Box<[u8]>,
    /// How many bits of the last byte count (1 to 8; 8 for no bytes).
    last_bits: u8,
}

impl BitString {
    /// `bit_len` bits, from the high bits of `bytes` on; `None` unless
    /// `bytes` has exactly the bytes they need. Bits past the length are
    /// cleared.
    pub fn new(bytes: impl Into<Vec<u8>>, bit_len: usize) -> Option<BitString> {
        let mut bytes = bytes.into();
        if bytes.len() != bit_len.div_ceil(8) {
            return None;
        }
        let last_bits = match bit_len % 8 {
            0 => 8,
            n => n as u8,
        };
        if let Some(last) = bytes.last_mut() {
            *last &= mask(last_bits);
        }
        Some(BitString {
            bytes: bytes.into(),
            last_bits,
        })
    }

    /// The bytes; the last one holds [`bit_len`](Self::bit_len)` % 8` bits
    /// in its high bits (all 8 when the length is a multiple of 8).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The length in bits.
    pub fn bit_len(&self) -> usize {
        match self.bytes.len() {
            0 => 0,
            n => (n - 1) * 8 + self.last_bits as usize,
        }
    }

    /// How many bits of the last byte count, 1 to 8.
    pub(crate) fn last_bits(&self) -> u8 {
        self.last_bits
    }
}

/// The high `bits` bits of a byte.
fn mask(bits: u8) -> u8 {
    !(0xffu8.checked_shr(u32::from(bits)).unwrap_or(0))
}

/// Erlang's order of bit strings: bit by bit, a prefix first.
pub(super) fn cmp_bits(a: &[u8], a_len: usize, b: &[u8], b_len: usize) -> Ordering {
    let common = a_len.min(b_len);
    let whole = common / 8;
    a[..whole]
        .cmp(&b[..whole])
        .then_with(|| match common % 8 {
            0 => Ordering::Equal,
            rest => {
                let m = mask(rest as u8);
                (a[whole] & m).cmp(&(b[whole] & m))
            }
        })
        .then(a_len.cmp(&b_len))
}

impl fmt::Debug for BitString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Erlang's syntax: `<<1,2:3>>`.
impl fmt::Display for BitString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<<")?;
        if let Some((last, whole)) = self.bytes.split_last() {
            for b in whole {
                write!(f, "{b},")?;
            }
            if self.last_bits == 8 {
                write!(f, "{last}")?;
            } else {
                write!(f, "{}:{}", last >> (8 - self.last_bits), self.last_bits)?;
            }
        }
        f.write_str(">>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_masks() {
        let b = BitString::new(vec![0xff, 0xff], 12).unwrap();
        assert_eq!(b.bytes(), &[0xff, 0xf0]);
        assert_eq!(b.bit_len(), 12);
        assert_eq!(b.to_string(), "<<255,15:4>>");
        assert_eq!(BitString::new(vec![], 0).unwrap().bit_len(), 0);
        assert_eq!(
            BitString::new(vec![0x80], 1).unwrap().to_string(),
            "<<1:1>>"
        );
        assert!(BitString::new(vec![1, 2], 8).is_none());
    }

    #[test]
    fn order_is_bit_by_bit() {
        use Ordering::*;
        // <<1:1>> > <<0:1, 1:1>>; <<>> < anything; a prefix first.
        assert_eq!(cmp_bits(&[0x80], 1, &[0x40], 2), Greater);
        assert_eq!(cmp_bits(&[], 0, &[0], 1), Less);
        assert_eq!(cmp_bits(&[0xa0], 3, &[0xa0], 4), Less);
        assert_eq!(cmp_bits(&[1, 0x80], 9, &[1], 8), Greater);
        assert_eq!(cmp_bits(&[1, 0x80], 9, &[1, 0x80], 9), Equal);
    }
}
