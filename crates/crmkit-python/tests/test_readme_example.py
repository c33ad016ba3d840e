"""The README's Python section, as written there (keep the two equal): a
purchase-based shop's deals routed by the $500 rule and a KPI report."""

from __future__ import annotations

import datetime
import decimal

import crmkit


def test_the_readme_example_routes_and_reports() -> None:
    utc = datetime.timezone.utc
    shop = crmkit.Dataset.from_records(
        pipelines=[{"id": "sales", "name": "Sales", "stages": [
            {"id": "new", "name": "New", "probability": 10},
            {"id": "won", "name": "Won", "probability": 100, "kind": "won"}]}],
        reps=[{"id": "R-1", "name": "Ann"}],
        contacts=[{"id": "C-1", "name": "Ada", "owner": "R-1",
                   "created_at": datetime.datetime(2026, 1, 5, tzinfo=utc)}],
        deals=[{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "won",
                "status": "won", "value": crmkit.Money(decimal.Decimal("750.00"), "USD"),
                "created_at": datetime.datetime(2026, 2, 1, tzinfo=utc),
                "closed_at": datetime.datetime(2026, 2, 20, tzinfo=utc)},
               {"id": "D-2", "contact": "C-1", "pipeline": "sales", "stage": "new",
                "value": crmkit.Money(decimal.Decimal("499.99"), "USD"),
                "created_at": datetime.datetime(2026, 3, 1, tzinfo=utc)}])
    routing = crmkit.RuleSet.usd_500_routing()
    at = datetime.datetime(2026, 3, 1, 9, tzinfo=utc)
    routed = {deal: [a.type for a in routing.evaluate(
        shop, {"id": f"new/{deal}", "type": "deal_created", "at": at, "deal": deal}, at).actions]
        for deal in ("D-1", "D-2")}
    assert routed == {"D-1": ["create_task"], "D-2": ["enroll_in_campaign"]}
    report = crmkit.compute_kpis(shop, ["win_rate", "revenue"], "2026-01-01", "2026-04-01")
    assert report["revenue"].current.value == decimal.Decimal("750.00")
    assert report["win_rate"].current.value == 100
    assert list(report.to_pandas().index) == ["win_rate", "revenue"]


def test_the_readme_python_block_runs_verbatim() -> None:
    """The ```python block of the README's Python section, executed as it is
    written (so the README cannot drift from the package)."""
    import contextlib
    import io
    import pathlib

    readme = pathlib.Path(__file__).resolve().parents[3] / "README.md"
    section = readme.read_text(encoding="utf-8").split("## Using it from Python", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, "README.md", "exec"), {})
    text = printed.getvalue()
    assert "D-1 ['create_task']" in text, text
    assert "D-2 ['enroll_in_campaign']" in text, text


BATCH_AND_ANALYTICS_BLOCK = '''
import datetime, crmkit, pyarrow as pa

at = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
model = crmkit.ScoringModel({"rules": [
    {"id": "title", "points": 20,
     "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
    {"id": "size", "points": "7.5",
     "when": {"field": "company.employees", "op": "range", "min": 100}}],
    "grades": [{"grade": "A", "min": 25}, {"grade": "B", "min": 20}, {"grade": "C"}]})
leads = pa.table({"contact.job_title": ["Sales Director", "Analyst"],
                  "company.employees": [500, 20]})
scores = model.score_table(leads, at)           # GIL released; numeric columns not copied
print([(str(scores.total(i)), scores.grade_name(i)) for i in range(2)])
# [('27.5', 'A'), ('0', 'C')]

test = crmkit.analyze_experiment({"metric": "conversion", "arms": [
    {"name": "A", "visitors": 1000, "conversions": 100},
    {"name": "B", "visitors": 1000, "conversions": 130}]})
print(test.comparisons[0].verdict.code)         # variant_better
'''
"""The second Python block proposed for the README (notes/python.md): batch
scoring from a pyarrow table and an A/B test; keep the two equal."""


def test_the_proposed_batch_and_analytics_block_runs() -> None:
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(BATCH_AND_ANALYTICS_BLOCK, "README.md", "exec"), {})
    assert printed.getvalue().splitlines() == ["[('27.5', 'A'), ('0', 'C')]", "variant_better"]
