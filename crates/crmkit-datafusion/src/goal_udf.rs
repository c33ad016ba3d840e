//! `crm_goal_validate(goal_json [, locale])`: crmkit's SMART goal validator
//! on a column of goal JSON documents.
//!
//! ```sql
//! SELECT id, crm_goal_validate(goal, 'de') AS v FROM goals WHERE NOT crm_goal_validate(goal).valid
//! ```
//!
//! The result is a struct:
//!
//! | field | type | |
//! |---|---|---|
//! | `valid` | `Boolean` | the goal loads and every criterion passes (warnings allowed): the report's `smart` |
//! | `overall` | `Utf8`? | the worst verdict (`"pass"`, `"warn"`, `"fail"`); NULL if the goal does not load |
//! | `reasons` | `List<Struct{criterion, code, severity, message}>` | every reason of every criterion, in S, M, A, R, T order, most severe first within a criterion; empty if the goal does not load |
//! | `error` | `Utf8`? | crmkit's load error (it names the JSON path) when the goal does not load |
//! | `report_json` | `Utf8`? | the whole localized report, the JSON of [`crmkit::goals::validate_json`] |
//!
//! The day a goal is judged on is given to [`GoalValidateFunction::new`]
//! (crmkit reads no clock); the locale defaults to `"en"`, and an unknown
//! locale is a query error. A NULL goal gives a NULL struct. A goal that does
//! not load is a row with `valid = false` and its `error`, not a failed
//! query, so that one bad row does not hide the others.
//!
//! Reuse: a goal given as a literal is validated once per batch call and
//! its result broadcast; in a column, identical documents within a batch
//! are validated once (keyed by their text). Nothing is kept across batches:
//! goals are data, and a process-wide cache of a column would grow without
//! bound.
//!
//! ```
//! use crmkit::chrono::NaiveDate;
//! use crmkit_datafusion::goal_udf::GoalValidateFunction;
//!
//! let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
//! let udf = GoalValidateFunction::new(as_of).into_udf();
//! assert_eq!(udf.name(), "crm_goal_validate");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use crmkit::chrono::NaiveDate;
use crmkit::goals::{Goal, Locale, LocalizedReport, Validator};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, ListArray, StringArray, StructArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The fields of one reason.
pub fn reason_fields() -> Fields {
    Fields::from(vec![
        Field::new("criterion", DataType::Utf8, false),
        Field::new("code", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
    ])
}

fn reasons_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(reason_fields()),
        true,
    )))
}

/// The fields of the result struct.
pub fn validation_fields() -> Fields {
    Fields::from(vec![
        Field::new("valid", DataType::Boolean, true),
        Field::new("overall", DataType::Utf8, true),
        Field::new("reasons", reasons_type(), true),
        Field::new("error", DataType::Utf8, true),
        Field::new("report_json", DataType::Utf8, true),
    ])
}

/// The `crm_goal_validate` scalar function, judging goals as of one day
/// with the default thresholds.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct GoalValidateFunction {
    as_of: NaiveDate,
    signature: Signature,
}

impl GoalValidateFunction {
    /// Validates goals as of `as_of`.
    pub fn new(as_of: NaiveDate) -> GoalValidateFunction {
        GoalValidateFunction {
            as_of,
            signature: Signature::one_of(
                vec![
                    datafusion::logical_expr::TypeSignature::Any(1),
                    datafusion::logical_expr::TypeSignature::Any(2),
                ],
                Volatility::Immutable,
            ),
        }
    }

    /// Wraps it for registration.
    pub fn into_udf(self) -> ScalarUDF {
        ScalarUDF::new_from_impl(self)
    }
}

/// One goal's outcome.
enum Outcome {
    Report(Box<LocalizedReport>, String),
    LoadError(String),
}

fn validate(json: &str, as_of: NaiveDate, locale: Locale) -> Result<Outcome> {
    match Goal::from_json(json) {
        Err(e) => Ok(Outcome::LoadError(e.to_string())),
        Ok(goal) => {
            let report = Validator::new().validate(&goal, as_of).localize(locale);
            let text = serde_json::to_string(&report).map_err(|e| {
                DataFusionError::Execution(format!("crm_goal_validate: report: {e}"))
            })?;
            Ok(Outcome::Report(Box::new(report), text))
        }
    }
}

fn locale_of(text: &str) -> Result<Locale> {
    Locale::parse(text).map_err(|e| DataFusionError::Execution(format!("crm_goal_validate: {e}")))
}

