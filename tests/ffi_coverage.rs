//! Every function of the C API is exercised with hostile arguments.
//!
//! The list of functions comes from the checked-in header
//! `include/crmkit.h` (which `tests/header.rs` keeps equal to what cbindgen
//! generates), so a function added to the C API without a section in
//! `tests/c/hostile.c` fails this test.
#![cfg(feature = "ffi")]

use std::fs;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    fs::read_to_string(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The names of the functions declared in `header`: identifiers starting
/// with `crm_` and directly followed by `(` outside comments.
fn declared_functions(header: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_comment = false;
    for line in header.lines() {
        let trimmed = line.trim_start();
        if in_comment {
            in_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with("/*") {
            in_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        let bytes = line.as_bytes();
        let mut start = 0;
        while let Some(offset) = line[start..].find("crm_") {
            let begin = start + offset;
            let preceded_by_identifier = begin > 0 && is_identifier_byte(bytes[begin - 1]);
            let mut end = begin;
            while end < bytes.len() && is_identifier_byte(bytes[end]) {
                end += 1;
            }
            if !preceded_by_identifier && bytes.get(end) == Some(&b'(') {
                names.push(line[begin..end].to_string());
            }
            start = end.max(begin + 1);
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Whether `source` calls `name` (the name directly followed by `(`).
fn calls(source: &str, name: &str) -> bool {
    let pattern = format!("{name}(");
    source
        .match_indices(&pattern)
        .any(|(at, _)| at == 0 || !is_identifier_byte(source.as_bytes()[at - 1]))
}

#[test]
fn the_header_declares_the_base_functions() {
    // Guards the parser above: if it found nothing, the coverage check below
    // would pass vacuously.
    let functions = declared_functions(&read("include/crmkit.h"));
    for expected in [
        "crm_last_error_message",
        "crm_status_str",
        "crm_string_free",
        "crm_version",
        "crm_abi_version",
        "crm_dataset_from_json",
        "crm_dataset_free",
        "crm_test_force_panic",
    ] {
        assert!(
            functions.iter().any(|name| name == expected),
            "{expected} not found among the functions parsed from include/crmkit.h: {functions:?}"
        );
    }
}

#[test]
fn every_exported_function_is_called_with_hostile_arguments() {
    let header = read("include/crmkit.h");
    let hostile = read("tests/c/hostile.c");
    let missing: Vec<String> = declared_functions(&header)
        .into_iter()
        .filter(|name| !calls(&hostile, name))
        .collect();
    assert!(
        missing.is_empty(),
        "these functions of include/crmkit.h are never called in tests/c/hostile.c; \
         add hostile calls for them (NULL pointers, bad UTF-8, bad JSON, wrong handles): \
         {missing:?}"
    );
}

#[test]
fn the_parser_skips_comments_and_finds_declarations() {
    let header = "/* crm_in_comment(x) */\n\
                  /**\n * see crm_in_doc(x)\n */\n\
                  crm_status crm_a_from_json(const char *json,\n\
                  \x20                        crm_a **out);\n\
                  void crm_a_free(crm_a *a);\n\
                  #define CRM_X crm_macro(1)\n";
    assert_eq!(
        declared_functions(header),
        vec!["crm_a_free".to_string(), "crm_a_from_json".to_string()]
    );
}
