//! Scoring: Fellegi–Sunter match weights, estimated from each run's data.
//!
//! Each comparison level carries log2(m/u): m is how often the level occurs
//! among pairs of one person, u among pairs of two. u is counted on random
//! pairs (almost all of two people); m is estimated by expectation
//! maximisation over the blocked pairs, starting from typical values and
//! held near them by a few pseudo-pairs so that a level the data never shows
//! keeps a sane weight. The weights add up; with the prior odds that two
//! records are one person they give a match probability.
//!
//! Three refinements on plain Fellegi–Sunter:
//! - term frequency: exact agreement on a name weighs log2(m / f), with f
//!   the share of records holding that name, so Smith counts for less than
//!   Zebrowski;
//! - full-name frequency: both names agreeing, beside a birth date that
//!   agrees or is missing, weigh no more than the people who hold that
//!   full name allow (`Model::full_name_bound`), since names of one origin
//!   go together;
//! - households: address, town, postal code and phone are what spouses,
//!   parents and children share, so they count for nothing once the birth
//!   dates disagree (see `household_only_levels`).

use serde::Serialize;

use super::compare::{AddressLevel, Comparison, DateLevel, IdLevel, NameLevel, PlaceLevel};
use super::features::Person;

/// The comparisons that carry weight, in the order explanations show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoredField {
    FamilyName,
    GivenName,
    MiddleInitial,
    Suffix,
    BirthDate,
    Sex,
    NationalId,
    /// Both address lines.
    Address,
    /// Town and postal code, as one level: they go together (a town has a
    /// few postal codes), so agreeing on both is not twice the evidence.
    Area,
    /// The same, for a pair whose addresses do not agree (another house,
    /// another street, or one missing). Whether one person who moved
    /// stayed in town is the practice's to say (most moves are local; in
    /// the synthetic practices, a previous address is anywhere), so the
    /// town after a move has an m of its own, learnt among those pairs (its
    /// u is the area's: `set_u`): counted as one field, a shared town added
    /// 4.7 bits to same-name strangers of one birthday who live apart.
    AreaAfterMove,
    Phone,
    Identifier,
}

pub const FIELDS: usize = 12;

/// A set of scored fields, bit i for `SCORED[i]`.
pub type FieldMask = u16;
pub const ALL_FIELDS: FieldMask = (1 << FIELDS) - 1;
// A field's place in a pattern is its place in `SCORED`, which is the
// enum's order (checked below), so adding a field moves no index by hand.
const GIVEN: usize = ScoredField::GivenName as usize;
const BIRTH: usize = ScoredField::BirthDate as usize;
const ADDRESS: usize = ScoredField::Address as usize;
const AREA: usize = ScoredField::Area as usize;
const AREA_AFTER_MOVE: usize = ScoredField::AreaAfterMove as usize;
const PHONE: usize = ScoredField::Phone as usize;

pub const SCORED: [ScoredField; FIELDS] = [
    ScoredField::FamilyName,
    ScoredField::GivenName,
    ScoredField::MiddleInitial,
    ScoredField::Suffix,
    ScoredField::BirthDate,
    ScoredField::Sex,
    ScoredField::NationalId,
    ScoredField::Address,
    ScoredField::Area,
    ScoredField::AreaAfterMove,
    ScoredField::Phone,
    ScoredField::Identifier,
];

const _: () = {
    let mut index = 0;
    while index < FIELDS {
        assert!(SCORED[index] as usize == index, "SCORED lists the fields in the enum's order");
        index += 1;
    }
};

const NAME_LEVELS: &[&str] =
    &["exact", "swapped", "nickname", "close", "partial", "phonetic", "similar", "different", "missing"];
const AGREEMENT_LEVELS: &[&str] = &["agree", "disagree", "missing"];
const DATE_LEVELS: &[&str] = &["exact", "day_month_swapped", "one_digit", "year_only", "different", "missing"];
const ID_LEVELS: &[&str] = &["exact", "one_digit_or_transposed", "different", "missing"];
const ADDRESS_LEVELS: &[&str] = &["exact", "close", "partial", "different", "missing"];
const AREA_LEVELS: &[&str] =
    &["town_and_postal_code", "town_and_postal_code_typo", "postal_code", "town", "different", "missing"];

impl ScoredField {
    pub fn name(self) -> &'static str {
        match self {
            ScoredField::FamilyName => "family_name",
            ScoredField::GivenName => "given_name",
            ScoredField::MiddleInitial => "middle_initial",
            ScoredField::Suffix => "suffix",
            ScoredField::BirthDate => "birth_date",
            ScoredField::Sex => "sex",
            ScoredField::NationalId => "national_id",
            ScoredField::Address => "address",
            ScoredField::Area => "area",
            ScoredField::AreaAfterMove => "area_after_move",
            ScoredField::Phone => "phone",
            ScoredField::Identifier => "identifier",
        }
    }

    /// The names of this field's levels; the last is always "missing",
    /// which weighs nothing.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            ScoredField::FamilyName | ScoredField::GivenName => NAME_LEVELS,
            ScoredField::BirthDate => DATE_LEVELS,
            ScoredField::NationalId | ScoredField::Phone => ID_LEVELS,
            ScoredField::Address => ADDRESS_LEVELS,
            ScoredField::Area | ScoredField::AreaAfterMove => AREA_LEVELS,
            _ => AGREEMENT_LEVELS,
        }
    }

    pub fn bit(self) -> FieldMask {
        1 << self as usize
    }

    fn missing(self) -> usize {
        self.levels().len() - 1
    }

    /// What a household shares (see `household_only_levels`).
    fn is_household(self) -> bool {
        matches!(self, ScoredField::Address | ScoredField::Area | ScoredField::AreaAfterMove | ScoredField::Phone)
    }
}

/// A comparison as level indices, one per scored field: what EM counts.
pub type Pattern = [u8; FIELDS];

pub fn pattern(comparison: &Comparison) -> Pattern {
    // A home for sure only when the addresses agree: a partial address may
    // be a mistyped house number, a missing one anything.
    let moved = !matches!(comparison.address, AddressLevel::Exact | AddressLevel::Close);
    [
        comparison.family as u8,
        comparison.given as u8,
        comparison.middle_initial as u8,
        comparison.suffix as u8,
        comparison.birth as u8,
        comparison.sex as u8,
        comparison.national_id as u8,
        comparison.address as u8,
        if moved { AREA_MISSING } else { area(comparison) as u8 },
        if moved { area(comparison) as u8 } else { AREA_MISSING },
        comparison.phone as u8,
        comparison.identifier as u8,
    ]
}

