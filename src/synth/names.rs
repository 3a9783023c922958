//! Name and place pools for synthetic people: given names and surnames of
//! many origins (with their accents, apostrophes and hyphens), a large tail
//! of rarer surnames built from each origin's word parts, streets and towns.
//! Every name is invented or common enough to identify nobody.

use std::collections::HashMap;

use super::rng::{Rng, Weighted};

pub struct Origin {
    /// Share of the population.
    pub weight: f64,
    pub female: &'static [&'static str],
    pub male: &'static [&'static str],
    pub surnames: &'static [&'static str],
    /// Word parts for rarer surnames: a root and an ending.
    pub roots: &'static [&'static str],
    pub endings: &'static [&'static str],
}

pub const ORIGINS: &[Origin] = &[
    Origin {
        weight: 0.46,
        female: &[
            "Mary",
            "Patricia",
            "Jennifer",
            "Linda",
            "Elizabeth",
            "Barbara",
            "Susan",
            "Jessica",
            "Sarah",
            "Karen",
            "Margaret",
            "Nancy",
            "Lisa",
            "Betty",
            "Dorothy",
            "Sandra",
            "Ashley",
            "Kimberly",
            "Donna",
            "Emily",
            "Michelle",
            "Carol",
            "Amanda",
            "Melissa",
            "Deborah",
            "Stephanie",
            "Rebecca",
            "Laura",
            "Helen",
            "Sharon",
            "Cynthia",
            "Kathleen",
            "Amy",
            "Shirley",
            "Angela",
            "Anna",
            "Ruth",
            "Brenda",
            "Pamela",
            "Katherine",
            "Christine",
            "Samantha",
            "Catherine",
            "Virginia",
            "Victoria",
            "Olivia",
            "Emma",
            "Abigail",
            "Madison",
            "Chloe",
            "Hannah",
            "Grace",
            "Avery",
            "Harper",
            "Evelyn",
            "Alexandra",
            "Jacqueline",
            "Theresa",
            "Judith",
            "Frances",
        ],
        male: &[
            "James",
            "Robert",
            "John",
            "Michael",
            "William",
            "David",
            "Richard",
            "Joseph",
            "Thomas",
            "Charles",
            "Christopher",
            "Daniel",
            "Matthew",
            "Anthony",
            "Mark",
            "Donald",
            "Steven",
            "Paul",
            "Andrew",
            "Joshua",
            "Kenneth",
            "Kevin",
            "Brian",
            "George",
            "Timothy",
            "Ronald",
            "Edward",
            "Jason",
            "Jeffrey",
            "Ryan",
            "Jacob",
            "Gary",
            "Nicholas",
            "Eric",
            "Jonathan",
            "Stephen",
            "Larry",
            "Justin",
            "Scott",
            "Brandon",
            "Benjamin",
            "Samuel",
            "Gregory",
            "Alexander",
            "Patrick",
            "Frank",
            "Raymond",
            "Jack",
            "Dennis",
            "Jerry",
            "Tyler",
            "Aaron",
            "Henry",
            "Douglas",
            "Peter",
            "Nathan",
            "Walter",
            "Harold",
            "Liam",
            "Noah",
        ],
        surnames: &[
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Miller",
            "Davis",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Jackson",
            "Martin",
            "Lee",
            "Thompson",
            "White",
            "Harris",
            "Clark",
            "Lewis",
            "Robinson",
            "Walker",
            "Young",
            "Allen",
            "King",
            "Wright",
            "Scott",
            "Hill",
            "Green",
            "Adams",
            "Nelson",
            "Baker",
            "Hall",
            "Campbell",
            "Mitchell",
            "Carter",
            "Roberts",
            "Phillips",
            "Evans",
            "Turner",
            "Parker",
            "Collins",
            "Edwards",
            "Stewart",
            "Morris",
            "Murphy",
            "Cook",
            "Rogers",
            "Morgan",
            "Cooper",
            "Peterson",
            "Bailey",
            "Reed",
            "Kelly",
            "Howard",
            "Cox",
            "Ward",
            "Richardson",
            "Watson",
            "Brooks",
            "Wood",
            "James",
            "Bennett",
            "Gray",
            "Hughes",
            "Price",
            "Sanders",
            "Myers",
            "Long",
            "Ross",
            "Foster",
            "Powell",
            "Jenkins",
            "Perry",
            "Russell",
            "Sullivan",
            "Bell",
            "Coleman",
            "Butler",
            "Henderson",
            "Barnes",
            "Fisher",
            "Smith-Jones",
            "St. John",
        ],
        roots: &[
            "Ash", "Brad", "Crom", "Dal", "Ell", "Fair", "Gar", "Hal", "Kings", "Lang", "Mar", "Nor", "Pem", "Rad",
            "Shel", "Thorn", "Wain", "Whit", "Black", "Brook", "Chat", "Dun", "Fen", "Holt", "Kent", "Lock", "Mead",
            "Pres", "Rut", "Stan", "Tal", "Wel", "Wins", "Yar", "Bram", "Cal", "Hart", "Lind", "Mor", "Ran",
        ],
        endings: &[
            "ford", "ley", "ton", "wood", "well", "more", "field", "ham", "son", "by", "bury", "ridge", "worth",
            "stead",
        ],
    },
    Origin {
        weight: 0.17,
        female: &[
            "María",
            "Sofía",
            "Valentina",
            "Camila",
            "Isabella",
            "Lucía",
            "Gabriela",
            "Daniela",
            "Ana",
            "Carmen",
            "Rosa",
            "Elena",
            "Guadalupe",
            "Mariana",
            "Juana",
            "Verónica",
            "Adriana",
            "Alejandra",
            "Beatriz",
            "Paola",
            "Ximena",
            "Renata",
            "Natalia",
            "Josefina",
            "Inés",
        ],
        male: &[
            "José",
            "Juan",
            "Luis",
            "Carlos",
            "Jorge",
            "Miguel",
            "Antonio",
            "Francisco",
            "Jesús",
            "Manuel",
            "Alejandro",
            "Mateo",
            "Santiago",
            "Diego",
            "Andrés",
            "Raúl",
            "Javier",
            "Fernando",
            "Ricardo",
            "Sergio",
            "Héctor",
            "Rubén",
            "Óscar",
            "Iván",
            "Joaquín",
        ],
        surnames: &[
            "Garcia",
            "Rodriguez",
            "Martinez",
            "Hernandez",
            "Lopez",
            "Gonzalez",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Torres",
            "Flores",
            "Rivera",
            "Gómez",
            "Díaz",
            "Reyes",
            "Morales",
            "Cruz",
            "Ortiz",
            "Gutiérrez",
            "Chávez",
            "Ramos",
            "Ruiz",
            "Álvarez",
            "Mendoza",
            "Castillo",
            "Jiménez",
            "Moreno",
            "Romero",
            "Herrera",
            "Medina",
            "Aguilar",
            "Vargas",
            "Castro",
            "Fernández",
            "Núñez",
            "Peña",
            "De la Cruz",
            "Ibáñez",
        ],
        roots: &[
            "Alar", "Barr", "Cab", "Dom", "Esc", "Gal", "Iba", "Lar", "Mal", "Nav", "Olm", "Pad", "Quin", "Sal", "Val",
            "Zam",
        ],
        endings: &["ez", "es", "ado", "era", "ano", "edo", "illa", "ón", "uela", "iño"],
    },
    Origin {
        weight: 0.08,
        female: &[
            "Mei", "Xiu", "Li", "Yan", "Hui", "Jing", "Ying", "Yuki", "Haruka", "Sakura", "Aiko", "Ji-woo", "Seo-yeon",
            "Min-ji", "Linh", "Thảo", "Hoa", "Lan",
        ],
        male: &[
            "Wei", "Jun", "Hao", "Ming", "Lei", "Jian", "Bo", "Hiroshi", "Takeshi", "Kenji", "Haruto", "Min-jun",
            "Ji-hoon", "Seung", "Minh", "Tuấn", "Huy", "Duc",
        ],
        surnames: &[
            "Wang",
            "Li",
            "Zhang",
            "Liu",
            "Chen",
            "Yang",
            "Huang",
            "Zhao",
            "Wu",
            "Zhou",
            "Xu",
            "Sun",
            "Ma",
            "Zhu",
            "Nguyen",
            "Tran",
            "Le",
            "Pham",
            "Hoang",
            "Vu",
            "Kim",
            "Park",
            "Choi",
            "Jung",
            "Kang",
            "Cho",
            "Yoon",
            "Sato",
            "Suzuki",
            "Takahashi",
            "Tanaka",
            "Watanabe",
            "Ito",
            "Yamamoto",
            "Nakamura",
            "Kobayashi",
        ],
        roots: &["Ka", "Ko", "Mi", "Na", "Ta", "Yo", "Shi", "Ha", "Mo", "Fu"],
        endings: &["mura", "moto", "kawa", "yama", "shita", "da", "no", "zaki"],
    },
    Origin {
        weight: 0.05,
        female: &[
            "Priya", "Ananya", "Aisha", "Divya", "Kavya", "Lakshmi", "Meera", "Neha", "Pooja", "Sunita", "Deepa",
            "Shreya",
        ],
        male: &[
            "Rahul", "Arjun", "Vikram", "Amit", "Rajesh", "Sanjay", "Anil", "Ravi", "Suresh", "Karan", "Rohan",
            "Aditya",
        ],
        surnames: &[
            "Patel",
            "Sharma",
            "Singh",
            "Kumar",
            "Gupta",
            "Shah",
            "Reddy",
            "Rao",
            "Iyer",
            "Mehta",
            "Joshi",
            "Desai",
            "Kaur",
            "Nair",
            "Chaudhary",
            "Agarwal",
            "Bhatt",
            "Malhotra",
            "Kapoor",
            "Menon",
        ],
        roots: &["Ban", "Chat", "Dev", "Gan", "Kris", "Mukh", "Pand", "Ram", "Sub", "Vas"],
        endings: &["erjee", "opadhyay", "ani", "wala", "esh", "iah", "ar", "anathan"],
    },
    Origin {
        weight: 0.05,
        female: &[
            "Chidinma",
            "Ngozi",
            "Adaeze",
            "Amara",
            "Folake",
            "Yetunde",
            "Abena",
            "Akosua",
            "Efua",
            "Nneka",
            "Funmilayo",
            "Zainab",
        ],
        male: &[
            "Chukwuemeka",
            "Oluwaseun",
            "Emeka",
            "Tunde",
            "Kwame",
            "Kofi",
            "Kwabena",
            "Obinna",
            "Chinedu",
            "Babatunde",
            "Yaw",
            "Ifeanyi",
        ],
        surnames: &[
            "Okafor", "Adeyemi", "Nwosu", "Okonkwo", "Eze", "Mensah", "Osei", "Boateng", "Asante", "Owusu", "Adebayo",
            "Ogunleye", "Balogun", "Chukwu", "Obi", "Afolabi", "Oyelaran", "Appiah",
        ],
        roots: &["Ade", "Olu", "Oka", "Nwa", "Ogu", "Chi", "Aku", "Ona"],
        endings: &["kunle", "wole", "nkwo", "for", "emi", "nna", "gbe", "tola"],
    },
    Origin {
        weight: 0.04,
        female: &["Fatima", "Aisha", "Mariam", "Layla", "Noor", "Yasmin", "Salma", "Huda", "Rania", "Zahra"],
        male: &["Mohammed", "Ahmed", "Omar", "Ali", "Hassan", "Youssef", "Khalid", "Ibrahim", "Tariq", "Samir"],
        surnames: &[
            "Haddad", "Khalil", "Abbasi", "Nasser", "Hamdan", "Saleh", "Al-Masri", "El-Amin", "Mansour", "Qureshi",
            "Farouk", "Aziz",
        ],
        roots: &["Al-Ra", "Bak", "Dar", "Fah", "Ham", "Jab", "Kha", "Sha"],
        endings: &["idi", "ami", "awi", "ari", "oud", "een"],
    },
    Origin {
        weight: 0.05,
        female: &[
            "Anna",
            "Olga",
            "Natalia",
            "Agnieszka",
            "Katarzyna",
            "Svetlana",
            "Irina",
            "Marta",
            "Zofia",
            "Ewa",
            "Tatiana",
            "Magdalena",
        ],
        male: &[
            "Dmitri", "Ivan", "Sergei", "Piotr", "Tomasz", "Łukasz", "Andrzej", "Mikhail", "Nikolai", "Pavel", "Jakub",
            "Marek",
        ],
        surnames: &[
            "Kowalski",
            "Nowak",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Ivanov",
            "Petrov",
            "Smirnov",
            "Popov",
            "Novák",
            "Dvořák",
            "Horváth",
            "Kovač",
            "Shevchenko",
            "Bondarenko",
        ],
        roots: &["Bor", "Dab", "Grab", "Jas", "Kozl", "Mal", "Pol", "Sob", "Wol", "Zab", "Krup", "Lis"],
        endings: &["owski", "ewski", "czyk", "enko", "ov", "ova", "ik", "ak"],
    },
    Origin {
        weight: 0.06,
        female: &[
            "Ingrid",
            "Astrid",
            "Greta",
            "Heidi",
            "Sophie",
            "Amélie",
            "Chloé",
            "Renée",
            "Giulia",
            "Francesca",
            "Chiara",
            "Zoë",
            "Maëlle",
        ],
        male: &[
            "Björn",
            "Søren",
            "Lars",
            "Klaus",
            "Hans",
            "François",
            "Étienne",
            "Pierre",
            "Luca",
            "Marco",
            "Giovanni",
            "Matteo",
            "Jürgen",
        ],
        surnames: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Schröder",
            "Johansson",
            "Andersson",
            "Lindqvist",
            "Nilsen",
            "Dubois",
            "Lefèvre",
            "Moreau",
            "Côté",
            "Girard",
            "Rossi",
            "Russo",
            "Ferrari",
            "Esposito",
            "Bianchi",
            "Romano",
            "Van der Berg",
            "De Vries",
            "Jansen",
        ],
        roots: &[
            "Brand", "Eich", "Falk", "Gross", "Hof", "Kirch", "Lang", "Stein", "Wald", "Berg", "Bell", "Mont", "Ros",
            "Vill",
        ],
        endings: &["mann", "berg", "feld", "hauser", "ström", "sson", "ier", "eau", "ini", "etti", "ello"],
    },
    Origin {
        weight: 0.04,
        female: &["Siobhán", "Aoife", "Niamh", "Saoirse", "Ciara", "Róisín", "Eilidh", "Fiona", "Mairead", "Orla"],
        male: &["Seán", "Ciarán", "Liam", "Declan", "Eoin", "Pádraig", "Callum", "Angus", "Ruairí", "Cormac"],
        surnames: &[
            "O'Brien",
            "O'Connor",
            "O'Sullivan",
            "O'Neill",
            "McDonald",
            "MacLeod",
            "McCarthy",
            "Murphy",
            "Byrne",
            "Gallagher",
            "MacKenzie",
            "Fitzgerald",
            "Ó Briain",
            "McLaughlin",
            "O'Donnell",
        ],
        roots: &["O'Dal", "O'Ke", "Mac", "Mc", "O'Fl", "O'Sh"],
        endings: &["aghan", "eefe", "Kinnon", "Grath", "aherty", "ea", "Intyre", "Cormack"],
    },
];

