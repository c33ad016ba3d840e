"""Lead scoring: one lead at a time with its explanation, or a million at
once over NumPy columns (the GIL released while the engine scores)."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from . import _native
from ._convert import JsonInput, from_json, parse_decimal, parse_instant, to_json, unix_seconds
from ._dataset import Dataset
from ._errors import InvalidError, JsonError

UNITS_PER_POINT = 10_000
"""Batch totals and category scores are integers in units of 1/10,000 point."""

MISSING = np.iinfo(np.int64).min
"""The encoded value of a missing field in a batch column."""

EVENT_DTYPE = np.dtype([("lead", np.uint32), ("rule", np.uint32), ("at", np.int64)])
"""One matched activity of the batch path (``crmkit::scoring::BatchEvent``:
lead index, activity rule index, Unix seconds); arrays of this dtype are
read by :meth:`ScoringModel.score_batch` without a copy."""

SCORE_DTYPE = np.dtype([("total_units", np.int64), ("grade", np.int32), ("handoff", np.int32)])
"""One lead's batch result (``crmkit::scoring::BatchScore``); the engine
writes arrays of this dtype in place."""

STAGE_CODES = {
    "subscriber": 0,
    "lead": 1,
    "mql": 2,
    "sql": 3,
    "opportunity": 4,
    "customer": 5,
    "evangelist": 6,
    "other": 7,
}
"""Lifecycle stages as the batch path's `stages` array codes them."""


@dataclasses.dataclass(frozen=True)
class Contribution:
    """What one rule added to a lead's score.

    Attributes:
        rule: the rule id.
        category: the category the points count toward.
        type: "attribute" or "activity" (the kind of rule).
        reason: a readable reason.
        occurrences: how many activities counted (1 for attribute rules).
        points: the points after decay and caps.
        points_before_decay: the points before time decay.
        capped: whether the rule's cap cut the points.
    """

    rule: str
    category: str
    type: str
    reason: str
    occurrences: int
    points: decimal.Decimal
    points_before_decay: decimal.Decimal
    capped: bool


@dataclasses.dataclass(frozen=True)
class LeadScore:
    """A lead's explained score.

    Attributes:
        contact: the contact id.
        as_of: when the lead was scored (aware datetime, UTC).
        total: the total points, exact.
        grade: the grade ("A", "B", ...) or None.
        categories: points per category.
        contributions: one entry per rule that counted.
        recommendation: the recommended lifecycle move
            (``{"handoff", "from", "to", "score", "threshold", "reason"}``) or None.
        protected_attributes_used: the protected attributes the model read.
        raw: the full result as the engine wrote it (decimals as Decimal).
    """

    contact: str
    as_of: datetime.datetime
    total: decimal.Decimal
    grade: Optional[str]
    categories: dict[str, decimal.Decimal]
    contributions: list[Contribution]
    recommendation: Optional[dict[str, Any]]
    protected_attributes_used: list[str]
    raw: dict[str, Any]

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "LeadScore":
        """Builds the result from the engine's JSON document."""
        as_of = parse_instant(doc["as_of"])
        assert as_of is not None
        total = parse_decimal(doc["total"])
        assert total is not None
        return cls(
            contact=doc["contact"],
            as_of=as_of,
            total=total,
            grade=doc.get("grade"),
            categories={c["id"]: decimal.Decimal(str(c["score"])) for c in doc["categories"]},
            contributions=[
                Contribution(
                    rule=c["rule"],
                    category=c["category"],
                    type=c["type"],
                    reason=c["reason"],
                    occurrences=int(c["occurrences"]),
                    points=decimal.Decimal(str(c["points"])),
                    points_before_decay=decimal.Decimal(str(c["points_before_decay"])),
                    capped=bool(c["capped"]),
                )
                for c in doc["contributions"]
            ],
            recommendation=doc.get("recommendation"),
            protected_attributes_used=list(doc.get("protected_attributes_used", [])),
            raw=doc,
        )


