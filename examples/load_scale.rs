//! Measures loading at scale (issue 21, "Loading data"): building the
//! records of a purchase log, `Dataset::new`, `Dataset::from_json` and the
//! memory each holds. Not a user example; run in release:
//!
//! ```text
//! cargo run --release --example load_scale -- records 3500000 10000000
//! cargo run --release --example load_scale -- json 3500000 10000000
//! /usr/bin/time -v target/release/examples/load_scale records 3500000 10000000
//! ```
//!
//! Prints one line per phase: CPU seconds (user + system), wall seconds, resident memory after the phase
//! and the peak during it (Linux `/proc/self/status`; the peak is reset
//! between phases through `/proc/self/clear_refs`).

use std::time::Instant;

use crmkit::model::Dataset;

#[path = "../benches/support/purchase_log.rs"]
mod purchase_log;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds (user + system) the process has used: on this shared
/// machine wall time mostly measures the other processes.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn phase<T>(name: &str, f: impl FnOnce() -> T) -> T {
    reset_peak();
    let start = Instant::now();
    let cpu = cpu_seconds();
    let value = f();
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    println!(
        "{name:<28} cpu {cpu:>7.2} s   wall {seconds:>8.3} s   rss {:>6} MiB   peak {:>6} MiB",
        status_kib("VmRSS:") / 1024,
        status_kib("VmHWM:") / 1024
    );
    value
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("records", String::as_str);
    let contacts: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(350_000);
    let purchases: usize = args
        .get(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    println!("{mode}: {contacts} contacts, {purchases} purchases");
    let columns = phase("columns", || purchase_log::columns(contacts, purchases, 7));
    match mode {
        "records" => {
            let parts = phase("build records", || {
                purchase_log::records(&columns, contacts)
            });
            drop(columns);
            let dataset = phase("Dataset::new", || Dataset::new(parts).expect("valid"));
            println!("activities {}", dataset.counts().activities);
        }
        "json" => {
            let parts = purchase_log::records(&columns, contacts);
            drop(columns);
            let json = phase("to_json", || serde_json::to_string(&parts).expect("json"));
            drop(parts);
            let cpu = cpu_seconds();
            let dataset = phase("Dataset::from_json", || {
                Dataset::from_json(&json).expect("valid")
            });
            let seconds = cpu_seconds() - cpu;
            println!(
                "json {:.1} MB, {:.1} MB per CPU second",
                json.len() as f64 / 1e6,
                json.len() as f64 / 1e6 / seconds
            );
            println!("activities {}", dataset.counts().activities);
        }
        "columns" => {
            // The columnar way in: contacts as records, purchases as arrays.
            let mut parts = purchase_log::records(
                &purchase_log::columns(contacts, contacts.min(purchases), 7),
                contacts,
            );
            parts.activities = Vec::new();
            let gbp = [crmkit::money::Currency::new("GBP").expect("GBP")];
            let dataset = phase("Dataset::with_purchases", || {
                let purchases = crmkit::model::PurchaseColumns {
                    contacts: &columns.customers,
                    at_unix: &columns.at_unix,
                    amounts_minor: &columns.pence,
                    scale: 2,
                    currencies: &gbp,
                    id_prefix: "P",
                };
                Dataset::with_purchases(parts, &purchases).expect("valid")
            });
            println!("activities {}", dataset.counts().activities);
        }
        other => eprintln!("unknown mode {other:?}: records, json or columns"),
    }
}
