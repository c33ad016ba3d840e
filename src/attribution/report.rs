//! The attribution report: the request, credit per channel and campaign
//! under each model, spend-based ROI and cost per acquisition, and the
//! paths behind them.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::intern::Interner;
use super::journey::{CustomerPath, Touch, check_lookback};
use super::markov::{ChainPath, removal_effects};
use super::paths::path_stats;
use super::rule_credit::credit_rules;
use super::rules::Model;
use super::shapley_rate::{ShapleyEstimate, rate_shapley};
use super::split::{split_exact, weight_from_f64};
use crate::kpi::{KpiValue, UndefinedCode};
use crate::money::{Currency, Money, decimal_serde};
use crate::{Error, Result};

/// Spend on a channel (and optionally one campaign of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spend {
    /// The channel.
    pub channel: String,
    /// The campaign, when the spend is known per campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The amount, in the request currency.
    #[serde(with = "decimal_serde")]
    pub amount: Decimal,
}

/// The request of [`attribution_report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributionRequest {
    /// Currency of values and spend.
    pub currency: Currency,
    /// The journeys (converting ones, and non-converting ones for Markov).
    pub journeys: Vec<CustomerPath>,
    /// The models to run.
    pub models: Vec<Model>,
    /// Touches older than this many days before the conversion do not
    /// count; default 90 (GA4's default for acquisition and other events);
    /// `null` for no window; otherwise 1 to
    /// [`MAX_LOOKBACK_DAYS`](super::journey::MAX_LOOKBACK_DAYS).
    #[serde(default = "default_lookback")]
    pub lookback_days: Option<u32>,
    /// Spend for ROI and cost per acquisition.
    #[serde(default)]
    pub spend: Vec<Spend>,
    /// Decimal places of credited conversions and value; default 6.
    #[serde(default = "default_scale")]
    pub scale: u32,
    /// How many top paths to list; default 10.
    #[serde(default = "default_top")]
    pub top_paths: usize,
    /// Whether a direct (untracked) touch may take the last-touch credit;
    /// default `true` (the last touch is the last touch). With `false`,
    /// `last_touch` skips direct touches like `last_non_direct` (GA's
    /// convention: direct gets the credit only when every touch is
    /// direct).
    #[serde(default = "default_true")]
    pub direct_takes_last_touch: bool,
}

fn default_true() -> bool {
    true
}

/// The campaign key of touches without a campaign.
const NO_CAMPAIGN: &str = "(none)";

pub(crate) fn default_lookback() -> Option<u32> {
    Some(90)
}
pub(crate) fn default_scale() -> u32 {
    6
}
pub(crate) fn default_top() -> usize {
    10
}

impl AttributionRequest {
    /// Parses a request from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) naming the JSON path.
    pub fn from_json(json: &str) -> Result<Self> {
        Error::parse_json(json)
    }
}

/// The credit of one channel or campaign under one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credit {
    /// Channel or campaign (`(none)` for touches without a campaign).
    pub key: String,
    /// Attributed conversions (fractional, exact decimal).
    #[serde(with = "decimal_serde")]
    pub conversions: Decimal,
    /// Attributed revenue.
    pub value: Money,
    /// Spend, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend: Option<Money>,
    /// Spend / attributed conversions.
    pub cost_per_acquisition: KpiValue,
    /// (attributed revenue − spend) / spend.
    pub roi: KpiValue,
}

/// One model's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelResult {
    /// The model and its parameters.
    pub model: Model,
    /// Credit per channel, by channel name.
    pub channels: Vec<Credit>,
    /// Credit per campaign (`(none)` for touches without one). Rule-based
    /// models and `shapley` credit the touches' campaigns directly; `markov`
    /// and `shapley_rate` pass each channel's credit on to its campaigns in
    /// proportion to their touches in converting journeys.
    pub campaigns: Vec<Credit>,
    /// Markov: removal effect per channel, by channel name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal_effects: Option<BTreeMap<String, f64>>,
    /// Markov: the chain's probability of conversion from the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_probability: Option<f64>,
    /// `shapley_rate`: the Shapley value of each channel in the
    /// conversion-rate game (rate units; may be negative), by channel name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapley_values: Option<BTreeMap<String, ShapleyValue>>,
    /// `shapley_rate`: exact or sampled, with the sampled error bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapley_estimate: Option<ShapleyEstimate>,
}

