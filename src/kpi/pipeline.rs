//! The pipeline bottleneck report: per stage, how many open deals sit there
//! and their share, how long they have waited, how often the stage converts
//! to the next, and how many were followed up in time — with findings such
//! as "half the deals sit in needs analysis and only two thirds of those were
//! followed up".
//!
//! ```
//! use crmkit::kpi::{pipeline_report, PipelineReportRequest};
//! use crmkit::kpi::pipeline::FindingCode;
//! use crmkit::sample::{generate, SampleConfig, SAMPLE_AS_OF};
//!
//! let ds = generate(&SampleConfig::default())?;
//! let report = pipeline_report(&ds, &PipelineReportRequest::new(SAMPLE_AS_OF))?;
//! let needs = report.stages.iter().find(|s| s.stage.as_str() == "needs-analysis").unwrap();
//! assert!(needs.open * 100 >= report.open_items * 40); // about half of the open deals
//! assert!(report.findings.iter().any(|f| f.code == FindingCode::BottleneckWithoutFollowUp));
//! Ok::<(), crmkit::Error>(())
//! ```
//!
//! Definitions (as of the request's `as_of`):
//!
//! - An item is a deal of the pipeline created at or before `as_of` and not
//!   closed by then; it sits in the stage of its last stage visit entered at
//!   or before `as_of` (its current stage without a history).
//! - Time in stage: `as_of` minus the time the item entered its stage, in
//!   days; mean and median over the stage's items.
//! - Conversion to the next stage: of the stays in the stage that ended by
//!   `as_of`, the share whose next stage is not a lost stage.
//! - Follow-up coverage: the share of the stage's items with a follow-up
//!   activity ([`ActivityKind::is_follow_up`](crate::model::ActivityKind::is_follow_up):
//!   a call, meeting, proposal or e-mail sent) linked to the deal within
//!   `follow_up_days` of entering the stage.
//!
//! With `"items": "leads"` the report follows contacts through the lead
//! stages of the lifecycle (lead, MQL, SQL, opportunity) instead: an item
//! sits in the stage of its last lifecycle transition at or before `as_of`,
//! a stay moves on when the next stage is later in the funnel (not
//! disqualified), and a follow-up is any follow-up activity with the contact.

use chrono::Duration;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::context::Context;
use super::request::{KpiOptions, Segment};
use super::value::{KpiValue, divide};
use crate::model::{Dataset, LifecycleStage, PipelineId, StageId, StageKind, Timestamp};
use crate::money::{Currency, Percent};
use crate::{Error, Result};

fn default_follow_up_days() -> u32 {
    7
}

/// What the bottleneck report looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineReportRequest {
    /// The pipeline; absent: the dataset's first pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineId>,
    /// The instant the report describes.
    pub as_of: Timestamp,
    /// Follow-up must happen within this many days of entering the stage
    /// (default 7).
    #[serde(default = "default_follow_up_days")]
    pub follow_up_days: u32,
    /// A stage holding at least this share of the open items is a
    /// bottleneck; absent: 40 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottleneck_share: Option<Percent>,
    /// Follow-up coverage below this is a finding; absent: 80 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_target: Option<Percent>,
    /// Optional segment (owner, team, campaign or channel of the deals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    /// Deals through a pipeline's stages (default) or leads through the
    /// lifecycle stages.
    #[serde(default)]
    pub items: Items,
}

/// What the report follows through stages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Items {
    /// Open deals in the working stages of a pipeline.
    #[default]
    Deals,
    /// Contacts in the lead stages of the lifecycle (lead, MQL, SQL,
    /// opportunity); a follow-up is any follow-up activity with the contact.
    Leads,
}

impl Items {
    fn noun(self) -> &'static str {
        match self {
            Items::Deals => "deals",
            Items::Leads => "leads",
        }
    }
}

impl PipelineReportRequest {
    /// The defaults for the first pipeline at `as_of`.
    pub fn new(as_of: Timestamp) -> PipelineReportRequest {
        PipelineReportRequest {
            pipeline: None,
            as_of,
            follow_up_days: default_follow_up_days(),
            bottleneck_share: None,
            coverage_target: None,
            segment: None,
            items: Items::Deals,
        }
    }

    /// Parses a request; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for
    /// values out of range, naming the JSON path.
    pub fn from_json(json: &str) -> Result<PipelineReportRequest> {
        let request: PipelineReportRequest = Error::parse_json(json)?;
        request.validate()?;
        Ok(request)
    }

    /// Checks a request however it was built: `follow_up_days` from 1 to
    /// 3650 and `as_of` within the supported time range (years 1 to 9999,
    /// see [`check_timestamp`](crate::model::check_timestamp)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.follow_up_days == 0 || self.follow_up_days > 3650 {
            return Err(Error::invalid(
                "follow_up_days",
                format!(
                    "expected a whole number from 1 to 3650, got {}",
                    self.follow_up_days
                ),
            ));
        }
        crate::model::check_timestamp(self.as_of, "as_of")
    }
}

