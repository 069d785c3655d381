//! A search box's text and filters as a tantivy query. Every word typed must match somewhere
//! (in the name, a former name or a short name as a run of characters, or as its abbreviation;
//! a credit code whole or its first six or more characters; in the products, the business
//! scope, the tags or the industry's name); name matches weigh most. A category word officials
//! use (清洁能源, 新材料…) also matches the words of its kind ([`CATEGORIES`]). Filters narrow
//! without changing the order.

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RegexQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::Fields;
use crate::tokens::{GRAM, characters, typed_words};

/// What the search narrows to; `None` or empty lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// A GB/T 4754 code: the firms whose industry lies within it (C, C35, C3511).
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    /// 大型, 中型, 小型 or 微型.
    pub size: Option<String>,
    /// Tags every firm must carry (世界500强, 行业龙头…).
    pub flags: Vec<String>,
}

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn scored(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        term(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

/// Every jieba word of `text` in `field`: one term for a dictionary word.
fn all_words(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let mut words = typed_words(text);
    match words.len() {
        0 => None,
        1 => words.pop().map(|w| scored(field, &w)),
        _ => Some(Box::new(BooleanQuery::new(
            words
                .iter()
                .map(|w| (Occur::Must, scored(field, w)))
                .collect(),
        ))),
    }
}

/// Category words as officials type them, and the words of firms' names, products and scopes
/// that belong to each: a firm of any of them is of the category. Fixed here, documented in
/// ARCHITECTURE.md; a firm's own words (its products, its tags) are the way to be found beyond
/// these.
pub const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "清洁能源",
        &[
            "风电",
            "光伏",
            "太阳能",
            "水电",
            "核电",
            "氢能",
            "生物质",
            "地热",
            "储能",
            "新能源",
        ],
    ),
    (
        "新能源",
        &["风电", "光伏", "太阳能", "氢能", "储能", "锂电", "负极材料"],
    ),
    (
        "新材料",
        &["石墨", "石墨烯", "碳纤维", "负极材料", "碳材料"],
    ),
    (
        "绿色食品",
        &["大豆", "水稻", "玉米", "乳业", "肉制品", "粮食", "食品"],
    ),
    ("现代煤化工", &["煤化工", "焦化", "甲醇", "煤制", "焦炭"]),
];

/// `chars` as a run anywhere in `field` (a name): one term up to [`GRAM`] characters, else a
/// phrase of runs that covers it (every [`GRAM`]th character, and the last [`GRAM`]).
fn run(field: Field, chars: &[char]) -> Box<dyn Query> {
    if chars.len() <= GRAM {
        return scored(field, &chars.iter().collect::<String>());
    }
    let mut starts: Vec<usize> = (0..=chars.len() - GRAM).step_by(GRAM).collect();
    if starts.last() != Some(&(chars.len() - GRAM)) {
        starts.push(chars.len() - GRAM);
    }
    let runs = starts
        .into_iter()
        .map(|i| {
            let gram: String = chars[i..i + GRAM].iter().collect();
            (i, term(field, &gram))
        })
        .collect();
    Box::new(PhraseQuery::new_with_offset(runs))
}

/// One typed word: the ways it may match, any of them.
fn word_query(f: &Fields, word: &str) -> Option<Box<dyn Query>> {
    let chars = characters(word);
    if chars.is_empty() {
        return None;
    }
    // Each way a term where it can be, so that one word's ways are a union of terms, which
    // tantivy ranks without scoring every firm that matches (block-max WAND).
    let mut ways: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Should, boosted(run(f.name_grams, &chars), 4.0)),
        (Occur::Should, boosted(run(f.other_names, &chars), 3.0)),
    ];
    let joined: String = chars.iter().collect();
    if (2..=4).contains(&chars.len()) {
        ways.push((Occur::Should, boosted(scored(f.abbreviation, &joined), 4.0)));
    }
    if chars.len() == 18 {
        ways.push((
            Occur::Should,
            boosted(scored(f.credit_code, &joined.to_ascii_uppercase()), 10.0),
        ));
    } else if (6..18).contains(&chars.len()) && joined.chars().all(|c| c.is_ascii_alphanumeric()) {
        // The first characters of a credit code, as an official reads them off a licence:
        // 9135… finds every firm whose code starts so (letters and digits only, so the pattern
        // needs no escaping).
        let pattern = format!("{}.*", joined.to_ascii_uppercase());
        if let Ok(prefix) = RegexQuery::from_pattern(&pattern, f.credit_code) {
            ways.push((Occur::Should, boosted(Box::new(prefix), 10.0)));
        }
    }
    for (field, boost) in [
        (f.products, 2.0),
        (f.tags, 1.5),
        (f.scope, 1.0),
        (f.industry_name, 1.0),
    ] {
        if let Some(q) = all_words(field, word) {
            ways.push((Occur::Should, boosted(q, boost)));
        }
    }
    Some(Box::new(BooleanQuery::new(ways)))
}

/// A typed word, or (a category word) it and the words of its kind, any of them.
fn typed_query(f: &Fields, word: &str) -> Option<Box<dyn Query>> {
    let own = word_query(f, word)?;
    let Some((_, kinds)) = CATEGORIES.iter().find(|(c, _)| *c == word) else {
        return Some(own);
    };
    let mut ways = vec![(Occur::Should, own)];
    for kind in *kinds {
        if let Some(q) = word_query(f, kind) {
            ways.push((Occur::Should, boosted(q, 0.5)));
        }
    }
    Some(Box::new(BooleanQuery::new(ways)))
}

fn filter(field: Field, value: &str) -> (Occur, Box<dyn Query>) {
    let exact = TermQuery::new(term(field, value.trim()), IndexRecordOption::Basic);
    (
        Occur::Must,
        Box::new(ConstScoreQuery::new(Box::new(exact), 0.0)),
    )
}

pub(crate) fn build(f: &Fields, text: &str, filters: &Filters) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = text
        .split_whitespace()
        .filter_map(|w| typed_query(f, w))
        .map(|q| (Occur::Must, q))
        .collect();
    let searched = !clauses.is_empty();
    let values = [
        (f.industry, filters.industry.as_deref()),
        (f.province, filters.province.as_deref()),
        (f.city, filters.city.as_deref()),
        (f.size, filters.size.as_deref()),
    ];
    for (field, value) in values {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            clauses.push(filter(field, v));
        }
    }
    for flag in filters.flags.iter().filter(|v| !v.trim().is_empty()) {
        clauses.push(filter(f.flag, flag));
    }
    if !searched {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    // One word and no filter: its own query, so that a union of terms stays one (tantivy
    // prunes such a union with block-max WAND; wrapped, every match would be scored).
    if clauses.len() == 1 {
        return clauses
            .pop()
            .map(|(_, q)| q)
            .unwrap_or_else(|| Box::new(AllQuery));
    }
    Box::new(BooleanQuery::new(clauses))
}
