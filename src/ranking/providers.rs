//! The tools that do each kind of work, in the order a need tries them (made for the
//! work first, then the most used), with the indexes that keep choosing among thousands
//! of connectors as cheap as among seventy: each tool's place in its lists, the tools
//! named after each object the lexicon's needs speak of ("card"), and each suite's tools.

use super::names::NameIndex;
use crate::catalog::{Capability, Catalog};
use crate::intent::Lexicon;
use crate::intent::lexicon::cap_name;
use crate::intent::text::singular;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

pub struct Providers {
    by_work: HashMap<Capability, Vec<usize>>,
    position: HashMap<Capability, HashMap<usize, usize>>,
    named_after: HashMap<(Capability, String), Vec<usize>>,
    /// Objects some but not all tools of the work name their operations after.
    distinctive: HashSet<(Capability, String)>,
    suites: HashMap<String, Vec<usize>>,
}

impl Providers {
    /// `words[i]` are the words of connector `i`'s operations (names and phrases),
    /// `name_words[i]` those of their names only.
    pub fn build(
        catalog: &Catalog,
        lexicon: &Lexicon,
        names: &NameIndex,
        words: &[HashSet<String>],
        name_words: &[HashSet<String>],
    ) -> Self {
        let mut by_work: HashMap<Capability, Vec<usize>> = HashMap::default();
        for (i, c) in catalog.iter().enumerate() {
            let mut caps: Vec<Capability> = c.operations().map(|op| op.capability).collect();
            caps.sort();
            caps.dedup();
            for cap in caps {
                by_work.entry(cap).or_default().push(i);
            }
        }
        for (cap, list) in by_work.iter_mut() {
            // Tools made for the work first, then the most used.
            let at_home = |i: &usize| Some(catalog.at(*i).category) == cap.home();
            let popularity = |i: &usize| catalog.at(*i).popularity;
            list.sort_by(|a, b| at_home(b).cmp(&at_home(a)).then(popularity(b).cmp(&popularity(a))).then(a.cmp(b)));
        }
        let position =
            by_work.iter().map(|(cap, list)| (*cap, list.iter().enumerate().map(|(k, i)| (*i, k)).collect())).collect();
        let mut objects: HashSet<(Capability, String)> = HashSet::default();
        for lang in lexicon.languages() {
            objects.extend(lang.needs.iter().map(|n| (n.capability, singular(&n.object))));
        }
        let distinctive = objects
            .iter()
            .filter(|(cap, object)| {
                let list = by_work.get(cap).map(Vec::as_slice).unwrap_or(&[]);
                let named = list.iter().filter(|i| name_words[**i].contains(object)).count();
                *object != cap_name(*cap) && named > 0 && named < list.len()
            })
            .cloned()
            .collect();
        let named_after = objects
            .into_iter()
            .map(|(cap, object)| {
                let list = by_work.get(&cap).map(Vec::as_slice).unwrap_or(&[]);
                let tools = list.iter().copied().filter(|i| words[*i].contains(&object)).collect();
                ((cap, object), tools)
            })
            .collect();
        let mut suites: HashMap<String, Vec<usize>> = HashMap::default();
        for i in (0..catalog.len()).filter(|i| names.in_suite(*i)) {
            suites.entry(names.family(i).to_owned()).or_default().push(i);
        }
        Self { by_work, position, named_after, distinctive, suites }
    }

    /// The tools for a kind of work, best first.
    pub fn of(&self, cap: Capability) -> &[usize] {
        self.by_work.get(&cap).map_or(&[], Vec::as_slice)
    }

    /// A tool's place in the list for a kind of work, if it does that work.
    pub fn position(&self, cap: Capability, i: usize) -> Option<usize> {
        self.position.get(&cap).and_then(|p| p.get(&i)).copied()
    }

    /// The tools for a kind of work whose operations speak of `object` (singular), in
    /// list order; `None` for an object no lexicon need has.
    pub fn named_after(&self, cap: Capability, object: &str) -> Option<&[usize]> {
        self.named_after.get(&(cap, object.to_owned())).map(Vec::as_slice)
    }

    /// True when only some of the tools for the work are named after `object` (singular).
    pub fn is_distinctive(&self, cap: Capability, object: &str) -> bool {
        self.distinctive.contains(&(cap, object.to_owned()))
    }

    /// The tools of a suite (a family of three or more), by family.
    pub fn suite(&self, family: &str) -> &[usize] {
        self.suites.get(family).map_or(&[], Vec::as_slice)
    }
}
