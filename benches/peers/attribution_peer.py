"""Peer timings for benches/attribution.rs: last touch and linear credit
per channel with polars, and the first-order Markov removal effect with
ChannelAttribution (the reference implementation of Anderl et al. 2016),
on the same 1,000,000 generated paths.

Dev tool only (not run by CI). Usage:

    CRMKIT_BENCH_DUMP=/tmp/crmkit-peers cargo bench --bench attribution -- --warm-up-time 1 --measurement-time 3 markov
    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install polars pandas numpy ChannelAttribution matplotlib
    POLARS_MAX_THREADS=1 /tmp/peers/bin/python benches/peers/attribution_peer.py /tmp/crmkit-peers

The dump holds one row per touch (path index u32, channel index u8) and
one value in cents per path (i64); every path converts once. Prints the
median of 5 runs (3 for Markov) after one warm-up run.
"""

import os
import statistics
import sys
import time

import numpy as np
import polars as pl


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
    path = load("attribution_touch_path.u32", "<u4")
    channel = load("attribution_touch_channel.u8", "<u1")
    value = load("attribution_path_value.i64", "<i8")
    touches = pl.DataFrame({"p": path, "ch": channel})
    values = pl.DataFrame({"p": np.arange(len(value), dtype=np.uint32), "v": value})
    print(f"polars {pl.__version__}, {len(value):,} paths, {len(path):,} touches, cores {os.cpu_count()}, "
          f"POLARS_MAX_THREADS={os.environ.get('POLARS_MAX_THREADS', 'all')}")
    print(os.popen("uptime").read().strip())

    def last_touch():
        last = touches.group_by("p").agg(pl.col("ch").last())
        return last.join(values, on="p").group_by("ch").agg(pl.len(), pl.col("v").sum())

    def linear():
        df = touches.with_columns(pl.len().over("p").alias("n")).join(values, on="p")
        return df.group_by("ch").agg((1.0 / pl.col("n")).sum(), (pl.col("v") / pl.col("n")).sum())

    timed("last_touch, polars", last_touch)
    timed("linear, polars", linear)
    try:
        import pandas as pd
        from ChannelAttribution import markov_model

        strings = (
            touches.group_by("p", maintain_order=True)
            .agg(pl.col("ch").cast(pl.Utf8).str.join(" > "))
            .join(values, on="p")
        )
        frame = pd.DataFrame({"path": strings["ch"].to_list(), "conv": 1, "value": strings["v"].to_numpy() / 100.0})
        run = lambda: markov_model(frame, "path", "conv", var_value="value", order=1, sep=">", verbose=0)
        timed("markov order 1, ChannelAttribution", run, runs=3)
    except ImportError as e:
        print(f"markov peer skipped: {e}")
    print(os.popen("uptime").read().strip())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/crmkit-peers")
