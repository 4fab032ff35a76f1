"""Loaders for coded records: one YAML file per source report, or a CSV with one row per incident.

Both produce :class:`RawRecord` objects holding the values exactly as written plus the line of each,
so the validator can name file, line and field for every problem. Nothing here judges the values.
"""

from __future__ import annotations

import csv
import errno
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from incidentkit.codebook.fields import EVIDENCE_KEYS, INCIDENT_FIELDS, RECORD_FIELDS, SOURCE_FIELDS, Kind
from incidentkit.errors import Problem, problem, quote
from incidentkit.records.located import LocatedDict, LocatedList
from incidentkit.records.sniff import RECORD_CELL_LIMIT, csv_field_limit, delimiter_message, guess_delimiter, what_file
from incidentkit.records.yamlload import YamlLoadError, load_yaml_text

YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIXES = (".csv",)
LIST_SEPARATOR = ";"


@dataclass
class RawRecord:
    """One source report's coding as written: the source, the coder, and its incidents.

    ``path`` is the file as messages name it (:func:`display_path`: as the user gave it); ``rel`` is
    the file as the dataset stores it in ``record_path`` (relative to the coded folder, so a dataset
    does not depend on where it was built). Without a base folder both are the same.
    """

    path: str
    document: LocatedDict
    incidents: list[LocatedDict] = field(default_factory=list)
    fmt: str = "yaml"
    rel: str = ""

    def __post_init__(self) -> None:
        if not self.rel:
            self.rel = self.path

    @property
    def source(self) -> LocatedDict:
        src = self.document.get("source")
        return src if isinstance(src, LocatedDict) else LocatedDict(self.document.line)


@dataclass
class LoadResult:
    records: list[RawRecord]
    problems: list[Problem]


def display_path(path: str | os.PathLike[str]) -> str:
    """How every message writes a path: as the user gave it, with '/' separators.

    ``validate``, ``build`` and ``agree`` name files the same way, so a path copied from any of them
    opens from the folder the command was run in (relative stays relative, absolute stays absolute).
    Files found in a folder keep the folder's spelling: ``datasets/coded`` gives
    ``datasets/coded/svt-2022-01-21-hasakah.yaml``.
    """
    return Path(path).as_posix()


def no_records(path: str | os.PathLike[str], why: str, line: int | None = None) -> Problem:
    """The one "no coded records" error, for an empty folder, a folder without record files, or a CSV
    holding only its header: a dataset of nothing is a mistake (a wrong folder, an unsaved file), not
    a valid empty result, and ``validate``, ``build`` and ``agree`` say so alike (exit status 1)."""
    return problem("no-records", f"no coded records: {why}", path=display_path(path), line=line)


#: Names that editors and office programs leave next to the files they edit.
BACKUP_SUFFIXES = (".bak", ".orig", ".swp", ".swo", ".tmp", ".rej", ".old")


def skip_reason(name: str) -> str | None:
    """Why a file of this name in a coded folder is not a record, or None when it is one (by its name)."""
    if name.startswith("."):
        return "hidden (its name starts with '.')"
    low = name.lower()
    if low.endswith("~") or (low.startswith("#") and low.endswith("#")) or low.startswith("~$") \
            or low.endswith(BACKUP_SUFFIXES):
        return "an editor backup or temporary file"
    if Path(low).suffix not in YAML_SUFFIXES + CSV_SUFFIXES:
        return "not a record file (records are *.yaml, *.yml or *.csv)"
    return None


