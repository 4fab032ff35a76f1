"""`incidentkit validate` and `incidentkit build` from the command line: output format and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidentkit.cli import main

from conftest import SEED

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?:warning: )?(?P<field>[\w.]+): (?P<msg>.+) \[(?P<code>[a-z0-9-]+)\]$")


def run(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_valid_seed_exits_zero():
    result = run("validate", str(SEED))
    assert result.exit_code == 0, result.output
    assert "4 valid incident(s), 0 error(s)" in result.stderr


def test_problem_lines_and_exit_one(write_record, base_record):
    base_record["incidents"][0]["sub_event_type"] = "Armed clsh"
    path = write_record(base_record)
    result = run("validate", str(path))
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if ln]
    m = LINE.match(lines[0])
    assert m, lines[0]
    assert m["path"] == str(path) and m["field"] == "sub_event_type" and m["code"] == "not-in-vocabulary"
    assert "did you mean 'Armed clash'" in m["msg"]


def test_json_output(write_record, base_record):
    base_record["incidents"][0]["fatalities"] = {"low": 4, "best": 2}
    path = write_record(base_record)
    result = run("validate", "--json", str(path))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    (p,) = data["problems"]
    assert p["code"] == "fatalities-order" and p["field"] == "fatalities" and p["line"] > 1
    assert p["value"] == {"low": 4, "best": 2}


def test_usage_error_exits_two():
    assert run("validate").exit_code == 2
    assert run("validate", "--no-such-flag", str(SEED)).exit_code == 2


def test_missing_path_is_a_usage_error_not_a_traceback(tmp_path):
    result = run("validate", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"Path '{tmp_path / 'missing.yaml'}' does not exist" in result.stderr


@pytest.mark.parametrize("content", [
    b"", b"\x00\x01\x02\xff\xfe", "title: caf\xe9".encode("latin-1"),
    b"!!python/object/apply:os.system ['touch /tmp/incidentkit-pwned']\n",
    b"source: {id: a}\nsource: {id: b}\n", b"{{{{", b"- 1\n- 2\n",
])
def test_garbage_never_tracebacks(tmp_path, content):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "incidentkit", "validate", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert LINE.match(proc.stdout.splitlines()[0]) or proc.stdout.startswith(str(path))
    assert not Path("/tmp/incidentkit-pwned").exists()


def test_duplicate_ids_across_files_exit_one(write_record, base_record, tmp_path):
    write_record(base_record, "a.yaml")
    base_record["source"]["id"] = "another"
    write_record(base_record, "b.yaml")
    result = run("validate", str(tmp_path / "coded"))
    assert result.exit_code == 1 and "[duplicate-id]" in result.stdout


def test_build_with_explicit_folders_and_summary(write_record, base_record, tmp_path):
    write_record(base_record)
    result = run("build", "--coded", str(tmp_path / "coded"), "--out", str(tmp_path / "ds"), "--no-geocode",
                 "--no-exports")
    assert result.exit_code == 0, result.output
    assert "Built 1 incidents from 1 source report(s)" in result.stdout
    assert (tmp_path / "ds" / "incidents.parquet").exists()


def test_build_on_invalid_records_prints_problems_and_exits_one(write_record, base_record, tmp_path):
    base_record["incidents"][0]["date_start"] = "2022-13-01"
    write_record(base_record)
    result = run("build", "--coded", str(tmp_path / "coded"), "--out", str(tmp_path / "ds"))
    assert result.exit_code == 1
    assert "[bad-date]" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "ds" / "incidents.parquet").exists()


@pytest.mark.parametrize("make", ["empty folder", "folder without records", "csv with only its header"])
def test_validate_and_build_refuse_no_records_alike(tmp_path, make):
    coded = tmp_path / "coded"
    coded.mkdir()
    if make == "folder without records":
        (coded / "notes.txt").write_text("to code next week\n", encoding="utf-8")
    elif make == "csv with only its header":
        (coded / "incidents.csv").write_text("source_id,id,date_start,location\n", encoding="utf-8")
    checked = run("validate", str(coded))
    built = run("build", "--coded", str(coded), "--out", str(tmp_path / "ds"), "--no-geocode")
    agreed = run("agree", str(coded), str(SEED), "--no-geocode", "--bootstrap", "0")
    assert checked.exit_code == built.exit_code == agreed.exit_code == 1
    (line,) = [ln for ln in checked.stdout.splitlines() if ln and "[file-skipped]" not in ln]
    assert "no coded records" in line and line.endswith("[no-records]")
    if make == "folder without records":  # the file left out is named, by validate and build alike
        note = (f"{coded.as_posix()}/notes.txt: note: left out: not a record file (records are *.yaml, *.yml or "
                "*.csv) [file-skipped]")
        assert note in checked.stdout.splitlines() and note in built.stderr.splitlines()
    assert line in built.stderr.splitlines() and line in agreed.stderr.splitlines()  # the same words
    assert not (tmp_path / "ds" / "incidents.parquet").exists()


def test_validate_build_and_agree_write_paths_alike(tmp_path, monkeypatch):
    """One bad value in a copy of the seed record: validate, build and agree print the same
    path:line (the path as the user typed it, relative to where the command runs)."""
    text = SEED.read_text(encoding="utf-8")
    for coder in ("ik", "mh"):
        folder = tmp_path / "coded" / coder
        folder.mkdir(parents=True)
        body = text.replace("coder: ik", f"coder: {coder}")
        if coder == "mh":
            body = body.replace("time_precision: 1\n    event_type: Battles", "time_precision: 9\n    event_type: Battles")
        (folder / SEED.name).write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    bad = f"coded/mh/{SEED.name}"
    checked = run("validate", "coded/mh")
    built = run("build", "--coded", "coded/mh", "--out", "ds", "--no-geocode")
    agreed = run("agree", "coded/ik", "coded/mh", "--no-geocode", "--bootstrap", "0")
    assert checked.exit_code == built.exit_code == agreed.exit_code == 1
    (line,) = [ln for ln in checked.stdout.splitlines() if ln.endswith("[out-of-range]")]
    assert line.startswith(f"{bad}:") and LINE.match(line)
    assert line in built.stderr.splitlines() and line in agreed.stderr.splitlines()


# ---- an empty build never replaces a dataset (issue 11, point 2) -----------------------------------

_EMPTY_RECORD = """source:
  id: rep-2022-01-21
  outlet: SVT
  title: Read, nothing to code
  published: 2022-01-22
  language: sv
