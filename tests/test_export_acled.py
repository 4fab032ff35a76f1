"""The ACLED layout: ACLED's 31 columns and conventions, and concatenation with every ACLED vintage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.dataset import read_table
from incidentkit.export import acled_id_map, to_acled, write_acled
from incidentkit.export.acled import ACLED_COLUMNS, split_fatalities

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden" / "v0.1.0"
FIXTURES = REPO / "tests" / "data" / "acled"
# fixture -> (written with labels?, export-tool file with "28 December 2022" dates and "NA"?)
VINTAGES = {
    "acled_pre2023_export.csv": (False, True),
    "acled_2023_api.csv": (False, False),
    "acled_2024_labels_export.csv": (True, True),
    "acled_2025_api_population.csv": (False, False),
}


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return read_table(GOLDEN)


def _rows(acled: pa.Table, incident: str, table: pa.Table) -> list[dict]:
    ids = acled_id_map(table).to_pylist()
    wanted = {m["event_id_cnty"] for m in ids if m["incident_id"] == incident}
    return [r for r in acled.to_pylist() if r["event_id_cnty"] in wanted]


def test_columns_are_acleds_31_in_acleds_order(table: pa.Table) -> None:
    header = (FIXTURES / "acled_2023_api.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert len(ACLED_COLUMNS) == 31
    assert to_acled(table).column_names == header == list(ACLED_COLUMNS)


def test_multi_day_incident_splits_per_day_with_remainder_to_first_day(table: pa.Table) -> None:
    rows = _rows(to_acled(table), "enab-2023-03-31-roundup-01", table)
    assert [r["event_date"] for r in rows] == [dt.date(2023, 3, 5), dt.date(2023, 3, 6), dt.date(2023, 3, 7)]
    assert [r["fatalities"] for r in rows] == [3, 2, 2]            # low figure 7 split, remainder first
    assert all("3-day incident split" in r["notes"] and "3/2/2" in r["notes"] for r in rows)
    assert len({r["event_id_cnty"] for r in rows}) == 3
    assert all(r["event_id_cnty"].startswith("IRQ") and r["event_id_cnty"][3:].isdigit() for r in rows)


def test_split_fatalities_rule() -> None:
    assert split_fatalities(10, 3) == [4, 3, 3]
    assert split_fatalities(1, 2) == [1, 0]
    assert sum(split_fatalities(63, 5)) == 63


@pytest.mark.parametrize("incident, expected", [
    ("enab-2023-03-31-roundup-03", dt.date(2023, 3, 16)),   # a week, time_precision 2 -> midpoint
    ("enab-2023-03-31-roundup-04", dt.date(2023, 3, 16)),   # a month, time_precision 3 -> midpoint
])
def test_imprecise_dates_give_one_row_at_the_midpoint(table: pa.Table, incident: str, expected: dt.date) -> None:
    rows = _rows(to_acled(table), incident, table)
    assert [r["event_date"] for r in rows] == [expected]


def test_acled_conventions_for_codes_targeting_and_country(table: pa.Table) -> None:
    labels = {r["event_id_cnty"]: r for r in to_acled(table).to_pylist()}
    numbers = {r["event_id_cnty"]: r for r in to_acled(table, inter_labels=False).to_pylist()}
    vac = _rows(to_acled(table), "enab-2023-03-31-roundup-02", table)[0]
    assert vac["civilian_targeting"] == "Civilian targeting"
    assert (vac["inter1"], vac["inter2"], vac["interaction"]) == ("Political militia", "Civilians",
                                                                 "Political militia-Civilians")
    assert numbers[vac["event_id_cnty"]]["interaction"] == 37
    assert (vac["iso"], vac["region"], vac["country"]) == (760, "Middle East", "Syria")
    assert vac["source"] == "Enab Baladi" and vac["source_scale"] == "Regional"
    protest = _rows(to_acled(table), "enab-2023-03-31-roundup-03", table)[0]
    assert protest["inter2"] is None and protest["interaction"] == "Protesters only"
    assert numbers[protest["event_id_cnty"]]["inter2"] == 0
    assert protest["iso"] == 368 and protest["tags"] == "crowd size=dozens"
    strike = _rows(to_acled(table), "enab-2023-03-31-roundup-04", table)[0]
    assert strike["latitude"] is None and strike["civilian_targeting"] is None
    assert set(labels) == set(numbers)


def test_event_ids_do_not_depend_on_other_incidents(table: pa.Table) -> None:
    full = dict((m["incident_id"], m["event_id_cnty"]) for m in acled_id_map(table).to_pylist() if m["day_index"] == 0)
    part = dict((m["incident_id"], m["event_id_cnty"]) for m in acled_id_map(table.slice(2)).to_pylist()
                if m["day_index"] == 0)
    assert part and all(full[k] == v for k, v in part.items())


def _duck_read(con: duckdb.DuckDBPyConnection, path: Path, export_tool: bool) -> duckdb.DuckDBPyRelation:
    options = ", dateformat='%d %B %Y', nullstr='NA'" if export_tool else ""
    return con.sql(f"SELECT * FROM read_csv('{path}'{options})")


@pytest.mark.parametrize("fixture", list(VINTAGES))
def test_concatenates_with_every_acled_vintage_in_pandas_and_duckdb(table: pa.Table, tmp_path: Path,
                                                                    fixture: str) -> None:
    labels, export_tool = VINTAGES[fixture]
    write_acled(table, tmp_path, inter_labels=labels)
    ours, theirs = tmp_path / "acled.csv", FIXTURES / fixture
    a, b = pd.read_csv(ours), pd.read_csv(theirs)
    shared = [c for c in a.columns if c in b.columns and a[c].notna().any() and b[c].notna().any()]
    assert len(shared) >= 20
    # same dtype, or both numeric (an incident without coordinates has no geo_precision: int64 -> float64)
    family = {c: (str(a[c].dtype), str(b[c].dtype)) for c in shared
              if a[c].dtype != b[c].dtype and not (a[c].dtype.kind in "if" and b[c].dtype.kind in "if")}
    assert family == {}
    both = pd.concat([b, a], ignore_index=True)
    assert all(both[c].dtype != object for c in shared)
    assert len(both) == len(a) + len(b)

    con = duckdb.connect()
    for ours_rel in (_duck_read(con, ours, False), con.sql(f"SELECT * FROM read_parquet('{tmp_path / 'acled.parquet'}')")):
        theirs_rel = _duck_read(con, theirs, export_tool)
        t_ours = dict(zip(ours_rel.columns, map(str, ours_rel.types)))
        t_theirs = dict(zip(theirs_rel.columns, map(str, theirs_rel.types)))
        numeric = {"BIGINT", "INTEGER", "DOUBLE", "SMALLINT", "TINYINT"}
        for c in shared:
            assert t_ours[c] == t_theirs[c] or {t_ours[c], t_theirs[c]} <= numeric, (c, t_ours[c], t_theirs[c])
        con.register("ours_v", ours_rel)
        con.register("theirs_v", theirs_rel)
        n = con.sql("SELECT count(*) FROM (SELECT * FROM theirs_v UNION ALL BY NAME SELECT * FROM ours_v)").fetchall()[0][0]
        assert n == len(a) + len(b)


def test_cli_writes_csv_parquet_and_id_map(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["export", "acled", "--dataset", str(GOLDEN), "-o", str(tmp_path), "--numeric-inter"])
    assert res.exit_code == 0, res.output
    csv = pd.read_csv(tmp_path / "acled.csv")
    assert list(csv.columns) == list(ACLED_COLUMNS) and csv["inter1"].dtype.kind == "i"
    assert len(pd.read_parquet(tmp_path / "acled.parquet")) == len(csv) == 6   # the 3-day clash is 3 rows, the others 1 each
    ids = pd.read_csv(tmp_path / "acled_ids.csv")
    assert set(ids["event_id_cnty"]) == set(csv["event_id_cnty"])