def discover(paths: Iterable[str | os.PathLike[str]], *,
             allow_empty: bool = False) -> tuple[list[Path], list[Problem]]:
    """Every coded file under the given files and folders, sorted so builds are deterministic.

    One rule for ``validate``, ``build`` and ``agree`` (docs/reference/validation.md, "What is read"):

    * every ``*.yaml``, ``*.yml`` and ``*.csv`` file under a folder is read, once;
    * every other entry is left out with a ``file-skipped`` note naming it and why: other suffixes,
      hidden files and folders (a hidden folder is named once, not searched), editor backups
      (``x.yaml~``, ``#x.yaml#``, ``x.yaml.bak``), anything that is not a regular file;
    * symbolic links are never followed. A link whose target lies inside the coded folder is left out
      with a note (the target is read where it is, so nothing is read twice and no loop is possible);
      a link leading outside it is a ``symlink-outside`` error and a broken link or a loop of links a
      ``symlink-broken`` error, both naming the link: a coded folder must not pull in files from
      elsewhere, nor silently miss one;
    * a folder holding no record file is a ``no-records`` error, unless ``allow_empty``.

    A path given as a file is read as given, whatever its name. The folder given may itself be a link.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            before = len(found)
            _walk(p, os.path.realpath(p), found, problems)
            if len(found) == before and not allow_empty:
                inside = display_path(p).rstrip("/") + "/"
                left = sum(1 for q in problems if q.code == "file-skipped" and q.path.startswith(inside))
                why = "the folder holds no *.yaml, *.yml or *.csv file"
                why += f" ({left} entries left out: see the notes)" if left else ""
                problems.append(no_records(p, why + "; --allow-empty accepts it"))
        elif p.is_file():
            found.append(p)
        else:
            problems.append(problem("file-unreadable", "no such file or folder", path=display_path(p)))
    return found, problems


def _walk(folder: Path, root: str, found: list[Path], problems: list[Problem]) -> None:
    """Collect record files under ``folder`` (sorted by name, depth first) following :func:`discover`'s rule."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        problems.append(problem("file-unreadable", f"cannot list the folder: {exc.strerror or exc}",
                                path=display_path(folder)))
        return
    for entry in entries:
        sub = folder / entry.name
        shown = display_path(sub)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=False)
        except OSError:  # pragma: no cover - vanished while listed
            is_dir = is_file = False
        if entry.name.startswith("."):  # hidden, links too (an editor's lock file .#x.yaml is a broken link)
            what = "hidden folder (its name starts with '.'), not searched" if is_dir else skip_reason(entry.name)
            problems.append(problem("file-skipped", f"left out: {what}", path=shown))
            continue
        if entry.is_symlink():
            _link(sub, root, problems)
            continue
        if is_dir:
            _walk(sub, root, found, problems)
            continue
        why = skip_reason(entry.name)
        if why is None and not is_file:
            why = "not a regular file"
        if why is not None:
            problems.append(problem("file-skipped", f"left out: {why}", path=shown))
            continue
        found.append(sub)


def _link(link: Path, root: str, problems: list[Problem]) -> None:
    shown = display_path(link)
    try:
        target = os.readlink(link)
    except OSError:  # pragma: no cover - vanished while listed
        target = "?"
    try:
        real = os.path.realpath(link, strict=True)
    except OSError as exc:
        what = "a loop of symbolic links" if exc.errno == errno.ELOOP else "its target does not exist"
        problems.append(problem("symlink-broken", f"symbolic link to {quote(target)}: {what}; remove the link "
                                "or restore its target", path=shown))
        return
    if os.path.commonpath([real, root]) != root:
        problems.append(problem("symlink-outside", f"symbolic link leads outside the coded folder (to "
                                f"{quote(real)}); links are not followed: copy the file in, or give the folder "
                                "it leads to", path=shown))
        return
    inside = Path(os.path.relpath(real, root)).as_posix()
    problems.append(problem("file-skipped", f"left out: symbolic link to {quote(inside)} inside the coded folder; "
                            "links are not followed (the target is taken where it is)", path=shown))