coder: ab
coded_on: 2026-11-24
incidents: []
"""


def _empty_route(coded: Path, route: str) -> None:
    coded.mkdir(parents=True)
    if route in ("header-only csv", "a mix of empty files"):
        (coded / "incidents.csv").write_text("source_id,id,date_start,location\n", encoding="utf-8")
    if route in ("incidents: []", "a mix of empty files"):
        (coded / "rep.yaml").write_text(_EMPTY_RECORD, encoding="utf-8")
    if route == "a mix of empty files":
        (coded / "more.csv").write_text("source_id,id\n\n,\n", encoding="utf-8")  # header and empty rows
        (coded / "README.md").write_text("nothing here yet\n", encoding="utf-8")
        (coded / "2023").mkdir()


EMPTY_ROUTES = ["empty folder", "header-only csv", "incidents: []", "a mix of empty files"]


@pytest.mark.parametrize("route", EMPTY_ROUTES)
def test_no_incidents_is_refused_and_the_old_dataset_stays(tmp_path, route):
    coded, out = tmp_path / "coded", tmp_path / "ds"
    _empty_route(coded, route)
    run("build", "--coded", str(SEED.parent), "--out", str(out), "--no-geocode")  # the previous dataset
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert "incidents.parquet" in before
    checked = run("validate", str(coded))
    built = run("build", "--coded", str(coded), "--out", str(out), "--no-geocode")
    assert checked.exit_code == built.exit_code == 1
    assert "nothing was written" in built.stderr and "--allow-empty" in checked.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("route", EMPTY_ROUTES)
def test_allow_empty_writes_an_empty_dataset(tmp_path, route):
    import incidentkit

    coded, out = tmp_path / "coded", tmp_path / "ds"
    _empty_route(coded, route)
    checked = run("validate", "--allow-empty", str(coded))
    assert checked.exit_code == 0, checked.output
    built = run("build", "--coded", str(coded), "--out", str(out), "--no-geocode", "--allow-empty")
    assert built.exit_code == 0, built.output
    assert "Built 0 incidents" in built.stdout
    assert incidentkit.read_table(out / "incidents.parquet").num_rows == 0
    # the Python API: the same rule, the same switch
    assert incidentkit.validate(coded, allow_empty=True).ok and not incidentkit.validate(coded).ok
    with pytest.raises(incidentkit.InvalidRecordsError) as exc:
        incidentkit.build(coded, tmp_path / "ds2", geocode=False)
    assert {p.code for p in exc.value.problems} & {"no-records", "required-missing"}
    assert not (tmp_path / "ds2" / "incidents.parquet").exists()
    assert incidentkit.build(coded, tmp_path / "ds2", geocode=False, allow_empty=True).table.num_rows == 0


def test_a_run_of_no_incidents_is_no_records_whatever_the_route():
    """The last guard (Validation.report): valid records holding no incident at all, however they got there."""
    from incidentkit.validate import validate_records

    report = validate_records([], where="coded")
    assert [(p.code, p.path) for p in report.errors] == [("no-records", "coded")]
    assert validate_records([], allow_empty=True).ok


def test_allow_empty_still_refuses_bad_records(tmp_path, base_record, write_record):
    base_record["incidents"][0]["date_start"] = "2022-13-01"
    write_record(base_record)
    (tmp_path / "coded" / "empty.yaml").write_text(_EMPTY_RECORD.replace("rep-2022", "rep-2023"), encoding="utf-8")
    res = run("validate", "--allow-empty", str(tmp_path / "coded"))
    assert res.exit_code == 1 and "[bad-date]" in res.stdout and "required-missing" not in res.stdout