const AREA_MISSING: u8 = (AREA_LEVELS.len() - 1) as u8;
/// `town_and_postal_code_typo`'s place in `AREA_LEVELS`.
const AREA_POSTAL_TYPO: usize = 1;

/// Town (a typo of it too) and postal code as one level.
fn area(comparison: &Comparison) -> usize {
    let town = matches!(comparison.city, PlaceLevel::Exact | PlaceLevel::Close);
    match (town, comparison.postal) {
        (true, IdLevel::Exact) => 0,
        // One town and a keying error in its postal code (6285, 6258) is
        // its own level: where a town's codes run in a series (43215,
        // 43216), strangers show it too, and u, counted on random pairs,
        // says how often.
        (true, IdLevel::OneDigitOrTransposed) => AREA_POSTAL_TYPO,
        (false, IdLevel::Exact) => 2,
        (true, _) => 3,
        _ if comparison.city != PlaceLevel::Missing || comparison.postal != IdLevel::Missing => 4,
        _ => 5,
    }
}

/// A pair's total weight and its match probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub weight: f64,
    pub probability: f64,
}

/// One field's share of a score, for explanations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub field: ScoredField,
    pub level: &'static str,
    pub weight: f64,
    /// Why the weight is not the level's plain log2(m/u).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<&'static str>,
}

/// The estimated model: m and u per field and level, and the prior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// Probability that two records drawn at random are one person.
    pub prior: f64,
    pub records: usize,
    /// People among the records, as `Derived::namesakes` counts them: what
    /// a full name's frequency is a share of.
    pub people: usize,
    pub em_iterations: usize,
    pub em_converged: bool,
    /// Pairs EM learnt from, and random pairs u was counted on.
    pub training_pairs: u64,
    pub random_pairs: u64,
    /// Whether address, town, postal code and phone count for nothing once the birth dates
    /// disagree (see `household_only_levels`).
    pub household_rule: bool,
    /// Of one person's pairs with a town or postal code to compare, the
    /// share whose addresses do not agree (`ScoredField::AreaAfterMove`),
    /// as EM finds it: what `correct_u` mixes the two areas' m by.
    #[serde(skip)]
    area_after_move_share: f64,
    #[serde(skip)]
    weights: Vec<Vec<f64>>,
    /// Per field: the level shares seen among random pairs, for `correct_u`.
    #[serde(skip)]
    random: Vec<RandomLevels>,
}

#[derive(Debug, Clone, PartialEq)]
struct RandomLevels {
    shares: Vec<f64>,
    /// Half a pair: the least u a level can have.
    floor: f64,
}

/// Starting m per field and level (missing last, unused): what a practice's
/// duplicates typically look like.
fn starting_m(field: ScoredField) -> &'static [f64] {
    match field {
        ScoredField::FamilyName => &[0.80, 0.005, 0.001, 0.04, 0.02, 0.01, 0.01, 0.114, 0.0],
        ScoredField::GivenName => &[0.78, 0.005, 0.10, 0.03, 0.01, 0.01, 0.01, 0.055, 0.0],
        ScoredField::MiddleInitial => &[0.95, 0.05, 0.0],
        ScoredField::Suffix => &[0.95, 0.05, 0.0],
        ScoredField::BirthDate => &[0.93, 0.02, 0.035, 0.01, 0.005, 0.0],
        ScoredField::Sex => &[0.98, 0.02, 0.0],
        ScoredField::NationalId => &[0.97, 0.02, 0.01, 0.0],
        ScoredField::Address => &[0.55, 0.15, 0.05, 0.25, 0.0],
        ScoredField::Area => &[0.75, 0.01, 0.03, 0.09, 0.12, 0.0],
        ScoredField::AreaAfterMove => &[0.30, 0.005, 0.02, 0.075, 0.60, 0.0],
        ScoredField::Phone => &[0.60, 0.05, 0.35, 0.0],
        ScoredField::Identifier => &[0.60, 0.40, 0.0],
    }
}

/// Starting u, used only where there are too few records to count it.
fn starting_u(field: ScoredField) -> &'static [f64] {
    match field {
        ScoredField::FamilyName => &[0.002, 0.0001, 0.0001, 0.002, 0.0005, 0.003, 0.01, 0.9823, 0.0],
        ScoredField::GivenName => &[0.005, 0.0001, 0.003, 0.003, 0.0005, 0.003, 0.01, 0.9754, 0.0],
        ScoredField::MiddleInitial => &[0.05, 0.95, 0.0],
        ScoredField::Suffix => &[0.6, 0.4, 0.0],
        ScoredField::BirthDate => &[0.00005, 0.00002, 0.0005, 0.01, 0.98943, 0.0],
        ScoredField::Sex => &[0.5, 0.5, 0.0],
        ScoredField::NationalId => &[0.000001, 0.00001, 0.999989, 0.0],
        ScoredField::Address => &[0.00005, 0.0001, 0.005, 0.99485, 0.0],
        ScoredField::Area | ScoredField::AreaAfterMove => &[0.05, 0.002, 0.01, 0.098, 0.84, 0.0],
        ScoredField::Phone => &[0.00001, 0.0001, 0.99989, 0.0],
        ScoredField::Identifier => &[0.000001, 0.999999, 0.0],
    }
}

const MIN_PRIOR_RECORDS: usize = 1_000;
/// Fewer blocked pairs than this teach EM nothing reliable: the starting m
/// and prior stand.
const MIN_TRAINING_PAIRS: u64 = 100;
/// Exact agreement on a rare name may weigh at most this many bits more than
/// agreement on a name of average frequency: relatives share rare names, and
/// a rare name must not outvote a different birth date.
const TERM_FREQUENCY_CAP: f64 = 2.0;
/// A field's m is learnt from the pairs blocking found whatever the field
/// says (`Blocks::fields_left_free`) once they hold this many expected
/// matches; below it, from all the pairs.
const MIN_FREE_MATCHES: f64 = 100.0;
/// Pseudo-pairs holding m near its starting value where data is thin.
const M_PSEUDO_PAIRS: f64 = 20.0;
const EM_MAX_ITERATIONS: usize = 50;
/// EM stops when no m moves by more than this ...
const EM_TOLERANCE: f64 = 1e-5;
/// ... and the prior by less than this share of itself.
const EM_PRIOR_TOLERANCE: f64 = 1e-3;

