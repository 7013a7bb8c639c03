//! The unit tests' pseudo-random numbers: Marsaglia's xorshift64 (shifts
//! 13, 7, 17), seeded, so every run draws the same numbers and a failure
//! repeats. The integration tests have the same stream in
//! `tests/support`, as they cannot see this crate's test-only code.

/// A xorshift64 stream; its seed must not be 0 (0 stays 0).
pub(crate) struct XorShift(u64);

impl XorShift {
    pub(crate) fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    /// The next number of the stream.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let x = &mut self.0;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }
}
