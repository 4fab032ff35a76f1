"""Hostile values never crash (issue 11, point 7).

A corpus of hostile records (YAML and CSV) and hostile ACLED cells, each run through the CLI: exit 1, a
located problem line (file:line), no traceback, lines of bounded length that quote at most about 200
characters of a value, and no control character printed raw. A few cases also run in a real subprocess,
where recursion limits and the interpreter's own error printing are the installed CLI's.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from incidentkit.records.sniff import RECORD_CELL_LIMIT
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.errors import Problem, quote

from conftest import BASE_RECORD, dump_yaml

ACLED = Path(__file__).parent / "data" / "acled" / "acled_2023_api.csv"
MAX_LINE = 1_200          # a problem line: location, field, message (values quoted in about 200 characters)
LONGEST_RUN = 260         # no value may be printed further than about 200 characters
LOCATED = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):")


def _yaml(**changes: Any) -> str:
    doc = copy.deepcopy(BASE_RECORD)
    doc["incidents"][0].update(changes)
    return dump_yaml(doc)


def _raw(key: str, raw: str) -> str:
    """The base record with one incident field written as raw YAML (a number, an escape, a tag)."""
    text = _yaml()
    line = next((ln for ln in text.splitlines() if ln.lstrip().startswith(f'"{key}":')), None)
    if line is None:  # a field the base record leaves out: written before its notes
        notes = next(ln for ln in text.splitlines() if ln.lstrip().startswith('"notes":'))
        indent = notes[:len(notes) - len(notes.lstrip())]
        return text.replace(notes, f'{indent}"{key}": {raw}\n{notes}', 1)
    return text.replace(line, f'{line.split(":")[0]}: {raw}', 1)


DEEP_MAP = "{a: " * 995 + "1" + "}" * 995
DEEP_BLOCK = "".join(" " * i + "k:\n" for i in range(995)) + " " * 995 + "k: 1\n"

RECORDS: dict[str, tuple[str, str]] = {  # name -> (file name, content)
    "995-deep mapping in a field": ("r.yaml", _raw("notes", DEEP_MAP)),
    "995-deep mapping as the document": ("r.yaml", "source: " + DEEP_MAP + "\n"),
    "995-deep list": ("r.yaml", _raw("assoc_actor_1", "[" * 995 + "]" * 995)),
    "995-deep block mapping": ("r.yaml", DEEP_BLOCK),
    "4,000-digit hex integer": ("r.yaml", _raw("inter1", "0x" + "f" * 4000)),
    "4,000-digit decimal integer": ("r.yaml", _raw("deaths_a", "9" * 4000)),
    "5,000-digit decimal integer": ("r.yaml", _raw("deaths_a", "9" * 5000)),
    "5,000-digit integer as a key": ("r.yaml", _yaml().replace('"incidents":', "? " + "9" * 5000 + "\n: 1\n"
                                                               '"incidents":')),
    "4,000-digit integer as text": ("r.yaml", _raw("inter2", '"' + "7" * 4000 + '"')),
    "400-digit latitude": ("r.yaml", _raw("latitude", "1" * 400)),
    "400-digit latitude with a fraction": ("r.yaml", _raw("latitude", "1" * 400 + ".5")),
    "400-digit latitude as text": ("r.yaml", _raw("latitude", '"' + "1" * 400 + '"')),
    "superscript two as a code": ("r.yaml", _raw("inter1", '"²"')),
    "superscript one as time_precision": ("r.yaml", _raw("time_precision", '"¹"')),
    "Arabic-Indic digits as a count": ("r.yaml", _raw("deaths_a", '"٣"')),
    "Arabic-Indic digits as latitude": ("r.yaml", _raw("latitude", '"٣٦"')),
    "terminal escapes in a vocabulary value": ("r.yaml", _raw("event_type", '"Battles\\e[2J\\e[31m\\a"')),
    "terminal escapes in a key": ("r.yaml", _yaml().replace('"incidents":', '"evil\\e]0;title\\a": 1\n"incidents":')),
    "100,000-character key": ("r.yaml", _yaml().replace('"incidents":', "? " + "k" * 100_000 + "\n: 1\n\"incidents\":")),
    "100,000-character code": ("r.yaml", _raw("event_type", '"' + "B" * 100_000 + '"')),
    "duplicate 10,000-character key": ("r.yaml", _yaml().replace('"coder":', "? " + "k" * 10_000 + "\n: 1\n? "
                                                                 + "k" * 10_000 + "\n: 2\n\"coder\":")),
    "a long tag": ("r.yaml", _raw("notes", "!" + "t" * 10_000 + " x")),
    "NUL byte in a YAML record": ("r.yaml", _yaml().replace("Ghwayran", "Ghway\x00ran")),
    "lone surrogate escape": ("r.yaml", _raw("notes", '"\\ud800"')),
    "bidi override in an id": ("r.yaml", _raw("id", '"rep\\u202e-01"')),
}


def _record_csv(**cells: str) -> str:
    row = {"source_id": "rep-2022-01-21", "source_outlet": "SVT", "source_title": "T", "source_published":
           "2022-01-22", "source_language": "sv", "coder": "ab", "coded_on": "2026-11-24",
           "id": "rep-2022-01-21-01", "date_start": "2022-01-20", "time_precision": "1", "event_type": "Battles",
           "sub_event_type": "Armed clash", "actor1": "Islamic State (Syria)", "inter1": "2", "country": "SY",
           "location": "al-Hasakah", "latitude": "36.5", "longitude": "40.7", "fatalities": "3", "notes": "N"}
    row.update(cells)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(row)
    w.writerow(row.values())
    return buf.getvalue()


RECORDS.update({
    "NUL byte in a CSV record": ("r.csv", _record_csv(notes="a\x00b")),
    "CSV field past the csv module's limit": ("r.csv", _record_csv(notes="n" * (RECORD_CELL_LIMIT + 10))),
    "superscript two in a CSV code": ("r.csv", _record_csv(inter1="²")),
    "Arabic-Indic digits in a CSV count": ("r.csv", _record_csv(fatalities="١٢")),
    "5,000 digits in a CSV count": ("r.csv", _record_csv(fatalities="9" * 5000)),
    "400-digit latitude in a CSV": ("r.csv", _record_csv(latitude="1" * 400)),
    "terminal escapes in a CSV header": ("r.csv", _record_csv().replace("notes", "no\x1b[2Jtes", 1)),
    "C1 control in a CSV value": ("r.csv", _record_csv(event_type="Battles\x9b31m")),
    "semicolons": ("r.csv", _record_csv().replace(",", ";")),
    "UTF-16 CSV": ("r.csv", ""),  # written as UTF-16 below
})


def _write(folder: Path, name: str) -> Path:
    file_name, content = RECORDS[name]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    if name == "UTF-16 CSV":
        path.write_bytes(_record_csv().encode("utf-16"))
    else:
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
    return path


def assert_handled(output: str, exit_code: int, *, located: str | None = None) -> list[str]:
    """Exit 1, no traceback, bounded lines, no raw control character; ``located``: a line names it."""
    assert exit_code == 1, output[-3000:]
    assert "Traceback" not in output and "RecursionError" not in output, output[-3000:]
    lines = output.splitlines()
    for ln in lines:
        assert len(ln) <= MAX_LINE, ln[:300]
        assert ln.isprintable(), repr(ln[:300])
        assert not re.search(r"(.)\1{%d}" % LONGEST_RUN, ln), ln[:300]
    if located is not None:
        assert any((m := LOCATED.match(ln)) and m["path"].endswith(located) for ln in lines), output[-3000:]
    return lines


def _cli(*args: str) -> Any:
    res = CliRunner().invoke(main, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res


@pytest.mark.parametrize("name", list(RECORDS))
def test_hostile_records_are_located_errors(tmp_path: Path, name: str) -> None:
    coded = tmp_path / "coded"
    path = _write(coded, name)
    checked = _cli("validate", str(coded))
    assert_handled(checked.output, checked.exit_code, located=path.name)
    as_json = _cli("validate", "--json", str(coded))
    assert as_json.exit_code == 1
    doc = json.loads(as_json.stdout)
    assert not doc["valid"] and all(len(json.dumps(p, ensure_ascii=False)) < 3 * MAX_LINE for p in doc["problems"])
    assert all(json.dumps(p, ensure_ascii=False).isprintable() for p in doc["problems"])
    out = tmp_path / "ds"
    out.mkdir()
    (out / "incidents.parquet").write_bytes(b"previous")
    built = _cli("build", "--coded", str(coded), "--out", str(out), "--no-geocode")
    assert_handled(built.output, built.exit_code, located=path.name)
    assert (out / "incidents.parquet").read_bytes() == b"previous"


def _acled(edits: dict[str, str], row: int = 2) -> str:
    rows = list(csv.reader(io.StringIO(ACLED.read_text(encoding="utf-8"), newline="")))
    for column, value in edits.items():
        rows[row][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


ACLED_CELLS: dict[str, str] = {
    "superscript two as inter1": _acled({"inter1": "²"}),
    "superscript two as interaction": _acled({"interaction": "²²"}),
    "superscript two as time_precision": _acled({"time_precision": "²"}),
    "superscript two as fatalities": _acled({"fatalities": "²"}),
    "Arabic-Indic digits as latitude": _acled({"latitude": "٣٦"}),
    "4,000-digit fatalities": _acled({"fatalities": "9" * 4000}),
    "5,000-digit fatalities": _acled({"fatalities": "9" * 5000}),
    "4,000-digit hex fatalities": _acled({"fatalities": "0x" + "f" * 4000}),
    "5,000-digit iso": _acled({"iso": "9" * 5000}),
    "400-digit latitude": _acled({"latitude": "1" * 400}),
    "NUL byte in a cell": _acled({"notes": "before\x00after"}),
    "cell past the csv module's limit": _acled({"notes": "n" * (csv.field_size_limit() + 10)}),
    "cell past the limit, then a bad date": _acled({"notes": "n" * 200_000}).replace("2022-01-21", "someday"),
    "record past the reader's block": _acled({"notes": "n" * 1_200_000}),
    "terminal escapes in a bad date": _acled({"event_date": "\x1b[2J\x1b]0;pwned\x07" + "x" * 500}),
    "C1 control in a bad actor type": _acled({"inter2": "\x9b31mRebel"}),
    "escape in the header": _acled({}).replace("event_date", "event\x1b[1mdate", 1),
}


@pytest.mark.parametrize("name", list(ACLED_CELLS))
def test_hostile_acled_cells_are_located_errors(tmp_path: Path, name: str) -> None:
    bad = tmp_path / "acled.csv"
    bad.write_text(ACLED_CELLS[name], encoding="utf-8", newline="")
    out = tmp_path / "acled.parquet"
    res = _cli("ingest", "acled", str(bad), "-o", str(out))
    assert_handled(res.output, res.exit_code, located="acled.csv")
    assert not out.exists()


@pytest.mark.parametrize("name, text", [
    ("deep JSON", "[" * 100_000 + "]" * 100_000),
    ("5,000-digit JSON number", '{"status": 200, "data": [{"event_id_cnty": ' + "9" * 5000 + "}]}"),
    ("API error answer with escapes", json.dumps({"status": 403, "success": False,
                                                  "error": {"message": "denied\x1b[2J" + "!" * 1000}})),
    ("NUL in a JSON cell", ""),
])
def test_hostile_acled_json(tmp_path: Path, name: str, text: str) -> None:
    bad = tmp_path / "acled.json"
    if name == "NUL in a JSON cell":
        doc = json.loads((ACLED.parent / "acled_api.json").read_text(encoding="utf-8"))
        doc["data"][1]["notes"] = "a\x00b"
        text = json.dumps(doc)
    bad.write_text(text, encoding="utf-8")
    res = _cli("ingest", "acled", str(bad), "-o", str(tmp_path / "o.parquet"))
    lines = assert_handled(res.output, res.exit_code)
    assert any(ln.startswith(f"error: {bad}") for ln in lines), res.output
    if name == "NUL in a JSON cell":
        assert "(record 2)" in res.output


@pytest.mark.parametrize("name", ["995-deep mapping as the document", "5,000-digit decimal integer",
                                  "terminal escapes in a key", "CSV field past the csv module's limit"])
def test_the_installed_cli_in_a_subprocess(tmp_path: Path, name: str) -> None:
    coded = tmp_path / "coded"
    path = _write(coded, name)
    for args in (["validate", str(coded)], ["build", "--coded", str(coded), "--out", str(tmp_path / "ds"),
                                            "--no-geocode"]):
        proc = subprocess.run([sys.executable, "-m", "incidentkit", *args], capture_output=True, text=True,
                              timeout=300)
        assert_handled(proc.stdout + proc.stderr, proc.returncode, located=path.name)


def test_quote_bounds_any_value() -> None:
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(995):
        cur["a"] = {}
        cur = cur["a"]
    for value in ["x" * 100_000, "\x1b[2J" * 1000, int("f" * 4000, 16), 7 ** 10_000, deep, [deep] * 50,
                  {"k" * 1000: "v" * 1000}, b"\x00" * 1000, float("inf"), "\u202e\u0000\x9b"]:
        shown = quote(value)
        assert len(shown) <= 260 and shown.isprintable(), shown[:300]
    assert quote("Armed clash") == "'Armed clash'" and quote(12) == "12"


def test_problem_format_escapes_whatever_callers_put_in() -> None:
    p = Problem("type-error", "bad \x1b[31mvalue\n" + "m" * 5000, path="dir/\x1bname.yaml", line=3,
                field="f\x00" * 1000, value="v" * 10_000)
    line = p.format()
    # path, a field cut to about 200 characters, a message cut to about 1,000: a line, not a flood
    assert line.isprintable() and len(line) <= 1_400 and line.startswith("dir/\\x1bname.yaml:3:")
    d = p.to_dict()
    assert len(d["value"]) < 260 and json.dumps(d, ensure_ascii=False).isprintable()


UCDP = Path(__file__).parent / "data" / "ucdp" / "ged_quirks.csv"


def _ucdp(column: str, value: str) -> str:
    rows = list(csv.reader(io.StringIO(UCDP.read_text(encoding="utf-8"), newline="")))
    rows[2][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize("column, value", [
    ("best", "²"), ("id", "9" * 5000), ("latitude", "1" * 400), ("longitude", "-inf"), ("country", "Sy\x00ria"),
    ("gwnoa", "645, ²"), ("active_year", "\x1b[2J"), ("source_article", "a" * 200_000),
])
def test_hostile_ucdp_cells_are_located_errors(tmp_path: Path, column: str, value: str) -> None:
    bad = tmp_path / "ged.csv"
    bad.write_text(_ucdp(column, value), encoding="utf-8", newline="")
    res = _cli("ingest", "ucdp", str(bad), "-o", str(tmp_path / "o.parquet"))
    lines = assert_handled(res.output, res.exit_code, located="ged.csv")
    assert any(ln.startswith(f"error: {bad}:3: {column}:") for ln in lines), res.output  # its row, its column


def test_a_record_cell_limit_does_not_depend_on_what_else_was_imported(tmp_path: Path) -> None:
    """Libraries raise the csv module's process-wide limit when imported (frictionless does): a coded
    CSV's longest cell is the same rule whatever else runs in the process."""
    coded = tmp_path / "coded"
    _write(coded, "CSV field past the csv module's limit")
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # what importing frictionless does
    try:
        from incidentkit import validate

        report = validate(coded)
    finally:
        csv.field_size_limit(old)
    assert [p.code for p in report.errors] == ["csv-syntax"]
    assert f"longer than {RECORD_CELL_LIMIT:,} characters" in report.errors[0].message
