"""Hostile GDELT input: a located error (file[member]:line: column), exit 1, no output left, never a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.external import ExternalFileError
from incidentkit.external.gdelt import COLUMNS, ingest_gdelt

DATA = Path(__file__).parent / "data" / "gdelt"
FIRST = DATA / "20240501000000.export.CSV"
ZIPPED = DATA / "20240501001500.export.CSV.zip"
LINES = FIRST.read_text(encoding="utf-8").splitlines()


def _cli_fails(files: list[Path], out: Path) -> str:
    res = CliRunner().invoke(main, ["ingest", "gdelt", *map(str, files), "-o", str(out), "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))  # no temporary file left either
    return res.output


def _write(tmp_path: Path, lines: list[str], name: str = "bad.export.CSV") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _cell(line: str, column: str, value: str) -> str:
    cells = line.split("\t")
    cells[COLUMNS.index(column)] = value
    return "\t".join(cells)


def test_a_line_with_fewer_fields_is_a_truncated_record(tmp_path: Path) -> None:
    msg = _cli_fails([DATA / "bad" / "short_line.export.CSV"], tmp_path / "o.parquet")
    assert "short_line.export.CSV:3: Actor1Geo_Lat" in msg
    assert "expected 61 fields, found 40" in msg and "[external-truncated]" in msg


def test_a_line_with_more_fields(tmp_path: Path) -> None:
    bad = _write(tmp_path, [*LINES[:3], LINES[3] + "\tstray"])
    msg = _cli_fails([bad], tmp_path / "o.parquet")
    assert "bad.export.CSV:4:" in msg and "62 fields, the format 61" in msg


def test_an_impossible_date_is_refused_not_rolled_over(tmp_path: Path) -> None:
    msg = _cli_fails([DATA / "bad" / "bad_date.export.CSV"], tmp_path / "o.parquet")
    assert "bad_date.export.CSV:2: SQLDATE: '20240231' is not a date (YYYYMMDD)" in msg


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("ActionGeo_Lat", "north", "is not a number"),
    ("ActionGeo_Long", "200.5", "within [-180, 180]"),
    ("ActionGeo_Type", "7", "a geographic type 0-5"),
    ("NumMentions", "4.5", "a whole number"),
    ("IsRootEvent", "yes", "1 or 0"),
    ("GoldsteinScale", "-11", "within [-10.0, 10.0]"),
    ("DATEADDED", "2024-05-01 00:00", "YYYYMMDDHHMMSS"),
    ("GLOBALEVENTID", "ev-5", "a whole number"),
])
def test_a_value_that_cannot_be_converted_names_line_and_column(tmp_path: Path, column: str, value: str,
                                                                  expected: str) -> None:
    bad = _write(tmp_path, [*LINES[:4], _cell(LINES[4], column, value), *LINES[5:]])
    msg = _cli_fails([bad], tmp_path / "o.parquet")
    assert f"bad.export.CSV:5: {column}:" in msg and expected in msg and "[external-bad-value]" in msg


def test_an_empty_id(tmp_path: Path) -> None:
    bad = _write(tmp_path, [LINES[0], _cell(LINES[1], "GLOBALEVENTID", "")])
    assert "bad.export.CSV:2: GLOBALEVENTID:" in _cli_fails([bad], tmp_path / "o.parquet")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.export.CSV"
    empty.write_bytes(b"")
    msg = _cli_fails([empty], tmp_path / "o.parquet")
    assert "empty.export.CSV:1: the file is empty" in msg and "[file-empty]" in msg


def test_binary_junk(tmp_path: Path) -> None:
    junk = tmp_path / "junk.export.CSV"
    junk.write_bytes(bytes(range(256)) * 8)
    msg = _cli_fails([junk], tmp_path / "o.parquet")
    assert "junk.export.CSV" in msg and "[file-encoding]" in msg


def test_latin1_names_the_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "latin.export.CSV"
    bad.write_bytes(("\n".join(LINES[1:3] + LINES[4:6]) + "\n").encode("utf-8").replace(
        "Saint-Étienne".encode(), "Saint-Étienne".encode("latin-1")))
    msg = _cli_fails([bad], tmp_path / "o.parquet")
    assert "latin.export.CSV:3: Actor1Geo_FullName: not UTF-8 text" in msg and "[file-encoding]" in msg


def test_damaged_zip(tmp_path: Path) -> None:
    cut = tmp_path / "20240501001500.export.CSV.zip"
    cut.write_bytes(ZIPPED.read_bytes()[:200])
    msg = _cli_fails([cut], tmp_path / "o.parquet")
    assert "not a readable zip archive" in msg and "[file-unreadable]" in msg
    junk = tmp_path / "junk.export.CSV.zip"
    junk.write_bytes(b"\x00\x01junk" * 100)
    assert "not a readable zip archive" in _cli_fails([junk], tmp_path / "o.parquet")


def test_empty_zip(tmp_path: Path) -> None:
    z = tmp_path / "none.export.CSV.zip"
    zipfile.ZipFile(z, "w").close()
    assert "the zip archive holds no file" in _cli_fails([z], tmp_path / "o.parquet")


def test_a_bad_member_is_named_inside_its_archive(tmp_path: Path) -> None:
    z = tmp_path / "20240501003000.export.CSV.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as a:
        a.writestr("20240501003000.export.CSV", "\n".join([*LINES[:2], _cell(LINES[2], "SQLDATE", "2024-04-30")]))
    msg = _cli_fails([z], tmp_path / "o.parquet")
    assert f"{z}[20240501003000.export.CSV]:3: SQLDATE: '2024-04-30'" in msg


def test_a_failed_second_file_leaves_no_output(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    _cli_fails([FIRST, DATA / "bad" / "short_line.export.CSV"], out)
    with pytest.raises(ExternalFileError) as info:
        ingest_gdelt([FIRST, ZIPPED, DATA / "bad" / "bad_date.export.CSV"], out, progress=False)
    assert info.value.problem.line == 2 and info.value.problem.field == "SQLDATE"
    assert not out.exists()


def test_existing_output_untouched_on_error(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    out.write_bytes(b"previous")
    res = CliRunner().invoke(main, ["ingest", "gdelt", str(DATA / "bad" / "bad_date.export.CSV"), "-o", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert out.read_bytes() == b"previous"


def test_folder_without_event_files(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "20240501000000.mentions.CSV").write_text("x\n", encoding="utf-8")
    msg = _cli_fails([tmp_path / "in"], tmp_path / "o.parquet")
    assert "holds no file named like" in msg


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["ingest", "gdelt", str(tmp_path / "nope.export.CSV"), "-o",
                                    str(tmp_path / "o.parquet")])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_another_gdelt_table_given_explicitly(tmp_path: Path) -> None:
    msg = _cli_fails([DATA / "20240501001500.mentions.CSV"], tmp_path / "o.parquet")
    assert "20240501001500.mentions.CSV:1:" in msg and "the first line has 7 fields" in msg
    assert "another GDELT table" in msg and "[external-truncated]" in msg
