//! Goal tracking: progress, pacing, projection and status from measurements
//! of the goal's KPI.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::goal::{ChangeDirection, Goal, Observation, Target};
use super::locale::{Locale, pick, value_with_unit};
use crate::money::decimal_serde;
use crate::{Error, Result};

/// Where a goal stands.
///
/// Decided in this order (see [`track`]):
///
/// 1. `achieved`: the latest value up to `as_of` meets the target (at or
///    beyond it in the goal's direction), whatever the date;
/// 2. `missed`: the deadline is before `as_of` and the target is not met;
/// 3. otherwise the *outlook* is compared with the thresholds: the share of
///    the way from baseline to target that the least-squares projection
///    reaches at the deadline (with two or more measurement dates), or else
///    progress divided by expected progress (linear pacing). `on_track` if
///    the outlook is at least 1, `at_risk` if at least
///    [`TrackingThresholds::at_risk`] (default 0.8), `off_track` below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    /// The target is met.
    Achieved,
    /// On course to meet the target by the deadline.
    OnTrack,
    /// Slightly behind.
    AtRisk,
    /// Well behind.
    OffTrack,
    /// The deadline passed without meeting the target.
    Missed,
}

impl TrackingStatus {
    /// The stable name (`"on_track"`).
    pub fn as_str(self) -> &'static str {
        match self {
            TrackingStatus::Achieved => "achieved",
            TrackingStatus::OnTrack => "on_track",
            TrackingStatus::AtRisk => "at_risk",
            TrackingStatus::OffTrack => "off_track",
            TrackingStatus::Missed => "missed",
        }
    }

    /// The status in words, in `locale`.
    pub fn label(self, locale: Locale) -> &'static str {
        let table = match self {
            TrackingStatus::Achieved => &[
                "achieved",
                "erreicht",
                "atingida",
                "достигнута",
                "已达成",
                "已達成",
            ],
            TrackingStatus::OnTrack => &[
                "on track",
                "im Plan",
                "no caminho certo",
                "идёт по плану",
                "进展顺利",
                "進展順利",
            ],
            TrackingStatus::AtRisk => &[
                "at risk",
                "gefährdet",
                "em risco",
                "под угрозой",
                "存在风险",
                "存在風險",
            ],
            TrackingStatus::OffTrack => &[
                "off track",
                "deutlich im Rückstand",
                "fora do rumo",
                "серьёзно отстаёт",
                "明显落后",
                "明顯落後",
            ],
            TrackingStatus::Missed => &[
                "missed",
                "verfehlt",
                "não atingida",
                "не достигнута",
                "未达成",
                "未達成",
            ],
        };
        pick(table, locale)
    }
}

