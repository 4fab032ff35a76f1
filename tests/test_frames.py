"""incidentkit.frames: GeoDataFrame conversion, DuckDB views over the Parquet files, monthly counts."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

import incidentkit
from incidentkit.errors import InputFileError, MissingDependencyError, UsageError
from incidentkit.frames import connect, monthly_counts, query, to_geodataframe

from conftest import BASE_RECORD, dump_yaml


def _incident(base: dict[str, Any], n: int, **changes: Any) -> dict[str, Any]:
    inc = copy.deepcopy(base)
    inc["id"] = f"test-2022-01-21-report-{n:02d}"
    inc.update(changes)
    return inc


def small_records() -> dict[str, Any]:
    """Four incidents over two months: two at one place, one elsewhere, one without coordinates."""
    doc = copy.deepcopy(BASE_RECORD)
    doc["source"]["published"] = "2022-03-05"
    base = doc["incidents"][0]
    unlocated = _incident(base, 4, date_start="2022-03-02", location="Somewhere unnamed",
                          fatalities={"low": 1, "best": 2, "high": 3})
    del unlocated["latitude"], unlocated["longitude"]
    doc["incidents"] = [
        base,
        _incident(base, 2, date_start="2022-01-21", event_type="Strategic developments", sub_event_type="Arrests",
                  fatalities=0),
        _incident(base, 3, date_start="2022-03-01", latitude=33.7540, longitude=44.6052, country="IQ",
                  admin1="Diyala", location="al-Azim", actor1="Islamic State (Iraq)",
                  actor2="Military Forces of Iraq (2020-2022)", inter2=1,
                  fatalities={"low": 9, "best": 11, "high": 14}),
        unlocated,
    ]
    return doc


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    coded = tmp_path / "coded"
    coded.mkdir()
    (coded / "record.yaml").write_text(dump_yaml(small_records()), encoding="utf-8")
    incidentkit.build(coded, tmp_path / "out", geocode=False, exports=False)
    return tmp_path / "out"


def test_geodataframe_points_crs_and_unlocated_rows(dataset: Path) -> None:
    df = incidentkit.read_incidents(dataset)
    gdf = to_geodataframe(df)
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(df) == 4
    located = df["latitude"].notna().to_numpy()
    assert gdf.geometry.isna().to_numpy().tolist() == (~located).tolist()
    pts = gdf[located]
    assert pts.geometry.x.tolist() == pytest.approx(df.loc[located, "longitude"].tolist())
    assert pts.geometry.y.tolist() == pytest.approx(df.loc[located, "latitude"].tolist())
    assert gdf["event_type"].dtype == df["event_type"].dtype  # attributes kept as they were
    dropped = to_geodataframe(df, keep_unlocated=False)
    assert dropped["id"].tolist() == df.loc[located, "id"].tolist()


def test_geodataframe_from_folder_table_and_ingested_parquet(dataset: Path) -> None:
    from_dir = to_geodataframe(dataset)
    from_table = to_geodataframe(incidentkit.read_table(dataset))
    assert from_dir["id"].tolist() == from_table["id"].tolist()
    assert from_dir.geometry.equals(from_table.geometry)


def test_geodataframe_needs_coordinates_and_the_extra(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    df = incidentkit.read_incidents(dataset)
    with pytest.raises(UsageError, match="latitude"):
        to_geodataframe(df.drop(columns=["latitude"]))
    monkeypatch.setitem(sys.modules, "geopandas", None)  # as if the extra were not installed
    with pytest.raises(MissingDependencyError, match=r"incidentkit\[geo\]"):
        to_geodataframe(df)


def test_query_sees_the_dataset_as_incidents(dataset: Path) -> None:
    df = incidentkit.read_incidents(dataset)
    got = query("SELECT event_type, count(*) AS n, sum(fatalities_best) AS best FROM incidents "
                "GROUP BY ALL ORDER BY event_type", dataset)
    want = (df.assign(event_type=df.event_type.astype(str)).groupby("event_type")
            .agg(n=("id", "size"), best=("fatalities_best", "sum")).reset_index())
    assert got["event_type"].tolist() == want["event_type"].tolist()
    assert got["n"].tolist() == want["n"].tolist()
    assert got["best"].astype(int).tolist() == want["best"].astype(int).tolist()


def test_connect_registers_files_globs_and_frames(dataset: Path, tmp_path: Path) -> None:
    table = pq.read_table(dataset / "incidents.parquet")
    parts = tmp_path / "parts"
    parts.mkdir()
    pq.write_table(table.slice(0, 2), parts / "a.parquet")
    pq.write_table(table.slice(2), parts / "b.parquet")
    extra = pd.DataFrame({"id": ["test-2022-01-21-report-03"], "flag": ["checked"]})
    with connect(dataset, other=parts / "a.parquet", every=str(parts / "*.parquet"), notes=extra) as con:
        assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] == table.num_rows
        assert con.execute("SELECT count(*) FROM other").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM every").fetchone()[0] == table.num_rows
        joined = con.execute("SELECT i.location, n.flag FROM incidents i JOIN notes n USING (id)").fetchall()
    assert joined == [("al-Azim", "checked")]
    assert query("SELECT 41 + 1", None).iloc[0, 0] == 42  # no dataset needed for plain SQL


def test_connect_rejects_bad_names_and_missing_files(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="identifier"):
        connect(dataset, **{"x; DROP TABLE incidents": dataset / "incidents.parquet"})
    with pytest.raises(InputFileError, match="no such file"):
        connect(dataset, acled=tmp_path / "missing.parquet")
    with pytest.raises(InputFileError, match="run `incidentkit build`"):
        connect(tmp_path / "empty")
    quoted = tmp_path / "it's here"
    quoted.mkdir()
    pq.write_table(pq.read_table(dataset / "incidents.parquet"), quoted / "x.parquet")
    assert query("SELECT count(*) AS n FROM q", None, q=quoted / "x.parquet")["n"].iloc[0] == 4


def test_monthly_counts_fills_gaps_and_sums_ranges(dataset: Path) -> None:
    df = incidentkit.read_incidents(dataset)
    other = df.assign(dataset="acled").iloc[:1]
    both = pd.concat([df.assign(dataset="incidentkit"), other], ignore_index=True)
    table = monthly_counts(both)
    months = pd.period_range(df.date_start.min(), df.date_start.max(), freq="M")
    assert len(table) == len(months) * 2  # every month for every dataset, even empty ones
    ours = table[table.dataset == "incidentkit"].set_index("month")
    for month in months:
        in_month = df[df.date_start.dt.to_period("M") == month]
        assert ours.loc[month, "events"] == len(in_month)
        for part in ("low", "best", "high"):
            assert ours.loc[month, f"fatalities_{part}"] == in_month[f"fatalities_{part}"].sum()
    assert table[table.dataset == "acled"]["events"].sum() == 1
    assert table["dataset"].drop_duplicates().tolist() == ["incidentkit", "acled"]  # ours first


def test_monthly_counts_without_dataset_column_and_without_dates(dataset: Path) -> None:
    df = incidentkit.read_incidents(dataset)
    table = monthly_counts(df)
    assert set(table["dataset"]) == {"incidentkit"}
    assert table["events"].sum() == len(df)
    with pytest.raises(UsageError, match="date_start"):
        monthly_counts(df.drop(columns=["date_start"]))


def test_docs_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis API example in the notebooks guide (docs/how-to/notebooks.md) runs as written, from the
    repository root."""
    import re
    import tempfile

    repo = Path(__file__).resolve().parents[1]
    text = (repo / "docs" / "how-to" / "notebooks.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "to_geodataframe" in b]
    monkeypatch.chdir(repo)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    namespace: dict[str, Any] = {}
    exec(compile(block, "docs/how-to/notebooks.md", "exec"), namespace)
    out = namespace["out"]
    assert (out / "incidents.gpkg").stat().st_size > 0 and (out / "map.png").stat().st_size > 0
    import matplotlib.pyplot as plt

    plt.close("all")


def test_docstring_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples in incidentkit.frames' docstrings are doctests over the committed seed dataset."""
    import doctest

    import incidentkit.frames

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    result = doctest.testmod(incidentkit.frames, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0
