//! Masking patient data for reports meant to be shown around: initials for
//! names, the year for birth dates, the last four characters of identifiers.

/// `Jane Doe-Smith` → `J*** D***-S****`: the first letter of each name part.
pub fn name(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut at_word_start = true;
    for character in text.chars() {
        if character.is_alphanumeric() {
            masked.push(if at_word_start { character } else { '*' });
            at_word_start = false;
        } else {
            masked.push(character);
            at_word_start = true;
        }
    }
    masked
}

/// `1980-03-04` → `1980`.
pub fn birth_date(iso: &str) -> String {
    iso.get(..4).unwrap_or("****").to_string()
}

/// The last four characters, the rest starred; ids of four characters or
/// fewer are starred whole, since the last four would be all of them.
pub fn identifier(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    if characters.len() <= 4 {
        return "*".repeat(characters.len());
    }
    let keep = characters.len() - 4;
    std::iter::repeat_n('*', keep).chain(characters[keep..].iter().copied()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_names_dates_and_identifiers() {
        assert_eq!(name("Jane Doe-Smith"), "J*** D**-S****");
        assert_eq!(name("O'Brien"), "O'B****");
        assert_eq!(name("José"), "J***");
        assert_eq!(birth_date("1980-03-04"), "1980");
        assert_eq!(identifier("123-45-6789"), "*******6789");
        assert_eq!(identifier("1042"), "****");
    }
}
