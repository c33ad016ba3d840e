//! Journeys that read like the seeds: a welcome series, the $500 nurture
//! campaign started by the routing preset's nurture branch, a stuck-deal
//! follow-up, a post-purchase review request with a repeat-purchase
//! discount, tenure milestone rewards and a win-back of customers at risk.
//!
//! Each is a plain [`JourneyDoc`](super::JourneyDoc) the host may edit
//! (`journey.doc().clone()`, change, [`Journey::compile`]).

use serde_json::{Value, json};

use super::compile::Journey;
use crate::{Error, ErrorKind, Result};

fn compile(doc: Value) -> Result<Journey> {
    let doc =
        serde_json::from_value(doc).map_err(|e| Error::new(ErrorKind::Json, e.to_string()))?;
    Journey::compile(doc)
}

fn email(id: &str, template: &str, subject: &str, next: &str) -> Value {
    json!({"id": id, "type": "action", "next": next,
           "action": {"type": "send_email", "template": template, "subject": subject,
                      "fields": {"first_name": "contact.name"}}})
}

fn unsubscribed() -> Value {
    json!({"id": "unsubscribed", "condition": {"field": "contact.tags", "op": "has", "value": "unsubscribed"}})
}

/// Welcome series: three e-mails over ten days (day 0, day 3 and day 10,
/// at 09:00 in the contact's time zone) for new contacts; the first
/// purchase is the goal and ends the series.
///
/// # Errors
///
/// None in practice (the preset is valid); the `Result` is the loader's.
pub fn welcome_series() -> Result<Journey> {
    compile(json!({
    "id": "welcome-series", "name": "Welcome series", "start": "welcome",
    "entry": {"triggers": [{"type": "contact_created"}], "reentry": "once"},
    "exits": [unsubscribed()],
    "steps": [
        email("welcome", "welcome-1", "Welcome, {{contact.name}}", "wait-3"),
        {"id": "wait-3", "type": "wait", "days": 3, "at": "09:00", "next": "tips"},
        email("tips", "welcome-2", "Getting the most out of your account", "wait-7"),
        {"id": "wait-7", "type": "wait", "days": 7, "at": "09:00", "next": "offer"},
        email("offer", "welcome-3", "A welcome offer", "done"),
        {"id": "done", "type": "end"},
        {"id": "first-purchase", "type": "goal", "event": {"type": "purchase_made", "count": "first"}}
    ]}))
}

/// The $500 nurture campaign: entered through the routing preset's nurture
/// branch (`enroll_in_campaign` `nurture`, deals under $500), three e-mails
/// over two weeks, then the deal stays in the campaign until it is decided,
/// at most 90 days (the re-entry period): a nurture campaign that let deals
/// go before they can close would never see its goal. Goals: the deal is
/// won, or its value is raised over $500 (then the owner gets a call task,
/// as the routing would have given it). A lost deal exits. The journey
/// hears only its own deal's events (not the contact's other deals).
///
/// # Errors
///
/// None in practice (the preset is valid); the `Result` is the loader's.
pub fn nurture_500() -> Result<Journey> {
    let over_500 = json!({"field": "deal.value", "op": "gt", "value": {"amount": "500.00", "currency": "USD"}});
    compile(json!({
    "id": "nurture-500", "name": "Nurture deals under $500", "start": "n1",
    "entry": {"enrolled_by": ["nurture"], "reentry": {"again_after_days": 90}},
    "exits": [unsubscribed(), {"id": "deal-lost", "event": {"type": "deal_lost"}}],
    "steps": [
        email("n1", "nurture-1", "Ideas for {{deal.name}}", "w1"),
        {"id": "w1", "type": "wait", "business_days": 3, "at": "09:00", "next": "n2"},
        email("n2", "nurture-2", "How others grew with us", "w2"),
        {"id": "w2", "type": "wait", "days": 7, "at": "09:00", "next": "n3"},
        email("n3", "nurture-3", "Ready for the next step?", "grow"),
        {"id": "grow", "type": "wait_until", "condition": over_500.clone(),
         "timeout": {"days": 90}, "check_every_hours": 24, "met": "call", "timed_out": "done"},
        {"id": "done", "type": "end"},
        {"id": "deal-won", "type": "goal", "event": {"type": "deal_won"}},
        {"id": "over-500", "type": "goal", "condition": over_500, "next": "call"},
        {"id": "call", "type": "action", "next": "done",
         "action": {"type": "create_task", "task": "call", "title": "Call {{contact.name}}: {{deal.name}} is now {{deal.value}}"}}
    ]}))
}

