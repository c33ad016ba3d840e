"""Batch scoring over NumPy arrays, pandas and pyarrow tables (equal to the
per-lead path), and CLV fit/predict on NumPy arrays."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import LEAD, SCORE_AS_OF, simulate_customers

import crmkit


def test_the_batch_equals_the_per_lead_call(model: crmkit.ScoringModel) -> None:
    assert model.columns == ["contact.job_title", "company.employees"]
    titles = model.encode_column("contact.job_title", ["Sales Director", "Analyst"])
    employees = model.encode_column("company.employees", [500, None])
    pricing, bounce = model.activity_rules.index("pricing"), model.activity_rules.index("bounce")
    events = (np.array([0, 1], dtype=np.uint32), np.array([pricing, bounce], dtype=np.uint32),
              np.array([1769904000, 1772409600], dtype=np.int64))
    stages = np.array([crmkit.STAGE_CODES["lead"]] * 2, dtype=np.uint8)
    result = model.score_batch([titles, employees], SCORE_AS_OF, events=events, stages=stages,
                               categories=True)
    assert len(result) == 2
    assert result.total(0) == model.score(LEAD, SCORE_AS_OF).total == decimal.Decimal("32.5")
    assert result.grade_name(0) == "B"
    assert result.handoff[0] == 0 and result.handoff[1] == -1
    engagement = [c["id"] for c in model.info["categories"]].index("engagement")
    assert result.categories is not None
    assert result.categories[0, engagement] == 5 * crmkit.UNITS_PER_POINT
    assert result.total(1) == decimal.Decimal(-15)


def test_a_two_dimensional_array_is_read_in_place(model: crmkit.ScoringModel) -> None:
    columns = np.stack([model.encode_column(0, ["director"] * 4),
                        model.encode_column(1, np.array([50.0, 100.0, np.nan, 1e30]))])
    result = model.score_batch(columns, SCORE_AS_OF)
    assert [result.total(i) for i in range(4)] == [decimal.Decimal(x) for x in
                                                   ("20", "27.5", "20", "27.5")]


def test_a_pandas_frame_and_an_arrow_table_score_alike(model: crmkit.ScoringModel) -> None:
    frame = pd.DataFrame({"contact.job_title": ["Director of Sales", None, "CEO"],
                          "company.employees": [1000, 10, 100]})
    from_pandas = model.score_table(frame, SCORE_AS_OF)
    from_arrow = model.score_table(pa.Table.from_pandas(frame), SCORE_AS_OF)
    assert list(from_pandas.total_units) == list(from_arrow.total_units) == [275000, 0, 75000]
    shown = from_pandas.to_pandas()
    assert list(shown["grade"]) == ["B", "C", "C"]


def test_a_table_without_a_field_treats_it_as_missing(model: crmkit.ScoringModel) -> None:
    frame = pd.DataFrame({"company.employees": [1000, 10]})
    assert list(model.score_table(frame, SCORE_AS_OF).total_units) == [75000, 0]


def test_clv_fits_and_predicts_on_arrays() -> None:
    f, r, t, m = simulate_customers(2357, seed=7)
    model = crmkit.ClvModel.fit(f, r, t, m)
    bgnbd = model.params["bgnbd"]["params"]
    assert 0.1 < bgnbd["r"] < 0.5 and 2 < bgnbd["alpha"] < 9
    prediction = model.predict(f, r, t, m, horizon_months=12)
    assert prediction.clv.shape == (2357,)
    assert np.all((prediction.probability_alive >= 0) & (prediction.probability_alive <= 1))
    # A customer who bought often and recently is worth more than one who stopped.
    again = crmkit.ClvModel.from_json(model.to_json()).predict([10, 10], [300, 20], [310, 310],
                                                                [50, 50])
    assert again.clv[0] > again.clv[1]


def test_clv_needs_repeat_buyers() -> None:
    with pytest.raises(crmkit.NumericalError):
        crmkit.ClvModel.fit([0, 0, 0], [0, 0, 0], [30, 40, 50], [0, 0, 0])
