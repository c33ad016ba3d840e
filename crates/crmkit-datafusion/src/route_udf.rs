//! `crm_route`: the automation decision for a deal row, e.g. the $500
//! routing, as a DataFusion scalar function.
//!
//! ```sql
//! SELECT d.id, crm_route('{"rules": [...]}', d.id, d.contact, d.pipeline, d.stage,
//!                        d.amount, d.currency, d.created_at, d.owner) AS route
//! FROM deals d
//! ```
//!
//! The first argument is a rule-set JSON document (a literal or a column);
//! the others are deal columns matched **by name** to
//! [`schema::deals`](crate::schema::deals). At planning time the deal
//! columns are packed into one `named_struct` of those names (see
//! [`RouteFunction`]'s `simplify`), so the names survive the physical plan:
//! a Parquet scan that knows from its statistics that a file has one value
//! in a column (one pipeline, say) replaces that column by a literal, which
//! has no column name, and a plan shipped to Ballista executors is rebuilt
//! there. Each row is evaluated as the
//! `deal_created` event of that deal at its `created_at`, with a fresh
//! enrollment state — what [`RuleSet::dry_run`] does over every deal's
//! creation. The result is a struct `{rule, branch, action}`: the first
//! action's rule, branch and effect type (`create_task`,
//! `enroll_in_campaign`), or `NULL` when no rule acts.
//!
//! Rule sets are compiled once per process and kept in a cache keyed by
//! their JSON text, so a rule set given as a literal travels with the plan
//! and is compiled once on each executor. A rule set that fails to compile
//! is a query error carrying crmkit's message, which names the JSON path.
//!
//! Records a deal refers to (its contact and company, pipelines, reps,
//! campaigns, exchange rates) come from the context dataset given to
//! [`RouteFunction::new`]; each batch is evaluated against a snapshot of
//! that configuration, the contacts its deals name and its own deals.
//!
//! ```
//! use std::sync::Arc;
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::route_udf::RouteFunction;
//!
//! let ds = generate(&SampleConfig { contacts: 30, ..SampleConfig::default() })?;
//! let udf = RouteFunction::new(Arc::new(ds)).into_udf();
//! assert_eq!(udf.name(), "crm_route");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crmkit::automation::{EnrollmentState, Event, RuleSet};
use crmkit::model::{Dataset, DatasetParts};
use datafusion::arrow::array::{Array, ArrayRef, StringArray, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility, lit,
};

use crate::compiled::CompiledCache;
use crate::read;

/// Compiled rule sets of this process, by JSON text.
static RULE_SETS: CompiledCache<RuleSet> = CompiledCache::new();

/// The compiled rule set for `json`, compiled on first use.
///
/// # Errors
///
/// crmkit's compile error (naming the JSON path) as an execution error.
pub fn compiled(json: &str) -> Result<Arc<RuleSet>> {
    RULE_SETS.get_or_compile(json, |json| {
        RuleSet::from_json(json)
            .map_err(|e| DataFusionError::Execution(format!("crm_route: rule set: {e}")))
    })
}

fn result_fields() -> Fields {
    Fields::from(vec![
        Field::new("rule", DataType::Utf8, true),
        Field::new("branch", DataType::Utf8, true),
        Field::new("action", DataType::Utf8, true),
    ])
}

/// The `crm_route` scalar function over one context dataset.
#[derive(Debug)]
pub struct RouteFunction {
    context: Arc<Dataset>,
    signature: Signature,
}

impl PartialEq for RouteFunction {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.context, &other.context)
    }
}

impl Eq for RouteFunction {}

impl Hash for RouteFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.context).hash(state);
    }
}

impl RouteFunction {
    /// The function over `context` (its configuration and contacts; its
    /// deals are not used).
    pub fn new(context: Arc<Dataset>) -> RouteFunction {
        RouteFunction {
            context,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }

    /// Wraps it for registration (`ctx.register_udf(...)`).
    pub fn into_udf(self) -> ScalarUDF {
        ScalarUDF::new_from_impl(self)
    }

    /// The snapshot a batch of deals is evaluated against.
    fn snapshot(&self, deals: Vec<crmkit::model::Deal>) -> Result<Dataset> {
        let ctx = &self.context;
        let contact_ids: BTreeSet<_> = deals.iter().map(|d| d.contact.clone()).collect();
        let contacts: Vec<_> = contact_ids
            .iter()
            .filter_map(|id| ctx.contact(id).cloned())
            .collect();
        let company_ids: BTreeSet<_> = contacts
            .iter()
            .filter_map(|c| c.company.clone())
            .chain(deals.iter().filter_map(|d| d.company.clone()))
            .collect();
        let companies = company_ids
            .iter()
            .filter_map(|id| ctx.company(id).cloned())
            .collect();
        let parts = DatasetParts {
            reporting_currency: ctx.reporting_currency(),
            exchange_rates: ctx.exchange_rates().cloned(),
            fiscal_calendar: *ctx.fiscal_calendar(),
            contacts,
            companies,
            pipelines: ctx.pipelines().to_vec(),
            deals,
            activities: Vec::new(),
            campaigns: ctx.campaigns().to_vec(),
            tickets: Vec::new(),
            tasks: Vec::new(),
            reps: ctx.reps().to_vec(),
            teams: ctx.teams().to_vec(),
            spend: Vec::new(),
        };
        Dataset::new(parts).map_err(|e| DataFusionError::Execution(format!("crm_route: {e}")))
    }
}

impl ScalarUDFImpl for RouteFunction {
    fn name(&self) -> &str {
        "crm_route"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(result_fields()))
    }

