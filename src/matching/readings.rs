//! Readings: the names a rare given name could be a keying error of.
//!
//! Twins are told from one person's records by their given names: Maya and
//! Mia are two names; Maya and Maya mistyped are one. A name rarer than
//! another by `TYPO_RATIO` and one keying error from it (MAI beside MIA: a
//! swap of two letters) is read as that name. The twins rule asks whether a
//! mistyped name is still a typo of the other record's name; a typo of
//! some other name (MAI, two errors from MAYA) says two names, as clearly
//! as the names themselves would (`compare::misread_names_apart`).
//!
//! One keying error is a letter replaced, left out, added, or swapped with
//! its neighbour (optimal string alignment distance 1). Every established
//! name is indexed under itself and each of its one-letter deletions; two
//! names one keying error apart share a key (a deletion from one, or from
//! both), so a rare name finds its readings in a few lookups rather than
//! by comparing it with every name.

use std::collections::HashMap;

use rayon::prelude::*;

use super::compare::{ESTABLISHED_NAME, TYPO_RATIO, one_keying_error};
use super::features::HashedMap;
use super::normalize::{stable_hash, stable_hash_bytes};

/// A name a rare given name could be mistyped from, and how many
/// candidates hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading<'c> {
    pub name: &'c str,
    pub count: u32,
}

/// The readings of each rare given name that has any, by `stable_hash` of
/// the whole given name.
#[derive(Default)]
pub struct GivenReadings<'c>(HashedMap<Box<[Reading<'c>]>>);

impl std::fmt::Debug for GivenReadings<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "GivenReadings({} names)", self.0.len())
    }
}

impl<'c> GivenReadings<'c> {
    /// From every distinct given name and how many candidates hold it.
    pub fn build(names: &[Reading<'c>]) -> GivenReadings<'c> {
        let established: Vec<Reading<'c>> =
            names.iter().filter(|name| name.count >= ESTABLISHED_NAME && name.name.is_ascii()).copied().collect();
        let index = deletion_index(&established);
        let readings = names
            .par_iter()
            .filter(|name| name.name.is_ascii())
            .filter_map(|name| {
                let found = readings_of(name, &established, &index);
                (!found.is_empty()).then(|| (stable_hash(name.name), found.into_boxed_slice()))
            })
            .collect();
        GivenReadings(readings)
    }

    /// The names `given` (a whole given name) could be a keying error of;
    /// empty for a name of its own.
    pub fn of(&self, given: &str) -> &[Reading<'c>] {
        self.0.get(&stable_hash(given)).map_or(&[], |readings| readings)
    }
}

/// Each established name under the hash of itself and of each one-letter
/// deletion from it (positions into `established`).
fn deletion_index(established: &[Reading<'_>]) -> HashMap<u64, Vec<u32>> {
    let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
    for (position, reading) in established.iter().enumerate() {
        for key in keys(reading.name.as_bytes()) {
            let holders = index.entry(key).or_default();
            // A doubled letter gives one deletion twice (ANNA: ANA, ANA).
            if holders.last() != Some(&(position as u32)) {
                holders.push(position as u32);
            }
        }
    }
    index
}

/// The hash of a name and of each one-letter deletion from it.
fn keys(name: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let whole = stable_hash_bytes(name.iter().copied());
    let deletions = (0..name.len()).map(move |left_out| {
        stable_hash_bytes(name.iter().enumerate().filter(move |&(at, _)| at != left_out).map(|(_, &byte)| byte))
    });
    std::iter::once(whole).chain(deletions)
}

/// The established names one keying error from `name` and more than
/// `TYPO_RATIO` times as common, in the order the index gives them.
fn readings_of<'c>(
    name: &Reading<'c>,
    established: &[Reading<'c>],
    index: &HashMap<u64, Vec<u32>>,
) -> Vec<Reading<'c>> {
    let mut found: Vec<Reading<'c>> = Vec::new();
    let far_commoner = name.count.saturating_mul(TYPO_RATIO);
    for key in keys(name.name.as_bytes()) {
        for &position in index.get(&key).map_or(&[][..], Vec::as_slice) {
            let other = established[position as usize];
            if other.count > far_commoner
                && other.name != name.name
                && !found.contains(&other)
                && one_keying_error(name.name.as_bytes(), other.name.as_bytes())
            {
                found.push(other);
            }
        }
    }
    found.sort_unstable_by_key(|reading| reading.name);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings<'c>(names: &[(&'c str, u32)]) -> GivenReadings<'c> {
        let names: Vec<Reading<'c>> = names.iter().map(|&(name, count)| Reading { name, count }).collect();
        GivenReadings::build(&names)
    }

    fn names_of<'c>(table: &'c GivenReadings<'_>, given: &str) -> Vec<&'c str> {
        table.of(given).iter().map(|reading| reading.name).collect()
    }

    #[test]
    fn a_rare_name_reads_as_each_far_commoner_name_one_keying_error_away() {
        let table = readings(&[("MIA", 400), ("MAYA", 300), ("MAX", 500), ("MAE", 60), ("MAI", 2), ("BRIAYNNA", 1)]);
        // Swapped letters (MIA), a replaced one (MAX, MAE), never two errors (MAYA).
        assert_eq!(names_of(&table, "MAI"), ["MAE", "MAX", "MIA"]);
        assert!(table.of("MIA").is_empty(), "a common name is a name of its own");
        assert!(table.of("BRIAYNNA").is_empty(), "no name one error away");
    }

    #[test]
    fn deletions_insertions_and_doubled_letters_are_one_error() {
        let table = readings(&[("BRIANNA", 90), ("ANNA", 90), ("BRIAYNNA", 1), ("BRINNA", 1), ("ANA", 2), ("AN", 1)]);
        assert_eq!(names_of(&table, "BRIAYNNA"), ["BRIANNA"], "a letter added");
        assert_eq!(names_of(&table, "BRINNA"), ["BRIANNA"], "a letter left out");
        assert_eq!(names_of(&table, "ANA"), ["ANNA"], "a doubled letter halved");
        assert!(table.of("AN").is_empty(), "two letters left out");
    }

    #[test]
    fn a_name_only_somewhat_rarer_is_a_name_of_its_own() {
        // Twenty times as common is the typo rule's line (`TYPO_RATIO`).
        let table = readings(&[("KAYLEE", 40), ("KAYLA", 41), ("KOYLEE", 2), ("KAYLE", 1)]);
        assert!(table.of("KOYLEE").is_empty(), "KAYLEE is not twenty times as common");
        assert_eq!(names_of(&table, "KAYLE"), ["KAYLA", "KAYLEE"]);
        let rare_neighbours = readings(&[("MAI", 1), ("MIA", 2)]);
        assert!(rare_neighbours.of("MAI").is_empty(), "a name seen twice is no established name");
    }
}
