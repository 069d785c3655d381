//! How firm names and texts are cut into terms. Three cuts, because Chinese firm names are
//! searched three ways: by word (jieba: 船舶, 集团), by any run of characters inside the name
//! (character grams: 舶集 finds 中国船舶集团), and by the usual abbreviation that takes the first
//! character of each word (中船 for 中国船舶, 中石化 for 中国石油化工).

use std::sync::LazyLock;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// One dictionary for every cut: loading it takes a tenth of a second and some megabytes.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Characters that carry meaning: letters, digits and CJK; ASCII letters lower-cased.
fn kept(c: char) -> Option<char> {
    // The common ideographs first: `is_alphanumeric` looks them up in a table, a second of a
    // million firms' indexing.
    if ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_alphanumeric() {
        Some(c.to_ascii_lowercase())
    } else {
        None
    }
}

/// jieba's words in search mode (the long words and the shorter ones inside them), without
/// punctuation, lower-cased.
pub fn words(text: &str) -> Vec<String> {
    kept_words(JIEBA.cut_for_search(text, true))
}

/// jieba's plain cut of what was typed: a dictionary word stays one word. The index holds the
/// search-mode cut, which has each long word and the shorter ones inside it, so a firm holding
/// a word holds its parts too; asking for the parts as well would find the same firms, only
/// with more postings to intersect.
pub fn typed_words(text: &str) -> Vec<String> {
    kept_words(JIEBA.cut(text, true))
}