/// Stuck-deal follow-up: a deal `days` days in one stage (the rules engine's
/// `tick` derives the `deal_stuck` event; the host forwards it) gets a
/// follow-up task for the owner; three business days later, if the deal is
/// still open, the owner is notified. Won or lost deals exit.
///
/// # Errors
///
/// None in practice (the preset is valid); the `Result` is the loader's.
pub fn stuck_deal_follow_up(days: u32) -> Result<Journey> {
    compile(json!({
    "id": "stuck-deal-follow-up", "name": "Follow up stuck deals", "start": "task",
    "entry": {"triggers": [{"type": "stuck", "entity": "deal", "days": days}], "reentry": "every_time"},
    "exits": [{"id": "won", "event": {"type": "deal_won"}}, {"id": "lost", "event": {"type": "deal_lost"}}],
    "steps": [
        {"id": "task", "type": "action", "next": "wait",
         "action": {"type": "create_task", "task": "call", "title": "Follow up {{deal.name}}: stuck in {{deal.stage}}"}},
        {"id": "wait", "type": "wait", "business_days": 3, "at": "09:00", "next": "still-open"},
        {"id": "still-open", "type": "if", "condition": {"field": "deal.status", "op": "eq", "value": "open"},
         "then": "notify", "else": "done"},
        {"id": "notify", "type": "action", "next": "done",
         "action": {"type": "notify", "message": "{{deal.name}} is still stuck after a follow-up"}},
        {"id": "done", "type": "end"}
    ]}))
}

/// Post-purchase: a week after a purchase, ask for a review; then wait up to
/// 30 days for a repeat purchase (the goal), else send a repeat-purchase
/// discount of 10%.
///
/// # Errors
///
/// None in practice (the preset is valid); the `Result` is the loader's.
pub fn post_purchase_review() -> Result<Journey> {
    compile(json!({
    "id": "post-purchase", "name": "Review request and repeat discount", "start": "wait",
    "entry": {"triggers": [{"type": "purchase_made"}], "reentry": {"again_after_days": 60}},
    "exits": [unsubscribed()],
    "steps": [
        {"id": "wait", "type": "wait", "days": 7, "at": "10:00", "next": "review"},
        {"id": "review", "type": "action", "next": "repeat",
         "action": {"type": "request_feedback", "survey": "product-review"}},
        {"id": "repeat", "type": "wait_for_event", "event": {"type": "purchase_made", "count": "repeat"},
         "timeout": {"days": 30}, "met": "repeat-purchase", "timed_out": "discount"},
        {"id": "discount", "type": "action", "next": "done",
         "action": {"type": "issue_discount", "percent": 10, "prefix": "AGAIN", "valid_days": 30}},
        {"id": "done", "type": "end"},
        {"id": "repeat-purchase", "type": "goal", "event": {"type": "purchase_made", "count": "repeat"}}
    ]}))
}

/// Tenure milestones: on the 1st, 3rd and 5th anniversary of the contact
/// (the rules engine's `date` trigger), a thank-you e-mail with a 15%
/// discount.
///
/// # Errors
///
/// None in practice (the preset is valid); the `Result` is the loader's.
pub fn tenure_milestones() -> Result<Journey> {
    compile(json!({
    "id": "tenure-milestones", "name": "Tenure milestone rewards", "start": "reward",
    "entry": {"triggers": [{"type": "date", "field": "contact.created_at", "milestone_years": [1, 3, 5]}],
              "reentry": "every_time"},
    "exits": [unsubscribed()],
    "steps": [
        {"id": "reward", "type": "action", "next": "thanks",
         "action": {"type": "issue_discount", "percent": 15, "prefix": "THANKS", "valid_days": 30}},
        email("thanks", "tenure-thanks", "Thank you for being with us", "done"),
        {"id": "done", "type": "end"}
    ]}))
}

/// Win-back: customers the CLV model marks at risk
/// ([`crate::predict`]'s at-risk list; the host enrolls them in the
/// `win-back` campaign) get an e-mail, a week later a 15% discount, then up
/// to three weeks to buy again (the goal); otherwise they are tagged
/// `lapsed`.
///
/// # Errors
///
/// None in practice (the preset is valid); the `Result` is the loader's.
pub fn win_back() -> Result<Journey> {
    compile(json!({
    "id": "win-back", "name": "Win back customers at risk", "start": "miss-you",
    "entry": {"enrolled_by": ["win-back"], "reentry": {"again_after_days": 180}},
    "exits": [unsubscribed()],
    "steps": [
        email("miss-you", "win-back-1", "We miss you, {{contact.name}}", "wait"),
        {"id": "wait", "type": "wait", "days": 7, "at": "09:00", "next": "discount"},
        {"id": "discount", "type": "action", "next": "buy",
         "action": {"type": "issue_discount", "percent": 15, "prefix": "COMEBACK", "valid_days": 21}},
        {"id": "buy", "type": "wait_for_event", "event": {"type": "purchase_made"},
         "timeout": {"days": 21}, "met": "done", "timed_out": "lapsed"},
        {"id": "lapsed", "type": "action", "next": "done", "action": {"type": "add_tag", "tag": "lapsed"}},
        {"id": "done", "type": "end"},
        {"id": "purchased", "type": "goal", "event": {"type": "purchase_made"}}
    ]}))
}
