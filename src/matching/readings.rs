//! Readings: the names a rare given name could be a keying error of.
//!
//! Twins are told from one person's records by their given names: Maya and
//! Mia are two names; Maya and Maya mistyped are one. A name rarer than
//! another by `TYPO_RATIO` and one keying error from it (MAI beside MIA: a
//! swap of two letters) is a typo, and is read as each established name one
//! error from it that is commoner than it (MIA, and MAX and MAE as well):
//! which of them it stands for, nothing tells. The twins rule asks whether
//! a mistyped name could still be the other record's name; a typo of other
//! names only (MAI, two errors from MAYA) says two names, as clearly as the
//! names themselves would (`compare::misread_names_apart`).
//!
//! One keying error is a letter replaced, left out, added, or swapped with
//! its neighbour (optimal string alignment distance 1). Every established
//! name is indexed under itself and each of its one-letter deletions; two
//! names one keying error apart share a key (a deletion from one, or from
//! both), so a rare name finds its readings in a few lookups rather than
//! by comparing it with every name.

use rayon::prelude::*;

use super::compare::{ESTABLISHED_NAME, TYPO_RATIO, one_keying_error};
use super::features::HashedMap;
use super::normalize::{stable_hash, stable_hash_bytes};
use super::phonetic::Phonetic;

/// A whole given name as the twins rule compares it: how many candidates
/// hold it, and its first word's phonetic code and nickname groups, and
/// whether the nickname table lists that word (as `Derived` has them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading<'c> {
    pub name: &'c str,
    pub count: u32,
    pub phonetic: Phonetic,
    pub groups: &'static [u32],
    pub listed: bool,
}

/// The readings of each rare given name that has any, by `stable_hash` of
/// the whole given name.
pub struct GivenReadings<'c>(HashedMap<Box<[Reading<'c>]>>);

impl std::fmt::Debug for GivenReadings<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "GivenReadings({} names)", self.0.len())
    }
}

impl<'c> GivenReadings<'c> {
    /// From every distinct whole given name.
    pub fn build(names: &[Reading<'c>]) -> GivenReadings<'c> {
        let established: Vec<Reading<'c>> =
            names.iter().filter(|name| name.count >= ESTABLISHED_NAME && name.name.is_ascii()).copied().collect();
        let index = deletion_index(&established);
        let of_their_own: Vec<bool> = established
            .par_iter()
            .map(|name| !is_typo(name, &neighbours(name, &established, &index), &established))
            .collect();
        let readings = names
            .par_iter()
            .filter(|name| name.name.is_ascii())
            .filter_map(|name| {
                let found = readings_of(name, &established, &index, &of_their_own);
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
fn deletion_index(established: &[Reading<'_>]) -> HashedMap<Vec<u32>> {
    let mut index: HashedMap<Vec<u32>> = HashedMap::default();
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

/// The established names one keying error from `name` (positions into
/// `established`, each once).
fn neighbours(name: &Reading<'_>, established: &[Reading<'_>], index: &HashedMap<Vec<u32>>) -> Vec<u32> {
    let mut found: Vec<u32> = Vec::new();
    for key in keys(name.name.as_bytes()) {
        for &position in index.get(&key).map_or(&[][..], Vec::as_slice) {
            let other = &established[position as usize];
            if !found.contains(&position)
                && other.name != name.name
                && one_keying_error(name.name.as_bytes(), other.name.as_bytes())
            {
                found.push(position);
            }
        }
    }
    found
}

/// A name one keying error from one more than `TYPO_RATIO` times as common.
fn is_typo(name: &Reading<'_>, neighbours: &[u32], established: &[Reading<'_>]) -> bool {
    let far_commoner = name.count.saturating_mul(TYPO_RATIO);
    neighbours.iter().any(|&position| established[position as usize].count > far_commoner)
}

/// When `name` is a typo, the names of their own (no typos themselves) one
/// keying error from it and commoner than it, sorted by name; none
/// otherwise. All of them, not only the far commoner: one person's KAYLE
/// and KAYLEEE, beside a KAYLA four times as common as KAYLEE, must both
/// read as KAYLEE. Not typos: at a million patients MAIA, a typo of MAYA
/// seen a dozen times, would make every name one error from it (MAI, for
/// MIA) a possible MAYA, two errors away.
fn readings_of<'c>(
    name: &Reading<'c>,
    established: &[Reading<'c>],
    index: &HashedMap<Vec<u32>>,
    of_their_own: &[bool],
) -> Vec<Reading<'c>> {
    let near = neighbours(name, established, index);
    if !is_typo(name, &near, established) {
        return Vec::new();
    }
    let mut found: Vec<Reading<'c>> = near
        .into_iter()
        .filter(|&position| of_their_own[position as usize])
        .map(|position| established[position as usize])
        .filter(|other| other.count > name.count)
        .collect();
    found.sort_unstable_by_key(|reading| reading.name);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings<'c>(names: &[(&'c str, u32)]) -> GivenReadings<'c> {
        let names: Vec<Reading<'c>> = names
            .iter()
            .map(|&(name, count)| Reading { name, count, phonetic: Phonetic::of(name), groups: &[], listed: false })
            .collect();
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

    #[test]
    fn a_typo_is_no_reading() {
        // MAIA, seen a dozen times, is MAYA mistyped: MAI does not read as
        // it, so MAI beside MAYA is not two errors bridged by a typo.
        let table = readings(&[("MIA", 4000), ("MAYA", 3000), ("MAIA", 12), ("MAI", 10)]);
        assert_eq!(names_of(&table, "MAI"), ["MIA"]);
        assert_eq!(names_of(&table, "MAIA"), ["MAYA", "MIA"], "a typo still has readings of its own");
    }

    #[test]
    fn a_typo_reads_as_every_commoner_neighbour_once_one_is_far_commoner() {
        // One girl's KAYLE and KAYLEEE: KAYLEE is under twenty times as
        // common as KAYLE, KAYLA over it. Both typos must read as KAYLEE.
        let table = readings(&[("KAYLEE", 50), ("KAYLA", 200), ("KAYLE", 3), ("KAYLEEE", 1)]);
        assert_eq!(names_of(&table, "KAYLE"), ["KAYLA", "KAYLEE"]);
        assert_eq!(names_of(&table, "KAYLEEE"), ["KAYLEE"]);
    }
}
