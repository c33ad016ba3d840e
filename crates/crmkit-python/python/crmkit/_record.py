"""Read-only result records for the engines whose results are JSON
documents (journeys, experiments, attribution, profiles): attribute and key
access over the document, with money as :class:`Money` (exact
``decimal.Decimal`` and currency) and instants as timezone-aware
``datetime``. The records follow the core's documents field for field, so
a field the core adds appears without a change here."""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any, Iterator, Mapping

from ._convert import Money, parse_instant

_INSTANT_KEYS = frozenset({"at", "as_of", "until", "since", "calibration_end", "observation_end"})


def _is_instant_key(key: str) -> bool:
    return key in _INSTANT_KEYS or key.endswith("_at")


class Record(Mapping[str, Any]):
    """One result object of an engine, read-only.

    Fields are attributes (``report.verdict.code``) and keys
    (``report["verdict"]``); nested objects are records, arrays are lists.
    ``{"amount", "currency"}`` objects are :class:`Money`; instants (fields
    ``at``, ``*_at``, ``until``...) are aware ``datetime`` in UTC; other
    numbers are ``int`` or ``float`` as the engine wrote them, decimal
    strings stay text. :meth:`to_dict` gives the plain JSON document back.
    """

    __slots__ = ("_fields", "_raw")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        """Wraps one JSON object (as parsed by ``json.loads``)."""
        object.__setattr__(self, "_raw", dict(raw))
        object.__setattr__(self, "_fields", {k: _typed(k, v) for k, v in raw.items()})

    def __getattr__(self, name: str) -> Any:
        """The field `name`."""
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(
                f"the record has no field {name!r} (fields: {sorted(self._fields)})"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        """Records are read-only."""
        raise AttributeError("records are read-only")

    def __getitem__(self, key: str) -> Any:
        """The field `key`."""
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        """The field names, in the engine's order."""
        return iter(self._fields)

    def __len__(self) -> int:
        """The number of fields."""
        return len(self._fields)

    def __dir__(self) -> list[str]:
        """The field names and the methods (for completion)."""
        return sorted(set(self._fields) | {"to_dict", "to_json"})

    def __repr__(self) -> str:
        """The fields, as ``Record(name=value, ...)``."""
        inner = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"Record({inner})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document as the engine wrote it (plain dicts and lists)."""
        return dict(self._raw)

    def to_json(self) -> str:
        """The JSON text of :meth:`to_dict`."""
        return json.dumps(self._raw, default=str)


def _typed(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"} and isinstance(value["currency"], str):
            try:
                return Money(decimal.Decimal(str(value["amount"])), value["currency"])
            except (decimal.InvalidOperation, ValueError):
                return Record(value)
        return Record(value)
    if isinstance(value, list):
        return [_typed(key, item) for item in value]
    if isinstance(value, str) and _is_instant_key(key) and "T" in value:
        try:
            return parse_instant(value)
        except ValueError:
            return value
    return value


def record(text: str) -> Record:
    """A record from an engine's JSON object text."""
    return Record(json.loads(text))


def records(text: str) -> list[Record]:
    """Records from an engine's JSON array text."""
    return [Record(item) for item in json.loads(text)]


def instant_or_none(value: Any) -> datetime.datetime | None:
    """An aware datetime from an RFC 3339 string, or None."""
    return parse_instant(value) if isinstance(value, str) else None
