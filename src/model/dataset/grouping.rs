//! Items grouped by an owner (compressed rows): the activities, deals and
//! tickets of each contact, the deals of each pipeline, the contacts of each
//! company.

/// Items grouped by an owner index (compressed rows): the items of owner `i`
/// are `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Grouping {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Grouping {
    /// Groups `0..owner_of.len()` by the owner each maps to; items keep their
    /// relative order within a group.
    pub(super) fn build(
        owners: usize,
        owner_of: impl Iterator<Item = Option<u32>> + Clone,
    ) -> Grouping {
        let mut counts = vec![0u32; owners + 1];
        for owner in owner_of.clone().flatten() {
            counts[owner as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut next = counts.clone();
        let total = counts.last().copied().unwrap_or(0) as usize;
        let mut items = vec![0u32; total];
        for (item, owner) in owner_of.enumerate() {
            if let Some(owner) = owner {
                let slot = &mut next[owner as usize];
                items[*slot as usize] = item as u32;
                *slot += 1;
            }
        }
        Grouping {
            offsets: counts,
            items,
        }
    }

    pub(super) fn group(&self, owner: usize) -> &[u32] {
        match (self.offsets.get(owner), self.offsets.get(owner + 1)) {
            (Some(&start), Some(&end)) => {
                self.items.get(start as usize..end as usize).unwrap_or(&[])
            }
            _ => &[],
        }
    }
}

impl Grouping {
    /// Sorts the items of each group by `key` (stable: equal keys keep
    /// their order); groups already in order are only checked.
    pub(super) fn sort_each_by_key<K: Ord>(&mut self, key: impl Fn(u32) -> K) {
        for bounds in self.offsets.windows(2) {
            if let Some(group) = self.items.get_mut(bounds[0] as usize..bounds[1] as usize) {
                if !group.is_sorted_by_key(|&i| key(i)) {
                    group.sort_by_key(|&i| key(i));
                }
            }
        }
    }
}
