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
//! Repeated touches of one channel in a journey do not add credit (each
//! channel's first touch in a journey weighs 1, repeats 0; see
//! `rule_credit`).
