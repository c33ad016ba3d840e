//! A retail purchase log shaped like the public ones the loading issue was
//! measured on (one line per purchase: customer, time, amount): `contacts`
//! customers created at their first purchase, `purchases` purchases in GBP
//! with two decimals, spread over two years. Shared by `benches/dataset.rs`
//! and `examples/load_scale.rs` (included with `#[path]`).

use chrono::DateTime;
use crmkit::model::{
    Activity, ActivityId, ActivityKind, Contact, ContactId, DatasetParts, Lifecycle, LifecycleStage,
};
use crmkit::money::{Currency, Money};
use crmkit::sample::SampleRng;
use rust_decimal::Decimal;

/// 2010-12-01T00:00:00Z, the start of the log.
pub const START_UNIX: i64 = 1_291_161_600;
/// Two years of seconds.
pub const SPAN_SECONDS: i64 = 2 * 365 * 86_400;

/// The columns of the log: per purchase the customer's index, Unix seconds
/// and the amount in pence.
pub struct LogColumns {
    pub customers: Vec<u32>,
    pub at_unix: Vec<i64>,
    pub pence: Vec<i64>,
}

/// The log as columns (what a host holding arrays has). Every customer buys
/// at least once when `purchases >= contacts`.
pub fn columns(contacts: usize, purchases: usize, seed: u64) -> LogColumns {
    let mut rng = SampleRng::new(seed);
    let mut customers = Vec::with_capacity(purchases);
    let mut at_unix = Vec::with_capacity(purchases);
    let mut pence = Vec::with_capacity(purchases);
    for i in 0..purchases {
        let customer = if i < contacts {
            i
        } else {
            (rng.next_u64() % contacts as u64) as usize
        };
        customers.push(customer as u32);
        at_unix.push(START_UNIX + (rng.next_u64() % SPAN_SECONDS as u64) as i64);
        pence.push(100 + (rng.next_u64() % 50_000) as i64);
    }
    LogColumns {
        customers,
        at_unix,
        pence,
    }
}

/// The id of customer `i` (`"C1234567"`).
pub fn contact_id(i: usize) -> String {
    format!("C{i:07}")
}

/// Builds the records a host would build from the columns: one contact per
/// customer (created at its first purchase) and one purchase activity per
/// line.
pub fn records(columns: &LogColumns, contacts: usize) -> DatasetParts {
    let gbp = Currency::new("GBP").expect("GBP");
    let mut first = vec![i64::MAX; contacts];
    for (&c, &t) in columns.customers.iter().zip(&columns.at_unix) {
        let slot = &mut first[c as usize];
        *slot = (*slot).min(t);
    }
    let ids: Vec<ContactId> = (0..contacts)
        .map(|i| ContactId::new(contact_id(i)).expect("id"))
        .collect();
    let contacts = ids
        .iter()
        .zip(&first)
        .map(|(id, &t)| {
            let at = if t == i64::MAX { START_UNIX } else { t };
            Contact {
                lifecycle: Lifecycle {
                    stage: LifecycleStage::Customer,
                    history: Vec::new(),
                },
                ..Contact::new(id.clone(), DateTime::from_timestamp(at, 0).expect("time"))
            }
        })
        .collect();
    let activities = (0..columns.customers.len())
        .map(|i| {
            let c = columns.customers[i] as usize;
            Activity::new(
                ActivityId::new(format!("P{i:08}")).expect("id"),
                ids[c].clone(),
                DateTime::from_timestamp(columns.at_unix[i], 0).expect("time"),
                ActivityKind::Purchase {
                    amount: Money::new(Decimal::new(columns.pence[i], 2), gbp),
                    items: Vec::new(),
                },
            )
        })
        .collect();
    DatasetParts {
        contacts,
        activities,
        ..DatasetParts::default()
    }
}
