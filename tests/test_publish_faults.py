"""Fault injection on publishing: builds killed at every stage, concurrent builds, readers, plain scripts.

Each build that is meant to die runs in a subprocess with ``INCIDENTKIT_FAULT=<stage>``, which makes it
SIGKILL itself at that moment (:func:`incidentkit.atomic.fault_point`): what a power cut or the OOM killer
does. The folder must then hold the complete old dataset or the complete new one, with every file
matching ``datapackage.json``'s hashes, and the next command must clean up and say so.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import incidentkit
from incidentkit.atomic import JOURNAL_NAME, recover
from incidentkit.lock import OutputLockedError, output_lock

from conftest import dump_yaml

BUILD = textwrap.dedent("""
    import sys, incidentkit
    incidentkit.build(sys.argv[1], sys.argv[2], geocode=False, exports=True, workers=int(sys.argv[3]))
""")


def _run_build(coded: Path, out: Path, *, fault: str | None = None, workers: int = 1,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, **(env or {}))
    full.pop("INCIDENTKIT_FAULT", None)
    if fault:
        full["INCIDENTKIT_FAULT"] = fault
    return subprocess.run([sys.executable, "-c", BUILD, str(coded), str(out), str(workers)],
                          capture_output=True, text=True, env=full, timeout=300)


def _write_version(coded: Path, record: dict, best: int) -> None:
    doc = copy.deepcopy(record)
    doc["incidents"][0]["fatalities"] = {"low": 23, "best": best, "high": max(best, 63)}
    coded.mkdir(parents=True, exist_ok=True)
    (coded / "record.yaml").write_text(dump_yaml(doc), encoding="utf-8")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _consistent_best(out: Path) -> int:
    """The dataset's fatalities_best, after checking every published file against datapackage.json."""
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert _sha(out / resource["path"]) == resource["hash"].removeprefix("sha256:"), resource["path"]
    (best,) = pq.read_table(out / "incidents.parquet").column("fatalities_best").to_pylist()
    return best


def _hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


# the stages of publishing, in order; a kill before the journal is written keeps the old set
STAGES_OLD = ["parsing", "staged"]
STAGES_NEW = ["journal-written", "renamed-aside-0", "renamed-0", "renamed-aside-2", "renamed-2", "published"]


@pytest.mark.parametrize("stage", STAGES_OLD + STAGES_NEW)
def test_a_build_killed_at_any_stage_leaves_the_old_or_the_new_dataset(stage, base_record, tmp_path):
    coded, out = tmp_path / "coded", tmp_path / "out"
    _write_version(coded, base_record, best=60)
    assert _run_build(coded, out).returncode == 0
    _write_version(coded, base_record, best=61)

    killed = _run_build(coded, out, fault=stage)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    notes = recover(out)  # what the next command does first, under the folder's lock
    assert _hidden(out) == [], notes
    assert _consistent_best(out) == (60 if stage in STAGES_OLD else 61)
    if stage in STAGES_NEW[:-1]:
        assert any("completed an interrupted build" in n for n in notes)
    # and the next build publishes the new dataset as usual
    assert _run_build(coded, out).returncode == 0
    assert _consistent_best(out) == 61 and _hidden(out) == []


