//! The rules one record must follow, shared by [`Dataset::new`](super::Dataset::new)
//! and by every other door records come in through (the KPI accumulators'
//! partitions): same rules, same messages, the path given by the caller.

use super::activity::{Activity, ActivityKind};
use super::campaign::{Campaign, SpendEntry};
use super::deal::{Deal, DealStatus, Pipeline, StageKind};
use super::ids::*;
use super::ticket::Ticket;
use crate::money::Money;
use crate::{Error, ErrorKind, Result};

/// Where the references of a record are resolved.
pub(crate) trait References {
    /// Whether the contact exists.
    fn contact(&self, id: &ContactId) -> bool;
    /// Whether the company exists.
    fn company(&self, id: &CompanyId) -> bool;
    /// Whether the rep exists.
    fn rep(&self, id: &RepId) -> bool;
    /// Whether the team exists.
    fn team(&self, id: &TeamId) -> bool;
    /// Whether the campaign exists.
    fn campaign(&self, id: &CampaignId) -> bool;
    /// Whether the deal exists.
    fn deal(&self, id: &DealId) -> bool;
    /// The pipeline, if it exists.
    fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline>;
}

/// Checks that an optional reference resolves.
pub(crate) fn check_known<K: std::fmt::Display>(
    known: impl FnOnce(&K) -> bool,
    reference: Option<&K>,
    path: impl FnOnce() -> String,
    what: &str,
) -> Result<()> {
    match reference {
        Some(id) if !known(id) => Err(Error::not_found(path(), format!("unknown {what} \"{id}\""))),
        _ => Ok(()),
    }
}

/// Refuses negative money.
pub(crate) fn check_non_negative(
    money: &Money,
    path: impl FnOnce() -> String,
    what: &str,
) -> Result<()> {
    if money.is_negative() {
        Err(Error::invalid(
            path(),
            format!("{what} must not be negative, got {money}"),
        ))
    } else {
        Ok(())
    }
}

/// The rules of one deal; `at(field)` is the path of a field.
pub(crate) fn validate_deal(
    refs: &dyn References,
    at: &dyn Fn(&str) -> String,
    deal: &Deal,
) -> Result<()> {
    check_known(
        |id| refs.contact(id),
        Some(&deal.contact),
        || at("contact"),
        "contact",
    )?;
    check_known(
        |id| refs.company(id),
        deal.company.as_ref(),
        || at("company"),
        "company",
    )?;
    check_known(
        |id| refs.rep(id),
        deal.owner.as_ref(),
        || at("owner"),
        "rep",
    )?;
    check_known(
        |id| refs.campaign(id),
        deal.source_campaign.as_ref(),
        || at("source_campaign"),
        "campaign",
    )?;
    let pipeline = refs.pipeline(&deal.pipeline).ok_or_else(|| {
        Error::not_found(
            at("pipeline"),
            format!("unknown pipeline \"{}\"", deal.pipeline),
        )
    })?;
    let (_, stage) = pipeline.stage(&deal.stage).ok_or_else(|| {
        Error::not_found(
            at("stage"),
            format!(
                "stage \"{}\" is not in pipeline \"{}\"",
                deal.stage, deal.pipeline
            ),
        )
    })?;
    check_non_negative(&deal.value, || at("value"), "deal value")?;
    match (deal.status, deal.closed_at) {
        (DealStatus::Open, Some(_)) => {
            return Err(Error::invalid(
                at("closed_at"),
                format!("open deal \"{}\" has a close date", deal.id),
            ));
        }
        (DealStatus::Won | DealStatus::Lost, None) => {
            return Err(Error::invalid(
                at("closed_at"),
                format!("{} deal \"{}\" has no close date", deal.status, deal.id),
            ));
        }
        (_, Some(closed)) if closed < deal.created_at => {
            return Err(Error::invalid(
                at("closed_at"),
                format!(
                    "deal \"{}\" closed at {closed} before it was created at {}",
                    deal.id, deal.created_at
                ),
            ));
        }
        _ => {}
    }
    if deal.lost_reason.is_some() && deal.status != DealStatus::Lost {
        return Err(Error::invalid(
            at("lost_reason"),
            format!("{} deal \"{}\" has a lost reason", deal.status, deal.id),
        ));
    }
    // Closed deals may sit in the open stage where they were closed,
    // but the won and lost stages hold only won and lost deals.
    let expected = match stage.kind {
        StageKind::Open => None,
        StageKind::Won => Some(DealStatus::Won),
        StageKind::Lost => Some(DealStatus::Lost),
    };
    if let Some(expected) = expected.filter(|&e| e != deal.status) {
        return Err(Error::invalid(
            at("status"),
            format!(
                "deal \"{}\" is {} but sits in the {expected} stage \"{}\"",
                deal.id, deal.status, stage.id
            ),
        ));
    }
    for (k, visit) in deal.stage_history.iter().enumerate() {
        let path = || at(&format!("stage_history[{k}]"));
        if pipeline.stage(&visit.stage).is_none() {
            return Err(Error::not_found(
                format!("{}.stage", path()),
                format!(
                    "stage \"{}\" is not in pipeline \"{}\"",
                    visit.stage, deal.pipeline
                ),
            ));
        }
        if let Some(exited) = visit.exited_at {
            if exited < visit.entered_at {
                return Err(Error::invalid(
                    format!("{}.exited_at", path()),
                    "stage exited before it was entered",
                ));
            }
        } else if k + 1 != deal.stage_history.len() {
            return Err(Error::invalid(
                format!("{}.exited_at", path()),
                "only the last stage visit may be open",
            ));
        }
        if let Some(previous) = k.checked_sub(1).and_then(|p| deal.stage_history.get(p)) {
            let previous_end = previous.exited_at.unwrap_or(previous.entered_at);
            if visit.entered_at < previous_end {
                return Err(Error::invalid(
                    format!("{}.entered_at", path()),
                    "stage visits overlap or are not in time order",
                ));
            }
        }
    }
    if let Some(last) = deal.stage_history.last() {
        if last.stage != deal.stage {
            return Err(Error::invalid(
                at("stage_history"),
                format!(
                    "the last stage visit is \"{}\" but the deal is in \"{}\"",
                    last.stage, deal.stage
                ),
            ));
        }
    }
    Ok(())
}

