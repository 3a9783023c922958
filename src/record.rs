//! The canonical data model: `Record`, the typed row that mapping produces and
//! validate, matching and load consume, and the `Field`s it may hold.
//!
//! A record is sparse (legacy exports fill a handful of the fields) and keeps
//! its `SourceRef`, so every later decision can name the row it came from.

use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use crate::extract::ScannedFile;
use crate::source_ref::SourceRef;

/// What a source's rows become in the EMR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    /// A person; rows of the same person across sources merge into one.
    Patient,
    /// A scanned paper document, linked to its patient by identifier or
    /// name and birth date.
    Document,
}

impl Entity {
    pub const ALL: &'static [Entity] = &[Entity::Patient, Entity::Document];

    pub fn name(self) -> &'static str {
        match self {
            Entity::Patient => "patient",
            Entity::Document => "document",
        }
    }

    pub fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL.iter().copied().find(|entity| entity.name() == name)
    }

    /// The fields a mapping for this entity may fill.
    pub fn fields(self) -> &'static [Field] {
        use Field::*;
        match self {
            Entity::Patient => &[
                Title,
                FamilyName,
                GivenName,
                MiddleName,
                Suffix,
                BirthDate,
                Sex,
                MaritalStatus,
                DeathDate,
                NationalId,
                AddressLine1,
                AddressLine2,
                City,
                State,
                PostalCode,
                Phone,
                Email,
                LastUpdated,
            ],
            Entity::Document => &[
                FamilyName,
                GivenName,
                MiddleName,
                BirthDate,
                Sex,
                DocumentType,
                DocumentDate,
                PageCount,
                FilePath,
                ScanBatch,
            ],
        }
    }

    /// Fields the EMR cannot store the entity without: required whatever a
    /// mapping's `required` list says.
    pub fn essential_fields(self) -> &'static [Field] {
        match self {
            Entity::Patient => &[Field::FamilyName],
            Entity::Document => &[Field::FilePath],
        }
    }

    /// Blank in any of these, and the row is rejected, unless a mapping lists
    /// its own `required` fields.
    pub fn required_fields(self) -> &'static [Field] {
        match self {
            Entity::Patient => &[Field::FamilyName, Field::GivenName, Field::BirthDate],
            Entity::Document => &[Field::FilePath],
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a field's value is typed once mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Date,
    Integer,
    /// One of the values of a closed set the EMR defines.
    Coded(CodeSet),
}

/// The closed value sets the EMR stores. A coded field's legacy codes
/// become one of these through the mapping's code table, or the set's
/// built-in table. The database's CHECK constraints hold sex and marital
/// status to their sets; document types are held by mapping alone
/// (docs/schema.md says why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSet {
    Sex,
    MaritalStatus,
    DocumentType,
}

impl CodeSet {
    pub const ALL: &'static [CodeSet] = &[CodeSet::Sex, CodeSet::MaritalStatus, CodeSet::DocumentType];

    /// The canonical values, as stored.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            CodeSet::Sex => Sex::NAMES,
            CodeSet::MaritalStatus => MaritalStatus::NAMES,
            CodeSet::DocumentType => DocumentType::NAMES,
        }
    }

    /// The typed value for a canonical name.
    pub fn value(self, name: &str) -> Option<Value> {
        match self {
            CodeSet::Sex => Sex::from_name(name).map(Value::Sex),
            CodeSet::MaritalStatus => MaritalStatus::from_name(name).map(Value::MaritalStatus),
            CodeSet::DocumentType => DocumentType::from_name(name).map(Value::DocumentType),
        }
    }
}

macro_rules! fields {
    ($($variant:ident => ($name:literal, $kind:ident $(($set:ident))?),)*) => {
        /// A canonical field. The names are what mapping files use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $($variant,)* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Field::$variant => $name,)* }
            }

            pub fn kind(self) -> FieldKind {
                match self { $(Field::$variant => FieldKind::$kind $((CodeSet::$set))?,)* }
            }
        }
    };
}

