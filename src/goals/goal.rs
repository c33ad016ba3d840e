//! The goal model: what a goal names, its JSON form, re-planning.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::calendar::{Deadline, FiscalCalendar};
use crate::kpi::catalog::{KpiId, Polarity};
use crate::money::{Currency, decimal_from_json, decimal_serde};
use crate::{Error, ErrorKind, Result};

/// The business objective a goal serves.
///
/// JSON: one of the snake_case names below (`"increase_retention"`), or
/// `{"custom": "open the Nordic market"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Objective {
    /// Keep customers coming back (less churn, more renewals).
    IncreaseRetention,
    /// Close deals faster.
    ShortenSalesCycle,
    /// More revenue, more customers, bigger deals.
    SellMore,
    /// Spend less to win a customer.
    ReduceAcquisitionCost,
    /// Happier customers.
    RaiseSatisfaction,
    /// Customers who stay, buy again and recommend.
    RaiseLoyalty,
    /// More leads and deals move forward.
    RaiseConversion,
    /// Faster, better customer service.
    ImproveService,
    /// An objective of the user's own, named in words.
    Custom(String),
}

impl Objective {
    /// The built-in objectives, in documentation order.
    pub const BUILT_IN: [Objective; 8] = [
        Objective::IncreaseRetention,
        Objective::ShortenSalesCycle,
        Objective::SellMore,
        Objective::ReduceAcquisitionCost,
        Objective::RaiseSatisfaction,
        Objective::RaiseLoyalty,
        Objective::RaiseConversion,
        Objective::ImproveService,
    ];

    /// The stable snake_case name (`"custom"` for a custom objective).
    pub fn as_str(&self) -> &'static str {
        match self {
            Objective::IncreaseRetention => "increase_retention",
            Objective::ShortenSalesCycle => "shorten_sales_cycle",
            Objective::SellMore => "sell_more",
            Objective::ReduceAcquisitionCost => "reduce_acquisition_cost",
            Objective::RaiseSatisfaction => "raise_satisfaction",
            Objective::RaiseLoyalty => "raise_loyalty",
            Objective::RaiseConversion => "raise_conversion",
            Objective::ImproveService => "improve_service",
            Objective::Custom(_) => "custom",
        }
    }

    /// Parses a built-in objective name.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] naming the accepted names.
    pub fn parse(name: &str) -> Result<Objective> {
        Objective::BUILT_IN
            .iter()
            .find(|o| o.as_str() == name)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = Objective::BUILT_IN.iter().map(Objective::as_str).collect();
                Error::new(
                    ErrorKind::Json,
                    format!(
                        "unknown objective {name:?}: expected one of {} or {{\"custom\": \"...\"}}",
                        names.join(", ")
                    ),
                )
            })
    }
}

impl Serialize for Objective {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Objective::Custom(name) => {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("custom", name)?;
                map.end()
            }
            builtin => s.serialize_str(builtin.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Objective {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Custom {
            custom: String,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Name(String),
            Custom(Custom),
        }
        match Repr::deserialize(d)
            .map_err(|_| D::Error::custom("expected an objective name or {\"custom\": \"...\"}"))?
        {
            Repr::Name(name) => Objective::parse(&name).map_err(D::Error::custom),
            Repr::Custom(c) => Ok(Objective::Custom(c.custom)),
        }
    }
}

/// The KPI a goal is measured by: a catalog id, or text the library does
/// not know (kept so that the validator can say so).
///
/// JSON: the id string (`"churn_rate"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KpiRef {
    /// A KPI of the catalog, which crmkit can compute.
    Known(KpiId),
    /// An id that is not in the catalog.
    Unknown(String),
}

impl KpiRef {
    /// Reads a KPI id; ids outside the catalog become [`KpiRef::Unknown`].
    pub fn parse(id: &str) -> KpiRef {
        match KpiId::parse(id) {
            Ok(kpi) => KpiRef::Known(kpi),
            Err(_) => KpiRef::Unknown(id.to_string()),
        }
    }

