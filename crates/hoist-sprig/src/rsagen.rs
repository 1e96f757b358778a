//! RSA key generation the way Go's `crypto/rsa.GenerateKey` does it (Go 1.24+, FIPS 186-5
//! Appendix A.1.3), but fast:
//!
//! * each prime is a fresh random odd number of half the modulus size with its top two bits set
//!   (so `n` has exactly the asked size), kept when it passes trial division and Miller-Rabin with
//!   Go's round counts (5 for 1024-bit primes, 4 for 2048-bit ones) — every prime of the range is
//!   equally likely, as in Go (no incremental sieve);
//! * `e = 65537`, `d = e⁻¹ mod (p-1)(q-1)` (Go uses φ, not λ), `p` and `q` retried when `e` is not
//!   invertible or `|p - q| ≤ 2^(bits/2 - 100)`; `dP`, `dQ`, `qInv = q⁻¹ mod p` as Go's
//!   precomputed values, so the PKCS#1 encoding has Go's fields in Go's order;
//! * the prime search runs on every core at once (the primes are independent random draws, so
//!   which thread finds which one does not matter), with Montgomery arithmetic on fixed-size
//!   limbs for Miller-Rabin and a cheap multi-prime trial division in front of it.
//!
//! No key pool: generating keys ahead of the calls (on the static count of call sites) burned a
//! core on the many charts whose certificate branches are off, and gained little where keys are
//! used, since each key already takes every core.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use num_bigint::BigUint;

use crate::crypto::der;

/// Trial division uses the odd primes below this bound.
const SIEVE_LIMIT: u32 = 1 << 14;

/// Most limbs a prime may have (2048-bit primes, for 4096-bit keys).
const MAX_LIMBS: usize = 32;

/// Odd small primes, grouped so each group's product fits in 32 bits, with `2^(64 i) mod product`.
struct SieveGroup {
    product: u64,
    primes: Vec<u64>,
    pow: [u64; MAX_LIMBS],
}

fn sieve_groups() -> &'static [SieveGroup] {
    static GROUPS: OnceLock<Vec<SieveGroup>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let limit = SIEVE_LIMIT as usize;
        let mut composite = vec![false; limit];
        let mut primes = Vec::new();
        for i in 3..limit {
            if composite[i] {
                continue;
            }
            if i % 2 == 1 {
                primes.push(i as u64);
            }
            let mut j = i * i;
            while j < limit {
                composite[j] = true;
                j += i;
            }
        }
        let mut groups: Vec<SieveGroup> = Vec::new();
        for p in primes {
            match groups.last_mut() {
                Some(g) if g.product * p < 1 << 32 => {
                    g.product *= p;
                    g.primes.push(p);
                }
                _ => groups.push(SieveGroup {
                    product: p,
                    primes: vec![p],
                    pow: [0; MAX_LIMBS],
                }),
            }
        }
        for g in &mut groups {
            // 2^64 mod product, then its powers.
            let base = ((1u128 << 64) % u128::from(g.product)) as u64;
            let mut acc = 1 % g.product;
            for slot in g.pow.iter_mut() {
                *slot = acc;
                acc = ((u128::from(acc) * u128::from(base)) % u128::from(g.product)) as u64;
            }
        }
        groups
    })
}

/// False when a small prime divides `w` (little-endian limbs).
fn passes_trial_division(w: &[u64]) -> bool {
    for g in sieve_groups() {
        let mut acc: u128 = 0;
        for (limb, pow) in w.iter().zip(g.pow.iter()) {
            acc += u128::from(*limb) * u128::from(*pow);
        }
        let r = (acc % u128::from(g.product)) as u64;
        if g.primes.iter().any(|p| r.is_multiple_of(*p)) {
            return false;
        }
    }
    true
}

/// Montgomery arithmetic modulo an odd `m` of `N` limbs whose top bit is set.
struct Mont<const N: usize> {
    m: [u64; N],
    /// `-m⁻¹ mod 2^64`
    m0inv: u64,
}

