//! Clustering: links into groups of records that are one person, without
//! chaining strangers together through one weak link.
//!
//! Links are taken strongest first. Two groups join only when no pair across
//! them conflicts (the caller says which pairs do, comparing them afresh),
//! and not both hold a patient of the EMR database. A record must be
//! coherent with the whole group, not just with the one member it resembles.

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

impl Clustering {
    /// Whether clustering refused the link `(a, b)` (as the links give it).
    pub fn is_refused(&self, a: u32, b: u32) -> bool {
        // Sorted, and few.
        self.refused.binary_search(&(a, b)).is_ok()
    }
}

/// `links` are `(a, b, weight)`; `conflict(x, y)` says whether two records
/// must not end in one cluster; `existing` marks patients already in the EMR.
///
/// Links of different connected components never meet, so each component
/// is clustered on its own, in parallel; within one, links are taken in the
/// same order as if all were, and the result does not depend on threads.
pub fn cluster(links: &[(u32, u32, f64)], conflict: impl Fn(u32, u32) -> bool + Sync, existing: &[bool]) -> Clustering {
    let component = components(links.iter().map(|&(a, b, _)| (a, b)), existing.len());
    // Sorted on keys held beside each link: a comparison that looked the
    // components up would miss the cache at every step.
    let mut keyed: Vec<KeyedLink> =
        links.iter().map(|&(a, b, weight)| (component[a as usize], descending(weight), a, b)).collect();
    drop(component);
    keyed.par_sort_unstable();
    // Each thread gathers its components' results in one pair of vectors:
    // one per component would be a million small allocations.
    let parts: Vec<ComponentClusters> = keyed
        .chunk_by(|x, y| x.0 == y.0)
        .collect::<Vec<_>>()
        .into_par_iter()
        .fold(ComponentClusters::default, |mut part, component| {
            cluster_component(component, &conflict, existing, &mut part);
            part
        })
        .collect();
    drop(keyed);
    let mut root: Vec<u32> = (0..existing.len() as u32).collect();
    let mut refused = Vec::new();
    for part in parts {
        for (member, member_root) in part.joined {
            root[member as usize] = member_root;
        }
        refused.extend(part.refused);
    }
    refused.sort_unstable();
    number(&root, refused)
}

/// A weight as a key that sorts strongest first (total order, as
/// `f64::total_cmp`).
fn descending(weight: f64) -> u64 {
    let bits = weight.to_bits();
    let ascending = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
    !ascending
}

/// Each record's connected component under the links, named by a record
/// of it (plain union-find: no conflicts considered yet).
pub(super) fn components(links: impl Iterator<Item = (u32, u32)>, count: usize) -> Vec<u32> {
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let grand = parent[parent[x as usize] as usize];
            parent[x as usize] = grand;
            x = grand;
        }
        x
    }
    let mut parent: Vec<u32> = (0..count as u32).collect();
    for (a, b) in links {
        let (root_a, root_b) = (find(&mut parent, a), find(&mut parent, b));
        if root_a != root_b {
            parent[root_a.max(root_b) as usize] = root_a.min(root_b);
        }
    }
    (0..count as u32).map(|x| find(&mut parent, x)).collect()
}

/// Components' records with the root of their group, and their refused
/// links.
#[derive(Default)]
struct ComponentClusters {
    joined: Vec<(u32, u32)>,
    refused: Vec<(u32, u32)>,
}

/// A link as clustering takes it: its component, its strength (as
/// `descending`), its records.
type KeyedLink = (u32, u64, u32, u32);

/// Greedy clustering of one component's links (strongest first), into
/// `out`.
fn cluster_component(
    links: &[KeyedLink],
    conflict: &impl Fn(u32, u32) -> bool,
    existing: &[bool],
    out: &mut ComponentClusters,
) {
    if let [(_, _, a, b)] = *links {
        // One link between two records: no third record to conflict with.
        if existing[a as usize] && existing[b as usize] {
            out.refused.push((a, b));
        } else {
            out.joined.extend([(a, a), (b, a)]);
        }
        return;
    }
    let mut members: Vec<u32> = links.iter().flat_map(|&(_, _, a, b)| [a, b]).collect();
    members.sort_unstable();
    members.dedup();
    let local = |record: u32| members.binary_search(&record).expect("a link's records are members") as u32;
    let member_existing: Vec<bool> = members.iter().map(|&member| existing[member as usize]).collect();

    let mut groups = Groups::new(&member_existing);
    for &(_, _, a, b) in links {
        let (root_a, root_b) = (groups.root[local(a) as usize], groups.root[local(b) as usize]);
        if root_a == root_b {
            continue;
        }
        let both_existing = groups.existing[root_a as usize] && groups.existing[root_b as usize];
        let kept_apart = !both_existing
            && groups.members(root_a).any(|x| {
                groups.members(root_b).any(|y| {
                    let (x, y) = (members[x as usize], members[y as usize]);
                    conflict(x.min(y), x.max(y))
                })
            });
        if both_existing || kept_apart {
            out.refused.push((a, b));
            continue;
        }
        groups.join(root_a, root_b);
    }
    out.joined.extend(groups.root.iter().enumerate().map(|(x, &root)| (members[x], members[root as usize])));
}

