//! Bucket sort for large sorts of items whose keys spread evenly (blocking
//! keys, which are hashes) or that are grouped by a small number (records
//! by cluster). Items are counted into buckets and placed in one pass each,
//! then each small bucket is sorted: two sequential passes over memory where
//! a comparison sort of millions of items makes twenty, at a million
//! patients the larger part of blocking.

use std::ops::Range;

use rayon::prelude::*;

/// Items grouped by bucket (`buckets` of them, numbered from 0), sorted
/// within each bucket, into `sorted`, a vector the caller may keep from one
/// sort to the next (blocking sorts one rule's keys after another, and a
/// fresh vector each time had the system zero tens of megabytes of new
/// pages); returns where each bucket starts (`starts[b]..starts[b + 1]`).
/// `items` is walked twice: once to count, once to place.
pub fn bucket_sort_into<T, I>(items: I, buckets: usize, sorted: &mut Vec<T>) -> Vec<usize>
where
    T: Copy + Ord + Send + Default,
    I: Iterator<Item = (usize, T)> + Clone,
{
    let mut starts = vec![0usize; buckets + 1];
    for (bucket, _) in items.clone() {
        starts[bucket + 1] += 1;
    }
    for bucket in 1..=buckets {
        starts[bucket] += starts[bucket - 1];
    }
    sorted.clear();
    sorted.resize(starts[buckets], T::default());
    let mut next = starts[..buckets].to_vec();
    for (bucket, item) in items {
        sorted[next[bucket]] = item;
        next[bucket] += 1;
    }
    drop(next);
    let pieces = split_on_buckets(sorted, &starts);
    pieces.into_par_iter().for_each(|(piece, buckets)| {
        let base = starts[buckets.start];
        for bucket in buckets {
            piece[starts[bucket] - base..starts[bucket + 1] - base].sort_unstable();
        }
    });
    starts
}

/// `sorted` cut on bucket boundaries into a few hundred pieces, each with
/// the buckets it holds, for threads to sort apart.
fn split_on_buckets<'s, T>(mut sorted: &'s mut [T], starts: &[usize]) -> Vec<(&'s mut [T], Range<usize>)> {
    let buckets = starts.len() - 1;
    let count = buckets.clamp(1, 512);
    let mut pieces = Vec::with_capacity(count);
    let mut first = 0;
    for piece in 1..=count {
        let last = buckets * piece / count;
        let (head, tail) = sorted.split_at_mut(starts[last] - starts[first]);
        pieces.push((head, first..last));
        sorted = tail;
        first = last;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket_sort<T, I>(items: I, buckets: usize) -> (Vec<T>, Vec<usize>)
    where
        T: Copy + Ord + Send + Default,
        I: Iterator<Item = (usize, T)> + Clone,
    {
        let mut sorted = Vec::new();
        let starts = bucket_sort_into(items, buckets, &mut sorted);
        (sorted, starts)
    }

    #[test]
    fn items_end_in_their_buckets_sorted_within() {
        let items = [(2, 30u64), (0, 9), (2, 10), (1, 5), (0, 1), (2, 20)];
        let (sorted, starts) = bucket_sort(items.iter().copied(), 4);
        assert_eq!(sorted, vec![1, 9, 5, 10, 20, 30]);
        assert_eq!(starts, vec![0, 2, 3, 6, 6]);
    }

    #[test]
    fn a_monotone_bucket_gives_a_full_sort() {
        let mut state = 7u64;
        let keys: Vec<u64> = (0..20_000)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                state
            })
            .collect();
        let (sorted, _) = bucket_sort(keys.iter().map(|&key| ((key >> 52) as usize, key)), 1 << 12);
        let mut expected = keys;
        expected.sort_unstable();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn nothing_to_sort_is_no_trouble() {
        let (sorted, starts) = bucket_sort(std::iter::empty::<(usize, u64)>(), 3);
        assert!(sorted.is_empty());
        assert_eq!(starts, vec![0, 0, 0, 0]);
        let (sorted, starts) = bucket_sort(std::iter::empty::<(usize, u64)>(), 0);
        assert!(sorted.is_empty());
        assert_eq!(starts, vec![0]);
    }
}