/// One channel's Shapley value in the conversion-rate game.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapleyValue {
    /// `φ_c` (exact, or the sampled mean).
    pub value: f64,
    /// The standard error of a sampled value (0 when exact).
    pub standard_error: f64,
}

/// A frequent converting path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathCount {
    /// Channels joined by ` > `.
    pub path: String,
    /// Converting journeys with this path.
    pub journeys: u64,
    /// Their conversions.
    pub conversions: u64,
}

/// The paths behind the credit (converting journeys with touches in the
/// window).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathStats {
    /// The most frequent paths, by conversions then path.
    pub top_paths: Vec<PathCount>,
    /// Number of converting journeys per path length (touches).
    pub length_distribution: BTreeMap<usize, u64>,
    /// Mean days from first touch to conversion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_days_to_conversion: Option<f64>,
    /// Median days from first touch to conversion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_days_to_conversion: Option<f64>,
}

/// The result of [`attribution_report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionReport {
    /// All conversions of the journeys.
    #[serde(with = "decimal_serde")]
    pub total_conversions: Decimal,
    /// All revenue of the journeys.
    pub total_value: Money,
    /// Conversions with no touch in the window (direct/untracked): no
    /// model credits them.
    #[serde(with = "decimal_serde")]
    pub unattributed_conversions: Decimal,
    /// Their revenue.
    pub unattributed_value: Money,
    /// One result per requested model, in request order.
    pub models: Vec<ModelResult>,
    /// Path statistics.
    pub paths: PathStats,
}

/// A journey with touches in the window: its touches, channel and campaign
/// ids (slices of the request-wide arenas), conversion time and outcome.
pub(super) struct Prepared<'a> {
    pub touches: &'a [&'a Touch],
    pub channel_ids: &'a [u32],
    pub campaign_ids: &'a [u32],
    pub end: chrono::DateTime<chrono::Utc>,
    pub conversions: u32,
    pub value: Decimal,
}

#[derive(Default, Clone, Copy)]
pub(super) struct Sum {
    pub conversions: Decimal,
    pub value: Decimal,
}

/// The sums per name (ids index `names`), dropping nothing: every name
/// seen appears, with zero credit if it got none.
fn by_name(names: &[String], sums: Vec<Sum>) -> BTreeMap<String, Sum> {
    let mut map: BTreeMap<String, Sum> = BTreeMap::new();
    for (name, sum) in names.iter().zip(sums) {
        let e = map.entry(name.clone()).or_default();
        e.conversions += sum.conversions;
        e.value += sum.value;
    }
    map
}

/// Splits `conv` and `value` over the channels by `weights`.
fn split_channels(
    channels: &mut [Sum],
    conv: Decimal,
    value: Decimal,
    weights: &[Decimal],
    scale: u32,
) -> Result<()> {
    let c = split_exact(conv, weights, scale)?;
    let v = split_exact(value, weights, scale)?;
    for ((s, c), v) in channels.iter_mut().zip(c).zip(v) {
        s.conversions += c;
        s.value += v;
    }
    Ok(())
}

