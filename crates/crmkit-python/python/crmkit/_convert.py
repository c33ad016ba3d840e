"""Conversions between Python values and the JSON the engines read and
write: money as :class:`decimal.Decimal` with a currency, instants as
timezone-aware :class:`datetime.datetime`, never floats for money."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
from typing import Any, Mapping, Optional, Union

from ._errors import InvalidError, JsonError

JsonInput = Union[str, bytes, Mapping[str, Any], "list[Any]"]
"""A JSON document: text, or the equivalent Python value (dicts, lists,
str, int, bool, None, Decimal, Money, aware datetime, date)."""

_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_SECOND = datetime.timedelta(seconds=1)


@dataclasses.dataclass(frozen=True)
class Money:
    """An exact amount of money in one currency.

    Attributes:
        amount: the amount, exact (``Decimal("499.99")``).
        currency: the ISO 4217 code (``"USD"``).
    """

    amount: decimal.Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, decimal.Decimal):
            raise InvalidError(
                f"money amounts are decimal.Decimal, not {type(self.amount).__name__}",
                "invalid",
                "amount",
            )
        if not self.amount.is_finite():
            raise InvalidError(f"{self.amount} is not a finite amount", "invalid", "amount")

    def __str__(self) -> str:
        """``"499.99 USD"``."""
        return f"{self.amount} {self.currency}"

    def to_json(self) -> dict[str, str]:
        """The JSON form the engines read: ``{"amount": "499.99", "currency": "USD"}``."""
        return {"amount": str(self.amount), "currency": self.currency}


def _default(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_json()
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise InvalidError(f"{value} is not a finite number", "invalid")
        return str(value)  # the engines read decimal strings
    if isinstance(value, datetime.datetime):
        return format_instant(value, "")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    item = getattr(value, "item", None)  # NumPy scalars
    if callable(item):
        return item()
    raise JsonError(f"a {type(value).__name__} cannot be written as JSON", "json")


def to_json(value: Any, what: str) -> str:
    """The JSON text of `value` (text passes through unchanged).

    Raises:
        InvalidError: for NaN or infinite numbers (path `what`).
        JsonError: for values that have no JSON form.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            raise JsonError(f"the text is not valid UTF-8: {err}", "json", what) from None
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as err:
            raise JsonError(f"the text is not valid UTF-8: {err}", "json", what) from None
    try:
        return json.dumps(value, default=_default, allow_nan=False, separators=(",", ":"))
    except InvalidError as err:
        raise InvalidError(err.message, "invalid", what) from None
    except JsonError as err:
        raise JsonError(err.message, "json", what) from None
    except ValueError as err:  # NaN or infinity among the floats
        raise InvalidError(f"{err} (NaN and infinity have no JSON form)", "invalid", what) from None
    except (TypeError, RecursionError) as err:
        raise JsonError(str(err), "json", what) from None


def from_json(text: str) -> Any:
    """Reads the engines' JSON output; decimals stay exact (`Decimal`)."""
    return json.loads(text, parse_float=decimal.Decimal)


def format_instant(at: datetime.datetime, what: str) -> str:
    """An aware datetime as RFC 3339 text in UTC.

    Raises:
        InvalidError: when `at` is naive (no timezone).
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidError(
            "the datetime has no timezone (use datetime(..., tzinfo=timezone.utc))",
            "invalid",
            what or None,
        )
    return at.astimezone(_UTC).isoformat().replace("+00:00", "Z")


_last_instant: tuple[object, int] = (None, 0)
"""The last UTC datetime :func:`unix_seconds` converted, and its seconds
(one entry; a tuple, so threads always read a consistent pair)."""


def unix_seconds(at: datetime.datetime, what: str) -> int:
    """Whole seconds since the Unix epoch of an aware datetime.

    Raises:
        InvalidError: when `at` is not an aware datetime.
    """
    global _last_instant
    last_at, last_seconds = _last_instant
    if at is last_at:  # the same as_of call after call: datetimes are immutable
        return last_seconds
    if type(at) is datetime.datetime and at.tzinfo is _UTC:  # the common case, fast
        seconds: int = (at - _EPOCH) // _SECOND
        _last_instant = (at, seconds)
        return seconds
    if not isinstance(at, datetime.datetime):
        raise InvalidError(
            f"expected a timezone-aware datetime, found {type(at).__name__}", "invalid", what
        )
    if at.tzinfo is None or at.utcoffset() is None:
        format_instant(at, what)  # raises the InvalidError
    # Exact integer arithmetic (float timestamps round near year 9999).
    return (at - _EPOCH) // _SECOND


def parse_instant(text: Optional[str]) -> Optional[datetime.datetime]:
    """An RFC 3339 instant from the engines as an aware datetime (UTC)."""
    if text is None:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(_UTC)
    except ValueError:
        raise InvalidError(
            f"{text} is outside the range of Python datetimes", "invalid", None
        ) from None


def parse_decimal(value: Any) -> Optional[decimal.Decimal]:
    """A decimal string (or number) from the engines as a Decimal."""
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return value
    return decimal.Decimal(str(value))


def parse_money(value: Any) -> Optional[Money]:
    """``{"amount": "1.00", "currency": "USD"}`` as :class:`Money`."""
    if not isinstance(value, Mapping):
        return None
    return Money(decimal.Decimal(str(value["amount"])), str(value["currency"]))
