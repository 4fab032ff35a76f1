"""The build: coded records -> validated rows -> geocoded -> one Arrow table -> every output, atomically.

If any record is invalid nothing is written and the previous dataset stays as it was. All outputs are
staged as temporary files and renamed into place only when every one of them was written.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import pyarrow as pa

from incidentkit.atomic import StagedFiles, fault_point
from incidentkit.codebook import vocab
from incidentkit.dataset import INCIDENTS_FILE, build_metadata, column_array, finalize, rows_to_table, write_parquet
from incidentkit.errors import WARNING, InvalidRecordsError, Problem, UsageError, problem, quote
from incidentkit.hashing import sha256_file
from incidentkit.progress import progress as progress_bar
from incidentkit.records import discover, display_path, iter_records
from incidentkit.validate import Validation, ValidationReport

DEFAULT_CODED = Path("datasets/coded")
DEFAULT_OUT = Path("datasets")
CHUNK_ROWS = 5_000
BATCH_FILES = 250      # files per parsing task: large enough to amortise a task, small enough to balance
MAX_WORKERS = 4
NOTE_FROM_FILES = 2_000  # in a log, parsing fewer files takes a few seconds: no note


@dataclass
class BuildResult:
    """What a build produced: the table, the files written, and what validation and geocoding said."""

    table: pa.Table
    outputs: list[Path]
    report: ValidationReport
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        """Every problem that did not stop the build: warnings, and notes (files left out of the folder)."""
        return [p for p in self.problems if not p.is_error]

    def summary(self) -> dict[str, Any]:
        t = self.table
        events = Counter(t.column("event_type").to_pylist())
        geo = Counter(t.column("geo_source").to_pylist())
        return {
            "incidents": t.num_rows,
            "sources": len(set(t.column("source_id").to_pylist())),
            "files": self.report.files,
            "countries": sorted(set(t.column("country").to_pylist())),
            "fatalities_low": sum(t.column("fatalities_low").to_pylist()),
            "fatalities_best": sum(t.column("fatalities_best").to_pylist()),
            "fatalities_high": sum(t.column("fatalities_high").to_pylist()),
            "event_types": dict(sorted(events.items())),
            "coordinates": dict(sorted(geo.items())),
            "warnings": sum(p.severity == WARNING for p in self.problems),
            "outputs": [str(p) for p in self.outputs],
        }


def inputs_digest(files: Sequence[Path], base: Path) -> str:
    """SHA-256 over every coded file's relative path and bytes, in sorted order."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: _rel(p, base)):
        h.update(_rel(f, base).encode())
        h.update(b"\0")
        h.update(bytes.fromhex(sha256_file(f)))
    return h.hexdigest()


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def geocode_rows(rows: list[dict[str, Any]], geocoder: Any, progress: bool | None = False) -> list[Problem]:
    """Fill coordinates the coder left empty; keep the coder's; record provenance on every row.

    Works on validated rows in place (the build's, or a reliability comparison's) and returns the
    geocoding warnings. With ``geocoder=None`` only the provenance columns are set. A warning points at
    the line of the incident's ``location`` (``location_line``, set by validation), the value it is
    about, and falls back to the incident's first line.
    """
    problems: list[Problem] = []
    todo = []
    for row in rows:
        if row.get("latitude") is not None:
            row["geo_source"] = "coder"
            row["where_prec"] = vocab.geo_to_where_prec(row.get("geo_precision"))
            if row.get("geo_precision") is None:
                row["geo_precision"] = 1
                row["where_prec"] = 1
        elif geocoder is None:
            row["geo_source"] = "none"
        else:
            todo.append(row)
    if todo:
        # each distinct (place, country, admin1) is looked up once, however many incidents name it; a
        # geocoder that reads a report's places together (namesakes near its other places) sees each
        # (place, admin2, report) once
        import inspect

        ctx = "context_key" in inspect.signature(geocoder.geocode_many).parameters

        def key(r: dict[str, Any]) -> tuple[str, ...]:
            base = (r["location"], r["country"], r.get("admin1") or "")
            return base + ((r.get("admin2") or "", r.get("source_id") or "") if ctx else ())

        keys = sorted({key(r) for r in todo})
        names = ("location", "country", "admin1") + (("admin2", "source_id") if ctx else ())
        found = geocoder.geocode_many([dict(zip(names, k)) for k in keys], progress=progress, name_key="location",
                                      **({"context_key": "source_id"} if ctx else {}))
        by_key = dict(zip(keys, found))
        for row in todo:
            res = by_key[key(row)]
            where = dict(path=row["record_path"], line=row.get("location_line") or row["record_line"],
                         field="location", value=row["location"], record_id=row["id"])
            if res.found:
                coder_precision = row.get("geo_precision")  # a coder's precision code wins over the geocoder's
                fallback = getattr(res, "fallback", "")
                row.update(latitude=res.latitude, longitude=res.longitude,
                           geo_source="admin-fallback" if fallback else "geocoder",
                           geo_precision=coder_precision or res.geo_precision,
                           where_prec=vocab.geo_to_where_prec(coder_precision) if coder_precision else res.where_prec,
                           geo_matched_name=res.matched_name, geo_gazetteer=res.gazetteer,
                           geo_gazetteer_id=res.gazetteer_id, geo_score=float(res.score),
                           geo_ambiguous=bool(res.ambiguous))
                if fallback:
                    problems.append(problem("geocode-admin-fallback", f"{quote(row['location'])} is in no gazetteer: "
                                            f"placed at its {fallback} ({res.matched_name}) with geo_precision "
                                            f"{row['geo_precision']} ({res.reason}); code the point if the report "
                                            "says more", **where))
                continue
            row["geo_source"] = "none"
            if res.ambiguous:
                alts = "; ".join(str(a) for a in res.alternatives[:4])
                problems.append(problem("geocode-ambiguous", f"{quote(row['location'])} fits several places: {alts}; "
                                        "add admin1 or code latitude/longitude; left without coordinates", **where))
            else:
                problems.append(problem("geocode-not-found", f"{quote(row['location'])} was not found "
                                        f"({res.reason}); the incident has no coordinates", **where))
    for row in rows:
        if row.get("latitude") is not None:
            row["priogrid_gid"] = vocab.priogrid_gid(row["latitude"], row["longitude"])
    return problems