fields! {
    Title => ("title", Text),
    FamilyName => ("family_name", Text),
    GivenName => ("given_name", Text),
    MiddleName => ("middle_name", Text),
    Suffix => ("suffix", Text),
    BirthDate => ("birth_date", Date),
    Sex => ("sex", Coded(Sex)),
    MaritalStatus => ("marital_status", Coded(MaritalStatus)),
    DeathDate => ("death_date", Date),
    NationalId => ("national_id", Text),
    AddressLine1 => ("address_line1", Text),
    AddressLine2 => ("address_line2", Text),
    City => ("city", Text),
    State => ("state", Text),
    PostalCode => ("postal_code", Text),
    Phone => ("phone", Text),
    Email => ("email", Text),
    LastUpdated => ("last_updated", Date),
    DocumentType => ("document_type", Coded(DocumentType)),
    DocumentDate => ("document_date", Date),
    PageCount => ("page_count", Integer),
    FilePath => ("file_path", Text),
    ScanBatch => ("scan_batch", Text),
}

impl Field {
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|field| field.name() == name)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A closed set of canonical values as an enum, with the names mapping
/// files, the database and reports use.
macro_rules! code_values {
    ($(#[$doc:meta])* $name:ident { $($(#[$variant_doc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$variant_doc])* $variant,)* }

        // By its name, so that a multi-word value (`consult_note`) is
        // spelt the same in JSON as in the database.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub const NAMES: &'static [&'static str] = &[$($text,)*];

            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn from_name(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|value| value.name() == name)
            }
        }
    };
}

code_values! {
    /// Administrative sex, as the EMR stores it.
    Sex {
        Female => "female",
        Male => "male",
        Other => "other",
        Unknown => "unknown",
    }
}

code_values! {
    /// Marital status, as the EMR stores it: the common core of HL7 v2
    /// table 0002 and FHIR's `marital-status` value set (docs/mapping.md
    /// gives the codes of each).
    MaritalStatus {
        /// Never married.
        Single => "single",
        Married => "married",
        /// Domestic partner, civil union: a recognised partnership that is
        /// not a marriage.
        Partnered => "partnered",
        /// Legally separated.
        Separated => "separated",
        Divorced => "divorced",
        Widowed => "widowed",
        Unknown => "unknown",
    }
}

code_values! {
    /// The kind of a scanned document, as the EMR stores it: the note and
    /// report types of US Core's Clinical Note Type value set (LOINC), the
    /// referral note, and the other kinds of document of the LOINC Document
    /// Ontology that a paper chart holds (docs/mapping.md gives the sources
    /// and the spellings read without a code table).
    DocumentType {
        /// A referral letter or note, sent or received.
        Referral => "referral",
        ConsultNote => "consult_note",
        HistoryAndPhysical => "history_and_physical",
        ProgressNote => "progress_note",
        ProcedureNote => "procedure_note",
        OperativeNote => "operative_note",
        DischargeSummary => "discharge_summary",
        EmergencyNote => "emergency_note",
        LabReport => "lab_report",
        PathologyReport => "pathology_report",
        /// Radiology: X-ray, CT, MRI, ultrasound, mammography.
        ImagingReport => "imaging_report",
        ImmunizationRecord => "immunization_record",
        Prescription => "prescription",
        Consent => "consent",
        /// Living will, DNR order, POLST, health care proxy.
        AdvanceDirective => "advance_directive",
        /// Insurance cards and insurance forms.
        Insurance => "insurance",
        /// Letters that are none of the above.
        Correspondence => "correspondence",
        /// A document whose kind the legacy index does not say.
        Other => "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Date(Date),
    Integer(i64),
    Sex(Sex),
    MaritalStatus(MaritalStatus),
    DocumentType(DocumentType),
}

impl Value {
    /// The form stored in the database and written to reports.
    pub fn to_text(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Date(date) => date.to_string(),
            Value::Integer(number) => number.to_string(),
            Value::Sex(sex) => sex.name().to_string(),
            Value::MaritalStatus(status) => status.name().to_string(),
            Value::DocumentType(kind) => kind.name().to_string(),
        }
    }
}

