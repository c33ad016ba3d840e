//! Record positions by id without copying the ids: the index a
//! [`Dataset`](super::Dataset) keeps for each kind of record.
//!
//! A `HashMap<ContactId, u32>` holds a second copy of every id (one heap
//! allocation each, 32 bytes and more) next to a 32-byte bucket. An
//! [`IdIndex`] keeps only an 8-byte slot per entry (a 32-bit hash tag and
//! the record's position) and reads the id from the records themselves when
//! a tag matches. Each id is hashed once per lookup.
//!
//! Hashing is [`IdHasher`], a folded-multiply hash keyed with a random seed
//! per index (the construction of foldhash and wyhash, written here to keep
//! the crate's dependencies): a few multiplications for a short id instead
//! of SipHash's rounds, which on millions of records was most of the work
//! between the cache misses of a lookup. Without the seed, chosen ids
//! cannot be aimed at one slot.

use std::hash::{BuildHasher, RandomState};

/// A keyed hash of short byte strings: 16 bytes per folded multiplication,
/// the length mixed in first, seeds drawn from std's random keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdHasher {
    seeds: [u64; 2],
}

/// 128-bit product of `a` and `b`, high and low halves xored.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// Up to 8 bytes as a little-endian word, zero-padded.
#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    if let (Some(to), Some(from)) = (buf.get_mut(..n), bytes.get(..n)) {
        to.copy_from_slice(from);
    }
    u64::from_le_bytes(buf)
}

impl IdHasher {
    /// A hasher with fresh random seeds.
    pub(crate) fn new() -> IdHasher {
        let keys = RandomState::new();
        IdHasher {
            seeds: [
                keys.hash_one(0x243f_6a88_85a3_08d3_u64) | 1,
                keys.hash_one(0x1319_8a2e_0370_7344_u64) | 1,
            ],
        }
    }