_GEO_INPUTS = ("id", "record_path", "record_line", "location", "country", "admin1", "admin2", "source_id",
               "latitude", "longitude", "geo_precision")
_GEO_OUTPUTS = ("latitude", "longitude", "geo_precision", "where_prec", "priogrid_gid", "geo_source",
                "geo_matched_name", "geo_gazetteer", "geo_gazetteer_id", "geo_score", "geo_ambiguous")


def geocode_table(table: pa.Table, geocoder: Any, progress: bool | None = False, *,
                  location_lines: Mapping[str, int] | None = None,
                  coded: Path | None = None) -> tuple[pa.Table, list[Problem]]:
    """:func:`geocode_rows` on a dataset table: only the place columns are read, the geo columns replaced.

    The table keeps each incident's first line and its file relative to the coded folder; problems
    name the file as validation does (``coded`` joined to it, :func:`~incidentkit.records.display_path`)
    and the line of ``location`` from ``location_lines`` (:attr:`Validation.location_lines`).
    """
    cols = [table.column(name).to_pylist() for name in _GEO_INPUTS]
    rows = [dict(zip(_GEO_INPUTS, values)) for values in zip(*cols)]
    shown: dict[str, str] = {}  # one display path per file, not per incident
    for row in rows:
        if location_lines:
            row["location_line"] = location_lines.get(row["id"])
        if coded is not None:
            rel = row["record_path"]
            row["record_path"] = shown.get(rel) or shown.setdefault(rel, display_path(coded / rel))
    problems = geocode_rows(rows, geocoder, progress)
    for name in _GEO_OUTPUTS:
        i = table.schema.get_field_index(name)
        fld = table.schema.field(i)
        table = table.set_column(i, fld, column_array(fld.type, name, [r.get(name) for r in rows]))
    return table, problems


