//! Splitting a whole name (`GARCIA, Maria J`, `Dr. John A. Smith III`) into
//! title, given, middle, family and suffix, for a mapping's `split_name`.
//!
//! The rules are few and fixed, so a person can predict every split
//! (docs/mapping.md lists them). Where a name's structure cannot be read in
//! the mapping's form, or could be read two ways, the split is refused and
//! the row gets an issue: a name filed under the wrong part is worse than a
//! rejected row, because nobody looks at it again.

use crate::record::Field;

/// How the whole name is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameForm {
    /// `FAMILY, GIVEN MIDDLE`: the family name is everything before the
    /// first comma.
    LastFirst,
    /// `GIVEN MIDDLE FAMILY`: the family name is the last word, with the
    /// particles (`de la`, `van`, `von`) before it.
    FirstLast,
    /// A family-name column with a suffix in it (`SMITH JR`, `Jones, III`):
    /// the words before the suffixes are the family name.
    Family,
    /// A given-name column with a title or middle names in it (`DR JOHN A`):
    /// the first word after the titles is the given name, the rest middle.
    Given,
}

impl NameForm {
    pub const ALL: &'static [(&'static str, NameForm)] = &[
        ("last_first", NameForm::LastFirst),
        ("first_last", NameForm::FirstLast),
        ("family", NameForm::Family),
        ("given", NameForm::Given),
    ];

    pub fn from_name(name: &str) -> Option<NameForm> {
        NameForm::ALL.iter().find(|(known, _)| *known == name).map(|(_, form)| *form)
    }

    /// Whether a name in this form can hold `part`: a family-name column
    /// holds no given name, a given-name column no family name.
    pub fn holds(self, part: NamePart) -> bool {
        match self {
            NameForm::LastFirst | NameForm::FirstLast => true,
            NameForm::Family => !matches!(part, NamePart::Given | NamePart::Middle),
            NameForm::Given => part != NamePart::Family,
        }
    }

    pub fn name(self) -> &'static str {
        NameForm::ALL.iter().find(|(_, form)| *form == self).map(|(name, _)| *name).expect("every form is named")
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        NameForm::ALL.iter().map(|(name, _)| *name)
    }
}

/// The part of a name a field takes: each name field has exactly one, so a
/// mapping never has to say it twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePart {
    Title,
    Given,
    Middle,
    Family,
    Suffix,
}

impl NamePart {
    pub const FIELDS: &'static [(Field, NamePart)] = &[
        (Field::Title, NamePart::Title),
        (Field::GivenName, NamePart::Given),
        (Field::MiddleName, NamePart::Middle),
        (Field::FamilyName, NamePart::Family),
        (Field::Suffix, NamePart::Suffix),
    ];

    pub fn of(field: Field) -> Option<NamePart> {
        NamePart::FIELDS.iter().find(|(known, _)| *known == field).map(|(_, part)| *part)
    }
}

/// Why a name was not split. The reason never quotes the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// The name's structure does not fit the form; the reason says how.
    Unsplittable(&'static str),
    /// The name splits two ways between middle and family name.
    Ambiguous,
}

/// A name in its parts. Words keep the spelling of the source; titles and
/// generational suffixes take one spelling (`DR.` → `Dr`, `JR.` → `Jr`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitName {
    pub title: Option<String>,
    pub given: Option<String>,
    pub middle: Option<String>,
    pub family: Option<String>,
    pub suffix: Option<String>,
    /// Where middle and family names divide is uncertain (a capitalised
    /// `Van` before the last word); the given name, title and suffix are not.
    family_uncertain: bool,
}

impl SplitName {
    /// The part a field asked for; blank when the name has none.
    pub fn part(&self, part: NamePart) -> Result<Option<&str>, NameProblem> {
        let value = match part {
            NamePart::Title => &self.title,
            NamePart::Given => &self.given,
            NamePart::Middle | NamePart::Family if self.family_uncertain => return Err(NameProblem::Ambiguous),
            NamePart::Middle => &self.middle,
            NamePart::Family => &self.family,
            NamePart::Suffix => &self.suffix,
        };
        Ok(value.as_deref())
    }
}

