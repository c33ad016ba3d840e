//! The enumeration of the input cells of one event type, as a sweep: the
//! cells are visited in odometer order and, between two neighbouring
//! cells, only the atoms whose truth changes are updated and only the rules
//! using them are evaluated again.
//!
//! Each atom's truth along the cells of its dimension is computed once as
//! its value in the first cell and the cells where it changes (for a
//! numeric test, by binary search among the sorted cell values; for a
//! categorical test, by the positions of its values). A threshold changes
//! once along its field, so N threshold rules on one field cost O(N log N)
//! in all instead of O(N) per cell. The sets of rules matching together
//! are kept with an order-independent hash, so an overlap is compared in
//! full only when its hash equals that of a set already listed.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::space::{Cell, CellVal, Cmp, Dim, DimKind, F, Pred, Space, eval, holds};
use super::{MAX_GAPS, MAX_OVERLAPS, RuleForm, Shadow};
use crate::automation::ruleset::HitPolicy;

/// What the enumeration of the cells of one event type found.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tally {
    /// Per rule: it won (acted first) in some cell.
    pub(super) wins: Vec<bool>,
    /// Per rule and branch: its condition held (the rule's did too).
    pub(super) satisfiable: Vec<Vec<bool>>,
    /// Per rule and branch: it was the branch taken.
    pub(super) taken: Vec<Vec<bool>>,
    /// Per rule and branch: the first cell where an earlier branch won.
    pub(super) shadow_example: Vec<Vec<Shadow>>,
    /// Per rule: the first cell where an earlier rule won (first match).
    pub(super) rule_shadow: Vec<Shadow>,
    /// The first gap cells.
    pub(super) gaps: Vec<Vec<usize>>,
    /// Cells no rule acts on.
    pub(super) gap_cells: u64,
    /// Cells several rules act on.
    pub(super) overlap_cells: u64,
    /// The first distinct sets of (rule, branch) matching together, with
    /// the first cell of each.
    pub(super) overlaps: BTreeMap<Vec<(usize, usize)>, Vec<usize>>,
    /// Cells visited.
    pub(super) visited: u64,
    /// The work budget ran out.
    pub(super) stopped: bool,
    /// Some overlapping sets were not listed.
    pub(super) unlisted_overlaps: bool,
}

impl Tally {
    pub(super) fn new(forms: &[RuleForm<'_>]) -> Tally {
        let per_branch: Vec<Vec<bool>> = forms
            .iter()
            .map(|f| vec![false; f.branches.len()])
            .collect();
        Tally {
            wins: vec![false; forms.len()],
            satisfiable: per_branch.clone(),
            taken: per_branch,
            shadow_example: forms.iter().map(|f| vec![None; f.branches.len()]).collect(),
            rule_shadow: vec![None; forms.len()],
            gaps: Vec::new(),
            gap_cells: 0,
            overlap_cells: 0,
            overlaps: BTreeMap::new(),
            visited: 0,
            stopped: false,
            unlisted_overlaps: false,
        }
    }

    /// Evaluates rule `r` in the cell `choice` (atoms `truth`), records
    /// which branches hold and which is taken, and returns the branch taken.
    fn evaluate(
        &mut self,
        r: usize,
        form: &RuleForm<'_>,
        truth: &[bool],
        choice: &[usize],
    ) -> Option<usize> {
        if !eval(&form.when, truth) {
            return None;
        }
        let mut first = None;
        for (b, bf) in form.branches.iter().enumerate() {
            if !eval(bf, truth) {
                continue;
            }
            if let Some(s) = self.satisfiable.get_mut(r).and_then(|v| v.get_mut(b)) {
                *s = true;
            }
            match first {
                None => first = Some(b),
                Some(winner) => {
                    if let Some(slot) = self.shadow_example.get_mut(r).and_then(|v| v.get_mut(b))
                        && slot.is_none()
                    {
                        *slot = Some((choice.to_vec(), winner));
                    }
                }
            }
        }
        if let Some(b) = first
            && let Some(t) = self.taken.get_mut(r).and_then(|v| v.get_mut(b))
        {
            *t = true;
        }
        first
    }
}

/// An atom's truth along the cells of its dimension: its value in the
/// first cell and the cells (in increasing order) where it changes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Truth {
    pub(super) first: bool,
    pub(super) flips: Vec<usize>,
}

