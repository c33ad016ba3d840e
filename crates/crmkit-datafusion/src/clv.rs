//! Customer lifetime value in SQL: `crm_rfm`, the RFM summary of a
//! customer's purchases as an aggregate, and `crm_clv`, a fitted
//! BG/NBD + Gamma-Gamma model's prediction for one customer's summary.
//!
//! ```sql
//! -- one summary per customer (frequency, recency, age = T, monetary)
//! SELECT contact, crm_rfm(at, amount, currency) AS rfm FROM purchases GROUP BY contact;
//! -- the prediction from a model fitted in memory (ClvModel::to_json)
//! SELECT contact, crm_clv('{...model...}', 12, rfm.frequency, rfm.recency, rfm.age, rfm.monetary)
//! FROM summaries;
//! ```
//!
//! `crm_rfm` runs [`rfm_from_arrays`] on each customer's purchases (amounts
//! converted to one currency with the exchange rates given to
//! [`RfmFunction::new`], as [`crmkit::predict::rfm_from_dataset`] does), so
//! its fields are those of the in-memory summary. Its partial state is the
//! purchase times and amounts the part saw for that customer — proportional
//! to the input, never to the whole dataset. It is `NULL` for a customer
//! whose first purchase is after the calibration end.
//!
//! The fit itself runs on one node on the per-customer summaries
//! ([`ClvModel::fit`]); crmkit's public API has no fit on weighted groups
//! of identical summaries yet, so the reduction of a billion purchases to a
//! few thousand `(frequency, recency, T)` groups before the fit is not done
//! here (see the crate notes).
//!
//! ```
//! use crmkit::predict::{RfmOptions, TimeUnit};
//! use crmkit::money::Currency;
//! use crmkit_datafusion::clv::RfmFunction;
//!
//! let options = RfmOptions {
//!     unit: TimeUnit::Weeks,
//!     calibration_end: crmkit::sample::SAMPLE_AS_OF,
//!     observation_end: None,
//! };
//! let udaf = RfmFunction::new(options, Currency::new("USD")?, None).into_udaf();
//! assert_eq!(udaf.name(), "crm_rfm");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::compiled::CompiledCache;

use crmkit::money::{Currency, ExchangeRates, Money};
use crmkit::predict::{ClvModel, ClvOptions, Rfm, RfmOptions, rfm_from_arrays};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Float64Array, Int64Array, StringArray, StructArray,
    TimestampMicrosecondArray, UInt32Array,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Float64Type, Int64Type};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

fn exec(what: &str, e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(format!("{what}: {e}"))
}

/// The fields of an RFM summary struct.
pub fn rfm_fields() -> Fields {
    Fields::from(vec![
        Field::new("frequency", DataType::UInt32, false),
        Field::new("recency", DataType::Float64, false),
        Field::new("age", DataType::Float64, false),
        Field::new("monetary", DataType::Float64, false),
    ])
}

/// The `crm_rfm(at, amount, currency)` aggregate.
#[derive(Debug)]
pub struct RfmFunction {
    options: RfmOptions,
    currency: Currency,
    rates: Option<ExchangeRates>,
    signature: Signature,
}

impl PartialEq for RfmFunction {
    fn eq(&self, other: &Self) -> bool {
        self.options == other.options
            && self.currency == other.currency
            && self.rates == other.rates
    }
}

impl Eq for RfmFunction {}

impl Hash for RfmFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.options.calibration_end.hash(state);
        self.currency.hash(state);
    }
}

impl RfmFunction {
    /// Summaries with `options`, amounts converted to `currency` with
    /// `rates` (an amount in another currency without rates is an error).
    pub fn new(
        options: RfmOptions,
        currency: Currency,
        rates: Option<ExchangeRates>,
    ) -> RfmFunction {
        RfmFunction {
            options,
            currency,
            rates,
            signature: Signature::any(3, Volatility::Immutable),
        }
    }

    /// Wraps it for registration.
    pub fn into_udaf(self) -> AggregateUDF {
        AggregateUDF::new_from_impl(self)
    }
}