fn less<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

fn sub_assign<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
    let mut borrow = false;
    for i in 0..N {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        a[i] = d;
        borrow = b1 || b2;
    }
}

impl<const N: usize> Mont<N> {
    fn new(m: [u64; N]) -> Self {
        // Newton's iteration doubles the correct low bits each step: 1 → 64 in 6 steps.
        let mut inv: u64 = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        Mont {
            m,
            m0inv: inv.wrapping_neg(),
        }
    }

    /// `a·b·R⁻¹ mod m` (the multiplication and reduction interleaved), for `a, b < m`.
    fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut top: u64 = 0;
        for &bi in b.iter() {
            let bi = u128::from(bi);
            let s = u128::from(t[0]) + u128::from(a[0]) * bi;
            let mut c1 = s >> 64;
            let lo = s as u64;
            let mm = u128::from(lo.wrapping_mul(self.m0inv));
            let mut c2 = (u128::from(lo) + mm * u128::from(self.m[0])) >> 64;
            for j in 1..N {
                let s = u128::from(t[j]) + u128::from(a[j]) * bi + c1;
                c1 = s >> 64;
                let s2 = u128::from(s as u64) + mm * u128::from(self.m[j]) + c2;
                c2 = s2 >> 64;
                t[j - 1] = s2 as u64;
            }
            let s = u128::from(top) + c1 + c2;
            t[N - 1] = s as u64;
            top = (s >> 64) as u64;
        }
        if top != 0 || !less(&t, &self.m) {
            sub_assign(&mut t, &self.m);
        }
        t
    }

    /// `a·a·R⁻¹ mod m`, for `a < m`: the square's cross products once, doubled, then reduced.
    fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        let mut buf = [0u64; 2 * MAX_LIMBS];
        let t = &mut buf[..2 * N];
        for i in 0..N {
            let ai = u128::from(a[i]);
            let mut carry: u128 = 0;
            for (tk, aj) in t[2 * i + 1..i + N].iter_mut().zip(a[i + 1..].iter()) {
                let s = u128::from(*tk) + ai * u128::from(*aj) + carry;
                *tk = s as u64;
                carry = s >> 64;
            }
            t[i + N] = carry as u64;
        }
        let mut high = 0u64;
        for v in t.iter_mut() {
            let old = *v;
            *v = (old << 1) | high;
            high = old >> 63;
        }
        let mut carry: u128 = 0;
        for (i, pair) in t.chunks_exact_mut(2).enumerate() {
            let sq = u128::from(a[i]) * u128::from(a[i]);
            let s = u128::from(pair[0]) + (sq & u128::from(u64::MAX)) + carry;
            pair[0] = s as u64;
            let s = u128::from(pair[1]) + (sq >> 64) + (s >> 64);
            pair[1] = s as u64;
            carry = s >> 64;
        }
        let mut extra = 0u64;
        for i in 0..N {
            let mm = u128::from(t[i].wrapping_mul(self.m0inv));
            let mut carry: u128 = 0;
            for (tk, mj) in t[i..i + N].iter_mut().zip(self.m.iter()) {
                let s = u128::from(*tk) + mm * u128::from(*mj) + carry;
                *tk = s as u64;
                carry = s >> 64;
            }
            let s = u128::from(t[i + N]) + carry + u128::from(extra);
            t[i + N] = s as u64;
            extra = (s >> 64) as u64;
        }
        let mut out = [0u64; N];
        out.copy_from_slice(&t[N..]);
        if extra != 0 || !less(&out, &self.m) {
            sub_assign(&mut out, &self.m);
        }
        out
    }

    /// `base^exp` in the Montgomery domain (`base` and `one` are Montgomery forms).
    fn pow(&self, base: &[u64; N], exp: &[u64; N], one: &[u64; N]) -> [u64; N] {
        const WINDOW: usize = 5;
        let mut table = [*one; 1 << WINDOW];
        for i in 1..table.len() {
            table[i] = self.mul(&table[i - 1], base);
        }
        let bits = bit_len(exp);
        let bit = |i: usize| (exp[i / 64] >> (i % 64)) & 1;
        let mut acc = *one;
        let mut i = bits;
        let mut first = true;
        while i > 0 {
            let w = i.min(WINDOW);
            let mut digit = 0usize;
            for k in (i - w..i).rev() {
                digit = (digit << 1) | bit(k) as usize;
            }
            if first {
                acc = table[digit];
                first = false;
            } else {
                for _ in 0..w {
                    acc = self.sqr(&acc);
                }
                if digit != 0 {
                    acc = self.mul(&acc, &table[digit]);
                }
            }
            i -= w;
        }
        acc
    }
}

