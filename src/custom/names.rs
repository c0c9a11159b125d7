//! Names patchbay makes from a document's: input and action ids (`list_pets` from
//! `listPets` or `GET /pets`), unique within their scope, and the API's connector id.

use std::collections::BTreeSet;

/// `listPets` → `list_pets`, `X-Request-Id` → `x_request_id`, `GET /pets/{id}` →
/// `get_pets_id`: lowercase letters, digits and single underscores, at most `max` long,
/// starting with a letter.
pub fn snake(raw: &str, max: usize) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let mut out: String = out.trim_matches('_').chars().take(max).collect();
    out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        return "value".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n_");
    }
    out
}

/// Names given out so far; a repeated one gets `_2`, `_3`…
#[derive(Default)]
pub struct Names(BTreeSet<String>);

impl Names {
    pub fn take(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.0.contains(&name) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        self.0.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_become_snake_case_ids() {
        assert_eq!(snake("listPets", 60), "list_pets");
        assert_eq!(snake("X-Request-Id", 60), "x_request_id");
        assert_eq!(snake("get /pets/{petId}", 60), "get_pets_pet_id");
        assert_eq!(snake("2fa", 60), "n_2fa");
        assert_eq!(snake("$$$", 60), "value");
        assert_eq!(snake("Weather API (v2)", 60), "weather_api_v2");
    }

    #[test]
    fn a_repeated_name_gets_a_number() {
        let mut names = Names::default();
        assert_eq!(names.take("id"), "id");
        assert_eq!(names.take("id"), "id_2");
        assert_eq!(names.take("id"), "id_3");
    }
}
