//! The tantivy index of the catalog: names, aliases, descriptions, what each action and
//! trigger does and the phrases that ask for it, the example prompts. Built once at start
//! in RAM; one reader for the process and a searcher per request.

use crate::catalog::Catalog;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TEXT};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// Field weights: a name or alias counts most, the example prompts least.
const FIELDS: [(&str, f32); 6] =
    [("name", 3.0), ("aliases", 2.5), ("phrases", 1.5), ("description", 1.0), ("category", 0.8), ("examples", 0.4)];

/// Words that say nothing about which tool a request needs.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "to", "of", "in", "on", "for", "and", "or", "with", "my", "our", "your", "their", "me", "us",
    "it", "is", "are", "be", "this", "that", "these", "those", "from", "into", "at", "by", "as", "when", "whenever",
    "every", "each", "all", "new", "app", "i", "we", "you", "they", "can", "please", "so", "then", "if", "also",
    "using", "use", "via", "about", "any", "some", "get", "make", "have", "has", "do", "will", "would", "should",
    "let", "want", "need", "like",
];

pub struct CatalogIndex {
    reader: IndexReader,
    fields: Vec<(Field, f32)>,
    analyzer: TextAnalyzer,
}

/// One search hit: the connector's position in the catalog and its BM25 score.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub connector: usize,
    pub score: f32,
}

impl CatalogIndex {
    pub fn build(catalog: &Catalog) -> tantivy::Result<Self> {
        let mut builder = Schema::builder();
        let fields: Vec<(Field, f32)> =
            FIELDS.iter().map(|(name, boost)| (builder.add_text_field(name, TEXT), *boost)).collect();
        let idx = builder.add_u64_field("idx", FAST);
        let index = Index::create_in_ram(builder.build());
        // Text fields use tantivy's default tokenizer; stemming would merge "sheets" and
        // "sheet" but also "post" and "posting", which the signals above handle better.
        let analyzer = index.tokenizer_for_field(fields[0].0)?;
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        for (i, c) in catalog.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields[0].0, &c.name);
            let aliases: Vec<&str> = c
                .aliases
                .iter()
                .chain(&c.ambiguous_aliases)
                .chain(&c.case_sensitive_aliases)
                .map(String::as_str)
                .collect();
            doc.add_text(fields[1].0, aliases.join(" ; "));
            let mut phrases = Vec::new();
            for op in c.operations() {
                phrases.push(op.name.as_str());
                phrases.push(op.description.as_str());
                phrases.extend(op.phrases.iter().map(String::as_str));
            }
            doc.add_text(fields[2].0, phrases.join(" ; "));
            doc.add_text(fields[3].0, &c.description);
            doc.add_text(fields[4].0, c.category.label());
            doc.add_text(fields[5].0, c.example_prompts.join(" ; "));
            doc.add_u64(idx, i as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { reader, fields, analyzer })
    }

    /// The request's words as index terms, stopwords removed, each once.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut terms: Vec<String> = Vec::new();
        while stream.advance() {
            let t = &stream.token().text;
            if t.len() > 1 && !STOPWORDS.contains(&t.as_str()) && !terms.contains(t) {
                terms.push(t.clone());
            }
        }
        terms
    }

    /// BM25 over all fields, weighted; best first.
    pub fn search(&self, text: &str, limit: usize) -> tantivy::Result<Vec<Hit>> {
        let terms = self.terms(text);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(terms.len() * self.fields.len());
        for term in &terms {
            for (field, boost) in &self.fields {
                let q = TermQuery::new(Term::from_field_text(*field, term), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), *boost))));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let column = searcher.segment_reader(addr.segment_ord).fast_fields().u64("idx")?;
            if let Some(i) = column.first(addr.doc_id) {
                hits.push(Hit { connector: i as usize, score });
            }
        }
        Ok(hits)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}
