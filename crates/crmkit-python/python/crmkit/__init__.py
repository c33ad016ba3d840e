"""crmkit: CRM domain logic — lead scoring, automation rules (the $500 deal
routing), KPI reports, SMART goals and customer lifetime value — compiled
from Rust, with exact money and NumPy/pandas in and out.

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
    "CrmError",
    "Criterion",
    "CurrencyMismatchError",
    "Dataset",
    "EVENT_DTYPE",
    "Evaluation",
    "GoalReport",
    "InvalidError",
    "JsonError",
    "JsonInput",
    "KpiReport",
    "KpiRow",
    "KpiValue",
    "LeadScore",
    "Locale",
    "MISSING",
    "Money",
    "NotFoundError",
    "NumericalError",
    "OverflowError",
    "ProtectedAttributeError",
    "Reason",
    "RuleSet",
    "SCORE_DTYPE",
    "STAGE_CODES",
    "ScoringModel",
    "TimeUnit",
    "UNITS_PER_POINT",
    "UnsupportedError",
    "__version__",
    "batch_events",
    "compute_kpis",
    "compute_kpis_request",
    "goal_progress",
    "kpi_catalog",
    "kpi_time_series",
    "pipeline_report",
    "validate_goal",
]
