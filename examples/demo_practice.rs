//! Writes `fixtures/demo/`: the synthetic "Riverside Family Practice" that
//! the README, the tutorial and the tests use. Every person is invented.
//!
//! ```sh
//! cargo run --example demo_practice            # rewrites fixtures/demo
//! cargo run --example demo_practice -- OUT_DIR # writes elsewhere
//! ```
//!
//! The output is deterministic. Besides the three legacy files and their
//! scans it writes `truth.csv`: for every source row the person it belongs
//! to and what should become of it (never read by `emr-migrate run`).
//! The planted cases are described in fixtures/README.md.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use emr_migrate::synth::{ascii, windows_1252};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// SplitMix64: small, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FEMALE: &[&str] = &[
    "Olivia",
    "Sophia",
    "Isabella",
    "Charlotte",
    "Amelia",
    "Harper",
    "Evelyn",
    "Abigail",
    "Madison",
    "Avery",
    "Scarlett",
    "Grace",
    "Chloe",
    "Victoria",
    "Aaliyah",
    "Zoë",
    "Chidinma",
    "Priya",
    "Mei",
    "Fatima",
    "Ngozi",
    "Ingrid",
    "Siobhán",
    "Mariana",
    "Renée",
    "Amélie",
    "Beatriz",
    "Aisha",
    "Yuki",
    "Hannah",
    "Dorothy",
    "Linda",
    "Barbara",
    "Sarah",
    "Nancy",
    "Lisa",
    "Sandra",
    "Ashley",
    "Donna",
    "Michelle",
    "Agnieszka",
    "Marta",
    "Leilani",
];
const MALE: &[&str] = &[
    "Liam",
    "Noah",
    "Oliver",
    "Elijah",
    "Benjamin",
    "Lucas",
    "Henry",
    "Theodore",
    "Jack",
    "Levi",
    "Alexander",
    "Jackson",
    "Mateo",
    "Mason",
    "Sebastian",
    "Ethan",
    "John",
    "David",
    "Mark",
    "Steven",
    "Paul",
    "Andrew",
    "Joshua",
    "Kevin",
    "Brian",
    "George",
    "Timothy",
    "Edward",
    "Jason",
    "José",
    "Andrés",
    "Raúl",
    "Søren",
    "Björn",
    "Chukwuemeka",
    "Oluwaseun",
    "Rahul",
    "Arjun",
    "Wei",
    "Hiroshi",
    "Omar",
    "Dmitri",
    "Ciarán",
    "Łukasz",
    "François",
    "Kofi",
    "Tariq",
];
/// Formal names with a nickname the bundled table knows, for planted variants.
const FORMAL: &[(&str, &str, char)] = &[
    ("Robert", "Bob", 'M'),
    ("Elizabeth", "Liz", 'F'),
    ("William", "Bill", 'M'),
    ("Margaret", "Peggy", 'F'),
    ("Katherine", "Kate", 'F'),
    ("Michael", "Mike", 'M'),
    ("Thomas", "Tom", 'M'),
    ("Patricia", "Patty", 'F'),
    ("Christopher", "Chris", 'M'),
    ("Joseph", "Joe", 'M'),
    ("Anthony", "Tony", 'M'),
    ("Susan", "Sue", 'F'),
    ("Daniel", "Dan", 'M'),
    ("James", "Jim", 'M'),
    ("Jennifer", "Jen", 'F'),
    ("Richard", "Rick", 'M'),
];
const FAMILY: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Pérez",
    "Thompson",
    "White",
    "Harris",
    "Sánchez",
    "Clark",
    "Ramírez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "O'Brien",
    "O'Connor",
    "McDonald",
    "MacLeod",
    "Fernández",
    "Müller",
    "Schröder",
    "Kowalski",
    "Wiśniewski",
    "Okafor",
    "Adeyemi",
    "Nwosu",
    "Patel",
    "Sharma",
    "Singh",
    "Chen",
    "Wang",
    "Zhang",
    "Kim",
    "Park",
    "Nakamura",
    "Tanaka",
    "Yamamoto",
    "Ivanov",
    "Petrov",
    "Novák",
    "Dvořák",
    "Johansson",
    "Núñez",
    "Peña",
    "Côté",
    "Lefèvre",
    "Dubois",
    "Rossi",
    "Esposito",
    "Haddad",
    "Khalil",
    "Abbasi",
    "Cohen",
    "Friedman",
    "Murphy",
    "Kelly",
    "Sullivan",
    "Van der Berg",
    "De la Cruz",
    "Smith-Jones",
    "Ó Briain",
    "Mensah",
    "Osei",
    "Papadopoulos",
    "Kaur",
    "Gupta",
];
const STREETS: &[&str] = &[
    "Elm St",
    "Oak Ave",
    "Maple Dr",
    "High St",
    "Broad St",
    "Cleveland Ave",
    "Summit St",
    "Indianola Ave",
    "Karl Rd",
    "Morse Rd",
    "Hudson St",
    "Neil Ave",
    "Lane Ave",
    "King Ave",
    "Fifth Ave",
    "Livingston Ave",
    "Parsons Ave",
    "Sawmill Rd",
    "Riverside Dr",
    "Olentangy River Rd",
    "Bethel Rd",
    "Henderson Rd",
];
const CITIES: &[(&str, &str)] = &[
    ("Columbus", "43201"),
    ("Columbus", "43214"),
    ("Columbus", "43220"),
    ("Worthington", "43085"),
    ("Dublin", "43017"),
    ("Westerville", "43081"),
    ("Hilliard", "43026"),
    ("Grove City", "43123"),
    ("Upper Arlington", "43221"),
    ("Bexley", "43209"),
    ("Gahanna", "43230"),
    ("Reynoldsburg", "43068"),
];
/// Scanned document types: the vendor's code and what it stands for.
const DOC_TYPES: &[&str] = &["LAB", "CONS", "RAD", "HP", "CORR", "IMM"];

