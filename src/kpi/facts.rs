//! What one contact's records say, whatever the period, and how those facts
//! turn into customer counts for many periods at once.
//!
//! A [`ContactFacts`] holds the times of a contact's revenue events, won
//! deals, outbound calls, deal creations and e-mail list events (only what
//! its records contributed). [`Buckets`] places instants in the sorted,
//! non-overlapping windows of a batch of accumulators (the periods of a time
//! series, or a period and the one before), and [`Folder::fold`] turns the facts of
//! one contact into [`CustomerCounts`] for every window: a point where a
//! fact falls in one period, an interval of periods where it spans several
//! (an activity window, a contract up for renewal, list membership). So a
//! contact costs its own records plus a few binary searches, whatever the
//! number of periods.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::context::Window;
use crate::{Error, Result};

/// `FIRST_*` flags of a contact's first revenue event.
pub(crate) const FIRST_IN_SEGMENT: u8 = 1;
pub(crate) const FIRST_FROM_CAMPAIGN: u8 = 1 << 1;

/// Kind of an in-segment won deal, as far as customer counts care.
pub(crate) const WON_NEW: u8 = 0;
pub(crate) const WON_RENEWAL: u8 = 1;
pub(crate) const WON_CROSS_SELL: u8 = 2;
pub(crate) const WON_UPSELL: u8 = 3;

fn is_max(t: &i64) -> bool {
    *t == i64::MAX
}

fn max() -> i64 {
    i64::MAX
}

fn is_zero(f: &u8) -> bool {
    *f == 0
}

/// Period-independent facts about one contact, from the records seen.
/// Merging two is exact (minimums and list concatenation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactFacts {
    /// Time of the first revenue event (any segment), or `i64::MAX`.
    #[serde(default = "max", skip_serializing_if = "is_max")]
    pub first_customer: i64,
    /// `FIRST_*` flags of that event (ties merge their flags).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub first_flags: u8,
    /// First in-segment bounce or unsubscribe, or `i64::MAX`.
    #[serde(default = "max", skip_serializing_if = "is_max")]
    pub email_lost: i64,
    /// Creation time of the contact when it is in the segment and has an
    /// e-mail address (it is on the list from then on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed: Option<i64>,
    /// In-segment revenue events: time, and the value when new revenue is
    /// tracked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<(i64, Option<Decimal>)>,
    /// In-segment won deals: close time and `WON_*` kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub won: Vec<(i64, u8)>,
    /// In-segment outbound calls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<i64>,
    /// Creation times of the contact's deals (any segment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub creations: Vec<i64>,
}

impl Default for ContactFacts {
    fn default() -> Self {
        ContactFacts {
            first_customer: i64::MAX,
            first_flags: 0,
            email_lost: i64::MAX,
            subscribed: None,
            events: Vec::new(),
            won: Vec::new(),
            calls: Vec::new(),
            creations: Vec::new(),
        }
    }
}

impl ContactFacts {
    /// Records a revenue event at `t` with `FIRST_*` flags as a candidate
    /// first event (ties merge their flags, so the result is independent
    /// of the order records come in).
    pub fn first_event(&mut self, t: i64, flags: u8) {
        match t.cmp(&self.first_customer) {
            std::cmp::Ordering::Less => {
                self.first_customer = t;
                self.first_flags = flags;
            }
            std::cmp::Ordering::Equal => self.first_flags |= flags,
            std::cmp::Ordering::Greater => {}
        }
    }

