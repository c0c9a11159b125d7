//! The lexicon files load, and every entry says what it is for.

use super::*;

#[test]
fn the_embedded_lexicon_loads_with_english_first() {
    let lexicon = Lexicon::embedded().expect("the lexicon loads");
    assert_eq!(lexicon.english().code, "en");
    assert!(!lexicon.english().needs.is_empty());
    assert!(lexicon.is_dictionary_word("stack"));
}