/// The values of numeric cells (`None` when some cell is not a number).
fn numbers_of(cells: &[Cell]) -> Option<Vec<Decimal>> {
    cells
        .iter()
        .map(|c| match c.value {
            CellVal::Num(v) => Some(v),
            _ => None,
        })
        .collect()
}

/// The truth of `pred` along `cells` (the cells of `dim`, as
/// [`Space::cells`] gives them: numeric cells in increasing order, their
/// values `numbers`; categorical cells in the order of the dimension's
/// sorted values).
fn truth_along(pred: &Pred, cells: &[Cell], numbers: Option<&[Decimal]>, dim: &Dim) -> Truth {
    let n = cells.len();
    let categorical = matches!(dim.kind, DimKind::Categorical | DimKind::Closed);
    let (intervals, negate) = match (pred, numbers) {
        (Pred::Num(cmp, lit), Some(values)) => {
            let lt = values.partition_point(|v| v < lit);
            let le = values.partition_point(|v| v <= lit);
            match cmp {
                Cmp::Lt => (vec![(0, lt)], false),
                Cmp::Le => (vec![(0, le)], false),
                Cmp::Gt => (vec![(le, n)], false),
                Cmp::Ge => (vec![(lt, n)], false),
                Cmp::Eq => (vec![(lt, le)], false),
                Cmp::Ne => (vec![(lt, le)], true),
            }
        }
        (Pred::Between(a, b), Some(values)) => {
            let from = values.partition_point(|v| v < a);
            let to = values.partition_point(|v| v <= b);
            (vec![(from, to)], false)
        }
        (Pred::NumIn(listed, negate), Some(values)) => (
            listed
                .iter()
                .map(|x| {
                    (
                        values.partition_point(|v| v < x),
                        values.partition_point(|v| v <= x),
                    )
                })
                .collect(),
            *negate,
        ),
        (Pred::Cat(listed, negate), _) if categorical => (
            listed
                .iter()
                .filter_map(|x| dim.values.binary_search(x).ok())
                .filter(|i| *i < n)
                .map(|i| (i, i + 1))
                .collect(),
            *negate,
        ),
        // Stages and yes/no facts: at most a handful of cells.
        _ => {
            let mut truth = Truth {
                first: false,
                flips: Vec::new(),
            };
            let mut previous = None;
            for (i, cell) in cells.iter().enumerate() {
                let now = holds(pred, &cell.value, dim);
                match previous {
                    None => truth.first = now,
                    Some(p) if p != now => truth.flips.push(i),
                    Some(_) => {}
                }
                previous = Some(now);
            }
            return truth;
        }
    };
    from_intervals(intervals, negate, n)
}

