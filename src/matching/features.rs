//! Features: what matching derives once per candidate from the whole set,
//! rather than once per pair: phonetic codes, nickname groups, and how
//! common each name is (term frequencies, so that agreeing on Smith counts
//! for less than agreeing on Zebrowski).
//!
//! Names repeat: a million records hold perhaps a hundred thousand distinct
//! surnames. Codes are computed once per distinct name, in parallel.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::nickname::Nicknames;
use super::normalize::{Candidate, stable_hash};
use super::phonetic::Phonetic;

/// What matching knows about a candidate beyond its own fields.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Derived {
    pub family_phonetic: Phonetic,
    /// Of the first given name: a second given name does not change what
    /// someone is called.
    pub given_phonetic: Phonetic,
    /// The formal names the first given name belongs to (empty if unlisted).
    pub given_groups: &'static [u32],
    /// How many candidates have this exact family name; 0 when missing.
    pub family_count: u32,
    pub given_count: u32,
}

/// A candidate with what was derived for it.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub candidate: &'a Candidate,
    pub derived: &'a Derived,
}

pub struct Features<'c> {
    candidates: &'c [Candidate],
    derived: Vec<Derived>,
}

impl<'c> Features<'c> {
    pub fn new(candidates: &'c [Candidate]) -> Features<'c> {
        let families = NameTable::build(candidates, |candidate| candidate.family());
        let givens = NameTable::build(candidates, |candidate| candidate.given().map(first_word));
        let derived = candidates
            .par_iter()
            .map(|candidate| {
                let family = candidate.family().map(|name| families.get(name)).unwrap_or_default();
                let given_name = candidate.given().map(first_word);
                let given = given_name.map(|name| givens.get(name)).unwrap_or_default();
                Derived {
                    family_phonetic: family.phonetic,
                    given_phonetic: given.phonetic,
                    given_groups: given_name.map_or(&[][..], |name| Nicknames::bundled().groups(name)),
                    family_count: family.count,
                    given_count: candidate.given().map_or(0, |name| givens.full_count(name)),
                }
            })
            .collect();
        Features { candidates, derived }
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    pub fn person(&self, index: u32) -> Person<'_> {
        Person { candidate: &self.candidates[index as usize], derived: &self.derived[index as usize] }
    }

    pub fn people(&self) -> Vec<Person<'_>> {
        self.candidates.iter().zip(&self.derived).map(|(candidate, derived)| Person { candidate, derived }).collect()
    }
}

fn first_word(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

/// Keys are already hashes; hashing them again would only cost time.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

#[derive(Debug, Clone, Copy, Default)]
struct NameEntry {
    count: u32,
    phonetic: Phonetic,
}

/// Each distinct name (by its key), with its count and phonetic code; and
/// counts of the full given names (the key may be the first word only).
struct NameTable {
    entries: HashedMap<NameEntry>,
    full_counts: HashedMap<u32>,
}

impl NameTable {
    fn build(candidates: &[Candidate], key: impl Fn(&Candidate) -> Option<&str> + Sync) -> NameTable {
        let count = |name_of: &(dyn Fn(&Candidate) -> Option<&str> + Sync)| {
            candidates
                .par_iter()
                .enumerate()
                .fold(HashedMap::<(u32, u32)>::default, |mut counts, (index, candidate)| {
                    if let Some(name) = name_of(candidate) {
                        // The first holder's index is kept to find the text again.
                        let slot = counts.entry(stable_hash(name)).or_insert((0, u32::MAX));
                        slot.0 += 1;
                        slot.1 = slot.1.min(index as u32);
                    }
                    counts
                })
                .reduce(HashedMap::default, |mut merged, part| {
                    for (hash, (count, first)) in part {
                        let slot = merged.entry(hash).or_insert((0, u32::MAX));
                        slot.0 += count;
                        slot.1 = slot.1.min(first);
                    }
                    merged
                })
        };
        let by_key = count(&key);
        let entries = by_key
            .par_iter()
            .map(|(&hash, &(count, first))| {
                let name = key(&candidates[first as usize]).unwrap_or_default();
                (hash, NameEntry { count, phonetic: Phonetic::of(name) })
            })
            .collect();
        let full_counts =
            count(&|candidate: &Candidate| candidate.given()).into_iter().map(|(hash, (count, _))| (hash, count));
        NameTable { entries, full_counts: full_counts.collect() }
    }

    fn get(&self, name: &str) -> NameEntry {
        self.entries.get(&stable_hash(name)).copied().unwrap_or_default()
    }

    fn full_count(&self, given: &str) -> u32 {
        self.full_counts.get(&stable_hash(given)).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    #[test]
    fn names_are_counted_and_coded_once_per_distinct_value() {
        let candidates = vec![
            candidate("Robert", "Smith", date(1980, 1, 2)),
            candidate("Bob", "Smith", date(1980, 1, 2)),
            candidate("Robert James", "Zebrowski", date(1980, 1, 2)),
        ];
        let features = Features::new(&candidates);
        let (smith, zebrowski) = (features.person(0), features.person(2));
        assert_eq!(smith.derived.family_count, 2);
        assert_eq!(zebrowski.derived.family_count, 1);
        assert_eq!(smith.derived.given_count, 1, "full given names counted: ROBERT once");
        assert_eq!(smith.derived.given_phonetic, zebrowski.derived.given_phonetic, "first word");
        assert_eq!(smith.derived.family_phonetic, Phonetic::of("SMITH"));
        assert!(!features.person(1).derived.given_groups.is_empty());
    }
}
