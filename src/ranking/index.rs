//! The tantivy index of the catalog: names, aliases, descriptions, what each action and
//! trigger does and the phrases that ask for it, the example prompts.
//!
//! Everything sits in one field, the names repeated so that they weigh more. The catalog
//! never changes once the router is built, so tantivy's BM25 score of every word in every
//! document is read out of the index then, as a one-word term query scores it. A request's
//! score for a document is the sum over its words, as a `Should` boolean query's is:
//! adding a few stored numbers instead of building and running that query per request.

use crate::catalog::Catalog;
use crate::intent::lexicon::{Lexicon, List};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use tantivy::directory::RamDirectory;
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TEXT};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocSet, Index, ReloadPolicy, Searcher, TERMINATED, TantivyDocument, Term};

/// How many times a part of an entry is written into the searchable text: names and
/// aliases count most, example prompts least (once).
const NAME_WEIGHT: usize = 3;
const ALIAS_WEIGHT: usize = 2;
const PHRASE_WEIGHT: usize = 2;

/// A word found in more than this share of the catalog is too common to rank by.
const COMMON_SHARE: f64 = 0.25;

/// The indexing memory of the catalog's few thousand words; tantivy sizes its term table
/// from it (a megabyte starts it at 32K entries, and it grows if it must).
const INDEXING_BUDGET: usize = 1_000_000;

pub struct CatalogIndex {
    /// Words that say nothing about which tool a request needs (the lexicon's list).
    stopwords: HashSet<String>,
    /// Words in more than `COMMON_SHARE` of the catalog.
    common: HashSet<String>,
    /// Each word's documents as (connector, the word's BM25 score there), in catalog order.
    impacts: HashMap<String, Vec<(usize, f32)>>,
    /// How many connectors the catalog holds (a document each).
    documents: usize,
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
        // One segment written on this thread: a pooled IndexWriter would start threads and
        // reserve tens of megabytes that the process keeps after start-up.
        let mut writer = Index::builder()
            .schema(builder.build())
            .single_segment_index_writer::<TantivyDocument>(RamDirectory::create(), INDEXING_BUDGET)?;
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
        let index = writer.finalize()?;
        // tantivy's default tokenizer, without stemming: stemming would merge "sheets" and
        // "sheet" but also "post" and "posting", which the signals around it handle better.
        let analyzer = index.tokenizer_for_field(text)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let impacts = impacts(&searcher, text)?;
        let docs = searcher.num_docs().max(1) as f64;
        let common = impacts
            .iter()
            .filter(|(_, found)| found.len() as f64 / docs > COMMON_SHARE)
            .map(|(word, _)| word.clone())
            .collect();
        let stopwords = lexicon.english().list(List::SearchStopwords).clone();
        Ok(Self { stopwords, common, impacts, documents: catalog.len(), analyzer })
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
    pub fn search(&self, text: &str, limit: usize) -> Vec<Hit> {
        let terms = self.terms(text);
        // Words in more than a quarter of the catalog weigh almost nothing under BM25:
        // leave them out (unless nothing else is left).
        let all_common = terms.iter().all(|word| self.common.contains(word));
        // One slot per document: on a catalog of thousands, a word's documents are too many
        // to add up in a map. A BM25 score is above zero, so zero means not found yet.
        let mut scores = vec![0f32; self.documents];
        let mut found: Vec<usize> = Vec::new();
        for word in terms.iter().filter(|word| all_common || !self.common.contains(*word)) {
            for &(connector, score) in self.impacts.get(word).into_iter().flatten() {
                if scores[connector] == 0.0 {
                    found.push(connector);
                }
                scores[connector] += score;
            }
        }
        // Best first; on a tie the earlier document, as tantivy's top documents are.
        let best_first = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
        if 0 < limit && limit < found.len() {
            found.select_nth_unstable_by(limit - 1, best_first);
        }
        found.truncate(limit);
        found.sort_by(best_first);
        found.into_iter().map(|connector| Hit { connector, score: scores[connector] }).collect()
    }
}

/// Every word of the `text` field with the documents that hold it, and tantivy's BM25
/// score of the word in each: what a `TermQuery` for the word gives.
fn impacts(searcher: &Searcher, text: Field) -> tantivy::Result<HashMap<String, Vec<(usize, f32)>>> {
    let mut impacts: HashMap<String, Vec<(usize, f32)>> = HashMap::default();
    for segment in searcher.segment_readers() {
        let connector_of = segment.fast_fields().u64("idx")?;
        let norms = segment.get_fieldnorms_reader(text)?;
        let inverted = segment.inverted_index(text)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let Ok(word) = std::str::from_utf8(stream.key()) else { continue };
            let term = Term::from_field_text(text, word);
            let weight = Bm25Weight::for_terms(searcher, std::slice::from_ref(&term))?;
            let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::WithFreqs)? else { continue };
            let found = impacts.entry(word.to_owned()).or_default();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if let Some(connector) = connector_of.first(doc) {
                    found.push((connector as usize, weight.score(norms.fieldnorm_id(doc), postings.term_freq())));
                }
                doc = postings.advance();
            }
        }
    }
    Ok(impacts)
}
