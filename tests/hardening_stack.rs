//! The stack a thread calling crmkit needs (issue 20): every JSON argument
//! of every C entry point, given its deepest documents, runs on a thread
//! with the stack the header promises ([`HOST_STACK`]).
//!
//! The deepest documents of an argument ([`deepest`]): its valid example
//! with, inserted into each of its objects, an array and an object nested
//! exactly to the JSON nesting limit (and one level past it), plus, for
//! each condition leaf of the example, the leaf wrapped in `not` and in
//! `all` to the condition depth limit and past it. A parse that recursed
//! further per level, or an evaluation that did, overflows here (SIGSEGV:
//! the test binary dies, so the test fails).
//!
//! Measuring: `CRMKIT_STACK_MEASURE=1 cargo test --release --test
//! hardening_stack -- --ignored --nocapture measure` bisects, for each
//! argument, the smallest thread stack (4 KiB steps) on which all its
//! deepest documents run, each try in a child process, and prints the
//! figures. Figures in `src/ffi/mod.rs` ("Limits").
#![cfg(feature = "ffi")]

mod hardening_ffi;

use std::ffi::c_char;
use std::process::Command;

use crmkit::ffi::crm_status;
use hardening_ffi::{Fixture, Slot, c, slots};

/// The stack the C header promises a calling thread needs ("Limits").
const HOST_STACK: usize = 512 * 1024;
/// crmkit's JSON nesting limit (serde_json's own is 128).
const JSON_LIMIT: usize = 64;
/// `crmkit::automation::MAX_CONDITION_DEPTH`.
const CONDITION_LIMIT: usize = crmkit::automation::MAX_CONDITION_DEPTH;

/// The end (exclusive) of the JSON string starting at `bytes[start]`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The end (exclusive) of the JSON object starting at `bytes[start]`.
fn object_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0_usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = string_end(bytes, i);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn nested(levels: usize, open: &str, inner: &str, close: &str) -> String {
    format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
}

