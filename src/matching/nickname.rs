//! The bundled nickname table (mappings/nicknames.csv): which given names may
//! be the same person's (Bob and Robert, Bob and Rob).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::normalize::fold;

const TABLE: &str = include_str!("../../mappings/nicknames.csv");

/// Each folded name → the formal names it belongs to (a formal name belongs
/// to itself). Two names are equivalent when those sets meet.
pub struct Nicknames {
    groups: HashMap<String, Vec<u32>>,
    /// Each group's formal name, by group.
    formal: Vec<String>,
}

static NICKNAMES: LazyLock<Nicknames> = LazyLock::new(|| Nicknames::parse(TABLE));

impl Nicknames {
    pub fn bundled() -> &'static Nicknames {
        &NICKNAMES
    }

    fn parse(table: &str) -> Nicknames {
        let mut formal_ids: HashMap<String, u32> = HashMap::new();
        let mut groups: HashMap<String, Vec<u32>> = HashMap::new();
        let mut names = Vec::new();
        for line in table.lines().skip(1) {
            let mut parts = line.split(',');
            let (Some(formal), Some(_), Some(nickname)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let (formal, nickname) = (fold(formal), fold(nickname));
            if formal.is_empty() || nickname.is_empty() {
                continue;
            }
            let next_id = formal_ids.len() as u32;
            let id = *formal_ids.entry(formal.clone()).or_insert_with(|| {
                names.push(formal.clone());
                next_id
            });
            for name in [formal, nickname] {
                let ids = groups.entry(name).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        for ids in groups.values_mut() {
            ids.sort_unstable();
        }
        Nicknames { groups, formal: names }
    }

    /// The formal-name groups of a folded given name (empty if unlisted).
    pub fn groups(&self, folded: &str) -> &[u32] {
        self.groups.get(folded).map_or(&[], Vec::as_slice)
    }

    /// A group's formal name (folded).
    pub fn formal_name(&self, group: u32) -> &str {
        &self.formal[group as usize]
    }
}

/// True when two sorted group lists share a group.
pub fn share_group(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equivalent(a: &str, b: &str) -> bool {
        let table = Nicknames::bundled();
        share_group(table.groups(&fold(a)), table.groups(&fold(b)))
    }

    #[test]
    fn nicknames_and_formal_names_are_equivalent() {
        assert!(equivalent("Bob", "Robert"));
        assert!(equivalent("Bob", "Rob"), "two nicknames of one formal name");
        assert!(equivalent("Liz", "Elizabeth"));
        assert!(!equivalent("Bob", "Elizabeth"));
        assert!(!equivalent("Zebediah", "Robert"));
    }

    #[test]
    fn each_group_is_named_by_its_formal_name() {
        let table = Nicknames::bundled();
        let names: Vec<&str> = table.groups("BRI").iter().map(|&group| table.formal_name(group)).collect();
        assert!(names.contains(&"BRIANNA") && names.contains(&"BREANNA"), "{names:?}");
        assert_eq!(table.groups("BREANNA").len(), 1);
        assert_eq!(table.formal_name(table.groups("BREANNA")[0]), "BREANNA", "a formal name is its own group");
    }

    #[test]
    fn bundled_table_has_hundreds_of_formal_names() {
        let table = Nicknames::bundled();
        assert!(table.groups.len() > 1000, "{}", table.groups.len());
    }
}
