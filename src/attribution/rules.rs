//! The rule-based models and the weights each gives the touches of one
//! journey.
//!
//! * first touch / last touch: all credit to one touch;
//! * last non-direct touch: the last touch not marked `direct` (all
//!   credit to the last touch when every touch is direct) — GA's default
//!   for its standard reports;
//! * linear: equal shares;
//! * time decay: weight `2^(−Δt / half-life)`, Δt from the touch to the
//!   conversion in days; GA4's default half-life is 7 days;
//! * position-based: `first` and `last` shares (40 % each by default) and
//!   the rest split evenly over the middle touches; with two touches each
//!   gets half, with one it gets all (GA's convention).

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::journey::Touch;
use super::split::weight_from_f64;
use crate::Result;

/// An attribution model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum Model {
    /// All credit to the first touch.
    FirstTouch,
    /// All credit to the last touch.
    LastTouch,
    /// All credit to the last touch that is not direct.
    LastNonDirect,
    /// Equal credit to every touch.
    Linear,
    /// Credit halving every `half_life_days` before the conversion.
    TimeDecay {
        /// Half-life in days; default 7 (GA4).
        #[serde(default = "default_half_life")]
        half_life_days: f64,
    },
    /// `first` and `last` shares, the rest over the middle touches.
    PositionBased {
        /// Share of the first touch; default 0.4.
        #[serde(default = "default_end_share")]
        first: f64,
        /// Share of the last touch; default 0.4.
        #[serde(default = "default_end_share")]
        last: f64,
    },
    /// Markov chain removal effect (Anderl et al. 2016) of the given order.
    Markov {
        /// Order of the chain: 1 (default) to 4.
        #[serde(default = "default_order")]
        order: u8,
    },
    /// Shapley values over channels (see the `shapley` module).
    Shapley,
    /// Shapley values of the conversion-rate game over converting and
    /// non-converting journeys (see the `shapley_rate` module): exact up to
    /// `exact_up_to` channels, sampled beyond with a reported error bound.
    ShapleyRate {
        /// The most channels computed exactly; default 15, at most 20.
        #[serde(default = "default_exact_up_to")]
        exact_up_to: u8,
        /// Channel orders drawn beyond that; default 10,000.
        #[serde(default = "default_permutations")]
        permutations: u32,
        /// Seed of the order sampling; default 0.
        #[serde(default)]
        seed: u64,
    },
}

fn default_exact_up_to() -> u8 {
    15
}
fn default_permutations() -> u32 {
    10_000
}

fn default_half_life() -> f64 {
    7.0
}
fn default_end_share() -> f64 {
    0.4
}
fn default_order() -> u8 {
    1
}