/// Near-identical names that twins are sometimes given.
/// The twins' sex: `true` for girls.
pub const TWIN_NAMES: &[(&str, &str, bool)] = &[
    ("Jayden", "Jaden", false),
    ("Aiden", "Aidan", false),
    ("Madison", "Madeline", true),
    ("Kayla", "Kaylee", true),
    ("Ethan", "Evan", false),
    ("Mia", "Maya", true),
    ("Brianna", "Breanna", true),
    ("Caleb", "Carter", false),
];

pub const STREETS: &[&str] = &[
    "Main",
    "Oak",
    "Maple",
    "Cedar",
    "Elm",
    "Pine",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Walnut",
    "Sunset",
    "Lincoln",
    "Jackson",
    "Church",
    "River",
    "Spring",
    "Ridge",
    "Highland",
    "Meadow",
    "Forest",
    "Chestnut",
    "Willow",
    "Franklin",
    "Jefferson",
    "Madison",
    "Adams",
    "Center",
    "Mill",
    "Union",
    "Broad",
    "High",
    "Market",
    "Prospect",
    "Summit",
    "Valley",
    "Orchard",
    "Birch",
    "Cherry",
    "Dogwood",
];

/// Street types: the long form and the abbreviation exports mix.
pub const STREET_TYPES: &[(&str, &str)] = &[
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Drive", "Dr"),
    ("Lane", "Ln"),
    ("Court", "Ct"),
    ("Boulevard", "Blvd"),
    ("Place", "Pl"),
];

