"""Customer lifetime value with BG/NBD and Gamma-Gamma, fitted and
predicted on NumPy arrays, as the Python `lifetimes` package does
(frequency = repeat purchases, recency and T in periods, monetary = mean
repeat spend)."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _native
from ._convert import from_json

TimeUnit = Literal["days", "weeks"]
"""The period of recency and T."""

ArrayLike = Any


@dataclasses.dataclass(frozen=True)
class ClvPrediction:
    """Per-customer predictions (arrays of float64, one entry per customer).

    Attributes:
        probability_alive: the probability that the customer is still active.
        expected_purchases: expected purchases over the horizon.
        clv: discounted value over the horizon, in the unit of `monetary`
            (a statistical estimate, hence float).
    """

    probability_alive: npt.NDArray[np.float64]
    expected_purchases: npt.NDArray[np.float64]
    clv: npt.NDArray[np.float64]


def _arrays(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, monetary: ArrayLike
) -> tuple[
    npt.NDArray[np.uint32], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]
]:
    return (
        np.ascontiguousarray(frequency, dtype=np.uint32),
        np.ascontiguousarray(recency, dtype=np.float64),
        np.ascontiguousarray(T, dtype=np.float64),
        np.ascontiguousarray(monetary, dtype=np.float64),
    )


class ClvModel:
    """A fitted BG/NBD + Gamma-Gamma model (``crmkit::predict::ClvModel``)."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.ClvModel) -> None:
        """Wraps a native model; use :meth:`fit` or :meth:`from_json`."""
        self._native = native

    @classmethod
    def fit(
        cls,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary: ArrayLike,
        *,
        time_unit: TimeUnit = "days",
    ) -> "ClvModel":
        """Fits both models by maximum likelihood to one entry per customer.

        Raises:
            InvalidError: arrays of different lengths, negative or NaN values.
            NumericalError: data that cannot identify the model (no repeat buyer).
        """
        f, r, t, m = _arrays(frequency, recency, T, monetary)
        return cls(_native.ClvModel.fit(f, r, t, m, time_unit))

    @classmethod
    def from_json(cls, text: str) -> "ClvModel":
        """Reads a model saved with :meth:`to_json`."""
        return cls(_native.ClvModel.from_json(text))

    def to_json(self) -> str:
        """The model's JSON form (unit, parameters, convergence)."""
        return self._native.to_json()

    @property
    def params(self) -> dict[str, Any]:
        """The fitted parameters: ``bgnbd`` (r, alpha, a, b) and
        ``gamma_gamma`` (p, q, v), with convergence details."""
        params: dict[str, Any] = from_json(self._native.params_json())
        return params

    def predict(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary: ArrayLike,
        *,
        horizon_months: int = 12,
        monthly_discount_rate: float = 0.01,
    ) -> ClvPrediction:
        """Predicts customers given as arrays (in the model's time unit).

        Raises:
            InvalidError: a customer whose values are invalid (path ``customers[i]``).
        """
        f, r, t, m = _arrays(frequency, recency, T, monetary)
        alive, purchases, clv = self._native.predict(
            f, r, t, m, horizon_months, monthly_discount_rate
        )
        return ClvPrediction(alive, purchases, clv)
