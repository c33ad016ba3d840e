//! A columnar way in for hosts that hold purchases as arrays (a dataframe,
//! an Arrow batch, a C array per column): [`PurchaseColumns`], the shape of
//! [`rfm_from_arrays`](crate::predict::rfm_from_arrays) with exact money.
//!
//! [`Dataset::with_purchases`] turns the rows into purchase
//! [`Activity`] records and validates the whole dataset in one go; it reads
//! each buyer by position, so no contact id is looked up by hash.
//! [`DatasetParts::push_purchases`] only appends the records. Both refuse
//! the whole batch at the first bad row, naming the array and row
//! (`purchases.amounts_minor[3]`).
//!
//! ```
//! use crmkit::model::{Contact, Dataset, DatasetParts, PurchaseColumns};
//! use crmkit::money::Currency;
//!
//! let created = "2024-01-01T00:00:00Z".parse().unwrap();
//! let parts = DatasetParts {
//!     contacts: vec![
//!         Contact::new("C-1".parse()?, created),
//!         Contact::new("C-2".parse()?, created),
//!     ],
//!     ..DatasetParts::default()
//! };
//! let gbp = [Currency::new("GBP")?];
//! let purchases = PurchaseColumns {
//!     contacts: &[0, 1, 0],
//!     at_unix: &[1_704_153_600, 1_704_240_000, 1_706_745_600],
//!     amounts_minor: &[1999, 500, 1250],
//!     scale: 2,
//!     currencies: &gbp, // one currency for every row
//!     id_prefix: "P-",
//! };
//! let ds = Dataset::with_purchases(parts.clone(), &purchases)?;
//! assert_eq!(ds.activities_at(0).count(), 2);
//! assert_eq!(ds.activities()[2].id.as_str(), "P-2");
//!
//! // A bad row names its array and index.
//! let err = Dataset::with_purchases(
//!     parts,
//!     &PurchaseColumns { amounts_minor: &[1999, -500, 1250], ..purchases },
//! )
//! .unwrap_err();
//! assert_eq!(err.path(), Some("purchases.amounts_minor[1]"));
//! Ok::<(), crmkit::Error>(())
//! ```

use super::build::{KnownContacts, build};
use super::{Dataset, DatasetParts};
use crate::model::{Activity, ActivityId, ActivityKind, check_timestamp, is_valid_id};
use crate::money::{Currency, Money};
use crate::{Error, Result};

/// Purchases as parallel arrays, one element per purchase.
#[derive(Debug, Clone, Copy)]
pub struct PurchaseColumns<'a> {
    /// The buyer: a position in the dataset's contacts
    /// ([`DatasetParts::contacts`]).
    pub contacts: &'a [u32],
    /// When, in Unix seconds (UTC), within years 1 to 9999.
    pub at_unix: &'a [i64],
    /// The amounts paid in minor units at `scale` (`1999` at scale 2 is
    /// 19.99); never negative.
    pub amounts_minor: &'a [i64],
    /// Decimal places of `amounts_minor` (2 for cents), at most 28.
    pub scale: u32,
    /// The currency of each purchase, or a single currency for all.
    pub currencies: &'a [Currency],
    /// Purchase `i` of the columns gets the id `{id_prefix}{i}`.
    pub id_prefix: &'a str,
}

