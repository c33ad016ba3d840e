"""Propensity models (train, predict, explain), RFM summaries, the
ideal-customer profile, experiments (analysis, sample size) and multi-touch
attribution. Requests are the core's JSON documents (dicts or text; the
shapes of ``docs/json.md`` and the ``crmkit::predict``,
``crmkit::experiments`` and ``crmkit::attribution`` docs); results are
dataclasses or read-only :class:`Record` objects with money as
:class:`Money` and instants as aware datetimes."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from . import _native
from ._convert import JsonInput, Money, format_instant, parse_money, to_json, unix_seconds
from ._dataset import Dataset
from ._errors import InvalidError, NotFoundError
from ._record import Record, record, records


@dataclasses.dataclass(frozen=True)
class FeatureEffect:
    """How one feature moved a propensity prediction.

    Attributes:
        feature: the feature (``company.industry``, ``activity_count:meeting``...).
        value: the lead's value of it, as text (a category or a bin).
        effect: its log-odds contribution (positive raises the probability).
    """

    feature: str
    value: str
    effect: float


@dataclasses.dataclass(frozen=True)
class LeadPrediction:
    """One open lead's predicted chance to be won.

    Attributes:
        deal: the open deal, or None for a lead contact without a deal.
        contact: the contact.
        probability: the chance the deal is won (0..1).
        expected_value: probability times the deal value, exact, in the
            model currency.
        contributions: the explanation, one entry per feature.
        uses_protected: whether the model uses a protected attribute.
    """

    deal: Optional[str]
    contact: str
    probability: float
    expected_value: Money
    contributions: list[FeatureEffect]
    uses_protected: bool

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "LeadPrediction":
        """Builds a prediction from the engine's JSON object."""
        money = parse_money(doc["expected_value"])
        assert money is not None
        return cls(
            deal=doc.get("deal"),
            contact=doc["contact"],
            probability=float(doc["probability"]),
            expected_value=money,
            contributions=[
                FeatureEffect(c["feature"], str(c["value"]), float(c["effect"]))
                for c in doc.get("contributions", [])
            ],
            uses_protected=bool(doc.get("uses_protected", False)),
        )


class PropensityModel:
    """A trained propensity model (``crmkit::predict::PropensityModel``):
    naive Bayes or logistic regression on deals won and lost, immutable and
    shareable between threads.

    >>> model = PropensityModel.train(dataset, {"model": "logistic",   # doctest: +SKIP
    ...     "features": [{"type": "category", "field": "company.industry"}]}, as_of)
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.PropensityModel) -> None:
        """Wraps a native model; use :meth:`train` or :meth:`from_json`."""
        self._native = native

    @classmethod
    def train(cls, dataset: Dataset, spec: JsonInput, as_of: datetime.datetime) -> "PropensityModel":
        """Trains on the deals of `dataset` closed at or before `as_of`
        (won = positive) from a spec: ``model`` (``naive_bayes`` or
        ``logistic``), ``features``, ``holdout_percent``, ``allow_protected``...

        Raises:
            ProtectedAttributeError: a protected attribute not allowed.
            InvalidError: a bad spec, or no won or no lost deal to learn from.
        """
        return cls(
            _native.PropensityModel.train(
                dataset._native, to_json(spec, "spec"), unix_seconds(as_of, "as_of")
            )
        )

    @classmethod
    def from_json(cls, text: JsonInput) -> "PropensityModel":
        """Loads a model saved with :meth:`to_json`."""
        return cls(_native.PropensityModel.from_json(to_json(text, "model")))

    def to_json(self) -> str:
        """The model's JSON form, to store and load back (opaque)."""
        return self._native.to_json()

    @property
    def training(self) -> Record:
        """The training summary: example counts, the hold-out evaluation
        (AUC, log loss, lift and calibration tables) and the mean won value."""
        doc = json.loads(self._native.to_json())
        return Record(doc["training"])

    def predict(self, dataset: Dataset, as_of: datetime.datetime) -> list[LeadPrediction]:
        """Every open lead of `dataset` (each open deal, and each lead
        contact without an open deal), highest probability first, each with
        its explanation."""
        text = self._native.predict_json(dataset._native, unix_seconds(as_of, "as_of"))
        return [LeadPrediction.from_dict(doc) for doc in json.loads(text)]

    def explain(
        self,
        dataset: Dataset,
        as_of: datetime.datetime,
        *,
        deal: Optional[str] = None,
        contact: Optional[str] = None,
    ) -> LeadPrediction:
        """The prediction of one open deal (or of a lead contact without a
        deal), with the feature contributions that explain it.

        Raises:
            NotFoundError: no open lead with that deal or contact.
        """
        if (deal is None) == (contact is None):
            raise InvalidError("give exactly one of deal= or contact=", "invalid", "deal")
        for prediction in self.predict(dataset, as_of):
            if (deal is not None and prediction.deal == deal) or (
                contact is not None and prediction.deal is None and prediction.contact == contact
            ):
                return prediction
        raise NotFoundError(
            f"no open lead with {'deal' if deal else 'contact'} {deal or contact!r}",
            "not_found",
            "deal" if deal else "contact",
        )

    def __repr__(self) -> str:
        return f"PropensityModel(model={json.loads(self.to_json())['spec'].get('model')!r})"


