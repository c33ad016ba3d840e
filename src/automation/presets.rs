//! Ready-made rules: the $500 deal-value routing (with its boundary made
//! explicit), repeat-purchase discount, tenure-milestone reward,
//! post-purchase personalised e-mail, feedback survey after a closed ticket,
//! follow-up task for a deal stuck in a stage and the welcome series for new
//! subscribers.
//!
//! Each preset returns a [`RuleDoc`] (plain data), so it can be tuned,
//! serialised or combined; [`standard`] puts them all in one rule set.
//!
//! ```
//! use crmkit::automation::presets::{Boundary, RoutingConfig, routing_rule_set};
//! use crmkit::automation::{FindingKind, RuleSet, analyze};
//!
//! // The seed's rule as written: over $500 call, under $500 nurture.
//! let seed = RuleSet::compile(routing_rule_set(&RoutingConfig::usd_500(Boundary::Unrouted)?))?;
//! let gaps: Vec<_> = analyze(&seed).of_kind(FindingKind::Gap).cloned().collect();
//! assert_eq!(gaps.len(), 1);
//! assert_eq!(gaps[0].example_text, "deal.value = 500.00 USD");
//! // With the boundary assigned to the call branch, nothing is left unrouted.
//! let fixed = RuleSet::compile(routing_rule_set(&RoutingConfig::usd_500(Boundary::Call)?))?;
//! assert_eq!(analyze(&fixed).of_kind(FindingKind::Gap).count(), 0);
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::BTreeMap;

use super::action::{ActionSpec, Assignee};
use super::condition::{Condition, Op};
use super::ruleset::{BranchDoc, EnrollmentPolicy, HitPolicy, RuleDoc, RuleSetDoc};
use super::trigger::{PurchaseCount, PurchaseCountName, StuckEntity, Trigger};
use crate::Result;
use crate::model::{CampaignId, TaskKind};
use crate::money::{Currency, Money, Percent};

/// Where a deal of exactly the threshold goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// `value >= threshold` gets the call (`< threshold` is nurtured).
    Call,
    /// `value <= threshold` is nurtured (`> threshold` gets the call).
    Nurture,
    /// As the seed wrote it: `> threshold` call, `< threshold` nurture; a
    /// deal of exactly the threshold is routed nowhere (the analysis reports
    /// it as a gap).
    Unrouted,
}

/// The settings of the deal-value routing preset.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingConfig {
    /// The threshold (500 USD in the seed).
    pub threshold: Money,
    /// Where the threshold itself goes.
    pub boundary: Boundary,
    /// The nurture campaign.
    pub nurture_campaign: CampaignId,
    /// Who gets the call task.
    pub assignee: Assignee,
    /// The rule id.
    pub rule_id: String,
}

impl RoutingConfig {
    /// $500.00, nurture campaign `nurture`, the owner calls.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) only if the preset's
    /// own configuration were invalid (it is not; kept for symmetry with
    /// configured routings).
    pub fn usd_500(boundary: Boundary) -> Result<RoutingConfig> {
        Ok(RoutingConfig {
            threshold: Money::parse("500.00", Currency::new("USD")?)?,
            boundary,
            nurture_campaign: CampaignId::new("nurture")?,
            assignee: Assignee::Owner,
            rule_id: "deal-value-routing".to_string(),
        })
    }
}

/// The deal-value routing rule: on `deal_created`, a call task for the owner
/// above the threshold, the nurture campaign below it, and the threshold
/// itself where `boundary` says.
pub fn deal_value_routing(config: &RoutingConfig) -> RuleDoc {
    let t = config.threshold;
    let (call_op, nurture_op) = match config.boundary {
        Boundary::Call => (Op::Ge, Op::Lt),
        Boundary::Nurture => (Op::Gt, Op::Le),
        Boundary::Unrouted => (Op::Gt, Op::Lt),
    };
    RuleDoc {
        id: config.rule_id.clone(),
        name: format!("Route new deals at {t}"),
        priority: 0,
        enabled: true,
        trigger: Trigger::DealCreated {},
        when: None,
        then: None,
        branches: vec![
            BranchDoc {
                condition: Condition::money("deal.value", call_op, t),
                then: vec![ActionSpec::CreateTask {
                    task: TaskKind::Call,
                    title: "Call {{contact.name}} about {{deal.name}} ({{deal.value}})".into(),
                    assignee: config.assignee.clone(),
                    due_in_days: 1,
                }],
            },
            BranchDoc {
                condition: Condition::money("deal.value", nurture_op, t),
                then: vec![ActionSpec::EnrollInCampaign {
                    campaign: config.nurture_campaign.clone(),
                }],
            },
        ],
        otherwise: None,
        enrollment: EnrollmentPolicy::Once,
    }
}

