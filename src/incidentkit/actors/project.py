"""The project's own actor list (``datasets/actors.csv``): read, add to, and fill from ACLED/UCDP files.

Why: ACLED's actor lists may not be redistributed, so the embedded vocabulary is built from public
documentation and cannot hold every local militia or party. A project that holds licensed ACLED or UCDP
data extends the vocabulary from it (``import_actors``), or by hand (``add_actor``), and keeps where each
name came from. The file is plain UTF-8 CSV a person can edit, so every row is checked on reading and a
bad row is reported as ``file:line`` with a stable code, never as a traceback.

Columns: ``name,inter,country,countries,start,end,ucdp_name,aliases,source,note,added`` (``countries``
space-separated ISO codes, ``aliases`` separated by ``|``, dates ISO ``YYYY-MM-DD``).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from incidentkit.actors.info import ActorInfo
from incidentkit.codebook.countries import country_code
from incidentkit.errors import InputFileError, UsageError, problem, quote

__all__ = ["COLUMNS", "ImportResult", "add_actor", "import_actors", "read_project_actors", "read_project_bytes",
           "write_project_actors"]

COLUMNS = ("name", "inter", "country", "countries", "start", "end", "ucdp_name", "aliases", "source", "note", "added")
_REQUIRED = ("name",)
#: Longest actor name accepted (ACLED's longest names are about 150 characters).
MAX_NAME = 300


def _fail(path: Path, line: int | None, message: str, code: str = "actors-file-invalid", field: str = "",
          value: object = None) -> InputFileError:
    p = problem(code, message, path=str(path), line=line, field=field, value=value)
    where = f"{path}:{line}" if line is not None else str(path)
    return InputFileError(f"{where}: {message}", code=code, problems=[p])


def read_project_bytes(path: Path) -> bytes:
    """The file's bytes, or a one-line ``file-unreadable`` error (missing, a folder, refused)."""
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder, not an actor list CSV", code="file-unreadable") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the actor list: {exc.strerror or exc}",
                             code="file-unreadable") from None


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise InputFileError(f"{path}: holds NUL bytes: not a UTF-8 CSV file (save it as UTF-8 CSV)",
                             code="file-encoding")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputFileError(f"{path}:{line}: not UTF-8 text (save the actor list as UTF-8 CSV)",
                             code="file-encoding") from None


