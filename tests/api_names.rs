//! Public type names are unique across the crate's modules, so that a user
//! who imports from two modules never meets two `Finding`s or two `Status`es
//! (issue 18). The check reads the sources: every `pub struct`, `pub enum`,
//! `pub trait` and `pub type` (not `pub(crate)`) under `src/`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The public type names declared in `text`, with their line numbers.
fn public_types(text: &str) -> Vec<(String, usize)> {
    let mut names = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_start();
        for keyword in ["pub struct ", "pub enum ", "pub trait ", "pub type "] {
            if let Some(rest) = line.strip_prefix(keyword) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.push((name, number + 1));
                }
            }
        }
    }
    names
}

#[test]
fn public_type_names_are_declared_once() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable source");
        let shown = file
            .strip_prefix(&src)
            .unwrap_or(file)
            .display()
            .to_string();
        for (name, line) in public_types(&text) {
            seen.entry(name)
                .or_default()
                .push(format!("src/{shown}:{line}"));
        }
    }
    let repeated: Vec<String> = seen
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(
        repeated.is_empty(),
        "public type names declared more than once:\n{}",
        repeated.join("\n")
    );
}

#[test]
fn the_scan_sees_declarations_and_skips_crate_private_ones() {
    let text = "pub struct A;\n    pub enum B {}\npub(crate) struct C;\n// pub struct D\n";
    let names: Vec<String> = public_types(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["A", "B"]);
}