/// A rule set holding only the routing rule (first match).
pub fn routing_rule_set(config: &RoutingConfig) -> RuleSetDoc {
    RuleSetDoc {
        hit_policy: HitPolicy::First,
        max_cascade_depth: 0,
        max_actions_per_event: None,
        max_work_per_event: None,
        exchange_rates: None,
        rules: vec![deal_value_routing(config)],
    }
}

fn rule(
    id: &str,
    name: &str,
    trigger: Trigger,
    then: Vec<ActionSpec>,
    policy: EnrollmentPolicy,
) -> RuleDoc {
    RuleDoc {
        id: id.to_string(),
        name: name.to_string(),
        priority: 0,
        enabled: true,
        trigger,
        when: None,
        then: Some(then),
        branches: Vec::new(),
        otherwise: None,
        enrollment: policy,
    }
}

/// A discount code (and a thank-you e-mail) for every repeat purchase.
pub fn repeat_purchase_discount(percent: Percent) -> RuleDoc {
    rule(
        "repeat-purchase-discount",
        "Reward repeat purchases",
        Trigger::PurchaseMade {
            count: Some(PurchaseCount::Named(PurchaseCountName::Repeat)),
        },
        vec![
            ActionSpec::IssueDiscount {
                percent,
                prefix: "THANKS".into(),
                valid_days: 30,
            },
            ActionSpec::SendEmail {
                template: "repeat-purchase-reward".into(),
                subject: "A thank-you for coming back, {{contact.name}}".into(),
                fields: BTreeMap::from([("first_name".into(), "contact.name".into())]),
            },
        ],
        EnrollmentPolicy::EveryTime,
    )
}

/// A discount on the customer's tenure milestones (anniversaries of
/// `contact.created_at`).
pub fn tenure_milestone_reward(years: Vec<u32>, percent: Percent) -> RuleDoc {
    rule(
        "tenure-milestone-reward",
        "Celebrate customer anniversaries",
        Trigger::Date {
            field: "contact.created_at".into(),
            anniversary: false,
            milestone_years: years,
            offset_days: None,
            catch_up_days: 7,
        },
        vec![
            ActionSpec::IssueDiscount {
                percent,
                prefix: "ANNIV".into(),
                valid_days: 60,
            },
            ActionSpec::SendEmail {
                template: "anniversary".into(),
                subject: "Happy anniversary, {{contact.name}}".into(),
                fields: BTreeMap::from([("first_name".into(), "contact.name".into())]),
            },
        ],
        EnrollmentPolicy::EveryTime,
    )
}

/// A personalised e-mail after every purchase.
pub fn post_purchase_email() -> RuleDoc {
    rule(
        "post-purchase-email",
        "Thank buyers personally",
        Trigger::PurchaseMade { count: None },
        vec![ActionSpec::SendEmail {
            template: "post-purchase".into(),
            subject: "Your order, {{contact.name}}".into(),
            fields: BTreeMap::from([
                ("first_name".into(), "contact.name".into()),
                ("amount".into(), "event.value".into()),
                ("purchase_number".into(), "event.purchase_number".into()),
            ]),
        }],
        EnrollmentPolicy::EveryTime,
    )
}

/// A satisfaction survey after every closed ticket.
pub fn feedback_after_ticket() -> RuleDoc {
    rule(
        "ticket-feedback",
        "Ask for feedback after support",
        Trigger::TicketClosed {},
        vec![ActionSpec::RequestFeedback {
            survey: "csat".into(),
            channel: "email".into(),
        }],
        EnrollmentPolicy::EveryTime,
    )
}

/// A follow-up call task for the owner of a deal stuck `days` days in one
/// stage.
pub fn stuck_deal_follow_up(days: u32) -> RuleDoc {
    rule(
        "stuck-deal-follow-up",
        "Unstick deals",
        Trigger::Stuck {
            entity: StuckEntity::Deal,
            days,
            stage: None,
            pipeline: None,
        },
        vec![ActionSpec::CreateTask {
            task: TaskKind::Call,
            title: "{{deal.name}} has been in {{deal.stage}} for {{event.days}} days".into(),
            assignee: Assignee::Owner,
            due_in_days: 2,
        }],
        EnrollmentPolicy::EveryTime,
    )
}

/// The welcome series for new subscribers.
pub fn welcome_series(campaign: CampaignId) -> RuleDoc {
    let mut doc = rule(
        "welcome-series",
        "Welcome new subscribers",
        Trigger::ContactCreated {},
        vec![
            ActionSpec::EnrollInCampaign { campaign },
            ActionSpec::SendEmail {
                template: "welcome".into(),
                subject: "Welcome, {{contact.name}}".into(),
                fields: BTreeMap::from([("first_name".into(), "contact.name".into())]),
            },
        ],
        EnrollmentPolicy::Once,
    );
    doc.when = Some(Condition::leaf(
        "contact.lifecycle_stage",
        Op::Eq,
        serde_json::json!("subscriber"),
    ));
    doc
}

