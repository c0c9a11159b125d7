//! Calibrated confidence for a candidate: a logistic model over the signals the router
//! already has (named, misspelt, a need and how strong, BM25, the app's connections and
//! chips, other tools named beside it). The weights and the two thresholds, select and
//! ask, are fitted on the development sets by `scripts/fit_router.py` with held-out folds,
//! never set by hand, and written to `confidence.toml` beside this file.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

macro_rules! features {
    ($($variant:ident = $name:literal: $doc:literal),* $(,)?) => {
        /// The signals a candidate is weighed by, each 0 or 1.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum F { $(#[doc = $doc] $variant),* }

        impl F {
            pub const ALL: &'static [F] = &[$(F::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(F::$variant => $name),* }
            }
        }
    };
}

features! {
    Bias = "bias": "always 1",
    Named = "named": "the request names the tool outright",
    InContext = "in_context": "an ordinary word the words around make a tool ('to notion')",
    Misspelt = "misspelt": "a slip away from a tool's name",
    Strong = "strong": "a need read from a verb and its object ('email me')",
    Weak = "weak": "a need read from a noun for a kind of tool ('a spreadsheet')",
    Hint = "hint": "a need read from a noun that may mean a tool ('leads')",
    BesideNamed = "beside_named": "another tool is named and asked for",
    BesideNeed = "beside_need": "another need, strong or weak, is in the request",
    Source = "source": "the need reads from the tool ('from starred emails')",
    ChosenByApp = "chosen_by_app": "the app's connections, a chip or its flows picked the tool",
    Bm25Top3 = "bm25_top3": "the tool is among the three best catalog search hits",
    ObjectNoun = "object_noun": "the tool's operations name the need's object ('card')",
    Flow = "flow": "the request has an event or a schedule",
    SingleProvider = "single_provider": "one catalog tool does this kind of work",
    SameSuite = "same_suite": "the tool is of the suite of a tool named beside it",
    WeakBesideNamed = "weak_beside_named": "weak and beside a named tool",
    HintBesideNamed = "hint_beside_named": "hint and beside a named tool",
    HintFlow = "hint_flow": "hint in a request with an event or a schedule",
    HintMany = "hint_many": "hint for a kind of work several tools do (which one?)",
    WeakMany = "weak_many": "weak, for a kind of work several tools do",
}

/// One candidate's signals.
#[derive(Clone, Debug, PartialEq)]
pub struct Features([f32; F::ALL.len()]);

impl Default for Features {
    fn default() -> Self {
        let mut f = Self([0.0; F::ALL.len()]);
        f.set(F::Bias, true);
        f
    }
}

impl Features {
    pub fn set(&mut self, f: F, on: bool) {
        self.0[f as usize] = if on { 1.0 } else { 0.0 };
    }

    pub fn get(&self, f: F) -> bool {
        self.0[f as usize] > 0.0
    }

    /// Sets the interactions from the signals already set.
    pub fn finish(&mut self) {
        let (weak, hint, named, flow) =
            (self.get(F::Weak), self.get(F::Hint), self.get(F::BesideNamed), self.get(F::Flow));
        self.set(F::WeakBesideNamed, weak && named);
        self.set(F::HintBesideNamed, hint && named);
        self.set(F::HintFlow, hint && flow);
        let many = !self.get(F::SingleProvider);
        self.set(F::HintMany, hint && many);
        self.set(F::WeakMany, weak && many);
    }

    /// The signals that are on, by name (`--explain`).
    pub fn named(&self) -> BTreeMap<String, f32> {
        F::ALL.iter().filter(|f| self.get(**f)).map(|f| (f.name().to_owned(), 1.0)).collect()
    }
}

/// The fitted model: a weight per signal, and the thresholds to select and to ask.
#[derive(Debug)]
pub struct Model {
    weights: [f32; F::ALL.len()],
    pub select: f32,
    pub ask: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    select: f32,
    ask: f32,
    weights: BTreeMap<String, f32>,
}

static EMBEDDED: LazyLock<Model> = LazyLock::new(|| match Model::parse(include_str!("confidence.toml")) {
    Ok(m) => m,
    Err(e) => {
        // The file is checked by the tests: this is a broken build, not bad input.
        tracing::error!(error = %e, "the embedded confidence model does not load; selecting named tools only");
        Model { weights: [0.0; F::ALL.len()], select: 0.6, ask: 0.6 }
    }
});

impl Model {
    pub fn embedded() -> &'static Model {
        &EMBEDDED
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let file: ModelFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut weights = [0.0; F::ALL.len()];
        for (name, w) in &file.weights {
            let f = F::ALL.iter().find(|f| f.name() == name).ok_or_else(|| format!("unknown signal '{name}'"))?;
            weights[*f as usize] = *w;
        }
        if !(0.0..=1.0).contains(&file.ask) || file.ask > file.select || file.select > 1.0 {
            return Err("thresholds must satisfy 0 <= ask <= select <= 1".into());
        }
        Ok(Self { weights, select: file.select, ask: file.ask })
    }

    /// The probability that the candidate is wanted.
    pub fn confidence(&self, x: &Features) -> f32 {
        let z: f32 = self.weights.iter().zip(x.0.iter()).map(|(w, v)| w * v).sum();
        1.0 / (1.0 + (-z).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fitted_model_loads_and_names_only_known_signals() {
        let m = Model::parse(include_str!("confidence.toml")).expect("the model loads");
        assert!(m.ask <= m.select);
    }

    fn weighed(on: &[F]) -> f32 {
        let mut x = Features::default();
        for f in on {
            x.set(*f, true);
        }
        x.finish();
        Model::embedded().confidence(&x)
    }

    #[test]
    fn a_tool_named_outright_is_selected_and_surer_than_a_hint_of_one() {
        let named = weighed(&[F::Named]);
        assert!(named >= Model::embedded().select, "{named}");
        assert!(named > weighed(&[F::Hint, F::Flow]));
    }

    #[test]
    fn a_noun_beside_a_named_tool_is_less_sure_than_the_same_noun_alone() {
        assert!(weighed(&[F::Weak, F::BesideNamed]) < weighed(&[F::Weak]));
        assert!(weighed(&[F::Hint, F::BesideNamed]) < weighed(&[F::Hint]));
    }

    #[test]
    fn an_unknown_signal_in_the_model_file_is_an_error() {
        let err = Model::parse("select = 0.5\nask = 0.2\n[weights]\nbias = 1.0\nnamd = 3.0\n").unwrap_err();
        assert!(err.contains("namd"), "{err}");
    }
}