@dataclasses.dataclass(frozen=True)
class RfmRow:
    """One customer's recency, frequency and monetary value (the lifetimes
    convention: repeat purchases, periods of the table's unit).

    Attributes:
        customer: the contact id (from a dataset) or the customer index (arrays).
        frequency: repeat purchases in the calibration period.
        recency: age at the last purchase (0 without repeat purchases).
        age: time from the first purchase to the calibration end (T).
        monetary: mean repeat purchase value (0 without repeats).
        holdout_frequency: purchases in the hold-out period.
        holdout_monetary: mean purchase value in the hold-out period.
    """

    customer: Union[str, int]
    frequency: int
    recency: float
    age: float
    monetary: float
    holdout_frequency: int
    holdout_monetary: float


@dataclasses.dataclass(frozen=True)
class RfmTable:
    """An RFM summary (``crmkit::predict::RfmTable``), the input of
    :meth:`ClvModel.fit`.

    Attributes:
        unit: ``days``, ``weeks`` (days / 7) or ``calendar_weeks``.
        holdout_length: the hold-out period's length in units.
        currency: the currency of the monetary values (None for arrays).
        rows: one row per customer.
    """

    unit: str
    holdout_length: float
    currency: Optional[str]
    rows: list[RfmRow]

    def __len__(self) -> int:
        """The number of customers."""
        return len(self.rows)

    def arrays(self) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64],
                              npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(frequency, recency, age, monetary)`` as NumPy arrays, the
        arguments of :meth:`ClvModel.fit`."""
        return (
            np.array([r.frequency for r in self.rows], dtype=np.uint32),
            np.array([r.recency for r in self.rows], dtype=np.float64),
            np.array([r.age for r in self.rows], dtype=np.float64),
            np.array([r.monetary for r in self.rows], dtype=np.float64),
        )

    def to_pandas(self) -> Any:
        """A pandas DataFrame, one row per customer."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(r) for r in self.rows])


def _rfm_table(doc: dict[str, Any], currency: Optional[str],
               names: Optional[Sequence[str]]) -> RfmTable:
    rows = []
    for position, row in enumerate(doc["rows"]):
        index = int(row["customer"])
        # A dataset's table names the contact of each row, in row order.
        rows.append(RfmRow(
            customer=names[position] if names is not None and position < len(names) else index,
            frequency=int(row["frequency"]),
            recency=float(row["recency"]),
            age=float(row["age"]),
            monetary=float(row["monetary"]),
            holdout_frequency=int(row.get("holdout_frequency", 0)),
            holdout_monetary=float(row.get("holdout_monetary", 0.0)),
        ))
    return RfmTable(str(doc["unit"]), float(doc["holdout_length"]), currency, rows)


def _rfm_options(unit: str, calibration_end: datetime.datetime,
                 observation_end: Optional[datetime.datetime]) -> str:
    options: dict[str, Any] = {
        "unit": unit,
        "calibration_end": format_instant(calibration_end, "calibration_end"),
    }
    if observation_end is not None:
        options["observation_end"] = format_instant(observation_end, "observation_end")
    return json.dumps(options)