/// Passes each channel's credit of a data-driven model on to the campaigns
/// of that channel, in proportion to their touches in converting journeys
/// weighted by the journeys' conversions (exact split, so campaign credit
/// sums to channel credit). A channel credited without a touch in a
/// converting journey (possible in the Markov chain) splits by its touches
/// in all journeys.
fn to_campaigns(
    channels: &[Sum],
    prepared: &[Prepared<'_>],
    campaign_count: usize,
    scale: u32,
) -> Result<Vec<Sum>> {
    // Touch counts per (channel, campaign) are whole numbers: counted as
    // integers and turned into (scale-0) decimals once, the same values
    // the per-touch `Decimal` sums gave.
    let mut touches: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); channels.len()];
    let mut any_touches: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); channels.len()];
    for p in prepared {
        for (ch, k) in p.channel_ids.iter().zip(p.campaign_ids) {
            if p.conversions > 0 {
                if let Some(m) = touches.get_mut(*ch as usize) {
                    *m.entry(*k).or_default() += u64::from(p.conversions);
                }
            }
            if let Some(m) = any_touches.get_mut(*ch as usize) {
                *m.entry(*k).or_default() += 1;
            }
        }
    }
    for (t, any) in touches.iter_mut().zip(any_touches) {
        if t.is_empty() {
            *t = any;
        }
    }
    let mut campaigns = vec![Sum::default(); campaign_count];
    for (sum, counts) in channels.iter().zip(&touches) {
        if (sum.conversions.is_zero() && sum.value.is_zero()) || counts.is_empty() {
            continue;
        }
        let ids: Vec<u32> = counts.keys().copied().collect();
        let weights: Vec<Decimal> = counts.values().map(|n| Decimal::from(*n)).collect();
        let c = split_exact(sum.conversions, &weights, scale)?;
        let v = split_exact(sum.value, &weights, scale)?;
        for ((k, c), v) in ids.iter().zip(c).zip(v) {
            if let Some(s) = campaigns.get_mut(*k as usize) {
                s.conversions += c;
                s.value += v;
            }
        }
    }
    Ok(campaigns)
}

fn ratio(numerator: Decimal, denominator: Decimal, reason: &str, scale: u32) -> KpiValue {
    if denominator.is_zero() {
        return KpiValue::Undefined {
            code: UndefinedCode::EmptyDenominator,
            reason: reason.into(),
        };
    }
    match numerator.checked_div(denominator) {
        Some(v) => KpiValue::Defined {
            value: v.round_dp(scale),
        },
        None => KpiValue::Undefined {
            code: UndefinedCode::Overflow,
            reason: "the ratio overflows".into(),
        },
    }
}

fn credits(
    sums: BTreeMap<String, Sum>,
    spend: &HashMap<String, Decimal>,
    currency: Currency,
    scale: u32,
) -> Vec<Credit> {
    let mut keys: Vec<String> = sums.keys().cloned().collect();
    keys.extend(spend.keys().filter(|k| !sums.contains_key(*k)).cloned());
    keys.sort();
    keys.into_iter()
        .map(|key| {
            let s = sums.get(&key).copied().unwrap_or_default();
            let cost = spend.get(&key).copied();
            let (cpa, roi) = match cost {
                Some(c) => (
                    ratio(c, s.conversions, "no conversions were attributed", scale),
                    ratio(s.value - c, c, "spend is zero", scale),
                ),
                None => {
                    let missing = || KpiValue::Undefined {
                        code: UndefinedCode::NotConfigured,
                        reason: "no spend was given".into(),
                    };
                    (missing(), missing())
                }
            };
            Credit {
                spend: cost.map(|c| Money::new(c, currency)),
                value: Money::new(s.value, currency),
                conversions: s.conversions,
                cost_per_acquisition: cpa,
                roi,
                key,
            }
        })
        .collect()
}

/// The most models one request may ask for: each is a full pass over the
/// paths, so the list bounds the work of a call (every model kind, with
/// room for a few parameter variants, fits).
pub const MAX_MODELS: usize = 16;

