"""Segments and dataset attribution from Python: the sample company (won
deals and purchases), the shop of the C tests, hostile requests with their
paths, and the engines shared by threads."""

from __future__ import annotations

import concurrent.futures

import pytest
from conftest import SAMPLE_AS_OF

import crmkit

AS_OF = SAMPLE_AS_OF.isoformat().replace("+00:00", "Z")
CUSTOMERS = {"name": "customers",
             "condition": {"field": "contact.lifecycle_stage", "op": "eq", "value": "customer"}}


def test_cohorts_start_at_one_hundred_percent_and_keep_their_counts(
        sample: crmkit.Dataset) -> None:
    report = crmkit.cohort_report(sample, {"as_of": AS_OF, "granularity": "quarter"})
    assert report.customers == sum(c.customers for c in report.cohorts) > 0
    for cohort in report.cohorts:
        first = cohort.periods[0].retention
        # Numerators and denominators are exact decimal text, as for the KPIs.
        assert (int(first.numerator), int(first.denominator)) == (cohort.customers,
                                                                  cohort.customers)


def test_rfm_segments_cover_every_customer_once(sample: crmkit.Dataset) -> None:
    table = crmkit.rfm_segments(sample, {"as_of": AS_OF})
    assert sum(s.customers for s in table.segments) == len(table.customers) > 0
    assert {s.segment for s in table.segments} >= {"champions", "lost"}


def test_a_saved_segment_lists_members_and_changes(sample: crmkit.Dataset) -> None:
    members = crmkit.segment_members(sample, {"segment": CUSTOMERS, "as_of": AS_OF,
                                              "since": "2026-08-01T00:00:00Z"})
    assert members.count == len(members.members) > 0
    changes = members.changes
    assert changes.count_then + len(changes.entered) - len(changes.left) == members.count


def test_dataset_attribution_credits_sum_to_the_explained_won_deals(
        sample: crmkit.Dataset) -> None:
    report = crmkit.dataset_attribution_report(sample, {
        "conversion": {"event": "won_deal"}, "as_of": AS_OF,
        "models": [{"model": "linear"}, {"model": "markov"}]})
    explained = float(report.total_conversions) - float(report.unattributed_conversions)
    for model in report.models:
        credited = sum(float(c.conversions) for c in model.channels)
        assert credited == pytest.approx(explained)


def test_hostile_requests_name_their_path(sample: crmkit.Dataset) -> None:
    with pytest.raises(crmkit.CrmError) as caught:
        crmkit.segment_members(sample, {"segment": {"name": "x", "condition": {
            "field": "deal.value", "op": "gt", "value": 1}}, "as_of": AS_OF})
    assert caught.value.path is not None and "condition" in caught.value.path
    with pytest.raises(crmkit.CrmError) as caught:
        crmkit.cohort_report(sample, {"as_of": AS_OF, "granularity": "fortnight"})
    assert caught.value.path is not None and "granularity" in caught.value.path
    with pytest.raises(crmkit.CrmError):
        crmkit.rfm_segments(sample, "not json")
    with pytest.raises(crmkit.CrmError):
        crmkit.dataset_attribution_report(sample, {"models": []})


def test_segments_are_shared_between_threads(sample: crmkit.Dataset) -> None:
    def run(_: int) -> int:
        return int(crmkit.rfm_segments(sample, {"as_of": AS_OF}).segments[0].customers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(8)))
    assert len(set(results)) == 1


def test_clv_report_and_at_risk_over_the_sample(sample: crmkit.Dataset) -> None:
    report = crmkit.clv_report(sample, SAMPLE_AS_OF, {"clv": {"horizon_months": 12}})
    assert report.customers and report.currency == "USD"
    values = [c.clv for c in report.customers]
    assert all(isinstance(v, crmkit.Money) for v in values)
    assert [v.amount for v in values] == sorted((v.amount for v in values), reverse=True)
    risky = crmkit.at_risk(sample, SAMPLE_AS_OF, 0.75, 5)
    assert len(risky) <= 5
    assert all(r.probability_alive < 0.75 for r in risky)
    with pytest.raises(crmkit.InvalidError):
        crmkit.at_risk(sample, SAMPLE_AS_OF, 1.5, 5)


def test_at_risk_from_a_report_matches_at_risk_without_a_second_fit(
        sample: crmkit.Dataset) -> None:
    options = {"clv": {"horizon_months": 12}}
    report = crmkit.clv_report(sample, SAMPLE_AS_OF, options)
    fitted_again = crmkit.at_risk(sample, SAMPLE_AS_OF, 1.0, 50, options)
    from_report = crmkit.at_risk_from_report(report, 1.0, 50)
    assert fitted_again, "the sample has repeat customers"
    assert [r.to_json() for r in from_report] == [r.to_json() for r in fitted_again]
    with pytest.raises(crmkit.InvalidError):
        crmkit.at_risk_from_report(report, 0.0, 5)
    tampered = crmkit.Record({**report.to_dict(), "surprise": 1})
    with pytest.raises(crmkit.CrmError) as err:
        crmkit.at_risk_from_report(tampered, 0.5, 5)
    assert "surprise" in str(err.value)