/// Towns with their state and ZIP code (some with the leading zero that
/// numeric spreadsheet cells lose).
pub const TOWNS: &[(&str, &str, &str)] = &[
    ("Columbus", "OH", "43215"),
    ("Dublin", "OH", "43017"),
    ("Westerville", "OH", "43081"),
    ("Springfield", "IL", "62701"),
    ("Madison", "WI", "53703"),
    ("Boston", "MA", "02118"),
    ("Cambridge", "MA", "02139"),
    ("Newark", "NJ", "07102"),
    ("Trenton", "NJ", "08608"),
    ("Hartford", "CT", "06103"),
    ("Albany", "NY", "12207"),
    ("Buffalo", "NY", "14202"),
    ("Pittsburgh", "PA", "15222"),
    ("Richmond", "VA", "23219"),
    ("Raleigh", "NC", "27601"),
    ("Atlanta", "GA", "30303"),
    ("Nashville", "TN", "37203"),
    ("Louisville", "KY", "40202"),
    ("Indianapolis", "IN", "46204"),
    ("Detroit", "MI", "48226"),
    ("Minneapolis", "MN", "55401"),
    ("Des Moines", "IA", "50309"),
    ("Omaha", "NE", "68102"),
    ("Denver", "CO", "80202"),
    ("Phoenix", "AZ", "85004"),
    ("Albuquerque", "NM", "87102"),
    ("Salt Lake City", "UT", "84101"),
    ("Boise", "ID", "83702"),
    ("Portland", "OR", "97204"),
    ("Sacramento", "CA", "95814"),
];