    /// Packs two or more deal columns into one `named_struct` carrying
    /// their names (a column's name, an alias, or the last dotted part of
    /// an expression's name), while they are still column references.
    /// Left as it is: a single deal argument (already a struct, or one
    /// column) and arguments with repeated names.
    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        if args.len() < 3 {
            return Ok(ExprSimplifyResult::Original(args));
        }
        let names: Vec<String> = args.iter().skip(1).map(argument_name).collect();
        if names.iter().collect::<BTreeSet<_>>().len() != names.len() {
            return Ok(ExprSimplifyResult::Original(args));
        }
        let mut args = args.into_iter();
        let Some(rules) = args.next() else {
            return Ok(ExprSimplifyResult::Original(Vec::new()));
        };
        let mut pairs = Vec::with_capacity(2 * names.len());
        for (name, column) in names.into_iter().zip(args) {
            pairs.push(lit(name));
            pairs.push(column);
        }
        let packed = datafusion::functions::core::named_struct().call(pairs);
        let udf = Arc::new(RouteFunction::new(Arc::clone(&self.context)).into_udf());
        Ok(ExprSimplifyResult::Simplified(Expr::ScalarFunction(
            ScalarFunction::new_udf(udf, vec![rules, packed]),
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(n))
            .collect::<Result<_>>()?;
        let Some((rules_column, deal_columns)) = arrays.split_first() else {
            return Err(DataFusionError::Plan(
                "crm_route: expects a rule set and deal columns".into(),
            ));
        };
        let rules_text = datafusion::arrow::compute::cast(rules_column, &DataType::Utf8)?;
        let rules_text = rules_text
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| DataFusionError::Plan("crm_route: the rule set must be text".into()))?;
        let batch = match deal_columns {
            // The deal columns packed by `simplify`: the names are the
            // struct's field names.
            [packed] if matches!(packed.data_type(), DataType::Struct(_)) => {
                let packed = packed
                    .as_any()
                    .downcast_ref::<StructArray>()
                    .ok_or_else(|| {
                        DataFusionError::Internal("crm_route: deal struct is not a struct".into())
                    })?;
                RecordBatch::from(packed)
            }
            _ => {
                let fields: Vec<Field> = args
                    .arg_fields
                    .iter()
                    .skip(1)
                    .map(|f| {
                        let name = f.name().rsplit('.').next().unwrap_or(f.name());
                        Field::new(name, f.data_type().clone(), true)
                    })
                    .collect();
                RecordBatch::try_new(Arc::new(Schema::new(fields)), deal_columns.to_vec())?
            }
        };
        let deals = read::deals(&[batch], "crm_route deals")?;
        let ids: Vec<_> = deals.iter().map(|d| d.id.clone()).collect();
        let snapshot = self.snapshot(deals)?;
        let state = EnrollmentState::default();
        let (mut rule, mut branch, mut action) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (i, id) in ids.iter().enumerate() {
            let deal = snapshot.deal(id).ok_or_else(|| {
                DataFusionError::Execution(format!(
                    "crm_route: deal {id} missing from its snapshot"
                ))
            })?;
            let first = if rules_text.is_valid(i) {
                let rules = compiled(rules_text.value(i))?;
                let event = Event::deal_created(deal);
                let evaluation = rules
                    .evaluate(&event, &snapshot, &state, deal.created_at)
                    .map_err(|e| {
                        DataFusionError::Execution(format!("crm_route: deal {}: {e}", deal.id))
                    })?;
                evaluation.actions.into_iter().next()
            } else {
                None
            };
            match first {
                Some(a) => {
                    let kind = match serde_json::to_value(&a.effect) {
                        Ok(serde_json::Value::Object(o)) => {
                            o.get("type").and_then(|t| t.as_str()).map(str::to_string)
                        }
                        _ => None,
                    };
                    rule.push(Some(a.rule.to_string()));
                    branch.push(Some(a.branch.to_string()));
                    action.push(kind);
                }
                None => {
                    rule.push(None);
                    branch.push(None);
                    action.push(None);
                }
            }
        }
        let nulls: Vec<bool> = rule.iter().map(Option::is_some).collect();
        let result = StructArray::try_new(
            result_fields(),
            vec![
                Arc::new(StringArray::from(rule)),
                Arc::new(StringArray::from(branch)),
                Arc::new(StringArray::from(action)),
            ],
            Some(nulls.into()),
        )?;
        if n == 1
            && args
                .args
                .iter()
                .all(|a| matches!(a, ColumnarValue::Scalar(_)))
        {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?));
        }
        Ok(ColumnarValue::Array(Arc::new(result)))
    }
}

/// The deal column name an argument stands for.
fn argument_name(arg: &Expr) -> String {
    match arg {
        Expr::Column(c) => c.name.clone(),
        Expr::Alias(a) => a.name.clone(),
        other => {
            let name = other.schema_name().to_string();
            name.rsplit('.').next().unwrap_or(&name).to_string()
        }
    }
}
