"""The peers of `kpi_scale.rs`: the same KPIs over the same Parquet files
with polars and DuckDB (dev tools only; not part of CI).

    python crates/crmkit-datafusion/benches/kpi_peers.py [bench-data dir] [runs]

Reads target/bench-data/{contacts_*, purchases_*, deals_*}.parquet (the
files `cargo bench -p crmkit-datafusion --bench kpi_scale` generates) and
computes, for the period 2011-07-01..2012-01-01 (previous period
2011-01-01..2011-07-01), with purchases as the revenue source:
active customers, repeat customers (2+ purchases), revenue, average order
value (revenue / purchases), purchase frequency (purchases / active
customers), retention (customers of the previous period buying again in
the period / customers of the previous period x 100), and the win rate of
the deals closed in the period (won / (won + lost) x 100).
Prints each library's median wall time over `runs` runs (default 3),
Parquet reading included, and the values.
"""

import glob
import os
import statistics
import sys
import time
from datetime import datetime, timezone

START = datetime(2011, 7, 1, tzinfo=timezone.utc)
END = datetime(2012, 1, 1, tzinfo=timezone.utc)
PREV = datetime(2011, 1, 1, tzinfo=timezone.utc)


def files(d):
    def one(pattern):
        found = sorted(glob.glob(os.path.join(d, pattern)))
        if not found:
            sys.exit(f"no {pattern} in {d}: run the Rust bench first")
        return found[-1]

    return one("purchases_*.parquet"), one("deals_*.parquet")


def with_polars(purchases, deals):
    import polars as pl

    p = pl.scan_parquet(purchases).select("contact", "at", "amount")
    cur = p.filter((pl.col("at") >= START) & (pl.col("at") < END))
    per = cur.group_by("contact").agg(pl.len().alias("n"), pl.col("amount").sum().alias("s"))
    stats = per.select(
        pl.len().alias("active"),
        (pl.col("n") >= 2).sum().alias("repeat"),
        pl.col("n").sum().alias("orders"),
        pl.col("s").sum().alias("revenue"),
    )
    prev = p.filter((pl.col("at") >= PREV) & (pl.col("at") < START)).select("contact").unique()
    kept = prev.join(per.select("contact"), on="contact", how="inner").select(pl.len().alias("kept"))
    prev_n = prev.select(pl.len().alias("prev"))
    d = pl.scan_parquet(deals).select("status", "closed_at")
    d = d.filter((pl.col("closed_at") >= START) & (pl.col("closed_at") < END))
    wins = d.select(
        (pl.col("status") == "won").sum().alias("won"),
        pl.col("status").is_in(["won", "lost"]).sum().alias("closed"),
    )
    s, k, pn, w = pl.collect_all([stats, kept, prev_n, wins])
    return values(
        s["active"][0], s["repeat"][0], s["revenue"][0], s["orders"][0], k["kept"][0],
        pn["prev"][0], w["won"][0], w["closed"][0],
    )


def with_duckdb(purchases, deals):
    import duckdb

    con = duckdb.connect()
    q = f"""
    WITH cur AS (
      SELECT contact, count(*) AS n, sum(amount) AS s FROM read_parquet('{purchases}')
      WHERE "at" >= TIMESTAMPTZ '2011-07-01 00:00:00+00' AND "at" < TIMESTAMPTZ '2012-01-01 00:00:00+00'
      GROUP BY contact),
    prev AS (
      SELECT DISTINCT contact FROM read_parquet('{purchases}')
      WHERE "at" >= TIMESTAMPTZ '2011-01-01 00:00:00+00' AND "at" < TIMESTAMPTZ '2011-07-01 00:00:00+00'),
    d AS (
      SELECT count(*) FILTER (WHERE status = 'won') AS won,
             count(*) FILTER (WHERE status IN ('won', 'lost')) AS closed
      FROM read_parquet('{deals}')
      WHERE closed_at >= TIMESTAMPTZ '2011-07-01 00:00:00+00' AND closed_at < TIMESTAMPTZ '2012-01-01 00:00:00+00')
    SELECT (SELECT count(*) FROM cur), (SELECT count(*) FROM cur WHERE n >= 2),
           (SELECT sum(s) FROM cur), (SELECT sum(n) FROM cur),
           (SELECT count(*) FROM prev JOIN cur USING (contact)), (SELECT count(*) FROM prev),
           (SELECT won FROM d), (SELECT closed FROM d)
    """
    return values(*con.execute(q).fetchone())


def values(active, repeat, revenue, orders, kept, prev, won, closed):
    from decimal import Decimal

    revenue = Decimal(str(revenue))
    return {
        "active_customers": active,
        "repeat_customers": repeat,
        "revenue": revenue,
        "average_order_value": revenue / orders,
        "purchase_frequency": Decimal(orders) / active,
        "retention_rate": Decimal(kept) * 100 / prev,
        "win_rate": Decimal(won) * 100 / closed,
    }


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "../../../target/bench-data")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    purchases, deals = files(d)
    print(f"{purchases}\n{deals}")
    for name, f in [("polars", with_polars), ("duckdb", with_duckdb)]:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            out = f(purchases, deals)
            times.append(time.perf_counter() - t)
        print(f"{name}: median {statistics.median(times):.3f} s of {runs} runs")
        for k, v in out.items():
            print(f"  {k:<22} {v}")


if __name__ == "__main__":
    main()
