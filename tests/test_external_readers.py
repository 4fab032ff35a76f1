"""Same rules in every reader (issue 11, point 10): ingest and the coded-record loader name a gzip, zip or
UTF-16 file as such with what to do, detect a wrong delimiter with one rule, and an ACLED API error answer
saved as the file reports the API's status and message."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.external import ExternalFileError, ingest_acled, ingest_ucdp
from incidentkit.records import load_paths
from incidentkit.records.sniff import delimiter_message, file_kind, guess_delimiter, what_file

DATA = Path(__file__).parent / "data"
ACLED = DATA / "acled" / "acled_2023_api.csv"
ACLED_JSON = DATA / "acled" / "acled_api.json"
UCDP = DATA / "ucdp" / "ged_quirks.csv"
RECORD_CSV = (
    "source_id,source_outlet,source_title,source_published,source_language,coder,coded_on,id,date_start,"
    "time_precision,event_type,sub_event_type,actor1,inter1,country,location,latitude,longitude,fatalities,notes\n"
    "rep-2022-01-21,SVT,Title,2022-01-22,sv,ab,2026-11-24,rep-2022-01-21-01,2022-01-20,1,Battles,Armed clash,"
    "Islamic State (Syria),2,SY,al-Hasakah,36.5,40.7,3,Notes\n"
)


def _variants(text: str) -> dict[str, tuple[bytes, str]]:
    """What a file may really be, the words that must name it and what to do."""
    return {
        "gzip": (gzip.compress(text.encode()), "gzip-compressed: decompress it first"),
        "utf-16": (text.encode("utf-16"), "UTF-16 text"),
        "utf-16-no-bom": (text.encode("utf-16-le"), "UTF-16 text"),
        "zip": (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive or an Excel workbook"),
    }


@pytest.mark.parametrize("kind", ["gzip", "utf-16", "utf-16-no-bom", "zip"])
@pytest.mark.parametrize("reader", ["acled", "acled-json", "ucdp"])
def test_ingest_names_compressed_and_utf16_files(tmp_path: Path, kind: str, reader: str) -> None:
    src = {"acled": ACLED, "acled-json": ACLED_JSON, "ucdp": UCDP}[reader]
    data, words = _variants(src.read_text(encoding="utf-8"))[kind]
    bad = tmp_path / src.name
    bad.write_bytes(data)
    out = tmp_path / "o.parquet"
    res = CliRunner().invoke(main, ["ingest", reader.split("-")[0], str(bad), "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert words in res.output and "[file-encoding]" in res.output and "Traceback" not in res.output
    assert "save it as UTF-8" in res.output or "decompress" in res.output or "unpack" in res.output
    assert not out.exists()


@pytest.mark.parametrize("kind", ["gzip", "utf-16", "utf-16-no-bom", "zip"])
@pytest.mark.parametrize("name", ["records.csv", "record.yaml"])
def test_record_loader_names_compressed_and_utf16_files(tmp_path: Path, kind: str, name: str) -> None:
    data, words = _variants(RECORD_CSV)[kind]
    (tmp_path / "coded").mkdir()
    (tmp_path / "coded" / name).write_bytes(data)
    res = load_paths([tmp_path / "coded"])
    assert [p.code for p in res.problems] == ["file-encoding"]
    assert words in res.problems[0].message and res.problems[0].line == 1
    out = CliRunner().invoke(main, ["validate", str(tmp_path / "coded")])
    assert out.exit_code == 1 and words in out.output


def test_one_sniffing_rule() -> None:
    text = "a,b\n1,2\n"
    assert file_kind(text.encode()) is None and what_file("ﺍﻟﺤﺴﻜﺔ".encode()) is None
    assert file_kind(text.encode("utf-16-be")) == file_kind(text.encode("utf-16")) == "utf-16"
    assert file_kind(text.encode("utf-32")) == "utf-32"
    assert file_kind(gzip.compress(b"x")) == "gzip"
    assert guess_delimiter(["a;b;c"]) == ";" and guess_delimiter(["a\tb"]) == "\t"
    assert guess_delimiter(["a", "b"]) is None and guess_delimiter(["plain"]) is None


@pytest.mark.parametrize("delim", [";", "\t", "|"])
def test_record_csv_wrong_delimiter_is_named_as_ingest_names_it(tmp_path: Path, delim: str) -> None:
    (tmp_path / "coded").mkdir()
    (tmp_path / "coded" / "records.csv").write_text(RECORD_CSV.replace(",", delim), encoding="utf-8")
    res = load_paths([tmp_path / "coded"])
    assert [(p.code, p.line) for p in res.problems] == [("csv-delimiter", 1)]
    assert res.problems[0].message == delimiter_message(delim)
    bad = tmp_path / "acled.csv"
    bad.write_text(ACLED.read_text(encoding="utf-8").replace(",", delim), encoding="utf-8")
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(bad, tmp_path / "o.parquet", progress=False)
    assert exc.value.problem.code == "external-delimiter" and exc.value.problem.message == delimiter_message(delim)
    out = CliRunner().invoke(main, ["build", "--coded", str(tmp_path / "coded"), "--out", str(tmp_path / "ds"),
                                    "--no-geocode"])
    assert out.exit_code == 1 and "[csv-delimiter]" in out.output


@pytest.mark.parametrize("payload, words", [
    ({"status": 403, "success": False, "error": {"status": 403, "message": "Access denied: invalid key"}},
     ["status 403", "'Access denied: invalid key'"]),
    ({"status": 400, "success": False, "error": [{"message": "Missing parameter: email"}]},
     ["status 400", "'Missing parameter: email'"]),
    ({"success": False, "error": "Too many requests"}, ["no status", "'Too many requests'"]),
    ({"status": 200, "success": False, "error": {"status": 401, "message": "Unauthorised\x1b[2J"}},
     ["status 401", "Unauthorised\\x1b[2J"]),
])
def test_acled_api_error_answer_reports_status_and_message(tmp_path: Path, payload: dict, words: list[str]) -> None:
    bad = tmp_path / "acled.json"
    bad.write_text(json.dumps(payload), encoding="utf-8")
    out = tmp_path / "o.parquet"
    with pytest.raises(ExternalFileError) as exc:
        ingest_acled(bad, out, progress=False)
    assert exc.value.problem.code == "external-api-error"
    res = CliRunner().invoke(main, ["ingest", "acled", str(bad), "-o", str(out)])
    assert res.exit_code == 1 and "[external-api-error]" in res.output and "\x1b" not in res.output
    for w in words:
        assert w in res.output
    assert not out.exists()


def test_a_good_api_answer_is_not_an_error(tmp_path: Path) -> None:
    res = ingest_acled(ACLED_JSON, tmp_path / "o.parquet", progress=False)
    assert res.total > 0


def test_an_api_answer_saved_as_csv_is_read_as_json(tmp_path: Path) -> None:
    saved = tmp_path / "acled.csv"
    saved.write_bytes(ACLED_JSON.read_bytes())
    assert ingest_acled(saved, tmp_path / "o.parquet", progress=False).total > 0
    saved.write_text(json.dumps({"status": 403, "success": False, "error": {"message": "Access denied"}}),
                     encoding="utf-8")
    res = CliRunner().invoke(main, ["ingest", "acled", str(saved), "-o", str(tmp_path / "p.parquet")])
    assert res.exit_code == 1 and "status 403" in res.output and "[external-api-error]" in res.output


@pytest.mark.parametrize("reader", ["acled", "ucdp"])
def test_an_html_page_is_named(tmp_path: Path, reader: str) -> None:
    page = tmp_path / "export.csv"
    page.write_text("\n<!DOCTYPE html>\n<html><head><title>Log in</title></head></html>\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["ingest", reader, str(page), "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 1 and "an HTML page" in res.output and "[file-encoding]" in res.output
    (tmp_path / "coded").mkdir()
    (tmp_path / "coded" / "records.csv").write_bytes(page.read_bytes())
    assert [p.code for p in load_paths([tmp_path / "coded"]).problems] == ["file-encoding"]