/// Column builders of the result.
#[derive(Default)]
struct Columns {
    valid: Vec<Option<bool>>,
    overall: Vec<Option<&'static str>>,
    error: Vec<Option<String>>,
    report: Vec<Option<String>>,
    offsets: Vec<i32>,
    reason: [Vec<String>; 4],
    present: Vec<bool>,
}

impl Columns {
    fn push(&mut self, outcome: Option<&Outcome>) -> Result<()> {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        match outcome {
            None => {
                self.valid.push(None);
                self.overall.push(None);
                self.error.push(None);
                self.report.push(None);
                self.present.push(false);
            }
            Some(Outcome::LoadError(e)) => {
                self.valid.push(Some(false));
                self.overall.push(None);
                self.error.push(Some(e.clone()));
                self.report.push(None);
                self.present.push(true);
            }
            Some(Outcome::Report(report, text)) => {
                self.valid.push(Some(report.smart));
                self.overall.push(Some(report.overall.as_str()));
                self.error.push(None);
                self.report.push(Some(text.clone()));
                self.present.push(true);
                for criterion in &report.criteria {
                    for r in &criterion.reasons {
                        let [c, code, severity, message] = &mut self.reason;
                        c.push(criterion.criterion.as_str().to_string());
                        code.push(r.code.as_str().to_string());
                        severity.push(
                            serde_json::to_value(r.severity)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default(),
                        );
                        message.push(r.message.clone());
                    }
                }
            }
        }
        let len = self.reason[0].len();
        self.offsets.push(i32::try_from(len).map_err(|_| {
            DataFusionError::Execution("crm_goal_validate: more than 2^31 reasons".into())
        })?);
        Ok(())
    }

    fn finish(self) -> Result<ArrayRef> {
        let [c, code, severity, message] = self.reason;
        let reasons = StructArray::try_new(
            reason_fields(),
            vec![
                Arc::new(StringArray::from(c)),
                Arc::new(StringArray::from(code)),
                Arc::new(StringArray::from(severity)),
                Arc::new(StringArray::from(message)),
            ],
            None,
        )?;
        let offsets = if self.offsets.is_empty() {
            vec![0]
        } else {
            self.offsets
        };
        let list = ListArray::try_new(
            Arc::new(Field::new("item", DataType::Struct(reason_fields()), true)),
            OffsetBuffer::new(offsets.into()),
            Arc::new(reasons),
            None,
        )?;
        Ok(Arc::new(StructArray::try_new(
            validation_fields(),
            vec![
                Arc::new(BooleanArray::from(self.valid)),
                Arc::new(StringArray::from(self.overall)),
                Arc::new(list),
                Arc::new(StringArray::from(self.error)),
                Arc::new(StringArray::from(self.report)),
            ],
            Some(self.present.into()),
        )?))
    }
}

impl ScalarUDFImpl for GoalValidateFunction {
    fn name(&self) -> &str {
        "crm_goal_validate"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(validation_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        // A literal goal (and locale): validate once, broadcast.
        let rows = if all_scalar { 1 } else { n };
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<_>>()?;
        let (goals, locales) = match arrays.as_slice() {
            [g] => (g, None),
            [g, l] => (g, Some(l)),
            _ => {
                return Err(DataFusionError::Plan(
                    "crm_goal_validate: expects (goal_json [, locale])".into(),
                ));
            }
        };
        let goals = datafusion::arrow::compute::cast(goals, &DataType::Utf8)?;
        let goals = goals.as_string::<i32>();
        let locales = locales
            .map(|l| datafusion::arrow::compute::cast(l, &DataType::Utf8))
            .transpose()?;
        let locales = locales.as_ref().map(|l| l.as_string::<i32>());
        let mut seen: HashMap<(&str, Locale), Outcome> = HashMap::new();
        let mut columns = Columns::default();
        for i in 0..rows {
            let locale = match locales {
                Some(l) if l.is_valid(i) => locale_of(l.value(i))?,
                Some(_) => {
                    columns.push(None)?;
                    continue;
                }
                None => Locale::En,
            };
            if !goals.is_valid(i) {
                columns.push(None)?;
                continue;
            }
            let key = (goals.value(i), locale);
            if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(key) {
                slot.insert(validate(key.0, self.as_of, locale)?);
            }
            columns.push(seen.get(&key))?;
        }
        let array = columns.finish()?;
        if all_scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &array, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(array))
        }
    }
}
