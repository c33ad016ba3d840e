//! The reference enumeration (tests only): every atom and every rule
//! evaluated again in every cell, as the analysis did before the sweep.
//! The property tests check that the sweep finds exactly the same.

use std::collections::BTreeMap;

use super::space::{Cell, Space, eval, holds};
use super::sweep::Tally;
use super::{MAX_GAPS, MAX_OVERLAPS, RuleForm, Shadow};
use crate::automation::ruleset::HitPolicy;

/// Enumerates every combination of `cells`, evaluating everything in each.
pub(super) fn exhaustive(
    space: &Space,
    cells: &[Vec<Cell>],
    forms: &[RuleForm<'_>],
    policy: HitPolicy,
    budget: &mut u64,
) -> Tally {
    // Truth of each atom in each cell of its dimension.
    let atom_truth: Vec<Vec<bool>> = space
        .atoms
        .iter()
        .map(|a| match (cells.get(a.dim), space.dims.get(a.dim)) {
            (Some(cs), Some(dim)) => cs.iter().map(|c| holds(&a.pred, &c.value, dim)).collect(),
            _ => Vec::new(),
        })
        .collect();
    let n = forms.len();
    let mut matched_any = vec![false; n];
    let mut wins = vec![false; n];
    let mut satisfiable: Vec<Vec<bool>> = forms
        .iter()
        .map(|f| vec![false; f.branches.len()])
        .collect();
    let mut taken: Vec<Vec<bool>> = satisfiable.clone();
    let mut shadow_example: Vec<Vec<Shadow>> =
        forms.iter().map(|f| vec![None; f.branches.len()]).collect();
    let mut rule_shadow: Vec<Shadow> = vec![None; n];
    let mut gaps: Vec<Vec<usize>> = Vec::new();
    let mut gap_cells = 0u64;
    let mut overlap_cells = 0u64;
    let mut overlaps: BTreeMap<Vec<(usize, usize)>, Vec<usize>> = BTreeMap::new();

    let mut choice = vec![0usize; space.dims.len()];
    let mut truth = vec![false; space.atoms.len()];
    let mut done = false;
    let per_cell = (space.atoms.len() + n + 1) as u64;
    let mut visited = 0u64;
    let mut stopped = false;
    let mut unlisted_overlaps = false;
    while !done {
        if *budget < per_cell {
            stopped = true;
            break;
        }
        *budget -= per_cell;
        visited += 1;
        for (a, atom) in space.atoms.iter().enumerate() {
            let i = choice.get(atom.dim).copied().unwrap_or(0);
            if let Some(t) = truth.get_mut(a) {
                *t = atom_truth
                    .get(a)
                    .and_then(|v| v.get(i))
                    .copied()
                    .unwrap_or(false);
            }
        }
        let mut selected: Vec<(usize, usize)> = Vec::new();
        for (r, form) in forms.iter().enumerate() {
            if !eval(&form.when, &truth) {
                continue;
            }
            let mut first = None;
            for (b, bf) in form.branches.iter().enumerate() {
                if eval(bf, &truth) {
                    if let Some(s) = satisfiable.get_mut(r).and_then(|v| v.get_mut(b)) {
                        *s = true;
                    }
                    match first {
                        None => first = Some(b),
                        Some(winner) => {
                            if let Some(slot) = shadow_example.get_mut(r).and_then(|v| v.get_mut(b))
                                && slot.is_none()
                            {
                                *slot = Some((choice.clone(), winner));
                            }
                        }
                    }
                }
            }
            if let Some(b) = first {
                selected.push((r, b));
                if let Some(t) = taken.get_mut(r).and_then(|v| v.get_mut(b)) {
                    *t = true;
                }
                if let Some(m) = matched_any.get_mut(r) {
                    *m = true;
                }
            }
        }
        match selected.first() {
            None => {
                gap_cells += 1;
                if gaps.len() < MAX_GAPS {
                    gaps.push(choice.clone());
                }
            }
            Some((winner, _)) => {
                if let Some(w) = wins.get_mut(*winner) {
                    *w = true;
                }
                if policy == HitPolicy::First {
                    for (r, _) in selected.iter().skip(1) {
                        if let Some(slot) = rule_shadow.get_mut(*r)
                            && slot.is_none()
                        {
                            *slot = Some((choice.clone(), *winner));
                        }
                    }
                }
            }
        }
        if selected.len() > 1 {
            overlap_cells += 1;
            if !overlaps.contains_key(&selected) {
                if overlaps.len() < MAX_OVERLAPS {
                    overlaps.insert(selected.clone(), choice.clone());
                } else {
                    unlisted_overlaps = true;
                }
            }
        }
        // Next combination (odometer).
        done = true;
        for (d, c) in choice.iter_mut().enumerate() {
            let len = cells.get(d).map_or(1, Vec::len);
            if *c + 1 < len {
                *c += 1;
                done = false;
                break;
            }
            *c = 0;
        }
    }

    let _ = matched_any;
    Tally {
        wins,
        satisfiable,
        taken,
        shadow_example,
        rule_shadow,
        gaps,
        gap_cells,
        overlap_cells,
        overlaps,
        visited,
        stopped,
        unlisted_overlaps,
    }
}
