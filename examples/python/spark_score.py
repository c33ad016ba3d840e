"""Scoring a Spark DataFrame of leads with the `crmkit` package through
PySpark's ``DataFrame.mapInArrow``: Spark hands each task Arrow record
batches, the function scores them with ``ScoringModel.score_table`` (the
GIL released while the engine works, numeric columns read without a copy)
and yields Arrow record batches back. Nothing leaves the executors but the
scores.

    pip install crates/crmkit-python pyarrow pyspark   # pyspark needs Java 17+
    python examples/python/spark_score.py

Every executor needs the `crmkit` wheel installed (``pip install`` on the
cluster image, or ship the wheel with ``--py-files``/an environment archive).
The model is a JSON document: it travels in the closure and is compiled once
per task. Without pyspark the script scores the same leads with plain
pyarrow, through the same function.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Callable, Iterator

import numpy as np
import numpy.typing as npt
import pyarrow as pa

import crmkit

MODEL = {
    "rules": [
        {"id": "title", "points": 20,
         "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
        {"id": "size", "points": "7.5",
         "when": {"field": "company.employees", "op": "range", "min": 100}},
    ],
    "grades": [{"grade": "A", "min": 25}, {"grade": "B", "min": 20}, {"grade": "C"}],
}

RESULT_SCHEMA = pa.schema([
    ("lead_id", pa.string()),
    ("score", pa.decimal128(18, 4)),
    ("grade", pa.string()),
])
"""What the scoring function yields: the exact score (Spark DecimalType(18, 4))."""

SPARK_SCHEMA = "lead_id string, score decimal(18,4), grade string"

FIELDS = {"job_title": "contact.job_title", "employees": "company.employees"}
"""DataFrame columns -> the model's fields (Spark column names avoid dots)."""


def score_batches(model_json: str, as_of: datetime.datetime, fields: dict[str, str]
                  ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function for ``mapInArrow``: leads in (a ``lead_id`` column and
    the columns named in `fields`, which maps them to the model's fields,
    e.g. ``job_title`` -> ``contact.job_title``), one (lead_id, score,
    grade) row per lead out."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = crmkit.ScoringModel(model_json)  # once per task
        grades = model.grades
        for batch in batches:
            table = pa.Table.from_batches([batch])
            table = table.rename_columns([fields.get(n, n) for n in table.column_names])
            scores = model.score_table(table, as_of)
            names = [grades[g] if g >= 0 else None for g in scores.grade.tolist()]
            yield pa.RecordBatch.from_arrays(
                [batch.column("lead_id"), exact_points(scores.total_units),
                 pa.array(names, pa.string())],
                schema=RESULT_SCHEMA)

    return run


def exact_points(units: npt.NDArray[np.int64]) -> pa.Array:
    """Totals in units of 1/10,000 point as an Arrow decimal128(18, 4)
    array, exactly: a decimal128's storage is its unscaled value, so the
    units are the storage (sign-extended to 128 bits), no float involved."""
    storage = np.empty((len(units), 2), dtype="<i8")
    storage[:, 0] = units
    storage[:, 1] = units >> 63  # the sign extension of the high 64 bits
    return pa.Array.from_buffers(pa.decimal128(18, 4), len(units),
                                 [None, pa.py_buffer(storage.tobytes())])


def leads() -> dict[str, list[Any]]:
    """A few leads: two directors of large companies, an analyst, a lead
    without a title."""
    return {
        "lead_id": ["L-1", "L-2", "L-3", "L-4"],
        "job_title": ["Sales Director", "Analyst", "Director of IT", None],
        "employees": [500, 5000, 20, 150],
    }


def main() -> None:
    """Scores the leads with Spark when pyspark is installed, else with pyarrow."""
    as_of = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    run = score_batches(json.dumps(MODEL), as_of, FIELDS)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        print("pyspark is not installed: scoring the same leads with pyarrow")
        for batch in run(iter(pa.Table.from_pydict(leads()).to_batches())):
            print(batch.to_pydict())
        return
    spark = SparkSession.builder.master("local[2]").appName("crmkit").getOrCreate()
    try:
        frame = spark.createDataFrame(list(zip(*leads().values())),
                                      "lead_id string, job_title string, employees long")
        frame.mapInArrow(run, SPARK_SCHEMA).orderBy("lead_id").show()
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
