//! Assembly: matching's clusters into the plan's patients, merges and
//! document links.
//!
//! The decisions made here, and only here:
//! - a cluster with patient rows and no patient of the database becomes one
//!   new patient, with the next MRN, whose values come from survivorship
//!   (`matching::rank` and `matching::merge`); its best-ranked row is
//!   `loaded`, the others `merged`;
//! - a cluster holding a patient of the database keeps that patient: its rows
//!   are `merged` into it, and their identifiers it lacks are added;
//! - a document row is `loaded` as a document, linked to its cluster's
//!   patient, or to none (`W-DOCUMENT-UNLINKED`): documents never create
//!   patients.
//!
//! MRNs are issued in cluster order, and clusters are numbered by their first
//! row, so the same sources always give the same MRNs. Survivorship, each
//! cluster's own, is worked out in parallel; everything that numbers or
//! orders stays in cluster order on one thread.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::issue::{Issue, IssueCode};
use crate::matching::{self, MatchOutcome};
use crate::plan::{
    Disposition, Existing, LinkEnd, PatientRef, Plan, PlannedDocument, PlannedIdentifier, PlannedLink, PlannedPatient,
    PlannedRow, ReviewEntry, ReviewSide, StageTimings,
};
use crate::project::Project;
use crate::record::{Entity, Field, Record};
use jiff::civil::Date;
use rayon::prelude::*;

/// Builds the plan's patients, documents and review queue. `accepted` are the
/// rows that went to matching, `(index into rows, record)`, in candidate
/// order; the database's patients follow them as candidates. Documents'
/// records move into the plan rather than being copied: there are nearly a
/// million of them at a million patients.
pub fn assemble(
    project: &Project,
    existing: &Existing,
    rows: Vec<PlannedRow>,
    mut accepted: Vec<(usize, Record)>,
    outcome: &MatchOutcome,
) -> Plan {
    let priorities = project
        .survivorship
        .priorities(project.sources.iter().map(|source| source.name.as_str()))
        .into_iter()
        .collect();
    let assembly = Assembly { project, existing, accepted: &accepted, priorities };
    let mut plan = Plan {
        sources: Vec::new(),
        rows,
        patients: Vec::new(),
        documents: Vec::new(),
        existing_identifiers: Vec::new(),
        existing_mrns: BTreeMap::new(),
        existing_patients_matched: 0,
        matching: outcome.stats.clone(),
        review: Vec::new(),
        links: Vec::new(),
        decisions_to_record: Vec::new(),
        timings: StageTimings::default(),
    };
    let document_candidates = assembly.assign(&outcome.cluster_of, &mut plan);
    plan.review = outcome
        .review
        .iter()
        .map(|pair| ReviewEntry { a: assembly.side(pair.a), b: assembly.side(pair.b), pair: pair.clone() })
        .collect();
    plan.links = outcome
        .links
        .iter()
        .map(|link| PlannedLink { a: assembly.end(link.a), b: assembly.end(link.b), link: *link })
        .collect();
    for (document, candidate) in plan.documents.iter_mut().zip(document_candidates) {
        std::mem::swap(&mut document.record, &mut accepted[candidate].1);
    }
    plan
}

/// Each cluster's members, in candidate order, clusters in number order:
/// one array, bucket-sorted by cluster, where a map of a vector per cluster
/// took half a second at a million patients.
struct Clusters {
    /// Where each cluster's members start in `members`; one more than clusters.
    start: Vec<usize>,
    members: Vec<usize>,
}

impl Clusters {
    fn of(cluster_of: &[u32]) -> Clusters {
        let count = cluster_of.iter().map(|&cluster| cluster as usize + 1).max().unwrap_or(0);
        let by_cluster = cluster_of.iter().enumerate().map(|(candidate, &cluster)| (cluster as usize, candidate));
        let mut members = Vec::with_capacity(cluster_of.len());
        let start = matching::bucket_sort::bucket_sort_into(by_cluster, count, &mut members);
        Clusters { start, members }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn members(&self, cluster: usize) -> &[usize] {
        &self.members[self.start[cluster]..self.start[cluster + 1]]
    }
}

/// A new patient's rows ranked by survivorship, `(source priority, record,
/// row index)`, best first, and the golden record they give.
struct Survivorship<'r> {
    ranked: Vec<(usize, &'r Record, usize)>,
    golden: Record,
}

/// What assigning the clusters in order carries from one to the next.
struct Fates {
    /// For each planned document, the candidate whose record it receives.
    document_candidates: Vec<usize>,
    next_mrn: u64,
}

struct Assembly<'a> {
    project: &'a Project,
    existing: &'a Existing,
    accepted: &'a [(usize, Record)],
    priorities: HashMap<&'a str, usize>,
}

