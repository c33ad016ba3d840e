"""Shared data of the pytest suite: the seed examples as the Rust tests
write them, and the sample company of examples/data/."""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import crmkit

UTC = datetime.timezone.utc
DATA = pathlib.Path(__file__).resolve().parents[3] / "examples" / "data"
SAMPLE_AS_OF = datetime.datetime(2026, 11, 1, tzinfo=UTC)  # the end of the sample year

# A small model and lead (as tests/c/scoring.c): 32.5 points, grade B.
MODEL: dict[str, Any] = {
    "categories": [{"id": "engagement", "max": 40}],
    "rules": [
        {"id": "title", "points": 20,
         "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
        {"id": "size", "points": "7.5",
         "when": {"field": "company.employees", "op": "range", "min": 100}},
        {"id": "pricing", "points": 10, "max_points": 30, "decay": {"half_life_days": 30},
         "activity": {"type": "website_visit", "url": "/pricing*"}},
        {"id": "bounce", "points": -15, "activity": {"type": "email", "event": "bounced"}},
    ],
    "grades": [{"grade": "A", "min": 40}, {"grade": "B", "min": 20}, {"grade": "C"}],
    "handoffs": [{"from": ["lead"], "to": "mql", "min": 30}],
}
LEAD: dict[str, Any] = {
    "contact": {"id": "C-1", "job_title": "Sales Director", "company": "CO-1",
                "created_at": "2026-01-01T00:00:00Z"},
    "company": {"id": "CO-1", "name": "Acme", "employees": 500},
    "activities": [{"id": "A-1", "contact": "C-1", "at": "2026-02-01T00:00:00Z",
                    "kind": {"type": "website_visit", "url": "/pricing"}}],
}
SCORE_AS_OF = datetime.datetime(2026, 3, 3, tzinfo=UTC)

# A deal-based B2B business: one rep, one contact, one open deal.
SMALL_DATASET: dict[str, Any] = {
    "pipelines": [{"id": "sales", "name": "Sales",
                   "stages": [{"id": "new", "name": "New", "probability": 10}]}],
    "reps": [{"id": "R-1", "name": "Ann"}],
    "contacts": [{"id": "C-1", "name": "Ada", "owner": "R-1",
                  "created_at": "2026-01-01T00:00:00Z"}],
    "deals": [{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "new",
               "value": {"amount": "750.00", "currency": "USD"},
               "created_at": "2026-04-01T00:00:00Z"}],
}
RULES_AS_OF = datetime.datetime(2026, 5, 1, 9, tzinfo=UTC)


def deal_event(event_id: str, amount: str, currency: str = "USD") -> dict[str, Any]:
    """A deal_created event for D-1 carrying the deal's value."""
    return {"id": event_id, "type": "deal_created", "at": "2026-05-01T08:00:00Z",
            "deal": "D-1", "value": {"amount": amount, "currency": currency}}


@pytest.fixture(scope="session")
def sample_text() -> str:
    """The sample company (300 contacts, 554 deals) as JSON text."""
    return (DATA / "sample_company.json").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample(sample_text: str) -> crmkit.Dataset:
    """The sample company, loaded."""
    return crmkit.Dataset.from_json(sample_text)


@pytest.fixture(scope="session")
def model() -> crmkit.ScoringModel:
    """The small scoring model."""
    return crmkit.ScoringModel(MODEL)


def simulate_customers(
    n: int, seed: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64], npt.NDArray[np.float64],
           npt.NDArray[np.float64]]:
    """`n` shop customers drawn from BG/NBD (r=0.24, alpha=4.41, a=0.79,
    b=2.43, in days; CDNOW-like) and Gamma-Gamma spend (p=6.25, q=3.74,
    gamma=15.44), ages 30-365 days, times in whole days."""
    rng = np.random.default_rng(seed)
    frequency = np.zeros(n, dtype=np.uint32)
    recency = np.zeros(n)
    age = np.floor(rng.uniform(30.0, 365.0, n))
    monetary = np.zeros(n)
    rates = rng.gamma(0.24, 1 / 4.41, n)
    drops = rng.beta(0.79, 2.43, n)
    nus = rng.gamma(3.74, 1 / 15.44, n)
    for i in range(n):
        now, x, t_x = 0.0, 0, 0.0
        while x < 10_000:
            now += rng.exponential(1 / rates[i])
            if np.floor(now) > age[i]:
                break
            x += 1
            t_x = float(np.floor(now))
            if rng.uniform() < drops[i]:
                break
        frequency[i], recency[i] = x, t_x
        if x:
            monetary[i] = float(rng.gamma(6.25, 1 / nus[i], x).mean())
    return frequency, recency, age, monetary
