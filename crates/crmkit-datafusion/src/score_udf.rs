//! `crm_lead_score(model_json, contact_id)`: a scoring model's explained
//! score of a contact, as a struct `{score, grade, reasons}`.
//!
//! ```sql
//! SELECT c.id, crm_lead_score('{...model...}', c.id) AS s FROM contacts c
//! ```
//!
//! The contact and its activities come from the context dataset given to
//! [`LeadScoreFunction::new`], with the `as_of` instant given there (crmkit
//! reads no clock). `score` is the exact total as a decimal string, `grade`
//! the model's grade (or NULL), `reasons` the three largest non-zero
//! contributions as `rule (+points)`, largest first. An id that is not in
//! the context gives NULL. Models are compiled once per process and cached
//! by their JSON text; a model that fails to compile is a query error with
//! crmkit's message, which names the JSON path.
//!
//! ```
//! use std::sync::Arc;
//! use crmkit::sample::{generate, SampleConfig, SAMPLE_AS_OF};
//! use crmkit_datafusion::score_udf::LeadScoreFunction;
//!
//! let ds = generate(&SampleConfig { contacts: 10, ..SampleConfig::default() })?;
//! let udf = LeadScoreFunction::new(Arc::new(ds), SAMPLE_AS_OF).into_udf();
//! assert_eq!(udf.name(), "crm_lead_score");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::compiled::CompiledCache;
use crmkit::model::{ContactId, Dataset, Timestamp};
use crmkit::scoring::{LeadInput, LeadScore, ScoringModel};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Compiled scoring models of this process, by JSON text.
static MODELS: CompiledCache<ScoringModel> = CompiledCache::new();

/// The compiled model for `json`, compiled on first use.
///
/// # Errors
///
/// crmkit's compile error (naming the JSON path) as an execution error.
pub fn compiled(json: &str) -> Result<Arc<ScoringModel>> {
    MODELS.get_or_compile(json, |json| {
        ScoringModel::from_json(json)
            .map_err(|e| DataFusionError::Execution(format!("crm_lead_score: model: {e}")))
    })
}

/// The fields of the result struct.
pub fn score_fields() -> Fields {
    Fields::from(vec![
        Field::new("score", DataType::Utf8, true),
        Field::new("grade", DataType::Utf8, true),
        Field::new("reasons", DataType::Utf8, true),
    ])
}

/// The three largest non-zero contributions, largest first, as
/// `rule (+points)`.
pub fn top_reasons(score: &LeadScore) -> String {
    let mut reasons: Vec<_> = score
        .contributions
        .iter()
        .filter(|c| !c.points.is_zero())
        .collect();
    reasons.sort_by_key(|c| std::cmp::Reverse(c.points.abs()));
    reasons
        .iter()
        .take(3)
        .map(|c| {
            let sign = if c.points.is_sign_positive() { "+" } else { "" };
            format!("{} ({sign}{})", c.rule, c.points)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `crm_lead_score` scalar function over one context dataset.
#[derive(Debug)]
pub struct LeadScoreFunction {
    context: Arc<Dataset>,
    as_of: Timestamp,
    signature: Signature,
}

impl PartialEq for LeadScoreFunction {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.context, &other.context) && self.as_of == other.as_of
    }
}

impl Eq for LeadScoreFunction {}

impl Hash for LeadScoreFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.context).hash(state);
        self.as_of.hash(state);
    }
}

impl LeadScoreFunction {
    /// Scores contacts of `context` as of `as_of`.
    pub fn new(context: Arc<Dataset>, as_of: Timestamp) -> LeadScoreFunction {
        LeadScoreFunction {
            context,
            as_of,
            signature: Signature::any(2, Volatility::Immutable),
        }
    }

    /// Wraps it for registration.
    pub fn into_udf(self) -> ScalarUDF {
        ScalarUDF::new_from_impl(self)
    }
}

impl ScalarUDFImpl for LeadScoreFunction {
    fn name(&self) -> &str {
        "crm_lead_score"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(score_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(n))
            .collect::<Result<_>>()?;
        let [json, ids] = arrays.as_slice() else {
            return Err(DataFusionError::Plan(
                "crm_lead_score: expects (model_json, contact_id)".into(),
            ));
        };
        let json = datafusion::arrow::compute::cast(json, &DataType::Utf8)?;
        let json = json.as_string::<i32>();
        let ids = datafusion::arrow::compute::cast(ids, &DataType::Utf8)?;
        let ids = ids.as_string::<i32>();
        let (mut score, mut grade, mut reasons, mut valid) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for i in 0..n {
            // Compile first: a bad model is an error even for unknown ids.
            let model = if json.is_valid(i) {
                Some(compiled(json.value(i))?)
            } else {
                None
            };
            let lead = if model.is_some() && ids.is_valid(i) {
                ContactId::new(ids.value(i))
                    .ok()
                    .and_then(|id| self.context.contact_position(&id))
                    .and_then(|p| LeadInput::from_dataset(&self.context, p))
            } else {
                None
            };
            let (Some(lead), Some(model)) = (lead, model) else {
                score.push(None);
                grade.push(None);
                reasons.push(None);
                valid.push(false);
                continue;
            };
            let s = model.score(&lead, self.as_of).map_err(|e| {
                DataFusionError::Execution(format!("crm_lead_score: contact {}: {e}", ids.value(i)))
            })?;
            score.push(Some(s.total.to_string()));
            reasons.push(Some(top_reasons(&s)));
            grade.push(s.grade);
            valid.push(true);
        }
        let array = StructArray::try_new(
            score_fields(),
            vec![
                Arc::new(StringArray::from(score)),
                Arc::new(StringArray::from(grade)),
                Arc::new(StringArray::from(reasons)),
            ],
            Some(valid.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}