#[derive(Clone)]
struct Person {
    id: String,
    given: String,
    middle: String,
    family: String,
    sex: char,
    birth: (i32, u32, u32),
    street: String,
    city: &'static str,
    zip: &'static str,
    phone: String,
}

impl Person {
    fn dob_us(&self) -> String {
        let (y, m, d) = self.birth;
        format!("{m:02}/{d:02}/{y}")
    }
}

/// Swaps two neighbouring inner letters: Thompson → Thomspon.
fn transpose(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() < 4 {
        chars.push('e');
        return chars.into_iter().collect();
    }
    let at = 1 + rng.below(chars.len() - 3);
    chars.swap(at, at + 1);
    chars.into_iter().collect()
}

struct Demo {
    rng: Rng,
    people: BTreeMap<String, Person>,
    phones: usize,
    truth: Vec<[String; 7]>,
}

impl Demo {
    fn phone(&mut self) -> String {
        let area = ["614", "380", "740"][self.phones / 100];
        let number = format!("({area}) 555-{:04}", 100 + self.phones % 100);
        self.phones += 1;
        number
    }

    fn address(&mut self) -> (String, &'static str, &'static str) {
        let number = 10 + self.rng.below(4900);
        let street = format!("{number} {}", self.rng.pick(STREETS));
        let (city, zip) = *self.rng.pick(CITIES);
        (street, city, zip)
    }

    fn person(&mut self, id: String) -> Person {
        let sex = if self.rng.chance(52) { 'F' } else { 'M' };
        let given = if sex == 'F' { *self.rng.pick(FEMALE) } else { *self.rng.pick(MALE) };
        let family = *self.rng.pick(FAMILY);
        let middle =
            if self.rng.chance(60) { ((b'A' + self.rng.below(26) as u8) as char).to_string() } else { String::new() };
        let year = 1930 + self.rng.below(90) as i32;
        let month = 1 + self.rng.below(12) as u32;
        let day = 1 + self.rng.below(28) as u32;
        let (street, city, zip) = self.address();
        let phone = self.phone();
        Person {
            id,
            given: given.into(),
            middle,
            family: family.into(),
            sex,
            birth: (year, month, day),
            street,
            city,
            zip,
            phone,
        }
    }

