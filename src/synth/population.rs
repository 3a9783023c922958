//! The people of a synthetic practice, as they really are (before any
//! system mistyped them): households of spouses, parents and children who
//! share a surname, an address and a phone; twins; fathers and sons of the
//! same name; people sharing a placeholder national id.
//!
//! People are stored compactly (names as indexes into the `NamePool`), so a
//! million of them fit in a few dozen megabytes.

use jiff::ToSpan;
use jiff::civil::{Date, date};

use super::names::{NamePool, STREET_TYPES, STREETS, TOWNS, TWIN_NAMES};
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix {
    Junior,
    Senior,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NationalId {
    None,
    Issued(u32),
    /// 000-00-0000 or 999-99-9999: entered when nobody knew it.
    Placeholder(u8),
}

/// Look-alikes a good matcher must keep apart, for the truth file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kin {
    Twins(u32),
    JuniorSenior(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Address {
    pub number: u16,
    pub street: u8,
    pub street_type: u8,
    pub unit: Option<u16>,
    pub town: u8,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: u32,
    pub origin: u8,
    pub sex: Sex,
    pub given: u32,
    pub middle: Option<u8>,
    pub family: u32,
    /// A surname used before marriage; older records may carry it.
    pub maiden: Option<u32>,
    pub suffix: Option<Suffix>,
    pub birth: Date,
    pub national_id: NationalId,
    pub household: u32,
    pub kin: Option<Kin>,
    pub address: Address,
    pub phone: u64,
    /// Where they lived before moving; older records may carry it.
    pub previous: Option<(Address, u64)>,
}

/// Shares of household kinds, and other rates of the real population. The
/// corruption rates of the records are in `corrupt`.
pub mod rates {
    pub const SINGLE: f64 = 0.34;
    pub const COUPLE: f64 = 0.26;
    pub const FAMILY: f64 = 0.28;
    // The rest: one parent with children.
    pub const SPOUSE_TAKES_SURNAME: f64 = 0.65;
    /// Of families with two or more children: more than real life, so that
    /// every rehearsal has enough twins to measure.
    pub const TWINS_IN_FAMILY: f64 = 0.10;
    pub const TWINS_NEAR_IDENTICAL_NAMES: f64 = 0.3;
    pub const SON_NAMED_FOR_FATHER: f64 = 0.08;
    pub const NO_NATIONAL_ID: f64 = 0.25;
    pub const PLACEHOLDER_NATIONAL_ID: f64 = 0.015;
    pub const MIDDLE_INITIAL: f64 = 0.6;
    pub const MOVED: f64 = 0.3;
    pub const APARTMENT: f64 = 0.2;
}

/// The day ages are counted from: fixed, so the same seed gives the same
/// people whatever the date of the run.
pub fn reference_day() -> Date {
    date(2026, 1, 1)
}

pub struct Population {
    pub people: Vec<Person>,
}

impl Population {
    /// At least `count` people, in households, then cut to exactly `count`
    /// (a household may be cut short; its members keep their ties).
    pub fn generate(count: usize, names: &NamePool, rng: &mut Rng) -> Population {
        let mut builder = Builder { names, rng, people: Vec::with_capacity(count + 8), households: 0, kin: 0 };
        while builder.people.len() < count {
            builder.household();
        }
        builder.people.truncate(count);
        Population { people: builder.people }
    }
}

/// Children other than twins are born at least this many days apart.
const SIBLING_SPACING_DAYS: i64 = 300;
/// Draws of a child's birth date or name before giving up on a different one.
const SIBLING_DRAWS: usize = 20;

fn days_apart(a: Date, b: Date) -> i64 {
    a.since(b).map_or(0, |span| i64::from(span.get_days()).abs())
}

struct Builder<'a> {
    names: &'a NamePool,
    rng: &'a mut Rng,
    people: Vec<Person>,
    households: u32,
    kin: u32,
}

impl Builder<'_> {
    fn household(&mut self) {
        let household = self.households;
        self.households += 1;
        let origin = self.names.origin_weights.draw(self.rng);
        let address = self.address();
        let phone = self.phone();
        let surname = self.names.surname(origin, self.rng);
        let kind = self.rng.next_u64() as f64 / u64::MAX as f64;
        let context = Context { household, origin: origin as u8, address, phone, surname };
        if kind < rates::SINGLE {
            let sex = self.sex();
            let birth = self.birth_between(18, 95);
            self.person(&context, sex, birth, surname);
        } else if kind < rates::SINGLE + rates::COUPLE {
            self.couple(&context, 22, 92);
        } else if kind < rates::SINGLE + rates::COUPLE + rates::FAMILY {
            let (father, father_birth) = self.couple(&context, 24, 60);
            self.children_of(&context, father_birth, Some(father));
        } else {
            let sex = self.sex();
            let birth = self.birth_between(22, 55);
            let parent = self.person(&context, sex, birth, surname);
            let father = (sex == Sex::Male).then_some(parent);
            self.children_of(&context, birth, father);
        }
    }

    /// Spouses; returns the husband and his birth date.
    fn couple(&mut self, context: &Context, youngest: i64, oldest: i64) -> (usize, Date) {
        let birth = self.birth_between(youngest, oldest);
        let husband = self.person(context, Sex::Male, birth, context.surname);
        let gap = self.rng.between(-8 * 365, 8 * 365);
        let spouse_birth = self.shift(birth, gap);
        let own_surname = self.names.surname(context.origin as usize, self.rng);
        if self.rng.chance(rates::SPOUSE_TAKES_SURNAME) {
            let wife = self.person(context, Sex::Female, spouse_birth, context.surname);
            self.people[wife].maiden = Some(own_surname);
        } else {
            self.person(context, Sex::Female, spouse_birth, own_surname);
        }
        (husband, birth)
    }

    fn children_of(&mut self, context: &Context, parent_birth: Date, father: Option<usize>) {
        let count = 1 + self.rng.below(3);
        let earliest = parent_birth.year() as i64 + 20;
        let latest = (reference_day().year() as i64 - 1).min(parent_birth.year() as i64 + 42);
        if earliest > latest {
            return;
        }
        let twins = count >= 2 && self.rng.chance(rates::TWINS_IN_FAMILY);
        let mut births: Vec<Date> = Vec::with_capacity(count);
        for index in 0..count {
            if twins && index == 1 {
                births.push(births[0]);
                continue;
            }
            // A family whose years leave no room for another child is left smaller.
            let spaced = (0..SIBLING_DRAWS)
                .map(|_| self.birth_in_years(earliest, latest))
                .find(|&birth| births.iter().all(|&sibling| days_apart(sibling, birth) >= SIBLING_SPACING_DAYS));
            births.extend(spaced);
        }
        let mut children = Vec::with_capacity(births.len());
        for &birth in &births {
            let sex = self.sex();
            children.push(self.person(context, sex, birth, context.surname));
        }
        if twins {
            self.make_twins(children[0], children[1]);
        }
        if let Some(father) = father
            && let Some(&son) = children.iter().find(|&&child| self.people[child].sex == Sex::Male)
            && self.rng.chance(rates::SON_NAMED_FOR_FATHER)
            && self.people[son].kin.is_none()
        {
            let kin = Some(Kin::JuniorSenior(self.next_kin()));
            self.people[son].given = self.people[father].given;
            self.people[son].suffix = Some(Suffix::Junior);
            self.people[son].kin = kin;
            self.people[father].suffix = Some(Suffix::Senior);
            self.people[father].kin = kin;
        }
        // After the Jr is named: his name is his father's, and a brother
        // who had it already is named again instead.
        let is_junior = |child: &usize| matches!(self.people[*child].kin, Some(Kin::JuniorSenior(_)));
        let mut named: Vec<usize> = children.iter().copied().filter(is_junior).collect();
        for child in children {
            if !named.contains(&child) {
                self.name_apart_from(child, &named);
                named.push(child);
            }
        }
    }

    fn make_twins(&mut self, first: usize, second: usize) {
        let kin = Some(Kin::Twins(self.next_kin()));
        if self.rng.chance(rates::TWINS_NEAR_IDENTICAL_NAMES) {
            let (a, b, girls) = *self.rng.pick(TWIN_NAMES);
            let sex = if girls { Sex::Female } else { Sex::Male };
            for (twin, name) in [(first, a), (second, b)] {
                self.people[twin].given = self.names.find(name).expect("twin names are in the pool");
                self.people[twin].sex = sex;
            }
        }
        self.people[first].kin = kin;
        self.people[second].kin = kin;
    }

    /// Parents do not give two of their children one name: a child whose
    /// name a sibling has is named again. Same-name siblings would be
    /// look-alikes no real family makes, and would blur what the
    /// benchmarks count as households merged.
    fn name_apart_from(&mut self, child: usize, siblings: &[usize]) {
        for _ in 0..SIBLING_DRAWS {
            let given = self.people[child].given;
            if siblings.iter().all(|&sibling| self.people[sibling].given != given) {
                return;
            }
            let origin = self.people[child].origin as usize;
            self.people[child].given = self.given(origin, self.people[child].sex);
        }
    }

    fn next_kin(&mut self) -> u32 {
        self.kin += 1;
        self.kin
    }

    fn person(&mut self, context: &Context, sex: Sex, birth: Date, family: u32) -> usize {
        // Some people in a household are of another origin (given names mix).
        let origin =
            if self.rng.chance(0.1) { self.names.origin_weights.draw(self.rng) } else { context.origin as usize };
        let given = self.given(origin, sex);
        let middle = self.rng.chance(rates::MIDDLE_INITIAL).then(|| b'A' + self.rng.below(26) as u8);
        let national_id = if self.rng.chance(rates::PLACEHOLDER_NATIONAL_ID) {
            NationalId::Placeholder(if self.rng.chance(0.7) { 0 } else { 9 })
        } else if self.rng.chance(rates::NO_NATIONAL_ID) {
            NationalId::None
        } else {
            NationalId::Issued(self.issued_ssn())
        };
        let previous = self.rng.chance(rates::MOVED).then(|| (self.address(), self.phone()));
        self.people.push(Person {
            id: self.people.len() as u32 + 1,
            origin: context.origin,
            sex,
            given,
            middle,
            family,
            maiden: None,
            suffix: None,
            birth,
            national_id,
            household: context.household,
            kin: None,
            address: context.address,
            phone: context.phone,
            previous,
        });
        self.people.len() - 1
    }

    fn given(&mut self, origin: usize, sex: Sex) -> u32 {
        let pool = &self.names.origins[origin];
        *self.rng.pick(if sex == Sex::Female { &pool.female } else { &pool.male })
    }

    fn sex(&mut self) -> Sex {
        if self.rng.chance(0.51) { Sex::Female } else { Sex::Male }
    }

    /// A valid-looking SSN: area 001–665 or 667–899, group and serial not 0.
    fn issued_ssn(&mut self) -> u32 {
        let mut area = self.rng.between(1, 898) as u32;
        if area >= 666 {
            area += 1;
        }
        let group = self.rng.between(1, 99) as u32;
        let serial = self.rng.between(1, 9999) as u32;
        area * 1_000_000 + group * 10_000 + serial
    }

    fn birth_between(&mut self, youngest: i64, oldest: i64) -> Date {
        let year = reference_day().year() as i64;
        self.birth_in_years(year - oldest, year - youngest)
    }

    fn birth_in_years(&mut self, first: i64, last: i64) -> Date {
        let year = self.rng.between(first, last) as i16;
        let day_of_year = self.rng.between(0, 364);
        self.shift(date(year, 1, 1), day_of_year).min(reference_day())
    }

    fn shift(&self, day: Date, days: i64) -> Date {
        day.checked_add(days.days()).unwrap_or(day)
    }

    fn address(&mut self) -> Address {
        Address {
            number: self.rng.between(1, 9_999) as u16,
            street: self.rng.below(STREETS.len()) as u8,
            street_type: self.rng.below(STREET_TYPES.len()) as u8,
            unit: self.rng.chance(rates::APARTMENT).then(|| self.rng.between(1, 40) as u16),
            town: self.rng.below(TOWNS.len()) as u8,
        }
    }

    /// A ten-digit number with a plausible area code and exchange.
    fn phone(&mut self) -> u64 {
        let area = self.rng.between(201, 989) as u64;
        let exchange = self.rng.between(200, 999) as u64;
        let line = self.rng.between(0, 9999) as u64;
        area * 10_000_000 + exchange * 10_000 + line
    }
}

