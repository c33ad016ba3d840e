//! Shapley values over channels.
//!
//! The coalition game is the one of Zhao et al. ("Shapley value methods
//! for attribution modeling in online advertising", 2018): the worth of a
//! set of channels S is the conversions (or revenue) of the converting
//! journeys whose channel set is contained in S,
//! `v(S) = Σ_{journeys j : C_j ⊆ S} conversions_j`.
//! This game is a sum of unanimity games (one per journey, with Harsanyi
//! dividend `conversions_j` on `C_j`), so its Shapley value is exactly
//! `φ_c = Σ_{j : c ∈ C_j} conversions_j / |C_j|` — computed in closed form
//! for any number of channels, with no sampling and hence no sampling
//! error (the test suite checks it against the permutation definition).
//! Repeated touches of one channel in a journey do not add credit.

/// Per-journey channel-set weights: for a journey touching the distinct
/// channels `set`, each gets `1 / |set|` of its credit.
pub(crate) fn distinct_channels(channels: &[u32]) -> Vec<u32> {
    let mut set = channels.to_vec();
    set.sort_unstable();
    set.dedup();
    set
}