    /// The catalog id, if known.
    pub fn known(&self) -> Option<KpiId> {
        match self {
            KpiRef::Known(kpi) => Some(*kpi),
            KpiRef::Unknown(_) => None,
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match self {
            KpiRef::Known(kpi) => kpi.as_str(),
            KpiRef::Unknown(text) => text,
        }
    }
}

impl Serialize for KpiRef {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for KpiRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(KpiRef::parse(&text))
    }
}

/// Which way the goal moves its KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeDirection {
    /// The KPI should go up.
    Increase,
    /// The KPI should go down.
    Decrease,
}

impl ChangeDirection {
    /// The direction that improves a KPI whose better direction is `better`.
    pub fn improving(better: Polarity) -> ChangeDirection {
        match better {
            Polarity::HigherIsBetter => ChangeDirection::Increase,
            Polarity::LowerIsBetter => ChangeDirection::Decrease,
        }
    }

    /// +1 for an increase, −1 for a decrease.
    pub fn sign(self) -> Decimal {
        match self {
            ChangeDirection::Increase => Decimal::ONE,
            ChangeDirection::Decrease => Decimal::NEGATIVE_ONE,
        }
    }

    /// The direction of going from `from` to `to`, `None` if they are equal.
    pub fn between(from: Decimal, to: Decimal) -> Option<ChangeDirection> {
        match to.cmp(&from) {
            std::cmp::Ordering::Greater => Some(ChangeDirection::Increase),
            std::cmp::Ordering::Less => Some(ChangeDirection::Decrease),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// The target of a goal: a value of the KPI, or a change relative to the
/// baseline.
///
/// JSON: a number or numeric string is an absolute value in the KPI's unit
/// (`5`, `"80"`; for a percent KPI `5` means 5 %); a string with an explicit
/// sign and a `%` is a relative change (`"-25%"`, `"+50%"`). The object
/// forms `{"value": "5"}` and `{"change_percent": "-25"}` are accepted too.
/// It is always written as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Reach this value of the KPI.
    Absolute(Decimal),
    /// Change the KPI by this many percent of the baseline (−25 for −25 %).
    RelativePercent(Decimal),
}

impl Target {
    /// Parses the string form (`"80"`, `"-25%"`, `"+50 %"`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] if it is not a number, or has a `%` without a sign
    /// (`"5%"` is ambiguous: write `5` for the value or `"-5%"` for a change).
    pub fn parse(text: &str) -> Result<Target> {
        let trimmed = text;
        if let Some(number) = trimmed.strip_suffix('%') {
            let number = number.strip_suffix(' ').unwrap_or(number);
            let unsigned = number.get(1..).unwrap_or("");
            if number.starts_with(['+', '-']) && !unsigned.starts_with(|c: char| c.is_ascii_digit())
            {
                return Err(Error::new(ErrorKind::Json, target_expected(trimmed)));
            }
            if !number.starts_with(['+', '-']) {
                return Err(Error::new(
                    ErrorKind::Json,
                    format!(
                        "target {trimmed:?} is ambiguous: write a plain number for a value of the kpi \
                         or a signed percentage such as \"-25%\" for a change"
                    ),
                ));
            }
            let number = number.strip_prefix('+').unwrap_or(number);
            return crate::money::parse_decimal(number)
                .map(Target::RelativePercent)
                .map_err(|_| Error::new(ErrorKind::Json, target_expected(trimmed)));
        }
        crate::money::parse_decimal(trimmed)
            .map(Target::Absolute)
            .map_err(|_| Error::new(ErrorKind::Json, target_expected(trimmed)))
    }

    /// The value of the KPI the target means, given the baseline `base`
    /// (needed only for a relative target). `None` when it cannot be known
    /// or overflows.
    pub fn value_from(&self, base: Option<Decimal>) -> Option<Decimal> {
        match *self {
            Target::Absolute(value) => Some(value),
            Target::RelativePercent(change) => {
                let base = base?;
                let delta = base
                    .checked_mul(change)?
                    .checked_div(Decimal::ONE_HUNDRED)?;
                base.checked_add(delta)
            }
        }
    }
}

fn target_expected(text: &str) -> String {
    format!(
        "expected a number or a signed percentage such as \"-25%\", got {}",
        crate::error::shown(text)
    )
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Absolute(value) => write!(f, "{value}"),
            Target::RelativePercent(change) if change.is_sign_negative() => write!(f, "{change}%"),
            Target::RelativePercent(change) => write!(f, "+{change}%"),
        }
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde_json::Value;
        let value = Value::deserialize(d)?;
        let parsed = match &value {
            Value::String(text) => Target::parse(text),
            Value::Number(_) => decimal_from_json(&value).map(Target::Absolute),
            Value::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((key, inner)) if key == "value" => {
                    decimal_from_json(inner).map(Target::Absolute)
                }
                Some((key, inner)) if key == "change_percent" => {
                    decimal_from_json(inner).map(Target::RelativePercent)
                }
                _ => Err(Error::new(
                    ErrorKind::Json,
                    "expected {\"value\": ...} or {\"change_percent\": ...}",
                )),
            },
            _ => Err(Error::new(
                ErrorKind::Json,
                "expected a number, a signed percentage such as \"-25%\", \
                 {\"value\": ...} or {\"change_percent\": ...}",
            )),
        };
        parsed.map_err(|err| D::Error::custom(err.message()))
    }
}

