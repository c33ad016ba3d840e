"""The seed examples, as the Rust tests check them: the $500 routing, the
SMART churn goal, KPIs with numerator and denominator, lead scoring."""

from __future__ import annotations

import datetime
import decimal

import pytest
from conftest import (
    LEAD, RULES_AS_OF, SAMPLE_AS_OF, SCORE_AS_OF, SMALL_DATASET, UTC, deal_event,
)

import crmkit


def test_over_500_is_a_call_under_is_nurture_and_500_is_a_call() -> None:
    dataset = crmkit.Dataset.from_json(SMALL_DATASET)
    rules = crmkit.RuleSet.usd_500_routing()
    over = rules.evaluate(dataset, deal_event("E-1", "750.00"), RULES_AS_OF)
    assert [a.type for a in over.actions] == ["create_task"]
    assert over.actions[0]["assignee"] == "R-1"
    under = rules.evaluate(dataset, deal_event("E-2", "499.99"), RULES_AS_OF)
    assert under.actions[0]["campaign"] == "nurture"
    exactly = rules.evaluate(dataset, deal_event("E-3", "500.00"), RULES_AS_OF)
    assert exactly.actions[0].type == "create_task"


def test_the_nurture_boundary_sends_500_to_nurture() -> None:
    dataset = crmkit.Dataset.from_json(SMALL_DATASET)
    rules = crmkit.RuleSet.usd_500_routing("nurture")
    result = rules.evaluate(dataset, deal_event("E-3", "500.00"), RULES_AS_OF)
    assert result.actions[0].type == "enroll_in_campaign"


def test_replaying_an_event_with_the_state_acts_once() -> None:
    dataset = crmkit.Dataset.from_json(SMALL_DATASET)
    rules = crmkit.RuleSet.usd_500_routing()
    first = rules.evaluate(dataset, deal_event("E-1", "750.00"), RULES_AS_OF)
    again = rules.evaluate(dataset, deal_event("E-1", "750.00"), RULES_AS_OF, first.state)
    assert len(first.actions) == 1
    assert again.actions == []


def test_the_seed_wording_leaves_500_unrouted_and_the_analysis_says_so() -> None:
    assert not [f for f in crmkit.RuleSet.usd_500_routing().analyze() if f["kind"] == "gap"]
    gaps = [f for f in crmkit.RuleSet.usd_500_routing("unrouted").analyze() if f["kind"] == "gap"]
    assert gaps[0]["example_text"] == "deal.value = 500.00 USD"


def test_every_sample_deal_is_routed(sample: crmkit.Dataset, sample_text: str) -> None:
    import json

    deals = json.loads(sample_text)["deals"]
    events = [{"id": f"created/{d['id']}", "type": "deal_created", "at": d["created_at"],
               "deal": d["id"]} for d in deals]
    report = crmkit.RuleSet.usd_500_routing().dry_run(sample, events)
    assert report["errors"] == []
    assert len(report["actions"]) == len(deals) == 554


def test_money_in_another_currency_is_a_currency_mismatch() -> None:
    dataset = crmkit.Dataset.from_json(SMALL_DATASET)
    with pytest.raises(crmkit.CurrencyMismatchError) as caught:
        crmkit.RuleSet.usd_500_routing().evaluate(
            dataset, deal_event("E-9", "600", "EUR"), RULES_AS_OF)
    assert "EUR" in str(caught.value)


def test_the_churn_goal_is_smart_and_its_deadline_is_the_end_of_next_quarter() -> None:
    july = datetime.datetime(2024, 7, 1, 12, tzinfo=UTC)
    report = crmkit.validate_goal({
        "name": "reduce churn by 25% by the end of next quarter",
        "objective": "increase_retention", "kpi": "churn_rate", "target": "-25%",
        "deadline": "end of next quarter",
        "plan": {"action": "use our new CRM to improve communication between sales and support",
                 "resources": ["our new CRM"]},
        "reason": "repeat customers spend more and cost less"}, july)
    assert report.smart
    assert report.raw["deadline"] == "2024-12-31"


def test_prevent_churn_is_not_smart_and_says_why_in_german() -> None:
    july = datetime.datetime(2024, 7, 1, 12, tzinfo=UTC)
    vague = crmkit.validate_goal({"name": "prevent churn"}, july, "de")
    assert not vague.smart
    assert [c.letter for c in vague.criteria] == list("SMART")
    assert {"no_kpi", "no_deadline"} <= vague.codes
    assert vague.criteria[1].name == "messbar"
    assert "Kennzahl" in vague.criteria[1].reasons[0].message


