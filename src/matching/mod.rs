//! matching: which records are the same person.
//!
//! Candidates (normalised once, see `Candidate::from_record`) are blocked on
//! several keys, compared field by field into comparison levels, scored as
//! Fellegi–Sunter match weights, decided against two thresholds with hard
//! rules that keep look-alikes apart, and clustered so that one weak link
//! cannot chain strangers together. Comparison runs in parallel (rayon); the
//! result is the same whatever the number of threads.
//!
//! Matching decides identity only. Which values the merged patient keeps is
//! `merge` (survivorship); what gets written where is load's job.

mod block;
mod cluster;
mod compare;
mod merge;
mod nickname;
mod normalize;
mod phonetic;
mod score;

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

pub use block::{BlockingRule, RuleStats};
pub use compare::{Agreement, Comparison, DateLevel, IdLevel, NameLevel, compare};
pub use merge::{merge, rank};
pub use normalize::{Candidate, CandidateKind, fold};
pub use score::Score;

/// Thresholds and blocking, from migration.toml's `[matching]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchConfig {
    /// At or above this match probability, records are linked.
    pub auto_link: f64,
    /// At or above this (and below `auto_link`), the pair goes to review.
    pub review: f64,
    pub blocking: Vec<BlockingRule>,
    /// Blocks larger than this are not compared, and the report says so.
    pub max_block_size: usize,
}

impl Default for MatchConfig {
    fn default() -> MatchConfig {
        MatchConfig { auto_link: 0.95, review: 0.50, blocking: BlockingRule::DEFAULT.to_vec(), max_block_size: 2_000 }
    }
}

/// A rule that keeps a pair apart whatever its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HardRule {
    /// Same family name and birth date, clearly different given names.
    Twins,
    /// Different generational suffixes (Jr and Sr).
    Generation,
}

impl HardRule {
    fn applies(comparison: &Comparison) -> Option<HardRule> {
        let family_agrees = matches!(comparison.family, NameLevel::Exact | NameLevel::Close | NameLevel::Partial);
        let birth_agrees =
            matches!(comparison.birth, DateLevel::Exact | DateLevel::DayMonthSwapped | DateLevel::OneDigit);
        if family_agrees && birth_agrees && comparison.given == NameLevel::Different {
            return Some(HardRule::Twins);
        }
        if comparison.suffix == Agreement::Disagree {
            return Some(HardRule::Generation);
        }
        None
    }
}

/// Why a pair is in the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// The score lies between the review and auto-link thresholds.
    Uncertain,
    /// Linked on its own score, but its records' clusters disagree elsewhere.
    ConflictsWithCluster,
}

/// A pair a person should decide.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPair {
    pub a: u32,
    pub b: u32,
    pub score: Score,
    pub comparison: Comparison,
    pub reason: ReviewReason,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchStats {
    pub candidates: usize,
    pub blocking: Vec<RuleStats>,
    pub candidate_pairs: usize,
    /// Links accepted (some join records already in one cluster).
    pub links: usize,
    pub review_pairs: usize,
    /// Pairs a hard rule kept apart that would otherwise have linked or gone
    /// to review.
    pub kept_apart: BTreeMap<HardRule, usize>,
    pub refused_links: usize,
    pub clusters: usize,
    /// Compared pairs by match probability, in twenty bands of 0.05.
    pub probability_histogram: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct MatchOutcome {
    pub cluster_of: Vec<u32>,
    pub review: Vec<ReviewPair>,
    pub stats: MatchStats,
}

const HISTOGRAM_BANDS: usize = 20;

/// Below this match probability, a document and a patient record are kept
/// apart even in a cluster: the document's few fields (name and birth date,
/// perhaps a maiden name) need not agree strongly with every record of its
/// patient, only not contradict one.
const DOCUMENT_CONFLICT: f64 = 0.05;

/// A pair worth keeping after scoring: a link or an uncertain pair.
#[derive(Debug, Clone, Copy)]
struct Scored {
    a: u32,
    b: u32,
    comparison: Comparison,
    score: Score,
}

/// What the parallel pass over the candidate pairs keeps: only the links and
/// the uncertain pairs, never the (many) distinct ones.
#[derive(Default)]
struct Tally {
    links: Vec<Scored>,
    uncertain: Vec<Scored>,
    histogram: Vec<usize>,
    kept_apart: BTreeMap<HardRule, usize>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        self.links.extend(other.links);
        self.uncertain.extend(other.uncertain);
        for (band, count) in other.histogram.into_iter().enumerate() {
            self.histogram[band] += count;
        }
        for (rule, count) in other.kept_apart {
            *self.kept_apart.entry(rule).or_default() += count;
        }
        self
    }
}