const TITLES: &[(&str, &str)] = &[
    ("MR", "Mr"),
    ("MRS", "Mrs"),
    ("MS", "Ms"),
    ("MISS", "Miss"),
    ("MX", "Mx"),
    ("DR", "Dr"),
    ("PROF", "Prof"),
    ("REV", "Rev"),
];

/// `V` is left out: in `Smith, John V` it is an initial.
const GENERATIONAL: &[(&str, &str)] = &[("JR", "Jr"), ("SR", "Sr"), ("II", "II"), ("III", "III"), ("IV", "IV")];

/// Professional credentials are dropped: they describe a career, not the
/// person's name, and the EMR's `suffix` holds generational suffixes only
/// (matching keeps Jr and Sr apart by it).
const CREDENTIALS: &[&str] =
    &["MD", "DO", "PHD", "RN", "LPN", "NP", "PA", "DDS", "DMD", "DPM", "DNP", "PHARMD", "DVM", "ESQ"];

/// Credentials that are also family names (Do, Pa): taken as credentials
/// only when written with dots (`D.O.`), so `Minh Do` keeps its family name
/// (and `Minh Do, DO` is refused rather than guessed).
const CREDENTIALS_THAT_ARE_NAMES: &[&str] = &["DO", "PA"];

/// Words that join the family name they precede in a first_last name.
const PARTICLES: &[&str] = &[
    "al", "da", "das", "de", "del", "della", "den", "der", "des", "di", "dos", "du", "el", "la", "las", "le", "los",
    "st", "st.", "saint", "ten", "ter", "van", "von",
];

/// Particles that are as often a middle name: `Văn`, written `Van`, is the
/// most common Vietnamese middle name. Lower case (`van Gogh`) or in a run
/// (`VAN DER BERG`) they are particles; capitalised and alone, ambiguous.
const PARTICLES_THAT_ARE_NAMES: &[&str] = &["van"];

/// Splits `text` as `form` says.
pub fn split(text: &str, form: NameForm) -> Result<SplitName, NameProblem> {
    let comma = text.contains(',');
    let mut segments = text.split(',').map(|segment| segment.split_whitespace().collect::<Vec<_>>());
    let first = segments.next().unwrap_or_default();
    let mut suffixes = Vec::new();
    let mut rest = Vec::new();
    for segment in segments.filter(|segment| !segment.is_empty()) {
        match suffix_segment(&segment) {
            Some(found) => suffixes.extend(found),
            None => rest.push(segment),
        }
    }
    let mut name = match form {
        NameForm::LastFirst => last_first(first, rest, comma)?,
        NameForm::FirstLast if !rest.is_empty() => {
            return Err(NameProblem::Unsplittable("a comma in a first_last name, not before a suffix"));
        }
        NameForm::FirstLast => first_last(first)?,
        NameForm::Family | NameForm::Given if !rest.is_empty() => {
            return Err(NameProblem::Unsplittable("a comma in a single name part, not before a suffix"));
        }
        NameForm::Family | NameForm::Given => one_part(first, form)?,
    };
    let own = name.suffix.take();
    let all: Vec<&str> = own.as_deref().into_iter().chain(suffixes).collect();
    name.suffix = joined(&all);
    Ok(name)
}

fn last_first(family: Vec<&str>, rest: Vec<Vec<&str>>, comma: bool) -> Result<SplitName, NameProblem> {
    if rest.len() > 1 {
        return Err(NameProblem::Unsplittable("more than one comma between name parts"));
    }
    let given = rest.into_iter().next();
    let mut family = Words(family);
    let mut titles = family.take_titles();
    let mut suffixes = family.take_suffixes();
    if family.0.is_empty() || family.is_only_a_suffix() {
        return Err(NameProblem::Unsplittable(if comma {
            "no family name before the comma"
        } else {
            "no name besides a title or suffix"
        }));
    }
    let Some(given) = given else {
        // `GARCIA MARIA, MD` and `DE LA CRUZ,` look alike: a comma missing,
        // or a given name missing. Only one word is surely a family name.
        if family.0.len() > 1 {
            return Err(NameProblem::Unsplittable(if comma {
                "no given name after the comma, and several words before it"
            } else {
                "no comma between family and given name"
            }));
        }
        return Ok(SplitName {
            title: joined(&titles),
            family: joined(&family.0),
            suffix: joined(&suffixes),
            ..SplitName::default()
        });
    };
    let mut given = Words(given);
    titles.extend(given.take_titles());
    suffixes.extend(given.take_suffixes());
    Ok(SplitName {
        title: joined(&titles),
        given: given.0.first().map(|word| word.to_string()),
        middle: given.0.get(1..).and_then(joined),
        family: joined(&family.0),
        suffix: joined(&suffixes),
        family_uncertain: false,
    })
}

