"""Speed figures of the Python package against the Rust engine, in one run
(by hand, never in CI):

    cargo build --release -p crmkit-python --example batch_reference
    pip install crates/crmkit-python       # or: maturin develop --release
    python bench/bench.py [--rounds 5]

Rounds alternate: the Rust reference (target/release/examples/
batch_reference --json: medians of 7) then the Python side (medians of 7),
so both see the same load; the figures are medians over the rounds and the
ratio is taken round by round. Both sides score the same 1,000,000
synthetic leads with the same model (tests/conftest.py's MODEL: a text
rule, a number rule, two activity rules; one event per lead) and one lead
given as JSON text; the Python side also fits BG/NBD + Gamma-Gamma to 2,357
simulated customers. The machine is shared and noisy: the load average is
printed with the figures.

The per-lead C call itself (crm_score_lead_json + crm_string_free, timed
from C) joins the rounds when bench/c_call.c is built (see its header) and
its binary given as CRMKIT_C_BENCH=path (it needs the root crate's
release libcrmkit.so, built with the C ABI after the crmkit-python build,
which writes a libcrmkit.so without it).
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import subprocess
import statistics
import sys
import time
from typing import Callable

import numpy as np
import pyarrow as pa

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


ROOT = pathlib.Path(__file__).resolve().parents[3]
RUST = ROOT / "target" / "release" / "examples" / "batch_reference"


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


def python_round(model: crmkit.ScoringModel) -> dict[str, float]:
    """One round of the Python side: medians in ms (batch) and us (per lead)."""
    columns, events = batch_inputs(model)
    packed = crmkit.batch_events(*events)
    out = np.empty(N, dtype=crmkit.SCORE_DTYPE)
    arrow_columns = [pa.array(c) for c in columns]
    figures = {
        "numpy_records_reused_out_ms": median_seconds(
            lambda: model.score_batch(columns, SCORE_AS_OF, events=packed, out=out), 7) * 1e3,
        "numpy_records_new_out_ms": median_seconds(
            lambda: model.score_batch(columns, SCORE_AS_OF, events=packed), 7) * 1e3,
        "arrow_columns_records_ms": median_seconds(
            lambda: model.score_batch(arrow_columns, SCORE_AS_OF, events=packed, out=out),
            7) * 1e3,
        "numpy_three_event_arrays_ms": median_seconds(
            lambda: model.score_batch(columns, SCORE_AS_OF, events=events), 7) * 1e3,
    }
    lead_text = json.dumps(LEAD)
    loops = 20_000
    figures["score_json_us"] = median_seconds(
        lambda: [model.score_json(lead_text, SCORE_AS_OF) for _ in range(loops)], 5) / loops * 1e6
    return figures


def rust_round() -> dict[str, float]:
    """One round of the Rust reference (medians of 7 inside)."""
    line = subprocess.run([str(RUST), "--json"], check=True, capture_output=True,
                          text=True).stdout
    figures: dict[str, float] = json.loads(line)
    return figures


def c_round() -> dict[str, float]:
    """One round of the C call timed from C (empty without CRMKIT_C_BENCH)."""
    binary = os.environ.get("CRMKIT_C_BENCH")
    if not binary:
        return {}
    line = subprocess.run([binary], check=True, capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(line)
    return figures


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    model = crmkit.ScoringModel(MODEL)
    load_before = os.getloadavg()[0]
    rows: list[tuple[dict[str, float], dict[str, float]]] = []
    for _ in range(rounds):
        rust = rust_round()
        rust.update(c_round())
        rows.append((rust, python_round(model)))
    load_after = os.getloadavg()[0]

    def med(values: list[float]) -> float:
        return statistics.median(values)

    rust_batch = med([r["score_batch_ms"] for r, _ in rows])
    print(f"{rounds} alternating rounds, load average {load_before:.1f} -> {load_after:.1f}, "
          f"{os.cpu_count()} CPUs")
    print(f"Rust score_batch alone, {N:,} leads: {rust_batch:.1f} ms")
    print(f"Rust score_batch + events built from three arrays: "
          f"{med([r['score_batch_with_events_ms'] for r, _ in rows]):.1f} ms")
    for key, label in (
        ("numpy_records_reused_out_ms", "Python, NumPy columns + EVENT_DTYPE events, out= reused"),
        ("numpy_records_new_out_ms", "Python, NumPy columns + EVENT_DTYPE events, new result"),
        ("arrow_columns_records_ms", "Python, pyarrow columns + EVENT_DTYPE events, out= reused"),
        ("numpy_three_event_arrays_ms", "Python, NumPy columns + three event arrays (packed)"),
    ):
        ratios = [p[key] / r["score_batch_ms"] for r, p in rows]
        print(f"{label}: {med([p[key] for _, p in rows]):.1f} ms, "
              f"{med(ratios):.2f}x Rust (rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
    ratios = [p["score_json_us"] / r["score_json_us"] for r, p in rows]
    print(f"per lead: Rust score_json_into {med([r['score_json_us'] for r, _ in rows]):.2f} us, "
          f"Python score_json {med([p['score_json_us'] for _, p in rows]):.2f} us, "
          f"{med(ratios):.2f}x")

    if all("c_score_lead_json_us" in r for r, _ in rows):
        ratios = [p["score_json_us"] / r["c_score_lead_json_us"] for r, p in rows]
        print(f"per lead: C crm_score_lead_json {med([r['c_score_lead_json_us'] for r, _ in rows]):.2f}"
              f" us, Python score_json {med(ratios):.2f}x the C call "
              f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})")

    loops = 2_000
    typed_call = median_seconds(lambda: [model.score(LEAD, SCORE_AS_OF)
                                         for _ in range(loops)], 5) / loops
    print(f"per lead, dict in, LeadScore out (score): {typed_call * 1e6:.2f} us")
    f, r, t, m = simulate_customers(2357, seed=7)
    fit = median_seconds(lambda: crmkit.ClvModel.fit(f, r, t, m), 15)
    print(f"CLV fit (BG/NBD + Gamma-Gamma), 2,357 customers from NumPy: {fit * 1e3:.2f} ms")
    _ = datetime  # the as_of above is an aware datetime


if __name__ == "__main__":
    main()
