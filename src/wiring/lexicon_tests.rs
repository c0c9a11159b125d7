use super::*;
use serde_json::json;

fn english(request: &str) -> String {
    let app = AppStructure::from_value(&json!({"entities": ["Task", "Commande"]})).unwrap();
    match read(request, &app) {
        Reading::Translated { english, .. } => english,
        other => panic!("{request}: {other:?}"),
    }
}

#[test]
fn every_lexicon_file_loads() {
    assert_eq!(LEXICONS.len(), 4);
    assert!(LEXICONS.iter().all(|l| l.phrases.len() > 50 && !l.markers.is_empty()));
}

#[test]
fn schedules_in_four_languages_become_english() {
    assert_eq!(english("Envoie-moi mes tâches chaque jour à 8h"), "send me my tasks every day at 8h");
    assert_eq!(
        english("Schick mir jeden Montag um 9 Uhr meine Aufgaben"),
        "send me every monday at 9 o'clock my tasks"
    );
    assert_eq!(english("Envíame cada semana un resumen de las tareas"), "send me every week a summary of the tasks");
    assert_eq!(english("Me mande todo dia às 7 as tarefas atrasadas"), "send me every day at 7 the tasks overdue");
}

#[test]
fn the_apps_own_words_stay_as_typed() {
    assert!(english("Quand une nouvelle commande est créée, envoie un e-mail").contains("commande"));
}

#[test]
fn english_and_unknown_languages_are_told_apart() {
    let app = AppStructure::default();
    assert_eq!(read("Send me my tasks every day at 8", &app), Reading::English);
    assert_eq!(read("Stuur mij elke dag om acht uur mijn taken", &app), Reading::Unknown);
    assert_eq!(read("Gmail", &app), Reading::English);
}

#[test]
fn any_text_reads_without_panicking() {
    let app = AppStructure::default();
    for text in ["à", "l'", "-moi", "\u{212A} chaque jour à", "’’’", "um", "as 7"] {
        let _ = read(text, &app);
    }
}
