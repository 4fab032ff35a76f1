"""Bad GTD files: refused with file:line:column, exit 1 from the CLI, no output left, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.external import ExternalFileError, read_events
from incidentkit.external.gtd import ingest_gtd

DATA = Path(__file__).parent / "data" / "gtd"
SAMPLE = DATA / "gtd_sample.csv"
TEXT = SAMPLE.read_bytes().decode("utf-8")
LINES = TEXT.split("\n")  # physical lines (each ends with "\r" but the one inside a quoted summary)
#: The Iraq row's summary spans two lines, so every later record starts one line further down.
IRAQ_LINE = next(i for i, line in enumerate(LINES, 1) if line.startswith("201403030001"))


def _line_of(eventid: str) -> int:
    return next(i for i, line in enumerate(LINES, 1) if line.startswith(eventid))


def _cli_fails(src: Path, tmp_path: Path) -> str:
    out = tmp_path / "o.parquet"
    res = CliRunner().invoke(main, ["ingest", "gtd", str(src), "-o", str(out), "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert not out.exists() and not list(tmp_path.glob(".o.parquet*"))  # no output, no temporary file
    return res.output


def _refused(src: Path, tmp_path: Path) -> ExternalFileError:
    with pytest.raises(ExternalFileError) as exc:
        ingest_gtd(src, tmp_path / "o.parquet", progress=False)
    return exc.value


def _write(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


def _replace_cell(eventid: str, column: str, value: str) -> str:
    """The sample with one cell of the row ``eventid`` replaced (the row's cells as GTD's column order)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(TEXT, newline="")))
    header = rows[0]
    for r in rows[1:]:
        if r[0] == eventid:
            r[header.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize("column,value,expected", [
    ("iyear", "19x0", "is not a whole number"),
    ("imonth", "13", "is not a month (1-12, or 0 for unknown)"),
    ("iday", "32", "is not a day (1-31, or 0 for unknown)"),
    ("attacktype1", "12", "is not a GTD attack type (1-9)"),
    ("targtype1", "Police", "is not a whole number"),
    ("specificity", "6", "is not a GTD geocoding specificity (1-5)"),
    ("latitude", "north", "is not a number"),
    ("longitude", "200", "is not within [-180, 180]"),
    ("nkill", "-5", "is not a count (0 or more; -9 or -99 for unknown)"),
    ("extended", "2", "is not 1 (yes) or 0 (no)"),
    ("resolution", "someday", "is not a date"),
])
def test_a_value_that_cannot_be_converted_is_located(tmp_path: Path, column: str, value: str, expected: str) -> None:
    eventid = "201602040001"  # after the Iraq row's two-line summary: the line is the physical one
    src = _write(tmp_path, _replace_cell(eventid, column, value))
    p = _refused(src, tmp_path).problem
    assert (p.path, p.line, p.field, p.code) == (str(src), _line_of(eventid), column, "external-bad-value")
    assert _line_of(eventid) > IRAQ_LINE
    out = _cli_fails(src, tmp_path)
    assert f"{src}:{_line_of(eventid)}: {column}: '{value}'" in out and expected in out


@pytest.mark.parametrize("mangled", ["2.00E+11", "2.01E+11", "1.97E+11"])
def test_excel_mangled_ids_are_refused_with_how_to_export_again(tmp_path: Path, mangled: str) -> None:
    src = _write(tmp_path, _replace_cell("197000000002", "eventid", mangled))
    p = _refused(src, tmp_path).problem
    assert (p.line, p.field, p.value) == (_line_of("197000000002"), "eventid", mangled)
    out = _cli_fails(src, tmp_path)
    assert "scientific notation" in out and "export the file again with the eventid column formatted as text" in out


def test_ids_excel_rounded_and_saved_again_are_refused(tmp_path: Path) -> None:
    src = _write(tmp_path, _replace_cell("197000000002", "eventid", "201000000000"))
    p = _refused(src, tmp_path).problem
    assert (p.line, p.field, p.value) == (_line_of("197000000002"), "eventid", "201000000000")
    assert "ends in the case number 0000" in _cli_fails(src, tmp_path)


def test_excel_ids_with_all_their_digits_are_read(tmp_path: Path) -> None:
    src = _write(tmp_path, _replace_cell("197000000002", "eventid", "1.97000000002E+11")
                 .replace("197000000001,", "197000000001.0,", 1))
    df = read_events(ingest_gtd(src, tmp_path / "o.parquet", progress=False).output)
    assert df["id"].tolist()[:2] == ["197000000001", "197000000002"]


def test_unknown_codes_in_nkill_are_no_count(tmp_path: Path) -> None:
    src = _write(tmp_path, _replace_cell("197000000001", "nkill", "-99"))
    df = read_events(ingest_gtd(src, tmp_path / "o.parquet", progress=False).output).set_index("id")
    assert df["fatalities_best"].isna()["197000000001"] and df.loc["197000000001", "gtd_nkill"] == -99


def test_an_empty_id_and_an_empty_year(tmp_path: Path) -> None:
    src = _write(tmp_path, _replace_cell("197000000001", "iyear", ""))
    assert "a year (it is empty)" in _cli_fails(src, tmp_path)
    src = _write(tmp_path, _replace_cell("197000000001", "eventid", ""))
    assert ":2: eventid: " in _cli_fails(src, tmp_path)


@pytest.mark.parametrize("cut", [0.5, 0.93])  # in the middle of the file / inside the last record
def test_truncated_file(tmp_path: Path, cut: float) -> None:
    raw = SAMPLE.read_bytes()
    src = tmp_path / "cut.csv"
    src.write_bytes(raw[:int(len(raw) * cut)])
    e = _refused(src, tmp_path)
    assert e.problem.code == "external-truncated" and e.problem.line > 1 and e.problem.field
    _cli_fails(src, tmp_path)


def test_wrong_column_count(tmp_path: Path) -> None:
    lines = list(LINES)
    k = _line_of("197001000001") - 1
    lines[k] = lines[k][:-1] + ",extra\r"
    src = _write(tmp_path, "\n".join(lines))
    e = _refused(src, tmp_path)
    assert (e.problem.code, e.problem.line) == ("external-truncated", k + 1)
    assert "136 fields, the header 135" in _cli_fails(src, tmp_path)


def test_missing_required_column(tmp_path: Path) -> None:
    src = _write(tmp_path, TEXT.replace(",gname,", ",perpetrator,", 1))
    assert f"{src}:1: gname: required column 'gname' is missing" in _cli_fails(src, tmp_path)


def test_binary_junk(tmp_path: Path) -> None:
    src = tmp_path / "junk.csv"
    src.write_bytes(TEXT.encode("utf-8")[:3000] + bytes(range(256)) * 8)
    e = _refused(src, tmp_path)
    assert e.problem.code in ("file-encoding", "external-truncated") and e.problem.line
    _cli_fails(src, tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    src = tmp_path / "empty.csv"
    src.write_bytes(b"")
    assert "the file is empty" in _cli_fails(src, tmp_path)


def test_utf16_text_is_named(tmp_path: Path) -> None:
    src = tmp_path / "utf16.csv"
    src.write_bytes(TEXT.encode("utf-16"))
    assert "UTF-16" in _cli_fails(src, tmp_path)


def test_a_damaged_workbook(tmp_path: Path) -> None:
    src = tmp_path / "gtd.xlsx"
    src.write_bytes((DATA / "gtd_sample.xlsx").read_bytes()[:2000])
    assert "not a readable Excel workbook" in _cli_fails(src, tmp_path)


def test_a_bad_cell_in_a_workbook_names_its_sheet_row(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(DATA / "gtd_sample.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    ws.cell(row=5, column=header.index("imonth") + 1, value=14)
    src = tmp_path / "gtd.xlsx"
    wb.save(src)
    assert f"{src}:5: imonth: '14' is not a month" in _cli_fails(src, tmp_path)


def test_a_second_bad_file_leaves_no_output(tmp_path: Path) -> None:
    bad = _write(tmp_path, _replace_cell("197000000001", "imonth", "x"))
    out = tmp_path / "o.parquet"
    res = CliRunner().invoke(main, ["ingest", "gtd", str(SAMPLE), str(bad), "-o", str(out)])
    assert res.exit_code == 1 and f"{bad}:2: imonth" in res.output and not out.exists()


def test_utf8_that_turns_to_cp1252_later_is_refused(tmp_path: Path) -> None:
    # the first non-ASCII letters (Arabic, UTF-8) decide the encoding; a cp1252 'ö' further down is refused
    src = tmp_path / "mixed.csv"
    src.write_bytes(SAMPLE.read_bytes().replace("Malmö".encode(), "Malmö".encode("cp1252")))
    e = _refused(src, tmp_path)
    assert e.problem.code == "file-encoding" and "not UTF-8" in str(e)
    _cli_fails(src, tmp_path)


def test_fixtures_are_reproducible(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gtd_make_fixtures", DATA / "make_fixtures.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert len(mod.COLUMNS) == 135 and mod.COLUMNS[:4] == ("eventid", "iyear", "imonth", "iday")
    mod.HERE = tmp_path
    mod.main()
    for name in ("gtd_sample.csv", "gtd_semicolon.csv", "gtd_latin1.csv", "gtd_sample.xlsx"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
