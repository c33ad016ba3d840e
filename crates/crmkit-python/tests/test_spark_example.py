"""examples/python/spark_score.py: its mapInArrow function scores Arrow
batches exactly (decimal(18, 4) points, grades) and equals the package's
batch path; with pyspark (and Java) installed, the same function runs
inside Spark (skipped otherwise: CI has no Spark)."""

from __future__ import annotations

import datetime
import decimal
import importlib.util
import json
import pathlib
import shutil
import sys
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import crmkit

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python" / "spark_score.py"
AS_OF = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)


def _example() -> Any:
    spec = importlib.util.spec_from_file_location("spark_score", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["spark_score"] = module
    spec.loader.exec_module(module)
    return module


def test_the_map_in_arrow_function_scores_batches_exactly() -> None:
    example = _example()
    run = example.score_batches(json.dumps(example.MODEL), AS_OF, example.FIELDS)
    table = pa.Table.from_pydict(example.leads())
    out = list(run(iter(table.to_batches(max_chunksize=3))))
    assert [b.schema for b in out] == [example.RESULT_SCHEMA] * 2
    result = pa.Table.from_batches(out).to_pydict()
    assert result["lead_id"] == ["L-1", "L-2", "L-3", "L-4"]
    assert result["score"] == [decimal.Decimal(x) for x in ("27.5", "7.5", "20", "7.5")]
    assert result["grade"] == ["A", "C", "B", "C"]


def test_exact_points_keep_every_unit_and_the_sign() -> None:
    example = _example()
    units = np.array([0, 1, -1, 275_000, -150_000, 10**17], dtype=np.int64)
    points = example.exact_points(units).to_pylist()
    assert points == [decimal.Decimal(int(u)).scaleb(-4) for u in units]


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
                    reason="pyspark and Java are not installed")
def test_the_example_runs_in_spark() -> None:  # pragma: no cover - needs Spark
    from pyspark import cloudpickle
    from pyspark.sql import SparkSession

    example = _example()
    # The workers cannot import the example: ship its functions by value (as
    # when it runs as a script).
    cloudpickle.register_pickle_by_value(example)  # type: ignore[no-untyped-call,unused-ignore]
    spark = SparkSession.builder.master("local[1]").appName("crmkit-test").getOrCreate()
    try:
        frame = spark.createDataFrame(list(zip(*example.leads().values())),
                                      "lead_id string, job_title string, employees long")
        run = example.score_batches(json.dumps(example.MODEL), AS_OF, example.FIELDS)
        rows = frame.mapInArrow(run, example.SPARK_SCHEMA).orderBy("lead_id").collect()
        assert [(r.lead_id, r.score, r.grade) for r in rows] == [
            ("L-1", decimal.Decimal("27.5000"), "A"), ("L-2", decimal.Decimal("7.5000"), "C"),
            ("L-3", decimal.Decimal("20.0000"), "B"), ("L-4", decimal.Decimal("7.5000"), "C")]
        table = pa.Table.from_pydict(example.leads())
        table = table.rename_columns([example.FIELDS.get(n, n) for n in table.column_names])
        expected = crmkit.ScoringModel(example.MODEL).score_table(table, AS_OF).total_units
        assert [int(r.score * 10_000) for r in rows] == list(expected)
    finally:
        spark.stop()