/// Every preset in one rule set (all matches), with the routing boundary
/// given.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) only if a preset's own
/// configuration were invalid (it is not).
pub fn standard(boundary: Boundary) -> Result<RuleSetDoc> {
    Ok(RuleSetDoc {
        hit_policy: HitPolicy::All,
        max_cascade_depth: 0,
        max_actions_per_event: None,
        max_work_per_event: None,
        exchange_rates: None,
        rules: vec![
            deal_value_routing(&RoutingConfig::usd_500(boundary)?),
            repeat_purchase_discount(Percent::new(10)?),
            tenure_milestone_reward(vec![1, 3, 5], Percent::new(15)?),
            post_purchase_email(),
            feedback_after_ticket(),
            stuck_deal_follow_up(14),
            welcome_series(CampaignId::new("welcome")?),
        ],
    })
}

/// The names of the presets [`by_name`] returns, in a fixed order (the same
/// list C hosts read with `crm_preset_names`).
pub const NAMES: &[&str] = &[
    "usd_500_routing",
    "usd_500_routing_nurture_boundary",
    "usd_500_routing_unrouted_boundary",
    "repeat_purchase_discount",
    "tenure_milestone_reward",
    "post_purchase_email",
    "feedback_after_ticket",
    "stuck_deal_follow_up",
    "welcome_series",
    "standard",
];

/// A preset as a rule set, by name (see [`NAMES`]):
///
/// - `usd_500_routing`: [`routing_rule_set`] with [`RoutingConfig::usd_500`]
///   and [`Boundary::Call`] (a deal of exactly $500 gets the call);
///   `usd_500_routing_nurture_boundary` and
///   `usd_500_routing_unrouted_boundary` the same with [`Boundary::Nurture`]
///   and [`Boundary::Unrouted`] (the seed's rule as written);
/// - `repeat_purchase_discount` (10 %), `tenure_milestone_reward` (1, 3 and
///   5 years, 15 %), `post_purchase_email`, `feedback_after_ticket`,
///   `stuck_deal_follow_up` (14 days) and `welcome_series` (campaign
///   `welcome`): the single rule in a rule set of its own (all matches);
/// - `standard`: [`standard`] with [`Boundary::Call`].
///
/// ```
/// use crmkit::automation::{RuleSet, presets};
///
/// for name in presets::NAMES {
///     RuleSet::compile(presets::by_name(name)?)?;
/// }
/// assert!(presets::by_name("no-such-preset").is_err());
/// Ok::<(), crmkit::Error>(())
/// ```
///
/// # Errors
///
/// `NotFound` for a name not in [`NAMES`] (the message lists them).
pub fn by_name(name: &str) -> Result<RuleSetDoc> {
    let single = |rule: RuleDoc| RuleSetDoc {
        hit_policy: HitPolicy::All,
        max_cascade_depth: 0,
        max_actions_per_event: None,
        max_work_per_event: None,
        exchange_rates: None,
        rules: vec![rule],
    };
    Ok(match name {
        "usd_500_routing" => routing_rule_set(&RoutingConfig::usd_500(Boundary::Call)?),
        "usd_500_routing_nurture_boundary" => {
            routing_rule_set(&RoutingConfig::usd_500(Boundary::Nurture)?)
        }
        "usd_500_routing_unrouted_boundary" => {
            routing_rule_set(&RoutingConfig::usd_500(Boundary::Unrouted)?)
        }
        "repeat_purchase_discount" => single(repeat_purchase_discount(Percent::new(10)?)),
        "tenure_milestone_reward" => {
            single(tenure_milestone_reward(vec![1, 3, 5], Percent::new(15)?))
        }
        "post_purchase_email" => single(post_purchase_email()),
        "feedback_after_ticket" => single(feedback_after_ticket()),
        "stuck_deal_follow_up" => single(stuck_deal_follow_up(14)),
        "welcome_series" => single(welcome_series(CampaignId::new("welcome")?)),
        "standard" => standard(Boundary::Call)?,
        _ => {
            let shown: String = name.chars().take(64).collect();
            return Err(crate::Error::new(
                crate::ErrorKind::NotFound,
                format!(
                    "no automation preset named {shown:?}{}; the presets are {}",
                    if shown.len() < name.len() { "..." } else { "" },
                    NAMES.join(", ")
                ),
            ));
        }
    })
}