/// A legacy identifier: a chart number, an old EMR's patient id. The system
/// says whose number it is, so that chart 1001 of the practice-management
/// system is never confused with patient 1001 of the old EMR.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    pub system: Arc<str>,
    pub value: String,
    /// Whether matching compares it. An identifier unique to each row (a
    /// benchmark's record id, an export's line key) is kept on the patient
    /// but says nothing about whether two rows are one person.
    pub compared: bool,
}

/// One source row after mapping: typed canonical fields, identifiers, and for
/// a document the file the scan index points to.
#[derive(Debug, Clone)]
pub struct Record {
    pub entity: Entity,
    pub source: SourceRef,
    values: Vec<(Field, Value)>,
    pub identifiers: Vec<Identifier>,
    pub scanned_file: Option<ScannedFile>,
}

impl Record {
    pub fn new(entity: Entity, source: SourceRef) -> Record {
        Record { entity, source, values: Vec::new(), identifiers: Vec::new(), scanned_file: None }
    }

    pub fn set(&mut self, field: Field, value: Value) {
        match self.values.iter_mut().find(|(f, _)| *f == field) {
            Some(slot) => slot.1 = value,
            None => self.values.push((field, value)),
        }
    }

    pub fn remove(&mut self, field: Field) {
        self.values.retain(|(f, _)| *f != field);
    }

    pub fn get(&self, field: Field) -> Option<&Value> {
        self.values.iter().find(|(f, _)| *f == field).map(|(_, value)| value)
    }

    pub fn text(&self, field: Field) -> Option<&str> {
        match self.get(field) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub fn date(&self, field: Field) -> Option<Date> {
        match self.get(field) {
            Some(Value::Date(date)) => Some(*date),
            _ => None,
        }
    }

    pub fn integer(&self, field: Field) -> Option<i64> {
        match self.get(field) {
            Some(Value::Integer(number)) => Some(*number),
            _ => None,
        }
    }

    pub fn sex(&self) -> Option<Sex> {
        match self.get(Field::Sex) {
            Some(Value::Sex(sex)) => Some(*sex),
            _ => None,
        }
    }

    pub fn has(&self, field: Field) -> bool {
        self.get(field).is_some()
    }

    /// The fields present, in canonical order.
    pub fn values(&self) -> impl Iterator<Item = (Field, &Value)> {
        let mut present: Vec<_> = self.values.iter().map(|(field, value)| (*field, value)).collect();
        present.sort_by_key(|(field, _)| *field);
        present.into_iter()
    }

    /// How many fields and identifiers the record holds: survivorship
    /// prefers fuller records. Its update date is about the record, not the
    /// person, and does not count.
    pub fn completeness(&self) -> usize {
        self.values.iter().filter(|(field, _)| *field != Field::LastUpdated).count() + self.identifiers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_round_trip() {
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(*field));
        }
    }

    #[test]
    fn every_entity_field_list_holds_its_required_fields() {
        for entity in Entity::ALL {
            for required in entity.required_fields().iter().chain(entity.essential_fields()) {
                assert!(entity.fields().contains(required), "{entity}: {required}");
            }
        }
    }

    #[test]
    fn every_code_set_value_names_a_typed_value() {
        for set in CodeSet::ALL {
            for name in set.values() {
                assert_eq!(set.value(name).map(|value| value.to_text()).as_deref(), Some(*name));
            }
            assert_eq!(set.value("maried"), None);
        }
        assert_eq!(Field::MaritalStatus.kind(), FieldKind::Coded(CodeSet::MaritalStatus));
        assert_eq!(Field::DocumentType.kind(), FieldKind::Coded(CodeSet::DocumentType));
        assert_eq!(Field::DeathDate.kind(), FieldKind::Date);
    }

    #[test]
    fn record_set_replaces_a_value() {
        let source = SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 2 };
        let mut record = Record::new(Entity::Patient, source);
        record.set(Field::FamilyName, Value::Text("A".into()));
        record.set(Field::FamilyName, Value::Text("B".into()));
        assert_eq!(record.text(Field::FamilyName), Some("B"));
        assert_eq!(record.completeness(), 1);
    }
}
