//! Data-driven attribution by the removal effect of a Markov chain over
//! channels (Anderl, Becker, von Wangenheim & Schumann, "Mapping the
//! customer journey", IJRM 2016; the formulation of the ChannelAttribution
//! package's `markov_model`).
//!
//! States are `start`, `conversion`, `null` and, for order k, the tuples of
//! the last k channels seen (shorter at the start of a path). Every path
//! `start → s₁ → … → s_m` ends in `conversion` (weight: its conversions)
//! or `null` (weight 1 for a journey that did not convert); the sequence's
//! transitions carry weight `max(conversions, 1)`. Transition
//! probabilities are the normalised counts. `P(conv)` is the probability of
//! absorption in `conversion` from `start`, solved exactly from
//! `(I − Q) x = r` by Gaussian elimination with partial pivoting. The
//! removal effect of channel c is `RE_c = 1 − P_{−c}(conv) / P(conv)`,
//! where `P_{−c}` sends every transition into a state containing c to
//! `null`; channel c is credited `total × RE_c / Σ RE`.

use std::collections::HashMap;

use crate::{Error, ErrorKind, Result};

/// The most states (channel tuples) the exact solver accepts.
pub const MAX_STATES: usize = 2_000;

/// One path for the chain: channel indices in order, its conversions.
pub(crate) struct ChainPath<'a> {
    pub channels: &'a [u32],
    pub conversions: u32,
}

/// Removal effects per channel (indexed like the channel ids) and the
/// baseline conversion probability.
pub(crate) struct RemovalEffects {
    pub effects: Vec<f64>,
    pub conversion_probability: f64,
}

struct Chain {
    /// For each state: the channels in its tuple.
    state_channels: Vec<Vec<u32>>,
    /// Weighted transitions: from (0 = start, i+1 = state i) to target,
    /// in order of first use. The weights are whole counts (exact in
    /// `f64`), so their sums do not depend on that order.
    transitions: Vec<Row>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    State(usize),
    Conversion,
    Null,
}

/// The weighted transitions out of one state, in order of first use; rows
/// beyond [`ROW_SCAN`] targets (order-1 chains over many channels) also
/// keep a map from target to position.
#[derive(Default)]
struct Row {
    items: Vec<(Target, f64)>,
    index: HashMap<Target, usize>,
}

/// Targets a row finds by scanning before it keeps a map.
const ROW_SCAN: usize = 16;

impl Row {
    /// Adds `weight` to the transition to `target`.
    fn add(&mut self, target: Target, weight: f64) {
        let found = if self.items.len() <= ROW_SCAN {
            self.items.iter().position(|(t, _)| *t == target)
        } else {
            if self.index.is_empty() {
                self.index = self
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, (t, _))| (*t, i))
                    .collect();
            }
            self.index.get(&target).copied()
        };
        match found {
            Some(i) => self.items[i].1 += weight,
            None => {
                if !self.index.is_empty() {
                    self.index.insert(target, self.items.len());
                }
                self.items.push((target, weight));
            }
        }
    }
}

fn build(paths: &[ChainPath<'_>], order: usize) -> Result<Chain> {
    let mut ids: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut chain = Chain {
        state_channels: Vec::new(),
        transitions: vec![Row::default()],
    };
    for path in paths {
        if path.channels.is_empty() {
            continue;
        }
        let weight = f64::from(path.conversions.max(1));
        let mut from = 0usize;
        for i in 0..path.channels.len() {
            let start = (i + 1).saturating_sub(order);
            let key = path.channels.get(start..=i).unwrap_or_default();
            // Look the state up by slice; allocate its key only when new.
            let id = match ids.get(key) {
                Some(&id) => id,
                None => {
                    let next = ids.len();
                    ids.insert(key.to_vec(), next);
                    next
                }
            };
            if id == chain.state_channels.len() {
                if id >= MAX_STATES {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        format!(
                            "the Markov chain has more than {MAX_STATES} states; lower the order"
                        ),
                    ));
                }
                chain.state_channels.push(key.to_vec());
                chain.transitions.push(Row::default());
            }
            if let Some(t) = chain.transitions.get_mut(from) {
                t.add(Target::State(id), weight);
            }
            from = id + 1;
        }
        if let Some(t) = chain.transitions.get_mut(from) {
            if path.conversions > 0 {
                t.add(Target::Conversion, f64::from(path.conversions));
            } else {
                t.add(Target::Null, 1.0);
            }
        }
    }
    Ok(chain)
}

/// P(absorbed in conversion | start) with the states in `removed` sent to
/// null.
fn conversion_probability(chain: &Chain, removed: &[bool]) -> Result<f64> {
    let n = chain.state_channels.len();
    // Row i (state i): x_i − Σ_j p_ij x_j = p_i,conv.
    let mut a = vec![0.0; n * n];
    let mut b = vec![0.0; n];
    for i in 0..n {
        a[i * n + i] = 1.0;
        if removed[i] {
            continue;
        }
        let row = &chain.transitions[i + 1];
        let total: f64 = row.items.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            continue;
        }
        for (target, w) in &row.items {
            match target {
                Target::State(j) if !removed[*j] => a[i * n + j] -= w / total,
                Target::Conversion => b[i] += w / total,
                _ => {}
            }
        }
    }
    let x = solve(&mut a, &mut b, n)?;
    let start = &chain.transitions[0];
    let total: f64 = start.items.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return Ok(0.0);
    }
    let mut p = 0.0;
    for (target, w) in &start.items {
        if let Target::State(j) = target {
            if !removed[*j] {
                p += w / total * x[*j];
            }
        }
    }
    Ok(p.clamp(0.0, 1.0))
}

/// Gaussian elimination with partial pivoting; `a` is n × n row-major.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) -> Result<Vec<f64>> {
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&r, &s| a[r * n + col].abs().total_cmp(&a[s * n + col].abs()))
            .unwrap_or(col);
        if a[pivot * n + col].abs() < 1e-300 {
            return Err(Error::new(
                ErrorKind::Numerical,
                "the Markov chain has a state that never ends",
            ));
        }
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        let d = a[col * n + col];
        for r in col + 1..n {
            let f = a[r * n + col] / d;
            if f == 0.0 {
                continue;
            }
            for k in col..n {
                a[r * n + k] -= f * a[col * n + k];
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let mut s = b[r];
        for k in r + 1..n {
            s -= a[r * n + k] * x[k];
        }
        x[r] = s / a[r * n + r];
    }
    Ok(x)
}

/// The removal effect of each of `channel_count` channels.
pub(crate) fn removal_effects(
    paths: &[ChainPath<'_>],
    channel_count: usize,
    order: usize,
) -> Result<RemovalEffects> {
    let chain = build(paths, order)?;
    let none = vec![false; chain.state_channels.len()];
    let base = conversion_probability(&chain, &none)?;
    let mut effects = vec![0.0; channel_count];
    if base > 0.0 {
        for (c, effect) in effects.iter_mut().enumerate() {
            let removed: Vec<bool> = chain
                .state_channels
                .iter()
                .map(|s| s.contains(&(c as u32)))
                .collect();
            if !removed.iter().any(|r| *r) {
                continue;
            }
            *effect = (1.0 - conversion_probability(&chain, &removed)? / base).clamp(0.0, 1.0);
        }
    }
    Ok(RemovalEffects {
        effects,
        conversion_probability: base,
    })
}
