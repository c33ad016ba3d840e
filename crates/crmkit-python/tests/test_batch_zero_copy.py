"""The zero-copy batch path: events as an EVENT_DTYPE array read in place,
results written into a SCORE_DTYPE array (reusable), pyarrow columns and
event tables, the unaligned fallbacks and the refusals."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import SCORE_AS_OF

import crmkit

N = 1_000


def _inputs(model: crmkit.ScoringModel) -> tuple[list[np.ndarray], tuple[np.ndarray, ...]]:
    """Lead i: title code i % 2, i % 1000 employees, one event on rule i % 2."""
    i = np.arange(N, dtype=np.int64)
    columns = [i % 2, model.encode_column(1, i % 1000)]
    events = (i.astype(np.uint32), (i % 2).astype(np.uint32), 1769904000 + (i % 30) * 86400)
    return columns, events


def test_the_dtypes_have_the_engine_layout() -> None:
    assert crmkit.EVENT_DTYPE.itemsize == 16 and crmkit.SCORE_DTYPE.itemsize == 16
    event_fields = crmkit.EVENT_DTYPE.fields
    score_fields = crmkit.SCORE_DTYPE.fields
    assert event_fields is not None and score_fields is not None
    assert [event_fields[f][1] for f in ("lead", "rule", "at")] == [0, 4, 8]
    assert [score_fields[f][1] for f in ("total_units", "grade", "handoff")] == [0, 8, 12]


def test_packed_events_score_as_the_three_arrays(model: crmkit.ScoringModel) -> None:
    columns, events = _inputs(model)
    packed = crmkit.batch_events(*events)
    assert packed.dtype == crmkit.EVENT_DTYPE and len(packed) == N
    assert np.array_equal(packed["rule"], events[1]) and np.array_equal(packed["at"], events[2])
    from_tuple = model.score_batch(columns, SCORE_AS_OF, events=events)
    from_records = model.score_batch(columns, SCORE_AS_OF, events=packed)
    assert np.array_equal(from_tuple.total_units, from_records.total_units)
    assert np.array_equal(from_tuple.grade, from_records.grade)
    # Lead 0: no title, 0 employees, a pricing visit (rule 0) a month before as_of.
    assert from_records.total_units[0] == model.score_batch(
        [c[:1] for c in columns], SCORE_AS_OF, events=packed[:1]).total_units[0]
    assert from_records.total(1) == decimal.Decimal(20 - 15)


def test_results_are_written_into_the_given_array(model: crmkit.ScoringModel) -> None:
    columns, events = _inputs(model)
    packed = crmkit.batch_events(*events)
    out = np.zeros(N, dtype=crmkit.SCORE_DTYPE)
    result = model.score_batch(columns, SCORE_AS_OF, events=packed, out=out)
    assert result.records is out
    assert np.shares_memory(result.total_units, out) and np.shares_memory(result.grade, out)
    fresh = model.score_batch(columns, SCORE_AS_OF, events=packed)
    assert np.array_equal(out["total_units"], fresh.total_units)
    assert np.array_equal(out["grade"], fresh.grade)
    assert (out["handoff"] == -1).all()


def test_unaligned_events_and_results_take_the_copying_path(model: crmkit.ScoringModel) -> None:
    columns, events = _inputs(model)
    expected = model.score_batch(columns, SCORE_AS_OF, events=events)
    raw = np.zeros(N * 16 + 1, dtype=np.uint8)
    unaligned = raw[1:].view(crmkit.EVENT_DTYPE)
    unaligned[:] = crmkit.batch_events(*events)
    raw_out = np.zeros(N * 16 + 1, dtype=np.uint8)
    out = raw_out[1:].view(crmkit.SCORE_DTYPE)
    result = model.score_batch(columns, SCORE_AS_OF, events=unaligned, out=out)
    assert np.array_equal(result.total_units, expected.total_units)
    assert np.array_equal(out["grade"], expected.grade)


def test_arrow_columns_and_event_tables(model: crmkit.ScoringModel) -> None:
    columns, events = _inputs(model)
    expected = model.score_batch(columns, SCORE_AS_OF, events=events)
    arrow_columns = [pa.array(c) for c in columns]
    chunked = [pa.chunked_array([c[:400], c[400:]]) for c in columns]
    table = pa.table({"lead": events[0], "rule": events[1], "at": events[2]})
    frame = pd.DataFrame({"lead": events[0], "rule": events[1], "at": events[2]})
    for cols in (arrow_columns, chunked):
        for evs in (table, frame):
            result = model.score_batch(cols, SCORE_AS_OF, events=evs)
            assert np.array_equal(result.total_units, expected.total_units)


def test_bad_event_and_output_arrays_are_invalid(model: crmkit.ScoringModel) -> None:
    columns, events = _inputs(model)
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch(columns, SCORE_AS_OF, events=np.zeros(3, dtype=np.int64))
    assert caught.value.path == "events"
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch(columns, SCORE_AS_OF, events=pa.table({"lead": [0]}))
    assert caught.value.path == "events"
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch(columns, SCORE_AS_OF, events="events")
    assert caught.value.path == "events"
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch(columns, SCORE_AS_OF, out=np.zeros(N - 1, dtype=crmkit.SCORE_DTYPE))
    assert caught.value.path == "out"
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch(columns, SCORE_AS_OF, out=np.zeros(N, dtype=np.int64))
    assert caught.value.path == "out"
    read_only = np.zeros(N, dtype=crmkit.SCORE_DTYPE)
    read_only.flags.writeable = False
    with pytest.raises(crmkit.InvalidError):
        model.score_batch(columns, SCORE_AS_OF, out=read_only)
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch([pa.array([1, None]), pa.array([1, 2])], SCORE_AS_OF)
    assert caught.value.path == "columns[0]"
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch([np.zeros(2), np.zeros(2)], SCORE_AS_OF)
    assert caught.value.path == "columns[0]"
    beyond = crmkit.batch_events(np.array([5], dtype=np.uint32), np.zeros(1, dtype=np.uint32),
                                 np.zeros(1, dtype=np.int64))
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_batch([c[:2] for c in columns], SCORE_AS_OF, events=beyond)
    assert caught.value.path == "events[0].lead"
    with pytest.raises(crmkit.InvalidError):
        crmkit.batch_events(np.zeros(2), np.zeros(1), np.zeros(2))
    # Events that are not a whole number of records never reach the engine.
    with pytest.raises(crmkit.InvalidError):
        crmkit._native.score_batch(model._native, columns, N, np.zeros(17, dtype=np.uint8), None,
                                   0, np.zeros(N * 16, dtype=np.uint8), None)


def test_text_columns_of_tables_encode_each_distinct_value_once(
        model: crmkit.ScoringModel) -> None:
    titles = ["Sales Director", None, "Analyst", "Sales Director", None, "director"] * 50
    employees = list(range(300))
    one_by_one = model.score_batch([model.encode_column(0, np.array(titles, dtype=object)),
                                    model.encode_column(1, employees)], SCORE_AS_OF)
    frame = pd.DataFrame({"contact.job_title": titles, "company.employees": employees})
    chunked = pa.Table.from_batches(pa.Table.from_pandas(frame).to_batches(max_chunksize=70))
    for table in (frame, pa.Table.from_pandas(frame), chunked):
        assert np.array_equal(model.score_table(table, SCORE_AS_OF).total_units,
                              one_by_one.total_units)
    # A value that cannot fill the column is named by its row, not its
    # position among the distinct values.
    mixed = pd.DataFrame({"contact.job_title": ["Director", "Director", 5]})
    with pytest.raises(crmkit.InvalidError) as caught:
        model.score_table(mixed, SCORE_AS_OF)
    assert caught.value.path == "columns[0][2]"
