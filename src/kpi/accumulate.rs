//! Mergeable accumulators: one pass per entity kind fills a
//! [`KpiAccumulator`]; accumulators over disjoint parts of the data merge
//! into the accumulator of the whole.
//!
//! Every field is a count, an exact sum, a min or a list of durations, so
//! [`KpiAccumulator::merge`] is exact, associative and commutative. Facts
//! that span several records of one customer (the first revenue event, "was
//! a customer at the start") live in a sparse table of the contacts the
//! accumulator saw ([`ContactFacts`]), keyed by contact id and merged
//! contact by contact: a state is as large as its input, not as the
//! dataset, and reading or merging it needs no contact table.
//!
//! The serialised state carries a format version ([`STATE_VERSION`]);
//! states of another version (those written before facts were keyed by
//! contact id had none) are refused with a message saying so.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::context::Window;
use super::facts::{ContactFacts, CustomerCounts};
use super::records::RecordIds;
use crate::model::{ContactId, LifecycleStage};
use crate::{Error, Result};

/// The format of a serialised accumulator state. Version 2 keys the
/// per-contact facts by contact id; version 1 (no `version` field) keyed
/// them by position in the dataset's contact table.
pub(crate) const STATE_VERSION: u32 = 2;

/// The `version` field of a serialised state: written as
/// [`STATE_VERSION`], and any other value is refused when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct StateVersion;

fn unsupported_version(found: &str) -> String {
    format!(
        "accumulator state format {found} is not supported: this crmkit reads format \
         {STATE_VERSION} (per-contact facts keyed by contact id); accumulate the part again \
         with this version"
    )
}

impl Serialize for StateVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u32(STATE_VERSION)
    }
}

impl<'de> Deserialize<'de> for StateVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let found = serde_json::Value::deserialize(d)?;
        if found.as_u64() == Some(u64::from(STATE_VERSION)) {
            Ok(StateVersion)
        } else {
            Err(serde::de::Error::custom(unsupported_version(
                &crate::error::shown_plain(&found.to_string()),
            )))
        }
    }
}

/// Lifecycle stages that have a next stage, in funnel order.
pub(crate) const FUNNEL: [LifecycleStage; 6] = [
    LifecycleStage::Subscriber,
    LifecycleStage::Lead,
    LifecycleStage::Mql,
    LifecycleStage::Sql,
    LifecycleStage::Opportunity,
    LifecycleStage::Customer,
];

/// The engine settings that decide what an accumulator keeps from its
/// records, besides the period: a state fed under one revenue source,
/// segment or set of options and finished under another would give wrong
/// numbers without an error, so [`KpiEngine::finish`](super::KpiEngine::finish)
/// and [`KpiAccumulator::merge`] compare them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Basis {
    /// The segment and options, as a JSON object `{"segment", "options"}`.
    pub request: String,
    /// Whether the revenue events that new revenue needs were kept (only
    /// when the request asks for `new_revenue`).
    pub new_revenue: bool,
}

impl Basis {
    /// What differs between `self` (the accumulator's) and `other`, for
    /// messages: `options.revenue_source is "purchases" in the accumulator,
    /// "deals" here`.
    pub fn differences(&self, other: &Basis) -> String {
        let parse = |text: &str| {
            serde_json::from_str::<serde_json::Value>(text).unwrap_or(serde_json::Value::Null)
        };
        let (mine, theirs) = (parse(&self.request), parse(&other.request));
        let mut out = Vec::new();
        for part in ["segment", "options"] {
            let (a, b) = (&mine[part], &theirs[part]);
            match (a.as_object(), b.as_object()) {
                (Some(a), Some(b)) => {
                    let keys: std::collections::BTreeSet<&String> =
                        a.keys().chain(b.keys()).collect();
                    for k in keys {
                        let (x, y) = (a.get(k), b.get(k));
                        if x != y {
                            out.push(format!(
                                "{part}.{k} is {} in the accumulator, {} here",
                                x.map_or("absent".into(), ToString::to_string),
                                y.map_or("absent".into(), ToString::to_string)
                            ));
                        }
                    }
                }
                _ if a != b => out.push(format!("{part} is {a} in the accumulator, {b} here")),
                _ => {}
            }
        }
        if other.new_revenue && !self.new_revenue {
            out.push(
                "the accumulator kept no new-revenue events (ask for new_revenue when feeding it)"
                    .into(),
            );
        }
        out.join("; ")
    }
}

