//! Phonetic codes: Double Metaphone (rphonetic, a port of Apache
//! commons-codec), under which names that sound alike share a code
//! (Thompson and Thomson, Catherine and Kathryn). Double Metaphone gives a
//! primary and an alternate code, so that names of other origins (Schmidt
//! read as German or English) still meet their spellings.
//!
//! A code of up to four letters is packed into a `u32`, so that comparing two
//! codes and using one in a blocking key cost nothing.

use std::sync::LazyLock;

use rphonetic::DoubleMetaphone;

static ENCODER: LazyLock<DoubleMetaphone> = LazyLock::new(DoubleMetaphone::default);

/// The primary and alternate codes of a name; `0` is no code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Phonetic {
    pub primary: u32,
    pub alternate: u32,
}

impl Phonetic {
    /// The codes of a folded (A–Z and spaces) name. Spaces are ignored, so
    /// `DE LA CRUZ` codes as `DELACRUZ`.
    pub fn of(folded: &str) -> Phonetic {
        let joined: String = folded.chars().filter(char::is_ascii_uppercase).collect();
        if joined.is_empty() {
            return Phonetic::default();
        }
        let result = ENCODER.double_metaphone(&joined);
        let primary = pack(&result.primary());
        let alternate = pack(&result.alternate());
        Phonetic { primary, alternate: if alternate == primary { 0 } else { alternate } }
    }

    /// Whether two names share a code (primary or alternate).
    pub fn sounds_like(self, other: Phonetic) -> bool {
        let codes = |p: Phonetic| [p.primary, p.alternate];
        codes(self).iter().any(|&code| code != 0 && codes(other).contains(&code))
    }
}

/// Up to four ASCII letters in one `u32`; an empty code is `0`. A name that
/// sounds like nothing (all vowels elided) still gets the code `A`, never 0.
fn pack(code: &str) -> u32 {
    code.bytes().take(4).fold(0u32, |packed, byte| (packed << 8) | byte as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_sound_alike_share_a_code() {
        assert!(Phonetic::of("MEYER").sounds_like(Phonetic::of("MAIER")));
        assert!(Phonetic::of("CATHERINE").sounds_like(Phonetic::of("KATHRYN")));
        assert!(Phonetic::of("SMITH").sounds_like(Phonetic::of("SMYTH")));
        assert!(Phonetic::of("SCHMIDT").sounds_like(Phonetic::of("SMITH")), "through the alternate code");
        assert!(!Phonetic::of("SMITH").sounds_like(Phonetic::of("JONES")));
    }

    #[test]
    fn spaces_are_ignored_and_empty_names_have_no_code() {
        assert_eq!(Phonetic::of("DE LA CRUZ"), Phonetic::of("DELACRUZ"));
        assert_eq!(Phonetic::of(""), Phonetic::default());
        assert!(!Phonetic::default().sounds_like(Phonetic::default()));
    }
}
