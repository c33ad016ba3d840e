"""KPI reports: exact values with numerator and denominator, the period
before, and the change; as dataclasses or a pandas DataFrame."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from typing import Any, Iterable, Mapping, Optional, Union

from . import _native
from ._convert import JsonInput, from_json, parse_decimal, to_json
from ._dataset import Dataset

DateLike = Union[str, datetime.date]


@dataclasses.dataclass(frozen=True)
class KpiValue:
    """One KPI over one period.

    Attributes:
        kpi: the KPI id (``"win_rate"``).
        value: the value (exact), or None when undefined (no denominator).
        numerator: what was counted or summed.
        denominator: what it was divided by.
        unit: ``"percent"``, ``"money"``, ``"count"``, ``"days"``, ...
        currency: the currency of money KPIs, else None.
        status: ``"defined"`` or ``"undefined"``.
        reason: why the value is undefined, as a code (``"empty_denominator"``), else None.
        explanation: the same in words, else None.
    """

    kpi: str
    value: Optional[decimal.Decimal]
    numerator: Optional[decimal.Decimal]
    denominator: Optional[decimal.Decimal]
    unit: Optional[str]
    currency: Optional[str]
    status: str
    reason: Optional[str]
    explanation: Optional[str]

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "KpiValue":
        """Builds the value from the engine's JSON document."""
        return cls(
            kpi=doc["kpi"],
            value=parse_decimal(doc.get("value")),
            numerator=parse_decimal(doc.get("numerator")),
            denominator=parse_decimal(doc.get("denominator")),
            unit=doc.get("unit"),
            currency=doc.get("currency"),
            status=doc.get("status", "defined"),
            reason=doc.get("code"),
            explanation=doc.get("reason"),
        )


@dataclasses.dataclass(frozen=True)
class KpiRow:
    """A KPI this period, the period before, and the change.

    Attributes:
        current: the value over the requested period.
        previous: the value over the period before, if computed.
        change_absolute: current minus previous, exact, or None.
        change_relative: the change in percent of previous, or None when undefined.
    """

    current: KpiValue
    previous: Optional[KpiValue]
    change_absolute: Optional[decimal.Decimal]
    change_relative: Optional[decimal.Decimal]


@dataclasses.dataclass(frozen=True)
class KpiReport:
    """A KPI report (:func:`compute_kpis`).

    Attributes:
        period_start: the first day of the period.
        period_end: the day after the last day.
        currency: the reporting currency, if any.
        kpis: one row per KPI asked for, in order.
        raw: the whole report as the engine wrote it.
    """

    period_start: datetime.date
    period_end: datetime.date
    currency: Optional[str]
    kpis: list[KpiRow]
    raw: dict[str, Any]

    def __getitem__(self, kpi: str) -> KpiRow:
        """The row of one KPI (``report["win_rate"]``).

        Raises:
            KeyError: when the report does not hold that KPI.
        """
        for row in self.kpis:
            if row.current.kpi == kpi:
                return row
        raise KeyError(kpi)

    def to_pandas(self) -> Any:
        """The report as a pandas DataFrame indexed by KPI id, with columns
        value, previous, change, change_percent, unit, currency, numerator,
        denominator (values are Decimal, exact; None when undefined)."""
        import pandas as pd

        rows = [
            {
                "kpi": row.current.kpi,
                "value": row.current.value,
                "previous": row.previous.value if row.previous else None,
                "change": row.change_absolute,
                "change_percent": row.change_relative,
                "unit": row.current.unit,
                "currency": row.current.currency,
                "numerator": row.current.numerator,
                "denominator": row.current.denominator,
            }
            for row in self.kpis
        ]
        return pd.DataFrame(rows).set_index("kpi")


def _relative(change: Optional[Mapping[str, Any]]) -> Optional[decimal.Decimal]:
    if not change:
        return None
    relative = change.get("relative")
    if isinstance(relative, Mapping):
        return parse_decimal(relative.get("value"))
    return parse_decimal(relative)


def compute_kpis(
    dataset: Dataset,
    kpis: Iterable[str],
    start: DateLike,
    end: DateLike,
    *,
    granularity: Optional[str] = None,
    segment: Optional[Mapping[str, Any]] = None,
    options: Optional[Mapping[str, Any]] = None,
) -> KpiReport:
    """Computes KPIs over ``[start, end)`` (and the period before).

    `granularity` (``"month"``, ``"quarter"``, ...) sets the comparison
    period; `segment` filters (``{"owner": "R-1"}``); `options` are the
    KPI options of the request.

    Raises:
        JsonError: an unknown KPI id (path ``kpis[0]``).
        NotFoundError: a segment naming a record that does not exist.
    """
    request: dict[str, Any] = {
        "kpis": list(kpis),
        "period": {"start": str(start), "end": str(end)},
    }
    if granularity is not None:
        request["granularity"] = granularity
    if segment is not None:
        request["segment"] = dict(segment)
    if options is not None:
        request["options"] = dict(options)
    return compute_kpis_request(dataset, request)


def compute_kpis_request(dataset: Dataset, request: JsonInput) -> KpiReport:
    """Computes a KPI report from a full request document (see the crate docs)."""
    doc: dict[str, Any] = from_json(_native.kpi_compute_json(dataset._native, to_json(request, "request")))
    rows = []
    for entry in doc["kpis"]:
        change = entry.get("change")
        rows.append(
            KpiRow(
                current=KpiValue.from_dict(entry["current"]),
                previous=KpiValue.from_dict(entry["previous"]) if entry.get("previous") else None,
                change_absolute=parse_decimal(change.get("absolute")) if change else None,
                change_relative=_relative(change),
            )
        )
    return KpiReport(
        period_start=datetime.date.fromisoformat(doc["period"]["start"]),
        period_end=datetime.date.fromisoformat(doc["period"]["end"]),
        currency=doc.get("currency"),
        kpis=rows,
        raw=doc,
    )


def kpi_time_series(dataset: Dataset, request: JsonInput) -> dict[str, Any]:
    """A KPI time series (``{"kpis", "granularity", "range"}``); the result
    document with one entry per period in ``points``."""
    series: dict[str, Any] = from_json(
        _native.kpi_time_series_json(dataset._native, to_json(request, "request"))
    )
    return series


def pipeline_report(dataset: Dataset, request: JsonInput) -> dict[str, Any]:
    """The pipeline bottleneck report (``{"as_of": ...}``): open items per
    stage, slow stages, findings with codes."""
    report: dict[str, Any] = from_json(
        _native.pipeline_report_json(dataset._native, to_json(request, "request"))
    )
    return report


def kpi_catalog() -> list[dict[str, Any]]:
    """The KPI catalog: id, name, unit, direction and formula of each KPI."""
    catalog: list[dict[str, Any]] = from_json(_native.kpi_catalog_json())
    return catalog