struct Context {
    household: u32,
    origin: u8,
    address: Address,
    phone: u64,
    surname: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_has_households_twins_and_namesakes() {
        let names = NamePool::new();
        let mut rng = Rng::new(3);
        let population = Population::generate(20_000, &names, &mut rng);
        assert_eq!(population.people.len(), 20_000);
        let twins = population.people.iter().filter(|p| matches!(p.kin, Some(Kin::Twins(_)))).count();
        let namesakes = population.people.iter().filter(|p| matches!(p.kin, Some(Kin::JuniorSenior(_)))).count();
        assert!(twins > 40, "{twins}");
        assert!(namesakes > 40, "{namesakes}");
        let households: std::collections::HashSet<u32> = population.people.iter().map(|p| p.household).collect();
        assert!(households.len() < 14_000, "{}", households.len());
        assert!(population.people.iter().all(|p| p.birth <= reference_day()));
    }

    #[test]
    fn siblings_have_their_own_names_and_only_twins_share_a_birthday() {
        let names = NamePool::new();
        let mut rng = Rng::new(5);
        let mut builder = Builder { names: &names, rng: &mut rng, people: Vec::new(), households: 0, kin: 0 };
        let (mut families, mut twins, mut juniors) = (0, 0, 0);
        for household in 0..5_000 {
            let context = Context {
                household,
                origin: 0,
                address: builder.address(),
                phone: builder.phone(),
                surname: names.origins[0].common_surnames[0],
            };
            // Parents born in 2003 have only 2023-2025 for their children: a narrow window.
            let parent_birth = if household % 2 == 0 { date(2003, 6, 1) } else { date(1980, 6, 1) };
            let father =
                (household % 3 != 0).then(|| builder.person(&context, Sex::Male, parent_birth, context.surname));
            let first = builder.people.len();
            builder.children_of(&context, parent_birth, father);
            let children = &builder.people[first..];
            juniors += children.iter().filter(|child| child.suffix == Some(Suffix::Junior)).count();
            families += usize::from(children.len() > 1);
            for (index, a) in children.iter().enumerate() {
                for b in &children[index + 1..] {
                    assert_ne!(a.given, b.given, "household {household}: two children of one name");
                    if matches!((a.kin, b.kin), (Some(Kin::Twins(x)), Some(Kin::Twins(y))) if x == y) {
                        assert_eq!(a.birth, b.birth);
                        twins += 1;
                    } else {
                        assert!(days_apart(a.birth, b.birth) >= SIBLING_SPACING_DAYS, "{} and {}", a.birth, b.birth);
                    }
                }
            }
        }
        assert!(families > 2_000 && twins > 100 && juniors > 100, "{families} families, {twins} twins, {juniors} Jr");
    }

    #[test]
    fn generation_is_deterministic() {
        let names = NamePool::new();
        let people = |seed| {
            let population = Population::generate(500, &names, &mut Rng::new(seed));
            population.people.iter().map(|p| (p.given, p.family, p.birth, p.phone)).collect::<Vec<_>>()
        };
        assert_eq!(people(9), people(9));
        assert_ne!(people(9), people(10));
    }
}
