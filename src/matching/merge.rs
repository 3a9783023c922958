//! Survivorship: one golden record from the records of one person.
//!
//! Records are ranked by the project's survivorship order (by default
//! source priority, then the most recently updated, then the most complete),
//! then by source row, so the result never depends on input order. Each
//! group of fields that belong together (the name, the postal address) is
//! taken whole from the best-ranked record that has it, so a street never
//! ends up beside another record's city. Every legacy identifier of every
//! record is kept.

use std::cmp::{Ordering, Reverse};

use crate::record::{Field, Record};

/// A title goes with the name it was written with: `Mrs` beside a maiden
/// name from another record would be wrong.
const NAME: &[Field] = &[Field::FamilyName, Field::GivenName, Field::MiddleName, Field::Suffix, Field::Title];
const ADDRESS: &[Field] = &[Field::AddressLine1, Field::AddressLine2, Field::City, Field::State, Field::PostalCode];
const SINGLE: &[Field] = &[
    Field::BirthDate,
    Field::Sex,
    Field::NationalId,
    Field::Phone,
    Field::Email,
    Field::MaritalStatus,
    Field::DeathDate,
];

/// One criterion of survivorship: which record's values a merged patient
/// keeps first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Survivor {
    /// The source listed first (in `source_priority`, or in migration.toml).
    SourcePriority,
    /// The record with the latest `last_updated`; records without one come
    /// after those with one.
    MostRecent,
    /// The record with the most fields filled in.
    MostComplete,
}

const SURVIVORS: &[(Survivor, &str)] = &[
    (Survivor::SourcePriority, "source_priority"),
    (Survivor::MostRecent, "most_recent"),
    (Survivor::MostComplete, "most_complete"),
];

impl Survivor {
    pub fn name(self) -> &'static str {
        SURVIVORS.iter().find(|(survivor, _)| *survivor == self).map(|(_, name)| *name).expect("every one is named")
    }

    pub fn parse(name: &str) -> Option<Survivor> {
        SURVIVORS.iter().find(|(_, known)| *known == name).map(|(survivor, _)| *survivor)
    }

    pub fn all_names() -> impl Iterator<Item = &'static str> {
        SURVIVORS.iter().map(|(_, name)| *name)
    }

    /// Best first.
    fn compare(self, (priority_a, a): (usize, &Record), (priority_b, b): (usize, &Record)) -> Ordering {
        match self {
            Survivor::SourcePriority => priority_a.cmp(&priority_b),
            Survivor::MostRecent => Reverse(a.date(Field::LastUpdated)).cmp(&Reverse(b.date(Field::LastUpdated))),
            Survivor::MostComplete => b.completeness().cmp(&a.completeness()),
        }
    }
}

/// migration.toml's `[survivorship]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survivorship {
    pub order: Vec<Survivor>,
    /// Sources by name, first preferred; sources not listed follow in
    /// migration.toml's order. Empty: migration.toml's order.
    pub source_priority: Vec<String>,
}

impl Default for Survivorship {
    fn default() -> Survivorship {
        Survivorship {
            order: vec![Survivor::SourcePriority, Survivor::MostRecent, Survivor::MostComplete],
            source_priority: Vec::new(),
        }
    }
}

impl Survivorship {
    /// Each source's priority (lower is preferred), from `sources` in
    /// migration.toml's order.
    pub fn priorities<'s>(&self, sources: impl Iterator<Item = &'s str>) -> Vec<(&'s str, usize)> {
        let listed = self.source_priority.len();
        sources
            .enumerate()
            .map(|(index, name)| {
                let rank = self.source_priority.iter().position(|preferred| preferred == name);
                (name, rank.unwrap_or(listed + index))
            })
            .collect()
    }
}

/// Sorts `(source priority, record, anything)` best first, by `order`, then
/// by source row.
pub fn rank<T>(records: &mut [(usize, &Record, T)], order: &[Survivor]) {
    records.sort_by(|(priority_a, a, _), (priority_b, b, _)| {
        order
            .iter()
            .fold(Ordering::Equal, |decided, survivor| {
                decided.then_with(|| survivor.compare((*priority_a, a), (*priority_b, b)))
            })
            .then(a.source.cmp(&b.source))
    });
}