    fn add(&mut self, person: Person) {
        self.people.insert(person.id.clone(), person);
    }

    fn get(&self, id: &str) -> Person {
        self.people[id].clone()
    }

    /// `at` is (source, file, sheet, row).
    fn truth(&mut self, at: (&str, &str, &str, usize), person: &str, expected: &str, note: &str) {
        let (source, file, sheet, row) = at;
        self.truth.push([
            source.into(),
            file.into(),
            sheet.into(),
            row.to_string(),
            person.into(),
            expected.into(),
            note.into(),
        ]);
    }
}

fn population(demo: &mut Demo) {
    for number in 1..=171 {
        let person = demo.person(format!("P{number:03}"));
        demo.add(person);
    }
    // Planted: formal given names for nickname variants (every tenth of the
    // persons shared by the PM system and the old EMR, and P012).
    for (index, number) in [12, 36, 61, 101, 111, 121, 131].iter().enumerate() {
        let id = format!("P{number:03}");
        let (formal, _, sex) = FORMAL[index % FORMAL.len()];
        let person = demo.people.get_mut(&id).unwrap();
        person.given = formal.into();
        person.sex = sex;
    }
    // Day and month both ≤ 12, so a swap yields a real, different date.
    for number in [23, 67, 77, 87, 97, 107, 117, 127, 137] {
        let person = demo.people.get_mut(&format!("P{number:03}")).unwrap();
        person.birth.1 = 3 + (number % 7) as u32;
        person.birth.2 = 1 + (number % 2) as u32 * 10;
    }
    demo.people.get_mut("P058").unwrap().family = "García-López".into();
    demo.people.get_mut("P044").unwrap().given = "Katherine".into();
    demo.people.get_mut("P044").unwrap().sex = 'F';
    demo.people.get_mut("P005").unwrap().family = "Thompson".into();

    // Twins: same surname, birth date, address and phone; Emma and Ella.
    let emma = demo.get("P070");
    let ella = demo.people.get_mut("P071").unwrap();
    ella.family = "Lindqvist".into();
    ella.birth = (2011, 6, 14);
    ella.street = emma.street.clone();
    ella.city = emma.city;
    ella.zip = emma.zip;
    ella.phone = emma.phone.clone();
    ella.given = "Ella".into();
    ella.sex = 'F';
    let emma = demo.people.get_mut("P070").unwrap();
    emma.family = "Lindqvist".into();
    emma.birth = (2011, 6, 14);
    emma.given = "Emma".into();
    emma.sex = 'F';

    // Jr and Sr: Michael Brennan and his son, same address and phone.
    let senior = demo.people.get_mut("P080").unwrap();
    senior.given = "Michael".into();
    senior.family = "Brennan".into();
    senior.sex = 'M';
    senior.birth = (1956, 2, 17);
    let senior = senior.clone();
    let junior = demo.people.get_mut("P081").unwrap();
    junior.given = "Michael".into();
    junior.family = "Brennan".into();
    junior.sex = 'M';
    junior.birth = (1984, 9, 30);
    junior.street = senior.street.clone();
    junior.city = senior.city;
    junior.zip = senior.zip;
    junior.phone = senior.phone.clone();

    // A household: spouses and their son share surname, address and phone.
    let head = demo.get("P090");
    for (id, given, sex, birth) in [
        ("P090", "Daniela", 'F', (1979, 4, 22)),
        ("P091", "Marcus", 'M', (1977, 11, 3)),
        ("P092", "Tobias", 'M', (2008, 7, 9)),
    ] {
        let member = demo.people.get_mut(id).unwrap();
        member.given = given.into();
        member.sex = sex;
        member.birth = birth;
        member.family = "Okonkwo".into();
        member.street = head.street.clone();
        member.city = head.city;
        member.zip = head.zip;
        member.phone = head.phone.clone();
    }

    // A woman who married: registered twice in the old EMR, the second time
    // under her new surname, at a new address and phone, and her given name
    // spelt another way: only the birth date agrees exactly.
    let bride = demo.people.get_mut("P150").unwrap();
    bride.given = "Anna".into();
    bride.family = "Kowalski".into();
    bride.sex = 'F';
    bride.birth = (1990, 8, 25);
}