/// Declares a public struct whose JSON form is an object only.
///
/// Serialisation is derived on the struct itself. Deserialisation goes
/// through a private mirror of its fields and accepts only a JSON object
/// (serde's derive would also read a struct from an array); keeping the
/// derived code on the private mirror keeps serde's generated functions off
/// the public type's page.
macro_rules! object_only {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $( $(#[$field_attr:meta])* pub $field:ident : $field_type:ty, )*
        }
    ) => {
        $(#[$attr])*
        pub struct $name {
            $( $(#[$field_attr])* pub $field: $field_type, )*
        }

        const _: () = {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Fields {
                $( $(#[$field_attr])* $field: $field_type, )*
            }

            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                    struct ObjectVisitor;
                    impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                        type Value = $name;
                        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                            f.write_str("a JSON object")
                        }
                        fn visit_map<A: serde::de::MapAccess<'de>>(
                            self,
                            map: A,
                        ) -> std::result::Result<$name, A::Error> {
                            let fields =
                                Fields::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                            Ok($name { $( $field: fields.$field, )* })
                        }
                    }
                    d.deserialize_map(ObjectVisitor)
                }
            }
        };
    };
}

object_only! {
    /// The value of the KPI when the goal was set.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Baseline {
        /// The KPI's value (JSON: string or number).
        #[serde(with = "decimal_serde")]
        pub value: Decimal,
        /// When it was measured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub date: Option<NaiveDate>,
    }
}

object_only! {
    /// One measurement of a KPI. JSON: `{"date": "2024-03-31", "value": "7.5"}`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Observation {
        /// The day the value applies to.
        pub date: NaiveDate,
        /// The KPI's value (JSON: string or number).
        #[serde(with = "decimal_serde")]
        pub value: Decimal,
    }
}

impl Observation {
    /// A measurement of `value` on `date`.
    pub fn new(date: NaiveDate, value: Decimal) -> Observation {
        Observation { date, value }
    }
}

object_only! {
    /// One version of the action plan: what will be done, with which resources
    /// and tools.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Plan {
        /// What will be done.
        #[serde(default)]
        pub action: String,
        /// The resources and tools that will be used.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub resources: Vec<String>,
        /// The version number, from 1; each re-planning adds one.
        #[serde(default = "first_version")]
        pub version: u32,
        /// From when this version applies.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub since: Option<NaiveDate>,
        /// Why the plan was changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub note: Option<String>,
    }
}

fn first_version() -> u32 {
    1
}

impl Plan {
    /// Version 1 of a plan doing `action` with `resources`.
    pub fn new(action: impl Into<String>, resources: Vec<String>) -> Plan {
        Plan {
            action: action.into(),
            resources,
            version: 1,
            since: None,
            note: None,
        }
    }
}