/// Counted levels for u: per field, per level.
#[derive(Debug, Clone)]
pub struct LevelCounts {
    pub counts: Vec<Vec<u64>>,
    pub pairs: u64,
}

impl Default for LevelCounts {
    fn default() -> LevelCounts {
        LevelCounts { counts: SCORED.iter().map(|field| vec![0; field.levels().len()]).collect(), pairs: 0 }
    }
}

impl LevelCounts {
    pub fn add(&mut self, pattern: &Pattern) {
        for (field, &level) in pattern.iter().enumerate() {
            self.counts[field][level as usize] += 1;
        }
        self.pairs += 1;
    }

    pub fn merge(mut self, other: LevelCounts) -> LevelCounts {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self.pairs += other.pairs;
        self
    }
}

impl Model {
    /// The starting model for `records` candidates: typical m and u, and a
    /// prior of one duplicate pair per two records.
    pub fn starting(records: usize) -> Model {
        let m = SCORED.iter().map(|&field| starting_m(field).to_vec()).collect();
        let u = SCORED.iter().map(|&field| starting_u(field).to_vec()).collect();
        // A small batch still comes from a practice: below a thousand
        // records, the prior is that of a thousand.
        let prior = 1.0 / (records.max(MIN_PRIOR_RECORDS) - 1) as f64;
        let mut model = Model {
            m,
            u,
            prior,
            records,
            people: records,
            em_iterations: 0,
            em_converged: false,
            training_pairs: 0,
            random_pairs: 0,
            household_rule: true,
            // Until EM says: one person's records mostly share an address.
            area_after_move_share: 0.3,
            weights: Vec::new(),
            random: Vec::new(),
        };
        model.refresh_weights();
        model
    }

    fn refresh_weights(&mut self) {
        self.weights = SCORED
            .iter()
            .enumerate()
            .map(|(index, &field)| {
                (0..field.levels().len())
                    .map(|level| {
                        if level == field.missing() {
                            0.0
                        } else {
                            (self.m[index][level].max(1e-9) / self.u[index][level].max(1e-12)).log2()
                        }
                    })
                    .collect::<Vec<f64>>()
            })
            .collect();
        // A postal code's keying error is never stronger evidence than the
        // code itself. Where random pairs never show it (a practice whose
        // towns have one code each), u sits at its floor and the level
        // would outweigh exact agreement by several bits.
        for field in [AREA, AREA_AFTER_MOVE] {
            let levels = &mut self.weights[field];
            levels[AREA_POSTAL_TYPO] = levels[AREA_POSTAL_TYPO].min(levels[0]);
        }
    }

    /// u from the levels of random pairs; a level never seen gets half a
    /// pair, so its weight stays finite.
    pub fn set_u(&mut self, counts: &LevelCounts) {
        if counts.pairs < 100 {
            return;
        }
        self.random = SCORED
            .iter()
            .enumerate()
            .map(|(index, &field)| {
                let missing = field.missing();
                // Strangers share a town by chance whether or not their
                // addresses differ: the town's u is one, over all pairs;
                // only its m depends on a move.
                let count = |level: usize| match field {
                    ScoredField::Area | ScoredField::AreaAfterMove => {
                        counts.counts[AREA][level] + counts.counts[AREA_AFTER_MOVE][level]
                    }
                    _ => counts.counts[index][level],
                };
                let seen: u64 = (0..missing).map(count).sum();
                let levels = missing as f64;
                let share = |level: usize| (count(level) as f64 + 0.5) / (seen as f64 + 0.5 * levels);
                RandomLevels { shares: (0..missing).map(share).collect(), floor: 0.5 / (seen as f64 + 0.5 * levels) }
            })
            .collect();
        self.random_pairs = counts.pairs;
        self.correct_u();
    }

    /// Random pairs are a mixture: a `prior` share of them are one person.
    /// In a small practice, where most people have several records, those
    /// pairs would make agreeing on a birth date look common; u is what
    /// remains once they are taken out.
    fn correct_u(&mut self) {
        // The town's share among random pairs is counted over all of them
        // (`set_u`), so the matches in it are all of one person's pairs,
        // whether they moved or not.
        let moved = self.area_after_move_share;
        let m = |index: usize, level: usize| match SCORED[index] {
            ScoredField::Area | ScoredField::AreaAfterMove => {
                moved * self.m[AREA_AFTER_MOVE][level] + (1.0 - moved) * self.m[AREA][level]
            }
            _ => self.m[index][level],
        };
        for (index, random) in self.random.iter().enumerate() {
            for (level, &share) in random.shares.iter().enumerate() {
                let u = (share - self.prior * m(index, level)) / (1.0 - self.prior);
                self.u[index][level] = u.max(random.floor);
            }
        }
        self.refresh_weights();
    }

