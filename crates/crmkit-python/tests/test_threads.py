"""The engines used from several Python threads at once: one shared model,
rule set and dataset; results equal the single-threaded ones."""

from __future__ import annotations

import concurrent.futures

import numpy as np
from conftest import LEAD, RULES_AS_OF, SCORE_AS_OF, SMALL_DATASET, deal_event

import crmkit


def test_engines_are_shared_by_threads(model: crmkit.ScoringModel,
                                       sample: crmkit.Dataset) -> None:
    rules = crmkit.RuleSet.usd_500_routing()
    small = crmkit.Dataset.from_json(SMALL_DATASET)
    rng = np.random.default_rng(3)
    columns = [model.encode_column(0, rng.choice(np.array(["Director", "Analyst", None], dtype=object), 20_000)),
               model.encode_column(1, rng.integers(0, 1000, 20_000))]
    expected_batch = model.score_batch(columns, SCORE_AS_OF).total_units
    expected_kpi = crmkit.compute_kpis(sample, ["win_rate"], "2026-07-01", "2026-10-01").raw

    def work(i: int) -> None:
        for _ in range(20):
            assert model.score(LEAD, SCORE_AS_OF).total == 32.5
            amount = "750.00" if i % 2 else "10.00"
            kind = rules.evaluate(small, deal_event(f"E-{i}", amount), RULES_AS_OF).actions[0].type
            assert kind == ("create_task" if i % 2 else "enroll_in_campaign")
        assert np.array_equal(model.score_batch(columns, SCORE_AS_OF).total_units, expected_batch)
        assert crmkit.compute_kpis(sample, ["win_rate"], "2026-07-01", "2026-10-01").raw == \
            expected_kpi

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(16)))