object_only! {
    /// Which part of the business a goal is about.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Scope {
        /// A team id or name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub team: Option<String>,
        /// A pipeline id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pipeline: Option<String>,
        /// A campaign id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub campaign: Option<String>,
    }
}

object_only! {
    /// A goal, as a user states it. Every field may be missing: judging what is
    /// missing is the validator's job ([`super::Validator`]), so loading only
    /// rejects malformed JSON, wrong types, unknown fields, invalid dates and
    /// numbers.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crmkit::goals::Goal;
    ///
    /// let goal = Goal::from_json(r#"{"name": "reduce churn", "kpi": "churn_rate",
    ///     "baseline": {"value": "8"}, "target": "-25%", "deadline": "end of next quarter",
    ///     "set_on": "2024-07-01"}"#)?;
    /// // A relative target is read against the baseline: 8 % less a quarter.
    /// assert_eq!(goal.target_value(), Some("6".parse().unwrap()));
    /// let anchor = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
    /// assert_eq!(goal.deadline_from(anchor)?, NaiveDate::from_ymd_opt(2024, 12, 31));
    /// // Unknown members are refused with their path.
    /// assert!(Goal::from_json(r#"{"nmae": "typo"}"#).is_err());
    /// Ok::<(), crmkit::Error>(())
    /// ```
    ///
    /// JSON example (every field optional):
    ///
    /// ```json
    /// {"id": "G-1", "name": "reduce churn",
    ///  "objective": "increase_retention", "kpi": "churn_rate", "direction": "decrease",
    ///  "baseline": {"value": "8", "date": "2024-06-30"}, "target": "-25%",
    ///  "deadline": "end of next quarter", "set_on": "2024-07-01",
    ///  "calendar": {"first_month": 1},
    ///  "plan": {"action": "...", "resources": ["CRM"], "version": 1, "since": "2024-07-01"},
    ///  "plan_history": [], "owner": "head of customer success",
    ///  "segment": {"team": "support"}, "reason": "...", "currency": "USD",
    ///  "history": [{"date": "2024-03-31", "value": "8.4"}], "supersedes": "G-0"}
    /// ```
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Goal {
        /// The goal's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        /// A short name or the goal in the user's words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        /// The business objective it serves.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub objective: Option<Objective>,
        /// The KPI it is measured by.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kpi: Option<KpiRef>,
        /// Which way the KPI should move; inferred from the target when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub direction: Option<ChangeDirection>,
        /// The KPI's value when the goal was set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub baseline: Option<Baseline>,
        /// The value to reach, or the change to make.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub target: Option<Target>,
        /// When: a date or a relative deadline such as "end of next quarter".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deadline: Option<Deadline>,
        /// The day the goal was set; relative deadlines are resolved from it
        /// (from `as_of` when it is absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub set_on: Option<NaiveDate>,
        /// The fiscal calendar for quarters and years (calendar years by
        /// default).
        #[serde(default, skip_serializing_if = "is_default_calendar")]
        pub calendar: FiscalCalendar,
        /// The current action plan.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub plan: Option<Plan>,
        /// Earlier versions of the plan, oldest first.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub plan_history: Vec<Plan>,
        /// Who is responsible.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub owner: Option<String>,
        /// The team, pipeline or campaign it is about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub segment: Option<Scope>,
        /// Why it matters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
        /// The currency of a money KPI's values.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub currency: Option<Currency>,
        /// Past measurements of the KPI, used to judge achievability.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub history: Vec<Observation>,
        /// The id of the goal this one replaced (after a change of target).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub supersedes: Option<String>,
    }
}

fn is_default_calendar(calendar: &FiscalCalendar) -> bool {
    *calendar == FiscalCalendar::default()
}