impl PurchaseColumns<'_> {
    /// The number of purchases (rows).
    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    /// `true` without rows.
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// Checks the shape and every row; returns the activities.
    fn activities(&self, parts: &DatasetParts) -> Result<Vec<Activity>> {
        let rows = self.len();
        let currencies = self.currencies.len();
        if self.at_unix.len() != rows
            || self.amounts_minor.len() != rows
            || !(currencies == 1 || currencies == rows)
        {
            return Err(Error::invalid(
                "purchases",
                format!(
                    "contacts, at_unix and amounts_minor must have the same length and \
                     currencies that length or 1 (found {rows}, {}, {} and {currencies})",
                    self.at_unix.len(),
                    self.amounts_minor.len()
                ),
            ));
        }
        if self.scale > 28 {
            return Err(Error::invalid(
                "purchases.scale",
                format!("scale {} is larger than 28", self.scale),
            ));
        }
        let last_id = format!("{}{}", self.id_prefix, rows.saturating_sub(1));
        if !is_valid_id(self.id_prefix) || !is_valid_id(&last_id) {
            return Err(Error::invalid(
                "purchases.id_prefix",
                "the ids made from the prefix must be non-empty, at most 256 bytes \
                 and free of control characters",
            ));
        }
        let buyers = parts.contacts.len();
        let mut activities = Vec::with_capacity(rows);
        let mut id_text = String::with_capacity(self.id_prefix.len() + 20);
        let mut digits = [0u8; 20];
        for (i, ((&contact, &at), &minor)) in self
            .contacts
            .iter()
            .zip(self.at_unix)
            .zip(self.amounts_minor)
            .enumerate()
        {
            let buyer = parts.contacts.get(contact as usize).ok_or_else(|| {
                Error::not_found(
                    format!("purchases.contacts[{i}]"),
                    format!("contact position {contact} is out of range ({buyers} contacts)"),
                )
            })?;
            let at = chrono::DateTime::from_timestamp(at, 0)
                .filter(|&t| check_timestamp(t, "").is_ok())
                .ok_or_else(|| {
                    Error::invalid(
                        format!("purchases.at_unix[{i}]"),
                        format!("{at} is outside the supported time range (years 1 to 9999)"),
                    )
                })?;
            if minor < 0 {
                return Err(Error::invalid(
                    format!("purchases.amounts_minor[{i}]"),
                    format!("purchase amount must not be negative, got {minor}"),
                ));
            }
            let currency = self
                .currencies
                .get(if currencies == 1 { 0 } else { i })
                .copied()
                .ok_or_else(|| {
                    Error::invalid(format!("purchases.currencies[{i}]"), "missing currency")
                })?;
            // One buffer for every id: a short id is stored inline, so
            // the row costs no allocation.
            id_text.clear();
            id_text.push_str(self.id_prefix);
            id_text.push_str(itoa(i, &mut digits));
            let id: ActivityId = id_text.parse()?;
            activities.push(Activity::new(
                id,
                buyer.id.clone(),
                at,
                ActivityKind::Purchase {
                    amount: Money::new(rust_decimal::Decimal::new(minor, self.scale), currency),
                    items: Vec::new(),
                },
            ));
        }
        Ok(activities)
    }
}

impl DatasetParts {
    /// Appends the purchases of `columns` to [`DatasetParts::activities`].
    ///
    /// # Errors
    ///
    /// Nothing is appended when a row is refused:
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for arrays of
    /// different lengths (`purchases`), a time outside years 1 to 9999
    /// (`purchases.at_unix[i]`), a negative amount
    /// (`purchases.amounts_minor[i]`), a scale above 28 or a prefix that
    /// makes invalid ids; [`ErrorKind::NotFound`](crate::ErrorKind::NotFound)
    /// for a contact position past the contacts (`purchases.contacts[i]`).
    pub fn push_purchases(&mut self, columns: &PurchaseColumns<'_>) -> Result<()> {
        let activities = columns.activities(self)?;
        self.activities.extend(activities);
        Ok(())
    }
}

impl Dataset {
    /// Appends the purchases of `columns` to `parts` and builds the dataset
    /// (as [`Dataset::new`] would, without looking the buyers up by id).
    ///
    /// # Errors
    ///
    /// The errors of [`DatasetParts::push_purchases`], then those of
    /// [`Dataset::new`]: a generated id that repeats an activity id of
    /// `parts` is refused at `activities[k].id`.
    pub fn with_purchases(
        mut parts: DatasetParts,
        columns: &PurchaseColumns<'_>,
    ) -> Result<Dataset> {
        let start = parts.activities.len();
        parts.push_purchases(columns)?;
        let known = KnownContacts {
            start,
            positions: columns.contacts.to_vec(),
        };
        build(parts, Some(known))
    }
}

/// The decimal digits of `n`, written at the end of `buf`.
fn itoa(mut n: usize, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        if let Some(d) = buf.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    buf.get(at..)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_default()
}