def read_text(path: Path, display: str) -> str:
    """Read a file as UTF-8, or raise :class:`YamlLoadError` naming the line of the first bad byte.

    A compressed file, a workbook or UTF-16 text is named as such, with what to do
    (:func:`incidentkit.records.sniff.what_file`, the rule ``ingest`` follows too).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlLoadError([problem("file-unreadable", f"cannot read the file: {exc.strerror or exc}",
                                     path=display)]) from None
    what = what_file(data[:4096])
    if what is not None:
        raise YamlLoadError([problem("file-encoding", what, path=display, line=1)])
    if not data.strip():
        raise YamlLoadError([problem("file-empty", "the file is empty", path=display)])
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise YamlLoadError([problem("file-encoding", "the file holds NUL bytes: it is binary, not a text record",
                                     path=display, line=line)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlLoadError([problem(
            "file-encoding", f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            path=display, line=line)]) from None
    return text[1:] if text.startswith("\ufeff") else text


def load_yaml(path: Path, display: str | None = None, rel: str = "") -> RawRecord:
    """One YAML record; ``display`` names the file in problems, ``rel`` in the dataset (see RawRecord)."""
    display = display or display_path(path)
    doc = load_yaml_text(read_text(path, display), display)
    if not isinstance(doc, LocatedDict):
        raise YamlLoadError([problem("yaml-structure", "a coded record is a mapping with source, coder, coded_on "
                                     f"and incidents; this file holds a {type(doc).__name__}", path=display,
                                     line=getattr(doc, "line", 1))])
    incidents = doc.get("incidents")
    items = [i for i in incidents if isinstance(i, LocatedDict)] if isinstance(incidents, LocatedList) else []
    return RawRecord(display, doc, items, "yaml", rel)


_SOURCE_COLUMNS = {f"source_{name}": name for name in SOURCE_FIELDS}
_LIST_KINDS = (Kind.TEXT_LIST,)


def load_csv(path: Path, display: str | None = None, rel: str = "", *, allow_empty: bool = False) -> list[RawRecord]:
    """One record per row: ``source_*`` columns form the source, the rest the incident.

    Fatalities may be one ``fatalities`` column or ``fatalities_low/best/high``; list fields separate
    items with ';'; evidence comes from ``evidence_<field>`` columns. Empty cells count as absent. A
    CSV holding only its header (or only empty rows) is a ``no-records`` error, as an empty YAML file
    is a ``file-empty`` one: every coded file holds at least one incident (unless ``allow_empty``: then
    it holds none).
    """
    display = display or display_path(path)
    text = read_text(path, display)
    with csv_field_limit(RECORD_CELL_LIMIT):
        return _csv_records(text, display, rel, allow_empty)


def _csv_records(text: str, display: str, rel: str, allow_empty: bool) -> list[RawRecord]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise YamlLoadError([problem("csv-syntax", f"CSV syntax error: {_csv_error(exc)}", path=display,
                                     line=1)]) from None
    except StopIteration:  # pragma: no cover - empty files are caught before
        raise YamlLoadError([problem("file-empty", "the file is empty", path=display)]) from None
    delim = guess_delimiter(header)
    if delim is not None:
        raise YamlLoadError([problem("csv-delimiter", delimiter_message(delim), path=display, line=1)])
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise YamlLoadError([problem("csv-header", f"column {quote(name)} appears twice in the header",
                                         path=display, line=1, field=name)])
        seen.add(name)
    records: list[RawRecord] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise YamlLoadError([problem("csv-syntax", f"CSV syntax error: {_csv_error(exc)}", path=display,
                                         line=reader.line_num)]) from None
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise YamlLoadError([problem("csv-syntax", f"row has {len(row)} cells but the header has "
                                         f"{len(header)}", path=display, line=line)])
        records.append(_csv_row_record(display, header, row, line, rel))
    if not records and not allow_empty:
        raise YamlLoadError([no_records(display, "the CSV holds only its header; --allow-empty accepts it",
                                        line=1)])
    return records


def _csv_error(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"a cell is longer than {RECORD_CELL_LIMIT:,} characters (the CSV reader's limit); is a "
                "quote left open?")
    return str(exc)


def _csv_row_record(display: str, header: list[str], row: list[str], line: int, rel: str = "") -> RawRecord:
    doc, source, incident = LocatedDict(line), LocatedDict(line), LocatedDict(line)
    fatalities = LocatedDict(line)
    evidence = LocatedList(line)
    for name, cell in zip(header, row):
        if cell == "":
            continue
        if name in _SOURCE_COLUMNS:
            target, key = source, _SOURCE_COLUMNS[name]
            fdef = SOURCE_FIELDS[key]
        elif name in RECORD_FIELDS:
            target, key, fdef = doc, name, RECORD_FIELDS[name]
        elif name.startswith("fatalities_") and name[11:] in ("low", "best", "high"):
            fatalities[name[11:]] = cell
            fatalities.lines[name[11:]] = line
            continue
        elif name.startswith("evidence_"):
            item = LocatedDict(line)
            item.update(field=name[9:], quote=cell)
            item.lines.update({k: line for k in EVIDENCE_KEYS})
            evidence.append(item)
            evidence.lines.append(line)
            continue
        else:
            target, key = incident, name
            fdef = INCIDENT_FIELDS.get(name)
        value: object = cell
        if fdef is not None and fdef.kind in _LIST_KINDS:
            lst = LocatedList(line)
            for part in cell.split(LIST_SEPARATOR):
                if part.strip():
                    lst.append(part.strip())
                    lst.lines.append(line)
            value = lst
        target[key] = value
        target.lines[key] = line
    if fatalities:
        if "fatalities" in incident:  # both forms given: keep them apart so the validator names the clash
            for part, cell in fatalities.items():
                incident[f"fatalities_{part}"] = cell
                incident.lines[f"fatalities_{part}"] = line
        else:
            incident["fatalities"] = fatalities
            incident.lines["fatalities"] = line
    if evidence:
        incident["evidence"] = evidence
        incident.lines["evidence"] = line
    doc["source"] = source
    doc.lines["source"] = line
    return RawRecord(display, doc, [incident], "csv", rel)


def iter_records(files: Iterable[Path], base: Path | None = None, *,
                 allow_empty: bool = False) -> Iterator[RawRecord | Problem]:
    """Load files one at a time, yielding records and, for unreadable files, their problems.

    Streaming keeps memory flat: a build of 100,000 incidents never holds every parsed file at once.
    Problems name each file as the user gave it (:func:`display_path`); with ``base``, the records'
    ``rel`` (the dataset's ``record_path``) is the path relative to it. ``allow_empty``: a CSV holding
    only its header yields nothing instead of a ``no-records`` problem.
    """
    for f in files:
        display = display_path(f)
        rel = _relative(f, base)
        try:
            if f.suffix.lower() in CSV_SUFFIXES:
                yield from load_csv(f, display, rel, allow_empty=allow_empty)
            else:
                yield load_yaml(f, display, rel)
        except YamlLoadError as exc:
            yield from exc.problems


def load_paths(paths: Iterable[str | os.PathLike[str]], base: Path | None = None, *,
               allow_empty: bool = False) -> LoadResult:
    """Load every coded file under ``paths``; unreadable files become problems, not exceptions."""
    files, problems = discover(paths, allow_empty=allow_empty)
    records: list[RawRecord] = []
    for item in iter_records(files, base, allow_empty=allow_empty):
        if isinstance(item, RawRecord):
            records.append(item)
        else:
            problems.append(item)
    return LoadResult(records, problems)


def _relative(path: Path, base: Path | None) -> str:
    """The path the dataset stores: relative to ``base`` (the coded folder) when under it."""
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return display_path(path)


__all__ = ["RawRecord", "LoadResult", "discover", "display_path", "no_records", "load_yaml", "load_csv",
           "load_paths", "iter_records", "skip_reason", "YamlLoadError"]
