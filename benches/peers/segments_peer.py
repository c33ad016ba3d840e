"""Peer timings for benches/segments.rs: the same cohort table and RFM
segments computed with polars and pandas on the same generated data.

Dev tool only (not run by CI). Usage:

    CRMKIT_BENCH_DUMP=/tmp/crmkit-peers cargo bench --bench segments -- --warm-up-time 1 --measurement-time 3
    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install polars pandas numpy
    /tmp/peers/bin/python benches/peers/segments_peer.py /tmp/crmkit-peers

Prints the median of 5 runs per task (after one warm-up run). The work
matches crmkit's: cohort = UTC month of a customer's first purchase; per
(cohort, month) the number of distinct active customers and the exact
revenue in cents (integer sums); RFM = scores 1 + floor(5 * worse / n)
with ties at the lowest position (rank "min"), the R x FM grid, and the
count per segment (a score per customer is materialised, as crmkit's
table does). The peers run on all cores they find (polars is
multithreaded); crmkit on one.
"""

import os
import statistics
import sys
import time

import numpy as np
import pandas as pd
import polars as pl

# R (1..5) x FM (1..5) -> segment index, crmkit's grid (rfm_segments.rs).
LOST, HIB, RISK, CANT, SLEEP, ATTN, LOYAL, PROM, POT, CHAMP, NEW = range(11)
GRID = np.array(
    [
        [LOST, LOST, RISK, CANT, CANT],
        [HIB, HIB, RISK, RISK, RISK],
        [SLEEP, ATTN, ATTN, LOYAL, LOYAL],
        [PROM, POT, LOYAL, CHAMP, CHAMP],
        [NEW, POT, LOYAL, CHAMP, CHAMP],
    ],
    dtype=np.int8,
).reshape(-1)


def timed(name, fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    print(f"{name}: median {statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f})")


def main(directory):
    load = lambda name, dtype: np.fromfile(os.path.join(directory, name), dtype=dtype)
    customers = load("cohort_customers.u32", "<u4")
    times = load("cohort_times.i64", "<i8")
    amounts = load("cohort_amounts.i64", "<i8")
    purchases = pl.DataFrame({"c": customers, "t": times, "a": amounts})
    ppurchases = pd.DataFrame({"c": customers, "t": times, "a": amounts})

    def cohort_polars():
        month = pl.from_epoch("t", time_unit="s").dt.year() * 12 + pl.from_epoch("t", time_unit="s").dt.month()
        df = purchases.with_columns(month.alias("m"))
        df = df.with_columns(pl.col("m").min().over("c").alias("cohort"))
        return (
            df.group_by("cohort", "m")
            .agg(pl.col("c").n_unique().alias("active"), pl.col("a").sum().alias("revenue"))
            .sort("cohort", "m")
        )

    def cohort_pandas():
        stamp = pd.to_datetime(ppurchases["t"], unit="s")
        m = stamp.dt.year * 12 + stamp.dt.month
        cohort = m.groupby(ppurchases["c"]).transform("min")
        df = pd.DataFrame({"c": ppurchases["c"], "m": m, "cohort": cohort, "a": ppurchases["a"]})
        return df.groupby(["cohort", "m"]).agg(active=("c", "nunique"), revenue=("a", "sum"))

    recency = load("rfm_recency.f64", "<f8")
    frequency = load("rfm_frequency.f64", "<f8")
    monetary = load("rfm_monetary.f64", "<f8")
    rfm = pl.DataFrame({"r": recency, "f": frequency, "m": monetary})
    prfm = pd.DataFrame({"r": recency, "f": frequency, "m": monetary})
    n = len(recency)

    def rfm_polars():
        score = lambda e: (1 + (5 * (e.rank("min") - 1)) // n).cast(pl.Int8)
        df = rfm.select(
            score(-pl.col("r")).alias("R"), score(pl.col("f")).alias("F"), score(pl.col("m")).alias("M")
        )
        df = df.with_columns(((pl.col("F") + pl.col("M") + 1) // 2).alias("FM"))
        cell = (pl.col("R").cast(pl.Int32) - 1) * 5 + pl.col("FM").cast(pl.Int32) - 1
        df = df.with_columns(cell.replace_strict(list(range(25)), GRID.tolist()).alias("segment"))
        return df, df.group_by("segment").len()

    def rfm_pandas():
        score = lambda s: (1 + (5 * (s.rank(method="min") - 1)) // n).astype(np.int8)
        r, f, m = score(-prfm["r"]), score(prfm["f"]), score(prfm["m"])
        fm = (f.astype(np.int16) + m + 1) // 2
        segment = GRID[(r.astype(np.int32) - 1) * 5 + fm.astype(np.int32) - 1]
        return segment, np.bincount(segment, minlength=11)

    print(f"polars {pl.__version__}, pandas {pd.__version__}, numpy {np.__version__}, cores {os.cpu_count()}")
    print(os.popen("uptime").read().strip())
    timed(f"cohort table, {len(customers):,} purchases, polars", cohort_polars)
    timed(f"cohort table, {len(customers):,} purchases, pandas", cohort_pandas)
    timed(f"RFM segments, {n:,} customers, polars", rfm_polars)
    timed(f"RFM segments, {n:,} customers, pandas", rfm_pandas)
    print(os.popen("uptime").read().strip())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/crmkit-peers")