    pub fn merge(&mut self, other: &ContactFacts) {
        self.first_event(other.first_customer, other.first_flags);
        self.email_lost = self.email_lost.min(other.email_lost);
        self.subscribed = match (self.subscribed, other.subscribed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.events.extend_from_slice(&other.events);
        self.won.extend_from_slice(&other.won);
        self.calls.extend_from_slice(&other.calls);
        self.creations.extend_from_slice(&other.creations);
    }

    /// Forgets everything, keeping the lists' capacity (for the next
    /// contact of a fold).
    pub fn clear(&mut self) {
        self.first_customer = i64::MAX;
        self.first_flags = 0;
        self.email_lost = i64::MAX;
        self.subscribed = None;
        self.events.clear();
        self.won.clear();
        self.calls.clear();
        self.creations.clear();
    }

    /// Whether the facts say nothing (nothing to keep).
    pub fn is_empty(&self) -> bool {
        *self == ContactFacts::default()
    }
}

/// Customer-level counts of one period, summed over contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomerCounts {
    pub at_start: u64,
    pub at_end: u64,
    pub retained: u64,
    pub new: u64,
    pub new_from_campaign: u64,
    /// New customers of the period still customers at its end.
    #[serde(default)]
    pub new_at_end: u64,
    pub up_for_renewal: u64,
    pub renewed: u64,
    pub cross_sell: u64,
    pub upsell: u64,
    /// Contacts with an order in the period.
    pub active: u64,
    /// Contacts with two or more orders in the period.
    pub repeaters: u64,
    /// Distinct (contact, UTC day) pairs with a revenue event in the period.
    pub order_days: u64,
    /// Contacts called (outbound) in the period.
    pub called: u64,
    /// Outbound calls of the period to known contacts.
    pub sales_calls: u64,
    /// Those followed by a deal creation of the contact within the window.
    pub calls_to_opportunities: u64,
    pub list_start: u64,
    pub list_new: u64,
    pub list_lost: u64,
    /// Revenue of the period from customers in their first months.
    pub new_revenue: Decimal,
}

impl CustomerCounts {
    pub fn merge(&mut self, other: &CustomerCounts) -> Result<()> {
        macro_rules! sum {
            ($($f:ident),*) => { $( self.$f = self.$f.saturating_add(other.$f); )* };
        }
        sum!(
            at_start,
            at_end,
            retained,
            new,
            new_from_campaign,
            new_at_end,
            up_for_renewal,
            renewed,
            cross_sell,
            upsell,
            active,
            repeaters,
            order_days,
            called,
            sales_calls,
            calls_to_opportunities,
            list_start,
            list_new,
            list_lost
        );
        self.new_revenue = self
            .new_revenue
            .checked_add(other.new_revenue)
            .ok_or_else(|| Error::overflow("new revenue overflows"))?;
        Ok(())
    }
}

/// Counts that span intervals of periods, kept as difference arrays.
const AT_START: usize = 0;
const AT_END: usize = 1;
const RETAINED: usize = 2;
const UP_FOR_RENEWAL: usize = 3;
const LIST_START: usize = 4;
const RANGES: usize = 5;

/// Which bound array of [`Buckets`] a lookup counts in.
const T0: usize = 0;
const T1: usize = 1;
const ACTIVE_START_FROM: usize = 2;
const ACTIVE_END_FROM: usize = 3;
const RENEWAL_FROM: usize = 4;
const RENEWAL_TO: usize = 5;
const BOUNDS: usize = 6;

const DAY: i64 = 86_400;

/// Fewest windows for which [`Buckets::index_days`] builds a day table (a
/// binary search over one to three bounds is as fast as a table lookup).
const DAY_TABLE_MIN_WINDOWS: usize = 4;
/// Most days a day table covers (a row is 24 bytes, so at most 1.5 MiB;
/// e.g. 400 weekly, monthly or quarterly points with their look-backs fit,
/// 400 yearly points do not and use binary searches).
const DAY_TABLE_MAX_DAYS: usize = 1 << 16;

/// For each day from `first_day` on, how many bounds of each array are at
/// or before its start. Only built when every bound is at a day start
/// (UTC midnight): then the bounds at or before any instant of a day are
/// those at or before the day's start, so one row answers every instant of
/// that day. Before the first row no bound has passed; after the last row
/// (the day of the latest bound) every bound has.
#[derive(Debug, Clone)]
struct DayTable {
    first_day: i64,
    rows: Vec<[u32; BOUNDS]>,
}