impl Assembly<'_> {
    /// Gives every row its fate; returns, for each planned document, the
    /// candidate whose record it is to receive.
    fn assign(&self, cluster_of: &[u32], plan: &mut Plan) -> Vec<usize> {
        let clusters = Clusters::of(cluster_of);
        plan.patients.reserve(clusters.len());
        let mut fates = Fates { document_candidates: Vec::new(), next_mrn: self.existing.next_mrn };
        // Survivorship was most of assembling a million patients, on one
        // core, and each cluster's is its own: it is worked out for every
        // cluster in parallel, then taken in cluster order, which the MRNs
        // follow. All at once: in runs of 65,536 clusters, which would hold
        // fewer golden records waiting, the match stage took 0.8 s longer at
        // a million patients, for the same peak.
        let chosen: Vec<Option<Survivorship<'_>>> =
            (0..clusters.len()).into_par_iter().map(|cluster| self.survivorship(clusters.members(cluster))).collect();
        for (cluster, chosen) in chosen.into_iter().enumerate() {
            let members = clusters.members(cluster);
            if !members.is_empty() {
                self.assign_cluster(cluster as u32, members, chosen, &mut fates, plan);
            }
        }
        fates.document_candidates
    }

    /// Gives one cluster's rows their fates, with its survivorship when it
    /// becomes a new patient.
    fn assign_cluster(
        &self,
        cluster: u32,
        members: &[usize],
        chosen: Option<Survivorship<'_>>,
        fates: &mut Fates,
        plan: &mut Plan,
    ) {
        let (in_database, accepted): (Vec<usize>, Vec<usize>) =
            members.iter().partition(|&&candidate| candidate >= self.accepted.len());
        for &candidate in &accepted {
            plan.rows[self.accepted[candidate].0].cluster = Some(cluster);
        }
        let (patients, documents): (Vec<usize>, Vec<usize>) =
            accepted.into_iter().partition(|&candidate| self.accepted[candidate].1.entity == Entity::Patient);
        let patient = match (in_database.first(), chosen) {
            (Some(&candidate), _) => Some(self.merge_into_existing(candidate - self.accepted.len(), &patients, plan)),
            (None, Some(chosen)) => {
                let mrn = self.mrn(fates.next_mrn);
                fates.next_mrn += 1;
                Some(self.new_patient(mrn, chosen, plan))
            }
            // Documents only: they never make a patient.
            (None, None) => None,
        };
        let born = match (patient, in_database.first()) {
            (Some(PatientRef::New(index)), _) => plan.patients[index].golden.date(Field::BirthDate),
            (Some(PatientRef::Existing(_)), Some(&candidate)) => {
                self.existing.patients[candidate - self.accepted.len()].record.date(Field::BirthDate)
            }
            _ => None,
        };
        for candidate in documents {
            self.link_document(candidate, patient, born, plan);
            fates.document_candidates.push(candidate);
        }
    }

    fn mrn(&self, number: u64) -> String {
        let target = &self.project.target;
        format!("{}{:0width$}", target.mrn_prefix, number, width = target.mrn_digits)
    }

    /// The survivorship of a cluster that becomes a new patient: one with
    /// patient rows and no patient of the database; `None` for any other.
    /// It runs on rayon's threads, so it reads shared state only.
    fn survivorship(&self, members: &[usize]) -> Option<Survivorship<'_>> {
        if members.iter().any(|&candidate| candidate >= self.accepted.len()) {
            return None;
        }
        let mut ranked: Vec<(usize, &Record, usize)> = members
            .iter()
            .map(|&candidate| (&self.accepted[candidate].1, self.accepted[candidate].0))
            .filter(|(record, _)| record.entity == Entity::Patient)
            .map(|(record, row_index)| {
                (self.priorities.get(&*record.source.source).copied().unwrap_or(usize::MAX), record, row_index)
            })
            .collect();
        matching::rank(&mut ranked, &self.project.survivorship.order);
        let ordered: Vec<&Record> = ranked.iter().map(|(_, record, _)| *record).collect();
        let golden = matching::merge(&ordered)?;
        Some(Survivorship { ranked, golden })
    }

    fn new_patient(&self, mrn: String, survivorship: Survivorship<'_>, plan: &mut Plan) -> PatientRef {
        let Survivorship { ranked, golden } = survivorship;
        let patient = PatientRef::New(plan.patients.len());
        let mut identifiers = Vec::new();
        let mut seen = HashSet::new();
        let mut row_indexes = Vec::with_capacity(ranked.len());
        for (rank, (_, record, row_index)) in ranked.iter().enumerate() {
            let row = &mut plan.rows[*row_index];
            row.disposition = if rank == 0 { Disposition::Loaded } else { Disposition::Merged };
            row.patient = Some(patient);
            row_indexes.push(*row_index);
            for identifier in &record.identifiers {
                if seen.insert(identifier.clone()) {
                    identifiers.push((identifier.clone(), record.source.source.to_string()));
                }
            }
        }
        plan.patients.push(PlannedPatient { mrn, golden, identifiers, rows: row_indexes });
        patient
    }

    fn merge_into_existing(&self, existing_index: usize, members: &[usize], plan: &mut Plan) -> PatientRef {
        let existing = &self.existing.patients[existing_index];
        let patient = PatientRef::Existing(existing.patient_id);
        plan.existing_mrns.insert(existing.patient_id, existing.mrn.clone());
        let mut known: HashSet<_> = existing.record.identifiers.iter().cloned().collect();
        for &candidate in members {
            let (row_index, record) = &self.accepted[candidate];
            let row = &mut plan.rows[*row_index];
            row.disposition = Disposition::Merged;
            row.patient = Some(patient);
            for identifier in &record.identifiers {
                if known.insert(identifier.clone()) {
                    plan.existing_identifiers.push(PlannedIdentifier {
                        patient_id: existing.patient_id,
                        identifier: identifier.clone(),
                        source_name: record.source.source.to_string(),
                    });
                }
            }
        }
        if !members.is_empty() {
            plan.existing_patients_matched += 1;
        }
        patient
    }

    /// Links a document to its cluster's patient. A document dated before
    /// that patient was born (`born`: the golden record's birth date, or the
    /// stored one for a patient of the database) is flagged even when its own index line has no
    /// birth date to check it against (validation's `W-DOCUMENT-BEFORE-BIRTH`):
    /// it may belong to someone else, or carry a mistyped date. The
    /// document's record is left empty, for `assemble` to move in.
    fn link_document(&self, candidate: usize, patient: Option<PatientRef>, born: Option<Date>, plan: &mut Plan) {
        let (row_index, record) = &self.accepted[candidate];
        let row = &mut plan.rows[*row_index];
        row.disposition = Disposition::Loaded;
        row.patient = patient;
        row.document = Some(plan.documents.len());
        if patient.is_none() {
            row.issues.push(Issue::new(IssueCode::DocumentUnlinked, &record.source));
        }
        let flagged_already = row.issues.iter().any(|issue| issue.code == IssueCode::DocumentBeforeBirth);
        if let (Some(dated), Some(born)) = (record.date(Field::DocumentDate), born)
            && dated < born
            && !flagged_already
        {
            row.issues
                .push(Issue::new(IssueCode::DocumentBeforePatientBirth, &record.source).field(Field::DocumentDate));
        }
        let record = Record::new(record.entity, record.source.clone());
        plan.documents.push(PlannedDocument { row: *row_index, record, patient });
    }

    fn end(&self, candidate: u32) -> LinkEnd {
        let candidate = candidate as usize;
        match self.accepted.get(candidate) {
            Some((row, _)) => LinkEnd::Row(*row),
            None => {
                let patient = &self.existing.patients[candidate - self.accepted.len()];
                LinkEnd::Existing { patient_id: patient.patient_id, mrn: patient.mrn.clone() }
            }
        }
    }

    fn side(&self, candidate: u32) -> ReviewSide {
        let candidate = candidate as usize;
        match self.accepted.get(candidate) {
            Some((row, record)) => ReviewSide::Row { row: *row, record: Box::new(record.clone()) },
            None => {
                let patient = &self.existing.patients[candidate - self.accepted.len()];
                ReviewSide::Existing {
                    patient_id: patient.patient_id,
                    mrn: patient.mrn.clone(),
                    record: Box::new(patient.record.clone()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clusters;

    #[test]
    fn clusters_list_their_members_in_order_and_none_for_unused_numbers() {
        let clusters = Clusters::of(&[2, 0, 2, 0, 4]);
        let listed: Vec<Vec<usize>> = (0..clusters.len()).map(|cluster| clusters.members(cluster).to_vec()).collect();
        assert_eq!(listed, vec![vec![1, 3], vec![], vec![0, 2], vec![], vec![4]]);
        assert_eq!(Clusters::of(&[]).len(), 0);
    }
}
