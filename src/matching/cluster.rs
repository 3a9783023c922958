//! Clustering: links into groups of records that are one person, without
//! chaining strangers together through one weak link.
//!
//! Links are taken strongest first. Two groups join only when no pair across
//! them conflicts (the caller says which pairs do, comparing them afresh),
//! and not both hold a patient of the EMR database. A record must be
//! coherent with the whole group, not just with the one member it resembles.

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
    let count = existing.len();
    let mut order: Vec<usize> = (0..links.len()).collect();
    order.sort_by(|&x, &y| {
        links[y].2.total_cmp(&links[x].2).then((links[x].0, links[x].1).cmp(&(links[y].0, links[y].1)))
    });

    let mut root: Vec<u32> = (0..count as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..count as u32).map(|index| vec![index]).collect();
    let mut refused = Vec::new();
    for index in order {
        let (a, b, _) = links[index];
        let (root_a, root_b) = (root[a as usize], root[b as usize]);
        if root_a == root_b {
            continue;
        }
        let (group_a, group_b) = (&members[root_a as usize], &members[root_b as usize]);
        let both_existing =
            group_a.iter().any(|&m| existing[m as usize]) && group_b.iter().any(|&m| existing[m as usize]);
        let kept_apart = group_a.iter().any(|&x| group_b.iter().any(|&y| conflict(x.min(y), x.max(y))));
        if both_existing || kept_apart {
            refused.push((a, b));
            continue;
        }
        let (keep, absorb) = if group_a.len() >= group_b.len() { (root_a, root_b) } else { (root_b, root_a) };
        let absorbed = std::mem::take(&mut members[absorb as usize]);
        for &member in &absorbed {
            root[member as usize] = keep;
        }
        members[keep as usize].extend(absorbed);
    }

    let mut number_of_root = vec![u32::MAX; count];
    let mut clusters = 0u32;
    let cluster_of = (0..count)
        .map(|index| {
            let group = root[index] as usize;
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
    fn equal_weights_are_taken_in_pair_order() {
        let first = cluster(&[(1, 2, 10.0), (0, 2, 10.0)], apart(&[(0, 1)]), &[false; 3]);
        let second = cluster(&[(0, 2, 10.0), (1, 2, 10.0)], apart(&[(0, 1)]), &[false; 3]);
        assert_eq!(first, second);
        assert_eq!(first.cluster_of, vec![0, 1, 0]);
    }
}