/// A share with its numerator and denominator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Percentage {
    /// Percent, or undefined for an empty denominator.
    #[serde(flatten)]
    pub value: KpiValue,
    /// Numerator.
    pub numerator: u64,
    /// Denominator.
    pub denominator: u64,
}

impl Percentage {
    fn new(numerator: u64, denominator: u64, reason: &str) -> Percentage {
        Percentage {
            value: divide(
                Decimal::from(numerator),
                Decimal::from(denominator),
                Decimal::ONE_HUNDRED,
                reason,
            ),
            numerator,
            denominator,
        }
    }

    fn percent_text(&self) -> String {
        self.value
            .as_decimal()
            .map_or_else(|| "n/a".to_string(), |v| format!("{} %", v.round_dp(1)))
    }
}

/// One stage of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageReport {
    /// Stage id.
    pub stage: StageId,
    /// Stage name.
    pub name: String,
    /// Open items in the stage.
    pub open: u64,
    /// Percentage of all open items.
    pub share: Percentage,
    /// Mean days the items have been in the stage.
    pub mean_days_in_stage: KpiValue,
    /// Median days the items have been in the stage.
    pub median_days_in_stage: KpiValue,
    /// Stays that ended by `as_of` and moved on to a later, non-lost stage.
    pub conversion_to_next: Percentage,
    /// Items followed up within `follow_up_days` of entering the stage.
    pub follow_up_coverage: Percentage,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    /// A stage holds at least `bottleneck_share` of the open items.
    Bottleneck,
    /// A bottleneck stage whose follow-up coverage is below the target.
    BottleneckWithoutFollowUp,
    /// A stage's follow-up coverage is below the target.
    LowFollowUp,
}

/// A finding of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PipelineFinding {
    /// Machine-readable kind.
    pub code: FindingCode,
    /// The stage concerned.
    pub stage: StageId,
    /// The finding in words.
    pub message: String,
}

/// The bottleneck report of one pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PipelineReport {
    /// Deals or leads.
    pub items: Items,
    /// The pipeline (for deals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineId>,
    /// The instant described.
    pub as_of: Timestamp,
    /// The follow-up window used.
    pub follow_up_days: u32,
    /// Open items over all stages.
    pub open_items: u64,
    /// One row per open (working) stage, in pipeline order.
    pub stages: Vec<StageReport>,
    /// Findings, most important first.
    pub findings: Vec<PipelineFinding>,
}

fn days(seconds: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(seconds, 0)
        .ok()
        .and_then(|s| s.checked_div(Decimal::from(86_400)))
        .unwrap_or(Decimal::MAX)
}

fn median_days(values: &mut [i64]) -> KpiValue {
    values.sort_unstable();
    let n = values.len();
    let (sum, count) = match n {
        0 => (0, 0),
        _ if n % 2 == 1 => (i128::from(values.get(n / 2).copied().unwrap_or(0)), 1),
        _ => (
            i128::from(values.get(n / 2 - 1).copied().unwrap_or(0))
                + i128::from(values.get(n / 2).copied().unwrap_or(0)),
            2,
        ),
    };
    divide(
        days(sum),
        Decimal::from(count),
        Decimal::ONE,
        "no items in the stage",
    )
}

