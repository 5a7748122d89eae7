//! Deterministic randomness: a seeded generator for workloads and event ids. The engine never
//! asks the platform for randomness, so the same seed gives the same log, byte for byte.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;
use uuid::{Builder, Uuid};

use crate::ids::EventId;

/// Where new event ids come from. The browser passes random v4 ids; replays and benchmarks
/// pass a [`SeededRng`].
pub trait IdSource {
    fn next_event_id(&mut self) -> EventId;
}

/// A small, fast, portable PRNG (PCG 64/MCG): the same sequence on every platform.
#[derive(Clone, Debug)]
pub struct SeededRng(Pcg64Mcg);

impl SeededRng {
    pub fn new(seed: u64) -> SeededRng {
        SeededRng(Pcg64Mcg::seed_from_u64(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..bound` (`bound` > 0), by Lemire's multiply-shift: unbiased enough for
    /// workloads and far cheaper than division.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound.max(1))) >> 64) as u64
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.below(items.len() as u64) as usize)
    }

    /// Moves past the next `count` event ids without making them, in steps logarithmic in
    /// `count` (PCG jumps ahead): a workload resumed on a log of millions finds its place at
    /// once.
    pub fn skip_ids(&mut self, count: u64) {
        // An id is sixteen bytes: two draws.
        self.0.advance(u128::from(count) * 2);
    }

    /// A version-4 UUID built from this generator's bits.
    pub fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.0.fill_bytes(&mut bytes);
        Builder::from_random_bytes(bytes).into_uuid()
    }
}

impl IdSource for SeededRng {
    fn next_event_id(&mut self) -> EventId {
        EventId(self.uuid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_ids() {
        let mut a = SeededRng::new(42);
        let mut b = SeededRng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_event_id(), b.next_event_id());
        }
        assert_ne!(SeededRng::new(1).uuid(), SeededRng::new(2).uuid());
    }

    #[test]
    fn skipping_ids_lands_where_making_them_would() {
        for count in [0, 1, 2, 7, 1_000] {
            let mut made = SeededRng::new(9);
            for _ in 0..count {
                made.next_event_id();
            }
            let mut skipped = SeededRng::new(9);
            skipped.skip_ids(count);
            assert_eq!(
                skipped.next_event_id(),
                made.next_event_id(),
                "after {count}"
            );
            assert_eq!(skipped.next_u64(), made.next_u64());
        }
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SeededRng::new(7);
        assert!((0..10_000).all(|_| rng.below(6) < 6));
        assert!((0..10_000).all(|_| (3..=9).contains(&rng.between(3, 9))));
    }
}
