"""The dataframe reference for the loading targets of issue 21: the memory
polars and pandas take to hold the rows of `benches/support/purchase_log.rs`
(3.5 million contacts, 10 million purchases by default) with the same
columns a crmkit Dataset holds for them:

- contacts: id (string), created_at (timestamp), lifecycle stage (string);
- purchases: id (string), contact id (string), at (timestamp),
  amount (decimal, 2 places), currency (string).

The data is random with the same shape, not the same values (the ids have
the same lengths). Run with polars, pandas and pyarrow installed:

    python benches/dataframe_reference.py [contacts] [purchases]

Prints the in-memory size each library reports and the process's resident
memory after building each frame (peak resident set at the end).
"""

import gc
import resource
import sys
import time

import numpy as np


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    contacts = int(sys.argv[1]) if len(sys.argv) > 1 else 3_500_000
    purchases = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    rng = np.random.default_rng(7)
    customer = np.concatenate(
        [np.arange(contacts), rng.integers(0, contacts, purchases - contacts)]
    ).astype(np.uint32)
    at = 1_291_161_600 + rng.integers(0, 2 * 365 * 86_400, purchases)
    pence = 100 + rng.integers(0, 50_000, purchases)
    base = rss_mib()
    print(f"{contacts} contacts, {purchases} purchases; numpy inputs rss {base:.0f} MiB")

    import polars as pl
    import pyarrow as pa

    t = time.perf_counter()
    contact_ids = pl.Series("id", [f"C{i:07}" for i in range(contacts)])
    purchase_ids = pl.Series("id", [f"P{i:08}" for i in range(purchases)])
    build = time.perf_counter() - t
    before = rss_mib()
    cdf = pl.DataFrame(
        {
            "id": contact_ids,
            "created_at": pl.Series(np.full(contacts, 1_291_161_600) * 1_000_000).cast(
                pl.Datetime("us", "UTC")
            ),
            "stage": pl.Series(["customer"] * contacts),
        }
    )
    pdf = pl.DataFrame(
        {
            "id": purchase_ids,
            "contact": contact_ids.gather(customer),
            "at": pl.Series(at * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "amount": pl.Series(pence).cast(pl.Decimal(38, 2)) / 100,
            "currency": pl.Series(["GBP"] * purchases),
        }
    )
    del contact_ids, purchase_ids
    gc.collect()
    polars_mib = (cdf.estimated_size() + pdf.estimated_size()) / 2**20
    print(
        f"polars {pl.__version__}: estimated_size contacts {cdf.estimated_size() / 2**20:.0f} MiB"
        f" + purchases {pdf.estimated_size() / 2**20:.0f} MiB = {polars_mib:.0f} MiB;"
        f" rss {rss_mib():.0f} MiB (before frames {before:.0f}); ids built in {build:.1f} s"
    )
    print(f"polars purchases schema: {dict(pdf.schema)}")
    # Arrow column sizes of the same frames (what an Arrow host holds).
    arrow = cdf.to_arrow().nbytes + pdf.to_arrow().nbytes
    print(f"arrow (from polars) nbytes {arrow / 2**20:.0f} MiB")

    import pandas as pd

    before = rss_mib()
    pc = cdf.to_pandas()
    pp = pdf.to_pandas()
    del cdf, pdf
    gc.collect()
    pandas_mib = (
        pc.memory_usage(deep=True).sum() + pp.memory_usage(deep=True).sum()
    ) / 2**20
    print(
        f"pandas {pd.__version__}: memory_usage(deep) {pandas_mib:.0f} MiB;"
        f" dtypes {dict(pp.dtypes.astype(str))}; rss {rss_mib():.0f} MiB"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak rss {peak:.0f} MiB")


if __name__ == "__main__":
    main()