/// Exact sums and counts gathered from records; see the module docs.
///
/// Create one with [`KpiEngine::accumulator`](super::KpiEngine::accumulator),
/// feed it with [`KpiEngine::accumulate`](super::KpiEngine::accumulate), merge
/// partial ones with [`KpiAccumulator::merge`] and turn it into values with
/// [`KpiEngine::finish`](super::KpiEngine::finish).
///
/// Accumulators are serde-serialisable, so partial results computed on other
/// machines can be shipped as JSON ([`KpiAccumulator::to_json`]) and merged
/// here; a deserialised accumulator only merges with one of the same period
/// and dataset shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiAccumulator {
    /// The state format, first in the JSON ([`STATE_VERSION`]).
    version: StateVersion,
    pub(crate) window: Window,
    /// Facts of the contacts seen, by contact id.
    #[serde(default)]
    pub(crate) contacts: BTreeMap<ContactId, ContactFacts>,
    /// Customer counts of contacts already folded (all their records seen
    /// in one pass over the whole dataset).
    #[serde(default)]
    pub(crate) customers: CustomerCounts,
    /// Ids of the records fed (only for accumulators that may be merged).
    #[serde(default)]
    pub(crate) records: RecordIds,
    /// What the records were read under, beyond the period (absent in
    /// states written before crmkit 0.1 recorded it: those are not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) basis: Option<Basis>,
    // contacts
    pub(crate) leads: u64,
    pub(crate) leads_converted: u64,
    pub(crate) stage_entered: [u64; 6],
    pub(crate) stage_advanced: [u64; 6],
    // deals
    /// Deals and purchase activities seen at all (any time, any segment):
    /// without any, the KPIs built on them cannot be told.
    pub(crate) deals_seen: u64,
    pub(crate) purchases_seen: u64,
    /// The earliest instant of any record seen (`i64::MAX` before any).
    pub(crate) first_record: i64,
    pub(crate) won: u64,
    pub(crate) lost: u64,
    pub(crate) renewals_won: u64,
    pub(crate) renewals_closed: u64,
    /// Revenue of the period from the configured revenue source.
    pub(crate) revenue: Decimal,
    /// Value of the deals won in the period.
    pub(crate) deal_revenue: Decimal,
    /// Revenue events of the period (orders under `OrderBasis::Event`).
    pub(crate) orders: u64,
    pub(crate) campaign_revenue: Decimal,
    pub(crate) open_deals: u64,
    pub(crate) open_value: Decimal,
    pub(crate) weighted_value: Decimal,
    pub(crate) cycle_secs: Vec<i64>,
    /// Per flat stage index: completed stays ending in the period and their
    /// total seconds.
    pub(crate) stays: Vec<(u64, i128)>,
    // activities
    pub(crate) referrals: u64,
    pub(crate) visits: u64,
    pub(crate) visits_with_goal: u64,
    pub(crate) visit_secs: u128,
    pub(crate) proposals: u64,
    pub(crate) campaign_responses: u64,
    pub(crate) campaign_purchases: u64,
    pub(crate) purchases: u64,
    pub(crate) purchase_revenue: Decimal,
    pub(crate) promoters: u64,
    pub(crate) detractors: u64,
    pub(crate) nps_answers: u64,
    pub(crate) csat_satisfied: u64,
    pub(crate) csat_answers: u64,
    pub(crate) calls: u64,
    pub(crate) callbacks: u64,
    pub(crate) connected_calls: u64,
    pub(crate) handle_secs: u128,
    pub(crate) inbound_calls: u64,
    pub(crate) inbound_lost: u64,
    // tickets
    pub(crate) tickets_opened: u64,
    pub(crate) tickets_same_day: u64,
    pub(crate) complaints: u64,
    pub(crate) resolution_secs: Vec<i64>,
    pub(crate) first_responses: u64,
    pub(crate) first_response_secs: u128,
    pub(crate) sla_tickets: u64,
    pub(crate) sla_met: u64,
    // spend and campaigns
    pub(crate) marketing_spend: Decimal,
    pub(crate) marketing_salaries: Decimal,
    pub(crate) sales_spend: Decimal,
    pub(crate) sales_salaries: Decimal,
    pub(crate) service_spend: Decimal,
    pub(crate) campaigns_run: u64,
    pub(crate) campaign_cost: Decimal,
}

pub(crate) fn add(sum: &mut Decimal, amount: Decimal) -> Result<()> {
    *sum = sum
        .checked_add(amount)
        .ok_or_else(|| Error::overflow(format!("sum {sum} + {amount} overflows")))?;
    Ok(())
}

impl KpiAccumulator {
    pub(crate) fn new(window: Window, stages: usize, basis: Basis) -> KpiAccumulator {
        KpiAccumulator {
            version: StateVersion,
            window,
            basis: Some(basis),
            contacts: BTreeMap::new(),
            customers: CustomerCounts::default(),
            records: RecordIds::default(),
            leads: 0,
            leads_converted: 0,
            stage_entered: [0; 6],
            stage_advanced: [0; 6],
            deals_seen: 0,
            purchases_seen: 0,
            first_record: i64::MAX,
            won: 0,
            lost: 0,
            renewals_won: 0,
            renewals_closed: 0,
            revenue: Decimal::ZERO,
            deal_revenue: Decimal::ZERO,
            orders: 0,
            campaign_revenue: Decimal::ZERO,
            open_deals: 0,
            open_value: Decimal::ZERO,
            weighted_value: Decimal::ZERO,
            cycle_secs: Vec::new(),
            stays: vec![(0, 0); stages],
            referrals: 0,
            visits: 0,
            visits_with_goal: 0,
            visit_secs: 0,
            proposals: 0,
            campaign_responses: 0,
            campaign_purchases: 0,
            purchases: 0,
            purchase_revenue: Decimal::ZERO,
            promoters: 0,
            detractors: 0,
            nps_answers: 0,
            csat_satisfied: 0,
            csat_answers: 0,
            calls: 0,
            callbacks: 0,
            connected_calls: 0,
            handle_secs: 0,
            inbound_calls: 0,
            inbound_lost: 0,
            tickets_opened: 0,
            tickets_same_day: 0,
            complaints: 0,
            resolution_secs: Vec::new(),
            first_responses: 0,
            first_response_secs: 0,
            sla_tickets: 0,
            sla_met: 0,
            marketing_spend: Decimal::ZERO,
            marketing_salaries: Decimal::ZERO,
            sales_spend: Decimal::ZERO,
            sales_salaries: Decimal::ZERO,
            service_spend: Decimal::ZERO,
            campaigns_run: 0,
            campaign_cost: Decimal::ZERO,
        }
    }