impl fmt::Display for TrackingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The thresholds of [`TrackingStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackingThresholds {
    /// An outlook at least this high (and below 1) is `at_risk`; below it,
    /// `off_track` (default 0.8).
    #[serde(with = "decimal_serde")]
    pub at_risk: Decimal,
}

impl Default for TrackingThresholds {
    fn default() -> Self {
        TrackingThresholds {
            at_risk: Decimal::new(8, 1),
        }
    }
}

/// Where a goal stands on `as_of`: the JSON document that
/// `crm_goal_progress` returns.
///
/// Shares are fractions (0.5 is half-way) and may leave 0..1 (a KPI that
/// moved the wrong way, or beyond the target). `null` marks an undefined
/// value: `progress` when the target equals the baseline, `projected` with
/// fewer than two measurement dates, `required_per_day` when no day is
/// left. Decimals are JSON strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The day of the assessment.
    pub as_of: NaiveDate,
    /// The day tracking starts from, and relative deadlines are resolved
    /// from: `set_on`, else the baseline date, else the first measurement,
    /// else `as_of`. Store `set_on` so that the deadline cannot move.
    pub start: NaiveDate,
    /// The resolved deadline.
    pub deadline: NaiveDate,
    /// Days from `as_of` to the deadline (negative once it has passed).
    pub days_left: i64,
    /// The direction the KPI should move.
    pub direction: ChangeDirection,
    /// The baseline: the goal's, else the first measurement.
    #[serde(with = "decimal_serde")]
    pub baseline: Decimal,
    /// The target as a value of the KPI.
    #[serde(with = "decimal_serde")]
    pub target: Decimal,
    /// The latest value up to `as_of` (the baseline if none).
    #[serde(with = "decimal_serde")]
    pub current: Decimal,
    /// The date of `current`, `null` when it is the baseline.
    pub current_date: Option<NaiveDate>,
    /// Share of the way from baseline to target covered.
    #[serde(with = "decimal_serde::option")]
    pub progress: Option<Decimal>,
    /// Share of the time from `start` to the deadline elapsed: the progress
    /// expected by linear pacing, in 0..1.
    #[serde(with = "decimal_serde")]
    pub expected_progress: Decimal,
    /// The KPI's value at the deadline by a least-squares line through the
    /// measurements up to `as_of`.
    #[serde(with = "decimal_serde::option")]
    pub projected: Option<Decimal>,
    /// Share of the way the projection reaches.
    #[serde(with = "decimal_serde::option")]
    pub projected_progress: Option<Decimal>,
    /// The change per day needed from now on to reach the target.
    #[serde(with = "decimal_serde::option")]
    pub required_per_day: Option<Decimal>,
    /// The change per day seen so far (slope of the least-squares line).
    #[serde(with = "decimal_serde::option")]
    pub observed_per_day: Option<Decimal>,
    /// The status.
    pub status: TrackingStatus,
    /// The plan version in force, if the goal has a plan.
    pub plan_version: Option<u32>,
}

impl Progress {
    /// One line on where the goal stands, in `locale`, with values shown in
    /// `unit` (the unit of the goal's KPI, `None` for bare numbers).
    pub fn summary(&self, locale: Locale, unit: Option<crate::kpi::catalog::Unit>) -> String {
        let share = |v: Option<Decimal>| match v.and_then(|v| v.checked_mul(Decimal::ONE_HUNDRED)) {
            Some(percent) => value_with_unit(
                percent.round_dp(0),
                Some(crate::kpi::catalog::Unit::Percent),
                None,
                locale,
            ),
            None => "—".to_string(),
        };
        let value = |v: Decimal| value_with_unit(v, unit, None, locale);
        let template = pick(
            &[
                "{status}: {progress} of the way ({expected} expected by now), now {current}, target {target}, {days} days left",
                "{status}: {progress} des Weges ({expected} wären jetzt zu erwarten), aktuell {current}, Ziel {target}, noch {days} Tage",
                "{status}: {progress} do caminho ({expected} esperado até agora), atual {current}, alvo {target}, faltam {days} dias",
                "{status}: пройдено {progress} пути (ожидалось {expected}), сейчас {current}, цель {target}, осталось {days} дн.",
                "{status}：已完成 {progress}（按进度应为 {expected}），当前 {current}，目标 {target}，剩余 {days} 天",
                "{status}：已完成 {progress}（按進度應為 {expected}），目前 {current}，目標 {target}，剩餘 {days} 天",
            ],
            locale,
        );
        template
            .replace("{status}", self.status.label(locale))
            .replace("{progress}", &share(self.progress))
            .replace("{expected}", &share(Some(self.expected_progress)))
            .replace("{current}", &value(self.current))
            .replace("{target}", &value(self.target))
            .replace("{days}", &self.days_left.max(0).to_string())
    }
}

/// Tracks `goal` on `as_of` from `measurements` of its KPI (in any order;
/// those after `as_of` are ignored), with the default thresholds.
///
/// # Errors
///
/// [`crate::ErrorKind::Invalid`] if the goal has no target or no deadline,
/// or neither a baseline nor a measurement up to `as_of`, or a relative
/// target without a baseline value; [`crate::ErrorKind::Overflow`] if the
/// deadline is out of range or the numbers overflow the exact decimal
/// representation.
pub fn track(goal: &Goal, measurements: &[Observation], as_of: NaiveDate) -> Result<Progress> {
    track_with(goal, measurements, as_of, &TrackingThresholds::default())
}

/// [`track`] with explicit thresholds.
///
/// # Errors
///
/// As for [`track`], and [`crate::ErrorKind::Invalid`] if
/// `thresholds.at_risk` is not within 0..=1.
pub fn track_with(
    goal: &Goal,
    measurements: &[Observation],
    as_of: NaiveDate,
    thresholds: &TrackingThresholds,
) -> Result<Progress> {
    if thresholds.at_risk < Decimal::ZERO || thresholds.at_risk > Decimal::ONE {
        return Err(Error::invalid(
            "at_risk",
            format!("must be from 0 to 1, got {}", thresholds.at_risk),
        ));
    }
    let target = goal
        .target
        .ok_or_else(|| Error::invalid("target", "a goal needs a target to be tracked"))?;
    let mut points: Vec<Observation> = measurements
        .iter()
        .filter(|m| m.date <= as_of)
        .copied()
        .collect();
    points.sort();
    let first = points.first().copied();
    let start = goal
        .set_on
        .or(goal.baseline.and_then(|b| b.date))
        .or(first.map(|m| m.date))
        .unwrap_or(as_of);
    let deadline = goal
        .deadline_from(start)?
        .ok_or_else(|| Error::invalid("deadline", "a goal needs a deadline to be tracked"))?;
    let latest = points.last().copied();
    let baseline = match (goal.baseline, first) {
        (Some(b), _) => b.value,
        (None, Some(m)) => m.value,
        (None, None) => {
            return Err(Error::invalid(
                "baseline",
                "a goal without a baseline needs at least one measurement up to as_of",
            ));
        }
    };
    let target_value = target.value_from(Some(baseline)).ok_or_else(|| {
        Error::overflow("the target value overflows the exact decimal representation")
    })?;
    // The direction the target implies comes first (it is what the numbers
    // say); a stated direction only decides when the target implies none.
    let direction = match target {
        Target::RelativePercent(change) => ChangeDirection::between(Decimal::ZERO, change),
        Target::Absolute(value) => ChangeDirection::between(baseline, value),
    }
    .or(goal.direction)
    .or(goal
        .known_kpi()
        .map(|k| ChangeDirection::improving(k.definition().direction)))
    .unwrap_or(ChangeDirection::Increase);
    let sign = direction.sign();
    let current = latest.map_or(baseline, |m| m.value);
    let span = target_value.checked_sub(baseline).ok_or_else(overflow)?;
    let share_of = |value: Decimal| -> Option<Decimal> {
        if span.is_zero() {
            return None;
        }
        value
            .checked_sub(baseline)
            .and_then(|d| d.checked_div(span))
            .map(|s| s.round_dp(4))
    };
    let progress = share_of(current);
    let days_left = (deadline - as_of).num_days();
    let total = (deadline - start).num_days();
    let elapsed = (as_of - start).num_days();
    let expected_progress = if total <= 0 {
        Decimal::ONE
    } else {
        (Decimal::from(elapsed.clamp(0, total)) / Decimal::from(total)).round_dp(4)
    };
    let fit = least_squares(&points);
    let projected = fit
        .and_then(|(line, _)| line.at(deadline))
        .map(|p| p.round_dp(4));
    let observed_per_day = fit.map(|(line, _)| line.slope.round_dp(6));
    let projected_progress = projected.and_then(share_of);
    let required_per_day = if days_left > 0 {
        target_value
            .checked_sub(current)
            .and_then(|gap| gap.checked_div(Decimal::from(days_left)))
            .map(|r| r.round_dp(6))
    } else {
        None
    };
    let reached = target_value
        .checked_sub(current)
        .and_then(|gap| gap.checked_mul(sign))
        .is_some_and(|gap| gap <= Decimal::ZERO);
    let status = if reached {
        TrackingStatus::Achieved
    } else if days_left < 0 {
        TrackingStatus::Missed
    } else {
        let outlook = match (projected_progress, progress) {
            (Some(share), _) => Some(share),
            (None, Some(done)) if expected_progress.is_zero() => Some(if done >= Decimal::ZERO {
                Decimal::ONE
            } else {
                done
            }),
            (None, Some(done)) => done.checked_div(expected_progress),
            (None, None) => None,
        };
        match outlook {
            Some(o) if o >= Decimal::ONE => TrackingStatus::OnTrack,
            Some(o) if o >= thresholds.at_risk => TrackingStatus::AtRisk,
            Some(_) => TrackingStatus::OffTrack,
            None => TrackingStatus::OnTrack,
        }
    };
    Ok(Progress {
        as_of,
        start,
        deadline,
        days_left,
        direction,
        baseline,
        target: target_value,
        current,
        current_date: latest.map(|m| m.date),
        progress,
        expected_progress,
        projected,
        projected_progress,
        required_per_day,
        observed_per_day,
        status,
        plan_version: goal.plan.as_ref().map(|p| p.version),
    })
}

fn overflow() -> Error {
    Error::overflow("tracking values overflow the exact decimal representation")
}

/// A fitted line `value = intercept + slope * (day - origin)`.
#[derive(Debug, Clone, Copy)]
struct Line {
    origin: NaiveDate,
    intercept: Decimal,
    slope: Decimal,
}

impl Line {
    fn at(&self, date: NaiveDate) -> Option<Decimal> {
        let x = Decimal::from((date - self.origin).num_days());
        self.slope
            .checked_mul(x)
            .and_then(|v| v.checked_add(self.intercept))
    }
}

/// Ordinary least squares of value on day over sorted `points`; `None` with
/// fewer than two distinct dates or on overflow. Also returns the number of
/// points used.
fn least_squares(points: &[Observation]) -> Option<(Line, usize)> {
    let origin = points.first()?.date;
    let n = Decimal::from(points.len());
    let mut sum_x = Decimal::ZERO;
    let mut sum_y = Decimal::ZERO;
    for p in points {
        sum_x = sum_x.checked_add(Decimal::from((p.date - origin).num_days()))?;
        sum_y = sum_y.checked_add(p.value)?;
    }
    let mean_x = sum_x.checked_div(n)?;
    let mean_y = sum_y.checked_div(n)?;
    let mut sxx = Decimal::ZERO;
    let mut sxy = Decimal::ZERO;
    for p in points {
        let dx = Decimal::from((p.date - origin).num_days()).checked_sub(mean_x)?;
        let dy = p.value.checked_sub(mean_y)?;
        sxx = sxx.checked_add(dx.checked_mul(dx)?)?;
        sxy = sxy.checked_add(dx.checked_mul(dy)?)?;
    }
    if sxx.is_zero() {
        return None;
    }
    let slope = sxy.checked_div(sxx)?;
    let intercept = mean_y.checked_sub(slope.checked_mul(mean_x)?)?;
    Some((
        Line {
            origin,
            intercept,
            slope,
        },
        points.len(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn least_squares_recovers_an_exact_line() {
        let points = [
            Observation::new(d(2024, 1, 1), Decimal::new(10, 0)),
            Observation::new(d(2024, 1, 11), Decimal::new(8, 0)),
            Observation::new(d(2024, 1, 21), Decimal::new(6, 0)),
        ];
        let (line, n) = least_squares(&points).expect("fit");
        assert_eq!(n, 3);
        assert_eq!(line.slope, Decimal::new(-2, 1));
        assert_eq!(line.at(d(2024, 1, 31)), Some(Decimal::new(4, 0)));
    }

    #[test]
    fn one_date_gives_no_line() {
        let points = [
            Observation::new(d(2024, 1, 1), Decimal::new(10, 0)),
            Observation::new(d(2024, 1, 1), Decimal::new(8, 0)),
        ];
        assert!(least_squares(&points).is_none());
    }
}