@dataclasses.dataclass(frozen=True)
class BatchScores:
    """The result of :meth:`ScoringModel.score_batch`, one row per lead.

    Attributes:
        total_units: totals in units of 1/10,000 point (int64; exact).
        grade: the grade's index in :attr:`ScoringModel.grades`, -1 for none.
        handoff: the handoff's index in :attr:`ScoringModel.handoffs`, -1 for none.
        categories: category scores in units (leads x categories), if asked for.
        grades: the model's grade names (to read `grade`).
        records: the :data:`SCORE_DTYPE` array behind the three arrays.
    """

    total_units: npt.NDArray[np.int64]
    grade: npt.NDArray[np.int32]
    handoff: npt.NDArray[np.int32]
    categories: Optional[npt.NDArray[np.int64]]
    grades: list[str]
    records: Optional[npt.NDArray[np.void]] = None
    """The :data:`SCORE_DTYPE` array the engine wrote; the three arrays
    above are views of its fields (no copy)."""

    def __len__(self) -> int:
        """The number of leads."""
        return int(self.total_units.shape[0])

    def total(self, lead: int) -> decimal.Decimal:
        """The exact total of lead number `lead`."""
        return decimal.Decimal(int(self.total_units[lead])) / UNITS_PER_POINT

    def grade_name(self, lead: int) -> Optional[str]:
        """The grade of lead number `lead`, or None."""
        index = int(self.grade[lead])
        return self.grades[index] if index >= 0 else None

    def to_pandas(self) -> Any:
        """A pandas DataFrame with columns ``total`` (points, float for
        display; exact values are in :attr:`total_units`), ``total_units``,
        ``grade`` (name or None) and ``handoff`` (index)."""
        import pandas as pd

        names = np.array(self.grades + [None], dtype=object)
        return pd.DataFrame(
            {
                "total": self.total_units / UNITS_PER_POINT,
                "total_units": self.total_units,
                "grade": names[self.grade],
                "handoff": self.handoff,
            }
        )


ColumnValues = Union[npt.NDArray[Any], Sequence[Any]]