fn bit_len(a: &[u64]) -> usize {
    for i in (0..a.len()).rev() {
        if a[i] != 0 {
            return i * 64 + 64 - a[i].leading_zeros() as usize;
        }
    }
    0
}

fn random_limbs<const N: usize>() -> Result<[u64; N], String> {
    let mut bytes = [0u8; MAX_LIMBS * 8];
    let bytes = &mut bytes[..N * 8];
    aws_lc_rs::rand::fill(bytes).map_err(|_| "crypto/rand: failed to read random data")?;
    let mut out = [0u64; N];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    Ok(out)
}

/// Miller-Rabin with `rounds` random bases (FIPS 186-5 B.3.1), for an odd `w` with its top bit set.
fn miller_rabin<const N: usize>(w: &[u64; N], rounds: usize) -> Result<bool, String> {
    let mont = Mont::new(*w);
    // R mod w = R - w, as w > R/2.
    let mut one = [0u64; N];
    sub_assign(&mut one, w);
    let mut minus_one = *w;
    sub_assign(&mut minus_one, &one);
    // w - 1 = 2^a · m with m odd.
    let mut w1 = *w;
    w1[0] &= !1;
    let a = w1
        .iter()
        .enumerate()
        .find(|(_, l)| **l != 0)
        .map_or(0, |(i, l)| i * 64 + l.trailing_zeros() as usize);
    let mut m = [0u64; N];
    let (limbs, shift) = (a / 64, a % 64);
    for i in 0..N - limbs {
        let lo = w1[i + limbs] >> shift;
        let hi = if shift != 0 && i + limbs + 1 < N {
            w1[i + limbs + 1] << (64 - shift)
        } else {
            0
        };
        m[i] = lo | hi;
    }
    let mut done = 0;
    while done < rounds {
        // A random Montgomery form is a random base b = bR⁻¹; 0, 1 and w-1 are rejected.
        let b = random_limbs::<N>()?;
        if !less(&b, w) || b == [0u64; N] || b == one || b == minus_one {
            continue;
        }
        let mut z = mont.pow(&b, &m, &one);
        if z != one && z != minus_one {
            let mut probable = false;
            for _ in 1..a {
                z = mont.sqr(&z);
                if z == minus_one {
                    probable = true;
                    break;
                }
                if z == one {
                    break;
                }
            }
            if !probable {
                return Ok(false);
            }
        }
        done += 1;
    }
    Ok(true)
}

/// Searches random primes of `64·N` bits until `stop` is set; returns one when found.
fn search_prime<const N: usize>(stop: &AtomicBool) -> Result<Option<[u64; N]>, String> {
    search_prime_until(|| stop.load(Ordering::Relaxed))
}

/// Searches random primes of `64·N` bits until `stop()` says so (asked before each candidate).
fn search_prime_until<const N: usize>(stop: impl Fn() -> bool) -> Result<Option<[u64; N]>, String> {
    let rounds = if N * 64 >= 1345 { 4 } else { 5 };
    while !stop() {
        let mut w = random_limbs::<N>()?;
        w[N - 1] |= 0b11 << 62;
        w[0] |= 1;
        if passes_trial_division(&w) && miller_rabin(&w, rounds)? {
            return Ok(Some(w));
        }
    }
    Ok(None)
}