/// Every name the generator uses, stored once, in the spellings the legacy
/// systems store: ASCII only, and what Windows-1252 holds.
pub struct NamePool {
    names: Vec<Spellings>,
    index: HashMap<&'static str, u32>,
    /// Per origin: female, male and surname indexes, and surname weights.
    pub origins: Vec<OriginPool>,
    pub origin_weights: Weighted,
    /// Formal given name index → its nicknames' indexes.
    nicknames: HashMap<u32, Vec<u32>>,
}

pub struct Spellings {
    pub ascii: String,
    pub windows_1252: String,
}

pub struct OriginPool {
    pub female: Vec<u32>,
    pub male: Vec<u32>,
    pub common_surnames: Vec<u32>,
    pub common_weights: Weighted,
    pub rare_surnames: Vec<u32>,
}

/// Share of people whose surname comes from the common list (the rest get
/// one of the rarer, built ones), and the Zipf exponent within the list:
/// together they make the commonest surname about 1% of people, as Smith is
/// in the US.
const COMMON_SURNAME_SHARE: f64 = 0.35;
const SURNAME_ZIPF: f64 = 0.6;
const NICKNAMES: &str = include_str!("../../mappings/nicknames.csv");

impl NamePool {
    pub fn new() -> NamePool {
        let mut pool = NamePool {
            names: Vec::new(),
            index: HashMap::new(),
            origins: Vec::new(),
            origin_weights: Weighted::new(ORIGINS.iter().map(|origin| origin.weight)),
            nicknames: HashMap::new(),
        };
        for origin in ORIGINS {
            let female = origin.female.iter().map(|name| pool.intern(name)).collect();
            let male = origin.male.iter().map(|name| pool.intern(name)).collect();
            let common_surnames: Vec<u32> = origin.surnames.iter().map(|name| pool.intern(name)).collect();
            let mut rare_surnames = Vec::new();
            for root in origin.roots {
                for ending in origin.endings {
                    rare_surnames.push(pool.intern_owned(format!("{root}{ending}")));
                }
            }
            pool.origins.push(OriginPool {
                female,
                male,
                common_weights: Weighted::zipf(common_surnames.len(), SURNAME_ZIPF),
                common_surnames,
                rare_surnames,
            });
        }
        for (a, b, _) in TWIN_NAMES {
            pool.intern(a);
            pool.intern(b);
        }
        pool.load_nicknames();
        pool
    }

