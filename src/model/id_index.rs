//! Record positions by id without copying the ids: the index a
//! [`Dataset`](super::Dataset) keeps for each kind of record.
//!
//! A `HashMap<ContactId, u32>` holds a second copy of every id (one heap
//! allocation each, 32 bytes and more) next to a 32-byte bucket. An
//! [`IdIndex`] keeps only an 8-byte slot per entry (a 32-bit hash tag and
//! the record's position) and reads the id from the records themselves when
//! a tag matches. Hashing is std's keyed SipHash ([`RandomState`]), so
//! chosen ids cannot force collisions; each id is hashed once per lookup.

use std::hash::{BuildHasher, RandomState};

/// A position that marks an empty slot (datasets hold fewer records).
const EMPTY: u32 = u32::MAX;

/// Where an id's probe starts in an index of a given size.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Probe {
    at: usize,
    tag: u32,
    slots: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    tag: u32,
    position: u32,
}

const EMPTY_SLOT: Slot = Slot {
    tag: 0,
    position: EMPTY,
};

/// Positions `0..n` of a list of records, keyed by the records' ids.
#[derive(Debug, Clone)]
pub(crate) struct IdIndex {
    hasher: RandomState,
    slots: Vec<Slot>,
    len: usize,
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex::with_capacity(0)
    }
}

impl IdIndex {
    /// An index with room for `n` ids (at most 3/4 of the slots are used,
    /// so linear probes stay short).
    pub(crate) fn with_capacity(n: usize) -> IdIndex {
        let slots = (n.saturating_mul(4) / 3 + 1).next_power_of_two().max(8);
        IdIndex {
            hasher: RandomState::new(),
            slots: vec![EMPTY_SLOT; slots],
            len: 0,
        }
    }

    fn start(&self, id: &str) -> (usize, u32) {
        let hash = self.hasher.hash_one(id);
        let mask = self.slots.len() - 1;
        ((hash as usize) & mask, (hash >> 32) as u32)
    }

    /// Hashes `id` once for a later [`IdIndex::get_probed`] or
    /// [`IdIndex::insert_probed`], and loads its first slot: a caller that
    /// probes a block of ids before using them lets the cache misses of
    /// the block overlap instead of following one another. Returns the
    /// probe and the position in the first slot (for the caller to touch
    /// the record it names).
    #[inline]
    pub(crate) fn probe(&self, id: &str) -> (Probe, u32) {
        let (at, tag) = self.start(id);
        let position = self.slots.get(at).map_or(EMPTY, |s| s.position);
        (
            Probe {
                at,
                tag,
                slots: self.slots.len(),
            },
            position,
        )
    }

