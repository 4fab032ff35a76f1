"""OS errors are messages (issue 11, point 6).

A full disk, a refused permission or an I/O error while a command writes is one line on stderr with the
code ``file-unwritable`` and exit status 1; the previous outputs stay byte for byte as they were and no
temporary file (``.NAME.*.tmp``), backup (``.NAME.*.previous``) or publish journal is left behind.

The faults are injected where the writes happen: every write of a file under the test's folder goes
through :class:`Faults`, which makes the Nth write fail with ``OSError(ENOSPC)`` (or ``EACCES``).
Writes are counted across Python's ``open`` (CSV, JSON, the journal), pyarrow's Parquet writers and
the creation of temporary files, and each test fails every one of them in turn. Two tests run the
installed command under a file-size limit (``RLIMIT_FSIZE``), so the operating system itself refuses
the write inside pyarrow's C++ code.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import incidentkit
from incidentkit.cli import main

from conftest import REPO, SEED

ACLED_CSV = REPO / "tests" / "data" / "acled" / "acled_2023_api.csv"
UCDP_CSV = REPO / "tests" / "data" / "reference" / "ucdp_ged_23_1_sample.csv"
RELIABILITY = REPO / "datasets" / "coded-reliability"
LEFTOVER = re.compile(r"^\..+\.(tmp|previous)$|^\.incidentkit-publish\.json")


class Faults:
    """Count the writes to files under ``root``; the ``fail_at``-th raises ``OSError(code)``.

    A write is: opening a file there for writing with Python's ``open`` and each ``write`` on it
    afterwards, a ``pyarrow.parquet.write_table`` call, a ``ParquetWriter.write_batch`` or ``.write_table``, and the
    creation of a temporary file (``tempfile.mkstemp``). Counting is thread-safe (exports are
    written by several threads).
    """

    def __init__(self, root: Path, fail_at: int | None = None, code: int = errno.ENOSPC) -> None:
        self.root = os.path.realpath(root)
        self.fail_at = fail_at
        self.code = code
        self.count = 0
        self.failed: list[str] = []
        self._lock = threading.Lock()

    def ours(self, path: Any) -> bool:
        try:
            return os.path.realpath(os.fspath(path)).startswith(self.root + os.sep)
        except TypeError:  # a file descriptor, a buffer
            return False

    def tick(self, what: str) -> None:
        with self._lock:
            self.count += 1
            hit = self.count == self.fail_at
            if hit:
                self.failed.append(what)
        if hit:
            raise OSError(self.code, os.strerror(self.code))

    def install(self, monkeypatch: pytest.MonkeyPatch) -> "Faults":
        real_open, real_write_table, real_mkstemp = builtins.open, pq.write_table, tempfile.mkstemp
        real_writer = pq.ParquetWriter
        faults = self

        def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if any(c in mode for c in "wax+") and faults.ours(file):
                faults.tick(f"open {file}")
                return _FailingFile(real_open(file, mode, *args, **kwargs), faults, str(file))
            return real_open(file, mode, *args, **kwargs)

        def fake_write_table(table: Any, where: Any, *args: Any, **kwargs: Any) -> None:
            if faults.ours(where):
                try:
                    faults.tick(f"write_table {where}")
                except OSError:
                    Path(where).write_bytes(b"PAR1 half a file")  # as a disk that filled up midway leaves it
                    raise
            real_write_table(table, where, *args, **kwargs)

        def fake_mkstemp(*args: Any, **kwargs: Any) -> Any:
            folder = kwargs.get("dir", args[2] if len(args) > 2 else None)
            if folder is not None and faults.ours(Path(folder) / "x"):
                faults.tick(f"mkstemp in {folder}")
            return real_mkstemp(*args, **kwargs)

        class FakeWriter(real_writer):  # type: ignore[misc, valid-type]
            def write_batch(self, *args: Any, **kwargs: Any) -> None:
                faults.tick("ParquetWriter.write_batch")
                super().write_batch(*args, **kwargs)

            def write_table(self, *args: Any, **kwargs: Any) -> None:
                faults.tick("ParquetWriter.write_table")
                super().write_table(*args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(io, "open", fake_open)
        monkeypatch.setattr(pq, "write_table", fake_write_table)
        monkeypatch.setattr(pq, "ParquetWriter", FakeWriter)
        monkeypatch.setattr(tempfile, "mkstemp", fake_mkstemp)
        return self


class _FailingFile:
    """A file whose writes are counted by :class:`Faults` (everything else goes to the real file)."""

    def __init__(self, real: Any, faults: Faults, name: str) -> None:
        self._real, self._faults, self._name = real, faults, name

    def write(self, data: Any) -> int:
        self._faults.tick(f"write {self._name}")
        return self._real.write(data)

    def __enter__(self) -> "_FailingFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._real)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*") if LEFTOVER.match(p.name))


def assert_one_line(result: Any, code: str = "file-unwritable") -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and lines[0].endswith(f"[{code}]"), lines[0]
    return lines[0]


def every_write_fails_in_turn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[Any],
                              folder: Path, *, code: int = errno.ENOSPC, reset: Callable[[], None] | None = None,
                              least: int = 1) -> int:
    """Run the command once per write it makes, the Nth write failing; each run must be one line, exit 1,
    ``folder`` exactly as before and no leftovers. Returns how many writes a run makes."""
    argv = [str(a) for a in args]
    with monkeypatch.context() as m:  # how many writes does a good run make? (into a copy)
        dry = tmp_path / "dry-run"
        shutil.copytree(tmp_path, dry, ignore=shutil.ignore_patterns("dry-run"), symlinks=True)
        counter = Faults(dry).install(m)
        result = CliRunner().invoke(main, [a.replace(str(tmp_path), str(dry)) for a in argv])
        assert result.exit_code == 0, result.output
        writes = counter.count
    shutil.rmtree(dry)
    assert writes >= least, writes
    for n in range(1, writes + 1):
        before = snapshot(folder)
        with monkeypatch.context() as m:
            faults = Faults(tmp_path, fail_at=n, code=code).install(m)
            result = CliRunner().invoke(main, argv)
        assert faults.failed, (n, writes)
        line = assert_one_line(result)
        assert os.strerror(code) in line, line
        assert snapshot(folder) == before, (n, faults.failed)
        assert leftovers(folder) == [], (n, faults.failed)
        if reset is not None:
            reset()
    return writes


# --- build ------------------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A coded folder and a dataset built from it; the record then changes, so a new build would differ."""
    coded = tmp_path / "coded"
    coded.mkdir()
    shutil.copy(SEED, coded)
    incidentkit.build(coded, tmp_path / "ds", geocode=False)
    record = coded / SEED.name
    record.write_text(record.read_text(encoding="utf-8").replace("IS militants", "IS fighters"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EIO])
