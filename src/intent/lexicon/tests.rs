//! The lexicon files load, every entry says what it is for, and a mistake in a file is an
//! error that names it.

use super::*;
use crate::intent::text::Text;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// The embedded English files, to build a lexicon on disk with one file changed.
fn english_with(file: &str, text: &str) -> tempfile::TempDir {
    let en = |name: &str| -> String {
        if name == file {
            return text.to_owned();
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicon/en").join(name);
        std::fs::read_to_string(path).expect("an English lexicon file")
    };
    let names = ["words.toml", "needs.toml", "forms.toml", "outside.toml", "asks.toml", "english_words.txt"];
    let files: Vec<(String, String)> = names.iter().map(|n| (format!("en/{n}"), en(n))).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    dir_with(&refs)
}

#[test]
fn the_embedded_lexicon_loads_with_english_first_and_four_more_languages() {
    let lexicon = Lexicon::embedded().expect("the lexicon loads");
    let codes: Vec<&str> = lexicon.languages().iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, ["en", "de", "es", "fr", "pt"]);
    assert!(lexicon.is_dictionary_word("stack"), "ordinary words are known");
}

#[test]
fn every_need_guard_list_and_form_says_what_it_is_for() {
    let lexicon = Lexicon::embedded().expect("the lexicon loads");
    for lang in lexicon.languages() {
        for need in &lang.needs {
            let id = format!("{}/needs.{}", lang.code, need.id);
            assert!(!need.purpose.trim().is_empty(), "{id} has no `for`");
            assert_eq!(lexicon.purpose(&id), Some(need.purpose.as_str()));
        }
        for guard in &lang.guards {
            assert!(!guard.purpose.trim().is_empty(), "{}/guards.{} has no `for`", lang.code, guard.id);
        }
    }
    for list in List::ALL {
        let purpose = lexicon.purpose(&format!("en/words.{}", list.name())).unwrap_or("");
        assert!(!purpose.trim().is_empty(), "the list {} has no `for`", list.name());
    }
    for form in &lexicon.forms().phrases {
        assert!(!form.purpose.trim().is_empty(), "forms.{} has no `for`", form.id);
    }
}

#[test]
fn every_form_stands_for_a_name_the_catalog_gives() {
    let catalog = crate::catalog::Catalog::embedded().expect("catalog");
    let compact = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let names: Vec<String> = catalog
        .iter()
        .flat_map(|c| std::iter::once(&c.name).chain(&c.aliases).chain(&c.ambiguous_aliases))
        .map(|n| compact(n))
        .collect();
    for form in &Lexicon::embedded().expect("lexicon").forms().phrases {
        assert!(names.contains(&compact(&form.name)), "forms.{}: no tool is called '{}'", form.id, form.name);
    }
}

#[test]
fn a_request_is_read_in_its_own_language_and_english_otherwise() {
    let lexicon = Lexicon::embedded().expect("lexicon");
    let lang = |s: &str| lexicon.detect(&Text::new(s)).code.clone();
    assert_eq!(lang("envoie-moi un résumé chaque lundi"), "fr");
    assert_eq!(lang("schick mir jeden Morgen eine Liste"), "de");
    assert_eq!(lang("avísame cuando llegue un pedido nuevo"), "es");
    assert_eq!(lang("quando um cliente cancelar, me avise"), "pt");
    assert_eq!(lang("email me as soon as a new order comes in"), "en");
    assert_eq!(lang("Slack"), "en", "a lone tool name is no language");
}

#[test]
fn a_list_another_language_leaves_out_comes_from_english() {
    let lexicon = Lexicon::embedded().expect("lexicon");
    let pt = lexicon.languages().iter().find(|l| l.code == "pt").expect("Portuguese");
    assert!(!pt.has(List::NameNegationNext, "no"), "Portuguese 'no' means 'in the'");
    assert!(lexicon.english().has(List::NameNegationNext, "no"));
    assert!(pt.has(List::UiNouns, "page"), "Portuguese has no list of page parts of its own");
}

/// One need entry whose remaining lines (patterns, guards) are `lines`.
fn need(id: &str, lines: &str) -> String {
    let head = "for = \"a test entry\"\ncapability = \"email\"\nstrength = \"weak\"\naction = \"send email\"";
    format!("[[need]]\nid = \"{id}\"\n{head}\n{lines}\n")
}

#[test]
fn a_pattern_that_does_not_compile_is_an_error_naming_its_need() {
    let dir = english_with("needs.toml", &need("broken-one", r"patterns = ['\bemail(']"));
    let err = Lexicon::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("en/needs.toml") && err.contains("broken-one"), "{err}");
}

#[test]
fn a_guard_or_fragment_that_does_not_exist_is_an_error() {
    let dir = english_with("needs.toml", &need("n", "patterns = ['mail']\nunless = [\"no-such-guard\"]"));
    assert!(Lexicon::from_dir(dir.path()).unwrap_err().to_string().contains("no guard 'no-such-guard'"));
    let dir = english_with("needs.toml", &need("n", "patterns = ['{nowhere}']"));
    assert!(Lexicon::from_dir(dir.path()).unwrap_err().to_string().contains("no fragment 'nowhere'"));
}

#[test]
fn an_unknown_or_missing_list_is_an_error() {
    let dir = english_with("words.toml", "[pointerz]\nfor = \"a typo\"\nwords = []\n");
    let err = Lexicon::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("unknown list 'pointerz'"), "{err}");
    let dir = english_with("words.toml", "");
    let err = Lexicon::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("is missing"), "{err}");
}

#[test]
fn a_lexicon_on_disk_changes_what_the_router_reads_without_a_rebuild() {
    let extra = need("pager", r"patterns = ['\bpage\s+the\s+on-call\b']");
    let english =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicon/en/needs.toml"))
            .expect("needs.toml");
    let dir = english_with("needs.toml", &(english + &extra));
    let lexicon = Lexicon::from_dir(dir.path()).expect("loads");
    let text = Text::new("page the on-call engineer when the site is down");
    let found = crate::intent::needs::find(&text, &lexicon, lexicon.english(), &mut Vec::new());
    assert_eq!(found.iter().map(|n| n.rule.as_str()).collect::<Vec<_>>(), ["en/needs.pager"]);
}

#[test]
fn guards_read_the_words_around_a_match_and_never_slice_inside_a_character() {
    let spec: Vec<guard::CondSpec> = toml::from_str::<std::collections::BTreeMap<String, Vec<guard::CondSpec>>>(
        "when = [{ before = 2, words = [\"my\"] }, { starts = [\" view\"] }]",
    )
    .expect("conditions")
    .remove("when")
    .expect("when");
    let g = Guard::compile("g".into(), "a test guard".into(), spec).expect("compiles");
    let text = "add it to my calendar view";
    let at = text.find("calendar").expect("calendar");
    assert!(g.holds(text, at, at + "calendar".len()));
    assert!(!g.holds("a calendar", 2, 10));
    // Offsets past the end or inside a character are no match, not a panic.
    assert!(!g.holds("ü", 1, 1));
    assert!(!g.holds("abc", 10, 12));
}