/// Refuses an empty model list, one longer than [`MAX_MODELS`] and invalid
/// model parameters, naming `models` or `models[i]`.
pub(super) fn check_models(models: &[Model]) -> Result<()> {
    if models.is_empty() {
        return Err(Error::invalid("models", "ask for at least one model"));
    }
    if models.len() > MAX_MODELS {
        return Err(Error::invalid(
            "models",
            format!(
                "at most {MAX_MODELS} models in one request, found {} (each model is a full pass over the paths)",
                models.len()
            ),
        ));
    }
    for (i, m) in models.iter().enumerate() {
        m.validate()
            .map_err(|e| e.with_path_prefix(&format!("models[{i}]")))?;
    }
    Ok(())
}

/// Attributes the journeys' conversions and revenue under each model.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the field for
/// a negative value, value on a journey without conversions, an empty
/// channel, a touch or conversion time outside years 1 to 9999
/// (`journeys[2].touches[0].at`), a lookback outside 1 to
/// [`MAX_LOOKBACK_DAYS`](super::journey::MAX_LOOKBACK_DAYS) days, a scale
/// above 20, negative spend, invalid model parameters, no models or more
/// than [`MAX_MODELS`];
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) for a Markov
/// chain with too many states; [`ErrorKind::Overflow`](crate::ErrorKind::Overflow)
/// when sums leave the decimal range.
pub fn attribution_report(request: &AttributionRequest) -> Result<AttributionReport> {
    check_models(&request.models)?;
    if request.scale > 20 {
        return Err(Error::invalid("scale", "at most 20 decimal places"));
    }
    check_lookback(request.lookback_days)?;
    let mut channel_ids = Interner::new();
    let mut campaign_ids = Interner::new();
    // All journeys' window touches and ids in three arenas (no per-journey
    // allocation); `spans` says where each journey's run starts and ends.
    let mut touch_arena: Vec<&Touch> = Vec::new();
    let mut channel_arena: Vec<u32> = Vec::new();
    let mut campaign_arena: Vec<u32> = Vec::new();
    let mut spans = Vec::new();
    let (mut total_conv, mut total_value) = (Decimal::ZERO, Decimal::ZERO);
    let (mut lost_conv, mut lost_value) = (Decimal::ZERO, Decimal::ZERO);
    for (j, journey) in request.journeys.iter().enumerate() {
        let base = touch_arena.len();
        let end = journey.window_into(request.lookback_days, j, &mut touch_arena)?;
        let conv = Decimal::from(journey.conversions);
        total_conv += conv;
        total_value = total_value
            .checked_add(journey.value)
            .ok_or_else(|| Error::overflow("total value overflows"))?;
        let Some(end) = end.filter(|_| touch_arena.len() > base) else {
            lost_conv += conv;
            lost_value += journey.value;
            continue;
        };
        for t in &touch_arena[base..] {
            channel_arena.push(channel_ids.id(t.channel.as_str()));
            campaign_arena.push(campaign_ids.id(t.campaign.as_deref().unwrap_or(NO_CAMPAIGN)));
        }
        spans.push((base, touch_arena.len(), end, journey));
    }
    let prepared: Vec<Prepared<'_>> = spans
        .into_iter()
        .map(|(from, to, end, journey)| Prepared {
            touches: &touch_arena[from..to],
            channel_ids: &channel_arena[from..to],
            campaign_ids: &campaign_arena[from..to],
            end,
            conversions: journey.conversions,
            value: journey.value,
        })
        .collect();
    let (channel_names, campaign_names) = (channel_ids.names, campaign_ids.names);
    let mut channel_spend: HashMap<String, Decimal> = HashMap::new();
    let mut campaign_spend: HashMap<String, Decimal> = HashMap::new();
    for (i, s) in request.spend.iter().enumerate() {
        if s.amount.is_sign_negative() && !s.amount.is_zero() {
            return Err(Error::invalid(
                format!("spend[{i}].amount"),
                "spend must not be negative",
            ));
        }
        *channel_spend.entry(s.channel.clone()).or_default() += s.amount;
        if let Some(c) = &s.campaign {
            *campaign_spend.entry(c.clone()).or_default() += s.amount;
        }
    }
    let scale = request.scale;
    let mut models = Vec::new();
    for model in &request.models {
        let mut channels = vec![Sum::default(); channel_names.len()];
        let mut campaigns = vec![Sum::default(); campaign_names.len()];
        let mut removal = None;
        let mut probability = None;
        let mut shapley_values = None;
        let mut shapley_estimate = None;
        let converted: Vec<&Prepared<'_>> = prepared.iter().filter(|p| p.conversions > 0).collect();
        let conv: Decimal = converted.iter().map(|p| Decimal::from(p.conversions)).sum();
        let value: Decimal = converted.iter().map(|p| p.value).sum();
        match model {
            Model::Markov { order } => {
                let paths: Vec<ChainPath<'_>> = prepared
                    .iter()
                    .map(|p| ChainPath {
                        channels: p.channel_ids,
                        conversions: p.conversions,
                    })
                    .collect();
                let effects = removal_effects(&paths, channel_names.len(), usize::from(*order))?;
                if !conv.is_zero() {
                    let weights = effects
                        .effects
                        .iter()
                        .map(|e| weight_from_f64(*e))
                        .collect::<Result<Vec<_>>>()?;
                    split_channels(&mut channels, conv, value, &weights, scale)?;
                    campaigns = to_campaigns(&channels, &prepared, campaign_names.len(), scale)?;
                }
                removal = Some(
                    channel_names
                        .iter()
                        .cloned()
                        .zip(effects.effects.iter().copied())
                        .collect(),
                );
                probability = Some(effects.conversion_probability);
            }
            Model::ShapleyRate {
                exact_up_to,
                permutations,
                seed,
            } => {
                let game = rate_shapley(
                    prepared.iter().map(|p| (p.channel_ids, p.conversions > 0)),
                    channel_names.len(),
                    *exact_up_to,
                    *permutations,
                    *seed,
                )?;
                if !conv.is_zero() {
                    let weights = game
                        .values
                        .iter()
                        .map(|v| weight_from_f64(v.max(0.0)))
                        .collect::<Result<Vec<_>>>()?;
                    split_channels(&mut channels, conv, value, &weights, scale)?;
                    campaigns = to_campaigns(&channels, &prepared, campaign_names.len(), scale)?;
                }
                shapley_values = Some(
                    channel_names
                        .iter()
                        .enumerate()
                        .map(|(i, name)| {
                            (
                                name.clone(),
                                ShapleyValue {
                                    value: game.values.get(i).copied().unwrap_or(0.0),
                                    standard_error: game
                                        .standard_errors
                                        .get(i)
                                        .copied()
                                        .unwrap_or(0.0),
                                },
                            )
                        })
                        .collect(),
                );
                shapley_estimate = Some(game.estimate);
            }
            _ => {
                let rule = match model {
                    Model::LastTouch if !request.direct_takes_last_touch => Model::LastNonDirect,
                    other => *other,
                };
                credit_rules(&rule, &converted, scale, &mut channels, &mut campaigns)?;
            }
        }
        models.push(ModelResult {
            model: *model,
            channels: credits(
                by_name(&channel_names, channels),
                &channel_spend,
                request.currency,
                scale,
            ),
            campaigns: credits(
                by_name(&campaign_names, campaigns),
                &campaign_spend,
                request.currency,
                scale,
            ),
            removal_effects: removal,
            conversion_probability: probability,
            shapley_values,
            shapley_estimate,
        });
    }
    Ok(AttributionReport {
        total_conversions: total_conv,
        total_value: Money::new(total_value, request.currency),
        unattributed_conversions: lost_conv,
        unattributed_value: Money::new(lost_value, request.currency),
        models,
        paths: path_stats(&prepared, &channel_names, request.top_paths),
    })
}
