"""Propensity models, RFM, the ideal-customer profile, experiments and
attribution from Python: the seed-style examples of the Rust and C tests
(the B2B deals and the shop's purchases of the sample company), typed
results, hostile input and the engines shared by threads."""

from __future__ import annotations

import concurrent.futures
import datetime
import decimal
import json

import numpy as np
import pytest
from conftest import SAMPLE_AS_OF, UTC

import crmkit

SPEC = {"model": "logistic",
        "features": [{"type": "category", "field": "company.industry"},
                     {"type": "activity_count", "activity": "meeting"}],
        "holdout_percent": 20}
AB_TEST = {"metric": "conversion", "arms": [{"name": "A", "visitors": 1000, "conversions": 100},
                                            {"name": "B", "visitors": 1000, "conversions": 130}]}
JOURNEYS = {"currency": "USD", "models": [{"model": "linear"}, {"model": "markov"}],
            "journeys": [
                {"touches": [{"channel": "C1", "at": "2026-01-01T00:00:00Z"},
                             {"channel": "C2", "at": "2026-01-02T00:00:00Z"},
                             {"channel": "C3", "at": "2026-01-03T00:00:00Z"}],
                 "conversions": 1, "value": "50.00"},
                {"touches": [{"channel": "C1", "at": "2026-01-01T00:00:00Z"}]},
                {"touches": [{"channel": "C2", "at": "2026-01-01T00:00:00Z"},
                             {"channel": "C3", "at": "2026-01-02T00:00:00Z"}]}]}
PROFILE = {"outcome": {"type": "top_revenue", "fraction": 0.2},
           "features": [{"type": "category", "field": "company.industry"}]}


def test_propensity_trains_predicts_and_explains_the_b2b_deals(sample: crmkit.Dataset) -> None:
    model = crmkit.PropensityModel.train(sample, SPEC, SAMPLE_AS_OF)
    assert model.training.holdout_examples > 0 and model.training.evaluation is not None
    assert isinstance(model.training.mean_won_value, crmkit.Money)
    predictions = model.predict(sample, SAMPLE_AS_OF)
    assert predictions and all(0.0 <= p.probability <= 1.0 for p in predictions)
    assert [p.probability for p in predictions] == sorted((p.probability for p in predictions),
                                                          reverse=True)
    first = predictions[0]
    assert isinstance(first.expected_value.amount, decimal.Decimal)
    assert first.expected_value.currency == "USD"
    assert {c.feature for c in first.contributions} == {"company.industry",
                                                        "activity_count:meeting"}
    with_deal = next(p for p in predictions if p.deal is not None)
    assert model.explain(sample, SAMPLE_AS_OF, deal=with_deal.deal) == with_deal
    again = crmkit.PropensityModel.from_json(model.to_json())
    assert again.predict(sample, SAMPLE_AS_OF) == predictions
    with pytest.raises(crmkit.NotFoundError):
        model.explain(sample, SAMPLE_AS_OF, deal="D-none")
    with pytest.raises(crmkit.InvalidError):
        model.explain(sample, SAMPLE_AS_OF)


def test_propensity_refuses_protected_attributes_and_bad_specs(sample: crmkit.Dataset) -> None:
    protected = dict(SPEC, features=[{"type": "category", "field": "contact.gender"}])
    with pytest.raises(crmkit.CrmError) as caught:
        crmkit.PropensityModel.train(sample, protected, SAMPLE_AS_OF)
    assert isinstance(caught.value, (crmkit.ProtectedAttributeError, crmkit.InvalidError))
    with pytest.raises(crmkit.InvalidError) as invalid:
        crmkit.PropensityModel.train(sample, dict(SPEC, features=[]), SAMPLE_AS_OF)
    assert invalid.value.path == "features"
    with pytest.raises(crmkit.JsonError):
        crmkit.PropensityModel.train(sample, dict(SPEC, model="forest"), SAMPLE_AS_OF)
    with pytest.raises(crmkit.JsonError):
        crmkit.PropensityModel.from_json("{")
    empty = crmkit.Dataset.from_json({"contacts": []})
    with pytest.raises(crmkit.InvalidError):
        crmkit.PropensityModel.train(empty, SPEC, SAMPLE_AS_OF)
    with pytest.raises(crmkit.InvalidError):
        crmkit.PropensityModel.train(sample, SPEC, datetime.datetime(2026, 1, 1))


