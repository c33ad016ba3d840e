//! Peak memory of a KPI time series against one period on a purchase log,
//! for `/usr/bin/time -v` (issue 20: "300 weekly points on a 1M-contact
//! dataset took 33 s and 8 GB").
//!
//! ```text
//! cargo build --release --example kpi_series_memory
//! /usr/bin/time -v target/release/examples/kpi_series_memory load 100000
//! /usr/bin/time -v target/release/examples/kpi_series_memory one 100000
//! /usr/bin/time -v target/release/examples/kpi_series_memory months 100000
//! /usr/bin/time -v target/release/examples/kpi_series_memory weeks 100000
//! target/release/examples/kpi_series_memory all 100000 7
//! ```
//!
//! `load` only builds the dataset (the baseline), `one` adds one monthly
//! period, `months` a series of 18 monthly points, `weeks` a series of 302
//! weekly points, `all` times the three in turn on the same dataset (an
//! optional third argument repeats each call, default 1) and prints each
//! one's median CPU time and its ratio to one period. The dataset: the given
//! number of contacts created over 2020-2025, ten purchases each.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use crmkit::kpi::{KpiEngine, KpiRequest, TimeSeriesRequest, time_series};
use crmkit::model::{Activity, ActivityKind, Contact, ContactId, Dataset, DatasetParts};
use crmkit::money::{Currency, Money};
use rust_decimal::Decimal;

fn purchase_log(contacts: usize) -> Result<Dataset, crmkit::Error> {
    let usd = Currency::new("USD")?;
    let start = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| crmkit::Error::invalid("start", "no such instant"))?;
    let days = 6 * 365;
    let mut parts = DatasetParts {
        reporting_currency: Some(usd),
        ..DatasetParts::default()
    };
    let template: Contact = serde_json::from_value(serde_json::json!({
        "id": "C0", "name": "shopper", "created_at": start.to_rfc3339()
    }))
    .map_err(|e| crmkit::Error::invalid("contact", e.to_string()))?;
    for c in 0..contacts {
        let first = (c as i64 * 7919) % (days - 30);
        let id: ContactId = format!("C{c}").parse()?;
        let mut contact = template.clone();
        contact.id = id.clone();
        contact.created_at = start + Duration::days(first);
        parts.contacts.push(contact);
        for k in 0..10i64 {
            parts.activities.push(Activity {
                id: format!("P{c}-{k}").parse()?,
                contact: id.clone(),
                at: start + Duration::days(first + (k * 97 + c as i64) % (days - first)),
                deal: None,
                campaign: None,
                rep: None,
                kind: ActivityKind::Purchase {
                    amount: Money::new(Decimal::new(1000 + k * 250, 2), usd),
                    items: Vec::new(),
                },
            });
        }
    }
    Dataset::new(parts)
}

const KPIS: &str = r#""kpis": ["revenue", "orders", "active_customers", "average_order_value",
    "purchase_frequency", "repeat_customers", "new_customers", "churn_rate"],
    "options": {"revenue_source": "purchases", "active_customer_days": 90}"#;

/// CPU seconds (user + system) of this process: on a shared machine wall
/// time mostly measures the other processes.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
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
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU nanoseconds this thread has run (`/proc/thread-self/schedstat`),
/// when the kernel says.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `what` (one, months or weeks) once; the number of points.
fn run(dataset: &Dataset, what: &str) -> Result<usize, crmkit::Error> {
    Ok(match what {
        "one" => {
            let request = KpiRequest::from_json(&format!(
                r#"{{{KPIS}, "period": {{"start": "2024-01-01", "end": "2024-02-01"}}}}"#
            ))?;
            KpiEngine::new(dataset, &request)?.compute()?;
            1
        }
        "months" => {
            // The issue's shape: 18 monthly points.
            let request = TimeSeriesRequest::from_json(&format!(
                r#"{{{KPIS}, "granularity": "month", "range": {{"start": "2024-01-01", "end": "2025-07-01"}}}}"#
            ))?;
            time_series(dataset, &request)?.points.len()
        }
        _ => {
            let request = TimeSeriesRequest::from_json(&format!(
                r#"{{{KPIS}, "granularity": "week", "range": {{"start": "2020-03-02", "end": "2025-12-15"}}}}"#
            ))?;
            time_series(dataset, &request)?.points.len()
        }
    })
}

/// `all`: each of one, months and weeks `reps` times, interleaved, with
/// the median CPU milliseconds of each and its ratio to one period.
fn all(dataset: &Dataset, reps: usize) -> Result<(), crmkit::Error> {
    let kinds = ["one", "months", "weeks"];
    let mut ms: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
    for _ in 0..reps.max(1) {
        for (kind, times) in kinds.iter().zip(ms.iter_mut()) {
            let before = thread_cpu_ns();
            run(dataset, kind)?;
            if let (Some(a), Some(b)) = (before, thread_cpu_ns()) {
                times.push(b.saturating_sub(a) as f64 / 1e6);
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let medians: Vec<f64> = ms.iter_mut().map(median).collect();
    let one = medians.first().copied().unwrap_or(f64::NAN);
    for ((kind, m), times) in kinds.iter().zip(&medians).zip(&ms) {
        let runs: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();
        println!(
            "{kind}: median cpu {m:.1} ms ({:.2}x one period) over {} runs [{}]",
            m / one,
            times.len(),
            runs.join(" ")
        );
    }
    Ok(())
}

fn main() -> Result<(), crmkit::Error> {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "weeks".to_string());
    let contacts = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000usize);
    let dataset = purchase_log(contacts)?;
    if what == "all" {
        let reps = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        return all(&dataset, reps);
    }
    let started = Instant::now();
    let cpu = cpu_seconds();
    let points = if what == "load" {
        0
    } else {
        run(&dataset, &what)?
    };
    println!(
        "{what}: {contacts} contacts, {} purchases, {points} points in {:.0} ms wall, {:.0} ms cpu",
        dataset.activities().len(),
        started.elapsed().as_secs_f64() * 1e3,
        (cpu_seconds() - cpu) * 1e3
    );
    Ok(())
}
