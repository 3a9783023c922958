//! American Soundex: a four-character code under which names that sound alike
//! (Robert, Rupert; Smith, Smyth) share a block.

/// The Soundex code of a folded (A–Z and spaces) name; `None` when it has no
/// letters. Spaces are ignored, so `DE LA CRUZ` codes as `DELACRUZ`.
pub fn soundex(folded: &str) -> Option<[u8; 4]> {
    let mut letters = folded.bytes().filter(u8::is_ascii_uppercase);
    let first = letters.next()?;
    let mut code = [first, b'0', b'0', b'0'];
    let mut length = 1;
    let mut previous = digit(first);
    for letter in letters {
        let current = digit(letter);
        // H and W do not separate letters with the same code; vowels do.
        if letter == b'H' || letter == b'W' {
            continue;
        }
        if current != 0 && current != previous {
            code[length] = current;
            length += 1;
            if length == 4 {
                break;
            }
        }
        previous = current;
    }
    Some(code)
}

fn digit(letter: u8) -> u8 {
    match letter {
        b'B' | b'F' | b'P' | b'V' => b'1',
        b'C' | b'G' | b'J' | b'K' | b'Q' | b'S' | b'X' | b'Z' => b'2',
        b'D' | b'T' => b'3',
        b'L' => b'4',
        b'M' | b'N' => b'5',
        b'R' => b'6',
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str) -> String {
        String::from_utf8(soundex(name).unwrap().to_vec()).unwrap()
    }

    #[test]
    fn matches_the_standard_examples() {
        assert_eq!(code("ROBERT"), "R163");
        assert_eq!(code("RUPERT"), "R163");
        assert_eq!(code("RUBIN"), "R150");
        assert_eq!(code("ASHCRAFT"), "A261");
        assert_eq!(code("TYMCZAK"), "T522");
        assert_eq!(code("PFISTER"), "P236");
        assert_eq!(code("HONEYMAN"), "H555");
        assert_eq!(code("LEE"), "L000");
        assert_eq!(soundex(""), None);
    }
}