def test_build_every_write_failing_leaves_the_old_dataset(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                          code: int) -> None:
    writes = every_write_fails_in_turn(project, monkeypatch, ["build", "--coded", project / "coded", "--out",
                                                             project / "ds", "--no-geocode"], project / "ds",
                                       code=code, least=10)
    assert writes >= 10  # eight outputs, the journal, the temporary files
    result = CliRunner().invoke(main, ["build", "--coded", str(project / "coded"), "--out", str(project / "ds"),
                                       "--no-geocode"])
    assert result.exit_code == 0 and "IS fighters" in (project / "ds" / "acled.csv").read_text(encoding="utf-8")


def test_a_journal_the_disk_refuses_publishes_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up while the publish journal is written (half of it is on disk): nothing was
    renamed yet, so the old set stands, and the half journal is removed."""
    from incidentkit.atomic import JOURNAL_NAME

    before = snapshot(project / "ds")
    real_open = builtins.open

    class HalfWritten:
        def __init__(self, real: Any) -> None:
            self.real = real

        def write(self, text: str) -> int:
            self.real.write(text[: len(text) // 2])
            self.real.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self) -> "HalfWritten":
            return self

        def __exit__(self, *exc: object) -> None:
            self.real.close()

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        real = real_open(file, mode, *args, **kwargs)
        return HalfWritten(real) if str(file).endswith(JOURNAL_NAME + ".tmp") else real

    monkeypatch.setattr(builtins, "open", fake_open)
    result = CliRunner().invoke(main, ["build", "--coded", str(project / "coded"), "--out", str(project / "ds"),
                                       "--no-geocode"])
    line = assert_one_line(result)
    assert line == (f"error: {project / 'ds'}: cannot write the publish journal: No space left on device "
                    "[file-unwritable]")
    assert snapshot(project / "ds") == before and leftovers(project / "ds") == []


def test_a_rename_failing_midway_with_no_room_for_the_rollback_journal(project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The third rename fails and the rolling-back journal cannot be written either: the renames are
    reversed under the publishing journal, and the old set stands, with nothing left over."""
    import incidentkit.atomic as atomic

    before = snapshot(project / "ds")
    real_replace, real_journal = os.replace, atomic._write_journal
    calls = {"replace": 0, "journal": 0}

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if str(dst).startswith(str(project / "ds")) and not str(dst).endswith(".tmp") and \
                not str(dst).endswith(".json"):
            calls["replace"] += 1
            if calls["replace"] == 3:
                raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        real_replace(src, dst, *args, **kwargs)

    def journal(path: Path, state: str, entries: list) -> None:
        calls["journal"] += 1
        if state == "rolling-back":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_journal(path, state, entries)

    monkeypatch.setattr(atomic.os, "replace", replace)
    monkeypatch.setattr(atomic, "_write_journal", journal)
    result = CliRunner().invoke(main, ["build", "--coded", str(project / "coded"), "--out", str(project / "ds"),
                                       "--no-geocode"])
    line = assert_one_line(result)
    assert "previous files were restored" in line and "Input/output error" in line
    assert calls["journal"] == 2
    assert snapshot(project / "ds") == before and leftovers(project / "ds") == []


