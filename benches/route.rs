//! Routing speed: one prompt against the real 72-connector catalog and against a
//! synthetic catalog of 10,000 connectors (target: at most 3× slower), and the time to
//! build the index for both; and a stream of different requests, one after another, as a
//! server sees them (a cache that only a repeated prompt keeps warm shows up there). Run
//! with `cargo bench --bench route`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use patchbay::app::AppStructure;
use patchbay::catalog::{Catalog, ConnectorId};
use patchbay::ranking::{RouteRequest, Router};
use std::hint::black_box;
use std::sync::Arc;

const PROMPTS: [&str; 6] = [
    "Send me a daily email with my open tasks using Gmail",
    "When a deal closes in HubSpot, create an Asana project and tell #sales",
    "put every new signup in a spreadsheet",
    "make the header sticky",
    "when an email with an invoice arrives, make a card for it on the board",
    "envoie-moi un e-mail chaque lundi avec les nouvelles commandes",
];

/// Different requests in a row, as a server sees them (see the file).
#[derive(serde::Deserialize)]
struct Varied {
    when: Vec<String>,
    then: Vec<String>,
}

fn varied_requests() -> Vec<String> {
    let v: Varied = toml::from_str(include_str!("varied_requests.toml")).expect("varied_requests.toml");
    let mut requests = Vec::new();
    for w in &v.when {
        for t in &v.then {
            for u in v.then.iter().filter(|u| *u != t) {
                requests.push(format!("{w}, {t} and {u}"));
            }
        }
    }
    requests
}

/// 10,000 connectors built from the real ones, each with its own made-up name, so that
/// posting lists and alias tables grow as a big catalog's would.
fn synthetic(n: usize) -> Catalog {
    let real = Catalog::embedded().expect("catalog");
    let base: Vec<_> = real.iter().cloned().collect();
    let syllables = ["ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "ze", "qu", "bo", "da"];
    let mut all = base.clone();
    for i in 0..n.saturating_sub(base.len()) {
        let mut c = base[i % base.len()].clone();
        let mut name = String::new();
        let mut k = i + 1;
        while k > 0 {
            name.push_str(syllables[k % syllables.len()]);
            k /= syllables.len();
        }
        name.push_str("ly");
        c.id = ConnectorId::parse(&format!("syn_{i}")).expect("id");
        c.name = name.clone();
        c.aliases = vec![format!("{name} app")];
        c.ambiguous_aliases.clear();
        c.case_sensitive_aliases.clear();
        c.popularity = (i % 50 + 1) as u8;
        all.push(c);
    }
    Catalog::from_connectors(all)
}

fn bench(c: &mut Criterion) {
    let small = Arc::new(Catalog::embedded().expect("catalog"));
    let large = Arc::new(synthetic(10_000));
    let app: AppStructure = patchbay::app::demo::todo_structure();

    let mut build = c.benchmark_group("index_build");
    build.sample_size(10);
    for (label, catalog) in [("72", &small), ("10000", &large)] {
        build.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| Router::build(black_box(catalog.clone()), 4000).expect("build"))
        });
    }
    build.finish();

    let mut route = c.benchmark_group("route");
    for (label, catalog) in [("72", &small), ("10000", &large)] {
        let router = Router::build(catalog.clone(), 4000).expect("build");
        for (i, prompt) in PROMPTS.iter().enumerate() {
            let request = RouteRequest { prompt: (*prompt).into(), app: app.clone(), chips: Vec::new() };
            route.bench_function(BenchmarkId::new(format!("{label}_connectors"), i), |b| {
                b.iter(|| router.route(black_box(&request)).expect("route"))
            });
        }
    }
    route.finish();

    let mut varied = c.benchmark_group("route_varied");
    varied.sample_size(10);
    let router = Router::build(small.clone(), 4000).expect("build");
    let requests: Vec<_> = varied_requests()
        .into_iter()
        .map(|prompt| RouteRequest { prompt, app: app.clone(), chips: Vec::new() })
        .collect();
    varied.throughput(criterion::Throughput::Elements(requests.len() as u64));
    varied.bench_function("72_connectors", |b| {
        b.iter(|| requests.iter().map(|r| router.route(black_box(r)).expect("route").selected.len()).sum::<usize>())
    });
    varied.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