fn kept_words(tokens: Vec<jieba_rs::Token<'_>>) -> Vec<String> {
    tokens
        .into_iter()
        .map(|t| t.word.chars().filter_map(kept).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The longest run of characters kept as one term of the name's grams; a longer run is a
/// phrase of such terms.
pub const GRAM: usize = 4;

/// The kept characters of `text`, in order.
pub fn characters(text: &str) -> Vec<char> {
    text.chars().filter_map(kept).collect()
}

/// jieba's words of a name (no guessing at unknown words): the plain cut, or in search mode
/// the shorter words inside long ones too; each with the position of its first kept character.
fn name_words(name: &str, search: bool) -> Vec<(usize, &str, Vec<char>)> {
    let mut before = Vec::with_capacity(name.len());
    let mut count = 0;
    for c in name.chars() {
        before.push(count);
        count += usize::from(kept(c).is_some());
    }
    let tokens = if search {
        JIEBA.cut_for_search(name, false)
    } else {
        JIEBA.cut(name, false)
    };
    tokens
        .into_iter()
        .filter_map(|token| {
            let word: Vec<char> = token.word.chars().filter_map(kept).collect();
            let at = before.get(token.start).copied()?;
            (!word.is_empty()).then_some((at, token.word, word))
        })
        .collect()
}

/// Words that say what kind of company a firm is, not which: left out of abbreviations.
const LEGAL_FORMS: [&str; 6] = [
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "股份",
    "分公司",
    "公司",
];

/// How many of the last `chars` are a legal form (the longest of [`LEGAL_FORMS`] the name ends
/// with), 0 if none.
fn legal_form(chars: &[char]) -> usize {
    // Compared in place: this runs for every firm indexed.
    LEGAL_FORMS
        .iter()
        .map(|form| (form, form.chars().count()))
        .filter(|&(form, n)| {
            n < chars.len() && chars[chars.len() - n..].iter().copied().eq(form.chars())
        })
        .map(|(_, n)| n)
        .max()
        .unwrap_or(0)
}

/// The abbreviations a name is known by: the first characters of its words (four-character
/// words count as two words, as 石油化工 is 石油 and 化工), every run of two to four of them.
pub fn abbreviations(name: &str) -> Vec<String> {
    let mut initials: Vec<char> = Vec::new();
    for (_, raw, word) in name_words(name, false) {
        if LEGAL_FORMS.contains(&raw) {
            continue;
        }
        initials.push(word[0]);
        if word.len() == 4 {
            initials.push(word[2]);
        }
    }
    let mut out = Vec::new();
    for start in 0..initials.len() {
        for len in 2..=4 {
            if start + len <= initials.len() {
                out.push(initials[start..start + len].iter().collect());
            }
        }
    }
    out
}

/// The terms of one cut, handed to tantivy as a stream.
pub struct Terms {
    tokens: Vec<Token>,
    next: usize,
}

impl Terms {
    fn new(tokens: Vec<Token>) -> Self {
        Terms { tokens, next: 0 }
    }
}

impl TokenStream for Terms {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

fn token(position: usize, text: String) -> Token {
    Token {
        offset_from: 0,
        offset_to: 0,
        position,
        text,
        position_length: 1,
    }
}

/// Terms at positions 0, 1, 2…
fn numbered(terms: Vec<String>) -> Terms {
    Terms::new(
        terms
            .into_iter()
            .enumerate()
            .map(|(i, w)| token(i, w))
            .collect(),
    )
}

/// jieba words, one position each.
#[derive(Clone, Default)]
pub struct WordCut;

impl Tokenizer for WordCut {
    type TokenStream<'a> = Terms;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Terms {
        numbered(words(text))
    }
}

/// Every run of one to [`GRAM`] characters, each at its first character's position: a run
/// typed that short is one term (a union of such terms is cheap to rank), and a longer one is
/// a phrase of runs that matches exactly that run of characters anywhere in the name. Each
/// word of the name (up to [`GRAM`] characters) is there a second time, so a run that is a
/// whole word ranks above the same characters across or inside words (石油 in 中国石油化工
/// above 油化), with no field of words to search beside the runs.
#[derive(Clone, Default)]
pub struct GramCut;

impl Tokenizer for GramCut {
    type TokenStream<'a> = Terms;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Terms {
        let chars = characters(text);
        let mut tokens = Vec::with_capacity(chars.len() * (GRAM + 1));
        // Runs inside the legal form that ends a name (有限公司, 股份有限公司…) say nothing of
        // which firm it is, and nearly every firm has them, so each is a posting list nearly
        // as long as the index (a quarter of a typical name's runs). The form's words stay
        // (below), so 有限公司 or 公司 still match.
        let form = legal_form(&chars);
        for i in 0..chars.len() - form {
            for end in i + 1..=(i + GRAM).min(chars.len()) {
                tokens.push(token(i, chars[i..end].iter().collect()));
            }
        }
        for (at, _, word) in name_words(text, true) {
            if word.len() <= GRAM {
                tokens.push(token(at, word.into_iter().collect()));
            }
        }
        tokens.sort_by_key(|t| t.position);
        Terms::new(tokens)
    }
}

/// The abbreviations of a name.
#[derive(Clone, Default)]
pub struct AbbreviationCut;

impl Tokenizer for AbbreviationCut {
    type TokenStream<'a> = Terms;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Terms {
        numbered(abbreviations(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_take_the_first_character_of_each_word() {
        let of = abbreviations("中国船舶集团有限公司");
        assert!(of.contains(&"中船".to_owned()), "{of:?}");
        assert!(of.contains(&"中船集".to_owned()), "{of:?}");
        assert!(
            !of.iter().any(|a| a.contains('有')),
            "legal forms left out: {of:?}"
        );
        let of = abbreviations("中国石油化工股份有限公司");
        assert!(of.contains(&"中石化".to_owned()), "{of:?}");
    }

    fn grams(text: &str) -> Vec<(usize, String)> {
        let mut cut = GramCut;
        let mut stream = cut.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().position, stream.token().text.clone()));
        }
        seen
    }

    #[test]
    fn a_whole_word_of_the_name_is_a_gram_twice() {
        let seen = grams("中国石油化工股份有限公司");
        let count = |p: usize, t: &str| seen.iter().filter(|s| **s == (p, t.to_owned())).count();
        assert_eq!(count(0, "中国"), 2, "{seen:?}");
        assert_eq!(count(2, "石油化工"), 2, "{seen:?}");
        assert_eq!(count(2, "石油"), 2, "a word inside a longer one: {seen:?}");
        assert_eq!(count(3, "油化"), 1, "across two words: {seen:?}");
        let seen = grams("江南造船（集团）有限责任公司");
        let count = |p: usize, t: &str| seen.iter().filter(|s| **s == (p, t.to_owned())).count();
        assert_eq!(count(4, "集团"), 2, "positions skip punctuation: {seen:?}");
    }

    #[test]
    fn grams_put_each_run_at_its_first_characters_position() {
        let at = |p: usize, t: &str| (p, t.to_owned());
        assert_eq!(
            grams("中国船舶 A"),
            vec![
                at(0, "中"),
                at(0, "中国"),
                at(0, "中国船"),
                at(0, "中国船舶"),
                at(0, "中国"),
                at(1, "国"),
                at(1, "国船"),
                at(1, "国船舶"),
                at(1, "国船舶a"),
                at(2, "船"),
                at(2, "船舶"),
                at(2, "船舶a"),
                at(2, "船舶"),
                at(3, "舶"),
                at(3, "舶a"),
                at(4, "a"),
                at(4, "a"),
            ]
        );
    }

    #[test]
    fn the_legal_form_keeps_its_words_not_its_runs() {
        let seen = grams("龙煤船舶有限公司");
        let has = |t: &str| seen.iter().any(|(_, s)| s == t);
        assert!(has("舶有限公"), "a run into the form stays: {seen:?}");
        assert!(
            has("有限公司") && has("公司"),
            "the form's words stay: {seen:?}"
        );
        assert!(
            !has("限公") && !has("限"),
            "runs inside the form go: {seen:?}"
        );
        assert!(seen.iter().all(|(p, _)| *p < 8), "{seen:?}");
        // The longest form the name ends with; a name that is only a form keeps its runs.
        let seen = grams("中国石油化工股份有限公司");
        assert!(!seen.iter().any(|(_, s)| s == "份有"), "{seen:?}");
        assert!(seen.iter().any(|(_, s)| s == "化工股份"), "{seen:?}");
        assert!(grams("公司").iter().any(|(_, s)| s == "司"));
    }

    #[test]
    fn a_typed_dictionary_word_stays_whole() {
        assert_eq!(typed_words("玄武岩"), vec!["玄武岩".to_owned()]);
        assert!(words("玄武岩").len() > 1, "the index holds the parts too");
        assert_eq!(typed_words("船舶-A"), vec!["船舶", "a"]);
    }
}
