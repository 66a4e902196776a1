//! `BigInt`: an integer of any size, as Erlang's bignums are.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// An integer of any size: a sign and a magnitude.
///
/// [`Term::BigInt`](super::Term::BigInt) holds the integers beyond `i64`
/// that Erlang's bignums carry; conversions into a [`Term`](super::Term)
/// give a `Term::Int` whenever the value fits. A `BigInt` compares,
/// hashes and prints by its value: `Term::BigInt(BigInt::from(5))` equals
/// `Term::Int(5)`. The magnitude is its little-endian bytes, as the
/// external term format writes it, so nothing is lost on the way to and
/// from another node; there is no arithmetic (convert to `i128`, or bring
/// a bignum crate, for that).
///
/// # Examples
///
/// ```
/// use actor::{BigInt, Term};
///
/// let big: BigInt = "-123456789012345678901234567890".parse().unwrap();
/// assert!(big.is_negative());
/// assert_eq!(big.to_string(), "-123456789012345678901234567890");
/// let t = Term::from(big.clone());
/// assert_eq!(t, Term::BigInt(big));
/// assert!(t < Term::Int(i64::MIN));
///
/// let two_64 = BigInt::from_le_bytes(false, &[0, 0, 0, 0, 0, 0, 0, 0, 1]);
/// assert_eq!(two_64.to_u128(), Some(1 << 64));
/// assert_eq!(Term::from(u64::MAX), Term::BigInt(BigInt::from(u64::MAX)));
/// assert_eq!(Term::from(BigInt::from(7)), Term::Int(7));
/// ```
#[derive(Clone)]
pub struct BigInt {
    negative: bool,
    /// Little-endian, without trailing (most significant) zero bytes; empty
    /// for zero, which is never negative.
    magnitude: Box<[u8]>,
}

impl BigInt {
    /// The integer with this sign and magnitude (little-endian bytes, the
    /// least significant first, as the external term format has them).
    pub fn from_le_bytes(negative: bool, magnitude: &[u8]) -> BigInt {
        let len = magnitude.len() - magnitude.iter().rev().take_while(|&&b| b == 0).count();
        BigInt {
            negative: negative && len > 0,
            magnitude: magnitude[..len].into(),
        }
    }

    /// Whether it is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Its absolute value, little-endian, without leading zero bytes (empty
    /// for zero).
    pub fn magnitude_le(&self) -> &[u8] {
        &self.magnitude
    }

    /// The magnitude as a `u128`, if it fits.
    fn magnitude_u128(&self) -> Option<u128> {
        if self.magnitude.len() > 16 {
            return None;
        }
        Some(
            self.magnitude
                .iter()
                .rev()
                .fold(0u128, |acc, &b| acc << 8 | u128::from(b)),
        )
    }

    /// The value as an `i64`, if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        self.to_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value as an `i128`, if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        let m = self.magnitude_u128()?;
        if self.negative {
            if m == 1u128 << 127 {
                Some(i128::MIN)
            } else {
                i128::try_from(m).ok().map(|v| -v)
            }
        } else {
            i128::try_from(m).ok()
        }
    }

    /// The value as a `u128`, if it fits.
    pub fn to_u128(&self) -> Option<u128> {
        if self.negative {
            return None;
        }
        self.magnitude_u128()
    }

    /// The nearest `f64` (infinite beyond its range).
    pub fn to_f64(&self) -> f64 {
        let m = self
            .magnitude
            .iter()
            .rev()
            .fold(0f64, |acc, &b| acc * 256.0 + f64::from(b));
        if self.negative {
            -m
        } else {
            m
        }
    }

    /// The integer a finite, integral `f64` is exactly; `None` for a NaN,
    /// an infinity or a fraction.
    pub(crate) fn from_f64_exact(f: f64) -> Option<BigInt> {
        if !f.is_finite() || f.fract() != 0.0 {
            return None;
        }
        let bits = f.abs().to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        if exp == 0 {
            // Subnormal: below 1, and integral, so zero.
            return Some(BigInt::from(0));
        }
        // value = (2^52 + frac) * 2^(exp - 1075)
        let mantissa = u128::from((1u64 << 52) | frac);
        let shift = exp - 1075;
        let mut out = if shift < 0 {
            // Integral, so the bits shifted out are zeros.
            BigInt::from(mantissa >> (-shift) as u32)
        } else {
            BigInt::from(mantissa).shl(shift as u32)
        };
        out.negative = f < 0.0 && !out.magnitude.is_empty();
        Some(out)
    }

    /// The magnitude shifted left by `n` bits.
    fn shl(&self, n: u32) -> BigInt {
        let (bytes, bits) = ((n / 8) as usize, n % 8);
        let mut m = vec![0u8; bytes];
        let mut carry = 0u8;
        for &b in self.magnitude.iter() {
            if bits == 0 {
                m.push(b);
            } else {
                m.push(b << bits | carry);
                carry = b >> (8 - bits);
            }
        }
        if carry != 0 {
            m.push(carry);
        }
        BigInt::from_le_bytes(self.negative, &m)
    }

    /// Compares absolute values.
    fn cmp_magnitude(&self, other: &BigInt) -> Ordering {
        self.magnitude
            .len()
            .cmp(&other.magnitude.len())
            .then_with(|| {
                self.magnitude
                    .iter()
                    .rev()
                    .cmp(other.magnitude.iter().rev())
            })
    }

    /// The magnitude in base 10^19 digits, least significant first.
    fn decimal_limbs(&self) -> Vec<u64> {
        const BASE: u128 = 10_000_000_000_000_000_000;
        // Big-endian 32-bit words of the magnitude, divided down.
        let mut words: Vec<u32> = self
            .magnitude
            .chunks(4)
            .map(|c| {
                let mut w = [0u8; 4];
                w[..c.len()].copy_from_slice(c);
                u32::from_le_bytes(w)
            })
            .rev()
            .collect();
        let mut limbs = Vec::new();
        while words.iter().any(|&w| w != 0) {
            let mut rem: u128 = 0;
            for w in words.iter_mut() {
                let cur = rem << 32 | u128::from(*w);
                *w = (cur / BASE) as u32;
                rem = cur % BASE;
            }
            limbs.push(rem as u64);
            while words.first() == Some(&0) {
                words.remove(0);
            }
        }
        limbs
    }
}

