//! Who appears where: which people the practice-management system, the old
//! EMR and the paper charts hold, who was registered twice, which rows are
//! planted invalid, and how many scanned documents each chart has.

use super::rng::Rng;

/// Shares of the population in each source, and other per-row rates.
pub mod rates {
    pub const IN_PM: f64 = 0.85;
    pub const IN_OLD_EMR: f64 = 0.60;
    pub const REGISTERED_TWICE_PM: f64 = 0.02;
    pub const REGISTERED_TWICE_OLD_EMR: f64 = 0.01;
    pub const HAS_PAPER_CHART: f64 = 0.35;
    pub const MAX_DOCUMENTS: usize = 4;
    /// A scan index line without the chart number.
    pub const CHART_NUMBER_BLANK: f64 = 0.2;
    /// Rows made invalid on purpose (each with its expected rejection).
    pub const INVALID_ROW: f64 = 0.002;
    /// Charts of people in no export at all, per person.
    pub const ORPHAN_CHART: f64 = 0.001;
    /// Scan index lines whose file is not there (when files are written).
    pub const FILE_MISSING: f64 = 0.001;
}

/// What is planted in a row to make it invalid, with the code `run` must
/// reject it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    NoSurname,
    ImpossibleDate,
    FutureDate,
    UnknownSexCode,
    CutShort,
    FileMissing,
}

impl Invalid {
    pub fn expected_code(self) -> &'static str {
        match self {
            Invalid::NoSurname => "E-REQUIRED-MISSING",
            Invalid::ImpossibleDate => "E-DATE-INVALID",
            Invalid::FutureDate => "E-BIRTH-DATE-FUTURE",
            Invalid::UnknownSexCode => "E-CODE-UNKNOWN",
            Invalid::CutShort => "E-ROW-FIELD-COUNT",
            Invalid::FileMissing => "E-SCAN-FILE-MISSING",
        }
    }

    pub fn note(self) -> &'static str {
        match self {
            Invalid::NoSurname => "planted: no surname",
            Invalid::ImpossibleDate => "planted: a birth date that does not exist",
            Invalid::FutureDate => "planted: a birth date in the future",
            Invalid::UnknownSexCode => "planted: an unknown sex code",
            Invalid::CutShort => "planted: row cut short",
            Invalid::FileMissing => "planted: the scanned file is missing",
        }
    }
}

/// One row of a patient export.
#[derive(Debug, Clone, Copy)]
pub struct PatientRow {
    pub person: u32,
    /// The legacy id: chart number or old EMR id.
    pub legacy_id: u32,
    pub second_registration: bool,
    pub invalid: Option<Invalid>,
}

/// One line of the scan index.
#[derive(Debug, Clone, Copy)]
pub struct DocumentRow {
    pub person: u32,
    pub chart: Option<u32>,
    pub invalid: Option<Invalid>,
}

pub struct Practice {
    pub pm: Vec<PatientRow>,
    pub old_emr: Vec<PatientRow>,
    pub documents: Vec<DocumentRow>,
    /// People beyond the population who have only a paper chart.
    pub orphans: usize,
}

const FIRST_CHART: u32 = 100_001;
const FIRST_EMR_ID: u32 = 5_000_001;

impl Practice {
    pub fn plan(people: usize, with_files: bool, rng: &mut Rng) -> Practice {
        let mut in_pm = Vec::new();
        let mut in_emr = Vec::new();
        for person in 0..people as u32 {
            let pm = rng.chance(rates::IN_PM);
            let emr = rng.chance(rates::IN_OLD_EMR);
            // Everyone is a patient of at least one system.
            if pm || !emr {
                in_pm.push(person);
            }
            if emr {
                in_emr.push(person);
            }
        }
        let pm = Self::export(in_pm, FIRST_CHART, rates::REGISTERED_TWICE_PM, &PM_INVALID, rng);
        let old_emr = Self::export(in_emr, FIRST_EMR_ID, rates::REGISTERED_TWICE_OLD_EMR, &EMR_INVALID, rng);
        let chart_of = Self::first_charts(&pm, people);
        let orphans = ((people as f64 * rates::ORPHAN_CHART).round() as usize).max(1);
        let mut documents = Vec::new();
        for person in 0..(people + orphans) as u32 {
            let orphan = person as usize >= people;
            if !orphan && !rng.chance(rates::HAS_PAPER_CHART) {
                continue;
            }
            let count = 1 + rng.below(rates::MAX_DOCUMENTS);
            for _ in 0..count {
                let chart =
                    chart_of.get(person as usize).copied().flatten().filter(|_| !rng.chance(rates::CHART_NUMBER_BLANK));
                let invalid = (with_files && rng.chance(rates::FILE_MISSING)).then_some(Invalid::FileMissing);
                documents.push(DocumentRow { person, chart, invalid });
            }
        }
        Practice { pm, old_emr, documents, orphans }
    }

    /// Rows in registration order (shuffled people, then second
    /// registrations under later ids), with planted invalid rows.
    fn export(
        mut people: Vec<u32>,
        first_id: u32,
        twice: f64,
        invalid_kinds: &[Invalid],
        rng: &mut Rng,
    ) -> Vec<PatientRow> {
        shuffle(&mut people, rng);
        let mut again: Vec<u32> = people.iter().copied().filter(|_| rng.chance(twice)).collect();
        shuffle(&mut again, rng);
        let registrations = people.into_iter().map(|p| (p, false)).chain(again.into_iter().map(|p| (p, true)));
        let mut rows = Vec::new();
        for (legacy_id, (person, second_registration)) in (first_id..).zip(registrations) {
            let invalid = rng.chance(rates::INVALID_ROW).then(|| *rng.pick(invalid_kinds));
            rows.push(PatientRow { person, legacy_id, second_registration, invalid });
        }
        rows
    }

    /// Each person's first chart number in the PM system.
    fn first_charts(pm: &[PatientRow], people: usize) -> Vec<Option<u32>> {
        let mut charts = vec![None; people];
        for row in pm.iter().filter(|row| !row.second_registration) {
            charts[row.person as usize] = Some(row.legacy_id);
        }
        charts
    }
}

const PM_INVALID: [Invalid; 4] =
    [Invalid::NoSurname, Invalid::ImpossibleDate, Invalid::FutureDate, Invalid::UnknownSexCode];
const EMR_INVALID: [Invalid; 3] = [Invalid::NoSurname, Invalid::ImpossibleDate, Invalid::CutShort];

/// Fisher–Yates, with the generator's own random numbers.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for index in (1..items.len()).rev() {
        items.swap(index, rng.below(index + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_is_in_an_export_and_ids_are_unique() {
        let practice = Practice::plan(5_000, true, &mut Rng::new(4));
        let mut seen = vec![false; 5_000];
        for row in practice.pm.iter().chain(&practice.old_emr) {
            seen[row.person as usize] = true;
        }
        assert!(seen.iter().all(|seen| *seen));
        let mut charts: Vec<u32> = practice.pm.iter().map(|row| row.legacy_id).collect();
        charts.sort_unstable();
        charts.dedup();
        assert_eq!(charts.len(), practice.pm.len());
        assert!(practice.pm.iter().any(|row| row.second_registration));
        assert!(practice.documents.iter().any(|document| document.person as usize >= 5_000), "orphan charts");
    }
}