/// Each record's link partners, sorted, in one array (compressed rows):
/// whether two records are linked is asked for every pair of one record's
/// partners and for every pair across two joining groups. A hash set of the
/// pairs missed the cache at every question; here the questions about one
/// record read one short run of memory.
pub struct Partners {
    /// Where each record's partners start in `partners`; one more entry than
    /// records.
    start: Vec<u32>,
    partners: Vec<u32>,
}

impl Partners {
    pub fn new(count: usize, pairs: impl Iterator<Item = (u32, u32)>) -> Partners {
        let mut directed: Vec<u64> = pairs
            .flat_map(|(a, b)| [(u64::from(a) << 32) | u64::from(b), (u64::from(b) << 32) | u64::from(a)])
            .collect();
        directed.par_sort_unstable();
        directed.dedup();
        let mut start = vec![0u32; count + 1];
        for &pair in &directed {
            start[(pair >> 32) as usize + 1] += 1;
        }
        for record in 0..count {
            start[record + 1] += start[record];
        }
        let partners = directed.iter().map(|&pair| pair as u32).collect();
        Partners { start, partners }
    }

    /// The records `record` links to, in ascending order.
    pub fn of(&self, record: u32) -> &[u32] {
        let record = record as usize;
        &self.partners[self.start[record] as usize..self.start[record + 1] as usize]
    }

    pub fn contains(&self, a: u32, b: u32) -> bool {
        let (a, b) = if self.of(a).len() <= self.of(b).len() { (a, b) } else { (b, a) };
        self.of(a).binary_search(&b).is_ok()
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
        let links = Partners::new(6, [(1, 0), (4, 5), (0, 4), (1, 0)].into_iter());
        assert!(links.contains(0, 1) && links.contains(1, 0) && links.contains(5, 4) && links.contains(4, 0));
        assert!(!links.contains(1, 4) && !links.contains(1, 5) && !links.contains(2, 3));
        assert_eq!((links.of(0), links.of(1), links.of(2), links.of(4)), (&[1, 4][..], &[0][..], &[][..], &[0, 5][..]));
    }

    #[test]
    fn weights_sort_strongest_first_as_keys() {
        let weights = [f64::INFINITY, 30.5, 2.0, 0.0, -0.0, -1.5, -40.0, f64::NEG_INFINITY];
        let keys: Vec<u64> = weights.iter().map(|&weight| descending(weight)).collect();
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "{keys:?}");
    }

    #[test]
    fn components_are_clustered_apart_with_the_same_rules() {
        // Two components, each with a record that conflicts with its
        // component's strongest pair, interleaved in the link list.
        let links = [(0, 2, 20.0), (3, 5, 25.0), (1, 2, 18.0), (4, 5, 19.0), (0, 1, 5.0)];
        let clustering = cluster(&links, apart(&[(0, 1), (3, 4)]), &[false; 6]);
        assert_eq!(clustering.cluster_of, vec![0, 1, 0, 2, 3, 2]);
        assert_eq!(clustering.refused, vec![(0, 1), (1, 2), (4, 5)]);
    }

    #[test]
    fn equal_weights_are_taken_in_pair_order() {
        let first = cluster(&[(1, 2, 10.0), (0, 2, 10.0)], apart(&[(0, 1)]), &[false; 3]);
        let second = cluster(&[(0, 2, 10.0), (1, 2, 10.0)], apart(&[(0, 1)]), &[false; 3]);
        assert_eq!(first, second);
        assert_eq!(first.cluster_of, vec![0, 1, 0]);
    }
}
