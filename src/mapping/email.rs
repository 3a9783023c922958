//! Email placeholders: what front desks type when a patient has no address
//! or gives none ("none", "n/a", "noemail@noemail.com", "declined"). They
//! say there is no address, so they are read as a blank rather than
//! flagged as broken addresses by the hundred.

/// The words a placeholder is made of, lower case, with spaces and
/// punctuation taken out (`N/A` is `na`, `No Email` is `noemail`).
const WORDS: &[&str] =
    &["none", "na", "nil", "null", "noemail", "noemailaddress", "nomail", "declined", "refused", "unknown"];

/// Whether `value` is a placeholder: one of the words alone, nothing but
/// punctuation (`-`, `.`), or an address whose part before the `@` is one
/// of the words (`noemail@example.com`, `none@none.com`).
pub fn is_placeholder(value: &str) -> bool {
    let local = value.split_once('@').map_or(value, |(local, _)| local);
    let squeezed: String =
        local.chars().filter(|character| character.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    (squeezed.is_empty() && !value.contains('@')) || WORDS.contains(&squeezed.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_told_from_addresses() {
        for placeholder in [
            "none",
            "NONE",
            "n/a",
            "N/A",
            "NA",
            "No Email",
            "no-email",
            "noemail@noemail.com",
            "NoEmail@clinic.org",
            "none@none.com",
            "declined",
            "Refused",
            "unknown",
            "-",
            ".",
        ] {
            assert!(is_placeholder(placeholder), "{placeholder}");
        }
        for address in ["jane@example.com", "nonet@example.com", "nadia@example.com", "@example.com", "jane", "n"] {
            assert!(!is_placeholder(address), "{address}");
        }
    }
}
