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
    (line,) = [ln for ln in checked.stdout.splitlines() if ln]
    assert "no coded records" in line and line.endswith("[no-records]")
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