fn main() {
    let out = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("fixtures/demo"));
    fs::create_dir_all(out.join("mappings")).unwrap();
    let scans = out.join("scans");
    if scans.exists() {
        fs::remove_dir_all(&scans).unwrap();
    }
    let mut demo = Demo { rng: Rng(0x5EED_2026), people: BTreeMap::new(), phones: 0, truth: Vec::new() };
    population(&mut demo);
    write_pm(&mut demo, &out);
    write_old_emr(&mut demo, &out);
    write_scan_index(&mut demo, &out);
    write_truth(&demo, &out);
    println!("wrote {} ({} source rows)", out.display(), demo.truth.len());
}

/// demographics.xlsx: the practice-management export.
fn write_pm(demo: &mut Demo, out: &Path) {
    let file = "demographics.xlsx";
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2026, 11, 2).unwrap();
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created).set_author("Riverside PM export"));
    let sheet = workbook.add_worksheet();
    sheet.set_name("Patients").unwrap();
    let date = Format::new().set_num_format("mm/dd/yyyy");
    let bold = Format::new().set_bold();
    sheet
        .write_string_with_format(0, 0, "Riverside Family Practice - Patient Demographics (printed 11/02/2026)", &bold)
        .unwrap();
    let headers = ["Pt Last Name", "First", "MI", "DOB", "Sex", "Chart #", "Addr1", "City", "St", "Zip", "Home Phone"];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, column as u16, *header, &bold).unwrap();
    }
    let mut row = 2u32;
    let mut chart = 10001u32;
    let write_person = |demo: &mut Demo,
                        sheet: &mut rust_xlsxwriter::Worksheet,
                        row: &mut u32,
                        person: &Person,
                        chart: u32,
                        dob: Dob,
                        sex: &str,
                        note: &str,
                        expected: &str| {
        let r = *row;
        sheet.write_string(r, 0, ascii(&person.family).replace('\'', "")).unwrap();
        sheet.write_string(r, 1, ascii(&person.given)).unwrap();
        sheet.write_string(r, 2, &person.middle).unwrap();
        match dob {
            Dob::Cell => {
                let (y, m, d) = person.birth;
                let value = ExcelDateTime::from_ymd(y as u16, m as u8, d as u8).unwrap();
                sheet.write_datetime_with_format(r, 3, &value, &date).unwrap();
            }
            Dob::Text(text) => {
                sheet.write_string(r, 3, &text).unwrap();
            }
        }
        sheet.write_string(r, 4, sex).unwrap();
        sheet.write_number(r, 5, chart as f64).unwrap();
        sheet.write_string(r, 6, &person.street).unwrap();
        sheet.write_string(r, 7, person.city).unwrap();
        sheet.write_string(r, 8, "OH").unwrap();
        if demo.rng.chance(25) {
            sheet.write_number(r, 9, person.zip.parse::<f64>().unwrap()).unwrap();
        } else {
            sheet.write_string(r, 9, person.zip).unwrap();
        }
        sheet.write_string(r, 10, &person.phone).unwrap();
        demo.truth(("pm", file, "Patients", r as usize + 1), &person.id, expected, note);
        *row += 1;
    };
    for number in 1..=140 {
        let person = demo.get(&format!("P{number:03}"));
        let dob = if demo.rng.chance(30) { Dob::Text(person.dob_us()) } else { Dob::Cell };
        let sex = person.sex.to_string();
        write_person(demo, sheet, &mut row, &person, chart, dob, &sex, "", "");
        chart += 1;
        if number == 50 {
            demo.truth(("pm", file, "Patients", row as usize + 1), "", "skipped", "blank row");
            row += 1;
        }
    }
    // Planted invalid rows: each a person of their own.
    let invalid: [(&str, &str, &str); 4] = [
        ("P901", "E-REQUIRED-MISSING", "no surname"),
        ("P902", "E-BIRTH-DATE-FUTURE", "birth date in 2031"),
        ("P903", "E-DATE-INVALID", "birth date 02/30/1975"),
        ("P904", "E-CODE-UNKNOWN", "sex coded X"),
    ];
    for (id, expected, note) in invalid {
        let mut person = demo.person(id.into());
        let mut dob = Dob::Cell;
        let mut sex = person.sex.to_string();
        match id {
            "P901" => person.family = String::new(),
            "P902" => dob = Dob::Text("07/04/2031".into()),
            "P903" => dob = Dob::Text("02/30/1975".into()),
            _ => sex = "X".into(),
        }
        write_person(demo, sheet, &mut row, &person, chart, dob, &sex, note, expected);
        chart += 1;
    }
    // Second registrations of seven patients, under new chart numbers.
    chart = 10501;
    let duplicates: [(&str, &str); 7] = [
        ("P005", "duplicate registration: surname typo"),
        ("P012", "duplicate registration: nickname"),
        ("P023", "duplicate registration: day and month swapped, moved"),
        ("P031", "duplicate registration: birth date typed as text"),
        ("P044", "duplicate registration: given-name typo"),
        ("P058", "duplicate registration: half of a hyphenated surname"),
        ("P036", "duplicate registration: nickname, moved, birth year mistyped"),
    ];
    for (id, note) in duplicates {
        let mut person = demo.get(id);
        let mut dob = Dob::Cell;
        match id {
            "P005" => person.family = "Thomspon".into(),
            "P012" => person.given = "Bob".into(),
            "P023" => {
                let (y, m, d) = person.birth;
                person.birth = (y, d, m);
                let (street, city, zip) = demo.address();
                person.street = street;
                person.city = city;
                person.zip = zip;
                person.phone = demo.phone();
            }
            "P031" => dob = Dob::Text(person.dob_us()),
            "P044" => person.given = "Kathrine".into(),
            "P058" => person.family = "Garcia".into(),
            _ => {
                let formal = person.given.clone();
                person.given = FORMAL.iter().find(|(f, ..)| *f == formal).map(|(_, nick, _)| nick.to_string()).unwrap();
                let (y, m, d) = person.birth;
                person.birth = (y - y % 10 + (y % 10 + 5) % 10, m, d);
                let (street, city, zip) = demo.address();
                person.street = street;
                person.city = city;
                person.zip = zip;
                person.phone = demo.phone();
            }
        }
        let sex = person.sex.to_string();
        write_person(demo, sheet, &mut row, &person, chart, dob, &sex, note, "");
        chart += 1;
    }
    let total = row - 2 - 1;
    sheet.write_string(row, 0, format!("Total patients: {total}")).unwrap();
    demo.truth(("pm", file, "Patients", row as usize + 1), "", "skipped", "footer row");
    sheet.set_column_width(0, 16).unwrap();
    sheet.set_column_width(6, 22).unwrap();
    sheet.set_column_width(10, 16).unwrap();
    workbook.save(out.join(file)).unwrap();
}