class ScoringModel:
    """A compiled lead scoring model (``crmkit::scoring::ScoringModel``).

    Immutable and safe to share between threads. Built from the model's JSON
    document (categories, rules, grades, handoffs; see the crate docs).
    """

    __slots__ = ("_native", "_info")

    def __init__(self, document: JsonInput) -> None:
        """Validates and compiles a model from its JSON document (text or dict).

        Raises:
            JsonError: malformed JSON or a wrong shape, with the path.
            InvalidError: an impossible rule (``rules[2].when.min``).
            ProtectedAttributeError: a protected attribute used without opt-in.
        """
        self._native = _native.ScoringModel.from_json(to_json(document, "model"))
        self._info: dict[str, Any] = from_json(self._native.info_json())

    @property
    def info(self) -> dict[str, Any]:
        """The model summary: categories, grades, handoffs, rules, activity
        rules, batch columns (``{"field", "kind"}``), protected attributes."""
        return self._info

    @property
    def grades(self) -> list[str]:
        """The grade names, highest first."""
        return [g["grade"] for g in self._info["grades"]]

    @property
    def handoffs(self) -> list[dict[str, Any]]:
        """The lifecycle handoffs (``{"from": [...], "to": "mql", "min": 30}``)."""
        handoffs: list[dict[str, Any]] = self._info["handoffs"]
        return handoffs

    @property
    def columns(self) -> list[str]:
        """The fields the batch path reads, in column order (``contact.job_title``)."""
        return [c["field"] for c in self._info["columns"]]

    @property
    def activity_rules(self) -> list[str]:
        """The activity rule ids; a batch event's `rule` indexes this list."""
        rules: list[str] = self._info["activity_rules"]
        return rules

    def score(self, lead: JsonInput, as_of: datetime.datetime) -> LeadScore:
        """Scores one lead (``{"contact": {...}, "company": {...},
        "activities": [...]}``, text or dict) at `as_of`, with its
        explanation.

        Raises:
            JsonError: a malformed lead, with the path.
            InvalidError: a naive `as_of`, NaN among the values.
        """
        text = self._native.score_json(to_json(lead, "lead"), unix_seconds(as_of, "as_of"))
        return LeadScore.from_dict(from_json(text))

    def score_json(self, lead: Union[str, bytes], as_of: datetime.datetime) -> str:
        """As :meth:`score`, JSON text in and out (the fastest per-lead call:
        the text goes to the engine as it is)."""
        seconds = unix_seconds(as_of, "as_of")
        if isinstance(lead, str):
            try:
                return self._native.score_json(lead, seconds)
            except UnicodeEncodeError as err:
                raise JsonError(f"the text is not valid UTF-8: {err}", "json", "lead") from None
        return self._native.score_json(to_json(lead, "lead"), seconds)

    def match_activity(self, kind: JsonInput) -> list[int]:
        """The indices of the activity rules that count an activity given by
        its kind (``{"type": "website_visit", "url": "/pricing"}``)."""
        return self._native.match_activity_json(to_json(kind, "kind"))

    def encode_column(self, column: Union[int, str], values: ColumnValues) -> npt.NDArray[np.int64]:
        """Encodes plain values for batch column `column` (index or field
        name): numbers (int, float, Decimal, numeric text), flags, text,
        datetimes (``datetime64`` arrays or aware datetimes) or None/NaN
        for no value.

        Raises:
            InvalidError: values that cannot fill the column (with the row).
        """
        index = self._column_index(column)
        kind = self._info["columns"][index]["kind"]
        array = np.asarray(values)
        if array.ndim != 1:
            raise InvalidError("expected one-dimensional values", "invalid", f"columns[{index}]")
        if kind in ("date", "timestamp"):
            return _native.encode_unix_seconds(self._native, index, _seconds(array, index))
        if array.dtype.kind in "iu":
            array = array.astype(np.int64, copy=False)
        elif array.dtype.kind == "f":
            array = array.astype(np.float64, copy=False)
        elif array.dtype.kind in "US":
            array = array.astype(object)
        return _native.encode_column(self._native, index, np.ascontiguousarray(array))

    def _column_index(self, column: Union[int, str]) -> int:
        if isinstance(column, int):
            return column
        try:
            return self.columns.index(column)
        except ValueError:
            raise InvalidError(
                f"the model has no batch column {column!r} (columns: {self.columns})",
                "invalid",
                "column",
            ) from None

    def score_batch(
        self,
        columns: Union[npt.NDArray[np.int64], Sequence[Any]],
        as_of: datetime.datetime,
        *,
        events: Any = None,
        stages: Optional[npt.NDArray[np.uint8]] = None,
        categories: bool = False,
        out: Optional[npt.NDArray[np.void]] = None,
    ) -> BatchScores:
        """Scores many leads over encoded columns: one ``int64`` array per
        entry of :attr:`columns` (NumPy arrays, pyarrow arrays without
        nulls, or a 2-D NumPy array with one row per column), read in place
        without a copy when contiguous ``int64``.

        `events` are the leads' activities matched to activity rules, sorted
        by lead: an :data:`EVENT_DTYPE` array (read in place, no copy), three
        arrays ``(lead, rule, at)``, or a pyarrow Table / pandas DataFrame
        with columns ``lead``, ``rule`` and ``at`` (packed with one copy,
        see :func:`batch_events`). `stages` are the leads' lifecycle stages
        (:data:`STAGE_CODES`) to get handoffs. The engine writes into `out`
        (an :data:`SCORE_DTYPE` array of one record per lead, reusable
        between calls) or a new array. The GIL is released while it
        scores. The totals equal those of :meth:`score`, digit for digit.

        Raises:
            InvalidError: arrays of the wrong length or type, unsorted events.
            OverflowError: a lead whose points exceed the engine's bounds.
        """
        cols = [_int64_column(c, i) for i, c in enumerate(columns)]
        n = int(cols[0].shape[0]) if cols else 0
        return self._score_encoded(cols, n, as_of, events, stages, categories, out)

    def score_table(
        self,
        table: Any,
        as_of: datetime.datetime,
        *,
        stages: Optional[npt.NDArray[np.uint8]] = None,
        categories: bool = False,
    ) -> BatchScores:
        """Scores the rows of a pandas DataFrame or pyarrow Table whose
        columns are named after the model's batch fields
        (:attr:`columns`, e.g. ``contact.job_title``) and hold plain values;
        a field the table lacks counts as missing for every row. Numeric
        columns without nulls are read without a copy.

        Raises:
            InvalidError: a column whose values cannot fill the field.
        """
        names = set(_column_names(table))
        n = _row_count(table)
        encoded = []
        for index, field in enumerate(self.columns):
            if field in names:
                factorized = self._encode_text_factorized(index, table, field)
                if factorized is None:
                    factorized = self.encode_column(index, _column_values(table, field))
                encoded.append(factorized)
            else:
                encoded.append(np.full(n, MISSING, dtype=np.int64))
        return self._score_encoded(encoded, n, as_of, None, stages, categories, None)

    def _encode_text_factorized(
        self, index: int, table: Any, field: str
    ) -> Optional[npt.NDArray[np.int64]]:
        """A text column encoded one distinct value at a time (a pyarrow
        dictionary encoding or ``pandas.factorize``), then gathered: text
        columns repeat few values, and the text tests run once per value.
        None when the column is not text (or a value fails: the row-by-row
        path then names the row)."""
        if self._info["columns"][index]["kind"] != "text":
            return None
        if hasattr(table, "column_names"):  # pyarrow
            column = table.column(field)
            if str(column.type) not in ("string", "large_string", "string_view"):
                return None
            dictionary = column.combine_chunks().dictionary_encode()
            values = np.asarray(dictionary.dictionary.to_numpy(zero_copy_only=False), dtype=object)
            codes = np.asarray(dictionary.indices.fill_null(-1).to_numpy(), dtype=np.int64)
        else:  # pandas
            import pandas as pd

            series = table[field]
            if series.dtype != object and str(series.dtype) not in ("string", "str"):
                return None
            codes_found, uniques = pd.factorize(series, use_na_sentinel=True)
            codes = np.asarray(codes_found, dtype=np.int64)
            values = np.asarray(uniques, dtype=object)
        try:
            lookup = np.append(self.encode_column(index, values), MISSING)
        except InvalidError:
            return None
        encoded: npt.NDArray[np.int64] = lookup[codes]  # code -1 (no value): MISSING
        return encoded

    def _score_encoded(
        self,
        columns: list[npt.NDArray[np.int64]],
        n: int,
        as_of: datetime.datetime,
        events: Any,
        stages: Optional[npt.NDArray[np.uint8]],
        categories: bool,
        out: Optional[npt.NDArray[np.void]],
    ) -> BatchScores:
        packed = _event_records(events)
        if out is None:
            out = np.empty(n, dtype=SCORE_DTYPE)
        elif not isinstance(out, np.ndarray) or out.dtype != SCORE_DTYPE or out.shape != (n,):
            raise InvalidError(
                f"expected a crmkit.SCORE_DTYPE array of {n} records", "invalid", "out"
            )
        elif not out.flags.c_contiguous or not out.flags.writeable:
            raise InvalidError("the output array is not contiguous and writable", "invalid", "out")
        k = len(self._info.get("categories", []))
        cats = np.zeros(n * k, dtype=np.int64) if categories else None
        _native.score_batch(
            self._native,
            columns,
            n,
            packed.view(np.uint8),
            None if stages is None else np.ascontiguousarray(stages, dtype=np.uint8),
            unix_seconds(as_of, "as_of"),
            out.view(np.uint8),
            cats,
        )
        return BatchScores(
            out["total_units"],
            out["grade"],
            out["handoff"],
            None if cats is None else cats.reshape(n, k),
            self.grades,
            out,
        )

    def __repr__(self) -> str:
        return f"ScoringModel(id={self._info.get('id')!r}, rules={len(self._info['rules'])})"