/// The windows of a batch of accumulators, sorted and not overlapping, with
/// every bound non-decreasing from one window to the next (so the windows
/// an instant falls in, for each bound pair, form one interval).
///
/// Every lookup is "how many bounds of one array are at or before `t`":
/// a binary search over the bounds, or, after [`Buckets::index_days`], one
/// read of a day table (the periods of a series start and end at day
/// starts), so placing a record costs the same whatever the number of
/// periods.
#[derive(Debug, Clone, Default)]
pub(crate) struct Buckets {
    pub t0: Vec<i64>,
    pub t1: Vec<i64>,
    active_start_from: Vec<i64>,
    active_end_from: Vec<i64>,
    renewal_from: Vec<i64>,
    renewal_to: Vec<i64>,
    days: Option<DayTable>,
}

fn sorted(v: &[i64]) -> bool {
    v.windows(2).all(|w| matches!(w, [a, b] if a <= b))
}

impl Buckets {
    /// The buckets of `windows`, or `None` when they are not sorted,
    /// overlap, or have a bound that goes back in time.
    pub fn new<'w>(windows: impl Iterator<Item = &'w Window>) -> Option<Buckets> {
        let mut b = Buckets::default();
        for w in windows {
            b.t0.push(w.t0);
            b.t1.push(w.t1);
            b.active_start_from.push(w.active_start_from);
            b.active_end_from.push(w.active_end_from);
            b.renewal_from.push(w.renewal_from);
            b.renewal_to.push(w.renewal_to);
        }
        let apart = b.t1.iter().zip(b.t0.iter().skip(1)).all(|(e, s)| e <= s);
        let monotone = (0..BOUNDS).all(|which| sorted(b.bounds(which)));
        (apart && monotone).then_some(b)
    }

    fn bounds(&self, which: usize) -> &[i64] {
        match which {
            T0 => &self.t0,
            T1 => &self.t1,
            ACTIVE_START_FROM => &self.active_start_from,
            ACTIVE_END_FROM => &self.active_end_from,
            RENEWAL_FROM => &self.renewal_from,
            _ => &self.renewal_to,
        }
    }

    /// Builds the day table, when there are enough windows for it to pay,
    /// every bound is at a day start and the bounds span at most
    /// `DAY_TABLE_MAX_DAYS` days; otherwise lookups stay binary searches.
    /// The answers are the same either way.
    pub fn index_days(&mut self) {
        self.days = None;
        if self.len() < DAY_TABLE_MIN_WINDOWS || u32::try_from(self.len()).is_err() {
            return;
        }
        let all = || (0..BOUNDS).flat_map(|which| self.bounds(which).iter().copied());
        if !all().all(|t| t.rem_euclid(DAY) == 0) {
            return;
        }
        let (Some(first), Some(last)) = (all().min(), all().max()) else {
            return;
        };
        let (first_day, last_day) = (first.div_euclid(DAY), last.div_euclid(DAY));
        let Some(n) = last_day
            .checked_sub(first_day)
            .and_then(|d| usize::try_from(d).ok())
            .and_then(|d| d.checked_add(1))
            .filter(|&n| n <= DAY_TABLE_MAX_DAYS)
        else {
            return;
        };
        let mut rows = vec![[0u32; BOUNDS]; n];
        for which in 0..BOUNDS {
            let bounds = self.bounds(which);
            let mut k = 0;
            for (day, row) in (first_day..).zip(rows.iter_mut()) {
                let start = day.saturating_mul(DAY);
                while bounds.get(k).is_some_and(|&s| s <= start) {
                    k += 1;
                }
                if let Some(slot) = row.get_mut(which) {
                    *slot = u32::try_from(k).unwrap_or(u32::MAX);
                }
            }
        }
        self.days = Some(DayTable { first_day, rows });
    }

    pub fn len(&self) -> usize {
        self.t0.len()
    }

    /// How many bounds of array `which` are at or before `t`.
    #[inline]
    fn count(&self, which: usize, t: i64) -> usize {
        let Some(days) = &self.days else {
            return self.bounds(which).partition_point(|&s| s <= t);
        };
        // Day numbers of supported instants are far from overflowing.
        let day = t.div_euclid(DAY).saturating_sub(days.first_day);
        let Ok(i) = usize::try_from(day) else {
            // Before the first bound's day: no bound has passed.
            return 0;
        };
        match days.rows.get(i).and_then(|row| row.get(which)) {
            Some(&n) => n as usize,
            // After the last bound's day: every bound has passed.
            None => self.len(),
        }
    }

    /// The window containing `t`.
    #[inline]
    pub fn bucket(&self, t: i64) -> Option<usize> {
        if self.days.is_some() {
            // Window p holds t when p + 1 periods have started by t and p
            // have ended (t1[p - 1] <= t0[p] <= t, so at least p have):
            // both counts from the same row, no read of t1.
            let (started, ended) = (self.count(T0, t), self.count(T1, t));
            return started.checked_sub(1).filter(|&p| p == ended);
        }
        let p = self.count(T0, t).checked_sub(1)?;
        (t < *self.t1.get(p)?).then_some(p)
    }

    /// The windows `p` with `from[p] <= t < to[p]` (an interval because both
    /// bounds are non-decreasing).
    #[inline]
    fn span(&self, from: usize, to: usize, t: i64) -> Option<(usize, usize)> {
        let a = self.count(to, t);
        let b = self.count(from, t);
        (a < b).then_some((a, b))
    }

    /// The windows whose activity window before the period's start holds `t`.
    #[inline]
    fn at_start_span(&self, t: i64) -> Option<(usize, usize)> {
        self.span(ACTIVE_START_FROM, T0, t)
    }

    /// The windows whose activity window before the period's end holds `t`.
    #[inline]
    fn at_end_span(&self, t: i64) -> Option<(usize, usize)> {
        self.span(ACTIVE_END_FROM, T1, t)
    }

    /// The windows in whose period a deal won at `t` comes up for renewal.
    #[inline]
    fn renewal_span(&self, t: i64) -> Option<(usize, usize)> {
        self.span(RENEWAL_FROM, RENEWAL_TO, t)
    }

    /// Whether a revenue event at `t` matters to some window: it falls in a
    /// period or in the activity window before a period's start or end.
    #[inline]
    pub fn sees(&self, t: i64) -> bool {
        self.at_start_span(t).is_some() || self.at_end_span(t).is_some() || self.bucket(t).is_some()
    }

    /// The windows whose period ends after `after` and at or before `until`
    /// (those a deal created at `after` and closed at `until` is open at the
    /// end of).
    pub fn ends_in(&self, after: i64, until: i64) -> std::ops::Range<usize> {
        let a = self.count(T1, after);
        let b = self.count(T1, until);
        a..b.max(a)
    }

    /// The windows whose period starts after `from` and at or before `to`
    /// (those at whose start something present from `from` until `to` is
    /// there).
    fn starts_in(&self, from: i64, to: i64) -> Option<(usize, usize)> {
        let a = self.count(T0, from);
        let e = self.count(T0, to);
        (a < e).then_some((a, e))
    }
}

