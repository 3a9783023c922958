//! Blocking: which pairs are worth comparing. Each rule puts candidates that
//! share a key into one block; a pair is compared when any rule puts it in
//! the same block. Several rules together catch what one misses: a typo in
//! the surname still shares a birth date, a swapped day and month still
//! shares a surname and year.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;

use super::normalize::{Candidate, CandidateKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockingRule {
    /// Surname sound-alike and birth year: catches day/month swaps and typos
    /// in the day.
    FamilySoundexBirthYear,
    /// Birth date with day and month in either order: catches surname
    /// changes and surname typos.
    BirthDate,
    /// A shared legacy identifier (same system and value).
    Identifier,
    /// Given and family name sound-alikes: catches any birth date error.
    NameSoundex,
    /// Surname sound-alike with birth day and month in either order: catches
    /// a mistyped birth year together with a nickname or a move.
    FamilySoundexBirthDayMonth,
}

impl BlockingRule {
    pub const DEFAULT: &'static [BlockingRule] = &[
        BlockingRule::FamilySoundexBirthYear,
        BlockingRule::BirthDate,
        BlockingRule::Identifier,
        BlockingRule::NameSoundex,
        BlockingRule::FamilySoundexBirthDayMonth,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BlockingRule::FamilySoundexBirthYear => "family_soundex_birth_year",
            BlockingRule::BirthDate => "birth_date",
            BlockingRule::Identifier => "identifier",
            BlockingRule::NameSoundex => "name_soundex",
            BlockingRule::FamilySoundexBirthDayMonth => "family_soundex_birth_day_month",
        }
    }

    pub fn from_name(name: &str) -> Option<BlockingRule> {
        BlockingRule::DEFAULT.iter().copied().find(|rule| rule.name() == name)
    }

    /// The keys a candidate has under this rule; none when a part is missing.
    fn keys(self, candidate: &Candidate, keys: &mut Vec<u64>) {
        let tag = self as u8;
        match self {
            BlockingRule::FamilySoundexBirthYear => {
                if let (Some(code), Some(birth)) = (candidate.family_soundex, candidate.birth) {
                    keys.push(key(&(tag, code, birth.year())));
                }
            }
            BlockingRule::BirthDate => {
                if let Some(birth) = candidate.birth {
                    let (month, day) = (birth.month(), birth.day());
                    keys.push(key(&(tag, birth.year(), month.min(day), month.max(day))));
                }
            }
            BlockingRule::Identifier => {
                for identifier in &candidate.identifiers {
                    keys.push(key(&(tag, &*identifier.system, &identifier.value)));
                }
            }
            BlockingRule::NameSoundex => {
                if let (Some(given), Some(family)) = (candidate.given_soundex, candidate.family_soundex) {
                    keys.push(key(&(tag, given, family)));
                }
            }
            BlockingRule::FamilySoundexBirthDayMonth => {
                if let (Some(code), Some(birth)) = (candidate.family_soundex, candidate.birth) {
                    let (month, day) = (birth.month(), birth.day());
                    keys.push(key(&(tag, code, month.min(day), month.max(day))));
                }
            }
        }
    }
}

/// A fixed-key hash: the same keys on every run, so nothing depends on
/// hasher randomness.
fn key(parts: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

/// What one rule cost and produced, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    pub rule: BlockingRule,
    pub blocks: usize,
    /// Pairs this rule put together (a pair may come from several rules).
    pub pairs: u64,
    /// Blocks larger than the cap, not compared at all.
    pub oversized_blocks: usize,
    pub skipped_pairs: u64,
}

pub struct Blocking {
    /// Distinct candidate pairs `(a, b)` with `a < b`, sorted.
    pub pairs: Vec<(u32, u32)>,
    pub stats: Vec<RuleStats>,
}

pub fn block(candidates: &[Candidate], rules: &[BlockingRule], max_block_size: usize) -> Blocking {
    let mut pairs = Vec::new();
    let mut stats = Vec::with_capacity(rules.len());
    let mut keys = Vec::new();
    for &rule in rules {
        let mut blocks: HashMap<u64, Vec<u32>> = HashMap::new();
        for (index, candidate) in candidates.iter().enumerate() {
            keys.clear();
            rule.keys(candidate, &mut keys);
            keys.sort_unstable();
            keys.dedup();
            for &block_key in &keys {
                blocks.entry(block_key).or_default().push(index as u32);
            }
        }
        let mut rule_stats = RuleStats { rule, blocks: 0, pairs: 0, oversized_blocks: 0, skipped_pairs: 0 };
        for members in blocks.values().filter(|members| members.len() > 1) {
            let possible = (members.len() as u64) * (members.len() as u64 - 1) / 2;
            if members.len() > max_block_size {
                rule_stats.oversized_blocks += 1;
                rule_stats.skipped_pairs += possible;
                continue;
            }
            rule_stats.blocks += 1;
            for (position, &a) in members.iter().enumerate() {
                for &b in &members[position + 1..] {
                    if comparable(&candidates[a as usize], &candidates[b as usize]) {
                        pairs.push((a.min(b), a.max(b)));
                        rule_stats.pairs += 1;
                    }
                }
            }
        }
        stats.push(rule_stats);
    }
    pairs.sort_unstable();
    pairs.dedup();
    Blocking { pairs, stats }
}

/// Two patients already in the EMR are never merged by a migration.
fn comparable(a: &Candidate, b: &Candidate) -> bool {
    !(a.kind == CandidateKind::Existing && b.kind == CandidateKind::Existing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    #[test]
    fn rules_together_catch_swaps_typos_and_name_changes() {
        let candidates = vec![
            candidate("Robert", "Smith", date(1980, 3, 4)),
            candidate("Robert", "Smith", date(1980, 4, 3)), // day/month swapped
            candidate("Robert", "Smyth", date(1980, 3, 4)), // surname typo
            candidate("Roberta", "Jones", date(1980, 4, 3)), // married name, swapped date
            candidate("Alice", "Wong", date(1990, 1, 1)),
            candidate("Bob", "Smith", date(1986, 3, 4)), // nickname and a year typo
        ];
        let blocking = block(&candidates, BlockingRule::DEFAULT, 100);
        assert!(blocking.pairs.contains(&(0, 1)));
        assert!(blocking.pairs.contains(&(0, 2)));
        assert!(blocking.pairs.contains(&(0, 3)));
        assert!(blocking.pairs.contains(&(0, 5)));
        assert!(!blocking.pairs.iter().any(|&(a, b)| a == 4 || b == 4));
        assert!(blocking.pairs.windows(2).all(|pair| pair[0] < pair[1]), "sorted and distinct");
    }

    #[test]
    fn oversized_blocks_are_skipped_and_counted() {
        let candidates: Vec<_> = (0..5).map(|_| candidate("Ann", "Lee", date(1970, 1, 1))).collect();
        let blocking = block(&candidates, &[BlockingRule::BirthDate], 4);
        assert!(blocking.pairs.is_empty());
        assert_eq!(blocking.stats[0].oversized_blocks, 1);
        assert_eq!(blocking.stats[0].skipped_pairs, 10);
    }

    #[test]
    fn existing_patients_are_not_paired_with_each_other() {
        let mut a = candidate("Ann", "Lee", date(1970, 1, 1));
        a.kind = CandidateKind::Existing;
        let b = a.clone();
        let c = candidate("Ann", "Lee", date(1970, 1, 1));
        let blocking = block(&[a, b, c], &[BlockingRule::BirthDate], 100);
        assert_eq!(blocking.pairs, vec![(0, 2), (1, 2)]);
    }
}