enum Dob {
    Cell,
    Text(String),
}

/// old_emr_patients.csv: the previous EMR, Windows-1252, semicolons.
fn write_old_emr(demo: &mut Demo, out: &Path) {
    let file = "old_emr_patients.csv";
    let mut text = String::from("PatientID;Surname;GivenNames;BirthDate;Gender;Street;Town;State;PostCode;Phone\r\n");
    let mut line = 2usize;
    let mut emr_id = 20001;
    let push = |demo: &mut Demo,
                text: &mut String,
                line: &mut usize,
                person: &Person,
                id: u32,
                note: &str,
                expected: &str,
                fields: Option<Vec<String>>| {
        let (y, m, d) = person.birth;
        let gender = match person.sex {
            'F' => "2",
            'M' => "1",
            _ => "9",
        };
        let fields = fields.unwrap_or_else(|| {
            vec![
                format!("E{id}"),
                person.family.clone(),
                person.given.clone(),
                format!("{d:02}.{m:02}.{y}"),
                gender.into(),
                quote(&person.street),
                person.city.into(),
                "OH".into(),
                person.zip.into(),
                person.phone.replace(['(', ')'], "").replace(' ', "-"),
            ]
        });
        let record = fields.join(";");
        demo.truth(("old_emr", file, "", *line), &person.id, expected, note);
        *line += 1 + record.matches('\n').count();
        text.push_str(&record);
        text.push_str("\r\n");
    };
    for number in 61..=170 {
        let mut person = demo.get(&format!("P{number:03}"));
        let mut note = "";
        let variant = number % 10;
        if number <= 140 {
            match variant {
                1 => {
                    if let Some((_, nick, _)) = FORMAL.iter().find(|(formal, ..)| *formal == person.given) {
                        person.given = nick.to_string();
                        note = "nickname in the old EMR";
                    }
                }
                3 => {
                    person.family = transpose(&person.family, &mut demo.rng);
                    note = "surname typo in the old EMR";
                }
                5 => {
                    let (street, city, zip) = demo.address();
                    person.street = street;
                    person.city = city;
                    person.zip = zip;
                    person.phone = demo.phone();
                    note = "moved house";
                }
                7 => {
                    let (y, m, d) = person.birth;
                    person.birth = (y, d, m);
                    note = "day and month swapped in the old EMR";
                }
                _ => {}
            }
        }
        if number == 88 {
            person.street = format!("{}\nApt 4", person.street);
            note = "address with a line break inside quotes";
        }
        push(demo, &mut text, &mut line, &person, emr_id, note, "", None);
        emr_id += 1;
        match number {
            100 => {
                let mut again = demo.get("P100");
                again.given = transpose(&again.given, &mut demo.rng);
                push(demo, &mut text, &mut line, &again, 29001, "registered twice: given-name typo", "", None);
            }
            150 => {
                let mut married = demo.get("P150");
                married.family = "Nowak".into();
                married.given = "Ana".into();
                let (street, city, zip) = demo.address();
                married.street = street;
                married.city = city;
                married.zip = zip;
                married.phone = demo.phone();
                push(
                    demo,
                    &mut text,
                    &mut line,
                    &married,
                    29002,
                    "registered again after marrying, as Ana: new surname, address and phone (for review)",
                    "",
                    None,
                );
            }
            160 => {
                let again = demo.get("P160");
                push(demo, &mut text, &mut line, &again, 29003, "registered twice, identical", "", None);
            }
            _ => {}
        }
    }
    let ragged = demo.person("P951".into());
    let mut short =
        vec![format!("E{emr_id}"), ragged.family.clone(), ragged.given.clone(), "12.03.1971".into(), "1".into()];
    short.push(quote(&ragged.street));
    push(demo, &mut text, &mut line, &ragged, 0, "row cut short: 6 of 10 fields", "E-ROW-FIELD-COUNT", Some(short));
    let mut no_surname = demo.person("P952".into());
    no_surname.family = String::new();
    push(demo, &mut text, &mut line, &no_surname, emr_id + 1, "no surname", "E-REQUIRED-MISSING", None);
    let mut impossible = demo.person("P953".into());
    impossible.birth = (1988, 2, 31);
    push(demo, &mut text, &mut line, &impossible, emr_id + 2, "birth date 31.02.1988", "E-DATE-INVALID", None);
    // What Windows-1252 cannot hold, the old EMR stored without its accent.
    let text = windows_1252(&text);
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable, "every name must exist in Windows-1252");
    fs::write(out.join(file), bytes).unwrap();
}

