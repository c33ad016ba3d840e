"""Hostile input: malformed JSON, wrong types, NaN, huge numbers, naive
datetimes. Every failure is a CrmError of the right kind with its path;
nothing crashes the interpreter."""

from __future__ import annotations

import datetime
import decimal
import math
from typing import Any, Callable

import numpy as np
import pytest
from conftest import LEAD, SCORE_AS_OF, SMALL_DATASET, UTC

import crmkit


@pytest.mark.parametrize("text", ["", "{", "[1,2", "null", "\ufeff{}", "{}\0{}", "\udcff"])
def test_malformed_json_is_a_json_error(text: str) -> None:
    with pytest.raises(crmkit.CrmError):
        crmkit.Dataset.from_json(text)


def test_errors_carry_kind_and_path() -> None:
    with pytest.raises(crmkit.JsonError) as caught:
        crmkit.Dataset.from_json('{"deals": [{"id": 7}]}')
    assert caught.value.kind == "json"
    assert caught.value.path is not None and caught.value.path.startswith("deals[0]")
    assert isinstance(caught.value, ValueError)


def test_a_reference_to_nothing_is_not_found() -> None:
    broken = dict(SMALL_DATASET, deals=[dict(SMALL_DATASET["deals"][0], contact="C-404")])
    with pytest.raises(crmkit.NotFoundError) as caught:
        crmkit.Dataset.from_json(broken)
    assert isinstance(caught.value, LookupError)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, decimal.Decimal("NaN")])
def test_nan_and_infinity_are_invalid(value: Any) -> None:
    with pytest.raises(crmkit.InvalidError) as caught:
        crmkit.ScoringModel({"rules": [{"id": "r", "points": value,
                                        "when": {"field": "contact.job_title", "op": "exists"}}]})
    assert caught.value.path == "model"


def test_wrong_types_are_json_errors_with_paths(model: crmkit.ScoringModel) -> None:
    cases: list[tuple[Callable[[], object], type[crmkit.CrmError], str]] = [
        (lambda: crmkit.RuleSet({"rules": 3}), crmkit.JsonError, "rules"),
        (lambda: model.score({"contact": {"id": ""}}, SCORE_AS_OF), crmkit.JsonError, ""),
        (lambda: crmkit.validate_goal({"target": True}, SCORE_AS_OF), crmkit.JsonError, "target"),
        (lambda: crmkit.validate_goal({}, SCORE_AS_OF, "fr"), crmkit.UnsupportedError, ""),
        (lambda: crmkit.Dataset.from_json({"contacts": [object()]}), crmkit.JsonError, "dataset"),
        (lambda: crmkit.ScoringModel({"rules": [{"id": "r", "points": 1, "when": {
            "field": "contact.gender", "op": "exists"}}]}),
         crmkit.ProtectedAttributeError, "rules[0].when.field"),
    ]
    for call, kind, path in cases:
        with pytest.raises(kind) as caught:
            call()
        assert path in (caught.value.path or "")


def test_huge_numbers_are_errors_or_saturate_never_crash(model: crmkit.ScoringModel) -> None:
    with pytest.raises(crmkit.CrmError):
        crmkit.Dataset.from_json(dict(SMALL_DATASET, deals=[dict(
            SMALL_DATASET["deals"][0], value={"amount": "1" + "0" * 40, "currency": "USD"})]))
    with pytest.raises(crmkit.CrmError):
        crmkit.ScoringModel({"rules": [{"id": "r", "points": 10**30,
                                        "when": {"field": "contact.job_title", "op": "exists"}}]})
    lead = dict(LEAD, company=dict(LEAD["company"], employees=10**300))
    with pytest.raises(crmkit.CrmError):
        model.score(lead, SCORE_AS_OF)
    encoded = model.encode_column(1, np.array([1e300, -1e300, np.inf]))
    assert encoded[0] > 0 > encoded[1]
    last = datetime.datetime.max.replace(tzinfo=UTC)
    assert model.score(LEAD, last).as_of == last.replace(microsecond=0)


def test_naive_datetimes_are_refused(model: crmkit.ScoringModel) -> None:
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score(LEAD, datetime.datetime(2026, 3, 3))
    assert caught.value.path == "as_of"


def test_wrong_column_values_name_the_row(model: crmkit.ScoringModel) -> None:
    with pytest.raises(crmkit.InvalidError) as caught:
        model.encode_column("company.employees", np.array(["12", "twelve"], dtype=object))
    assert caught.value.path is not None and "[1]" in caught.value.path
    with pytest.raises(crmkit.InvalidError):
        model.encode_column("contact.job_title", np.array([1.5, 2.5]))
    with pytest.raises(crmkit.InvalidError):
        model.encode_column("nope", [1])


def test_bad_batch_arrays_are_invalid(model: crmkit.ScoringModel) -> None:
    zeros = np.zeros(2, dtype=np.int64)
    with pytest.raises(crmkit.InvalidError):
        model.score_batch([zeros, np.zeros(1, dtype=np.int64)], SCORE_AS_OF)
    with pytest.raises(crmkit.InvalidError):
        model.score_batch([zeros], SCORE_AS_OF)
    unsorted = (np.array([1, 0], dtype=np.uint32), np.zeros(2, dtype=np.uint32),
                np.zeros(2, dtype=np.int64))
    with pytest.raises(crmkit.InvalidError):
        model.score_batch([zeros, zeros], SCORE_AS_OF, events=unsorted)
    with pytest.raises(crmkit.InvalidError):
        model.score_batch([zeros, zeros], SCORE_AS_OF, stages=np.array([9, 9], dtype=np.uint8))


def test_clv_arrays_of_different_lengths_are_invalid() -> None:
    with pytest.raises(crmkit.InvalidError):
        crmkit.ClvModel.fit([1, 2], [1.0], [3.0, 4.0], [1.0, 1.0])


def test_money_is_decimal_never_float() -> None:
    with pytest.raises(crmkit.InvalidError):
        crmkit.Money(12.5, "USD")  # type: ignore[arg-type]
    price = crmkit.Money(decimal.Decimal("499.99"), "USD")
    dataset = crmkit.Dataset.from_records(
        pipelines=SMALL_DATASET["pipelines"], contacts=SMALL_DATASET["contacts"],
        reps=SMALL_DATASET["reps"],
        deals=[dict(SMALL_DATASET["deals"][0], value=price,
                    created_at=datetime.datetime(2026, 4, 1, tzinfo=UTC))])
    assert dataset.counts()["deals"] == 1


def test_lone_surrogates_in_lead_text_are_json_errors(model: crmkit.ScoringModel) -> None:
    with pytest.raises(crmkit.JsonError) as caught:
        model.score_json('{"contact": "\udcff"}', SCORE_AS_OF)
    assert caught.value.path == "lead"
