//! `crm_lead_score_batch(model_json, column_0, ..., column_k)`: crmkit's
//! columnar scoring path ([`ScoringModel::score_batch`]) on the rows of a
//! query, for tables that already hold the model's encoded columns.
//!
//! ```sql
//! SELECT id, crm_lead_score_batch('{...model...}', c0, c1, c2) AS s FROM leads
//! ```
//!
//! The arguments after the model are the model's
//! [`columns`](ScoringModel::columns), in model order, as `Int64` values
//! encoded as the batch path documents (`crmkit::scoring`'s batch module:
//! numbers and money `2·⌊x·10⁴⌋`, flags 0/1, dates as days, instants as
//! `2·seconds`, text as [`ScoringModel::encode_text`]'s bit set, NULL for no
//! value). The result is a struct `{score, grade}`: `score` the exact total
//! as `Decimal128(38, 4)` (the batch path's units of 1/10,000 point, no
//! conversion), `grade` the grade's name or NULL. Activity rules score
//! nothing here (a row has no matched events): use
//! [`crm_lead_score`](crate::score_udf) for models that count activities.
//! A model is compiled once per process (cached by its JSON text); a model
//! the batch path cannot run, or a wrong number of columns, is a query
//! error naming the model path or the column count.
//!
//! Each record batch of the query is one call of `score_batch`, so the
//! function costs what the batch path costs plus the building of the
//! result arrays.
//!
//! ```
//! use crmkit_datafusion::score_batch_udf::LeadScoreBatchFunction;
//!
//! let udf = LeadScoreBatchFunction::new(crmkit::sample::SAMPLE_AS_OF).into_udf();
//! assert_eq!(udf.name(), "crm_lead_score_batch");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::sync::Arc;

use crmkit::model::Timestamp;
use crmkit::scoring::{Batch, BatchScore, MISSING, ScoringModel};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, DictionaryArray, Int32Array, StringArray,
    StructArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Int32Type, Int64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::schema;
use crate::score_udf::compiled;

/// The fields of the result struct: `score` (`Decimal128(38, 4)`),
/// `grade` (dictionary-encoded text).
pub fn batch_score_fields() -> Fields {
    Fields::from(vec![
        Field::new("score", schema::money(), true),
        Field::new(
            "grade",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
    ])
}

/// The `crm_lead_score_batch` scalar function, scoring as of one instant.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LeadScoreBatchFunction {
    as_of: Timestamp,
    signature: Signature,
}

impl LeadScoreBatchFunction {
    /// Scores as of `as_of` (used by decaying rules; crmkit reads no clock).
    pub fn new(as_of: Timestamp) -> LeadScoreBatchFunction {
        LeadScoreBatchFunction {
            as_of,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }

    /// Wraps it for registration.
    pub fn into_udf(self) -> ScalarUDF {
        ScalarUDF::new_from_impl(self)
    }
}

fn err(message: String) -> DataFusionError {
    DataFusionError::Execution(format!("crm_lead_score_batch: {message}"))
}

impl ScalarUDFImpl for LeadScoreBatchFunction {
    fn name(&self) -> &str {
        "crm_lead_score_batch"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(batch_score_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let Some((model_arg, columns)) = args.args.split_first() else {
            return Err(err("expects (model_json, columns...)".into()));
        };
        let json = match model_arg {
            ColumnarValue::Scalar(s) => match s.try_as_str() {
                Some(Some(json)) => json.to_string(),
                _ => return Err(err("the model must be a text literal".into())),
            },
            ColumnarValue::Array(_) => {
                return Err(err(
                    "the model must be a literal, the same for every row".into()
                ));
            }
        };
        let model = compiled(&json)?;
        if columns.len() != model.columns().len() {
            return Err(err(format!(
                "the model has {} columns, {} were given",
                model.columns().len(),
                columns.len()
            )));
        }
        // Encoded columns as plain i64 slices; NULL is MISSING.
        let mut owned: Vec<Vec<i64>> = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            let a = c.to_array(n)?;
            let a = if a.data_type() == &DataType::Int64 {
                a
            } else {
                datafusion::arrow::compute::cast(&a, &DataType::Int64)
                    .map_err(|e| err(format!("column {i}: {e}")))?
            };
            if a.null_count() > 0 {
                let p = a.as_primitive::<Int64Type>();
                owned.push(
                    (0..n)
                        .map(|j| if p.is_valid(j) { p.value(j) } else { MISSING })
                        .collect(),
                );
            }
            arrays.push(a);
        }
        let mut owned_iter = owned.iter();
        let slices: Vec<&[i64]> = arrays
            .iter()
            .map(|a| {
                if a.null_count() > 0 {
                    owned_iter.next().map_or(&[][..], Vec::as_slice)
                } else {
                    a.as_primitive::<Int64Type>().values().as_ref()
                }
            })
            .collect();
        let batch = Batch {
            leads: n,
            columns: slices,
            events: &[],
            stages: None,
        };
        let mut out = vec![BatchScore::default(); n];
        model
            .score_batch(&batch, self.as_of, &mut out, None)
            .map_err(|e| err(format!("model: {e}")))?;
        Ok(ColumnarValue::Array(result(&model, &out)?))
    }
}

fn result(model: &ScoringModel, out: &[BatchScore]) -> Result<ArrayRef> {
    let scores = Decimal128Array::from_iter_values(out.iter().map(|s| i128::from(s.total_units)))
        .with_precision_and_scale(schema::MONEY_PRECISION, schema::MONEY_SCALE)?;
    let names = StringArray::from_iter_values(model.grades().iter().map(|g| g.grade.as_str()));
    let keys: Int32Array = out
        .iter()
        .map(|s| (s.grade >= 0).then_some(s.grade))
        .collect();
    let grades = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(names))?;
    Ok(Arc::new(StructArray::try_new(
        batch_score_fields(),
        vec![Arc::new(scores), Arc::new(grades)],
        None,
    )?))
}
