//! KPI benchmark: the full catalog over 1,000,000 deals, 10,000,000
//! activities and 200,000 tickets (one pass per entity kind), plus the
//! sample company's report and bottleneck report.
//!
//! Run: `cargo bench --bench kpi -- --warm-up-time 1 --measurement-time 3`.
//! Set `CRMKIT_KPI_BENCH_SCALE=10` to divide the big input by 10 (for quick
//! runs on a busy machine).
//!
//! The big input comes from a dedicated, seeded generator below (the sample
//! generator is not built for ten million records): 250,000 contacts,
//! 4 deals and 40 activities per contact, 200,000 tickets, one year of data
//! (2025), 1 pipeline of 6 stages, 20 reps in 4 teams, 24 campaigns, 48 spend
//! entries. A counting allocator measures the input's size (every record
//! lives on the heap) and the extra memory the computation allocates at its
//! peak; both are printed before the timings, with the median CPU time of
//! the computation (the one-core cost, independent of other load).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use crmkit::calendar::{FiscalCalendar, Period};
use crmkit::kpi::{KpiEngine, KpiRequest, PipelineReportRequest, compute, pipeline_report};
use crmkit::model::*;
use crmkit::money::{Currency, Money, Percent};
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, SampleRng, generate};
use rust_decimal::Decimal;

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to the system allocator and only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as `System.alloc`.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as `System.dealloc`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as `System.realloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CONTACTS: usize = 250_000;
const DEALS_PER_CONTACT: usize = 4;
const ACTIVITIES_PER_CONTACT: usize = 40;
const TICKETS: usize = 200_000;
const DAYS: i64 = 365;

fn scale() -> usize {
    std::env::var("CRMKIT_KPI_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s >= 1)
        .unwrap_or(1)
}

fn ts(start: Timestamp, rng: &mut SampleRng, from_day: i64, days: i64) -> Timestamp {
    start + Duration::seconds(rng.range(from_day * 86_400, (from_day + days) * 86_400 - 1))
}

fn id<T: std::str::FromStr>(text: String) -> T
where
    T::Err: std::fmt::Debug,
{
    text.parse().expect("valid id")
}

/// The big input, built straight into records (no JSON).
fn big_dataset() -> Dataset {
    let contacts = CONTACTS / scale();
    let tickets = TICKETS / scale();
    let mut rng = SampleRng::new(42);
    let usd = Currency::new("USD").expect("usd");
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("start");
    let mut parts = DatasetParts {
        reporting_currency: Some(usd),
        fiscal_calendar: FiscalCalendar::default(),
        ..DatasetParts::default()
    };
    let stage_ids: Vec<StageId> = ["new", "qualify", "proposal", "negotiation", "won", "lost"]
        .iter()
        .map(|s| id(s.to_string()))
        .collect();
    parts.pipelines.push(Pipeline {
        id: id("sales".into()),
        name: "Sales".into(),
        stages: stage_ids
            .iter()
            .enumerate()
            .map(|(i, s)| Stage {
                id: s.clone(),
                name: s.to_string(),
                probability: Percent::new([10, 20, 50, 75, 100, 0][i]).expect("percent"),
                kind: match i {
                    4 => StageKind::Won,
                    5 => StageKind::Lost,
                    _ => StageKind::Open,
                },
            })
            .collect(),
    });
    for t in 0..4 {
        parts.teams.push(Team {
            id: id(format!("T{t}")),
            name: format!("Team {t}"),
        });
    }
    let reps: Vec<RepId> = (0..20).map(|r| id(format!("R{r}"))).collect();
    for (r, rep) in reps.iter().enumerate() {
        parts.reps.push(SalesRep {
            id: rep.clone(),
            name: format!("Rep {r}"),
            email: None,
            team: Some(id(format!("T{}", r % 4))),
            territories: Vec::new(),
            active: true,
        });
    }
    let campaigns: Vec<CampaignId> = (0..24).map(|c| id(format!("CMP{c}"))).collect();
    let day0 = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    for (c, campaign) in campaigns.iter().enumerate() {
        let begin = day0 + Duration::days(c as i64 * 15);
        parts.campaigns.push(Campaign {
            id: campaign.clone(),
            name: format!("Campaign {c}"),
            channel: [Channel::Email, Channel::Search, Channel::Social][c % 3],
            purpose: CampaignPurpose::Acquisition,
            cost: Money::new(Decimal::from(1000 + c as i64 * 100), usd),
            start: begin,
            end: begin + Duration::days(30),
        });
    }
    for s in 0..48 {
        parts.spend.push(SpendEntry {
            id: id(format!("S{s}")),
            date: day0 + Duration::days(s as i64 * 7),
            category: if s % 2 == 0 {
                SpendCategory::Marketing
            } else {
                SpendCategory::Sales
            },
            kind: if s % 3 == 0 {
                SpendKind::Salaries
            } else {
                SpendKind::Advertising
            },
            amount: Money::new(Decimal::from(5_000 + s as i64), usd),
            campaign: None,
            team: Some(id(format!("T{}", s % 4))),
        });
    }
    let contact_ids: Vec<ContactId> = (0..contacts).map(|c| id(format!("C{c}"))).collect();
    for (c, contact_id) in contact_ids.iter().enumerate() {
        let created = ts(start, &mut rng, -200, 200 + DAYS - 30);
        let stage = [
            LifecycleStage::Subscriber,
            LifecycleStage::Lead,
            LifecycleStage::Mql,
            LifecycleStage::Customer,
        ][c % 4];
        let history = if stage == LifecycleStage::Customer {
            vec![
                LifecycleTransition {
                    from: LifecycleStage::Lead,
                    to: LifecycleStage::Mql,
                    at: created + Duration::days(3),
                },
                LifecycleTransition {
                    from: LifecycleStage::Mql,
                    to: LifecycleStage::Customer,
                    at: created + Duration::days(20),
                },
            ]
        } else {
            Vec::new()
        };
        parts.contacts.push(Contact {
            id: contact_id.clone(),
            name: String::new(),
            email: (c % 10 < 7).then(|| "x@example.com".to_string()),
            phone: None,
            job_title: None,
            company: None,
            owner: Some(reps[c % reps.len()].clone()),
            source_campaign: (c % 3 == 0).then(|| campaigns[c % campaigns.len()].clone()),
            country: None,
            territory: None,
            created_at: created,
            lifecycle: Lifecycle { stage, history },
            demographics: Demographics::default(),
            tags: BTreeSet::new(),
            attributes: Default::default(),
        });
    }
    let deal_count = contacts * DEALS_PER_CONTACT;
    let mut deal_ids = Vec::with_capacity(deal_count);
    for d in 0..deal_count {
        let contact = &contact_ids[d / DEALS_PER_CONTACT];
        let deal_id: DealId = id(format!("D{d}"));
        deal_ids.push(deal_id.clone());
        let created = ts(start, &mut rng, -120, 120 + DAYS - 20);
        let roll = rng.range(0, 99);
        let (status, last_open) = match roll {
            0..=39 => (DealStatus::Won, 3),
            40..=64 => (DealStatus::Lost, rng.range(0, 3) as usize),
            _ => (DealStatus::Open, rng.range(0, 3) as usize),
        };
        let mut visits = Vec::with_capacity(last_open + 2);
        let mut at = created;
        for (s, stage) in stage_ids.iter().enumerate().take(last_open + 1) {
            let exit = at + Duration::hours(rng.range(12, 24 * 12));
            let still = status == DealStatus::Open && s == last_open;
            visits.push(StageVisit {
                stage: stage.clone(),
                entered_at: at,
                exited_at: (!still).then_some(exit),
            });
            at = exit;
        }
        let (stage, closed_at) = match status {
            DealStatus::Won => (stage_ids[4].clone(), Some(at)),
            DealStatus::Lost => (stage_ids[5].clone(), Some(at)),
            DealStatus::Open => (stage_ids[last_open].clone(), None),
        };
        if closed_at.is_some() {
            visits.push(StageVisit {
                stage: stage.clone(),
                entered_at: at,
                exited_at: None,
            });
        }
        parts.deals.push(Deal {
            id: deal_id,
            name: String::new(),
            contact: contact.clone(),
            company: None,
            pipeline: parts.pipelines[0].id.clone(),
            stage,
            value: Money::new(Decimal::new(rng.range(5_000, 900_000), 2), usd),
            status,
            lost_reason: None,
            kind: [
                DealKind::New,
                DealKind::New,
                DealKind::Renewal,
                DealKind::Upsell,
                DealKind::CrossSell,
            ][d % 5],
            created_at: created,
            closed_at,
            owner: Some(reps[d % reps.len()].clone()),
            source_campaign: (d % 4 == 0).then(|| campaigns[d % campaigns.len()].clone()),
            stage_history: visits,
            tags: BTreeSet::new(),
        });
    }
    let activity_count = contacts * ACTIVITIES_PER_CONTACT;
    parts.activities.reserve_exact(activity_count);
    for a in 0..activity_count {
        let c = a / ACTIVITIES_PER_CONTACT;
        let at = ts(start, &mut rng, -30, 30 + DAYS);
        let roll = rng.range(0, 99);
        let mut deal = None;
        let kind = match roll {
            0..=29 => ActivityKind::WebsiteVisit {
                url: "/pricing".to_string(),
                duration_seconds: rng.range(5, 600) as u32,
                goal_completed: roll % 10 == 0,
            },
            30..=54 => ActivityKind::Email {
                event: [
                    EmailEvent::Sent,
                    EmailEvent::Opened,
                    EmailEvent::Clicked,
                    EmailEvent::Sent,
                    EmailEvent::Bounced,
                    EmailEvent::Unsubscribed,
                ][a % 6],
                subject: None,
            },
            55..=74 => {
                deal = Some(deal_ids[c * DEALS_PER_CONTACT + a % DEALS_PER_CONTACT].clone());
                ActivityKind::Call {
                    direction: if roll % 2 == 0 {
                        CallDirection::Outbound
                    } else {
                        CallDirection::Inbound
                    },
                    outcome: [
                        CallOutcome::Connected,
                        CallOutcome::Connected,
                        CallOutcome::NoAnswer,
                        CallOutcome::Abandoned,
                    ][a % 4],
                    wait_seconds: 10,
                    talk_seconds: rng.range(30, 900) as u32,
                    hold_seconds: 20,
                    wrap_up_seconds: 30,
                    callback: a % 17 == 0,
                }
            }
            75..=77 => ActivityKind::Meeting {
                duration_minutes: 30,
            },
            78..=79 => ActivityKind::ProposalSent { amount: None },
            80..=86 => ActivityKind::Purchase {
                amount: Money::new(Decimal::new(rng.range(1_000, 50_000), 2), usd),
                items: Vec::new(),
            },
            87..=92 => ActivityKind::SurveyAnswer {
                survey: String::new(),
                score: if roll % 2 == 0 {
                    SurveyScore::Nps(NpsScore::new((a % 11) as u8).expect("nps"))
                } else {
                    SurveyScore::Csat(CsatScore::new((a % 5 + 1) as u8).expect("csat"))
                },
            },
            93 => ActivityKind::Referral { referred: None },
            _ => ActivityKind::FormSubmission {
                form: "demo".to_string(),
            },
        };
        parts.activities.push(Activity {
            id: id(format!("A{a}")),
            contact: contact_ids[c].clone(),
            at,
            deal,
            campaign: (a % 9 == 0).then(|| campaigns[a % campaigns.len()].clone()),
            rep: (a % 2 == 0).then(|| reps[a % reps.len()].clone()),
            kind,
        });
    }
    for t in 0..tickets {
        let opened = ts(start, &mut rng, -10, 10 + DAYS);
        let first = opened + Duration::minutes(rng.range(5, 600));
        let resolved = first + Duration::minutes(rng.range(10, 6_000));
        parts.tickets.push(Ticket {
            id: id(format!("T{t}")),
            contact: contact_ids[(t * 7) % contacts].clone(),
            channel: TicketChannel::Email,
            kind: if t % 9 == 0 {
                TicketKind::Complaint
            } else {
                TicketKind::Question
            },
            priority: Priority::Normal,
            subject: String::new(),
            assignee: Some(reps[t % reps.len()].clone()),
            opened_at: opened,
            first_response_at: Some(first),
            resolved_at: (t % 13 != 0).then_some(resolved),
            sla: Some(Sla {
                first_response_minutes: Some(240),
                resolution_minutes: Some(2_880),
            }),
        });
    }
    Dataset::new(parts).expect("valid big dataset")
}

/// CPU time this thread has run, in nanoseconds (Linux), if known.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn bench_big(c: &mut Criterion) {
    let before = LIVE.load(Ordering::Relaxed);
    let dataset = big_dataset();
    let input = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let counts = dataset.counts();
    let year = Period::new(
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
    )
    .expect("period");
    let request = KpiRequest::new(year);
    let engine = KpiEngine::new(&dataset, &request).expect("engine");

    // Extra memory of one full computation, measured at its peak.
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let values = engine.compute().expect("compute");
    let extra = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    drop(values);
    let mut acc = engine.accumulator();
    engine
        .accumulate(&mut acc, &crmkit::kpi::Partition::whole(&dataset))
        .expect("accumulate");
    let held = LIVE.load(Ordering::Relaxed).saturating_sub(base);
    drop(acc);
    eprintln!(
        "kpi bench input: {} contacts, {} deals, {} activities, {} tickets; input {:.0} MiB \
         (records, strings and dataset indexes, all on the heap); compute peak extra {:.1} MiB \
         ({:.2} % of input), filled accumulator {:.1} MiB",
        counts.contacts,
        counts.deals,
        counts.activities,
        counts.tickets,
        mib(input),
        mib(extra),
        100.0 * extra as f64 / input.max(1) as f64,
        mib(held)
    );

    // On a shared machine wall time includes waiting for a core; the
    // thread's own CPU time is the one-core cost.
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    for _ in 0..5 {
        let (c0, w0) = (thread_cpu_ns(), std::time::Instant::now());
        black_box(engine.compute().expect("compute"));
        wall.push(w0.elapsed().as_secs_f64() * 1e3);
        if let (Some(a), Some(b)) = (c0, thread_cpu_ns()) {
            cpu.push(b.saturating_sub(a) as f64 / 1e6);
        }
    }
    cpu.sort_by(f64::total_cmp);
    wall.sort_by(f64::total_cmp);
    eprintln!(
        "kpi bench full catalog: median cpu time {:.0} ms, median wall time {:.0} ms (5 runs)",
        cpu.get(cpu.len() / 2).copied().unwrap_or(f64::NAN),
        wall.get(wall.len() / 2).copied().unwrap_or(f64::NAN)
    );

    let mut group = c.benchmark_group("kpi_big");
    group.sample_size(10);
    group.bench_function("full_catalog_1M_deals_10M_activities_200k_tickets", |b| {
        b.iter(|| black_box(engine.compute().expect("compute")))
    });
    group.finish();
}

fn bench_sample(c: &mut Criterion) {
    let dataset = generate(&SampleConfig::default()).expect("sample");
    let request = KpiRequest::from_json(
        r#"{"period": {"start": "2026-07-01", "end": "2026-10-01"}, "granularity": "quarter"}"#,
    )
    .expect("request");
    c.bench_function("kpi_report_sample_company_with_previous_quarter", |b| {
        b.iter(|| black_box(compute(&dataset, &request).expect("report")))
    });
    let pipeline = PipelineReportRequest::new(SAMPLE_AS_OF);
    c.bench_function("pipeline_report_sample_company", |b| {
        b.iter(|| black_box(pipeline_report(&dataset, &pipeline).expect("report")))
    });
}

/// A shop's purchase log: `SHOP_CONTACTS` customers buying about
/// `SHOP_PURCHASES_PER_CONTACT` times each over six years (2020-2025).
const SHOP_CONTACTS: usize = 100_000;
const SHOP_PURCHASES_PER_CONTACT: usize = 10;

fn purchase_log() -> Dataset {
    let contacts = SHOP_CONTACTS / scale();
    let mut rng = SampleRng::new(7);
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
    for c in 0..contacts {
        let first = rng.range(0, days - 1);
        let contact_id: ContactId = id(format!("C{c}"));
        let mut contact: Contact = serde_json::from_value(serde_json::json!({
            "id": contact_id.to_string(), "name": "shopper",
            "created_at": (start + Duration::days(first)).to_rfc3339()
        }))
        .expect("contact");
        contact.id = contact_id.clone();
        parts.contacts.push(contact);
        let n = rng.range(1, 2 * SHOP_PURCHASES_PER_CONTACT as i64);
        for k in 0..n {
            let at = ts(start, &mut rng, first, (days - first).max(1));
            parts.activities.push(Activity {
                id: id(format!("P{c}-{k}")),
                contact: contact_id.clone(),
                at,
                deal: None,
                campaign: None,
                rep: None,
                kind: ActivityKind::Purchase {
                    amount: Money::new(Decimal::new(rng.range(500, 20_000), 2), usd),
                    items: Vec::new(),
                },
            });
        }
    }
    Dataset::new(parts).expect("purchase log")
}

/// Series of 1, 18 (months) and 300 (weeks) points against one period, on
/// the purchase log: CPU time and the peak memory each call allocates.
fn bench_series(c: &mut Criterion) {
    let dataset = purchase_log();
    let counts = dataset.counts();
    let kpis = r#""kpis": ["revenue", "orders", "active_customers", "average_order_value",
        "purchase_frequency", "repeat_customers", "new_customers", "churn_rate"],
        "options": {"revenue_source": "purchases", "active_customer_days": 90}"#;
    let single = KpiRequest::from_json(&format!(
        r#"{{{kpis}, "period": {{"start": "2024-01-01", "end": "2024-02-01"}}}}"#
    ))
    .expect("request");
    let series = |points: &str, granularity: &str, end: &str| {
        let request = crmkit::kpi::TimeSeriesRequest::from_json(&format!(
            r#"{{{kpis}, "granularity": "{granularity}", "range": {{"start": "2020-03-02", "end": "{end}"}}}}"#
        ))
        .expect("series request");
        (points.to_string(), request)
    };
    let requests = [
        series("1", "month", "2020-03-03"),
        series("18", "month", "2021-09-01"),
        series("300", "week", "2025-12-15"),
    ];
    let engine = KpiEngine::new(&dataset, &single).expect("engine");
    let measure = |f: &dyn Fn()| {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let mut cpu = Vec::new();
        for _ in 0..3 {
            let c0 = thread_cpu_ns();
            f();
            if let (Some(a), Some(b)) = (c0, thread_cpu_ns()) {
                cpu.push(b.saturating_sub(a) as f64 / 1e6);
            }
        }
        cpu.sort_by(f64::total_cmp);
        let extra = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        (
            cpu.get(cpu.len() / 2).copied().unwrap_or(f64::NAN),
            mib(extra),
        )
    };
    let (one_ms, one_mib) = measure(&|| {
        black_box(engine.compute().expect("compute"));
    });
    eprintln!(
        "kpi series bench input: {} contacts, {} purchases; one period: median cpu {one_ms:.0} ms, peak extra {one_mib:.1} MiB",
        counts.contacts, counts.activities
    );
    for (points, request) in &requests {
        let (ms, extra) = measure(&|| {
            black_box(crmkit::kpi::time_series(&dataset, request).expect("series"));
        });
        eprintln!(
            "kpi series of {points} points: median cpu {ms:.0} ms ({:.1}x one period), peak extra {extra:.1} MiB",
            ms / one_ms
        );
    }
    let mut group = c.benchmark_group("kpi_series");
    group.sample_size(10);
    group.bench_function("one_period_purchase_log", |b| {
        b.iter(|| black_box(engine.compute().expect("compute")))
    });
    for (points, request) in &requests {
        group.bench_function(format!("series_{points}_points_purchase_log"), |b| {
            b.iter(|| black_box(crmkit::kpi::time_series(&dataset, request).expect("series")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sample, bench_series, bench_big);
criterion_main!(benches);
