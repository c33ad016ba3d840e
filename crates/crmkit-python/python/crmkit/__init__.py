"""crmkit: CRM domain logic — lead scoring, automation rules (the $500 deal
routing), KPI reports, SMART goals, customer lifetime value, propensity
models, RFM and the ideal-customer profile, journeys, experiments and
multi-touch attribution — compiled from Rust, with exact money and
NumPy/pandas in and out.

>>> import datetime, crmkit
>>> rules = crmkit.RuleSet.usd_500_routing()
>>> dataset = crmkit.Dataset.from_json({"contacts": []})
>>> dataset.counts()["contacts"]
0

Money is :class:`Money` (``decimal.Decimal`` and a currency), never float;
instants are timezone-aware :class:`datetime.datetime`; every error is a
:class:`CrmError` whose subclass names its kind and whose ``path`` names the
place in the input. Engines are immutable and may be shared between
threads; batch work releases the GIL.
"""

from ._analytics import (
    FeatureEffect,
    LeadPrediction,
    PropensityModel,
    RfmRow,
    RfmTable,
    analyze_experiment,
    at_risk,
    at_risk_from_report,
    attribution_report,
    clv_report,
    cohort_report,
    dataset_attribution_report,
    ideal_customer_profile,
    rfm,
    rfm_from_arrays,
    rfm_segments,
    sample_size,
    segment_members,
)
from ._automation import Action, Boundary, Evaluation, RuleSet
from ._clv import ClvModel, ClvPrediction, TimeUnit
from ._convert import JsonInput, Money
from ._dataset import Dataset
from ._errors import (
    CrmError,
    CurrencyMismatchError,
    InvalidError,
    JsonError,
    NotFoundError,
    NumericalError,
    OverflowError,
    ProtectedAttributeError,
    UnsupportedError,
)
from ._goals import Criterion, GoalReport, Locale, Reason, goal_progress, validate_goal
from ._journeys import Journey, JourneyAdvance
from ._kpi import (
    KpiReport,
    KpiRow,
    KpiValue,
    compute_kpis,
    compute_kpis_request,
    kpi_catalog,
    kpi_time_series,
    pipeline_report,
)
from ._native import __version__
from ._record import Record
from ._scoring import (
    EVENT_DTYPE,
    MISSING,
    SCORE_DTYPE,
    STAGE_CODES,
    UNITS_PER_POINT,
    BatchScores,
    Contribution,
    LeadScore,
    ScoringModel,
    batch_events,
)

__all__ = [
    "Action",
    "BatchScores",
    "Boundary",
    "ClvModel",
    "ClvPrediction",
    "Contribution",
    "Criterion",
    "CrmError",
    "CurrencyMismatchError",
    "Dataset",
    "EVENT_DTYPE",
    "Evaluation",
    "FeatureEffect",
    "GoalReport",
    "InvalidError",
    "Journey",
    "JourneyAdvance",
    "JsonError",
    "JsonInput",
    "KpiReport",
    "KpiRow",
    "KpiValue",
    "LeadPrediction",
    "LeadScore",
    "Locale",
    "MISSING",
    "Money",
    "NotFoundError",
    "NumericalError",
    "OverflowError",
    "PropensityModel",
    "ProtectedAttributeError",
    "Reason",
    "Record",
    "RfmRow",
    "RfmTable",
    "RuleSet",
    "SCORE_DTYPE",
    "STAGE_CODES",
    "ScoringModel",
    "TimeUnit",
    "UNITS_PER_POINT",
    "UnsupportedError",
    "__version__",
    "analyze_experiment",
    "at_risk",
    "at_risk_from_report",
    "attribution_report",
    "batch_events",
    "clv_report",
    "cohort_report",
    "compute_kpis",
    "compute_kpis_request",
    "dataset_attribution_report",
    "goal_progress",
    "ideal_customer_profile",
    "kpi_catalog",
    "kpi_time_series",
    "pipeline_report",
    "rfm",
    "rfm_from_arrays",
    "rfm_segments",
    "sample_size",
    "segment_members",
    "validate_goal",
]