def test_goal_progress_is_tracked_with_a_localized_summary() -> None:
    progress = crmkit.goal_progress(
        {"kpi": "churn_rate", "baseline": {"value": 8, "date": "2024-07-01"}, "target": 6,
         "deadline": "2024-12-31"},
        [{"date": "2024-07-01", "value": "8"}, {"date": "2024-09-01", "value": "7.4"}],
        datetime.datetime(2024, 9, 1, 12, tzinfo=UTC), "pt")
    assert progress["progress"] == decimal.Decimal("0.3")
    assert progress["locale"] == "pt"
    assert progress["status"] == "at_risk"


def test_kpis_carry_numerator_and_denominator(sample: crmkit.Dataset) -> None:
    report = crmkit.compute_kpis(sample, ["win_rate", "revenue", "average_deal_size"],
                                 "2026-07-01", "2026-10-01", granularity="quarter")
    win_rate = report["win_rate"].current
    assert win_rate.value is not None and win_rate.numerator is not None
    assert win_rate.denominator is not None
    assert win_rate.value == win_rate.numerator / win_rate.denominator * 100
    revenue = report["revenue"].current
    assert revenue.currency == "USD"
    assert isinstance(revenue.value, decimal.Decimal)
    assert report["revenue"].previous is not None
    assert report.period_start == datetime.date(2026, 7, 1)


def test_the_kpi_report_as_a_dataframe(sample: crmkit.Dataset) -> None:
    report = crmkit.compute_kpis(sample, ["win_rate", "revenue"], "2026-07-01", "2026-10-01")
    frame = report.to_pandas()
    assert list(frame.index) == ["win_rate", "revenue"]
    assert frame.loc["revenue", "value"] == report["revenue"].current.value
    assert isinstance(frame.loc["revenue", "value"], decimal.Decimal)


def test_an_undefined_kpi_is_none_not_nan() -> None:
    empty = crmkit.Dataset.from_json({"contacts": []})
    report = crmkit.compute_kpis(empty, ["win_rate"], "2026-01-01", "2026-04-01",
                                 options={"currency": "USD"})
    assert report["win_rate"].current.value is None
    assert report["win_rate"].current.status == "undefined"
    # A dataset without any deal cannot tell a win rate: undefined with the
    # reason "missing_data" (not a zero denominator, not a silent 0).
    assert report["win_rate"].current.reason == "missing_data"
    assert report["win_rate"].change_relative is None


def test_series_pipeline_and_catalog(sample: crmkit.Dataset) -> None:
    assert "win_rate" in [k["id"] for k in crmkit.kpi_catalog()]
    series = crmkit.kpi_time_series(sample, {"kpis": ["revenue"], "granularity": "month",
                                             "range": {"start": "2026-01-01", "end": "2026-04-01"}})
    assert len(series["points"]) == 3
    report = crmkit.pipeline_report(sample, {"as_of": SAMPLE_AS_OF})
    assert report["open_items"] == 61
    assert "bottleneck_without_follow_up" in [f["code"] for f in report["findings"]]


def test_one_lead_is_scored_and_explained(model: crmkit.ScoringModel) -> None:
    score = model.score(LEAD, SCORE_AS_OF)
    assert score.total == decimal.Decimal("32.5")
    assert score.grade == "B"
    assert "pricing" in [c.rule for c in score.contributions]
    assert score.recommendation is not None and score.recommendation["to"] == "mql"
    assert score.as_of == SCORE_AS_OF
    assert score.categories["engagement"] == decimal.Decimal("5")


def test_the_sample_model_scores_a_sample_lead(sample_text: str) -> None:
    import json
    import pathlib

    model_path = pathlib.Path(__file__).resolve().parents[3] / "examples/data/scoring_model.json"
    model = crmkit.ScoringModel(model_path.read_text(encoding="utf-8"))
    doc = json.loads(sample_text)
    contact = doc["contacts"][0]
    lead = {"contact": contact,
            "activities": [a for a in doc["activities"] if a.get("contact") == contact["id"]]}
    score = model.score(lead, SAMPLE_AS_OF)
    assert score.contact == contact["id"]
    assert score.total == decimal.Decimal(json.loads(model.score_json(json.dumps(lead),
                                                                      SAMPLE_AS_OF))["total"])