    /// Expectation maximisation of m and the prior over the patterns of
    /// blocked pairs: `patterns` are (pattern, the fields blocking left
    /// free for it, how many pairs), drawn from `sampled_share` of all
    /// blocked pairs; `all_pairs` is how many pairs the records make in all
    /// (the unblocked ones count as two people).
    ///
    /// A field's m is counted over the pairs whose blocking did not ask for
    /// its agreement. Over all of them, the pairs that rules on the birth
    /// year brought in (namesakes of one year, most of them two people)
    /// taught EM that one person's records are born in different months of
    /// one year 3% of the time, where they are 0.06%.
    pub fn estimate_m(&mut self, patterns: &[(Pattern, FieldMask, u64)], sampled_share: f64, all_pairs: f64) {
        let starting: Vec<Vec<f64>> = SCORED.iter().map(|&field| starting_m(field).to_vec()).collect();
        self.training_pairs = patterns.iter().map(|(_, _, count)| count).sum();
        if self.training_pairs < MIN_TRAINING_PAIRS {
            return;
        }
        // Per field, whether its m is learnt from the pairs found whatever
        // it says: decided on the first iteration and kept, since switching
        // as the estimates move could keep EM from settling.
        let mut learns_regardless: Option<[bool; FIELDS]> = None;
        for iteration in 1..=EM_MAX_ITERATIONS {
            let prior_log_odds = log_odds(self.prior);
            let mut expected: Vec<Vec<f64>> = self.m.iter().map(|levels| vec![0.0; levels.len()]).collect();
            let mut found_regardless = expected.clone();
            let mut matches = 0.0;
            for (pattern, free, count) in patterns {
                let weight = self.pattern_weight(pattern);
                let probability = probability_of(weight + prior_log_odds) * *count as f64;
                matches += probability;
                for (field, &level) in pattern.iter().enumerate() {
                    expected[field][level as usize] += probability;
                    if free & SCORED[field].bit() != 0 {
                        found_regardless[field][level as usize] += probability;
                    }
                }
            }
            let learns_regardless = *learns_regardless.get_or_insert_with(|| {
                std::array::from_fn(|index| {
                    found_regardless[index][..SCORED[index].missing()].iter().sum::<f64>() >= MIN_FREE_MATCHES
                })
            });
            let mut m_change: f64 = 0.0;
            for (index, &field) in SCORED.iter().enumerate() {
                let missing = field.missing();
                let expected = if learns_regardless[index] { &found_regardless } else { &expected };
                let total: f64 = expected[index][..missing].iter().sum();
                for level in 0..missing {
                    let m =
                        (expected[index][level] + M_PSEUDO_PAIRS * starting[index][level]) / (total + M_PSEUDO_PAIRS);
                    m_change = m_change.max((m - self.m[index][level]).abs());
                    self.m[index][level] = m;
                }
            }
            let prior = (matches / sampled_share.max(1e-12) / all_pairs.max(1.0)).clamp(1e-12, 0.5);
            let prior_change = ((prior - self.prior) / self.prior).abs();
            self.prior = prior;
            let towns = |index: usize| expected[index][..AREA_MISSING as usize].iter().sum::<f64>();
            let (home, moved) = (towns(AREA), towns(AREA_AFTER_MOVE));
            if home + moved > 0.0 {
                self.area_after_move_share = moved / (home + moved);
            }
            self.correct_u();
            self.em_iterations = iteration;
            if m_change < EM_TOLERANCE && prior_change < EM_PRIOR_TOLERANCE {
                self.em_converged = true;
                break;
            }
        }
    }

    /// A pattern's weight as scoring would give it, but for term
    /// frequencies (which belong to values, not levels): what EM believes.
    fn pattern_weight(&self, pattern: &Pattern) -> f64 {
        (0..FIELDS)
            .filter(|&field| self.where_they_live(field, pattern).is_none())
            .map(|field| self.weights[field][pattern[field] as usize])
            .sum()
    }

    /// Why a field of where a person lives (address, area, phone) does not
    /// count in this pattern, if it does not. They are not independent
    /// pieces of evidence:
    /// - a household shares all three, so they count for nothing once the
    ///   birth dates disagree (see `household_only_levels`);
    /// - people at one address mostly share its phone: with the address
    ///   agreeing, agreeing on the phone is no more evidence (the area still
    ///   is: 12 Main St is in many towns);
    /// - a move changes all three at once, so only the strongest
    ///   disagreement counts.
    fn where_they_live(&self, field: usize, pattern: &Pattern) -> Option<&'static str> {
        if !SCORED[field].is_household() {
            return None;
        }
        let weight = self.weights[field][pattern[field] as usize];
        if weight > 0.0 && self.household_rule && household_only_levels(pattern[BIRTH], pattern[GIVEN]) {
            Some("what a household shares; the birth dates disagree")
        } else if weight > 0.0 && field == PHONE && address_agrees(pattern[ADDRESS]) {
            Some("implied by the shared address")
        } else if weight < 0.0 && self.counted_move(pattern) != Some(field) {
            Some("one move changes where a person lives: counted once")
        } else {
            None
        }
    }

    /// Of the household fields that disagree, the one whose disagreement
    /// counts: the strongest. A move changes address, town, postal code and
    /// phone at once, and one move is one piece of evidence, not four.
    fn counted_move(&self, pattern: &Pattern) -> Option<usize> {
        (0..FIELDS)
            .filter(|&field| SCORED[field].is_household())
            .map(|field| (field, self.weights[field][pattern[field] as usize]))
            .filter(|(_, weight)| *weight < 0.0)
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(field, _)| field)
    }

    /// The weight of one level of one field, before adjustments.
    pub fn weight(&self, field: ScoredField, level: usize) -> f64 {
        self.weights[field as usize][level]
    }

    pub fn prior_log_odds(&self) -> f64 {
        log_odds(self.prior)
    }

    pub fn score(&self, comparison: &Comparison, a: Person<'_>, b: Person<'_>) -> Score {
        let pattern = pattern(comparison);
        let weight = (0..FIELDS).map(|index| self.adjusted(index, &pattern, comparison, a, b).0).sum();
        self.finish(weight)
    }

    fn finish(&self, weight: f64) -> Score {
        Score { weight, probability: probability_of(weight + self.prior_log_odds()) }
    }

    /// Each field's weight with its adjustment, and the total.
    pub fn explain(&self, comparison: &Comparison, a: Person<'_>, b: Person<'_>) -> (Vec<Contribution>, Score) {
        let pattern = pattern(comparison);
        let contributions: Vec<Contribution> = pattern
            .iter()
            .enumerate()
            .map(|(index, &level)| {
                let field = SCORED[index];
                let (weight, adjusted) = self.adjusted(index, &pattern, comparison, a, b);
                Contribution { field, level: field.levels()[level as usize], weight, adjusted }
            })
            .collect();
        let score = self.finish(contributions.iter().map(|part| part.weight).sum());
        (contributions, score)
    }

    fn adjusted(
        &self,
        index: usize,
        pattern: &Pattern,
        comparison: &Comparison,
        a: Person<'_>,
        b: Person<'_>,
    ) -> (f64, Option<&'static str>) {
        let (field, level) = (SCORED[index], pattern[index] as usize);
        let plain = self.weights[index][level];
        if let Some((name_level, count)) = name_agreement(field, comparison, a, b) {
            return match name_level {
                NameLevel::Exact => {
                    let frequency = self.term_frequency(field, count);
                    match self.full_name_bound(field, comparison, a, b) {
                        // An exact given name never counts against a pair
                        // for the full name being as common as the surname
                        // (only for being commoner than m, as a placeholder).
                        Some(bound) if bound < frequency => {
                            (bound.max(frequency.min(0.0)), Some("full name frequency"))
                        }
                        _ => (frequency, Some("name frequency")),
                    }
                }
                // Swapped names are the same two names in the other fields:
                // as common as they are there, and never stronger evidence
                // than the same names in place (Barbara Smith and Smith
                // Barbara are no rarer than two Barbara Smiths).
                NameLevel::Swapped => (plain.min(self.term_frequency(field, count)), Some("name frequency")),
                _ => (plain, None),
            };
        }
        match self.where_they_live(index, pattern) {
            Some(reason) => (0.0, Some(reason)),
            None => (plain, None),
        }
    }

    /// For a given name agreeing when the family name agrees too: the most
    /// it can weigh beside the family name's weight, for the two together
    /// to weigh no more than the full name's own frequency allows,
    /// log2(m_family × m_given / f) with f the share of the other people
    /// who hold that full name. Names of one origin go together: at a
    /// million synthetic patients, 41 people are Chinedu Okonkwo where the
    /// two names' own frequencies make 2.3, and same-name strangers of one
    /// birthday were linked as sure matches.
    ///
    /// Only where the birth dates agree, which is where namesakes link
    /// strangers, or where one is missing and the names are all there is.
    /// Beside a mistyped birth date the bound took 914 true links at
    /// 100,000 synthetic patients for 12 false ones: one pair alone cannot
    /// see that no namesake holds the date it shows.
    fn full_name_bound(
        &self,
        field: ScoredField,
        comparison: &Comparison,
        a: Person<'_>,
        b: Person<'_>,
    ) -> Option<f64> {
        if field != ScoredField::GivenName
            || comparison.family != NameLevel::Exact
            || !matches!(comparison.birth, DateLevel::Exact | DateLevel::Missing)
        {
            return None;
        }
        let others = a.derived.namesakes().max(b.derived.namesakes()).checked_sub(1).filter(|&others| others > 0)?;
        let share = (f64::from(others) / self.people.max(MIN_PRIOR_RECORDS) as f64).clamp(1e-9, 1.0);
        let family_count = a.derived.family_count().max(b.derived.family_count());
        let family = self.term_frequency(ScoredField::FamilyName, family_count);
        let m = self.m[ScoredField::FamilyName as usize][0] * self.m[GIVEN][0];
        Some((m / share).log2() - family)
    }

    /// log2(m / f) for exact agreement on a name that `count` records hold.
    fn term_frequency(&self, field: ScoredField, count: u32) -> f64 {
        let m = self.m[field as usize][0];
        let share = (count.max(1) as f64 / self.records.max(MIN_PRIOR_RECORDS) as f64).clamp(1e-9, 1.0);
        (m / share).log2().min(self.weights[field as usize][0] + TERM_FREQUENCY_CAP)
    }
}