impl AggregateUDFImpl for RfmFunction {
    fn name(&self) -> &str {
        "crm_rfm"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(rfm_fields()))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(RfmAccumulator {
            options: self.options.clone(),
            currency: self.currency,
            rates: self.rates.clone(),
            purchases: Vec::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let list = |name: &str, item: DataType| {
            Arc::new(Field::new(
                format!("{}[{name}]", args.name),
                DataType::List(Arc::new(Field::new("item", item, true))),
                true,
            ))
        };
        Ok(vec![
            list("at", DataType::Int64),
            list("amount", DataType::Float64),
        ])
    }
}

/// One customer's purchases: (Unix seconds, amount in the target currency).
#[derive(Debug)]
struct RfmAccumulator {
    options: RfmOptions,
    currency: Currency,
    rates: Option<ExchangeRates>,
    purchases: Vec<(i64, f64)>,
}

impl RfmAccumulator {
    fn convert(&self, amount: Decimal, code: &str) -> Result<f64> {
        let currency = Currency::new(code).map_err(|e| exec("crm_rfm: currency", e))?;
        let money = Money::new(amount, currency);
        let converted = if currency == self.currency {
            money
        } else {
            let rates = self.rates.as_ref().ok_or_else(|| {
                exec(
                    "crm_rfm",
                    format!(
                        "cannot convert {currency} to {} without exchange rates",
                        self.currency
                    ),
                )
            })?;
            rates
                .convert(&money, self.currency)
                .map_err(|e| exec("crm_rfm", e))?
        };
        converted
            .amount
            .to_f64()
            .ok_or_else(|| exec("crm_rfm", format!("{converted} does not fit a float")))
    }
}

impl Accumulator for RfmAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [at, amount, currency] = values else {
            return Err(DataFusionError::Plan(
                "crm_rfm: expects (at, amount, currency)".into(),
            ));
        };
        let at = at
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .ok_or_else(|| exec("crm_rfm: at", "expected Timestamp(Microsecond, \"UTC\")"))?;
        let (amount, scale) = match amount.data_type() {
            DataType::Decimal128(_, s) if (0..=28).contains(s) => (
                amount
                    .as_any()
                    .downcast_ref::<Decimal128Array>()
                    .ok_or_else(|| exec("crm_rfm: amount", "expected Decimal128"))?,
                *s as u32,
            ),
            other => {
                return Err(exec(
                    "crm_rfm: amount",
                    format!("expected Decimal128, found {other}"),
                ));
            }
        };
        let currency = datafusion::arrow::compute::cast(currency, &DataType::Utf8)?;
        let currency = currency
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| exec("crm_rfm: currency", "expected text"))?;
        for i in 0..at.len() {
            if at.is_null(i) || amount.is_null(i) || currency.is_null(i) {
                return Err(exec(
                    "crm_rfm",
                    format!("row {i}: null purchase time, amount or currency"),
                ));
            }
            let value = Decimal::try_from_i128_with_scale(amount.value(i), scale)
                .map_err(|e| exec("crm_rfm: amount", e))?;
            let converted = self.convert(value, currency.value(i))?;
            self.purchases
                .push((at.value(i).div_euclid(1_000_000), converted));
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        // One order whatever the split: by time, then amount.
        self.purchases
            .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let times: Vec<i64> = self.purchases.iter().map(|p| p.0).collect();
        let amounts: Vec<f64> = self.purchases.iter().map(|p| p.1).collect();
        let customers = vec![0u32; times.len()];
        let table = rfm_from_arrays(&customers, &times, &amounts, &self.options)
            .map_err(|e| exec("crm_rfm", e))?;
        let Some(row) = table.rows.first() else {
            return ScalarValue::try_from(DataType::Struct(rfm_fields()));
        };
        let array = StructArray::try_new(
            rfm_fields(),
            vec![
                Arc::new(UInt32Array::from(vec![row.rfm.frequency])),
                Arc::new(Float64Array::from(vec![row.rfm.recency])),
                Arc::new(Float64Array::from(vec![row.rfm.age])),
                Arc::new(Float64Array::from(vec![row.rfm.monetary])),
            ],
            None,
        )?;
        Ok(ScalarValue::Struct(Arc::new(array)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.purchases.capacity() * std::mem::size_of::<(i64, f64)>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let times: Vec<ScalarValue> = self
            .purchases
            .iter()
            .map(|p| ScalarValue::Int64(Some(p.0)))
            .collect();
        let amounts: Vec<ScalarValue> = self
            .purchases
            .iter()
            .map(|p| ScalarValue::Float64(Some(p.1)))
            .collect();
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&times, &DataType::Int64)),
            ScalarValue::List(ScalarValue::new_list_nullable(&amounts, &DataType::Float64)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [times, amounts] = states else {
            return Err(DataFusionError::Internal(
                "crm_rfm: state has two columns".into(),
            ));
        };
        let (times, amounts) = (times.as_list::<i32>(), amounts.as_list::<i32>());
        for row in 0..times.len() {
            if times.is_null(row) || amounts.is_null(row) {
                continue;
            }
            let t = times.value(row);
            let a = amounts.value(row);
            let t: &Int64Array = t.as_primitive::<Int64Type>();
            let a: &Float64Array = a.as_primitive::<Float64Type>();
            self.purchases
                .extend(t.values().iter().copied().zip(a.values().iter().copied()));
        }
        Ok(())
    }
}

