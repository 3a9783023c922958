//! The generator's random numbers: SplitMix64, written out here rather than
//! taken from a crate, because a rehearsal practice must come out byte for
//! byte the same from the same seed in every future version, and general
//! purpose RNG crates reserve the right to change their streams.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5EED_0FE3_12A7_0001)
    }

    /// An independent stream for one purpose, so adding draws in one part of
    /// the generator does not shift every value in another.
    pub fn fork(&mut self, purpose: u64) -> Rng {
        Rng(self.next_u64() ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // Lemire's multiply-shift: no modulo bias worth the name at these n.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Draws indexes in proportion to fixed weights (cumulative table, binary
/// search): Zipf-like name frequencies.
pub struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    /// Weights `1 / rank^exponent` for `count` items.
    pub fn zipf(count: usize, exponent: f64) -> Weighted {
        Weighted::new((1..=count).map(|rank| 1.0 / (rank as f64).powf(exponent)))
    }

    pub fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|weight| {
                total += weight;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().expect("at least one weight");
        let target = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) * total;
        self.cumulative.partition_point(|&edge| edge <= target).min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn below_and_weighted_stay_in_range_and_follow_weights() {
        let mut rng = Rng::new(1);
        let weighted = Weighted::new([1.0, 0.0, 3.0]);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            assert!(rng.below(5) < 5);
            counts[weighted.draw(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0);
        let ratio = counts[2] as f64 / counts[0] as f64;
        assert!((2.7..3.3).contains(&ratio), "{counts:?}");
    }
}