def test_the_next_build_says_what_it_recovered(base_record, tmp_path):
    coded, out = tmp_path / "coded", tmp_path / "out"
    _write_version(coded, base_record, best=60)
    assert _run_build(coded, out).returncode == 0
    _write_version(coded, base_record, best=61)
    assert _run_build(coded, out, fault="renamed-0").returncode == -signal.SIGKILL
    assert (out / JOURNAL_NAME).exists()  # a mix on disk, until the next command runs

    done = subprocess.run([sys.executable, "-m", "incidentkit", "build", "--no-geocode", "--coded", str(coded), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{out}: completed an interrupted build's publishing" in done.stderr
    assert _consistent_best(out) == 61 and _hidden(out) == []


def test_reading_the_dataset_completes_an_interrupted_publish_first(base_record, tmp_path):
    coded, out = tmp_path / "coded", tmp_path / "out"
    _write_version(coded, base_record, best=60)
    assert _run_build(coded, out).returncode == 0
    _write_version(coded, base_record, best=61)
    assert _run_build(coded, out, fault="renamed-2").returncode == -signal.SIGKILL

    table = incidentkit.read_table(out)  # never the new incidents.parquet beside old exports
    assert table.column("fatalities_best").to_pylist() == [61]
    assert not (out / JOURNAL_NAME).exists()
    assert _consistent_best(out) == 61


def _marked_processes(marker: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find the workers")
def test_no_worker_outlives_a_killed_build(base_record, tmp_path):
    coded, out = tmp_path / "coded", tmp_path / "out"
    for i in range(8):
        doc = copy.deepcopy(base_record)
        doc["source"]["id"] = f"src-{i}"
        doc["incidents"][0]["id"] = f"src-{i}-01"
        coded.mkdir(parents=True, exist_ok=True)
        (coded / f"r{i}.yaml").write_text(dump_yaml(doc), encoding="utf-8")
    marker = f"INCIDENTKIT_TEST_MARKER={uuid.uuid4().hex}"
    script = ("import importlib, incidentkit\n"
              "importlib.import_module('incidentkit.build').BATCH_FILES = 1\n" + BUILD)
    env = dict(os.environ, INCIDENTKIT_FAULT="parsing", INCIDENTKIT_TEST_MARKER=marker.split("=")[1])
    done = subprocess.run([sys.executable, "-c", script, str(coded), str(out), "2"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr
    deadline = time.monotonic() + 10
    while _marked_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _marked_processes(marker) == []
    assert not out.exists() or _hidden(out) == []


def test_a_second_build_waits_for_the_first_or_fails_at_once(base_record, tmp_path):
    coded, out = tmp_path / "coded", tmp_path / "out"
    _write_version(coded, base_record, best=60)
    with output_lock(out, say=None):  # another writer holds the folder
        with pytest.raises(OutputLockedError) as info:
            incidentkit.build(coded, out, geocode=False, exports=False, wait=False)
        assert info.value.code == "output-locked"
        cli = subprocess.run([sys.executable, "-m", "incidentkit", "build", "--no-geocode", "--no-wait",
                              "--coded", str(coded), "--out", str(out)], capture_output=True, text=True, timeout=300)
        assert cli.returncode == 1
        assert "another incidentkit process is writing this folder" in cli.stderr
        waiting = subprocess.Popen([sys.executable, "-m", "incidentkit", "build", "--no-geocode",
                                    "--coded", str(coded), "--out", str(out)], stderr=subprocess.PIPE, text=True)
        first_line = waiting.stderr.readline()  # blocks until the build says something (under any load)
        assert first_line.startswith(f"waiting for another incidentkit process writing {out} to finish")
        time.sleep(0.5)
        assert waiting.poll() is None and not (out / "incidents.parquet").exists()  # still waiting
    _, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert _consistent_best(out) == 60


def test_concurrent_builds_leave_a_dataset_that_agrees_with_its_package(base_record, tmp_path):
    out = tmp_path / "out"
    procs = []
    for best in (60, 61, 62):
        coded = tmp_path / f"coded-{best}"
        _write_version(coded, base_record, best=best)
        procs.append(subprocess.Popen([sys.executable, "-c", BUILD, str(coded), str(out), "1"],
                                      stderr=subprocess.PIPE, text=True))
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert _consistent_best(out) in (60, 61, 62)
    assert _hidden(out) == []


def test_a_reader_never_sees_a_publish_in_progress(base_record, tmp_path):
    coded, out = tmp_path / "coded", tmp_path / "out"
    _write_version(coded, base_record, best=60)
    incidentkit.build(coded, out, geocode=False, exports=False)
    got: list[int] = []
    with output_lock(out, say=None):
        reader = threading.Thread(target=lambda: got.extend(
            incidentkit.read_table(out).column("fatalities_best").to_pylist()))
        reader.start()
        time.sleep(1)
        assert reader.is_alive() and got == []  # the reader waits while a writer holds the folder
    reader.join(timeout=60)
    assert got == [60]


def test_build_from_a_plain_script_without_a_main_guard(base_record, tmp_path):
    coded, out = tmp_path / "coded", tmp_path / "out"
    for i in range(4):
        doc = copy.deepcopy(base_record)
        doc["source"]["id"] = f"src-{i}"
        doc["incidents"][0]["id"] = f"src-{i}-01"
        coded.mkdir(parents=True, exist_ok=True)
        (coded / f"r{i}.yaml").write_text(dump_yaml(doc), encoding="utf-8")
    script = tmp_path / "analysis.py"
    script.write_text(textwrap.dedent(f"""
        import importlib
        import incidentkit
        importlib.import_module("incidentkit.build").BATCH_FILES = 1   # four batches: real workers
        print("script body ran")
        result = incidentkit.build({str(coded)!r}, {str(out)!r}, geocode=False, exports=False, workers=2)
        print("incidents:", result.table.num_rows)
    """), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["script body ran", "incidents: 4"]
    assert "Traceback" not in done.stderr
