//! The ids of the records an accumulator was fed, so that a record given
//! twice (in two parts merged later, or twice to one accumulator) is refused
//! instead of counted twice.
//!
//! The ids of each record kind are kept as a few sorted, distinct runs
//! whose lengths fall geometrically (a log-structured set): feeding `m`
//! ids to an accumulator that holds `n` costs `m` binary searches per run
//! and, amortised, `O(m log n)` moves, so an accumulator fed batch after
//! batch (a DataFusion partition: thousands of batches) does not re-sort
//! everything it holds at each batch. Serialised, a kind's ids are one
//! sorted list, whatever the runs; the state grows with the records fed
//! (as the rest of a part's state does), not with the dataset.

use std::cmp::Ordering;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::engine::Partition;
use crate::{Error, Result};

/// Sorted, distinct ids of one record kind, as sorted runs with no id in
/// two runs.
#[derive(Debug, Clone, Default)]
struct IdSet {
    runs: Vec<Vec<String>>,
}

/// The smallest id in both sorted lists.
fn first_common<'a>(a: &'a [String], b: &[String]) -> Option<&'a str> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    // One much shorter: a binary search per id of it; else one merge walk.
    if a.len() / b.len() >= 16 {
        return b
            .iter()
            .find_map(|id| a.binary_search(id).ok())
            .and_then(|i| a.get(i))
            .map(String::as_str);
    }
    if b.len() / a.len() >= 16 {
        return a
            .iter()
            .find(|id| b.binary_search(id).is_ok())
            .map(String::as_str);
    }
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => return Some(x),
        }
    }
    None
}

/// The two sorted, disjoint runs as one.
fn merge_runs(a: Vec<String>, b: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let next = if x <= y { a.next() } else { b.next() };
        out.extend(next);
    }
    out.extend(a);
    out.extend(b);
    out
}

impl IdSet {
    fn sorted(mut ids: Vec<String>) -> IdSet {
        ids.sort_unstable();
        ids.dedup();
        let mut set = IdSet::default();
        set.push(ids);
        set
    }

    fn ids(&self) -> impl Iterator<Item = &String> {
        self.runs.iter().flatten()
    }

    fn len(&self) -> usize {
        self.runs.iter().map(Vec::len).sum()
    }

    /// The smallest id in both sets.
    fn first_common<'a>(&'a self, other: &IdSet) -> Option<&'a str> {
        self.runs
            .iter()
            .flat_map(|mine| {
                other
                    .runs
                    .iter()
                    .filter_map(|theirs| first_common(mine, theirs))
            })
            .min()
    }

    /// Adds a sorted run that shares no id with the set, then merges
    /// neighbouring runs until each is more than twice the next.
    fn push(&mut self, run: Vec<String>) {
        if run.is_empty() {
            return;
        }
        self.runs.push(run);
        while let [.., before, last] = self.runs.as_slice() {
            if before.len() > 2 * last.len() {
                break;
            }
            self.merge_last_two();
        }
    }

    /// Merges the last two runs into one.
    fn merge_last_two(&mut self) {
        let last = self.runs.pop().unwrap_or_default();
        let before = self.runs.pop().unwrap_or_default();
        self.runs.push(merge_runs(before, last));
    }

    /// Adds the ids of `other`, which shares none with the set.
    fn add(&mut self, other: IdSet) {
        for run in other.runs {
            self.push(run);
        }
    }

    /// One sorted list.
    fn into_sorted(mut self) -> Vec<String> {
        while self.runs.len() > 1 {
            self.merge_last_two();
        }
        self.runs.pop().unwrap_or_default()
    }
}

impl PartialEq for IdSet {
    fn eq(&self, other: &IdSet) -> bool {
        self.len() == other.len() && {
            let mut mine: Vec<&String> = self.ids().collect();
            let mut theirs: Vec<&String> = other.ids().collect();
            mine.sort_unstable();
            theirs.sort_unstable();
            mine == theirs
        }
    }
}

impl Eq for IdSet {}

impl Serialize for IdSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.runs.as_slice() {
            [] => serializer.collect_seq(std::iter::empty::<&String>()),
            [one] => one.serialize(serializer),
            _ => self.clone().into_sorted().serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for IdSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        // A state written by hand may be out of order: sort (linear when
        // it is already sorted).
        Vec::<String>::deserialize(deserializer).map(IdSet::sorted)
    }
}