def test_undo_keeps_either_journal_valid(tmp_path: Path) -> None:
    """Killed while undoing a failed publish, the publishing journal rolls forward to the new set and the
    rolling-back journal back to the old one: _undo passes only through states both describe."""
    import json

    import incidentkit.atomic as atomic

    for state, expect in (("publishing", "new"), ("rolling-back", "old")):
        folder = tmp_path / state
        folder.mkdir()
        entries = []
        for i, name in enumerate(["a.csv", "b.csv", "c.csv"]):
            (folder / name).write_text("old", encoding="utf-8")
            tmp = folder / f".{name}.999999.x.tmp"
            tmp.write_text("new", encoding="utf-8")
            entries.append({"tmp": str(tmp), "target": str(folder / name),
                            "backup": str(folder / f".{name}.999999.previous"), "existed": True})
        for e in entries:  # published in full
            os.replace(e["target"], e["backup"])
            os.replace(e["tmp"], e["target"])
        last = entries[-1]  # _undo, killed halfway through the last entry it reached first
        os.replace(last["target"], last["tmp"])
        (folder / atomic.JOURNAL_NAME).write_text(json.dumps({"journal": 1, "state": state, "pid": 999999,
                                                              "entries": entries}), encoding="utf-8")
        atomic.recover(folder)
        assert {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()} == \
            {"a.csv": expect, "b.csv": expect, "c.csv": expect}


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_build_into_a_read_only_folder(project: Path) -> None:
    ds = project / "ds"
    before = snapshot(ds)
    ds.chmod(0o555)
    try:
        result = CliRunner().invoke(main, ["build", "--coded", str(project / "coded"), "--out", str(ds),
                                           "--no-geocode"])
    finally:
        ds.chmod(0o755)
    assert "Permission denied" in assert_one_line(result)
    assert snapshot(ds) == before and leftovers(ds) == []


# --- ingest -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command,source", [("acled", ACLED_CSV), ("ucdp", UCDP_CSV)])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_ingest_every_write_failing_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       command: str, source: Path, code: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "events.parquet").write_bytes(b"the previous ingest")
    every_write_fails_in_turn(tmp_path, monkeypatch, ["ingest", command, source, "-o", out / "events.parquet",
                                                      "--no-progress"], out, code=code, least=2)