pub fn run(candidates: &[Candidate], config: &MatchConfig) -> MatchOutcome {
    let blocking = block::block(candidates, &config.blocking, config.max_block_size);
    let new_tally = || Tally { histogram: vec![0; HISTOGRAM_BANDS], ..Tally::default() };
    let mut tally = blocking
        .pairs
        .par_iter()
        .fold(new_tally, |mut tally, &(a, b)| {
            let comparison = compare::compare(&candidates[a as usize], &candidates[b as usize]);
            let score = score::score(&comparison);
            let band = ((score.probability * HISTOGRAM_BANDS as f64) as usize).min(HISTOGRAM_BANDS - 1);
            tally.histogram[band] += 1;
            let scored = Scored { a, b, comparison, score };
            match HardRule::applies(&comparison) {
                // Counted where the rule changed the outcome: without it the
                // pair would have linked or gone to review.
                Some(rule) if score.probability >= config.review => *tally.kept_apart.entry(rule).or_default() += 1,
                Some(_) => {}
                None if score.probability >= config.auto_link => tally.links.push(scored),
                None if score.probability >= config.review => tally.uncertain.push(scored),
                None => {}
            }
            tally
        })
        .reduce(new_tally, Tally::merge);
    // Threads finish in any order; sorting makes the result independent of it.
    tally.links.sort_unstable_by_key(|pair| (pair.a, pair.b));
    tally.uncertain.sort_unstable_by_key(|pair| (pair.a, pair.b));

    let existing: Vec<bool> = candidates.iter().map(|c| c.kind == CandidateKind::Existing).collect();
    let weighted: Vec<(u32, u32, f64)> = tally.links.iter().map(|pair| (pair.a, pair.b, pair.score.weight)).collect();
    let conflict = |x: u32, y: u32| conflicts(&candidates[x as usize], &candidates[y as usize], config);
    let clustering = cluster::cluster(&weighted, conflict, &existing);

    let stats = MatchStats {
        candidates: candidates.len(),
        blocking: blocking.stats,
        candidate_pairs: blocking.pairs.len(),
        links: tally.links.len() - clustering.refused.len(),
        review_pairs: 0,
        kept_apart: tally.kept_apart,
        refused_links: clustering.refused.len(),
        clusters: clustering.clusters,
        probability_histogram: tally.histogram,
    };
    let review = review_queue(candidates, &tally.uncertain, &tally.links, &clustering);
    MatchOutcome {
        cluster_of: clustering.cluster_of,
        stats: MatchStats { review_pairs: review.len(), ..stats },
        review,
    }
}

/// Whether two records must not end in one cluster. Two patient records
/// must be a link in their own right: an uncertain pair is a person's to
/// decide, never merged through a third record. A document only must not
/// contradict a patient record.
fn conflicts(a: &Candidate, b: &Candidate, config: &MatchConfig) -> bool {
    let comparison = compare::compare(a, b);
    if HardRule::applies(&comparison).is_some() {
        return true;
    }
    let probability = score::score(&comparison).probability;
    if a.kind == CandidateKind::Document || b.kind == CandidateKind::Document {
        probability < DOCUMENT_CONFLICT
    } else {
        probability < config.auto_link
    }
}

