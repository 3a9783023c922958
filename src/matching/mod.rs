//! matching: which records are the same person.
//!
//! Candidates (normalised once, see `Candidate::from_record`) get their
//! derived features (phonetic codes, name frequencies; `features`), are
//! blocked on several rules (`block`), compared field by field into
//! comparison levels (`compare`), and scored as Fellegi–Sunter match weights
//! whose m and u are estimated from the run's own data (`score`). Pairs are
//! decided against two thresholds, with hard rules that keep look-alikes
//! apart, and clustered so that one weak link cannot chain strangers together
//! (`cluster`). Comparison runs in parallel (rayon); the result is the same
//! whatever the number of threads.
//!
//! Matching decides identity only. Which values the merged patient keeps is
//! `merge` (survivorship); what gets written where is load's job.

mod block;
pub(crate) mod bucket_sort;
mod cluster;
mod compare;
mod features;
mod merge;
mod nickname;
mod normalize;
mod phonetic;
mod readings;
mod score;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

pub use block::{BlockingRule, KeyPart, RuleStats};
pub use compare::{
    Agreement, CompareOptions, Comparison, DateLevel, IdLevel, NameLevel, apart_only_as_misread, one_shared_nickname,
};
pub use features::{Features, Person};
pub use merge::{Survivor, Survivorship, merge, rank};
pub use normalize::{Candidate, CandidateKind, TextField, fold};
pub use score::{Contribution, Model, Score, ScoredField};

use crate::synth::rng::Rng;

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
    /// Whether national identifiers take part (compared, and a conflict
    /// keeps two records apart).
    pub use_national_id: bool,
    /// Whether the twins rule keeps apart two records that agree on family
    /// name and birth date but hold two distinct given names; and whether
    /// patient rows with no name in common, or with two given names under
    /// two surnames, go to review instead of linking
    /// (`Comparison::names_differ`).
    pub keep_twins_apart: bool,
    /// Whether a pair that could be twins (two registrations in one system,
    /// one birthday, alike names not the same, or one nickname both twins
    /// could go by) goes to review instead of
    /// linking (see `Comparison::possible_twins`). Off whenever
    /// `keep_twins_apart` is.
    pub review_possible_twins: bool,
    /// Whether address, town, postal code and phone count for nothing once the birth dates
    /// disagree: what keeps a household's members apart.
    pub keep_households_apart: bool,
}

impl Default for MatchConfig {
    fn default() -> MatchConfig {
        MatchConfig {
            auto_link: 0.95,
            review: 0.50,
            blocking: BlockingRule::defaults(),
            max_block_size: 2_000,
            use_national_id: true,
            keep_twins_apart: true,
            review_possible_twins: true,
            keep_households_apart: true,
        }
    }
}

impl MatchConfig {
    fn compare_options(&self) -> CompareOptions {
        CompareOptions {
            ignore_national_id: !self.use_national_id,
            allow_twins: !self.keep_twins_apart,
            link_possible_twins: !(self.keep_twins_apart && self.review_possible_twins),
        }
    }
}

/// A rule that keeps a pair apart whatever its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HardRule {
    /// Same family name (or one a typo of the other) and birth date, two
    /// different given names; across a swap of the names on one record too.
    Twins,
    /// Different generational suffixes (Jr and Sr), or a suffix on one
    /// record only and another birth year (`Comparison::generations_apart`).
    Generation,
    /// Two valid national identifiers that are not one keying error apart.
    NationalId,
}

impl HardRule {
    pub fn applies(comparison: &Comparison) -> Option<HardRule> {
        // A mistyped surname is often only `Similar` (Bailey, Briley): twins
        // still, when their given names have nothing in common. Alike given
        // names (Aiden, Aidan) on such a surname could be one person with
        // two typos, and are left to the score (or to a person, when they
        // are two registrations of one system: `Comparison::possible_twins`).
        if compare::twins_could_share(comparison.family, comparison.given, comparison.birth)
            && comparison.distinct_given_names()
        {
            return Some(HardRule::Twins);
        }
        if comparison.suffix == Agreement::Disagree || comparison.generations_apart() {
            return Some(HardRule::Generation);
        }
        if comparison.valid_national_ids_conflict() {
            return Some(HardRule::NationalId);
        }
        None
    }
}

/// What scoring decides about one pair, before clustering and reviewers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreDecision {
    /// A hard rule keeps the pair apart, whatever its score.
    KeptApart(HardRule),
    Link,
    Review,
    Distinct,
}

impl MatchConfig {
    /// The thresholds and rules applied to one scored pair: what `tally`
    /// does with it, and what `explain` tells. Possible twins, and patient
    /// rows whose names differ, never link.
    pub fn decide(&self, comparison: &Comparison, score: Score) -> ScoreDecision {
        if let Some(rule) = HardRule::applies(comparison) {
            return ScoreDecision::KeptApart(rule);
        }
        if score.probability >= self.auto_link && !comparison.never_links() {
            ScoreDecision::Link
        } else if score.probability >= self.review {
            ScoreDecision::Review
        } else {
            ScoreDecision::Distinct
        }
    }

    /// How many of these pairs, sent to review whatever their score, it
    /// would have linked.
    fn would_link(&self, pairs: &[Scored]) -> usize {
        pairs.iter().filter(|pair| pair.score.probability >= self.auto_link).count()
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
    /// One record links to two look-alikes (Ron, with twins Ronald and
    /// Aaron; see `Matcher::look_alike`): which one it is, a person decides.
    LinksToLookAlikes,
    /// Two registrations in one system, one birthday, alike given names
    /// (or one nickname two names share): twins, or one patient registered
    /// twice (see
    /// `Comparison::possible_twins`). Never linked on its score.
    PossibleTwins,
    /// Two patient rows with no name in common, or two given names under
    /// two surnames: their score rests on what a household shares
    /// (`Comparison::names_differ`). Never linked on it.
    NamesDiffer,
    /// A generational suffix on one record only, and a birth date missing
    /// on one of them: father and son, or one man, the birth years cannot
    /// tell (`Comparison::generation_unknown`). Never linked on its score.
    GenerationUnknown,
}

/// The reasons a pair waits for a person whatever its score
/// (`Comparison::never_links`), in the order `waits_as` tries them.
const WAITING: [ReviewReason; 3] =
    [ReviewReason::PossibleTwins, ReviewReason::NamesDiffer, ReviewReason::GenerationUnknown];

impl ReviewReason {
    /// Whether records alike to both of the pair wait as look-alikes until
    /// it is decided: the pair never links on its score.
    pub fn settles_look_alikes(self) -> bool {
        WAITING.contains(&self)
    }
}

/// Of `Tally::waiting`, the pairs that wait for this reason.
fn waiting_for(waiting: &[Vec<Scored>; WAITING.len()], reason: ReviewReason) -> &[Scored] {
    WAITING.iter().position(|&of| of == reason).map_or(&[], |at| &waiting[at])
}

/// For a pair that never links on its score, its place in `WAITING`: why
/// it waits.
fn waits_as(comparison: &Comparison) -> usize {
    if comparison.possible_twins() {
        0
    } else if comparison.names_differ() {
        1
    } else {
        2
    }
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

/// A reviewer's answer about one pair (review.csv's `decision` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Match,
    Distinct,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Decision::Match => "match",
            Decision::Distinct => "distinct",
        }
    }

    pub fn parse(text: &str) -> Option<Decision> {
        match text.trim().to_ascii_lowercase().as_str() {
            "match" => Some(Decision::Match),
            "distinct" => Some(Decision::Distinct),
            _ => None,
        }
    }
}

/// Reviewers' decisions by candidate pair. A decision overrules the score
/// and the hard rules: a person looked at both records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions(HashMap<(u32, u32), Decision>);

impl Decisions {
    /// Records a decision; a later one about the same pair replaces it.
    pub fn insert(&mut self, a: u32, b: u32, decision: Decision) {
        self.0.insert((a.min(b), a.max(b)), decision);
    }

    pub fn get(&self, a: u32, b: u32) -> Option<Decision> {
        self.0.get(&(a.min(b), a.max(b))).copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs given `decision`, in order (so results do not depend on
    /// the map's).
    fn pairs(&self, decision: Decision) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> =
            self.0.iter().filter(|&(_, &given)| given == decision).map(|(&pair, _)| pair).collect();
        pairs.sort_unstable();
        pairs
    }

    fn count(&self, decision: Decision) -> usize {
        self.0.values().filter(|&&given| given == decision).count()
    }
}

/// Why two records were linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkBasis {
    /// The match probability reached `auto_link`.
    Score,
    /// A reviewer decided `match`.
    Reviewer,
}

/// A link that clustering accepted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub score: Score,
    pub basis: LinkBasis,
}

/// How many compared pairs reach a match probability: what each threshold
/// would give.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SweepRow {
    pub threshold: f64,
    /// Pairs at or above the threshold that the thresholds decide: no hard
    /// rule keeps them apart, and they wait for a person at no threshold
    /// (possible twins, names that differ, a generation unknown:
    /// `Comparison::never_links`).
    pub pairs: u64,
}