def batch_events(lead: Any, rule: Any, at: Any) -> npt.NDArray[np.void]:
    """Packs three event arrays (lead index, activity rule index, Unix
    seconds) into one :data:`EVENT_DTYPE` array, the layout the engine
    reads in place; pack once and score at many ``as_of``."""
    lead_array = np.ascontiguousarray(_plain(lead), dtype=np.uint32)
    rule_array = np.ascontiguousarray(_plain(rule), dtype=np.uint32)
    at_array = np.ascontiguousarray(_plain(at), dtype=np.int64)
    packed: npt.NDArray[np.void] = _native.pack_events(lead_array, rule_array, at_array).view(
        EVENT_DTYPE
    )
    return packed


def _event_records(events: Any) -> npt.NDArray[np.void]:
    if events is None:
        return np.zeros(0, dtype=EVENT_DTYPE)
    if isinstance(events, np.ndarray):
        if events.dtype != EVENT_DTYPE:
            raise InvalidError(
                f"expected a crmkit.EVENT_DTYPE array, found dtype {events.dtype}",
                "invalid",
                "events",
            )
        if events.ndim != 1:
            raise InvalidError("expected a one-dimensional event array", "invalid", "events")
        return np.ascontiguousarray(events)
    if isinstance(events, tuple) and len(events) == 3:
        return batch_events(*events)
    if hasattr(events, "column_names") or hasattr(events, "columns"):  # pyarrow or pandas
        names = set(_column_names(events))
        missing = {"lead", "rule", "at"} - names
        if missing:
            raise InvalidError(
                f"the event table lacks the column(s) {sorted(missing)}", "invalid", "events"
            )
        return batch_events(events["lead"], events["rule"], events["at"])
    raise InvalidError(
        "expected events as a crmkit.EVENT_DTYPE array, (lead, rule, at) arrays or a table",
        "invalid",
        "events",
    )


