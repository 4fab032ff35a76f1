"""The dataset as analysts hold it: GeoDataFrames, SQL over the Parquet files, and counts by month.

These are the pieces the notebooks need that belong in the library, not in notebook cells: every
notebook calls them, and so can any analysis script.

* :func:`to_geodataframe` turns incidents (or ingested ACLED/UCDP events) into a GeoDataFrame of
  points in WGS84, for spatial joins and GIS export; geopandas comes with the ``geo`` extra.
* :func:`connect` / :func:`query` give DuckDB SQL over ``incidents.parquet`` and any ingested files,
  without loading them into memory first (DuckDB is a core dependency).
* :func:`monthly_counts` counts events and fatalities per dataset and month, the table behind
  :func:`incidentkit.plots.monthly_counts`.

To stack our incidents with ingested events into one DataFrame use
:func:`incidentkit.external.combine`; everything here accepts its output.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import pandas as pd
import pyarrow as pa

from incidentkit.dataset import INCIDENTS_FILE, read_incidents, to_pandas
from incidentkit.errors import InputFileError, UsageError, require

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import geopandas

#: What the functions here accept as a table: a DataFrame, an Arrow table, or a path to Parquet.
TableLike = Union[pd.DataFrame, pa.Table, str, os.PathLike]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _as_frame(data: TableLike) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pa.Table):
        return to_pandas(data)
    p = Path(data)
    if p.is_dir() or p.name == INCIDENTS_FILE:
        return read_incidents(p)
    from incidentkit.external import read_events

    return read_events(p)


def to_geodataframe(data: TableLike, *, keep_unlocated: bool = True) -> "geopandas.GeoDataFrame":
    """Incidents or ingested events as a GeoDataFrame of points (EPSG:4326, lon/lat).

    ``data`` is a DataFrame (from :func:`incidentkit.read_incidents`, ``read_events`` or ``combine``), an
    Arrow table, a dataset folder or a Parquet file. Rows without coordinates are kept with an empty
    geometry (so row counts still match the dataset) unless ``keep_unlocated=False`` drops them.
    Needs the ``geo`` extra (``pip install 'incidentkit[geo]'``); without it the error says so.

    Run from the repository root (the seed dataset):

    >>> from incidentkit.frames import to_geodataframe
    >>> gdf = to_geodataframe("datasets")
    >>> gdf.crs.to_epsg(), len(gdf), int(gdf.geometry.is_empty.sum())
    (4326, 4, 0)
    >>> areas_km2 = gdf.to_crs("EPSG:32638").buffer(25_000).area / 1e6   # 25 km around each, in UTM 38N
    >>> gdf.to_file("incidents.gpkg")                               # doctest: +SKIP
    """
    gpd = require("geopandas", "geo", "GeoDataFrame conversion")
    df = _as_frame(data)
    for col in ("latitude", "longitude"):
        if col not in df.columns:
            raise UsageError(f"the table has no {col!r} column: not incidents or harmonised events",
                             code="usage")
    lat = pd.to_numeric(df["latitude"], errors="coerce").astype("float64")
    lon = pd.to_numeric(df["longitude"], errors="coerce").astype("float64")
    located = lat.notna() & lon.notna()
    if not keep_unlocated:
        df, lat, lon, located = df[located], lat[located], lon[located], located[located]
    geometry = gpd.points_from_xy(lon.fillna(0.0), lat.fillna(0.0), crs="EPSG:4326")
    geometry[~located.to_numpy()] = None
    return gpd.GeoDataFrame(df.copy(), geometry=geometry, crs="EPSG:4326")


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check_name(name: str) -> None:
    if not _IDENTIFIER.match(name):
        raise UsageError(f"table name {name!r} is not a plain SQL identifier (letters, digits, _)", code="usage")


def connect(dataset: str | os.PathLike[str] | None = "datasets", *, database: str = ":memory:",
            **tables: TableLike) -> "duckdb.DuckDBPyConnection":
    """A DuckDB connection with a view ``incidents`` over the dataset and one view per extra table.

    ``dataset`` is a dataset folder or an ``incidents.parquet`` path (``None``: no ``incidents`` view).
    Each keyword names another view: a Parquet path (globs such as ``"acled/*.parquet"`` work), a CSV
    path (``.csv``, ``.csv.gz``: DuckDB detects the dialect and types), a DataFrame or an Arrow table.
    Files are read in place, lazily, by DuckDB: nothing is loaded until a query runs, so this works on
    files larger than memory. Close the connection when done (it is a context manager).

    Run from the repository root: which ACLED-layout rows each seed incident became (a two-day battle
    is two ACLED events):

    >>> from incidentkit.frames import connect
    >>> with connect("datasets", acled="datasets/acled.parquet", ids="datasets/acled_ids.csv") as con:
    ...     rows = con.execute("SELECT incident_id, count(*) AS days, sum(fatalities) AS fatalities "
    ...                        "FROM acled JOIN ids USING (event_id_cnty) GROUP BY ALL ORDER BY 1").fetchall()
    >>> for row in rows:
    ...     print(*row)
    svt-2022-01-21-hasakah-01 2 58
    svt-2022-01-21-hasakah-02 1 0
    svt-2022-01-21-hasakah-03 1 0
    svt-2022-01-21-hasakah-04 1 11
    """
    import duckdb

    con = duckdb.connect(database)
    try:
        views: dict[str, TableLike] = {}
        if dataset is not None:
            p = Path(dataset)
            p = p / INCIDENTS_FILE if p.is_dir() else p
            if not p.exists():
                raise InputFileError(f"{p}: no dataset here; run `incidentkit build` first", code="file-unreadable")
            views["incidents"] = p
        views.update(tables)
        for name, source in views.items():
            _check_name(name)
            if isinstance(source, (pd.DataFrame, pa.Table)):
                con.register(name, source)
                continue
            path = os.fspath(source)
            if not any(ch in path for ch in "*?[") and not Path(path).exists():
                raise InputFileError(f"{path}: no such file (for table {name!r})", code="file-unreadable")
            reader = "read_csv" if path.lower().endswith((".csv", ".csv.gz")) else "read_parquet"
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {reader}({_sql_string(path)})')
    except BaseException:
        con.close()
        raise
    return con


def query(sql: str, dataset: str | os.PathLike[str] | None = "datasets", **tables: TableLike) -> pd.DataFrame:
    """Run one SQL query over the dataset (view ``incidents``) and any named tables; return a DataFrame.

    A one-shot :func:`connect`: the connection is opened, queried and closed.

    >>> from incidentkit.frames import query
    >>> query("SELECT event_type, count(*) AS n, sum(fatalities_best)::INT AS deaths FROM incidents "
    ...       "GROUP BY ALL ORDER BY n DESC, event_type").values.tolist()
    [['Battles', 2, 73], ['Explosions/Remote violence', 1, 0], ['Strategic developments', 1, 0]]
    >>> query("SELECT count(*) AS n FROM acled WHERE country = 'Syria'", acled="acled.parquet")  # doctest: +SKIP
    """
    with connect(dataset, **tables) as con:
        return con.sql(sql).df()


DATASET_LABELS: dict[str, str] = {"incidentkit": "incidentkit (ours)", "acled": "ACLED", "ucdp": "UCDP GED"}


def dataset_label(name: Any) -> str:
    """How a ``dataset`` value is shown in tables and legends."""
    return DATASET_LABELS.get(str(name), str(name))


def monthly_counts(df: pd.DataFrame, *, by: str = "dataset") -> pd.DataFrame:
    """Events and fatalities (low, best, high sums) per month and ``by`` group: one row per pair.

    Months are taken from ``date_start``; every month between the first and the last appears for every
    group, with zeros, so the table plots and compares without gaps. ``df`` is typically
    :func:`incidentkit.external.combine`'s output (``by="dataset"``); a frame without the ``by`` column
    counts as one group named ``incidentkit``.

    >>> import incidentkit
    >>> table = monthly_counts(incidentkit.read_incidents("datasets"))
    >>> table[["month", "dataset", "events", "fatalities_low", "fatalities_best", "fatalities_high"]].values.tolist()
    [[Period('2022-01', 'M'), 'incidentkit', 4, 69, 73, 74]]
    >>> from incidentkit.external import combine, read_events
    >>> monthly_counts(combine(incidentkit.read_incidents("datasets"), read_events("acled.parquet")))  # doctest: +SKIP
    """
    if "date_start" not in df.columns:
        raise UsageError("the table has no 'date_start' column", code="usage")
    groups = df[by].astype("object") if by in df.columns else pd.Series("incidentkit", index=df.index)
    month = pd.to_datetime(df["date_start"]).dt.to_period("M")
    parts = {"month": month, by: groups.astype(str), "events": 1}
    for part in ("low", "best", "high"):
        col = f"fatalities_{part}"
        parts[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype("int64") if col in df else 0
    frame = pd.DataFrame(parts).dropna(subset=["month"])
    out = frame.groupby(["month", by], sort=True).sum()
    if len(frame):
        months = pd.period_range(frame["month"].min(), frame["month"].max(), freq="M", name="month")
        names = sorted(frame[by].unique(), key=lambda n: (list(DATASET_LABELS).index(n) if n in DATASET_LABELS
                                                           else len(DATASET_LABELS), n))
        full = pd.MultiIndex.from_product([months, names], names=["month", by])
        out = out.reindex(full, fill_value=0)
    return out.reset_index().astype({"events": "int64"})


__all__ = ["to_geodataframe", "connect", "query", "monthly_counts", "dataset_label", "DATASET_LABELS"]