/// Compiled CLV models of this process, by JSON text.
static MODELS: CompiledCache<ClvModel> = CompiledCache::new();

fn model(json: &str) -> Result<Arc<ClvModel>> {
    MODELS.get_or_compile(json, |json| {
        ClvModel::from_json(json).map_err(|e| exec("crm_clv: model", e))
    })
}

/// The fields of a `crm_clv` result.
pub fn clv_fields() -> Fields {
    Fields::from(vec![
        Field::new("probability_alive", DataType::Float64, false),
        Field::new("expected_purchases", DataType::Float64, false),
        Field::new("expected_spend", DataType::Float64, false),
        Field::new("clv", DataType::Float64, false),
    ])
}

/// `crm_clv(model_json, horizon_months, frequency, recency, age,
/// monetary)`: [`ClvModel::customer_value`] with a monthly discount rate of
/// 1 % ([`ClvOptions`]' default). Models are compiled once per process and
/// cached by their JSON text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ClvFunction {
    signature: Signature,
}

impl Default for ClvFunction {
    fn default() -> Self {
        ClvFunction {
            signature: Signature::any(6, Volatility::Immutable),
        }
    }
}

impl ClvFunction {
    /// Wraps it for registration.
    pub fn into_udf(self) -> ScalarUDF {
        ScalarUDF::new_from_impl(self)
    }
}

fn f64_column(a: &ArrayRef, name: &str) -> Result<Float64Array> {
    let c = datafusion::arrow::compute::cast(a, &DataType::Float64)?;
    c.as_any()
        .downcast_ref::<Float64Array>()
        .cloned()
        .ok_or_else(|| exec("crm_clv", format!("{name} must be a number")))
}

impl ScalarUDFImpl for ClvFunction {
    fn name(&self) -> &str {
        "crm_clv"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(clv_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(n))
            .collect::<Result<_>>()?;
        let [json, horizon, frequency, recency, age, monetary] = arrays.as_slice() else {
            return Err(DataFusionError::Plan(
                "crm_clv: expects (model_json, horizon_months, frequency, recency, age, monetary)"
                    .into(),
            ));
        };
        let json = datafusion::arrow::compute::cast(json, &DataType::Utf8)?;
        let json = json.as_string::<i32>();
        let horizon = datafusion::arrow::compute::cast(horizon, &DataType::UInt32)?;
        let horizon = horizon.as_primitive::<datafusion::arrow::datatypes::UInt32Type>();
        let frequency = datafusion::arrow::compute::cast(frequency, &DataType::UInt32)?;
        let frequency = frequency.as_primitive::<datafusion::arrow::datatypes::UInt32Type>();
        let (recency, age, monetary) = (
            f64_column(recency, "recency")?,
            f64_column(age, "age")?,
            f64_column(monetary, "monetary")?,
        );
        let mut out: [Vec<Option<f64>>; 4] = Default::default();
        let mut valid = Vec::with_capacity(n);
        for i in 0..n {
            let present = [json.is_valid(i), horizon.is_valid(i), frequency.is_valid(i)]
                .into_iter()
                .chain([recency.is_valid(i), age.is_valid(i), monetary.is_valid(i)])
                .all(|v| v);
            if !present {
                // Masked by the struct's null; the fields themselves are not nullable.
                out.iter_mut().for_each(|c| c.push(Some(0.0)));
                valid.push(false);
                continue;
            }
            let m = model(json.value(i))?;
            let options = ClvOptions {
                horizon_months: horizon.value(i),
                ..ClvOptions::default()
            };
            let rfm = Rfm {
                frequency: frequency.value(i),
                recency: recency.value(i),
                age: age.value(i),
                monetary: monetary.value(i),
            };
            let v = m
                .customer_value(&rfm, &options)
                .map_err(|e| exec("crm_clv", format!("row {i}: {e}")))?;
            for (c, x) in out.iter_mut().zip([
                v.probability_alive,
                v.expected_purchases,
                v.expected_spend,
                v.clv,
            ]) {
                c.push(Some(x));
            }
            valid.push(true);
        }
        let [p, e, s, c] = out;
        let array = StructArray::try_new(
            clv_fields(),
            vec![
                Arc::new(Float64Array::from(p)),
                Arc::new(Float64Array::from(e)),
                Arc::new(Float64Array::from(s)),
                Arc::new(Float64Array::from(c)),
            ],
            Some(valid.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}