def test_rfm_of_the_shop_purchases_feeds_the_clv_fit(sample: crmkit.Dataset) -> None:
    calibration = datetime.datetime(2026, 9, 1, tzinfo=UTC)
    table = crmkit.rfm(sample, calibration, observation_end=SAMPLE_AS_OF, unit="weeks")
    assert table.currency == "USD" and table.unit == "weeks" and len(table) > 0
    assert all(isinstance(r.customer, str) and r.customer.startswith("C-") for r in table.rows)
    assert all(r.recency <= r.age for r in table.rows)
    assert len({r.customer for r in table.rows}) == len(table)
    assert table.holdout_length == pytest.approx((SAMPLE_AS_OF - calibration).days / 7, abs=1)
    frame = table.to_pandas()
    assert list(frame["customer"]) == [r.customer for r in table.rows]
    frequency, recency, age, monetary = table.arrays()
    assert frequency.dtype == np.uint32 and len(age) == len(table)
    with pytest.raises(crmkit.InvalidError) as caught:
        crmkit.rfm(sample, SAMPLE_AS_OF, observation_end=calibration)
    assert caught.value.path == "observation_end"
    with pytest.raises(crmkit.JsonError):
        crmkit.rfm(sample, calibration, unit="fortnights")
    with pytest.raises(crmkit.InvalidError):
        crmkit.rfm(sample, calibration, currency="dollars")