/// Builds the bottleneck report.
///
/// # Errors
///
/// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for an unknown
/// pipeline or segment target; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid)
/// if the dataset has no pipeline or the request is invalid
/// ([`PipelineReportRequest::validate`]).
pub fn pipeline_report(
    dataset: &Dataset,
    request: &PipelineReportRequest,
) -> Result<PipelineReport> {
    request.validate()?;
    let options = KpiOptions {
        currency: Some(
            dataset
                .reporting_currency()
                .unwrap_or(Currency::new("XXX")?),
        ),
        ..KpiOptions::default()
    };
    let ctx = Context::new(dataset, request.segment.clone(), options, request.as_of)?;
    let (pipeline, rows, tally) = match request.items {
        Items::Deals => {
            let pipeline = match &request.pipeline {
                Some(id) => dataset.pipeline(id).ok_or_else(|| {
                    Error::not_found("pipeline", format!("unknown pipeline \"{id}\""))
                })?,
                None => dataset
                    .pipelines()
                    .first()
                    .ok_or_else(|| Error::invalid("pipeline", "the dataset has no pipeline"))?,
            };
            let rows = pipeline
                .stages
                .iter()
                .enumerate()
                .filter(|(_, s)| s.kind == StageKind::Open)
                .map(|(i, s)| (i, s.id.clone(), s.name.clone()))
                .collect::<Vec<_>>();
            let tally = deal_tally(dataset, &ctx, pipeline, request);
            (Some(pipeline.id.clone()), rows, tally)
        }
        Items::Leads => {
            if request.pipeline.is_some() {
                return Err(Error::invalid(
                    "pipeline",
                    "a lead report follows the lifecycle, not a pipeline",
                ));
            }
            let rows = LEAD_STAGES
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    Ok((
                        i,
                        StageId::new(s.as_str())?,
                        lead_stage_name(*s).to_string(),
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            (None, rows, lead_tally(dataset, &ctx, request))
        }
    };
    let open_items: u64 = tally.ages.iter().map(|a| a.len() as u64).sum();
    let mut stages = Vec::new();
    for (index, stage, name) in rows {
        let mut list = tally.ages.get(index).cloned().unwrap_or_default();
        let count = list.len() as u64;
        let total: i128 = list.iter().map(|&a| i128::from(a)).sum();
        stages.push(StageReport {
            stage,
            name,
            open: count,
            share: Percentage::new(count, open_items, "no open items"),
            mean_days_in_stage: divide(
                days(total),
                Decimal::from(count),
                Decimal::ONE,
                "no items in the stage",
            ),
            median_days_in_stage: median_days(&mut list),
            conversion_to_next: Percentage::new(
                tally.advanced.get(index).copied().unwrap_or(0),
                tally.exits.get(index).copied().unwrap_or(0),
                "no stay in the stage has ended",
            ),
            follow_up_coverage: Percentage::new(
                tally.followed.get(index).copied().unwrap_or(0),
                count,
                "no items in the stage",
            ),
        });
    }
    let findings = findings(&stages, request);
    Ok(PipelineReport {
        items: request.items,
        pipeline,
        as_of: request.as_of,
        follow_up_days: request.follow_up_days,
        open_items,
        stages,
        findings,
    })
}

/// Per stage index: ages of the items there, follow-ups, ended stays and
/// stays that moved on.
struct Tally {
    ages: Vec<Vec<i64>>,
    followed: Vec<u64>,
    exits: Vec<u64>,
    advanced: Vec<u64>,
}

impl Tally {
    fn new(stages: usize) -> Tally {
        Tally {
            ages: vec![Vec::new(); stages],
            followed: vec![0; stages],
            exits: vec![0; stages],
            advanced: vec![0; stages],
        }
    }

    fn stay_ended(&mut self, index: usize, moved_on: bool) {
        if let Some(e) = self.exits.get_mut(index) {
            *e += 1;
        }
        if moved_on && let Some(a) = self.advanced.get_mut(index) {
            *a += 1;
        }
    }

    fn waiting(&mut self, index: usize, age_seconds: i64, followed_up: bool) {
        if let Some(list) = self.ages.get_mut(index) {
            list.push(age_seconds);
        }
        if followed_up && let Some(f) = self.followed.get_mut(index) {
            *f += 1;
        }
    }
}

fn deal_tally(
    dataset: &Dataset,
    ctx: &Context<'_>,
    pipeline: &crate::model::Pipeline,
    request: &PipelineReportRequest,
) -> Tally {
    let as_of = request.as_of;
    let window = Duration::try_days(i64::from(request.follow_up_days)).unwrap_or(Duration::MAX);
    let mut tally = Tally::new(pipeline.stages.len());
    for deal in dataset.deals_in_pipeline(&pipeline.id) {
        if !ctx.deal_in_segment(deal) || deal.created_at > as_of {
            continue;
        }
        // Conversion: completed stays.
        for (i, visit) in deal.stage_history.iter().enumerate() {
            if visit.exited_at.is_none_or(|e| e > as_of) {
                continue;
            }
            let Some((index, _)) = pipeline.stage(&visit.stage) else {
                continue;
            };
            let moved_on = deal
                .stage_history
                .get(i + 1)
                .filter(|next| next.entered_at <= as_of)
                .and_then(|next| pipeline.stage(&next.stage))
                .is_some_and(|(_, s)| s.kind != StageKind::Lost);
            tally.stay_ended(index, moved_on);
        }
        if deal.closed_at.is_some_and(|c| c <= as_of) {
            continue;
        }
        let (stage, entered) = deal
            .stage_history
            .iter()
            .rev()
            .find(|v| v.entered_at <= as_of)
            .map_or((&deal.stage, deal.created_at), |v| (&v.stage, v.entered_at));
        let Some((index, s)) = pipeline.stage(stage) else {
            continue;
        };
        if s.kind != StageKind::Open {
            continue;
        }
        let deadline = follow_up_deadline(entered, window, as_of);
        let followed_up = dataset.activities_of(&deal.contact).any(|a| {
            a.deal.as_ref() == Some(&deal.id)
                && a.kind.is_follow_up()
                && entered <= a.at
                && a.at <= deadline
        });
        tally.waiting(index, (as_of - entered).num_seconds(), followed_up);
    }
    tally
}

/// The end of the follow-up window of a stay entered at `entered`: `window`
/// later, or `as_of` if that is earlier (also when the sum overflows).
fn follow_up_deadline(entered: Timestamp, window: Duration, as_of: Timestamp) -> Timestamp {
    entered
        .checked_add_signed(window)
        .map_or(as_of, |end| end.min(as_of))
}

/// The lifecycle stages a lead report follows.
const LEAD_STAGES: [LifecycleStage; 4] = [
    LifecycleStage::Lead,
    LifecycleStage::Mql,
    LifecycleStage::Sql,
    LifecycleStage::Opportunity,
];

fn lead_stage_name(stage: LifecycleStage) -> &'static str {
    match stage {
        LifecycleStage::Lead => "Lead",
        LifecycleStage::Mql => "Marketing-qualified lead",
        LifecycleStage::Sql => "Sales-qualified lead",
        LifecycleStage::Opportunity => "Opportunity",
        _ => "Other",
    }
}

fn lead_tally(dataset: &Dataset, ctx: &Context<'_>, request: &PipelineReportRequest) -> Tally {
    let as_of = request.as_of;
    let window = Duration::try_days(i64::from(request.follow_up_days)).unwrap_or(Duration::MAX);
    let mut tally = Tally::new(LEAD_STAGES.len());
    let slot = |stage: LifecycleStage| LEAD_STAGES.iter().position(|s| *s == stage);
    for (position, contact) in dataset.contacts().iter().enumerate() {
        if !ctx.contact_in_segment(contact) || contact.created_at > as_of {
            continue;
        }
        let life = &contact.lifecycle;
        let first = life.history.first().map_or(life.stage, |t| t.from);
        // (stage, entered at) up to as_of, oldest first.
        let entries: Vec<_> = std::iter::once((first, contact.created_at))
            .chain(life.history.iter().map(|t| (t.to, t.at)))
            .filter(|(_, at)| *at <= as_of)
            .collect();
        for pair in entries.windows(2) {
            if let [(stage, _), (next, _)] = pair
                && let Some(index) = slot(*stage)
            {
                tally.stay_ended(index, next > stage && *next != LifecycleStage::Disqualified);
            }
        }
        let Some(&(stage, entered)) = entries.last() else {
            continue;
        };
        let Some(index) = slot(stage) else {
            continue;
        };
        let deadline = follow_up_deadline(entered, window, as_of);
        let followed_up = dataset
            .activities_at(position)
            .any(|a| a.kind.is_follow_up() && entered <= a.at && a.at <= deadline);
        tally.waiting(index, (as_of - entered).num_seconds(), followed_up);
    }
    tally
}

fn findings(stages: &[StageReport], request: &PipelineReportRequest) -> Vec<PipelineFinding> {
    let below =
        |share: &Percentage, limit: Decimal| share.value.as_decimal().is_some_and(|v| v < limit);
    let bottleneck_share = request
        .bottleneck_share
        .map_or(Decimal::from(40), |p| p.value());
    let coverage_target = request
        .coverage_target
        .map_or(Decimal::from(80), |p| p.value());
    let mut found = Vec::new();
    let bottleneck = stages
        .iter()
        .filter(|s| !below(&s.share, bottleneck_share))
        .max_by_key(|s| s.open);
    if let Some(stage) = bottleneck {
        let low = below(&stage.follow_up_coverage, coverage_target);
        let mut message = format!(
            "{} of open {} ({} of {}) sit in {}",
            stage.share.percent_text(),
            request.items.noun(),
            stage.share.numerator,
            stage.share.denominator,
            stage.name
        );
        if low {
            message.push_str(&format!(
                ", and only {} of those ({} of {}) were followed up within {} days",
                stage.follow_up_coverage.percent_text(),
                stage.follow_up_coverage.numerator,
                stage.follow_up_coverage.denominator,
                request.follow_up_days
            ));
        }
        found.push(PipelineFinding {
            code: if low {
                FindingCode::BottleneckWithoutFollowUp
            } else {
                FindingCode::Bottleneck
            },
            stage: stage.stage.clone(),
            message,
        });
    }
    for stage in stages {
        if bottleneck.is_some_and(|b| b.stage == stage.stage)
            || !below(&stage.follow_up_coverage, coverage_target)
        {
            continue;
        }
        found.push(PipelineFinding {
            code: FindingCode::LowFollowUp,
            stage: stage.stage.clone(),
            message: format!(
                "only {} of the {} in {} ({} of {}) were followed up within {} days",
                stage.follow_up_coverage.percent_text(),
                request.items.noun(),
                stage.name,
                stage.follow_up_coverage.numerator,
                stage.follow_up_coverage.denominator,
                request.follow_up_days
            ),
        });
    }
    found
}