/// The deepest documents for an argument whose valid example is `example`.
fn deepest(example: &str) -> Vec<String> {
    let bytes = example.as_bytes();
    let mut out = Vec::new();
    // Everything nested to the limit on its own.
    for levels in [JSON_LIMIT, JSON_LIMIT + 1] {
        out.push(nested(levels, "[", "1", "]"));
        out.push(nested(levels, r#"{"a":"#, "1", "}"));
    }
    let mut level = 0_usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                if example[i..].starts_with(r#""field""#) {
                    // A condition leaf: its object starts at the last '{'.
                    let leaf_start = example[..i].rfind('{').expect("leaf object");
                    let leaf_end = object_end(bytes, leaf_start);
                    let leaf = &example[leaf_start..leaf_end];
                    let room = JSON_LIMIT.saturating_sub(level);
                    for levels in [CONDITION_LIMIT - 1, CONDITION_LIMIT, room, room + 1] {
                        let not = nested(levels, r#"{"not": "#, leaf, "}");
                        out.push(format!(
                            "{}{not}{}",
                            &example[..leaf_start],
                            &example[leaf_end..]
                        ));
                        let all = nested(levels / 2, r#"{"all": ["#, leaf, "]}");
                        out.push(format!(
                            "{}{all}{}",
                            &example[..leaf_start],
                            &example[leaf_end..]
                        ));
                    }
                }
                i = string_end(bytes, i);
                continue;
            }
            b'{' => {
                level += 1;
                // A member nested to the limit, as the object's first member.
                let room = JSON_LIMIT.saturating_sub(level);
                for levels in [room, room + 1] {
                    for (open, close) in [("[", "]"), (r#"{"a":"#, "}")] {
                        let deep = nested(levels, open, "1", close);
                        let rest = example[i + 1..].trim_start();
                        let comma = if rest.starts_with('}') { "" } else { "," };
                        out.push(format!(
                            "{}\"zz_deep\": {deep}{comma}{}",
                            &example[..=i],
                            &example[i + 1..]
                        ));
                    }
                }
            }
            b'[' => level += 1,
            b'}' | b']' => level -= 1,
            _ => {}
        }
        i += 1;
    }
    out
}

/// Runs every deepest document of `slot`; returns how many were accepted.
/// A panic status fails.
fn run_slot(fixture: &Fixture, slot: &Slot) -> usize {
    let mut accepted = 0;
    for doc in deepest(&slot.example) {
        let text = c(&doc);
        let status = (slot.call)(fixture, text.as_ptr() as *const c_char);
        assert_ne!(
            status,
            crm_status::Panic,
            "{}: {}",
            slot.name,
            hardening_ffi::last_error()
        );
        accepted += usize::from(status == crm_status::Ok);
    }
    accepted
}

fn on_stack<T: Send + 'static>(stack: usize, work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(work)
        .expect("thread")
        .join()
        .expect("no panic")
}

#[test]
fn every_json_argument_refuses_nesting_past_the_limit() {
    let fixture = Fixture::new();
    let too_deep = nested(JSON_LIMIT + 1, r#"{"a":"#, "1", "}");
    let at_limit = nested(JSON_LIMIT, r#"{"a":"#, "1", "}");
    for slot in slots(&fixture) {
        if slot.name.ends_with("/name") || slot.name.ends_with("/locale") {
            continue; // not JSON
        }
        let status = (slot.call)(&fixture, c(&too_deep).as_ptr());
        let message = hardening_ffi::last_error();
        assert_eq!(status, crm_status::Json, "{}: {message}", slot.name);
        assert!(
            message.contains("deeper than 64 levels"),
            "{}: {message}",
            slot.name
        );
        // At the limit the nesting itself is no error (the shape is).
        (slot.call)(&fixture, c(&at_limit).as_ptr());
        assert!(
            !hardening_ffi::last_error().contains("deeper than"),
            "{}",
            slot.name
        );
    }
}

#[test]
fn the_deepest_documents_of_every_json_argument_run_on_the_documented_stack() {
    let results = on_stack(HOST_STACK, || {
        let fixture = Fixture::new();
        let slots = slots(&fixture);
        // The examples themselves are valid (else the deep variants would
        // fail early and prove nothing).
        for slot in &slots {
            let text = c(&slot.example);
            let status = (slot.call)(&fixture, text.as_ptr());
            assert_eq!(
                status,
                crm_status::Ok,
                "{}: {}",
                slot.name,
                hardening_ffi::last_error()
            );
        }
        slots
            .iter()
            .map(|slot| {
                (
                    slot.name,
                    run_slot(&fixture, slot),
                    deepest(&slot.example).len(),
                )
            })
            .collect::<Vec<_>>()
    });
    // Some deepest documents are accepted (a value nested to the limit in an
    // attribute, a condition at its depth limit), so they ran all the way.
    let accepted: usize = results.iter().map(|r| r.1).sum();
    assert!(accepted > 0, "{results:?}");
    assert!(results.len() >= 34, "{} JSON arguments", results.len());
}

const CHILD_SLOT: &str = "CRMKIT_STACK_CHILD_SLOT";
const CHILD_SIZE: &str = "CRMKIT_STACK_CHILD_SIZE";

/// In a child of [`measure`]: runs one argument's deepest documents on a
/// thread of the given stack size (a stack overflow kills the child).
#[test]
#[ignore = "run by `measure`"]
fn child() {
    let (Ok(name), Ok(size)) = (std::env::var(CHILD_SLOT), std::env::var(CHILD_SIZE)) else {
        return;
    };
    let size: usize = size.parse().expect("size");
    on_stack(size, move || {
        let fixture = Fixture::new();
        let slots = slots(&fixture);
        if name == "fixture" {
            return;
        }
        let slot = slots.iter().find(|s| s.name == name).expect("slot");
        run_slot(&fixture, slot);
    });
}

fn child_runs(name: &str, size: usize) -> bool {
    Command::new(std::env::current_exe().expect("exe"))
        .args(["--ignored", "--exact", "child", "--test-threads=1"])
        .env(CHILD_SLOT, name)
        .env(CHILD_SIZE, size.to_string())
        .output()
        .expect("child")
        .status
        .success()
}

#[test]
#[ignore = "measurement: set CRMKIT_STACK_MEASURE=1"]
fn measure() {
    if std::env::var("CRMKIT_STACK_MEASURE").is_err() {
        return;
    }
    let names: Vec<&'static str> = {
        let fixture = Fixture::new();
        std::iter::once("fixture")
            .chain(slots(&fixture).iter().map(|s| s.name))
            .collect()
    };
    let only = std::env::var("CRMKIT_STACK_ONLY").unwrap_or_default();
    let names: Vec<&str> = names
        .into_iter()
        .filter(|n| n.contains(only.as_str()))
        .collect();
    let step = 4096;
    let mut worst = (0, "");
    for name in names {
        let (mut lo, mut hi) = (16 * 1024 / step, 4 * 1024 * 1024 / step);
        assert!(
            child_runs(name, hi * step),
            "{name} fails even with {} KiB",
            hi * step / 1024
        );
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if child_runs(name, mid * step) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        println!(
            "{name}: {} KiB suffice, {} KiB overflow",
            hi * step / 1024,
            lo * step / 1024
        );
        if hi * step > worst.0 {
            worst = (hi * step, name);
        }
    }
    println!("deepest: {} with {} KiB", worst.1, worst.0 / 1024);
}
