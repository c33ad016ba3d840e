"""The exception hierarchy of crmkit: one class per kind of core error.

Every error the engines raise is a :class:`CrmError`; its subclass names the
kind (``crmkit::ErrorKind`` in Rust, ``crm_status`` in C) and also derives
from the closest built-in exception, so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import builtins
from typing import Optional


class CrmError(Exception):
    """Base class of every crmkit error.

    Attributes:
        message: what went wrong, lowercase, without the path.
        kind: the kind as the core names it ("json", "invalid", ...).
        path: where in the input, as a JSON path (``rules[3].when.value``),
            or ``None`` when the error is not about one place.
    """

    message: str
    kind: str
    path: Optional[str]

    def __init__(self, message: str, kind: str = "", path: Optional[str] = None) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.kind = kind
        self.path = path


class JsonError(CrmError, ValueError):
    """The input is not well-formed JSON or has the wrong shape (unknown
    field, wrong type, missing field)."""


class InvalidError(CrmError, ValueError):
    """The input is well-formed but breaks a rule of the domain (a negative
    deal value, a deal closed before it was created, NaN, a naive datetime)."""


class NotFoundError(CrmError, LookupError):
    """A record refers to another record that does not exist."""


class CurrencyMismatchError(CrmError, ValueError):
    """Money in different currencies was combined without exchange rates."""


class OverflowError(CrmError, builtins.OverflowError):
    """A result does not fit the exact decimal representation."""


class UnsupportedError(CrmError, ValueError):
    """This version of crmkit does not support what was asked (an unknown
    KPI id, an unsupported locale)."""


class ProtectedAttributeError(CrmError, ValueError):
    """A model uses protected attributes (age, gender, ...) without opting in."""


class NumericalError(CrmError, ArithmeticError):
    """A numerical procedure (a model fit) did not converge or met data it
    cannot handle."""


__all__ = [
    "CrmError",
    "JsonError",
    "InvalidError",
    "NotFoundError",
    "CurrencyMismatchError",
    "OverflowError",
    "UnsupportedError",
    "ProtectedAttributeError",
    "NumericalError",
]