/// For a name field: its level, and how many records hold the commoner of
/// the pair's two names in that field (what its term frequency counts).
fn name_agreement(
    field: ScoredField,
    comparison: &Comparison,
    a: Person<'_>,
    b: Person<'_>,
) -> Option<(NameLevel, u32)> {
    match field {
        ScoredField::FamilyName => Some((comparison.family, a.derived.family_count().max(b.derived.family_count()))),
        ScoredField::GivenName => Some((comparison.given, a.derived.given_count().max(b.derived.given_count()))),
        _ => None,
    }
}

fn address_agrees(level: u8) -> bool {
    level == AddressLevel::Exact as u8 || level == AddressLevel::Close as u8
}

/// Whether what the pair shares is what a household shares: a parent and a
/// child (even of the same name, Jr and Sr without their suffixes) share
/// surname, address and phone, but not a birth date. So where they live
/// counts only when the birth dates agree, or, with no birth date to go by,
/// when the given names do.
fn household_only_levels(birth: u8, given: u8) -> bool {
    let given_agrees =
        [NameLevel::Exact, NameLevel::Nickname, NameLevel::Close, NameLevel::Swapped, NameLevel::Partial]
            .iter()
            .any(|level| *level as u8 == given);
    match birth {
        b if b == DateLevel::Exact as u8 || b == DateLevel::DayMonthSwapped as u8 || b == DateLevel::OneDigit as u8 => {
            false
        }
        b if b == DateLevel::Missing as u8 => !given_agrees,
        _ => true,
    }
}

fn log_odds(probability: f64) -> f64 {
    (probability / (1.0 - probability)).log2()
}