/// The estimated model as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    pub prior: f64,
    pub em_iterations: usize,
    pub em_converged: bool,
    pub training_pairs: u64,
    pub random_pairs: u64,
    pub fields: Vec<FieldWeights>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldWeights {
    pub field: ScoredField,
    pub levels: Vec<LevelWeight>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelWeight {
    pub level: &'static str,
    pub m: f64,
    pub u: f64,
    pub weight: f64,
}

impl ModelSummary {
    fn of(model: &Model) -> ModelSummary {
        let fields = score::SCORED
            .iter()
            .enumerate()
            .map(|(index, &field)| FieldWeights {
                field,
                levels: field
                    .levels()
                    .iter()
                    .enumerate()
                    .take(field.levels().len() - 1)
                    .map(|(level, &name)| LevelWeight {
                        level: name,
                        m: model.m[index][level],
                        u: model.u[index][level],
                        weight: model.weight(field, level),
                    })
                    .collect(),
            })
            .collect();
        ModelSummary {
            prior: model.prior,
            em_iterations: model.em_iterations,
            em_converged: model.em_converged,
            training_pairs: model.training_pairs,
            random_pairs: model.random_pairs,
            fields,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchStats {
    /// The thresholds this run decided with.
    pub auto_link: f64,
    pub review: f64,
    pub candidates: usize,
    pub blocking: Vec<RuleStats>,
    pub candidate_pairs: u64,
    /// Links accepted (some join records already in one cluster).
    pub links: usize,
    pub review_pairs: usize,
    /// Pairs a hard rule kept apart that would otherwise have linked or gone
    /// to review.
    pub kept_apart: BTreeMap<HardRule, usize>,
    /// Pairs that could be twins (`ReviewReason::PossibleTwins`) and would
    /// otherwise have linked: sent to review instead.
    pub possible_twins: usize,
    /// Patient rows whose names differ (`ReviewReason::NamesDiffer`)
    /// that would otherwise have linked: sent to review instead.
    pub names_differ: usize,
    /// Pairs with a suffix on one record only and a birth date missing
    /// (`ReviewReason::GenerationUnknown`) that would otherwise have
    /// linked: sent to review instead.
    pub generation_unknown: usize,
    pub refused_links: usize,
    pub clusters: usize,
    /// Compared pairs by match probability, in twenty bands of 0.05.
    pub probability_histogram: Vec<u64>,
    pub threshold_sweep: Vec<SweepRow>,
    pub model: ModelSummary,
    /// Reviewers' decisions this run applied (from `--decisions` or the
    /// database), by decision.
    pub decisions_applied: BTreeMap<Decision, usize>,
    pub timings_ms: MatchTimings,
}

/// Wall time of each matching stage, in milliseconds: what to look at when
/// matching is slow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatchTimings {
    /// Phonetic codes, nickname groups and name counts.
    pub features: u64,
    /// Blocking, and beside it the random pairs for u.
    pub blocking: u64,
    /// u from the random pairs' levels, m and the prior by EM.
    pub estimation: u64,
    /// Comparing and scoring every candidate pair.
    pub scoring: u64,
    /// Look-alike checks, clustering and the review queue.
    pub clustering: u64,
}

fn elapsed_ms(started: Instant) -> u64 {
    started.elapsed().as_millis() as u64
}

#[derive(Debug, Clone)]
pub struct MatchOutcome {
    pub cluster_of: Vec<u32>,
    /// The links clustering accepted, by `(a, b)`.
    pub links: Vec<Link>,
    pub review: Vec<ReviewPair>,
    pub stats: MatchStats,
}

const HISTOGRAM_BANDS: usize = 20;

/// Thresholds the report always shows in its sweep (the configured ones are
/// added).
const SWEEP: &[f64] = &[0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999];

/// Below this match probability, a document and a patient record are kept
/// apart even in a cluster: the document's few fields (name and birth date,
/// perhaps a maiden name) need not agree strongly with every record of its
/// patient, only not contradict one.
const DOCUMENT_CONFLICT: f64 = 0.05;

/// Random pairs counted for u: enough to see a birth date agree by chance
/// a few dozen times in a large practice.
const RANDOM_PAIRS: u64 = 1_000_000;
/// Records per group of random draws (see `random_pair_levels`): about 16,000
/// pairs whose records fit in the core's cache.
const RANDOM_GROUP: usize = 178;
/// Blocked pairs EM learns from, at most (blocks are sampled beyond this).
const TRAINING_PAIRS: u64 = 2_000_000;
const SAMPLING_SEED: u64 = 0x4D41_5443_4845_5253;

/// Pairs per comparison pattern, hashed with a fixed-seed fast hasher:
/// counted for every training pair, where the default hasher cost a
/// tenth of estimation.
type PatternCounts = HashMap<(score::Pattern, score::FieldMask), u64, foldhash::fast::FixedState>;

/// A pair worth keeping after scoring: a link, or a pair for review.
#[derive(Debug, Clone, Copy)]
struct Scored {
    a: u32,
    b: u32,
    comparison: Comparison,
    score: Score,
    basis: LinkBasis,
}

/// What the parallel pass over the candidate pairs keeps: only the links and
/// the pairs for review, never the (many) distinct ones.
struct Tally {
    links: Vec<Scored>,
    uncertain: Vec<Scored>,
    /// Pairs at or above `review` reviewed whatever their score, by why
    /// (`WAITING`'s order): possible twins, patients whose names differ, a
    /// suffix on one record only and no birth date.
    waiting: [Vec<Scored>; WAITING.len()],
    histogram: Vec<u64>,
    sweep: Vec<u64>,
    kept_apart: BTreeMap<HardRule, usize>,
    /// The pairs counted in `kept_apart`: look-alikes, which a record
    /// linked to one of them must not resemble as much on the other's side
    /// (`Matcher::linked_past_blocking_to_look_alikes`).
    kept_apart_pairs: Vec<(u32, u32)>,
    /// Per rule: pairs its blocks hold, and pairs compared under it.
    rule_pairs: Vec<(u64, u64)>,
}

impl Tally {
    fn new(rules: usize, sweep: usize) -> Tally {
        Tally {
            links: Vec::new(),
            uncertain: Vec::new(),
            waiting: Default::default(),
            histogram: vec![0; HISTOGRAM_BANDS],
            sweep: vec![0; sweep],
            kept_apart: BTreeMap::new(),
            kept_apart_pairs: Vec::new(),
            rule_pairs: vec![(0, 0); rules],
        }
    }

    /// The threads' parts as one. Each list is copied once, into a vector
    /// of its final size (the order is sorted out later): the links of a
    /// million patients are a hundred megabytes, and appending parts two by
    /// two grew them again and again into fresh memory, which the system
    /// zeroes first.
    fn merge(mut parts: Vec<Tally>, rules: usize, sweep: usize) -> Tally {
        if parts.len() == 1 {
            return parts.pop().expect("one part");
        }
        let mut total = Tally::new(rules, sweep);
        for (index, list) in total.lists().into_iter().enumerate() {
            let length: usize = parts.iter_mut().map(|part| part.lists()[index].len()).sum();
            list.reserve_exact(length);
        }
        for mut part in parts {
            for (list, part_list) in total.lists().into_iter().zip(part.lists()) {
                list.append(part_list);
            }
            add_into(&mut total.histogram, &part.histogram);
            add_into(&mut total.sweep, &part.sweep);
            for (rule, count) in part.kept_apart {
                *total.kept_apart.entry(rule).or_default() += count;
            }
            total.kept_apart_pairs.append(&mut part.kept_apart_pairs);
            for (mine, theirs) in total.rule_pairs.iter_mut().zip(part.rule_pairs) {
                mine.0 += theirs.0;
                mine.1 += theirs.1;
            }
        }
        total
    }

    fn lists(&mut self) -> [&mut Vec<Scored>; 2 + WAITING.len()] {
        let [twins, names, generation] = &mut self.waiting;
        [&mut self.links, &mut self.uncertain, twins, names, generation]
    }
}

fn add_into(total: &mut [u64], part: &[u64]) {
    for (a, b) in total.iter_mut().zip(part) {
        *a += b;
    }
}

/// Everything matching knows before deciding: features, blocks and the
/// estimated model. `explain` asks it about single pairs.
pub struct Matcher<'c> {
    features: Features<'c>,
    blocks: block::Blocks,
    model: Model,
    config: MatchConfig,
    decisions: Decisions,
    timings: MatchTimings,
}

impl<'c> Matcher<'c> {
    pub fn prepare(candidates: &'c [Candidate], config: &MatchConfig) -> Matcher<'c> {
        let mut timings = MatchTimings::default();
        let started = Instant::now();
        let features = Features::new(candidates);
        timings.features = elapsed_ms(started);
        let started = Instant::now();
        // Without national ids, they must not choose the pairs either.
        let rules: Vec<BlockingRule> = config
            .blocking
            .iter()
            .filter(|rule| config.use_national_id || !rule.uses(KeyPart::NationalId))
            .cloned()
            .collect();
        // u's random pairs need no blocks. Drawn beside blocking, they take
        // the core that a rule's sequential steps (counting and placing its
        // keys, walking its blocks) leave idle.
        let (blocks, random) = rayon::join(
            || block::block(&features, &rules, config.max_block_size),
            || random_pair_levels(&features, config.compare_options()),
        );
        timings.blocking = elapsed_ms(started);
        let mut matcher = Matcher {
            model: Model::starting(candidates.len()),
            features,
            blocks,
            config: config.clone(),
            decisions: Decisions::default(),
            timings,
        };
        matcher.model.household_rule = config.keep_households_apart;
        matcher.model.people = matcher.features.people();
        let started = Instant::now();
        matcher.estimate(&random);
        matcher.timings.estimation = elapsed_ms(started);
        matcher
    }

    /// Reviewers' decisions to honour, by candidate index.
    pub fn with_decisions(mut self, decisions: Decisions) -> Matcher<'c> {
        self.decisions = decisions;
        self
    }

    pub fn decision(&self, a: u32, b: u32) -> Option<Decision> {
        self.decisions.get(a, b)
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn person(&self, index: u32) -> Person<'_> {
        self.features.person(index)
    }

    pub fn compare(&self, a: u32, b: u32) -> Comparison {
        compare::compare(self.person(a), self.person(b), self.config.compare_options())
    }

    /// Each field's level and weight, and the score, for one pair.
    pub fn explain(&self, a: u32, b: u32) -> (Comparison, Vec<Contribution>, Score) {
        let comparison = self.compare(a, b);
        let (parts, score) = self.model.explain(&comparison, self.person(a), self.person(b));
        (comparison, parts, score)
    }

    fn score(&self, a: u32, b: u32) -> (Comparison, Score) {
        let comparison = self.compare(a, b);
        (comparison, self.model.score(&comparison, self.person(a), self.person(b)))
    }

    /// u from the levels of random pairs (`random_pair_levels`), then m
    /// and the prior by EM over a sample of the blocked pairs.
    fn estimate(&mut self, random: &score::LevelCounts) {
        let count = self.features.len();
        if count < 2 {
            return;
        }
        self.model.set_u(random);
        let all_pairs = count as f64 * (count as f64 - 1.0) / 2.0;
        let blocks = &self.blocks;
        let blocked_upper_bound: u64 = (0..blocks.rule_count())
            .flat_map(|rule| blocks.blocks(rule).iter().map(move |block| pairs_in(blocks.members(rule, block).len())))
            .sum();
        let share = if blocked_upper_bound <= TRAINING_PAIRS {
            1.0
        } else {
            TRAINING_PAIRS as f64 / blocked_upper_bound as f64
        };
        let patterns = self.training_patterns(share);
        self.model.estimate_m(&patterns, share, all_pairs);
    }

    /// Patterns of the pairs in a `share` of the blocks, chosen by key.
    fn training_patterns(&self, share: f64) -> Vec<(score::Pattern, score::FieldMask, u64)> {
        let cut = (share * u64::MAX as f64) as u64;
        let tasks: Vec<(usize, &block::Block)> = (0..self.blocks.rule_count())
            .flat_map(|rule| self.blocks.blocks(rule).iter().map(move |block| (rule, block)))
            .filter(|(_, block)| share >= 1.0 || normalize::stable_hash(&(block.key, SAMPLING_SEED)) <= cut)
            .collect();
        let counts = tasks
            .par_iter()
            .enumerate()
            .fold(PatternCounts::default, |mut counts, (position, &(rule, block))| {
                self.prefetch_ahead(tasks.get(position + 1).copied(), tasks.get(position + 2).copied());
                self.for_each_pair(rule, block, |a, b| {
                    let free = self.blocks.fields_left_free(self.person(a), self.person(b));
                    *counts.entry((score::pattern(&self.compare(a, b)), free)).or_default() += 1;
                });
                counts
            })
            .reduce(PatternCounts::default, |mut merged, part| {
                for (pattern, count) in part {
                    *merged.entry(pattern).or_default() += count;
                }
                merged
            });
        let mut patterns: Vec<_> = counts.into_iter().map(|((pattern, free), count)| (pattern, free, count)).collect();
        // EM sums in this order: sorting keeps the result independent of threads.
        patterns.sort_unstable();
        patterns
    }

    /// Asks for the records of the two blocks after the one being compared:
    /// a thread takes the blocks in runs, so theirs load while this one is
    /// compared. The next block's records are in cache by then, and so the
    /// addresses of their text. Without it, comparing was mostly waiting
    /// for memory.
    fn prefetch_ahead(&self, next: Option<(usize, &block::Block)>, after_next: Option<(usize, &block::Block)>) {
        if let Some((rule, block)) = after_next {
            self.blocks.members(rule, block).iter().for_each(|&index| self.features.prefetch(index));
        }
        if let Some((rule, block)) = next {
            self.blocks.members(rule, block).iter().for_each(|&index| self.features.prefetch_text(index));
        }
    }

    /// Calls `visit` for each pair of `block` that is compared under `rule`.
    fn for_each_pair(&self, rule: usize, block: &block::Block, mut visit: impl FnMut(u32, u32)) -> u64 {
        let members = self.blocks.members(rule, block);
        let mut held = 0;
        for (position, &a) in members.iter().enumerate() {
            for &b in &members[position + 1..] {
                held += 1;
                if self.blocks.compared_here(rule, block, self.person(a), self.person(b)) {
                    visit(a.min(b), a.max(b));
                }
            }
        }
        held
    }

    /// Scores every blocked pair and keeps the links and the pairs for review.
    fn tally(&self, sweep: &[f64]) -> Tally {
        let config = &self.config;
        let rules = self.blocks.rule_count();
        let every = self.blocks.every_block();
        let parts = (0..every.len())
            .into_par_iter()
            .fold(
                || Tally::new(rules, sweep.len()),
                |mut tally, position| {
                    let (rule, block) = every.get(position).expect("a position below the count of blocks");
                    self.prefetch_ahead(every.get(position + 1), every.get(position + 2));
                    let mut compared = 0;
                    let held = self.for_each_pair(rule, block, |a, b| {
                        compared += 1;
                        let (comparison, score) = self.score(a, b);
                        let band = ((score.probability * HISTOGRAM_BANDS as f64) as usize).min(HISTOGRAM_BANDS - 1);
                        tally.histogram[band] += 1;
                        let scored = Scored { a, b, comparison, score, basis: LinkBasis::Score };
                        match config.decide(&comparison, score) {
                            // Counted where the rule changed the outcome: without it
                            // the pair would have linked or gone to review.
                            ScoreDecision::KeptApart(rule) if score.probability >= config.review => {
                                *tally.kept_apart.entry(rule).or_default() += 1;
                                tally.kept_apart_pairs.push((a, b));
                            }
                            ScoreDecision::KeptApart(_) => {}
                            // Reviewed at any threshold: outside the sweep, which
                            // shows what the thresholds decide.
                            ScoreDecision::Review if comparison.never_links() => {
                                tally.waiting[waits_as(&comparison)].push(scored)
                            }
                            _ if comparison.never_links() => {}
                            decision => {
                                for (count, &threshold) in tally.sweep.iter_mut().zip(sweep) {
                                    *count += u64::from(score.probability >= threshold);
                                }
                                match decision {
                                    ScoreDecision::Link => tally.links.push(scored),
                                    ScoreDecision::Review => tally.uncertain.push(scored),
                                    _ => {}
                                }
                            }
                        }
                    });
                    tally.rule_pairs[rule].0 += held;
                    tally.rule_pairs[rule].1 += compared;
                    tally
                },
            )
            .collect::<Vec<Tally>>();
        Tally::merge(parts, rules, sweep.len())
    }

    /// Whether two records must not end in one cluster. Two patient records
    /// must be a link in their own right: an uncertain pair is a person's to
    /// decide, never merged through a third record. A document only must not
    /// contradict a patient record.
    fn conflicts(&self, a: u32, b: u32) -> bool {
        match self.decisions.get(a, b) {
            Some(Decision::Distinct) => return true,
            Some(Decision::Match) => return false,
            None => {}
        }
        let (comparison, score) = self.score(a, b);
        if HardRule::applies(&comparison).is_some() || comparison.never_links() {
            return true;
        }
        if !self.is_patient_record(a) || !self.is_patient_record(b) {
            score.probability < DOCUMENT_CONFLICT
        } else {
            score.probability < self.config.auto_link
        }
    }

    /// Records that link to two look-alikes (`look_alike`). Clustering
    /// would join such a record to whichever link is stronger, which is a
    /// guess between look-alikes; its links wait for a person instead, but
    /// for those of a record filed with one of them (`filed_links`).
    fn look_alikes(&self, partners: &cluster::Partners, kept_apart: &[(u32, u32)]) -> LookAlikes {
        let mut ambiguous: Vec<bool> = (0..self.features.len() as u32)
            .into_par_iter()
            .map(|record| self.any_look_alikes(partners.of(record), partners))
            .collect();
        for record in self.linked_past_blocking_to_look_alikes(partners, kept_apart) {
            ambiguous[record as usize] = true;
        }
        // Few records are ambiguous: their filed links are looked for alone.
        let filed = ambiguous
            .par_iter()
            .enumerate()
            .filter(|(_, ambiguous)| **ambiguous)
            .flat_map_iter(|(record, _)| {
                let record = record as u32;
                self.filed_links(record, partners.of(record), partners)
                    .into_iter()
                    .map(move |partner| (record, partner))
            })
            .collect();
        LookAlikes { ambiguous, filed }
    }

    /// The links of an ambiguous record that stay: a scan filed under Ana
    /// Saluela's chart number is hers, whoever else of her name and
    /// birthday it resembles. It shares an identifier with patient records
    /// of one side only (not kept apart among themselves; a patient record
    /// shares its own); its links to them stay, and to scans sharing the
    /// identifier that are no look-alikes of them (one folder; a misfiled
    /// scan of the other twin is kept from them, and waits). Its other
    /// links wait, so that it can never fall to the other look-alike. A
    /// chart that outweighed the scan's name (`Comparison::chart_over_name`)
    /// owns nothing: the scan could be the twin's, misfiled.
    /// Before, every link of such a record waited: thousands of review
    /// pairs at 415k patients. A scan filed with both twins (a family
    /// chart) keeps none.
    fn filed_links(&self, record: u32, linked: &[u32], partners: &cluster::Partners) -> Vec<u32> {
        let shares_identifier = |x: u32| self.compare(record, x).identifier == Agreement::Agree;
        // A patient record owns the folder filed under its own number, but
        // not a scan whose name is its twin's (`Comparison::chart_over_name`):
        // a typo, or a scan of the twin misfiled, a person decides.
        let owns = |x: u32| {
            let comparison = self.compare(record, x);
            comparison.identifier == Agreement::Agree && !comparison.chart_over_name()
        };
        let owners: Vec<u32> = linked
            .iter()
            .copied()
            .filter(|&x| self.is_patient_record(x) && owns(x))
            .chain(self.is_patient_record(record).then_some(record))
            .collect();
        if owners.is_empty() || self.any_look_alikes(&owners, partners) {
            return Vec::new();
        }
        let kept_from_owners = |x: u32| owners.iter().any(|&owner| self.look_alike(x, owner, partners));
        let folder = linked
            .iter()
            .copied()
            .filter(|&x| !self.is_patient_record(x) && shares_identifier(x) && !kept_from_owners(x));
        let mut staying: Vec<u32> = owners.iter().copied().filter(|&owner| owner != record).chain(folder).collect();
        staying.sort_unstable();
        staying
    }

    /// A patient row or a patient already in the database; not a document.
    fn is_patient_record(&self, index: u32) -> bool {
        self.person(index).candidate.kind != CandidateKind::Document
    }

    /// Scans whose chart outweighed their name (`Comparison::chart_over_name`),
    /// and their links to that chart's patient that wait: those of a scan
    /// with an uncertain pair with the patient's look-alike (Aidan's scan
    /// misfiled under Aiden's chart, whose pair with Aidan scored only
    /// uncertain). A scan linked to both is a look-alike case already.
    fn doubted_filings(&self, tally: &Tally, linked: &cluster::Partners) -> DoubtedFilings {
        // A chart over a name is always a scan's pair with a patient record.
        let scan_and_patient =
            |pair: &Scored| if self.is_patient_record(pair.a) { (pair.b, pair.a) } else { (pair.a, pair.b) };
        let mut scans: Vec<u32> = tally
            .links
            .iter()
            .chain(&tally.uncertain)
            .filter(|pair| pair.comparison.chart_over_name())
            .map(|pair| scan_and_patient(pair).0)
            .collect();
        scans.sort_unstable();
        scans.dedup();
        let doubted = |record: u32| scans.binary_search(&record).is_ok();
        let uncertain: Vec<(u32, u32)> = tally
            .uncertain
            .iter()
            .flat_map(|pair| [(pair.a, pair.b), (pair.b, pair.a)])
            .filter(|&(scan, other)| doubted(scan) && self.is_patient_record(other))
            .collect();
        let held = tally
            .links
            .iter()
            .filter(|pair| pair.comparison.chart_over_name() && pair.basis == LinkBasis::Score)
            .filter(|pair| {
                let (scan, patient) = scan_and_patient(pair);
                uncertain.iter().any(|&(of, other)| of == scan && self.look_alike(patient, other, linked))
            })
            .map(|pair| (pair.a, pair.b))
            .collect();
        DoubtedFilings { scans, held }
    }

    /// Records linked to one of two look-alikes that would link to the
    /// other as well, had blocking paired them: Bri, linked to Brianna, and
    /// Brianna's twin Breanna, whose own record has a digit of the birth
    /// date wrong, so that no blocking rule put her beside Bri. Scored
    /// here, the pair links, and the record is as ambiguous as one that
    /// links to both. `kept_apart` holds the pairs scoring kept apart, sent
    /// to a person whatever their score (possible twins, names that differ,
    /// a generation unknown) or that a reviewer decided `distinct`: walked
    /// from them, since few records have any. A record whose link to the
    /// one is a reviewer's, or whose pair with the other a reviewer decided,
    /// is settled. Sorted.
    fn linked_past_blocking_to_look_alikes(&self, partners: &cluster::Partners, kept_apart: &[(u32, u32)]) -> Vec<u32> {
        let undecided = |x: u32, y: u32| self.decisions.get(x, y).is_none();
        let mut unpaired: Vec<(u32, u32)> = kept_apart
            .par_iter()
            .filter(|&&(a, b)| !(partners.of(a).is_empty() && partners.of(b).is_empty()))
            .filter(|&&(a, b)| self.look_alike(a, b, partners))
            .flat_map_iter(|&(a, b)| [(a, b), (b, a)])
            .flat_map_iter(|(partner, other)| {
                partners
                    .of(partner)
                    .iter()
                    .copied()
                    .filter(move |&record| {
                        record != other
                            && !partners.contains(record, other)
                            && undecided(record, partner)
                            && undecided(record, other)
                    })
                    .map(move |record| (record, other))
            })
            .collect();
        // One record and one look-alike are scored once, however many
        // kept-apart pairs lead to them.
        unpaired.par_sort_unstable();
        unpaired.dedup();
        let mut records: Vec<u32> = unpaired
            .par_iter()
            .filter(|&&(record, other)| self.would_link(record, other))
            .map(|&(record, _)| record)
            .collect();
        records.dedup();
        records
    }

    /// Whether scoring links the pair on its own.
    fn would_link(&self, a: u32, b: u32) -> bool {
        let (comparison, score) = self.score(a, b);
        self.config.decide(&comparison, score) == ScoreDecision::Link
    }

    /// Whether two of `records` are look-alikes (`look_alike`).
    fn any_look_alikes(&self, records: &[u32], partners: &cluster::Partners) -> bool {
        records
            .iter()
            .enumerate()
            .any(|(position, &x)| records[position + 1..].iter().any(|&y| self.look_alike(x, y, partners)))
    }

    /// Two records a hard rule or a reviewer keeps apart, or that wait for
    /// a person whatever their score (possible twins, patients whose names
    /// differ, a generation unknown): a record alike to both could be either. Two that are a
    /// link themselves are neither, and are not compared again.
    fn look_alike(&self, x: u32, y: u32, partners: &cluster::Partners) -> bool {
        if partners.contains(x, y) {
            return false;
        }
        if let Some(decision) = self.decisions.get(x, y) {
            return decision == Decision::Distinct;
        }
        let comparison = self.compare(x, y);
        HardRule::applies(&comparison).is_some() || comparison.never_links()
    }

    /// Reviewers' decisions overrule the scores: a `distinct` pair neither
    /// links nor waits for review; a `match` pair links whatever its score,
    /// even when blocking never paired it.
    fn apply_decisions(&self, tally: &mut Tally) -> BTreeMap<Decision, usize> {
        let mut applied = BTreeMap::new();
        if self.decisions.is_empty() {
            return applied;
        }
        let decided = |pair: &Scored| self.decisions.get(pair.a, pair.b).is_some();
        tally.links.retain(|pair| !decided(pair));
        tally.uncertain.retain(|pair| !decided(pair));
        for waiting in &mut tally.waiting {
            waiting.retain(|pair| !decided(pair));
        }
        for (a, b) in self.decisions.pairs(Decision::Match) {
            let (comparison, score) = self.score(a, b);
            tally.links.push(Scored { a, b, comparison, score, basis: LinkBasis::Reviewer });
        }
        tally.links.sort_unstable_by_key(|pair| (pair.a, pair.b));
        for decision in [Decision::Match, Decision::Distinct] {
            applied.insert(decision, self.decisions.count(decision));
        }
        applied
    }

    /// Decides every pair and clusters the links.
    pub fn run(mut self) -> MatchOutcome {
        let mut sweep: Vec<f64> = SWEEP.to_vec();
        sweep.extend([self.config.review, self.config.auto_link]);
        sweep.sort_by(f64::total_cmp);
        sweep.dedup();
        let started = Instant::now();
        let mut tally = self.tally(&sweep);
        self.timings.scoring = elapsed_ms(started);
        let started = Instant::now();
        // Threads finish in any order; sorting makes the result independent of it.
        tally.links.par_sort_unstable_by_key(|pair| (pair.a, pair.b));
        tally.uncertain.par_sort_unstable_by_key(|pair| (pair.a, pair.b));
        for waiting in &mut tally.waiting {
            waiting.sort_unstable_by_key(|pair| (pair.a, pair.b));
        }
        for (rule, &(held, compared)) in tally.rule_pairs.iter().enumerate() {
            self.blocks.record_pairs(rule, held, compared);
        }
        self.blocks.release();

        // Gathered before reviewers' decisions take the decided pairs out of
        // the lists: a pair decided `distinct` stays look-alikes (and
        // `look_alike` drops those decided `match`).
        let mut kept_apart: Vec<(u32, u32)> = tally
            .kept_apart_pairs
            .iter()
            .copied()
            .chain(tally.waiting.iter().flatten().map(|pair| (pair.a, pair.b)))
            .chain(self.decisions.pairs(Decision::Distinct))
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect();
        // A pair both queued and decided would be walked twice.
        kept_apart.par_sort_unstable();
        kept_apart.dedup();
        let decisions_applied = self.apply_decisions(&mut tally);
        let linked = cluster::Partners::new(self.features.len(), tally.links.iter().map(|pair| (pair.a, pair.b)));
        let look_alikes = self.look_alikes(&linked, &kept_apart);
        drop(kept_apart);
        let doubt = self.doubted_filings(&tally, &linked);
        let held = |pair: &Scored| look_alikes.holds(pair) || doubt.held.binary_search(&(pair.a, pair.b)).is_ok();
        // Few links are held back: taken out in place, in one pass, where a
        // partition would copy every link into a new vector.
        let mut held_back: Vec<Scored> = Vec::new();
        tally.links.retain(|pair| {
            let waits = held(pair);
            if waits {
                held_back.push(*pair);
            }
            !waits
        });
        drop(look_alikes);

        // Kinds in one small array: looked up for millions of links below,
        // where reading each candidate's record would miss the cache.
        let kinds: Vec<CandidateKind> =
            (0..self.features.len() as u32).into_par_iter().map(|i| self.person(i).candidate.kind).collect();
        let existing: Vec<bool> = kinds.iter().map(|&kind| kind == CandidateKind::Existing).collect();
        let weighted: Vec<(u32, u32, f64)> =
            tally.links.iter().map(|pair| (pair.a, pair.b, link_strength(pair))).collect();
        let clustering = cluster::cluster(&weighted, |x, y| !linked.contains(x, y) && self.conflicts(x, y), &existing);
        drop((weighted, linked, existing));

        let stats = MatchStats {
            auto_link: self.config.auto_link,
            review: self.config.review,
            candidates: self.features.len(),
            blocking: self.blocks.stats.clone(),
            candidate_pairs: tally.rule_pairs.iter().map(|(_, compared)| compared).sum(),
            links: tally.links.len() - clustering.refused.len(),
            review_pairs: 0,
            kept_apart: tally.kept_apart,
            // Counted once reviewers' decisions have taken theirs out.
            possible_twins: self.config.would_link(waiting_for(&tally.waiting, ReviewReason::PossibleTwins)),
            names_differ: self.config.would_link(waiting_for(&tally.waiting, ReviewReason::NamesDiffer)),
            generation_unknown: self.config.would_link(waiting_for(&tally.waiting, ReviewReason::GenerationUnknown)),
            refused_links: clustering.refused.len(),
            clusters: clustering.clusters,
            probability_histogram: tally.histogram,
            threshold_sweep: sweep
                .iter()
                .zip(&tally.sweep)
                .map(|(&threshold, &pairs)| SweepRow { threshold, pairs })
                .collect(),
            model: ModelSummary::of(&self.model),
            decisions_applied,
            timings_ms: MatchTimings::default(),
        };
        let told_apart = ToldApart::new(&self.decisions, self.features.len());
        let review = review_queue(
            &kinds,
            std::iter::once((&tally.uncertain[..], ReviewReason::Uncertain))
                .chain(WAITING.into_iter().zip(&tally.waiting).map(|(reason, pairs)| (&pairs[..], reason)))
                .chain([(&held_back[..], ReviewReason::LinksToLookAlikes)]),
            &tally.links,
            &clustering,
            &doubt.scans,
            &told_apart,
        );
        // Into the same allocation (a link is smaller than a scored pair):
        // a million patients have millions of links.
        let links = tally
            .links
            .into_iter()
            .filter(|pair| !clustering.is_refused(pair.a, pair.b))
            .map(|pair| Link { a: pair.a, b: pair.b, score: pair.score, basis: pair.basis })
            .collect();
        self.timings.clustering = elapsed_ms(started);
        MatchOutcome {
            cluster_of: clustering.cluster_of,
            links,
            stats: MatchStats { review_pairs: review.len(), timings_ms: self.timings, ..stats },
            review,
        }
    }
}

/// Scans whose chart outweighed their name, sorted, and the links of theirs
/// that wait (`Matcher::doubted_filings`), sorted by pair.
struct DoubtedFilings {
    scans: Vec<u32>,
    held: Vec<(u32, u32)>,
}

/// What the look-alike check found: the records linking to two
/// look-alikes, and which of their links stay (record, partner;
/// in record order, each record's partners sorted).
struct LookAlikes {
    ambiguous: Vec<bool>,
    filed: Vec<(u32, u32)>,
}

impl LookAlikes {
    /// Whether a link waits for a person. A reviewer's link never does.
    fn holds(&self, pair: &Scored) -> bool {
        let waits = |record: u32, other: u32| {
            self.ambiguous[record as usize] && self.filed.binary_search(&(record, other)).is_err()
        };
        pair.basis != LinkBasis::Reviewer && (waits(pair.a, pair.b) || waits(pair.b, pair.a))
    }
}

/// The levels of random pairs, for u: every pair of a small file, else
/// about `RANDOM_PAIRS` of them.
fn random_pair_levels(features: &Features<'_>, options: compare::CompareOptions) -> score::LevelCounts {
    let count = features.len();
    if count < 2 {
        return score::LevelCounts::default();
    }
    let all_pairs = pairs_in(count);
    let level_of = |a: u32, b: u32| score::pattern(&compare::compare(features.person(a), features.person(b), options));
    if all_pairs <= RANDOM_PAIRS {
        return (0..count as u32)
            .into_par_iter()
            .fold(score::LevelCounts::default, |mut counts, a| {
                for b in a + 1..count as u32 {
                    counts.add(&level_of(a, b));
                }
                counts
            })
            .reduce(score::LevelCounts::default, score::LevelCounts::merge);
    }
    // Records drawn at random in small groups, every pair within a group
    // counted: a group stays in cache, where pairs drawn one by one miss it
    // twice each (that cost as much as scoring every blocked pair). Draws
    // are deterministic, per group, so threads do not change them.
    let groups = RANDOM_PAIRS.div_ceil(pairs_in(RANDOM_GROUP));
    (0..groups)
        .into_par_iter()
        .fold(score::LevelCounts::default, |mut counts, group| {
            let mut rng = Rng::new(SAMPLING_SEED ^ group);
            let members: Vec<u32> = (0..RANDOM_GROUP).map(|_| rng.below(count) as u32).collect();
            members.iter().for_each(|&index| features.prefetch(index));
            members.iter().for_each(|&index| features.prefetch_text(index));
            for (position, &a) in members.iter().enumerate() {
                for &b in members[position + 1..].iter().filter(|&&b| b != a) {
                    counts.add(&level_of(a.min(b), a.max(b)));
                }
            }
            counts
        })
        .reduce(score::LevelCounts::default, score::LevelCounts::merge)
}

/// Clustering takes links strongest first; a reviewer's `match` comes
/// before any score.
fn link_strength(pair: &Scored) -> f64 {
    match pair.basis {
        LinkBasis::Reviewer => f64::INFINITY,
        LinkBasis::Score => pair.score.weight,
    }
}

fn pairs_in(size: usize) -> u64 {
    (size as u64) * (size as u64).saturating_sub(1) / 2
}

pub fn run(candidates: &[Candidate], config: &MatchConfig) -> MatchOutcome {
    Matcher::prepare(candidates, config).run()
}

/// Pairs for review (each list with its reason) and refused links whose
/// records ended in different clusters, but not pairs of two documents: a
/// person decides which patient a document belongs to, not whether two
/// pages are one person. Nor an uncertain pair of a document that a patient
/// record already claimed (a link of its own to a patient record it was
/// clustered with): the document is that patient's, and a weaker candidate
/// for it (a scan of Yan Yoyama, filed under her chart, beside Yan Wang of
/// the same birthday) is no question for a person. At 1M patients these
/// were half the queue. A scan whose chart outweighed its name
/// (`doubted_scans`, sorted) is never claimed: it could be the twin's,
/// misfiled, and its other pairs still ask.
fn review_queue<'s>(
    kinds: &[CandidateKind],
    queued: impl IntoIterator<Item = (&'s [Scored], ReviewReason)>,
    // Sorted by pair.
    links: &[Scored],
    clustering: &cluster::Clustering,
    doubted_scans: &[u32],
    told_apart: &ToldApart,
) -> Vec<ReviewPair> {
    // Few links are refused: each is looked up in the links, sorted by pair.
    let refused_links = clustering.refused.iter().filter_map(|&(a, b)| {
        let position = links.binary_search_by_key(&(a, b), |pair| (pair.a, pair.b)).ok()?;
        Some((&links[position], ReviewReason::ConflictsWithCluster))
    });
    let document = |index: u32| kinds[index as usize] == CandidateKind::Document;
    let same_cluster = |a: u32, b: u32| clustering.cluster_of[a as usize] == clustering.cluster_of[b as usize];
    // Claimed by a link of its own to a patient record it was clustered
    // with, not merely through another scan of the folder.
    let claimers: Vec<u32> = links
        .par_iter()
        .filter(|link| same_cluster(link.a, link.b))
        .filter_map(|link| match (document(link.a), document(link.b)) {
            (true, false) => Some(link.a),
            (false, true) => Some(link.b),
            _ => None,
        })
        .filter(|scan| doubted_scans.binary_search(scan).is_err())
        .collect();
    let mut claimed = vec![false; kinds.len()];
    for document in claimers {
        claimed[document as usize] = true;
    }
    let claimed_document = |index: u32| claimed[index as usize];
    let mut queue: Vec<ReviewPair> = queued
        .into_iter()
        .flat_map(|(pairs, reason)| pairs.iter().map(move |pair| (pair, reason)))
        .chain(refused_links)
        .map(|(pair, reason)| ReviewPair {
            a: pair.a,
            b: pair.b,
            score: pair.score,
            comparison: pair.comparison,
            reason,
        })
        .filter(|pair| clustering.cluster_of[pair.a as usize] != clustering.cluster_of[pair.b as usize])
        .filter(|pair| !told_apart.answers(pair.a, pair.b))
        .filter(|pair| !(document(pair.a) && document(pair.b)))
        .filter(|pair| {
            pair.reason != ReviewReason::Uncertain || !(claimed_document(pair.a) || claimed_document(pair.b))
        })
        .collect();
    // The lines whose answer settles others come first: a `match` on
    // possible twins, or on patients whose names differ, settles the lines
    // of every record alike to both (docs/matching.md, section 8).
    queue.sort_by_key(|pair| (!pair.reason.settles_look_alikes(), pair.a, pair.b));
    queue
}

/// What reviewers' decisions answer between them. Records a reviewer
/// called one person (`match`, and through a chain of them) are one group;
/// a `distinct` between two groups answers every question between their
/// records. Once the old EMR's Brianna is decided to be the practice's
/// Brianna, and that Brianna not to be her twin Bri, whether the old EMR's
/// Brianna is Bri is decided too; asking again would make the reviewer
/// repeat themselves. Only reviewers' links count: a record that clustering
/// put with Brianna on its score is still asked about Bri, since which of
/// them it is was the machine's guess. Decisions that contradict each other
/// (one group, told apart within) answer nothing.
struct ToldApart {
    /// Each record's group, named by one of its records (`cluster::
    /// components` over reviewers' matches); empty when nothing is told
    /// apart.
    group: Vec<u32>,
    /// Pairs of groups, smaller first; sorted, for `answers` to search.
    apart: Vec<(u32, u32)>,
}

impl ToldApart {
    /// From the decisions about `records` candidates.
    fn new(decisions: &Decisions, records: usize) -> ToldApart {
        let distinct = decisions.pairs(Decision::Distinct);
        if distinct.is_empty() {
            return ToldApart { group: Vec::new(), apart: Vec::new() };
        }
        let group = cluster::components(decisions.pairs(Decision::Match).into_iter(), records);
        let groups = |(a, b): (u32, u32)| {
            let (x, y) = (group[a as usize], group[b as usize]);
            (x.min(y), x.max(y))
        };
        // A group told apart from itself holds contradicting decisions: it
        // answers nothing, not even about other groups.
        let contradicted: Vec<u32> =
            distinct.iter().map(|&pair| groups(pair)).filter(|(x, y)| x == y).map(|(x, _)| x).collect();
        let mut apart: Vec<(u32, u32)> = distinct
            .into_iter()
            .map(groups)
            .filter(|(x, y)| x != y && !contradicted.contains(x) && !contradicted.contains(y))
            .collect();
        apart.sort_unstable();
        apart.dedup();
        ToldApart { group, apart }
    }

    /// Whether decisions already answer the question of `a` and `b`.
    fn answers(&self, a: u32, b: u32) -> bool {
        if self.apart.is_empty() {
            return false;
        }
        let (x, y) = (self.group[a as usize], self.group[b as usize]);
        self.apart.binary_search(&(x.min(y), x.max(y))).is_ok()
    }
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

    /// A patient of the practice system with its chart number, as its
    /// export gives it.
    pub(crate) fn registered(given: &str, family: &str, birth: Date, chart: &str) -> Candidate {
        use crate::record::Identifier;
        let mut record =
            Record::new(Entity::Patient, SourceRef { source: "pm".into(), file: "f".into(), sheet: None, row: 2 });
        record.set(Field::GivenName, Value::Text(given.into()));
        record.set(Field::FamilyName, Value::Text(family.into()));
        record.set(Field::BirthDate, Value::Date(birth));
        record.identifiers.push(Identifier { system: "pm-chart".into(), value: chart.into(), compared: true });
        Candidate::from_record(&record, CandidateKind::Patient)
    }

    pub(crate) fn with_household(mut candidate: Candidate) -> Candidate {
        candidate.set_text(TextField::Address, Some("12 ELM ST"));
        candidate.set_text(TextField::Phone, Some("6145550100"));
        candidate.set_text(TextField::Postal, Some("43215"));
        candidate
    }

    #[test]
    fn reviewers_decisions_overrule_scores_and_clusters() {
        use jiff::civil::date;
        let same = || with_household(candidate("Maria", "Garcia", date(1961, 5, 9)));
        let stranger = candidate("Tomasz", "Zielinski", date(1977, 2, 3));
        let candidates = vec![same(), same(), same(), stranger];
        let config = MatchConfig::default();
        assert_eq!(run(&candidates, &config).cluster_of, vec![0, 0, 0, 1]);
        let mut decisions = Decisions::default();
        decisions.insert(1, 0, Decision::Distinct);
        decisions.insert(2, 3, Decision::Match);
        let outcome = Matcher::prepare(&candidates, &config).with_decisions(decisions).run();
        let cluster = &outcome.cluster_of;
        assert_ne!(cluster[0], cluster[1], "not even through record 2: {cluster:?}");
        assert_eq!(cluster[2], cluster[3], "a reviewer's match links strangers by score: {cluster:?}");
        let reviewer_link = outcome.links.iter().find(|link| (link.a, link.b) == (2, 3)).unwrap();
        assert_eq!(reviewer_link.basis, LinkBasis::Reviewer);
        assert!(outcome.review.iter().all(|pair| (pair.a, pair.b) != (0, 1)), "decided pairs are not queued");
        assert_eq!(outcome.stats.decisions_applied[&Decision::Distinct], 1);
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
        // Where given names are often replaced outright (FEBRL), the rule
        // can be turned off; then they are scored like any disagreement.
        let allowed = run(&candidates, &MatchConfig { keep_twins_apart: false, ..MatchConfig::default() });
        assert_eq!(allowed.stats.kept_apart.get(&HardRule::Twins), None);
    }

    #[test]
    fn two_valid_national_ids_keep_a_pair_apart_but_a_keying_error_does_not() {
        use jiff::civil::date;
        let with_id = |id: &str| {
            let mut person = with_household(candidate("Maria", "Garcia", date(1961, 5, 9)));
            person.set_text(TextField::NationalId, Some(id));
            person
        };
        let apart = run(&[with_id("123456780"), with_id("234567891")], &MatchConfig::default());
        assert_eq!(apart.cluster_of, vec![0, 1]);
        assert_eq!(apart.stats.kept_apart.get(&HardRule::NationalId), Some(&1));
        let typo = run(&[with_id("123456780"), with_id("123456870")], &MatchConfig::default());
        assert_eq!(typo.cluster_of, vec![0, 0]);
        let ignored = MatchConfig { use_national_id: false, ..MatchConfig::default() };
        assert_eq!(run(&[with_id("123456780"), with_id("234567891")], &ignored).cluster_of, vec![0, 0]);
        // Seven digits are not a social security number: scored, not a rule.
        let other_shape = run(&[with_id("1234567"), with_id("7654321")], &MatchConfig::default());
        assert_eq!(other_shape.stats.kept_apart.get(&HardRule::NationalId), None);
    }

    #[test]
    fn the_sweep_counts_the_pairs_each_threshold_would_link() {
        use jiff::civil::date;
        let candidates = vec![
            with_household(candidate("Ann", "Lee", date(1970, 1, 1))),
            with_household(candidate("Ann", "Lee", date(1970, 1, 1))),
            candidate("Ann", "Leigh", date(1970, 1, 1)),
            candidate("Anna", "Lee", date(1971, 1, 1)),
        ];
        let outcome = run(&candidates, &MatchConfig::default());
        let sweep = &outcome.stats.threshold_sweep;
        assert!(sweep.windows(2).all(|rows| rows[0].threshold < rows[1].threshold && rows[0].pairs >= rows[1].pairs));
        let at = |threshold: f64| sweep.iter().find(|row| row.threshold == threshold).unwrap().pairs;
        let stats = &outcome.stats;
        assert_eq!(at(stats.auto_link), (stats.links + stats.refused_links) as u64);
        let uncertain = outcome.review.iter().filter(|pair| pair.reason == ReviewReason::Uncertain).count();
        assert!(at(stats.auto_link) > 0 && uncertain > 0, "the fixture has links and uncertain pairs");
        assert_eq!(at(stats.review) - at(stats.auto_link), uncertain as u64, "{:?}", outcome.review);
    }

    #[test]
    fn two_registrations_that_could_be_twins_wait_for_a_person() {
        use jiff::civil::date;
        // Bri is Brianna's nickname, and Breanna's: the practice registered
        // two girls, or one girl twice. The old EMR's Brianna, alike to
        // both, waits too: which girl she is, the answer tells.
        let birth = date(2013, 5, 14);
        let candidates = vec![
            with_household(registered("Brianna", "Zamera", birth, "143889")),
            with_household(registered("Bri", "Zamera", birth, "517369")),
            with_household(candidate("Brianna", "Zamera", birth)),
        ];
        let outcome = run(&candidates, &MatchConfig::default());
        assert_eq!(outcome.cluster_of, vec![0, 1, 2]);
        assert_eq!(outcome.stats.possible_twins, 1, "Bri and the first Brianna would have linked");
        let look_alike = ReviewReason::LinksToLookAlikes;
        assert_eq!(reviewed(&outcome), [(0, 1, ReviewReason::PossibleTwins), (0, 2, look_alike), (1, 2, look_alike)]);

        // A reviewer who checked the chart decides, once.
        let mut decisions = Decisions::default();
        decisions.insert(0, 1, Decision::Match);
        let decided = Matcher::prepare(&candidates, &MatchConfig::default()).with_decisions(decisions).run();
        assert_eq!(decided.cluster_of, vec![0, 0, 0]);
        assert!(decided.review.is_empty(), "{:?}", decided.review);
        assert_eq!(decided.stats.possible_twins, 0, "decided: no longer sent to review");
        let mut decisions = Decisions::default();
        decisions.insert(1, 0, Decision::Distinct);
        let apart = Matcher::prepare(&candidates, &MatchConfig::default()).with_decisions(decisions).run();
        assert_eq!(apart.cluster_of, vec![0, 1, 2], "twins: Bri is her own patient, and Brianna still waits");
        assert!(apart.review.iter().all(|pair| (pair.a, pair.b) != (0, 1)), "{:?}", apart.review);
        assert_eq!(apart.stats.possible_twins, 0);
        let mut decisions = Decisions::default();
        decisions.insert(1, 0, Decision::Distinct);
        decisions.insert(0, 2, Decision::Match);
        let settled = Matcher::prepare(&candidates, &MatchConfig::default()).with_decisions(decisions).run();
        assert_eq!(settled.cluster_of, vec![0, 1, 0]);
        // The old EMR's Brianna is the first Brianna, who is not Bri: so
        // she is not Bri either, and that line is not asked.
        assert!(settled.review.is_empty(), "{:?}", settled.review);

        // Turned off, the pair is scored like any other.
        for config in [
            MatchConfig { review_possible_twins: false, ..MatchConfig::default() },
            MatchConfig { keep_twins_apart: false, ..MatchConfig::default() },
        ] {
            let scored = run(&candidates, &config);
            assert_eq!(scored.cluster_of, vec![0, 0, 0]);
            assert_eq!(scored.stats.possible_twins, 0);
        }
    }

    #[test]
    fn two_registrations_under_a_nickname_twins_share_wait_for_a_person() {
        use jiff::civil::date;
        // Twins Brianna and Breanna, both registered as Bri; the old EMR
        // holds Breanna. Which Bri she is, nothing but the chart tells.
        let birth = date(2013, 5, 14);
        let mut candidates = vec![
            with_household(registered("Bri", "Zamera", birth, "143889")),
            with_household(registered("Bri", "Zamera", birth, "517369")),
            with_household(candidate("Breanna", "Zamera", birth)),
        ];
        // Brianna and Breanna are names in this practice, Bri a nickname.
        for given in ["Brianna", "Breanna"] {
            candidates.extend((0..3).map(|_| candidate(given, "Ruiz", date(1990, 1, 2))));
        }
        let outcome = run(&candidates, &MatchConfig::default());
        assert_eq!(outcome.cluster_of[..3], [0, 1, 2]);
        let look_alike = ReviewReason::LinksToLookAlikes;
        let twins: Vec<_> = reviewed(&outcome).into_iter().filter(|&(a, b, _)| a < 3 && b < 3).collect();
        assert_eq!(twins, [(0, 1, ReviewReason::PossibleTwins), (0, 2, look_alike), (1, 2, look_alike)]);
    }

    #[test]
    fn a_nickname_and_a_typo_of_one_name_do_not_make_a_person_look_like_twins() {
        use jiff::civil::date;
        // Kevin Brandt's chart, and two scans of his: one indexed as Kev,
        // one as KVEIN. Read as two names, the scans are kept apart as
        // twins: one of them is left out of Kevin's chart, its line in
        // review as conflicting with the cluster.
        let born = date(1990, 3, 4);
        // A practice of three hundred strangers, a tenth of them Kevins:
        // Kevin is a common name here, and KVEIN is not.
        let givens = ["Kevin", "Maria", "Omar", "Grace", "Ivan", "Lena", "Paul", "Rosa", "Tariq", "Wendy"];
        let families =
            ["Abbott", "Chen", "Evans", "Garza", "Ito", "Jensen", "Kowalski", "Mensah", "Novak", "Okafor", "Petrov"];
        let mut candidates: Vec<Candidate> = (0..300)
            .map(|i| {
                let born = date(1930 + (i % 90) as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8);
                candidate(givens[i % givens.len()], families[i % families.len()], born)
            })
            .collect();
        let mut scan = |given: &str| {
            let mut scan = registered(given, "Brandt", born, "7");
            scan.kind = CandidateKind::Document;
            candidates.push(scan);
        };
        scan("Kev");
        scan("Kvein");
        candidates.push(with_household(registered("Kevin", "Brandt", born, "7")));
        let outcome = run(&candidates, &MatchConfig::default());
        let brandt = &outcome.cluster_of[300..];
        assert!(brandt.iter().all(|&cluster| cluster == brandt[0]), "{brandt:?} {:?}", reviewed(&outcome));
        assert!(outcome.review.is_empty(), "{:?}", reviewed(&outcome));
    }

    #[test]
    fn a_scan_under_one_twins_chart_with_the_others_name_waits() {
        use jiff::civil::date;
        let birth = date(2011, 6, 14);
        let twin = |given: &str, chart: &str| with_household(registered(given, "Lind", birth, chart));
        let mut scan = registered("Kaitlyn", "Lind", birth, "1");
        scan.kind = CandidateKind::Document;
        // No twin of that name: a typo in the index, and the chart decides.
        let typo = run(&[twin("Caitlin", "1"), scan.clone()], &MatchConfig::default());
        assert_eq!(typo.cluster_of, vec![0, 0]);
        // Kaitlyn is a patient too: her scan misfiled, or Caitlin's mistyped.
        let either = run(&[twin("Caitlin", "1"), twin("Kaitlyn", "2"), scan], &MatchConfig::default());
        assert_eq!(either.cluster_of, vec![0, 1, 2]);
        let look_alike = ReviewReason::LinksToLookAlikes;
        assert_eq!(reviewed(&either), [(0, 2, look_alike), (1, 2, look_alike)]);

        // Kaitlyn's own record is poorer (her surname and a digit of her
        // birth date mistyped), so her scan's pair with it is only
        // uncertain: the scan still joins neither, and both of its pairs
        // ask. Without the doubt, it would join Caitlin, and the pair with
        // Kaitlyn would leave the queue as a claimed scan's.
        let mut scan = registered("Kaitlyn", "Lind", birth, "1");
        scan.kind = CandidateKind::Document;
        let poorer = registered("Kaitlyn", "Lindt", date(2011, 6, 24), "2");
        let strict = MatchConfig { auto_link: 0.999, ..MatchConfig::default() };
        let uncertain = run(&[twin("Caitlin", "1"), poorer, scan], &strict);
        assert_eq!(uncertain.cluster_of, vec![0, 1, 2]);
        assert_eq!(reviewed(&uncertain), [(0, 2, look_alike), (1, 2, ReviewReason::Uncertain)]);
    }

    #[test]
    fn the_lines_that_settle_others_come_first() {
        use jiff::civil::date;
        let birth = date(2013, 5, 14);
        let candidates = vec![
            with_household(candidate("Ann", "Lee", date(1970, 1, 1))),
            candidate("Ann", "Leigh", date(1970, 1, 1)),
            candidate("Anna", "Lee", date(1971, 1, 1)),
            with_household(registered("Brianna", "Zamera", birth, "143889")),
            with_household(registered("Bri", "Zamera", birth, "517369")),
        ];
        let queue = reviewed(&run(&candidates, &MatchConfig::default()));
        let first_other = queue.iter().position(|line| line.2 != ReviewReason::PossibleTwins);
        assert_eq!(queue[0], (3, 4, ReviewReason::PossibleTwins), "{queue:?}");
        assert!(
            first_other.is_some_and(|at| queue[at..].iter().all(|line| !line.2.settles_look_alikes())),
            "{queue:?}"
        );
    }

    #[test]
    fn decisions_answer_only_what_reviewers_tied() {
        let mut decisions = Decisions::default();
        decisions.insert(0, 2, Decision::Match);
        decisions.insert(0, 1, Decision::Distinct);
        // Contradicting each other: 5, 6 and 7 one person, 5 not 7; and 5
        // not 8, which says nothing of 7 and 8 then.
        decisions.insert(5, 6, Decision::Match);
        decisions.insert(7, 6, Decision::Match);
        decisions.insert(5, 7, Decision::Distinct);
        decisions.insert(5, 8, Decision::Distinct);
        // A long chain of matches, 100 to 100,000, told apart from 99.
        for record in 100..100_000 {
            decisions.insert(record, record + 1, Decision::Match);
        }
        decisions.insert(99, 100_000, Decision::Distinct);
        let told = ToldApart::new(&decisions, 100_001);
        assert!(told.answers(2, 1) && told.answers(1, 2), "2 is 0, who is not 1");
        assert!(told.answers(0, 1));
        assert!(!told.answers(3, 1), "3, never decided, is still a question");
        assert!(!told.answers(2, 0), "a match is no distinct");
        assert!(!told.answers(5, 7) && !told.answers(6, 7), "contradictions answer nothing");
        assert!(!told.answers(7, 8) && !told.answers(5, 8), "{:?}", told.apart);
        assert!(told.answers(99, 100) && told.answers(50_000, 99));
        assert!(!ToldApart::new(&Decisions::default(), 2).answers(0, 1));
    }

    /// The review queue as (record, record, reason), for asserting on.
    fn reviewed(outcome: &MatchOutcome) -> Vec<(u32, u32, ReviewReason)> {
        outcome.review.iter().map(|pair| (pair.a, pair.b, pair.reason)).collect()
    }

    #[test]
    fn a_scored_pair_stays_forty_bytes() {
        // Matching keeps millions of them (the links, the uncertain pairs);
        // at 48 bytes a million patients took 40 MB more.
        assert_eq!(std::mem::size_of::<Scored>(), 40);
    }

    #[test]
    fn patients_with_no_name_in_common_wait_for_a_person() {
        use jiff::civil::date;
        // Twins at one home; the old EMR swapped Orla's names and mistyped
        // her surname, so only the home and the birthday agree.
        let birth = date(2016, 11, 19);
        let mut orla = with_household(candidate("Orla", "Flintyre", birth));
        orla.set_text(TextField::Family, Some("ORLA"));
        orla.set_text(TextField::Given, Some("FLNTYRE"));
        let candidates = vec![with_household(registered("Mariana", "Flintyre", birth, "1")), orla];
        let outcome = run(&candidates, &MatchConfig::default());
        assert_eq!(outcome.cluster_of, vec![0, 1]);
        assert_eq!(outcome.stats.names_differ, 1, "their score would have linked them");
        assert_eq!(reviewed(&outcome), [(0, 1, ReviewReason::NamesDiffer)]);
        let scored = run(&candidates, &MatchConfig { keep_twins_apart: false, ..MatchConfig::default() });
        assert_eq!(scored.cluster_of, vec![0, 0], "without the twins rules, the score decides");
        assert_eq!(scored.stats.names_differ, 0);
    }

    #[test]
    fn a_document_its_patient_claimed_asks_no_one_about_weaker_candidates() {
        use jiff::civil::date;
        let birth = date(2004, 8, 14);
        let scan = || {
            let mut scan = candidate("Yan", "Yoyama", birth);
            scan.kind = CandidateKind::Document;
            scan
        };
        let candidates = vec![
            candidate("Yan", "Yoyama", birth),
            scan(),
            candidate("Yan", "Wang", birth),
            candidate("Yan", "Wong", birth),
            scan(),
        ];
        let features = Features::new(&candidates);
        let scored = |a: u32, b: u32, probability: f64| Scored {
            a,
            b,
            comparison: compare::compare(features.person(a), features.person(b), CompareOptions::default()),
            score: Score { weight: 0.0, probability },
            basis: LinkBasis::Score,
        };
        let links = [scored(0, 1, 0.99)];
        let uncertain = [scored(1, 2, 0.6), scored(2, 3, 0.6), scored(2, 4, 0.6)];
        let queued = |cluster_of: Vec<u32>| {
            let clusters = cluster_of.iter().max().map_or(0, |&last| last as usize + 1);
            let clustering = cluster::Clustering { cluster_of, clusters, refused: Vec::new() };
            let lists = [
                (&uncertain[..], ReviewReason::Uncertain),
                (&[][..], ReviewReason::PossibleTwins),
                (&[][..], ReviewReason::LinksToLookAlikes),
            ];
            let kinds: Vec<CandidateKind> = candidates.iter().map(|candidate| candidate.kind).collect();
            review_queue(
                &kinds,
                lists,
                &links,
                &clustering,
                &[],
                &ToldApart::new(&Decisions::default(), candidates.len()),
            )
            .iter()
            .map(|pair| (pair.a, pair.b))
            .collect::<Vec<_>>()
        };
        // The scan linked to Yan Yoyama's record: Yan Wang is not asked
        // about. The second scan is in her folder only through the first
        // (say, one chart number), so its question stays.
        assert_eq!(queued(vec![0, 0, 1, 2, 0]), [(2, 3), (2, 4)]);
        // A scan no patient claimed: which patient it is, a person decides.
        assert_eq!(queued(vec![0, 1, 2, 3, 4]), [(1, 2), (2, 3), (2, 4)]);
    }

    #[test]
    fn a_record_like_both_twins_waits_for_a_person() {
        use jiff::civil::date;
        // Ron is a nickname of both Ronald and Aaron: which twin is he?
        let candidates = vec![
            with_household(candidate("Ronald", "Lindqvist", date(2011, 6, 14))),
            with_household(candidate("Aaron", "Lindqvist", date(2011, 6, 14))),
            with_household(candidate("Ron", "Lindqvist", date(2011, 6, 14))),
        ];
        let outcome = run(&candidates, &MatchConfig::default());
        assert_eq!(outcome.cluster_of, vec![0, 1, 2]);
        let held: Vec<_> = outcome
            .review
            .iter()
            .filter(|pair| pair.reason == ReviewReason::LinksToLookAlikes)
            .map(|pair| (pair.a, pair.b))
            .collect();
        assert_eq!(held, vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn a_record_like_both_twins_waits_though_blocking_never_paired_it_with_one() {
        use jiff::civil::date;
        // Twins Brianna and Breanna, Breanna's birth date mistyped; the old
        // EMR's Bri, with the family's phone. Bri shares no blocking key
        // with Breanna, yet is as like her as like Brianna.
        let brianna = with_household(registered("Brianna", "Zamera", date(2013, 5, 14), "143889"));
        let breanna = with_household(registered("Breanna", "Zamera", date(2013, 5, 11), "517369"));
        let mut bri = candidate("Bri", "Zamera", date(2013, 5, 14));
        bri.set_text(TextField::Phone, Some("6145550100"));
        let candidates = vec![brianna, breanna, bri];
        let outcome = run(&candidates, &MatchConfig::default());
        assert_eq!(outcome.stats.candidate_pairs, 2, "Bri and Breanna share no block");
        assert_eq!(outcome.stats.kept_apart.get(&HardRule::Twins), Some(&1));
        assert_eq!(outcome.cluster_of, vec![0, 1, 2]);
        assert_eq!(reviewed(&outcome), [(0, 2, ReviewReason::LinksToLookAlikes)]);

        // A reviewer who says which twin Bri is settles her.
        let decided = |candidates: &[Candidate], decisions: &[(u32, u32, Decision)]| {
            let mut given = Decisions::default();
            for &(a, b, decision) in decisions {
                given.insert(a, b, decision);
            }
            Matcher::prepare(candidates, &MatchConfig::default()).with_decisions(given).run()
        };
        let brianna = decided(&candidates, &[(0, 2, Decision::Match)]);
        assert_eq!((brianna.cluster_of.clone(), reviewed(&brianna)), (vec![0, 1, 0], vec![]));
        // The walk itself: Bri, linked to Brianna, is as like Breanna,
        // unless a reviewer linked her to Brianna or told her from Breanna.
        let walk = |decisions: &[(u32, u32, Decision)]| {
            let mut given = Decisions::default();
            for &(a, b, decision) in decisions {
                given.insert(a, b, decision);
            }
            let matcher = Matcher::prepare(&candidates, &MatchConfig::default()).with_decisions(given);
            let linked = cluster::Partners::new(3, [(0, 2)].into_iter());
            matcher.linked_past_blocking_to_look_alikes(&linked, &[(0, 1)])
        };
        assert_eq!(walk(&[]), [2]);
        assert!(walk(&[(0, 2, Decision::Match)]).is_empty());
        assert!(walk(&[(1, 2, Decision::Distinct)]).is_empty());
        let not_breanna = decided(&candidates, &[(1, 2, Decision::Distinct)]);
        assert_eq!((not_breanna.cluster_of.clone(), reviewed(&not_breanna)), (vec![0, 1, 0], vec![]));

        // Two registrations a reviewer told apart are look-alikes as well,
        // though scoring would have linked them: Brianna twice, born three
        // days apart, are twins both named Brianna by the chart.
        let mut candidates = candidates.clone();
        candidates[1] = with_household(registered("Brianna", "Zamera", date(2013, 5, 11), "517369"));
        let apart = decided(&candidates, &[(0, 1, Decision::Distinct)]);
        assert_eq!(apart.stats.candidate_pairs, 2, "Bri and the second Brianna share no block");
        assert_eq!(apart.cluster_of, vec![0, 1, 2]);
        assert_eq!(reviewed(&apart), [(0, 2, ReviewReason::LinksToLookAlikes)]);
    }

    #[test]
    fn a_suffix_on_one_record_and_no_birth_date_to_compare_wait_for_a_person() {
        use jiff::civil::date;
        // Kwabena Akuemi Sr, his birth date keyed as 07/04/2999 (dedupe
        // matches rows a load rejects, without the date), and his son at
        // his address: which is which, no birth year tells.
        let mut father = with_household(candidate("Kwabena", "Akuemi", date(1970, 7, 4)));
        father.suffix = Some("SR");
        father.birth = None;
        let son = with_household(candidate("Kwabena", "Akuemi", date(1996, 12, 22)));
        let outcome = run(&[father.clone(), son.clone()], &MatchConfig::default());
        assert_eq!(outcome.cluster_of, vec![0, 1]);
        assert_eq!(reviewed(&outcome), [(0, 1, ReviewReason::GenerationUnknown)]);
        assert_eq!(outcome.stats.generation_unknown, 1, "the score would have linked them");
        // A reviewer's answer settles it.
        let mut decisions = Decisions::default();
        decisions.insert(0, 1, Decision::Match);
        let decided =
            Matcher::prepare(&[father.clone(), son.clone()], &MatchConfig::default()).with_decisions(decisions).run();
        assert_eq!(decided.cluster_of, vec![0, 0]);
        assert!(decided.review.is_empty());
        // One national id says one man, whatever the dates.
        let mut one_man = [father.clone(), son.clone()];
        for record in &mut one_man {
            record.set_text(TextField::NationalId, Some("123456780"));
        }
        assert_eq!(run(&one_man, &MatchConfig::default()).cluster_of, vec![0, 0]);
        // So does one chart number.
        let mut senior = with_household(registered("Kwabena", "Akuemi", date(1970, 7, 4), "5100"));
        (senior.suffix, senior.birth) = (Some("SR"), None);
        let one_chart = [senior, with_household(registered("Kwabena", "Akuemi", date(1996, 12, 22), "5100"))];
        assert_eq!(run(&one_chart, &MatchConfig::default()).cluster_of, vec![0, 0]);
        // Both suffixes unrecorded: one name twice, scored as ever.
        father.suffix = None;
        assert_eq!(run(&[father, son], &MatchConfig::default()).cluster_of, vec![0, 0]);
    }

    #[test]
    fn a_record_filed_with_one_look_alike_never_falls_to_the_other() {
        use jiff::civil::date;
        let birth = date(2011, 6, 14);
        let twin = |given: &str, chart: &str| with_household(registered(given, "Lindqvist", birth, chart));
        let scan = |given: &str, chart: &str| {
            let mut scan = registered(given, "Lindqvist", birth, chart);
            scan.kind = CandidateKind::Document;
            scan
        };

        // A scan of Ron filed under Ronald's chart is Ronald's; only its link
        // to Aaron waits.
        let filed = run(&[twin("Ronald", "1"), twin("Aaron", "2"), scan("Ron", "1")], &MatchConfig::default());
        assert_eq!(filed.cluster_of, vec![0, 1, 0]);
        assert_eq!(reviewed(&filed), [(1, 2, ReviewReason::LinksToLookAlikes)]);

        // Aaron's scan misfiled in Ronald's folder: Ron's scan in that folder
        // still goes to Ronald alone, never through Aaron's scan to Aaron.
        // (Aaron's scan comes first, so that its link to Ron's scan, as
        // strong as Ron's scan's link to Ronald, would be taken first.)
        let misfiled = [scan("Aaron", "1"), scan("Ron", "1"), twin("Ronald", "1"), twin("Aaron", "2")];
        let misfiled = run(&misfiled, &MatchConfig::default());
        assert_eq!(misfiled.cluster_of, vec![0, 1, 1, 0], "{:?}", misfiled.review);

        // A family chart: both twins under number 1. The number tells
        // nothing of which twin the scan is.
        let family = run(&[twin("Ronald", "1"), twin("Aaron", "1"), scan("Ron", "1")], &MatchConfig::default());
        assert_eq!(family.cluster_of, vec![0, 1, 2]);
        let held = [(0, 2, ReviewReason::LinksToLookAlikes), (1, 2, ReviewReason::LinksToLookAlikes)];
        assert_eq!(reviewed(&family), held);
    }

    #[test]
    fn an_uncertain_pair_is_not_joined_through_a_third_record() {
        use jiff::civil::date;
        // Anna married (new surname, moved, and her sex mis-keyed): same
        // given name and birth date, nothing else agrees. Uncertain. A third
        // record that links to each of them alone must not merge the two
        // without a person deciding.
        use crate::record::Sex;
        let mut kowalski = with_household(candidate("Anna", "Kowalski", date(1990, 8, 25)));
        kowalski.sex = Some(Sex::Female);
        let mut nowak = candidate("Anna", "Nowak", date(1990, 8, 25));
        nowak.set_text(TextField::Address, Some("4149 PARSONS AVE"));
        nowak.set_text(TextField::Postal, Some("43068"));
        nowak.set_text(TextField::Phone, Some("6145550199"));
        nowak.sex = Some(Sex::Male);
        let config = MatchConfig::default();
        let pair = run(&[kowalski.clone(), nowak.clone()], &config);
        assert_eq!(pair.review.len(), 1, "{:?}", pair.stats);
        let bridge = {
            let mut bridge = kowalski.clone();
            bridge.set_text(TextField::Family, Some("KOWALSKI NOWAK"));
            bridge.sex = None;
            bridge
        };
        let outcome = run(&[kowalski, nowak, bridge], &config);
        assert_ne!(outcome.cluster_of[0], outcome.cluster_of[1], "{:?}", outcome.cluster_of);
        assert!(outcome.review.iter().any(|pair| (pair.a, pair.b) == (0, 1)));
    }

    #[test]
    fn no_record_or_one_record_matches_to_no_pair() {
        use jiff::civil::date;
        let none = run(&[], &MatchConfig::default());
        assert!(none.cluster_of.is_empty() && none.links.is_empty());
        let one = run(&[candidate("Ann", "Lee", date(1980, 3, 4))], &MatchConfig::default());
        assert_eq!(one.cluster_of, vec![0]);
        assert_eq!((one.stats.candidate_pairs, one.review.len()), (0, 0));
        for outcome in [none, one] {
            assert_eq!((outcome.stats.model.random_pairs, outcome.stats.model.training_pairs), (0, 0));
        }
    }

    #[test]
    fn result_does_not_depend_on_thread_count() {
        use jiff::civil::date;
        let mut candidates = Vec::new();
        for index in 0..300 {
            let family = ["Smith", "Smyth", "Jones", "Johns"][index % 4];
            let given = ["Ann", "Anne", "Bob", "Robert", "Eve"][index % 5];
            let birth = date(1950 + (index % 7) as i16, 1 + (index % 3) as i8, 1 + (index % 28) as i8);
            // Each twice, so that there are links to cluster.
            candidates.push(candidate(given, family, birth));
            candidates.push(candidate(given, family, birth));
        }
        // Possible twins among them: Robert and Bob registered at one home.
        for day in 1..=10 {
            for (given, chart) in [("Robert", format!("a{day}")), ("Bob", format!("b{day}"))] {
                let mut registration = registered(given, "Lindqvist", date(2001, 1, day), &chart);
                registration.set_text(TextField::Address, Some(&format!("{day} ELM ST")));
                registration.set_text(TextField::Phone, Some(&format!("61455501{day:02}")));
                candidates.push(registration);
            }
        }
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let one = single.install(|| run(&candidates, &MatchConfig::default()));
        let four = many.install(|| run(&candidates, &MatchConfig::default()));
        assert!(one.stats.links > 0 && one.stats.possible_twins > 0, "{:?}", one.stats);
        assert_eq!(one.cluster_of, four.cluster_of);
        assert_eq!(one.review, four.review);
        let without_timings = |stats: &MatchStats| MatchStats { timings_ms: MatchTimings::default(), ..stats.clone() };
        assert_eq!(without_timings(&one.stats), without_timings(&four.stats));
    }
}
