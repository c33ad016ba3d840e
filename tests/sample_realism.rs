//! The sample company's rates sit in published ranges (cited in
//! `crmkit::sample`'s docs), its pipeline keeps the bottleneck story, and
//! its nurture A/B split and campaign touches are there for the analytics
//! quickstart.

use crmkit::kpi::{KpiRequest, KpiValue, compute};
use crmkit::model::{ActivityKind, Dataset, DealStatus, EmailEvent};
use crmkit::sample::{SampleConfig, generate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

fn sample() -> Dataset {
    generate(&SampleConfig::default()).expect("sample")
}

fn kpi(ds: &Dataset, name: &str, period: &str, options: &str) -> f64 {
    let request = KpiRequest::from_json(&format!(
        r#"{{"kpis": ["{name}"], "period": {period}, "options": {{{options}}}}}"#
    ))
    .expect("request");
    let report = compute(ds, &request).expect("report");
    match &report.kpis[0].current.value {
        KpiValue::Defined { value } => value.to_f64().unwrap_or(f64::NAN),
        KpiValue::Undefined { reason, .. } => panic!("{name} undefined: {reason}"),
    }
}

const YEAR: &str = r#"{"start": "2025-11-01", "end": "2026-11-01"}"#;

#[test]
fn win_rate_and_sla_compliance_are_in_published_ranges() {
    let ds = sample();
    let win = kpi(&ds, "win_rate", YEAR, "");
    eprintln!("win rate {win}");
    assert!((20.0..=30.0).contains(&win), "win rate {win}");
    let sla = kpi(&ds, "sla_compliance", YEAR, "");
    eprintln!("sla {sla}");
    assert!((80.0..=95.0).contains(&sla), "SLA compliance {sla}");
    for q in ["2026-01-01", "2026-04-01", "2026-07-01"] {
        let end = match q {
            "2026-01-01" => "2026-04-01",
            "2026-04-01" => "2026-07-01",
            _ => "2026-10-01",
        };
        let period = format!(r#"{{"start": "{q}", "end": "{end}"}}"#);
        let w = kpi(&ds, "win_rate", &period, "");
        let cycle = kpi(&ds, "sales_cycle_length", &period, "");
        eprintln!("{q}: win {w} cycle {cycle}");
    }
}

#[test]
fn open_deals_keep_the_bottleneck_and_are_recent() {
    let ds = sample();
    let open: Vec<_> = ds.deals().iter().filter(|d| d.is_open()).collect();
    let needs = open
        .iter()
        .filter(|d| d.stage.as_str() == "needs-analysis")
        .count();
    let share = needs as f64 / open.len() as f64;
    assert!((0.4..=0.6).contains(&share), "needs-analysis share {share}");
    // Every open deal entered its current stage at most 45 days before the
    // end of the data (not the half year the first sample parked them for).
    let end = crmkit::sample::SAMPLE_AS_OF;
    for d in &open {
        let entered = d.stage_history.last().map(|v| v.entered_at).unwrap();
        let days = (end - entered).num_days();
        assert!((3..=45).contains(&days), "{}: {days} days", d.id.as_str());
    }
}

#[test]
fn the_nurture_split_has_two_variants_with_realistic_counts() {
    let ds = sample();
    let mut counts = [(0u32, 0u32); 2];
    for d in ds.deals() {
        for (k, tag) in ["nurture-A", "nurture-B"].iter().enumerate() {
            if d.tags.contains(*tag) {
                counts[k].0 += 1;
                if d.status == DealStatus::Won {
                    counts[k].1 += 1;
                }
                assert!(d.value.amount < Decimal::from(500));
            }
        }
    }
    eprintln!("nurture {counts:?}");
    for (enrolled, won) in counts {
        assert!(enrolled >= 30, "{counts:?}");
        let rate = f64::from(won) / f64::from(enrolled);
        assert!((0.02..=0.30).contains(&rate), "{counts:?}");
    }
    let clicks = ds
        .activities()
        .iter()
        .filter(|a| {
            matches!(
                &a.kind,
                ActivityKind::Email {
                    event: EmailEvent::Clicked,
                    subject: Some(s)
                } if s.starts_with("nurture-")
            )
        })
        .count();
    assert!(clicks > 10, "{clicks}");
}
