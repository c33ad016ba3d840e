//! The revenue events segments are built from: won deals (at their close)
//! and purchase activities of a dataset, up to `as_of`, in one currency.
//!
//! The same rule as the KPI engine: with [`RevenueSource::Both`] a purchase
//! paying a won deal is that deal's payment and is not counted again.

use rust_decimal::Decimal;

use crate::kpi::RevenueSource;
use crate::model::{ActivityKind, Dataset, DealStatus, Timestamp};
use crate::money::{Currency, Money};
use crate::{Error, ErrorKind, Result};

/// One revenue event: the contact's position in the dataset, the Unix time
/// in seconds and the amount in the report currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RevenueEvent {
    pub(crate) customer: u32,
    pub(crate) at: i64,
    pub(crate) amount: Decimal,
}

/// The report currency: the one asked for, else the dataset's reporting
/// currency, else the currency of the first won deal or purchase, else USD.
fn report_currency(dataset: &Dataset, asked: Option<Currency>) -> Result<Currency> {
    if let Some(currency) = asked.or(dataset.reporting_currency()) {
        return Ok(currency);
    }
    let deal = dataset
        .deals()
        .iter()
        .find(|d| d.status == DealStatus::Won)
        .map(|d| d.value.currency);
    let purchase = dataset.activities().iter().find_map(|a| match &a.kind {
        ActivityKind::Purchase { amount, .. } => Some(amount.currency),
        _ => None,
    });
    match deal.or(purchase) {
        Some(currency) => Ok(currency),
        None => Currency::new("USD"),
    }
}

fn convert(dataset: &Dataset, money: &Money, currency: Currency, path: &str) -> Result<Decimal> {
    if money.currency == currency {
        return Ok(money.amount);
    }
    let rates = dataset.exchange_rates().ok_or_else(|| {
        Error::at(
            ErrorKind::CurrencyMismatch,
            path,
            format!(
                "cannot convert {} to {currency} without exchange rates",
                money.currency
            ),
        )
    })?;
    rates
        .convert(money, currency)
        .map(|m| m.amount)
        .map_err(|e| e.with_path_prefix(path))
}

/// The revenue events of `dataset` at or before `as_of` from `source`, in
/// time order, with the currency they are expressed in.
///
/// # Errors
///
/// [`ErrorKind::CurrencyMismatch`] when an amount cannot be converted (the
/// path names the record); [`ErrorKind::NotFound`] for a record whose
/// contact is unknown.
pub(crate) fn revenue_events(
    dataset: &Dataset,
    source: RevenueSource,
    currency: Option<Currency>,
    as_of: Timestamp,
) -> Result<(Currency, Vec<RevenueEvent>)> {
    let currency = report_currency(dataset, currency)?;
    let position = |contact, path: String| {
        dataset
            .contact_position(contact)
            .and_then(|p| u32::try_from(p).ok())
            .ok_or_else(|| Error::not_found(path, "unknown contact"))
    };
    let won_by = |deal: &crate::model::Deal| {
        (deal.status == DealStatus::Won)
            .then_some(deal.closed_at)
            .flatten()
            .filter(|closed| *closed <= as_of)
    };
    let mut events = Vec::new();
    if source.deals() {
        for (i, deal) in dataset.deals().iter().enumerate() {
            let Some(closed) = won_by(deal) else {
                continue;
            };
            events.push(RevenueEvent {
                customer: position(&deal.contact, format!("deals[{i}].contact"))?,
                at: closed.timestamp(),
                amount: convert(dataset, &deal.value, currency, &format!("deals[{i}].value"))?,
            });
        }
    }
    if source.purchases() {
        for (i, activity) in dataset.activities().iter().enumerate() {
            let ActivityKind::Purchase { amount, .. } = &activity.kind else {
                continue;
            };
            if activity.at > as_of {
                continue;
            }
            let pays_won_deal = activity
                .deal
                .as_ref()
                .and_then(|id| dataset.deal(id))
                .and_then(won_by)
                .is_some();
            if source == RevenueSource::Both && pays_won_deal {
                continue;
            }
            events.push(RevenueEvent {
                customer: position(&activity.contact, format!("activities[{i}].contact"))?,
                at: activity.at.timestamp(),
                amount: convert(
                    dataset,
                    amount,
                    currency,
                    &format!("activities[{i}].kind.amount"),
                )?,
            });
        }
    }
    events.sort_by_key(|e| e.at);
    Ok((currency, events))
}
