//! Customer lifetime value (BG/NBD + Gamma-Gamma, as in `lifetimes`) over
//! NumPy arrays: fit on per-customer frequency, recency, age (T) and mean
//! repeat spend, predict the same arrays. The GIL is released while fitting
//! and predicting.

use crmkit::Error;
use crmkit::predict::{ClvFitOptions, ClvModel, ClvOptions, Rfm, TimeUnit};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::errors::{IntoPy, json, to_py};

/// A fitted CLV model (`crmkit::predict::ClvModel`).
#[pyclass(frozen, name = "ClvModel", module = "crmkit._native")]
pub struct PyClvModel {
    inner: ClvModel,
}

fn customers(
    frequency: &PyReadonlyArray1<'_, u32>,
    recency: &PyReadonlyArray1<'_, f64>,
    age: &PyReadonlyArray1<'_, f64>,
    monetary: &PyReadonlyArray1<'_, f64>,
) -> PyResult<Vec<Rfm>> {
    let slices = (
        frequency.as_slice(),
        recency.as_slice(),
        age.as_slice(),
        monetary.as_slice(),
    );
    let (Ok(f), Ok(r), Ok(t), Ok(m)) = slices else {
        return Err(to_py(Error::invalid(
            "customers",
            "the arrays are not contiguous (pass numpy.ascontiguousarray(...))",
        )));
    };
    if r.len() != f.len() || t.len() != f.len() || m.len() != f.len() {
        return Err(to_py(Error::invalid(
            "customers",
            format!(
                "the arrays differ in length: frequency {}, recency {}, T {}, monetary {}",
                f.len(),
                r.len(),
                t.len(),
                m.len()
            ),
        )));
    }
    Ok(f.iter()
        .zip(r)
        .zip(t)
        .zip(m)
        .map(|(((&frequency, &recency), &age), &monetary)| Rfm {
            frequency,
            recency,
            age,
            monetary,
        })
        .collect())
}

fn unit(unit: &str) -> PyResult<TimeUnit> {
    match unit {
        "days" => Ok(TimeUnit::Days),
        "weeks" => Ok(TimeUnit::Weeks),
        other => Err(to_py(Error::invalid(
            "unit",
            format!("expected \"days\" or \"weeks\", found {other:?}"),
        ))),
    }
}

/// Probability alive, expected purchases and discounted CLV per customer.
type Predictions<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

#[pymethods]
impl PyClvModel {
    /// Fits both models to customers given as arrays (see the Python docs).
    #[staticmethod]
    fn fit(
        py: Python<'_>,
        frequency: PyReadonlyArray1<'_, u32>,
        recency: PyReadonlyArray1<'_, f64>,
        age: PyReadonlyArray1<'_, f64>,
        monetary: PyReadonlyArray1<'_, f64>,
        time_unit: &str,
    ) -> PyResult<PyClvModel> {
        let customers = customers(&frequency, &recency, &age, &monetary)?;
        let options = ClvFitOptions {
            unit: unit(time_unit)?,
            ..ClvFitOptions::default()
        };
        let inner = py.detach(|| ClvModel::fit(&customers, &options)).py_err()?;
        Ok(PyClvModel { inner })
    }

    /// Reads a model from its JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<PyClvModel> {
        Ok(PyClvModel {
            inner: ClvModel::from_json(text).py_err()?,
        })
    }

    /// The model's JSON form (unit, parameters, convergence).
    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json().py_err()
    }

    /// The fitted parameters and fit details as JSON (same as `to_json`).
    fn params_json(&self) -> PyResult<String> {
        json(&self.inner)
    }

    /// Predicts customers given as arrays over `horizon_months` at
    /// `monthly_discount_rate`.
    #[allow(clippy::too_many_arguments)]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        frequency: PyReadonlyArray1<'py, u32>,
        recency: PyReadonlyArray1<'py, f64>,
        age: PyReadonlyArray1<'py, f64>,
        monetary: PyReadonlyArray1<'py, f64>,
        horizon_months: u32,
        monthly_discount_rate: f64,
    ) -> PyResult<Predictions<'py>> {
        let customers = customers(&frequency, &recency, &age, &monetary)?;
        let options = ClvOptions {
            horizon_months,
            monthly_discount_rate,
        };
        let (alive, purchases, clv) = py
            .detach(|| {
                let n = customers.len();
                let (mut alive, mut purchases, mut clv) = (
                    Vec::with_capacity(n),
                    Vec::with_capacity(n),
                    Vec::with_capacity(n),
                );
                for (i, customer) in customers.iter().enumerate() {
                    let value = self
                        .inner
                        .customer_value(customer, &options)
                        .map_err(|e| e.with_path_prefix(&format!("customers[{i}]")))?;
                    alive.push(value.probability_alive);
                    purchases.push(value.expected_purchases);
                    clv.push(value.clv);
                }
                Ok::<_, Error>((alive, purchases, clv))
            })
            .py_err()?;
        Ok((
            PyArray1::from_vec(py, alive),
            PyArray1::from_vec(py, purchases),
            PyArray1::from_vec(py, clv),
        ))
    }
}

/// Adds the classes of this file to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyClvModel>()?;
    Ok(())
}
