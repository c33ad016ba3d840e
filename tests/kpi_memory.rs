//! Issue 20's size attack on time series ("300 weekly points on a
//! 1M-contact dataset took 33 s and 8 GB"), run under a memory limit in a
//! child process so that a regression fails this test instead of taking the
//! machine down.
//!
//! The child is this test binary again, running the ignored test
//! `series_size_attack_in_a_child` with `CRMKIT_KPI_MEMORY_CHILD` set. Its
//! allocator counts live heap bytes and refuses any allocation past the
//! budget (the dataset plus 64 MiB), which aborts the child; `ulimit -v`
//! (8 GB of address space) is a second fence. A series that kept one
//! per-contact table per period needed 300 x 40,000 x 24 bytes = 275 MiB
//! more than one period here.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, TimeZone, Utc};
use crmkit::kpi::{KpiEngine, KpiRequest, TimeSeriesRequest, time_series};
use crmkit::model::{Activity, ActivityKind, Contact, ContactId, Dataset, DatasetParts};
use crmkit::money::{Currency, Money};
use rust_decimal::Decimal;

struct Budgeted;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Most live bytes allowed; 0 for no limit.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let limit = LIMIT.load(Ordering::Relaxed);
        let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        if limit != 0 && now > limit {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            return std::ptr::null_mut();
        }
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `alloc` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Budgeted = Budgeted;

const CONTACTS: usize = 40_000;
const PURCHASES_PER_CONTACT: i64 = 3;
const CHILD: &str = "CRMKIT_KPI_MEMORY_CHILD";

/// A shop: `CONTACTS` customers created over 2020-2025, each with a few
/// purchases after its creation.
fn shop() -> Dataset {
    let usd = Currency::new("USD").expect("usd");
    let start = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .expect("start");
    let days = 6 * 365;
    let mut parts = DatasetParts {
        reporting_currency: Some(usd),
        ..DatasetParts::default()
    };
    let template: Contact = serde_json::from_value(serde_json::json!({
        "id": "C0", "name": "shopper", "created_at": start.to_rfc3339()
    }))
    .expect("contact");
    for c in 0..CONTACTS {
        let first = (c as i64 * 7919) % (days - 30);
        let id: ContactId = format!("C{c}").parse().expect("contact id");
        let mut contact = template.clone();
        contact.id = id.clone();
        contact.created_at = start + Duration::days(first);
        parts.contacts.push(contact);
        for k in 0..PURCHASES_PER_CONTACT {
            let at = start + Duration::days(first + (k * 97 + c as i64) % (days - first));
            parts.activities.push(Activity {
                id: format!("P{c}-{k}").parse().expect("activity id"),
                contact: id.clone(),
                at,
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
    Dataset::new(parts).expect("shop")
}

const KPIS: &str = r#""kpis": ["revenue", "orders", "active_customers", "repeat_customers",
    "new_customers", "churn_rate", "retention_rate", "new_revenue"],
    "options": {"revenue_source": "purchases", "active_customer_days": 90}"#;

/// Peak live bytes above the level before `f` ran.
fn peak_extra(f: impl FnOnce()) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

#[test]
#[ignore = "the child process of series_of_300_weeks_runs_within_a_memory_budget"]
fn series_size_attack_in_a_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let dataset = shop();
    let live = LIVE.load(Ordering::Relaxed);
    LIMIT.store(live + (64 << 20), Ordering::Relaxed);
    let one = KpiRequest::from_json(&format!(
        r#"{{{KPIS}, "period": {{"start": "2024-01-01", "end": "2024-02-01"}}}}"#
    ))
    .expect("request");
    let engine = KpiEngine::new(&dataset, &one).expect("engine");
    let one_period = peak_extra(|| {
        engine.compute().expect("one period");
    });
    let weeks = TimeSeriesRequest::from_json(&format!(
        r#"{{{KPIS}, "granularity": "week", "range": {{"start": "2020-03-02", "end": "2025-12-15"}}}}"#
    ))
    .expect("series request");
    let mut points = 0;
    let series = peak_extra(|| {
        points = time_series(&dataset, &weeks).expect("series").points.len();
    });
    eprintln!(
        "dataset {:.1} MiB; peak extra: one period {:.2} MiB, {points} weekly points {:.2} MiB",
        live as f64 / 1048576.0,
        one_period as f64 / 1048576.0,
        series as f64 / 1048576.0
    );
    assert!(points >= 300, "{points} points");
    // Memory independent of the points: what grows is the output (300
    // points of 8 measurements) and a few counters per point.
    assert!(
        series < one_period + (8 << 20),
        "a series of {points} points needed {series} bytes, one period {one_period}"
    );
}

#[test]
fn series_of_300_weeks_runs_within_a_memory_budget() {
    let exe = std::env::current_exe().expect("test binary");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 8000000 2>/dev/null; exec "$0" "$@""#)
        .arg(&exe)
        .args([
            "--ignored",
            "--exact",
            "series_size_attack_in_a_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("child process");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the size attack failed under its memory budget ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("1 passed"),
        "the child did not run:\n{stdout}"
    );
    eprintln!("{stderr}");
}
