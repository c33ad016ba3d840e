"""Speed figures of the Python package (run by hand, never in CI):

    python bench/bench.py                 # the Python side
    cargo run --release -p crmkit-python --example batch_reference   # the Rust side

Both sides score the same 1,000,000 synthetic leads with the same model
(tests/conftest.py's MODEL: a text rule, a number rule, two activity rules;
one event per lead), score one lead given as JSON text, and the Python side
fits BG/NBD + Gamma-Gamma to 2,357 simulated customers. Medians of repeated
runs; the machine is shared and noisy, so compare ratios of one sitting.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import statistics
import sys
import time
from typing import Callable

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

import crmkit  # noqa: E402
from conftest import LEAD, MODEL, SCORE_AS_OF, simulate_customers  # noqa: E402

N = 1_000_000


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` runs of `run`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_inputs(model: crmkit.ScoringModel) -> tuple[
    list[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]
]:
    """The synthetic leads of examples/batch_reference.rs: lead i has title
    code i % 2 (1 = "director"), employees i % 1000, and one event on rule
    i % 2 at 2026-02-01 + (i % 30) days."""
    i = np.arange(N, dtype=np.int64)
    titles = i % 2
    employees = model.encode_column(1, i % 1000)
    events = (i.astype(np.uint32), (i % 2).astype(np.uint32), 1769904000 + (i % 30) * 86400)
    return [titles, employees], events


def main() -> None:
    model = crmkit.ScoringModel(MODEL)
    columns, events = batch_inputs(model)
    batch = median_seconds(lambda: model.score_batch(columns, SCORE_AS_OF, events=events), 7)
    print(f"score_batch, {N:,} leads from NumPy: {batch * 1e3:.1f} ms (median of 7)")

    lead_text = json.dumps(LEAD)
    loops = 20_000
    text_call = median_seconds(lambda: [model.score_json(lead_text, SCORE_AS_OF)
                                        for _ in range(loops)], 5) / loops
    typed_call = median_seconds(lambda: [model.score(LEAD, SCORE_AS_OF)
                                         for _ in range(loops)], 5) / loops
    print(f"per lead, JSON text in and out (score_json): {text_call * 1e6:.2f} us")
    print(f"per lead, dict in, LeadScore out (score): {typed_call * 1e6:.2f} us")

    f, r, t, m = simulate_customers(2357, seed=7)
    fit = median_seconds(lambda: crmkit.ClvModel.fit(f, r, t, m), 15)
    print(f"CLV fit (BG/NBD + Gamma-Gamma), 2,357 customers from NumPy: {fit * 1e3:.2f} ms")
    _ = datetime  # the as_of above is an aware datetime


if __name__ == "__main__":
    main()