/// Replaces `spans` by their union: sorted, disjoint intervals, in place
/// (spans of sorted instants come sorted already).
fn union(spans: &mut Vec<(usize, usize)>) {
    if !spans.is_sorted() {
        spans.sort_unstable();
    }
    // `kept` spans are merged so far; `kept <= r`, so writing at `kept`
    // never overwrites a span not yet read.
    let mut kept: usize = 0;
    for r in 0..spans.len() {
        let Some(&(a, b)) = spans.get(r) else { break };
        match kept.checked_sub(1).and_then(|i| spans.get_mut(i)) {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => {
                if let Some(slot) = spans.get_mut(kept) {
                    *slot = (a, b);
                }
                kept += 1;
            }
        }
    }
    spans.truncate(kept);
}

fn covers(spans: &[(usize, usize)], p: usize) -> bool {
    let i = spans.partition_point(|&(a, _)| a <= p);
    i.checked_sub(1)
        .and_then(|i| spans.get(i))
        .is_some_and(|&(_, b)| p < b)
}

/// Scratch space of a fold: difference arrays of the interval counts.
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    diff: Vec<[i64; RANGES]>,
    start: Vec<(usize, usize)>,
    end: Vec<(usize, usize)>,
    renewal: Vec<(usize, usize)>,
}

