//! Survivorship: one golden record from the records of one person.
//!
//! Records are ranked by source priority (the order of sources in
//! migration.toml), then by completeness, then by source row, so the result
//! never depends on input order. Each group of fields that belong together
//! (the name, the postal address) is taken whole from the best-ranked record
//! that has it, so a street never ends up beside another record's city.
//! Every legacy identifier of every record is kept.

use crate::record::{Field, Record};

const NAME: &[Field] = &[Field::FamilyName, Field::GivenName, Field::MiddleName, Field::Suffix];
const ADDRESS: &[Field] = &[Field::AddressLine1, Field::AddressLine2, Field::City, Field::State, Field::PostalCode];
const SINGLE: &[Field] = &[Field::BirthDate, Field::Sex, Field::NationalId, Field::Phone, Field::Email];

/// Sorts `(source priority, record, anything)` best first.
pub fn rank<T>(records: &mut [(usize, &Record, T)]) {
    records.sort_by(|(priority_a, a, _), (priority_b, b, _)| {
        priority_a.cmp(priority_b).then(b.completeness().cmp(&a.completeness())).then(a.source.cmp(&b.source))
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
        rank(&mut ranked);
        let ranked: Vec<&Record> = ranked.into_iter().map(|(_, record, _)| record).collect();
        let golden = merge(&ranked).unwrap();
        assert_eq!(golden.source, pm.source);
        assert_eq!(golden.text(Field::FamilyName), Some("Doe"));
        assert_eq!(golden.text(Field::GivenName), Some("Jane"));
        assert_eq!(golden.text(Field::City), Some("Columbus"));
        assert_eq!(golden.text(Field::Phone), Some("6145550100"));
        assert_eq!(golden.identifiers.len(), 2);
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