fn first_last(words: Vec<&str>) -> Result<SplitName, NameProblem> {
    let mut name = Words(words);
    let title = joined(&name.take_titles());
    let suffix = joined(&name.take_suffixes());
    if name.is_only_a_suffix() {
        return Err(NameProblem::Unsplittable("no name besides a title or suffix"));
    }
    let words = name.0;
    let Some(last) = words.len().checked_sub(1) else {
        return Err(NameProblem::Unsplittable("no name besides a title or suffix"));
    };
    if last == 0 {
        return Ok(SplitName { title, family: joined(&words), suffix, ..SplitName::default() });
    }
    let mut start = last;
    while start > 1 && is_particle(words[start - 1]) {
        start -= 1;
    }
    let lone_particle = start + 1 == last;
    let family_uncertain = lone_particle && is_particle_that_is_a_name(words[start]);
    Ok(SplitName {
        title,
        given: Some(words[0].to_string()),
        middle: joined(&words[1..start]),
        family: joined(&words[start..]),
        suffix,
        family_uncertain,
    })
}

/// One part of a name alone, from a column of its own, perhaps with titles
/// before and suffixes after: a family name (`Family`), or a given name and
/// middle names (`Given`).
fn one_part(words: Vec<&str>, form: NameForm) -> Result<SplitName, NameProblem> {
    let mut name = Words(words);
    let title = joined(&name.take_titles());
    let suffix = joined(&name.take_suffixes());
    if name.0.is_empty() || name.is_only_a_suffix() {
        return Err(NameProblem::Unsplittable("no name besides a title or suffix"));
    }
    let around = SplitName { title, suffix, ..SplitName::default() };
    Ok(match form {
        NameForm::Family => SplitName { family: joined(&name.0), ..around },
        _ => SplitName {
            given: name.0.first().map(|word| word.to_string()),
            middle: name.0.get(1..).and_then(joined),
            ..around
        },
    })
}

/// The words of one comma-separated segment, with titles taken off the
/// front and suffixes off the end. Suffix-taking leaves the last word, so a
/// one-word name is never mistaken for a suffix; a lone title (`SMITH, MRS`)
/// is a title.
struct Words<'a>(Vec<&'a str>);

impl Words<'_> {
    fn take_titles(&mut self) -> Vec<&'static str> {
        let mut titles = Vec::new();
        while self.0.len() > 1 {
            match title(self.0[0]) {
                Some(found) => {
                    titles.push(found);
                    self.0.remove(0);
                }
                None => break,
            }
        }
        if let [only] = self.0.as_slice()
            && let Some(found) = title(only)
        {
            titles.push(found);
            self.0.clear();
        }
        titles
    }

    fn take_suffixes(&mut self) -> Vec<&'static str> {
        let mut suffixes = Vec::new();
        while self.0.len() > 1 {
            let last = self.0[self.0.len() - 1];
            match suffix(last) {
                Some(Suffix::Generational(found)) => suffixes.insert(0, found),
                Some(Suffix::Credential) => {}
                None => break,
            }
            self.0.pop();
        }
        suffixes
    }

    /// One word, and that a suffix (`Jr, John`): no name at all.
    fn is_only_a_suffix(&self) -> bool {
        matches!(self.0.as_slice(), [only] if suffix(only).is_some())
    }
}

