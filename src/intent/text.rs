//! Words of a request, with their place and case: the one tokenisation every later step
//! (names, schedules, needs, data) shares, so that a span found by one step means the same
//! words to another.

/// One word: letters and digits (any script), joined across `.` inside a word
/// ("monday.com", "x.com") and across `-` or `_` ("to-do", "google_sheets").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Lowercase form.
    pub lower: String,
    /// As typed.
    pub raw: String,
    /// Byte range in the request.
    pub start: usize,
    pub end: usize,
    /// The character just before the word, when it is `#` (a channel) or `@`.
    pub sigil: Option<char>,
    /// First word of a sentence (its capital letter says nothing).
    pub sentence_start: bool,
}

impl Token {
    pub fn is_capitalized(&self) -> bool {
        self.raw.chars().next().is_some_and(char::is_uppercase)
    }

    /// "PDF", "CRM": all letters uppercase, more than one letter.
    pub fn is_acronym(&self) -> bool {
        let letters: Vec<char> = self.raw.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() > 1 && letters.iter().all(|c| c.is_uppercase())
    }

    pub fn is_number(&self) -> bool {
        self.lower.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ':')
    }
}

/// The request split into tokens, plus facts about the whole text.
#[derive(Clone, Debug)]
pub struct Text {
    pub original: String,
    /// `fold(original)`: the same length, so byte offsets carry over between the two.
    pub lower: String,
    pub tokens: Vec<Token>,
    /// Most content words start with a capital ("Send Real-Time Alerts To Slack"): then a
    /// capital letter does not mark a name.
    pub title_case: bool,
}

/// Lower-cases `text` without moving a single byte: a character whose lowercase form has
/// another UTF-8 length (the Kelvin sign 'K', 'ẞ', 'Ⱥ', 'Ⱦ', 'İ') is kept as typed. So an
/// offset found in the folded text is the same offset in the original, and every slice of
/// one by the other's offsets lands on a character boundary.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
            _ => out.push(c),
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

impl Text {
    pub fn new(original: &str) -> Self {
        let lower = fold(original);
        let tokens = tokenize(original, &lower);
        let title_case = title_case(&tokens);
        Self { original: original.to_owned(), lower, tokens, title_case }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The lowercase word at `i`, or "" past either end.
    pub fn word(&self, i: isize) -> &str {
        if i < 0 {
            return "";
        }
        self.tokens.get(i as usize).map(|t| t.lower.as_str()).unwrap_or("")
    }

    /// Index of the token that contains byte `offset`.
    pub fn token_at(&self, offset: usize) -> Option<usize> {
        self.tokens.iter().position(|t| t.start <= offset && offset < t.end)
    }

    /// Tokens fully inside the byte range.
    pub fn tokens_in(&self, start: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
        self.tokens.iter().enumerate().filter(move |(_, t)| t.start >= start && t.end <= end).map(|(i, _)| i)
    }
}

/// `lower` is `fold(text)`: folding keeps every offset, so a word's folded form is the
/// same span of it.
fn tokenize(text: &str, lower: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let mut sentence_start = true;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !is_word_char(c) {
            if matches!(c, '.' | '!' | '?' | ':' | ';' | '\n' | '|' | '—') {
                sentence_start = true;
            }
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() {
            let (_, cj) = chars[j];
            let joins = matches!(cj, '.' | '-' | '_') && j + 1 < chars.len() && is_word_char(chars[j + 1].1) && j > i;
            if is_word_char(cj) || joins {
                j += 1;
            } else {
                break;
            }
        }
        let end = if j < chars.len() { chars[j].0 } else { text.len() };
        let raw = &text[start..end];
        let sigil = if i > 0 && matches!(chars[i - 1].1, '#' | '@') { Some(chars[i - 1].1) } else { None };
        tokens.push(Token {
            lower: lower[start..end].to_owned(),
            raw: raw.to_owned(),
            start,
            end,
            sigil,
            sentence_start,
        });
        sentence_start = false;
        i = j;
    }
    tokens
}

fn title_case(tokens: &[Token]) -> bool {
    let content: Vec<&Token> = tokens
        .iter()
        .filter(|t| {
            !t.sentence_start && t.raw.chars().count() >= 4 && t.raw.chars().all(char::is_alphabetic) && !t.is_acronym()
        })
        .collect();
    if content.len() < 3 {
        return false;
    }
    let capitalized = content.iter().filter(|t| t.is_capitalized()).count();
    capitalized * 10 >= content.len() * 7
}

/// Folds a name or alias to the words it is made of: "Monday.com" → ["monday", "com"],
/// "google_sheets" → ["google", "sheets"].
pub fn words_of(phrase: &str) -> Vec<String> {
    phrase.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// A word with common plural endings removed: "tasks" → "task", "entries" → "entry".
pub fn singular(word: &str) -> String {
    if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if word.len() > 4
        && (word.ends_with("ches") || word.ends_with("shes") || word.ends_with("sses") || word.ends_with("xes"))
    {
        word[..word.len() - 2].to_owned()
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowers(t: &Text) -> Vec<&str> {
        t.tokens.iter().map(|t| t.lower.as_str()).collect()
    }

    #[test]
    fn words_keep_dots_and_hyphens_inside_them() {
        let t = Text::new("Send my to-do list to Monday.com, then #team-updates!");
        assert_eq!(lowers(&t), ["send", "my", "to-do", "list", "to", "monday.com", "then", "team-updates"]);
        assert_eq!(t.tokens[7].sigil, Some('#'));
    }

    #[test]
    fn possessives_split_off() {
        let t = Text::new("Post to Slack's #general");
        assert_eq!(lowers(&t), ["post", "to", "slack", "s", "general"]);
    }

    #[test]
    fn title_case_text_is_recognised() {
        assert!(Text::new("Send Real Time Notifications About New Orders To Slack").title_case);
        assert!(!Text::new("Send a message to Linear when the order ships").title_case);
    }

    #[test]
    fn sentences_start_after_stops() {
        let t = Text::new("Hi there. Box it up");
        assert!(t.tokens[0].sentence_start && t.tokens[2].sentence_start && !t.tokens[3].sentence_start);
    }

    #[test]
    fn folding_keeps_every_offset_of_the_original() {
        for s in ["when created \u{212A}", "\u{1E9E}tra\u{1E9E}e \u{130}stanbul \u{23A}\u{23E}", "Ünïcödé ÉTÉ"] {
            let f = fold(s);
            assert_eq!(f.len(), s.len());
            assert!(s.char_indices().all(|(i, _)| f.is_char_boundary(i)));
        }
        assert_eq!(fold("Gmail ÉTÉ"), "gmail été");
    }

    #[test]
    fn singular_forms() {
        assert_eq!(singular("tasks"), "task");
        assert_eq!(singular("entries"), "entry");
        assert_eq!(singular("boxes"), "box");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("address"), "address");
    }
}
