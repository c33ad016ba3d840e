//! Channel and campaign names to dense ids, once per request.
//!
//! Names repeat on almost every touch, so a small direct-mapped cache
//! (indexed by a cheap mix of the name's length and its first and last
//! eight bytes, and verified by comparing the whole name) answers most
//! lookups without hashing the name; a miss falls back to the map with
//! the standard library's keyed hasher, so names built to collide in the
//! cache only cost misses. Ids are given in order of first appearance.
//!
//! ```
//! use crmkit::attribution::{AttributionRequest, attribution_report};
//!
//! let request = AttributionRequest::from_json(r#"{
//!   "currency": "USD", "models": [{"model": "first_touch"}],
//!   "journeys": [{"touches": [{"channel": "email", "at": "2026-03-01T10:00:00Z"},
//!                             {"channel": "email", "at": "2026-03-02T10:00:00Z"}],
//!                 "conversions": 1}]
//! }"#)?;
//! assert_eq!(attribution_report(&request)?.models[0].channels.len(), 1);
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::HashMap;

/// Slots of the lookup cache (a power of two).
const SLOTS: usize = 256;

/// Names seen so far and their ids.
pub(super) struct Interner<'a> {
    /// Names by id.
    pub names: Vec<String>,
    index: HashMap<&'a str, u32>,
    /// `id + 1` of the last name seen in each slot (0: empty).
    cache: Vec<u32>,
}

/// Up to eight bytes as a little-endian integer.
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = bytes.len().min(8);
    w[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(w)
}

/// The cache slot of `name`.
fn slot(name: &str) -> usize {
    let b = name.as_bytes();
    let head = word(b);
    let tail = word(&b[b.len().saturating_sub(8)..]);
    let x = (head ^ tail.rotate_left(29) ^ (b.len() as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 56) as usize % SLOTS
}

impl<'a> Interner<'a> {
    /// An empty interner.
    pub fn new() -> Self {
        Interner {
            names: Vec::new(),
            index: HashMap::new(),
            cache: vec![0; SLOTS],
        }
    }

    /// The id of `name`, given the next free id if it is new.
    pub fn id(&mut self, name: &'a str) -> u32 {
        let s = slot(name);
        let cached = self.cache[s];
        if let Some(known) = cached.checked_sub(1) {
            if self.names[known as usize] == name {
                return known;
            }
        }
        let next = self.names.len() as u32;
        let names = &mut self.names;
        let id = *self.index.entry(name).or_insert_with(|| {
            names.push(name.to_string());
            next
        });
        self.cache[s] = id + 1;
        id
    }
}