def test_an_input_that_cannot_be_read_is_named_as_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read error in the middle of an input is file-unreadable naming the input, not the output."""
    import incidentkit.external._stream as stream

    def broken(src: Any, bar: Any) -> Iterator[Any]:
        raise OSError(errno.EIO, os.strerror(errno.EIO))
        yield  # pragma: no cover

    monkeypatch.setattr(stream, "_batches", broken)
    (tmp_path / "events.parquet").write_bytes(b"old")
    result = CliRunner().invoke(main, ["ingest", "acled", str(ACLED_CSV), "-o", str(tmp_path / "events.parquet"),
                                       "--no-progress"])
    line = assert_one_line(result, "file-unreadable")
    assert str(ACLED_CSV) in line and "Input/output error" in line
    assert (tmp_path / "events.parquet").read_bytes() == b"old" and leftovers(tmp_path) == []


# --- exports ----------------------------------------------------------------------------------------------

EXPORTS = {
    "acled": lambda ds, out: ["export", "acled", "--dataset", ds, "-o", out],
    "ucdp": lambda ds, out: ["export", "ucdp", "--dataset", ds, "-o", out],
    "geoparquet": lambda ds, out: ["export", "geoparquet", "--dataset", ds, "-o", out / "incidents.geoparquet"],
    "datapackage": lambda ds, out: ["export", "datapackage", "--dataset", ds, "-o", out],
    "spreadsheet-xlsx": lambda ds, out: ["export", "spreadsheet", "--dataset", ds, "-o", out / "incidents.xlsx"],
    "spreadsheet-csv": lambda ds, out: ["export", "spreadsheet", "--dataset", ds, "-o", out / "incidents.csv"],
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_export_every_write_failing_keeps_the_old_files(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                        name: str) -> None:
    ds, out = project / "ds", project / "exports"
    CliRunner().invoke(main, [str(a) for a in EXPORTS[name](ds, out)], catch_exceptions=False)
    if name == "datapackage":  # it describes the files beside it: give it some
        shutil.copy(ds / "acled.csv", out / "acled.csv")
    incidentkit.build(project / "coded", ds, geocode=False)  # the dataset changed: the export would too
    every_write_fails_in_turn(project, monkeypatch, EXPORTS[name](ds, out), out)


def test_export_acled_is_one_set(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """acled.csv, acled.parquet and acled_ids.csv are published together: a failure in the last one
    written leaves the other two old, never a new acled.csv beside an old acled.parquet."""
    out = project / "exports"
    CliRunner().invoke(main, ["export", "acled", "--dataset", str(project / "ds"), "-o", str(out)])
    before = snapshot(out)
    incidentkit.build(project / "coded", project / "ds", geocode=False)
    def parquet_fails(table: Any, where: Any, *args: Any, **kwargs: Any) -> None:
        Path(where).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")

    monkeypatch.setattr(pq, "write_table", parquet_fails)  # the Parquet file fails, the two CSVs are written
    result = CliRunner().invoke(main, ["export", "acled", "--dataset", str(project / "ds"), "-o", str(out)])
    assert "acled.parquet: cannot write here: No space left on device" in assert_one_line(result)
    assert snapshot(out) == before and leftovers(out) == []


# --- link, agree, geocode ---------------------------------------------------------------------------------

def test_link_every_write_failing_keeps_the_old_links(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incidentkit.external import ingest_acled

    events = project / "events" / "acled.parquet"
    events.parent.mkdir()
    ingest_acled([ACLED_CSV], events)
    out = project / "links"
    out.mkdir()
    (out / "links.parquet").write_bytes(b"the previous links")
    every_write_fails_in_turn(project, monkeypatch, ["link", project / "ds", events, "-o", out / "links.parquet"],
                              out)


def test_agree_every_write_failing_keeps_the_old_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coders = tmp_path / "coders"
    shutil.copytree(RELIABILITY, coders)
    out = tmp_path / "review"
    out.mkdir()
    (out / "disagreements.csv").write_bytes(b"the previous list")
    every_write_fails_in_turn(tmp_path, monkeypatch, ["agree", coders / "ik", coders / "mh", "--no-geocode",
                                                      "--bootstrap", "0", "--disagreements",
                                                      out / "disagreements.csv"], out)


def test_geocode_every_write_failing_keeps_the_old_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    places = tmp_path / "places.csv"
    places.write_text("name,country\nal-Hasakah,SY\nQamishli,SY\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "geocoded.csv").write_bytes(b"the previous table")
    for code in (errno.ENOSPC, errno.EACCES):
        every_write_fails_in_turn(tmp_path, monkeypatch, ["geocode", places, "-o", out / "geocoded.csv",
                                                          "--no-progress"], out, code=code)


# --- the message itself, and what the operating system says ------------------------------------------------

def test_the_error_line_carries_the_code() -> None:
    from incidentkit.cli._common import error_line, os_error
    from incidentkit.errors import InputFileError, UsageError

    assert error_line(InputFileError("datasets/acled.csv: cannot write here: No space left on device",
                                     code="file-unwritable")) == \
        "error: datasets/acled.csv: cannot write here: No space left on device [file-unwritable]"
    assert error_line(UsageError("give two paths")) == "error: give two paths"
    assert error_line(InputFileError("x.csv:3: bad [csv-syntax]", code="csv-syntax")) == "error: x.csv:3: bad [csv-syntax]"
    full = os_error(OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device"))
    assert full.code == "file-unwritable" and full.message == "cannot write: No space left on device"
    other = os_error(FileNotFoundError(errno.ENOENT, "No such file or directory", "gone.csv"))
    assert other.code == "os-error" and other.message == "gone.csv: No such file or directory"


def test_an_oserror_that_escapes_is_still_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import incidentkit.cli.records as records_cli

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO), "datasets/coded/a.yaml")

    monkeypatch.setattr(records_cli, "validate", boom)
    result = CliRunner().invoke(main, ["validate", str(SEED)])
    assert "datasets/coded/a.yaml: Input/output error" in assert_one_line(result, "os-error")


def _limited(size: int) -> Callable[[], None]:
    def preexec() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), not the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return preexec


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("incidentkit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "incidentkit"]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_the_operating_system_refusing_inside_pyarrow(project: Path) -> None:
    """Under a file-size limit the kernel refuses pyarrow's own writes (EFBIG): still one line, the old
    dataset and exports whole, nothing left over."""
    ds, ex = project / "ds", project / "ex"
    subprocess.run([*_cli(), "export", "acled", "--dataset", str(ds), "-o", str(ex)], check=True,
                   capture_output=True)
    before = (snapshot(ds), snapshot(ex))
    runs = [["build", "--coded", str(project / "coded"), "--out", str(ds), "--no-geocode"],
            ["export", "acled", "--dataset", str(ds), "-o", str(ex)],
            ["ingest", "acled", str(ACLED_CSV), "-o", str(ex / "acled.parquet"), "--no-progress"]]
    for args in runs:
        done = subprocess.run([*_cli(), *args], preexec_fn=_limited(4096), capture_output=True, text=True,
                              cwd=project)
        assert done.returncode == 1, (args, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].endswith("File too large [file-unwritable]"), (args, done.stderr)
        assert (snapshot(ds), snapshot(ex)) == before and leftovers(ds) == leftovers(ex) == []


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_standard_output_on_a_full_disk() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([*_cli(), "validate", "--json", str(SEED)], stdout=full, stderr=subprocess.PIPE,
                              text=True)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == ["error: cannot write: No space left on device [file-unwritable]"]


def test_gazetteer_add_on_a_full_disk_keeps_the_old_gazetteer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "new" / "villages.csv"
    source.parent.mkdir()
    source.write_text("name,country,latitude,longitude\nTell Brak,SY,36.667,41.058\n", encoding="utf-8")
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    (gaz / "villages.csv").write_text("name,country,latitude,longitude\nAmuda,SY,37.104,40.93\n", encoding="utf-8")
    every_write_fails_in_turn(tmp_path, monkeypatch, ["gazetteer", "add", source, "--to", gaz], gaz)