impl Default for BigInt {
    fn default() -> BigInt {
        BigInt::from(0)
    }
}

macro_rules! from_int {
    ($($t:ty)*) => {$(
        impl From<$t> for BigInt {
            #[allow(clippy::cast_lossless, unused_comparisons)]
            fn from(v: $t) -> BigInt {
                let negative = v < 0;
                let magnitude = (v as i128).unsigned_abs();
                BigInt::from_le_bytes(negative, &magnitude.to_le_bytes())
            }
        }
    )*};
}

from_int!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 usize);

impl From<u128> for BigInt {
    fn from(v: u128) -> BigInt {
        BigInt::from_le_bytes(false, &v.to_le_bytes())
    }
}

/// Why text is not an integer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseBigIntError(());

impl fmt::Display for ParseBigIntError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a decimal integer")
    }
}

impl std::error::Error for ParseBigIntError {}

/// Decimal digits with an optional `-` or `+`.
impl FromStr for BigInt {
    type Err = ParseBigIntError;

    fn from_str(s: &str) -> Result<BigInt, ParseBigIntError> {
        let (negative, digits) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseBigIntError(()));
        }
        // Little-endian bytes, times ten plus the digit, a digit at a time.
        let mut m: Vec<u8> = Vec::new();
        for d in digits.bytes() {
            let mut carry = u32::from(d - b'0');
            for b in m.iter_mut() {
                let v = u32::from(*b) * 10 + carry;
                *b = v as u8;
                carry = v >> 8;
            }
            while carry > 0 {
                m.push(carry as u8);
                carry >>= 8;
            }
        }
        Ok(BigInt::from_le_bytes(negative, &m))
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limbs = self.decimal_limbs();
        let mut s = String::new();
        match limbs.split_last() {
            None => s.push('0'),
            Some((top, rest)) => {
                s.push_str(&top.to_string());
                for limb in rest.iter().rev() {
                    s.push_str(&format!("{limb:019}"));
                }
            }
        }
        f.pad_integral(!self.negative, "", &s)
    }
}

impl fmt::Debug for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl PartialEq for BigInt {
    fn eq(&self, other: &BigInt) -> bool {
        self.negative == other.negative && self.magnitude == other.magnitude
    }
}

impl Eq for BigInt {}

impl Ord for BigInt {
    fn cmp(&self, other: &BigInt) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for BigInt {
    fn partial_cmp(&self, other: &BigInt) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Hashes as the `i64` when it fits, so that it agrees with `Term::Int`.
impl Hash for BigInt {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self.to_i64() {
            Some(i) => i.hash(h),
            None => {
                self.negative.hash(h);
                self.magnitude.hash(h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        for v in [
            0i128,
            1,
            -1,
            255,
            256,
            i64::MAX as i128,
            i64::MIN as i128,
            i128::MAX,
            i128::MIN,
        ] {
            let b = BigInt::from(v);
            assert_eq!(b.to_i128(), Some(v));
            assert_eq!(b.to_string(), v.to_string());
            assert_eq!(v.to_string().parse::<BigInt>().unwrap(), b);
        }
        assert_eq!(BigInt::from(u128::MAX).to_u128(), Some(u128::MAX));
        assert_eq!(BigInt::from(u128::MAX).to_i128(), None);
        assert_eq!(BigInt::from(-1).to_u128(), None);
        assert_eq!(BigInt::from_le_bytes(true, &[0, 0]), BigInt::from(0));
        assert!(!BigInt::from_le_bytes(true, &[]).is_negative());
        let huge = "1".repeat(80);
        assert_eq!(huge.parse::<BigInt>().unwrap().to_string(), huge);
        assert_eq!(format!("{:>6}", BigInt::from(-12)), "   -12");
        assert!("".parse::<BigInt>().is_err());
        assert!("12a".parse::<BigInt>().is_err());
        assert!("-".parse::<BigInt>().is_err());
    }

    #[test]
    fn order_is_by_value() {
        let mut v: Vec<BigInt> = [
            "-1000000000000000000000",
            "-5",
            "0",
            "7",
            "300",
            "1000000000000000000000",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let sorted = v.clone();
        v.reverse();
        v.sort();
        assert_eq!(v, sorted);
    }

    #[test]
    fn floats_convert_exactly() {
        let two_70 = 2f64.powi(70);
        assert_eq!(
            BigInt::from_f64_exact(two_70).unwrap(),
            BigInt::from(1u128 << 70)
        );
        assert_eq!(
            BigInt::from_f64_exact(-two_70).unwrap(),
            BigInt::from(-(1i128 << 70))
        );
        assert_eq!(BigInt::from_f64_exact(3.0).unwrap(), BigInt::from(3));
        assert_eq!(BigInt::from_f64_exact(-0.0).unwrap(), BigInt::from(0));
        assert_eq!(BigInt::from_f64_exact(0.5), None);
        assert_eq!(BigInt::from_f64_exact(f64::NAN), None);
        assert_eq!(BigInt::from(1u128 << 70).to_f64(), two_70);
    }
}