impl Model {
    /// A short stable name (`first_touch`, `markov`...).
    pub fn name(&self) -> &'static str {
        match self {
            Model::FirstTouch => "first_touch",
            Model::LastTouch => "last_touch",
            Model::LastNonDirect => "last_non_direct",
            Model::Linear => "linear",
            Model::TimeDecay { .. } => "time_decay",
            Model::PositionBased { .. } => "position_based",
            Model::Markov { .. } => "markov",
            Model::Shapley => "shapley",
            Model::ShapleyRate { .. } => "shapley_rate",
        }
    }

    /// Whether credit is decided journey by journey (rule-based).
    pub fn is_rule_based(&self) -> bool {
        !matches!(
            self,
            Model::Markov { .. } | Model::Shapley | Model::ShapleyRate { .. }
        )
    }

    /// Checks the parameters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a non-positive
    /// half-life, shares outside [0, 1] or summing above 1, a Markov
    /// order outside 1..=4, or a Shapley `exact_up_to` above 20 or
    /// `permutations` outside 1..=10,000,000.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Model::TimeDecay { half_life_days }
                if !(half_life_days.is_finite() && half_life_days > 0.0) =>
            {
                Err(crate::Error::invalid(
                    "half_life_days",
                    "half-life must be positive",
                ))
            }
            Model::PositionBased { first, last }
                if !((0.0..=1.0).contains(&first)
                    && (0.0..=1.0).contains(&last)
                    && first + last <= 1.0) =>
            {
                Err(crate::Error::invalid(
                    "first",
                    "first and last shares must lie in [0, 1] and sum to at most 1",
                ))
            }
            Model::Markov { order } if !(1..=4).contains(&order) => Err(crate::Error::invalid(
                "order",
                "Markov order must be 1 to 4",
            )),
            Model::ShapleyRate { exact_up_to, .. }
                if exact_up_to > super::shapley_rate::MAX_EXACT_CHANNELS =>
            {
                Err(crate::Error::invalid(
                    "exact_up_to",
                    "exact Shapley values are computed for at most 20 channels",
                ))
            }
            Model::ShapleyRate { permutations, .. }
                if !(1..=10_000_000).contains(&permutations) =>
            {
                Err(crate::Error::invalid(
                    "permutations",
                    "permutations must be 1 to 10,000,000",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The most time-decay weights [`rule_weights_into`] remembers.
const MAX_DECAY_CACHE: usize = 1 << 20;

/// The weights of `touches` (time-ordered, not empty) under a rule-based
/// model, `end` being the conversion time, written into `weights`
/// (cleared first, so one buffer serves every journey). `decay` remembers
/// the time-decay weight of each distinct touch age in seconds for one
/// model (the same `f64` computation, so the same weight; pass an empty
/// map per model).
pub(crate) fn rule_weights_into(
    model: &Model,
    touches: &[&Touch],
    end: chrono::DateTime<chrono::Utc>,
    weights: &mut Vec<Decimal>,
    decay: &mut HashMap<i64, Decimal>,
) -> Result<()> {
    let n = touches.len();
    weights.clear();
    weights.resize(n, Decimal::ZERO);
    let one_at = |weights: &mut Vec<Decimal>, i: usize| {
        if let Some(w) = weights.get_mut(i) {
            *w = Decimal::ONE;
        }
    };
    match *model {
        Model::FirstTouch => one_at(weights, 0),
        Model::LastTouch => one_at(weights, n.saturating_sub(1)),
        Model::LastNonDirect => {
            let i = touches
                .iter()
                .rposition(|t| !t.direct)
                .unwrap_or(n.saturating_sub(1));
            one_at(weights, i);
        }
        Model::Linear => weights.iter_mut().for_each(|w| *w = Decimal::ONE),
        Model::TimeDecay { half_life_days } => {
            for (w, t) in weights.iter_mut().zip(touches) {
                let seconds = (end - t.at).num_seconds();
                *w = match decay.get(&seconds) {
                    Some(known) => *known,
                    None => {
                        let days = seconds as f64 / 86_400.0;
                        let weight = weight_from_f64((-days / half_life_days).exp2())?;
                        if decay.len() < MAX_DECAY_CACHE {
                            decay.insert(seconds, weight);
                        }
                        weight
                    }
                };
            }
            if weights.iter().all(|w| w.is_zero()) {
                one_at(weights, n.saturating_sub(1));
            }
        }
        Model::PositionBased { first, last } => match n {
            0 => {}
            1 => one_at(weights, 0),
            2 => weights.iter_mut().for_each(|w| *w = Decimal::ONE),
            _ => {
                let first = weight_from_f64(first)?;
                let last = weight_from_f64(last)?;
                let middle = (Decimal::ONE - first - last) / Decimal::from(n as u64 - 2);
                for w in weights.iter_mut() {
                    *w = middle;
                }
                weights[0] = first;
                weights[n - 1] = last;
                if weights.iter().all(|w| w.is_zero()) {
                    weights.iter_mut().for_each(|w| *w = Decimal::ONE);
                }
            }
        },
        Model::Markov { .. } | Model::Shapley | Model::ShapleyRate { .. } => {}
    }
    Ok(())
}
