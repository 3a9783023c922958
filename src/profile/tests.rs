use super::*;
use crate::extract::Cell;

fn column(name: &str, cells: &[Cell], options: &ProfileOptions) -> ColumnProfile {
    let mut tally = Tally::default();
    for cell in cells {
        tally.add(cell);
    }
    tally.finish(0, name.to_string(), cells.len() as u64, options)
}

fn texts(values: &[&str]) -> Vec<Cell> {
    values.iter().map(|value| if value.is_empty() { Cell::Empty } else { Cell::Text(value.to_string()) }).collect()
}

fn repeat(value: &str, times: usize) -> Vec<&str> {
    vec![value; times]
}

#[test]
fn counts_blanks_distinct_values_lengths_and_patterns() {
    let cells = texts(&["123-45-6789", "987-65-4321", "", "  ", "123-45-6789"]);
    let ssn = column("Soc Sec No", &cells, &ProfileOptions::default());
    assert_eq!((ssn.blank, ssn.distinct), (2, 2));
    assert!((ssn.blank_share - 0.4).abs() < 1e-9);
    assert_eq!((ssn.min_length, ssn.max_length), (Some(11), Some(11)));
    assert_eq!(ssn.patterns[0], ValueCount { value: "999-99-9999".into(), count: 3 });
    assert_eq!(ssn.inferred_type, "text");
    assert_eq!(ssn.suggestion.as_ref().map(|suggestion| suggestion.target.name()), Some("national_id"));
}

#[test]
fn infers_types_from_nine_values_in_ten() {
    let options = ProfileOptions::default();
    let mut values = repeat("12", 9);
    values.push("twelve");
    assert_eq!(column("Pages", &texts(&values), &options).inferred_type, "integer");
    values.push("thirteen");
    assert_eq!(column("Pages", &texts(&values), &options).inferred_type, "mixed");
    assert_eq!(column("Empty", &texts(&["", ""]), &options).inferred_type, "empty");
    let dates = [Cell::Date(jiff::civil::date(1980, 3, 4)), Cell::Text("03/04/1980".into())];
    let dob = column("DOB", &dates, &options);
    assert_eq!(dob.inferred_type, "date");
    assert_eq!(dob.ambiguous_dates, 1, "03/04/1980 is March 4th or 3 April");
    let formats: Vec<&str> = dob.date_formats.iter().map(|format| format.format).collect();
    assert!(formats.contains(&"date cell") && formats.contains(&"%m/%d/%Y") && formats.contains(&"%d/%m/%Y"));
}

#[test]
fn rare_values_are_never_shown_and_patient_data_is_masked() {
    let mut values = repeat("Kowalski", 5);
    values.extend(repeat("Zebrowski", 4));
    let cells = texts(&values);
    let masked = column("Last Name", &cells, &ProfileOptions::default());
    assert_eq!(masked.masking, Masking::Masked);
    assert_eq!(masked.common_values, [ValueCount { value: "K*******".into(), count: 5 }]);
    let shown = column("Last Name", &cells, &ProfileOptions { show_phi: true, ..ProfileOptions::default() });
    assert_eq!(shown.masking, Masking::ShownOnRequest);
    assert_eq!(shown.common_values, [ValueCount { value: "Kowalski".into(), count: 5 }], "4 Zebrowskis stay hidden");
    let never = ProfileOptions { show_phi: true, never_show: vec!["last name".into()] };
    let hidden = column("Last Name", &cells, &never);
    assert_eq!(hidden.masking, Masking::NeverShown);
    assert!(hidden.common_values.is_empty());
    // A code column is not patient data.
    let sex = column("Gender", &texts(&repeat("F", 6)), &ProfileOptions::default());
    assert_eq!((sex.masking, sex.common_values[0].value.as_str()), (Masking::Shown, "F"));
}

#[test]
fn birth_dates_are_masked_to_their_year() {
    let cells: Vec<Cell> = (0..5).map(|_| Cell::Text("07/14/1961".into())).collect();
    let dob = column("DOB", &cells, &ProfileOptions::default());
    assert_eq!(dob.common_values, [ValueCount { value: "1961".into(), count: 5 }]);
}

#[test]
fn headers_exports_use_name_their_fields() {
    let options = ProfileOptions::default();
    let names = texts(&repeat("Smith", 3));
    for header in ["Pt Last Name", "LNAME", "Surname", "PATIENT_LAST_NAME", "last_name"] {
        let guess = column(header, &names, &options).suggestion.expect(header);
        assert_eq!(guess.target.name(), "family_name", "{header}");
    }
    for (header, field) in [("First", "given_name"), ("Chart #", "identifier"), ("MRN", "identifier"), ("St", "state")]
    {
        let guess = column(header, &texts(&["NY", "OH"]), &options).suggestion.expect(header);
        assert_eq!(guess.target.name(), field, "{header}");
    }
    assert!(column("Balance Due", &texts(&["12.50"]), &options).suggestion.is_none());
}

