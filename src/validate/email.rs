//! Email addresses: is a value plausibly one? Not RFC 5322: an address a
//! mail server would refuse outright is what a clinic needs to hear about
//! (a typo, two addresses in one cell, a note typed into the field). What
//! is checked is listed in docs/mapping.md, and each failure says which
//! rule it broke without quoting the address.

/// Why `value` cannot be an email address, if it cannot.
pub fn problem(value: &str) -> Option<&'static str> {
    if value.chars().any(char::is_whitespace) {
        return Some("a space in it");
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Some("no `@`");
    };
    if domain.contains('@') {
        return Some("more than one `@`");
    }
    if local.is_empty() {
        return Some("nothing before the `@`");
    }
    domain_problem(domain)
}

/// A domain is two or more labels joined by dots, each of letters, digits
/// and hyphens (letters of any script: internationalised domains), the last
/// at least two characters long.
fn domain_problem(domain: &str) -> Option<&'static str> {
    if domain.is_empty() {
        return Some("nothing after the `@`");
    }
    if !domain.contains('.') {
        return Some("no dot in the domain");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.iter().any(|label| label.is_empty()) {
        return Some("an empty part in the domain: a dot at its start or end, or two in a row");
    }
    let allowed = |character: char| character.is_alphanumeric() || character == '-';
    if !labels.iter().all(|label| label.chars().all(allowed)) {
        return Some("a character a domain cannot hold");
    }
    if labels.last().is_some_and(|last| last.chars().count() < 2) {
        return Some("a one-letter top-level domain");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses_pass() {
        for address in [
            "jane.doe@example.com",
            "j+clinic@mail.example.co.uk",
            "O'Brien@example.org",
            "x@b-c.io",
            "josé@correo.example.es",
            "user@例え.テスト",
        ] {
            assert_eq!(problem(address), None, "{address}");
        }
    }

    #[test]
    fn each_broken_rule_is_named() {
        let cases = [
            ("jane doe@example.com", "a space"),
            ("jane.example.com", "no `@`"),
            ("jane@doe@example.com", "more than one"),
            ("@example.com", "nothing before"),
            ("jane@", "nothing after"),
            ("jane@localhost", "no dot"),
            ("jane@example..com", "empty part"),
            ("jane@.example.com", "empty part"),
            ("jane@example.com.", "empty part"),
            ("jane@example,com.au", "cannot hold"),
            ("jane@example.com>", "cannot hold"),
            ("jane@example.c", "one-letter"),
            ("a@x.com;b@y.com", "more than one"),
            ("a@x.com, b@y.com", "a space"),
        ];
        for (address, why) in cases {
            let found = problem(address);
            assert!(found.is_some_and(|found| found.contains(why)), "{address}: {found:?}");
        }
    }

    #[test]
    fn no_problem_quotes_the_address() {
        for address in ["jane doe@example.com", "jane@localhost", "jane@example,com"] {
            let found = problem(address).unwrap();
            assert!(!found.contains("jane") && !found.contains("example"), "{found}");
        }
    }
}