def test_rfm_from_arrays_counts_repeat_purchases() -> None:
    day = 86_400
    start = int(datetime.datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    # Customer 0 buys on days 0, 10 and 20; customer 1 once, on day 5.
    table = crmkit.rfm_from_arrays(
        [0, 0, 0, 1], np.array([start, start + 10 * day, start + 20 * day, start + 5 * day]),
        [10.0, 20.0, 40.0, 5.0], datetime.datetime(2026, 2, 1, tzinfo=UTC))
    first, second = table.rows
    assert (first.customer, first.frequency, first.recency, first.age) == (0, 2, 20.0, 31.0)
    assert first.monetary == pytest.approx(30.0)
    assert (second.frequency, second.recency, second.monetary) == (0, 0.0, 0.0)
    as_datetimes = crmkit.rfm_from_arrays(
        [0], np.array(["2026-01-01T00:00:00"], dtype="datetime64[s]"), [1.0],
        datetime.datetime(2026, 1, 2, tzinfo=UTC))
    assert as_datetimes.rows[0].age == 1.0
    with pytest.raises(crmkit.InvalidError) as caught:
        crmkit.rfm_from_arrays([0, 1], [start, start], [1.0, float("nan")],
                               datetime.datetime(2026, 2, 1, tzinfo=UTC))
    assert caught.value.path == "amounts[1]"
    with pytest.raises(crmkit.InvalidError):
        crmkit.rfm_from_arrays([0], [start, start], [1.0], datetime.datetime(2026, 2, 1, tzinfo=UTC))
    with pytest.raises(crmkit.InvalidError):
        crmkit.rfm_from_arrays([-1], [start], [1.0], datetime.datetime(2026, 2, 1, tzinfo=UTC))


def test_the_ideal_customer_profile_names_over_represented_values(
        sample: crmkit.Dataset) -> None:
    report = crmkit.ideal_customer_profile(sample, PROFILE, SAMPLE_AS_OF)
    assert report.outcome.type == "top_revenue" and 0 < report.group <= report.population
    assert report.indicators and all(i.lift >= 1.0 for i in report.indicators)
    assert report.to_dict()["population"] == report.population
    with pytest.raises(crmkit.CrmError):
        crmkit.ideal_customer_profile(sample, dict(PROFILE, outcome={"type": "top_revenue",
                                                                      "fraction": 2}),
                                      SAMPLE_AS_OF)


def test_an_ab_test_and_its_sample_size() -> None:
    analysis = crmkit.analyze_experiment(AB_TEST)
    assert analysis.comparisons[0].verdict.code == "variant_better"
    assert analysis["metric"] == "conversion"
    assert "two_proportion_z_test" in json.dumps(analysis.to_dict())
    plan = crmkit.sample_size({"metric": "conversion", "baseline": 0.1,
                               "effect": {"relative": 0.2}})
    assert (plan.per_arm, plan.total) == (3841, 7682)
    with pytest.raises(crmkit.InvalidError) as caught:
        crmkit.analyze_experiment({"metric": "conversion",
                                   "arms": [{"name": "A", "visitors": 0, "conversions": 0},
                                            {"name": "B", "visitors": 5, "conversions": 1}]})
    assert caught.value.path is not None and "arms[0].visitors" in caught.value.path
    with pytest.raises(crmkit.InvalidError):
        crmkit.sample_size({"metric": "conversion", "baseline": 1.5, "per_arm": 10})
    with pytest.raises(crmkit.JsonError):
        crmkit.sample_size({"metric": "median"})
    with pytest.raises(crmkit.InvalidError):
        crmkit.analyze_experiment({"metric": "conversion", "arms": [
            {"name": "A", "visitors": 10, "conversions": float("nan")}]})


def test_attribution_gives_exact_money_and_markov_removal_effects() -> None:
    report = crmkit.attribution_report(JOURNEYS)
    assert report.total_value == crmkit.Money(decimal.Decimal("50.00"), "USD")
    linear, markov = report.models
    assert linear.model.model == "linear"
    assert sum((c.value.amount for c in linear.channels), decimal.Decimal(0)) == \
        decimal.Decimal("50.00")
    credit = {c.key: decimal.Decimal(c.conversions) for c in markov.channels}
    assert credit == {"C1": decimal.Decimal("0.2"), "C2": decimal.Decimal("0.4"),
                      "C3": decimal.Decimal("0.4")}
    with pytest.raises(crmkit.InvalidError):
        crmkit.attribution_report({"currency": "USD", "models": [], "journeys": []})
    with pytest.raises(crmkit.JsonError):
        crmkit.attribution_report("[]")
    with pytest.raises(crmkit.JsonError):
        crmkit.attribution_report(b"\xff\xfe")


def test_records_are_read_only_and_typed() -> None:
    report = crmkit.attribution_report(JOURNEYS)
    with pytest.raises(AttributeError):
        report.total_value = None
    with pytest.raises(AttributeError):
        _ = report.no_such_field
    touches = crmkit.Record({"at": "2026-01-01T00:00:00Z", "deadline_at": "not a date",
                             "price": {"amount": "1.10", "currency": "EUR"}})
    assert touches.at == datetime.datetime(2026, 1, 1, tzinfo=UTC)
    assert touches.deadline_at == "not a date"
    assert touches.price == crmkit.Money(decimal.Decimal("1.10"), "EUR")


def test_the_analytics_engines_are_shared_by_threads(sample: crmkit.Dataset) -> None:
    model = crmkit.PropensityModel.train(sample, SPEC, SAMPLE_AS_OF)
    expected = model.predict(sample, SAMPLE_AS_OF)
    expected_attribution = crmkit.attribution_report(JOURNEYS).to_dict()
    expected_profile = crmkit.ideal_customer_profile(sample, PROFILE, SAMPLE_AS_OF).to_dict()

    def work(i: int) -> None:
        for _ in range(3):
            assert model.predict(sample, SAMPLE_AS_OF) == expected
            assert crmkit.attribution_report(JOURNEYS).to_dict() == expected_attribution
            assert crmkit.ideal_customer_profile(sample, PROFILE, SAMPLE_AS_OF).to_dict() == \
                expected_profile
            assert crmkit.analyze_experiment(AB_TEST).comparisons[0].verdict.code == \
                "variant_better"

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(16)))