/// Trims `text`; `None` when nothing is left.
pub(crate) fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl Goal {
    /// Loads a goal from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] naming the JSON path for malformed JSON, a wrong
    /// type, an unknown field, an unparsable date, number, target or
    /// deadline. A goal that loads may still fail validation.
    pub fn from_json(json: &str) -> Result<Goal> {
        // serde would also read a struct from a JSON array; a goal is an
        // object.
        if !json.trim_start().starts_with('{') {
            return Err(Error::new(ErrorKind::Json, "a goal must be a json object"));
        }
        Error::parse_json(json).map_err(|err| {
            // Validating constructors (deadlines, currencies) report Invalid;
            // for a goal document every load problem is a shape problem.
            match err.path() {
                Some(path) => Error::at(ErrorKind::Json, path, err.message()),
                None => Error::new(ErrorKind::Json, err.message()),
            }
        })
    }

    /// The goal as compact JSON; [`Goal::from_json`] reads it back unchanged.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] if serialisation fails (it does not for goals
    /// built by this crate).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|err| Error::new(ErrorKind::Json, err.to_string()))
    }

    /// The catalog KPI, if the goal names one crmkit knows.
    pub fn known_kpi(&self) -> Option<KpiId> {
        self.kpi.as_ref().and_then(KpiRef::known)
    }

    /// The deadline as a date, with relative deadlines resolved with the
    /// goal's calendar from `anchor` (validation passes `set_on`, else
    /// `as_of`). `Ok(None)` when the goal has no deadline.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if it falls outside the supported date range.
    pub fn deadline_from(&self, anchor: NaiveDate) -> Result<Option<NaiveDate>> {
        self.deadline
            .as_ref()
            .map(|d| d.resolve(&self.calendar, anchor))
            .transpose()
    }

    /// The value of the KPI the target means, using the baseline for a
    /// relative target.
    pub fn target_value(&self) -> Option<Decimal> {
        self.target?.value_from(self.baseline.map(|b| b.value))
    }

    /// Records a new version of the action plan, effective `on`. The goal
    /// itself (KPI, baseline, target, deadline) does not change: the current
    /// plan moves to [`Goal::plan_history`] and `plan` becomes version n+1.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] if `on` is before the current plan's `since`,
    /// or the plan has no action; [`ErrorKind::Overflow`] after 2³²−1
    /// versions.
    pub fn replan(&self, mut plan: Plan, on: NaiveDate) -> Result<Goal> {
        if plan.action.trim().is_empty() {
            return Err(Error::invalid(
                "plan.action",
                "a new plan must say what will be done",
            ));
        }
        let mut goal = self.clone();
        let version = match goal.plan.take() {
            Some(current) => {
                if let Some(since) = current.since
                    && on < since
                {
                    return Err(Error::invalid(
                        "plan.since",
                        format!(
                            "a new plan cannot start on {on}, before the current plan ({since})"
                        ),
                    ));
                }
                let next = current
                    .version
                    .checked_add(1)
                    .ok_or_else(|| Error::overflow("too many plan versions"))?;
                goal.plan_history.push(current);
                next
            }
            None => 1,
        };
        plan.version = version;
        plan.since = Some(on);
        goal.plan = Some(plan);
        Ok(goal)
    }

    /// Makes a new goal with another target: changing the target changes the
    /// goal. The new goal gets `new_id`, records the old id in `supersedes`,
    /// keeps the current plan as its version 1 and starts with no plan
    /// history; `set_on` becomes `on`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] if `new_id` is blank or equals the old id.
    pub fn with_new_target(&self, target: Target, new_id: &str, on: NaiveDate) -> Result<Goal> {
        let new_id = new_id.trim();
        if new_id.is_empty() || self.id.as_deref() == Some(new_id) {
            return Err(Error::invalid(
                "id",
                "a goal with a new target needs a new, non-blank id",
            ));
        }
        let mut goal = self.clone();
        goal.supersedes = self.id.clone();
        goal.id = Some(new_id.to_string());
        goal.target = Some(target);
        goal.set_on = Some(on);
        goal.plan_history.clear();
        if let Some(plan) = goal.plan.as_mut() {
            plan.version = 1;
            plan.since = Some(on);
            plan.note = None;
        }
        Ok(goal)
    }
}
