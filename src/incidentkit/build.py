"""The build: coded records -> validated rows -> geocoded -> one Arrow table -> every output, atomically.

If any record is invalid nothing is written and the previous dataset stays as it was. All outputs are
staged as temporary files and renamed into place only when every one of them was written.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pyarrow as pa

from incidentkit.atomic import StagedFiles
from incidentkit.codebook import vocab
from incidentkit.dataset import INCIDENTS_FILE, build_metadata, finalize, rows_to_table, write_parquet
from incidentkit.errors import InvalidRecordsError, Problem, UsageError, problem
from incidentkit.records import discover, iter_records
from incidentkit.validate import ValidationReport, validate_records

DEFAULT_CODED = Path("datasets/coded")
DEFAULT_OUT = Path("datasets")
CHUNK_ROWS = 5_000


@dataclass
class BuildResult:
    """What a build produced: the table, the files written, and what validation and geocoding said."""

    table: pa.Table
    outputs: list[Path]
    report: ValidationReport
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
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
            "warnings": len(self.warnings),
            "outputs": [str(p) for p in self.outputs],
        }


def inputs_digest(files: Sequence[Path], base: Path) -> str:
    """SHA-256 over every coded file's relative path and bytes, in sorted order."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: _rel(p, base)):
        h.update(_rel(f, base).encode())
        h.update(b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def geocode_rows(rows: list[dict[str, Any]], geocoder: Any, progress: bool = False) -> list[Problem]:
    """Fill coordinates the coder left empty; keep the coder's; record provenance on every row.

    Works on validated rows in place (the build's, or a reliability comparison's) and returns the
    geocoding warnings. With ``geocoder=None`` only the provenance columns are set.
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
        # each distinct (place, country, admin1) is looked up once, however many incidents name it
        keys = sorted({(r["location"], r["country"], r.get("admin1") or "") for r in todo})
        found = geocoder.geocode_many([{"location": k[0], "country": k[1], "admin1": k[2]} for k in keys],
                                      progress=progress, name_key="location")
        by_key = dict(zip(keys, found))
        for row in todo:
            res = by_key[(row["location"], row["country"], row.get("admin1") or "")]
            where = dict(path=row["record_path"], line=row["record_line"], field="location",
                         value=row["location"], record_id=row["id"])
            if res.found:
                coder_precision = row.get("geo_precision")  # a coder's precision code wins over the geocoder's
                row.update(latitude=res.latitude, longitude=res.longitude, geo_source="geocoder",
                           geo_precision=coder_precision or res.geo_precision,
                           where_prec=vocab.geo_to_where_prec(coder_precision) if coder_precision else res.where_prec,
                           geo_matched_name=res.matched_name, geo_gazetteer=res.gazetteer,
                           geo_gazetteer_id=res.gazetteer_id, geo_score=float(res.score),
                           geo_ambiguous=bool(res.ambiguous))
                continue
            row["geo_source"] = "none"
            if res.ambiguous:
                alts = "; ".join(str(a) for a in res.alternatives[:4])
                problems.append(problem("geocode-ambiguous", f"{row['location']!r} fits several places: {alts}; "
                                        "add admin1 or code latitude/longitude; left without coordinates", **where))
            else:
                problems.append(problem("geocode-not-found", f"{row['location']!r} was not found "
                                        f"({res.reason}); the incident has no coordinates", **where))
    for row in rows:
        if row.get("latitude") is not None:
            row["priogrid_gid"] = vocab.priogrid_gid(row["latitude"], row["longitude"])
    return problems


def default_geocoder(gazetteer_dir: Path | None) -> Any:
    """The offline geocoder over the embedded gazetteer plus the project's gazetteer folder."""
    try:
        from incidentkit.geocode import Geocoder
    except ImportError:  # pragma: no cover - before geocoding existed
        return None
    return Geocoder(gazetteer_dir=gazetteer_dir if gazetteer_dir and gazetteer_dir.is_dir() else None)


def _export_writers() -> Callable[..., list[Path]] | None:
    try:
        from incidentkit.export import write_build_outputs
    except ImportError:  # pragma: no cover - before the exports existed
        return None
    return write_build_outputs


def build(coded: str | os.PathLike[str] = DEFAULT_CODED, out: str | os.PathLike[str] = DEFAULT_OUT, *,
          geocode: bool = True, geocoder: Any = None, gazetteer_dir: str | os.PathLike[str] | None = None,
          exports: bool = True, progress: bool = False) -> BuildResult:
    """Validate every record under ``coded``, geocode, and write the dataset and its exports to ``out``.

    Raises :class:`InvalidRecordsError` (with every problem) when any record is invalid; then nothing is
    written. Returns a :class:`BuildResult` holding the Arrow table.

    >>> import incidentkit
    >>> result = incidentkit.build("datasets/coded", "datasets")   # doctest: +SKIP
    >>> result.summary()["incidents"]                               # doctest: +SKIP
    4
    """
    coded, out = Path(coded), Path(out)
    if not coded.is_dir():
        raise UsageError(f"{coded}: no such folder of coded records")
    files, _ = discover([coded])
    if not files:
        raise UsageError(f"{coded}: holds no coded records (*.yaml, *.yml, *.csv)")
    gc = None
    if geocode:
        gdir = Path(gazetteer_dir) if gazetteer_dir is not None else out / "gazetteer"
        gc = geocoder or default_geocoder(gdir)
    chunks: list[pa.Table] = []
    pending: list[dict[str, Any]] = []
    geo_problems: list[Problem] = []

    def flush() -> None:
        if pending:
            geo_problems.extend(geocode_rows(pending, gc, progress))
            chunks.append(rows_to_table(pending))
            pending.clear()

    def take(rows: list[dict[str, Any]]) -> None:
        # rows become compact Arrow chunks as they come: memory stays flat however many files there are
        pending.extend(rows)
        if len(pending) >= CHUNK_ROWS:
            flush()

    from tqdm import tqdm

    shown = tqdm(files, desc="validating", unit="file", disable=not progress or len(files) < 50, leave=False)
    report = validate_records(iter_records(shown, coded), on_rows=take)
    report.files = len(files)
    if not report.ok:
        raise InvalidRecordsError(f"{len(report.errors)} problem(s) in the coded records; nothing was written",
                                  problems=report.errors)
    flush()
    problems = list(report.warnings) + geo_problems
    n_rows = sum(c.num_rows for c in chunks)
    n_sources = len(set().union(*(set(c.column("source_id").to_pylist()) for c in chunks))) if chunks else 0
    table = finalize(chunks, build_metadata(inputs_digest(files, coded), n_rows, n_sources))
    outputs: list[Path] = []
    with StagedFiles() as staged:
        target = out / INCIDENTS_FILE
        staged.write(target, lambda tmp: write_parquet(table, tmp))
        outputs.append(target)
        writers = _export_writers() if exports else None
        if writers is not None:
            outputs.extend(writers(table, out, staged))
    return BuildResult(table, outputs, report, problems)
