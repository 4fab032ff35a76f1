"""Nothing silent for more than two seconds: progress bars on a terminal, one-line notes otherwise.

The slow steps (geocoding many names, ingesting a large file; no longer a gazetteer index build) report
through :mod:`incidentkit.progress`. The end-to-end tests run the real command line in a subprocess with
a fresh, empty cache, so the index really has to be built: they wait only for the first report and then
stop the process (the build itself takes a minute).
"""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tqdm import tqdm

from incidentkit import progress as P
from incidentkit.cli import main
from incidentkit.external import _stream, ingest_acled

REPO = Path(__file__).resolve().parents[1]
ACLED_CSV = REPO / "tests" / "data" / "acled" / "acled_2023_api.csv"
INDEX_NOTE = "building the gazetteer index (first run"


class FakeTerminal(io.StringIO):
    """stderr as a terminal would look to the program (captures what is drawn)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _auto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from the default setting, whatever the suite or the caller's shell set."""
    monkeypatch.setenv(P.ENV_VAR, "auto")
    P.configure(None)
    yield
    P.configure(None)


def fake_terminal(monkeypatch: pytest.MonkeyPatch) -> FakeTerminal:
    """Replace stderr by a terminal, from inside the test (pytest re-installs its own capture between a
    fixture's setup and the test's call)."""
    fake = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", fake)
    return fake


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look like a Jupyter kernel: ipykernel loaded and an IPython shell with a kernel."""
    import IPython

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))


# -- choosing the form ------------------------------------------------------------------------------

def test_not_a_terminal_gives_notes(capsys: pytest.CaptureFixture[str]) -> None:
    assert P.mode() == "note"
    with P.progress(range(5), desc="geocoding", unit="name", note="geocoding 5 names...") as it:
        assert isinstance(it, tqdm) and it.disable  # the same object to iterate, drawing nothing
        assert list(it) == [0, 1, 2, 3, 4]
    assert capsys.readouterr().err == "geocoding 5 names...\n"


def test_a_terminal_gives_a_tqdm_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = fake_terminal(monkeypatch)
    assert P.mode() == "bar"
    with P.progress(range(3), desc="geocoding", unit="name", delay=0) as it:
        assert isinstance(it, tqdm) and not it.disable
        assert list(it) == [0, 1, 2]
    drawn = terminal.getvalue()
    assert drawn.startswith("\rgeocoding:   0%|") and "/3 [" in drawn and drawn.endswith("\r")  # drawn, then cleared


def test_a_quick_step_draws_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = fake_terminal(monkeypatch)
    assert list(P.progress(range(3), desc="geocoding")) == [0, 1, 2]
    assert terminal.getvalue() == ""  # the bar waits DELAY seconds before it appears


def test_small_steps_print_no_note(capsys: pytest.CaptureFixture[str]) -> None:
    assert list(P.progress(range(3), desc="geocoding", min_total=10)) == [0, 1, 2]
    assert capsys.readouterr().err == ""


def test_show_false_and_off_are_silent(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    list(P.progress(range(3), desc="a", show=False))
    P.note("b", show=False)
    monkeypatch.setenv(P.ENV_VAR, "off")
    list(P.progress(range(3), desc="c"))
    P.note("d")
    assert capsys.readouterr().err == ""
    assert P.mode(show=True) == "bar"  # asked for by the caller: drawn even when off by default


def test_setting_forces_the_form(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = fake_terminal(monkeypatch)
    monkeypatch.setenv(P.ENV_VAR, "note")
    assert P.mode() == "note"
    P.configure("off")  # configure() wins over the environment
    assert P.mode() == "off" and P.mode(show=True) == "bar"
    P.configure("bar")
    assert P.mode() == "bar"
    with pytest.raises(ValueError, match="auto, bar, note, off"):
        P.configure("loud")  # type: ignore[arg-type]


def test_a_notebook_is_quiet_unless_asked(notebook: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert P.in_notebook()
    assert P.mode() == "off" and P.mode(show=True) == "bar"
    list(P.progress(range(3), desc="geocoding", min_total=0))
    P.note("building")
    assert capsys.readouterr().err == ""
    P.configure("note")
    P.note("building")
    assert capsys.readouterr().err == "building\n"


def test_a_step_without_units_shows_its_elapsed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = fake_terminal(monkeypatch)
    monkeypatch.setattr(P, "TICK_SECONDS", 0.05)
    monkeypatch.setattr(P, "DELAY", 0.0)
    with P.step("parsing a large file"):
        time.sleep(0.3)  # no updates: the ticker redraws
    drawn = terminal.getvalue()
    assert drawn.count("\rparsing a large file [00:00]") >= 2 and drawn.endswith("\r")  # cleared at the end


def test_a_step_in_a_log_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with P.step("parsing a large file"):
        pass
    assert capsys.readouterr().err == "parsing a large file...\n"


def test_size_text() -> None:
    assert P.size_text(1_159_000_000) == "1.16 GB" and P.size_text(512) == "512 B"


# -- the slow steps -----------------------------------------------------------------------------------

def test_geocode_many_notes_large_tables_and_answers_the_same(capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import incidentkit.geocode as geocode

    gc = geocode.Geocoder(gazetteer_dir=REPO / "datasets" / "gazetteer")
    rows = [{"name": "al-Hasakah", "country": "SY"}, {"name": "Kirkuk", "country": "IQ"}]
    gc.index  # the cached index (built by another test or run): its own note is not this test's subject
    capsys.readouterr()
    quiet = gc.geocode_many(rows)  # two names are quick: no note
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(geocode, "NOTE_NAMES", 2)
    noted = gc.geocode_many(rows)
    assert capsys.readouterr().err == "geocoding 2 names...\n"
    assert gc.geocode_many(rows, progress=False) == noted == quiet
    assert capsys.readouterr().err == ""


def test_ingest_notes_large_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_acled(ACLED_CSV, tmp_path / "small.parquet")
    assert capsys.readouterr().err == ""  # a small file: quick, nothing to say
    monkeypatch.setattr(_stream, "NOTE_BYTES", 100)
    ingest_acled(ACLED_CSV, tmp_path / "a.parquet")
    err = capsys.readouterr().err
    assert err.startswith("ingesting ACLED (") and err.endswith("B)...\n") and err.count("\n") == 1
    ingest_acled(ACLED_CSV, tmp_path / "b.parquet", progress=False)
    assert capsys.readouterr().err == ""


def test_ingest_command_with_progress_draws_the_bar_in_a_log_too(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["ingest", "acled", str(ACLED_CSV), "-o", str(tmp_path / "a.parquet"),
                                    "--progress"])
    assert res.exit_code == 0, res.output
    assert "ACLED: 100%|" in res.stderr and "..." not in res.stderr  # --progress asks for the bar


# -- the gazetteer index, through the real command line ----------------------------------------------

def _first_report(args: list[str], cwd: Path, cache: Path, *, stderr: Any = subprocess.PIPE,
                  read_fd: int | None = None, wait_for: str, timeout: float = 120.0) -> str:
    """Start ``python -m incidentkit ARGS`` with an empty cache; return stderr up to ``wait_for``
    (or all of it when the process ends first), then stop the process: the build would take a minute."""
    env = dict(os.environ, INCIDENTKIT_CACHE_DIR=str(cache), **{P.ENV_VAR: "auto"})
    proc = subprocess.Popen([sys.executable, "-m", "incidentkit", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=stderr)
    fd = proc.stderr.fileno() if read_fd is None else read_fd  # type: ignore[union-attr]
    seen = b""
    deadline = time.monotonic() + timeout
    try:
        while wait_for.encode() not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the terminal closed: the process ended
                    break
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
    finally:
        proc.kill()
        proc.wait()
    return seen.decode("utf-8", "replace")


needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="select() on pipes and pty are POSIX")


@needs_posix
def test_geocode_command_first_run_builds_no_index(tmp_path: Path) -> None:
    # The gazetteer is embedded as per-country shards, opened in milliseconds: an empty cache has no
    # minute-long index build left to announce (the project's gazetteers compile into small shards at once).
    places = tmp_path / "places.csv"
    places.write_text("name,country\nal-Hasakah,SY\n", encoding="utf-8")
    err = _first_report(["geocode", str(places), "-o", str(tmp_path / "out.csv")], REPO, tmp_path / "cache",
                        wait_for="...\n")
    assert INDEX_NOTE not in err and (tmp_path / "out.csv").exists()


@needs_posix
def test_build_command_first_run_builds_no_index(tmp_path: Path, write_record: Any, base_record: dict) -> None:
    for key in ("latitude", "longitude"):
        del base_record["incidents"][0][key]  # left to the geocoder
    write_record(base_record)
    err = _first_report(["build", "--coded", str(tmp_path / "coded"), "--out", str(tmp_path / "out")], REPO,
                        tmp_path / "cache", wait_for="cached afterwards)...\n")
    assert INDEX_NOTE not in err  # per-country shards: no index build on a first run (see above)


@needs_posix
def test_on_a_terminal_a_first_run_draws_no_index_bar(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    main_fd, term_fd = pty.openpty()
    fcntl.ioctl(term_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a width
    try:
        drawn = _first_report(["gazetteer", "info", "--gazetteer-dir", str(REPO / "datasets" / "gazetteer")],
                              REPO, tmp_path / "cache", stderr=term_fd, read_fd=main_fd, wait_for="/234")
    finally:
        os.close(term_fd)
        os.close(main_fd)
    assert "building the gazetteer index" not in drawn  # per-country shards: nothing to build (see above)



def test_linking_a_large_external_file_says_so_in_a_log(monkeypatch, capsys, tmp_path):
    """Linking against many external events prints one line in a log; a small link prints nothing."""
    import incidentkit.linking as linking
    from incidentkit.external import read_events
    from incidentkit.external.synthetic import perturb, write_acled_csv

    write_acled_csv(tmp_path / "acled.csv", 400, seed=3, days=60)
    ingest_acled(tmp_path / "acled.csv", tmp_path / "acled.parquet", progress=False)
    ours, theirs, _ = perturb(read_events(tmp_path / "acled.parquet"), seed=3)
    P.configure("note")
    try:
        linking.link(ours, theirs)
        assert capsys.readouterr().err == ""
        monkeypatch.setattr(linking, "NOTE_FROM_EVENTS", 100)
        linking.link(ours, theirs)
        err = capsys.readouterr().err
    finally:
        P.configure(None)
    assert err.startswith("linking ") and f"{len(theirs):,} external event(s)..." in err
    assert err.count("\n") == 1


def test_a_large_build_says_it_is_validating_in_a_log(monkeypatch, capsys, tmp_path):
    """`incidentkit build` in a log (progress=None, the command line's setting) names the parsing step
    once when there are many files; the Python API's default stays silent."""
    import importlib
    import shutil

    import incidentkit

    build_module = importlib.import_module("incidentkit.build")
    coded = tmp_path / "coded"
    shutil.copytree(REPO / "datasets" / "coded", coded)
    monkeypatch.setattr(build_module, "NOTE_FROM_FILES", 1)
    P.configure("note")
    try:
        incidentkit.build(coded, tmp_path / "quiet", geocode=False, exports=False)
        assert capsys.readouterr().err == ""
        incidentkit.build(coded, tmp_path / "out", geocode=False, exports=False, progress=None)
        err = capsys.readouterr().err
    finally:
        P.configure(None)
    assert err.splitlines() == ["validating: 1 file..."]
