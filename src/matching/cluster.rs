//! Clustering: links into groups of records that are one person, without
//! chaining strangers together through one weak link.
//!
//! Links are taken strongest first. Two groups join only when no pair across
//! them conflicts (the caller says which pairs do, comparing them afresh),
//! and not both hold a patient of the EMR database. A record must be
//! coherent with the whole group, not just with the one member it resembles.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

/// For each candidate, the index of its cluster; and the links refused
/// because they would have joined incoherent groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clustering {
    /// Clusters are numbered by their first member, so the numbering does not
    /// depend on thread scheduling.
    pub cluster_of: Vec<u32>,
    pub clusters: usize,
    pub refused: Vec<(u32, u32)>,
}

/// `links` are `(a, b, weight)`; `conflict(x, y)` says whether two records
/// must not end in one cluster; `existing` marks patients already in the EMR.
pub fn cluster(links: &[(u32, u32, f64)], conflict: impl Fn(u32, u32) -> bool, existing: &[bool]) -> Clustering {
    let mut order: Vec<usize> = (0..links.len()).collect();
    order.par_sort_unstable_by(|&x, &y| {
        links[y].2.total_cmp(&links[x].2).then((links[x].0, links[x].1).cmp(&(links[y].0, links[y].1)))
    });

    let mut groups = Groups::new(existing);
    let mut refused = Vec::new();
    for index in order {
        let (a, b, _) = links[index];
        let (root_a, root_b) = (groups.root[a as usize], groups.root[b as usize]);
        if root_a == root_b {
            continue;
        }
        let both_existing = groups.existing[root_a as usize] && groups.existing[root_b as usize];
        let kept_apart = !both_existing
            && groups.members(root_a).any(|x| groups.members(root_b).any(|y| conflict(x.min(y), x.max(y))));
        if both_existing || kept_apart {
            refused.push((a, b));
            continue;
        }
        groups.join(root_a, root_b);
    }
    number(&groups.root, refused)
}

/// A set of unordered record pairs, hashed cheaply: asked once for every
/// pair across two joining groups, millions of times at a million records.
pub struct PairSet(HashSet<u64, BuildHasherDefault<PairHasher>>);

impl PairSet {
    pub fn new(pairs: impl Iterator<Item = (u32, u32)>) -> PairSet {
        PairSet(pairs.map(|(a, b)| pack(a, b)).collect())
    }

    pub fn contains(&self, a: u32, b: u32) -> bool {
        self.0.contains(&pack(a, b))
    }
}

fn pack(a: u32, b: u32) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// Fibonacci hashing of an already packed pair: every bit of the key
/// reaches the high bits the table looks at first.
#[derive(Default)]
pub struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(26);
    }
}

/// Groups as circular lists threaded through `next`, so that joining two
/// is constant work and no group owns an allocation.
struct Groups {
    root: Vec<u32>,
    next: Vec<u32>,
    size: Vec<u32>,
    /// Whether the group (by its root) holds a patient of the database.
    existing: Vec<bool>,
}

impl Groups {
    fn new(existing: &[bool]) -> Groups {
        let count = existing.len() as u32;
        Groups {
            root: (0..count).collect(),
            next: (0..count).collect(),
            size: vec![1; existing.len()],
            existing: existing.to_vec(),
        }
    }

    fn members(&self, root: u32) -> impl Iterator<Item = u32> + '_ {
        let mut current = Some(root);
        std::iter::from_fn(move || {
            let member = current?;
            let following = self.next[member as usize];
            current = (following != root).then_some(following);
            Some(member)
        })
    }

    /// The smaller group is relabelled, so each record is relabelled at
    /// most log2(n) times.
    fn join(&mut self, x: u32, y: u32) {
        let (keep, absorb) = if self.size[x as usize] >= self.size[y as usize] { (x, y) } else { (y, x) };
        let mut member = absorb;
        loop {
            self.root[member as usize] = keep;
            member = self.next[member as usize];
            if member == absorb {
                break;
            }
        }
        self.next.swap(keep as usize, absorb as usize);
        self.size[keep as usize] += self.size[absorb as usize];
        self.existing[keep as usize] |= self.existing[absorb as usize];
    }
}

/// Clusters numbered by their first member.
fn number(root: &[u32], refused: Vec<(u32, u32)>) -> Clustering {
    let mut number_of_root = vec![u32::MAX; root.len()];
    let mut clusters = 0u32;
    let cluster_of = root
        .iter()
        .map(|&group| {
            let group = group as usize;
            if number_of_root[group] == u32::MAX {
                number_of_root[group] = clusters;
                clusters += 1;
            }
            number_of_root[group]
        })
        .collect();
    Clustering { cluster_of, clusters: clusters as usize, refused }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apart(pairs: &'static [(u32, u32)]) -> impl Fn(u32, u32) -> bool {
        move |x, y| pairs.contains(&(x, y))
    }

    #[test]
    fn links_form_clusters_numbered_by_first_member() {
        let clustering = cluster(&[(2, 3, 20.0), (0, 2, 15.0)], apart(&[]), &[false; 5]);
        assert_eq!(clustering.cluster_of, vec![0, 1, 0, 0, 2]);
        assert_eq!(clustering.clusters, 3);
        assert!(clustering.refused.is_empty());
    }

    #[test]
    fn a_record_must_agree_with_the_whole_cluster() {
        // 0 and 1 are twins kept apart; 2 resembles both. The stronger link
        // wins and the other is refused instead of chaining the twins.
        let clustering = cluster(&[(0, 2, 20.0), (1, 2, 18.0)], apart(&[(0, 1)]), &[false; 3]);
        assert_eq!(clustering.cluster_of, vec![0, 1, 0]);
        assert_eq!(clustering.refused, vec![(1, 2)]);
    }

    #[test]
    fn two_existing_patients_never_merge() {
        let clustering = cluster(&[(0, 2, 20.0), (1, 2, 18.0)], apart(&[]), &[true, true, false]);
        assert_eq!(clustering.cluster_of, vec![0, 1, 0]);
        assert_eq!(clustering.refused, vec![(1, 2)]);
    }

    #[test]
    fn groups_of_several_join_whole_and_a_conflict_anywhere_refuses() {
        // 0-1-2 and 3-4 form; 5 links to 4 but conflicts with 3; then the
        // two groups join through 2-3, and every member follows.
        let links = [(0, 1, 30.0), (1, 2, 29.0), (3, 4, 28.0), (4, 5, 27.0), (2, 3, 26.0)];
        let clustering = cluster(&links, apart(&[(3, 5)]), &[false; 6]);
        assert_eq!(clustering.cluster_of, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(clustering.refused, vec![(4, 5)]);
        let links = PairSet::new([(1, 0), (4, 5)].into_iter());
        assert!(links.contains(0, 1) && links.contains(1, 0) && links.contains(5, 4));
        assert!(!links.contains(0, 4) && !links.contains(1, 5));
    }

    #[test]
    fn equal_weights_are_taken_in_pair_order() {
        let first = cluster(&[(1, 2, 10.0), (0, 2, 10.0)], apart(&[(0, 1)]), &[false; 3]);
        let second = cluster(&[(0, 2, 10.0), (1, 2, 10.0)], apart(&[(0, 1)]), &[false; 3]);
        assert_eq!(first, second);
        assert_eq!(first.cluster_of, vec![0, 1, 0]);
    }
}