fn quote(field: &str) -> String {
    if field.contains([';', '"', '\n']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field.to_string() }
}

/// scan_index.txt and scans/: the scanning vendor's index of the paper charts.
fn write_scan_index(demo: &mut Demo, out: &Path) {
    let file = "scan_index.txt";
    let mut text = String::from("BATCH|CHART_NO|LAST|FIRST|DOB|DOC_TYPE|DOC_DATE|PAGES|FILE\r\n");
    let mut line = 2usize;
    let mut sequence = 1usize;
    let mut documents: Vec<(String, bool, Option<String>)> = Vec::new();
    for number in 41..=100 {
        let count = 1 + demo.rng.below(3);
        for _ in 0..count {
            documents.push((format!("P{number:03}"), demo.rng.chance(85), None));
        }
    }
    // A twin's chart without its number: the name must find the right twin.
    documents.push(("P071".into(), false, Some("twin, no chart number".into())));
    // A chart for a patient in no export: loaded unlinked.
    documents.push(("P171".into(), false, Some("patient in no export: unlinked".into())));
    for (index, (id, with_chart, note)) in documents.into_iter().enumerate() {
        let person = demo.get(&id);
        let chart = if with_chart { (10000 + id[1..].parse::<u32>().unwrap()).to_string() } else { String::new() };
        let batch = format!("B{:03}", 1 + index / 50);
        let pages = 1 + demo.rng.below(4);
        let doc_type = *demo.rng.pick(DOC_TYPES);
        let year = (person.birth.0 + 18 + demo.rng.below(20) as i32).min(2024);
        let doc_date = format!("{:02}/{:02}/{year}", 1 + demo.rng.below(12), 1 + demo.rng.below(28));
        let path = format!("{batch}\\{sequence:04}.pdf");
        sequence += 1;
        let mut last = ascii(&person.family).to_uppercase().replace('\'', "");
        let mut note = note.unwrap_or_default();
        let mut expected = "";
        let mut file_pages = pages;
        if index == 17 {
            last = transpose(&last, &mut demo.rng);
            note = "surname keyed with a typo".into();
        }
        if index == 30 {
            file_pages = pages + 1;
            note = "index page count differs from the file".into();
        }
        let missing = index == 42;
        if missing {
            note = "file missing from the scans".into();
            expected = "E-SCAN-FILE-MISSING";
        } else {
            let target = out.join("scans").join(&batch).join(format!("{:04}.pdf", sequence - 1));
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, emr_migrate::synth::tiny_pdf(file_pages)).unwrap();
        }
        let fields = [
            batch.clone(),
            chart,
            last,
            ascii(&person.given).to_uppercase(),
            person.dob_us(),
            doc_type.into(),
            doc_date,
            pages.to_string(),
            path,
        ];
        text.push_str(&fields.join("|"));
        text.push_str("\r\n");
        demo.truth(("scans", file, "", line), &id, expected, &note);
        line += 1;
    }
    fs::write(out.join(file), text).unwrap();
}

/// Who shares a household with whom, and the look-alikes, for `evaluate`.
fn household_and_kin(person: &str) -> (String, &'static str) {
    match person {
        "" => (String::new(), ""),
        "P070" | "P071" => ("H070".to_string(), "twins-1"),
        "P080" | "P081" => ("H080".to_string(), "jrsr-1"),
        "P090" | "P091" | "P092" => ("H090".to_string(), ""),
        other => (format!("H{}", &other[1..]), ""),
    }
}

fn write_truth(demo: &Demo, out: &Path) {
    let mut text = String::from("source,file,sheet,row,person_id,household_id,kin,expected,note\n");
    for row in &demo.truth {
        let (household, kin) = household_and_kin(&row[4]);
        let mut row: Vec<String> = row.to_vec();
        row.splice(5..5, [household, kin.to_string()]);
        let cells: Vec<String> =
            row.iter()
                .map(|cell| {
                    if cell.contains([',', '"']) { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell.clone() }
                })
                .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    fs::write(out.join("truth.csv"), text).unwrap();
}
