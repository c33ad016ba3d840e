//! The checked-in C header `include/crmkit.h` must be exactly what `build.rs`
//! generates with cbindgen, and its version macros must match the crate.
//!
//! After a change to the C API, accept the new header with
//! `CRMKIT_BLESS=1 cargo test --test header`.
#![cfg(feature = "ffi")]

use std::fs;
use std::path::{Path, PathBuf};

const BLESS_HINT: &str = "CRMKIT_BLESS=1 cargo test --test header";

fn generated_header_path() -> PathBuf {
    PathBuf::from(concat!(env!("OUT_DIR"), "/crmkit.h"))
}

fn checked_in_header_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("include/crmkit.h")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// The value of `#define NAME value` in `header`.
fn define<'a>(header: &'a str, name: &str) -> &'a str {
    header
        .lines()
        .find_map(|line| {
            let rest = line.trim().strip_prefix("#define")?;
            let rest = rest.trim_start().strip_prefix(name)?;
            rest.starts_with([' ', '\t']).then(|| rest.trim())
        })
        .unwrap_or_else(|| panic!("include/crmkit.h has no `#define {name}`"))
}

#[test]
fn checked_in_header_matches_the_generated_one() {
    let generated = read(&generated_header_path());
    let checked_in_path = checked_in_header_path();
    let checked_in = fs::read_to_string(&checked_in_path).unwrap_or_default();
    if generated == checked_in {
        return;
    }
    if std::env::var_os("CRMKIT_BLESS").is_some_and(|value| value == "1") {
        fs::create_dir_all(checked_in_path.parent().expect("include/ has a parent"))
            .expect("create include/");
        fs::write(&checked_in_path, &generated).expect("write include/crmkit.h");
        eprintln!("blessed {}", checked_in_path.display());
        return;
    }
    let first_difference = generated
        .lines()
        .zip(checked_in.lines())
        .enumerate()
        .find(|(_, (new, old))| new != old)
        .map(|(index, (new, old))| {
            format!(
                "first difference at line {}:\n  include/crmkit.h: {old}\n  generated:        {new}",
                index + 1
            )
        })
        .unwrap_or_else(|| {
            format!(
                "one is a prefix of the other ({} lines generated, {} checked in)",
                generated.lines().count(),
                checked_in.lines().count()
            )
        });
    panic!(
        "include/crmkit.h is stale: it differs from the header cbindgen generated at {}\n{first_difference}\n\
         If the change to the C API is intended, re-bless the header with:\n    {BLESS_HINT}\n\
         and commit include/crmkit.h.",
        generated_header_path().display()
    );
}

#[test]
fn version_macros_match_the_crate_version() {
    let header = read(&checked_in_header_path());
    assert_eq!(
        define(&header, "CRM_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        define(&header, "CRM_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        define(&header, "CRM_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    assert_eq!(
        define(&header, "CRM_VERSION_STRING"),
        concat!("\"", env!("CARGO_PKG_VERSION"), "\"")
    );
}

#[test]
fn abi_version_macro_matches_the_rust_constant() {
    for path in [generated_header_path(), checked_in_header_path()] {
        let header = read(&path);
        assert_eq!(
            define(&header, "CRM_ABI_VERSION"),
            crmkit::ffi::ABI_VERSION.to_string(),
            "CRM_ABI_VERSION in {} (written by build.rs) and crmkit::ffi::ABI_VERSION \
             (src/ffi/mod.rs) must agree",
            path.display()
        );
    }
    assert_eq!(crmkit::ffi::crm_abi_version(), crmkit::ffi::ABI_VERSION);
}

#[test]
fn runtime_version_matches_the_header() {
    let version = crmkit::ffi::crm_version();
    // SAFETY: crm_version returns a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(version) };
    assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));
}