def _date(path: Path, line: int, column: str, text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(path, line, f"{column} {quote(text)} is not an ISO date (YYYY-MM-DD)", field=column,
                    value=text) from None


def _country(path: Path, line: int, column: str, text: str) -> str:
    cc = country_code(text)
    if cc is None:
        raise _fail(path, line, f"{column} {quote(text)} is not a country (use an ISO code such as NG)",
                    field=column, value=text)
    return cc


def _parse_rows(path: Path, text: str) -> list[tuple[int, dict[str, str]]]:
    """(line, row) for every data row; header and shape checked."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            return []
        header = [h.strip() for h in header]
        missing = [c for c in _REQUIRED if c not in header]
        unknown = [h for h in header if h not in COLUMNS]
        if missing or unknown or len(set(header)) != len(header):
            what = (f"missing column(s) {', '.join(missing)}" if missing else
                    f"unknown column(s) {', '.join(map(quote, unknown))}" if unknown else "a repeated column")
            raise _fail(path, 1, f"actor list header has {what} (columns: {', '.join(COLUMNS)})",
                        code="actors-file-header")
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise _fail(path, start, f"row has {len(cells)} cells, the header {len(header)}")
            rows.append((start, dict(zip(header, cells))))
    except csv.Error as exc:
        raise _fail(path, reader.line_num or None, f"CSV syntax error ({exc})", code="csv-syntax") from None
    return rows


def _info(path: Path, line: int, row: dict[str, str]) -> ActorInfo:
    name = row.get("name", "").strip()
    if not name:
        raise _fail(path, line, "name is empty", field="name")
    if len(name) > MAX_NAME or not name.isprintable():
        raise _fail(path, line, f"name {quote(name)} is not an actor name (control characters, or longer than "
                    f"{MAX_NAME} characters)", field="name", value=name)
    inter_text = row.get("inter", "").strip()
    inter = None
    if inter_text:
        if not (inter_text.isdigit() and 0 < int(inter_text) <= 8):
            raise _fail(path, line, f"inter {quote(inter_text)} is not an ACLED actor type 1-8", field="inter",
                        value=inter_text)
        inter = int(inter_text)
    country = _country(path, line, "country", row["country"]) if row.get("country", "").strip() else ""
    countries = tuple(_country(path, line, "countries", c) for c in row.get("countries", "").split())
    if country and countries and country not in countries:
        countries = (country, *countries)
    start = _date(path, line, "start", row.get("start", ""))
    end = _date(path, line, "end", row.get("end", ""))
    if start and end and end < start:
        raise _fail(path, line, f"end {end} is before start {start}", field="end", value=str(end))
    _date(path, line, "added", row.get("added", ""))
    aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip())
    # where the vocabulary found it (file:line); the row's own source (a URL, acled:<file>) goes with the note
    origin = row.get("source", "").strip()
    note = row.get("note", "").strip()
    if origin:
        note = f"{note} [source: {origin}]" if note else f"source: {origin}"
    return ActorInfo(name=name, kind="project", inter=inter, country=country or (countries[0] if countries else ""),
                     countries=countries, start=start, end=end, ucdp_name=row.get("ucdp_name", "").strip(),
                     source=f"project: {path}:{line}", aliases=aliases, note=note)


def read_project_actors(path: str | os.PathLike[str]) -> list[ActorInfo]:
    """Every actor of the project list at ``path``, checked: a bad row raises
    :class:`~incidentkit.errors.InputFileError` located ``file:line`` (``actors-file-invalid``,
    ``actors-file-header``, ``actor-duplicate``, ``csv-syntax``, ``file-encoding``)."""
    p = Path(path)
    text = _decode(p, read_project_bytes(p))
    out: list[ActorInfo] = []
    seen: dict[str, int] = {}
    for line, row in _parse_rows(p, text):
        info = _info(p, line, row)
        if info.name in seen:
            raise _fail(p, line, f"{quote(info.name)} is listed twice (first on line {seen[info.name]})",
                        code="actor-duplicate", field="name", value=info.name)
        seen[info.name] = line
        out.append(info)
    return out


def _row(info: ActorInfo, added: date | None) -> dict[str, str]:
    return {
        "name": info.name, "inter": "" if info.inter is None else str(info.inter), "country": info.country,
        "countries": " ".join(info.countries), "start": info.start.isoformat() if info.start else "",
        "end": info.end.isoformat() if info.end else "", "ucdp_name": info.ucdp_name,
        "aliases": "|".join(info.aliases), "source": info.source, "note": info.note,
        "added": (added or date.today()).isoformat(),
    }


def _csv_text(rows: Iterable[dict[str, str]], header: bool) -> str:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    if header:
        w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def write_project_actors(path: str | os.PathLike[str], new: Iterable[ActorInfo], *, added: date | None = None) -> int:
    """Append ``new`` actors to the list at ``path`` (created with its header when missing), atomically:
    the existing rows are kept byte for byte, and an interrupted write leaves the old file."""
    return _append_rows(Path(path), [_row(i, added) for i in new])


def _append_rows(p: Path, rows: list[dict[str, str]]) -> int:
    from incidentkit.atomic import atomic_write_bytes

    if not rows:
        return 0
    if p.exists():
        old = read_project_bytes(p)
        read_project_actors(p)  # never append to a file that is already broken
        text = _decode(p, old)
        if text and not text.endswith(("\n", "\r")):
            text += "\r\n"
        body = text + _csv_text(rows, header=not text.strip())
        prefix = b"\xef\xbb\xbf" if old.startswith(b"\xef\xbb\xbf") else b""
    else:
        if p.parent != Path("") and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        body, prefix = _csv_text(rows, header=True), b""
    atomic_write_bytes(p, prefix + body.encode("utf-8"))
    return len(rows)


def add_actor(path: str | os.PathLike[str], name: str, inter: int | None, country: str, *,
              countries: Iterable[str] = (), start: date | None = None, end: date | None = None,
              ucdp_name: str = "", aliases: Iterable[str] = (), source: str = "", note: str = "",
              added: date | None = None) -> ActorInfo:
    """Add one actor to the project list at ``path`` and return it. Refuses (``actor-duplicate``, exit 1)
    a name the list or the embedded vocabulary already holds, and (``actors-file-invalid``) a value the
    list could not read back."""
    from incidentkit.actors import load_vocabulary

    p = Path(path)
    name = (name or "").strip()
    vocab = load_vocabulary(p if p.exists() else None)
    known = vocab.lookup(name)
    if known is not None:
        where = known.source if known.kind == "project" else f"the embedded vocabulary ({known.kind})"
        raise InputFileError(f"{quote(name)} is already known: {where}", code="actor-duplicate")
    row = {"name": name, "inter": "" if inter is None else str(inter), "country": country or "",
           "countries": " ".join(countries), "start": start.isoformat() if start else "",
           "end": end.isoformat() if end else "", "ucdp_name": ucdp_name, "aliases": "|".join(aliases),
           "source": source, "note": note, "added": (added or date.today()).isoformat()}
    for k, v in row.items():
        if k != "name" and ("\n" in v or "\r" in v or not v.isprintable()):
            raise UsageError(f"{k} {quote(v)} holds control characters")
    _info(p, 0, row)  # the same checks as reading the file, before anything is written
    rows_before = len(read_project_actors(p)) if p.exists() else 0
    _append_rows(p, [row])
    return _info(p, rows_before + 2, row)


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_actors` did: names added to the list, names already known, values skipped."""

    added: int
    known: int
    skipped: int
    names: tuple[str, ...] = ()


def _events(external: Path) -> tuple[Any, str]:
    """The ingested events of ``external`` (a Parquet from ``incidentkit ingest``, or a raw ACLED or UCDP
    CSV read through the same readers) and the dataset name ("acled" or "ucdp")."""
    import pyarrow.parquet as pq

    from incidentkit.external import ingest_acled, ingest_ucdp, read_events

    cols = ["actor1", "inter1", "assoc_actor_1", "actor2", "inter2", "assoc_actor_2", "country", "date_start",
            "dataset"]
    try:
        with open(external, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise InputFileError(f"{external}: cannot read: {exc.strerror or exc}", code="file-unreadable") from None
    if magic == b"PAR1":
        try:
            present = set(pq.read_schema(external).names)
        except Exception as exc:  # noqa: BLE001 - a damaged Parquet file is bad input, not a crash
            raise InputFileError(f"{external}: not a readable Parquet file ({exc})", code="file-unreadable") from None
        if not {"actor1", "actor2", "dataset"} <= present:
            raise InputFileError(f"{external}: not an ingested ACLED/UCDP file (no actor1/actor2/dataset columns; "
                                 "run incidentkit ingest acled|ucdp first)", code="not-a-dataset")
        df = read_events(external, [c for c in cols if c in present])
        names = {str(x) for x in df["dataset"].dropna().unique()}
        return df, (names.pop() if len(names) == 1 else "acled")
    # a raw export: which dataset its header says, then the existing reader (it locates every bad cell)
    try:
        head = external.read_bytes()[:65536].decode("utf-8-sig", errors="replace").splitlines()[0]
    except (OSError, IndexError):
        raise InputFileError(f"{external}: empty or unreadable", code="file-empty") from None
    header = {h.strip().strip('"').lower() for h in head.split(",")}
    ingest, dataset = ((ingest_ucdp, "ucdp") if {"side_a", "side_b"} <= header else
                       (ingest_acled, "acled") if "actor1" in header else (None, ""))
    if ingest is None:
        raise InputFileError(f"{external}: neither an ACLED export (actor1 column) nor a UCDP GED file "
                             "(side_a, side_b) nor an ingested Parquet file", code="external-missing-column")
    with tempfile.TemporaryDirectory(prefix="incidentkit-actors-") as tmp:
        out = Path(tmp) / "events.parquet"
        ingest(external, out, progress=False)
        return read_events(out, cols), dataset


def import_actors(path: str | os.PathLike[str], external_file: str | os.PathLike[str], *,
                  added: date | None = None) -> ImportResult:
    """Add every actor of an ACLED or UCDP file that the vocabulary does not know to the project list.

    Each new name gets the country it was seen in most, its most frequent inter code, the first and last
    date it was seen and the source ``acled:<file>`` / ``ucdp:<file>``; every ``;``-separated associated
    actor counts as an actor. Values that cannot be names (control characters, too long) are skipped.
    The external file is never written; the list is written atomically.
    """
    import pandas as pd

    from incidentkit.actors import load_vocabulary
    from incidentkit.paths import refuse_overwriting_inputs

    p, ext = Path(path), Path(external_file)
    refuse_overwriting_inputs([p], [ext])
    vocab = load_vocabulary(p if p.exists() else None)
    df, dataset = _events(ext)
    seen: dict[str, dict[str, Counter]] = {}
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    skipped = 0

    def values(col: str, inter_col: str | None) -> Iterable[tuple[str, int | None, str, date | None]]:
        if col not in df.columns:
            return
        inters = df[inter_col] if inter_col and inter_col in df.columns else pd.Series([None] * len(df))
        dates = df["date_start"] if "date_start" in df.columns else pd.Series([None] * len(df))
        countries = df["country"] if "country" in df.columns else pd.Series([""] * len(df))
        for v, i, c, d in zip(df[col], inters, countries, dates):
            items = list(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") and not isinstance(v, str) \
                else [v]
            for x in items:
                if x is None or (isinstance(x, float) and pd.isna(x)):
                    continue
                for part in str(x).split(";"):
                    yield part.strip(), (None if i is None or pd.isna(i) or col.startswith("assoc") else int(i)), \
                        ("" if c is None or pd.isna(c) else str(c)), (None if d is None or pd.isna(d) else d)

    for col, inter_col in (("actor1", "inter1"), ("actor2", "inter2"), ("assoc_actor_1", None), ("assoc_actor_2", None)):
        for name, inter, cc, day in values(col, inter_col):
            if not name:
                continue
            if len(name) > MAX_NAME or not name.isprintable():
                skipped += 1
                continue
            rec = seen.setdefault(name, {"inter": Counter(), "country": Counter()})
            if inter:
                rec["inter"][inter] += 1
            if cc:
                rec["country"][cc] += 1
            if day is not None:
                try:
                    d = pd.Timestamp(day).date()  # a datetime, a pandas Timestamp or a date: the calendar day
                except (TypeError, ValueError):
                    continue
                first[name] = min(first.get(name, d), d)
                last[name] = max(last.get(name, d), d)
    new: list[ActorInfo] = []
    known = 0
    # GED's side names for actors the vocabulary already has under their ACLED name ("Government of
    # Iraq", "IS", "SDF") and its generic "Civilians" are not new actors: adding them would make a bare
    # "Civilians" an accepted actor1 in every country the file covers
    sides = _ucdp_sides() if dataset == "ucdp" else frozenset()
    for name, rec in seen.items():
        if vocab.lookup(name) is not None or name in sides:
            known += 1
            continue
        inter = rec["inter"].most_common(1)[0][0] if rec["inter"] else None
        ccs = tuple(c for c, _ in rec["country"].most_common())
        new.append(ActorInfo(name=name, kind="project", inter=inter, country=ccs[0] if ccs else "",
                             countries=ccs if len(ccs) > 1 else (), start=first.get(name), end=last.get(name),
                             source=f"{dataset}:{ext.name}"))
    new.sort(key=lambda i: i.name)
    write_project_actors(p, new, added=added)
    return ImportResult(added=len(new), known=known, skipped=skipped, names=tuple(i.name for i in new))


def _ucdp_sides() -> frozenset[str]:
    """UCDP GED side names that stand for actors the vocabulary names the ACLED way."""
    from incidentkit.actors.data import named_groups, ucdp_government_names

    return frozenset({"Civilians", *ucdp_government_names().values(),
                      *(g.ucdp_name.strip() for g in named_groups() if g.ucdp_name.strip())})