/// `count` random primes of `64·N` bits, searched for on up to `threads` threads at once.
fn find_primes<const N: usize>(count: usize, threads: usize) -> Result<Vec<[u64; N]>, String> {
    let found: Mutex<Vec<[u64; N]>> = Mutex::new(Vec::with_capacity(count));
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let work = || {
        loop {
            match search_prime::<N>(&stop) {
                Ok(Some(p)) => {
                    let mut f = found.lock().unwrap_or_else(|e| e.into_inner());
                    if f.len() < count {
                        f.push(p);
                    }
                    if f.len() >= count {
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            // Fewer threads when the system refuses one: the search still completes.
            let _ = std::thread::Builder::new().spawn_scoped(s, work);
        }
        work();
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(found.into_inner().unwrap_or_else(|e| e.into_inner()))
}

fn to_big(limbs: &[u64]) -> BigUint {
    let digits: Vec<u32> = limbs
        .iter()
        .flat_map(|l| [*l as u32, (*l >> 32) as u32])
        .collect();
    BigUint::new(digits)
}

/// An RSA private key's numbers, as Go's `rsa.PrivateKey` holds them.
pub(crate) struct RsaKey {
    n: BigUint,
    e: BigUint,
    d: BigUint,
    p: BigUint,
    q: BigUint,
    dp: BigUint,
    dq: BigUint,
    qinv: BigUint,
}

impl RsaKey {
    /// The key from two primes, or `None` where Go's loop would draw new ones.
    fn from_primes(p: BigUint, q: BigUint, bits: u64) -> Option<RsaKey> {
        let one = BigUint::from(1u32);
        let e = BigUint::from(65537u32);
        let n = &p * &q;
        if n.bits() != bits {
            return None;
        }
        let (p1, q1) = (&p - &one, &q - &one);
        let d = e.modinv(&(&p1 * &q1))?;
        let diff = if p > q { &p - &q } else { &q - &p };
        if diff.bits() <= bits / 2 - 100 {
            return None;
        }
        let qinv = q.modinv(&p)?;
        Some(RsaKey {
            dp: &d % &p1,
            dq: &d % &q1,
            n,
            e,
            d,
            p,
            q,
            qinv,
        })
    }

    /// PKCS#1 `RSAPrivateKey` DER (Go's `x509.MarshalPKCS1PrivateKey`).
    pub(crate) fn pkcs1_der(&self) -> Vec<u8> {
        let int = |v: &BigUint| {
            let mut bytes = v.to_bytes_be();
            if bytes[0] & 0x80 != 0 {
                bytes.insert(0, 0);
            }
            bytes
        };
        let mut body = vec![0x02, 0x01, 0x00];
        for v in [
            &self.n, &self.e, &self.d, &self.p, &self.q, &self.dp, &self.dq, &self.qinv,
        ] {
            body.extend(der::write(0x02, &int(v)));
        }
        der::write(0x30, &body)
    }
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// A new RSA key of 2048 or 4096 bits (other sizes are refused).
pub(crate) fn generate(bits: u64) -> Result<RsaKey, String> {
    loop {
        let primes: Vec<BigUint> = match bits {
            2048 => find_primes::<16>(2, threads())?
                .iter()
                .map(|p| to_big(p))
                .collect(),
            4096 => find_primes::<32>(2, threads())?
                .iter()
                .map(|p| to_big(p))
                .collect(),
            _ => return Err(format!("unsupported RSA key size {bits}")),
        };
        let mut primes = primes.into_iter();
        let (Some(p), Some(q)) = (primes.next(), primes.next()) else {
            return Err("rsa: prime search stopped".into());
        };
        if let Some(key) = RsaKey::from_primes(p, q, bits) {
            return Ok(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montgomery_matches_bigint() {
        for _ in 0..20 {
            let mut m = random_limbs::<16>().unwrap();
            m[15] |= 1 << 63;
            m[0] |= 1;
            let mont = Mont::new(m);
            let big_m = to_big(&m);
            let r: BigUint = BigUint::from(1u32) << 1024usize;
            let mut a = random_limbs::<16>().unwrap();
            a[15] >>= 2;
            let mut b = random_limbs::<16>().unwrap();
            b[15] >>= 2;
            let e = random_limbs::<16>().unwrap();
            let rinv = r.modinv(&big_m).unwrap();
            let got = to_big(&mont.mul(&a, &b));
            assert_eq!(got, to_big(&a) * to_big(&b) * &rinv % &big_m);
            let got = to_big(&mont.sqr(&a));
            assert_eq!(got, to_big(&a) * to_big(&a) * &rinv % &big_m);
            let all_ones = [u64::MAX; 16];
            let mut top = all_ones;
            sub_assign(&mut top, &[1; 16]);
            if less(&top, &m) {
                assert_eq!(
                    to_big(&mont.sqr(&top)),
                    to_big(&top).pow(2) * &rinv % &big_m
                );
            }
            let mut one = [0u64; 16];
            sub_assign(&mut one, &m);
            let got = to_big(&mont.pow(&a, &e, &one));
            // Montgomery forms: (aR)^e R^(1-e) = a^e R.
            let a_plain = to_big(&a) * &rinv % &big_m;
            let want = a_plain.modpow(&to_big(&e), &big_m) * &r % &big_m;
            assert_eq!(got, want);
        }
    }

    /// RFC 2409's 1024-bit and RFC 3526's 2048-bit MODP primes (checked with `openssl prime`).
    const MODP_1024: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";
    const MODP_2048: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

    fn limbs<const N: usize>(v: &BigUint) -> [u64; N] {
        let mut out = [0u64; N];
        for (o, d) in out.iter_mut().zip(v.iter_u64_digits()) {
            *o = d;
        }
        out
    }

    fn hex(s: &str) -> BigUint {
        BigUint::parse_bytes(s.as_bytes(), 16).unwrap()
    }

    #[test]
    fn miller_rabin_and_trial_division() {
        let p = hex(MODP_1024);
        let prime = limbs::<16>(&p);
        assert!(passes_trial_division(&prime));
        assert!(miller_rabin(&prime, 5).unwrap());
        assert!(miller_rabin(&limbs::<32>(&hex(MODP_2048)), 4).unwrap());
        // p + 24 has no factor below 8192 (so trial division keeps it) but is composite.
        let composite = limbs::<16>(&(&p + 24u32));
        assert!(passes_trial_division(&composite));
        assert!(!miller_rabin(&composite, 5).unwrap());
        // p + 2 is divisible by a small prime.
        assert!(!passes_trial_division(&limbs::<16>(&(&p + 2u32))));
        assert!(!miller_rabin(&limbs::<16>(&(&p + 2u32)), 5).unwrap());
        // The 2048-bit MODP prime + 20: no factor below 8192, composite.
        let composite = limbs::<32>(&(hex(MODP_2048) + 20u32));
        assert!(passes_trial_division(&composite));
        assert!(!miller_rabin(&composite, 4).unwrap());
    }

    #[test]
    fn generated_keys_are_consistent() {
        let key = generate(2048).unwrap();
        assert_eq!(key.n.bits(), 2048);
        assert_eq!(key.p.bits(), 1024);
        assert_eq!(key.q.bits(), 1024);
        assert_eq!(&key.p * &key.q, key.n);
        let one = BigUint::from(1u32);
        let phi = (&key.p - &one) * (&key.q - &one);
        assert_eq!(&key.e * &key.d % &phi, one);
        assert_eq!(&key.q * &key.qinv % &key.p, one);
        let m = BigUint::from(123_456_789u32);
        assert_eq!(m.modpow(&key.e, &key.n).modpow(&key.d, &key.n), m);
    }
}