pub fn probability_of(log_odds: f64) -> f64 {
    1.0 / (1.0 + (-log_odds).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::compare::{CompareOptions, compare};
    use crate::matching::features::Features;
    use crate::matching::normalize::{Candidate, TextField};
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    fn score_pair(a: crate::matching::Candidate, b: crate::matching::Candidate) -> Score {
        let candidates = [a, b];
        let features = Features::new(&candidates);
        let (x, y) = (features.person(0), features.person(1));
        Model::starting(2).score(&compare(x, y, CompareOptions::default()), x, y)
    }

    #[test]
    fn probability_is_monotonic_and_bounded() {
        assert!(probability_of(-100.0) < 1e-6);
        assert!(probability_of(100.0) > 1.0 - 1e-6);
        assert!((probability_of(0.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn typo_nickname_and_swap_still_score_as_a_match() {
        let a = candidate("Robert", "Thompson", date(1961, 5, 9));
        let b = candidate("Bob", "Thomspon", date(1961, 9, 5));
        assert!(score_pair(a, b).probability > 0.9);
    }

    #[test]
    fn same_name_different_birth_date_is_never_linked() {
        // Father and son without their suffixes, or a wrong birth date:
        // a person decides.
        let a = candidate("Maria", "Garcia", date(1961, 5, 9));
        let b = candidate("Maria", "Garcia", date(1984, 11, 23));
        assert!(score_pair(a, b).probability < 0.5);
    }

    #[test]
    fn a_rare_name_counts_for_more_than_a_common_one() {
        let mut candidates: Vec<_> =
            (0..500).map(|i| candidate("Ann", ["Smith", "Jones"][i % 2], date(1950, 1, 1 + (i % 28) as i8))).collect();
        candidates.push(candidate("Ann", "Zebrowski", date(1960, 1, 1)));
        candidates.push(candidate("Ann", "Zebrowski", date(1960, 1, 1)));
        let features = Features::new(&candidates);
        let model = Model::starting(candidates.len());
        let weight = |x: u32, y: u32| {
            let (a, b) = (features.person(x), features.person(y));
            model.explain(&compare(a, b, CompareOptions::default()), a, b).0[0].weight
        };
        assert!(weight(500, 501) > weight(0, 56) + 3.0, "{} vs {}", weight(500, 501), weight(0, 56));
    }

    #[test]
    fn a_full_name_many_people_hold_counts_for_less_than_its_names_apart() {
        // The same number of Okonkwos and of Chinedus, 43 each: forty people
        // are Chinedu Okonkwo in one practice, while in the other the two
        // names are each held by people of other names.
        let birth = |i: usize| date(1940 + i as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8);
        let practice = |together: bool| -> Vec<Candidate> {
            let mut candidates: Vec<Candidate> = (0..40)
                .flat_map(|i| {
                    if together {
                        vec![
                            candidate("Chinedu", "Okonkwo", birth(i)),
                            candidate("Bea", &format!("Other{i}"), birth(i)),
                        ]
                    } else {
                        vec![candidate("Emeka", "Okonkwo", birth(i)), candidate("Chinedu", "Adeyemi", birth(i))]
                    }
                })
                .collect();
            candidates.extend((0..2000).map(|i| candidate("Ann", &format!("Family{i}"), birth(i % 60))));
            let mut undated = candidate("Chinedu", "Okonkwo", date(1990, 3, 4));
            undated.birth = None;
            // The pair, a mistyped birth date, none.
            candidates.push(candidate("Chinedu", "Okonkwo", date(1990, 3, 4)));
            candidates.push(candidate("Chinedu", "Okonkwo", date(1990, 3, 4)));
            candidates.push(candidate("Chinedu", "Okonkwo", date(1990, 3, 5)));
            candidates.push(undated);
            candidates
        };
        let names_weight = |candidates: &[Candidate], a: usize, b: usize| {
            let features = Features::new(candidates);
            let mut model = Model::starting(candidates.len());
            model.people = features.people();
            let (x, y) = (features.person(a as u32), features.person(b as u32));
            let (parts, _) = model.explain(&compare(x, y, CompareOptions::default()), x, y);
            (parts[0].weight + parts[1].weight, parts[1].adjusted)
        };
        let (together, apart) = (practice(true), practice(false));
        assert_eq!(together.len(), apart.len());
        let pair = together.len() - 4;
        let (mistyped, undated) = (pair + 2, pair + 3);
        let (shared, reason) = names_weight(&together, pair, pair + 1);
        let (own, _) = names_weight(&apart, pair, pair + 1);
        assert_eq!(reason, Some("full name frequency"));
        assert!(shared < own - 3.0, "{shared} vs {own}");
        // Without a birth date the names are all there is to go by.
        let (shared, reason) = names_weight(&together, pair, undated);
        assert_eq!(reason, Some("full name frequency"));
        assert!(shared < names_weight(&apart, pair, undated).0 - 3.0);
        // A mistyped birth date is left to the names' own frequencies: one
        // pair cannot see that no namesake holds the date it shows.
        let (shared, reason) = names_weight(&together, pair, mistyped);
        assert_eq!(reason, Some("name frequency"));
        assert!((shared - names_weight(&apart, pair, mistyped).0).abs() < 1e-9);
    }

    #[test]
    fn swapped_common_names_weigh_no_more_than_the_same_names_in_place() {
        // Barbara Smith and Smith Barbara, among many Smiths and Barbaras:
        // the swap must not count as if the two names were rare.
        let mut candidates: Vec<_> = (0..400)
            .map(|i| candidate(["Barbara", "Ann"][i % 2], ["Smith", "Jones"][i % 2], date(1950, 1, 1 + (i % 28) as i8)))
            .collect();
        candidates.push(candidate("Barbara", "Smith", date(2011, 6, 22)));
        candidates.push(candidate("Smith", "Barbara", date(2011, 12, 27)));
        candidates.push(candidate("Barbara", "Smith", date(1970, 3, 3)));
        let features = Features::new(&candidates);
        let model = Model::starting(candidates.len());
        let names = |x: u32, y: u32| {
            let (a, b) = (features.person(x), features.person(y));
            let (parts, _) = model.explain(&compare(a, b, CompareOptions::default()), a, b);
            parts[0].weight + parts[1].weight
        };
        let (swapped, in_place) = (names(400, 401), names(400, 402));
        assert!(swapped <= in_place + 1e-9, "swapped {swapped} vs in place {in_place}");
        let plain = model.weight(ScoredField::FamilyName, NameLevel::Swapped as usize)
            + model.weight(ScoredField::GivenName, NameLevel::Swapped as usize);
        assert!(swapped < plain, "common names temper the swap: {swapped} vs {plain}");
    }

    #[test]
    fn a_household_gains_nothing_from_its_shared_address() {
        let mut mother = candidate("Linda", "Kowalski", date(1962, 4, 2));
        let mut son = candidate("Peter", "Kowalski", date(1990, 8, 25));
        for person in [&mut mother, &mut son] {
            person.set_text(crate::matching::TextField::Address, Some("12 ELM ST"));
            person.set_text(crate::matching::TextField::Phone, Some("6145550100"));
        }
        let candidates = [mother, son];
        let features = Features::new(&candidates);
        let (a, b) = (features.person(0), features.person(1));
        let (parts, _) = Model::starting(1000).explain(&compare(a, b, CompareOptions::default()), a, b);
        let shared = |parts: &[Contribution]| -> Vec<Contribution> {
            parts
                .iter()
                .filter(|part| matches!(part.field, ScoredField::Address | ScoredField::Phone))
                .cloned()
                .collect()
        };
        for part in shared(&parts) {
            assert_eq!((part.level, part.weight), ("exact", 0.0));
            assert!(part.adjusted.is_some());
        }
        let without_rule = Model { household_rule: false, ..Model::starting(1000) };
        let (parts, _) = without_rule.explain(&compare(a, b, CompareOptions::default()), a, b);
        let address = &shared(&parts)[0];
        assert!(address.weight > 0.0 && address.adjusted.is_none(), "{address:?}");
    }

    #[test]
    fn a_shared_town_after_a_move_weighs_what_moves_in_the_practice_say() {
        let mut before = candidate("Ronald", "Halham", date(2000, 4, 24));
        before.set_text(crate::matching::TextField::Address, Some("12 ELM ST"));
        before.set_text(crate::matching::TextField::City, Some("RALEIGH"));
        before.set_text(crate::matching::TextField::Postal, Some("27601"));
        let mut moved = before.clone();
        moved.set_text(crate::matching::TextField::Address, Some("480 OAK AVE"));
        let mut next_door = before.clone();
        next_door.set_text(crate::matching::TextField::Address, Some("14 ELM ST"));
        let mut no_street = before.clone();
        no_street.set_text(crate::matching::TextField::Address, None);
        let candidates = [before.clone(), moved, before, next_door, no_street];
        let features = Features::new(&candidates);
        let (area, after_move) = (ScoredField::Area as usize, ScoredField::AreaAfterMove as usize);
        let towns = |x: u32, y: u32| {
            let levels = pattern(&compare(features.person(x), features.person(y), CompareOptions::default()));
            (levels[area], levels[after_move])
        };
        assert_eq!(towns(0, 1), (AREA_MISSING, 0), "addresses differ: the town after a move");
        assert_eq!(towns(0, 3), (AREA_MISSING, 0), "another house of the street: a move, or a typo of one");
        assert_eq!(towns(0, 4), (AREA_MISSING, 0), "no street to compare: not known to be one home");
        assert_eq!(towns(0, 2), (0, AREA_MISSING), "one address: the town");

        // Strangers, nearly all at other addresses, share a town by chance
        // whether or not their addresses differ: one u for both.
        let mut model = Model::starting(10_000);
        let mut counts = LevelCounts::default();
        (0..9_500).for_each(|_| counts.add(&STRANGERS));
        (0..500).for_each(|_| counts.add(&in_town(STRANGERS)));
        model.set_u(&counts);
        assert_eq!(model.u[area], model.u[after_move]);
    }

    /// Two strangers: names and birth dates differ, and so do their homes.
    const AREA_DIFFERENT: u8 = AREA_MISSING - 1;
    const STRANGERS: Pattern = [7, 7, 2, 2, 4, 1, 3, 3, AREA_MISSING, AREA_DIFFERENT, 2, 2];

    /// A pair whose addresses differ, in one town.
    fn in_town(mut pattern: Pattern) -> Pattern {
        pattern[AREA_AFTER_MOVE] = 0;
        pattern
    }

    #[test]
    fn the_full_name_bound_never_raises_a_given_names_weight() {
        // Nine in ten are Ann (every Okonkwo), three records each: agreeing
        // on Ann weighs less than nothing, and the bound must not lift it.
        let birth = |i: usize| date(1940 + (i % 60) as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8);
        let mut candidates: Vec<Candidate> = (0..40)
            .flat_map(|i| std::iter::repeat_n(candidate("Ann", "Okonkwo", birth(i)), 3))
            .chain((0..1000).flat_map(|i| {
                let given = if i % 10 == 0 { "Bea" } else { "Ann" };
                std::iter::repeat_n(candidate(given, &format!("Family{i}"), birth(i)), 3)
            }))
            .collect();
        candidates.push(candidate("Ann", "Okonkwo", date(1990, 3, 4)));
        candidates.push(candidate("Ann", "Okonkwo", date(1990, 3, 4)));
        let features = Features::new(&candidates);
        let mut model = Model::starting(candidates.len());
        model.people = features.people();
        let pair = candidates.len() as u32 - 2;
        let (x, y) = (features.person(pair), features.person(pair + 1));
        let (parts, _) = model.explain(&compare(x, y, CompareOptions::default()), x, y);
        let plain = model.term_frequency(ScoredField::GivenName, x.derived.given_count());
        assert!(plain < 0.0, "{plain}");
        assert!(parts[1].weight <= plain, "{} against {plain}", parts[1].weight);
    }

    #[test]
    fn a_postal_code_one_keying_error_off_counts_only_in_the_same_town() {
        let place = |city: Option<&str>, postal: &str| {
            let mut record = candidate("Ann", "Lee", date(1970, 1, 2));
            record.set_text(TextField::City, city);
            record.set_text(TextField::Postal, Some(postal));
            record
        };
        let area = |a: Candidate, b: Candidate| {
            let candidates = [a, b];
            let features = Features::new(&candidates);
            let (x, y) = (features.person(0), features.person(1));
            // No street on either: the area is scored as after a move.
            let level = pattern(&compare(x, y, CompareOptions::default()))[AREA_AFTER_MOVE];
            ScoredField::AreaAfterMove.levels()[level as usize]
        };
        let town = Some("GALSTON");
        assert_eq!(area(place(town, "6285"), place(town, "6258")), "town_and_postal_code_typo");
        assert_eq!(area(place(town, "43215"), place(town, "43216")), "town_and_postal_code_typo");
        assert_eq!(area(place(town, "6285"), place(town, "6285")), "town_and_postal_code");
        assert_eq!(area(place(town, "6285"), place(town, "7391")), "town");
        assert_eq!(area(place(town, "6285"), place(Some("DURAL"), "6258")), "different");
        assert_eq!(area(place(None, "6285"), place(town, "6258")), "different");
    }

    #[test]
    fn a_mistyped_postal_code_never_outweighs_the_code_itself() {
        // Strangers share a town one time in twenty, and never show a
        // postal code one keying error from their own: u sits at its floor.
        let mut model = Model::starting(100_000);
        let mut random = LevelCounts::default();
        (0..5_000).for_each(|_| random.add(&in_town(STRANGERS)));
        (0..95_000).for_each(|_| random.add(&STRANGERS));
        model.set_u(&random);
        for field in [ScoredField::Area, ScoredField::AreaAfterMove] {
            assert_eq!(field.levels()[AREA_POSTAL_TYPO], "town_and_postal_code_typo");
            let (exact, typo) = (model.weight(field, 0), model.weight(field, AREA_POSTAL_TYPO));
            assert!(typo <= exact, "{field:?}: {typo} against {exact}");
        }
    }

    #[test]
    fn em_learns_the_town_after_a_move_among_the_pairs_that_moved() {
        // One person's records: 8,000 pairs at one address, 2,000 after a move
        // to a town anywhere (one in twenty shares the town, as strangers do).
        let home: Pattern = [0, 0, 2, 2, 0, 0, 3, 0, 0, AREA_MISSING, 2, 2];
        let moved_away: Pattern = [0, 0, 2, 2, 0, 0, 3, 3, AREA_MISSING, AREA_DIFFERENT, 2, 2];
        let mut model = Model::starting(100_000);
        let mut random = LevelCounts::default();
        (0..5_000).for_each(|_| random.add(&in_town(STRANGERS)));
        (0..95_000).for_each(|_| random.add(&STRANGERS));
        model.set_u(&random);
        let patterns = [
            (home, ALL_FIELDS, 8_000),
            (in_town(moved_away), ALL_FIELDS, 100),
            (moved_away, ALL_FIELDS, 1_900),
            (in_town(STRANGERS), ALL_FIELDS, 5_000),
            (STRANGERS, ALL_FIELDS, 95_000),
        ];
        model.estimate_m(&patterns, 1.0, 1.0e7);
        let after_move = model.weight(ScoredField::AreaAfterMove, 0);
        assert!(after_move.abs() < 0.5, "a town shared after a move tells nothing here: {after_move}");
        assert!(model.weight(ScoredField::Area, 0) > 3.0, "{}", model.weight(ScoredField::Area, 0));
        assert!((model.area_after_move_share - 0.2).abs() < 0.02, "{}", model.area_after_move_share);
    }

    #[test]
    fn where_a_person_lives_is_not_counted_twice() {
        let mut before = candidate("Linda", "Kowalski", date(1962, 4, 2));
        let mut after = before.clone();
        let set = |person: &mut Candidate, address: &str, city: &str, postal: &str, phone: &str| {
            person.set_text(crate::matching::TextField::Address, Some(address));
            person.set_text(crate::matching::TextField::City, Some(city));
            person.set_text(crate::matching::TextField::Postal, Some(postal));
            person.set_text(crate::matching::TextField::Phone, Some(phone));
        };
        set(&mut before, "12 ELM ST", "DAYTON", "45402", "9375550100");
        let model = Model { household_rule: false, ..Model::starting(1000) };
        let weights = |a: &Candidate, b: &Candidate| -> Vec<(ScoredField, f64, Option<&'static str>)> {
            let candidates = [a.clone(), b.clone()];
            let features = Features::new(&candidates);
            let (x, y) = (features.person(0), features.person(1));
            let (parts, _) = model.explain(&compare(x, y, CompareOptions::default()), x, y);
            parts
                .into_iter()
                .filter(|part| part.field.is_household() && part.level != "missing")
                .map(|part| (part.field, part.weight, part.adjusted))
                .collect()
        };
        // One home: the phone that goes with the address adds nothing.
        set(&mut after, "12 ELM ST", "DAYTON", "45402", "9375550100");
        let home = weights(&before, &after);
        assert!(home[0].1 > 0.0 && home[1].1 > 0.0, "{home:?}");
        assert_eq!((home[2].1, home[2].2.is_some()), (0.0, true), "{home:?}");
        // One move: three disagreements, one piece of evidence.
        set(&mut after, "480 OAK AVE", "TOLEDO", "43604", "4195550199");
        let moved = weights(&before, &after);
        assert_eq!(moved.iter().filter(|part| part.1 < 0.0).count(), 1, "{moved:?}");
        assert_eq!(moved.iter().filter(|part| part.2.is_some()).count(), 2, "{moved:?}");
    }

    #[test]
    fn em_recovers_m_from_a_mixture() {
        // 100 pairs of one person (all agree) among 10,000 pairs of two
        // (birth dates agree by blocking, names mostly differ).
        let agree: Pattern = [0, 0, 0, 2, 0, 0, 3, 0, 0, AREA_MISSING, 0, 2];
        let strangers: Pattern = [7, 7, 1, 2, 0, 1, 3, 3, AREA_MISSING, AREA_DIFFERENT, 2, 2];
        let mut model = Model::starting(10_000);
        model.estimate_m(&[(agree, ALL_FIELDS, 100), (strangers, ALL_FIELDS, 10_000)], 1.0, 5.0e7);
        assert!(model.em_converged);
        assert!(model.m[0][0] > 0.8, "family exact m {}", model.m[0][0]);
        let matches = model.prior * 5.0e7;
        assert!((90.0..110.0).contains(&matches), "{matches}");
    }

    #[test]
    fn a_field_blocking_asked_to_agree_learns_its_m_from_the_other_pairs() {
        // One person's records, found by their chart number whatever their
        // birth dates say (30 in 1,030 with a digit mistyped); namesakes of
        // one birth year, found only by a rule on names and the birth year;
        // strangers.
        let chart: Pattern = [0, 0, 2, 2, 0, 0, 3, 0, 0, AREA_MISSING, 0, 0];
        let mistyped: Pattern = [0, 0, 2, 2, 2, 0, 3, 0, 0, AREA_MISSING, 0, 0];
        let namesakes: Pattern = [0, 0, 2, 2, 3, 0, 3, 3, AREA_MISSING, AREA_DIFFERENT, 2, 2];
        let year_only = |birth_free: bool| {
            let namesakes_free = if birth_free { ALL_FIELDS } else { ALL_FIELDS & !ScoredField::BirthDate.bit() };
            let mut model = Model::starting(100_000);
            model.estimate_m(
                &[
                    (chart, ALL_FIELDS, 1_000),
                    (mistyped, ALL_FIELDS, 30),
                    (namesakes, namesakes_free, 3_000),
                    (STRANGERS, ALL_FIELDS, 100_000),
                ],
                1.0,
                5.0e9,
            );
            model.m[BIRTH][DateLevel::YearOnly as usize]
        };
        let learnt = year_only(false);
        assert!(learnt < 0.005, "one person's records are never born a year apart here: {learnt}");
        let counted_over_all = year_only(true);
        assert!(counted_over_all > 5.0 * learnt, "{counted_over_all} against {learnt}");
    }
}