fn is_empty(set: &IdSet) -> bool {
    set.runs.is_empty()
}

/// Sorted, distinct ids per record kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordIds {
    #[serde(default, skip_serializing_if = "is_empty")]
    contacts: IdSet,
    #[serde(default, skip_serializing_if = "is_empty")]
    deals: IdSet,
    #[serde(default, skip_serializing_if = "is_empty")]
    activities: IdSet,
    #[serde(default, skip_serializing_if = "is_empty")]
    tickets: IdSet,
    #[serde(default, skip_serializing_if = "is_empty")]
    campaigns: IdSet,
    #[serde(default, skip_serializing_if = "is_empty")]
    spend: IdSet,
}

fn ids_of<T>(items: &[T], id: impl Fn(&T) -> String) -> IdSet {
    IdSet::sorted(items.iter().map(id).collect())
}

impl RecordIds {
    /// The ids of the records of `part` (ids are unique within a part:
    /// the part's validation checks that).
    pub fn of(part: &Partition<'_>) -> RecordIds {
        RecordIds {
            contacts: ids_of(part.contacts, |r| r.id.to_string()),
            deals: ids_of(part.deals, |r| r.id.to_string()),
            activities: ids_of(part.activities, |r| r.id.to_string()),
            tickets: ids_of(part.tickets, |r| r.id.to_string()),
            campaigns: ids_of(part.campaigns, |r| r.id.to_string()),
            spend: ids_of(part.spend, |r| r.id.to_string()),
        }
    }

    fn kinds(&self) -> [(&'static str, &IdSet); 6] {
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
        for ((kind, mine), (_, theirs)) in self.kinds().into_iter().zip(other.kinds()) {
            if let Some(id) = mine.first_common(theirs) {
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

    /// Adds the ids of `other`, which shares none with `self` (see
    /// [`RecordIds::check_apart`]).
    pub fn add(&mut self, other: RecordIds) {
        self.contacts.add(other.contacts);
        self.deals.add(other.deals);
        self.activities.add(other.activities);
        self.tickets.add(other.tickets);
        self.campaigns.add(other.campaigns);
        self.spend.add(other.spend);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn id(n: u64) -> String {
        format!("A{n:06}")
    }

    /// A tiny deterministic generator (xorshift).
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn runs_stay_few_and_equal_the_plain_set() {
        let mut set = IdSet::default();
        let mut plain: BTreeSet<String> = BTreeSet::new();
        let mut state = 7;
        for batch in 0..300 {
            let fresh: Vec<String> = (0..1 + batch % 37)
                .map(|_| id(next(&mut state) % 1_000_000))
                .filter(|x| !plain.contains(x))
                .collect();
            let fresh = IdSet::sorted(fresh);
            // A batch of new ids is apart; one of the set's ids is found.
            assert_eq!(set.first_common(&fresh), None);
            if let Some(old) = plain.iter().nth(batch % plain.len().max(1)) {
                let again = IdSet::sorted(vec![old.clone(), id(2_000_000)]);
                assert_eq!(set.first_common(&again), Some(old.as_str()));
                assert_eq!(again.first_common(&set), Some(old.as_str()));
            }
            plain.extend(fresh.ids().cloned());
            set.add(fresh);
            assert!(set.runs.len() <= 2 + (plain.len() as f64).log2() as usize);
        }
        let all: Vec<String> = plain.into_iter().collect();
        assert_eq!(set.clone().into_sorted(), all);
        assert_eq!(set, IdSet::sorted(all.iter().rev().cloned().collect()));
        let json = serde_json::to_string(&set).expect("json");
        assert_eq!(json, serde_json::to_string(&all).expect("json"));
        let back: IdSet = serde_json::from_str(&json).expect("back");
        assert_eq!(back.runs.len(), 1);
        assert_eq!(back, set);
    }

    #[test]
    fn the_smallest_shared_id_is_named_whichever_side_is_longer() {
        let long = IdSet::sorted((0..1000).map(id).collect());
        let short = IdSet::sorted(vec![id(999), id(500), id(5000)]);
        assert_eq!(long.first_common(&short), Some(id(500).as_str()));
        assert_eq!(short.first_common(&long), Some(id(500).as_str()));
        let apart = IdSet::sorted(vec![id(5000), id(7000)]);
        assert_eq!(long.first_common(&apart), None);
        assert_eq!(IdSet::default().first_common(&long), None);
    }
}