/// The rules of one activity; `at(field)` is the path of a field.
pub(crate) fn validate_activity(
    refs: &dyn References,
    at: &dyn Fn(&str) -> String,
    activity: &Activity,
) -> Result<()> {
    check_known(
        |id| refs.contact(id),
        Some(&activity.contact),
        || at("contact"),
        "contact",
    )?;
    validate_activity_details(refs, at, activity)
}

/// The error for an activity whose contact does not resolve (what
/// [`validate_activity`] says), for callers that resolve the contact
/// themselves.
pub(crate) fn unknown_activity_contact(at: &dyn Fn(&str) -> String, activity: &Activity) -> Error {
    Error::not_found(
        at("contact"),
        format!("unknown contact \"{}\"", activity.contact),
    )
}

/// The rules of one activity but its contact reference (which the caller
/// has resolved).
pub(crate) fn validate_activity_details(
    refs: &dyn References,
    at: &dyn Fn(&str) -> String,
    activity: &Activity,
) -> Result<()> {
    check_known(
        |id| refs.deal(id),
        activity.deal.as_ref(),
        || at("deal"),
        "deal",
    )?;
    check_known(
        |id| refs.campaign(id),
        activity.campaign.as_ref(),
        || at("campaign"),
        "campaign",
    )?;
    check_known(
        |id| refs.rep(id),
        activity.rep.as_ref(),
        || at("rep"),
        "rep",
    )?;
    match &activity.kind {
        ActivityKind::Purchase { amount, items } => {
            check_non_negative(amount, || at("kind.amount"), "purchase amount")?;
            for (k, item) in items.iter().enumerate() {
                let path = || at(&format!("kind.items[{k}]"));
                if item.quantity == 0 {
                    return Err(Error::invalid(
                        format!("{}.quantity", path()),
                        "quantity must be at least 1",
                    ));
                }
                check_non_negative(
                    &item.unit_price,
                    || format!("{}.unit_price", path()),
                    "unit price",
                )?;
                if item.unit_price.currency != amount.currency {
                    return Err(Error::at(
                        ErrorKind::CurrencyMismatch,
                        format!("{}.unit_price", path()),
                        format!(
                            "item priced in {} in a purchase in {}",
                            item.unit_price.currency, amount.currency
                        ),
                    ));
                }
            }
        }
        ActivityKind::ProposalSent {
            amount: Some(amount),
        } => {
            check_non_negative(amount, || at("kind.amount"), "proposal amount")?;
        }
        ActivityKind::Referral { referred } => {
            check_known(
                |id| refs.contact(id),
                referred.as_ref(),
                || at("kind.referred"),
                "contact",
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// The rules of one campaign; `at(field)` is the path of a field.
pub(crate) fn validate_campaign(at: &dyn Fn(&str) -> String, campaign: &Campaign) -> Result<()> {
    check_non_negative(&campaign.cost, || at("cost"), "campaign cost")?;
    if campaign.end < campaign.start {
        return Err(Error::invalid(
            at("end"),
            format!(
                "campaign \"{}\" ends on {} before it starts on {}",
                campaign.id, campaign.end, campaign.start
            ),
        ));
    }
    Ok(())
}

/// The rules of one ticket; `at(field)` is the path of a field.
pub(crate) fn validate_ticket(
    refs: &dyn References,
    at: &dyn Fn(&str) -> String,
    ticket: &Ticket,
) -> Result<()> {
    check_known(
        |id| refs.contact(id),
        Some(&ticket.contact),
        || at("contact"),
        "contact",
    )?;
    check_known(
        |id| refs.rep(id),
        ticket.assignee.as_ref(),
        || at("assignee"),
        "rep",
    )?;
    for (field, time) in [
        ("first_response_at", ticket.first_response_at),
        ("resolved_at", ticket.resolved_at),
    ] {
        if let Some(time) = time {
            if time < ticket.opened_at {
                return Err(Error::invalid(
                    at(field),
                    format!(
                        "ticket \"{}\": {field} {time} is before it was opened at {}",
                        ticket.id, ticket.opened_at
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The rules of one spend entry; `at(field)` is the path of a field.
pub(crate) fn validate_spend(
    refs: &dyn References,
    at: &dyn Fn(&str) -> String,
    entry: &SpendEntry,
) -> Result<()> {
    check_non_negative(&entry.amount, || at("amount"), "spend amount")?;
    check_known(
        |id| refs.campaign(id),
        entry.campaign.as_ref(),
        || at("campaign"),
        "campaign",
    )?;
    check_known(
        |id| refs.team(id),
        entry.team.as_ref(),
        || at("team"),
        "team",
    )?;
    Ok(())
}