    fn intern(&mut self, name: &'static str) -> u32 {
        if let Some(&index) = self.index.get(name) {
            return index;
        }
        let index = self.intern_owned(name.to_string());
        self.index.insert(name, index);
        index
    }

    fn intern_owned(&mut self, name: String) -> u32 {
        self.names.push(Spellings { ascii: ascii(&name), windows_1252: windows_1252(&name) });
        (self.names.len() - 1) as u32
    }

    fn load_nicknames(&mut self) {
        let known: HashMap<String, u32> = self
            .names
            .iter()
            .enumerate()
            .map(|(index, spellings)| (spellings.ascii.to_lowercase(), index as u32))
            .collect();
        for line in NICKNAMES.lines().skip(1) {
            let mut parts = line.trim().split(',');
            let (Some(formal), Some(_), Some(nickname)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let Some(&formal_index) = known.get(formal) else { continue };
            // Only nicknames a person would write: whole words, capitalised.
            if nickname.len() < 2 || !nickname.chars().all(|c| c.is_ascii_lowercase()) {
                continue;
            }
            let capitalised = format!("{}{}", nickname[..1].to_uppercase(), &nickname[1..]);
            let nickname_index = match known.get(nickname) {
                Some(&index) => index,
                None => self.intern_owned(capitalised),
            };
            self.nicknames.entry(formal_index).or_default().push(nickname_index);
        }
    }

    pub fn spellings(&self, index: u32) -> &Spellings {
        &self.names[index as usize]
    }

    pub fn find(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    pub fn nicknames(&self, formal: u32) -> &[u32] {
        self.nicknames.get(&formal).map_or(&[], Vec::as_slice)
    }

    pub fn surname(&self, origin: usize, rng: &mut Rng) -> u32 {
        let pool = &self.origins[origin];
        if rng.chance(COMMON_SURNAME_SHARE) {
            pool.common_surnames[pool.common_weights.draw(rng)]
        } else {
            *rng.pick(&pool.rare_surnames)
        }
    }
}

impl Default for NamePool {
    fn default() -> NamePool {
        NamePool::new()
    }
}

/// Accents and letters outside ASCII replaced: what a system limited to
/// ASCII stores.
pub fn ascii(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut folded = String::with_capacity(text.len());
    for character in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match character {
            'ø' | 'ó' => folded.push('o'),
            'Ø' => folded.push('O'),
            'ł' => folded.push('l'),
            'Ł' => folded.push('L'),
            'ß' => folded.push_str("ss"),
            'đ' => folded.push('d'),
            c if c.is_ascii() => folded.push(c),
            _ => {}
        }
    }
    folded
}

/// What Windows-1252 can hold stays; other letters lose their accent.
pub fn windows_1252(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut buffer = [0u8; 4];
            let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buffer));
            if unmappable { ascii(&c.to_string()) } else { c.to_string() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_for_old_systems() {
        assert_eq!(ascii("Łukasz Wiśniewski"), "Lukasz Wisniewski");
        assert_eq!(ascii("Søren O'Brien"), "Soren O'Brien");
        assert_eq!(windows_1252("Łukasz Müller"), "Lukasz Müller");
        assert_eq!(windows_1252("Dvořák"), "Dvorák");
    }

    #[test]
    fn pool_knows_nicknames_of_formal_names() {
        let pool = NamePool::new();
        let robert = pool.find("Robert").unwrap();
        let nicknames: Vec<&str> =
            pool.nicknames(robert).iter().map(|&index| pool.spellings(index).ascii.as_str()).collect();
        assert!(nicknames.contains(&"Bob"), "{nicknames:?}");
        assert!(pool.origins.iter().all(|origin| origin.rare_surnames.len() >= 40));
    }
}
