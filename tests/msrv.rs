//! `rust-version` in Cargo.toml is what the lock file really needs: the
//! highest `rust-version` among the packages crmkit builds with (its
//! dependencies, build and dev dependencies, transitively, as locked). A
//! dependency update that needs a newer Rust fails this test until
//! Cargo.toml and the README's "Rust toolchain (1.xx+)" are raised with it.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use serde_json::Value;

fn version(text: &str) -> Vec<u64> {
    text.split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

fn normalized(mut version: Vec<u64>) -> Vec<u64> {
    while version.len() > 2 && version.last() == Some(&0) {
        version.pop();
    }
    version
}

#[test]
fn rust_version_is_what_the_locked_dependencies_need() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--manifest-path",
        ])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata JSON");
    let packages: HashMap<&str, &Value> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().expect("id"), p))
        .collect();
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .map(|n| (n["id"].as_str().expect("id"), n))
        .collect();
    let root = packages
        .values()
        .find(|p| p["name"] == "crmkit")
        .expect("the crmkit package");
    let declared = version(
        root["rust_version"]
            .as_str()
            .expect("crmkit declares rust-version"),
    );

    let mut seen = HashSet::new();
    let mut stack = vec![root["id"].as_str().expect("id")];
    let mut needed = (vec![0], String::new());
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let package = packages[id];
        if id != root["id"] {
            if let Some(rust) = package["rust_version"].as_str() {
                let v = version(rust);
                if normalized(v.clone()) > normalized(needed.0.clone()) {
                    needed = (v, format!("{} {}", package["name"], package["version"]));
                }
            }
        }
        if let Some(node) = nodes.get(id) {
            for dep in node["deps"].as_array().into_iter().flatten() {
                stack.push(dep["pkg"].as_str().expect("dep id"));
            }
        }
    }
    assert_eq!(
        normalized(declared.clone()),
        normalized(needed.0.clone()),
        "Cargo.toml says rust-version {declared:?}, but the locked dependencies need {:?} \
         ({}); set rust-version (and the README's toolchain line) to what they need",
        needed.0,
        needed.1
    );
}
