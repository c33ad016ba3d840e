//! The ids of the records an accumulator was fed, so that a record given
//! twice (in two parts merged later, or twice to one accumulator) is refused
//! instead of counted twice.
//!
//! The ids are kept sorted per record kind; the state grows with the
//! records fed (as the rest of a part's state does), not with the dataset.

use serde::{Deserialize, Serialize};

use super::engine::Partition;
use crate::{Error, Result};

/// Sorted, distinct ids per record kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordIds {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    contacts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    deals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    activities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tickets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    campaigns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    spend: Vec<String>,
}

fn sorted<T>(items: &[T], id: impl Fn(&T) -> String) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().map(id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The first id in both sorted lists.
fn common<'a>(a: &'a [String], b: &[String]) -> Option<&'a str> {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(x),
        }
    }
    None
}

fn union(a: &mut Vec<String>, b: &[String]) {
    if b.is_empty() {
        return;
    }
    a.extend_from_slice(b);
    a.sort_unstable();
    a.dedup();
}

impl RecordIds {
    /// The ids of the records of `part` (ids are unique within a part:
    /// the part's validation checks that).
    pub fn of(part: &Partition<'_>) -> RecordIds {
        RecordIds {
            contacts: sorted(part.contacts, |r| r.id.to_string()),
            deals: sorted(part.deals, |r| r.id.to_string()),
            activities: sorted(part.activities, |r| r.id.to_string()),
            tickets: sorted(part.tickets, |r| r.id.to_string()),
            campaigns: sorted(part.campaigns, |r| r.id.to_string()),
            spend: sorted(part.spend, |r| r.id.to_string()),
        }
    }

    fn lists(&self) -> [(&'static str, &Vec<String>); 6] {
        [
            ("contact", &self.contacts),
            ("deal", &self.deals),
            ("activity", &self.activities),
            ("ticket", &self.tickets),
            ("campaign", &self.campaigns),
            ("spend entry", &self.spend),
        ]
    }

    /// Refuses `other` when it shares a record with `self`; `what` says
    /// where the two sets come from, for the message.
    pub fn check_apart(&self, other: &RecordIds, what: &str) -> Result<()> {
        for ((kind, mine), (_, theirs)) in self.lists().into_iter().zip(other.lists()) {
            if let Some(id) = common(mine, theirs) {
                return Err(Error::invalid(
                    "accumulator",
                    format!(
                        "{kind} {} {what}: parts must not share records, or it would be counted twice",
                        crate::error::shown(id)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Adds the ids of `other`.
    pub fn add(&mut self, other: &RecordIds) {
        union(&mut self.contacts, &other.contacts);
        union(&mut self.deals, &other.deals);
        union(&mut self.activities, &other.activities);
        union(&mut self.tickets, &other.tickets);
        union(&mut self.campaigns, &other.campaigns);
        union(&mut self.spend, &other.spend);
    }
}
