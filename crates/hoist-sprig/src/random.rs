//! Randomness from the operating system (Go's `crypto/rand`; `math/rand` callers such as
//! `shuffle` and `randInt` need no particular sequence, only uniform draws).

/// A uniformly random integer in `0..bound` (`bound > 0`; 0 for `bound == 0`).
pub fn below(bound: u64) -> u64 {
    if bound <= 1 {
        return 0;
    }
    // Rejection sampling to avoid modulo bias.
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let mut buf = [0u8; 8];
        if getrandom::fill(&mut buf).is_err() {
            // No entropy source: fall back to a time-based value rather than failing.
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            return t % bound;
        }
        let v = u64::from_le_bytes(buf);
        if v < zone {
            return v % bound;
        }
    }
}
