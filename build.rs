//! Embeds catalog/connectors/*.toml in the binary, so that `patchbay` works from any
//! directory; `--catalog DIR` (or `catalog_dir` in settings) still reads files from disk.

use std::{env, fs, path::PathBuf};

fn main() {
    // Read at run time, not with env!(): a build script compiled for one checkout may be
    // reused by cargo for another that shares the target directory.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = PathBuf::from(manifest).join("catalog/connectors");
    println!("cargo:rerun-if-changed={}", dir.display());
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    // An empty catalog would build a server that routes nothing: stop here instead.
    assert!(!names.is_empty(), "no connector files in {}", dir.display());
    names.sort();
    let mut out = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for name in names {
        let path = dir.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    out.push_str("];\n");
    let target = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_catalog.rs");
    fs::write(target, out).expect("write embedded_catalog.rs");
}
