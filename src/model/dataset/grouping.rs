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
    /// Groups items `0..owner_of.len()` by their owner (every item has
    /// one), each group sorted by `key(item)`, items with equal keys in
    /// their order. The keys are placed next to the items as they are
    /// grouped, so that sorting a group reads only the group.
    pub(super) fn build_by_key<K: Ord + Copy + Default>(
        owners: usize,
        owner_of: &[u32],
        key: impl Fn(usize) -> K,
    ) -> Grouping {
        let mut counts = vec![0u32; owners + 1];
        for &owner in owner_of {
            counts[owner as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut next = counts.clone();
        let total = counts.last().copied().unwrap_or(0) as usize;
        let mut keyed = vec![(K::default(), 0u32); total];
        for (item, &owner) in owner_of.iter().enumerate() {
            let slot = &mut next[owner as usize];
            keyed[*slot as usize] = (key(item), item as u32);
            *slot += 1;
        }
        drop(next);
        for bounds in counts.windows(2) {
            if let Some(group) = keyed.get_mut(bounds[0] as usize..bounds[1] as usize) {
                // Items are distinct and in input order within the group,
                // so sorting the pairs is the stable sort by key.
                if !group.is_sorted() {
                    group.sort_unstable();
                }
            }
        }
        Grouping {
            offsets: counts,
            items: keyed.into_iter().map(|(_, item)| item).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_groups_are_sorted_stably_and_agree_with_the_plain_grouping() {
        // Owner of item i is i % 3; keys repeat so that ties occur.
        let owners: Vec<u32> = (0..40u32).map(|i| i % 3).collect();
        let keys: Vec<i32> = (0..40i32).map(|i| (i * 7) % 5).collect();
        let keyed = Grouping::build_by_key(3, &owners, |i| keys[i]);
        let plain = Grouping::build(3, owners.iter().map(|&o| Some(o)));
        for owner in 0..3 {
            let mut expected = plain.group(owner).to_vec();
            expected.sort_by_key(|&i| keys[i as usize]);
            assert_eq!(keyed.group(owner), expected.as_slice(), "owner {owner}");
        }
        assert_eq!(keyed.group(3), &[] as &[u32]);
        let empty = Grouping::build_by_key(2, &[], |_: usize| 0u8);
        assert_eq!(empty.group(0), &[] as &[u32]);
        assert_eq!(empty.group(1), &[] as &[u32]);
    }
}
