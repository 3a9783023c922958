//! Scoring: a Fellegi–Sunter match weight. Each comparison level carries
//! log2(m/u): how much more often the level occurs among true matches (m) than
//! among non-matches (u). The weights add up; with the prior odds of a match
//! they give a match probability.
//!
//! The weights below are set from the m and u probabilities typical of a
//! practice's patient list (docs/matching.md shows the reasoning); they are
//! not yet estimated from each run's data.

use serde::Serialize;

use super::compare::{Agreement, Comparison, DateLevel, IdLevel, NameLevel};

/// log2 of the prior odds that two blocked records are the same person.
const PRIOR_LOG2_ODDS: f64 = -11.0;

/// A pair's total weight and each field's share of it, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub weight: f64,
    pub probability: f64,
}

pub fn score(comparison: &Comparison) -> Score {
    let weight = family_weight(comparison.family)
        + given_weight(comparison.given)
        + birth_weight(comparison.birth)
        + agreement_weight(comparison.middle_initial, 1.0, -1.0)
        + agreement_weight(comparison.suffix, 0.5, -3.0)
        + agreement_weight(comparison.sex, 1.0, -5.0)
        + national_id_weight(comparison.national_id)
        + agreement_weight(comparison.postal, 1.5, -0.5)
        + agreement_weight(comparison.phone, 3.0, -0.5)
        + agreement_weight(comparison.address, 2.5, -0.5)
        + agreement_weight(comparison.identifier, 12.0, -1.0);
    Score { weight, probability: probability(weight) }
}

pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-(weight + PRIOR_LOG2_ODDS)).exp2())
}

fn family_weight(level: NameLevel) -> f64 {
    match level {
        NameLevel::Exact => 8.0,
        NameLevel::Swapped => 6.0,
        NameLevel::Close => 5.0,
        NameLevel::Partial => 4.0,
        NameLevel::Nickname | NameLevel::Similar => 2.0,
        NameLevel::Different => -5.0,
        NameLevel::Missing => 0.0,
    }
}

fn given_weight(level: NameLevel) -> f64 {
    match level {
        NameLevel::Exact => 6.5,
        NameLevel::Swapped => 5.0,
        NameLevel::Nickname | NameLevel::Close => 4.5,
        NameLevel::Partial => 3.0,
        NameLevel::Similar => 1.5,
        NameLevel::Different => -4.5,
        NameLevel::Missing => 0.0,
    }
}

fn birth_weight(level: DateLevel) -> f64 {
    match level {
        DateLevel::Exact => 10.0,
        DateLevel::DayMonthSwapped => 6.0,
        DateLevel::OneDigit => 4.0,
        DateLevel::Different => -12.0,
        DateLevel::Missing => 0.0,
    }
}

fn national_id_weight(level: IdLevel) -> f64 {
    match level {
        IdLevel::Exact => 10.0,
        IdLevel::OneDigitOrTransposed => 4.0,
        IdLevel::Different => -8.0,
        IdLevel::Missing => 0.0,
    }
}

fn agreement_weight(level: Agreement, agree: f64, disagree: f64) -> f64 {
    match level {
        Agreement::Agree => agree,
        Agreement::Disagree => disagree,
        Agreement::Missing => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::compare::compare;
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    #[test]
    fn probability_is_monotonic_and_bounded() {
        assert!(probability(-100.0) < 1e-6);
        assert!(probability(100.0) > 1.0 - 1e-6);
        assert!((probability(-PRIOR_LOG2_ODDS) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn typo_nickname_and_swap_still_score_as_a_match() {
        let a = candidate("Robert", "Thompson", date(1961, 5, 9));
        let b = candidate("Bob", "Thomspon", date(1961, 9, 5));
        assert!(score(&compare(&a, &b)).probability > 0.9);
    }

    #[test]
    fn same_name_different_birth_date_is_not_a_match() {
        let a = candidate("Maria", "Garcia", date(1961, 5, 9));
        let b = candidate("Maria", "Garcia", date(1984, 11, 23));
        assert!(score(&compare(&a, &b)).probability < 0.05);
    }
}