enum Suffix {
    Generational(&'static str),
    Credential,
}

/// The generational suffixes of a comma-separated segment that holds
/// nothing else (`Smith, John, Jr., MD`); none when it holds a name.
fn suffix_segment(words: &[&str]) -> Option<Vec<&'static str>> {
    let mut found = Vec::new();
    for word in words {
        match suffix(word)? {
            Suffix::Generational(suffix) => found.push(suffix),
            Suffix::Credential => {}
        }
    }
    Some(found)
}

fn suffix(word: &str) -> Option<Suffix> {
    let key = word.replace('.', "").to_uppercase();
    if let Some((_, spelling)) = GENERATIONAL.iter().find(|(known, _)| *known == key) {
        return Some(Suffix::Generational(spelling));
    }
    let credential = CREDENTIALS.contains(&key.as_str())
        && (word.contains('.') || !CREDENTIALS_THAT_ARE_NAMES.contains(&key.as_str()));
    credential.then_some(Suffix::Credential)
}

fn title(word: &str) -> Option<&'static str> {
    let key = word.strip_suffix('.').unwrap_or(word).to_uppercase();
    TITLES.iter().find(|(known, _)| *known == key).map(|(_, spelling)| *spelling)
}

fn is_particle(word: &str) -> bool {
    PARTICLES.iter().any(|particle| particle.eq_ignore_ascii_case(word))
}

fn is_particle_that_is_a_name(word: &str) -> bool {
    let lower_case = word.chars().all(|character| !character.is_uppercase());
    !lower_case && PARTICLES_THAT_ARE_NAMES.iter().any(|particle| particle.eq_ignore_ascii_case(word))
}