def rfm(
    dataset: Dataset,
    calibration_end: datetime.datetime,
    *,
    observation_end: Optional[datetime.datetime] = None,
    unit: str = "days",
    currency: Optional[str] = None,
) -> RfmTable:
    """The RFM summary of the purchases in `dataset` up to
    `calibration_end` (hold-out purchases up to `observation_end`), amounts
    converted to `currency` (default: the dataset's reporting currency)
    with the dataset's exchange rates; customers are contact ids.

    Raises:
        CurrencyMismatchError: a purchase in a currency without a rate.
        InvalidError: `observation_end` before `calibration_end`, a bad unit.
    """
    options = _rfm_options(unit, calibration_end, observation_end)
    doc = json.loads(_native.rfm_dataset_json(dataset._native, options, currency))
    return _rfm_table(doc["table"], str(doc["currency"]), list(doc["contacts"]))


def rfm_from_arrays(
    customers: npt.ArrayLike,
    at: npt.ArrayLike,
    amounts: npt.ArrayLike,
    calibration_end: datetime.datetime,
    *,
    observation_end: Optional[datetime.datetime] = None,
    unit: str = "days",
) -> RfmTable:
    """The RFM summary of purchases given as arrays: dense customer indices
    (0..N), instants (``datetime64`` or Unix seconds) and non-negative
    amounts; customers are their indices.

    Raises:
        InvalidError: arrays of different lengths, negative or NaN amounts
            (the path names the element, ``amounts[3]``).
    """
    at_array = np.asarray(at)
    if at_array.dtype.kind == "M":
        at_array = at_array.astype("datetime64[s]").astype(np.int64)
    try:
        customer_array = np.ascontiguousarray(customers, dtype=np.uint32)
        seconds = np.ascontiguousarray(at_array, dtype=np.int64)
        amount_array = np.ascontiguousarray(amounts, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidError(f"the purchase arrays cannot be read: {err}", "invalid",
                           "purchases") from None
    options = _rfm_options(unit, calibration_end, observation_end)
    doc = json.loads(_native.rfm_arrays_json(customer_array, seconds, amount_array, options))
    return _rfm_table(doc, None, None)


def ideal_customer_profile(dataset: Dataset, spec: JsonInput,
                           as_of: datetime.datetime) -> Record:
    """The ideal-customer profile (or churn indicators) of the customers of
    `dataset` up to `as_of`: which feature values are over-represented
    among the best (``{"outcome": {"type": "top_revenue", "fraction":
    0.2}, "features": [...]}``) or churned customers, with support and lift.

    Raises:
        InvalidError: a bad spec.
        ProtectedAttributeError: a protected attribute not allowed.
    """
    return record(_native.profile_json(dataset._native, to_json(spec, "spec"),
                                       unix_seconds(as_of, "as_of")))


def analyze_experiment(request: JsonInput) -> Record:
    """Analyses an A/B test (``crmkit::experiments::ExperimentRequest``:
    ``{"metric": "conversion", "arms": [{"name", "visitors",
    "conversions"}, ...]}``): the test (two-proportion z-test, Welch t,
    chi-square, Bayesian), effect with interval, sample-ratio check and a
    verdict with its code.

    Raises:
        InvalidError: e.g. an arm without visitors (path ``arms[0].visitors``).
    """
    return record(_native.experiment_analyze_json(to_json(request, "request")))


def sample_size(request: JsonInput) -> Record:
    """Plans an experiment (``crmkit::experiments::SampleSizeRequest``:
    ``{"metric": "conversion", "baseline": 0.1, "effect": {"relative":
    0.2}}``): visitors per arm and in total, or the detectable effect.

    Raises:
        InvalidError: a baseline outside 0..1, a bad power or alpha.
    """
    return record(_native.sample_size_json(to_json(request, "request")))


def attribution_report(request: JsonInput) -> Record:
    """The multi-touch attribution report (``crmkit::attribution``:
    ``{"currency", "models": [{"model": "linear"}, {"model": "markov"},
    ...], "journeys": [{"touches": [{"channel", "at"}], "conversions",
    "value"}]}``): credit per channel and model, exact, with the Markov
    removal effects.

    Raises:
        InvalidError: no model, bad journeys (the path names the element).
    """
    return record(_native.attribution_report_json(to_json(request, "request")))


def dataset_attribution_report(dataset: Dataset, request: JsonInput) -> Record:
    """Attribution over the touches and conversions recorded in `dataset`
    (``crmkit::attribution::DatasetAttributionRequest``: ``{"conversion":
    {"event": "won_deal"}, "as_of": "...", "lookback_days": 90, "models":
    [{"model": "markov"}, ...]}``): touches are source campaigns, e-mail
    clicks and visits or forms with a campaign or UTM tags (else
    ``direct``); credit per channel and per campaign, with revenue, ROI and
    cost per acquisition against campaign spend.

    Raises:
        InvalidError: a bad request (the path names the member).
        CurrencyMismatchError: a conversion value without an exchange rate.
    """
    return record(_native.dataset_attribution_json(dataset._native, to_json(request, "request")))


def cohort_report(dataset: Dataset, request: JsonInput) -> Record:
    """The cohort retention table of `dataset`
    (``crmkit::segments::CohortRequest``: ``{"as_of": "...", "granularity":
    "quarter"}``): customers grouped by the period of their first won deal
    or purchase, and per later period the share still active (numerator and
    denominator) and their exact revenue.

    Raises:
        InvalidError: a bad request (the path names the member).
    """
    return record(_native.cohort_report_json(dataset._native, to_json(request, "request")))


def rfm_segments(dataset: Dataset, request: JsonInput) -> Record:
    """RFM quintile scores (ties share the lower score) and the 11 named
    segments (champions ... lost) of `dataset`'s customers
    (``crmkit::segments::RfmSegmentRequest``: ``{"as_of": "..."}``).

    Raises:
        InvalidError: a bad request (the path names the member).
    """
    return record(_native.rfm_segments_json(dataset._native, to_json(request, "request")))


def segment_members(dataset: Dataset, request: JsonInput) -> Record:
    """The members of a saved segment (a rules-engine condition on contact
    and company fields) as of a time, and with ``since`` who entered and
    left (``crmkit::segments::SegmentRequest``).

    Raises:
        InvalidError: a condition on deal, ticket or event fields, a bad
            request (the path names the member).
    """
    return record(_native.segment_members_json(dataset._native, to_json(request, "request")))


def clv_report(dataset: Dataset, as_of: datetime.datetime,
               options: Optional[JsonInput] = None) -> Record:
    """The CLV report of `dataset` as of `as_of`
    (``crmkit::predict::ClvReportOptions``: ``{"fit": {...}, "clv":
    {"horizon_months": 12, ...}, "currency": "USD"}``): the purchases
    summarised per customer, BG/NBD and Gamma-Gamma fitted, and every
    customer's probability alive, expected purchases and value (Money).

    Raises:
        CurrencyMismatchError: a purchase in a currency without a rate.
        NumericalError: data that cannot identify the models.
    """
    text = to_json(options if options is not None else {}, "options")
    return record(_native.clv_report_json(dataset._native, unix_seconds(as_of, "as_of"), text))


def at_risk(dataset: Dataset, as_of: datetime.datetime, threshold: float, limit: int,
            options: Optional[JsonInput] = None) -> list[Record]:
    """The customers most at risk as of `as_of`: probability alive below
    `threshold` (in ``(0, 1]``), ranked by probability alive x value if
    retained, at most `limit`; customers without a repeat purchase are never
    flagged (BG/NBD considers them alive).

    Raises:
        InvalidError: a threshold outside ``(0, 1]``.
        NumericalError: data that cannot identify the models.
    """
    text = to_json(options if options is not None else {}, "options")
    return records(_native.at_risk_json(dataset._native, unix_seconds(as_of, "as_of"), text,
                                        threshold, limit))


def at_risk_from_report(report: Record, threshold: float, limit: int) -> list[Record]:
    """The customers most at risk in a report of :func:`clv_report`, ranked
    as :func:`at_risk` ranks them, without fitting the models again (call
    this when you already hold the report).

    Raises:
        InvalidError: a threshold outside ``(0, 1]``, or a report that is not
            one of :func:`clv_report` (the path names the field).
        JsonError: a report that is not a JSON object.
    """
    return records(_native.at_risk_from_report_json(report.to_json(), threshold, limit))
