//! The part of shopspring/decimal v1.4.0 that Sprig's `addf`/`subf`/`mulf`/`divf` use: exact
//! decimals made from the shortest representation of a float64, exact add/sub/mul, division
//! rounded to 16 places (half away from zero), and conversion back to the nearest float64.

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{Signed, Zero};

/// `value * 10^exp`.
#[derive(Clone, Debug)]
pub struct Decimal {
    value: BigInt,
    exp: i64,
}

const DIVISION_PRECISION: i64 = 16;

fn pow10(n: i64) -> BigInt {
    num_traits::pow(BigInt::from(10u32), usize::try_from(n).unwrap_or(0))
}

impl Decimal {
    /// `decimal.NewFromFloat`; Go panics on NaN and infinities with this text.
    pub fn from_f64(f: f64) -> Result<Decimal, String> {
        if f.is_nan() || f.is_infinite() {
            return Err(format!(
                "Cannot create a Decimal from {}",
                hoist_gotmpl::format_float(f, 'g', -1)
            ));
        }
        if f == 0.0 {
            return Ok(Decimal {
                value: BigInt::zero(),
                exp: 0,
            });
        }
        // Shortest round-trip digits, as Go's roundShortest gives.
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let neg = mant.starts_with('-');
        let mant = mant.trim_start_matches('-');
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        let digits = format!("{ip}{fp}");
        let value: BigInt = digits.parse().unwrap_or_default();
        let value = if neg { -value } else { value };
        Ok(Decimal {
            value,
            exp: exp - fp.len() as i64,
        })
    }

    fn rescale_pair(a: &Decimal, b: &Decimal) -> (BigInt, BigInt, i64) {
        if a.exp == b.exp {
            (a.value.clone(), b.value.clone(), a.exp)
        } else if a.exp < b.exp {
            (a.value.clone(), &b.value * pow10(b.exp - a.exp), a.exp)
        } else {
            (&a.value * pow10(a.exp - b.exp), b.value.clone(), b.exp)
        }
    }

    /// `d + d2`
    pub fn add(&self, o: &Decimal) -> Decimal {
        let (a, b, exp) = Self::rescale_pair(self, o);
        Decimal { value: a + b, exp }
    }

    /// `d - d2`
    pub fn sub(&self, o: &Decimal) -> Decimal {
        let (a, b, exp) = Self::rescale_pair(self, o);
        Decimal { value: a - b, exp }
    }

    /// `d * d2`
    pub fn mul(&self, o: &Decimal) -> Decimal {
        Decimal {
            value: &self.value * &o.value,
            exp: self.exp + o.exp,
        }
    }

    fn cmp(&self, o: &Decimal) -> std::cmp::Ordering {
        let (a, b, _) = Self::rescale_pair(self, o);
        a.cmp(&b)
    }

    /// `d.Div(d2)`: `DivRound(d2, 16)`. Go panics on a zero divisor with this text.
    pub fn div(&self, o: &Decimal) -> Result<Decimal, String> {
        if o.value.is_zero() {
            return Err("decimal division by 0".into());
        }
        let precision = DIVISION_PRECISION;
        let scale = -precision;
        let e = self.exp - o.exp - scale;
        let (aa, bb, scalerest) = if e < 0 {
            (self.value.clone(), &o.value * pow10(-e), self.exp)
        } else {
            (&self.value * pow10(e), o.value.clone(), scale + o.exp)
        };
        // Go's big.Int QuoRem truncates toward zero.
        let (q, r) = aa.div_rem(&bb);
        let q = Decimal {
            value: q,
            exp: scale,
        };
        let r2 = Decimal {
            value: r.abs() * 2,
            exp: scalerest + precision,
        };
        let d2abs = Decimal {
            value: o.value.abs(),
            exp: o.exp,
        };
        if r2.cmp(&d2abs) == std::cmp::Ordering::Less {
            return Ok(q);
        }
        let one = Decimal {
            value: BigInt::from(1),
            exp: -precision,
        };
        let neg = (self.value.sign() == Sign::Minus) != (o.value.sign() == Sign::Minus)
            && !self.value.is_zero();
        Ok(if neg { q.sub(&one) } else { q.add(&one) })
    }

    /// `d.Float64()`: the nearest float64.
    pub fn to_f64(&self) -> f64 {
        let s = format!("{}e{}", self.value, self.exp);
        s.parse().unwrap_or(0.0)
    }
}