/// The truth of "inside one of `intervals` (half-open cell ranges)",
/// negated when `negate`, along `n` cells.
fn from_intervals(mut intervals: Vec<(usize, usize)>, negate: bool, n: usize) -> Truth {
    intervals.retain(|(s, e)| s < e);
    intervals.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(intervals.len());
    for (s, e) in intervals {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let first = merged.first().is_some_and(|(s, _)| *s == 0) != negate;
    let mut flips = Vec::with_capacity(merged.len() * 2);
    for (s, e) in merged {
        for point in [s, e] {
            if point > 0 && point < n {
                flips.push(point);
            }
        }
    }
    Truth { first, flips }
}

/// A 64-bit mix of a (rule, branch) pair (SplitMix64's finaliser), one of
/// two seeds: the hash of a set is the wrapping sum of its members' mixes.
fn mix(r: usize, b: usize, seed: u64) -> u64 {
    let mut z = (r as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        .wrapping_add(seed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A listed overlap set with its hash.
type Listed = ([u64; 2], Vec<(usize, usize)>);

const SEEDS: [u64; 2] = [0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344];

/// The atoms flipping between neighbouring cells, per dimension.
struct Flips {
    /// `at[d][i]`: the atoms of dimension `d` that change when entering
    /// cell `i` from cell `i - 1`.
    at: Vec<Vec<Vec<usize>>>,
    /// `wrap[d]`: the atoms of dimension `d` whose truth in the last cell
    /// differs from that in the first (they change when `d` wraps).
    wrap: Vec<Vec<usize>>,
}

/// The atoms a formula uses.
fn atoms_of(f: &F, out: &mut Vec<usize>) {
    let mut stack = vec![f];
    while let Some(f) = stack.pop() {
        match f {
            F::True => {}
            F::Atom(a) => out.push(*a),
            F::Not(inner) => stack.push(inner),
            F::And(parts) | F::Or(parts) => stack.extend(parts.iter()),
        }
    }
}

/// Enumerates every combination of `cells` (one cell per dimension of
/// `space`) within `budget` atom and rule evaluations, evaluating again
/// only what changes between neighbouring cells.
pub(super) fn sweep(
    space: &Space,
    cells: &[Vec<Cell>],
    forms: &[RuleForm<'_>],
    policy: HitPolicy,
    budget: &mut u64,
) -> Tally {
    let mut tally = Tally::new(forms);
    let n = forms.len();
    let mut truth = vec![false; space.atoms.len()];
    let mut flips = Flips {
        at: cells.iter().map(|c| vec![Vec::new(); c.len()]).collect(),
        wrap: vec![Vec::new(); cells.len()],
    };
    let numbers: Vec<Option<Vec<Decimal>>> = cells.iter().map(|c| numbers_of(c)).collect();
    for (a, atom) in space.atoms.iter().enumerate() {
        let (Some(cs), Some(dim)) = (cells.get(atom.dim), space.dims.get(atom.dim)) else {
            continue;
        };
        let values = numbers.get(atom.dim).and_then(Option::as_deref);
        let along = truth_along(&atom.pred, cs, values, dim);
        if let Some(t) = truth.get_mut(a) {
            *t = along.first;
        }
        for i in &along.flips {
            if let Some(list) = flips.at.get_mut(atom.dim).and_then(|v| v.get_mut(*i)) {
                list.push(a);
            }
        }
        if along.flips.len() % 2 == 1
            && let Some(list) = flips.wrap.get_mut(atom.dim)
        {
            list.push(a);
        }
    }
    // The rules using each atom.
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); space.atoms.len()];
    let mut used = Vec::new();
    for (r, form) in forms.iter().enumerate() {
        used.clear();
        atoms_of(&form.when, &mut used);
        for b in &form.branches {
            atoms_of(b, &mut used);
        }
        used.sort_unstable();
        used.dedup();
        for a in &used {
            if let Some(u) = users.get_mut(*a) {
                u.push(r);
            }
        }
    }

    let mut choice = vec![0usize; cells.len()];
    let mut current: Vec<Option<usize>> = vec![None; n];
    let mut selected: BTreeMap<usize, usize> = BTreeMap::new();
    let mut hash = [0u64; 2];
    // Hashes of the listed overlap sets.
    let mut listed: Vec<Listed> = Vec::new();
    let mut dirty: Vec<usize> = (0..n).collect();
    let mut marked = vec![true; n];
    let mut cost = (space.atoms.len() + n + 1) as u64;
    loop {
        if *budget < cost {
            tally.stopped = true;
            break;
        }
        *budget -= cost;
        tally.visited += 1;
        let previous_winner = selected.keys().next().copied();
        let mut changed = false;
        for r in &dirty {
            let Some(form) = forms.get(*r) else { continue };
            let now = tally.evaluate(*r, form, &truth, &choice);
            let Some(slot) = current.get_mut(*r) else {
                continue;
            };
            if *slot == now {
                continue;
            }
            changed = true;
            if let Some(b) = slot.take() {
                selected.remove(r);
                for (h, seed) in hash.iter_mut().zip(SEEDS) {
                    *h = h.wrapping_sub(mix(*r, b, seed));
                }
            }
            if let Some(b) = now {
                selected.insert(*r, b);
                for (h, seed) in hash.iter_mut().zip(SEEDS) {
                    *h = h.wrapping_add(mix(*r, b, seed));
                }
            }
            *slot = now;
        }
        match selected.keys().next().copied() {
            None => {
                tally.gap_cells += 1;
                if tally.gaps.len() < MAX_GAPS {
                    tally.gaps.push(choice.clone());
                }
            }
            Some(winner) => {
                if let Some(w) = tally.wins.get_mut(winner) {
                    *w = true;
                }
                if policy == HitPolicy::First {
                    // Rules that matched in the previous cell and did not win
                    // there already have their example; only the rules
                    // evaluated again and the previous winner can be new
                    // losers.
                    for r in dirty.iter().copied().chain(previous_winner) {
                        if r != winner
                            && selected.contains_key(&r)
                            && let Some(slot) = tally.rule_shadow.get_mut(r)
                            && slot.is_none()
                        {
                            *slot = Some((choice.clone(), winner));
                        }
                    }
                }
            }
        }
        if selected.len() > 1 {
            tally.overlap_cells += 1;
            // An unchanged set was handled in the previous cell; once the
            // list is full and something was left out, nothing can change.
            let full = tally.overlaps.len() >= MAX_OVERLAPS && tally.unlisted_overlaps;
            if changed && !full {
                let set =
                    || -> Vec<(usize, usize)> { selected.iter().map(|(r, b)| (*r, *b)).collect() };
                let known = listed.iter().any(|(h, members)| {
                    *h == hash && members.len() == selected.len() && *members == set()
                });
                if !known {
                    if tally.overlaps.len() < MAX_OVERLAPS {
                        let members = set();
                        tally.overlaps.insert(members.clone(), choice.clone());
                        listed.push((hash, members));
                    } else {
                        tally.unlisted_overlaps = true;
                    }
                }
            }
        }
        for r in dirty.drain(..) {
            if let Some(m) = marked.get_mut(r) {
                *m = false;
            }
        }
        // Next combination (odometer); the atoms that change mark their
        // rules for evaluation.
        let mut flipped = 0u64;
        let mut apply = |atoms: &[usize], truth: &mut [bool], dirty: &mut Vec<usize>| {
            for a in atoms {
                flipped += 1;
                if let Some(t) = truth.get_mut(*a) {
                    *t = !*t;
                }
                for r in users.get(*a).map_or(&[][..], Vec::as_slice) {
                    if let Some(m) = marked.get_mut(*r)
                        && !*m
                    {
                        *m = true;
                        dirty.push(*r);
                    }
                }
            }
        };
        let mut done = true;
        for (d, c) in choice.iter_mut().enumerate() {
            let len = cells.get(d).map_or(1, Vec::len);
            if *c + 1 < len {
                *c += 1;
                let atoms = flips.at.get(d).and_then(|v| v.get(*c));
                apply(atoms.map_or(&[][..], Vec::as_slice), &mut truth, &mut dirty);
                done = false;
                break;
            }
            *c = 0;
            let atoms = flips.wrap.get(d);
            apply(atoms.map_or(&[][..], Vec::as_slice), &mut truth, &mut dirty);
        }
        if done {
            break;
        }
        cost = 1 + flipped + dirty.len() as u64;
    }
    tally
}