/// What a fold needs from the options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FoldOptions {
    pub per_day: bool,
    pub new_revenue_months: u32,
    pub opportunity_window_secs: i64,
}

impl Folder {
    pub fn new(windows: usize) -> Folder {
        Folder {
            diff: vec![[0; RANGES]; windows + 1],
            start: Vec::new(),
            end: Vec::new(),
            renewal: Vec::new(),
        }
    }

    fn range(&mut self, which: usize, (a, b): (usize, usize)) {
        if let Some(d) = self.diff.get_mut(a).and_then(|d| d.get_mut(which)) {
            *d += 1;
        }
        if let Some(d) = self.diff.get_mut(b).and_then(|d| d.get_mut(which)) {
            *d -= 1;
        }
    }

    /// Turns the facts of one contact into counts of each window of `b`
    /// (`counts[p]`); the interval counts wait in the folder until
    /// [`Folder::finish`].
    pub fn fold(
        &mut self,
        facts: &mut ContactFacts,
        b: &Buckets,
        options: FoldOptions,
        counts: &mut [CustomerCounts],
    ) -> Result<()> {
        // Revenue events: customers at the start and end, orders.
        facts.events.sort_unstable();
        self.start.clear();
        self.end.clear();
        for &(t, _) in &facts.events {
            if let Some(s) = b.at_start_span(t) {
                self.start.push(s);
            }
            if let Some(s) = b.at_end_span(t) {
                self.end.push(s);
            }
        }
        union(&mut self.start);
        union(&mut self.end);
        for i in 0..self.start.len() {
            let Some(&s) = self.start.get(i) else {
                continue;
            };
            self.range(AT_START, s);
        }
        for i in 0..self.end.len() {
            let Some(&s) = self.end.get(i) else { continue };
            self.range(AT_END, s);
        }
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a1, b1)), Some(&(a2, b2))) = (self.start.get(i), self.end.get(j)) {
            let (a, e) = (a1.max(a2), b1.min(b2));
            if a < e {
                self.range(RETAINED, (a, e));
            }
            if b1 < b2 { i += 1 } else { j += 1 }
        }
        // Orders per window: events are sorted, so a window's are adjacent.
        let mut k = 0;
        while let Some(&(t, _)) = facts.events.get(k) {
            let rest = facts.events.get(k..).unwrap_or_default();
            let Some(p) = b.bucket(t) else {
                k += 1;
                continue;
            };
            let end = b.t1.get(p).copied().unwrap_or(i64::MAX);
            let n = rest.partition_point(|&(u, _)| u < end);
            let orders = if options.per_day {
                let mut days = 0;
                let mut last = None;
                for &(u, _) in rest.iter().take(n) {
                    let day = u.div_euclid(86_400);
                    if last != Some(day) {
                        days += 1;
                        last = Some(day);
                    }
                }
                days
            } else {
                n as u64
            };
            if let Some(c) = counts.get_mut(p) {
                c.active += 1;
                c.repeaters += u64::from(orders >= 2);
                c.order_days += if options.per_day { orders } else { 0 };
            }
            k += n.max(1);
        }
        // New customers and their revenue.
        if facts.first_flags & FIRST_IN_SEGMENT != 0
            && let Some(p) = b.bucket(facts.first_customer)
            && let Some(c) = counts.get_mut(p)
        {
            c.new_at_end += u64::from(covers(&self.end, p));
            c.new += 1;
            c.new_from_campaign += u64::from(facts.first_flags & FIRST_FROM_CAMPAIGN != 0);
        }
        if facts.events.iter().any(|(_, v)| v.is_some()) {
            let limit = chrono::DateTime::from_timestamp(facts.first_customer, 0)
                .and_then(|t| t.checked_add_months(chrono::Months::new(options.new_revenue_months)))
                .map_or(i64::MAX, |t| t.timestamp());
            for &(t, value) in &facts.events {
                if let (Some(v), true) = (value, t < limit)
                    && let Some(c) = b.bucket(t).and_then(|p| counts.get_mut(p))
                {
                    c.new_revenue = c
                        .new_revenue
                        .checked_add(v)
                        .ok_or_else(|| Error::overflow("new revenue overflows"))?;
                }
            }
        }
        // Won deals: contracts up for renewal, renewals, cross-sell, upsell.
        if !facts.won.is_empty() {
            facts.won.sort_unstable();
            self.renewal.clear();
            for &(closed, _) in &facts.won {
                if let Some(s) = b.renewal_span(closed) {
                    self.renewal.push(s);
                }
            }
            union(&mut self.renewal);
            for i in 0..self.renewal.len() {
                let Some(&s) = self.renewal.get(i) else {
                    continue;
                };
                self.range(UP_FOR_RENEWAL, s);
            }
            let mut last = [None; 4];
            for &(closed, kind) in &facts.won {
                let Some(p) = b.bucket(closed) else { continue };
                let Some(seen) = last.get_mut(usize::from(kind)) else {
                    continue;
                };
                if *seen == Some(p) {
                    continue;
                }
                *seen = Some(p);
                let Some(c) = counts.get_mut(p) else { continue };
                match kind {
                    WON_RENEWAL => c.renewed += u64::from(covers(&self.renewal, p)),
                    WON_CROSS_SELL => c.cross_sell += u64::from(covers(&self.start, p)),
                    WON_UPSELL => c.upsell += u64::from(covers(&self.start, p)),
                    _ => {}
                }
            }
        }
        // Outbound calls and the deals created after them.
        if !facts.calls.is_empty() {
            facts.calls.sort_unstable();
            facts.creations.sort_unstable();
            let mut last = None;
            for &at in &facts.calls {
                let Some(p) = b.bucket(at) else { continue };
                let Some(c) = counts.get_mut(p) else { continue };
                c.sales_calls += 1;
                if last != Some(p) {
                    c.called += 1;
                    last = Some(p);
                }
                let next = facts.creations.partition_point(|&t| t <= at);
                if facts
                    .creations
                    .get(next)
                    .is_some_and(|&t| t <= at.saturating_add(options.opportunity_window_secs))
                {
                    c.calls_to_opportunities += 1;
                }
            }
        }
        // The e-mail list.
        if let Some(created) = facts.subscribed {
            let lost = facts.email_lost;
            if let Some(s) = b.starts_in(created, lost) {
                self.range(LIST_START, s);
            }
            if let Some(c) = b.bucket(created).and_then(|p| counts.get_mut(p)) {
                c.list_new += 1;
            }
            if let Some(p) = b.bucket(lost)
                && b.t1.get(p).is_some_and(|&end| created < end)
                && let Some(c) = counts.get_mut(p)
            {
                c.list_lost += 1;
            }
        }
        Ok(())
    }

    /// Adds the interval counts gathered so far to `counts` and clears them.
    pub fn finish(&mut self, counts: &mut [CustomerCounts]) {
        let mut running = [0i64; RANGES];
        for (p, c) in counts.iter_mut().enumerate() {
            if let Some(d) = self.diff.get_mut(p) {
                for (r, x) in running.iter_mut().zip(d.iter_mut()) {
                    *r += *x;
                    *x = 0;
                }
            }
            let at = |i: usize| u64::try_from(running.get(i).copied().unwrap_or(0)).unwrap_or(0);
            c.at_start += at(AT_START);
            c.at_end += at(AT_END);
            c.retained += at(RETAINED);
            c.up_for_renewal += at(UP_FOR_RENEWAL);
            c.list_start += at(LIST_START);
        }
        for d in &mut self.diff {
            *d = [0; RANGES];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Buckets of `n` windows of `len` days from day `first`, with an
    /// activity window of `active` days and renewals `renewal` days back.
    fn windows(first: i64, len: i64, n: i64, active: i64, renewal: i64) -> Buckets {
        let mut b = Buckets::default();
        for p in 0..n {
            let t0 = (first + p * len) * DAY;
            let t1 = t0 + len * DAY;
            b.t0.push(t0);
            b.t1.push(t1);
            b.active_start_from.push(t0 - active * DAY);
            b.active_end_from.push(t1 - active * DAY);
            b.renewal_from.push(t0 - renewal * DAY);
            b.renewal_to.push(t1 - renewal * DAY);
        }
        b
    }

    /// Every bound, one second and one day either side, and instants far
    /// before and after all bounds.
    fn instants(b: &Buckets) -> Vec<i64> {
        let mut ts = vec![i64::MIN, i64::MIN / 2, -1, 0, 1, i64::MAX / 2, i64::MAX];
        for which in 0..BOUNDS {
            for &s in b.bounds(which) {
                for d in [-DAY - 1, -DAY, -1, 0, 1, DAY - 1, DAY, 400 * DAY] {
                    ts.push(s.saturating_add(d));
                }
            }
        }
        ts
    }

    fn same_answers(plain: &Buckets, indexed: &Buckets) {
        for t in instants(plain) {
            for which in 0..BOUNDS {
                assert_eq!(
                    plain.count(which, t),
                    indexed.count(which, t),
                    "{which} at {t}"
                );
            }
            assert_eq!(plain.bucket(t), indexed.bucket(t), "bucket at {t}");
            assert_eq!(plain.at_start_span(t), indexed.at_start_span(t), "{t}");
            assert_eq!(plain.at_end_span(t), indexed.at_end_span(t), "{t}");
            assert_eq!(plain.renewal_span(t), indexed.renewal_span(t), "{t}");
            assert_eq!(plain.sees(t), indexed.sees(t), "sees at {t}");
            for u in [t, t.saturating_add(3 * DAY), t.saturating_add(90 * DAY)] {
                assert_eq!(plain.ends_in(t, u), indexed.ends_in(t, u), "{t}..{u}");
                assert_eq!(plain.starts_in(t, u), indexed.starts_in(t, u), "{t}..{u}");
            }
        }
    }

    #[test]
    fn the_day_table_answers_as_the_binary_searches_do() {
        // Weeks, months of 30 days, one-day periods; a look-back of none,
        // shorter or longer than a period; periods before 1970.
        for (first, len, n, active, renewal) in [
            (18_323, 7, 302, 90, 365),
            (18_323, 30, 18, 365, 365),
            (-400, 1, 50, 0, 30),
            (10, 7, 4, 1, 0),
        ] {
            let plain = windows(first, len, n, active, renewal);
            let mut indexed = plain.clone();
            indexed.index_days();
            assert!(indexed.days.is_some(), "{first} {len} {n}");
            same_answers(&plain, &indexed);
        }
    }

    #[test]
    fn union_merges_overlapping_and_touching_spans_in_place() {
        let mut spans = vec![(5, 7), (0, 2), (1, 3), (3, 4), (9, 9), (6, 8), (10, 12)];
        union(&mut spans);
        assert_eq!(spans, vec![(0, 4), (5, 8), (9, 9), (10, 12)]);
        let mut sorted = vec![(0, 1), (2, 3), (2, 5), (4, 6)];
        union(&mut sorted);
        assert_eq!(sorted, vec![(0, 1), (2, 6)]);
    }

    #[test]
    fn the_day_table_is_left_out_where_it_would_not_be_exact_or_pay() {
        // A bound off a day start.
        let mut b = windows(18_323, 7, 10, 90, 365);
        if let Some(t) = b.renewal_to.last_mut() {
            *t += 1;
        }
        b.index_days();
        assert!(b.days.is_none());
        // Too few windows, or too many days.
        let mut b = windows(18_323, 7, 3, 90, 365);
        b.index_days();
        assert!(b.days.is_none());
        let mut b = windows(0, 365, 200, 90, 365);
        b.index_days();
        assert!(b.days.is_none());
        let mut b = windows(0, 365, 100, 90, 365);
        b.index_days();
        assert!(b.days.is_some());
    }
}
