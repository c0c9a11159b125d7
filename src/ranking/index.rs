//! The tantivy index of the catalog: names, aliases, descriptions, what each action and
//! trigger does and the phrases that ask for it, the example prompts. Built once at start
//! in RAM; one reader for the process and a searcher per request.
//!
//! Everything sits in one field, the names repeated so that they weigh more. One plain
//! term query per word (no per-field boost wrappers) lets tantivy prune with block-max
//! WAND, which keeps a search fast on a catalog of thousands of connectors.

use crate::catalog::Catalog;
use crate::intent::lexicon::{Lexicon, List};
use rustc_hash::FxHashSet as HashSet;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TEXT};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// How many times a part of an entry is written into the searchable text: names and
/// aliases count most, example prompts least (once).
const NAME_WEIGHT: usize = 3;
const ALIAS_WEIGHT: usize = 2;
const PHRASE_WEIGHT: usize = 2;

/// A word found in more than this share of the catalog is too common to rank by.
const COMMON_SHARE: f64 = 0.25;

pub struct CatalogIndex {
    reader: IndexReader,
    /// Words that say nothing about which tool a request needs (the lexicon's list).
    stopwords: HashSet<String>,
    text: Field,
    analyzer: TextAnalyzer,
}

/// One search hit: the connector's position in the catalog and its BM25 score.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub connector: usize,
    pub score: f32,
}

fn repeat(text: &str, times: usize) -> String {
    vec![text; times].join(" ; ")
}

impl CatalogIndex {
    pub fn build(catalog: &Catalog, lexicon: &Lexicon) -> tantivy::Result<Self> {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let idx = builder.add_u64_field("idx", FAST);
        let index = Index::create_in_ram(builder.build());
        // tantivy's default tokenizer, without stemming: stemming would merge "sheets" and
        // "sheet" but also "post" and "posting", which the signals around it handle better.
        let analyzer = index.tokenizer_for_field(text)?;
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
        for (i, c) in catalog.iter().enumerate() {
            let aliases: Vec<&str> = c
                .aliases
                .iter()
                .chain(&c.ambiguous_aliases)
                .chain(&c.case_sensitive_aliases)
                .map(String::as_str)
                .collect();
            let mut phrases = Vec::new();
            for op in c.operations() {
                phrases.push(op.name.as_str());
                phrases.extend(op.phrases.iter().map(String::as_str));
            }
            let descriptions: Vec<&str> = c.operations().map(|op| op.description.as_str()).collect();
            let body = [
                repeat(&c.name, NAME_WEIGHT),
                repeat(&aliases.join(" ; "), ALIAS_WEIGHT),
                repeat(&phrases.join(" ; "), PHRASE_WEIGHT),
                c.description.clone(),
                descriptions.join(" ; "),
                c.category.label().to_owned(),
                c.example_prompts.join(" ; "),
            ]
            .join(" ; ");
            let mut doc = TantivyDocument::default();
            doc.add_text(text, body);
            doc.add_u64(idx, i as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let stopwords = lexicon.english().list(List::SearchStopwords).clone();
        Ok(Self { reader, stopwords, text, analyzer })
    }

    /// The request's words as index terms, stopwords removed, each once.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut terms: Vec<String> = Vec::new();
        while stream.advance() {
            let t = &stream.token().text;
            if t.len() > 1 && !self.stopwords.contains(t.as_str()) && !terms.contains(t) {
                terms.push(t.clone());
            }
        }
        terms
    }

    /// BM25 over the catalog; best first.
    pub fn search(&self, text: &str, limit: usize) -> tantivy::Result<Vec<Hit>> {
        let terms = self.terms(text);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        // Words in more than a quarter of the catalog weigh almost nothing under BM25 but
        // cost the most to score: leave them out (unless nothing else is left).
        let docs = searcher.num_docs().max(1) as f64;
        let mut keyed: Vec<(Term, f64)> = Vec::with_capacity(terms.len());
        for word in &terms {
            let term = Term::from_field_text(self.text, word);
            let share = searcher.doc_freq(&term)? as f64 / docs;
            keyed.push((term, share));
        }
        if keyed.iter().any(|(_, share)| *share <= COMMON_SHARE) {
            keyed.retain(|(_, share)| *share <= COMMON_SHARE);
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = keyed
            .into_iter()
            .map(|(term, _)| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        let mut columns = std::collections::HashMap::new();
        for (score, addr) in top {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(searcher.segment_reader(addr.segment_ord).fast_fields().u64("idx")?)
                }
            };
            if let Some(i) = column.first(addr.doc_id) {
                hits.push(Hit { connector: i as usize, score });
            }
        }
        Ok(hits)
    }
}