def _read_batch(files: Sequence[Path], coded: Path, allow_empty: bool = False,
                actors_file: str | None = None) -> tuple[list[pa.Table], Validation]:
    """Load and validate a batch of files into Arrow chunks (in a worker process for large builds).

    Rows become compact Arrow tables as they come, so memory stays flat however many files there are.
    """
    chunks: list[pa.Table] = []
    pending: list[dict[str, Any]] = []
    state = Validation(allow_empty=allow_empty, actors_file=actors_file)

    def take(rows: list[dict[str, Any]]) -> None:
        pending.extend(rows)
        if len(pending) >= CHUNK_ROWS:
            chunks.append(rows_to_table(pending))
            pending.clear()

    for item in iter_records(files, coded, allow_empty=allow_empty):
        state.feed(item, take)
    if pending:
        chunks.append(rows_to_table(pending))
    return chunks, state


def _worker_count(workers: int | None, batches: int) -> int:
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            workers = os.cpu_count() or 1
    return max(1, min(workers, MAX_WORKERS, batches))


def _process_ended(pid: int) -> bool:
    """Whether process ``pid`` has ended: gone, or a zombie whose parent has not collected it yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # pragma: no cover - exists, not ours to signal
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):  # no /proc (not Linux): a live pid is a live process
        return False


def _die_with_parent(parent: int) -> None:
    """Worker initialiser: end this worker when the build that started it ends, however it ends.

    A SIGKILLed build cannot stop its workers, and nothing else does: a fork-server worker's parent is
    the fork server, which every worker keeps alive (each holds a copy of the server's liveness pipe),
    and the task queue never reaches end-of-file. So a daemon thread in each worker watches the build's
    process and ends the worker within half a second of the build's end.
    """
    import threading
    import time

    def watch() -> None:
        while not _process_ended(parent):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="incidentkit-watch-build", daemon=True).start()


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start workers without re-running the caller's script.

    Spawned and fork-server workers re-import ``__main__`` from its file, which runs a plain script
    (no ``if __name__ == "__main__":`` guard) again inside every worker: its own ``build()`` call then
    starts workers of its own. The parsing workers need nothing from ``__main__`` (their task is
    :func:`_read_batch`), so while they start ``__main__`` is replaced by an empty module.
    """
    import sys
    import types

    real = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if real is not None:
            sys.modules["__main__"] = real


def _ready(_: int) -> int:
    """A first task for each worker, so that all of them start while the caller's script is hidden."""
    return os.getpid()


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for parsing (libyaml and validation are CPU-bound, one file at a time).

    The forkserver start method gives each worker a clean interpreter: forking a process that already
    runs Arrow's thread pools is not safe. Every worker is started (and has answered) before any task
    is sent, with the caller's script hidden, and ends with the build (:func:`_die_with_parent`).
    """
    if workers <= 1:
        yield None
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_die_with_parent,
                             initargs=(os.getpid(),)) as executor:
        with _main_module_hidden():
            list(executor.map(_ready, range(workers)))
        yield executor


def project_actors_file(out: str | os.PathLike[str], actors_file: str | os.PathLike[str] | None = None
                        ) -> Path | None:
    """The project's actor list: ``actors_file`` when given (it must exist: a mistyped path would turn
    the project's own actors into "not in the actor list" warnings), else ``out/actors.csv`` when there
    is one (``datasets/actors.csv`` by default, where ``incidentkit actors add/import`` write)."""
    if actors_file is None:
        default = Path(out) / "actors.csv"
        return default if default.is_file() else None
    path = Path(actors_file)
    if not path.is_file():
        raise UsageError(f"{display_path(path)}: no such actor list (--actors)", code="usage")
    return path


def project_gazetteer_dir(out: str | os.PathLike[str], gazetteer_dir: str | os.PathLike[str] | None = None) -> Path:
    """The project's gazetteer folder: ``gazetteer_dir`` when given, else ``out/gazetteer``.

    The one rule for ``build`` (``--gazetteer-dir``, default ``OUT/gazetteer``) and ``agree`` (which has
    no output folder and passes :data:`DEFAULT_OUT`, so both read ``datasets/gazetteer`` by default).
    The default folder may be absent (then only the embedded gazetteer is used); a folder given
    explicitly must exist, since a mistyped path would silently leave the project's villages out and
    turn them into "not found" places: :class:`UsageError` then.
    """
    if gazetteer_dir is None:
        return Path(out) / "gazetteer"
    folder = Path(gazetteer_dir)
    if not folder.is_dir():
        raise UsageError(f"{display_path(folder)}: no such gazetteer folder (--gazetteer-dir)", code="usage")
    return folder


def default_geocoder(gazetteer_dir: Path | None) -> Any:
    """The offline geocoder over the embedded gazetteer plus the project's gazetteer folder."""
    try:
        from incidentkit.geocode import Geocoder
    except ImportError:  # pragma: no cover - before geocoding existed
        return None
    return Geocoder(gazetteer_dir=gazetteer_dir if gazetteer_dir and gazetteer_dir.is_dir() else None)


def output_paths(out: str | os.PathLike[str], exports: bool = True) -> list[Path]:
    """Every file a build writes into ``out``: incidents.parquet, and its exports unless ``exports=False``."""
    names: tuple[str, ...] = (INCIDENTS_FILE,)
    if exports:
        try:
            from incidentkit.export import BUILD_EXPORT_FILES
        except ImportError:  # pragma: no cover - before the exports existed
            BUILD_EXPORT_FILES = ()
        names += tuple(BUILD_EXPORT_FILES)
    return [Path(out) / name for name in names]


def _refuse_overwriting_inputs(out: str | os.PathLike[str], exports: bool, inputs: Iterable[Any]) -> None:
    """A build never writes over what it reads: the coded records, the project gazetteer
    (:func:`incidentkit.paths.refuse_overwriting_inputs`: usage error ``output-is-input``)."""
    from incidentkit.paths import refuse_overwriting_inputs

    refuse_overwriting_inputs(output_paths(out, exports), inputs)


def _export_writers() -> Callable[..., list[Path]] | None:
    try:
        from incidentkit.export import write_build_outputs
    except ImportError:  # pragma: no cover - before the exports existed
        return None
    return write_build_outputs


def build(coded: str | os.PathLike[str] = DEFAULT_CODED, out: str | os.PathLike[str] = DEFAULT_OUT, *,
          geocode: bool = True, geocoder: Any = None, gazetteer_dir: str | os.PathLike[str] | None = None,
          exports: bool = True, progress: bool | None = False, workers: int | None = None,
          wait: bool = True, allow_empty: bool = False,
          actors_file: str | os.PathLike[str] | None = None) -> BuildResult:
    """Validate every record under ``coded``, geocode, and write the dataset and its exports to ``out``.

    Actors are checked against the embedded vocabulary plus the project's actor list ``actors_file``
    (default ``out/actors.csv`` when it exists; :func:`project_actors_file`).

    Raises :class:`InvalidRecordsError` (with every problem) when any record is invalid; then nothing is
    written. Records holding no incident at all (an empty folder, header-only CSVs, ``incidents: []``)
    are refused the same way (``no-records``), so an empty build never replaces a dataset, unless
    ``allow_empty=True`` (``--allow-empty``): then empty outputs are written.
    Returns a :class:`BuildResult` holding the Arrow table. Large projects are parsed by
    ``workers`` processes (default: the CPUs available, at most 4); the result does not depend on it.

    ``progress``: False (the default in Python) is silent; None reports as the command line does (a
    bar on a terminal, one line per slow step in a log: :mod:`incidentkit.progress`); True draws bars.

    The build holds ``out``'s lock from start to finish (:func:`incidentkit.lock.output_lock`): a second
    build into the same folder waits for it (or, with ``wait=False``, raises at once), and a build
    killed earlier is completed or undone first. Outputs are published together through a journal
    (:class:`incidentkit.atomic.StagedFiles`): a kill at any moment leaves the old set or the new one.

    An output that is one of the inputs, or lies in the coded or gazetteer folder (where the next build
    would read it), raises :class:`UsageError` (``output-is-input``) before any work. An operating-system
    error while writing (a full disk, a permission) raises ``InputFileError`` (``file-unwritable``); the
    previous dataset then stands as it was.

    >>> import incidentkit
    >>> result = incidentkit.build("datasets/coded", "datasets")   # doctest: +SKIP
    >>> result.summary()["incidents"]                               # doctest: +SKIP
    4
    """
    from incidentkit.lock import output_lock

    if not Path(coded).is_dir():
        raise UsageError(f"{coded}: no such folder of coded records")
    gazetteers = (Path(gazetteer_dir) if gazetteer_dir is not None else Path(out) / "gazetteer") if geocode else None
    _refuse_overwriting_inputs(out, exports, [coded, gazetteers])
    if geocode and geocoder is None:
        project_gazetteer_dir(out, gazetteer_dir)  # a mistyped folder is a usage error before any work
    actors = project_actors_file(out, actors_file)
    if actors is not None:
        from incidentkit.actors import load_vocabulary

        load_vocabulary(actors)  # a bad actor list: one located error (exit 1) before any work
    with output_lock(out, wait=wait):
        return _build(coded, out, geocode=geocode, geocoder=geocoder, gazetteer_dir=gazetteer_dir,
                      exports=exports, progress=progress, workers=workers, allow_empty=allow_empty,
                      actors_file=str(actors) if actors is not None else None)


def _build(coded: str | os.PathLike[str], out: str | os.PathLike[str], *, geocode: bool, geocoder: Any,
           gazetteer_dir: str | os.PathLike[str] | None, exports: bool, progress: bool | None,
           workers: int | None, allow_empty: bool = False, actors_file: str | None = None) -> BuildResult:
    """:func:`build`'s work, with the output folder's lock held."""
    coded, out = Path(coded), Path(out)
    if not coded.is_dir():
        raise UsageError(f"{coded}: no such folder of coded records")
    files, found = discover([coded], allow_empty=allow_empty)
    if any(p.is_error for p in found):  # no records, a link leading outside or broken: as validate, before any work
        errors = [p for p in found if p.is_error]
        raise InvalidRecordsError(f"{len(errors)} problem(s) in the coded records; nothing was written",
                                  problems=[p for p in found if p.severity != WARNING])  # errors, notes
    if any(p.exists() for p in output_paths(out, exports)):  # a record reached through a link, say
        _refuse_overwriting_inputs(out, exports, files)
    batches = [files[i:i + BATCH_FILES] for i in range(0, len(files), BATCH_FILES)]
    state = Validation(problems=found, allow_empty=allow_empty, actors_file=actors_file)  # notes: files left out
    chunks: list[pa.Table] = []
    gc = None
    with _pool(_worker_count(workers, len(batches))) as executor, \
            progress_bar(desc="validating", total=len(files), unit="file", show=progress,
                         min_total=NOTE_FROM_FILES) as bar:
        if executor is None:
            parts: Iterable[tuple[list[pa.Table], Validation]] = (_read_batch(b, coded, allow_empty, actors_file)
                                                                  for b in batches)
        else:
            parts = executor.map(_read_batch, batches, itertools.repeat(coded), itertools.repeat(allow_empty),
                                 itertools.repeat(actors_file))
        if geocode:  # load the gazetteer index while the workers parse
            gc = geocoder or default_geocoder(project_gazetteer_dir(out, gazetteer_dir))
        for part_chunks, part_state in parts:
            state.merge(part_state)
            chunks.extend(part_chunks)
            bar.update(len(part_state.paths))
            fault_point("parsing")
    report = state.report(display_path(coded))
    report.files = len(files)
    if not report.ok:
        raise InvalidRecordsError(f"{len(report.errors)} problem(s) in the coded records; nothing was written",
                                  problems=[p for p in report.problems if p.severity != WARNING])  # errors, notes
    problems = [p for p in report.problems if not p.is_error]  # warnings and notes
    geocoded = []
    for chunk in chunks:
        chunk, geo_problems = geocode_table(chunk, gc, progress, location_lines=state.location_lines,
                                            coded=coded)
        geocoded.append(chunk)
        problems.extend(geo_problems)
    del gc, chunks  # the gazetteer index is the largest object here: release it before the exports run
    n_rows = sum(c.num_rows for c in geocoded)
    n_sources = len(set().union(*(set(c.column("source_id").to_pylist()) for c in geocoded))) if geocoded else 0
    table = finalize(geocoded, build_metadata(inputs_digest(files, coded), n_rows, n_sources))
    outputs: list[Path] = []
    with StagedFiles(out) as staged:
        target = out / INCIDENTS_FILE
        staged.write(target, lambda tmp: write_parquet(table, tmp))
        outputs.append(target)
        writers = _export_writers() if exports else None
        if writers is not None:
            outputs.extend(writers(table, out, staged))
    return BuildResult(table, outputs, report, problems)