fn joined<S: AsRef<str>>(words: &[S]) -> Option<String> {
    let text = words.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (title, given, middle, family, suffix), blanks as "".
    fn parts(text: &str, form: NameForm) -> [String; 5] {
        let name = split(text, form).unwrap_or_else(|problem| panic!("{text}: {problem:?}"));
        let show = |part: &Option<String>| part.clone().unwrap_or_default();
        [show(&name.title), show(&name.given), show(&name.middle), show(&name.family), show(&name.suffix)]
    }

    #[test]
    fn a_single_name_column_gives_up_its_title_and_suffix() {
        let family = |text| parts(text, NameForm::Family);
        let given = |text| parts(text, NameForm::Given);
        check(family("SMITH JR"), ["", "", "", "SMITH", "Jr"]);
        check(family("Jones, III"), ["", "", "", "Jones", "III"]);
        check(family("de la Cruz"), ["", "", "", "de la Cruz", ""]);
        check(family("O'Brien-Smith MD"), ["", "", "", "O'Brien-Smith", ""]);
        check(given("DR JOHN A"), ["Dr", "JOHN", "A", "", ""]);
        check(given("Mary Ann"), ["", "Mary", "Ann", "", ""]);
        check(given("Robert Sr."), ["", "Robert", "", "", "Sr"]);
        assert_eq!(
            split("SMITH, JOHN", NameForm::Family).map(|_| ()),
            Err(NameProblem::Unsplittable("a comma in a single name part, not before a suffix"))
        );
        assert!(split("", NameForm::Given).is_err());
        assert!(split("JR", NameForm::Family).is_err(), "a suffix alone is no name");
    }

    fn last_first_parts(text: &str) -> [String; 5] {
        parts(text, NameForm::LastFirst)
    }

    fn first_last_parts(text: &str) -> [String; 5] {
        parts(text, NameForm::FirstLast)
    }

    #[track_caller]
    fn check(found: [String; 5], expected: [&str; 5]) {
        assert_eq!(found.each_ref().map(String::as_str), expected);
    }

    #[test]
    fn last_first_takes_everything_before_the_comma_as_family() {
        check(last_first_parts("GARCIA, Maria J"), ["", "Maria", "J", "GARCIA", ""]);
        check(last_first_parts("GARCIA LOPEZ, MARIA"), ["", "MARIA", "", "GARCIA LOPEZ", ""]);
        check(last_first_parts("de la Cruz, Maria"), ["", "Maria", "", "de la Cruz", ""]);
        check(last_first_parts("Van Gogh, Vincent"), ["", "Vincent", "", "Van Gogh", ""]);
    }

    #[test]
    fn last_first_hyphens_apostrophes_and_suffixes() {
        check(last_first_parts("O'Brien-Smith, Mary Ann Jr"), ["", "Mary", "Ann", "O'Brien-Smith", "Jr"]);
        check(last_first_parts("King III, Martin L"), ["", "Martin", "L", "King", "III"]);
        check(last_first_parts("Smith, John, Jr."), ["", "John", "", "Smith", "Jr"]);
        check(last_first_parts("Smith Jr., John IV"), ["", "John", "", "Smith", "Jr IV"]);
    }

    #[test]
    fn last_first_drops_credentials_and_keeps_titles_apart() {
        check(last_first_parts("GARCIA MD, MARIA"), ["", "MARIA", "", "GARCIA", ""]);
        check(last_first_parts("Smith, Dr. John A, PhD"), ["Dr", "John", "A", "Smith", ""]);
        check(last_first_parts("Nguyen, Minh, D.O."), ["", "Minh", "", "Nguyen", ""]);
        check(last_first_parts("Dr Smith, John"), ["Dr", "John", "", "Smith", ""]);
        check(last_first_parts("SMITH, MRS"), ["Mrs", "", "", "SMITH", ""]);
    }

    #[test]
    fn last_first_keeps_a_credential_that_may_be_a_name() {
        check(last_first_parts("Do, Minh"), ["", "Minh", "", "Do", ""]);
        check(last_first_parts("Nguyen Do, Minh"), ["", "Minh", "", "Nguyen Do", ""]);
        check(last_first_parts("Smith, Do"), ["", "Do", "", "Smith", ""]);
        check(last_first_parts("Nguyen, Minh Do"), ["", "Minh", "Do", "Nguyen", ""]);
    }

    #[test]
    fn last_first_multiple_middle_names_and_messy_spacing() {
        check(last_first_parts("Smith, John Paul George"), ["", "John", "Paul George", "Smith", ""]);
        check(last_first_parts("  GARCIA ,   Maria    J  "), ["", "Maria", "J", "GARCIA", ""]);
        check(last_first_parts("GARCIA,, Maria"), ["", "Maria", "", "GARCIA", ""]);
        check(last_first_parts("GARCIA, Maria,"), ["", "Maria", "", "GARCIA", ""]);
    }

    #[test]
    fn last_first_single_word_is_a_family_name() {
        check(last_first_parts("GARCIA"), ["", "", "", "GARCIA", ""]);
        check(last_first_parts("GARCIA,"), ["", "", "", "GARCIA", ""]);
        check(last_first_parts("Madonna MD"), ["", "", "", "Madonna", ""]);
    }

    #[test]
    fn last_first_refuses_what_it_cannot_read() {
        for text in [
            "GARCIA MARIA",
            "Maria J Garcia",
            ", Maria",
            "Smith, John, Mary",
            "Jr, John",
            "Dr.",
            "",
            "GARCIA MARIA, MD",
            "DE LA CRUZ,",
        ] {
            assert!(matches!(split(text, NameForm::LastFirst), Err(NameProblem::Unsplittable(_))), "{text:?}");
        }
    }

    #[test]
    fn first_last_takes_the_last_word_as_family() {
        check(first_last_parts("Maria J Garcia"), ["", "Maria", "J", "Garcia", ""]);
        check(first_last_parts("Dr. John A. Smith III"), ["Dr", "John", "A.", "Smith", "III"]);
        check(first_last_parts("mrs mary ann o'brien-smith"), ["Mrs", "mary", "ann", "o'brien-smith", ""]);
        check(first_last_parts("John Paul George Ringo Starr"), ["", "John", "Paul George Ringo", "Starr", ""]);
        check(first_last_parts("Rev Dr Martin Luther King Jr"), ["Rev Dr", "Martin", "Luther", "King", "Jr"]);
    }

    #[test]
    fn first_last_particles_join_the_family_name() {
        check(first_last_parts("Maria de la Cruz"), ["", "Maria", "", "de la Cruz", ""]);
        check(first_last_parts("Vincent van Gogh"), ["", "Vincent", "", "van Gogh", ""]);
        check(first_last_parts("Ludwig von Trapp"), ["", "Ludwig", "", "von Trapp", ""]);
        check(first_last_parts("MARIA DE LA CRUZ"), ["", "MARIA", "", "DE LA CRUZ", ""]);
        check(first_last_parts("Anna Maria van der Berg"), ["", "Anna", "Maria", "van der Berg", ""]);
        check(first_last_parts("Jose De Jesus Garcia"), ["", "Jose", "De Jesus", "Garcia", ""]);
        check(first_last_parts("Van Morrison"), ["", "Van", "", "Morrison", ""]);
        check(first_last_parts("Mary St. John"), ["", "Mary", "", "St. John", ""]);
    }

    #[test]
    fn first_last_capitalised_van_alone_is_ambiguous_for_family_and_middle_only() {
        let name = split("MINH VAN NGUYEN", NameForm::FirstLast).unwrap();
        assert_eq!(name.part(NamePart::Family), Err(NameProblem::Ambiguous));
        assert_eq!(name.part(NamePart::Middle), Err(NameProblem::Ambiguous));
        assert_eq!(name.part(NamePart::Given), Ok(Some("MINH")));
        assert_eq!(name.part(NamePart::Title), Ok(None));
        let dutch = split("Dick Van Dyke", NameForm::FirstLast).unwrap();
        assert_eq!(dutch.part(NamePart::Family), Err(NameProblem::Ambiguous));
        let lower = split("Vincent van Gogh", NameForm::FirstLast).unwrap();
        assert_eq!(lower.part(NamePart::Family), Ok(Some("van Gogh")));
    }

    #[test]
    fn first_last_credentials_and_comma_suffixes() {
        check(first_last_parts("John Smith, MD"), ["", "John", "", "Smith", ""]);
        check(first_last_parts("John Smith MD"), ["", "John", "", "Smith", ""]);
        check(first_last_parts("John Smith, Jr., PhD"), ["", "John", "", "Smith", "Jr"]);
        check(first_last_parts("Minh Do"), ["", "Minh", "", "Do", ""]);
        check(first_last_parts("Minh Do, D.O."), ["", "Minh", "", "Do", ""]);
        assert!(matches!(split("Minh Do, DO", NameForm::FirstLast), Err(NameProblem::Unsplittable(_))));
        check(first_last_parts("Jane Roe RN"), ["", "Jane", "", "Roe", ""]);
    }

    #[test]
    fn first_last_single_word_is_a_family_name() {
        check(first_last_parts("Cher"), ["", "", "", "Cher", ""]);
        check(first_last_parts("Dr. Smith"), ["Dr", "", "", "Smith", ""]);
        check(first_last_parts("Ms Smith Jr"), ["Ms", "", "", "Smith", "Jr"]);
    }

    #[test]
    fn first_last_refuses_what_it_cannot_read() {
        for text in ["Garcia, Maria", "Dr.", "Jr", "  ", ", John Smith"] {
            assert!(matches!(split(text, NameForm::FirstLast), Err(NameProblem::Unsplittable(_))), "{text:?}");
        }
    }

    #[test]
    fn titles_with_or_without_a_dot() {
        for (written, spelling) in [
            ("Mr", "Mr"),
            ("MR.", "Mr"),
            ("Mrs.", "Mrs"),
            ("ms", "Ms"),
            ("Miss", "Miss"),
            ("Dr.", "Dr"),
            ("PROF", "Prof"),
            ("Prof.", "Prof"),
            ("Rev.", "Rev"),
        ] {
            check(first_last_parts(&format!("{written} Jane Roe")), [spelling, "Jane", "", "Roe", ""]);
        }
    }

    #[test]
    fn form_names_round_trip() {
        for name in NameForm::names() {
            assert_eq!(NameForm::from_name(name).map(NameForm::name), Some(name));
        }
        assert_eq!(NameForm::from_name("last_frist"), None);
    }
}