/// Uncertain pairs and refused links whose records ended in different
/// clusters, but not pairs of two documents: a person decides which patient
/// a document belongs to, not whether two pages are one person.
fn review_queue(
    candidates: &[Candidate],
    uncertain: &[Scored],
    links: &[Scored],
    clustering: &cluster::Clustering,
) -> Vec<ReviewPair> {
    let refused: HashSet<(u32, u32)> = clustering.refused.iter().copied().collect();
    let refused_links = links
        .iter()
        .filter(|pair| refused.contains(&(pair.a, pair.b)))
        .map(|pair| (pair, ReviewReason::ConflictsWithCluster));
    let mut queue: Vec<ReviewPair> = uncertain
        .iter()
        .map(|pair| (pair, ReviewReason::Uncertain))
        .chain(refused_links)
        .map(|(pair, reason)| ReviewPair {
            a: pair.a,
            b: pair.b,
            score: pair.score,
            comparison: pair.comparison,
            reason,
        })
        .filter(|pair| clustering.cluster_of[pair.a as usize] != clustering.cluster_of[pair.b as usize])
        .filter(|pair| {
            let document = |index: u32| candidates[index as usize].kind == CandidateKind::Document;
            !(document(pair.a) && document(pair.b))
        })
        .collect();
    queue.sort_by_key(|pair| (pair.a, pair.b));
    queue
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::{Entity, Field, Record, Value};
    use crate::source_ref::SourceRef;
    use jiff::civil::Date;

    pub(crate) fn candidate(given: &str, family: &str, birth: Date) -> Candidate {
        let mut record =
            Record::new(Entity::Patient, SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 2 });
        record.set(Field::GivenName, Value::Text(given.into()));
        record.set(Field::FamilyName, Value::Text(family.into()));
        record.set(Field::BirthDate, Value::Date(birth));
        Candidate::from_record(&record, CandidateKind::Patient)
    }

    fn with_household(mut candidate: Candidate) -> Candidate {
        candidate.address = Some("12 ELM ST".into());
        candidate.phone = Some("6145550100".into());
        candidate.postal = Some("43215".into());
        candidate
    }

    #[test]
    fn twins_stay_apart_even_through_a_third_record() {
        use jiff::civil::date;
        let candidates = vec![
            with_household(candidate("Olivia", "Lindqvist", date(2011, 6, 14))),
            with_household(candidate("Sophia", "Lindqvist", date(2011, 6, 14))),
            with_household(candidate("Olivia", "Lindqvist", date(2011, 6, 14))),
            with_household(candidate("Sophia", "Lindquist", date(2011, 6, 14))),
        ];
        let outcome = run(&candidates, &MatchConfig::default());
        assert_eq!(outcome.cluster_of, vec![0, 1, 0, 1]);
        assert_eq!(outcome.stats.kept_apart.get(&HardRule::Twins), Some(&4));
    }

    #[test]
    fn an_uncertain_pair_is_not_joined_through_a_third_record() {
        use jiff::civil::date;
        // Anna married (new surname, same birth date and phone): uncertain.
        // A third record that links to each of them alone must not merge
        // the two without a person deciding.
        let mut kowalski = with_household(candidate("Anna", "Kowalski", date(1990, 8, 25)));
        kowalski.address = Some("4304 PARSONS AVE".into());
        let mut nowak = with_household(candidate("Anna", "Nowak", date(1990, 8, 25)));
        nowak.address = Some("4149 PARSONS AVE".into());
        nowak.postal = Some("43068".into());
        let config = MatchConfig::default();
        let pair = run(&[kowalski.clone(), nowak.clone()], &config);
        assert_eq!(pair.review.len(), 1, "{:?}", pair.stats);
        let bridge = {
            let mut bridge = kowalski.clone();
            bridge.family = Some("KOWALSKI NOWAK".into());
            bridge
        };
        let outcome = run(&[kowalski, nowak, bridge], &config);
        assert_ne!(outcome.cluster_of[0], outcome.cluster_of[1], "{:?}", outcome.cluster_of);
        assert!(outcome.review.iter().any(|pair| (pair.a, pair.b) == (0, 1)));
    }

    #[test]
    fn result_does_not_depend_on_thread_count() {
        use jiff::civil::date;
        let mut candidates = Vec::new();
        for index in 0..300 {
            let family = ["Smith", "Smyth", "Jones", "Johns"][index % 4];
            let given = ["Ann", "Anne", "Bob", "Robert", "Eve"][index % 5];
            candidates.push(candidate(given, family, date(1950 + (index % 7) as i16, 1 + (index % 3) as i8, 5)));
        }
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let one = single.install(|| run(&candidates, &MatchConfig::default()));
        let four = many.install(|| run(&candidates, &MatchConfig::default()));
        assert_eq!(one.cluster_of, four.cluster_of);
        assert_eq!(one.review, four.review);
        assert_eq!(one.stats, four.stats);
    }
}
