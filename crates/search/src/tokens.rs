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
    if c.is_alphanumeric() {
        Some(c.to_ascii_lowercase())
    } else {
        None
    }
}

/// jieba's words in search mode (the long words and the shorter ones inside them), without
/// punctuation, lower-cased.
pub fn words(text: &str) -> Vec<String> {
    JIEBA
        .cut_for_search(text, true)
        .into_iter()
        .map(|t| t.word.chars().filter_map(kept).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The kept characters of `text`, in order.
pub fn characters(text: &str) -> Vec<char> {
    text.chars().filter_map(kept).collect()
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

/// The abbreviations a name is known by: the first characters of its words (four-character
/// words count as two words, as 石油化工 is 石油 and 化工), every run of two to four of them.
pub fn abbreviations(name: &str) -> Vec<String> {
    let mut initials: Vec<char> = Vec::new();
    for token in JIEBA.cut(name, false) {
        let word: Vec<char> = token.word.chars().filter_map(kept).collect();
        if word.is_empty() || LEGAL_FORMS.contains(&token.word) {
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

/// Each character and each pair of neighbouring characters, both at the first one's position,
/// so that a phrase of pairs matches exactly a run of characters anywhere in the text.
#[derive(Clone, Default)]
pub struct GramCut;

impl Tokenizer for GramCut {
    type TokenStream<'a> = Terms;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Terms {
        let chars = characters(text);
        let mut tokens = Vec::with_capacity(chars.len() * 2);
        for (i, c) in chars.iter().enumerate() {
            tokens.push(token(i, c.to_string()));
            if let Some(next) = chars.get(i + 1) {
                tokens.push(token(i, [*c, *next].iter().collect()));
            }
        }
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

    #[test]
    fn grams_put_each_pair_at_its_first_characters_position() {
        let mut cut = GramCut;
        let mut stream = cut.token_stream("中船 A");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().position, stream.token().text.clone()));
        }
        assert_eq!(
            seen,
            vec![
                (0, "中".to_owned()),
                (0, "中船".to_owned()),
                (1, "船".to_owned()),
                (1, "船a".to_owned()),
                (2, "a".to_owned()),
            ]
        );
    }
}
