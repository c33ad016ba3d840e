"""Datasets: the validated snapshot of contacts, companies, deals,
pipelines, activities and the rest that the reports and rules read."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from . import _native
from ._convert import JsonInput, from_json, to_json



def _records(value: Any) -> list[Any]:
    """A list of record dicts from a list, any iterable of mappings, or a
    pandas DataFrame (its rows; missing values left out)."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and hasattr(value, "columns"):
        rows = to_dict(orient="records")
        return [{k: v for k, v in row.items() if not _is_missing(v)} for row in rows]
    return list(value)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


class Dataset:
    """A validated, immutable dataset (``crmkit::model::Dataset``).

    Loading checks every record and every reference between records; an
    error names the JSON path (``deals[3].value.currency``). A dataset is
    safe to share between threads.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Dataset) -> None:
        """Wraps a native dataset; use :meth:`from_json` or :meth:`from_records`."""
        self._native = native

    @classmethod
    def from_json(cls, document: JsonInput) -> "Dataset":
        """Loads a dataset from its JSON form (text or the equivalent dict).

        Raises:
            JsonError: malformed JSON or a wrong shape, with the path.
            InvalidError: a record that breaks a rule of the domain.
            NotFoundError: a reference to a record that does not exist.
        """
        return cls(_native.Dataset.from_json(to_json(document, "dataset")))

    @classmethod
    def from_records(
        cls,
        *,
        extra: Optional[Mapping[str, Any]] = None,
        **records: Iterable[Mapping[str, Any]],
    ) -> "Dataset":
        """Builds a dataset from lists of records, one keyword per kind
        (``contacts=[...]``, ``deals=df``): lists of dicts or pandas
        DataFrames whose columns are the record fields. Money fields take
        :class:`Money`, instants aware datetimes. `extra` holds other
        top-level entries (``fiscal_calendar``, ``exchange_rates``).

        Raises:
            InvalidError: for an unknown kind or an invalid record.
        """
        document: dict[str, Any] = dict(extra or {})
        for kind, values in records.items():
            document[kind] = _records(values)
        return cls.from_json(document)

    def counts(self) -> dict[str, int]:
        """The number of records of each kind (``{"contacts": 300, ...}``)."""
        counts: dict[str, int] = from_json(self._native.counts_json())
        return counts

    def to_json(self) -> str:
        """The dataset's JSON form."""
        return self._native.to_json()

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts().items() if v)
        return f"Dataset({counts})"