/// The golden record of ranked records (best first). Its `source` is the best
/// record's: that row is the one the patient is "loaded" from.
pub fn merge(ranked: &[&Record]) -> Option<Record> {
    let best = ranked.first()?;
    let mut golden = Record::new(best.entity, best.source.clone());
    for group in [NAME, ADDRESS] {
        let anchor = group[0];
        if let Some(donor) = ranked.iter().find(|record| record.has(anchor)) {
            for &field in group {
                if let Some(value) = donor.get(field) {
                    golden.set(field, value.clone());
                }
            }
        }
    }
    for &field in SINGLE {
        if let Some(value) = ranked.iter().find_map(|record| record.get(field)) {
            golden.set(field, value.clone());
        }
    }
    let mut identifiers: Vec<_> = ranked.iter().flat_map(|record| record.identifiers.iter().cloned()).collect();
    identifiers.sort();
    identifiers.dedup();
    golden.identifiers = identifiers;
    Some(golden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Entity, Identifier, Value};
    use crate::source_ref::SourceRef;

    fn record(source: &str, row: u64, values: &[(Field, &str)], chart: &str) -> Record {
        let mut record =
            Record::new(Entity::Patient, SourceRef { source: source.into(), file: "f".into(), sheet: None, row });
        for (field, value) in values {
            record.set(*field, Value::Text(value.to_string()));
        }
        record.identifiers.push(Identifier { system: source.into(), value: chart.into(), compared: true });
        record
    }

    #[test]
    fn priority_wins_then_gaps_are_filled_and_identifiers_kept() {
        let pm = record("pm", 9, &[(Field::FamilyName, "Doe"), (Field::GivenName, "Jane")], "1001");
        let emr = record(
            "emr",
            4,
            &[
                (Field::FamilyName, "Doe-Smith"),
                (Field::GivenName, "Janet"),
                (Field::AddressLine1, "1 Elm St"),
                (Field::City, "Columbus"),
                (Field::Phone, "6145550100"),
            ],
            "E7",
        );
        let mut ranked = vec![(1, &emr, ()), (0, &pm, ())];
        rank(&mut ranked, &Survivorship::default().order);
        let ranked: Vec<&Record> = ranked.into_iter().map(|(_, record, _)| record).collect();
        let golden = merge(&ranked).unwrap();
        assert_eq!(golden.source, pm.source);
        assert_eq!(golden.text(Field::FamilyName), Some("Doe"));
        assert_eq!(golden.text(Field::GivenName), Some("Jane"));
        assert_eq!(golden.text(Field::City), Some("Columbus"));
        assert_eq!(golden.text(Field::Phone), Some("6145550100"));
        assert_eq!(golden.identifiers.len(), 2);
    }

    fn ranked_sources(records: &[(usize, &Record)], order: &[Survivor]) -> Vec<String> {
        let mut ranked: Vec<(usize, &Record, ())> = records.iter().map(|&(p, record)| (p, record, ())).collect();
        rank(&mut ranked, order);
        ranked.iter().map(|(_, record, _)| format!("{}:{}", record.source.source, record.source.row)).collect()
    }

    #[test]
    fn the_order_of_survivorship_decides_which_record_leads() {
        let dated = |source: &str, row: u64, updated: Option<jiff::civil::Date>, fields: usize| {
            let all = [(Field::FamilyName, "Doe"), (Field::GivenName, "Jane"), (Field::Phone, "1"), (Field::City, "X")];
            let mut record = record(source, row, &all[..fields], "1");
            if let Some(updated) = updated {
                record.set(Field::LastUpdated, Value::Date(updated));
            }
            record
        };
        let old_complete = dated("pm", 2, Some(jiff::civil::date(2015, 1, 1)), 4);
        let new_sparse = dated("emr", 3, Some(jiff::civil::date(2024, 6, 1)), 2);
        let undated = dated("emr", 4, None, 3);
        let records = [(0, &old_complete), (1, &new_sparse), (1, &undated)];
        use Survivor::*;
        assert_eq!(ranked_sources(&records, &[SourcePriority, MostRecent, MostComplete]), ["pm:2", "emr:3", "emr:4"]);
        assert_eq!(ranked_sources(&records, &[MostRecent, SourcePriority]), ["emr:3", "pm:2", "emr:4"]);
        assert_eq!(ranked_sources(&records, &[MostComplete, MostRecent]), ["pm:2", "emr:4", "emr:3"]);
        assert_eq!(ranked_sources(&records, &[]), ["emr:3", "emr:4", "pm:2"], "source row alone");
    }

    #[test]
    fn listed_sources_come_first_and_the_rest_keep_their_order() {
        let survivorship = Survivorship { source_priority: vec!["old_emr".into()], ..Survivorship::default() };
        let priorities = survivorship.priorities(["pm", "scans", "old_emr"].into_iter());
        assert_eq!(priorities, [("pm", 1), ("scans", 2), ("old_emr", 0)]);
        assert_eq!(Survivorship::default().priorities(["pm", "x"].into_iter()), [("pm", 0), ("x", 1)]);
        assert_eq!(Survivor::parse("most_recent"), Some(Survivor::MostRecent));
        assert_eq!(Survivor::MostComplete.name(), "most_complete");
    }

    #[test]
    fn title_marital_status_and_death_date_survive_like_the_other_fields() {
        use crate::record::MaritalStatus;
        let mut best = record("pm", 2, &[(Field::FamilyName, "Doe"), (Field::GivenName, "Jane")], "1");
        best.set(Field::MaritalStatus, Value::MaritalStatus(MaritalStatus::Widowed));
        let mut other = record("emr", 7, &[(Field::FamilyName, "Smith"), (Field::Title, "Mrs")], "2");
        other.set(Field::MaritalStatus, Value::MaritalStatus(MaritalStatus::Married));
        other.set(Field::DeathDate, Value::Date(jiff::civil::date(2021, 3, 4)));
        let golden = merge(&[&best, &other]).unwrap();
        assert_eq!(golden.get(Field::MaritalStatus), Some(&Value::MaritalStatus(MaritalStatus::Widowed)));
        assert_eq!(golden.date(Field::DeathDate), Some(jiff::civil::date(2021, 3, 4)), "a gap is filled");
        assert_eq!(golden.text(Field::Title), None, "no title from another record's name");
        let titled = record("pm", 3, &[(Field::FamilyName, "Doe"), (Field::Title, "Dr")], "3");
        assert_eq!(merge(&[&titled, &other]).unwrap().text(Field::Title), Some("Dr"));
    }

    #[test]
    fn address_is_taken_whole_from_one_record() {
        let a = record("pm", 2, &[(Field::AddressLine1, "1 Elm St")], "1");
        let b = record("pm", 3, &[(Field::AddressLine1, "9 Oak Ave"), (Field::City, "Dublin")], "2");
        let golden = merge(&[&a, &b]).unwrap();
        assert_eq!(golden.text(Field::AddressLine1), Some("1 Elm St"));
        assert_eq!(golden.text(Field::City), None, "no city from another address");
    }
}