    /// The accumulator as JSON, to ship it to where the parts are merged.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the accumulator's own types do not
    /// cause.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| {
            Error::new(
                crate::ErrorKind::Json,
                format!("cannot write accumulator: {e}"),
            )
        })
    }

    /// Reads an accumulator written by [`KpiAccumulator::to_json`]; errors
    /// name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape, and for a state of another format version (states
    /// written before facts were keyed by contact id have no `version`;
    /// the message says so); [`ErrorKind::Invalid`](crate::ErrorKind::Invalid)
    /// for a state that breaks the accumulator's invariants, naming the JSON
    /// path.
    pub fn from_json(json: &str) -> Result<KpiAccumulator> {
        Error::parse_json(json).map_err(|e: Error| {
            let message = e.message();
            if e.path().is_none()
                && message.contains("missing field")
                && message.contains("version")
            {
                Error::at(
                    crate::ErrorKind::Json,
                    "version",
                    unsupported_version("1 (no version field)"),
                )
            } else {
                e
            }
        })
    }

    /// The period this accumulator covers.
    pub fn period(&self) -> crate::calendar::Period {
        self.window.period
    }

    /// Adds everything `other` gathered. Both must come from the same engine
    /// and period.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) if the two cover
    /// different periods or datasets, were fed under different segments or
    /// options (path `accumulator.basis`), or when both were fed the same record
    /// (same kind and id: it would be counted twice; the message names it);
    /// nothing is merged then; [`ErrorKind::Overflow`](crate::ErrorKind::Overflow)
    /// if a sum overflows.
    pub fn merge(&mut self, other: &KpiAccumulator) -> Result<()> {
        if self.window != other.window || self.stays.len() != other.stays.len() {
            return Err(Error::new(
                crate::ErrorKind::Invalid,
                "cannot merge accumulators of different periods or datasets",
            ));
        }
        if let (Some(mine), Some(theirs)) = (&self.basis, &other.basis)
            && mine != theirs
        {
            return Err(Error::invalid(
                "accumulator.basis",
                format!(
                    "cannot merge accumulators fed under different segments or options: {}",
                    mine.differences(theirs)
                ),
            ));
        }
        self.records
            .check_apart(&other.records, "was fed to both accumulators being merged")?;
        if self.basis.is_none() {
            self.basis.clone_from(&other.basis);
        }
        self.records.add(other.records.clone());
        for (c, theirs) in &other.contacts {
            self.contacts.entry(c.clone()).or_default().merge(theirs);
        }
        self.customers.merge(&other.customers)?;
        for (mine, theirs) in self.stays.iter_mut().zip(&other.stays) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        for i in 0..FUNNEL.len() {
            self.stage_entered[i] += other.stage_entered[i];
            self.stage_advanced[i] += other.stage_advanced[i];
        }
        macro_rules! sum {
            ($($f:ident),*) => { $( self.$f += other.$f; )* };
        }
        self.first_record = self.first_record.min(other.first_record);
        sum!(
            deals_seen,
            purchases_seen,
            orders,
            leads,
            leads_converted,
            won,
            lost,
            renewals_won,
            renewals_closed,
            open_deals,
            referrals,
            visits,
            visits_with_goal,
            visit_secs,
            proposals,
            campaign_responses,
            campaign_purchases,
            purchases,
            promoters,
            detractors,
            nps_answers,
            csat_satisfied,
            csat_answers,
            calls,
            callbacks,
            connected_calls,
            handle_secs,
            inbound_calls,
            inbound_lost,
            tickets_opened,
            tickets_same_day,
            complaints,
            first_responses,
            first_response_secs,
            sla_tickets,
            sla_met,
            campaigns_run
        );
        macro_rules! money {
            ($($f:ident),*) => { $( add(&mut self.$f, other.$f)?; )* };
        }
        money!(
            revenue,
            deal_revenue,
            campaign_revenue,
            open_value,
            weighted_value,
            purchase_revenue,
            marketing_spend,
            marketing_salaries,
            sales_spend,
            sales_salaries,
            service_spend,
            campaign_cost
        );
        self.cycle_secs.extend_from_slice(&other.cycle_secs);
        self.resolution_secs
            .extend_from_slice(&other.resolution_secs);
        Ok(())
    }
}