    /// The hash of `bytes`.
    #[inline]
    pub(crate) fn hash(&self, bytes: &[u8]) -> u64 {
        const MIX: u64 = 0x9e37_79b9_7f4a_7c15;
        let [s0, s1] = self.seeds;
        let mut h = fold(s0 ^ bytes.len() as u64, s1 ^ MIX);
        let mut chunks = bytes.chunks_exact(16);
        for chunk in &mut chunks {
            let (a, b) = chunk.split_at(8);
            h = fold(word(a) ^ s0 ^ h, word(b) ^ s1);
        }
        let rest = chunks.remainder();
        let (a, b) = rest.split_at(rest.len().min(8));
        h = fold(word(a) ^ s0 ^ h, word(b) ^ s1 ^ MIX);
        fold(h, s0 ^ MIX)
    }
}

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
    hasher: IdHasher,
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
            hasher: IdHasher::new(),
            slots: vec![EMPTY_SLOT; slots],
            len: 0,
        }
    }

    #[inline]
    fn start(&self, id: &[u8]) -> (usize, u32) {
        let hash = self.hasher.hash(id);
        let mask = self.slots.len() - 1;
        ((hash as usize) & mask, (hash >> 32) as u32)
    }

    /// Hashes `id` once for a later [`IdIndex::get_probed`] or
    /// [`IdIndex::insert_probed`]. A caller that probes a block of ids,
    /// then loads their first slots ([`IdIndex::first`]) and only then
    /// uses them lets the cache misses of the block overlap instead of
    /// following one another.
    #[inline]
    pub(crate) fn probe(&self, id: &[u8]) -> Probe {
        let (at, tag) = self.start(id);
        Probe {
            at,
            tag,
            slots: self.slots.len(),
        }
    }

    /// The position in the first slot of `probe` (for the caller to touch
    /// the record it names), [`u32::MAX`] for none.
    #[inline]
    pub(crate) fn first(&self, probe: Probe) -> u32 {
        self.slots.get(probe.at).map_or(EMPTY, |s| s.position)
    }

    /// [`IdIndex::get`] with the hash of an earlier [`IdIndex::probe`].
    #[inline]
    pub(crate) fn get_probed<'a>(
        &self,
        probe: Probe,
        id: &[u8],
        id_at: impl Fn(u32) -> &'a [u8],
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
        id: &[u8],
        position: u32,
        id_at: impl Fn(u32) -> &'a [u8],
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
        id: &[u8],
        position: u32,
        id_at: impl Fn(u32) -> &'a [u8],
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
    pub(crate) fn get<'a>(&self, id: &[u8], id_at: impl Fn(u32) -> &'a [u8]) -> Option<u32> {
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
    fn grow<'a>(&mut self, id_at: &dyn Fn(u32) -> &'a [u8]) {
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
        let id_at = |p: u32| ids[p as usize].as_bytes();
        // Start small so that the index grows several times.
        let mut index = IdIndex::with_capacity(3);
        for (p, id) in ids.iter().enumerate() {
            assert_eq!(index.insert(id.as_bytes(), p as u32, id_at), None);
        }
        for (p, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id.as_bytes(), id_at), Some(p as u32));
        }
        assert_eq!(index.get(b"C-5000", id_at), None);
        assert_eq!(index.get(b"", id_at), None);
        assert_eq!(index.insert(b"C-17", 99, id_at), Some(17));
        assert_eq!(index.get(b"C-17", id_at), Some(17));
    }

    #[test]
    fn probed_lookups_agree_with_plain_ones_even_after_growth() {
        let ids: Vec<String> = (0..3000).map(|i| format!("A{i}")).collect();
        let id_at = |p: u32| ids[p as usize].as_bytes();
        let mut index = IdIndex::with_capacity(10);
        for (p, id) in ids.iter().enumerate() {
            // Probed before an insert that may grow the index.
            let probe = index.probe(id.as_bytes());
            assert_eq!(
                index.insert_probed(probe, id.as_bytes(), p as u32, id_at),
                None
            );
        }
        for (p, id) in ids.iter().enumerate() {
            let probe = index.probe(id.as_bytes());
            let _ = index.first(probe);
            assert_eq!(
                index.get_probed(probe, id.as_bytes(), id_at),
                Some(p as u32)
            );
            assert_eq!(
                index.insert_probed(probe, id.as_bytes(), 0, id_at),
                Some(p as u32)
            );
        }
        let probe = index.probe(b"A3000");
        assert_eq!(index.get_probed(probe, b"A3000", id_at), None);
        // A probe of a smaller index is not trusted after growth.
        let mut small = IdIndex::with_capacity(1);
        let stale = small.probe(b"A0");
        for (p, id) in ids.iter().take(100).enumerate() {
            small.insert(id.as_bytes(), p as u32, id_at);
        }
        assert_eq!(small.get_probed(stale, b"A0", id_at), Some(0));
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let index = IdIndex::default();
        assert_eq!(index.get(b"x", |_| b"x"), None);
    }

    #[test]
    fn the_hash_separates_lengths_padding_and_every_byte() {
        let hasher = IdHasher::new();
        let texts: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"a".to_vec(),
            b"a\0".to_vec(),
            b"ab".to_vec(),
            b"abcdefgh".to_vec(),
            b"abcdefgh\0".to_vec(),
            b"abcdefghijklmnop".to_vec(),
            b"abcdefghijklmnopq".to_vec(),
            "é".repeat(40).into_bytes(),
        ];
        let hashes: std::collections::HashSet<u64> = texts.iter().map(|t| hasher.hash(t)).collect();
        assert_eq!(hashes.len(), texts.len());
        // Flipping any bit of a 40-byte id changes the hash.
        let base = vec![b'x'; 40];
        for i in 0..base.len() * 8 {
            let mut flipped = base.clone();
            flipped[i / 8] ^= 1 << (i % 8);
            assert_ne!(hasher.hash(&flipped), hasher.hash(&base), "bit {i}");
        }
        // Seeds differ between hashers.
        assert_ne!(IdHasher::new().hash(b"C-1"), hasher.hash(b"C-1"));
    }

    #[test]
    fn sequential_ids_spread_over_the_slots_and_tags() {
        // The index uses the low bits for the slot and the high 32 for the
        // tag: both must vary across ids that differ in one digit.
        let hasher = IdHasher::new();
        let n = 1 << 16;
        let mut low = std::collections::HashSet::new();
        let mut tags = std::collections::HashSet::new();
        for i in 0..n {
            let h = hasher.hash(format!("C{i:07}").as_bytes());
            low.insert(h & 0xffff);
            tags.insert(h >> 32);
        }
        // A random function fills about 63% of 2^16 buckets with 2^16 keys.
        assert!(low.len() > n * 6 / 10, "{}", low.len());
        assert!(tags.len() > n * 99 / 100, "{}", tags.len());
    }
}
