//! "Did you mean": the nearest known name to a misspelt one.

/// The candidate closest to `wanted`, if it is close enough to be the name
/// the person meant. Case and surrounding spaces are ignored, because a
/// header typed as `dob ` means `DOB`.
pub fn nearest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted = wanted.trim().to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&wanted, &candidate.trim().to_lowercase()), candidate))
        .filter(|(similarity, _)| *similarity >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let headers = ["Pt Last Name", "First", "DOB"];
        assert_eq!(nearest("Pt Last Nme", headers), Some("Pt Last Name"));
        assert_eq!(nearest("dob ", headers), Some("DOB"));
        assert_eq!(nearest("Insurance", headers), None);
    }
}