    /// [`IdIndex::get`] with the hash of an earlier [`IdIndex::probe`].
    #[inline]
    pub(crate) fn get_probed<'a>(
        &self,
        probe: Probe,
        id: &str,
        id_at: impl Fn(u32) -> &'a str,
    ) -> Option<u32> {
        if probe.slots != self.slots.len() {
            return self.get(id, id_at);
        }
        let mask = self.slots.len() - 1;
        let mut at = probe.at;
        loop {
            let slot = self.slots[at];
            if slot.position == EMPTY {
                return None;
            }
            if slot.tag == probe.tag && id_at(slot.position) == id {
                return Some(slot.position);
            }
            at = (at + 1) & mask;
        }
    }

    /// [`IdIndex::insert`] with the hash of an earlier [`IdIndex::probe`].
    #[inline]
    pub(crate) fn insert_probed<'a>(
        &mut self,
        probe: Probe,
        id: &str,
        position: u32,
        id_at: impl Fn(u32) -> &'a str,
    ) -> Option<u32> {
        if probe.slots != self.slots.len() || (self.len + 1) * 4 > self.slots.len() * 3 {
            return self.insert(id, position, id_at);
        }
        let mask = self.slots.len() - 1;
        let mut at = probe.at;
        loop {
            let slot = self.slots[at];
            if slot.position == EMPTY {
                self.slots[at] = Slot {
                    tag: probe.tag,
                    position,
                };
                self.len += 1;
                return None;
            }
            if slot.tag == probe.tag && id_at(slot.position) == id {
                return Some(slot.position);
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds `position` under `id`, unless `id` is already there: then the
    /// index is unchanged and the earlier position is returned.
    /// `id_at(p)` is the id of the record at position `p`.
    pub(crate) fn insert<'a>(
        &mut self,
        id: &str,
        position: u32,
        id_at: impl Fn(u32) -> &'a str,
    ) -> Option<u32> {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow(&id_at);
        }
        let (mut at, tag) = self.start(id);
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[at];
            if slot.position == EMPTY {
                self.slots[at] = Slot { tag, position };
                self.len += 1;
                return None;
            }
            if slot.tag == tag && id_at(slot.position) == id {
                return Some(slot.position);
            }
            at = (at + 1) & mask;
        }
    }

    /// The position of the record with `id`.
    pub(crate) fn get<'a>(&self, id: &str, id_at: impl Fn(u32) -> &'a str) -> Option<u32> {
        let (mut at, tag) = self.start(id);
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[at];
            if slot.position == EMPTY {
                return None;
            }
            if slot.tag == tag && id_at(slot.position) == id {
                return Some(slot.position);
            }
            at = (at + 1) & mask;
        }
    }

    /// Doubles the slots and places every id again (all distinct, so no
    /// comparison is needed).
    fn grow<'a>(&mut self, id_at: &dyn Fn(u32) -> &'a str) {
        let doubled = vec![EMPTY_SLOT; self.slots.len().saturating_mul(2).max(8)];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.position != EMPTY) {
            let (mut at, tag) = self.start(id_at(slot.position));
            while self.slots[at].position != EMPTY {
                at = (at + 1) & mask;
            }
            self.slots[at] = Slot {
                tag,
                position: slot.position,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_id_and_refuses_duplicates() {
        let ids: Vec<String> = (0..5000).map(|i| format!("C-{i}")).collect();
        let id_at = |p: u32| ids[p as usize].as_str();
        // Start small so that the index grows several times.
        let mut index = IdIndex::with_capacity(3);
        for (p, id) in ids.iter().enumerate() {
            assert_eq!(index.insert(id, p as u32, id_at), None);
        }
        for (p, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id, id_at), Some(p as u32));
        }
        assert_eq!(index.get("C-5000", id_at), None);
        assert_eq!(index.get("", id_at), None);
        assert_eq!(index.insert("C-17", 99, id_at), Some(17));
        assert_eq!(index.get("C-17", id_at), Some(17));
    }

    #[test]
    fn probed_lookups_agree_with_plain_ones_even_after_growth() {
        let ids: Vec<String> = (0..3000).map(|i| format!("A{i}")).collect();
        let id_at = |p: u32| ids[p as usize].as_str();
        let mut index = IdIndex::with_capacity(10);
        for (p, id) in ids.iter().enumerate() {
            // Probed before an insert that may grow the index.
            let (probe, _) = index.probe(id);
            assert_eq!(index.insert_probed(probe, id, p as u32, id_at), None);
        }
        for (p, id) in ids.iter().enumerate() {
            let (probe, _) = index.probe(id);
            assert_eq!(index.get_probed(probe, id, id_at), Some(p as u32));
            assert_eq!(index.insert_probed(probe, id, 0, id_at), Some(p as u32));
        }
        let (probe, _) = index.probe("A3000");
        assert_eq!(index.get_probed(probe, "A3000", id_at), None);
        // A probe of a smaller index is not trusted after growth.
        let mut small = IdIndex::with_capacity(1);
        let (stale, _) = small.probe("A0");
        for (p, id) in ids.iter().take(100).enumerate() {
            small.insert(id, p as u32, id_at);
        }
        assert_eq!(small.get_probed(stale, "A0", id_at), Some(0));
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let index = IdIndex::default();
        assert_eq!(index.get("x", |_| "x"), None);
    }
}
