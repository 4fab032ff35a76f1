"""The whole-column machinery behind the exports gives exactly what the scalar rules and pandas give."""

from __future__ import annotations

import datetime as dt
import random
import struct
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

import incidentkit
from incidentkit.errors import InputFileError
from incidentkit.export import ids
from incidentkit.export._arrow import float_repr, join_lists, map_distinct, or_else, or_null
from incidentkit.export._io import write_csv

REPO = Path(__file__).resolve().parents[1]
GOLDEN_CODED = REPO / "tests" / "data" / "golden" / "v0.1.0" / "coded"


def _pandas_csv(table: pa.Table, path: Path) -> None:
    """The CSV writer the exports used before (pandas), as the reference for the text form."""
    def types(dtype: pa.DataType) -> object:
        if pa.types.is_integer(dtype):
            return pd.Int64Dtype()
        if pa.types.is_string(dtype):
            return pd.StringDtype()
        return None
    table.to_pandas(types_mapper=types, date_as_object=True).to_csv(path, index=False, lineterminator="\n")


def test_csv_text_is_what_pandas_writes(tmp_path: Path) -> None:
    texts = ['He said "no", then left', "line1\nline2", "a,b", " lead", "trail ", "", None, "=1+2", "tab\there",
             "ÅÄÖ åäö – درعا البلد", '"', ",", "x;y", "\r\n", "plain"]
    floats = [1.0, 35.4681, 1e-05, 0.0001, 1e16, 1e15, 123456789012345.6, -0.0, 0.1 + 0.2, None, float("inf"),
              -33.123456789012345, 300380.0, 5e-324, 12.5]
    n = len(texts)
    table = pa.table({
        "text": pa.array(texts, pa.string()), "number": pa.array(floats, pa.float64()),
        "count": pa.array([None if i % 4 == 0 else i * 10 ** i for i in range(n)], pa.int64()),
        "day": pa.array([dt.date(2023, 3, 1) + dt.timedelta(days=i) for i in range(n)], pa.date32()),
    })
    write_csv(table, tmp_path / "ours.csv")
    _pandas_csv(table, tmp_path / "pandas.csv")
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    write_csv(table.slice(0, 0), tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_bytes() == b"text,number,count,day\n"


def test_a_carriage_return_in_a_note_is_quoted_so_readers_keep_one_row(tmp_path: Path) -> None:
    # pandas' writer left a bare CR unquoted, which pandas and DuckDB then read as a line break
    table = pa.table({"id": ["a", "b"], "notes": ["first\rsecond", "ok"], "n": [1, 2]})
    write_csv(table, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == b'id,notes,n\na,"first\rsecond",1\nb,ok,2\n'
    assert pd.read_csv(tmp_path / "t.csv")["notes"].tolist() == ["first\rsecond", "ok"]
    assert duckdb.sql(f"SELECT count(*) FROM read_csv('{tmp_path / 't.csv'}')").fetchall() == [(2,)]


def test_float_repr_is_python_repr() -> None:
    rnd = random.Random(20)
    values = [struct.unpack("<d", rnd.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(20_000)]
    values += [rnd.uniform(-180, 180) for _ in range(20_000)] + [round(rnd.uniform(-90, 90), 4) for _ in range(5_000)]
    values += [float(rnd.randrange(-10 ** 17, 10 ** 17)) for _ in range(5_000)]
    values += [0.0, -0.0, 1e16, 9999999999999998.0, 1e-4, 9.999999999999999e-05, float("nan"), float("-inf"), None]
    expected = [None if v is None else repr(v) for v in values]
    assert float_repr(pa.array(values, pa.float64())).to_pylist() == expected


def test_map_distinct_and_truthiness_helpers_match_the_scalar_idioms() -> None:
    a = pa.array(["x", None, "", "x", "y", None] * 50)
    b = pa.array([1, 2, None, 1, 0, None] * 50, pa.int8())
    c = pa.array(["IQ", "SY", "SY", "IQ", "PS", "IQ"] * 50).dictionary_encode()

    def rule(x: str | None, y: int | None, z: str) -> str:
        return f"{x or '-'}/{y}/{z}"

    got = map_distinct(rule, a, b, c, type=pa.string()).to_pylist()
    assert got == [rule(x, y, z) for x, y, z in zip(a.to_pylist(), b.to_pylist(), c.to_pylist())]
    assert or_null(a).to_pylist() == [v or None for v in a.to_pylist()]
    assert or_null(b).to_pylist() == [v or None for v in b.to_pylist()]
    assert or_else(a, pa.array(["z"] * len(a))).to_pylist() == [v or "z" for v in a.to_pylist()]
    lists = pa.array([[], None, ["a"], ["a", "b"], [""]], pa.list_(pa.string()))
    assert join_lists(lists).to_pylist() == [("; ".join(v) if v else None) for v in lists.to_pylist()]


def test_wkb_column_holds_the_same_points_as_point_wkb() -> None:
    import numpy as np

    from incidentkit.export.geoparquet import point_wkb, point_wkb_array

    lons, lats = np.array([44.3922, 0.0, -0.0, 179.999]), np.array([35.4681, 0.0, 12.5, -89.5])
    valid = np.array([True, False, True, True])
    assert point_wkb_array(lons, lats, valid).to_pylist() == [
        point_wkb(x, y) if ok else None for x, y, ok in zip(lons.tolist(), lats.tolist(), valid.tolist())]


def test_number_array_agrees_with_incident_numbers_even_on_collisions(monkeypatch: pytest.MonkeyPatch) -> None:
    column = pa.array([f"svt-2022-01-21-x-{i:02d}" for i in range(40)] * 2 + ["ö-id", "a-id"])
    numbers = ids.incident_numbers(column.to_pylist())
    assert ids.number_array(column).tolist() == [numbers[i] for i in column.to_pylist()]
    real = ids._hash12
    monkeypatch.setattr(ids, "_hash12", lambda xs: real(xs) % 7 + 1)   # force many collisions
    numbers = ids.incident_numbers(column.to_pylist())
    assert len(set(numbers.values())) == len(numbers)
    assert ids.number_array(column).tolist() == [numbers[i] for i in column.to_pylist()]


def test_a_writer_failing_in_its_thread_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import incidentkit.export._io as io

    def boom(table: pa.Table, path: Path) -> None:
        path.write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(io, "write_csv", boom)
    with pytest.raises(InputFileError, match="acled.csv: cannot write here: disk full") as info:
        incidentkit.build(GOLDEN_CODED, tmp_path / "out", geocode=False)
    assert info.value.code == "file-unwritable"  # an OS error in a writer thread is a one-line message
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