def _plain(values: Any) -> Any:
    """A pyarrow array or chunked array as NumPy (zero-copy when it can be),
    anything else unchanged."""
    if hasattr(values, "null_count") and hasattr(values, "to_numpy"):
        if values.null_count:
            raise InvalidError("the array has nulls", "invalid", "events")
        chunks = getattr(values, "chunks", None)
        if chunks is not None:  # a pyarrow ChunkedArray
            if len(chunks) == 1:
                return chunks[0].to_numpy(zero_copy_only=False)
            return values.to_numpy()
        return values.to_numpy(zero_copy_only=False)
    if hasattr(values, "to_numpy"):  # a pandas Series
        return values.to_numpy()
    return values


def _int64_column(column: Any, index: int) -> npt.NDArray[np.int64]:
    if hasattr(column, "null_count") and column.null_count:
        raise InvalidError(
            "the column has nulls: encode missing values as crmkit.MISSING",
            "invalid",
            f"columns[{index}]",
        )
    array = np.asarray(_plain(column))
    if array.ndim != 1:
        raise InvalidError(
            f"expected a one-dimensional column, found {array.ndim} dimensions",
            "invalid",
            f"columns[{index}]",
        )
    if array.dtype != np.int64:
        if array.dtype.kind not in "iub":
            raise InvalidError(
                f"expected encoded int64 values, found dtype {array.dtype}",
                "invalid",
                f"columns[{index}]",
            )
        array = array.astype(np.int64)
    return np.ascontiguousarray(array)


def _seconds(values: npt.NDArray[Any], index: int) -> npt.NDArray[np.int64]:
    if values.dtype.kind == "M":
        seconds = values.astype("datetime64[s]").astype(np.int64)
        return np.ascontiguousarray(seconds)
    out = np.empty(values.shape[0], dtype=np.int64)
    for row, item in enumerate(values):
        if item is None or _is_nat(item):
            out[row] = MISSING
        elif isinstance(item, datetime.datetime):
            out[row] = unix_seconds(item, f"columns[{index}][{row}]")
        elif isinstance(item, datetime.date):
            out[row] = unix_seconds(
                datetime.datetime(item.year, item.month, item.day, tzinfo=datetime.timezone.utc),
                f"columns[{index}][{row}]",
            )
        else:
            raise InvalidError(
                f"expected a datetime or date, found {type(item).__name__}",
                "invalid",
                f"columns[{index}][{row}]",
            )
    return out


def _is_nat(item: Any) -> bool:
    try:
        return bool(item != item)
    except (TypeError, ValueError):
        return False


def _column_names(table: Any) -> list[str]:
    names = getattr(table, "column_names", None)  # pyarrow
    if names is not None:
        return list(names)
    return [str(c) for c in table.columns]  # pandas


def _row_count(table: Any) -> int:
    rows = getattr(table, "num_rows", None)  # pyarrow
    return int(rows) if rows is not None else len(table)


def _column_values(table: Any, name: str) -> npt.NDArray[Any]:
    if hasattr(table, "column_names"):  # pyarrow: zero-copy where possible
        column = table.column(name)
        if column.null_count == 0 and _fixed_width(column):
            return np.asarray(column.to_numpy())
        return np.asarray(column.to_pandas().to_numpy())
    series = table[name]
    if hasattr(series.dtype, "tz") and series.dtype.tz is not None:
        return np.asarray(series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    array: npt.NDArray[Any] = series.to_numpy()
    if array.dtype == object or array.dtype.kind in "fiubM":
        return array
    return np.asarray(series.to_numpy(dtype=object))


def _fixed_width(column: Any) -> bool:
    try:
        return bool(column.type.bit_width)
    except ValueError:
        return False
