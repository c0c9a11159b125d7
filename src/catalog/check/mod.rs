//! `patchbay catalog check`: every rule a catalog file must keep, each problem reported
//! with its file and line so that a person can go straight to it.

mod auth;
mod binding;
mod poll;

use super::ids::KNOWN_IDS;
use super::model::Connector;
use auth::check_auth;
pub use binding::{MIME_INPUTS, REQUEST_COMPUTED, SANDBOX_COMPUTED};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// One catalog file as read from disk (or embedded in the binary).
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path shown in problems, e.g. `catalog/connectors/gmail.toml`.
    pub path: String,
    pub text: String,
}

impl SourceFile {
    /// The file name without `.toml`: what the connector id must equal.
    pub fn stem(&self) -> &str {
        let name = self.path.rsplit(['/', '\\']).next().unwrap_or(&self.path);
        name.strip_suffix(".toml").unwrap_or(name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based; `None` for problems about the catalog as a whole (a missing file).
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Parses and checks every file; returns the connectors that parsed and every problem.
pub fn check(files: &[SourceFile]) -> (Vec<Connector>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut parsed: Vec<(&SourceFile, Connector)> = Vec::new();
    for file in files {
        match toml::from_str::<Connector>(&file.text) {
            Ok(connector) => {
                let mut at = Locator::new(file, &mut problems);
                check_connector(&connector, file, &mut at);
                parsed.push((file, connector));
            }
            Err(err) => problems.push(Problem {
                file: file.path.clone(),
                line: err.span().map(|span| line_of(&file.text, span.start)),
                message: err.message().trim().to_owned(),
            }),
        }
    }
    check_across_files(files, &parsed, &mut problems);
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    (parsed.into_iter().map(|(_, c)| c).collect(), problems)
}

fn check_connector(c: &Connector, file: &SourceFile, at: &mut Locator<'_>) {
    use Seg::{Idx, Key};
    if c.id.as_str() != file.stem() {
        at.report(&[Key("id")], format!("id '{}' does not match the file name '{}.toml'", c.id, file.stem()));
    }
    if !KNOWN_IDS.contains(&c.id.as_str()) {
        at.report(&[Key("id")], format!("'{}' is not one of the connector ids in DESIGN.md", c.id));
    }
    for (key, text) in [("name", &c.name), ("description", &c.description)] {
        if text.trim().is_empty() {
            at.report(&[Key(key)], format!("{key} is empty"));
        }
    }
    if !(1..=100).contains(&c.popularity) {
        at.report(&[Key("popularity")], "popularity must be between 1 and 100".into());
    }
    if !(3..=5).contains(&c.example_prompts.len()) {
        at.report(
            &[Key("example_prompts")],
            format!("give 3 to 5 example prompts (found {})", c.example_prompts.len()),
        );
    }
    check_auth(c, at);
    binding::check_bindings(c, at);
    poll::check_polls(c, at);

    let mut declared = HashSet::new();
    for (i, p) in c.permissions.iter().enumerate() {
        if !declared.insert(p.scope.as_str()) {
            at.report(&[Key("permissions"), Idx(i), Key("scope")], format!("scope '{}' is declared twice", p.scope));
        }
        if p.label.trim().is_empty() || p.scope.trim().is_empty() || p.scope.contains(char::is_whitespace) {
            at.report(
                &[Key("permissions"), Idx(i)],
                "a permission needs a scope without spaces and a plain-language label".into(),
            );
        }
    }
    for (i, scope) in c.auth.base_scopes.iter().enumerate() {
        if !declared.contains(scope.as_str()) {
            at.report(
                &[Key("auth"), Key("base_scopes"), Idx(i)],
                format!("base scope '{scope}' is not declared under [[permissions]]"),
            );
        }
    }

    if c.actions.len() + c.triggers.len() < 3 {
        at.report(&[Key("id")], "a connector needs at least 3 actions and triggers in all".into());
    }
    let mut op_ids = HashSet::new();
    for (table, ops) in [("actions", &c.actions), ("triggers", &c.triggers)] {
        for (i, op) in ops.iter().enumerate() {
            let valid_id =
                !op.id.is_empty() && op.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid_id {
                at.report(&[Key(table), Idx(i), Key("id")], format!("'{}' is not a valid operation id", op.id));
            }
            if !op_ids.insert(op.id.as_str()) {
                at.report(&[Key(table), Idx(i), Key("id")], format!("operation id '{}' is used twice", op.id));
            }
            if op.phrases.is_empty() {
                at.report(&[Key(table), Idx(i)], format!("{}.{} has no phrases", c.id, op.id));
            }
            for (j, scope) in op.scopes.iter().enumerate() {
                if !declared.contains(scope.as_str()) {
                    at.report(
                        &[Key(table), Idx(i), Key("scopes"), Idx(j)],
                        format!(
                            "{}.{} needs scope '{scope}', which is not declared under [[permissions]]",
                            c.id, op.id
                        ),
                    );
                }
            }
            let mut inputs = HashSet::new();
            for (j, input) in op.inputs.iter().enumerate() {
                if !inputs.insert(input.name.as_str()) {
                    at.report(
                        &[Key(table), Idx(i), Key("inputs"), Idx(j)],
                        format!("input '{}' is listed twice", input.name),
                    );
                }
            }
        }
    }
}

/// Why a URL is unacceptable in the catalog, if it is.
fn https_url(raw: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(raw).map_err(|_| "is not a valid URL")?;
    if url.scheme() != "https" {
        return Err("must use https");
    }
    if url.host_str().is_none_or(|h| !h.contains('.')) {
        return Err("has no public host name");
    }
    Ok(())
}

fn check_across_files(files: &[SourceFile], parsed: &[(&SourceFile, Connector)], problems: &mut Vec<Problem>) {
    let mut ids: HashMap<&str, &str> = HashMap::new();
    let mut aliases: HashMap<String, (&str, &str)> = HashMap::new();
    for (file, c) in parsed {
        if let Some(first) = ids.insert(c.id.as_str(), &file.path) {
            Locator::new(file, problems)
                .report(&[Seg::Key("id")], format!("duplicate id '{}' (also in {first})", c.id));
        }
        let names = std::iter::once((&c.name, "name"))
            .chain(c.aliases.iter().map(|a| (a, "aliases")))
            .chain(c.ambiguous_aliases.iter().map(|a| (a, "ambiguous_aliases")));
        let mut own = HashSet::new();
        for (alias, key) in names {
            let folded = alias.trim().to_lowercase();
            if !own.insert(folded.clone()) {
                continue;
            }
            match aliases.get(&folded) {
                Some((other, _)) if *other != c.id.as_str() => {
                    let line = find_line(&file.text, alias).or_else(|| locate_line(file, &[Seg::Key(key)]));
                    problems.push(Problem {
                        file: file.path.clone(),
                        line,
                        message: format!("alias '{alias}' is also claimed by {other}"),
                    });
                }
                _ => {
                    aliases.insert(folded, (c.id.as_str(), &file.path));
                }
            }
        }
    }
    let present: BTreeSet<&str> = files.iter().map(|f| f.stem()).collect();
    for id in KNOWN_IDS {
        if !present.contains(id) {
            problems.push(Problem {
                file: format!("catalog/connectors/{id}.toml"),
                line: None,
                message: format!("missing: every connector id in DESIGN.md needs a file, and '{id}' has none"),
            });
        }
    }
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Idx(usize),
}

/// Turns a path inside one file (`actions[2].scopes[0]`) into the line a person edits.
struct Locator<'p> {
    file: &'p SourceFile,
    doc: Option<DeValue<'p>>,
    problems: &'p mut Vec<Problem>,
}

impl<'p> Locator<'p> {
    fn new(file: &'p SourceFile, problems: &'p mut Vec<Problem>) -> Self {
        let doc = DeTable::parse(&file.text).ok().map(|t| DeValue::Table(t.into_inner()));
        Self { file, doc, problems }
    }

    fn report(&mut self, path: &[Seg<'_>], message: String) {
        let line = self.doc.as_ref().and_then(|doc| span_of(doc, path)).map(|s| line_of(&self.file.text, s.start));
        self.problems.push(Problem { file: self.file.path.clone(), line, message });
    }
}

fn locate_line(file: &SourceFile, path: &[Seg<'_>]) -> Option<usize> {
    let doc = DeValue::Table(DeTable::parse(&file.text).ok()?.into_inner());
    span_of(&doc, path).map(|s| line_of(&file.text, s.start))
}

/// The span of the deepest part of `path` that exists, so a missing key still points
/// at its table.
fn span_of(doc: &DeValue<'_>, path: &[Seg<'_>]) -> Option<Range<usize>> {
    let mut current = doc;
    let mut span = None;
    for seg in path {
        let next = match seg {
            Seg::Key(k) => current.get(*k),
            Seg::Idx(i) => current.get(*i),
        };
        match next {
            Some(spanned) => {
                span = Some(spanned.span());
                current = spanned.get_ref();
            }
            None => break,
        }
    }
    span
}

fn find_line(text: &str, needle: &str) -> Option<usize> {
    let quoted = format!("\"{needle}\"");
    text.find(&quoted).map(|at| line_of(text, at))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