#[test]
fn values_decide_between_a_fitting_and_an_unfitting_column() {
    let options = ProfileOptions::default();
    let sex = column("Sex", &texts(&["M", "F", "F", "M", "U"]), &options).suggestion.unwrap();
    let not_sex =
        column("Sex", &texts(&["Smith", "Jones", "Brown", "Lee", "Wong", "Adams", "Ng", "Park", "Cho"]), &options)
            .suggestion
            .unwrap();
    assert!(sex.confidence > not_sex.confidence, "{sex:?} {not_sex:?}");
    let by_shape = column("Col7", &texts(&["123-45-6789", "987-65-4321"]), &options).suggestion.unwrap();
    assert_eq!(by_shape.target.name(), "national_id");
    assert!(by_shape.confidence < 0.9);
}

#[test]
fn a_footer_is_one_value_starting_with_a_footer_word_and_the_mark_after_it() {
    let row = |cells: &[&str]| texts(cells);
    assert_eq!(footer_of(&row(&["Total patients: 152", "", ""]), 3), Some((0, "Total ".into())));
    assert_eq!(footer_of(&row(&["", "Page: 3", ""]), 3), Some((1, "Page:".into())));
    assert_eq!(footer_of(&row(&["Page", "", ""]), 3), None, "a surname Page alone is no footer");
    assert_eq!(footer_of(&row(&["Pagett", "", ""]), 3), None);
    assert_eq!(footer_of(&row(&["Total 3", "x", ""]), 3), None, "two values: a row of data");
    // A footer beyond the header's columns (a row with a field too many)
    // is not one: its column has no name.
    assert_eq!(footer_of(&row(&["", "", "Total 3"]), 2), None);
}

#[test]
fn a_column_nobody_recognises_is_masked_unless_it_holds_a_handful_of_codes() {
    let options = ProfileOptions::default();
    let mut guarantors: Vec<String> = (0..30).map(|i| format!("Person {i}")).collect();
    guarantors.extend(std::iter::repeat_n("Kowalski Anna".to_string(), 6));
    let cells: Vec<Cell> = guarantors.iter().map(|name| Cell::Text(name.clone())).collect();
    let guarantor = column("Guarantor", &cells, &options);
    assert_eq!(guarantor.masking, Masking::Masked);
    assert!(!guarantor.common_values.iter().any(|value| value.value.contains("Kowalski")));
    let plans = column("Plan", &texts(&repeat("PPO", 6)), &options);
    assert_eq!((plans.masking, plans.common_values[0].value.as_str()), (Masking::Shown, "PPO"));
}

#[test]
fn title_marital_status_and_death_date_headers_name_their_fields() {
    let options = ProfileOptions::default();
    let cases: [(&str, &[&str], &str); 8] = [
        ("Marital Status", &["M", "S", "W", "D", "M"], "marital_status"),
        ("MS", &["M", "S", "A", "U"], "marital_status"),
        ("Date of Death", &["2019-06-20", "", "2020-01-02"], "death_date"),
        ("DOD", &["06/20/2019", "", "01/02/2020"], "death_date"),
        ("Deceased Date", &["06/20/2019"], "death_date"),
        ("Title", &["Mr", "Mrs", "Dr", "Ms"], "title"),
        ("Prefix", &["Mr.", "Mrs."], "title"),
        ("DOB", &["06/20/1949", "01/02/1950"], "birth_date"),
    ];
    for (header, values, field) in cases {
        let guess = column(header, &texts(values), &options).suggestion.expect(header);
        assert_eq!(guess.target.name(), field, "{header}");
    }
    let status = column("Marital Status", &texts(&repeat("M", 6)), &options);
    assert_eq!(status.masking, Masking::Shown, "a code, not patient data");
    let died = column("Date of Death", &texts(&repeat("06/20/2019", 6)), &options);
    assert_eq!(died.common_values[0].value, "2019", "masked to the year, like a birth date");
}

#[test]
fn a_whole_name_column_is_split_only_when_its_values_leave_no_doubt() {
    use crate::mapping::NameForm;
    use suggest::Target;
    let options = ProfileOptions::default();
    let last_first = texts(&["GARCIA, MARIA J", "O'BRIEN-SMITH, SEAN", "KIM, SOO-JIN", "Okafor, Chidi E", "LEE, ANN"]);
    let guess = column("Patient Name", &last_first, &options).suggestion.unwrap();
    assert_eq!(guess.target, Target::WholeName(NameForm::LastFirst));
    let first_last = texts(&["Maria J Garcia", "Dr. Chidi Okafor", "Vincent van Gogh", "Ann Lee", "Sean Smith Jr"]);
    let guess = column("Name", &first_last, &options).suggestion.unwrap();
    assert_eq!(guess.target, Target::WholeName(NameForm::FirstLast));
    let mixed = texts(&["GARCIA, MARIA", "Ann Lee", "KIM, SOO-JIN", "Chidi Okafor", "Sean Smith"]);
    let none = column("Patient Name", &mixed, &options);
    assert!(none.suggestion.is_none(), "never one part of a whole name: {:?}", none.suggestion);
    let masked = column("Patient Name", &texts(&repeat("GARCIA, MARIA J", 6)), &options);
    assert_eq!(masked.common_values[0].value, "G*****, M**** J", "masked as names");
}
