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
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

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
    /// Words in more than `COMMON_SHARE` of the catalog. The index never changes after
    /// it is built, so this is known once instead of looked up for each word of each
    /// request.
    common: HashSet<String>,
    /// Each document's connector, by segment and document id: what the `idx` fast field
    /// says, read once at build for the same reason.
    connector_of: Vec<Vec<Option<usize>>>,
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
        let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let stopwords = lexicon.english().list(List::SearchStopwords).clone();
        let searcher = reader.searcher();
        let common = common_words(&searcher, text)?;
        let connector_of = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let column = segment.fast_fields().u64("idx")?;
                Ok((0..segment.max_doc()).map(|doc| column.first(doc).map(|i| i as usize)).collect())
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(Self { reader, stopwords, common, connector_of, text, analyzer })
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
        // Words in more than a quarter of the catalog weigh almost nothing under BM25 but
        // cost the most to score: leave them out (unless nothing else is left).
        let all_common = terms.iter().all(|word| self.common.contains(word));
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .filter(|word| all_common || !self.common.contains(*word))
            .map(|word| {
                let term = Term::from_field_text(self.text, word);
                let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let connector =
                self.connector_of.get(addr.segment_ord as usize).and_then(|docs| docs.get(addr.doc_id as usize));
            if let Some(&Some(i)) = connector {
                hits.push(Hit { connector: i, score });
            }
        }
        Ok(hits)
    }
}

/// The words of the `text` field found in more than `COMMON_SHARE` of the documents.
fn common_words(searcher: &Searcher, text: Field) -> tantivy::Result<HashSet<String>> {
    let docs = searcher.num_docs().max(1) as f64;
    let mut doc_freq: rustc_hash::FxHashMap<Vec<u8>, u64> = Default::default();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(text)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            *doc_freq.entry(stream.key().to_vec()).or_default() += u64::from(stream.value().doc_freq);
        }
    }
    Ok(doc_freq
        .into_iter()
        .filter(|(_, n)| *n as f64 / docs > COMMON_SHARE)
        .filter_map(|(word, _)| String::from_utf8(word).ok())
        .collect())
}
